#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/mem.h>

#include "trie.h"

typedef struct node {
    char *label; /* edge from the parent; "" for the root */
    size_t label_len;
    void *value;
    struct node **kids; /* sorted by first label byte */
    size_t nkids;
} node;

struct vt_trie {
    node root;
};

vt_trie *vt_trie_new(void)
{
    return vt_calloc(1, sizeof(vt_trie));
}

static void node_free(node *n, void (*free_value)(void *))
{
    for (size_t i = 0; i < n->nkids; i++) {
        node_free(n->kids[i], free_value);
        free(n->kids[i]);
    }
    free(n->kids);
    free(n->label);
    if (n->value && free_value)
        free_value(n->value);
}

void vt_trie_destroy(vt_trie **tp, void (*free_value)(void *))
{
    if (!tp || !*tp)
        return;
    node_free(&(*tp)->root, free_value);
    free(*tp);
    *tp = NULL;
}

/* Index of the child whose label starts with c, or where it would go. */
static size_t child_index(const node *n, unsigned char c, bool *found)
{
    size_t lo = 0, hi = n->nkids;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        unsigned char m = (unsigned char)n->kids[mid]->label[0];
        if (m == c) {
            *found = true;
            return mid;
        }
        if (m < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static node *new_node(const char *label, size_t len)
{
    node *n = vt_calloc(1, sizeof *n);
    n->label = vt_malloc(len + 1);
    memcpy(n->label, label, len);
    n->label[len] = '\0';
    n->label_len = len;
    return n;
}

static void insert_child(node *parent, size_t at, node *child)
{
    parent->kids = vt_realloc(parent->kids, (parent->nkids + 1) * sizeof *parent->kids);
    memmove(&parent->kids[at + 1], &parent->kids[at], (parent->nkids - at) * sizeof *parent->kids);
    parent->kids[at] = child;
    parent->nkids++;
}

static size_t common_prefix(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0;
    while (i < alen && i < blen && a[i] == b[i])
        i++;
    return i;
}

void **vt_trie_slot(vt_trie *t, const char *key, size_t len)
{
    node *n = &t->root;
    size_t pos = 0;
    while (pos < len) {
        bool found;
        size_t i = child_index(n, (unsigned char)key[pos], &found);
        if (!found) {
            node *leaf = new_node(key + pos, len - pos);
            insert_child(n, i, leaf);
            return &leaf->value;
        }
        node *c = n->kids[i];
        size_t common = common_prefix(c->label, c->label_len, key + pos, len - pos);
        if (common < c->label_len) {
            /* Split c's edge: n -> mid(common) -> c(rest). */
            node *mid = new_node(c->label, common);
            memmove(c->label, c->label + common, c->label_len - common + 1);
            c->label_len -= common;
            mid->kids = vt_malloc(sizeof *mid->kids);
            mid->kids[0] = c;
            mid->nkids = 1;
            n->kids[i] = mid;
            c = mid;
        }
        n = c;
        pos += common;
    }
    return &n->value;
}

/* The node for exactly key, or NULL; with its parent and index there. */
static node *find(const vt_trie *t, const char *key, size_t len, node **parent_out,
                  size_t *index_out)
{
    const node *n = &t->root, *parent = NULL;
    size_t pos = 0, idx = 0;
    while (pos < len) {
        bool found;
        size_t i = child_index(n, (unsigned char)key[pos], &found);
        if (!found)
            return NULL;
        const node *c = n->kids[i];
        if (c->label_len > len - pos || memcmp(c->label, key + pos, c->label_len) != 0)
            return NULL;
        parent = n;
        idx = i;
        n = c;
        pos += c->label_len;
    }
    if (parent_out)
        *parent_out = (node *)parent;
    if (index_out)
        *index_out = idx;
    return (node *)n;
}

void *vt_trie_get(const vt_trie *t, const char *key, size_t len)
{
    node *n = find(t, key, len, NULL, NULL);
    return n ? n->value : NULL;
}

/* Fold a valueless single-child node into its child. */
static void merge_with_child(node *n)
{
    node *c = n->kids[0];
    char *label = vt_malloc(n->label_len + c->label_len + 1);
    memcpy(label, n->label, n->label_len);
    memcpy(label + n->label_len, c->label, c->label_len + 1);
    free(n->label);
    n->label = label;
    n->label_len += c->label_len;
    n->value = c->value;
    free(n->kids);
    n->kids = c->kids;
    n->nkids = c->nkids;
    free(c->label);
    free(c);
}

void vt_trie_remove(vt_trie *t, const char *key, size_t len)
{
    node *parent = NULL;
    size_t idx = 0;
    node *n = find(t, key, len, &parent, &idx);
    if (!n)
        return;
    n->value = NULL;
    if (!parent)
        return; /* the root stays */
    if (n->nkids == 0) {
        free(n->label);
        free(n->kids);
        free(n);
        memmove(&parent->kids[idx], &parent->kids[idx + 1],
                (parent->nkids - idx - 1) * sizeof *parent->kids);
        parent->nkids--;
        /* The parent may now be a pass-through node: fold it (not the root). */
        if (parent != &t->root && !parent->value && parent->nkids == 1)
            merge_with_child(parent);
    } else if (n->nkids == 1) {
        merge_with_child(n);
    }
}

void vt_trie_match(const vt_trie *t, const char *text, size_t len,
                   void (*fn)(void *value, void *ctx), void *ctx)
{
    const node *n = &t->root;
    size_t pos = 0;
    for (;;) {
        if (n->value)
            fn(n->value, ctx);
        if (pos >= len)
            return;
        bool found;
        size_t i = child_index(n, (unsigned char)text[pos], &found);
        if (!found)
            return;
        const node *c = n->kids[i];
        if (c->label_len > len - pos || memcmp(c->label, text + pos, c->label_len) != 0)
            return;
        pos += c->label_len;
        n = c;
    }
}

static void walk(const node *n, vt_buf *key, void (*fn)(const char *, size_t, void *, void *),
                 void *ctx)
{
    size_t mark = key->len;
    vt_buf_append(key, n->label, n->label_len);
    if (n->value)
        fn(key->data, key->len, n->value, ctx);
    for (size_t i = 0; i < n->nkids; i++)
        walk(n->kids[i], key, fn, ctx);
    key->len = mark;
    key->data[mark] = '\0';
}

void vt_trie_walk(const vt_trie *t, void (*fn)(const char *, size_t, void *, void *), void *ctx)
{
    vt_buf key;
    vt_buf_init(&key);
    vt_buf_reserve(&key, 64);
    walk(&t->root, &key, fn, ctx);
    vt_buf_free(&key);
}

static size_t count(const node *n)
{
    size_t c = n->value ? 1 : 0;
    for (size_t i = 0; i < n->nkids; i++)
        c += count(n->kids[i]);
    return c;
}

size_t vt_trie_size(const vt_trie *t)
{
    return count(&t->root);
}
