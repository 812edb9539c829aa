/* The platform's core services: in-process peers of the router, answering
 * VOLTTRON 9's RPC APIs under VOLTTRON 9's identities. */
#ifndef VT_SERVICES_H
#define VT_SERVICES_H

#include "../router.h"

/* Identities VOLTTRON counts as platform services ("process identities"). */
bool vt_is_service_identity(const char *identity);

/* config.store: per-agent configuration stores under
 * $home/configuration_store, each at most limit bytes on disk (a store
 * larger than that is neither written nor loaded). 0 or a negative errno. */
int vt_config_store_start(vt_router *router, const char *home, size_t limit);

/* platform.auth: auth.json's API and the capability map (auth on only). */
int vt_auth_service_start(vt_router *router, const char *home);

/* platform.health: the platform-wide view of agents' health. */
int vt_health_service_start(vt_router *router);

/* The capability control requires of callers that install, start, stop or
 * remove agents or stop the platform (VOLTTRON 9 requires none: any admitted
 * key could run code as the platform's user). The platform's entries for
 * vctl and control hold it. */
#define VT_CONTROL_CAPABILITY "allow_platform_control"

/* control: VOLTTRON's control API over the agent instance manager (sup is
 * borrowed and must outlive the service). serverkey NULL without auth. */
struct vt_supervisor;
int vt_control_start(vt_router *router, const char *home, const char *serverkey,
                     struct vt_supervisor *sup);
/* Start the instances marked AUTOSTART, in VOLTTRON 9's priority order. */
void vt_control_autostart(struct vt_supervisor *sup, const char *home);

#endif
