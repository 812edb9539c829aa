/* platform.auth: the auth.json API (platform-services.md §6.6), the
 * user-to-capabilities map every agent checks callers against, and the
 * pushes that keep agents and the router current when auth.json or
 * protected_topics.json change. ZAP itself runs in the router (zap.c) and
 * reads the same file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/client.h>
#include <volttron/utils/pattern.h>

#include "../authfile.h"
#include "services.h"

#define LOG "platform.auth"
#define WATCH_MS 1000
/* Who may change auth.json, and the RPC authorisations of other agents:
 * VOLTTRON's capability names, held by the platform's own control and vctl
 * entries. */
#define AUTH_MODS "allow_auth_modifications"
#define RPC_MODS "modify_rpc_method_allowance"

typedef struct auth_svc auth_svc;

/* An exported method, with the service it belongs to. */
typedef struct auth_method {
    auth_svc *svc;
    vt_rpc_method fn;
} auth_method;

struct auth_svc {
    vt_router *router;
    vt_agent *agent;
    char *path;
    char *protected_path;
    vt_authfile *af;
    cJSON *caps;          /* the current user -> capabilities map */
    cJSON *rpc_auths;     /* identity -> rpc_method_authorizations, as last pushed */
    cJSON *rpc_changed;   /* identity -> map still to push to that agent */
    bool caps_changed;    /* auth.update still to push to every peer */
    char *protected_text; /* protected_topics.json as last pushed */
    vt_timer *watch;
    auth_method *methods;
};

/* ---- capabilities ---- */

/* Capabilities as auth.json may write them (string, list of strings and
 * objects, object), as one object {name: null | {param: value}}. */
static void merge_caps(cJSON *into, const cJSON *caps)
{
    if (cJSON_IsString(caps)) {
        if (!cJSON_GetObjectItemCaseSensitive(into, caps->valuestring))
            cJSON_AddNullToObject(into, caps->valuestring);
    } else if (cJSON_IsArray(caps)) {
        const cJSON *c;
        cJSON_ArrayForEach (c, caps)
            merge_caps(into, c);
    } else if (cJSON_IsObject(caps)) {
        const cJSON *c;
        cJSON_ArrayForEach (c, caps) {
            cJSON_DeleteItemFromObjectCaseSensitive(into, c->string);
            cJSON_AddItemToObject(into, c->string, cJSON_Duplicate(c, 1));
        }
    }
}

/* Role-derived capabilities: {cap: null} for each. */
static void merge_roles(auth_svc *s, cJSON *into, const cJSON *roles)
{
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(vt_authfile_doc(s->af), "roles");
    const cJSON *r;
    cJSON_ArrayForEach (r, roles) {
        if (!cJSON_IsString(r))
            continue;
        const cJSON *caps = cJSON_GetObjectItemCaseSensitive(all, r->valuestring);
        const cJSON *c;
        cJSON_ArrayForEach (c, caps) {
            if (cJSON_IsString(c) && !cJSON_GetObjectItemCaseSensitive(into, c->valuestring))
                cJSON_AddNullToObject(into, c->valuestring);
        }
    }
}

static cJSON *effective_caps(auth_svc *s, const cJSON *entry)
{
    cJSON *caps = cJSON_CreateObject();
    merge_caps(caps, cJSON_GetObjectItemCaseSensitive(entry, "capabilities"));
    merge_roles(s, caps, cJSON_GetObjectItemCaseSensitive(entry, "roles"));
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(vt_authfile_doc(s->af), "groups");
    const cJSON *g;
    cJSON_ArrayForEach (g, cJSON_GetObjectItemCaseSensitive(entry, "groups")) {
        if (cJSON_IsString(g))
            merge_roles(s, caps, cJSON_GetObjectItemCaseSensitive(groups, g->valuestring));
    }
    return caps;
}

static bool enabled(const cJSON *e)
{
    return !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(e, "enabled"));
}

static cJSON *user_to_capabilities(auth_svc *s)
{
    cJSON *map = cJSON_CreateObject();
    const cJSON *e;
    cJSON_ArrayForEach (e, vt_authfile_allow(s->af)) {
        const cJSON *user = cJSON_GetObjectItemCaseSensitive(e, "user_id");
        if (enabled(e) && cJSON_IsString(user) &&
            !cJSON_GetObjectItemCaseSensitive(map, user->valuestring))
            cJSON_AddItemToObject(map, user->valuestring, effective_caps(s, e));
    }
    return map;
}

static cJSON *entry_by(auth_svc *s, const char *key, const char *value, int *index)
{
    int i = 0;
    cJSON *e;
    cJSON_ArrayForEach (e, vt_authfile_allow(s->af)) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
        if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0) {
            if (index)
                *index = i;
            return e;
        }
        i++;
    }
    return NULL;
}

/* ---- pushes ---- */

static void send_router(auth_svc *s, const char *op, const char *json)
{
    vt_message *args = vt_message_new();
    vt_message_append_str(args, op);
    vt_message_append_str(args, json);
    char id[32];
    vt_agent_send(s->agent, "", "pubsub", vt_agent_next_id(s->agent, id), args);
}

static void push_caps(auth_svc *s)
{
    cJSON *caps = user_to_capabilities(s);
    if (s->caps && cJSON_Compare(caps, s->caps, 1)) {
        cJSON_Delete(caps);
        return;
    }
    cJSON_Delete(s->caps);
    s->caps = caps;
    /* The router, for protected topics ... */
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "capabilities", cJSON_Duplicate(caps, 1));
    char *text = vt_json_dump(body, 0);
    send_router(s, "auth_update", text);
    free(text);
    cJSON_Delete(body);
}

/* identity -> rpc_method_authorizations of every enabled entry. */
static cJSON *rpc_auths_now(auth_svc *s)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *e;
    cJSON_ArrayForEach (e, vt_authfile_allow(s->af)) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "identity");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "rpc_method_authorizations");
        if (enabled(e) && cJSON_IsString(id) && cJSON_IsObject(m) &&
            !cJSON_GetObjectItemCaseSensitive(out, id->valuestring))
            cJSON_AddItemToObject(out, id->valuestring, cJSON_Duplicate(m, 1));
    }
    return out;
}

/* Note the agents whose method authorisations changed since the last push. */
static void diff_rpc_auths(auth_svc *s)
{
    cJSON *now = rpc_auths_now(s);
    const cJSON *m;
    cJSON_ArrayForEach (m, now) {
        const cJSON *was =
            s->rpc_auths ? cJSON_GetObjectItemCaseSensitive(s->rpc_auths, m->string) : NULL;
        if (s->rpc_auths && (!was || !cJSON_Compare(was, m, 1))) {
            cJSON_DeleteItemFromObjectCaseSensitive(s->rpc_changed, m->string);
            cJSON_AddItemToObject(s->rpc_changed, m->string, cJSON_Duplicate(m, 1));
        }
    }
    cJSON_Delete(s->rpc_auths);
    s->rpc_auths = now;
}

static void pushed(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)agent;
    (void)ctx;
    if (res->status != VT_RPC_OK)
        vt_log_warning(LOG, "rpc authorizations not pushed: %s", res->message);
}

static void notify_peers(vt_agent *agent, const char *const *peers, size_t n, void *ctx)
{
    auth_svc *s = ctx;
    for (size_t i = 0; peers && i < n; i++) {
        if (strcmp(peers[i], "platform.auth") == 0 || strcmp(peers[i], "control.connection") == 0)
            continue;
        if (s->caps_changed) {
            cJSON *params = cJSON_CreateArray();
            cJSON_AddItemToArray(params, cJSON_Duplicate(s->caps, 1));
            vt_rpc_notify(agent, peers[i], "auth.update", params);
        }
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(s->rpc_changed, peers[i]);
        if (m) {
            cJSON *kw = cJSON_CreateObject();
            cJSON_AddItemToObject(kw, "rpc_authorizations", cJSON_Duplicate(m, 1));
            vt_rpc_call(agent, peers[i], "auth.set_multiple_rpc_authorizations", kw, 10000, pushed,
                        NULL);
        }
    }
    /* Agents not connected now fetch their map when they next start. */
    s->caps_changed = false;
    cJSON_Delete(s->rpc_changed);
    s->rpc_changed = cJSON_CreateObject();
}

static void push_protected(auth_svc *s, bool force)
{
    char *text = NULL;
    size_t len = 0;
    if (vt_fs_read_file(s->protected_path, 1 << 20, &text, &len) < 0)
        text = vt_strdup("");
    if (!force && s->protected_text && strcmp(text, s->protected_text) == 0) {
        free(text);
        return;
    }
    free(s->protected_text);
    s->protected_text = text;
    /* VOLTTRON creates the file empty; an empty file protects nothing. */
    cJSON *doc = len ? vt_json_parse(text, len, VT_JSON_COMMENTS, s->protected_path, NULL) : NULL;
    if (len && !doc) {
        vt_log_error(LOG, "protected topics not updated: %s", vt_last_error());
        return;
    }
    char *out = doc ? vt_json_dump(doc, 0) : vt_strdup("{\"write-protect\": []}");
    send_router(s, "protected_update", out);
    free(out);
    cJSON_Delete(doc);
}

/* The file changed (or we changed it): reload, tell everyone. */
static void changed(auth_svc *s)
{
    cJSON *before = s->caps ? cJSON_Duplicate(s->caps, 1) : NULL;
    push_caps(s);
    if (!before || !cJSON_Compare(before, s->caps, 1))
        s->caps_changed = true;
    cJSON_Delete(before);
    diff_rpc_auths(s);
    if (s->caps_changed || s->rpc_changed->child)
        vt_peerlist_list(s->agent, 5000, notify_peers, s);
}

static void reload(auth_svc *s)
{
    vt_authfile *fresh = vt_authfile_load(s->path);
    if (!fresh) {
        vt_log_error(LOG, "%s not reloaded: %s", s->path, vt_last_error());
        return;
    }
    vt_authfile_destroy(&s->af);
    s->af = fresh;
    changed(s);
}

static void watch(vt_agent *agent, void *ctx)
{
    (void)agent;
    auth_svc *s = ctx;
    if (vt_authfile_changed(s->af))
        reload(s);
    push_protected(s, false);
}

static cJSON *saved(auth_svc *s, vt_rpc_request *req, cJSON *result)
{
    if (vt_authfile_save(s->af) < 0) {
        cJSON_Delete(result);
        return vt_rpc_raise(req, "builtins.OSError", "%s", vt_last_error());
    }
    changed(s);
    return result;
}

/* ---- RPC: queries ---- */

static const char *str_arg(vt_rpc_request *req, int pos, const char *name)
{
    const cJSON *v = vt_rpc_arg(req, pos, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *rpc_get_user_to_capabilities(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)req;
    auth_svc *s = ctx;
    if (!s->caps)
        s->caps = user_to_capabilities(s);
    return cJSON_Duplicate(s->caps, 1);
}

static cJSON *authorizations(auth_svc *s, const char *user)
{
    const cJSON *e = user ? entry_by(s, "user_id", user, NULL) : NULL;
    if (!e || !enabled(e))
        return NULL;
    cJSON *r = cJSON_CreateArray();
    cJSON_AddItemToArray(r, effective_caps(s, e));
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(e, "groups");
    const cJSON *ro = cJSON_GetObjectItemCaseSensitive(e, "roles");
    cJSON_AddItemToArray(r, g ? cJSON_Duplicate(g, 1) : cJSON_CreateArray());
    cJSON_AddItemToArray(r, ro ? cJSON_Duplicate(ro, 1) : cJSON_CreateArray());
    return r;
}

static cJSON *rpc_get_authorizations(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    cJSON *r = authorizations(ctx, str_arg(req, 0, "user_id"));
    return r ? r : cJSON_CreateNull();
}

static cJSON *part_of(vt_rpc_request *req, void *ctx, int which)
{
    cJSON *r = authorizations(ctx, str_arg(req, 0, "user_id"));
    if (!r)
        return which == 0 ? cJSON_CreateObject() : cJSON_CreateArray();
    cJSON *part = cJSON_DetachItemFromArray(r, which);
    cJSON_Delete(r);
    return part;
}

static cJSON *rpc_get_capabilities(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return part_of(req, ctx, 0);
}

static cJSON *rpc_get_groups(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return part_of(req, ctx, 1);
}

static cJSON *rpc_get_roles(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return part_of(req, ctx, 2);
}

/* ---- RPC: rpc method authorisations ---- */

static cJSON *rpc_update_id_rpc_authorizations(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    auth_svc *s = ctx;
    const char *identity = str_arg(req, 0, "identity");
    const cJSON *methods = vt_rpc_arg(req, 1, "rpc_methods");
    cJSON *e = identity ? entry_by(s, "identity", identity, NULL) : NULL;
    if (!e)
        return cJSON_CreateNull();
    /* An agent records its own methods; anyone else's would let it decide
     * who may call another agent. */
    const cJSON *owner = cJSON_GetObjectItemCaseSensitive(e, "user_id");
    if (!cJSON_IsString(owner) || strcmp(owner->valuestring, vt_rpc_caller(req)) != 0) {
        vt_log_warning(LOG, "%s may not record RPC method authorizations for %s (user %s)",
                       vt_rpc_caller(req), identity,
                       cJSON_IsString(owner) ? owner->valuestring : "-");
        return cJSON_CreateNull();
    }
    cJSON *have = cJSON_GetObjectItemCaseSensitive(e, "rpc_method_authorizations");
    if (!cJSON_IsObject(have)) {
        cJSON_DeleteItemFromObjectCaseSensitive(e, "rpc_method_authorizations");
        have = cJSON_AddObjectToObject(e, "rpc_method_authorizations");
    }
    bool added = false;
    const cJSON *m;
    cJSON_ArrayForEach (m, methods) {
        if (!cJSON_GetObjectItemCaseSensitive(have, m->string)) {
            cJSON_AddItemToObject(have, m->string, cJSON_Duplicate(m, 1));
            added = true;
        }
    }
    cJSON *result = cJSON_Duplicate(have, 1);
    if (!added)
        return result;
    result = saved(s, req, result);
    /* The caller takes the map from this answer; no push back to it. */
    cJSON_DeleteItemFromObjectCaseSensitive(s->rpc_changed, identity);
    return result;
}

static cJSON *change_method_caps(vt_rpc_request *req, auth_svc *s, bool add)
{
    const char *identity = str_arg(req, 0, "identity");
    const char *method = str_arg(req, 1, "method");
    const cJSON *caps = vt_rpc_arg(req, 2, add ? "authorizations" : "denied_authorizations");
    if (!identity || !method)
        return vt_rpc_raise(req, "builtins.TypeError", "identity and method are required");
    if (vt_is_service_identity(identity))
        return vt_rpc_raise(req, "builtins.ValueError",
                            "cannot change RPC authorizations of the platform service %s",
                            identity);
    cJSON *e = entry_by(s, "identity", identity, NULL);
    if (!e)
        return vt_rpc_raise(req, "builtins.KeyError", "no auth entry with identity %s", identity);
    cJSON *have = cJSON_GetObjectItemCaseSensitive(e, "rpc_method_authorizations");
    if (!cJSON_IsObject(have)) {
        cJSON_DeleteItemFromObjectCaseSensitive(e, "rpc_method_authorizations");
        have = cJSON_AddObjectToObject(e, "rpc_method_authorizations");
    }
    cJSON *list = cJSON_GetObjectItemCaseSensitive(have, method);
    if (!cJSON_IsArray(list)) {
        cJSON_DeleteItemFromObjectCaseSensitive(have, method);
        list = cJSON_AddArrayToObject(have, method);
    }
    const cJSON *c;
    cJSON_ArrayForEach (c, caps) {
        if (!cJSON_IsString(c))
            continue;
        int i = 0, found = -1;
        const cJSON *x;
        cJSON_ArrayForEach (x, list) {
            if (cJSON_IsString(x) && strcmp(x->valuestring, c->valuestring) == 0)
                found = i;
            i++;
        }
        if (add && found < 0)
            cJSON_AddItemToArray(list, cJSON_CreateString(c->valuestring));
        else if (!add && found >= 0)
            cJSON_DeleteItemFromArray(list, found);
    }
    if (!add && cJSON_GetArraySize(list) == 0)
        cJSON_AddItemToArray(list, cJSON_CreateString("")); /* VOLTTRON's "anyone" */
    return saved(s, req, NULL);
}

static cJSON *rpc_add_rpc_authorizations(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return change_method_caps(req, ctx, true);
}

static cJSON *rpc_delete_rpc_authorizations(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return change_method_caps(req, ctx, false);
}

/* ---- RPC: pending / approved / denied ---- */

static cJSON *pending(auth_svc *s)
{
    vt_zap *z = vt_router_zap(s->router);
    return z ? vt_zap_pending(z) : NULL;
}

static cJSON *with_address(auth_svc *s, bool allow)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *list = allow ? vt_authfile_allow(s->af) : vt_authfile_deny(s->af);
    const cJSON *e;
    cJSON_ArrayForEach (e, list) {
        const cJSON *addr = cJSON_GetObjectItemCaseSensitive(e, "address");
        if (!cJSON_IsString(addr))
            continue;
        cJSON *o = cJSON_CreateObject();
        const char *keys[] = {"domain", "address", "mechanism", "credentials", "user_id"};
        for (size_t i = 0; i < 5; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, keys[i]);
            cJSON_AddItemToObject(o, keys[i], v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
        }
        cJSON_AddNumberToObject(o, "retries", 0);
        cJSON_AddItemToArray(out, o);
    }
    return out;
}

static cJSON *rpc_get_pending(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    (void)req;
    cJSON *p = pending(ctx);
    return p ? cJSON_Duplicate(p, 1) : cJSON_CreateArray();
}

static cJSON *rpc_get_approved(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    (void)req;
    return with_address(ctx, true);
}

static cJSON *rpc_get_denied(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    (void)req;
    return with_address(ctx, false);
}

/* Move a pending credential into allow / deny, or just forget it. */
static cJSON *settle_pending(vt_rpc_request *req, auth_svc *s, int where)
{
    const char *user = str_arg(req, 0, "user_id");
    cJSON *p = pending(s);
    int i = 0;
    cJSON *e;
    cJSON_ArrayForEach (e, p) {
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "user_id");
        if (user && cJSON_IsString(u) && strcmp(u->valuestring, user) == 0)
            break;
        i++;
    }
    if (!e)
        return vt_rpc_raise(req, "builtins.ValueError", "no pending authorization for %s",
                            user ? user : "");
    cJSON *taken = cJSON_DetachItemFromArray(p, i);
    if (where == 0) {
        cJSON_Delete(taken);
        return NULL;
    }
    const cJSON *cred = cJSON_GetObjectItemCaseSensitive(taken, "credentials");
    const cJSON *addr = cJSON_GetObjectItemCaseSensitive(taken, "address");
    cJSON *entry =
        vt_auth_entry_new(cJSON_IsString(cred) ? cred->valuestring : NULL, user, NULL, NULL, NULL);
    if (cJSON_IsString(addr) && addr->valuestring[0])
        cJSON_ReplaceItemInObjectCaseSensitive(entry, "address",
                                               cJSON_CreateString(addr->valuestring));
    cJSON_Delete(taken);
    if (where > 0)
        vt_authfile_add(s->af, entry, true);
    else
        cJSON_AddItemToArray(vt_authfile_deny(s->af), entry);
    return saved(s, req, NULL);
}

static cJSON *rpc_approve(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return settle_pending(req, ctx, 1);
}

static cJSON *rpc_deny(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return settle_pending(req, ctx, -1);
}

static cJSON *rpc_delete_authorization(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return settle_pending(req, ctx, 0);
}

/* ---- RPC: auth_file.* ---- */

static cJSON *list_for(auth_svc *s, vt_rpc_request *req, int pos)
{
    const cJSON *is_allow = vt_rpc_arg(req, pos, "is_allow");
    return cJSON_IsFalse(is_allow) ? vt_authfile_deny(s->af) : vt_authfile_allow(s->af);
}

static cJSON *rpc_file_read(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    (void)req;
    auth_svc *s = ctx;
    cJSON *doc = vt_authfile_doc(s->af);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToObject(r, "allow_list", cJSON_Duplicate(vt_authfile_allow(s->af), 1));
    cJSON_AddItemToObject(r, "deny_list", cJSON_Duplicate(vt_authfile_deny(s->af), 1));
    const char *keys[] = {"groups", "roles", "version"};
    for (size_t i = 0; i < 3; i++)
        cJSON_AddItemToObject(r, keys[i],
                              cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(doc, keys[i]), 1));
    return r;
}

/* An entry as given, completed with VOLTTRON's defaults, checked. */
static cJSON *complete_entry(vt_rpc_request *req, const cJSON *given)
{
    if (!cJSON_IsObject(given)) {
        vt_rpc_raise(req, "builtins.ValueError", "an auth entry must be an object");
        return NULL;
    }
    const cJSON *cred = cJSON_GetObjectItemCaseSensitive(given, "credentials");
    const cJSON *mech = cJSON_GetObjectItemCaseSensitive(given, "mechanism");
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(given, "user_id");
    bool null_mech = cJSON_IsString(mech) && strcmp(mech->valuestring, "NULL") == 0;
    if (!null_mech) {
        const char *c = cJSON_IsString(cred) ? cred->valuestring : "";
        size_t n = strlen(c);
        bool regex = n > 1 && c[0] == '/' && c[n - 1] == '/';
        if (!regex && n != 43) {
            vt_rpc_raise(req, "volttron.platform.auth.AuthException",
                         "Invalid credentials key length (expected 43 characters, got %zu)", n);
            return NULL;
        }
    }
    const cJSON *identity = cJSON_GetObjectItemCaseSensitive(given, "identity");
    if (cJSON_IsString(identity) && !vt_pattern_is_regex(identity->valuestring) &&
        vt_identity_check(identity->valuestring, "identity", false) < 0) {
        vt_rpc_raise(req, "builtins.ValueError", "%s", vt_last_error());
        return NULL;
    }
    if (identity && !cJSON_IsString(identity) && !cJSON_IsNull(identity)) {
        vt_rpc_raise(req, "builtins.ValueError", "an auth entry's identity must be a string");
        return NULL;
    }
    cJSON *e = vt_auth_entry_new(cJSON_IsString(cred) ? cred->valuestring : NULL,
                                 cJSON_IsString(user) ? user->valuestring : NULL, NULL, NULL, NULL);
    const cJSON *v;
    cJSON_ArrayForEach (v, given) {
        if (strcmp(v->string, "user_id") == 0 && !cJSON_IsString(v))
            continue;
        if (cJSON_GetObjectItemCaseSensitive(e, v->string))
            cJSON_ReplaceItemInObjectCaseSensitive(e, v->string, cJSON_Duplicate(v, 1));
        else
            cJSON_AddItemToObject(e, v->string, cJSON_Duplicate(v, 1));
    }
    /* capabilities in any accepted form, stored as the object form */
    cJSON *caps = cJSON_CreateObject();
    merge_caps(caps, cJSON_GetObjectItemCaseSensitive(e, "capabilities"));
    cJSON_ReplaceItemInObjectCaseSensitive(e, "capabilities", caps);
    return e;
}

/* Refuse (raising on req) to change or remove one of the platform's own
 * entries; true if refused. */
static bool protects_platform(vt_rpc_request *req, const cJSON *entry)
{
    if (!entry || !vt_auth_entry_is_platform(entry))
        return false;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(entry, "user_id");
    vt_rpc_raise(req, "builtins.ValueError",
                 "the auth entry of %s is the platform's own (vctl and the services connect "
                 "with it): it cannot be changed or removed by RPC",
                 cJSON_IsString(u) ? u->valuestring : "?");
    return true;
}

static cJSON *rpc_file_add(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    auth_svc *s = ctx;
    cJSON *e = complete_entry(req, vt_rpc_arg(req, 0, "entry"));
    if (!e)
        return NULL;
    if (protects_platform(req, e) || protects_platform(req, vt_authfile_find_same(s->af, e))) {
        cJSON_Delete(e);
        return NULL;
    }
    const cJSON *overwrite = vt_rpc_arg(req, 1, "overwrite");
    if (vt_authfile_add(s->af, e, cJSON_IsTrue(overwrite)) < 0)
        return vt_rpc_raise(req, "volttron.platform.auth.AuthFileEntryAlreadyExists", "%s",
                            vt_last_error());
    return saved(s, req, NULL);
}

static cJSON *rpc_file_update_by_index(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    auth_svc *s = ctx;
    const cJSON *index = vt_rpc_arg(req, 1, "index");
    cJSON *list = list_for(s, req, 2);
    if (!cJSON_IsNumber(index) || index->valueint < 0 ||
        index->valueint >= cJSON_GetArraySize(list))
        return vt_rpc_raise(req, "volttron.platform.auth.AuthFileIndexError", "invalid index %s",
                            cJSON_IsNumber(index) ? "" : "(not a number)");
    if (list == vt_authfile_allow(s->af) &&
        protects_platform(req, cJSON_GetArrayItem(list, index->valueint)))
        return NULL;
    cJSON *e = complete_entry(req, vt_rpc_arg(req, 0, "auth_entry"));
    if (!e)
        return NULL;
    if (list == vt_authfile_allow(s->af) && protects_platform(req, e)) {
        cJSON_Delete(e);
        return NULL;
    }
    cJSON_ReplaceItemInArray(list, index->valueint, e);
    return saved(s, req, NULL);
}

static cJSON *remove_indices(auth_svc *s, vt_rpc_request *req, cJSON *list, const cJSON *indices)
{
    int n = cJSON_GetArraySize(list);
    const cJSON *i;
    cJSON_ArrayForEach (i, indices) {
        if (!cJSON_IsNumber(i) || i->valueint < 0 || i->valueint >= n)
            return vt_rpc_raise(req, "volttron.platform.auth.AuthFileIndexError",
                                "invalid index %g", cJSON_IsNumber(i) ? i->valuedouble : -1.0);
        if (list == vt_authfile_allow(s->af) &&
            protects_platform(req, cJSON_GetArrayItem(list, i->valueint)))
            return NULL;
    }
    /* from the highest index down, so the others stay valid */
    for (int k = n - 1; k >= 0; k--) {
        cJSON_ArrayForEach (i, indices) {
            if (i->valueint == k) {
                cJSON_DeleteItemFromArray(list, k);
                break;
            }
        }
    }
    return saved(s, req, NULL);
}

static cJSON *rpc_file_remove_by_index(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    auth_svc *s = ctx;
    cJSON *one = cJSON_CreateArray();
    const cJSON *index = vt_rpc_arg(req, 0, "index");
    cJSON_AddItemToArray(one, index ? cJSON_Duplicate(index, 1) : cJSON_CreateNull());
    cJSON *r = remove_indices(s, req, list_for(s, req, 1), one);
    cJSON_Delete(one);
    return r;
}

static cJSON *rpc_file_remove_by_indices(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    auth_svc *s = ctx;
    return remove_indices(s, req, list_for(s, req, 1), vt_rpc_arg(req, 0, "indices"));
}

static cJSON *rpc_file_remove_by_credentials(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    auth_svc *s = ctx;
    const char *cred = str_arg(req, 0, "credentials");
    cJSON *list = list_for(s, req, 1);
    cJSON *indices = cJSON_CreateArray();
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach (e, list) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "credentials");
        if (cred && cJSON_IsString(c) && strcmp(c->valuestring, cred) == 0)
            cJSON_AddItemToArray(indices, cJSON_CreateNumber(i));
        i++;
    }
    cJSON *r = remove_indices(s, req, list, indices);
    cJSON_Delete(indices);
    return r;
}

static cJSON *set_member(auth_svc *s, vt_rpc_request *req, const char *key, const char *arg)
{
    const cJSON *v = vt_rpc_arg(req, 0, arg);
    if (!cJSON_IsObject(v))
        return vt_rpc_raise(req, "builtins.TypeError", "%s must be an object", arg);
    cJSON_ReplaceItemInObjectCaseSensitive(vt_authfile_doc(s->af), key, cJSON_Duplicate(v, 1));
    return saved(s, req, NULL);
}

static cJSON *rpc_file_set_groups(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return set_member(ctx, req, "groups", "groups");
}

static cJSON *rpc_file_set_roles(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return set_member(ctx, req, "roles", "roles");
}

static cJSON *rpc_file_find_by_credentials(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    auth_svc *s = ctx;
    const char *cred = str_arg(req, 0, "credentials");
    cJSON *out = cJSON_CreateArray();
    const cJSON *e;
    cJSON_ArrayForEach (e, list_for(s, req, 1)) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "credentials");
        if (cred && cJSON_IsString(c) && strcmp(c->valuestring, cred) == 0)
            cJSON_AddItemToArray(out, cJSON_Duplicate(e, 1));
    }
    return out;
}

/* Every method works on auth.json as it is on disk now, not as of the last
 * watch tick: an entry added a moment ago is found, and an edit never
 * overwrites one it has not seen. */
static cJSON *fresh_then(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    auth_method *m = ctx;
    if (vt_authfile_changed(m->svc->af))
        reload(m->svc);
    return m->fn(agent, req, m->svc);
}

/* ---- life ---- */

static void on_connect(vt_agent *agent, void *ctx)
{
    (void)agent;
    auth_svc *s = ctx;
    /* The router learns the map and the protected topics once at start. */
    cJSON_Delete(s->caps);
    s->caps = NULL;
    push_caps(s);
    push_protected(s, true);
}

static void fini(void *ctx)
{
    auth_svc *s = ctx;
    vt_authfile_destroy(&s->af);
    cJSON_Delete(s->caps);
    cJSON_Delete(s->rpc_auths);
    cJSON_Delete(s->rpc_changed);
    free(s->protected_text);
    free(s->path);
    free(s->protected_path);
    free(s->methods);
    free(s);
}

int vt_auth_service_start(vt_router *router, const char *home)
{
    auth_svc *s = vt_calloc(1, sizeof *s);
    s->router = router;
    s->path = vt_fs_path_join(home, "auth.json");
    s->protected_path = vt_fs_path_join(home, "protected_topics.json");
    s->rpc_changed = cJSON_CreateObject();
    if (!vt_fs_exists(s->protected_path))
        vt_fs_write_atomic(s->protected_path, "", 0, 0640);
    s->af = vt_authfile_load(s->path);
    if (!s->af) {
        int rc = vt_error_prefix(-EINVAL, "platform.auth");
        fini(s);
        return rc;
    }
    s->rpc_auths = rpc_auths_now(s);
    vt_agent *a = vt_router_add_service(router, "platform.auth", "1.0", fini, s);
    if (!a) {
        fini(s);
        return -EINVAL;
    }
    s->agent = a;
    vt_agent_on_connect(a, on_connect, s);
    s->watch = vt_agent_every(a, WATCH_MS, watch, s);
    static const struct {
        const char *name, *params, *caps;
        vt_rpc_method fn;
    } methods[] = {
        {"get_user_to_capabilities", NULL, NULL, rpc_get_user_to_capabilities},
        {"get_authorizations", "user_id", NULL, rpc_get_authorizations},
        {"get_capabilities", "user_id", NULL, rpc_get_capabilities},
        {"get_groups", "user_id", NULL, rpc_get_groups},
        {"get_roles", "user_id", NULL, rpc_get_roles},
        {"update_id_rpc_authorizations", "identity, rpc_methods", NULL,
         rpc_update_id_rpc_authorizations},
        {"add_rpc_authorizations", "identity, method, authorizations", RPC_MODS,
         rpc_add_rpc_authorizations},
        {"delete_rpc_authorizations", "identity, method, denied_authorizations", RPC_MODS,
         rpc_delete_rpc_authorizations},
        {"approve_authorization", "user_id", AUTH_MODS, rpc_approve},
        {"deny_authorization", "user_id", AUTH_MODS, rpc_deny},
        {"delete_authorization", "user_id", AUTH_MODS, rpc_delete_authorization},
        {"get_pending_authorizations", NULL, NULL, rpc_get_pending},
        {"get_approved_authorizations", NULL, NULL, rpc_get_approved},
        {"get_denied_authorizations", NULL, NULL, rpc_get_denied},
        {"auth_file.read", NULL, NULL, rpc_file_read},
        {"auth_file.add", "entry, overwrite=False", AUTH_MODS, rpc_file_add},
        {"auth_file.update_by_index", "auth_entry, index, is_allow=True", AUTH_MODS,
         rpc_file_update_by_index},
        {"auth_file.remove_by_credentials", "credentials, is_allow=True", AUTH_MODS,
         rpc_file_remove_by_credentials},
        {"auth_file.remove_by_index", "index, is_allow=True", AUTH_MODS, rpc_file_remove_by_index},
        {"auth_file.remove_by_indices", "indices, is_allow=True", AUTH_MODS,
         rpc_file_remove_by_indices},
        {"auth_file.set_groups", "groups", AUTH_MODS, rpc_file_set_groups},
        {"auth_file.set_roles", "roles", AUTH_MODS, rpc_file_set_roles},
        {"auth_file.find_by_credentials", "credentials, is_allow=True", NULL,
         rpc_file_find_by_credentials},
    };
    size_t n = sizeof methods / sizeof methods[0];
    s->methods = vt_calloc(n, sizeof *s->methods);
    for (size_t i = 0; i < n; i++) {
        s->methods[i] = (auth_method){s, methods[i].fn};
        vt_rpc_export_doc(a, methods[i].name, fresh_then, &s->methods[i], methods[i].params, NULL);
        if (methods[i].caps)
            vt_rpc_require(a, methods[i].name, methods[i].caps);
    }
    return 0;
}
