#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <volttron/utils/error.h>
#include <volttron/utils/time.h>

#include "testutil.h"

/* 2024-03-05T17:30:10.043187Z in epoch microseconds (date -d ... +%s). */
#define T_2024_03_05 (INT64_C(1709659810) * 1000000 + 43187)

static vt_timestamp parse_ok(const char *text)
{
    vt_timestamp ts;
    ck_assert_msg(vt_time_parse(text, &ts) == 0, "%s: %s", text, vt_last_error());
    return ts;
}

static void format_is(const vt_timestamp *ts, const char *want)
{
    char buf[VT_TIME_BUFSZ];
    ck_assert_int_eq(vt_time_format(ts, buf, sizeof buf), (int)strlen(want));
    ck_assert_str_eq(buf, want);
}

START_TEST(test_parse_volttron_aware)
{
    /* The driver's header form (driver-framework spec). */
    vt_timestamp ts = parse_ok("2024-03-05T17:30:10.043187+00:00");
    ck_assert(ts.aware);
    ck_assert_int_eq(ts.offset_s, 0);
    ck_assert_int_eq(ts.us, T_2024_03_05);
    format_is(&ts, "2024-03-05T17:30:10.043187+00:00");
}
END_TEST

START_TEST(test_parse_offsets)
{
    vt_timestamp a = parse_ok("2024-03-05T09:30:10.043187-08:00");
    ck_assert_int_eq(a.us, T_2024_03_05);
    ck_assert_int_eq(a.offset_s, -8 * 3600);
    format_is(&a, "2024-03-05T09:30:10.043187-08:00");

    vt_timestamp b = parse_ok("2024-03-05T23:00:10.043187+0530");
    ck_assert_int_eq(b.us, T_2024_03_05);
    format_is(&b, "2024-03-05T23:00:10.043187+05:30");

    vt_timestamp c = parse_ok("2024-03-05T17:30:10.043187Z");
    ck_assert_int_eq(c.us, T_2024_03_05);
    format_is(&c, "2024-03-05T17:30:10.043187+00:00");

    vt_timestamp d = parse_ok("2024-03-05T18:30:10.043187+01");
    ck_assert_int_eq(d.us, T_2024_03_05);

    vt_timestamp utc = vt_time_to_utc(&a);
    format_is(&utc, "2024-03-05T17:30:10.043187+00:00");
}
END_TEST

START_TEST(test_parse_naive_and_short_forms)
{
    vt_timestamp n = parse_ok("2024-03-05 17:30:10.043187");
    ck_assert(!n.aware);
    ck_assert_int_eq(n.us, T_2024_03_05);
    format_is(&n, "2024-03-05T17:30:10.043187");

    vt_timestamp m = parse_ok("2024-03-05T17:30");
    format_is(&m, "2024-03-05T17:30:00.000000");

    vt_timestamp d = parse_ok("2024-03-05");
    format_is(&d, "2024-03-05T00:00:00.000000");

    /* Fractions shorter and longer than microseconds. */
    vt_timestamp f1 = parse_ok("2024-03-05T17:30:10.5");
    ck_assert_int_eq(f1.us % 1000000, 500000);
    vt_timestamp f9 = parse_ok("2024-03-05T17:30:10.123456789");
    ck_assert_int_eq(f9.us % 1000000, 123456);
}
END_TEST

START_TEST(test_calendar_edges)
{
    vt_timestamp epoch = parse_ok("1970-01-01T00:00:00+00:00");
    ck_assert_int_eq(epoch.us, 0);
    vt_timestamp before = parse_ok("1969-12-31T23:59:59.999999+00:00");
    ck_assert_int_eq(before.us, -1);
    format_is(&before, "1969-12-31T23:59:59.999999+00:00");
    vt_timestamp leap = parse_ok("2024-02-29T12:00:00");
    format_is(&leap, "2024-02-29T12:00:00.000000");
    vt_timestamp y2000 = parse_ok("2000-02-29T00:00:00Z");
    format_is(&y2000, "2000-02-29T00:00:00.000000+00:00");
    vt_timestamp first = parse_ok("0001-01-01T00:00:00");
    format_is(&first, "0001-01-01T00:00:00.000000");
    vt_timestamp last = parse_ok("9999-12-31T23:59:59.999999");
    format_is(&last, "9999-12-31T23:59:59.999999");
}
END_TEST

START_TEST(test_parse_invalid)
{
    const char *bad[] = {
        "",
        "yesterday",
        "2024-3-05T17:30:10",
        "2024-13-01T00:00:00",
        "2023-02-29T00:00:00",
        "2024-04-31",
        "2024-03-05T24:00:00",
        "2024-03-05T17:60:00",
        "2024-03-05T17:30:61",
        "2024-03-05T17:30:10.",
        "2024-03-05T17:30:10.1234567890",
        "2024-03-05T17:30:10+25:00",
        "2024-03-05T17:30:10+05:",
        "2024-03-05T17:30:10 garbage",
        "2024-03-05T17",
        "0000-01-01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vt_timestamp ts;
        ck_assert_msg(vt_time_parse(bad[i], &ts) == -EINVAL, "accepted \"%s\"", bad[i]);
        ck_assert_msg(strstr(vt_last_error(), "invalid timestamp") != NULL, "%s", vt_last_error());
    }
    vt_timestamp ts;
    ck_assert_int_eq(vt_time_parse(NULL, &ts), -EINVAL);
}
END_TEST

START_TEST(test_format_out_of_range)
{
    vt_timestamp ts = {.us = INT64_C(253402300800) * 1000000, .aware = true}; /* year 10000 */
    char buf[VT_TIME_BUFSZ];
    ck_assert_int_lt(vt_time_format(&ts, buf, sizeof buf), 0);
    vt_timestamp ok = {.us = 0, .aware = true};
    char tiny[10];
    ck_assert_int_eq(vt_time_format(&ok, tiny, sizeof tiny), -ENOSPC);
}
END_TEST

START_TEST(test_now_and_monotonic)
{
    char buf[VT_TIME_BUFSZ];
    int64_t before = vt_time_now_us();
    vt_timestamp now = vt_time_now();
    ck_assert(now.aware);
    ck_assert_int_ge(now.us, before);
    vt_time_format_utc(now.us, buf);
    ck_assert_int_eq((int)strlen(buf), 32);
    ck_assert_str_eq(buf + 26, "+00:00");
    vt_timestamp back = parse_ok(buf);
    ck_assert_int_eq(back.us, now.us);

    int64_t m1 = vt_time_monotonic_us();
    int64_t m2 = vt_time_monotonic_us();
    ck_assert_int_ge(m2, m1);
    ck_assert_int_ge(vt_time_monotonic_ms(), m1 / 1000);
}
END_TEST

START_TEST(test_local_naive)
{
    /* With TZ fixed, the local naive form is predictable. */
    setenv("TZ", "PST8PDT,M3.2.0,M11.1.0", 1); /* POSIX rule: no tzdata needed */
    tzset();
    char buf[VT_TIME_BUFSZ];
    vt_time_format_local_naive(T_2024_03_05, buf);
    ck_assert_str_eq(buf, "2024-03-05T09:30:10.043187");
    setenv("TZ", "UTC0", 1);
    tzset();
    vt_time_format_local_naive(T_2024_03_05, buf);
    ck_assert_str_eq(buf, "2024-03-05T17:30:10.043187");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("time");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse_volttron_aware);
    tcase_add_test(tc, test_parse_offsets);
    tcase_add_test(tc, test_parse_naive_and_short_forms);
    tcase_add_test(tc, test_calendar_edges);
    tcase_add_test(tc, test_parse_invalid);
    tcase_add_test(tc, test_format_out_of_range);
    tcase_add_test(tc, test_now_and_monotonic);
    tcase_add_test(tc, test_local_naive);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
