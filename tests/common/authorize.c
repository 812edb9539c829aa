#include <stdlib.h>
#include <string.h>

#include <volttron/client/client.h>

#include "authorize.h"

int vt_test_authorize(const char *home, const char *identity, const vt_keypair *keys,
                      const char *capabilities_json)
{
    return vt_test_allow(home, identity, identity, keys, capabilities_json);
}

int vt_test_allow(const char *home, const char *user_id, const char *identity,
                  const vt_keypair *keys, const char *capabilities_json)
{
    char *path = vt_asprintf("%s/auth.json", home);
    char *text = NULL;
    size_t len = 0;
    cJSON *doc = NULL;
    if (vt_fs_read_file(path, 1 << 24, &text, &len) == 0)
        doc = vt_json_parse(text, len, VT_JSON_COMMENTS, path, NULL);
    free(text);
    if (!doc)
        doc = cJSON_CreateObject();
    cJSON *allow = cJSON_GetObjectItemCaseSensitive(doc, "allow");
    if (!allow)
        allow = cJSON_AddArrayToObject(doc, "allow");
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "mechanism", "CURVE");
    cJSON_AddStringToObject(e, "credentials", keys->public_key);
    cJSON_AddStringToObject(e, "user_id", user_id);
    if (identity)
        cJSON_AddStringToObject(e, "identity", identity);
    else
        cJSON_AddNullToObject(e, "identity");
    cJSON *caps = capabilities_json
                      ? vt_json_parse(capabilities_json, strlen(capabilities_json), 0, NULL, NULL)
                      : NULL;
    if (!caps) {
        /* what the platform gives an installed agent: its own config store */
        caps = cJSON_CreateObject();
        cJSON_AddStringToObject(cJSON_AddObjectToObject(caps, "edit_config_store"), "identity",
                                identity ? identity : user_id);
    }
    cJSON_AddItemToObject(e, "capabilities", caps);
    cJSON_AddItemToArray(allow, e);
    char *out = vt_json_dump(doc, VT_JSON_INDENT(2));
    int rc = vt_fs_write_atomic(path, out, strlen(out), 0600);
    free(out);
    cJSON_Delete(doc);
    free(path);
    return rc;
}
