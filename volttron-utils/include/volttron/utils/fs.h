/* File system helpers for state that must survive a crash.
 *
 * vt_fs_write_atomic is the one way the platform writes state (config store,
 * auth.json, agent instance files): a reader, or the platform after a crash
 * or power loss, finds either the old or the new content, never a torn file.
 */
#ifndef VT_UTILS_FS_H
#define VT_UTILS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Create path and any missing parents with mode (masked by the umask).
 * An existing directory is success; an existing non-directory is -ENOTDIR. */
VT_UTILS_EXPORT int vt_fs_mkdir_p(const char *path, mode_t mode);

/* Replace path with data: write a temporary file in the same directory
 * (created with mode, exclusively), fsync it, rename it over path, fsync the
 * directory. Returns 0 or a negative errno; on failure path is untouched and
 * the temporary file is removed. */
VT_UTILS_EXPORT int vt_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* Remove the temporary files vt_fs_write_atomic leaves in dir when the
 * process dies between creating and renaming one ("<name>.tmp.XXXXXX"),
 * that were last written at least min_age_s seconds ago (0: all of them;
 * a writer in another process may own a fresh one). Returns how many were
 * removed, or a negative errno if dir cannot be read. */
VT_UTILS_EXPORT int vt_fs_remove_temporaries(const char *dir, int min_age_s);

/* vt_fs_write_atomic with mode 0600: the secret never exists with wider
 * permissions, not even for a moment. */
VT_UTILS_EXPORT int vt_fs_write_secret(const char *path, const void *data, size_t len);

/* Read a whole regular file of at most max bytes into *out (NUL-terminated,
 * caller frees); *len gets the length if len is non-NULL. A larger file is
 * -EFBIG and a missing one -ENOENT, each with a message naming the path. */
VT_UTILS_EXPORT int vt_fs_read_file(const char *path, size_t max, char **out, size_t *len);

/* path exists (any type) / is a directory / is a regular file. */
VT_UTILS_EXPORT bool vt_fs_exists(const char *path);
VT_UTILS_EXPORT bool vt_fs_is_dir(const char *path);
VT_UTILS_EXPORT bool vt_fs_is_file(const char *path);

/* "a" + "/" + "b" without doubled slashes; b absolute is returned as is.
 * Caller frees. */
VT_UTILS_EXPORT char *vt_fs_path_join(const char *a, const char *b);

/* Remove path recursively (like rm -rf, without following symlinks).
 * A missing path is success. */
VT_UTILS_EXPORT int vt_fs_remove_tree(const char *path);

#ifdef __cplusplus
}
#endif

#endif
