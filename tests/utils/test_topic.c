#include <stdlib.h>
#include <string.h>

#include <volttron/utils/topic.h>

#include "testutil.h"

static void normalized_is(const char *in, const char *want)
{
    char *got = vt_topic_normalize(in);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(test_normalize)
{
    normalized_is("devices/campus/bldg/dev/all", "devices/campus/bldg/dev/all");
    normalized_is("/devices//campus/bldg/", "devices/campus/bldg");
    normalized_is("///", "");
    normalized_is("", "");
    normalized_is(NULL, "");
}
END_TEST

START_TEST(test_join)
{
    const char *parts[] = {"devices", "/campus/", "", "bldg//dev", NULL, "all"};
    char *t = vt_topic_join(parts, 6);
    ck_assert_str_eq(t, "devices/campus/bldg/dev/all");
    free(t);
    t = vt_topic_join2("heartbeat/", "/listener");
    ck_assert_str_eq(t, "heartbeat/listener");
    free(t);
    t = vt_topic_join(parts, 0);
    ck_assert_str_eq(t, "");
    free(t);
}
END_TEST

START_TEST(test_split)
{
    size_t n;
    char **parts = vt_topic_split("/devices/campus//bldg/dev/all/", &n);
    ck_assert_uint_eq(n, 5);
    ck_assert_str_eq(parts[0], "devices");
    ck_assert_str_eq(parts[2], "bldg");
    ck_assert_str_eq(parts[4], "all");
    ck_assert_ptr_null(parts[5]);
    free(parts);
    parts = vt_topic_split("", &n);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(parts[0]);
    free(parts);
}
END_TEST

START_TEST(test_prefix_is_bytewise)
{
    /* VIP pubsub semantics: no separator awareness. */
    ck_assert(vt_topic_has_prefix("devices/ab/x", "devices/a"));
    ck_assert(vt_topic_has_prefix("devices/a", "devices/a"));
    ck_assert(vt_topic_has_prefix("anything", ""));
    ck_assert(!vt_topic_has_prefix("devices", "devices/"));
    ck_assert(!vt_topic_has_prefix("Devices/x", "devices"));
}
END_TEST

START_TEST(test_is_under)
{
    ck_assert(vt_topic_is_under("devices/a/x", "devices/a"));
    ck_assert(vt_topic_is_under("devices/a", "devices/a/"));
    ck_assert(!vt_topic_is_under("devices/ab/x", "devices/a"));
    ck_assert(vt_topic_is_under("x", ""));
}
END_TEST

START_TEST(test_valid)
{
    ck_assert(vt_topic_is_valid("devices/campus/bldg/dev/all"));
    ck_assert(!vt_topic_is_valid(""));
    ck_assert(!vt_topic_is_valid(NULL));
    ck_assert(!vt_topic_is_valid("bad\ttopic"));
    ck_assert(!vt_topic_is_valid("caf\xc3\xa9"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("topic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_normalize);
    tcase_add_test(tc, test_join);
    tcase_add_test(tc, test_split);
    tcase_add_test(tc, test_prefix_is_bytewise);
    tcase_add_test(tc, test_is_under);
    tcase_add_test(tc, test_valid);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
