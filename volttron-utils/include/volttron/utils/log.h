/* Logging: one line per record, to stderr, a file or syslog.
 *
 * Line format (stderr and files):
 *   2024-05-01T12:00:00.123456+00:00 INFO volttron.router: message text
 * i.e. ISO 8601 UTC timestamp, level name, source name, message. Each record
 * is written with a single write(2), so lines from several processes sharing
 * a pipe or an O_APPEND file never interleave.
 *
 * The logger is process-wide and safe to use from several threads.
 */
#ifndef VT_UTILS_LOG_H
#define VT_UTILS_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Python logging's numeric levels, so "-v" arithmetic matches VOLTTRON's. */
typedef enum vt_log_level {
    VT_LOG_DEBUG = 10,
    VT_LOG_INFO = 20,
    VT_LOG_WARNING = 30,
    VT_LOG_ERROR = 40,
    VT_LOG_CRITICAL = 50,
} vt_log_level;

/* Parse a level name, case-insensitively: DEBUG, INFO, WARNING (or WARN),
 * ERROR, CRITICAL (or FATAL), or a decimal number. Returns 0 or -EINVAL. */
VT_UTILS_EXPORT int vt_log_level_parse(const char *name, vt_log_level *out);
/* The level's name, e.g. "WARNING"; numbers between levels round down. */
VT_UTILS_EXPORT const char *vt_log_level_name(int level);
/* VOLTTRON's -v/-q arithmetic: WARNING, minus 10 per -v, plus 10 per -q,
 * clamped to DEBUG..CRITICAL. */
VT_UTILS_EXPORT vt_log_level vt_log_level_from_verbosity(int verbose, int quiet);

VT_UTILS_EXPORT void vt_log_set_level(int level);
VT_UTILS_EXPORT int vt_log_get_level(void);
VT_UTILS_EXPORT bool vt_log_enabled(int level);

/* Destinations; each replaces the previous one. */
VT_UTILS_EXPORT void vt_log_to_stderr(void);
/* Append to path ("-" means stdout). Returns 0 or a negative errno; on failure
 * the previous destination stays. The file is reopened by vt_log_reopen, and
 * automatically when it has been renamed or removed by a log rotator. The
 * file grows without bound: vt_log_to_rotating_file(path, 0, 0). */
VT_UTILS_EXPORT int vt_log_to_file(const char *path);

/* Sane caps for a long-running daemon on a small controller's storage. */
#define VT_LOG_MAX_BYTES_DEFAULT (10 * 1024 * 1024)
#define VT_LOG_BACKUPS_DEFAULT 5

/* vt_log_to_file, with the file kept under max_bytes as Python's
 * RotatingFileHandler does: when a record would take it past max_bytes, path
 * becomes path.1 (path.1 becomes path.2, ..., path.<backups> is dropped) and a
 * new path is started. At most (backups + 1) * max_bytes of disk, a record
 * longer than max_bytes being the only excess. backups 0 keeps no old file
 * (path is emptied instead); max_bytes 0 never rotates. If the file cannot be
 * renamed it is emptied, so the cap holds. The size counts what other
 * processes append too (re-read once a second). No rotation for "-".
 * -EINVAL for a negative max_bytes or backups outside 0..99. */
VT_UTILS_EXPORT int vt_log_to_rotating_file(const char *path, int64_t max_bytes, int backups);
/* syslog(3) with the given ident (copied); the timestamp is syslog's. */
VT_UTILS_EXPORT void vt_log_to_syslog(const char *ident);
/* stderr for a parent process that re-logs every line (an agent the
 * platform started): "<N>source: message" per line, N the syslog severity
 * (7 debug, 6 info, 4 warning, 3 error, 2 critical), no timestamp. This is
 * the syslog-style prefix VOLTTRON's platform already understands. */
VT_UTILS_EXPORT void vt_log_to_parent(void);
/* A line written that way: its level (the VT_LOG_ value) with *rest (may be
 * NULL) pointing after the "<N>", or -1 if the line has no such prefix. */
VT_UTILS_EXPORT int vt_log_parse_parent_line(const char *line, const char **rest);
/* Reopen the log file (after rotation). No-op for stderr and syslog. */
VT_UTILS_EXPORT int vt_log_reopen(void);

/* Write one record. The source names the component ("volttron.router",
 * an agent identity); NULL means "volttron". Newlines in the message are kept
 * (multi-line records), a trailing newline is not doubled. */
VT_UTILS_EXPORT void vt_log(int level, const char *source, const char *fmt, ...) VT_PRINTF(3, 4);
VT_UTILS_EXPORT void vt_logv(int level, const char *source, const char *fmt, va_list ap);

/* Format a record's line into buf exactly as it would be written (for tests
 * and for re-emitting captured agent output). Returns the length. */
VT_UTILS_EXPORT int vt_log_format_line(char *buf, int size, int level, const char *source,
                                       const char *message);

#define vt_log_debug(src, ...)                                                                     \
    do {                                                                                           \
        if (vt_log_enabled(VT_LOG_DEBUG))                                                          \
            vt_log(VT_LOG_DEBUG, src, __VA_ARGS__);                                                \
    } while (0)
#define vt_log_info(src, ...)                                                                      \
    do {                                                                                           \
        if (vt_log_enabled(VT_LOG_INFO))                                                           \
            vt_log(VT_LOG_INFO, src, __VA_ARGS__);                                                 \
    } while (0)
#define vt_log_warning(src, ...) vt_log(VT_LOG_WARNING, src, __VA_ARGS__)
#define vt_log_error(src, ...) vt_log(VT_LOG_ERROR, src, __VA_ARGS__)
#define vt_log_critical(src, ...) vt_log(VT_LOG_CRITICAL, src, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif
