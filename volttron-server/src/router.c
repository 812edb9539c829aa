#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <volttron/client/address.h>
#include <volttron/client/conn.h>
#include <volttron/client/identity.h>
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
#include "sendq.h"

#define LOG "volttron.router"
#define VIP_HWM 6000
/* Messages handled per wakeup before timers and other sockets get a turn. */
#define READ_BATCH 1000
/* A peer whose connection closed is dropped this long after, unless it has
 * come back on another connection by then (so a quick reconnect does not
 * make everyone hear a drop and an add). */
#define SWEEP_FIRST_MS 200
/* A connection that has not said who it is (sent a message we could bind)
 * this long after it was accepted is closed: VOLTTRON clients say hello
 * as soon as their handshake is done, and a silent connection may be
 * sitting on an identity that libzmq routes to it. */
#define SILENT_MAX_MS 10000
/* Default bound on what the router queues for one peer: enough for a
 * couple of the largest messages. */
#define QUEUE_BYTES_MIN (32u << 20)
/* Give freed memory back to the system after this many peers left. */
#define TRIM_AFTER_DROPS 64
/* A refused connection is told why, then closed this much later. */
#define KICK_DELAY_MS 100

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
    vt_map *peers;         /* identity -> vt_peer */
    char id[VT_UUID_SIZE]; /* our routing id, sent in welcome */
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

    size_t max_queue_bytes; /* per peer (sendq.h) */
    uint64_t dropped;       /* messages dropped for peers that do not read */

    vt_timer *sweep_timer;
    vt_buf suspects; /* identities whose connection closed, NUL-separated */

    /* Connections by socket descriptor (libzmq's, as ZMQ_SRCFD and the
     * monitor give it): the peer bound on each, and when each completed its
     * handshake while it has not been bound yet (0: not waiting). */
    vt_peer **by_fd;
    int64_t *silent_since;
    size_t nfds;
    vt_timer *silent_timer;
    int *kicks; /* connections to close (kick_soon) */
    size_t nkicks;
    vt_timer *kick_timer;

    /* Peer-list changes to announce: "+identity" / "-identity", NUL-
     * separated, sent in one go to the peers that asked. */
    vt_buf notices;
    bool notices_scheduled;
    unsigned drops_since_trim;

    int64_t warn_last_ms;
    unsigned warn_suppressed;

    zmq_msg_t in[VT_ROUTER_MAX_FRAMES];
};

static void handle(vt_router *r, zmq_msg_t *f, size_t n, size_t bytes, int fd, bool from_socket);

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

void vt_out_header(vt_out *o, const void *user, size_t ulen, zmq_msg_t *id, const char *subsystem)
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

static void queue_service(vt_router *r, vt_agent *agent, vt_message *msg)
{
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

static void enqueue_service(vt_router *r, vt_agent *agent, vt_out *o)
{
    vt_message *msg = vt_message_new();
    for (size_t i = 0; i < o->n; i++)
        vt_message_append_zmsg(msg, &o->f[i]);
    vt_out_close(o);
    queue_service(r, agent, msg);
}

/* Put o on the socket for `to`, whoever that is. */
static int send_raw(vt_router *r, const void *to, size_t tolen, vt_out *o)
{
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

int vt_router_send(vt_router *r, const void *to, size_t tolen, vt_out *o)
{
    return vt_router_send_peer(r, vt_map_getn(r->peers, to, tolen), to, tolen, o);
}

int vt_router_send_peer(vt_router *r, vt_peer *p, const void *to, size_t tolen, vt_out *o)
{
    /* Only to peers the router knows and has bound to their credentials:
     * libzmq would also deliver to a connection that merely claimed the
     * identity and has not been checked yet. */
    if (!p)
        return -EHOSTUNREACH;
    if (p->service) {
        enqueue_service(r, p->service, o);
        return 0;
    }
    if (!p->verified)
        return -EHOSTUNREACH;
    int rc =
        vt_sendq_charge(p->sendq, o, r->max_queue_bytes) < 0 ? -EAGAIN : send_raw(r, to, tolen, o);
    if (rc == -EAGAIN) {
        p->dropped++;
        r->dropped++;
    }
    return rc;
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
    vt_sendq_release(&peer->sendq);
    free(peer->sender_json);
    free(peer->user);
    free(peer->identity);
    free(peer);
}

/* Room in the per-descriptor tables for fd. */
static void fd_grow(vt_router *r, int fd)
{
    if ((size_t)fd < r->nfds)
        return;
    size_t n = (size_t)fd + 64;
    r->by_fd = vt_realloc(r->by_fd, n * sizeof *r->by_fd);
    r->silent_since = vt_realloc(r->silent_since, n * sizeof *r->silent_since);
    for (size_t i = r->nfds; i < n; i++) {
        r->by_fd[i] = NULL;
        r->silent_since[i] = 0;
    }
    r->nfds = n;
}

/* Which peer is bound on connection fd (-1: none). */
static void fd_bind(vt_router *r, vt_peer *p, int fd)
{
    if (p->fd >= 0 && (size_t)p->fd < r->nfds && r->by_fd[p->fd] == p)
        r->by_fd[p->fd] = NULL;
    p->fd = fd;
    if (fd < 0)
        return;
    fd_grow(r, fd);
    r->by_fd[fd] = p;
    r->silent_since[fd] = 0;
}

static void schedule_notices(vt_router *r);

/* Announce a peer-list change ('+' added, '-' dropped) to the peers that
 * asked, batched (flush_notices). */
static void notice(vt_router *r, char op, const char *identity)
{
    vt_buf_append(&r->notices, &op, 1);
    vt_buf_append(&r->notices, identity, strlen(identity) + 1);
    schedule_notices(r);
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

/* Drop every identity listed in gone (NUL-separated). */
static void drop_all(vt_router *r, vt_buf *gone)
{
    size_t pos = 0;
    while (pos < gone->len) {
        char *identity = vt_strdup(gone->data + pos);
        pos += strlen(identity) + 1;
        vt_peer *p = vt_map_take(r->peers, identity);
        if (p && !p->service) {
            vt_log_info(LOG, "peer %s dropped", identity);
            if (p->dropped)
                vt_log_warning(LOG,
                               "%" PRIu64 " messages to %s were dropped while it did not "
                               "read",
                               p->dropped, identity);
            vt_pubsub_svc_drop(r->pubsub, p);
            fd_bind(r, p, -1);
            peer_free(p);
            notice(r, '-', identity);
            r->drops_since_trim++;
        } else if (p) {
            vt_map_set(r->peers, identity, p); /* services never leave */
        }
        free(identity);
    }
}

/* One notice for every interested peer but its subject. An add and a drop
 * of the same identity in one batch (a peer that came and went) cancel. */
static void flush_notices(vt_loop *loop, void *ctx)
{
    (void)loop;
    vt_router *r = ctx;
    r->notices_scheduled = false;
    if (!r->notices.len)
        return;
    vt_buf batch = r->notices;
    vt_buf_init(&r->notices);
    /* cancel "+x ... -x" pairs: mark both with op 0 */
    for (size_t a = 0; a < batch.len; a += strlen(batch.data + a + 1) + 2) {
        if (batch.data[a] != '+')
            continue;
        const char *x = batch.data + a + 1;
        for (size_t d = a + strlen(x) + 2; d < batch.len; d += strlen(batch.data + d + 1) + 2) {
            if (batch.data[d] == '-' && strcmp(batch.data + d + 1, x) == 0) {
                batch.data[a] = batch.data[d] = 0;
                break;
            }
            if (batch.data[d] == '+' && strcmp(batch.data + d + 1, x) == 0)
                break;
        }
    }
    vt_buf gone;
    vt_buf_init(&gone);
    size_t cursor = 0;
    void *val;
    while (vt_map_next(r->peers, &cursor, NULL, &val)) {
        vt_peer *p = val;
        if (!p->wants_peerlist)
            continue;
        for (size_t i = 0; i < batch.len; i += strlen(batch.data + i + 1) + 2) {
            const char *x = batch.data + i + 1;
            if (!batch.data[i] || strcmp(x, p->identity) == 0)
                continue;
            vt_out o;
            router_notice(&o, "peerlist");
            vt_out_str(&o, batch.data[i] == '+' ? "add" : "drop");
            vt_out_str(&o, x);
            int rc = vt_router_send_peer(r, p, p->identity, p->len, &o);
            vt_out_close(&o);
            if (rc == -EHOSTUNREACH) {
                vt_buf_append(&gone, p->identity, p->len + 1);
                break;
            }
        }
    }
    vt_buf_free(&batch);
    drop_all(r, &gone);
    vt_buf_free(&gone);
    /* After a storm of connections, hand back what the allocator keeps
     * (libzmq's per-connection buffers live in its I/O thread's arena). */
    if (r->drops_since_trim >= TRIM_AFTER_DROPS) {
        r->drops_since_trim = 0;
        malloc_trim(0);
    }
}

static void schedule_notices(vt_router *r)
{
    if (!r->notices_scheduled) {
        r->notices_scheduled = true;
        vt_loop_defer(r->loop, flush_notices, r);
    }
}

/* A new peer, bound; announced to those who asked. */
static vt_peer *add_peer(vt_router *r, zmq_msg_t *id)
{
    const char *data = zmq_msg_data(id);
    size_t len = zmq_msg_size(id);
    vt_peer *p = vt_calloc(1, sizeof *p);
    p->fd = -1;
    p->identity = vt_strndup(data, len);
    p->len = len;
    p->connected_us = vt_time_now_us();
    p->sendq = vt_sendq_new();
    vt_map_setn(r->peers, data, len, p);
    char buf[128];
    vt_log_info(LOG, "peer %s connected", show(id, buf, sizeof buf));
    notice(r, '+', p->identity);
    return p;
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
void vt_router_error(vt_router *r, zmq_msg_t *f, bool user_is_sender, int errnum, const char *text,
                     const void *recipient, size_t rlen, const void *subsystem, size_t slen)
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
    vt_router_error(r, f, user_is_sender, errnum, text, recipient ? zmq_msg_data(recipient) : "",
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

/* "listing" with every reachable peer, one frame each: as many frames as
 * there are peers, more than a vt_out holds. */
static void send_listing(vt_router *r, vt_peer *to, zmq_msg_t *f)
{
    vt_message *msg = vt_message_new();
    vt_message_append(msg, "", 0);
    vt_message_append(msg, "VIP1", 4);
    vt_message_append(msg, "", 0);
    vt_message_append(msg, zmq_msg_data(&f[4]), zmq_msg_size(&f[4]));
    vt_message_append_str(msg, "peerlist");
    vt_message_append_str(msg, "listing");
    size_t cursor = 0;
    void *val;
    while (vt_map_next(r->peers, &cursor, NULL, &val)) {
        vt_peer *p = val;
        if (p->service || p->verified)
            vt_message_append(msg, p->identity, p->len);
    }
    if (to->service) {
        queue_service(r, to->service, msg);
        return;
    }
    zmq_msg_t rid;
    zmq_msg_init_size(&rid, to->len);
    memcpy(zmq_msg_data(&rid), to->identity, to->len);
    if (zmq_msg_send(&rid, r->sock, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&rid);
        vt_message_destroy(&msg);
        return;
    }
    size_t n = vt_message_size(msg);
    for (size_t i = 0; i < n; i++)
        zmq_msg_send(vt_message_zmsg(msg, i), r->sock,
                     ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0));
    vt_message_destroy(&msg);
}

static void handle_peerlist(vt_router *r, vt_peer *peer, zmq_msg_t *f, size_t n)
{
    if (n >= 7 && frame_is(&f[6], "list")) {
        /* A peer that lists is one that follows the list: from now on it
         * hears of every add and drop (flush_notices). */
        peer->wants_peerlist = true;
        if (peer->service || peer->verified)
            send_listing(r, peer, f);
        return;
    }
    vt_out a;
    vt_out_init(&a);
    vt_out_str(&a, "error");
    vt_out_str(&a, n < 7 ? "missing operation" : "unknown operation");
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
        handle_peerlist(r, peer, f, n);
    } else if (frame_is(sub, "query")) {
        char *value = n >= 7 ? query_value(r, &f[6]) : NULL;
        vt_out_bytes(&a, "", 0);
        vt_out_str(&a, value ? value : ""); /* unknown: an empty frame (None) */
        free(value);
        reply(r, f, false, "query", &a);
    } else if (frame_is(sub, "pubsub")) {
        vt_pubsub_svc_handle(r->pubsub, peer, f, n);
    } else if (frame_is(sub, "agentstop")) {
        /* An agent leaving says so itself (VOLTTRON agents do, as they
         * stop); control says it for the agents it stopped. From anyone
         * else it would make the router forget a live peer. */
        if (n >= 7 && (zmq_msg_size(&f[6]) == peer->len &&
                       memcmp(zmq_msg_data(&f[6]), peer->identity, peer->len) == 0))
            drop_if_peer(r, &f[6]);
        else if (n >= 7 && peer->service && frame_is(&f[0], "control"))
            drop_if_peer(r, &f[6]);
        else if (n >= 7)
            vt_router_warn(r, "ignored agentstop from %s (only control may send it)",
                           peer->identity);
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

static void forward(vt_router *r, vt_peer *sender, zmq_msg_t *f, size_t n)
{
    vt_out o;
    vt_out_init(&o);
    /* sender, VIP1, user, id, subsystem, args: byte for byte but the user,
     * which is who the sender's key proved to be, whatever it wrote there. */
    vt_out_copy(&o, &f[0]);
    zmq_msg_init(&o.f[o.n]);
    zmq_msg_move(&o.f[o.n++], &f[2]);
    vt_out_str(&o, sender->user ? sender->user : sender->identity);
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

/* ---- admission: who a connection is ---- */

static void on_monitor(vt_loop *loop, void *mon, unsigned events, void *ctx);

/* Catch up with connections that opened or closed: before binding a
 * connection, so that a descriptor number libzmq reused is not mistaken for
 * the connection that had it before. */
static void catch_up(vt_router *r)
{
    on_monitor(r->loop, r->monitor, 0, r);
}

static void catch_up_cb(void *ctx)
{
    catch_up(ctx);
}

/* End a connection from our side. The descriptor is libzmq's: shut down,
 * not closed, so libzmq sees the end, cleans up and reports it. */
static void kick(int fd)
{
    if (fd >= 0)
        shutdown(fd, SHUT_RDWR);
}

/* Without authentication, the local socket is still only the platform
 * user's: libzmq reports an ipc peer's credentials (SO_PEERCRED) as
 * "localhost:<uid>:<gid>:<pid>". tcp peers are whoever the address lets in
 * (loopback unless the operator said otherwise). */
static bool local_user_ok(zmq_msg_t *frame)
{
    const char *addr = zmq_msg_gets(frame, "Peer-Address");
    if (!addr || strncmp(addr, "localhost:", 10) != 0)
        return true;
    char *end;
    unsigned long uid = strtoul(addr + 10, &end, 10);
    if (end == addr + 10 || *end != ':')
        return false;
    return uid == (unsigned long)geteuid() || uid == 0;
}

static void kick_due(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    vt_router *r = ctx;
    r->kick_timer = NULL;
    catch_up(r); /* a descriptor that closed meanwhile is off the list */
    for (size_t i = 0; i < r->nkicks; i++)
        kick(r->kicks[i]);
    r->nkicks = 0;
}

/* Close fd shortly: after the error that says why has been written. */
static void kick_soon(vt_router *r, int fd)
{
    if (fd < 0)
        return;
    for (size_t i = 0; i < r->nkicks; i++)
        if (r->kicks[i] == fd)
            return;
    r->kicks = vt_realloc(r->kicks, (r->nkicks + 1) * sizeof *r->kicks);
    r->kicks[r->nkicks++] = fd;
    if (!r->kick_timer)
        r->kick_timer = vt_loop_after(r->loop, KICK_DELAY_MS, kick_due, r);
}

/* Refuse a connection its claim: say why, then close it. The error goes by
 * the identity it claimed, which libzmq routes to this connection and no
 * other (a connection claiming an identity held by a live one is ignored by
 * libzmq and never gets here). */
static void refuse(vt_router *r, zmq_msg_t *f, size_t n, int fd, const char *why)
{
    char who[128];
    const char *key = r->auth ? zmq_msg_gets(&f[1], "User-Id") : NULL;
    vt_router_warn(r, "closed a connection claiming identity %s%s%s: %s",
                   show(&f[0], who, sizeof who), key ? " with key " : "", key ? key : "", why);
    if (n >= 6 && frame_is(&f[2], "VIP1")) {
        char text[512];
        snprintf(text, sizeof text, "Permission denied: %s", why);
        vt_out o;
        vt_out_init(&o);
        vt_out_header(&o, "", 0, &f[4], "error");
        vt_out_str(&o, "13");
        vt_out_str(&o, text);
        vt_out_bytes(&o, "", 0);
        vt_out_copy(&o, &f[5]);
        send_raw(r, zmq_msg_data(&f[0]), zmq_msg_size(&f[0]), &o);
        vt_out_close(&o);
    }
    kick_soon(r, fd);
}

/* Bind the connection a message came on to what its credentials prove:
 * the peer, or NULL (connection closed) if it may not use that identity. */
static vt_peer *bind_peer(vt_router *r, vt_peer *p, zmq_msg_t *f, size_t n, int fd)
{
    catch_up(r);
    const char *data = zmq_msg_data(&f[0]);
    size_t len = zmq_msg_size(&f[0]);
    if (p && p->service) {
        refuse(r, f, n, fd, "it is the identity of a platform service");
        return NULL;
    }
    char *identity = vt_strndup(data, len);
    char *user = NULL;
    const char *key = NULL;
    if (strlen(identity) != len || !vt_identity_valid(identity)) {
        refuse(r, f, n, fd,
               "not a valid identity (1-64 characters of A-Z a-z 0-9 _ . -, no "
               "leading dot)");
    } else if (r->auth) {
        key = zmq_msg_gets(&f[1], "User-Id");
        if (vt_zap_bind(r->zap, key, zmq_msg_gets(&f[1], "Peer-Address"), identity, &user) < 0)
            refuse(r, f, n, fd, vt_last_error());
    } else if (!local_user_ok(&f[1])) {
        refuse(r, f, n, fd, "the local socket is the platform user's");
    } else {
        user = vt_strdup(identity);
    }
    free(identity);
    if (!user) {
        if (p && p->fd == fd) { /* it was bound here: it is no longer */
            p->verified = false;
            fd_bind(r, p, -1);
        }
        return NULL;
    }
    if (!p)
        p = add_peer(r, &f[0]);
    free(p->user);
    p->user = user;
    snprintf(p->key, sizeof p->key, "%s", key ? key : "");
    p->auth_gen = r->auth ? vt_zap_generation(r->zap) : 0;
    p->verified = true;
    fd_bind(r, p, fd);
    return p;
}

/* The peer a message from the socket comes from: known and bound on this
 * connection (the common case: no lookups beyond the identity), or bound
 * now. */
static vt_peer *admit(vt_router *r, zmq_msg_t *f, size_t n, int fd)
{
    vt_peer *p = vt_map_getn(r->peers, zmq_msg_data(&f[0]), zmq_msg_size(&f[0]));
    if (p && p->verified && p->fd == fd && !p->service) {
        if (!r->auth)
            return p;
        const char *key = zmq_msg_gets(&f[1], "User-Id");
        if (p->auth_gen == vt_zap_generation(r->zap) && key && strcmp(key, p->key) == 0)
            return p;
    }
    return bind_peer(r, p, f, n, fd);
}

/* ---- input ---- */

/* f: [sender, recipient, "VIP1", user, id, subsystem, args...] */
static void handle(vt_router *r, zmq_msg_t *f, size_t n, size_t bytes, int fd, bool from_socket)
{
    char buf[128];
    if (zmq_msg_size(&f[0]) == 0) {
        vt_router_warn(r, "dropped a message with an empty sender identity");
        return;
    }
    vt_peer *peer;
    if (from_socket) {
        if (n < 2)
            return;
        peer = admit(r, f, n, fd);
    } else {
        peer = vt_map_getn(r->peers, zmq_msg_data(&f[0]), zmq_msg_size(&f[0]));
    }
    if (!peer)
        return;
    if (n == 2 && zmq_msg_size(&f[1]) == 0)
        return; /* a router probe: registering was all it asked */
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
        forward(r, peer, f, n);
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
    /* Peers whose connection closed and that have not come back on
     * another since: gone. (The short wait spares the others a drop and an
     * add when an agent reconnects at once.) */
    vt_buf gone;
    vt_buf_init(&gone);
    for (size_t pos = 0; pos < r->suspects.len;) {
        const char *identity = r->suspects.data + pos;
        pos += strlen(identity) + 1;
        vt_peer *p = vt_map_get(r->peers, identity);
        if (p && !p->service && !p->verified)
            vt_buf_append(&gone, identity, strlen(identity) + 1);
    }
    r->suspects.len = 0;
    drop_all(r, &gone);
    vt_buf_free(&gone);
}

/* Close connections that never said who they are. */
static void silence_check(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    vt_router *r = ctx;
    r->silent_timer = NULL;
    catch_up(r);
    int64_t now = vt_time_monotonic_ms(), next = 0;
    for (size_t fd = 0; fd < r->nfds; fd++) {
        int64_t since = r->silent_since[fd];
        if (!since)
            continue;
        if (now - since >= SILENT_MAX_MS) {
            vt_router_warn(r,
                           "closed a connection (descriptor %zu) that sent nothing in the %d "
                           "s after it was accepted",
                           fd, SILENT_MAX_MS / 1000);
            r->silent_since[fd] = 0;
            kick((int)fd);
        } else if (!next || since + SILENT_MAX_MS < next) {
            next = since + SILENT_MAX_MS;
        }
    }
    if (next)
        r->silent_timer = vt_loop_after(r->loop, next - now, silence_check, r);
}

static void connection_opened(vt_router *r, int fd)
{
    if (fd < 0)
        return;
    if ((size_t)fd < r->nfds && r->by_fd[fd])
        return; /* already spoke (its first message overtook this event) */
    fd_grow(r, fd);
    r->silent_since[fd] = vt_time_monotonic_ms();
    if (!r->silent_timer)
        r->silent_timer = vt_loop_after(r->loop, SILENT_MAX_MS, silence_check, r);
}

static void connection_closed(vt_router *r, int fd)
{
    for (size_t i = 0; i < r->nkicks; i++)
        if (r->kicks[i] == fd)
            r->kicks[i--] = r->kicks[--r->nkicks];
    if (fd < 0 || (size_t)fd >= r->nfds)
        return;
    r->silent_since[fd] = 0;
    vt_peer *p = r->by_fd[fd];
    if (!p)
        return;
    vt_log_debug(LOG, "the connection of %s closed (descriptor %d)", p->identity, fd);
    /* Nothing more goes to this identity until a connection binds it again:
     * libzmq would hand it to whoever claims the name next. */
    p->verified = false;
    fd_bind(r, p, -1);
    vt_buf_append(&r->suspects, p->identity, p->len + 1);
    if (!r->sweep_timer)
        r->sweep_timer = vt_loop_after(r->loop, SWEEP_FIRST_MS, sweep, r);
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
        unsigned event = 0;
        int fd = -1;
        if (zmq_msg_size(&m) >= 6) {
            const uint8_t *d = zmq_msg_data(&m);
            event = (unsigned)(d[0] | d[1] << 8);
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
        if (event == ZMQ_EVENT_ACCEPTED)
            connection_opened(r, fd);
        else if (event == ZMQ_EVENT_DISCONNECTED)
            connection_closed(r, fd);
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
    p->user = vt_strdup(identity);
    p->verified = true;
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
    r->max_queue_bytes = o->max_queue_bytes                          ? o->max_queue_bytes
                         : r->max_message_size * 2 > QUEUE_BYTES_MIN ? r->max_message_size * 2
                                                                     : QUEUE_BYTES_MIN;
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
    /* No ZMQ_ROUTER_HANDOVER: libzmq hands an identity over to a new
     * connection before any credential can be checked against it (it asks
     * ZAP before it reads the peer's routing id, and routes to the new
     * connection at once), so any admitted key could take over a live
     * agent. A second connection claiming a live identity is ignored, as
     * VOLTTRON's router does; an agent that reconnects after its old
     * connection died gets its identity back (libzmq's heartbeat below
     * notices a dead connection within 30 s). */
    zmq_setsockopt(r->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(r->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(r->sock, ZMQ_LINGER, &linger, sizeof linger);
    /* libzmq listens with a backlog of 100: when hundreds of agents
     * reconnect at once (a platform restart, a network back), the kernel
     * drops the SYNs beyond it and those clients retry after 1, 3, 7, 15 s. */
    int backlog = 1024;
    zmq_setsockopt(r->sock, ZMQ_BACKLOG, &backlog, sizeof backlog);
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
    /* ACCEPTED and DISCONNECTED carry the connection's descriptor, which
     * its messages carry too (ZMQ_SRCFD). */
    zmq_socket_monitor(r->sock, r->monitor_ep, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED);
    r->monitor = zmq_socket(r->zctx, ZMQ_PAIR);
    /* Unbounded: libzmq drops monitor events a full queue cannot take, and
     * a connection whose close went unseen would keep its identity. */
    int unbounded = 0;
    zmq_setsockopt(r->monitor, ZMQ_RCVHWM, &unbounded, sizeof unbounded);
    zmq_setsockopt(r->monitor, ZMQ_SNDHWM, &unbounded, sizeof unbounded);
    zmq_connect(r->monitor, r->monitor_ep);

    if (bind_endpoint(r, o->local_address, o->auth) < 0)
        goto fail;
    for (size_t i = 0; i < o->naddresses; i++)
        if (bind_endpoint(r, o->addresses[i], o->auth) < 0)
            goto fail;

    vt_loop_add_zsock(loop, r->sock, VT_LOOP_READ, on_readable, r);
    vt_loop_add_zsock(loop, r->monitor, VT_LOOP_READ, on_monitor, r);
    if (r->zap)
        vt_zap_before_answer(r->zap, catch_up_cb, r);
    return r;

fail : {
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
    if (r->silent_timer)
        vt_timer_cancel(r->loop, r->silent_timer);
    if (r->kick_timer)
        vt_timer_cancel(r->loop, r->kick_timer);
    free(r->kicks);
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
    vt_buf_free(&r->suspects);
    vt_buf_free(&r->notices);
    free(r->by_fd);
    free(r->silent_since);
    free(r);
    *rp = NULL;
}
