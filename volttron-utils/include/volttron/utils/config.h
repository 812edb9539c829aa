/* Agent configuration files: JSON (with comments) or YAML, into one tree.
 *
 * VOLTTRON agents take their configuration from a file (AGENT_CONFIG) or the
 * config store; either way the result is a cJSON tree. YAML is read with
 * libyaml and mapped to the same tree: mappings to objects, sequences to
 * arrays, plain scalars typed as YAML 1.1 does (null/~, true/false/yes/no/
 * on/off, integers including 0x and 0o forms, floats including .inf and
 * .nan), quoted scalars as strings. Anchors and aliases are expanded.
 */
#ifndef VT_UTILS_CONFIG_H
#define VT_UTILS_CONFIG_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest configuration file read (bytes). */
#define VT_CONFIG_MAX_SIZE (16u * 1024u * 1024u)

/* Load a configuration file. Files named *.yml / *.yaml are YAML; anything
 * else is tried as JSON with #, // and / * * / comments, and then as YAML (so
 * a YAML file without the extension still loads). Returns a new tree the
 * caller releases with cJSON_Delete, or NULL with vt_last_error() naming the
 * file, line and column: "listener.config:3:14: expected ',' or '}' in object". */
VT_UTILS_EXPORT cJSON *vt_config_load(const char *path);

/* Parse YAML text (name is used in error messages only). Returns a new tree
 * or NULL with "<name>:<line>:<column>: <problem>". A document that is empty
 * yields an empty object. */
VT_UTILS_EXPORT cJSON *vt_config_parse_yaml(const char *text, size_t len, const char *name);

/* Parse JSON text with comments allowed (a thin wrapper over vt_json_parse
 * with VT_JSON_COMMENTS). */
VT_UTILS_EXPORT cJSON *vt_config_parse_json(const char *text, size_t len, const char *name);

#ifdef __cplusplus
}
#endif

#endif
