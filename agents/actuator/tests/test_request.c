/* Reading schedule requests (with VOLTTRON's error texts), the Python-like
 * renderings, and RPC argument binding. The test runs with
 * a fixed POSIX zone (Pacific time rules, no tzdata needed) for naive times. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <volttron/utils/utils.h>

#include "args.h"
#include "pytext.h"
#include "request.h"

static cJSON *J(const char *text)
{
    cJSON *j = vt_json_parse(text, strlen(text), 0, NULL, NULL);
    ck_assert_msg(j != NULL, "bad test JSON %s", text);
    return j;
}

/* Parse and expect this error (NULL: success; then the count). */
static void parse_expect(const char *json, const char *error, size_t count)
{
    cJSON *j = json ? J(json) : NULL;
    act_slot_req *r = NULL;
    size_t n = 99;
    char *err = NULL;
    int rc = act_requests_parse(j, &r, &n, &err);
    if (error) {
        ck_assert_msg(rc < 0, "%s parsed", json);
        ck_assert_str_eq(err, error);
        ck_assert_ptr_null(r);
    } else {
        ck_assert_msg(rc == 0, "%s: %s", json, err);
        ck_assert_uint_eq(n, count);
    }
    free(err);
    act_requests_free(r, rc == 0 ? n : 0);
    cJSON_Delete(j);
}

START_TEST(test_forms)
{
    const char *one = "[\"/campus/bldg/dev1/\", \"2024-03-05T10:00:00+00:00\", "
                      "\"2024-03-05 11:00:00.5Z\"]";
    cJSON *j = J(one);
    act_slot_req *r;
    size_t n;
    char *err;
    ck_assert_int_eq(act_requests_parse(j, &r, &n, &err), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(r[0].device, "campus/bldg/dev1");
    ck_assert_int_eq(r[0].start.us, INT64_C(1709632800000000));
    ck_assert_int_eq(r[0].end.us - r[0].start.us, INT64_C(3600500000));
    ck_assert(r[0].start.aware && r[0].end.aware);
    act_requests_free(r, n);
    cJSON_Delete(j);
    parse_expect("[[\"a\", \"2024-03-05T10:00:00Z\", \"2024-03-05T11:00:00Z\"], "
                 "[\"b\", \"2024-03-05T10:00:00Z\", \"2024-03-05T11:00:00Z\"]]",
                 NULL, 2);
    parse_expect("[]", NULL, 0);
    parse_expect("{}", NULL, 0);
    parse_expect("\"\"", NULL, 0);
}
END_TEST

START_TEST(test_naive_times_are_local)
{
    /* 2024-03-05 is winter (standard) time on the Pacific coast: -08:00 */
    cJSON *t = cJSON_CreateString("2024-03-05 06:00:00");
    vt_timestamp ts;
    char *err = NULL;
    ck_assert_int_eq(act_time_parse(t, &ts, &err), 0);
    ck_assert(ts.aware);
    ck_assert_int_eq(ts.offset_s, -8 * 3600);
    char *s = act_py_datetime_str(&ts);
    ck_assert_str_eq(s, "2024-03-05 06:00:00-08:00");
    free(s);
    vt_timestamp utc;
    ck_assert_int_eq(vt_time_parse("2024-03-05T14:00:00+00:00", &utc), 0);
    ck_assert_int_eq(ts.us, utc.us);
    cJSON_Delete(t);
    /* summer time: -07:00 */
    t = cJSON_CreateString("2024-07-01T12:00:00.250000");
    ck_assert_int_eq(act_time_parse(t, &ts, &err), 0);
    ck_assert_int_eq(ts.offset_s, -7 * 3600);
    s = act_py_datetime_str(&ts);
    ck_assert_str_eq(s, "2024-07-01 12:00:00.250000-07:00");
    free(s);
    cJSON_Delete(t);
}
END_TEST

START_TEST(test_errors_as_python_raises_them)
{
    parse_expect(NULL, "TypeError: 'NoneType' object is not iterable", 0);
    parse_expect("null", "TypeError: 'NoneType' object is not iterable", 0);
    parse_expect("0", "TypeError: 'int' object is not iterable", 0);
    parse_expect("5", "TypeError: 'int' object is not subscriptable", 0);
    parse_expect("{\"a\": 1}", "KeyError: 0", 0);
    parse_expect("[[\"a\", \"2024-03-05T10:00:00Z\"]]",
                 "ValueError: not enough values to unpack (expected 3, got 2)", 0);
    parse_expect("[\"a\", \"2024-03-05T10:00:00Z\", \"2024-03-05T10:00:00Z\", \"x\"]",
                 "ValueError: too many values to unpack (expected 3)", 0);
    parse_expect("[7]", "TypeError: cannot unpack non-iterable int object", 0);
    parse_expect("[null]", "TypeError: cannot unpack non-iterable NoneType object", 0);
    parse_expect("[[\"a\", \"garbage\", \"2024-03-05T10:00:00Z\"]]",
                 "ParserError: Unknown string format: garbage", 0);
    parse_expect("[[\"a\", \"2024-03-05T10:00:00Z\", \"\"]]",
                 "ParserError: String does not contain a date: ", 0);
    parse_expect("[[\"a\", 1709632800, \"2024-03-05T10:00:00Z\"]]",
                 "TypeError: object of type 'int' has no len()", 0);
    parse_expect("[[\"a\", [1], \"2024-03-05T10:00:00Z\"]]",
                 "TypeError: Parser must be a string or character stream, not list", 0);
    /* the first bad slot decides */
    parse_expect("[[\"a\", \"2024-03-05T10:00:00Z\", \"2024-03-05T11:00:00Z\"], [\"b\"], 7]",
                 "ValueError: not enough values to unpack (expected 3, got 1)", 0);
    /* a three-character string is unpacked character by character */
    parse_expect("\"abc\"", "ParserError: Unknown string format: b", 0);
}
END_TEST

START_TEST(test_device_not_a_string_is_kept_for_the_scheduler)
{
    cJSON *j = J("[[5, \"2024-03-05T10:00:00Z\", \"2024-03-05T11:00:00Z\"]]");
    act_slot_req *r;
    size_t n;
    char *err;
    ck_assert_int_eq(act_requests_parse(j, &r, &n, &err), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_ptr_null(r[0].device);
    act_requests_free(r, n);
    cJSON_Delete(j);
}
END_TEST

START_TEST(test_unwrap)
{
    char *err = NULL;
    cJSON *j = J("[[[\"d\", \"s\", \"e\"]]]");
    const cJSON *u = act_requests_unwrap(j, &err);
    ck_assert_ptr_eq(u, cJSON_GetArrayItem(j, 0));
    cJSON_Delete(j);
    j = J("[[\"d\", \"s\", \"e\"], [\"d2\", \"s\", \"e\"]]");
    ck_assert_ptr_eq(act_requests_unwrap(j, &err), j);
    cJSON_Delete(j);
    j = J("null");
    ck_assert_ptr_null(act_requests_unwrap(j, &err));
    ck_assert_str_eq(err, "TypeError: object of type 'NoneType' has no len()");
    free(err);
    cJSON_Delete(j);
    j = J("{\"x\": 1}");
    ck_assert_ptr_null(act_requests_unwrap(j, &err));
    ck_assert_str_eq(err, "KeyError: 0");
    free(err);
    cJSON_Delete(j);
}
END_TEST

START_TEST(test_python_texts)
{
    vt_buf b;
    vt_buf_init(&b);
    cJSON *args = J("[\"Trying to write to a point configured read only: X\"]");
    act_py_str(&b, args);
    ck_assert_str_eq(b.data, "['Trying to write to a point configured read only: X']");
    vt_buf_free(&b);
    cJSON_Delete(args);
    char *r = act_py_exc_repr("ValueError", "Invalid topic: ['x']");
    ck_assert_str_eq(r, "ValueError(\"Invalid topic: ['x']\")");
    free(r);
    vt_timestamp t;
    ck_assert_int_eq(vt_time_parse("2024-03-05T16:00:00.000001+05:30", &t), 0);
    r = act_py_datetime_str(&t);
    ck_assert_str_eq(r, "2024-03-05 16:00:00.000001+05:30");
    free(r);
    cJSON *v = J("[null, true, 1, 1.5, \"s\", [], {}]");
    const char *types[] = {"NoneType", "bool", "int", "float", "str", "list", "dict"};
    for (int i = 0; i < 7; i++)
        ck_assert_str_eq(act_py_type(cJSON_GetArrayItem(v, i)), types[i]);
    cJSON_Delete(v);
    char *s = act_strip_slashes("//a/b//");
    ck_assert_str_eq(s, "a/b");
    free(s);
}
END_TEST

/* ---- argument binding ---- */

static const act_signature set_sig = {
    "set_point", {"requester_id", "topic", "value", "point", NULL}, 3, true};
static const act_signature new_sig = {
    "request_new_schedule", {"requester_id", "task_id", "priority", "requests", NULL}, 4, false};

static void bind_fails(const act_signature *sig, const char *args, const char *kwargs,
                       const char *want)
{
    cJSON *a = J(args), *k = J(kwargs);
    act_bound b;
    char *err = NULL;
    ck_assert_int_eq(act_bind(sig, a, k, &b, &err), -1);
    ck_assert_str_eq(err, want);
    ck_assert_ptr_null(b.extra);
    free(err);
    cJSON_Delete(a);
    cJSON_Delete(k);
}

START_TEST(test_bind)
{
    cJSON *a = J("[\"me\", \"dev/pt\", 0]"), *k = J("{\"priority\": 8}");
    act_bound b;
    char *err = NULL;
    ck_assert_int_eq(act_bind(&set_sig, a, k, &b, &err), 0);
    ck_assert_int_eq(b.values[2]->valueint, 0);
    ck_assert(act_bound_given(&b, 2));
    ck_assert(!act_bound_given(&b, 3));
    char *extra = vt_json_dump(b.extra, 0);
    ck_assert_str_eq(extra, "{\"priority\": 8}");
    free(extra);
    act_bound_clear(&b);
    cJSON_Delete(a);
    cJSON_Delete(k);
    /* keywords for named parameters; point=None is "not given" */
    a = J("[]");
    k = J("{\"topic\": \"dev\", \"requester_id\": \"x\", \"value\": 1, \"point\": null}");
    ck_assert_int_eq(act_bind(&set_sig, a, k, &b, &err), 0);
    ck_assert_str_eq(b.values[1]->valuestring, "dev");
    ck_assert(!act_bound_given(&b, 3));
    act_bound_clear(&b);
    cJSON_Delete(a);
    cJSON_Delete(k);

    bind_fails(&set_sig, "[\"me\", \"dev/pt\"]", "{}",
               "set_point() missing 1 required positional argument: 'value'");
    bind_fails(&set_sig, "[\"me\"]", "{}",
               "set_point() missing 2 required positional arguments: 'topic' and 'value'");
    bind_fails(&new_sig, "[]", "{}",
               "request_new_schedule() missing 4 required positional arguments: "
               "'requester_id', 'task_id', 'priority', and 'requests'");
    bind_fails(&set_sig, "[1, 2, 3, 4, 5]", "{}",
               "set_point() takes from 4 to 5 positional arguments but 6 were given");
    bind_fails(&new_sig, "[1, 2, 3, 4, 5]", "{}",
               "request_new_schedule() takes 5 positional arguments but 6 were given");
    bind_fails(&new_sig, "[1, 2, 3, 4]", "{\"x\": 1}",
               "request_new_schedule() got an unexpected keyword argument 'x'");
    bind_fails(&set_sig, "[1, 2, 3]", "{\"topic\": 1}",
               "set_point() got multiple values for argument 'topic'");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("actuator-request");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_forms);
    tcase_add_test(tc, test_naive_times_are_local);
    tcase_add_test(tc, test_errors_as_python_raises_them);
    tcase_add_test(tc, test_device_not_a_string_is_kept_for_the_scheduler);
    tcase_add_test(tc, test_unwrap);
    tcase_add_test(tc, test_python_texts);
    tcase_add_test(tc, test_bind);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* the zone the expectations are written for (US Pacific rules) */
    setenv("TZ", "PST8PDT,M3.2.0,M11.1.0", 1);
    tzset();
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
