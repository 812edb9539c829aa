/* auth, agent side: who may call which exported method. Capabilities come
 * from platform.auth's user-to-capabilities map, fetched when the first
 * restricted call arrives and replaced by auth.update pushes; the checks and
 * their error texts are VOLTTRON 9's (vip-wire.md §8.7). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/json.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/pattern.h>

#include "rpc_private.h"

#define AUTH_PEER "platform.auth"
#define FETCH_TIMEOUT_MS 10000

struct vt_auth {
    bool enforce;
    cJSON *caps; /* user id -> capabilities object; NULL until fetched */
    bool fetching;
    vt_rpc_request **waiting; /* restricted calls waiting for the map */
    size_t nwaiting;
    bool sync_pending; /* requirements changed since connect: tell platform.auth */
};

/* The value as Python's str() would print it in a message. */
static void py_str(vt_buf *b, const cJSON *v)
{
    if (cJSON_IsString(v))
        vt_buf_append_str(b, v->valuestring);
    else
        vt_json_repr_python(b, v);
}

/* ---- the check ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* {'a', 'b'}: the required set as Python prints it (sorted). */
static void repr_required(vt_buf *b, char **caps)
{
    size_t n = 0;
    while (caps[n])
        n++;
    char **sorted = vt_malloc((n + 1) * sizeof *sorted);
    memcpy(sorted, caps, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str);
    vt_buf_append_char(b, '{');
    for (size_t i = 0; i < n; i++) {
        cJSON s = {.type = cJSON_String, .valuestring = sorted[i]};
        if (i)
            vt_buf_append_str(b, ", ");
        vt_json_repr_python(b, &s);
    }
    vt_buf_append_char(b, '}');
    free(sorted);
}

static int deny(vt_rpc_request *req, vt_buf *text)
{
    vt_rpc_set_unauthorized(req, text->data);
    vt_buf_free(text);
    return VT_AUTH_DENY;
}

static int verdict(struct vt_auth *a, vt_rpc_request *req, const rpc_export *e)
{
    const char *user = vt_rpc_caller(req);
    /* VOLTTRON names the Python function: "auth.set_rpc_authorizations"
     * is set_rpc_authorizations. */
    const char *method = vt_rpc_request_method(req);
    const char *dot = strrchr(method, '.');
    method = dot ? dot + 1 : method;
    const cJSON *held = cJSON_GetObjectItemCaseSensitive(a->caps, user);
    cJSON unknown = {.type = cJSON_Array}; /* VOLTTRON's default: [] */
    if (!cJSON_IsObject(held))
        held = &unknown;
    if (e->caps[0] && !e->caps[1] && !e->caps[0][0])
        return VT_AUTH_ALLOW; /* required {""}: anyone */
    vt_buf text;
    vt_buf_init(&text);
    for (char **c = e->caps; *c; c++) {
        if (!cJSON_GetObjectItemCaseSensitive(held, *c)) {
            vt_buf_appendf(&text, "method '%s' requires capabilities ", method);
            repr_required(&text, e->caps);
            vt_buf_append_str(&text, ", but capability ");
            vt_json_repr_python(&text, held);
            vt_buf_appendf(&text, " was provided for user %s", user);
            return deny(req, &text);
        }
    }
    /* Held: now the argument restrictions of the required ones. */
    const cJSON *cap;
    cJSON_ArrayForEach (cap, held) {
        bool required = false;
        for (char **c = e->caps; *c && !required; c++)
            required = strcmp(*c, cap->string) == 0;
        if (!required || !cJSON_IsObject(cap) || !cap->child)
            continue;
        const cJSON *rule;
        cJSON_ArrayForEach (rule, cap) {
            static const cJSON null_value = {.type = cJSON_NULL};
            const cJSON *actual = vt_rpc_bound_arg(req, e, rule->string);
            if (!actual && vt_rpc_has_param(e, rule->string))
                actual = &null_value; /* left to its default */
            if (!actual) {
                vt_buf_appendf(&text,
                               "User %s capability is not defined properly. method %s "
                               "does not have a parameter %s",
                               user, method, rule->string);
                return deny(req, &text);
            }
            const char *want = cJSON_IsString(rule) ? rule->valuestring : NULL;
            bool ok;
            if (vt_pattern_is_regex(want))
                ok = cJSON_IsString(actual) && vt_pattern_match(want, actual->valuestring);
            else
                ok = cJSON_Compare(rule, actual, 1);
            if (ok)
                continue;
            if (vt_pattern_is_regex(want))
                vt_buf_appendf(&text,
                               "User %s can call method %s only with %s matching pattern "
                               "%s but called with %s=",
                               user, method, rule->string, want, rule->string);
            else {
                vt_buf_appendf(&text, "User %s can call method %s only with %s=", user, method,
                               rule->string);
                py_str(&text, rule);
                vt_buf_appendf(&text, " but called with %s=", rule->string);
            }
            py_str(&text, actual);
            return deny(req, &text);
        }
    }
    vt_buf_free(&text);
    return VT_AUTH_ALLOW;
}

static void settle_waiting(vt_agent *agent, const char *failure)
{
    struct vt_auth *a = agent->auth_state;
    vt_rpc_request **waiting = a->waiting;
    size_t n = a->nwaiting;
    a->waiting = NULL;
    a->nwaiting = 0;
    for (size_t i = 0; i < n; i++) {
        vt_rpc_request *req = waiting[i];
        rpc_export *e = vt_map_get(agent->rpc->exports, vt_rpc_request_method(req));
        if (failure) {
            char *text = vt_asprintf("method '%s' requires capabilities, but the auth subsystem "
                                     "is not available for user %s (%s)",
                                     vt_rpc_request_method(req), vt_rpc_caller(req), failure);
            vt_rpc_set_unauthorized(req, text);
            free(text);
            vt_rpc_finish_error(req);
        } else if (!e || !e->caps || verdict(a, req, e) == VT_AUTH_ALLOW) {
            vt_rpc_invoke(req);
        } else {
            vt_rpc_finish_error(req);
        }
    }
    free(waiting);
}

static void got_caps(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)ctx;
    struct vt_auth *a = agent->auth_state;
    if (!a)
        return;
    a->fetching = false;
    if (res->status == VT_RPC_OK && cJSON_IsObject(res->value)) {
        cJSON_Delete(a->caps);
        a->caps = cJSON_Duplicate(res->value, 1);
        settle_waiting(agent, NULL);
    } else {
        vt_log_error(agent->identity, "cannot fetch capabilities from %s: %s", AUTH_PEER,
                     res->message);
        settle_waiting(agent, res->message);
    }
}

int vt_auth_check(vt_agent *agent, vt_rpc_request *req, const rpc_export *e)
{
    struct vt_auth *a = agent->auth_state;
    if (!a || !a->enforce)
        return VT_AUTH_ALLOW;
    /* A caller the map does not know yet may be one authorised a moment ago
     * whose auth.update push is still on its way: ask again before refusing
     * (VOLTTRON refuses at once; an agent installed and started in one go
     * then fails its first calls). */
    if (a->caps && cJSON_GetObjectItemCaseSensitive(a->caps, vt_rpc_caller(req)))
        return verdict(a, req, e);
    a->waiting = vt_realloc(a->waiting, (a->nwaiting + 1) * sizeof *a->waiting);
    a->waiting[a->nwaiting++] = vt_rpc_defer(req);
    if (!a->fetching) {
        a->fetching = true;
        vt_rpc_call(agent, AUTH_PEER, "get_user_to_capabilities", NULL, FETCH_TIMEOUT_MS, got_caps,
                    NULL);
    }
    return VT_AUTH_WAIT;
}

/* ---- exported methods ---- */

static cJSON *rpc_update(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    struct vt_auth *a = agent->auth_state;
    const cJSON *map = vt_rpc_arg(req, 0, "user_to_capabilities");
    if (strcmp(vt_rpc_caller(req), AUTH_PEER) != 0) {
        vt_log_warning(agent->identity, "auth.update from %s ignored (only %s may send it)",
                       vt_rpc_caller(req), AUTH_PEER);
        return NULL;
    }
    if (cJSON_IsObject(map)) {
        cJSON_Delete(a->caps);
        a->caps = cJSON_Duplicate(map, 1);
    }
    return NULL;
}

static cJSON *caps_list(const char *const *caps)
{
    cJSON *list = cJSON_CreateArray();
    for (const char *const *c = caps; c && *c; c++)
        cJSON_AddItemToArray(list, cJSON_CreateString(*c));
    return list;
}

static cJSON *rpc_get(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    const cJSON *m = vt_rpc_arg(req, 0, "method_str");
    if (!cJSON_IsString(m))
        return vt_rpc_raise(req, "builtins.TypeError", "method_str must be a string");
    return caps_list(vt_rpc_required(agent, m->valuestring));
}

static cJSON *rpc_get_all(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)req;
    (void)ctx;
    cJSON *out = cJSON_CreateObject();
    size_t cursor = 0;
    const char *name;
    void *val;
    while (vt_map_next(agent->rpc->exports, &cursor, &name, &val))
        if (!strchr(name, '.'))
            cJSON_AddItemToObject(out, name,
                                  caps_list((const char *const *)((rpc_export *)val)->caps));
    return out;
}

/* "cap" or ["cap", ...] as the comma list vt_rpc_require takes. */
static char *caps_text(const cJSON *caps)
{
    vt_buf b;
    vt_buf_init(&b);
    if (cJSON_IsString(caps)) {
        vt_buf_append_str(&b, caps->valuestring);
    } else if (cJSON_IsArray(caps)) {
        const cJSON *c;
        cJSON_ArrayForEach (c, caps) {
            if (cJSON_IsString(c)) {
                if (b.len)
                    vt_buf_append_char(&b, ',');
                vt_buf_append_str(&b, c->valuestring);
            }
        }
    }
    return vt_buf_detach(&b, NULL);
}

static cJSON *set_one(vt_agent *agent, vt_rpc_request *req, const char *method, const cJSON *caps)
{
    if (!vt_map_get(agent->rpc->exports, method))
        return vt_rpc_raise(req, "builtins.KeyError", "%s is not an exported method", method);
    char *text = caps_text(caps);
    vt_rpc_set_required(agent, method, text);
    free(text);
    return NULL;
}

static cJSON *rpc_set(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    const cJSON *m = vt_rpc_arg(req, 0, "method_str");
    if (!cJSON_IsString(m))
        return vt_rpc_raise(req, "builtins.TypeError", "method_str must be a string");
    return set_one(agent, req, m->valuestring, vt_rpc_arg(req, 1, "capabilities"));
}

static cJSON *rpc_set_multiple(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    const cJSON *all = vt_rpc_arg(req, 0, "rpc_authorizations");
    if (!cJSON_IsObject(all))
        return vt_rpc_raise(req, "builtins.TypeError", "rpc_authorizations must be an object");
    const cJSON *m;
    cJSON_ArrayForEach (m, all) {
        cJSON *r = set_one(agent, req, m->string, m);
        if (!r && vt_rpc_request_failed(req))
            return NULL;
    }
    return NULL;
}

/* ---- the rpc-method authorisations in auth.json ---- */

/* Apply what auth.json says each method needs: an operator's entry there
 * overrides the capabilities written in code. */
static void got_rpc_auths(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)ctx;
    if (res->status != VT_RPC_OK) {
        vt_log_warning(agent->identity, "rpc authorizations not synchronised with %s: %s",
                       AUTH_PEER, res->message);
        return;
    }
    const cJSON *m;
    cJSON_ArrayForEach (m, res->value) /* null (no auth entry) has no members */
    {
        if (!vt_map_get(agent->rpc->exports, m->string))
            continue;
        char *want = caps_text(m);
        vt_rpc_set_required(agent, m->string, want);
        free(want);
    }
}

/* Tell platform.auth which capabilities this agent's methods require, as a
 * VOLTTRON agent does at start, and take back the effective map. VOLTTRON
 * only does this for agents on the platform's local (ipc) address, which is
 * where the platform starts installed agents; so do we. Unlike VOLTTRON we
 * send only methods that require something: listing every method would add
 * them to auth.json on first start, rewriting the file and pushing
 * auth.update to every peer for nothing. */
static void sync_rpc_auths(vt_agent *agent, void *ctx)
{
    (void)ctx;
    if (!agent->address || strncmp(agent->address, "ipc://", 6) != 0)
        return; /* the platform's own services have no address */
    cJSON *methods = cJSON_CreateObject();
    size_t cursor = 0;
    const char *name;
    void *val;
    while (vt_map_next(agent->rpc->exports, &cursor, &name, &val)) {
        const rpc_export *e = val;
        if (!strchr(name, '.') && e->caps)
            cJSON_AddItemToObject(methods, name, caps_list((const char *const *)e->caps));
    }
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString(agent->identity));
    cJSON_AddItemToArray(params, methods);
    vt_rpc_call(agent, AUTH_PEER, "update_id_rpc_authorizations", params, FETCH_TIMEOUT_MS,
                got_rpc_auths, NULL);
}

static void sync_later(vt_agent *agent, void *ctx)
{
    agent->auth_state->sync_pending = false;
    if (vt_agent_connected(agent))
        sync_rpc_auths(agent, ctx);
}

void vt_auth_requirements_changed(vt_agent *agent)
{
    struct vt_auth *a = agent->auth_state;
    if (!a || !a->enforce || a->sync_pending || !vt_agent_connected(agent))
        return; /* before the connection, the connect hook sends them all */
    a->sync_pending = true;
    vt_agent_after(agent, 0, sync_later, NULL);
}

void vt_auth_init(vt_agent *agent, bool enforce)
{
    struct vt_auth *a = vt_calloc(1, sizeof *a);
    a->enforce = enforce;
    agent->auth_state = a;
    if (!enforce)
        return;
    vt_rpc_export_doc(agent, "auth.update", rpc_update, NULL, "user_to_capabilities", NULL);
    vt_rpc_export_doc(agent, "auth.get_rpc_authorizations", rpc_get, NULL, "method_str", NULL);
    vt_rpc_export_doc(agent, "auth.get_all_rpc_authorizations", rpc_get_all, NULL, NULL, NULL);
    vt_rpc_export_doc(agent, "auth.set_rpc_authorizations", rpc_set, NULL,
                      "method_str, capabilities", NULL);
    vt_rpc_export_doc(agent, "auth.set_multiple_rpc_authorizations", rpc_set_multiple, NULL,
                      "rpc_authorizations", NULL);
    vt_rpc_require(agent, "auth.set_rpc_authorizations", "modify_rpc_method_allowance");
    vt_rpc_require(agent, "auth.set_multiple_rpc_authorizations", "modify_rpc_method_allowance");
    /* Only config.store may push configurations. */
    vt_rpc_require(agent, "config.update", "sync_agent_config");
    vt_rpc_require(agent, "config.initial_update", "sync_agent_config");
    vt_agent_hook_add(&agent->on_connect, sync_rpc_auths, NULL);
}

void vt_auth_fini(vt_agent *agent)
{
    struct vt_auth *a = agent->auth_state;
    if (!a)
        return;
    /* Requests still waiting are answered by nobody: the RPC layer drops
     * deferred requests when it goes. */
    free(a->waiting);
    cJSON_Delete(a->caps);
    free(a);
    agent->auth_state = NULL;
}
