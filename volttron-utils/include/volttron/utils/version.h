/* Version of libvolttron-utils. */
#ifndef VT_UTILS_VERSION_H
#define VT_UTILS_VERSION_H

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version string, e.g. "1.0.0" (static storage). */
VT_UTILS_EXPORT const char *vt_utils_version(void);

#ifdef __cplusplus
}
#endif

#endif
