/* Channels: a byte stream between two agents, named by (peer, name), over
 * the VIP "channel" subsystem (vip-wire.md §12). VOLTTRON uses one to ship
 * agent packages from vctl to the platform's control service.
 *
 * Both ends must open the same (peer, name) pair: a message for a pair
 * nobody opened is dropped with a log line, as VOLTTRON does.
 *
 *     vt_channel *ch = vt_channel_open(agent, "control", "agent_sender", on_data, ctx);
 *     vt_channel_send(ch, buf, len);
 *     ...
 *     vt_channel_close(&ch);
 */
#ifndef VT_CLIENT_CHANNEL_H
#define VT_CLIENT_CHANNEL_H

#include <stddef.h>

#include <volttron/client/agent.h>
#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_channel vt_channel;

/* One data frame arrived (data borrowed for the call). */
typedef void (*vt_channel_fn)(vt_agent *agent, vt_channel *ch, const void *data, size_t len,
                              void *ctx);

/* Open (peer, name). The agent owns the channel: close it with
 * vt_channel_close, or it is closed when the agent is destroyed (the handle
 * is then invalid). Opening a pair that is already open returns NULL
 * (-EEXIST in vt_last_error()). */
VT_CLIENT_EXPORT vt_channel *vt_channel_open(vt_agent *agent, const char *peer, const char *name,
                                             vt_channel_fn fn, void *ctx);
/* Send one data frame (copied). 0 or a negative errno (not connected). */
VT_CLIENT_EXPORT int vt_channel_send(vt_channel *ch, const void *data, size_t len);
/* Close and free; *ch becomes NULL. Safe from inside the channel's callback. */
VT_CLIENT_EXPORT void vt_channel_close(vt_channel **ch);
/* The pair, borrowed. */
VT_CLIENT_EXPORT const char *vt_channel_peer(const vt_channel *ch);
VT_CLIENT_EXPORT const char *vt_channel_name(const vt_channel *ch);

#ifdef __cplusplus
}
#endif

#endif
