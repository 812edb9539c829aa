/* A radix tree over byte strings, for pubsub prefix matching: finding every
 * stored key that is a prefix of a topic costs the topic's length, not the
 * number of subscriptions. Values are opaque; the caller owns them. */
#ifndef VT_TRIE_H
#define VT_TRIE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct vt_trie vt_trie;

vt_trie *vt_trie_new(void);
/* Release the tree; free_value (may be NULL) is called for each value. */
void vt_trie_destroy(vt_trie **trie, void (*free_value)(void *value));

/* The value slot for key, created if missing (initially NULL). Store a
 * non-NULL value there; a key whose slot is NULL counts as absent. */
void **vt_trie_slot(vt_trie *trie, const char *key, size_t len);
/* The value for key, or NULL. */
void *vt_trie_get(const vt_trie *trie, const char *key, size_t len);
/* Forget key (its value must already be released) and prune the path. */
void vt_trie_remove(vt_trie *trie, const char *key, size_t len);

/* Call fn for the value of every key that is a prefix of text (shortest
 * first), "" included. fn must not change the tree. */
void vt_trie_match(const vt_trie *trie, const char *text, size_t len,
                   void (*fn)(void *value, void *ctx), void *ctx);

/* Call fn for every key with a value, in byte order. fn must not change the
 * tree. */
void vt_trie_walk(const vt_trie *trie,
                  void (*fn)(const char *key, size_t len, void *value, void *ctx), void *ctx);

/* Number of keys with a value. */
size_t vt_trie_size(const vt_trie *trie);

#endif
