/* RPC, serving side: exported methods, dispatch of JSON-RPC requests (single,
 * batch, several frames, notifications), deferred answers, and introspection
 * ("inspect", "<name>.inspect"), with VOLTTRON 9's error codes and texts. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/json.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "rpc_private.h"

/* The answers to one incoming RPC message: one slot per request, grouped
 * into the frames they came in; sent once every slot is settled. */
typedef struct reply_group {
    vt_agent *agent;
    char *peer;
    char *vip_id;
    cJSON **responses; /* per slot; NULL for no answer */
    size_t *frame_of;  /* per slot */
    size_t nslots, capslots;
    bool *frame_is_batch; /* per frame */
    size_t nframes;
    size_t outstanding; /* deferred slots + 1 while the message is being read */
    bool silent;        /* the agent is going away: send nothing */
} reply_group;

struct vt_rpc_request {
    vt_agent *agent;
    reply_group *group;
    size_t slot;
    char *caller;
    char *method;
    cJSON *id; /* NULL for a notification */
    cJSON *args;
    cJSON *kwargs;
    cJSON *error; /* set by vt_rpc_raise / vt_rpc_fail */
    bool deferred;
    bool in_call;  /* its method is running */
    bool answered; /* deferred and answered before its method returned */
    cJSON *early_result;
    struct vt_rpc_request *prev, *next; /* live deferred requests */
};

static vt_rpc_request *deferred_list(vt_agent *agent);
static void deferred_unlink(vt_rpc_request *req);

/* ---- exports ---- */

static void free_caps(char **caps)
{
    for (char **c = caps; c && *c; c++)
        free(*c);
    free(caps);
}

static void export_free(void *p)
{
    rpc_export *e = p;
    free(e->params);
    free(e->doc);
    free_caps(e->caps);
    free(e);
}

void vt_rpc_require(vt_agent *agent, const char *name, const char *capabilities)
{
    if (vt_rpc_set_required(agent, name, capabilities))
        vt_auth_requirements_changed(agent);
}

bool vt_rpc_set_required(vt_agent *agent, const char *name, const char *capabilities)
{
    rpc_export *e = vt_map_get(agent->rpc->exports, name);
    if (!e)
        return false;
    free_caps(e->caps);
    e->caps = NULL;
    size_t n = 0;
    char *copy = vt_strdup(capabilities ? capabilities : "");
    for (char *save, *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        e->caps = vt_realloc(e->caps, (n + 2) * sizeof *e->caps);
        e->caps[n++] = vt_strdup(tok);
        e->caps[n] = NULL;
    }
    free(copy);
    return true;
}

const char *const *vt_rpc_required(vt_agent *agent, const char *name)
{
    rpc_export *e = vt_map_get(agent->rpc->exports, name);
    return e ? (const char *const *)e->caps : NULL;
}

void vt_rpc_export_doc(vt_agent *agent, const char *name, vt_rpc_method fn, void *ctx,
                       const char *params, const char *doc)
{
    struct vt_rpc *rpc = agent->rpc;
    if (!vt_map_contains(rpc->exports, name)) {
        rpc->order = vt_realloc(rpc->order, (rpc->norder + 1) * sizeof *rpc->order);
        rpc->order[rpc->norder++] = vt_strdup(name);
    }
    rpc_export *e = vt_calloc(1, sizeof *e);
    e->fn = fn;
    e->ctx = ctx;
    e->params = params ? vt_strdup(params) : NULL;
    e->doc = doc ? vt_strdup(doc) : NULL;
    vt_map_set(rpc->exports, name, e);
}

void vt_rpc_export(vt_agent *agent, const char *name, vt_rpc_method fn, void *ctx)
{
    vt_rpc_export_doc(agent, name, fn, ctx, NULL, NULL);
}

void vt_rpc_unexport(vt_agent *agent, const char *name)
{
    struct vt_rpc *rpc = agent->rpc;
    if (!vt_map_remove(rpc->exports, name))
        return;
    for (size_t i = 0; i < rpc->norder; i++) {
        if (strcmp(rpc->order[i], name) == 0) {
            free(rpc->order[i]);
            memmove(&rpc->order[i], &rpc->order[i + 1], (rpc->norder - i - 1) * sizeof *rpc->order);
            rpc->norder--;
            break;
        }
    }
}

/* ---- request accessors ---- */

const char *vt_rpc_caller(const vt_rpc_request *req)
{
    return req->caller;
}

const char *vt_rpc_peer(const vt_rpc_request *req)
{
    return req->group->peer;
}

const char *vt_rpc_method_name(const vt_rpc_request *req)
{
    return req->method;
}

const cJSON *vt_rpc_args(const vt_rpc_request *req)
{
    return req->args;
}

const cJSON *vt_rpc_kwargs(const vt_rpc_request *req)
{
    return req->kwargs;
}

const cJSON *vt_rpc_arg(const vt_rpc_request *req, int pos, const char *name)
{
    if (pos >= 0 && pos < cJSON_GetArraySize(req->args))
        return cJSON_GetArrayItem(req->args, pos);
    return name ? cJSON_GetObjectItemCaseSensitive(req->kwargs, name) : NULL;
}

/* ---- errors ---- */

static cJSON *error_object(int code, const char *message, const cJSON *data)
{
    cJSON *err = cJSON_CreateObject();
    cJSON_AddNumberToObject(err, "code", code);
    cJSON_AddStringToObject(err, "message", message);
    if (data)
        cJSON_AddItemToObject(err, "data", cJSON_Duplicate(data, 1));
    return err;
}

/* data of a JSON-RPC error: {"detail": detail}. */
static cJSON *detail_data(const char *detail)
{
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "detail", detail);
    return data;
}

/* Python's str(exception): a KeyError shows its argument's repr. */
static char *exception_detail(const char *exc_type, const char *text)
{
    if (strcmp(exc_type, "builtins.KeyError") != 0)
        return vt_strdup(text);
    char quote = strchr(text, '\'') && !strchr(text, '"') ? '"' : '\'';
    return vt_asprintf("%c%s%c", quote, text, quote);
}

static cJSON *exception_error(const char *exc_type, const char *text)
{
    cJSON *data = cJSON_CreateObject();
    char *detail = exception_detail(exc_type, text);
    cJSON_AddStringToObject(data, "detail", detail);
    free(detail);
    cJSON *exc = cJSON_AddObjectToObject(data, "exception.py");
    cJSON_AddStringToObject(exc, "exc_type", exc_type);
    cJSON *args = cJSON_AddArrayToObject(exc, "exc_args");
    cJSON_AddItemToArray(args, cJSON_CreateString(text));
    cJSON *err = error_object(VT_RPC_UNHANDLED_EXCEPTION, "unhandled exception", data);
    cJSON_Delete(data);
    return err;
}

static void set_exception(vt_rpc_request *req, const char *exc_type, const char *fmt, va_list ap)
{
    char *text = vt_vasprintf(fmt, ap);
    cJSON_Delete(req->error);
    req->error = exception_error(exc_type, text);
    free(text);
}

cJSON *vt_rpc_raise(vt_rpc_request *req, const char *exc_type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_exception(req, exc_type, fmt, ap);
    va_end(ap);
    return NULL;
}

cJSON *vt_rpc_fail(vt_rpc_request *req, int code, const char *message, const cJSON *data)
{
    cJSON_Delete(req->error);
    req->error = error_object(code, message, data);
    return NULL;
}

/* ---- responses ---- */

/* {"jsonrpc": "2.0", "id": id, <key>: value} in VOLTTRON's key order. Takes
 * value; id is copied (NULL gives null). */
static cJSON *response_object(const cJSON *id, const char *key, cJSON *value)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "jsonrpc", "2.0");
    cJSON_AddItemToObject(r, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    cJSON_AddItemToObject(r, key, value ? value : cJSON_CreateNull());
    return r;
}

char *vt_rpc_dump(const cJSON *obj, size_t *len)
{
    vt_buf b;
    vt_buf_init(&b);
    vt_json_dump_buf(&b, obj, 0);
    return vt_buf_detach(&b, len);
}

static void group_send(reply_group *g)
{
    vt_message *args = vt_message_new();
    size_t sent = 0;
    for (size_t f = 0; f < g->nframes; f++) {
        cJSON *frame = NULL;
        if (g->frame_is_batch[f]) {
            cJSON *arr = cJSON_CreateArray();
            for (size_t s = 0; s < g->nslots; s++)
                if (g->frame_of[s] == f && g->responses[s]) {
                    cJSON_AddItemToArray(arr, g->responses[s]);
                    g->responses[s] = NULL;
                }
            if (cJSON_GetArraySize(arr) > 0)
                frame = arr;
            else
                cJSON_Delete(arr);
        } else {
            for (size_t s = 0; s < g->nslots; s++)
                if (g->frame_of[s] == f && g->responses[s]) {
                    frame = g->responses[s];
                    g->responses[s] = NULL;
                    break;
                }
        }
        if (frame) {
            size_t len;
            char *text = vt_rpc_dump(frame, &len);
            vt_message_append_owned(args, text, len);
            cJSON_Delete(frame);
            sent++;
        }
    }
    if (sent)
        vt_agent_send(g->agent, g->peer, "RPC", g->vip_id, args);
    else
        vt_message_destroy(&args);
}

static void group_release(reply_group *g)
{
    if (--g->outstanding > 0)
        return;
    if (!g->silent)
        group_send(g);
    for (size_t s = 0; s < g->nslots; s++)
        cJSON_Delete(g->responses[s]);
    free(g->responses);
    free(g->frame_of);
    free(g->frame_is_batch);
    free(g->peer);
    free(g->vip_id);
    free(g);
}

static size_t group_slot(reply_group *g, size_t frame)
{
    if (g->nslots == g->capslots) {
        g->capslots = g->capslots ? g->capslots * 2 : 4;
        g->responses = vt_realloc(g->responses, g->capslots * sizeof *g->responses);
        g->frame_of = vt_realloc(g->frame_of, g->capslots * sizeof *g->frame_of);
    }
    g->responses[g->nslots] = NULL;
    g->frame_of[g->nslots] = frame;
    return g->nslots++;
}

/* Settle req's slot with its result or error, and release req. */
static void request_finish(vt_rpc_request *req, cJSON *result)
{
    if (req->id) {
        cJSON *response = req->error ? response_object(req->id, "error", req->error)
                                     : response_object(req->id, "result", result);
        req->error = NULL;
        result = NULL;
        req->group->responses[req->slot] = response;
    } else if (req->error) {
        vt_log_info(req->agent->identity, "notification %s failed (not answered)", req->method);
    }
    cJSON_Delete(result);
    cJSON_Delete(req->error);
    reply_group *g = req->group;
    free(req->caller);
    free(req->method);
    cJSON_Delete(req->id);
    cJSON_Delete(req->args);
    cJSON_Delete(req->kwargs);
    free(req);
    group_release(g);
}

/* ---- introspection ---- */

static cJSON *inspect_all(struct vt_rpc *rpc)
{
    cJSON *r = cJSON_CreateObject();
    cJSON *methods = cJSON_AddArrayToObject(r, "methods");
    for (size_t i = 0; i < rpc->norder; i++)
        cJSON_AddItemToArray(methods, cJSON_CreateString(rpc->order[i]));
    return r;
}

/* Describe one parameter of a "a, b=1, *args, **kwargs" list as Python's
 * inspect module would. */
static void inspect_param(cJSON *params, const char *text, bool *keyword_only)
{
    char *p = vt_strdup(text);
    char *name = p;
    while (*name == ' ')
        name++;
    char *end = name + strlen(name);
    while (end > name && end[-1] == ' ')
        *--end = '\0';
    const char *kind = *keyword_only ? "KEYWORD_ONLY" : "POSITIONAL_OR_KEYWORD";
    char *deflt = strchr(name, '=');
    if (deflt) {
        *deflt++ = '\0';
        char *e = deflt - 1;
        while (e > name && e[-1] == ' ')
            *--e = '\0';
        while (*deflt == ' ')
            deflt++;
    }
    if (strncmp(name, "**", 2) == 0) {
        kind = "VAR_KEYWORD";
        name += 2;
    } else if (name[0] == '*') {
        kind = "VAR_POSITIONAL";
        name += 1;
        *keyword_only = true;
    }
    if (*name) {
        cJSON *desc = cJSON_AddObjectToObject(params, name);
        cJSON_AddStringToObject(desc, "kind", kind);
        if (deflt) {
            cJSON *v = vt_json_parse(deflt, strlen(deflt), 0, NULL, NULL);
            if (!v && strcmp(deflt, "None") == 0)
                v = cJSON_CreateNull();
            else if (!v && strcmp(deflt, "True") == 0)
                v = cJSON_CreateTrue();
            else if (!v && strcmp(deflt, "False") == 0)
                v = cJSON_CreateFalse();
            cJSON_AddItemToObject(desc, "default", v ? v : cJSON_CreateString(deflt));
        }
    }
    free(p);
}

static cJSON *inspect_one(const rpc_export *e)
{
    cJSON *r = cJSON_CreateObject();
    cJSON *params = cJSON_AddObjectToObject(r, "params");
    if (e->params) {
        char *copy = vt_strdup(e->params);
        bool keyword_only = false;
        for (char *save, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
            inspect_param(params, tok, &keyword_only);
        free(copy);
    }
    if (e->doc)
        cJSON_AddStringToObject(r, "doc", e->doc);
    return r;
}

/* ---- dispatch ---- */

static const char *python_type(const cJSON *v)
{
    switch (v ? v->type & 0xFF : cJSON_NULL) {
    case cJSON_String:
        return "str";
    case cJSON_Number:
        return vt_json_is_float(v) ? "float" : "int";
    case cJSON_True:
    case cJSON_False:
        return "bool";
    case cJSON_Array:
        return "list";
    case cJSON_Object:
        return "dict";
    default:
        return "NoneType";
    }
}

static cJSON *invalid(const cJSON *id, int code, const char *message, const char *detail)
{
    cJSON *data = detail_data(detail);
    cJSON *err = error_object(code, message, data);
    cJSON_Delete(data);
    return response_object(id, "error", err);
}

static cJSON *invalid_type(const cJSON *id, int code, const char *expected, const cJSON *got)
{
    char detail[160];
    snprintf(detail, sizeof detail, "expected %s; got a '%s' instead", expected, python_type(got));
    return invalid(id, code, "invalid object type", detail);
}

/* Split params into (args, kwargs) as VOLTTRON does. Returns false for a
 * params member that is neither array, object nor null. */
static bool split_params(const cJSON *params, cJSON **args, cJSON **kwargs)
{
    *args = NULL;
    *kwargs = NULL;
    if (!params || cJSON_IsNull(params)) {
        /* nothing */
    } else if (cJSON_IsArray(params)) {
        *args = cJSON_Duplicate(params, 1);
    } else if (cJSON_IsObject(params)) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(params, "*args");
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(params, "**kwargs");
        if (a && k) {
            *args = cJSON_IsArray(a) ? cJSON_Duplicate(a, 1) : NULL;
            *kwargs = cJSON_IsObject(k) ? cJSON_Duplicate(k, 1) : NULL;
        } else {
            *kwargs = cJSON_Duplicate(params, 1);
        }
    } else {
        return false;
    }
    if (!*args)
        *args = cJSON_CreateArray();
    if (!*kwargs)
        *kwargs = cJSON_CreateObject();
    return true;
}

/* Handle one request or response object; returns a response for the slot or
 * NULL (notification, deferred, or a response to one of our calls). */
static cJSON *handle_one(vt_agent *agent, const cJSON *msg, reply_group *g, size_t slot,
                         const char *caller)
{
    if (!cJSON_IsObject(msg))
        return invalid_type(NULL, VT_RPC_INVALID_REQUEST, "a dictionary (object)", msg);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
    if (cJSON_IsNull(id))
        id = NULL;
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(msg, "jsonrpc");
    if (!version)
        return invalid(id, VT_RPC_INVALID_REQUEST, "missing required member",
                       "missing required 'jsonrpc' member");
    if (!cJSON_IsString(version) || strcmp(version->valuestring, "2.0") != 0)
        return invalid(id, VT_RPC_INVALID_REQUEST, "unsupported version", "version 2.0 supported");
    if (cJSON_GetObjectItemCaseSensitive(msg, "error") ||
        cJSON_GetObjectItemCaseSensitive(msg, "result")) {
        vt_rpc_client_response(agent, msg);
        return NULL;
    }
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(msg, "method");
    if (!cJSON_IsString(method))
        return id ? invalid(id, VT_RPC_INVALID_REQUEST, "missing required member",
                            "missing required 'method' member")
                  : NULL;
    cJSON *args, *kwargs;
    if (!split_params(cJSON_GetObjectItemCaseSensitive(msg, "params"), &args, &kwargs))
        return invalid_type(NULL, VT_RPC_INVALID_PARAMS, "a list or dictionary (object)",
                            cJSON_GetObjectItemCaseSensitive(msg, "params"));

    const char *name = method->valuestring;
    rpc_export *e = vt_map_get(agent->rpc->exports, name);
    cJSON *result = NULL;
    if (!e) {
        size_t n = strlen(name);
        rpc_export *target = NULL;
        if (n > 8 && strcmp(name + n - 8, ".inspect") == 0)
            target = vt_map_getn(agent->rpc->exports, name, n - 8);
        if (strcmp(name, "inspect") == 0)
            result = inspect_all(agent->rpc);
        else if (target)
            result = inspect_one(target);
        cJSON_Delete(args);
        cJSON_Delete(kwargs);
        if (!result && !id)
            return NULL;
        if (!result) {
            char detail[512];
            snprintf(detail, sizeof detail, "method '%s' is not implemented", name);
            return invalid(id, VT_RPC_METHOD_NOT_FOUND, "unimplemented method", detail);
        }
        return response_object(id, "result", result);
    }

    vt_rpc_request *req = vt_calloc(1, sizeof *req);
    req->agent = agent;
    req->group = g;
    req->slot = slot;
    req->caller = vt_strdup(caller);
    req->method = vt_strdup(name);
    req->id = id ? cJSON_Duplicate(id, 1) : NULL;
    req->args = args;
    req->kwargs = kwargs;
    g->outstanding++;
    int verdict = e->caps ? vt_auth_check(agent, req, e) : VT_AUTH_ALLOW;
    if (verdict == VT_AUTH_ALLOW)
        vt_rpc_invoke(req);
    else if (verdict == VT_AUTH_DENY)
        request_finish(req, NULL);
    return NULL; /* VT_AUTH_WAIT: the auth subsystem holds req */
}

/* A request the auth check held comes back to normal handling. */
static void undefer(vt_rpc_request *req)
{
    deferred_unlink(req);
    req->deferred = false;
}

void vt_rpc_invoke(vt_rpc_request *req)
{
    undefer(req);
    rpc_export *e = vt_map_get(req->agent->rpc->exports, req->method);
    if (!e) { /* unexported while a capability check waited */
        char detail[512];
        snprintf(detail, sizeof detail, "method '%s' is not implemented", req->method);
        cJSON *data = detail_data(detail);
        vt_rpc_fail(req, VT_RPC_METHOD_NOT_FOUND, "unimplemented method", data);
        cJSON_Delete(data);
        request_finish(req, NULL);
        return;
    }
    req->in_call = true;
    cJSON *result = e->fn(req->agent, req, e->ctx);
    req->in_call = false;
    if (req->answered) {
        /* deferred and answered at once (the work needed no waiting) */
        cJSON_Delete(result);
        request_finish(req, req->early_result);
        return;
    }
    if (req->deferred) {
        cJSON_Delete(result); /* the answer comes later */
        return;
    }
    request_finish(req, result);
}

void vt_rpc_finish_error(vt_rpc_request *req)
{
    undefer(req);
    request_finish(req, NULL);
}

bool vt_rpc_request_failed(const vt_rpc_request *req)
{
    return req->error != NULL;
}

const char *vt_rpc_request_method(const vt_rpc_request *req)
{
    return req->method;
}

/* Position of name in a "a, b=1, *args" parameter list, or -1. */
static int param_position(const char *params, const char *name)
{
    if (!params)
        return -1;
    int pos = 0;
    const char *p = params;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return -1; /* nothing positional after *args */
        const char *start = p;
        while (*p && *p != ',' && *p != '=' && *p != ' ')
            p++;
        if ((size_t)(p - start) == strlen(name) && strncmp(start, name, (size_t)(p - start)) == 0)
            return pos;
        while (*p && *p != ',')
            p++;
        pos++;
    }
    return -1;
}

bool vt_rpc_has_param(const rpc_export *e, const char *name)
{
    return !e->params || param_position(e->params, name) >= 0;
}

const cJSON *vt_rpc_bound_arg(const vt_rpc_request *req, const rpc_export *e, const char *name)
{
    int pos = param_position(e->params, name);
    return vt_rpc_arg(req, pos, name);
}

void vt_rpc_set_unauthorized(vt_rpc_request *req, const char *text)
{
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "detail", text);
    cJSON *exc = cJSON_AddObjectToObject(data, "exception.py");
    cJSON_AddStringToObject(exc, "exc_type", "volttron.platform.jsonrpc.Error");
    cJSON *args = cJSON_AddArrayToObject(exc, "exc_args");
    cJSON_AddItemToArray(args, cJSON_CreateNumber(VT_RPC_UNAUTHORIZED));
    cJSON_AddItemToArray(args, cJSON_CreateString(text));
    cJSON_Delete(req->error);
    req->error = error_object(VT_RPC_UNHANDLED_EXCEPTION, "unhandled exception", data);
    cJSON_Delete(data);
}

static void on_rpc(vt_agent *agent, const vt_message *msg, void *ctx)
{
    (void)ctx;
    reply_group *g = vt_calloc(1, sizeof *g);
    g->agent = agent;
    g->peer = vt_strdup(vt_vip_peer(msg));
    g->vip_id = vt_strdup(vt_vip_id(msg));
    g->outstanding = 1;
    size_t nargs = vt_vip_nargs(msg);
    g->nframes = nargs;
    g->frame_is_batch = vt_calloc(nargs ? nargs : 1, sizeof *g->frame_is_batch);
    const char *caller = vt_vip_user(msg);

    for (size_t f = 0; f < nargs; f++) {
        size_t len;
        const char *text = vt_vip_arg(msg, f, &len);
        cJSON *doc = vt_json_parse(text, len, 0, "RPC frame", NULL);
        if (cJSON_IsArray(doc)) {
            g->frame_is_batch[f] = true;
            const cJSON *item;
            cJSON_ArrayForEach (item, doc) {
                size_t slot = group_slot(g, f);
                cJSON *r = handle_one(agent, item, g, slot, caller);
                if (r)
                    g->responses[slot] = r;
            }
        } else {
            size_t slot = group_slot(g, f);
            /* A frame that is not JSON is what Python sees as a str. */
            cJSON as_text = {.type = cJSON_String};
            cJSON *r = doc ? handle_one(agent, doc, g, slot, caller)
                           : invalid_type(NULL, VT_RPC_INVALID_REQUEST,
                                          "a list or dictionary (object)", &as_text);
            if (r)
                g->responses[slot] = r;
        }
        cJSON_Delete(doc);
    }
    group_release(g);
}

/* ---- deferred answers ---- */

vt_rpc_request *vt_rpc_defer(vt_rpc_request *req)
{
    req->deferred = true;
    vt_rpc_request *head = deferred_list(req->agent);
    req->next = head->next;
    req->prev = head;
    if (head->next)
        head->next->prev = req;
    head->next = req;
    return req;
}

void vt_rpc_reply(vt_rpc_request *req, cJSON *result)
{
    deferred_unlink(req);
    if (req->in_call) {
        /* still inside its method: finished when the method returns */
        req->answered = true;
        req->early_result = result;
        return;
    }
    request_finish(req, result);
}

void vt_rpc_reply_raise(vt_rpc_request *req, const char *exc_type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_exception(req, exc_type, fmt, ap);
    va_end(ap);
    vt_rpc_reply(req, NULL);
}

void vt_rpc_reply_error(vt_rpc_request *req, int code, const char *message, const cJSON *data)
{
    vt_rpc_fail(req, code, message, data);
    vt_rpc_reply(req, NULL);
}

/* The list head lives in struct vt_rpc's companion allocation below. */
typedef struct rpc_state {
    struct vt_rpc pub;
    vt_rpc_request deferred_head;
} rpc_state;

static vt_rpc_request *deferred_list(vt_agent *agent)
{
    return &((rpc_state *)agent->rpc)->deferred_head;
}

static void deferred_unlink(vt_rpc_request *req)
{
    if (req->prev)
        req->prev->next = req->next;
    if (req->next)
        req->next->prev = req->prev;
    req->prev = req->next = NULL;
}

/* ---- built-in ---- */

static cJSON *agent_version(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)req;
    (void)ctx;
    return cJSON_CreateString(agent->version);
}

void vt_rpc_init(vt_agent *agent)
{
    rpc_state *st = vt_calloc(1, sizeof *st);
    agent->rpc = &st->pub;
    agent->rpc->exports = vt_map_new(export_free);
    vt_agent_register_subsystem(agent, "RPC", on_rpc, NULL);
    vt_rpc_export_doc(agent, "agent.version", agent_version, NULL, NULL,
                      "The agent's version string.");
}

void vt_rpc_fini(vt_agent *agent)
{
    if (!agent->rpc)
        return;
    /* Deferred requests never answered: drop them without sending. */
    vt_rpc_request *head = deferred_list(agent);
    while (head->next) {
        vt_rpc_request *req = head->next;
        deferred_unlink(req);
        req->group->silent = true;
        request_finish(req, NULL);
    }
    vt_map_destroy(&agent->rpc->exports);
    for (size_t i = 0; i < agent->rpc->norder; i++)
        free(agent->rpc->order[i]);
    free(agent->rpc->order);
    free(agent->rpc);
    agent->rpc = NULL;
}
