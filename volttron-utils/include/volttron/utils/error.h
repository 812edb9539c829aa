/* Error reporting: negative errno return codes plus a per-thread message.
 *
 * Functions that fail return a negative errno-style code (or NULL) and leave a
 * human-readable reason in a thread-local buffer, e.g.
 *   config.json:3:14: key "interval" must be a number, got a string
 * The message names the input and what was expected, so a caller can log it
 * as is.
 */
#ifndef VT_UTILS_ERROR_H
#define VT_UTILS_ERROR_H

#include <stdarg.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The reason for the last failure on this thread. Never NULL; "" when no
 * error was recorded. The string is owned by the library and is valid until
 * the next call that records an error on this thread. */
VT_UTILS_EXPORT const char *vt_last_error(void);

/* Record a failure reason (printf-style). Always returns -errnum negated as
 * given, so a caller can write: return vt_error_set(-EINVAL, "..."). */
VT_UTILS_EXPORT int vt_error_set(int rc, const char *fmt, ...) VT_PRINTF(2, 3);
VT_UTILS_EXPORT int vt_error_setv(int rc, const char *fmt, va_list ap);

/* Prepend context to the recorded reason: "<context>: <old reason>".
 * Returns rc unchanged. */
VT_UTILS_EXPORT int vt_error_prefix(int rc, const char *fmt, ...) VT_PRINTF(2, 3);

/* Forget the recorded reason. */
VT_UTILS_EXPORT void vt_error_clear(void);

#ifdef __cplusplus
}
#endif

#endif
