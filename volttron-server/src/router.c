#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/address.h>
#include <volttron/client/conn.h>
#include <volttron/utils/buf.h>
#include <volttron/utils/encoding.h>
#include <volttron/utils/error.h>
#include <volttron/utils/json.h>
#include <volttron/utils/log.h>
#include <volttron/utils/map.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/time.h>
#include <volttron/utils/uuid.h>

#include "router.h"

#define LOG "volttron.router"
#define VIP_HWM 6000
/* Messages handled per wakeup before timers and other sockets get a turn. */
#define READ_BATCH 1000
/* After a transport disconnect, check which peers are gone (twice: libzmq
 * may still be tearing the pipe down at the first look). */
#define SWEEP_FIRST_MS 200
#define SWEEP_AGAIN_MS 2000

typedef struct service {
    vt_agent *agent;
    void (*fini)(void *ctx);
    void *ctx;
} service;

typedef struct svc_item {
    vt_agent *agent;
    vt_message *msg;
    struct svc_item *next;
} svc_item;

struct vt_router {
    vt_loop *loop;
    void *zctx;
    void *sock;
    void *monitor;
    char monitor_ep[64];
    vt_zap *zap;
    vt_map *peers;               /* identity -> vt_peer */
    char id[VT_UUID_SIZE];       /* our routing id, sent in welcome */
    vt_pubsub_svc *pubsub;

    char *home, *instance_name, *local_address, *serverkey, *addresses_json;
    bool auth;
    char *platform_version, *vc_address, *vc_serverkey, *web_address;
    int agent_monitor_frequency;
    size_t max_message_size;

    service *services;
    size_t nservices;
    svc_item *qhead, *qtail;
    bool qscheduled;

    void (*quit_fn)(void *);
    void *quit_ctx;

    vt_timer *sweep_timer;
    int sweeps_left;
    int *suspect_fds;            /* connections that closed, to check */
    size_t nsuspects;

    int64_t warn_last_ms;
    unsigned warn_suppressed;

    zmq_msg_t in[VT_ROUTER_MAX_FRAMES];
};

static void handle(vt_router *r, zmq_msg_t *f, size_t n, size_t bytes, int fd,
                   bool from_socket);

/* ---- small helpers ---- */

void vt_router_warn(vt_router *r, const char *fmt, ...)
{
    int64_t now = vt_time_monotonic_ms();
    if (now - r->warn_last_ms < 1000) {
        r->warn_suppressed++;
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->warn_suppressed)
        vt_log_warning(LOG, "%s (and %u similar in the last second)", msg, r->warn_suppressed);
    else
        vt_log_warning(LOG, "%s", msg);
    r->warn_last_ms = now;
    r->warn_suppressed = 0;
}

static bool frame_is(zmq_msg_t *f, const char *s)
{
    size_t len = strlen(s);
    return zmq_msg_size(f) == len && memcmp(zmq_msg_data(f), s, len) == 0;
}

/* Printable form of a frame for log lines. */
static const char *show(zmq_msg_t *f, char *buf, size_t size)
{
    size_t len = zmq_msg_size(f);
    const unsigned char *d = zmq_msg_data(f);
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < size; i++) {
        if (d[i] >= 0x20 && d[i] < 0x7f)
            buf[o++] = (char)d[i];
        else
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", d[i]);
    }
    buf[o] = '\0';
    return buf;
}

void vt_out_init(vt_out *o)
{
    o->n = 0;
}

void vt_out_close(vt_out *o)
{
    for (size_t i = 0; i < o->n; i++)
        zmq_msg_close(&o->f[i]);
    o->n = 0;
}

void vt_out_bytes(vt_out *o, const void *data, size_t len)
{
    zmq_msg_t *m = &o->f[o->n++];
    zmq_msg_init_size(m, len);
    if (len)
        memcpy(zmq_msg_data(m), data, len);
}

void vt_out_str(vt_out *o, const char *s)
{
    vt_out_bytes(o, s, strlen(s));
}

void vt_out_copy(vt_out *o, zmq_msg_t *src)
{
    zmq_msg_t *m = &o->f[o->n++];
    zmq_msg_init(m);
    zmq_msg_copy(m, src);
}

void vt_out_header(vt_out *o, const void *user, size_t ulen, zmq_msg_t *id,
                   const char *subsystem)
{
    vt_out_bytes(o, "", 0);
    vt_out_bytes(o, "VIP1", 4);
    vt_out_bytes(o, user, ulen);
    vt_out_copy(o, id);
    vt_out_str(o, subsystem);
}

/* ---- in-process services ---- */

static void drain_services(vt_loop *loop, void *ctx)
{
    (void)loop;
    vt_router *r = ctx;
    r->qscheduled = false;
    while (r->qhead) {
        svc_item *it = r->qhead;
        r->qhead = it->next;
        if (!r->qhead)
            r->qtail = NULL;
        vt_agent_deliver(it->agent, it->msg); /* takes the message */
        free(it);
    }
}

static void enqueue_service(vt_router *r, vt_agent *agent, vt_out *o)
{
    vt_message *msg = vt_message_new();
    for (size_t i = 0; i < o->n; i++)
        vt_message_append_zmsg(msg, &o->f[i]);
    vt_out_close(o);
    svc_item *it = vt_malloc(sizeof *it);
    it->agent = agent;
    it->msg = msg;
    it->next = NULL;
    if (r->qtail)
        r->qtail->next = it;
    else
        r->qhead = it;
    r->qtail = it;
    if (!r->qscheduled) {
        r->qscheduled = true;
        vt_loop_defer(r->loop, drain_services, r);
    }
}

int vt_router_send(vt_router *r, const void *to, size_t tolen, vt_out *o)
{
    return vt_router_send_peer(r, vt_map_getn(r->peers, to, tolen), to, tolen, o);
}

int vt_router_send_peer(vt_router *r, vt_peer *p, const void *to, size_t tolen, vt_out *o)
{
    if (p && p->service) {
        enqueue_service(r, p->service, o);
        return 0;
    }
    zmq_msg_t rid;
    zmq_msg_init_size(&rid, tolen);
    memcpy(zmq_msg_data(&rid), to, tolen);
    if (zmq_msg_send(&rid, r->sock, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        int e = errno;
        zmq_msg_close(&rid);
        return -e; /* o untouched: the caller may still read it */
    }
    for (size_t i = 0; i < o->n; i++) {
        int flags = ZMQ_DONTWAIT | (i + 1 < o->n ? ZMQ_SNDMORE : 0);
        if (zmq_msg_send(&o->f[i], r->sock, flags) < 0)
            zmq_msg_close(&o->f[i]); /* cannot happen once the first frame is in */
    }
    o->n = 0;
    return 0;
}

/* A message the router sends on its own: no user, no message id. */
static void router_notice(vt_out *o, const char *subsystem)
{
    vt_out_init(o);
    vt_out_bytes(o, "", 0);
    vt_out_bytes(o, "VIP1", 4);
    vt_out_bytes(o, "", 0);
    vt_out_bytes(o, "", 0);
    vt_out_str(o, subsystem);
}

/* ---- peers ---- */

vt_peer *vt_router_peer(vt_router *r, const void *identity, size_t len)
{
    return vt_map_getn(r->peers, identity, len);
}

size_t vt_router_peer_count(const vt_router *r)
{
    return vt_map_size(r->peers);
}

static void peer_free(void *p)
{
    vt_peer *peer = p;
    free(peer->sender_json);
    free(peer->identity);
    free(peer);
}

/* Tell every current peer that identity was added or dropped; collect the
 * ones that turn out to be gone into *gone (a NULL-separated list). */
static void notify_peers(vt_router *r, const char *op, const char *identity, vt_buf *gone)
{
    size_t cursor = 0;
    const char *key;
    void *val;
    while (vt_map_next(r->peers, &cursor, &key, &val)) {
        vt_peer *p = val;
        vt_out o;
        router_notice(&o, "peerlist");
        vt_out_str(&o, op);
        vt_out_str(&o, identity);
        int rc = vt_router_send(r, p->identity, p->len, &o);
        vt_out_close(&o);
        if (rc == -EHOSTUNREACH)
            vt_buf_append(gone, p->identity, p->len + 1);
    }
}

static void drop_all(vt_router *r, vt_buf *gone);

void vt_router_drop_peer(vt_router *r, const char *identity)
{
    vt_buf gone;
    vt_buf_init(&gone);
    vt_buf_append(&gone, identity, strlen(identity) + 1);
    drop_all(r, &gone);
    vt_buf_free(&gone);
}

/* Drop every identity listed in gone; notifying may uncover more. */
static void drop_all(vt_router *r, vt_buf *gone)
{
    size_t pos = 0;
    while (pos < gone->len) {
        char *identity = vt_strdup(gone->data + pos);
        pos += strlen(identity) + 1;
        vt_peer *p = vt_map_take(r->peers, identity);
        if (p && !p->service) {
            vt_log_info(LOG, "peer %s dropped", identity);
            vt_pubsub_svc_drop(r->pubsub, p);
            peer_free(p);
            notify_peers(r, "drop", identity, gone);
        } else if (p) {
            vt_map_set(r->peers, identity, p); /* services never leave */
        }
        free(identity);
    }
}

/* The peer for a sender, registered (with "peerlist add" to the others
 * first, as VOLTTRON does) if new. */
static vt_peer *touch_peer(vt_router *r, zmq_msg_t *id, int fd)
{
    const char *data = zmq_msg_data(id);
    size_t len = zmq_msg_size(id);
    vt_peer *p = vt_map_getn(r->peers, data, len);
    if (p) {
        if (fd >= 0 || p->fd < 0)
            p->fd = fd;
        return p;
    }
    p = vt_calloc(1, sizeof *p);
    p->fd = fd;
    p->identity = vt_strndup(data, len);
    p->len = len;
    p->connected_us = vt_time_now_us();
    vt_buf gone;
    vt_buf_init(&gone);
    notify_peers(r, "add", p->identity, &gone);
    vt_map_setn(r->peers, data, len, p);
    char buf[128];
    vt_log_info(LOG, "peer %s connected", show(id, buf, sizeof buf));
    drop_all(r, &gone);
    vt_buf_free(&gone);
    return vt_map_getn(r->peers, data, len);
}

/* Drop the peer named by frame id, if it is one (a send to it failed). */
static void drop_if_peer(vt_router *r, zmq_msg_t *id)
{
    vt_peer *p = vt_map_getn(r->peers, zmq_msg_data(id), zmq_msg_size(id));
    if (p) {
        char *who = vt_strdup(p->identity);
        vt_router_drop_peer(r, who);
        free(who);
    }
}

/* ---- router-generated replies ---- */

/* Reply to the sender of f (R-format) with subsystem and args. */
static void reply(vt_router *r, zmq_msg_t *f, bool user_is_sender, const char *subsystem,
                  vt_out *o_args)
{
    vt_out o;
    vt_out_init(&o);
    if (user_is_sender)
        vt_out_header(&o, zmq_msg_data(&f[0]), zmq_msg_size(&f[0]), &f[4], subsystem);
    else
        vt_out_header(&o, "", 0, &f[4], subsystem);
    for (size_t i = 0; i < o_args->n; i++) {
        zmq_msg_init(&o.f[o.n]);
        zmq_msg_move(&o.f[o.n++], &o_args->f[i]);
    }
    vt_out_close(o_args);
    int rc = vt_router_send(r, zmq_msg_data(&f[0]), zmq_msg_size(&f[0]), &o);
    vt_out_close(&o);
    if (rc == -EHOSTUNREACH)
        drop_if_peer(r, &f[0]);
}

/* A router error: errno as ASCII, its text, the intended recipient, the
 * original subsystem. */
void vt_router_error(vt_router *r, zmq_msg_t *f, bool user_is_sender, int errnum,
                     const char *text, const void *recipient, size_t rlen,
                     const void *subsystem, size_t slen)
{
    vt_out a;
    vt_out_init(&a);
    char num[16];
    snprintf(num, sizeof num, "%d", errnum);
    vt_out_str(&a, num);
    vt_out_str(&a, text);
    vt_out_bytes(&a, recipient, rlen);
    vt_out_bytes(&a, subsystem, slen);
    reply(r, f, user_is_sender, "error", &a);
}

static void send_error(vt_router *r, zmq_msg_t *f, bool user_is_sender, int errnum,
                       const char *text, zmq_msg_t *recipient, zmq_msg_t *subsystem)
{
    vt_router_error(r, f, user_is_sender, errnum, text,
                    recipient ? zmq_msg_data(recipient) : "",
                    recipient ? zmq_msg_size(recipient) : 0, zmq_msg_data(subsystem),
                    zmq_msg_size(subsystem));
}

static char *query_value(vt_router *r, zmq_msg_t *prop)
{
    if (frame_is(prop, "serverkey"))
        return r->serverkey ? vt_strdup(r->serverkey) : NULL;
    if (frame_is(prop, "instance-name"))
        return vt_strdup(r->instance_name);
    if (frame_is(prop, "addresses"))
        return vt_strdup(r->addresses_json);
    if (frame_is(prop, "local_address"))
        return vt_strdup(r->local_address);
    if (frame_is(prop, "platform-version"))
        return vt_strdup(r->platform_version);
    if (frame_is(prop, "message-bus"))
        return vt_strdup("zmq");
    if (frame_is(prop, "volttron-home"))
        return vt_strdup(r->home);
    if (frame_is(prop, "agent-monitor-frequency"))
        return vt_asprintf("%d", r->agent_monitor_frequency);
    if (frame_is(prop, "volttron-central-address"))
        return r->vc_address ? vt_strdup(r->vc_address) : NULL;
    if (frame_is(prop, "volttron-central-serverkey"))
        return r->vc_serverkey ? vt_strdup(r->vc_serverkey) : NULL;
    if (frame_is(prop, "bind-web-address"))
        return r->web_address ? vt_strdup(r->web_address) : NULL;
    return NULL;
}

static void handle_peerlist(vt_router *r, zmq_msg_t *f, size_t n)
{
    vt_out a;
    vt_out_init(&a);
    if (n < 7) {
        vt_out_str(&a, "error");
        vt_out_str(&a, "missing operation");
    } else if (frame_is(&f[6], "list")) {
        vt_out_str(&a, "listing");
        size_t cursor = 0;
        void *val;
        while (vt_map_next(r->peers, &cursor, NULL, &val) && a.n < VT_ROUTER_MAX_FRAMES - 6) {
            vt_peer *p = val;
            vt_out_bytes(&a, p->identity, p->len);
        }
    } else {
        vt_out_str(&a, "error");
        vt_out_str(&a, "unknown operation");
    }
    reply(r, f, false, "peerlist", &a);
}

static void handle_router(vt_router *r, vt_peer *peer, zmq_msg_t *f, size_t n)
{
    zmq_msg_t *sub = &f[5];
    vt_out a;
    vt_out_init(&a);
    if (frame_is(sub, "hello")) {
        vt_out_str(&a, "welcome");
        vt_out_str(&a, "1.0");
        vt_out_str(&a, r->id);
        vt_out_copy(&a, &f[0]);
        reply(r, f, true, "hello", &a);
    } else if (frame_is(sub, "ping")) {
        vt_out_str(&a, "pong");
        for (size_t i = 7; i < n; i++)
            vt_out_copy(&a, &f[i]);
        reply(r, f, true, "ping", &a);
    } else if (frame_is(sub, "peerlist")) {
        handle_peerlist(r, f, n);
    } else if (frame_is(sub, "query")) {
        char *value = n >= 7 ? query_value(r, &f[6]) : NULL;
        vt_out_bytes(&a, "", 0);
        vt_out_str(&a, value ? value : ""); /* unknown: an empty frame (None) */
        free(value);
        reply(r, f, false, "query", &a);
    } else if (frame_is(sub, "pubsub")) {
        vt_pubsub_svc_handle(r->pubsub, peer, f, n);
    } else if (frame_is(sub, "agentstop")) {
        if (n >= 7)
            drop_if_peer(r, &f[6]);
    } else if (frame_is(sub, "quit")) {
        if (frame_is(&f[0], "control") && r->quit_fn) {
            vt_log_info(LOG, "quit requested by control");
            r->quit_fn(r->quit_ctx);
        } else {
            char buf[128];
            vt_router_warn(r, "ignored quit from %s (only control may stop the platform)",
                           show(&f[0], buf, sizeof buf));
        }
    } else if (frame_is(sub, "error")) {
        /* errors addressed to the router are dropped, as VOLTTRON does */
    } else if (frame_is(sub, "routing_table") || frame_is(sub, "external_rpc")) {
        vt_log_debug(LOG, "multi-platform request ignored: no external platforms");
    } else {
        char buf[128];
        vt_log_debug(LOG, "unknown subsystem %s", show(sub, buf, sizeof buf));
        send_error(r, f, false, 93, "Protocol not supported", NULL, sub);
    }
}

/* ---- forwarding ---- */

static void forward(vt_router *r, zmq_msg_t *f, size_t n)
{
    vt_out o;
    vt_out_init(&o);
    /* sender, VIP1, user = sender (whatever the client put there), id,
     * subsystem, args: byte for byte. */
    vt_out_copy(&o, &f[0]);
    zmq_msg_init(&o.f[o.n]);
    zmq_msg_move(&o.f[o.n++], &f[2]);
    vt_out_copy(&o, &f[0]);
    for (size_t i = 4; i < n; i++) {
        zmq_msg_init(&o.f[o.n]);
        zmq_msg_move(&o.f[o.n++], &f[i]);
    }
    int rc = vt_router_send(r, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]), &o);
    if (rc < 0) {
        /* o still holds the id (o.f[3]) and subsystem (o.f[4]); put them
         * back for the error reply. */
        zmq_msg_move(&f[4], &o.f[3]);
        zmq_msg_move(&f[5], &o.f[4]);
        vt_out_close(&o);
        if (rc == -EHOSTUNREACH) {
            /* The error goes first, then the drop notice (as VOLTTRON
             * orders them); only a known peer is dropped. */
            send_error(r, f, true, 113, "No route to host", &f[1], &f[5]);
            drop_if_peer(r, &f[1]);
        } else if (rc == -EAGAIN) {
            char buf[128];
            vt_router_warn(r, "queue to %s full: message dropped (error 11 to the sender)",
                           show(&f[1], buf, sizeof buf));
            send_error(r, f, true, 11, "Resource temporarily unavailable", &f[1], &f[5]);
        }
    }
}

/* ---- input ---- */

/* f: [sender, recipient, "VIP1", user, id, subsystem, args...] */
static void handle(vt_router *r, zmq_msg_t *f, size_t n, size_t bytes, int fd,
                   bool from_socket)
{
    char buf[128];
    if (n == 2 && zmq_msg_size(&f[0]) > 0 && zmq_msg_size(&f[1]) == 0) {
        touch_peer(r, &f[0], fd); /* a router probe: just register */
        return;
    }
    if (n < 6) {
        vt_router_warn(r, "dropped a message of %zu frames from %s (VIP needs at least 6)", n,
                       show(&f[0], buf, sizeof buf));
        return;
    }
    if (!frame_is(&f[2], "VIP1")) {
        vt_router_warn(r, "dropped a message from %s without the VIP1 signature",
                       show(&f[0], buf, sizeof buf));
        return;
    }
    if (zmq_msg_size(&f[0]) == 0) {
        vt_router_warn(r, "dropped a message with an empty sender identity");
        return;
    }
    vt_peer *peer = touch_peer(r, &f[0], fd);
    if (!peer)
        return;
    if (peer->service && from_socket) {
        /* A connection claiming a platform service's identity (VOLTTRON
         * lets any admitted key take any identity). The in-process service
         * owns it: refuse, or anyone could ask "control" to quit. */
        vt_router_warn(r, "dropped a message from a connection claiming the service identity %s",
                       peer->identity);
        return;
    }
    if (bytes > r->max_message_size) {
        vt_router_warn(r, "refused a message of %zu bytes from %s (limit %zu)", bytes,
                       peer->identity, r->max_message_size);
        send_error(r, f, true, 90, "Message too long", &f[1], &f[5]);
        return;
    }
    if (zmq_msg_size(&f[5]) == 0) {
        vt_router_warn(r, "dropped a message from %s with an empty subsystem", peer->identity);
        return;
    }
    if (zmq_msg_size(&f[1]) == 0)
        handle_router(r, peer, f, n);
    else
        forward(r, f, n);
}

static void on_readable(vt_loop *loop, void *sock, unsigned events, void *ctx)
{
    (void)loop;
    (void)events;
    vt_router *r = ctx;
    for (int batch = 0; batch < READ_BATCH; batch++) {
        size_t n = 0, bytes = 0, extra = 0;
        for (;;) {
            zmq_msg_t *m = n < VT_ROUTER_MAX_FRAMES ? &r->in[n] : NULL;
            zmq_msg_t overflow;
            if (!m)
                m = &overflow;
            zmq_msg_init(m);
            if (zmq_msg_recv(m, sock, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(m);
                if (n == 0)
                    return; /* nothing more to read */
                break;
            }
            bytes += zmq_msg_size(m);
            bool more = zmq_msg_more(m);
            if (m == &overflow) {
                zmq_msg_close(m);
                extra++;
            } else {
                n++;
            }
            if (!more)
                break;
        }
        if (extra) {
            char buf[128];
            vt_router_warn(r, "dropped a message of %zu frames from %s (limit %d)", n + extra,
                           show(&r->in[0], buf, sizeof buf), VT_ROUTER_MAX_FRAMES);
        } else {
            /* Which connection it came on: when that one closes, this
             * peer is the one to check on. */
            int fd = zmq_msg_get(&r->in[n > 1 ? 1 : 0], ZMQ_SRCFD);
            handle(r, r->in, n, bytes, fd, true);
        }
        for (size_t i = 0; i < n; i++)
            zmq_msg_close(&r->in[i]);
    }
}

/* ---- noticing peers that went away ---- */

static void sweep(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    vt_router *r = ctx;
    r->sweep_timer = NULL;
    /* Check the peers whose last connection closed: a pong nobody asked for
     * (VOLTTRON agents ignore it silently) is refused at once by a ROUTER
     * that no longer has a pipe to the peer. */
    vt_buf gone;
    vt_buf_init(&gone);
    size_t cursor = 0;
    void *val;
    while (vt_map_next(r->peers, &cursor, NULL, &val)) {
        vt_peer *p = val;
        /* libzmq does not always tell which connection a message came on
         * (fd -1): such peers are checked after every closed connection. */
        bool suspect = p->fd < 0;
        for (size_t i = 0; i < r->nsuspects && !suspect; i++)
            suspect = p->fd == r->suspect_fds[i];
        if (p->service || !suspect)
            continue;
        vt_log_debug(LOG, "checking on %s (fd %d)", p->identity, p->fd);
        vt_out o;
        router_notice(&o, "ping");
        vt_out_str(&o, "pong");
        if (vt_router_send(r, p->identity, p->len, &o) == -EHOSTUNREACH)
            vt_buf_append(&gone, p->identity, p->len + 1);
        vt_out_close(&o);
    }
    drop_all(r, &gone);
    vt_buf_free(&gone);
    if (--r->sweeps_left > 0)
        r->sweep_timer = vt_loop_after(r->loop, SWEEP_AGAIN_MS, sweep, r);
    else
        r->nsuspects = 0;
}

static void on_monitor(vt_loop *loop, void *mon, unsigned events, void *ctx)
{
    (void)loop;
    (void)events;
    vt_router *r = ctx;
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, mon, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return;
        }
        bool more = zmq_msg_more(&m);
        bool disconnected = false;
        int fd = -1;
        if (zmq_msg_size(&m) >= 6) {
            const uint8_t *d = zmq_msg_data(&m);
            disconnected = (d[0] | d[1] << 8) == ZMQ_EVENT_DISCONNECTED;
            fd = (int)((uint32_t)d[2] | (uint32_t)d[3] << 8 | (uint32_t)d[4] << 16 |
                       (uint32_t)d[5] << 24);
        }
        zmq_msg_close(&m);
        while (more) { /* the endpoint frame */
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, mon, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&m);
                break;
            }
            more = zmq_msg_more(&m);
            zmq_msg_close(&m);
        }
        if (disconnected) {
            vt_log_debug(LOG, "a connection closed (fd %d): checking its peer", fd);
            r->suspect_fds = vt_realloc(r->suspect_fds, (r->nsuspects + 1) * sizeof(int));
            r->suspect_fds[r->nsuspects++] = fd;
            r->sweeps_left = 2;
            if (r->sweep_timer)
                vt_timer_cancel(r->loop, r->sweep_timer);
            r->sweep_timer = vt_loop_after(r->loop, SWEEP_FIRST_MS, sweep, r);
        }
    }
}

/* ---- in-process connection for services ---- */

typedef struct svc_conn {
    vt_router *router;
} svc_conn;

static void svc_up(vt_loop *loop, void *ctx)
{
    (void)loop;
    vt_agent_transport_up(ctx);
}

static int svc_open(vt_conn *conn)
{
    svc_conn *sc = conn->impl;
    vt_loop_defer(sc->router->loop, svc_up, conn->agent);
    return 0;
}

/* A service's message as a DEALER would send it: prepend its identity and
 * route it like anything arriving on the socket. */
static int svc_send(vt_conn *conn, vt_message *msg)
{
    svc_conn *sc = conn->impl;
    size_t n = vt_message_size(msg);
    if (n + 1 > VT_ROUTER_MAX_FRAMES) {
        vt_message_destroy(&msg);
        return vt_error_set(-EMSGSIZE, "too many frames");
    }
    zmq_msg_t f[VT_ROUTER_MAX_FRAMES];
    const char *id = vt_agent_identity(conn->agent);
    zmq_msg_init_size(&f[0], strlen(id));
    memcpy(zmq_msg_data(&f[0]), id, strlen(id));
    size_t bytes = strlen(id);
    for (size_t i = 0; i < n; i++) {
        zmq_msg_init(&f[i + 1]);
        zmq_msg_move(&f[i + 1], vt_message_zmsg(msg, i));
        bytes += zmq_msg_size(&f[i + 1]);
    }
    vt_message_destroy(&msg);
    handle(sc->router, f, n + 1, bytes, -1, false);
    for (size_t i = 0; i < n + 1; i++)
        zmq_msg_close(&f[i]);
    return 0;
}

static void svc_close(vt_conn *conn)
{
    free(conn->impl);
    conn->impl = NULL;
}

static const vt_conn_ops svc_ops = {
    .name = "in-process",
    .open = svc_open,
    .send = svc_send,
    .recv = NULL,
    .close = svc_close,
};

vt_agent *vt_router_add_service(vt_router *r, const char *identity, const char *version,
                                void (*fini)(void *ctx), void *ctx)
{
    vt_conn *conn = vt_calloc(1, sizeof *conn);
    conn->ops = &svc_ops;
    svc_conn *sc = vt_calloc(1, sizeof *sc);
    sc->router = r;
    conn->impl = sc;
    vt_agent_options opts = {
        .identity = identity,
        .volttron_home = r->home,
        .address = "inproc://vip",
        .auth = 0,
        .loop = r->loop,
        .heartbeat_period = -1,
        .version = version,
        .no_signals = true,
        .no_config_store = true,
        /* In-process, so no CURVE of their own, but they check callers when
         * the platform authenticates them. */
        .enforce_capabilities = r->auth ? 1 : -1,
    };
    vt_agent *agent = vt_agent_new_with_conn(&opts, conn);
    if (!agent)
        return NULL;
    vt_peer *p = vt_calloc(1, sizeof *p);
    p->identity = vt_strdup(identity);
    p->len = strlen(identity);
    p->service = agent;
    p->fd = -1;
    p->connected_us = vt_time_now_us();
    vt_map_set(r->peers, identity, p);
    r->services = vt_realloc(r->services, (r->nservices + 1) * sizeof *r->services);
    r->services[r->nservices++] = (service){.agent = agent, .fini = fini, .ctx = ctx};
    vt_agent_start(agent);
    return agent;
}

vt_zap *vt_router_zap(vt_router *r)
{
    return r->zap;
}

void vt_router_on_quit(vt_router *r, void (*fn)(void *ctx), void *ctx)
{
    r->quit_fn = fn;
    r->quit_ctx = ctx;
}

/* ---- setup ---- */

static int bind_endpoint(vt_router *r, const char *url, bool auth)
{
    vt_address addr;
    int rc = vt_address_parse(url, &addr);
    if (rc < 0)
        return rc;
    rc = zmq_bind(r->sock, addr.endpoint);
    if (rc < 0)
        rc = vt_error_set(-errno, "cannot bind %s: %s", addr.endpoint, zmq_strerror(errno));
    else
        vt_log_info(LOG, "listening on %s%s", addr.endpoint, auth ? " (CURVE)" : "");
    vt_address_clear(&addr);
    return rc;
}

/* JSON list of the bound addresses without query strings; the local
 * address when there are none (as VOLTTRON answers "addresses"). */
static char *addresses_json(const vt_router_options *o)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < o->naddresses; i++) {
        vt_address a;
        if (vt_address_parse(o->addresses[i], &a) == 0) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(a.endpoint));
            vt_address_clear(&a);
        }
    }
    if (o->naddresses == 0)
        cJSON_AddItemToArray(arr, cJSON_CreateString(o->local_address));
    char *text = vt_json_dump(arr, 0);
    cJSON_Delete(arr);
    return text;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? vt_strdup(s) : NULL;
}

vt_router *vt_router_new(vt_loop *loop, const vt_router_options *o)
{
    vt_router *r = vt_calloc(1, sizeof *r);
    r->loop = loop;
    r->peers = vt_map_new(peer_free);
    vt_uuid4(r->id);
    r->home = vt_strdup(o->volttron_home);
    r->auth = o->auth;
    r->instance_name = vt_strdup(o->instance_name);
    r->local_address = vt_strdup(o->local_address);
    r->addresses_json = addresses_json(o);
    r->platform_version = vt_strdup(o->platform_version ? o->platform_version : "9.0.4");
    r->vc_address = dup_or_null(o->vc_address);
    r->vc_serverkey = dup_or_null(o->vc_serverkey);
    r->web_address = dup_or_null(o->web_address);
    r->agent_monitor_frequency = o->agent_monitor_frequency ? o->agent_monitor_frequency : 600;
    r->max_message_size = o->max_message_size ? o->max_message_size : 16u << 20;
    r->pubsub = vt_pubsub_svc_new(r);
    r->zctx = vt_zmq_context_acquire();

    /* ZAP must be bound before any CURVE endpoint. */
    if (o->auth) {
        r->serverkey = vt_strdup(o->keys->public_key);
        r->zap = vt_zap_new(loop, r->zctx, o->volttron_home);
        if (!r->zap)
            goto fail;
        vt_zap_set_setup_mode(r->zap, o->setup_mode);
    }

    r->sock = zmq_socket(r->zctx, ZMQ_ROUTER);
    int one = 1, hwm = VIP_HWM, linger = 0;
    int keepalive = 1, idle = 180, intvl = 20, cnt = 6;
    int hb_ivl = 10000, hb_timeout = 30000;
    /* libzmq refuses single frames far beyond the limit before allocating
     * them (the connection is dropped); up to twice the limit the router
     * answers error 90 instead. */
    int64_t maxmsg = (int64_t)r->max_message_size * 2;
    zmq_setsockopt(r->sock, ZMQ_ROUTING_ID, r->id, strlen(r->id));
    zmq_setsockopt(r->sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    /* A reconnecting agent takes its identity over at once. */
    zmq_setsockopt(r->sock, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
    zmq_setsockopt(r->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(r->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(r->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(r->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(r->sock, ZMQ_TCP_KEEPALIVE, &keepalive, sizeof keepalive);
    zmq_setsockopt(r->sock, ZMQ_TCP_KEEPALIVE_IDLE, &idle, sizeof idle);
    zmq_setsockopt(r->sock, ZMQ_TCP_KEEPALIVE_INTVL, &intvl, sizeof intvl);
    zmq_setsockopt(r->sock, ZMQ_TCP_KEEPALIVE_CNT, &cnt, sizeof cnt);
    zmq_setsockopt(r->sock, ZMQ_HEARTBEAT_IVL, &hb_ivl, sizeof hb_ivl);
    zmq_setsockopt(r->sock, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof hb_timeout);
    if (o->auth) {
        uint8_t secret[32];
        vt_key_decode(o->keys->secret_key, secret);
        zmq_setsockopt(r->sock, ZMQ_CURVE_SERVER, &one, sizeof one);
        zmq_setsockopt(r->sock, ZMQ_CURVE_SECRETKEY, secret, sizeof secret);
        zmq_setsockopt(r->sock, ZMQ_ZAP_DOMAIN, "vip", 3);
    }

    snprintf(r->monitor_ep, sizeof r->monitor_ep, "inproc://vt-router-monitor-%p", (void *)r);
    zmq_socket_monitor(r->sock, r->monitor_ep, ZMQ_EVENT_DISCONNECTED);
    r->monitor = zmq_socket(r->zctx, ZMQ_PAIR);
    zmq_connect(r->monitor, r->monitor_ep);

    if (bind_endpoint(r, o->local_address, o->auth) < 0)
        goto fail;
    for (size_t i = 0; i < o->naddresses; i++)
        if (bind_endpoint(r, o->addresses[i], o->auth) < 0)
            goto fail;

    vt_loop_add_zsock(loop, r->sock, VT_LOOP_READ, on_readable, r);
    vt_loop_add_zsock(loop, r->monitor, VT_LOOP_READ, on_monitor, r);
    return r;

fail: {
    char why[1024];
    snprintf(why, sizeof why, "%s", vt_last_error());
    vt_router_destroy(&r);
    vt_error_set(-EINVAL, "%s", why);
    return NULL;
}
}

void vt_router_destroy(vt_router **rp)
{
    if (!rp || !*rp)
        return;
    vt_router *r = *rp;
    if (r->sweep_timer)
        vt_timer_cancel(r->loop, r->sweep_timer);
    while (r->qhead) {
        svc_item *it = r->qhead;
        r->qhead = it->next;
        vt_message_destroy(&it->msg);
        free(it);
    }
    for (size_t i = 0; i < r->nservices; i++) {
        vt_agent_destroy(&r->services[i].agent);
        if (r->services[i].fini)
            r->services[i].fini(r->services[i].ctx);
    }
    free(r->services);
    /* Services may have queued more while stopping. */
    while (r->qhead) {
        svc_item *it = r->qhead;
        r->qhead = it->next;
        vt_message_destroy(&it->msg);
        free(it);
    }
    if (r->sock) {
        vt_loop_remove_zsock(r->loop, r->sock);
        zmq_socket_monitor(r->sock, NULL, 0);
        zmq_close(r->sock);
    }
    if (r->monitor) {
        vt_loop_remove_zsock(r->loop, r->monitor);
        zmq_close(r->monitor);
    }
    vt_zap_destroy(&r->zap);
    size_t cursor = 0;
    void *val;
    while (r->peers && vt_map_next(r->peers, &cursor, NULL, &val))
        vt_pubsub_svc_drop(r->pubsub, val);
    vt_pubsub_svc_destroy(&r->pubsub);
    vt_map_destroy(&r->peers);
    if (r->zctx)
        vt_zmq_context_release();
    free(r->home);
    free(r->instance_name);
    free(r->local_address);
    free(r->serverkey);
    free(r->addresses_json);
    free(r->platform_version);
    free(r->vc_address);
    free(r->vc_serverkey);
    free(r->web_address);
    free(r->suspect_fds);
    free(r);
    *rp = NULL;
}
