/* Turning what `vctl install` is given into an agent archive: an agent
 * source directory (built with meson against the installed
 * libvolttron-client, installed into a staging directory), a package
 * directory (agent.json beside the executable, e.g. a build directory or a
 * package a deb installed), or an archive (copied, with the configuration
 * added if one is given). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build.h"

extern char **environ;

/* Run argv with output into log; 0 if it exits 0. */
static int run(const char *const *argv, const char *log)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int err = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err)
        return vt_error_set(-err, "cannot run %s: %s", argv[0], strerror(err));
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char *text = NULL;
        size_t len = 0;
        vt_fs_read_file(log, 1 << 20, &text, &len);
        /* the end of the log says what went wrong */
        const char *tail = text ? text + (len > 3000 ? len - 3000 : 0) : "";
        int rc = vt_error_set(-EIO, "%s %s failed:\n%s", argv[0], argv[1], tail);
        free(text);
        return rc;
    }
    return 0;
}

/* A directory under root holding agent.json whose executable is there too. */
static char *find_package_dir(const char *root)
{
    vt_package p;
    if (vt_package_load(root, &p) == 0) {
        vt_package_clear(&p);
        return vt_strdup(root);
    }
    DIR *d = opendir(root);
    if (!d)
        return NULL;
    char *found = NULL;
    struct dirent *de;
    while (!found && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *sub = vt_fs_path_join(root, de->d_name);
        if (vt_fs_is_dir(sub))
            found = find_package_dir(sub);
        free(sub);
    }
    closedir(d);
    return found;
}

static int build_source(const char *src, const char *tmp, char **pkg_dir)
{
    char *build = vt_fs_path_join(tmp, "build");
    char *stage = vt_fs_path_join(tmp, "stage");
    char *log = vt_fs_path_join(tmp, "build.log");
    const char *setup[] = {"meson", "setup", "--prefix=/usr", "--buildtype=release", build,
                           src,     NULL};
    const char *compile[] = {"meson", "compile", "-C", build, NULL};
    const char *install[] = {"meson",     "install", "-C",           build,
                             "--destdir", stage,     "--no-rebuild", NULL};
    int rc = run(setup, log);
    if (rc == 0)
        rc = run(compile, log);
    if (rc == 0)
        rc = run(install, log);
    if (rc == 0) {
        *pkg_dir = find_package_dir(stage);
        if (!*pkg_dir)
            rc = vt_error_set(-ENOENT,
                              "%s: its build installs no agent.json beside the "
                              "agent's executable (see agents/listener for how)",
                              src);
    }
    free(build);
    free(stage);
    free(log);
    return rc;
}

static int pack(const char *pkg_dir, const cJSON *config, const char *out)
{
    vt_package p;
    int rc = vt_package_load(pkg_dir, &p);
    if (rc < 0)
        return rc;
    vt_tar_writer *w = vt_tar_writer_new(out);
    if (!w) {
        vt_package_clear(&p);
        return -EIO;
    }
    char *manifest = vt_fs_path_join(pkg_dir, VT_PACKAGE_MANIFEST);
    char *exe = vt_fs_path_join(pkg_dir, p.executable);
    rc = vt_tar_add_file(w, VT_PACKAGE_MANIFEST, manifest);
    if (rc == 0)
        rc = vt_tar_add_file(w, p.executable, exe);
    if (rc == 0 && config) {
        char *text = vt_json_dump(config, VT_JSON_INDENT(2));
        rc = vt_tar_add_data(w, "config", text, strlen(text), 0644);
        free(text);
    }
    free(manifest);
    free(exe);
    vt_package_clear(&p);
    if (rc == 0)
        return vt_tar_writer_finish(&w);
    vt_tar_writer_destroy(&w);
    return rc;
}

/* An archive as given, with the configuration replaced when one is given. */
static int repack(const char *archive, const cJSON *config, const char *tmp, const char *out)
{
    char *dir = vt_fs_path_join(tmp, "unpacked");
    int rc = vt_tar_extract(archive, dir, 256u << 20);
    if (rc == 0) {
        char *cfg = vt_fs_path_join(dir, "config");
        unlink(cfg);
        free(cfg);
        char *pkg = find_package_dir(dir);
        rc = pkg ? pack(pkg, config, out)
                 : vt_error_set(-EINVAL, "%s: no %s in the archive", archive, VT_PACKAGE_MANIFEST);
        free(pkg);
    }
    free(dir);
    return rc;
}

int vctl_build_archive(const char *path, const cJSON *config, const char *tmp, char **archive)
{
    *archive = NULL;
    struct stat st;
    if (stat(path, &st) < 0)
        return vt_error_set(-ENOENT, "%s: no such file or directory", path);
    char *out = vt_fs_path_join(tmp, "agent" VT_PACKAGE_ARCHIVE_EXT);
    int rc;
    if (S_ISDIR(st.st_mode)) {
        char *manifest = vt_fs_path_join(path, VT_PACKAGE_MANIFEST);
        char *meson = vt_fs_path_join(path, "meson.build");
        char *pkg = NULL;
        /* a package directory (built or installed) as is; else build it */
        vt_package p;
        if (vt_package_load(path, &p) == 0) {
            vt_package_clear(&p);
            pkg = vt_strdup(path);
            rc = 0;
        } else if (vt_fs_is_file(meson)) {
            rc = build_source(path, tmp, &pkg);
        } else if (vt_fs_is_file(manifest)) {
            rc = vt_package_load(path, &p); /* says what is wrong with it */
        } else {
            rc = vt_error_set(-EINVAL,
                              "%s: neither an agent source directory (meson.build) nor "
                              "a package directory (%s)",
                              path, VT_PACKAGE_MANIFEST);
        }
        if (rc == 0)
            rc = pack(pkg, config, out);
        free(pkg);
        free(manifest);
        free(meson);
    } else if (config) {
        rc = repack(path, config, tmp, out);
    } else {
        free(out);
        *archive = vt_strdup(path);
        return 0;
    }
    if (rc == 0)
        *archive = out;
    else
        free(out);
    return rc;
}
