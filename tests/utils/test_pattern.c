#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/json.h>
#include <volttron/utils/pattern.h>

#include "testutil.h"

START_TEST(test_match)
{
    ck_assert(vt_pattern_match(NULL, "anything"));
    ck_assert(!vt_pattern_match("vip", NULL));
    ck_assert(vt_pattern_match("vip", "vip"));
    ck_assert(!vt_pattern_match("vip", "vipx"));
    ck_assert(vt_pattern_match("/.*/", "x"));
    ck_assert(vt_pattern_match("/.*/", ""));
    ck_assert(vt_pattern_match("/127\\.0\\.0\\.[0-9]+/", "127.0.0.1"));
    ck_assert(!vt_pattern_match("/127\\.0\\.0\\.[0-9]+/", "127.0.0.1x"));
    /* anchored around the whole alternation */
    ck_assert(!vt_pattern_match("/a|b/", "ab"));
    ck_assert(vt_pattern_match("/a|b/", "b"));
    ck_assert(!vt_pattern_match("/[/", "x")); /* a broken pattern matches nothing */
    /* one slash is a plain value, not an empty expression */
    ck_assert(!vt_pattern_is_regex("/"));
    ck_assert(vt_pattern_match("/", "/"));
    ck_assert(vt_pattern_is_regex("//"));
    ck_assert(vt_pattern_match("//", ""));
}
END_TEST

static void repr_is(const char *json, const char *want)
{
    cJSON *v = vt_json_parse(json, strlen(json), 0, NULL, NULL);
    ck_assert_ptr_nonnull(v);
    vt_buf b;
    vt_buf_init(&b);
    vt_json_repr_python(&b, v);
    ck_assert_str_eq(b.data, want);
    vt_buf_free(&b);
    cJSON_Delete(v);
}

START_TEST(test_repr_python)
{
    repr_is("{\"edit_config_store\": {\"identity\": \"/.*/\"}, \"x\": null}",
            "{'edit_config_store': {'identity': '/.*/'}, 'x': None}");
    repr_is("[true, false, 1, 1.5, 2.0]", "[True, False, 1, 1.5, 2.0]");
    repr_is("\"it's\"", "\"it's\"");
    repr_is("\"both ' and \\\"\"", "'both \\' and \"'");
    repr_is("\"a\\\\b\\nc\\u0001\"", "'a\\\\b\\nc\\x01'");
    repr_is("\"caf\\u00e9\"", "'caf\xc3\xa9'");
    repr_is("{}", "{}");
    repr_is("[]", "[]");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pattern");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_match);
    tcase_add_test(tc, test_repr_python);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
