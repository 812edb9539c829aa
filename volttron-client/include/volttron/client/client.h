/* libvolttron-client umbrella header: everything an agent needs. */
#ifndef VT_CLIENT_CLIENT_H
#define VT_CLIENT_CLIENT_H

#include <volttron/utils/utils.h>

#include <volttron/client/export.h>
#include <volttron/client/version.h>

#endif
