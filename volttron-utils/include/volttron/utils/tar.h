/* POSIX ustar archives: agent packages (".vtagent" files) are written and
 * unpacked with this.
 *
 * The writer makes reproducible archives: members in the order they are
 * added (directory trees sorted by name), mtime 0, uid/gid 0, no user or
 * group names, permission bits reduced to 0755 or 0644. GNU tar, bsdtar and
 * Python's tarfile read them.
 *
 * The reader trusts nothing in the archive. It takes regular files and
 * directories only, refuses any name that could leave the destination
 * (absolute, "..") and any malformed header, and checks the whole archive
 * before the first byte is written, so a refused archive writes nothing. A
 * failure while writing (disk full, a name already present in the
 * destination) removes what the call created.
 */
#ifndef VT_UTILS_TAR_H
#define VT_UTILS_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Members (files and directories) an archive may hold, read or written. */
#define VT_TAR_MAX_MEMBERS 10000

/* Longest member name ustar can hold (prefix, '/', name), a directory's
 * trailing '/' included. */
#define VT_TAR_MAX_NAME 255

typedef struct vt_tar_writer vt_tar_writer;

/* Start an archive that will appear at path when finished; until then it is
 * written to a temporary file beside path, so a reader never sees half an
 * archive. NULL with a message if the temporary file cannot be created.
 * The caller owns the writer and ends it with vt_tar_writer_finish or
 * vt_tar_writer_destroy. */
VT_UTILS_EXPORT vt_tar_writer *vt_tar_writer_new(const char *path);

/* Member names are relative paths without "." or ".." components, empty
 * components or a trailing '/', at most VT_TAR_MAX_NAME bytes; anything else
 * is -EINVAL and leaves the archive as it was. Parent directories need not
 * be added first. A name added twice makes vt_tar_writer_finish fail.
 * A failure to write the temporary file is sticky: every later call, and
 * vt_tar_writer_finish, fails. */

/* Add a regular file holding len bytes of data (borrowed, copied out
 * before the call returns). Stored as mode 0755 if mode has any execute
 * bit, else 0644. */
VT_UTILS_EXPORT int vt_tar_add_data(vt_tar_writer *w, const char *name, const void *data,
                                    size_t len, unsigned mode);

/* Add a directory entry (stored as "name/", mode 0755). */
VT_UTILS_EXPORT int vt_tar_add_dir(vt_tar_writer *w, const char *name);

/* Add the regular file at src_path (symlinks followed) as name: mode 0755
 * if its owner may execute it, else 0644. */
VT_UTILS_EXPORT int vt_tar_add_file(vt_tar_writer *w, const char *name, const char *src_path);

/* Add the directory dir recursively under prefix ("" or NULL: at the top
 * of the archive; otherwise prefix itself is added as a directory first).
 * Entries are added in byte order of their names, so the same tree always
 * gives the same archive. Only regular files and directories are taken;
 * a symlink is followed when it points to a regular file, and anything
 * else (a symlink to a directory, a dangling symlink, a socket, ...) is an
 * error naming it. The archive's own temporary file is left out when it is
 * written inside dir. */
VT_UTILS_EXPORT int vt_tar_add_tree(vt_tar_writer *w, const char *prefix, const char *dir);

/* Write the end-of-archive blocks, fsync, and rename the temporary file to
 * the path given to vt_tar_writer_new (mode 0644), then fsync its directory.
 * Destroys the writer and sets *w to NULL whether it succeeds or not; on
 * failure the temporary file is removed and path is untouched. */
VT_UTILS_EXPORT int vt_tar_writer_finish(vt_tar_writer **w);

/* Abandon the archive: remove the temporary file, free the writer, set *w
 * to NULL. NULL or *w NULL is a no-op. */
VT_UTILS_EXPORT void vt_tar_writer_destroy(vt_tar_writer **w);

/* Extract the archive file at archive_path into dest_dir, which is created
 * (with missing parents) if it does not exist. Regular files get mode 0755
 * if any execute bit is set in their header, else 0644; directories 0755;
 * modification times are not restored. Existing directories in dest_dir are
 * reused, but an existing file (or a symlink) where the archive puts a member
 * is an error: nothing already in dest_dir is ever replaced or followed.
 * The sum of the members' sizes may not exceed max_bytes.
 * The first zero block ends the archive (as GNU tar reads it); whatever
 * follows is ignored.
 * Returns 0, or a negative errno with a message such as
 *   agent.vtagent: member 3 "../x": '..' in the path could leave the archive
 * and then dest_dir is as it was before the call (removed, with the parents
 * the call created, if it did not exist). */
VT_UTILS_EXPORT int vt_tar_extract(const char *archive_path, const char *dest_dir,
                                   size_t max_bytes);

/* vt_tar_extract for an archive in memory (data is borrowed); messages name
 * it "archive". */
VT_UTILS_EXPORT int vt_tar_extract_mem(const void *data, size_t len, const char *dest_dir,
                                       size_t max_bytes);

/* Find the regular file name ("./name" and "name" are the same member) in
 * an in-memory archive and copy its content to *out (NUL-terminated, caller
 * frees), its length to *out_len if non-NULL. The whole archive is checked
 * as vt_tar_extract would. -ENOENT if there is no such member, -EISDIR if
 * it is a directory, -EFBIG if it is larger than max. */
VT_UTILS_EXPORT int vt_tar_read_member(const void *data, size_t len, const char *name, size_t max,
                                       char **out, size_t *out_len);

/* One member as vt_tar_list_mem reports it; everything is borrowed for the
 * duration of the callback. */
typedef struct vt_tar_entry {
    const char *name; /* without "./" or a trailing '/' */
    uint64_t size;
    unsigned mode; /* permission bits recorded in the header */
    bool is_dir;
} vt_tar_entry;

/* Returns 0 to go on, anything else to stop (vt_tar_list_mem returns it). */
typedef int (*vt_tar_list_fn)(const vt_tar_entry *entry, void *ctx);

/* Check the whole in-memory archive, then call fn for each member in
 * archive order ("./" entries for the top directory are left out). Returns
 * 0, the first non-zero value fn returned, or a negative errno with a
 * message for an archive vt_tar_extract would refuse. */
VT_UTILS_EXPORT int vt_tar_list_mem(const void *data, size_t len, vt_tar_list_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
