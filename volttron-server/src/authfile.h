/* $VOLTTRON_HOME/auth.json: who may connect, and with which capabilities.
 *
 * The document is kept as a JSON tree in VOLTTRON's layout ({"allow": [...],
 * "deny": [...], "groups": {}, "roles": {}, "version": {"major": 1,
 * "minor": 4}}), so entries written by Python tools round-trip untouched. */
#ifndef VT_AUTHFILE_H
#define VT_AUTHFILE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

typedef struct vt_authfile vt_authfile;

/* Load path (comments allowed). A missing file is an empty document; a
 * broken one is NULL with the parse error (nothing is overwritten). */
vt_authfile *vt_authfile_load(const char *path);
void vt_authfile_destroy(vt_authfile **af);
/* Write atomically, 2-space indent as VOLTTRON writes it. */
int vt_authfile_save(vt_authfile *af);
/* Whether the file on disk changed since it was loaded or saved. */
bool vt_authfile_changed(const vt_authfile *af);

/* The whole document (borrowed). */
cJSON *vt_authfile_doc(vt_authfile *af);
/* The allow / deny lists (borrowed arrays, always present). */
cJSON *vt_authfile_allow(vt_authfile *af);
cJSON *vt_authfile_deny(vt_authfile *af);

/* A new entry with every field VOLTTRON writes, in its order. credentials
 * NULL means a NULL-mechanism entry; capabilities (borrowed, may be NULL) is
 * copied. Caller owns the result. */
cJSON *vt_auth_entry_new(const char *credentials, const char *user_id, const char *identity,
                         const cJSON *capabilities, const char *comments);

/* Add entry (taken) to the allow list. An entry with the same user_id, or the
 * same domain+address+mechanism+credentials, is replaced when overwrite is
 * set, else -EEXIST. */
int vt_authfile_add(vt_authfile *af, cJSON *entry, bool overwrite);
/* The allow entry vt_authfile_add would replace (borrowed), or NULL. */
cJSON *vt_authfile_find_same(vt_authfile *af, const cJSON *entry);

/* Whether entry is one the platform writes for itself (its key, vctl's,
 * its services'): RPC may not remove or change those, or an agent could
 * lock the platform's own tools out. */
bool vt_auth_entry_is_platform(const cJSON *entry);

#endif
