/* Ping: is a peer (or the platform, peer "") alive? */
#ifndef VT_CLIENT_PING_H
#define VT_CLIENT_PING_H

#include <volttron/client/agent.h>
#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* rc is 0 on pong, -ETIMEDOUT or -EHOSTUNREACH. */
typedef void (*vt_ping_fn)(vt_agent *agent, int rc, void *ctx);
VT_CLIENT_EXPORT int vt_ping(vt_agent *agent, const char *peer, int timeout_ms, vt_ping_fn fn,
                             void *ctx);
/* Blocking: 0 on pong, else a negative errno. */
VT_CLIENT_EXPORT int vt_ping_sync(vt_agent *agent, const char *peer, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif
