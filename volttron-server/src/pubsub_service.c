/* The router's pubsub service: subscriptions per (bus, prefix) in a radix
 * tree per bus, publish delivery (each subscriber once, however many of its
 * prefixes match), and the subscribe / unsubscribe / synchronize / list
 * operations, with the acknowledgements in the byte forms VOLTTRON 9 sends. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/rpc.h>
#include <volttron/utils/buf.h>
#include <volttron/utils/error.h>
#include <volttron/utils/json.h>
#include <volttron/utils/log.h>
#include <volttron/utils/map.h>
#include <volttron/utils/mem.h>

#include "json_scan.h"
#include "protected.h"
#include "router.h"
#include "trie.h"

#define LOG "volttron.pubsub"

enum {
    SCOPE_INTERNAL = 1,
    SCOPE_ALL = 2
};

/* What one peer's subscriptions may hold: far beyond any agent's needs, and
 * a bound on what a peer can make the router keep. */
#define MAX_SUBS_PER_PEER 10000
#define MAX_SUB_BYTES_PER_PEER (1u << 20)

typedef struct subscriber {
    vt_peer *peer;
    unsigned scopes;
} subscriber;

typedef struct subset {
    subscriber *v;
    size_t n, cap;
} subset;

/* One subscription, as the peer remembers it (to drop or list). */
typedef struct peer_sub {
    char *bus;
    char *prefix;
    size_t plen;
    unsigned scope;
    struct peer_sub *next;
} peer_sub;

struct vt_pubsub_svc {
    vt_router *router;
    vt_map *buses; /* bus name -> vt_trie of subset */
    uint64_t seq;  /* publish counter, for delivering once */
    size_t count;
    vt_protected *protected; /* topics only some publishers may use */
    vt_peer **targets;       /* scratch: subscribers of the current publish */
    size_t ntargets, captargets;
};

static void subset_free(void *p)
{
    subset *s = p;
    free(s->v);
    free(s);
}

static void trie_free(void *p)
{
    vt_trie *t = p;
    vt_trie_destroy(&t, subset_free);
}

vt_pubsub_svc *vt_pubsub_svc_new(vt_router *router)
{
    vt_pubsub_svc *svc = vt_calloc(1, sizeof *svc);
    svc->router = router;
    svc->buses = vt_map_new(trie_free);
    svc->protected = vt_protected_new();
    return svc;
}

void vt_pubsub_svc_destroy(vt_pubsub_svc **sp)
{
    if (!sp || !*sp)
        return;
    vt_map_destroy(&(*sp)->buses);
    vt_protected_destroy(&(*sp)->protected);
    free((*sp)->targets);
    free(*sp);
    *sp = NULL;
}

size_t vt_pubsub_svc_count(const vt_pubsub_svc *svc)
{
    return svc->count;
}

/* ---- the subscription table ---- */

/* 1: added; 0: the peer had it already; -1: refused (over its bounds). */
static int sub_add(vt_pubsub_svc *svc, vt_peer *peer, unsigned scope, const char *bus, size_t blen,
                   const char *prefix, size_t plen)
{
    if (!peer->service && (peer->nsubs >= MAX_SUBS_PER_PEER ||
                           peer->sub_bytes + plen + blen > MAX_SUB_BYTES_PER_PEER)) {
        vt_router_warn(svc->router,
                       "subscription of %s refused: it holds %zu subscriptions "
                       "(%zu bytes), the most a peer may",
                       peer->identity, peer->nsubs, peer->sub_bytes);
        return -1;
    }
    vt_trie *t = vt_map_getn(svc->buses, bus, blen);
    if (!t) {
        t = vt_trie_new();
        vt_map_setn(svc->buses, bus, blen, t);
    }
    void **slot = vt_trie_slot(t, prefix, plen);
    subset *set = *slot;
    if (!set)
        *slot = set = vt_calloc(1, sizeof *set);
    for (size_t i = 0; i < set->n; i++) {
        if (set->v[i].peer == peer) {
            if (set->v[i].scopes & scope)
                return 0;
            set->v[i].scopes |= scope;
            goto remember;
        }
    }
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 2;
        set->v = vt_realloc(set->v, set->cap * sizeof *set->v);
    }
    set->v[set->n++] = (subscriber){.peer = peer, .scopes = scope};
remember:;
    peer_sub *ps = vt_calloc(1, sizeof *ps);
    ps->bus = vt_strndup(bus, blen);
    ps->prefix = vt_strndup(prefix, plen);
    ps->plen = plen;
    ps->scope = scope;
    ps->next = peer->subs;
    peer->subs = ps;
    peer->nsubs++;
    peer->sub_bytes += plen + blen;
    svc->count++;
    return 1;
}

/* Remove one (scope, bus, prefix) of peer from the tree (not its list). */
static void tree_remove(vt_pubsub_svc *svc, vt_peer *peer, const peer_sub *ps)
{
    vt_trie *t = vt_map_get(svc->buses, ps->bus);
    subset *set = t ? vt_trie_get(t, ps->prefix, ps->plen) : NULL;
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        if (set->v[i].peer != peer)
            continue;
        set->v[i].scopes &= ~ps->scope;
        if (!set->v[i].scopes)
            set->v[i] = set->v[--set->n];
        break;
    }
    if (set->n == 0) {
        subset_free(set);
        vt_trie_remove(t, ps->prefix, ps->plen);
    }
}

static void peer_sub_free(peer_sub *ps)
{
    free(ps->bus);
    free(ps->prefix);
    free(ps);
}

/* Remove peer's subscriptions matching scope/bus/prefix (NULL = any). */
static void sub_remove(vt_pubsub_svc *svc, vt_peer *peer, unsigned scope, const char *bus,
                       const char *prefix)
{
    peer_sub **pp = &peer->subs;
    while (*pp) {
        peer_sub *ps = *pp;
        if ((ps->scope & scope) && (!bus || strcmp(ps->bus, bus) == 0) &&
            (!prefix || strcmp(ps->prefix, prefix) == 0)) {
            tree_remove(svc, peer, ps);
            *pp = ps->next;
            peer->nsubs--;
            peer->sub_bytes -= ps->plen + strlen(ps->bus);
            peer_sub_free(ps);
            svc->count--;
        } else {
            pp = &ps->next;
        }
    }
}

void vt_pubsub_svc_drop(vt_pubsub_svc *svc, vt_peer *peer)
{
    sub_remove(svc, peer, SCOPE_INTERNAL | SCOPE_ALL, NULL, NULL);
}

/* ---- replies ---- */

static void respond(vt_pubsub_svc *svc, zmq_msg_t *f, const char *op, const void *value, size_t len)
{
    vt_out o;
    vt_out_init(&o);
    vt_out_header(&o, zmq_msg_data(&f[0]), zmq_msg_size(&f[0]), &f[4], "pubsub");
    vt_out_str(&o, op);
    vt_out_bytes(&o, value, len);
    vt_router_send(svc->router, zmq_msg_data(&f[0]), zmq_msg_size(&f[0]), &o);
    vt_out_close(&o);
}

/* Acknowledgements as Python packs them: a bool is one byte. */
static void ack_bool(vt_pubsub_svc *svc, zmq_msg_t *f, bool ok)
{
    respond(svc, f, "request_response", ok ? "\x01" : "\x00", 1);
}

/* A publish count: 4 bytes little-endian (struct "I"). */
static void ack_count(vt_pubsub_svc *svc, zmq_msg_t *f, uint32_t count)
{
    if (zmq_msg_size(&f[4]) == 0)
        return; /* nobody can match an answer to an empty id: save the send */
    uint8_t b[4] = {(uint8_t)count, (uint8_t)(count >> 8), (uint8_t)(count >> 16),
                    (uint8_t)(count >> 24)};
    respond(svc, f, "request_response", b, 4);
}

/* The JSON frame at f[i] as an object, or NULL. */
static cJSON *json_arg(zmq_msg_t *f, size_t n, size_t i)
{
    if (i >= n)
        return NULL;
    cJSON *doc = vt_json_parse(zmq_msg_data(&f[i]), zmq_msg_size(&f[i]), 0, "pubsub", NULL);
    if (doc && !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    return doc;
}

/* ---- operations ---- */

static bool add_prefixes(vt_pubsub_svc *svc, vt_peer *peer, unsigned scope, const char *bus,
                         const cJSON *prefix)
{
    if (cJSON_IsString(prefix))
        return sub_add(svc, peer, scope, bus, strlen(bus), prefix->valuestring,
                       strlen(prefix->valuestring)) >= 0;
    if (!cJSON_IsArray(prefix))
        return false;
    bool ok = true;
    const cJSON *p;
    cJSON_ArrayForEach (p, prefix) {
        if (cJSON_IsString(p) &&
            sub_add(svc, peer, scope, bus, strlen(bus), p->valuestring, strlen(p->valuestring)) < 0)
            ok = false;
    }
    return ok;
}

static void op_subscribe(vt_pubsub_svc *svc, vt_peer *peer, zmq_msg_t *f, size_t n)
{
    cJSON *req = json_arg(f, n, 7);
    const cJSON *prefix = cJSON_GetObjectItemCaseSensitive(req, "prefix");
    const cJSON *bus = cJSON_GetObjectItemCaseSensitive(req, "bus");
    bool ok = false;
    if (req && prefix && cJSON_IsString(bus)) {
        unsigned scope = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "all_platforms"))
                             ? SCOPE_ALL
                             : SCOPE_INTERNAL;
        ok = add_prefixes(svc, peer, scope, bus->valuestring, prefix);
    } else {
        vt_router_warn(svc->router, "malformed subscribe from %s", peer->identity);
    }
    cJSON_Delete(req);
    ack_bool(svc, f, ok);
}

static void unsubscribe_scope(vt_pubsub_svc *svc, vt_peer *peer, unsigned scope, const cJSON *spec)
{
    const cJSON *bus = cJSON_GetObjectItemCaseSensitive(spec, "bus");
    const char *b = cJSON_IsString(bus) ? bus->valuestring : "";
    const cJSON *prefix = cJSON_GetObjectItemCaseSensitive(spec, "prefix");
    if (!prefix || cJSON_IsNull(prefix)) {
        sub_remove(svc, peer, scope, b, NULL);
    } else if (cJSON_IsString(prefix)) {
        sub_remove(svc, peer, scope, b, prefix->valuestring);
    } else if (cJSON_IsArray(prefix)) {
        const cJSON *p;
        cJSON_ArrayForEach (p, prefix) {
            if (cJSON_IsString(p))
                sub_remove(svc, peer, scope, b, p->valuestring);
        }
    }
}

static void op_unsubscribe(vt_pubsub_svc *svc, vt_peer *peer, zmq_msg_t *f, size_t n)
{
    cJSON *req = json_arg(f, n, 7);
    if (!req) {
        vt_router_warn(svc->router, "malformed unsubscribe from %s", peer->identity);
        ack_bool(svc, f, false);
        return;
    }
    const cJSON *internal = cJSON_GetObjectItemCaseSensitive(req, "internal");
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(req, "all");
    if (cJSON_IsObject(internal))
        unsubscribe_scope(svc, peer, SCOPE_INTERNAL, internal);
    if (cJSON_IsObject(all))
        unsubscribe_scope(svc, peer, SCOPE_ALL, all);
    if (!internal && !all) /* the legacy form means the internal scope */
        unsubscribe_scope(svc, peer, SCOPE_INTERNAL, req);
    cJSON_Delete(req);
    ack_bool(svc, f, true);
}

static void op_synchronize(vt_pubsub_svc *svc, vt_peer *peer, zmq_msg_t *f, size_t n)
{
    /* ["synchronize", "connected", {"subscriptions": {scope: {bus: [prefix...]}}}] */
    cJSON *req = json_arg(f, n, 8);
    const cJSON *subs = cJSON_GetObjectItemCaseSensitive(req, "subscriptions");
    if (!cJSON_IsObject(subs)) {
        vt_router_warn(svc->router, "malformed synchronize from %s", peer->identity);
        cJSON_Delete(req);
        return;
    }
    vt_pubsub_svc_drop(svc, peer);
    const cJSON *scope_obj;
    cJSON_ArrayForEach (scope_obj, subs) {
        unsigned scope = strcmp(scope_obj->string, "all") == 0 ? SCOPE_ALL : SCOPE_INTERNAL;
        const cJSON *bus;
        cJSON_ArrayForEach (bus, scope_obj) {
            add_prefixes(svc, peer, scope, bus->string, bus);
        }
    }
    cJSON_Delete(req);
}

typedef struct list_ctx {
    vt_peer *peer;
    const char *bus_name;
    const char *prefix;
    size_t plen;
    unsigned scope;
    bool subscribed, reverse;
    cJSON *out;
} list_ctx;

static void list_one(const char *key, size_t len, void *value, void *ctx)
{
    list_ctx *lc = ctx;
    subset *set = value;
    bool member = false, in_scope = false;
    for (size_t i = 0; i < set->n; i++) {
        if (set->v[i].scopes & lc->scope) {
            in_scope = true;
            if (set->v[i].peer == lc->peer)
                member = true;
        }
    }
    if (!in_scope || (lc->subscribed && !member))
        return;
    bool match = lc->reverse ? (len <= lc->plen && memcmp(lc->prefix, key, len) == 0)
                             : (len >= lc->plen && memcmp(key, lc->prefix, lc->plen) == 0);
    if (!match)
        return;
    cJSON *triple = cJSON_CreateArray();
    cJSON_AddItemToArray(triple, cJSON_CreateString(lc->bus_name));
    char *k = vt_strndup(key, len);
    cJSON_AddItemToArray(triple, cJSON_CreateString(k));
    free(k);
    cJSON_AddItemToArray(triple, cJSON_CreateBool(member));
    cJSON_AddItemToArray(lc->out, triple);
}

static void op_list(vt_pubsub_svc *svc, vt_peer *peer, zmq_msg_t *f, size_t n)
{
    cJSON *req = json_arg(f, n, 7);
    cJSON *out = cJSON_CreateArray();
    if (req) {
        const cJSON *prefix = cJSON_GetObjectItemCaseSensitive(req, "prefix");
        const cJSON *bus = cJSON_GetObjectItemCaseSensitive(req, "bus");
        list_ctx lc = {
            .peer = peer,
            .prefix = cJSON_IsString(prefix) ? prefix->valuestring : "",
            .scope = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "all_platforms"))
                         ? SCOPE_ALL
                         : SCOPE_INTERNAL,
            .subscribed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "subscribed")),
            .reverse = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "reverse")),
            .out = out,
        };
        lc.plen = strlen(lc.prefix);
        size_t cursor = 0;
        const char *name;
        void *t;
        while (vt_map_next(svc->buses, &cursor, &name, &t)) {
            if (cJSON_IsString(bus) && strcmp(bus->valuestring, name) != 0)
                continue; /* bus null or absent: every bus */
            lc.bus_name = name;
            vt_trie_walk(t, list_one, &lc);
        }
    }
    char *text = vt_json_dump(out, 0);
    respond(svc, f, "list_response", text, strlen(text));
    free(text);
    cJSON_Delete(out);
    cJSON_Delete(req);
}

/* ---- publish ---- */

static void collect(void *value, void *ctx)
{
    vt_pubsub_svc *svc = ctx;
    subset *set = value;
    for (size_t i = 0; i < set->n; i++) {
        vt_peer *p = set->v[i].peer;
        if (p->mark == svc->seq)
            continue; /* several of its prefixes match: once is enough */
        p->mark = svc->seq;
        if (svc->ntargets == svc->captargets) {
            svc->captargets = svc->captargets ? svc->captargets * 2 : 16;
            svc->targets = vt_realloc(svc->targets, svc->captargets * sizeof *svc->targets);
        }
        svc->targets[svc->ntargets++] = p;
    }
}

/* Topics are text: printable, valid UTF-8, no control characters. */
static bool topic_ok(const unsigned char *t, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = t[i];
        if (c < 0x20 || c == 0x7f)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || i + n > len)
            return false;
        for (size_t k = 1; k < n; k++)
            if ((t[i + k] & 0xC0) != 0x80)
                return false;
        i += n;
    }
    return true;
}

/* The delivered body: {"sender": <publisher>, ...the publisher's members}. */
static void build_body(zmq_msg_t *out, const char *json, size_t len, const vt_pub_scan *scan,
                       vt_peer *peer)
{
    if (!scan->has_sender && !scan->keys_escaped) {
        /* Splice into the outgoing frame: one copy, no parse. */
        if (!peer->sender_json) {
            vt_buf b;
            vt_buf_init(&b);
            vt_buf_append_str(&b, "{\"sender\": ");
            vt_json_dump_string(&b, peer->identity, peer->len);
            vt_buf_append_str(&b, ", ");
            peer->sender_json = vt_buf_detach(&b, &peer->sender_json_len);
        }
        size_t rest = len - scan->open - 1;
        zmq_msg_init_size(out, peer->sender_json_len + rest);
        char *d = zmq_msg_data(out);
        memcpy(d, peer->sender_json, peer->sender_json_len);
        memcpy(d + peer->sender_json_len, json + scan->open + 1, rest);
        return;
    }
    /* A publisher-supplied "sender" must not survive: rebuild. */
    cJSON *doc = vt_json_parse(json, len, 0, "publish", NULL);
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "sender");
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "sender", cJSON_CreateString(peer->identity));
    cJSON *item = doc ? doc->child : NULL;
    while (item) {
        cJSON *next = item->next;
        cJSON_AddItemToObject(body, item->string, cJSON_DetachItemViaPointer(doc, item));
        item = next;
    }
    vt_buf b;
    vt_buf_init(&b);
    vt_json_dump_buf(&b, body, 0);
    cJSON_Delete(body);
    cJSON_Delete(doc);
    zmq_msg_init_size(out, b.len);
    memcpy(zmq_msg_data(out), b.data, b.len);
    vt_buf_free(&b);
}

static void op_publish(vt_pubsub_svc *svc, vt_peer *peer, zmq_msg_t *f, size_t n)
{
    if (n < 9) {
        vt_router_warn(svc->router, "publish without a message body from %s", peer->identity);
        return; /* VOLTTRON does not answer this one */
    }
    zmq_msg_t *topic = &f[7], *json = &f[8];
    const char *body = zmq_msg_data(json);
    size_t blen = zmq_msg_size(json);
    vt_pub_scan scan;
    if (!topic_ok(zmq_msg_data(topic), zmq_msg_size(topic)) || zmq_msg_size(topic) == 0) {
        vt_router_warn(svc->router, "publish from %s refused: the topic is not printable UTF-8",
                       peer->identity);
        ack_count(svc, f, 0);
        return;
    }
    if (vt_json_scan_object(body, blen, &scan) < 0 || !scan.has_headers || !scan.has_message) {
        vt_router_warn(svc->router,
                       "publish from %s refused: the body must be a JSON object with "
                       "headers and message",
                       peer->identity);
        ack_count(svc, f, 0);
        return;
    }
    if (vt_protected_any(svc->protected)) {
        /* Capabilities belong to the auth user the publisher's key proved. */
        char *refusal = vt_protected_check(svc->protected, peer->user ? peer->user : peer->identity,
                                           zmq_msg_data(topic), zmq_msg_size(topic));
        if (refusal) {
            vt_router_warn(svc->router, "publish from %s refused: %s", peer->identity, refusal);
            vt_router_error(svc->router, f, true, VT_RPC_UNAUTHORIZED, refusal, "", 0, "pubsub", 6);
            free(refusal);
            ack_count(svc, f, 0);
            return;
        }
    }
    char *bus = NULL;
    if (scan.bus_is_string && !scan.bus_escaped)
        bus = vt_strndup(scan.bus, scan.bus_len);
    else if (scan.bus_is_string || scan.keys_escaped) {
        cJSON *doc = vt_json_parse(body, blen, 0, "publish", NULL);
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(doc, "bus");
        bus = vt_strdup(cJSON_IsString(b) ? b->valuestring : "");
        cJSON_Delete(doc);
    } else {
        bus = vt_strdup("");
    }

    vt_trie *t = vt_map_get(svc->buses, bus);
    free(bus);
    svc->ntargets = 0;
    svc->seq++;
    if (t)
        vt_trie_match(t, zmq_msg_data(topic), zmq_msg_size(topic), collect, svc);

    uint32_t delivered = 0;
    vt_buf gone;
    vt_buf_init(&gone);
    if (svc->ntargets) {
        zmq_msg_t out_body;
        build_body(&out_body, body, blen, &scan, peer);
        for (size_t i = 0; i < svc->ntargets; i++) {
            vt_peer *p = svc->targets[i];
            vt_out o;
            vt_out_init(&o);
            /* The user-id frame says who published: the auth user its key
             * proved (VOLTTRON passes on whatever the publisher wrote there,
             * normally ""), and the publisher's message id. */
            vt_out_bytes(&o, "", 0);
            vt_out_bytes(&o, "VIP1", 4);
            vt_out_str(&o, peer->user ? peer->user : peer->identity);
            vt_out_copy(&o, &f[4]);
            vt_out_str(&o, "pubsub");
            vt_out_str(&o, "publish");
            vt_out_copy(&o, topic);
            vt_out_copy(&o, &out_body);
            int rc = vt_router_send_peer(svc->router, p, p->identity, p->len, &o);
            vt_out_close(&o);
            if (rc == 0) {
                delivered++;
            } else if (rc == -EHOSTUNREACH) {
                vt_buf_append(&gone, p->identity, p->len + 1);
            } else if (rc == -EAGAIN) {
                vt_router_warn(svc->router,
                               "subscriber %s is not keeping up: publish on a topic dropped "
                               "for it (%" PRIu64 " so far)",
                               p->identity, p->dropped);
                vt_router_error(svc->router, f, true, 11, "Resource temporarily unavailable",
                                p->identity, p->len, "pubsub", 6);
            }
        }
        zmq_msg_close(&out_body);
    }
    ack_count(svc, f, delivered);
    /* Subscribers that are gone leave now (the publisher is answered first). */
    for (size_t pos = 0; pos < gone.len;) {
        char *who = gone.data + pos;
        pos += strlen(who) + 1;
        if (vt_router_peer(svc->router, who, strlen(who)))
            vt_router_drop_peer(svc->router, who);
    }
    vt_buf_free(&gone);
}

/* Updates from platform.auth: only the in-process service may send them. */
static void op_auth(vt_pubsub_svc *svc, vt_peer *peer, zmq_msg_t *f, size_t n, bool caps)
{
    if (!peer->service || strcmp(peer->identity, "platform.auth") != 0) {
        vt_router_warn(svc->router, "%s from %s ignored: only platform.auth may send it",
                       caps ? "auth_update" : "protected_update", peer->identity);
        return;
    }
    if (n < 8)
        return;
    const char *json = zmq_msg_data(&f[7]);
    size_t len = zmq_msg_size(&f[7]);
    int rc = caps ? vt_protected_set_caps(svc->protected, json, len)
                  : vt_protected_set_rules(svc->protected, json, len);
    if (rc < 0)
        vt_router_warn(svc->router, "%s", vt_last_error());
}

static bool op_is(zmq_msg_t *f, const char *s)
{
    size_t len = strlen(s);
    return zmq_msg_size(f) == len && memcmp(zmq_msg_data(f), s, len) == 0;
}

void vt_pubsub_svc_handle(vt_pubsub_svc *svc, vt_peer *sender, zmq_msg_t *f, size_t n)
{
    if (n < 7) {
        vt_router_warn(svc->router, "pubsub message without an operation from %s",
                       sender->identity);
        return;
    }
    zmq_msg_t *op = &f[6];
    if (op_is(op, "publish"))
        op_publish(svc, sender, f, n);
    else if (op_is(op, "subscribe"))
        op_subscribe(svc, sender, f, n);
    else if (op_is(op, "unsubscribe"))
        op_unsubscribe(svc, sender, f, n);
    else if (op_is(op, "synchronize"))
        op_synchronize(svc, sender, f, n);
    else if (op_is(op, "list"))
        op_list(svc, sender, f, n);
    else if (op_is(op, "auth_update") || op_is(op, "protected_update"))
        op_auth(svc, sender, f, n, op_is(op, "auth_update"));
    else if (op_is(op, "request_response") || op_is(op, "external_list") ||
             op_is(op, "external_publish") || op_is(op, "error"))
        vt_log_debug(LOG, "pubsub operation not handled here: %.*s", (int)zmq_msg_size(op),
                     (const char *)zmq_msg_data(op));
    else
        vt_router_warn(svc->router, "unknown pubsub operation from %s", sender->identity);
}
