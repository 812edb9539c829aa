/* RPC: JSON-RPC 2.0 over the VIP "RPC" subsystem, as VOLTTRON 9 speaks it.
 *
 * Exporting a method:
 *
 *     static cJSON *echo(vt_agent *agent, vt_rpc_request *req, void *ctx)
 *     {
 *         const cJSON *text = vt_rpc_arg(req, 0, "text");
 *         if (!cJSON_IsString(text))
 *             return vt_rpc_raise(req, "builtins.TypeError", "text must be a string");
 *         return cJSON_CreateString(text->valuestring);   // ownership to the caller
 *     }
 *     vt_rpc_export(agent, "echo", echo, NULL);
 *
 * Calling one, asynchronously or blocking:
 *
 *     vt_rpc_call(agent, "platform.driver", "get_point", params, 10000, on_result, ctx);
 *     cJSON *value = NULL;
 *     int rc = vt_rpc_call_sync(agent, "platform.driver", "get_point", params, 10000, &value);
 *
 * A blocking call serves nothing else meanwhile: messages that arrive are
 * queued and dispatched after it returns, never re-entrantly.
 */
#ifndef VT_CLIENT_RPC_H
#define VT_CLIENT_RPC_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include <volttron/client/agent.h>
#include <volttron/client/export.h>
#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* JSON-RPC error codes VOLTTRON uses. */
#define VT_RPC_PARSE_ERROR -32700
#define VT_RPC_INVALID_REQUEST -32600
#define VT_RPC_METHOD_NOT_FOUND -32601
#define VT_RPC_INVALID_PARAMS -32602
#define VT_RPC_INTERNAL_ERROR -32603
#define VT_RPC_UNHANDLED_EXCEPTION -32000
#define VT_RPC_UNAUTHORIZED -32001

/* ---- serving ---- */

typedef struct vt_rpc_request vt_rpc_request;

/* A method returns its result (ownership passes to the library; NULL means
 * JSON null), or vt_rpc_raise(...) to fail. */
typedef cJSON *(*vt_rpc_method)(vt_agent *agent, vt_rpc_request *req, void *ctx);

/* Export name (dots allowed: "health.get_status"). Exporting a name again
 * replaces it. */
VT_CLIENT_EXPORT void vt_rpc_export(vt_agent *agent, const char *name, vt_rpc_method fn, void *ctx);
/* Also describe it for "<name>.inspect": params is a comma-separated
 * Python-style parameter list ("path, point_name, value=None, **kwargs"),
 * doc a docstring; either may be NULL. */
VT_CLIENT_EXPORT void vt_rpc_export_doc(vt_agent *agent, const char *name, vt_rpc_method fn,
                                        void *ctx, const char *params, const char *doc);
VT_CLIENT_EXPORT void vt_rpc_unexport(vt_agent *agent, const char *name);
/* Require capabilities of callers of an exported method: a comma-separated
 * list of names ("edit_config_store"), "" for none. Checked as VOLTTRON does
 * against platform.auth's user-to-capabilities map, including argument
 * restrictions ({"identity": "/regex/"}); a caller without them gets error
 * -32000 carrying volttron.platform.jsonrpc.Error(-32001, ...). Only when
 * the platform has authentication on. */
VT_CLIENT_EXPORT void vt_rpc_require(vt_agent *agent, const char *name, const char *capabilities);
/* The capabilities name requires (NULL-terminated, borrowed), or NULL. */
VT_CLIENT_EXPORT const char *const *vt_rpc_required(vt_agent *agent, const char *name);

/* In a method: who called: the auth user the caller's key proved (the
 * user-id frame the router stamps; what capabilities are checked against),
 * and the peer identity the call came from (where answers and channels go).
 * Without authentication both are the caller's identity. */
VT_CLIENT_EXPORT const char *vt_rpc_caller(const vt_rpc_request *req);
VT_CLIENT_EXPORT const char *vt_rpc_peer(const vt_rpc_request *req);
VT_CLIENT_EXPORT const char *vt_rpc_method_name(const vt_rpc_request *req);
/* Positional arguments (an array, never NULL) and keyword arguments (an
 * object, never NULL), borrowed. */
VT_CLIENT_EXPORT const cJSON *vt_rpc_args(const vt_rpc_request *req);
VT_CLIENT_EXPORT const cJSON *vt_rpc_kwargs(const vt_rpc_request *req);
/* Python's binding of one parameter: positional argument pos if given, else
 * keyword name; NULL when neither was passed. */
VT_CLIENT_EXPORT const cJSON *vt_rpc_arg(const vt_rpc_request *req, int pos, const char *name);

/* Fail the call with an exception in VOLTTRON's form (code -32000,
 * "unhandled exception", data.detail and data["exception.py"]). exc_type is
 * the dotted Python name callers compare against, e.g. "builtins.ValueError",
 * "builtins.KeyError", "builtins.TypeError". Returns NULL so a method can
 * `return vt_rpc_raise(...)`. */
VT_CLIENT_EXPORT cJSON *vt_rpc_raise(vt_rpc_request *req, const char *exc_type, const char *fmt,
                                     ...) VT_PRINTF(3, 4);
/* Fail with a plain JSON-RPC error (code, message, optional data, borrowed). */
VT_CLIENT_EXPORT cJSON *vt_rpc_fail(vt_rpc_request *req, int code, const char *message,
                                    const cJSON *data);

/* Answer later: call in the method and return NULL; the request stays
 * valid until vt_rpc_reply or vt_rpc_reply_raise consumes it. */
VT_CLIENT_EXPORT vt_rpc_request *vt_rpc_defer(vt_rpc_request *req);
VT_CLIENT_EXPORT void vt_rpc_reply(vt_rpc_request *deferred, cJSON *result);
VT_CLIENT_EXPORT void vt_rpc_reply_raise(vt_rpc_request *deferred, const char *exc_type,
                                         const char *fmt, ...) VT_PRINTF(3, 4);
/* Forward an error a callee returned (code, message, data as received). */
VT_CLIENT_EXPORT void vt_rpc_reply_error(vt_rpc_request *deferred, int code, const char *message,
                                         const cJSON *data);

/* ---- calling ---- */

typedef enum vt_rpc_status {
    VT_RPC_OK = 0,
    VT_RPC_ERROR,       /* the callee answered with a JSON-RPC error */
    VT_RPC_TIMEOUT,     /* no answer in time */
    VT_RPC_UNREACHABLE, /* the callee is not connected (VIP error 113) */
    VT_RPC_FAILED,      /* any other VIP error, or not connected ourselves */
} vt_rpc_status;

typedef struct vt_rpc_result {
    vt_rpc_status status;
    const cJSON *value;   /* VT_RPC_OK: the result (borrowed) */
    int code;             /* VT_RPC_ERROR: JSON-RPC code */
    const char *message;  /* error text for every failure */
    const char *detail;   /* data.detail, or NULL */
    const char *exc_type; /* data["exception.py"].exc_type, or NULL */
    const cJSON *data;    /* the error's data object, or NULL */
} vt_rpc_result;

typedef void (*vt_rpc_callback)(vt_agent *agent, const vt_rpc_result *result, void *ctx);

/* Params: a JSON array (positional), an object (keyword), NULL (none), or
 * vt_rpc_params(args, kwargs) for both. Ownership of params passes to the
 * library in every case. timeout_ms 0 means 30 s, < 0 no timeout. The
 * callback runs exactly once. Returns 0, or a
 * negative errno when the call could not be sent (the callback has then
 * already been called with VT_RPC_FAILED). */
VT_CLIENT_EXPORT int vt_rpc_call(vt_agent *agent, const char *peer, const char *method,
                                 cJSON *params, int timeout_ms, vt_rpc_callback cb, void *ctx);
/* A notification: no id, never answered. */
VT_CLIENT_EXPORT int vt_rpc_notify(vt_agent *agent, const char *peer, const char *method,
                                   cJSON *params);
/* Block until the answer (up to timeout_ms). Returns 0 with *result set
 * (caller owns it; JSON null is a cJSON null, never NULL), or
 * -EREMOTEIO (the callee raised), -ETIMEDOUT, -EHOSTUNREACH, -ENOTCONN, with
 * vt_last_error() saying e.g. "platform.driver.get_point: builtins.KeyError:
 * 'no such point'". With err non-NULL a failure's details are copied there
 * (release with vt_rpc_error_clear). */
typedef struct vt_rpc_error {
    vt_rpc_status status;
    int code;
    char *message;
    char *exc_type;
    cJSON *data;
} vt_rpc_error;
VT_CLIENT_EXPORT int vt_rpc_call_sync(vt_agent *agent, const char *peer, const char *method,
                                      cJSON *params, int timeout_ms, cJSON **result);
VT_CLIENT_EXPORT int vt_rpc_call_sync_ex(vt_agent *agent, const char *peer, const char *method,
                                         cJSON *params, int timeout_ms, cJSON **result,
                                         vt_rpc_error *err);
VT_CLIENT_EXPORT void vt_rpc_error_clear(vt_rpc_error *err);

/* {"*args": args, "**kwargs": kwargs}: both positional and keyword
 * arguments. Takes ownership of both (either may be NULL). */
VT_CLIENT_EXPORT cJSON *vt_rpc_params(cJSON *args, cJSON *kwargs);

#ifdef __cplusplus
}
#endif

#endif
