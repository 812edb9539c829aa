#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/mem.h>

#include "testutil.h"

START_TEST(test_append_and_detach)
{
    vt_buf b;
    vt_buf_init(&b);
    vt_buf_append_str(&b, "abc");
    vt_buf_append_char(&b, '-');
    vt_buf_appendf(&b, "%d/%s", 42, "x");
    vt_buf_append(&b, "\0z", 2);
    ck_assert_uint_eq(b.len, 10);
    ck_assert_mem_eq(b.data, "abc-42/x\0z", 10);
    ck_assert_int_eq(b.data[b.len], '\0');
    size_t len;
    char *s = vt_buf_detach(&b, &len);
    ck_assert_uint_eq(len, 10);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    free(s);
}
END_TEST

START_TEST(test_growth_and_clear)
{
    vt_buf b;
    vt_buf_init(&b);
    for (int i = 0; i < 10000; i++)
        vt_buf_appendf(&b, "%04d", i % 10000);
    ck_assert_uint_eq(b.len, 40000);
    ck_assert_mem_eq(b.data + 4 * 9999, "9999", 4);
    vt_buf_clear(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_str_eq(b.data, "");
    ck_assert_uint_ge(b.cap, 40000);
    vt_buf_free(&b);
    ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_detach_empty)
{
    vt_buf b;
    vt_buf_init(&b);
    char *s = vt_buf_detach(&b, NULL);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

START_TEST(test_mem_helpers)
{
    char *a = vt_asprintf("%s=%d", "n", 5);
    ck_assert_str_eq(a, "n=5");
    char *b = vt_strndup("abcdef", 3);
    ck_assert_str_eq(b, "abc");
    char *c = vt_strndup("ab", 10);
    ck_assert_str_eq(c, "ab");
    free(c);
    vt_freep(&a);
    ck_assert_ptr_null(a);
    vt_freep(&b);
    vt_freep(&b); /* second free of a cleared pointer is harmless */
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_append_and_detach);
    tcase_add_test(tc, test_growth_and_clear);
    tcase_add_test(tc, test_detach_empty);
    tcase_add_test(tc, test_mem_helpers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
