/* Agent package manifests. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <volttron/client/package.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>

#define MAX_FIELD 64

static bool chars_ok(const char *s, const char *extra)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || strchr(extra, *p);
        if (!ok)
            return false;
    }
    return true;
}

/* A relative path that stays inside the package. */
static bool inside(const char *path)
{
    if (!*path || path[0] == '/')
        return false;
    for (const char *seg = path; seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL) {
        size_t n = strcspn(seg, "/");
        if ((n == 2 && strncmp(seg, "..", 2) == 0) || n == 0)
            return false;
    }
    return true;
}

static int string_field(const cJSON *doc, const char *key, bool required, const char *what,
                        char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);
    if (!v && !required)
        return 0;
    if (!cJSON_IsString(v))
        return vt_error_set(-EINVAL, "%s: \"%s\" must be a string, got %s", what, key,
                            vt_json_type_name(v));
    *out = vt_strdup(v->valuestring);
    return 0;
}

int vt_package_parse(const char *json, size_t len, const char *what, vt_package *out)
{
    memset(out, 0, sizeof *out);
    cJSON *doc = vt_json_parse(json, len, VT_JSON_COMMENTS, what, NULL);
    if (!doc)
        return -EINVAL;
    int rc = -EINVAL;
    if (!cJSON_IsObject(doc)) {
        vt_error_set(-EINVAL, "%s: the manifest must be a JSON object", what);
        goto done;
    }
    if (string_field(doc, "name", true, what, &out->name) < 0 ||
        string_field(doc, "version", true, what, &out->version) < 0 ||
        string_field(doc, "executable", true, what, &out->executable) < 0 ||
        string_field(doc, "identity", false, what, &out->identity_template) < 0 ||
        string_field(doc, "description", false, what, &out->description) < 0)
        goto done;
    if (strlen(out->name) > MAX_FIELD || !chars_ok(out->name, "_.-")) {
        vt_error_set(-EINVAL, "%s: name \"%s\" must be 1-%d characters of A-Z a-z 0-9 _ . -", what,
                     out->name, MAX_FIELD);
        goto done;
    }
    if (strlen(out->version) > MAX_FIELD || !chars_ok(out->version, "_.+-")) {
        vt_error_set(-EINVAL, "%s: version \"%s\" must be 1-%d characters of A-Z a-z 0-9 _ . + -",
                     what, out->version, MAX_FIELD);
        goto done;
    }
    if (!inside(out->executable)) {
        vt_error_set(-EINVAL, "%s: executable \"%s\" must be a relative path inside the package",
                     what, out->executable);
        goto done;
    }
    if (out->identity_template) {
        /* "{n}" is the only placeholder; the rest must be identity characters. */
        char *t = vt_package_identity_expand(out->identity_template, 1);
        int bad = vt_identity_check(t, "identity", false);
        free(t);
        if (bad < 0) {
            vt_error_prefix(-EINVAL, "%s: identity template \"%s\" (with {n} as 1)", what,
                            out->identity_template);
            goto done;
        }
    }
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(doc, "config");
    if (config && !cJSON_IsObject(config)) {
        vt_error_set(-EINVAL, "%s: \"config\" must be an object, got %s", what,
                     vt_json_type_name(config));
        goto done;
    }
    out->config = config ? cJSON_Duplicate(config, 1) : NULL;
    rc = 0;
done:
    cJSON_Delete(doc);
    if (rc < 0)
        vt_package_clear(out);
    return rc;
}

int vt_package_load(const char *dir, vt_package *out)
{
    memset(out, 0, sizeof *out);
    char *path = vt_fs_path_join(dir, VT_PACKAGE_MANIFEST);
    char *text = NULL;
    size_t len = 0;
    int rc = vt_fs_read_file(path, 1 << 20, &text, &len);
    if (rc == 0)
        rc = vt_package_parse(text, len, path, out);
    free(text);
    free(path);
    if (rc < 0)
        return rc;
    char *exe = vt_fs_path_join(dir, out->executable);
    struct stat st;
    if (stat(exe, &st) < 0 || !S_ISREG(st.st_mode) || access(exe, X_OK) < 0) {
        rc = vt_error_set(-ENOEXEC,
                          "%s: the executable \"%s\" named in %s is missing or not "
                          "executable",
                          dir, out->executable, VT_PACKAGE_MANIFEST);
        vt_package_clear(out);
    }
    free(exe);
    return rc;
}

void vt_package_clear(vt_package *p)
{
    free(p->name);
    free(p->version);
    free(p->executable);
    free(p->identity_template);
    free(p->description);
    cJSON_Delete(p->config);
    memset(p, 0, sizeof *p);
}

char *vt_package_id(const vt_package *p)
{
    return vt_asprintf("%s-%s", p->name, p->version);
}

char *vt_package_identity_expand(const char *tmpl, int n)
{
    char num[16];
    snprintf(num, sizeof num, "%d", n);
    size_t len = strlen(tmpl);
    char *out = vt_malloc(len * 4 + 1); /* each "{n}" (3) becomes <= 10 digits */
    char *o = out;
    for (const char *p = tmpl; *p;) {
        if (strncmp(p, "{n}", 3) == 0) {
            o += sprintf(o, "%s", num);
            p += 3;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

char *vt_package_identity_template(const vt_package *p)
{
    return p->identity_template ? vt_strdup(p->identity_template)
                                : vt_asprintf("%s-%s_{n}", p->name, p->version);
}
