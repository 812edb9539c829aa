/* The connection under an agent: how VIP messages reach the platform.
 *
 * Two kinds exist: ZeroMQ (a DEALER socket to the platform's ROUTER, the
 * default) and, inside the platform process, a direct in-process link used
 * by the core services. A RabbitMQ connection plugs in the same way. Agents
 * never see which one carries them.
 */
#ifndef VT_CLIENT_CONN_H
#define VT_CLIENT_CONN_H

#include <volttron/client/agent.h>
#include <volttron/client/export.h>
#include <volttron/client/message.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_conn vt_conn;

typedef struct vt_conn_ops {
    const char *name;
    /* Start connecting; report progress with vt_agent_transport_*. */
    int (*open)(vt_conn *conn);
    /* Send one complete VIP message as a DEALER would: recipient, "VIP1",
     * user-id, id, subsystem, args. Always consumes msg. Returns 0,
     * -ENOTCONN or -EAGAIN. */
    int (*send)(vt_conn *conn, vt_message *msg);
    /* Wait up to timeout_ms for one incoming message (for blocking calls):
     * 0 and *out set, -ETIMEDOUT, or -ENOTSUP when the connection cannot
     * block (the platform's in-process link). */
    int (*recv)(vt_conn *conn, int timeout_ms, vt_message **out);
    /* Disconnect and free impl; conn itself is freed by the agent. */
    void (*close)(vt_conn *conn);
} vt_conn_ops;

struct vt_conn {
    const vt_conn_ops *ops;
    vt_agent *agent;
    void *impl;
};

/* An agent over a caller-made connection (ownership of conn passes to the
 * agent). Used by the platform for its in-process services. */
VT_CLIENT_EXPORT vt_agent *vt_agent_new_with_conn(const vt_agent_options *opts, vt_conn *conn);

/* Called by connection implementations. */
/* A message arrived (ownership passes to the agent). */
VT_CLIENT_EXPORT void vt_agent_deliver(vt_agent *agent, vt_message *msg);
/* The transport is up: the agent says hello. */
VT_CLIENT_EXPORT void vt_agent_transport_up(vt_agent *agent);
/* The transport went down; the connection keeps trying to come back. */
VT_CLIENT_EXPORT void vt_agent_transport_down(vt_agent *agent);
/* The connection gave up (authentication refused, fail_fast): the agent
 * stops with an error naming why. */
VT_CLIENT_EXPORT void vt_agent_transport_failed(vt_agent *agent, const char *why);

/* The process-wide ZeroMQ context, created on first use and terminated when
 * the last user releases it. */
VT_CLIENT_EXPORT void *vt_zmq_context_acquire(void);
VT_CLIENT_EXPORT void vt_zmq_context_release(void);

#ifdef __cplusplus
}
#endif

#endif
