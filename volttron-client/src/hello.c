/* hello: the connection handshake with the router, and answering peers
 * that say hello to us. */
#include <stdio.h>
#include <string.h>

#include <volttron/utils/log.h>

#include "agent_private.h"

/* The first frames of a send can fail with EAGAIN for a moment after the
 * handshake event while libzmq attaches the pipe; retry briefly. */
#define HELLO_RETRY_MS 20

static void hello_retry(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    vt_agent *agent = ctx;
    if (agent->state == VT_AGENT_HELLO)
        vt_hello_say(agent);
}

void vt_hello_say(vt_agent *agent)
{
    /* VOLTTRON's id for the handshake: connect.hello.<n>, n counting reconnects. */
    snprintf(agent->hello_id, sizeof agent->hello_id, "connect.hello.%u", agent->hello_count);
    vt_message *args = vt_message_new();
    vt_message_append_str(args, "hello");
    if (vt_agent_send(agent, "", "hello", agent->hello_id, args) < 0)
        vt_loop_after(agent->loop, HELLO_RETRY_MS, hello_retry, agent);
}

static void on_hello(vt_agent *agent, const vt_message *msg, void *ctx)
{
    (void)ctx;
    if (vt_vip_arg_eq(msg, 0, "welcome")) {
        /* Ours only if it answers our current hello (a late welcome to an
         * earlier attempt is ignored). */
        if (agent->state == VT_AGENT_HELLO && vt_message_eq(msg, VT_VIP_ID, agent->hello_id) &&
            vt_vip_nargs(msg) >= 4) {
            agent->hello_count++;
            vt_agent_welcomed(agent);
        }
        return;
    }
    if (vt_vip_arg_eq(msg, 0, "hello")) {
        /* Peer-to-peer hello: welcome, version, our identity, the asker. */
        vt_message *args = vt_message_new();
        vt_message_append_str(args, "welcome");
        vt_message_append_str(args, "1.0");
        vt_message_append_str(args, agent->identity);
        vt_message_append_frame(args, msg, VT_VIP_PEER);
        vt_agent_send(agent, vt_vip_peer(msg), "hello", vt_vip_id(msg), args);
        return;
    }
    vt_log_debug(agent->identity, "ignoring hello message \"%s\"",
                 vt_message_str(msg, VT_VIP_ARGS));
}

void vt_hello_init(vt_agent *agent)
{
    vt_agent_register_subsystem(agent, "hello", on_hello, NULL);
}
