/* JSON as VOLTTRON (Python's json module) reads and writes it, over cJSON.
 *
 * cJSON is the tree type throughout the project. Its own parser and printer
 * are not used on the wire, because Python peers differ from it:
 *  - Python emits NaN, Infinity and -Infinity as bare tokens; cJSON rejects
 *    them. vt_json_parse accepts them.
 *  - Python decodes frames as latin-1, so JSON sent to it must be ASCII with
 *    \uXXXX escapes; cJSON prints UTF-8 raw. vt_json_dump escapes.
 *  - Duplicate keys: Python keeps the last; vt_json_parse does the same.
 *  - Python tells 1 and 1.0 apart. vt_json_parse marks numbers written with a
 *    fraction or exponent (see vt_json_is_float) and vt_json_dump keeps ".0".
 */
#ifndef VT_UTILS_JSON_H
#define VT_UTILS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parse flags. */
#define VT_JSON_COMMENTS 0x1u  /* strip #..., //... and / *...* / outside strings */
#define VT_JSON_CONTAINER 0x2u /* top level must be an object or an array */

/* Where and why a parse failed; line and column are 1-based. */
typedef struct vt_json_error {
    int line;
    int column;
    size_t offset;
    char message[160];
} vt_json_error;

/* Parse len bytes of text. Returns a new tree the caller releases with
 * cJSON_Delete, or NULL. On failure *err (if non-NULL) says where, and
 * vt_last_error() reads "<name>:<line>:<column>: <message>" (name defaults to
 * "JSON"). Nesting deeper than 256 levels is refused. */
VT_UTILS_EXPORT cJSON *vt_json_parse(const char *text, size_t len, unsigned flags, const char *name,
                                     vt_json_error *err);

/* Dump flags. */
#define VT_JSON_COMPACT 0x1u                   /* separators "," and ":" */
#define VT_JSON_INDENT(n) ((unsigned)(n) << 8) /* pretty, n spaces per level */

/* Serialise as Python's json.dumps with default options would (separators
 * ", " and ": ", ASCII only, NaN/Infinity tokens), or compact / indented per
 * flags. Bytes that are not valid UTF-8 are escaped as latin-1 characters,
 * which is how a Python peer would have read them. Returns a new string the
 * caller frees. */
VT_UTILS_EXPORT char *vt_json_dump(const cJSON *value, unsigned flags);
/* Append the serialisation to b. */
VT_UTILS_EXPORT void vt_json_dump_buf(vt_buf *b, const cJSON *value, unsigned flags);
/* Append s as a JSON string literal (quotes included), ASCII-escaped. */
VT_UTILS_EXPORT void vt_json_dump_string(vt_buf *b, const char *s, size_t len);
/* Append value as Python's repr() prints the decoded value ({'a': None,
 * 'b': [True, 1.5]}), for error texts that VOLTTRON tools and users compare
 * against. */
VT_UTILS_EXPORT void vt_json_repr_python(vt_buf *b, const cJSON *value);

/* A number node that dumps as a float even when integral ("72.0").
 * Caller owns the node. */
VT_UTILS_EXPORT cJSON *vt_json_new_float(double v);
/* The number was written with a fraction or exponent, or made by vt_json_new_float. */
VT_UTILS_EXPORT bool vt_json_is_float(const cJSON *v);

/* "an object", "a string", "a number", "a boolean", "null", "an array"
 * ("missing" for NULL): the words used in type errors. */
VT_UTILS_EXPORT const char *vt_json_type_name(const cJSON *v);

/* Typed member lookups with clear errors. Each returns 0 and stores the value,
 * -ENOENT if the key is absent (or null), or -EINVAL if it has another type;
 * the message reads e.g.
 *   config key "interval" must be a number, got a string
 * where "config" is ctx (NULL leaves it out). Strings and nodes are borrowed
 * from obj. */
VT_UTILS_EXPORT int vt_json_get_number(const cJSON *obj, const char *key, double *out,
                                       const char *ctx);
/* An integral number within int64 range. */
VT_UTILS_EXPORT int vt_json_get_int(const cJSON *obj, const char *key, int64_t *out,
                                    const char *ctx);
VT_UTILS_EXPORT int vt_json_get_bool(const cJSON *obj, const char *key, bool *out, const char *ctx);
VT_UTILS_EXPORT int vt_json_get_string(const cJSON *obj, const char *key, const char **out,
                                       const char *ctx);
VT_UTILS_EXPORT int vt_json_get_object(const cJSON *obj, const char *key, const cJSON **out,
                                       const char *ctx);
VT_UTILS_EXPORT int vt_json_get_array(const cJSON *obj, const char *key, const cJSON **out,
                                      const char *ctx);

/* The same with a default for an absent or null key: returns 0 (value or
 * default stored) or -EINVAL for a present value of the wrong type. */
VT_UTILS_EXPORT int vt_json_opt_number(const cJSON *obj, const char *key, double def, double *out,
                                       const char *ctx);
VT_UTILS_EXPORT int vt_json_opt_int(const cJSON *obj, const char *key, int64_t def, int64_t *out,
                                    const char *ctx);
VT_UTILS_EXPORT int vt_json_opt_bool(const cJSON *obj, const char *key, bool def, bool *out,
                                     const char *ctx);
VT_UTILS_EXPORT int vt_json_opt_string(const cJSON *obj, const char *key, const char *def,
                                       const char **out, const char *ctx);

#ifdef __cplusplus
}
#endif

#endif
