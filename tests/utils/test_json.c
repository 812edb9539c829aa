#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/error.h>
#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>

#include "testutil.h"

static cJSON *parse(const char *text, unsigned flags)
{
    cJSON *v = vt_json_parse(text, strlen(text), flags, NULL, NULL);
    ck_assert_msg(v != NULL, "%s: %s", text, vt_last_error());
    return v;
}

static void dump_is(const cJSON *v, unsigned flags, const char *want)
{
    char *got = vt_json_dump(v, flags);
    ck_assert_str_eq(got, want);
    free(got);
}

/* Parse then dump with Python's default separators. */
static void roundtrip_is(const char *text, const char *want)
{
    cJSON *v = parse(text, 0);
    dump_is(v, 0, want);
    cJSON_Delete(v);
}

START_TEST(test_python_nonfinite_tokens)
{
    cJSON *v = parse("[NaN, Infinity, -Infinity, 1]", 0);
    ck_assert(isnan(cJSON_GetArrayItem(v, 0)->valuedouble));
    ck_assert(isinf(cJSON_GetArrayItem(v, 1)->valuedouble));
    ck_assert(cJSON_GetArrayItem(v, 2)->valuedouble < 0);
    dump_is(v, 0, "[NaN, Infinity, -Infinity, 1]");
    cJSON_Delete(v);
}
END_TEST

START_TEST(test_python_separators_and_compact)
{
    const char *text = "{\"a\": [1, 2.0, \"x\", null, true, false], \"b\": {}, \"c\": []}";
    cJSON *v = parse(text, 0);
    dump_is(v, 0, text);
    dump_is(v, VT_JSON_COMPACT, "{\"a\":[1,2.0,\"x\",null,true,false],\"b\":{},\"c\":[]}");
    cJSON_Delete(v);
}
END_TEST

START_TEST(test_indent_like_python)
{
    cJSON *v = parse("{\"a\": [1, {\"x\": []}], \"b\": {}}", 0);
    dump_is(v, VT_JSON_INDENT(2),
            "{\n  \"a\": [\n    1,\n    {\n      \"x\": []\n    }\n  ],\n  \"b\": {}\n}");
    cJSON_Delete(v);
}
END_TEST

START_TEST(test_float_repr_matches_python)
{
    /* Expected strings are Python 3's json.dumps of the same values. */
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"0.1", "0.1"},
        {"1.5", "1.5"},
        {"72.0", "72.0"},
        {"-0.0", "-0.0"},
        {"1e16", "1e+16"},
        {"1e15", "1000000000000000.0"},
        {"123456789.123", "123456789.123"},
        {"0.0001", "0.0001"},
        {"0.00001", "1e-05"},
        {"1.5e-7", "1.5e-07"},
        {"2.5e300", "2.5e+300"},
        {"5e-324", "5e-324"},
        {"1.7976931348623157e308", "1.7976931348623157e+308"},
        {"0.30000000000000004", "0.30000000000000004"},
        {"100.0", "100.0"},
        {"1234567890123456.0", "1234567890123456.0"},
        {"12345678901234567.0", "1.2345678901234568e+16"},
        {"-3.25", "-3.25"},
        {"3E2", "300.0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        roundtrip_is(cases[i].in, cases[i].out);
}
END_TEST

START_TEST(test_int_float_distinction)
{
    roundtrip_is("[1, 1.0, -7, 0, 9007199254740992]", "[1, 1.0, -7, 0, 9007199254740992]");
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(72));
    cJSON_AddItemToArray(arr, vt_json_new_float(72));
    ck_assert(!vt_json_is_float(cJSON_GetArrayItem(arr, 0)));
    ck_assert(vt_json_is_float(cJSON_GetArrayItem(arr, 1)));
    dump_is(arr, 0, "[72, 72.0]");
    /* The marker survives cJSON_Duplicate. */
    cJSON *copy = cJSON_Duplicate(arr, 1);
    dump_is(copy, 0, "[72, 72.0]");
    cJSON_Delete(copy);
    cJSON_Delete(arr);
}
END_TEST

START_TEST(test_non_ascii_escaped)
{
    /* é, snowman and an astral character, sent as raw UTF-8 ... */
    roundtrip_is("\"\xc3\xa9\xe2\x98\x83\xf0\x9f\x98\x80\"", "\"\\u00e9\\u2603\\ud83d\\ude00\"");
    /* ... and as escapes, which decode to UTF-8 in the tree. */
    cJSON *v = parse("\"\\u00e9\\ud83d\\ude00\"", 0);
    ck_assert_str_eq(v->valuestring, "\xc3\xa9\xf0\x9f\x98\x80");
    cJSON_Delete(v);
    /* A byte that is not UTF-8 is what a latin-1 reader would see. */
    cJSON *s = cJSON_CreateString("caf\xe9");
    dump_is(s, 0, "\"caf\\u00e9\"");
    cJSON_Delete(s);
    /* Control characters and quotes. */
    cJSON *c = cJSON_CreateString("a\"b\\c\n\t\x01\x7f");
    dump_is(c, 0, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\"");
    cJSON_Delete(c);
}
END_TEST

START_TEST(test_duplicate_keys_last_wins)
{
    cJSON *v = parse("{\"a\": 1, \"b\": 2, \"a\": 3, \"c\": 4, \"c\": 5}", 0);
    ck_assert_int_eq(cJSON_GetArraySize(v), 3);
    ck_assert_int_eq(cJSON_GetObjectItem(v, "a")->valueint, 3);
    ck_assert_int_eq(cJSON_GetObjectItem(v, "c")->valueint, 5);
    dump_is(v, 0, "{\"a\": 3, \"b\": 2, \"c\": 5}");
    cJSON_Delete(v);
}
END_TEST

START_TEST(test_comments)
{
    const char *text = "# leading comment\n{\n  // line comment\n  \"a\": 1, /* block\n */ "
                       "\"b\": \"# not a comment // either\"\n}\n";
    cJSON *v = parse(text, VT_JSON_COMMENTS);
    ck_assert_int_eq(cJSON_GetObjectItem(v, "a")->valueint, 1);
    ck_assert_str_eq(cJSON_GetObjectItem(v, "b")->valuestring, "# not a comment // either");
    cJSON_Delete(v);
    ck_assert_ptr_null(vt_json_parse(text, strlen(text), 0, NULL, NULL));
    ck_assert_ptr_null(vt_json_parse("{} /* open", 10, VT_JSON_COMMENTS, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "unterminated comment"));
}
END_TEST

static void expect_error(const char *text, unsigned flags, int line, int col, const char *msg)
{
    vt_json_error err;
    cJSON *v = vt_json_parse(text, strlen(text), flags, "x.json", &err);
    ck_assert_msg(v == NULL, "accepted: %s", text);
    ck_assert_int_eq(err.line, line);
    ck_assert_int_eq(err.column, col);
    ck_assert_msg(strstr(err.message, msg) != NULL, "%s: %s", text, err.message);
    char want[64];
    snprintf(want, sizeof want, "x.json:%d:%d: ", line, col);
    ck_assert_msg(strncmp(vt_last_error(), want, strlen(want)) == 0, "%s", vt_last_error());
}

START_TEST(test_errors_with_position)
{
    expect_error("", 0, 1, 1, "unexpected end of input");
    expect_error("{\"a\": 1,\n \"b\" 2}", 0, 2, 6, "expected ':'");
    expect_error("{\"a\": [1, 2}", 0, 1, 12, "expected ',' or ']'");
    expect_error("{\"a\": 1", 0, 1, 8, "expected ',' or '}'");
    expect_error("[1, 2] x", 0, 1, 8, "extra data");
    expect_error("\"abc", 0, 1, 1, "unterminated string");
    expect_error("\"a\\qb\"", 0, 1, 3, "invalid escape");
    expect_error("\"\\u12g4\"", 0, 1, 2, "invalid \\u escape");
    expect_error("\"a\tb\"", 0, 1, 3, "control character");
    expect_error("[01]", 0, 1, 3, "expected ',' or ']'");
    expect_error("[1.]", 0, 1, 2, "digits expected after '.'");
    expect_error("[1e]", 0, 1, 2, "exponent");
    expect_error("[-]", 0, 1, 2, "invalid number");
    expect_error("[nul]", 0, 1, 2, "expected a JSON value");
    expect_error("{1: 2}", 0, 1, 2, "expected a string key");
    expect_error("\"\\u0000\"", 0, 1, 2, "\\u0000");
    expect_error("42", VT_JSON_CONTAINER, 1, 1, "object or an array");
}
END_TEST

START_TEST(test_depth_limit)
{
    char deep[1200];
    memset(deep, '[', 600);
    memset(deep + 600, ']', 600);
    ck_assert_ptr_null(vt_json_parse(deep, sizeof deep, 0, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "nesting too deep"));
    /* 200 levels are fine. */
    cJSON *ok = vt_json_parse(deep + 400, 400, 0, NULL, NULL);
    ck_assert_ptr_nonnull(ok);
    cJSON_Delete(ok);
}
END_TEST

START_TEST(test_not_nul_terminated)
{
    /* Only len bytes are read: the frame buffers from ZeroMQ are not strings. */
    const char buf[] = {'[', '1', ']', 'x', 'x'};
    cJSON *v = vt_json_parse(buf, 3, 0, NULL, NULL);
    ck_assert_ptr_nonnull(v);
    cJSON_Delete(v);
    ck_assert_ptr_null(vt_json_parse(buf, 2, 0, NULL, NULL));
}
END_TEST

START_TEST(test_typed_getters)
{
    cJSON *cfg = parse("{\"interval\": \"5\", \"count\": 3, \"ratio\": 0.5, \"on\": true,"
                       " \"name\": \"dev\", \"obj\": {}, \"list\": [], \"none\": null,"
                       " \"frac\": 2.5}",
                       0);
    double d;
    int64_t i;
    bool b;
    const char *s;
    const cJSON *node;

    ck_assert_int_eq(vt_json_get_number(cfg, "interval", &d, "config"), -EINVAL);
    ck_assert_str_eq(vt_last_error(), "config key \"interval\" must be a number, got a string");
    ck_assert_int_eq(vt_json_get_number(cfg, "ratio", &d, "config"), 0);
    ck_assert(d == 0.5);
    ck_assert_int_eq(vt_json_get_int(cfg, "count", &i, NULL), 0);
    ck_assert_int_eq(i, 3);
    ck_assert_int_eq(vt_json_get_int(cfg, "frac", &i, NULL), -EINVAL);
    ck_assert_str_eq(vt_last_error(), "key \"frac\" must be an integer, got 2.5");
    ck_assert_int_eq(vt_json_get_bool(cfg, "on", &b, NULL), 0);
    ck_assert(b);
    ck_assert_int_eq(vt_json_get_bool(cfg, "count", &b, NULL), -EINVAL);
    ck_assert_str_eq(vt_last_error(), "key \"count\" must be a boolean, got a number");
    ck_assert_int_eq(vt_json_get_string(cfg, "name", &s, NULL), 0);
    ck_assert_str_eq(s, "dev");
    ck_assert_int_eq(vt_json_get_object(cfg, "obj", &node, NULL), 0);
    ck_assert_int_eq(vt_json_get_object(cfg, "list", &node, "device x"), -EINVAL);
    ck_assert_str_eq(vt_last_error(), "device x key \"list\" must be an object, got an array");
    ck_assert_int_eq(vt_json_get_array(cfg, "list", &node, NULL), 0);
    ck_assert_int_eq(vt_json_get_string(cfg, "missing", &s, "config"), -ENOENT);
    ck_assert_str_eq(vt_last_error(), "config key \"missing\" is missing");
    ck_assert_int_eq(vt_json_get_string(cfg, "none", &s, NULL), -ENOENT);

    ck_assert_int_eq(vt_json_opt_number(cfg, "missing", 7.5, &d, NULL), 0);
    ck_assert(d == 7.5);
    ck_assert_int_eq(vt_json_opt_int(cfg, "none", 9, &i, NULL), 0);
    ck_assert_int_eq(i, 9);
    ck_assert_int_eq(vt_json_opt_bool(cfg, "missing", true, &b, NULL), 0);
    ck_assert(b);
    ck_assert_int_eq(vt_json_opt_string(cfg, "missing", "dflt", &s, NULL), 0);
    ck_assert_str_eq(s, "dflt");
    ck_assert_int_eq(vt_json_opt_string(cfg, "count", "dflt", &s, "config"), -EINVAL);
    ck_assert_int_eq(vt_json_opt_int(cfg, "name", 0, &i, NULL), -EINVAL);
    /* Not an object at all. */
    ck_assert_int_eq(vt_json_get_number(cJSON_GetObjectItem(cfg, "list"), "x", &d, NULL), -ENOENT);
    cJSON_Delete(cfg);
}
END_TEST

START_TEST(test_type_names)
{
    ck_assert_str_eq(vt_json_type_name(NULL), "missing");
    cJSON *v = parse("[null, true, 1, \"s\", [], {}]", 0);
    const char *want[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
    for (int i = 0; i < 6; i++)
        ck_assert_str_eq(vt_json_type_name(cJSON_GetArrayItem(v, i)), want[i]);
    cJSON_Delete(v);
}
END_TEST

START_TEST(test_vector_publish_payload)
{
    /* A publish body as a stock 9.0.4 agent sends it (vip-wire spec §3.8):
     * parsing and dumping with Python separators reproduces it exactly. */
    const char *text =
        "{\"bus\": \"\", \"headers\": {\"Date\": \"2024-05-01T12:00:00.000000+00:00\", "
        "\"min_compatible_version\": \"3.0\", \"max_compatible_version\": \"\"}, "
        "\"message\": [{\"temp\": 71.5}, {\"temp\": {\"units\": \"F\", \"type\": \"float\"}}]}";
    roundtrip_is(text, text);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_python_nonfinite_tokens);
    tcase_add_test(tc, test_python_separators_and_compact);
    tcase_add_test(tc, test_indent_like_python);
    tcase_add_test(tc, test_float_repr_matches_python);
    tcase_add_test(tc, test_int_float_distinction);
    tcase_add_test(tc, test_non_ascii_escaped);
    tcase_add_test(tc, test_duplicate_keys_last_wins);
    tcase_add_test(tc, test_comments);
    tcase_add_test(tc, test_errors_with_position);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_not_nul_terminated);
    tcase_add_test(tc, test_typed_getters);
    tcase_add_test(tc, test_type_names);
    tcase_add_test(tc, test_vector_publish_payload);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
