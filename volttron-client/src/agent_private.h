/* Internals of vt_agent shared by the core and the built-in subsystems. */
#ifndef VT_AGENT_PRIVATE_H
#define VT_AGENT_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <volttron/client/agent.h>
#include <volttron/client/conn.h>
#include <volttron/client/keys.h>
#include <volttron/utils/map.h>

#include "message_private.h"

#define VT_LOG_SRC(agent) ((agent)->identity)

typedef struct vt_hook {
    vt_agent_fn fn;
    void *ctx;
    struct vt_hook *next;
} vt_hook;

/* A failure of a tracked request, from the error subsystem or locally. */
typedef struct vt_vip_error {
    int errnum;            /* 113, 93, 11 from the platform; ETIMEDOUT, ENOTCONN locally */
    const char *text;      /* "No route to host" */
    const char *peer;      /* intended recipient, "" if unknown */
    const char *subsystem; /* original subsystem, "" if unknown */
} vt_vip_error;

/* Exactly one of reply / err is non-NULL. */
typedef void (*vt_reply_fn)(vt_agent *agent, const vt_message *reply, const vt_vip_error *err,
                            void *ctx);

enum vt_agent_state {
    VT_AGENT_IDLE,
    VT_AGENT_OPENING,
    VT_AGENT_HELLO,
    VT_AGENT_CONNECTED
};

struct vt_rpc;
struct vt_pubsub;
struct vt_health;
struct vt_peerlist;
struct vt_configs;
struct vt_auth;
struct vt_channels;

struct vt_agent {
    char *identity;
    char *home;
    char *address;
    char *version;
    char *data_dir;
    cJSON *config;
    bool auth;
    vt_keypair keys;
    char serverkey[VT_KEY_TEXT_SIZE];
    bool fail_fast;
    bool signals;
    int heartbeat_period;

    vt_loop *loop;
    bool own_loop;
    vt_conn *conn;
    enum vt_agent_state state;
    unsigned hello_count;
    unsigned hello_retries; /* fresh connections tried without a welcome */
    char hello_id[32];
    vt_timer *hello_timer;

    bool started; /* on_start hooks ran */
    bool stopped; /* vt_agent_stop ran */
    int exit_code;

    vt_map *subsystems; /* name -> struct subsystem */
    vt_map *pending;    /* message id -> struct pending */
    uint64_t next_id;

    vt_hook *on_start, *on_stop, *on_connect, *on_disconnect;

    /* Messages received while a blocking call waited, in arrival order. */
    vt_message *backlog_head, *backlog_tail;
    int blocking;

    struct vt_rpc *rpc;
    struct vt_pubsub *pubsub;
    struct vt_health *health;
    struct vt_peerlist *peerlist;
    struct vt_configs *configs;
    struct vt_auth *auth_state;
    struct vt_channels *channels;
};

/* Track a request: returns its new message id (stored in the agent until the
 * request completes; copy it if needed after sending). fn runs once: with the
 * reply, with a VIP error, or with ETIMEDOUT after timeout_ms (<= 0: never). */
const char *vt_agent_track(vt_agent *agent, int timeout_ms, vt_reply_fn fn, void *ctx);
/* Complete the request with id (len bytes): returns false if none. */
bool vt_agent_resolve(vt_agent *agent, const void *id, size_t len, const vt_message *reply,
                      const vt_vip_error *err);
/* Track and send in one step: returns the id, or NULL when sending failed
 * (fn has then been called with the error). args are consumed. */
const char *vt_agent_request(vt_agent *agent, const char *peer, const char *subsystem,
                             vt_message *args, int timeout_ms, vt_reply_fn fn, void *ctx);
/* Forget a request without calling it. */
void vt_agent_untrack(vt_agent *agent, const char *id);
/* Block until request id completes or timeout_ms passes (then it completes
 * with ETIMEDOUT). Other messages are queued for later. When this returns
 * the request has completed, one way or another. 0 or -ENOTSUP. */
int vt_agent_wait(vt_agent *agent, const char *id, int timeout_ms);

/* Deliver a message the caller keeps (and reuses): dispatched at once, or
 * its frames moved into a queued copy when a blocking call is waiting. */
void vt_agent_deliver_borrowed(vt_agent *agent, vt_message *msg);

/* Internal hook lists, run after every welcome / on disconnect. */
void vt_agent_hook_add(vt_hook **list, vt_agent_fn fn, void *ctx);
void vt_agent_hooks_run(vt_agent *agent, vt_hook *list);

/* Subsystem setup/teardown, called by the core. */
void vt_hello_init(vt_agent *agent);
void vt_hello_say(vt_agent *agent);
void vt_ping_init(vt_agent *agent);
void vt_peerlist_init(vt_agent *agent);
void vt_peerlist_fini(vt_agent *agent);
void vt_error_init(vt_agent *agent);
void vt_query_init(vt_agent *agent);
void vt_rpc_init(vt_agent *agent);
void vt_rpc_fini(vt_agent *agent);
void vt_pubsub_init(vt_agent *agent);
void vt_pubsub_fini(vt_agent *agent);
void vt_health_init(vt_agent *agent);
void vt_configstore_init(vt_agent *agent, bool enabled);
void vt_channel_init(vt_agent *agent);
void vt_channel_fini(vt_agent *agent);
void vt_configstore_fini(vt_agent *agent);
void vt_health_fini(vt_agent *agent);

/* The errno frame of a VIP error: ASCII decimal, or 4 bytes little-endian
 * (as a Python router re-encodes it). 0 if neither. */
int vt_vip_parse_errno(const void *data, size_t len);

/* The welcome arrived: state CONNECTED, hooks run. */
void vt_agent_welcomed(vt_agent *agent);

/* Reply to msg with a VIP error ("93" style: errno text, strerror, subsystem). */
void vt_agent_reply_error(vt_agent *agent, const vt_message *msg, int errnum, const char *text);

/* Resolve the agent's identity, keys, address and server key from options
 * and the environment (agent_env.c). */
int vt_agent_configure(vt_agent *agent, const vt_agent_options *opts);

/* The ZeroMQ connection (conn_zmq.c). */
vt_conn *vt_conn_zmq_new(vt_agent *agent);
/* Replace conn's transport with a fresh connection (the agent says hello
 * again when it is up): false if conn is not a ZeroMQ connection. */
bool vt_conn_zmq_reconnect(vt_conn *conn);

#endif
