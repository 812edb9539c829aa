/* Who is connected to the platform: listing, and add/drop notifications. */
#ifndef VT_CLIENT_PEERLIST_H
#define VT_CLIENT_PEERLIST_H

#include <stddef.h>

#include <volttron/client/agent.h>
#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* peers (count n) is borrowed; NULL with n 0 on error/timeout. */
typedef void (*vt_peerlist_fn)(vt_agent *agent, const char *const *peers, size_t n, void *ctx);
VT_CLIENT_EXPORT int vt_peerlist_list(vt_agent *agent, int timeout_ms, vt_peerlist_fn fn,
                                      void *ctx);
/* Blocking: returns the count and a NULL-terminated array in *peers (one
 * allocation; free() it), or a negative errno. */
VT_CLIENT_EXPORT int vt_peerlist_list_sync(vt_agent *agent, int timeout_ms, char ***peers);

/* fn is called on every "peerlist add"/"drop" the platform pushes. The
 * agent asks for the list at every connection while it has watchers (our
 * platform pushes changes only to peers that listed). fn NULL removes the
 * watchers registered with ctx (ctx NULL: all of them). */
typedef void (*vt_peer_change_fn)(vt_agent *agent, const char *peer, bool added, void *ctx);
VT_CLIENT_EXPORT void vt_peerlist_on_change(vt_agent *agent, vt_peer_change_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
