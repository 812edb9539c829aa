/* INI files as Python's ConfigParser reads and writes them: the platform's
 * $VOLTTRON_HOME/config.
 *
 * Reading: "[section]" headers; "key = value" or "key: value" lines; '#' and
 * ';' comment lines; indented lines continue the previous value (joined with
 * '\n'); keys are lower-cased (ConfigParser's optionxform); keys before any
 * section belong to the section "" (VOLTTRON's config may omit the header).
 * A key repeated within a section keeps every value in order (VOLTTRON's
 * vip-address accumulates); vt_ini_get returns the last one.
 * Writing (vt_ini_dump): "[section]" then "key = value" lines, a blank line
 * after each section, as ConfigParser.write does.
 */
#ifndef VT_UTILS_INI_H
#define VT_UTILS_INI_H

#include <stdbool.h>
#include <stddef.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_ini vt_ini;

/* An empty document. Caller owns it; release with vt_ini_destroy. */
VT_UTILS_EXPORT vt_ini *vt_ini_new(void);
/* Parse text; name appears in error messages. NULL on error, with
 * vt_last_error() "<name>:<line>:<column>: <problem>". Caller owns the result. */
VT_UTILS_EXPORT vt_ini *vt_ini_parse(const char *text, size_t len, const char *name);
/* Load a file (at most 1 MiB). NULL with a message naming the file on error. */
VT_UTILS_EXPORT vt_ini *vt_ini_load(const char *path);
VT_UTILS_EXPORT void vt_ini_destroy(vt_ini **ini);

/* The last value of key in section (borrowed; valid until the document is
 * changed or destroyed), or NULL. The key is matched case-insensitively. */
VT_UTILS_EXPORT const char *vt_ini_get(const vt_ini *ini, const char *section, const char *key);
/* Every value of key in section, in file order: returns the count and stores
 * up to max borrowed pointers in values. */
VT_UTILS_EXPORT size_t vt_ini_get_all(const vt_ini *ini, const char *section, const char *key,
                                      const char **values, size_t max);
/* Boolean as ConfigParser.getboolean: 1/yes/true/on and 0/no/false/off (any
 * case). Returns 0 and stores, -ENOENT if absent, -EINVAL otherwise. */
VT_UTILS_EXPORT int vt_ini_get_bool(const vt_ini *ini, const char *section, const char *key,
                                    bool *out);

/* Set key to a single value (replacing all earlier values; appended at the
 * end of the section if new; the section is created if needed). Copies. */
VT_UTILS_EXPORT void vt_ini_set(vt_ini *ini, const char *section, const char *key,
                                const char *value);
/* Add one more value for key (for repeatable keys). Copies. */
VT_UTILS_EXPORT void vt_ini_add(vt_ini *ini, const char *section, const char *key,
                                const char *value);
/* Remove every value of key. Returns true if anything was removed. */
VT_UTILS_EXPORT bool vt_ini_remove(vt_ini *ini, const char *section, const char *key);

/* Iterate the entries of a section in order: returns false past the end.
 * key and value are borrowed. */
VT_UTILS_EXPORT bool vt_ini_entry(const vt_ini *ini, const char *section, size_t index,
                                  const char **key, const char **value);

/* Serialise as ConfigParser.write. Caller frees the string. */
VT_UTILS_EXPORT char *vt_ini_dump(const vt_ini *ini);
/* vt_ini_dump written atomically to path with the given mode. */
VT_UTILS_EXPORT int vt_ini_save(const vt_ini *ini, const char *path, unsigned mode);

/* Shell-style unquoting of one value, as VOLTTRON splits option values:
 * "volttron1" and 'volttron1' both give volttron1; backslash escapes outside
 * single quotes. Returns a new string the caller frees, or NULL with
 * -EINVAL in vt_last_error() for an unterminated quote. */
VT_UTILS_EXPORT char *vt_ini_unquote(const char *value);

#ifdef __cplusplus
}
#endif

#endif
