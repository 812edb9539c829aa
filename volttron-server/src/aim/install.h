/* Installing and removing agent instances on disk: packages unpacked into
 * $VOLTTRON_HOME/packages/<name>-<version>/ (one copy shared by every
 * instance), instance directories in $VOLTTRON_HOME/agents/<identity>/ (see
 * volttron/client/instances.h). Nothing here runs processes or touches
 * auth.json; the control service does both around these calls. */
#ifndef VT_AIM_INSTALL_H
#define VT_AIM_INSTALL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include <volttron/client/instances.h>
#include <volttron/client/keys.h>

/* Archives larger than this are refused (bytes, unpacked). */
#define VT_INSTALL_MAX_BYTES (256u << 20)

typedef struct vt_install_req {
    const char *home;
    /* Exactly one source: an archive in memory, or a package directory
     * installed on the system (used in place, never copied or removed). */
    const void *archive;
    size_t archive_len;
    const char *system_dir;
    const char *identity;   /* NULL: from the package's template */
    const vt_keypair *keys; /* NULL: keep the old instance's, else new */
    const cJSON *config;    /* NULL: the archive's "config", else the manifest's */
    bool force;             /* replace an instance with the identity, and a
                             * package of the same version with other contents */
} vt_install_req;

/* Install one instance. On success *out describes it (vt_instance_clear);
 * on failure nothing is left behind and vt_last_error() says why: -EEXIST
 * for an identity in use without force ("Identity already exists, but not
 * forced!"), -EINVAL for bad packages or identities. When force replaces an
 * instance, its key pair (unless keys are given) and data/ carry over; the
 * caller must have stopped its process. */
int vt_install(const vt_install_req *req, vt_instance *out);

/* Remove an instance directory, and its package when no other instance uses
 * it (packages in $VOLTTRON_HOME/packages only). The caller has stopped it. */
int vt_uninstall(const char *home, const vt_instance *inst);

/* The directories searched for packages installed on the system, as
 * vctl install <name> uses them: $VOLTTRON_AGENT_PATH (':'-separated), then
 * the built-in libexec directory. Returns the package directory whose
 * manifest (or directory) is called name, or NULL (-ENOENT). Caller frees. */
char *vt_install_find_system_package(const char *name);

#endif
