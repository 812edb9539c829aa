/* Timestamps as VOLTTRON agents exchange them in message headers.
 *
 * On the wire a timestamp is a string: "YYYY-MM-DDTHH:MM:SS.ffffff" for a
 * naive time, with "+HH:MM" appended for an aware one (UTC is "+00:00").
 * The parser also takes a space instead of 'T', 'Z', "+HHMM", "+HH", a
 * fraction of 1 to 9 digits (kept to microseconds), minutes-only times and
 * date-only strings, as agents built on dateutil send them.
 */
#ifndef VT_UTILS_TIME_H
#define VT_UTILS_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest formatted timestamp plus NUL ("YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM"). */
#define VT_TIME_BUFSZ 40

typedef struct vt_timestamp {
    /* Microseconds since 1970-01-01T00:00:00 UTC. For a naive timestamp the
     * wall time is counted as if it were UTC. */
    int64_t us;
    /* Offset of the wall time from UTC in seconds, east positive (aware only). */
    int32_t offset_s;
    bool aware;
} vt_timestamp;

/* Parse an ISO 8601 timestamp (years 1..9999). Returns 0, or -EINVAL with a
 * message naming the text and what is wrong with it. */
VT_UTILS_EXPORT int vt_time_parse(const char *text, vt_timestamp *out);

/* Format as VOLTTRON does: microseconds always, "+HH:MM" when aware. Returns
 * the length written into buf (size >= VT_TIME_BUFSZ recommended), or a
 * negative errno when the time is outside years 1..9999 or buf is too small. */
VT_UTILS_EXPORT int vt_time_format(const vt_timestamp *ts, char *buf, size_t size);

/* The same instant as an aware UTC timestamp (a naive one is taken as UTC). */
VT_UTILS_EXPORT vt_timestamp vt_time_to_utc(const vt_timestamp *ts);

/* Wall-clock now, as an aware UTC timestamp / as microseconds since the epoch. */
VT_UTILS_EXPORT vt_timestamp vt_time_now(void);
VT_UTILS_EXPORT int64_t vt_time_now_us(void);

/* "YYYY-MM-DDTHH:MM:SS.ffffff+00:00" for the given epoch microseconds. */
VT_UTILS_EXPORT void vt_time_format_utc(int64_t us, char buf[VT_TIME_BUFSZ]);
/* Naive local wall time, "YYYY-MM-DDTHH:MM:SS.ffffff" (the health service's form). */
VT_UTILS_EXPORT void vt_time_format_local_naive(int64_t us, char buf[VT_TIME_BUFSZ]);

/* Monotonic clock for intervals and timeouts; unaffected by clock changes. */
VT_UTILS_EXPORT int64_t vt_time_monotonic_ms(void);
VT_UTILS_EXPORT int64_t vt_time_monotonic_us(void);

#ifdef __cplusplus
}
#endif

#endif
