/* Protected topics: which capabilities a publisher must hold to publish on
 * a topic (vip-wire.md §7.7). platform.auth pushes both halves to the
 * router: the rules from protected_topics.json ("protected_update") and the
 * user -> capabilities map from auth.json ("auth_update"). */
#ifndef VT_PROTECTED_H
#define VT_PROTECTED_H

#include <stdbool.h>
#include <stddef.h>

typedef struct vt_protected vt_protected;

vt_protected *vt_protected_new(void);
void vt_protected_destroy(vt_protected **p);

/* Replace the rules with a protected_topics.json document
 * ({"write-protect": [{"topic": t, "capabilities": c | [c, ...]}]}). An
 * unreadable document keeps the old rules: -EINVAL with vt_last_error(). */
int vt_protected_set_rules(vt_protected *p, const char *json, size_t len);
/* Replace the capability map with an auth_update body
 * ({"capabilities": {user: capabilities}}); -EINVAL keeps the old map. */
int vt_protected_set_caps(vt_protected *p, const char *json, size_t len);

/* Whether any topic is protected (the publish path skips the check if not). */
bool vt_protected_any(const vt_protected *p);
/* NULL when user may publish on topic (tlen bytes); else the refusal text
 * VOLTTRON sends with error -32001, which the caller frees. */
char *vt_protected_check(const vt_protected *p, const char *user, const char *topic, size_t tlen);

#endif
