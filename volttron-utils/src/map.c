#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/map.h>
#include <volttron/utils/mem.h>

/* Open addressing with linear probing and backward-shift deletion: no
 * tombstones, so lookups stay short however often peers come and go. */

typedef struct slot {
    char *key; /* NULL = empty */
    size_t len;
    uint64_t hash;
    void *value;
} slot;

struct vt_map {
    slot *slots;
    size_t cap; /* power of two */
    size_t size;
    vt_map_free_fn free_value;
};

/* FNV-1a: short keys (identities, topics), no need for anything stronger;
 * the keys are chosen by authenticated peers. */
static uint64_t hash_bytes(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

vt_map *vt_map_new(vt_map_free_fn free_value)
{
    vt_map *m = vt_calloc(1, sizeof *m);
    m->cap = 16;
    m->slots = vt_calloc(m->cap, sizeof *m->slots);
    m->free_value = free_value;
    return m;
}

static void release(vt_map *m, void *value)
{
    if (m->free_value && value)
        m->free_value(value);
}

void vt_map_clear(vt_map *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key) {
            free(m->slots[i].key);
            release(m, m->slots[i].value);
            m->slots[i].key = NULL;
        }
    }
    m->size = 0;
}

void vt_map_destroy(vt_map **map)
{
    if (!map || !*map)
        return;
    vt_map_clear(*map);
    free((*map)->slots);
    free(*map);
    *map = NULL;
}

size_t vt_map_size(const vt_map *m)
{
    return m->size;
}

/* Index of key's slot, or of the empty slot where it would go. */
static size_t find(const vt_map *m, const void *key, size_t len, uint64_t h)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)h & mask;
    while (m->slots[i].key) {
        const slot *s = &m->slots[i];
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

void *vt_map_getn(const vt_map *m, const void *key, size_t len)
{
    size_t i = find(m, key, len, hash_bytes(key, len));
    return m->slots[i].key ? m->slots[i].value : NULL;
}

void *vt_map_get(const vt_map *m, const char *key)
{
    return vt_map_getn(m, key, strlen(key));
}

bool vt_map_contains(const vt_map *m, const char *key)
{
    size_t len = strlen(key);
    return m->slots[find(m, key, len, hash_bytes(key, len))].key != NULL;
}

static void grow(vt_map *m)
{
    slot *old = m->slots;
    size_t old_cap = m->cap;
    m->cap *= 2;
    m->slots = vt_calloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].key) {
            size_t j = find(m, old[i].key, old[i].len, old[i].hash);
            m->slots[j] = old[i];
        }
    }
    free(old);
}

void vt_map_setn(vt_map *m, const void *key, size_t len, void *value)
{
    uint64_t h = hash_bytes(key, len);
    size_t i = find(m, key, len, h);
    if (m->slots[i].key) {
        if (m->slots[i].value != value)
            release(m, m->slots[i].value);
        m->slots[i].value = value;
        return;
    }
    if ((m->size + 1) * 4 > m->cap * 3) { /* keep the load under 3/4 */
        grow(m);
        i = find(m, key, len, h);
    }
    char *copy = vt_malloc(len + 1);
    memcpy(copy, key, len);
    copy[len] = '\0';
    m->slots[i] = (slot){.key = copy, .len = len, .hash = h, .value = value};
    m->size++;
}

void vt_map_set(vt_map *m, const char *key, void *value)
{
    vt_map_setn(m, key, strlen(key), value);
}

/* Empty slot i and shift later entries of the same probe run back into it. */
static void delete_at(vt_map *m, size_t i)
{
    size_t mask = m->cap - 1;
    free(m->slots[i].key);
    m->slots[i].key = NULL;
    m->size--;
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->slots[j].key)
            return;
        size_t home = (size_t)m->slots[j].hash & mask;
        /* Move j back to i unless its home lies cyclically in (i, j]. */
        bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!between) {
            m->slots[i] = m->slots[j];
            m->slots[j].key = NULL;
            i = j;
        }
    }
}

static void *take(vt_map *m, const void *key, size_t len, bool *found)
{
    size_t i = find(m, key, len, hash_bytes(key, len));
    *found = m->slots[i].key != NULL;
    if (!*found)
        return NULL;
    void *value = m->slots[i].value;
    delete_at(m, i);
    return value;
}

bool vt_map_removen(vt_map *m, const void *key, size_t len)
{
    bool found;
    void *value = take(m, key, len, &found);
    if (found)
        release(m, value);
    return found;
}

bool vt_map_remove(vt_map *m, const char *key)
{
    return vt_map_removen(m, key, strlen(key));
}

void *vt_map_take(vt_map *m, const char *key)
{
    return vt_map_taken(m, key, strlen(key));
}

void *vt_map_taken(vt_map *m, const void *key, size_t len)
{
    bool found;
    return take(m, key, len, &found);
}

bool vt_map_next(const vt_map *m, size_t *cursor, const char **key, void **value)
{
    while (*cursor < m->cap) {
        const slot *s = &m->slots[(*cursor)++];
        if (s->key) {
            if (key)
                *key = s->key;
            if (value)
                *value = s->value;
            return true;
        }
    }
    return false;
}
