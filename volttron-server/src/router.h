/* The VIP router: one ROUTER socket bound to every platform address, the
 * table of connected peers, the subsystems the router answers itself
 * (hello, ping, peerlist, query, agentstop, quit, pubsub, error), and
 * forwarding between peers. In-process services are peers too; messages to
 * them are queued and delivered from the loop, never re-entrantly. */
#ifndef VT_ROUTER_H
#define VT_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zmq.h>

#include <cjson/cJSON.h>

#include <volttron/client/agent.h>
#include <volttron/client/keys.h>
#include <volttron/client/loop.h>

#include "zap.h"

typedef struct vt_router vt_router;
struct peer_sub;

typedef struct vt_peer {
    char *identity; /* NUL-terminated copy of the routing id */
    size_t len;
    /* Who it is: the auth user its key proved (what receivers check
     * capabilities against, put in the user-id frame of what it sends), the
     * identity itself without authentication, the identity of a service. */
    char *user;
    char key[VT_KEY_TEXT_SIZE]; /* the key its connection proved ("" if none) */
    unsigned auth_gen;          /* vt_zap_generation the binding was made under */
    bool verified;              /* bound on its current connection: may receive */
    bool wants_peerlist;        /* asked for the peer list: gets add/drop notices */
    vt_agent *service;          /* in-process service, or NULL */
    struct peer_sub *subs;      /* pubsub subscriptions (pubsub_service.c) */
    size_t nsubs, sub_bytes;    /* how many, and their prefixes' bytes */
    uint64_t mark;              /* last publish delivered, to send each once */
    int fd;                     /* connection its messages come on, -1 for services */
    char *sender_json;          /* '{"sender": "<identity>", ' for publishes */
    size_t sender_json_len;
    int64_t connected_us;
    struct vt_sendq *sendq; /* bytes queued to it (sendq.h), NULL for services */
    uint64_t dropped;       /* messages to it dropped because it did not read */
} vt_peer;

typedef struct vt_router_options {
    const char *volttron_home;
    const char *instance_name;
    const char *local_address;    /* ipc://@.../run/vip.socket */
    const char *const *addresses; /* --vip-address values */
    size_t naddresses;
    bool auth;                    /* CURVE on every endpoint */
    const vt_keypair *keys;       /* the platform's key pair (auth only) */
    size_t max_message_size;      /* bytes; larger messages get error 90 */
    const char *platform_version; /* answered to query platform-version */
    bool setup_mode;              /* admit unknown keys, recording them */
    size_t max_queue_bytes;       /* per peer, queued and unread; 0: default */
    const char *vc_address, *vc_serverkey, *web_address;
    int agent_monitor_frequency;
} vt_router_options;

/* Create the router on loop and bind every address. NULL with a message on
 * error (address in use, bad address, ...). */
vt_router *vt_router_new(vt_loop *loop, const vt_router_options *opts);
void vt_router_destroy(vt_router **router);

/* An in-process service peer with the given identity, on the router's loop.
 * The agent is owned by the router; fini(ctx) runs after it is destroyed
 * (fini may be NULL). */
vt_agent *vt_router_add_service(vt_router *router, const char *identity, const char *version,
                                void (*fini)(void *ctx), void *ctx);

/* Called when "quit" arrives from "control". */
void vt_router_on_quit(vt_router *router, void (*fn)(void *ctx), void *ctx);

/* Number of connected peers (services included). */
size_t vt_router_peer_count(const vt_router *router);

/* ---- for the router's own modules ---- */

vt_peer *vt_router_peer(vt_router *router, const void *identity, size_t len);
/* Remove a peer: subscriptions dropped, "peerlist drop" to the others. */
void vt_router_drop_peer(vt_router *router, const char *identity);

/* Outgoing message under construction: the frames after the recipient
 * (sender, "VIP1", user-id, id, subsystem, args...). */
#define VT_ROUTER_MAX_FRAMES 64
typedef struct vt_out {
    zmq_msg_t f[VT_ROUTER_MAX_FRAMES];
    size_t n;
} vt_out;

void vt_out_init(vt_out *o);
void vt_out_close(vt_out *o);
void vt_out_str(vt_out *o, const char *s);
void vt_out_bytes(vt_out *o, const void *data, size_t len);
/* A copy of src that shares its bytes (ZeroMQ reference counting). */
void vt_out_copy(vt_out *o, zmq_msg_t *src);
/* A router-generated message header: sender "", VIP1, user, id, subsystem. */
void vt_out_header(vt_out *o, const void *user, size_t ulen, zmq_msg_t *id, const char *subsystem);

/* Send o to peer `to`: 0, -EHOSTUNREACH (not a connected, verified peer),
 * -EAGAIN (its queue is full: as many messages as libzmq holds, or as many
 * bytes as the router allows). On failure o's frames are left for the
 * caller, who closes them. */
int vt_router_send(vt_router *router, const void *to, size_t tolen, vt_out *o);
/* The same when the peer is known already (NULL: not a peer, send anyway). */
int vt_router_send_peer(vt_router *router, vt_peer *peer, const void *to, size_t tolen, vt_out *o);

/* Send a VIP error back to the sender of f (R-format): errno, text,
 * recipient, subsystem; user-id = the sender when user_is_sender, else "". */
void vt_router_error(vt_router *router, zmq_msg_t *f, bool user_is_sender, int errnum,
                     const char *text, const void *recipient, size_t rlen, const void *subsystem,
                     size_t slen);

/* The router's ZAP handler (zap.h), or NULL without authentication. */
vt_zap *vt_router_zap(vt_router *router);

/* The pubsub service (pubsub_service.c). */
typedef struct vt_pubsub_svc vt_pubsub_svc;
vt_pubsub_svc *vt_pubsub_svc_new(vt_router *router);
void vt_pubsub_svc_destroy(vt_pubsub_svc **svc);
/* Handle a pubsub request; f[0] is the sender (R-format frames). */
void vt_pubsub_svc_handle(vt_pubsub_svc *svc, vt_peer *sender, zmq_msg_t *f, size_t n);
/* Forget every subscription of a departing peer. */
void vt_pubsub_svc_drop(vt_pubsub_svc *svc, vt_peer *peer);
size_t vt_pubsub_svc_count(const vt_pubsub_svc *svc);

/* Rate-limited warning for bad input from the network: one line per
 * second at most, with a count of what was suppressed. */
void vt_router_warn(vt_router *router, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
