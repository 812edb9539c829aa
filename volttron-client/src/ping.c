/* ping: answer pings, and ping others. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/ping.h>
#include <volttron/utils/error.h>
#include <volttron/utils/mem.h>

#include "agent_private.h"

typedef struct ping_call {
    vt_ping_fn fn;
    void *ctx;
    int *sync_rc;
} ping_call;

static void on_ping(vt_agent *agent, const vt_message *msg, void *ctx)
{
    (void)ctx;
    if (vt_vip_arg_eq(msg, 0, "ping")) {
        /* Echo every argument after "ping", as VOLTTRON does. */
        vt_message *args = vt_message_new();
        vt_message_append_str(args, "pong");
        for (size_t i = 1; i < vt_vip_nargs(msg); i++)
            vt_message_append_frame(args, msg, VT_VIP_ARGS + i);
        vt_agent_send(agent, vt_vip_peer(msg), "ping", vt_vip_id(msg), args);
        return;
    }
    if (vt_vip_arg_eq(msg, 0, "pong")) {
        size_t len;
        const void *id = vt_message_data(msg, VT_VIP_ID, &len);
        /* An unknown id is silently ignored (the router probes peers so). */
        vt_agent_resolve(agent, id, len, msg, NULL);
    }
}

static void ping_done(vt_agent *agent, const vt_message *reply, const vt_vip_error *err, void *ctx)
{
    ping_call *pc = ctx;
    int rc = reply ? 0 : -err->errnum;
    if (pc->sync_rc)
        *pc->sync_rc = rc;
    if (pc->fn)
        pc->fn(agent, rc, pc->ctx);
    free(pc);
}

static const char *ping_send(vt_agent *agent, const char *peer, int timeout_ms, ping_call *pc)
{
    vt_message *args = vt_message_new();
    vt_message_append_str(args, "ping");
    return vt_agent_request(agent, peer, "ping", args, timeout_ms, ping_done, pc);
}

int vt_ping(vt_agent *agent, const char *peer, int timeout_ms, vt_ping_fn fn, void *ctx)
{
    ping_call *pc = vt_calloc(1, sizeof *pc);
    pc->fn = fn;
    pc->ctx = ctx;
    return ping_send(agent, peer, timeout_ms, pc) ? 0 : -ENOTCONN;
}

int vt_ping_sync(vt_agent *agent, const char *peer, int timeout_ms)
{
    int rc = -EINPROGRESS;
    ping_call *pc = vt_calloc(1, sizeof *pc);
    pc->sync_rc = &rc;
    const char *id = ping_send(agent, peer, timeout_ms, pc);
    if (id) {
        int wrc = vt_agent_wait(agent, id, timeout_ms);
        if (wrc < 0)
            return wrc;
    }
    if (rc == -ETIMEDOUT)
        vt_error_set(rc, "no pong from \"%s\" in %d ms", peer, timeout_ms);
    else if (rc == -EHOSTUNREACH) /* the router's 113 is Linux's EHOSTUNREACH */
        vt_error_set(rc, "peer \"%s\" is not connected", peer);
    return rc;
}

void vt_ping_init(vt_agent *agent)
{
    vt_agent_register_subsystem(agent, "ping", on_ping, NULL);
}
