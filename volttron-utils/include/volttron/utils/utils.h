/* libvolttron-utils umbrella header. */
#ifndef VT_UTILS_UTILS_H
#define VT_UTILS_UTILS_H

#include <volttron/utils/buf.h>
#include <volttron/utils/certs.h>
#include <volttron/utils/config.h>
#include <volttron/utils/csv.h>
#include <volttron/utils/encoding.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/hash.h>
#include <volttron/utils/ini.h>
#include <volttron/utils/json.h>
#include <volttron/utils/log.h>
#include <volttron/utils/map.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/pattern.h>
#include <volttron/utils/tar.h>
#include <volttron/utils/time.h>
#include <volttron/utils/topic.h>
#include <volttron/utils/uuid.h>
#include <volttron/utils/version.h>

#endif
