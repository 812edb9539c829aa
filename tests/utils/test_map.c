#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/map.h>
#include <volttron/utils/mem.h>

#include "testutil.h"

static int freed;

static void count_free(void *v)
{
    freed++;
    free(v);
}

START_TEST(test_set_get_replace_remove)
{
    freed = 0;
    vt_map *m = vt_map_new(count_free);
    vt_map_set(m, "control", vt_strdup("a"));
    vt_map_set(m, "config.store", vt_strdup("b"));
    ck_assert_uint_eq(vt_map_size(m), 2);
    ck_assert_str_eq(vt_map_get(m, "control"), "a");
    ck_assert(vt_map_contains(m, "config.store"));
    ck_assert_ptr_null(vt_map_get(m, "nope"));
    vt_map_set(m, "control", vt_strdup("c")); /* replaces, frees "a" */
    ck_assert_int_eq(freed, 1);
    ck_assert_str_eq(vt_map_get(m, "control"), "c");
    ck_assert(vt_map_remove(m, "control"));
    ck_assert_int_eq(freed, 2);
    ck_assert(!vt_map_remove(m, "control"));
    char *b = vt_map_take(m, "config.store");
    ck_assert_str_eq(b, "b");
    ck_assert_int_eq(freed, 2);
    free(b);
    ck_assert_uint_eq(vt_map_size(m), 0);
    vt_map_set(m, "x", vt_strdup("x"));
    vt_map_destroy(&m);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(freed, 3);
}
END_TEST

START_TEST(test_binary_keys)
{
    vt_map *m = vt_map_new(NULL);
    int one = 1, two = 2;
    vt_map_setn(m, "ab\0c", 4, &one);
    vt_map_setn(m, "ab", 2, &two);
    ck_assert_ptr_eq(vt_map_getn(m, "ab\0c", 4), &one);
    ck_assert_ptr_eq(vt_map_getn(m, "ab", 2), &two);
    ck_assert_ptr_eq(vt_map_get(m, "ab"), &two);
    ck_assert(vt_map_removen(m, "ab\0c", 4));
    ck_assert_ptr_null(vt_map_getn(m, "ab\0c", 4));
    vt_map_destroy(&m);
}
END_TEST

START_TEST(test_many_with_churn)
{
    /* Enough entries to grow many times, removals interleaved, so probe runs
     * and backward shifts are exercised; every lookup is checked against a
     * plain array model. */
    enum {
        N = 20000
    };
    static int present[N];
    memset(present, 0, sizeof present);
    vt_map *m = vt_map_new(NULL);
    char key[32];
    unsigned seed = 12345;
    for (int round = 0; round < 4 * N; round++) {
        seed = seed * 1103515245u + 12345u;
        int k = (int)((seed >> 8) % N);
        snprintf(key, sizeof key, "agent-%d", k);
        if ((seed >> 4) & 1) {
            vt_map_set(m, key, (void *)(intptr_t)(k + 1));
            present[k] = 1;
        } else {
            ck_assert(vt_map_remove(m, key) == (bool)present[k]);
            present[k] = 0;
        }
    }
    size_t expected = 0;
    for (int k = 0; k < N; k++) {
        snprintf(key, sizeof key, "agent-%d", k);
        void *v = vt_map_get(m, key);
        if (present[k]) {
            ck_assert_ptr_eq(v, (void *)(intptr_t)(k + 1));
            expected++;
        } else {
            ck_assert_ptr_null(v);
        }
    }
    ck_assert_uint_eq(vt_map_size(m), expected);
    size_t cursor = 0, seen = 0;
    const char *k;
    void *v;
    while (vt_map_next(m, &cursor, &k, &v)) {
        ck_assert_int_eq(atoi(k + 6) + 1, (int)(intptr_t)v);
        seen++;
    }
    ck_assert_uint_eq(seen, expected);
    vt_map_clear(m);
    ck_assert_uint_eq(vt_map_size(m), 0);
    vt_map_destroy(&m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("map");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_set_get_replace_remove);
    tcase_add_test(tc, test_binary_keys);
    tcase_add_test(tc, test_many_with_churn);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
