/* The ZeroMQ connection: a DEALER socket to the platform's ROUTER, with a
 * socket monitor telling the agent when the transport comes and goes (so it
 * says hello again after a platform restart). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include <volttron/client/address.h>
#include <volttron/client/conn.h>
#include <volttron/utils/encoding.h>
#include <volttron/utils/error.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/time.h>

#include "agent_private.h"

/* VOLTTRON's queue limits and keepalive settings. */
#define VIP_HWM 6000
/* Messages handled per wakeup before yielding to timers and other sockets. */
#define READ_BATCH 256
/* A full queue to the platform holds a sender back this long (back-pressure
 * rather than loss) before the send fails with EAGAIN. */
#define SEND_TIMEOUT_MS 2000

typedef struct zconn {
    vt_message *rx; /* reused for every message read */
    void *sock;
    void *monitor;
    char monitor_ep[96];
    bool up;
    bool auth_warned;
} zconn;

/* ---- the shared context ---- */

static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static void *zctx;
static int zctx_users;

void *vt_zmq_context_acquire(void)
{
    pthread_mutex_lock(&ctx_lock);
    /* libzmq's default limit (1023 sockets) holds about 300 agents in one
     * process (each a DEALER and a monitor pair); raising it would cost every
     * process some 180 kB of slot tables whether it uses them or not. */
    if (!zctx)
        zctx = zmq_ctx_new();
    zctx_users++;
    void *c = zctx;
    pthread_mutex_unlock(&ctx_lock);
    return c;
}

void vt_zmq_context_release(void)
{
    pthread_mutex_lock(&ctx_lock);
    if (--zctx_users == 0) {
        zmq_ctx_term(zctx);
        zctx = NULL;
    }
    pthread_mutex_unlock(&ctx_lock);
}

/* ---- receiving ---- */

/* Receive one whole multipart message into m (emptied first) without
 * waiting: 0, -EAGAIN, or another negative errno. */
static int recv_into(void *sock, vt_message *m)
{
    vt_message_reset(m);
    for (;;) {
        zmq_msg_t *f = vt_message_push(m);
        zmq_msg_init(f);
        if (zmq_msg_recv(f, sock, ZMQ_DONTWAIT) < 0) {
            int e = errno;
            zmq_msg_close(f);
            vt_message_pop(m);
            vt_message_reset(m);
            return -e;
        }
        if (!zmq_msg_more(f))
            return 0;
    }
}

/* The same into a new message the caller owns. */
static int recv_message(void *sock, vt_message **out)
{
    vt_message *m = vt_message_new();
    int rc = recv_into(sock, m);
    if (rc < 0)
        vt_message_destroy(&m);
    else
        *out = m;
    return rc;
}

static void on_readable(vt_loop *loop, void *sock, unsigned events, void *ctx)
{
    (void)loop;
    (void)events;
    vt_conn *conn = ctx;
    zconn *z = conn->impl;
    for (int i = 0; i < READ_BATCH; i++) {
        if (recv_into(sock, z->rx) < 0)
            return;
        vt_agent_deliver_borrowed(conn->agent, z->rx);
        if (!conn->impl) /* the agent closed us from a handler */
            return;
    }
}

static int zconn_recv(vt_conn *conn, int timeout_ms, vt_message **out)
{
    zconn *z = conn->impl;
    int64_t deadline = vt_time_monotonic_ms() + timeout_ms;
    for (;;) {
        int rc = recv_message(z->sock, out);
        if (rc != -EAGAIN)
            return rc;
        int64_t left = deadline - vt_time_monotonic_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        zmq_pollitem_t item = {.socket = z->sock, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, (long)left) < 0 && errno != EINTR)
            return -errno;
    }
}

/* ---- transport events ---- */

static void on_monitor(vt_loop *loop, void *mon, unsigned events, void *ctx)
{
    (void)loop;
    (void)events;
    vt_conn *conn = ctx;
    zconn *z = conn->impl;
    vt_agent *agent = conn->agent;
    for (;;) {
        vt_message *m;
        if (recv_message(mon, &m) < 0)
            return;
        size_t len;
        const uint8_t *d = vt_message_data(m, 0, &len);
        if (len < 6) {
            vt_message_destroy(&m);
            continue;
        }
        uint16_t event = (uint16_t)(d[0] | d[1] << 8);
        uint32_t value =
            (uint32_t)d[2] | (uint32_t)d[3] << 8 | (uint32_t)d[4] << 16 | (uint32_t)d[5] << 24;
        vt_message_destroy(&m);
        switch (event) {
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
            z->up = true;
            z->auth_warned = false;
            vt_agent_transport_up(agent);
            break;
        case ZMQ_EVENT_DISCONNECTED:
            if (z->up) {
                z->up = false;
                vt_agent_transport_down(agent);
            }
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: {
            char why[512];
            snprintf(why, sizeof why,
                     "the platform at %s refused the connection (%s%u): is this agent's "
                     "public key %s in its auth.json, and is the server key right?",
                     agent->address,
                     event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? "ZAP status " : "handshake error ",
                     value, agent->auth ? agent->keys.public_key : "(none, no CURVE)");
            if (agent->fail_fast) {
                vt_agent_transport_failed(agent, why);
                return;
            }
            if (!z->auth_warned)
                vt_log_error(VT_LOG_SRC(agent), "%s", why);
            z->auth_warned = true;
            break;
        }
        case ZMQ_EVENT_CONNECT_RETRIED:
            if (agent->fail_fast && !z->up) {
                char why[512];
                snprintf(why, sizeof why,
                         "cannot connect to the platform at %s: is volttron running?",
                         agent->address);
                vt_agent_transport_failed(agent, why);
                return;
            }
            break;
        default:
            break;
        }
    }
}

/* ---- opening and sending ---- */

static int set_key(void *sock, int option, const char *text)
{
    uint8_t raw[32];
    if (vt_key_decode(text, raw) < 0)
        return -EINVAL;
    return zmq_setsockopt(sock, option, raw, sizeof raw);
}

static int zconn_open(vt_conn *conn)
{
    zconn *z = conn->impl;
    vt_agent *agent = conn->agent;
    vt_address addr;
    int rc = vt_address_parse(agent->address, &addr);
    if (rc < 0)
        return rc;

    z->sock = zmq_socket(vt_zmq_context_acquire(), ZMQ_DEALER);
    int hwm = VIP_HWM, one = 1, linger = 1000, ivl = 100, ivl_max = 5000;
    int keepalive = 1, idle = 180, intvl = 20, cnt = 6;
    int hb_ivl = 10000, hb_timeout = 30000;
    zmq_setsockopt(z->sock, ZMQ_ROUTING_ID, agent->identity, strlen(agent->identity));
    zmq_setsockopt(z->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(z->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(z->sock, ZMQ_IMMEDIATE, &one, sizeof one);
    zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof linger);
    int sndtimeo = SEND_TIMEOUT_MS;
    zmq_setsockopt(z->sock, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo);
    zmq_setsockopt(z->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(z->sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
    zmq_setsockopt(z->sock, ZMQ_TCP_KEEPALIVE, &keepalive, sizeof keepalive);
    zmq_setsockopt(z->sock, ZMQ_TCP_KEEPALIVE_IDLE, &idle, sizeof idle);
    zmq_setsockopt(z->sock, ZMQ_TCP_KEEPALIVE_INTVL, &intvl, sizeof intvl);
    zmq_setsockopt(z->sock, ZMQ_TCP_KEEPALIVE_CNT, &cnt, sizeof cnt);
    /* ZMTP heartbeats notice a platform that vanished without closing TCP. */
    zmq_setsockopt(z->sock, ZMQ_HEARTBEAT_IVL, &hb_ivl, sizeof hb_ivl);
    zmq_setsockopt(z->sock, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof hb_timeout);
    if (agent->auth) {
        if (set_key(z->sock, ZMQ_CURVE_SERVERKEY, agent->serverkey) < 0 ||
            set_key(z->sock, ZMQ_CURVE_PUBLICKEY, agent->keys.public_key) < 0 ||
            set_key(z->sock, ZMQ_CURVE_SECRETKEY, agent->keys.secret_key) < 0) {
            vt_address_clear(&addr);
            return vt_error_set(-EINVAL, "cannot set CURVE keys: %s", zmq_strerror(errno));
        }
    }

    snprintf(z->monitor_ep, sizeof z->monitor_ep, "inproc://vt-monitor-%p", (void *)z);
    zmq_socket_monitor(z->sock, z->monitor_ep,
                       ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED |
                           ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                           ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_CONNECT_RETRIED);
    z->monitor = zmq_socket(vt_zmq_context_acquire(), ZMQ_PAIR);
    zmq_connect(z->monitor, z->monitor_ep);

    rc = zmq_connect(z->sock, addr.endpoint);
    if (rc < 0) {
        rc = vt_error_set(-errno, "cannot connect to %s: %s", addr.endpoint, zmq_strerror(errno));
        vt_address_clear(&addr);
        return rc;
    }
    vt_address_clear(&addr);
    vt_loop_add_zsock(agent->loop, z->monitor, VT_LOOP_READ, on_monitor, conn);
    vt_loop_add_zsock(agent->loop, z->sock, VT_LOOP_READ, on_readable, conn);
    return 0;
}

static int zconn_send(vt_conn *conn, vt_message *m)
{
    zconn *z = conn->impl;
    int rc = 0;
    if (!z->sock) {
        vt_message_destroy(&m);
        return vt_error_set(-ENOTCONN, "not connected to the platform");
    }
    /* Connected: wait for queue space (bounded by SNDTIMEO). Not connected:
     * fail at once rather than stall the loop. */
    int wait = z->up ? 0 : ZMQ_DONTWAIT;
    for (size_t i = 0; i < m->n; i++) {
        int flags = wait | (i + 1 < m->n ? ZMQ_SNDMORE : 0);
        if (zmq_msg_send(&m->frames[i], z->sock, flags) < 0) {
            /* Only the first frame can fail: later frames of a started
             * message always go through. */
            rc = errno == EAGAIN ? -EAGAIN : -errno;
            break;
        }
    }
    vt_message_destroy(&m);
    if (rc == -EAGAIN)
        return vt_error_set(rc, "%s",
                            z->up ? "send queue to the platform is full"
                                  : "not connected to the platform");
    if (rc < 0)
        return vt_error_set(rc, "send failed: %s", zmq_strerror(-rc));
    return 0;
}

static void zconn_close(vt_conn *conn)
{
    zconn *z = conn->impl;
    if (!z)
        return;
    vt_agent *agent = conn->agent;
    if (z->sock) {
        vt_loop_remove_zsock(agent->loop, z->sock);
        zmq_socket_monitor(z->sock, NULL, 0);
        zmq_close(z->sock);
        vt_zmq_context_release();
    }
    if (z->monitor) {
        vt_loop_remove_zsock(agent->loop, z->monitor);
        zmq_close(z->monitor);
        vt_zmq_context_release();
    }
    vt_message_destroy(&z->rx);
    free(z);
    conn->impl = NULL;
}

static const vt_conn_ops zconn_ops;

/* A new connection replaces the old one: the platform sees the old one
 * close and the new one handshake. */
bool vt_conn_zmq_reconnect(vt_conn *conn)
{
    if (conn->ops != &zconn_ops)
        return false;
    zconn *z = conn->impl;
    vt_address addr;
    if (!z || !z->sock || vt_address_parse(conn->agent->address, &addr) < 0)
        return false;
    zmq_disconnect(z->sock, addr.endpoint);
    if (zmq_connect(z->sock, addr.endpoint) < 0)
        vt_log_error(VT_LOG_SRC(conn->agent), "cannot connect to %s again: %s", addr.endpoint,
                     zmq_strerror(errno));
    vt_address_clear(&addr);
    return true;
}

static const vt_conn_ops zconn_ops = {
    .name = "zmq",
    .open = zconn_open,
    .send = zconn_send,
    .recv = zconn_recv,
    .close = zconn_close,
};

vt_conn *vt_conn_zmq_new(vt_agent *agent)
{
    vt_conn *conn = vt_calloc(1, sizeof *conn);
    conn->ops = &zconn_ops;
    conn->agent = agent;
    zconn *z = vt_calloc(1, sizeof *z);
    z->rx = vt_message_new();
    conn->impl = z;
    return conn;
}
