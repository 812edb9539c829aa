/* Version of libvolttron-server. */
#ifndef VT_SERVER_VERSION_H
#define VT_SERVER_VERSION_H

#include <volttron/server/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version string, e.g. "1.0.0" (static storage). */
VT_SERVER_EXPORT const char *vt_server_version(void);

#ifdef __cplusplus
}
#endif

#endif
