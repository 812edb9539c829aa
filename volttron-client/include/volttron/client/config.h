/* The configuration store, agent side (VOLTTRON's vip.config).
 *
 * The platform's config.store keeps every agent's named configurations
 * ("config", "registry.csv", "devices/campus/bldg/dev1", ...). An agent
 * gets them all when it connects and is told of every change; callbacks
 * subscribed by name pattern run with NEW for each configuration at start
 * (the one named "config" first), then with NEW / UPDATE / DELETE as they
 * change. Contents are parsed: JSON as objects or arrays, CSV as an array
 * of row objects, raw as a string; "config://name" strings are replaced by
 * that configuration's contents (a missing one by null), and a change to a
 * configuration is also an UPDATE of every configuration that refers to it.
 */
#ifndef VT_CLIENT_CONFIG_H
#define VT_CLIENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include <volttron/client/agent.h>
#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vt_config_action {
    VT_CONFIG_NEW = 1,
    VT_CONFIG_UPDATE = 2,
    VT_CONFIG_DELETE = 4,
    VT_CONFIG_ALL = 7,
} vt_config_action;

/* name as stored (original case); contents borrowed, NULL for DELETE. */
typedef void (*vt_config_callback)(vt_agent *agent, const char *name, vt_config_action action,
                                   const cJSON *contents, void *ctx);

/* Call cb for configurations whose lower-cased name matches the shell
 * pattern (fnmatch: "config", "devices/...", "*") and one of actions. */
VT_CLIENT_EXPORT void vt_config_subscribe(vt_agent *agent, const char *pattern, unsigned actions,
                                          vt_config_callback cb, void *ctx);

/* A default used while the store has no configuration of that name
 * (contents copied). Call before the agent starts. */
VT_CLIENT_EXPORT void vt_config_set_default(vt_agent *agent, const char *name,
                                            const cJSON *contents);

/* The contents of name with references resolved (a new tree the caller
 * deletes), or NULL if there is no such configuration. */
VT_CLIENT_EXPORT cJSON *vt_config_get(vt_agent *agent, const char *name);

/* Every configuration name (stored case), sorted: a NULL-terminated array
 * in one allocation (free() it); *n gets the count if n is non-NULL. */
VT_CLIENT_EXPORT char **vt_config_list(vt_agent *agent, size_t *n);

/* Store (contents: a string is stored raw, anything else as JSON) or
 * delete one of this agent's configurations through config.store. The
 * change comes back through the callbacks when trigger_callback is set.
 * Asynchronous: 0 once the request is sent. */
VT_CLIENT_EXPORT int vt_config_set(vt_agent *agent, const char *name, const cJSON *contents,
                                   bool trigger_callback);
VT_CLIENT_EXPORT int vt_config_delete(vt_agent *agent, const char *name, bool trigger_callback);

#ifdef __cplusplus
}
#endif

#endif
