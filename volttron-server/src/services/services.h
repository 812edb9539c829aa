/* The platform's core services: in-process peers of the router, answering
 * VOLTTRON 9's RPC APIs under VOLTTRON 9's identities. */
#ifndef VT_SERVICES_H
#define VT_SERVICES_H

#include "../router.h"

/* Identities VOLTTRON counts as platform services ("process identities"). */
bool vt_is_service_identity(const char *identity);

/* config.store: per-agent configuration stores under
 * $home/configuration_store. 0 or a negative errno. */
int vt_config_store_start(vt_router *router, const char *home);

/* platform.auth: auth.json's API and the capability map (auth on only). */
int vt_auth_service_start(vt_router *router, const char *home);

/* platform.health: the platform-wide view of agents' health. */
int vt_health_service_start(vt_router *router);

#endif
