#include <string.h>

#include "json_scan.h"
#include "testutil.h"

static int scan(const char *text, vt_pub_scan *out)
{
    return vt_json_scan_object(text, strlen(text), out);
}

START_TEST(test_publish_body_keys)
{
    vt_pub_scan s;
    ck_assert_int_eq(scan("{\"bus\": \"\", \"headers\": {\"a\": [1, 2.5e3, null]}, \"message\": "
                          "[{\"x\": NaN}, -Infinity]}",
                          &s),
                     0);
    ck_assert(s.has_bus && s.has_headers && s.has_message && !s.has_sender);
    ck_assert(s.bus_is_string && !s.bus_escaped);
    ck_assert_uint_eq(s.bus_len, 0);
    ck_assert_int_eq(scan("  {\"message\": 1, \"headers\": {}, \"bus\": \"b2\", \"sender\": "
                          "\"spoof\"}  ",
                          &s),
                     0);
    ck_assert(s.has_sender);
    ck_assert_uint_eq(s.open, 2);
    ck_assert_uint_eq(s.bus_len, 2);
    ck_assert(memcmp(s.bus, "b2", 2) == 0);
    ck_assert_int_eq(scan("{\"b\\u0075s\": \"x\", \"headers\": {}, \"message\": 1}", &s), 0);
    ck_assert(s.keys_escaped && !s.has_bus);
    ck_assert_int_eq(scan("{\"bus\": null, \"headers\": {}, \"message\": 1}", &s), 0);
    ck_assert(s.has_bus && !s.bus_is_string);
    ck_assert_int_eq(scan("{}", &s), 0);
    ck_assert(!s.has_headers);
}
END_TEST

/* Found by fuzzing (tests/fuzz/fuzz_json_scan.c): with "bus" written twice
 * the scanner reported the first value, while subscribers (and VOLTTRON's
 * router) read the last, so a publish was routed on another bus than the
 * one its body names. */
START_TEST(test_repeated_bus_last_wins)
{
    vt_pub_scan s;
    ck_assert_int_eq(scan("{\"bus\": \"\", \"headers\": {}, \"message\": 1, \"bus\": false}", &s),
                     0);
    ck_assert(s.has_bus && !s.bus_is_string);
    ck_assert_int_eq(scan("{\"bus\": \"a\\u0062\", \"headers\": {}, \"message\": 1, "
                          "\"bus\": \"other\"}",
                          &s),
                     0);
    ck_assert(s.bus_is_string && !s.bus_escaped);
    ck_assert_uint_eq(s.bus_len, 5);
    ck_assert(memcmp(s.bus, "other", 5) == 0);
}
END_TEST

START_TEST(test_rejects_what_is_not_an_object)
{
    vt_pub_scan s;
    const char *bad[] = {
        "",
        "[]",
        "\"text\"",
        "42",
        "{",
        "{\"a\": }",
        "{\"a\" 1}",
        "{\"a\": 1,}",
        "{\"a\": [1 2]}",
        "{\"a\": \"\\q\"}",
        "{\"a\": \"\\u12\"}",
        "{\"a\": \"line\nbreak\"}",
        "{\"a\": tru}",
        "{\"a\": 01}",
        "{\"a\": 1.}",
        "{\"a\": 1e}",
        "{\"a\": 1} x",
        "{\"a\": -}",
        "{1: 2}",
        "plain text",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(scan(bad[i], &s) < 0, "accepted %s", bad[i]);
    /* nesting limit */
    char deep[700];
    size_t n = 0;
    deep[n++] = '{';
    deep[n++] = '"';
    deep[n++] = 'a';
    deep[n++] = '"';
    deep[n++] = ':';
    for (int i = 0; i < 300; i++)
        deep[n++] = '[';
    for (int i = 0; i < 300; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    ck_assert_int_lt(vt_json_scan_object(deep, n, &s), 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("json_scan");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_publish_body_keys);
    tcase_add_test(tc, test_repeated_bus_last_wins);
    tcase_add_test(tc, test_rejects_what_is_not_an_object);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
