/* Agent configuration files: JSON with comments, or YAML, into a cJSON tree. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/config.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>

cJSON *vt_config_parse_json(const char *text, size_t len, const char *name)
{
    return vt_json_parse(text, len, VT_JSON_COMMENTS, name, NULL);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Offset of the first character that is neither white space nor inside one of
 * the comments vt_json_parse skips; len when there is none. Only used to tell
 * an empty file from a broken one, and a broken JSON file from YAML. An
 * unterminated / * comment counts as content so that its error gets reported. */
static size_t first_content(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            i++;
        } else if (c == '#' || (c == '/' && i + 1 < len && text[i + 1] == '/')) {
            while (i < len && text[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
            const char *close = NULL;
            for (size_t j = i + 2; j + 1 < len && !close; j++)
                if (text[j] == '*' && text[j + 1] == '/')
                    close = text + j;
            if (!close)
                return i;
            i = (size_t)(close - text) + 2;
        } else {
            return i;
        }
    }
    return len;
}

/* JSON first, since that is what most agent configs are; YAML second so a
 * YAML file without the extension loads. When the file looks like JSON and
 * YAML cannot make an object of it either, the JSON error is the one that
 * helps: YAML reads a broken JSON file as a string at best. */
static cJSON *parse_sniffed(const char *text, size_t len, const char *path)
{
    cJSON *root = vt_config_parse_json(text, len, path);
    if (root)
        return root;
    size_t start = first_content(text, len);
    if (start == len)
        return cJSON_CreateObject();
    bool looks_json = text[start] == '{' || text[start] == '[' ||
                      (text[start] == '/' && start + 1 < len && text[start + 1] == '*');
    char *json_error = vt_strdup(vt_last_error());
    root = vt_config_parse_yaml(text, len, path);
    if (looks_json && !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        root = NULL;
        vt_error_set(-EINVAL, "%s", json_error);
    }
    free(json_error);
    return root;
}

cJSON *vt_config_load(const char *path)
{
    char *text;
    size_t len;
    if (vt_fs_read_file(path, VT_CONFIG_MAX_SIZE, &text, &len) < 0)
        return NULL;
    cJSON *root;
    if (has_suffix(path, ".yml") || has_suffix(path, ".yaml"))
        root = vt_config_parse_yaml(text, len, path);
    else
        root = parse_sniffed(text, len, path);
    free(text);
    if (root && !cJSON_IsObject(root)) {
        vt_error_set(-EINVAL, "%s: configuration must be an object, got %s", path,
                     vt_json_type_name(root));
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
