#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/mem.h>

static int fail(int e, const char *what, const char *path)
{
    return vt_error_set(-e, "cannot %s %s: %s", what, path, strerror(e));
}

int vt_fs_mkdir_p(const char *path, mode_t mode)
{
    if (!path || !*path)
        return vt_error_set(-EINVAL, "cannot create a directory with an empty path");
    char *copy = vt_strdup(path);
    int rc = 0;
    /* Walk the components left to right so the error names the first one
     * that could not be made. */
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, mode) < 0 && errno != EEXIST) {
            rc = fail(errno, "create directory", copy);
            break;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    if (rc == 0) {
        struct stat st;
        if (stat(path, &st) < 0)
            rc = fail(errno, "create directory", path);
        else if (!S_ISDIR(st.st_mode))
            rc = vt_error_set(-ENOTDIR, "cannot create directory %s: a file of that name exists",
                              path);
    }
    free(copy);
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsync the directory holding path so the rename itself is durable. */
static int sync_parent(const char *path)
{
    char *copy = vt_strdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0 || fsync(fd) < 0)
        rc = -errno;
    if (fd >= 0)
        close(fd);
    free(copy);
    return rc;
}

int vt_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    char *tmp = vt_asprintf("%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return fail(e, "write", path);
    }
    int rc = 0;
    /* mkostemp creates 0600; widen (or keep) to the requested mode before any
     * content exists, and without the umask getting a say. */
    if (fchmod(fd, mode) < 0)
        rc = -errno;
    if (rc == 0)
        rc = write_all(fd, data, len);
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -errno;
    if (rc < 0) {
        unlink(tmp);
        free(tmp);
        return fail(-rc, "write", path);
    }
    free(tmp);
    rc = sync_parent(path);
    if (rc < 0)
        return fail(-rc, "sync the directory of", path);
    return 0;
}

/* "<anything>.tmp." followed by mkostemp's six characters. */
static bool is_temporary(const char *name)
{
    size_t n = strlen(name);
    return n > 11 && memcmp(name + n - 11, ".tmp.", 5) == 0;
}

int vt_fs_remove_temporaries(const char *dir, int min_age_s)
{
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    time_t now = time(NULL);
    int removed = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!is_temporary(de->d_name))
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (min_age_s > 0 && now - st.st_mtime < min_age_s)
            continue;
        if (unlinkat(dirfd(d), de->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

int vt_fs_write_secret(const char *path, const void *data, size_t len)
{
    return vt_fs_write_atomic(path, data, len, 0600);
}

int vt_fs_read_file(const char *path, size_t max, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(errno, "read", path);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return fail(e, "read", path);
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return vt_error_set(-EISDIR, "cannot read %s: it is a directory", path);
    }
    if (S_ISREG(st.st_mode) && (size_t)st.st_size > max) {
        close(fd);
        return vt_error_set(-EFBIG, "cannot read %s: %lld bytes is over the limit of %zu", path,
                            (long long)st.st_size, max);
    }
    /* Read until EOF rather than trusting st_size: the file may change, and
     * pipes or /proc files report no size. */
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
    if (cap > max + 1)
        cap = max + 1;
    char *buf = vt_malloc(cap + 1);
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                free(buf);
                close(fd);
                return vt_error_set(-EFBIG, "cannot read %s: over the limit of %zu bytes", path,
                                    max);
            }
            cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            buf = vt_realloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            return fail(e, "read", path);
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max) {
        free(buf);
        return vt_error_set(-EFBIG, "cannot read %s: over the limit of %zu bytes", path, max);
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return 0;
}

bool vt_fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

bool vt_fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool vt_fs_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *vt_fs_path_join(const char *a, const char *b)
{
    if (b[0] == '/' || !a[0])
        return vt_strdup(b);
    size_t alen = strlen(a);
    while (alen > 1 && a[alen - 1] == '/')
        alen--;
    return vt_asprintf("%.*s/%s", (int)alen, a, b);
}

int vt_fs_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : fail(errno, "remove", path);
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return fail(errno, "remove", path);
        struct dirent *e;
        int rc = 0;
        while (rc == 0 && (e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *child = vt_fs_path_join(path, e->d_name);
            rc = vt_fs_remove_tree(child);
            free(child);
        }
        closedir(d);
        if (rc < 0)
            return rc;
        if (rmdir(path) < 0)
            return fail(errno, "remove", path);
        return 0;
    }
    if (unlink(path) < 0)
        return fail(errno, "remove", path);
    return 0;
}
