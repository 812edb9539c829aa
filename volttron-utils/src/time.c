#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <volttron/utils/error.h>
#include <volttron/utils/time.h>

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SEC)

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's method),
 * so no dependency on timegm() or the process time zone. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

/* Read exactly n digits. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static int bad(const char *text, const char *why)
{
    return vt_error_set(-EINVAL, "invalid timestamp \"%.64s\": %s", text, why);
}

int vt_time_parse(const char *text, vt_timestamp *out)
{
    const char *p = text;
    int y, mo, d, h = 0, mi = 0, s = 0;
    int64_t frac_us = 0;

    if (!text)
        return vt_error_set(-EINVAL, "invalid timestamp: missing");
    while (*p == ' ')
        p++;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return bad(text, "expected a date YYYY-MM-DD");
    if (y < 1 || mo < 1 || mo > 12)
        return bad(text, "year or month out of range");
    if (d < 1 || d > days_in_month(y, mo))
        return bad(text, "day out of range for the month");

    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
            return bad(text, "expected a time HH:MM[:SS[.ffffff]]");
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &s))
                return bad(text, "expected seconds after HH:MM:");
            if (*p == '.' || *p == ',') {
                p++;
                int n = 0;
                int64_t scale = 100000;
                while (isdigit((unsigned char)*p)) {
                    if (n < 6) {
                        frac_us += (*p - '0') * scale;
                        scale /= 10;
                    }
                    n++;
                    p++;
                }
                if (n == 0 || n > 9)
                    return bad(text, "fraction of a second must have 1 to 9 digits");
            }
        }
        if (h > 23 || mi > 59 || s > 59)
            return bad(text, "time of day out of range");
    }

    vt_timestamp ts = {0};
    if (*p == 'Z' || *p == 'z') {
        ts.aware = true;
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1;
        int oh, om = 0;
        if (!digits(&p, 2, &oh))
            return bad(text, "expected a UTC offset +HH:MM");
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &om))
                return bad(text, "expected a UTC offset +HH:MM");
        } else if (isdigit((unsigned char)*p)) {
            if (!digits(&p, 2, &om))
                return bad(text, "expected a UTC offset +HHMM");
        }
        if (oh > 23 || om > 59)
            return bad(text, "UTC offset out of range");
        ts.aware = true;
        ts.offset_s = sign * (oh * 3600 + om * 60);
    }
    while (*p == ' ')
        p++;
    if (*p)
        return bad(text, "unexpected text after the timestamp");

    int64_t wall = days_from_civil(y, mo, d) * US_PER_DAY +
                   ((int64_t)h * 3600 + mi * 60 + s) * US_PER_SEC + frac_us;
    ts.us = wall - (int64_t)ts.offset_s * US_PER_SEC;
    *out = ts;
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Format wall-clock microseconds; tz is "" or "+HH:MM". */
static int format_wall(int64_t wall, const char *tz, char *buf, size_t size)
{
    int64_t days = floor_div(wall, US_PER_DAY);
    int64_t rem = wall - days * US_PER_DAY;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return vt_error_set(-ERANGE, "timestamp year %d outside 1..9999", y);
    int64_t secs = rem / US_PER_SEC;
    int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06d%s", y, m, d, (int)(secs / 3600),
                     (int)(secs / 60 % 60), (int)(secs % 60), (int)(rem % US_PER_SEC), tz);
    if (n < 0 || (size_t)n >= size)
        return vt_error_set(-ENOSPC, "timestamp buffer too small");
    return n;
}

int vt_time_format(const vt_timestamp *ts, char *buf, size_t size)
{
    char tz[8] = "";
    int64_t wall = ts->us;
    if (ts->aware) {
        int32_t off = ts->offset_s;
        char sign = off < 0 ? '-' : '+';
        if (off < 0)
            off = -off;
        /* Offsets are whole minutes on the wire; seconds are dropped. */
        snprintf(tz, sizeof tz, "%c%02d:%02d", sign, (int)(off / 3600 % 100), (int)(off / 60 % 60));
        wall += (int64_t)ts->offset_s * US_PER_SEC;
    }
    return format_wall(wall, tz, buf, size);
}

vt_timestamp vt_time_to_utc(const vt_timestamp *ts)
{
    vt_timestamp utc = {.us = ts->us, .offset_s = 0, .aware = true};
    return utc;
}

int64_t vt_time_now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * US_PER_SEC + t.tv_nsec / 1000;
}

vt_timestamp vt_time_now(void)
{
    vt_timestamp ts = {.us = vt_time_now_us(), .offset_s = 0, .aware = true};
    return ts;
}

void vt_time_format_utc(int64_t us, char buf[VT_TIME_BUFSZ])
{
    vt_timestamp ts = {.us = us, .offset_s = 0, .aware = true};
    if (vt_time_format(&ts, buf, VT_TIME_BUFSZ) < 0)
        buf[0] = '\0';
}

void vt_time_format_local_naive(int64_t us, char buf[VT_TIME_BUFSZ])
{
    time_t secs = (time_t)floor_div(us, US_PER_SEC);
    struct tm tm;
    localtime_r(&secs, &tm);
    int64_t wall = (us - (int64_t)secs * US_PER_SEC) + ((int64_t)secs + tm.tm_gmtoff) * US_PER_SEC;
    if (format_wall(wall, "", buf, VT_TIME_BUFSZ) < 0)
        buf[0] = '\0';
}

int64_t vt_time_monotonic_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * US_PER_SEC + t.tv_nsec / 1000;
}

int64_t vt_time_monotonic_ms(void)
{
    return vt_time_monotonic_us() / 1000;
}
