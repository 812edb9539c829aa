/* The control service's parts (control.c, control_install.c). */
#ifndef VT_CONTROL_PRIVATE_H
#define VT_CONTROL_PRIVATE_H

#include <stdbool.h>

#include <volttron/client/client.h>

#include "../aim/supervisor.h"
#include "services.h"

typedef struct control {
    vt_router *router;
    vt_agent *agent;
    vt_supervisor *sup;
    char *home;
    char *serverkey; /* NULL without auth */
    bool auth;
} control;

/* The instance an RPC "uuid" argument names (UUID, identity or a unique
 * prefix of either). On failure the request carries VOLTTRON's error
 * (ValueError "invalid agent", TypeError for a non-string) and false is
 * returned. */
bool vt_control_find(control *c, vt_rpc_request *req, int pos, const char *name, vt_instance *out);

/* The install entry in auth.json for an instance (platform-services.md
 * §5.2), replacing one with the same user id; removing by credentials. */
int vt_control_auth_add(control *c, const vt_instance *inst);
int vt_control_auth_remove(control *c, const vt_instance *inst);

/* install_agent (over the channel, §8) and install_agent_package. */
cJSON *vt_control_rpc_install_agent(vt_agent *agent, vt_rpc_request *req, void *ctx);
cJSON *vt_control_rpc_install_package(vt_agent *agent, vt_rpc_request *req, void *ctx);

#endif
