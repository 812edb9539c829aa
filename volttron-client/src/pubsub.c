/* pubsub, client side: subscriptions kept locally and synchronised with the
 * router after every welcome; publishing with VOLTTRON's compatibility
 * headers; delivery to every local callback whose prefix matches. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/pubsub.h>
#include <volttron/utils/buf.h>
#include <volttron/utils/error.h>
#include <volttron/utils/json.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/time.h>

#include "agent_private.h"

#define ACK_TIMEOUT_MS 10000
/* A publish nobody here wants means the router's view is stale; resync, but
 * not more than once a second. */
#define RESYNC_INTERVAL_MS 1000

typedef struct sub {
    char *prefix;
    size_t plen;
    char *bus;
    bool all_platforms;
    vt_pubsub_callback cb;
    void *ctx;
    struct sub *next;
} sub;

struct vt_pubsub {
    sub *subs;
    int64_t last_resync_ms; /* last resync for an unwanted publish; 0 = never */
    /* Reused for every delivery (deliveries never nest). */
    vt_buf topic, sender, bus;
};

/* ---- requests to the router ---- */

static void ack_ignored(vt_agent *agent, const vt_message *reply, const vt_vip_error *err,
                        void *ctx)
{
    const char *what = ctx;
    if (err && err->errnum != ECANCELED)
        vt_log_warning(agent->identity, "pubsub %s: %s", what, err->text);
    else if (reply && vt_vip_nargs(reply) >= 2) {
        size_t len;
        const unsigned char *v = vt_vip_arg(reply, 1, &len);
        if ((len == 1 && v[0] == 0) || (len == 5 && memcmp(v, "false", 5) == 0))
            vt_log_warning(agent->identity, "the platform refused pubsub %s", what);
    }
}

/* Send a pubsub operation with one JSON frame (taken). */
static int send_op(vt_agent *agent, const char *op, const char *extra, cJSON *body, vt_reply_fn fn,
                   void *ctx, int timeout_ms)
{
    vt_message *args = vt_message_new();
    vt_message_append_str(args, op);
    if (extra)
        vt_message_append_str(args, extra);
    size_t len;
    vt_buf b;
    vt_buf_init(&b);
    vt_json_dump_buf(&b, body, 0);
    cJSON_Delete(body);
    char *text = vt_buf_detach(&b, &len);
    vt_message_append_owned(args, text, len);
    if (!fn)
        return vt_agent_send(agent, "", "pubsub", "", args);
    return vt_agent_request(agent, "", "pubsub", args, timeout_ms, fn, ctx) ? 0 : -ENOTCONN;
}

static cJSON *prefix_list_for(vt_agent *agent, bool all, const char *bus)
{
    cJSON *list = cJSON_CreateArray();
    for (sub *s = agent->pubsub->subs; s; s = s->next) {
        if (s->all_platforms != all || strcmp(s->bus, bus) != 0)
            continue;
        bool seen = false;
        const cJSON *it;
        cJSON_ArrayForEach (it, list) {
            if (strcmp(it->valuestring, s->prefix) == 0)
                seen = true;
        }
        if (!seen)
            cJSON_AddItemToArray(list, cJSON_CreateString(s->prefix));
    }
    return list;
}

/* synchronize: the router replaces our subscriptions with exactly these. */
static void synchronize(vt_agent *agent)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *subs = cJSON_AddObjectToObject(body, "subscriptions");
    for (int scope = 0; scope < 2; scope++) {
        bool all = scope == 1;
        cJSON *by_bus = NULL;
        for (sub *s = agent->pubsub->subs; s; s = s->next) {
            if (s->all_platforms != all)
                continue;
            if (!by_bus)
                by_bus = cJSON_AddObjectToObject(subs, all ? "all" : "internal");
            if (!cJSON_GetObjectItemCaseSensitive(by_bus, s->bus))
                cJSON_AddItemToObject(by_bus, s->bus, prefix_list_for(agent, all, s->bus));
        }
    }
    send_op(agent, "synchronize", "connected", body, NULL, NULL, 0);
}

static void on_connect(vt_agent *agent, void *ctx)
{
    (void)ctx;
    synchronize(agent);
}

static int send_subscribe(vt_agent *agent, const sub *s)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "prefix", s->prefix);
    cJSON_AddStringToObject(body, "bus", s->bus);
    cJSON_AddBoolToObject(body, "all_platforms", s->all_platforms);
    return send_op(agent, "subscribe", NULL, body, ack_ignored, "subscribe", ACK_TIMEOUT_MS);
}

int vt_pubsub_subscribe_ex(vt_agent *agent, const char *prefix, const char *bus, bool all_platforms,
                           vt_pubsub_callback cb, void *ctx)
{
    if (!prefix || !cb)
        return vt_error_set(-EINVAL, "subscribe needs a prefix and a callback");
    sub *s = vt_calloc(1, sizeof *s);
    s->prefix = vt_strdup(prefix);
    s->plen = strlen(prefix);
    s->bus = vt_strdup(bus ? bus : "");
    s->all_platforms = all_platforms;
    s->cb = cb;
    s->ctx = ctx;
    sub **tail = &agent->pubsub->subs;
    while (*tail)
        tail = &(*tail)->next;
    *tail = s;
    /* Not connected yet: the synchronize after the welcome carries it. */
    if (agent->state == VT_AGENT_CONNECTED)
        return send_subscribe(agent, s);
    return 0;
}

int vt_pubsub_subscribe(vt_agent *agent, const char *prefix, vt_pubsub_callback cb, void *ctx)
{
    return vt_pubsub_subscribe_ex(agent, prefix, "", false, cb, ctx);
}

static bool still_wanted(vt_agent *agent, const sub *gone)
{
    for (sub *s = agent->pubsub->subs; s; s = s->next)
        if (s->all_platforms == gone->all_platforms && strcmp(s->prefix, gone->prefix) == 0 &&
            strcmp(s->bus, gone->bus) == 0)
            return true;
    return false;
}

static void sub_free(sub *s)
{
    free(s->prefix);
    free(s->bus);
    free(s);
}

int vt_pubsub_unsubscribe(vt_agent *agent, const char *prefix, vt_pubsub_callback cb)
{
    sub **pp = &agent->pubsub->subs;
    int removed = 0;
    while (*pp) {
        sub *s = *pp;
        if ((!prefix || strcmp(s->prefix, prefix) == 0) && (!cb || s->cb == cb)) {
            *pp = s->next;
            s->next = NULL;
            if (agent->state == VT_AGENT_CONNECTED && !still_wanted(agent, s)) {
                cJSON *body = cJSON_CreateObject();
                cJSON *scope = cJSON_AddObjectToObject(body, s->all_platforms ? "all" : "internal");
                cJSON *list = cJSON_AddArrayToObject(scope, "prefix");
                cJSON_AddItemToArray(list, cJSON_CreateString(s->prefix));
                cJSON_AddStringToObject(scope, "bus", s->bus);
                send_op(agent, "unsubscribe", NULL, body, ack_ignored, "unsubscribe",
                        ACK_TIMEOUT_MS);
            }
            sub_free(s);
            removed++;
        } else {
            pp = &s->next;
        }
    }
    return removed;
}

/* ---- publishing ---- */

static const char compat_headers[] =
    "\"min_compatible_version\": \"3.0\", \"max_compatible_version\": \"\"";

/* {"bus": "", "headers": {...+compat}, "message": <message>} */
static void build_publish(vt_buf *b, const char *headers_json, const char *message_json)
{
    vt_buf_append_str(b, "{\"bus\": \"\", \"headers\": ");
    const char *h = headers_json;
    while (h && (*h == ' ' || *h == '\n' || *h == '\t'))
        h++;
    if (!h || *h != '{') {
        vt_buf_append_char(b, '{');
        vt_buf_append_str(b, compat_headers);
        vt_buf_append_char(b, '}');
    } else if (strstr(h, "\"min_compatible_version\"")) {
        vt_buf_append_str(b, h);
    } else {
        /* Insert the compatibility headers before the closing brace. */
        const char *close = strrchr(h, '}');
        const char *q = h + 1;
        while (q < close && (*q == ' ' || *q == '\n' || *q == '\t'))
            q++;
        vt_buf_append(b, h, (size_t)(close - h));
        if (q < close)
            vt_buf_append_str(b, ", ");
        vt_buf_append_str(b, compat_headers);
        vt_buf_append_char(b, '}');
    }
    vt_buf_append_str(b, ", \"message\": ");
    vt_buf_append_str(b, message_json ? message_json : "null");
    vt_buf_append_char(b, '}');
}

static vt_message *publish_args(const char *topic, const char *headers_json,
                                const char *message_json)
{
    vt_message *args = vt_message_new();
    vt_message_append_str(args, "publish");
    vt_message_append_str(args, topic);
    vt_buf b;
    vt_buf_init(&b);
    build_publish(&b, headers_json, message_json);
    size_t len;
    char *text = vt_buf_detach(&b, &len);
    vt_message_append_owned(args, text, len);
    return args;
}

int vt_pubsub_publish_json(vt_agent *agent, const char *topic, const char *headers_json,
                           const char *message_json)
{
    return vt_agent_send(agent, "", "pubsub", "", publish_args(topic, headers_json, message_json));
}

int vt_pubsub_publish(vt_agent *agent, const char *topic, const cJSON *headers,
                      const cJSON *message)
{
    char *h = headers ? vt_json_dump(headers, 0) : NULL;
    char *m = vt_json_dump(message, 0);
    int rc = vt_pubsub_publish_json(agent, topic, h, m);
    free(h);
    free(m);
    return rc;
}

typedef struct ack_call {
    vt_pubsub_ack_fn fn;
    void *ctx;
} ack_call;

/* The publish count: 4 bytes LE from a router, or JSON text. */
static int parse_count(const vt_message *reply)
{
    size_t len;
    const unsigned char *v = vt_vip_arg(reply, 1, &len);
    if (len == 4)
        return (int)((uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 |
                     (uint32_t)v[3] << 24);
    if (len == 1)
        return v[0] >= '0' && v[0] <= '9' ? v[0] - '0' : v[0];
    char buf[16];
    if (len == 0 || len >= sizeof buf)
        return -EPROTO;
    memcpy(buf, v, len);
    buf[len] = '\0';
    return atoi(buf);
}

static void ack_done(vt_agent *agent, const vt_message *reply, const vt_vip_error *err, void *ctx)
{
    ack_call *ac = ctx;
    int count = reply ? parse_count(reply) : -err->errnum;
    ac->fn(agent, count, ac->ctx);
    free(ac);
}

int vt_pubsub_publish_ack(vt_agent *agent, const char *topic, const cJSON *headers,
                          const cJSON *message, int timeout_ms, vt_pubsub_ack_fn fn, void *ctx)
{
    char *h = headers ? vt_json_dump(headers, 0) : NULL;
    char *m = vt_json_dump(message, 0);
    int rc = vt_pubsub_publish_json_ack(agent, topic, h, m, timeout_ms, fn, ctx);
    free(h);
    free(m);
    return rc;
}

int vt_pubsub_publish_json_ack(vt_agent *agent, const char *topic, const char *headers_json,
                               const char *message_json, int timeout_ms, vt_pubsub_ack_fn fn,
                               void *ctx)
{
    vt_message *args = publish_args(topic, headers_json, message_json);
    ack_call *ac = vt_calloc(1, sizeof *ac);
    ac->fn = fn;
    ac->ctx = ctx;
    return vt_agent_request(agent, "", "pubsub", args, timeout_ms, ack_done, ac) ? 0 : -ENOTCONN;
}

typedef struct list_call {
    vt_pubsub_list_fn fn;
    void *ctx;
} list_call;

static void list_done(vt_agent *agent, const vt_message *reply, const vt_vip_error *err, void *ctx)
{
    list_call *lc = ctx;
    cJSON *list = NULL;
    if (reply) {
        size_t len;
        const char *text = vt_vip_arg(reply, 1, &len);
        list = text ? vt_json_parse(text, len, 0, "list_response", NULL) : NULL;
    } else {
        vt_error_set(-err->errnum, "pubsub list: %s", err->text);
    }
    lc->fn(agent, cJSON_IsArray(list) ? list : NULL, lc->ctx);
    cJSON_Delete(list);
    free(lc);
}

int vt_pubsub_list(vt_agent *agent, const char *prefix, bool subscribed, bool reverse,
                   bool all_platforms, vt_pubsub_list_fn fn, void *ctx)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "prefix", prefix ? prefix : "");
    cJSON_AddBoolToObject(body, "all_platforms", all_platforms);
    cJSON_AddBoolToObject(body, "subscribed", subscribed);
    cJSON_AddBoolToObject(body, "reverse", reverse);
    cJSON_AddStringToObject(body, "bus", "");
    list_call *lc = vt_calloc(1, sizeof *lc);
    lc->fn = fn;
    lc->ctx = ctx;
    return send_op(agent, "list", NULL, body, list_done, lc, ACK_TIMEOUT_MS);
}

/* ---- delivery ---- */

struct vt_pubsub_message {
    const char *topic;
    const char *raw;
    size_t raw_len;
    const char *sender;
    const char *bus;
    cJSON *doc; /* parsed on demand */
    bool parse_tried;
};

static const cJSON empty_object = {.type = cJSON_Object};
static const cJSON null_value = {.type = cJSON_NULL};

/* Read a plain JSON string (no escapes) at *p into out: moves *p past it,
 * or returns false when it is not that simple. */
static bool plain_string(const char **p, const char *end, vt_buf *out)
{
    const char *s = *p;
    if (s >= end || *s != '"')
        return false;
    const char *q = s + 1;
    while (q < end && *q != '"' && *q != '\\')
        q++;
    if (q >= end || *q != '"')
        return false;
    *p = q + 1;
    vt_buf_clear(out);
    vt_buf_append(out, s + 1, (size_t)(q - s - 1));
    return true;
}

static bool literal(const char **p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
        return false;
    *p += n;
    return true;
}

static void parse(vt_pubsub_message *m)
{
    if (m->parse_tried)
        return;
    m->parse_tried = true;
    m->doc = vt_json_parse(m->raw, m->raw_len, 0, "publish", NULL);
    if (!cJSON_IsObject(m->doc)) {
        cJSON_Delete(m->doc);
        m->doc = NULL;
    }
}

/* Routers put sender and bus first ({"sender": "x", "bus": "", ...}): read
 * them without parsing the rest; anything else takes the full parse. */
static void read_envelope(struct vt_pubsub *ps, vt_pubsub_message *m)
{
    const char *p = m->raw, *end = m->raw + m->raw_len;
    if (!(literal(&p, end, "{\"sender\": ") && plain_string(&p, end, &ps->sender) &&
          literal(&p, end, ", \"bus\": ") && plain_string(&p, end, &ps->bus))) {
        parse(m);
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(m->doc, "sender");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(m->doc, "bus");
        vt_buf_clear(&ps->sender);
        vt_buf_append_str(&ps->sender, cJSON_IsString(s) ? s->valuestring : "");
        vt_buf_clear(&ps->bus);
        vt_buf_append_str(&ps->bus, cJSON_IsString(b) ? b->valuestring : "");
    }
    m->sender = ps->sender.data;
    m->bus = ps->bus.data;
}

const char *vt_pubsub_topic(const vt_pubsub_message *m)
{
    return m->topic;
}

const char *vt_pubsub_sender(const vt_pubsub_message *m)
{
    return m->sender;
}

const char *vt_pubsub_bus(const vt_pubsub_message *m)
{
    return m->bus;
}

const char *vt_pubsub_raw(const vt_pubsub_message *m, size_t *len)
{
    if (len)
        *len = m->raw_len;
    return m->raw;
}

const cJSON *vt_pubsub_headers(const vt_pubsub_message *cm)
{
    vt_pubsub_message *m = (vt_pubsub_message *)cm; /* the parse is a cache */
    parse(m);
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(m->doc, "headers");
    return cJSON_IsObject(h) ? h : &empty_object;
}

const cJSON *vt_pubsub_body(const vt_pubsub_message *cm)
{
    vt_pubsub_message *m = (vt_pubsub_message *)cm;
    parse(m);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->doc, "message");
    return v ? v : &null_value;
}

static void deliver(vt_agent *agent, const vt_message *msg)
{
    size_t tlen;
    const char *topic = vt_vip_arg(msg, 1, &tlen);
    if (!topic)
        return;
    bool wanted = false;
    for (sub *s = agent->pubsub->subs; s && !wanted; s = s->next)
        wanted = s->plen <= tlen && memcmp(topic, s->prefix, s->plen) == 0;
    if (!wanted) {
        int64_t now = vt_time_monotonic_ms();
        if (!agent->pubsub->last_resync_ms ||
            now - agent->pubsub->last_resync_ms >= RESYNC_INTERVAL_MS) {
            agent->pubsub->last_resync_ms = now;
            synchronize(agent);
        }
        return;
    }
    struct vt_pubsub *ps = agent->pubsub;
    vt_buf_clear(&ps->topic);
    vt_buf_append(&ps->topic, topic, tlen);
    vt_pubsub_message pm = {.topic = ps->topic.data};
    pm.raw = vt_vip_arg(msg, 2, &pm.raw_len);
    if (!pm.raw) {
        vt_log_warning(agent->identity, "dropped a publish on %s without a body", pm.topic);
        return;
    }
    read_envelope(ps, &pm);
    /* Callbacks may unsubscribe (even themselves): walk a snapshot. */
    sub *local[32];
    size_t n = 0;
    for (sub *s = ps->subs; s; s = s->next)
        n++;
    sub **match = n <= 32 ? local : vt_malloc(n * sizeof *match);
    size_t m = 0;
    for (sub *s = ps->subs; s; s = s->next)
        if (s->plen <= tlen && memcmp(topic, s->prefix, s->plen) == 0 &&
            strcmp(s->bus, pm.bus) == 0)
            match[m++] = s;
    for (size_t i = 0; i < m; i++) {
        bool alive = m == 1; /* a single callback cannot have removed itself yet */
        for (sub *s = ps->subs; s && !alive; s = s->next)
            alive = s == match[i];
        if (alive)
            match[i]->cb(agent, &pm, match[i]->ctx);
    }
    if (match != local)
        free(match);
    cJSON_Delete(pm.doc);
}

static void on_pubsub(vt_agent *agent, const vt_message *msg, void *ctx)
{
    (void)ctx;
    if (vt_vip_arg_eq(msg, 0, "publish")) {
        deliver(agent, msg);
        return;
    }
    if (vt_vip_arg_eq(msg, 0, "request_response") || vt_vip_arg_eq(msg, 0, "list_response")) {
        size_t len;
        const void *id = vt_message_data(msg, VT_VIP_ID, &len);
        vt_agent_resolve(agent, id, len, msg, NULL);
        return;
    }
    vt_log_debug(agent->identity, "ignoring pubsub operation \"%s\"",
                 vt_message_str(msg, VT_VIP_ARGS));
}

void vt_pubsub_init(vt_agent *agent)
{
    agent->pubsub = vt_calloc(1, sizeof *agent->pubsub);
    vt_agent_register_subsystem(agent, "pubsub", on_pubsub, NULL);
    vt_agent_hook_add(&agent->on_connect, on_connect, NULL);
}

void vt_pubsub_fini(vt_agent *agent)
{
    if (!agent->pubsub)
        return;
    while (agent->pubsub->subs) {
        sub *next = agent->pubsub->subs->next;
        sub_free(agent->pubsub->subs);
        agent->pubsub->subs = next;
    }
    vt_buf_free(&agent->pubsub->topic);
    vt_buf_free(&agent->pubsub->sender);
    vt_buf_free(&agent->pubsub->bus);
    free(agent->pubsub);
    agent->pubsub = NULL;
}
