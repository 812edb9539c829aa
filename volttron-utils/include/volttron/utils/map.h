/* A hash map from byte-string keys to pointers.
 *
 * Keys are copied; values are borrowed unless the map was given a free
 * function, in which case the map releases values it replaces or removes and
 * every value left when it is destroyed. Lookups take (pointer, length) keys
 * so ZeroMQ frames can be used without copying them into C strings.
 * Iteration order is unspecified, and the map must not change while it is
 * being iterated (collect the keys first).
 */
#ifndef VT_UTILS_MAP_H
#define VT_UTILS_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_map vt_map;
typedef void (*vt_map_free_fn)(void *value);

/* A new empty map; free_value may be NULL. Caller owns the map. */
VT_UTILS_EXPORT vt_map *vt_map_new(vt_map_free_fn free_value);
VT_UTILS_EXPORT void vt_map_destroy(vt_map **map);

VT_UTILS_EXPORT size_t vt_map_size(const vt_map *map);

/* The value stored under key, or NULL. */
VT_UTILS_EXPORT void *vt_map_get(const vt_map *map, const char *key);
VT_UTILS_EXPORT void *vt_map_getn(const vt_map *map, const void *key, size_t len);
VT_UTILS_EXPORT bool vt_map_contains(const vt_map *map, const char *key);

/* Store value under key, releasing a replaced value (with the free function). */
VT_UTILS_EXPORT void vt_map_set(vt_map *map, const char *key, void *value);
VT_UTILS_EXPORT void vt_map_setn(vt_map *map, const void *key, size_t len, void *value);

/* Remove key, releasing its value. Returns whether it was present. */
VT_UTILS_EXPORT bool vt_map_remove(vt_map *map, const char *key);
VT_UTILS_EXPORT bool vt_map_removen(vt_map *map, const void *key, size_t len);

/* Remove key and hand its value to the caller (not released). NULL if absent. */
VT_UTILS_EXPORT void *vt_map_take(vt_map *map, const char *key);
VT_UTILS_EXPORT void *vt_map_taken(vt_map *map, const void *key, size_t len);

/* Iterate: start with *cursor = 0; returns false at the end. key (NUL-
 * terminated, borrowed) and value may be NULL if not wanted. */
VT_UTILS_EXPORT bool vt_map_next(const vt_map *map, size_t *cursor, const char **key, void **value);

/* Remove every entry (releasing values). */
VT_UTILS_EXPORT void vt_map_clear(vt_map *map);

#ifdef __cplusplus
}
#endif

#endif
