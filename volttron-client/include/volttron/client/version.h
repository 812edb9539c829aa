/* Version of libvolttron-client. */
#ifndef VT_CLIENT_VERSION_H
#define VT_CLIENT_VERSION_H

#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version string, e.g. "1.0.0" (static storage). */
VT_CLIENT_EXPORT const char *vt_client_version(void);

#ifdef __cplusplus
}
#endif

#endif
