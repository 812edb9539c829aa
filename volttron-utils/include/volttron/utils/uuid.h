/* Random (version 4) UUIDs, as VOLTTRON uses for agent installs, default
 * identities and the router's routing id. */
#ifndef VT_UTILS_UUID_H
#define VT_UTILS_UUID_H

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VT_UUID_SIZE 37 /* 36 characters and NUL */

/* Write a new lower-case UUID4 ("8c1f2a3e-...") into out. */
VT_UTILS_EXPORT void vt_uuid4(char out[VT_UUID_SIZE]);

/* Whether text is a UUID in that form (any version). */
VT_UTILS_EXPORT int vt_uuid_is_valid(const char *text);

#ifdef __cplusplus
}
#endif

#endif
