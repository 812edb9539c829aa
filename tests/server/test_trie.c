#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "trie.h"

typedef struct hits {
    int n;
    const char *seen[64];
} hits;

static void hit(void *value, void *ctx)
{
    hits *h = ctx;
    h->seen[h->n++] = value;
}

static hits match(vt_trie *t, const char *topic)
{
    hits h = {0};
    vt_trie_match(t, topic, strlen(topic), hit, &h);
    return h;
}

static void put(vt_trie *t, const char *key)
{
    *vt_trie_slot(t, key, strlen(key)) = (void *)key;
}

START_TEST(test_prefix_matches_bytewise)
{
    vt_trie *t = vt_trie_new();
    const char *keys[] = {"",           "devices",     "devices/", "devices/a",
                          "devices/ab", "devices/b/x", "heartbeat"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        put(t, keys[i]);
    hits h = match(t, "devices/ab/x");
    ck_assert_int_eq(h.n, 5); /* "", devices, devices/, devices/a, devices/ab */
    ck_assert_str_eq(h.seen[0], "");
    ck_assert_str_eq(h.seen[4], "devices/ab");
    h = match(t, "devices/b");
    ck_assert_int_eq(h.n, 3);
    h = match(t, "heart");
    ck_assert_int_eq(h.n, 1);
    h = match(t, "");
    ck_assert_int_eq(h.n, 1);
    ck_assert_uint_eq(vt_trie_size(t), 7);
    vt_trie_destroy(&t, NULL);
}
END_TEST

START_TEST(test_remove_prunes_and_keeps_others)
{
    vt_trie *t = vt_trie_new();
    put(t, "abc");
    put(t, "abd");
    put(t, "ab");
    put(t, "abcdef");
    vt_trie_remove(t, "ab", 2);
    ck_assert_ptr_null(vt_trie_get(t, "ab", 2));
    ck_assert_ptr_nonnull(vt_trie_get(t, "abc", 3));
    ck_assert_int_eq(match(t, "abcdefg").n, 2);
    vt_trie_remove(t, "abc", 3);
    ck_assert_int_eq(match(t, "abcdefg").n, 1);
    vt_trie_remove(t, "abcdef", 6);
    vt_trie_remove(t, "nothere", 7);
    ck_assert_uint_eq(vt_trie_size(t), 1);
    ck_assert_ptr_nonnull(vt_trie_get(t, "abd", 3));
    vt_trie_remove(t, "abd", 3);
    ck_assert_uint_eq(vt_trie_size(t), 0);
    ck_assert_int_eq(match(t, "abd").n, 0);
    vt_trie_destroy(&t, NULL);
}
END_TEST

static void collect_key(const char *key, size_t len, void *value, void *ctx)
{
    (void)value;
    char *out = ctx;
    strncat(out, key, len);
    strcat(out, "|");
}

START_TEST(test_walk_in_order)
{
    vt_trie *t = vt_trie_new();
    put(t, "b");
    put(t, "a/x");
    put(t, "a");
    put(t, "a/y");
    char out[128] = "";
    vt_trie_walk(t, collect_key, out);
    ck_assert_str_eq(out, "a|a/x|a/y|b|");
    vt_trie_destroy(&t, NULL);
}
END_TEST

START_TEST(test_many_against_a_model)
{
    /* Thousands of random prefixes: every match equals a linear scan. */
    enum {
        KEYS = 3000,
        TOPICS = 2000
    };
    static char keys[KEYS][24];
    vt_trie *t = vt_trie_new();
    unsigned seed = 7;
    const char alphabet[] = "ab/c";
    for (int i = 0; i < KEYS; i++) {
        int len = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
        for (int k = 0; k < len; k++)
            keys[i][k] = alphabet[((seed = seed * 1103515245u + 12345u) >> 16) % 4];
        keys[i][len] = '\0';
        *vt_trie_slot(t, keys[i], (size_t)len) = keys[i];
    }
    for (int i = 0; i < KEYS; i += 3)
        vt_trie_remove(t, keys[i], strlen(keys[i]));
    /* the model: the distinct keys still stored */
    static const char *present[KEYS];
    int npresent = 0;
    for (int i = 0; i < KEYS; i++) {
        bool removed = false, dup = false;
        for (int j = 0; j < KEYS && !removed; j += 3)
            removed = strcmp(keys[j], keys[i]) == 0;
        for (int j = 0; j < npresent && !dup; j++)
            dup = strcmp(present[j], keys[i]) == 0;
        if (!removed && !dup)
            present[npresent++] = keys[i];
    }
    ck_assert_uint_eq(vt_trie_size(t), (size_t)npresent);
    for (int n = 0; n < TOPICS; n++) {
        char topic[24];
        int len = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 16;
        for (int k = 0; k < len; k++)
            topic[k] = alphabet[((seed = seed * 1103515245u + 12345u) >> 16) % 4];
        topic[len] = '\0';
        int expected = 0;
        for (int i = 0; i < npresent; i++)
            if (strncmp(topic, present[i], strlen(present[i])) == 0)
                expected++;
        ck_assert_int_eq(match(t, topic).n, expected);
    }
    vt_trie_destroy(&t, NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("trie");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_prefix_matches_bytewise);
    tcase_add_test(tc, test_remove_prunes_and_keeps_others);
    tcase_add_test(tc, test_walk_in_order);
    tcase_add_test(tc, test_many_against_a_model);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
