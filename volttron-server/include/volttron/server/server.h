/* libvolttron-server umbrella header. */
#ifndef VT_SERVER_SERVER_H
#define VT_SERVER_SERVER_H

#include <volttron/client/client.h>

#include <volttron/server/export.h>
#include <volttron/server/platform.h>
#include <volttron/server/version.h>

#endif
