#include <stdlib.h>
#include <string.h>

#include <volttron/utils/csv.h>
#include <volttron/utils/error.h>
#include <volttron/utils/json.h>

#include "testutil.h"

static char *parse_dump(const char *text)
{
    cJSON *v = vt_csv_parse(text, strlen(text), "t.csv");
    ck_assert_msg(v != NULL, "%s", vt_last_error());
    char *s = vt_json_dump(v, 0);
    cJSON_Delete(v);
    return s;
}

START_TEST(test_registry_like)
{
    char *s = parse_dump("Volttron Point Name,Units,Writable\r\nZoneTemp,degF,FALSE\r\n"
                         "\r\nSetpoint,\"deg, F\",TRUE\n");
    ck_assert_str_eq(s,
                     "[{\"Volttron Point Name\": \"ZoneTemp\", \"Units\": \"degF\", \"Writable\": "
                     "\"FALSE\"}, {\"Volttron Point Name\": \"Setpoint\", \"Units\": \"deg, F\", "
                     "\"Writable\": \"TRUE\"}]");
    free(s);
}
END_TEST

START_TEST(test_quotes_short_and_long_rows)
{
    char *s = parse_dump("a,b\n\"say \"\"hi\"\"\",\"two\nlines\"\nonly\nx,y,z");
    ck_assert_str_eq(
        s, "[{\"a\": \"say \\\"hi\\\"\", \"b\": \"two\\nlines\"}, {\"a\": \"only\", \"b\": "
           "null}, {\"a\": \"x\", \"b\": \"y\"}]");
    free(s);
    s = parse_dump("\xEF\xBB\xBFname\nv");
    ck_assert_str_eq(s, "[{\"name\": \"v\"}]");
    free(s);
    s = parse_dump("");
    ck_assert_str_eq(s, "[]");
    free(s);
    s = parse_dump("only,a,header\n");
    ck_assert_str_eq(s, "[]");
    free(s);
}
END_TEST

START_TEST(test_errors_with_position)
{
    ck_assert_ptr_null(vt_csv_parse("a,b\n1,\"open", 12, "reg.csv"));
    ck_assert_str_eq(vt_last_error(), "reg.csv:2:3: unterminated quoted field");
    ck_assert_ptr_null(vt_csv_parse("a,b\n1,x\"y\n", 10, "reg.csv"));
    ck_assert_str_eq(vt_last_error(), "reg.csv:2:4: quote inside an unquoted field");
    ck_assert_ptr_null(vt_csv_parse("a\n\"q\"x\n", 7, NULL));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "CSV:2:4: expected ','"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_registry_like);
    tcase_add_test(tc, test_quotes_short_and_long_rows);
    tcase_add_test(tc, test_errors_with_position);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
