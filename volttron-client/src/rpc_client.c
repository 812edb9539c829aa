/* RPC, calling side: requests with a result/error/timeout callback, blocking
 * calls, notifications, and matching responses by their JSON-RPC id. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/error.h>
#include <volttron/utils/json.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "rpc_private.h"

#define DEFAULT_TIMEOUT_MS 30000

typedef struct call {
    vt_rpc_callback cb;
    void *ctx;
    char *peer;
    char *method;
    /* Blocking calls copy the outcome here. */
    cJSON **sync_result;
    vt_rpc_error *sync_err;
    int *sync_rc;
} call;

/* The response being dispatched: the tracker's callback reads it. */
static _Thread_local const cJSON *current_response;

cJSON *vt_rpc_params(cJSON *args, cJSON *kwargs)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddItemToObject(p, "*args", args ? args : cJSON_CreateArray());
    cJSON_AddItemToObject(p, "**kwargs", kwargs ? kwargs : cJSON_CreateObject());
    return p;
}

void vt_rpc_error_clear(vt_rpc_error *err)
{
    if (!err)
        return;
    free(err->message);
    free(err->exc_type);
    cJSON_Delete(err->data);
    memset(err, 0, sizeof *err);
}

static int status_errno(vt_rpc_status st)
{
    switch (st) {
    case VT_RPC_OK:
        return 0;
    case VT_RPC_ERROR:
        return -EREMOTEIO;
    case VT_RPC_TIMEOUT:
        return -ETIMEDOUT;
    case VT_RPC_UNREACHABLE:
        return -EHOSTUNREACH;
    default:
        return -ENOTCONN;
    }
}

static void deliver(vt_agent *agent, call *c, const vt_rpc_result *res)
{
    if (c->cb)
        c->cb(agent, res, c->ctx);
    if (c->sync_rc) {
        *c->sync_rc = status_errno(res->status);
        if (res->status == VT_RPC_OK) {
            *c->sync_result = res->value ? cJSON_Duplicate(res->value, 1) : cJSON_CreateNull();
        } else {
            if (res->status == VT_RPC_ERROR && res->exc_type)
                vt_error_set(*c->sync_rc, "%s.%s: %s: %s", c->peer, c->method, res->exc_type,
                             res->detail ? res->detail : res->message);
            else
                vt_error_set(*c->sync_rc, "%s.%s: %s", c->peer, c->method, res->message);
            if (c->sync_err) {
                c->sync_err->status = res->status;
                c->sync_err->code = res->code;
                c->sync_err->message = vt_strdup(res->detail ? res->detail : res->message);
                c->sync_err->exc_type = res->exc_type ? vt_strdup(res->exc_type) : NULL;
                c->sync_err->data = res->data ? cJSON_Duplicate(res->data, 1) : NULL;
            }
        }
    }
    free(c->peer);
    free(c->method);
    free(c);
}

static void error_result(const cJSON *error, vt_rpc_result *res)
{
    res->status = VT_RPC_ERROR;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(error, "message");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(error, "data");
    res->code = cJSON_IsNumber(code) ? (int)code->valuedouble : 0;
    res->message = cJSON_IsString(message) ? message->valuestring : "error";
    res->data = cJSON_IsObject(data) ? data : NULL;
    const cJSON *detail = cJSON_GetObjectItemCaseSensitive(data, "detail");
    res->detail = cJSON_IsString(detail) ? detail->valuestring : NULL;
    const cJSON *exc = cJSON_GetObjectItemCaseSensitive(data, "exception.py");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(exc, "exc_type");
    res->exc_type = cJSON_IsString(type) ? type->valuestring : NULL;
}

static void call_done(vt_agent *agent, const vt_message *reply, const vt_vip_error *err, void *ctx)
{
    call *c = ctx;
    vt_rpc_result res = {0};
    char text[300];
    if (reply && current_response) {
        const cJSON *error = cJSON_GetObjectItemCaseSensitive(current_response, "error");
        if (error) {
            error_result(error, &res);
        } else {
            res.status = VT_RPC_OK;
            res.value = cJSON_GetObjectItemCaseSensitive(current_response, "result");
        }
    } else if (err) {
        if (err->errnum == ETIMEDOUT) {
            res.status = VT_RPC_TIMEOUT;
            snprintf(text, sizeof text, "no answer from %s within the timeout", c->peer);
        } else if (err->errnum == EHOSTUNREACH) {
            res.status = VT_RPC_UNREACHABLE;
            snprintf(text, sizeof text, "peer \"%s\" is not connected", c->peer);
        } else {
            res.status = VT_RPC_FAILED;
            snprintf(text, sizeof text, "%s (error %d)", err->text, err->errnum);
        }
        res.message = text;
    } else {
        res.status = VT_RPC_FAILED;
        res.message = "unexpected reply";
    }
    deliver(agent, c, &res);
}

void vt_rpc_client_response(vt_agent *agent, const cJSON *response)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(response, "id");
    if (!cJSON_IsString(id))
        return; /* not one of ours: every id we send is a string */
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(response, "error");
    if (error && (!cJSON_IsObject(error) || !cJSON_GetObjectItemCaseSensitive(error, "code")))
        return; /* malformed error member: ignored, as Python does */
    const cJSON *saved = current_response;
    current_response = response;
    /* The tracker wants a reply message to tell success from failure; the
     * response itself travels through current_response. */
    vt_message *marker = vt_message_new();
    vt_agent_resolve(agent, id->valuestring, strlen(id->valuestring), marker, NULL);
    vt_message_destroy(&marker);
    current_response = saved;
}

static char *build_request(const char *method, cJSON *params, const char *id, size_t *len)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "jsonrpc", "2.0");
    cJSON_AddStringToObject(req, "method", method);
    if (params)
        cJSON_AddItemToObject(req, "params", params);
    if (id)
        cJSON_AddStringToObject(req, "id", id);
    char *text = vt_rpc_dump(req, len);
    cJSON_Delete(req);
    return text;
}

static bool valid_params(cJSON *params)
{
    return !params || cJSON_IsArray(params) || cJSON_IsObject(params);
}

static const char *start_call(vt_agent *agent, const char *peer, const char *method, cJSON *params,
                              int timeout_ms, call *c)
{
    c->peer = vt_strdup(peer);
    c->method = vt_strdup(method);
    if (!valid_params(params)) {
        cJSON_Delete(params);
        vt_rpc_result res = {.status = VT_RPC_FAILED,
                             .message = "params must be an array, an object or NULL"};
        vt_error_set(-EINVAL, "%s", res.message);
        deliver(agent, c, &res);
        return NULL;
    }
    if (timeout_ms == 0)
        timeout_ms = DEFAULT_TIMEOUT_MS;
    const char *id = vt_agent_track(agent, timeout_ms, call_done, c);
    size_t len;
    char *text = build_request(method, params, id, &len);
    vt_message *args = vt_message_new();
    vt_message_append_owned(args, text, len);
    int rc = vt_agent_send(agent, peer, "RPC", id, args);
    if (rc < 0) {
        char why[256];
        snprintf(why, sizeof why, "%s", vt_last_error());
        vt_vip_error err = {.errnum = -rc, .text = why, .peer = peer, .subsystem = "RPC"};
        vt_agent_resolve(agent, id, strlen(id), NULL, &err);
        vt_error_set(rc, "%s", why);
        return NULL;
    }
    return id;
}

int vt_rpc_call(vt_agent *agent, const char *peer, const char *method, cJSON *params,
                int timeout_ms, vt_rpc_callback cb, void *ctx)
{
    call *c = vt_calloc(1, sizeof *c);
    c->cb = cb;
    c->ctx = ctx;
    return start_call(agent, peer, method, params, timeout_ms, c) ? 0 : -ENOTCONN;
}

int vt_rpc_call_sync_ex(vt_agent *agent, const char *peer, const char *method, cJSON *params,
                        int timeout_ms, cJSON **result, vt_rpc_error *err)
{
    int rc = -EINPROGRESS;
    *result = NULL;
    if (err)
        memset(err, 0, sizeof *err);
    call *c = vt_calloc(1, sizeof *c);
    c->sync_result = result;
    c->sync_err = err;
    c->sync_rc = &rc;
    if (timeout_ms == 0)
        timeout_ms = DEFAULT_TIMEOUT_MS;
    const char *id = start_call(agent, peer, method, params, timeout_ms, c);
    if (id) {
        int wrc = vt_agent_wait(agent, id, timeout_ms > 0 ? timeout_ms : INT_MAX);
        if (wrc < 0)
            return wrc;
    }
    return rc;
}

int vt_rpc_call_sync(vt_agent *agent, const char *peer, const char *method, cJSON *params,
                     int timeout_ms, cJSON **result)
{
    return vt_rpc_call_sync_ex(agent, peer, method, params, timeout_ms, result, NULL);
}

int vt_rpc_notify(vt_agent *agent, const char *peer, const char *method, cJSON *params)
{
    if (!valid_params(params)) {
        cJSON_Delete(params);
        return vt_error_set(-EINVAL, "params must be an array, an object or NULL");
    }
    size_t len;
    char *text = build_request(method, params, NULL, &len);
    vt_message *args = vt_message_new();
    vt_message_append_owned(args, text, len);
    return vt_agent_send(agent, peer, "RPC", "", args);
}
