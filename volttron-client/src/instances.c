/* Installed agent instances ($VOLTTRON_HOME/agents/<identity>/). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <volttron/client/instances.h>
#include <volttron/client/package.h>
#include <volttron/utils/buf.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/mem.h>

#define MAX_TAG 64

/* The first line of dir/name, trimmed; NULL if absent or empty. */
static char *read_line(const char *dir, const char *name)
{
    char *path = vt_fs_path_join(dir, name);
    char *text = NULL;
    size_t len = 0;
    int rc = vt_fs_read_file(path, 4096, &text, &len);
    free(path);
    if (rc < 0)
        return NULL;
    char *s = text;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strcspn(s, "\r\n");
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *out = n ? vt_strndup(s, n) : NULL;
    free(text);
    return out;
}

static int load(const char *agents, const char *identity, vt_instance *out)
{
    memset(out, 0, sizeof *out);
    char *dir = vt_fs_path_join(agents, identity);
    char *uuid = read_line(dir, "UUID");
    if (!uuid) {
        free(dir);
        return -ENOENT;
    }
    out->identity = vt_strdup(identity);
    out->uuid = uuid;
    out->dir = dir;
    out->package = read_line(dir, "PACKAGE");
    out->tag = read_line(dir, "TAG");
    if (!out->package)
        out->package = vt_strdup("");
    char *path = vt_fs_path_join(dir, "AUTOSTART");
    if (vt_fs_exists(path)) {
        out->priority = read_line(dir, "AUTOSTART");
        if (!out->priority)
            out->priority = vt_strdup("");
    }
    free(path);
    return 0;
}

void vt_instance_clear(vt_instance *inst)
{
    free(inst->identity);
    free(inst->uuid);
    free(inst->package);
    free(inst->tag);
    free(inst->priority);
    free(inst->dir);
    memset(inst, 0, sizeof *inst);
}

void vt_instances_free(vt_instance *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vt_instance_clear(&list[i]);
    free(list);
}

static int by_identity(const void *a, const void *b)
{
    return strcmp(((const vt_instance *)a)->identity, ((const vt_instance *)b)->identity);
}

int vt_instances_list(const char *home, vt_instance **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char *agents = vt_fs_path_join(home, "agents");
    DIR *d = opendir(agents);
    if (!d) {
        int err = errno;
        free(agents);
        return err == ENOENT ? 0 : vt_error_set(-err, "%s/agents: %s", home, strerror(err));
    }
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        /* hidden entries are installs and removals in progress */
        if (de->d_name[0] == '.' || !vt_identity_valid(de->d_name))
            continue;
        vt_instance inst;
        if (load(agents, de->d_name, &inst) < 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *out = vt_realloc(*out, cap * sizeof **out);
        }
        (*out)[(*n)++] = inst;
    }
    closedir(d);
    free(agents);
    if (*n)
        qsort(*out, *n, sizeof **out, by_identity);
    return 0;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int vt_instances_find(const char *home, const char *key, vt_instance *out)
{
    memset(out, 0, sizeof *out);
    vt_instance *all;
    size_t n;
    int rc = vt_instances_list(home, &all, &n);
    if (rc < 0)
        return rc;
    ssize_t exact = -1;
    size_t matches = 0, last = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(all[i].uuid, key) == 0 || strcmp(all[i].identity, key) == 0)
            exact = (ssize_t)i;
        if (starts(all[i].uuid, key) || starts(all[i].identity, key)) {
            matches++;
            last = i;
        }
    }
    if (exact >= 0 || matches == 1) {
        size_t pick = exact >= 0 ? (size_t)exact : last;
        *out = all[pick];
        memset(&all[pick], 0, sizeof all[pick]);
        rc = 0;
    } else if (matches == 0) {
        rc = vt_error_set(-ENOENT, "no installed agent matches \"%s\"", key);
    } else {
        vt_buf b;
        vt_buf_init(&b);
        for (size_t i = 0; i < n; i++)
            if (starts(all[i].uuid, key) || starts(all[i].identity, key))
                vt_buf_appendf(&b, "%s%s", b.len ? ", " : "", all[i].identity);
        rc = vt_error_set(-EINVAL,
                          "\"%s\" matches several agents (%s): give more of the "
                          "identity or UUID",
                          key, b.data);
        vt_buf_free(&b);
    }
    vt_instances_free(all, n);
    return rc;
}

char *vt_instance_package_dir(const char *home, const vt_instance *inst)
{
    if (inst->package[0] == '/')
        return vt_strdup(inst->package);
    return vt_asprintf("%s/packages/%s", home, inst->package);
}

char *vt_instance_agent_name(const char *home, const vt_instance *inst)
{
    if (inst->package[0] != '/')
        return vt_strdup(inst->package);
    vt_package p;
    if (vt_package_load(inst->package, &p) < 0) {
        const char *slash = strrchr(inst->package, '/');
        return vt_strdup(slash ? slash + 1 : inst->package);
    }
    (void)home;
    char *id = vt_package_id(&p);
    vt_package_clear(&p);
    return id;
}

/* Write dir/name atomically, or remove it when text is NULL. */
static int put(const char *dir, const char *name, const char *text)
{
    char *path = vt_fs_path_join(dir, name);
    int rc = 0;
    if (text) {
        rc = vt_fs_write_atomic(path, text, strlen(text), 0644);
    } else if (unlink(path) < 0 && errno != ENOENT) {
        rc = vt_error_set(-errno, "%s: %s", path, strerror(errno));
    }
    free(path);
    return rc;
}

int vt_instance_set_tag(const vt_instance *inst, const char *tag)
{
    if (!tag || !*tag)
        return put(inst->dir, "TAG", NULL);
    char *cut = vt_strndup(tag, MAX_TAG);
    int rc = put(inst->dir, "TAG", cut);
    free(cut);
    return rc;
}

int vt_instance_set_priority(const vt_instance *inst, const char *priority)
{
    if (!priority)
        return put(inst->dir, "AUTOSTART", NULL);
    size_t n = strlen(priority);
    if (n < 1 || n > 2 || strspn(priority, "0123456789") != n)
        return vt_error_set(-EINVAL, "priority \"%s\" must be a number from 0 to 99", priority);
    char two[3] = {n == 1 ? '0' : priority[0], priority[n - 1], '\0'};
    return put(inst->dir, "AUTOSTART", two);
}
