/* Shared by the serving (rpc_server.c) and calling (rpc_client.c) halves of
 * the RPC subsystem. */
#ifndef VT_RPC_PRIVATE_H
#define VT_RPC_PRIVATE_H

#include <cjson/cJSON.h>

#include <volttron/client/rpc.h>

#include "agent_private.h"

typedef struct rpc_export {
    vt_rpc_method fn;
    void *ctx;
    char *params; /* Python-style parameter list for inspect, or NULL */
    char *doc;
    char **caps; /* capabilities a caller must hold (NULL-terminated), or NULL */
} rpc_export;

/* The outcome of a capability check. */
enum {
    VT_AUTH_ALLOW,
    VT_AUTH_DENY,
    VT_AUTH_WAIT
};

/* Check req's caller against e->caps (auth.c). DENY leaves the error on req;
 * WAIT keeps req until platform.auth's capability map arrives, then runs or
 * fails it through vt_rpc_invoke / vt_rpc_finish. */
int vt_auth_check(vt_agent *agent, vt_rpc_request *req, const rpc_export *e);
/* Run the exported method of req now (after a successful check). */
void vt_rpc_invoke(vt_rpc_request *req);
/* Answer req with the error already set on it. */
void vt_rpc_finish_error(vt_rpc_request *req);
/* Fail req as VOLTTRON does for missing capabilities: -32000 carrying
 * volttron.platform.jsonrpc.Error(-32001, text). */
void vt_rpc_set_unauthorized(vt_rpc_request *req, const char *text);
/* Whether an error has been set on req. */
bool vt_rpc_request_failed(const vt_rpc_request *req);
/* Accessors for the checker. */
const char *vt_rpc_request_method(const vt_rpc_request *req);
/* The value bound to parameter name (by position from the export's
 * parameter list, or by keyword), or NULL. */
const cJSON *vt_rpc_bound_arg(const vt_rpc_request *req, const rpc_export *e, const char *name);
/* Whether the export's parameter list names name (true when the export has
 * no parameter list: nothing is known). */
bool vt_rpc_has_param(const rpc_export *e, const char *name);

/* Set what a method requires without telling platform.auth (for maps that
 * came from it); false if name is not exported. */
bool vt_rpc_set_required(vt_agent *agent, const char *name, const char *capabilities);
/* An exported method's requirements changed in code: platform.auth hears
 * of it (auth.c). */
void vt_auth_requirements_changed(vt_agent *agent);

/* Auth subsystem setup (auth.c). enforce: check capabilities at all. */
void vt_auth_init(vt_agent *agent, bool enforce);
void vt_auth_fini(vt_agent *agent);

struct vt_rpc {
    vt_map *exports; /* name -> rpc_export */
    char **order;    /* export names in the order exported, for inspect */
    size_t norder;
};

/* A JSON-RPC response object arrived (result or error member). */
void vt_rpc_client_response(vt_agent *agent, const cJSON *response);

/* Serialise a JSON-RPC object to an owned frame buffer (Python spacing). */
char *vt_rpc_dump(const cJSON *obj, size_t *len);

#endif
