#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/uuid.h>

#include "authfile.h"

#define AUTH_MAX (8u << 20)

struct vt_authfile {
    char *path;
    cJSON *doc;
    struct stat seen; /* the file as last read or written */
    bool existed;
};

static void remember_stat(vt_authfile *af)
{
    af->existed = stat(af->path, &af->seen) == 0;
}

bool vt_authfile_changed(const vt_authfile *af)
{
    struct stat st;
    bool exists = stat(af->path, &st) == 0;
    if (exists != af->existed)
        return true;
    return exists && (st.st_mtim.tv_sec != af->seen.st_mtim.tv_sec ||
                      st.st_mtim.tv_nsec != af->seen.st_mtim.tv_nsec ||
                      st.st_size != af->seen.st_size || st.st_ino != af->seen.st_ino);
}

/* Make sure the document has every top-level member VOLTTRON expects. */
static void complete(cJSON *doc)
{
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "allow"))) {
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "allow");
        cJSON_AddArrayToObject(doc, "allow");
    }
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "deny"))) {
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "deny");
        cJSON_AddArrayToObject(doc, "deny");
    }
    if (!cJSON_GetObjectItemCaseSensitive(doc, "groups"))
        cJSON_AddObjectToObject(doc, "groups");
    if (!cJSON_GetObjectItemCaseSensitive(doc, "roles"))
        cJSON_AddObjectToObject(doc, "roles");
    if (!cJSON_GetObjectItemCaseSensitive(doc, "version")) {
        cJSON *v = cJSON_AddObjectToObject(doc, "version");
        cJSON_AddNumberToObject(v, "major", 1);
        cJSON_AddNumberToObject(v, "minor", 4);
    }
}

vt_authfile *vt_authfile_load(const char *path)
{
    vt_authfile *af = vt_calloc(1, sizeof *af);
    af->path = vt_strdup(path);
    remember_stat(af);
    char *text = NULL;
    size_t len = 0;
    int rc = vt_fs_read_file(path, AUTH_MAX, &text, &len);
    if (rc == -ENOENT) {
        af->doc = cJSON_CreateObject();
    } else if (rc < 0) {
        vt_authfile_destroy(&af);
        return NULL;
    } else {
        af->doc =
            len ? vt_json_parse(text, len, VT_JSON_COMMENTS, path, NULL) : cJSON_CreateObject();
        free(text);
        if (af->doc && !cJSON_IsObject(af->doc)) {
            cJSON_Delete(af->doc);
            af->doc = NULL;
            vt_error_set(-EINVAL, "%s: auth file must be a JSON object", path);
        }
        if (!af->doc) {
            vt_authfile_destroy(&af);
            return NULL;
        }
    }
    complete(af->doc);
    return af;
}

void vt_authfile_destroy(vt_authfile **afp)
{
    if (!afp || !*afp)
        return;
    cJSON_Delete((*afp)->doc);
    free((*afp)->path);
    free(*afp);
    *afp = NULL;
}

int vt_authfile_save(vt_authfile *af)
{
    char *text = vt_json_dump(af->doc, VT_JSON_INDENT(2));
    int rc = vt_fs_write_atomic(af->path, text, strlen(text), 0600);
    free(text);
    remember_stat(af);
    return rc;
}

cJSON *vt_authfile_doc(vt_authfile *af)
{
    return af->doc;
}

cJSON *vt_authfile_allow(vt_authfile *af)
{
    return cJSON_GetObjectItemCaseSensitive(af->doc, "allow");
}

cJSON *vt_authfile_deny(vt_authfile *af)
{
    return cJSON_GetObjectItemCaseSensitive(af->doc, "deny");
}

static cJSON *string_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

cJSON *vt_auth_entry_new(const char *credentials, const char *user_id, const char *identity,
                         const cJSON *capabilities, const char *comments)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToObject(e, "domain", cJSON_CreateNull());
    cJSON_AddItemToObject(e, "address", cJSON_CreateNull());
    cJSON_AddStringToObject(e, "mechanism", credentials ? "CURVE" : "NULL");
    cJSON_AddItemToObject(e, "credentials", string_or_null(credentials));
    cJSON_AddArrayToObject(e, "groups");
    cJSON_AddArrayToObject(e, "roles");
    cJSON_AddItemToObject(e, "capabilities",
                          capabilities ? cJSON_Duplicate(capabilities, 1) : cJSON_CreateObject());
    cJSON_AddObjectToObject(e, "rpc_method_authorizations");
    cJSON_AddItemToObject(e, "comments", string_or_null(comments));
    char uuid[VT_UUID_SIZE];
    if (!user_id) {
        vt_uuid4(uuid);
        user_id = uuid;
    }
    cJSON_AddStringToObject(e, "user_id", user_id);
    cJSON_AddItemToObject(e, "identity", string_or_null(identity));
    cJSON_AddTrueToObject(e, "enabled");
    return e;
}

static const char *str_member(const cJSON *e, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_entry(const cJSON *a, const cJSON *b)
{
    const char *ua = str_member(a, "user_id"), *ub = str_member(b, "user_id");
    if (ua && ub && strcmp(ua, ub) == 0)
        return true;
    return same_str(str_member(a, "domain"), str_member(b, "domain")) &&
           same_str(str_member(a, "address"), str_member(b, "address")) &&
           same_str(str_member(a, "mechanism"), str_member(b, "mechanism")) &&
           same_str(str_member(a, "credentials"), str_member(b, "credentials"));
}

cJSON *vt_authfile_find_same(vt_authfile *af, const cJSON *entry)
{
    cJSON *e;
    cJSON_ArrayForEach (e, vt_authfile_allow(af)) {
        if (same_entry(e, entry))
            return e;
    }
    return NULL;
}

/* The users of the entries the platform writes for itself at every start
 * (platform.c): vctl, the services, and the platform's own key. */
static const char *const platform_users[] = {
    "platform", "control.connection", "config.store", "platform.auth",
    "control",  "keydiscovery",       "platform_web", NULL,
};

bool vt_auth_entry_is_platform(const cJSON *entry)
{
    const char *user = str_member(entry, "user_id");
    for (const char *const *u = platform_users; user && *u; u++)
        if (strcmp(*u, user) == 0)
            return true;
    return false;
}

int vt_authfile_add(vt_authfile *af, cJSON *entry, bool overwrite)
{
    cJSON *allow = vt_authfile_allow(af);
    int index = 0;
    cJSON *e;
    cJSON_ArrayForEach (e, allow) {
        if (same_entry(e, entry)) {
            if (!overwrite) {
                cJSON_Delete(entry);
                return vt_error_set(-EEXIST, "an auth entry for user \"%s\" already exists",
                                    str_member(e, "user_id") ? str_member(e, "user_id") : "?");
            }
            cJSON_ReplaceItemInArray(allow, index, entry);
            return 0;
        }
        index++;
    }
    cJSON_AddItemToArray(allow, entry);
    return 0;
}
