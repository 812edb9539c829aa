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
    char *params;   /* Python-style parameter list for inspect, or NULL */
    char *doc;
} rpc_export;

struct vt_rpc {
    vt_map *exports;     /* name -> rpc_export */
    char **order;        /* export names in the order exported, for inspect */
    size_t norder;
};

/* A JSON-RPC response object arrived (result or error member). */
void vt_rpc_client_response(vt_agent *agent, const cJSON *response);

/* Serialise a JSON-RPC object to an owned frame buffer (Python spacing). */
char *vt_rpc_dump(const cJSON *obj, size_t *len);

#endif
