/* Ask the platform about itself: "serverkey", "instance-name", "addresses",
 * "local_address", "platform-version", "message-bus", "volttron-home", ... */
#ifndef VT_CLIENT_QUERY_H
#define VT_CLIENT_QUERY_H

#include <stddef.h>

#include <volttron/client/agent.h>
#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* value (len bytes, borrowed) is NULL on error/timeout; an unknown property
 * answers an empty value. */
typedef void (*vt_query_fn)(vt_agent *agent, const char *value, size_t len, void *ctx);
VT_CLIENT_EXPORT int vt_query(vt_agent *agent, const char *property, int timeout_ms, vt_query_fn fn,
                              void *ctx);
/* Blocking: 0 and a NUL-terminated copy in *value (caller frees), or <0. */
VT_CLIENT_EXPORT int vt_query_sync(vt_agent *agent, const char *property, int timeout_ms,
                                   char **value);

#ifdef __cplusplus
}
#endif

#endif
