/* Installed agent instances in $VOLTTRON_HOME/agents: the modular layout of
 * VOLTTRON's seed paper (Figure 5), one directory per instance named by its
 * VIP identity:
 *
 *     agents/listeneragent-1.0.0_1/
 *         UUID           the instance's UUID (text)
 *         PACKAGE        the package it runs: "<name>-<version>" for a package
 *                        in $VOLTTRON_HOME/packages, or an absolute directory
 *                        (a package installed on the system, e.g. by a deb)
 *         config         its configuration (JSON), AGENT_CONFIG
 *         data/          the one place it writes, AGENT_DATA_DIR
 *         keystore.json  its CURVE key pair
 *         TAG            optional tag
 *         AUTOSTART      optional: present = start with the platform; holds
 *                        the priority "00".."99"
 *
 * vctl reads this directly for the commands that work without a running
 * platform (list, tag, enable, disable), as VOLTTRON's does. Every write is
 * atomic.
 */
#ifndef VT_CLIENT_INSTANCES_H
#define VT_CLIENT_INSTANCES_H

#include <stddef.h>

#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_instance {
    char *identity;
    char *uuid;
    char *package;  /* PACKAGE as written */
    char *tag;      /* NULL if none */
    char *priority; /* AUTOSTART content (trimmed), NULL if not enabled */
    char *dir;      /* absolute instance directory */
} vt_instance;

/* Every instance under home/agents, sorted by identity; directories without
 * a UUID file are skipped (an install in progress). *out (may be NULL when
 * n is 0) is released with vt_instances_free. 0 or a negative errno. */
VT_CLIENT_EXPORT int vt_instances_list(const char *home, vt_instance **out, size_t *n);
VT_CLIENT_EXPORT void vt_instances_free(vt_instance *list, size_t n);
VT_CLIENT_EXPORT void vt_instance_clear(vt_instance *inst);

/* Find the one instance key names: its UUID or identity exactly, else the
 * unique instance whose UUID or identity starts with key. 0 with *out filled
 * (release with vt_instance_clear), -ENOENT if none, -EINVAL (message lists
 * them) if several match. */
VT_CLIENT_EXPORT int vt_instances_find(const char *home, const char *key, vt_instance *out);

/* The package directory an instance runs (resolving PACKAGE). Caller frees. */
VT_CLIENT_EXPORT char *vt_instance_package_dir(const char *home, const vt_instance *inst);
/* "<name>-<version>" of the instance's package (its directory name for a
 * home package, the manifest's for a system one). Caller frees. */
VT_CLIENT_EXPORT char *vt_instance_agent_name(const char *home, const vt_instance *inst);

/* Set or (NULL / "") remove the TAG; tags are cut to 64 characters as
 * VOLTTRON does. */
VT_CLIENT_EXPORT int vt_instance_set_tag(const vt_instance *inst, const char *tag);
/* Enable autostart with priority (two digits "00".."99"), or disable it
 * (NULL). -EINVAL for anything else. */
VT_CLIENT_EXPORT int vt_instance_set_priority(const vt_instance *inst, const char *priority);

#ifdef __cplusplus
}
#endif

#endif
