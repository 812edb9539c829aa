#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/agent.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/time.h>

#include "agent_private.h"
#include "rpc_private.h"

/* VOLTTRON agents give the platform 10 s to welcome them. */
#define HELLO_TIMEOUT_MS 10000
/* Then try a fresh connection this many times before giving up: the
 * platform ignores a connection claiming an identity another one still
 * holds (an old connection it has not seen die yet, for up to 30 s, or one
 * it will close for never speaking). */
#define HELLO_RETRIES 3

typedef struct handler {
    vt_subsystem_fn fn;
    void *ctx;
} handler;

typedef struct pending {
    vt_agent *agent;
    char id[32];
    vt_reply_fn fn;
    void *ctx;
    vt_timer *timer;
} pending;

/* ---- hooks ---- */

void vt_agent_hook_add(vt_hook **list, vt_agent_fn fn, void *ctx)
{
    vt_hook *h = vt_calloc(1, sizeof *h);
    h->fn = fn;
    h->ctx = ctx;
    while (*list)
        list = &(*list)->next;
    *list = h;
}

void vt_agent_hooks_run(vt_agent *agent, vt_hook *list)
{
    for (vt_hook *h = list; h; h = h->next)
        h->fn(agent, h->ctx);
}

static void hooks_free(vt_hook **list)
{
    while (*list) {
        vt_hook *next = (*list)->next;
        free(*list);
        *list = next;
    }
}

void vt_agent_on_start(vt_agent *agent, vt_agent_fn fn, void *ctx)
{
    vt_agent_hook_add(&agent->on_start, fn, ctx);
}

void vt_agent_on_stop(vt_agent *agent, vt_agent_fn fn, void *ctx)
{
    vt_agent_hook_add(&agent->on_stop, fn, ctx);
}

void vt_agent_on_connect(vt_agent *agent, vt_agent_fn fn, void *ctx)
{
    vt_agent_hook_add(&agent->on_connect, fn, ctx);
}

/* ---- request tracking ---- */

const char *vt_agent_next_id(vt_agent *agent, char *buf)
{
    /* A letter first: never a JSON scalar, so no router mangles it. */
    snprintf(buf, 32, "vt.%" PRIx64, ++agent->next_id);
    return buf;
}

static void pending_free(void *p)
{
    pending *pd = p;
    if (pd->timer)
        vt_timer_cancel(pd->agent->loop, pd->timer);
    free(pd);
}

static void pending_timeout(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    pending *pd = ctx;
    pd->timer = NULL; /* one-shot: released by the loop */
    vt_vip_error err = {.errnum = ETIMEDOUT, .text = "timed out", .peer = "", .subsystem = ""};
    vt_agent_resolve(pd->agent, pd->id, strlen(pd->id), NULL, &err);
}

const char *vt_agent_track(vt_agent *agent, int timeout_ms, vt_reply_fn fn, void *ctx)
{
    pending *pd = vt_calloc(1, sizeof *pd);
    pd->agent = agent;
    pd->fn = fn;
    pd->ctx = ctx;
    vt_agent_next_id(agent, pd->id);
    if (timeout_ms > 0)
        pd->timer = vt_loop_after(agent->loop, timeout_ms, pending_timeout, pd);
    vt_map_set(agent->pending, pd->id, pd);
    return pd->id;
}

bool vt_agent_resolve(vt_agent *agent, const void *id, size_t len, const vt_message *reply,
                      const vt_vip_error *err)
{
    /* Out of the map before the callback, which may track new requests. */
    pending *pd = vt_map_taken(agent->pending, id, len);
    if (!pd)
        return false;
    if (pd->timer) {
        vt_timer_cancel(agent->loop, pd->timer);
        pd->timer = NULL;
    }
    pd->fn(agent, reply, err, pd->ctx);
    free(pd);
    return true;
}

const char *vt_agent_request(vt_agent *agent, const char *peer, const char *subsystem,
                             vt_message *args, int timeout_ms, vt_reply_fn fn, void *ctx)
{
    const char *id = vt_agent_track(agent, timeout_ms, fn, ctx);
    int rc = vt_agent_send(agent, peer, subsystem, id, args);
    if (rc < 0) {
        char why[256];
        snprintf(why, sizeof why, "%s", vt_last_error());
        vt_vip_error err = {.errnum = -rc, .text = why, .peer = peer, .subsystem = subsystem};
        vt_agent_resolve(agent, id, strlen(id), NULL, &err);
        vt_error_set(rc, "%s", why);
        return NULL;
    }
    return id;
}

void vt_agent_untrack(vt_agent *agent, const char *id)
{
    pending *pd = vt_map_take(agent->pending, id);
    if (pd)
        pending_free(pd);
}

/* Fail every outstanding request (the connection is gone or we stop). */
static void fail_all_pending(vt_agent *agent, int errnum, const char *text)
{
    while (vt_map_size(agent->pending)) {
        size_t cursor = 0;
        const char *id;
        if (!vt_map_next(agent->pending, &cursor, &id, NULL))
            break;
        char copy[32];
        snprintf(copy, sizeof copy, "%s", id);
        vt_vip_error err = {.errnum = errnum, .text = text, .peer = "", .subsystem = ""};
        vt_agent_resolve(agent, copy, strlen(copy), NULL, &err);
    }
}

/* ---- dispatch ---- */

void vt_agent_register_subsystem(vt_agent *agent, const char *name, vt_subsystem_fn fn, void *ctx)
{
    handler *s = vt_calloc(1, sizeof *s);
    s->fn = fn;
    s->ctx = ctx;
    vt_map_set(agent->subsystems, name, s);
}

void vt_agent_reply_error(vt_agent *agent, const vt_message *msg, int errnum, const char *text)
{
    vt_message *args = vt_message_new();
    char num[16];
    snprintf(num, sizeof num, "%d", errnum);
    vt_message_append_str(args, num);
    vt_message_append_str(args, text);
    vt_message_append_frame(args, msg, VT_VIP_SUBSYSTEM);
    vt_agent_send(agent, vt_vip_peer(msg), "error", vt_vip_id(msg), args);
}

static void dispatch(vt_agent *agent, vt_message *msg)
{
    if (msg->n < VT_VIP_ARGS || !vt_message_eq(msg, VT_VIP_SIGNATURE, "VIP1")) {
        vt_log_warning(VT_LOG_SRC(agent), "dropped a malformed message (%zu frames)", msg->n);
        return;
    }
    size_t len;
    const void *name = vt_message_data(msg, VT_VIP_SUBSYSTEM, &len);
    handler *s = vt_map_getn(agent->subsystems, name, len);
    if (s) {
        s->fn(agent, msg, s->ctx);
        return;
    }
    /* As a VOLTTRON agent answers: errno 93 as text, three args. */
    vt_log_debug(VT_LOG_SRC(agent), "unknown subsystem \"%s\" from %s", vt_vip_subsystem(msg),
                 vt_vip_peer(msg));
    vt_agent_reply_error(agent, msg, 93, "Protocol not supported");
}

static void backlog_push(vt_agent *agent, vt_message *msg)
{
    msg->next = NULL;
    if (agent->backlog_tail)
        agent->backlog_tail->next = msg;
    else
        agent->backlog_head = msg;
    agent->backlog_tail = msg;
}

static void drain_backlog(vt_agent *agent)
{
    while (agent->backlog_head && !agent->blocking) {
        vt_message *msg = agent->backlog_head;
        agent->backlog_head = msg->next;
        if (!agent->backlog_head)
            agent->backlog_tail = NULL;
        dispatch(agent, msg);
        vt_message_destroy(&msg);
    }
}

static void drain_deferred(vt_loop *loop, void *ctx)
{
    (void)loop;
    drain_backlog(ctx);
}

void vt_agent_deliver_borrowed(vt_agent *agent, vt_message *msg)
{
    if (agent->blocking || agent->backlog_head) {
        vt_message *copy = vt_message_new();
        for (size_t i = 0; i < msg->n; i++)
            vt_message_append_zmsg(copy, &msg->frames[i]);
        vt_agent_deliver(agent, copy);
        return;
    }
    dispatch(agent, msg);
}

void vt_agent_deliver(vt_agent *agent, vt_message *msg)
{
    if (agent->blocking || agent->backlog_head) {
        /* Keep arrival order behind what a blocking call queued. */
        backlog_push(agent, msg);
        if (!agent->blocking)
            drain_backlog(agent);
        return;
    }
    dispatch(agent, msg);
    vt_message_destroy(&msg);
}

int vt_agent_wait(vt_agent *agent, const char *id, int timeout_ms)
{
    char want[32];
    snprintf(want, sizeof want, "%s", id);
    if (!agent->conn->ops->recv) {
        vt_vip_error err = {.errnum = ENOTSUP,
                            .text = "blocking call on an in-process agent",
                            .peer = "",
                            .subsystem = ""};
        vt_agent_resolve(agent, want, strlen(want), NULL, &err);
        return vt_error_set(-ENOTSUP, "blocking calls are not possible on a %s connection",
                            agent->conn->ops->name);
    }
    int64_t deadline = vt_time_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    agent->blocking++;
    while (vt_map_get(agent->pending, want)) {
        int64_t left = deadline - vt_time_monotonic_ms();
        if (left <= 0) {
            vt_vip_error err = {
                .errnum = ETIMEDOUT, .text = "timed out", .peer = "", .subsystem = ""};
            vt_agent_resolve(agent, want, strlen(want), NULL, &err);
            break;
        }
        vt_message *msg = NULL;
        int rc = agent->conn->ops->recv(agent->conn, (int)left, &msg);
        if (rc == -ETIMEDOUT)
            continue;
        if (rc < 0) {
            vt_vip_error err = {
                .errnum = -rc, .text = "connection failed", .peer = "", .subsystem = ""};
            vt_agent_resolve(agent, want, strlen(want), NULL, &err);
            break;
        }
        if (vt_message_eq(msg, VT_VIP_ID, want)) {
            dispatch(agent, msg);
            vt_message_destroy(&msg);
        } else {
            backlog_push(agent, msg);
        }
    }
    agent->blocking--;
    if (agent->backlog_head && !agent->blocking)
        vt_loop_defer(agent->loop, drain_deferred, agent);
    return 0;
}

/* ---- sending ---- */

int vt_agent_send(vt_agent *agent, const char *peer, const char *subsystem, const char *msg_id,
                  vt_message *args)
{
    vt_message *m = vt_message_new();
    vt_message_append_str(m, peer ? peer : "");
    vt_message_append(m, "VIP1", 4);
    vt_message_append(m, "", 0);
    vt_message_append_str(m, msg_id ? msg_id : "");
    vt_message_append_str(m, subsystem);
    if (args) {
        for (size_t i = 0; i < args->n; i++) {
            zmq_msg_t *f = vt_message_push(m);
            zmq_msg_init(f);
            zmq_msg_move(f, &args->frames[i]);
        }
        vt_message_destroy(&args);
    }
    if (!agent->conn)
        return vt_error_set(-ENOTCONN, "%s: no connection", agent->identity);
    return agent->conn->ops->send(agent->conn, m);
}

/* ---- connection life ---- */

static void hello_timeout(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    vt_agent *agent = ctx;
    agent->hello_timer = NULL;
    if (!agent->fail_fast && agent->hello_retries < HELLO_RETRIES &&
        vt_conn_zmq_reconnect(agent->conn)) {
        agent->hello_retries++;
        vt_log_warning(VT_LOG_SRC(agent),
                       "no welcome from the platform at %s within %d s (another connection may "
                       "still hold the identity \"%s\"): connecting again (%u of %d)",
                       agent->address, HELLO_TIMEOUT_MS / 1000, agent->identity,
                       agent->hello_retries, HELLO_RETRIES);
        return;
    }
    vt_log_error(VT_LOG_SRC(agent),
                 "no welcome from the platform at %s within %d s: another agent may hold the "
                 "identity \"%s\", or this agent's key is not authorized",
                 agent->address, HELLO_TIMEOUT_MS / 1000, agent->identity);
    vt_agent_stop(agent, 1);
}

void vt_agent_transport_up(vt_agent *agent)
{
    if (agent->stopped)
        return;
    agent->state = VT_AGENT_HELLO;
    if (agent->hello_timer)
        vt_timer_cancel(agent->loop, agent->hello_timer);
    agent->hello_timer = vt_loop_after(agent->loop, HELLO_TIMEOUT_MS, hello_timeout, agent);
    vt_hello_say(agent);
}

void vt_agent_transport_down(vt_agent *agent)
{
    if (agent->state == VT_AGENT_CONNECTED)
        vt_log_warning(VT_LOG_SRC(agent), "lost the connection to the platform; reconnecting");
    agent->state = VT_AGENT_OPENING;
    if (agent->hello_timer) {
        vt_timer_cancel(agent->loop, agent->hello_timer);
        agent->hello_timer = NULL;
    }
    vt_agent_hooks_run(agent, agent->on_disconnect);
    fail_all_pending(agent, ENOTCONN, "disconnected from the platform");
}

void vt_agent_transport_failed(vt_agent *agent, const char *why)
{
    vt_log_error(VT_LOG_SRC(agent), "%s", why);
    vt_error_set(-ECONNREFUSED, "%s", why);
    vt_agent_stop(agent, 1);
}

void vt_agent_welcomed(vt_agent *agent)
{
    if (agent->hello_timer) {
        vt_timer_cancel(agent->loop, agent->hello_timer);
        agent->hello_timer = NULL;
    }
    agent->state = VT_AGENT_CONNECTED;
    agent->hello_retries = 0;
    vt_log_info(VT_LOG_SRC(agent), "connected to the platform at %s", agent->address);
    vt_agent_hooks_run(agent, agent->on_connect);
    if (!agent->started) {
        agent->started = true;
        vt_agent_hooks_run(agent, agent->on_start);
    }
}

int vt_agent_start(vt_agent *agent)
{
    if (agent->state != VT_AGENT_IDLE)
        return 0;
    agent->state = VT_AGENT_OPENING;
    int rc = agent->conn->ops->open(agent->conn);
    if (rc < 0)
        agent->state = VT_AGENT_IDLE;
    return rc;
}

void vt_agent_stop(vt_agent *agent, int exit_code)
{
    if (agent->stopped)
        return;
    agent->stopped = true;
    agent->exit_code = exit_code;
    if (agent->hello_timer) {
        vt_timer_cancel(agent->loop, agent->hello_timer);
        agent->hello_timer = NULL;
    }
    vt_agent_hooks_run(agent, agent->on_stop);
    if (agent->state == VT_AGENT_CONNECTED) {
        /* Tell the router we are leaving, as VOLTTRON agents do. */
        vt_message *args = vt_message_new();
        vt_message_append_str(args, agent->identity);
        vt_agent_send(agent, "", "agentstop", "", args);
    }
    agent->state = VT_AGENT_IDLE;
    fail_all_pending(agent, ECANCELED, "agent stopping");
    if (agent->own_loop)
        vt_loop_stop(agent->loop);
}

int vt_agent_run(vt_agent *agent)
{
    int rc = vt_agent_start(agent);
    if (rc < 0) {
        vt_log_error(VT_LOG_SRC(agent), "%s", vt_last_error());
        return 1;
    }
    if (agent->signals)
        vt_loop_stop_on_signals(agent->loop);
    rc = vt_loop_run(agent->loop);
    if (rc < 0)
        vt_log_error(VT_LOG_SRC(agent), "%s", vt_last_error());
    vt_agent_stop(agent, rc < 0 ? 1 : 0); /* after a signal: the orderly part */
    return agent->exit_code;
}

/* ---- construction ---- */

vt_agent *vt_agent_new_with_conn(const vt_agent_options *opts, vt_conn *conn)
{
    vt_agent_options none = {0};
    if (!opts)
        opts = &none;
    vt_agent *agent = vt_calloc(1, sizeof *agent);
    agent->subsystems = vt_map_new(free);
    agent->pending = vt_map_new(pending_free);
    agent->exit_code = 0;
    if (vt_agent_configure(agent, opts) < 0) {
        char why[1024];
        snprintf(why, sizeof why, "%s", vt_last_error());
        if (conn && conn->ops->close)
            conn->ops->close(conn);
        free(conn);
        vt_agent_destroy(&agent);
        vt_error_set(-EINVAL, "%s", why);
        return NULL;
    }
    if (opts->loop) {
        agent->loop = opts->loop;
    } else {
        agent->loop = vt_loop_new();
        agent->own_loop = true;
    }
    agent->signals = agent->own_loop && !opts->no_signals;

    vt_hello_init(agent);
    vt_ping_init(agent);
    vt_error_init(agent);
    vt_peerlist_init(agent);
    vt_query_init(agent);
    vt_rpc_init(agent);
    vt_pubsub_init(agent);
    vt_health_init(agent);
    vt_configstore_init(agent, !opts->no_config_store);
    vt_channel_init(agent);
    vt_auth_init(agent,
                 opts->enforce_capabilities == 0 ? agent->auth : opts->enforce_capabilities > 0);

    agent->conn = conn ? conn : vt_conn_zmq_new(agent);
    agent->conn->agent = agent;
    return agent;
}

vt_agent *vt_agent_new(const vt_agent_options *opts)
{
    return vt_agent_new_with_conn(opts, NULL);
}

void vt_agent_destroy(vt_agent **ap)
{
    if (!ap || !*ap)
        return;
    vt_agent *agent = *ap;
    if (agent->loop && agent->state != VT_AGENT_IDLE)
        vt_agent_stop(agent, agent->exit_code);
    if (agent->conn) {
        agent->conn->ops->close(agent->conn);
        free(agent->conn);
    }
    if (agent->loop) {
        vt_auth_fini(agent);
        vt_channel_fini(agent);
        vt_configstore_fini(agent);
        vt_health_fini(agent);
        vt_pubsub_fini(agent);
        vt_rpc_fini(agent);
        vt_peerlist_fini(agent);
    }
    if (agent->hello_timer)
        vt_timer_cancel(agent->loop, agent->hello_timer);
    vt_map_destroy(&agent->pending);
    vt_map_destroy(&agent->subsystems);
    while (agent->backlog_head) {
        vt_message *next = agent->backlog_head->next;
        vt_message_destroy(&agent->backlog_head);
        agent->backlog_head = next;
    }
    hooks_free(&agent->on_start);
    hooks_free(&agent->on_stop);
    hooks_free(&agent->on_connect);
    hooks_free(&agent->on_disconnect);
    if (agent->own_loop)
        vt_loop_destroy(&agent->loop);
    cJSON_Delete(agent->config);
    free(agent->identity);
    free(agent->home);
    free(agent->address);
    free(agent->version);
    free(agent->data_dir);
    free(agent);
    *ap = NULL;
}

/* ---- properties ---- */

const char *vt_agent_identity(const vt_agent *agent)
{
    return agent->identity;
}

const char *vt_agent_home(const vt_agent *agent)
{
    return agent->home;
}

const char *vt_agent_address(const vt_agent *agent)
{
    return agent->address;
}

vt_loop *vt_agent_loop(vt_agent *agent)
{
    return agent->loop;
}

bool vt_agent_connected(const vt_agent *agent)
{
    return agent->state == VT_AGENT_CONNECTED;
}

const char *vt_agent_publickey(const vt_agent *agent)
{
    return agent->auth ? agent->keys.public_key : "";
}

const cJSON *vt_agent_config(const vt_agent *agent)
{
    return agent->config;
}

const char *vt_agent_data_dir(vt_agent *agent)
{
    if (!agent->data_dir) {
        const char *env = getenv("AGENT_DATA_DIR");
        agent->data_dir = env && *env
                              ? vt_strdup(env)
                              : vt_asprintf("%s/agents/%s/data", agent->home, agent->identity);
    }
    if (vt_fs_mkdir_p(agent->data_dir, 0750) < 0)
        return NULL;
    return agent->data_dir;
}

/* ---- agent-level timers ---- */

typedef struct agent_timer {
    vt_agent *agent;
    vt_agent_timer_fn fn;
    void *ctx;
} agent_timer;

static void agent_timer_fire(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    agent_timer *at = ctx;
    at->fn(at->agent, at->ctx);
}

static vt_timer *agent_timer_add(vt_agent *agent, int64_t delay, int64_t period,
                                 vt_agent_timer_fn fn, void *ctx)
{
    agent_timer *at = vt_malloc(sizeof *at);
    at->agent = agent;
    at->fn = fn;
    at->ctx = ctx;
    return vt_loop_timer(agent->loop, delay, period, agent_timer_fire, at, free);
}

vt_timer *vt_agent_after(vt_agent *agent, int64_t delay_ms, vt_agent_timer_fn fn, void *ctx)
{
    return agent_timer_add(agent, delay_ms, 0, fn, ctx);
}

vt_timer *vt_agent_every(vt_agent *agent, int64_t period_ms, vt_agent_timer_fn fn, void *ctx)
{
    return agent_timer_add(agent, period_ms, period_ms > 0 ? period_ms : 1, fn, ctx);
}

vt_timer *vt_agent_every_now(vt_agent *agent, int64_t period_ms, vt_agent_timer_fn fn, void *ctx)
{
    return agent_timer_add(agent, 0, period_ms > 0 ? period_ms : 1, fn, ctx);
}

void vt_agent_cancel(vt_agent *agent, vt_timer *timer)
{
    vt_timer_cancel(agent->loop, timer);
}
