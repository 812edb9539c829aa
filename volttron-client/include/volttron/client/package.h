/* Agent packages: what `vctl install` installs.
 *
 * A package is a directory (or a ".vtagent" archive of one: ustar, see
 * volttron/utils/tar.h) holding the agent's executable and a manifest,
 * agent.json, the analogue of a Python wheel's metadata and entry point:
 *
 *     {
 *       "name": "listeneragent",            required, [A-Za-z0-9_.-], <= 64
 *       "version": "1.0.0",                 required, [A-Za-z0-9_.+-], <= 64
 *       "executable": "volttron-listener",  required, a path inside the package
 *       "identity": "listeneragent-1.0.0_{n}",  optional identity template
 *       "description": "...",               optional
 *       "config": {...}                     optional default configuration
 *     }
 *
 * The identity template may hold "{n}", replaced at install by the smallest
 * n >= 1 not in use; without a template the identity is "<name>-<version>_{n}"
 * (VOLTTRON's "listeneragent-3.3_1"). An archive may also carry a file
 * "config" (JSON or YAML): the configuration this install should get, as vctl
 * install --agent-config puts it there.
 */
#ifndef VT_CLIENT_PACKAGE_H
#define VT_CLIENT_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include <volttron/client/export.h>
#include <volttron/client/identity.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VT_PACKAGE_MANIFEST "agent.json"
#define VT_PACKAGE_ARCHIVE_EXT ".vtagent"

typedef struct vt_package {
    char *name;
    char *version;
    char *executable;        /* relative to the package directory */
    char *identity_template; /* NULL: "<name>-<version>_{n}" */
    char *description;       /* may be NULL */
    cJSON *config;           /* default configuration object, or NULL */
} vt_package;

/* Parse and check a manifest's text; what names it in errors. Fills *out
 * (release with vt_package_clear). 0, or -EINVAL with a message naming the
 * field and what it must be. */
VT_CLIENT_EXPORT int vt_package_parse(const char *json, size_t len, const char *what,
                                      vt_package *out);
/* Load dir/agent.json and check that the executable exists inside dir and
 * is executable. */
VT_CLIENT_EXPORT int vt_package_load(const char *dir, vt_package *out);
VT_CLIENT_EXPORT void vt_package_clear(vt_package *p);

/* "<name>-<version>": the installed package's directory name. Caller frees. */
VT_CLIENT_EXPORT char *vt_package_id(const vt_package *p);
/* The identity template to use (the manifest's or the default). Caller frees. */
VT_CLIENT_EXPORT char *vt_package_identity_template(const vt_package *p);

/* tmpl with every "{n}" replaced by n. Caller frees. */
VT_CLIENT_EXPORT char *vt_package_identity_expand(const char *tmpl, int n);

#ifdef __cplusplus
}
#endif

#endif
