/* Agent installation on disk. Every step that can fail happens in hidden
 * staging directories ("packages/.incoming-<uuid>", "agents/.new-<uuid>")
 * that are renamed into place only when complete, so a failed or
 * interrupted install leaves the home as it was (the next listing skips
 * hidden entries; the platform sweeps them at start). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <volttron/client/package.h>
#include <volttron/utils/config.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/tar.h>
#include <volttron/utils/uuid.h>

#include "install.h"

#ifndef VT_SYSTEM_AGENT_DIR
#define VT_SYSTEM_AGENT_DIR "/usr/libexec/volttron/agents"
#endif

/* ---- comparing package trees ---- */

static bool files_equal(const char *a, const char *b)
{
    char *ta = NULL, *tb = NULL;
    size_t la = 0, lb = 0;
    bool eq = vt_fs_read_file(a, VT_INSTALL_MAX_BYTES, &ta, &la) == 0 &&
              vt_fs_read_file(b, VT_INSTALL_MAX_BYTES, &tb, &lb) == 0 && la == lb &&
              memcmp(ta, tb, la) == 0;
    free(ta);
    free(tb);
    return eq;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Same names, same bytes, same executable bits, recursively. */
static bool trees_equal(const char *a, const char *b)
{
    if (count_entries(a) != count_entries(b))
        return false;
    DIR *d = opendir(a);
    if (!d)
        return false;
    bool eq = true;
    struct dirent *de;
    while (eq && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *pa = vt_fs_path_join(a, de->d_name);
        char *pb = vt_fs_path_join(b, de->d_name);
        struct stat sa, sb;
        if (lstat(pa, &sa) < 0 || lstat(pb, &sb) < 0 ||
            (sa.st_mode & (S_IFMT | S_IXUSR)) != (sb.st_mode & (S_IFMT | S_IXUSR)))
            eq = false;
        else if (S_ISDIR(sa.st_mode))
            eq = trees_equal(pa, pb);
        else
            eq = S_ISREG(sa.st_mode) && files_equal(pa, pb);
        free(pa);
        free(pb);
    }
    closedir(d);
    return eq;
}

/* ---- the package ---- */

/* Unpack the archive into packages/<name>-<version> (or find it there
 * already, identical). On success *pkg is the manifest, *package_ref the
 * PACKAGE text and *archive_config the archive's own "config" (or NULL). */
static int place_archive(const vt_install_req *req, vt_package *pkg, char **package_ref,
                         cJSON **archive_config)
{
    char uuid[VT_UUID_SIZE];
    vt_uuid4(uuid);
    char *packages = vt_fs_path_join(req->home, "packages");
    char *staging = vt_asprintf("%s/.incoming-%s", packages, uuid);
    char *target = NULL;
    int rc = vt_fs_mkdir_p(packages, 0755);
    if (rc == 0)
        rc = vt_tar_extract_mem(req->archive, req->archive_len, staging, VT_INSTALL_MAX_BYTES);
    if (rc < 0)
        goto fail;
    /* The install's configuration travels in the archive, not in the package. */
    char *cfg_path = vt_fs_path_join(staging, "config");
    if (vt_fs_is_file(cfg_path)) {
        *archive_config = vt_config_load(cfg_path);
        if (!*archive_config || !cJSON_IsObject(*archive_config)) {
            if (*archive_config)
                vt_error_set(-EINVAL, "the agent configuration in the package must be an "
                                      "object");
            cJSON_Delete(*archive_config);
            *archive_config = NULL;
            free(cfg_path);
            rc = -EINVAL;
            goto fail;
        }
        unlink(cfg_path);
    }
    free(cfg_path);
    rc = vt_package_load(staging, pkg);
    if (rc < 0) {
        vt_error_prefix(rc, "the package is not installable");
        goto fail;
    }
    char *id = vt_package_id(pkg);
    target = vt_fs_path_join(packages, id);
    if (vt_fs_exists(target)) {
        if (trees_equal(staging, target)) {
            vt_fs_remove_tree(staging);
        } else if (!req->force) {
            rc = vt_error_set(-EEXIST,
                              "package %s is already installed with different "
                              "contents: pass force (vctl install --force) to replace "
                              "it for every instance that uses it",
                              id);
            free(id);
            goto fail;
        } else {
            /* Running instances keep their open executable; new starts get
             * the new code. */
            char *old = vt_asprintf("%s/.old-%s", packages, uuid);
            if (rename(target, old) < 0 || rename(staging, target) < 0) {
                rc = vt_error_set(-errno, "cannot replace package %s: %s", id, strerror(errno));
                rename(old, target);
                free(old);
                free(id);
                goto fail;
            }
            vt_fs_remove_tree(old);
            free(old);
        }
    } else if (rename(staging, target) < 0) {
        rc = vt_error_set(-errno, "cannot install package %s: %s", id, strerror(errno));
        free(id);
        goto fail;
    }
    *package_ref = id;
    free(target);
    free(staging);
    free(packages);
    return 0;
fail:
    vt_fs_remove_tree(staging);
    vt_package_clear(pkg);
    cJSON_Delete(*archive_config);
    *archive_config = NULL;
    free(target);
    free(staging);
    free(packages);
    return rc;
}

/* ---- the identity ---- */

static bool identity_used(const vt_instance *all, size_t n, const char *identity)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].identity, identity) == 0)
            return true;
    return false;
}

/* The identity to install under; *existing is set when it names an
 * installed instance (only allowed with force). */
static char *choose_identity(const vt_install_req *req, const vt_package *pkg,
                             const vt_instance *all, size_t n, bool *existing)
{
    *existing = false;
    if (req->identity) {
        if (vt_identity_check(req->identity, "identity", false) < 0)
            return NULL;
        *existing = identity_used(all, n, req->identity);
        return vt_strdup(req->identity);
    }
    char *tmpl = vt_package_identity_template(pkg);
    char *id = NULL;
    if (!strstr(tmpl, "{n}")) {
        id = vt_strdup(tmpl);
        *existing = identity_used(all, n, id);
    } else {
        for (int k = 1; !id; k++) {
            char *candidate = vt_package_identity_expand(tmpl, k);
            if (identity_used(all, n, candidate))
                free(candidate);
            else
                id = candidate;
        }
    }
    free(tmpl);
    /* The manifest was checked when loaded; a template's expansion may still
     * grow too long. */
    if (vt_identity_check(id, "identity", false) < 0) {
        free(id);
        return NULL;
    }
    return id;
}

/* ---- the instance ---- */

static int write_text(const char *dir, const char *name, const char *text, mode_t mode)
{
    char *path = vt_fs_path_join(dir, name);
    int rc = vt_fs_write_atomic(path, text, strlen(text), mode);
    free(path);
    return rc;
}

static int fill_instance(const char *dir, const char *uuid, const char *package_ref,
                         const cJSON *config, const vt_keypair *keys, const char *old_dir)
{
    int rc = write_text(dir, "UUID", uuid, 0644);
    if (rc == 0)
        rc = write_text(dir, "PACKAGE", package_ref, 0644);
    if (rc == 0) {
        char *text = vt_json_dump(config, VT_JSON_INDENT(2));
        rc = write_text(dir, "config", text, 0644);
        free(text);
    }
    char *ks = vt_fs_path_join(dir, "keystore.json");
    if (rc == 0) {
        if (keys) {
            rc = vt_keystore_save(ks, keys);
        } else {
            char *old_ks = old_dir ? vt_fs_path_join(old_dir, "keystore.json") : NULL;
            vt_keypair kept;
            if (old_ks && vt_keystore_load(old_ks, &kept) == 0)
                rc = vt_keystore_save(ks, &kept);
            else
                rc = vt_keystore_load_or_create(ks, &kept);
            free(old_ks);
        }
    }
    free(ks);
    char *data = vt_fs_path_join(dir, "data");
    if (rc == 0) {
        char *old_data = old_dir ? vt_fs_path_join(old_dir, "data") : NULL;
        /* A forced reinstall keeps what the agent stored. */
        if (old_data && vt_fs_is_dir(old_data) && rename(old_data, data) == 0)
            rc = 0;
        else
            rc = vt_fs_mkdir_p(data, 0755);
        free(old_data);
    }
    free(data);
    return rc;
}

static void carry_over(const char *old_dir, const char *dir, const char *name)
{
    char *from = vt_fs_path_join(old_dir, name);
    char *to = vt_fs_path_join(dir, name);
    if (vt_fs_exists(from))
        rename(from, to);
    free(from);
    free(to);
}

int vt_install(const vt_install_req *req, vt_instance *out)
{
    memset(out, 0, sizeof *out);
    vt_package pkg = {0};
    char *package_ref = NULL;
    cJSON *archive_config = NULL;
    int rc;
    if (req->system_dir) {
        rc = vt_package_load(req->system_dir, &pkg);
        if (rc < 0)
            return rc;
        char *abs = realpath(req->system_dir, NULL);
        package_ref = abs ? abs : vt_strdup(req->system_dir);
    } else {
        rc = place_archive(req, &pkg, &package_ref, &archive_config);
        if (rc < 0)
            return rc;
    }

    vt_instance *all = NULL;
    size_t n = 0;
    char *identity = NULL, *staging = NULL, *final = NULL, *old = NULL;
    rc = vt_instances_list(req->home, &all, &n);
    if (rc < 0)
        goto done;
    bool existing = false;
    identity = choose_identity(req, &pkg, all, n, &existing);
    if (!identity) {
        rc = -EINVAL;
        goto done;
    }
    if (existing && !req->force) {
        rc = vt_error_set(-EEXIST, "Identity already exists, but not forced!");
        goto done;
    }

    char uuid[VT_UUID_SIZE];
    vt_uuid4(uuid);
    char *agents = vt_fs_path_join(req->home, "agents");
    staging = vt_asprintf("%s/.new-%s", agents, uuid);
    final = vt_fs_path_join(agents, identity);
    old = existing ? vt_asprintf("%s/.old-%s", agents, uuid) : NULL;
    free(agents);
    /* The old instance steps aside first, so its data can move over. */
    if (old && rename(final, old) < 0) {
        rc = vt_error_set(-errno, "cannot replace %s: %s", identity, strerror(errno));
        goto done;
    }
    const cJSON *config = req->config ? req->config : archive_config ? archive_config : pkg.config;
    cJSON *empty = cJSON_CreateObject();
    rc = vt_fs_mkdir_p(staging, 0755);
    if (rc == 0)
        rc = fill_instance(staging, uuid, package_ref, config ? config : empty, req->keys, old);
    cJSON_Delete(empty);
    if (rc == 0 && old) {
        carry_over(old, staging, "TAG");
        carry_over(old, staging, "AUTOSTART");
    }
    if (rc == 0 && rename(staging, final) < 0)
        rc = vt_error_set(-errno, "cannot create %s: %s", final, strerror(errno));
    if (rc < 0) {
        if (old) {
            /* the agent's data goes back before anything is removed */
            carry_over(staging, old, "data");
            carry_over(staging, old, "TAG");
            carry_over(staging, old, "AUTOSTART");
            rename(old, final);
        }
        vt_fs_remove_tree(staging);
        goto done;
    }
    if (old)
        vt_fs_remove_tree(old);
    rc = vt_instances_find(req->home, identity, out);
done:
    if (rc < 0 && !req->system_dir && package_ref) {
        /* an unpacked package nobody uses goes again */
        vt_instance probe = {.package = package_ref};
        bool used = false;
        for (size_t i = 0; i < n; i++)
            used = used || strcmp(all[i].package, package_ref) == 0;
        if (!used) {
            char *dir = vt_instance_package_dir(req->home, &probe);
            vt_fs_remove_tree(dir);
            free(dir);
        }
    }
    vt_instances_free(all, n);
    vt_package_clear(&pkg);
    cJSON_Delete(archive_config);
    free(package_ref);
    free(identity);
    free(staging);
    free(final);
    free(old);
    return rc;
}

int vt_uninstall(const char *home, const vt_instance *inst)
{
    char *agents = vt_fs_path_join(home, "agents");
    char uuid[VT_UUID_SIZE];
    vt_uuid4(uuid);
    char *gone = vt_asprintf("%s/.gone-%s", agents, uuid);
    free(agents);
    /* One rename takes it out of every listing; the tree goes after. */
    int rc = 0;
    if (rename(inst->dir, gone) < 0)
        rc = vt_error_set(-errno, "cannot remove %s: %s", inst->dir, strerror(errno));
    else
        vt_fs_remove_tree(gone);
    free(gone);
    if (rc < 0 || inst->package[0] == '/' || !inst->package[0])
        return rc;
    vt_instance *all;
    size_t n;
    if (vt_instances_list(home, &all, &n) < 0)
        return 0;
    bool used = false;
    for (size_t i = 0; i < n; i++)
        used = used || strcmp(all[i].package, inst->package) == 0;
    vt_instances_free(all, n);
    if (!used) {
        char *dir = vt_instance_package_dir(home, inst);
        vt_fs_remove_tree(dir);
        free(dir);
    }
    return 0;
}

/* ---- packages installed on the system ---- */

static char *find_in(const char *root, const char *name)
{
    char *direct = vt_fs_path_join(root, name);
    vt_package p;
    if (vt_package_load(direct, &p) == 0) {
        vt_package_clear(&p);
        return direct;
    }
    free(direct);
    /* else by the manifest's name or name-version */
    DIR *d = opendir(root);
    if (!d)
        return NULL;
    char *found = NULL;
    struct dirent *de;
    while (!found && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char *dir = vt_fs_path_join(root, de->d_name);
        if (vt_package_load(dir, &p) == 0) {
            char *id = vt_package_id(&p);
            if (strcmp(p.name, name) == 0 || strcmp(id, name) == 0)
                found = vt_strdup(dir);
            free(id);
            vt_package_clear(&p);
        }
        free(dir);
    }
    closedir(d);
    return found;
}

char *vt_install_find_system_package(const char *name)
{
    if (!vt_identity_valid(name)) {
        vt_error_set(-EINVAL, "\"%s\" is not a package name", name);
        return NULL;
    }
    const char *env = getenv("VOLTTRON_AGENT_PATH");
    char *paths =
        vt_asprintf("%s%s%s", env ? env : "", env && *env ? ":" : "", VT_SYSTEM_AGENT_DIR);
    char *found = NULL;
    char *save = NULL;
    for (char *p = strtok_r(paths, ":", &save); p && !found; p = strtok_r(NULL, ":", &save))
        found = find_in(p, name);
    if (!found)
        vt_error_set(-ENOENT,
                     "no agent package called \"%s\" is installed on this system "
                     "(searched $VOLTTRON_AGENT_PATH and %s)",
                     name, VT_SYSTEM_AGENT_DIR);
    free(paths);
    return found;
}
