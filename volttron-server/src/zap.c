/* ZAP: the ZeroMQ authentication handler (zap.h). libzmq asks it about
 * every CURVE handshake; it admits the keys listed in auth.json's allow list
 * (reloaded when the file changes) and answers failures after a growing
 * delay, as VOLTTRON does, so key guessing is slow. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <zmq.h>

#include <volttron/client/identity.h>
#include <volttron/client/loop.h>
#include <volttron/utils/buf.h>
#include <volttron/utils/encoding.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/pattern.h>
#include <volttron/utils/map.h>
#include <volttron/utils/time.h>
#include <volttron/utils/uuid.h>

#include "authfile.h"
#include "zap.h"

#define LOG "volttron.auth"
#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define MAX_DELAY_MS 100000
/* An address that has not failed for this long starts over at a short delay. */
#define FORGIVE_MS (5 * 60 * 1000)
/* Refused credentials and failing addresses come from strangers: keep a
 * bounded number (the oldest go first), or new keys would grow memory
 * without end. */
#define MAX_PENDING 1000
#define MAX_FAILURES 10000
/* Failures answered late at once: beyond this many, refusals go out
 * without the delay rather than holding memory for a flood. */
#define MAX_DELAYED 1000

typedef struct failure {
    int64_t delay_ms;
    int64_t last_ms;
} failure;

typedef struct pending_reply {
    struct vt_zap *zap;
    zmq_msg_t f[8];
    size_t n;
    bool delayed;
} pending_reply;

struct vt_zap {
    vt_loop *loop;
    void *sock;
    char *path;
    vt_authfile *auth;
    vt_map *failures; /* address -> failure */
    cJSON *pending;   /* refused credentials, for platform.auth (§6.5) */
    bool setup_mode;
    size_t delayed;      /* refusals waiting for their delay */
    unsigned generation; /* bumped at every reload of auth.json */
    vt_timer *watch;
    void (*before)(void *ctx);
    void *before_ctx;
};

/* Remember a refused credential: a repeat only counts up its retries. */
static void note_pending(struct vt_zap *z, const char *domain, const char *address,
                         const char *mechanism, const char *credentials)
{
    cJSON *e;
    cJSON_ArrayForEach (e, z->pending) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "credentials");
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "address");
        if (cJSON_IsString(c) && strcmp(c->valuestring, credentials) == 0 && cJSON_IsString(a) &&
            strcmp(a->valuestring, address) == 0) {
            cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "retries");
            cJSON_SetNumberValue(r, r->valuedouble + 1);
            return;
        }
    }
    if (cJSON_GetArraySize(z->pending) >= MAX_PENDING)
        cJSON_DeleteItemFromArray(z->pending, 0);
    e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "domain", domain);
    cJSON_AddStringToObject(e, "address", address);
    cJSON_AddStringToObject(e, "mechanism", mechanism);
    cJSON_AddStringToObject(e, "credentials", credentials);
    char uuid[VT_UUID_SIZE];
    vt_uuid4(uuid);
    cJSON_AddStringToObject(e, "user_id", uuid);
    cJSON_AddNumberToObject(e, "retries", 0);
    cJSON_AddItemToArray(z->pending, e);
}

cJSON *vt_zap_pending(vt_zap *z)
{
    return z->pending;
}

void vt_zap_set_setup_mode(vt_zap *z, bool on)
{
    z->setup_mode = on;
}

static void reload_if_changed(struct vt_zap *z)
{
    if (z->auth && !vt_authfile_changed(z->auth))
        return;
    vt_authfile *fresh = vt_authfile_load(z->path);
    if (!fresh) {
        /* Keep serving with what we had: a half-edited file locks no one out. */
        vt_log_error(LOG, "auth file not reloaded: %s", vt_last_error());
        return;
    }
    vt_authfile_destroy(&z->auth);
    z->auth = fresh;
    z->generation++;
    vt_log_info(LOG, "loaded %s (%d allow entries)", z->path,
                cJSON_GetArraySize(vt_authfile_allow(z->auth)));
}

static bool is_regex(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 1 && s[0] == '/' && s[n - 1] == '/';
}

static const char *member(const cJSON *e, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* First enabled allow entry that admits the request; literal credentials are
 * tried before patterns. */
static const cJSON *authenticate(struct vt_zap *z, const char *domain, const char *address,
                                 const char *mechanism, const char *credentials)
{
    if (!z->auth)
        return NULL;
    for (int pass = 0; pass < 2; pass++) {
        const cJSON *e;
        cJSON_ArrayForEach (e, vt_authfile_allow(z->auth)) {
            const cJSON *enabled = cJSON_GetObjectItemCaseSensitive(e, "enabled");
            if (cJSON_IsFalse(enabled))
                continue;
            const char *cred = member(e, "credentials");
            if (is_regex(cred) != (pass == 1))
                continue;
            const char *mech = member(e, "mechanism");
            if (strcmp(mech ? mech : "CURVE", mechanism) != 0)
                continue;
            if (!vt_pattern_match(member(e, "domain"), domain) ||
                !vt_pattern_match(member(e, "address"), address))
                continue;
            if (strcmp(mechanism, "NULL") != 0 && (!cred || !vt_pattern_match(cred, credentials)))
                continue;
            return e;
        }
    }
    return NULL;
}

/* Whether an entry's "identity" (literal or /regex/) names identity: a
 * literal also names its dotted sub-identities. Regexes never reach the
 * platform's own names. */
static bool names_identity(const char *rule, const char *identity)
{
    if (is_regex(rule))
        return !vt_identity_reserved(identity) && vt_pattern_match(rule, identity);
    size_t n = strlen(rule);
    return strncmp(identity, rule, n) == 0 && (identity[n] == '\0' || identity[n] == '.');
}

/* The allow entry other than self that names identity, if any. */
static const cJSON *owner(struct vt_zap *z, const cJSON *self, const char *identity)
{
    const cJSON *e;
    cJSON_ArrayForEach (e, vt_authfile_allow(z->auth)) {
        const char *rule = member(e, "identity");
        if (e != self && rule && *rule && names_identity(rule, identity))
            return e;
    }
    return NULL;
}

int vt_zap_bind(vt_zap *z, const char *key, const char *address, const char *identity, char **user)
{
    reload_if_changed(z);
    const cJSON *e =
        key && *key ? authenticate(z, "vip", address ? address : "", "CURVE", key) : NULL;
    if (!e)
        return vt_error_set(-EACCES, "key %s has no enabled allow entry (any more)",
                            key && *key ? key : "-");
    const char *user_id = member(e, "user_id");
    const char *rule = member(e, "identity");
    if (rule && *rule) {
        if (!names_identity(rule, identity))
            return vt_error_set(-EACCES, "its auth entry (user %s) is for identity %s",
                                user_id ? user_id : "-", rule);
    } else {
        if (vt_identity_reserved(identity))
            return vt_error_set(-EACCES, "%s is reserved for the platform", identity);
        const cJSON *o = owner(z, e, identity);
        if (o)
            return vt_error_set(-EACCES, "%s belongs to the auth entry of user %s", identity,
                                member(o, "user_id") ? member(o, "user_id") : "-");
    }
    *user = vt_strdup(user_id ? user_id : "");
    return 0;
}

void vt_zap_before_answer(vt_zap *z, void (*fn)(void *ctx), void *ctx)
{
    z->before = fn;
    z->before_ctx = ctx;
}

unsigned vt_zap_generation(const vt_zap *z)
{
    return z->generation;
}

static void send_reply(void *sock, zmq_msg_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        zmq_msg_send(&f[i], sock, i + 1 < n ? ZMQ_SNDMORE | ZMQ_DONTWAIT : ZMQ_DONTWAIT);
}

static void reply_free(void *ctx)
{
    pending_reply *pr = ctx;
    if (pr->delayed)
        pr->zap->delayed--;
    for (size_t i = 0; i < pr->n; i++)
        zmq_msg_close(&pr->f[i]);
    free(pr);
}

/* Fires after the failure delay; reply_free releases it afterwards. */
static void delayed_reply(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    pending_reply *pr = ctx;
    send_reply(pr->zap->sock, pr->f, pr->n);
}

static void set_str(zmq_msg_t *m, const char *s)
{
    zmq_msg_init_size(m, strlen(s));
    memcpy(zmq_msg_data(m), s, strlen(s));
}

/* Make room: forget addresses forgiven by now, or all when none is. */
static void forget_failures(struct vt_zap *z, int64_t now)
{
    vt_buf old;
    vt_buf_init(&old);
    size_t cursor = 0;
    const char *key;
    void *val;
    while (vt_map_next(z->failures, &cursor, &key, &val)) {
        failure *fl = val;
        if (now - fl->last_ms > FORGIVE_MS)
            vt_buf_append(&old, key, strlen(key) + 1);
    }
    if (!old.len)
        vt_map_clear(z->failures);
    for (size_t pos = 0; pos < old.len; pos += strlen(old.data + pos) + 1)
        vt_map_remove(z->failures, old.data + pos);
    vt_buf_free(&old);
}

static int64_t failure_delay(struct vt_zap *z, const char *address)
{
    int64_t now = vt_time_monotonic_ms();
    failure *fl = vt_map_get(z->failures, address);
    if (!fl || now - fl->last_ms > FORGIVE_MS) {
        if (!fl) {
            if (vt_map_size(z->failures) >= MAX_FAILURES)
                forget_failures(z, now);
            fl = vt_calloc(1, sizeof *fl);
            vt_map_set(z->failures, address, fl);
        }
        uint16_t r = 0;
        if (getrandom(&r, sizeof r, 0) < 0)
            r = 500;
        fl->delay_ms = r % 1000;
    } else {
        fl->delay_ms = fl->delay_ms ? fl->delay_ms * 2 : 1;
        if (fl->delay_ms > MAX_DELAY_MS)
            fl->delay_ms = MAX_DELAY_MS;
    }
    fl->last_ms = now;
    return fl->delay_ms;
}

static char *frame_str(zmq_msg_t *m)
{
    return vt_strndup(zmq_msg_data(m), zmq_msg_size(m));
}

/* Request: [peer, "", "1.0", request id, domain, address, routing id,
 * mechanism, credentials...]. */
static void handle_request(struct vt_zap *z, zmq_msg_t *f, size_t n)
{
    if (n < 8 || zmq_msg_size(&f[2]) != 3 || memcmp(zmq_msg_data(&f[2]), "1.0", 3) != 0)
        return;
    char *domain = frame_str(&f[4]), *address = frame_str(&f[5]);
    /* f[6] would be the routing id, but libzmq sends the server socket's
     * own: who the peer claims to be is only known from its messages. */
    char *mechanism = frame_str(&f[7]);
    char credentials[VT_KEY_TEXT_LEN + 1] = "";
    bool known_mechanism = strcmp(mechanism, "CURVE") == 0 || strcmp(mechanism, "NULL") == 0 ||
                           strcmp(mechanism, "PLAIN") == 0;
    if (strcmp(mechanism, "CURVE") == 0) {
        if (n >= 9 && zmq_msg_size(&f[8]) == VT_KEY_BYTES)
            vt_key_encode(zmq_msg_data(&f[8]), credentials);
        else
            known_mechanism = false;
    }
    if (!known_mechanism) {
        free(domain);
        free(address);
        free(mechanism);
        return;
    }
    if (z->before)
        z->before(z->before_ctx);
    reload_if_changed(z);
    const cJSON *entry = authenticate(z, domain, address, mechanism, credentials);
    bool admitted = entry != NULL;
    if (!admitted && z->setup_mode && credentials[0]) {
        /* Setup mode: admit and remember the stranger (§6.4). */
        char setup_user[VT_UUID_SIZE];
        vt_uuid4(setup_user);
        vt_authfile_add(z->auth,
                        vt_auth_entry_new(credentials, setup_user, NULL, NULL,
                                          "Auth entry added in setup mode"),
                        false);
        vt_authfile_save(z->auth);
        z->generation++;
        admitted = true;
    }
    if (!admitted)
        note_pending(z, domain, address, mechanism, credentials);
    /* The User-Id every message of the connection will carry: the key it
     * proved, from which the router finds its entry (vt_zap_bind). */
    const char *user = admitted ? credentials : NULL;

    pending_reply *pr = vt_calloc(1, sizeof *pr);
    pr->zap = z;
    zmq_msg_init(&pr->f[0]);
    zmq_msg_copy(&pr->f[0], &f[0]);
    set_str(&pr->f[1], "");
    set_str(&pr->f[2], "1.0");
    zmq_msg_init(&pr->f[3]);
    zmq_msg_copy(&pr->f[3], &f[3]);
    set_str(&pr->f[4], user ? "200" : "400");
    set_str(&pr->f[5], user ? "SUCCESS" : "FAIL");
    set_str(&pr->f[6], user ? user : "");
    set_str(&pr->f[7], "");
    pr->n = 8;
    if (user) {
        vt_log_debug(LOG, "admitted a %s connection from \"%s\" with key %s", mechanism, address,
                     credentials[0] ? credentials : "-");
        send_reply(z->sock, pr->f, pr->n);
        reply_free(pr);
    } else {
        int64_t delay = failure_delay(z, address);
        vt_log_warning(LOG,
                       "refused a %s connection from \"%s\" with key %s: no allow entry "
                       "in %s (add one with: vctl auth add --credentials %s)",
                       mechanism, address, credentials[0] ? credentials : "-", z->path,
                       credentials[0] ? credentials : "<key>");
        if (z->delayed >= MAX_DELAYED) {
            send_reply(z->sock, pr->f, pr->n);
            reply_free(pr);
        } else {
            pr->delayed = true;
            z->delayed++;
            vt_loop_timer(z->loop, delay, 0, delayed_reply, pr, reply_free);
        }
    }
    free(domain);
    free(address);
    free(mechanism);
}

static void on_zap(vt_loop *loop, void *sock, unsigned events, void *ctx)
{
    (void)loop;
    (void)events;
    struct vt_zap *z = ctx;
    for (;;) {
        zmq_msg_t f[16];
        size_t n = 0;
        bool more = true;
        while (more) {
            zmq_msg_t tmp;
            zmq_msg_init(&tmp);
            if (zmq_msg_recv(&tmp, sock, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&tmp);
                for (size_t i = 0; i < n; i++)
                    zmq_msg_close(&f[i]);
                return;
            }
            more = zmq_msg_more(&tmp);
            if (n < 16) {
                zmq_msg_init(&f[n]);
                zmq_msg_move(&f[n++], &tmp);
            }
            zmq_msg_close(&tmp);
        }
        handle_request(z, f, n);
        for (size_t i = 0; i < n; i++)
            zmq_msg_close(&f[i]);
    }
}

static void watch(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    reload_if_changed(ctx);
}

vt_zap *vt_zap_new(vt_loop *loop, void *zctx, const char *volttron_home)
{
    struct vt_zap *z = vt_calloc(1, sizeof *z);
    z->loop = loop;
    z->path = vt_fs_path_join(volttron_home, "auth.json");
    z->failures = vt_map_new(free);
    z->pending = cJSON_CreateArray();
    z->sock = zmq_socket(zctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(z->sock, ZAP_ENDPOINT) < 0) {
        vt_error_set(-errno, "cannot bind the ZAP handler: %s", zmq_strerror(errno));
        zmq_close(z->sock);
        z->sock = NULL;
        vt_zap_destroy(&z);
        return NULL;
    }
    reload_if_changed(z);
    vt_loop_add_zsock(loop, z->sock, VT_LOOP_READ, on_zap, z);
    /* Edits take effect on live connections too (the router binds them
     * again), not only at the next handshake. */
    z->watch = vt_loop_every(loop, 1000, 1000, watch, z);
    return z;
}

void vt_zap_destroy(vt_zap **zp)
{
    if (!zp || !*zp)
        return;
    struct vt_zap *z = *zp;
    if (z->watch)
        vt_timer_cancel(z->loop, z->watch);
    if (z->sock) {
        vt_loop_remove_zsock(z->loop, z->sock);
        zmq_close(z->sock);
    }
    vt_authfile_destroy(&z->auth);
    vt_map_destroy(&z->failures);
    cJSON_Delete(z->pending);
    free(z->path);
    free(z);
    *zp = NULL;
}
