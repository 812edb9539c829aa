#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <volttron/utils/error.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/time.h>

#include "log_private.h"

enum sink {
    SINK_STDERR,
    SINK_FILE,
    SINK_SYSLOG,
    SINK_PARENT
};

/* Read on every log call without the lock. */
static atomic_int log_level = VT_LOG_WARNING;

static int64_t rotation_check_ms = 1000;

static struct {
    pthread_mutex_t lock;
    enum sink sink;
    int fd;     /* SINK_FILE */
    char *path; /* SINK_FILE; NULL for stdout */
    dev_t dev;  /* identity of the open file, to notice rotation */
    ino_t ino;
    int64_t checked_ms;
    int64_t size;      /* of the open file, as far as we know */
    int64_t max_bytes; /* rotate past this; 0 never */
    int backups;       /* path.1 .. path.<backups> kept */
    char *ident;       /* SINK_SYSLOG */
} logger = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .sink = SINK_STDERR,
    .fd = -1,
};

static const struct {
    const char *name;
    int level;
} level_names[] = {
    {"DEBUG", VT_LOG_DEBUG},    {"INFO", VT_LOG_INFO},   {"WARNING", VT_LOG_WARNING},
    {"WARN", VT_LOG_WARNING},   {"ERROR", VT_LOG_ERROR}, {"CRITICAL", VT_LOG_CRITICAL},
    {"FATAL", VT_LOG_CRITICAL},
};

int vt_log_level_parse(const char *name, vt_log_level *out)
{
    if (!name || !*name)
        return vt_error_set(-EINVAL, "empty log level");
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (strcasecmp(name, level_names[i].name) == 0) {
            *out = (vt_log_level)level_names[i].level;
            return 0;
        }
    }
    char *end;
    long v = strtol(name, &end, 10);
    if (*end == '\0' && v >= 0 && v <= 100) {
        *out = (vt_log_level)v;
        return 0;
    }
    return vt_error_set(-EINVAL,
                        "unknown log level \"%s\" (expected DEBUG, INFO, WARNING, ERROR "
                        "or CRITICAL)",
                        name);
}

const char *vt_log_level_name(int level)
{
    if (level >= VT_LOG_CRITICAL)
        return "CRITICAL";
    if (level >= VT_LOG_ERROR)
        return "ERROR";
    if (level >= VT_LOG_WARNING)
        return "WARNING";
    if (level >= VT_LOG_INFO)
        return "INFO";
    return "DEBUG";
}

vt_log_level vt_log_level_from_verbosity(int verbose, int quiet)
{
    int level = VT_LOG_WARNING - 10 * verbose + 10 * quiet;
    if (level < VT_LOG_DEBUG)
        level = VT_LOG_DEBUG;
    if (level > VT_LOG_CRITICAL)
        level = VT_LOG_CRITICAL;
    return (vt_log_level)level;
}

void vt_log_set_level(int level)
{
    atomic_store_explicit(&log_level, level, memory_order_relaxed);
}

int vt_log_get_level(void)
{
    return atomic_load_explicit(&log_level, memory_order_relaxed);
}

bool vt_log_enabled(int level)
{
    return level >= vt_log_get_level();
}

/* Close whatever the current sink holds; caller has the lock. */
static void close_sink(void)
{
    if (logger.sink == SINK_FILE && logger.fd >= 0 && logger.path)
        close(logger.fd);
    if (logger.sink == SINK_SYSLOG)
        closelog();
    logger.fd = -1;
    free(logger.path);
    logger.path = NULL;
    free(logger.ident);
    logger.ident = NULL;
    logger.sink = SINK_STDERR;
}

void vt_log_to_stderr(void)
{
    pthread_mutex_lock(&logger.lock);
    close_sink();
    pthread_mutex_unlock(&logger.lock);
}

void vt_log_to_parent(void)
{
    pthread_mutex_lock(&logger.lock);
    close_sink();
    logger.sink = SINK_PARENT;
    pthread_mutex_unlock(&logger.lock);
}

static int open_log_file(const char *path, int *fd_out, struct stat *st)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return vt_error_set(-errno, "cannot open log file %s: %s", path, strerror(errno));
    if (fstat(fd, st) < 0) {
        int e = errno;
        close(fd);
        return vt_error_set(-e, "cannot stat log file %s: %s", path, strerror(e));
    }
    *fd_out = fd;
    return 0;
}

int vt_log_to_file(const char *path)
{
    return vt_log_to_rotating_file(path, 0, 0);
}

int vt_log_to_rotating_file(const char *path, int64_t max_bytes, int backups)
{
    if (max_bytes < 0 || backups < 0 || backups > 99)
        return vt_error_set(-EINVAL, "log rotation: the size limit must be 0 or more and "
                                     "the number of old files 0 to 99");
    int fd = STDOUT_FILENO;
    struct stat st = {0};
    bool is_stdout = strcmp(path, "-") == 0;
    if (!is_stdout) {
        int rc = open_log_file(path, &fd, &st);
        if (rc < 0)
            return rc;
    }
    pthread_mutex_lock(&logger.lock);
    close_sink();
    logger.sink = SINK_FILE;
    logger.fd = fd;
    logger.path = is_stdout ? NULL : vt_strdup(path);
    logger.dev = st.st_dev;
    logger.ino = st.st_ino;
    logger.checked_ms = vt_time_monotonic_ms();
    logger.size = st.st_size;
    logger.max_bytes = is_stdout ? 0 : max_bytes;
    logger.backups = backups;
    pthread_mutex_unlock(&logger.lock);
    return 0;
}

void vt_log_to_syslog(const char *ident)
{
    pthread_mutex_lock(&logger.lock);
    close_sink();
    logger.sink = SINK_SYSLOG;
    /* openlog keeps the pointer, so the copy lives until the sink changes. */
    logger.ident = vt_strdup(ident ? ident : "volttron");
    openlog(logger.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    pthread_mutex_unlock(&logger.lock);
}

/* Reopen the file sink; caller has the lock. */
static int reopen_locked(void)
{
    if (logger.sink != SINK_FILE || !logger.path)
        return 0;
    int fd;
    struct stat st;
    int rc = open_log_file(logger.path, &fd, &st);
    if (rc < 0)
        return rc;
    close(logger.fd);
    logger.fd = fd;
    logger.dev = st.st_dev;
    logger.ino = st.st_ino;
    logger.size = st.st_size;
    return 0;
}

int vt_log_reopen(void)
{
    pthread_mutex_lock(&logger.lock);
    int rc = reopen_locked();
    pthread_mutex_unlock(&logger.lock);
    return rc;
}

void vt_log_set_rotation_check_ms(int64_t ms)
{
    rotation_check_ms = ms;
}

/* Once a second at most, notice that a rotator moved the file away (as
 * VOLTTRON's WatchedFileHandler does) and follow the path to the new file. */
static void check_rotation_locked(void)
{
    int64_t now = vt_time_monotonic_ms();
    if (now - logger.checked_ms < rotation_check_ms)
        return;
    logger.checked_ms = now;
    struct stat st;
    if (stat(logger.path, &st) < 0 || st.st_dev != logger.dev || st.st_ino != logger.ino)
        reopen_locked();
    else
        logger.size = st.st_size; /* other writers (O_APPEND) count too */
}

/* path.<k> for k >= 1, path for 0. */
static char *backup_name(int k)
{
    return k ? vt_asprintf("%s.%d", logger.path, k) : vt_strdup(logger.path);
}

/* Shift path -> path.1 -> ... -> path.<backups> (the oldest is replaced)
 * and start afresh; caller has the lock. Failing renames must not let the
 * file grow past its cap, so it is emptied instead. */
static void rotate_locked(void)
{
    bool moved = logger.backups > 0;
    for (int k = logger.backups; moved && k >= 1; k--) {
        char *from = backup_name(k - 1), *to = backup_name(k);
        if (rename(from, to) < 0 && (errno != ENOENT || k == 1))
            moved = false;
        free(from);
        free(to);
    }
    if (!moved || reopen_locked() < 0) {
        if (ftruncate(logger.fd, 0) == 0)
            logger.size = 0;
    }
}

int vt_log_format_line(char *buf, int size, int level, const char *source, const char *message)
{
    char ts[VT_TIME_BUFSZ];
    vt_time_format_utc(vt_time_now_us(), ts);
    size_t mlen = strlen(message);
    while (mlen && message[mlen - 1] == '\n')
        mlen--;
    int n = snprintf(buf, (size_t)size, "%s %s %s: %.*s\n", ts, vt_log_level_name(level),
                     source ? source : "volttron", (int)mlen, message);
    if (n >= size) {
        /* Truncated: keep the terminating newline so records stay one per line. */
        n = size - 1;
        buf[n - 1] = '\n';
    }
    return n;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* nowhere left to report a failing log sink */
        }
        p += w;
        n -= (size_t)w;
    }
}

static int syslog_priority(int level)
{
    if (level >= VT_LOG_CRITICAL)
        return LOG_CRIT;
    if (level >= VT_LOG_ERROR)
        return LOG_ERR;
    if (level >= VT_LOG_WARNING)
        return LOG_WARNING;
    if (level >= VT_LOG_INFO)
        return LOG_INFO;
    return LOG_DEBUG;
}

/* "<N>source: line" for every line of the message, N the syslog severity:
 * the platform re-logs each line at its level under the agent's name. */
static void write_parent(int level, const char *source, const char *msg)
{
    char line[8192 + 128];
    const char *p = msg;
    do {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        int n = snprintf(line, sizeof line, "<%d>%s: %.*s\n", syslog_priority(level),
                         source ? source : "volttron", (int)len, p);
        if (n >= (int)sizeof line) {
            n = (int)sizeof line - 1;
            line[n - 1] = '\n';
        }
        write_all(STDERR_FILENO, line, (size_t)n);
        p = nl ? nl + 1 : NULL;
    } while (p && *p);
}

int vt_log_parse_parent_line(const char *line, const char **rest)
{
    if (line[0] != '<' || line[1] < '0' || line[1] > '7' || line[2] != '>')
        return -1;
    if (rest)
        *rest = line + 3;
    static const int levels[8] = {VT_LOG_CRITICAL, VT_LOG_CRITICAL, VT_LOG_CRITICAL, VT_LOG_ERROR,
                                  VT_LOG_WARNING,  VT_LOG_INFO,     VT_LOG_INFO,     VT_LOG_DEBUG};
    return levels[line[1] - '0'];
}

void vt_logv(int level, const char *source, const char *fmt, va_list ap)
{
    if (!vt_log_enabled(level))
        return;
    char msg[8192];
    vsnprintf(msg, sizeof msg, fmt, ap);

    pthread_mutex_lock(&logger.lock);
    if (logger.sink == SINK_SYSLOG) {
        syslog(syslog_priority(level), "%s %s: %s", vt_log_level_name(level),
               source ? source : "volttron", msg);
    } else if (logger.sink == SINK_PARENT) {
        write_parent(level, source, msg);
    } else {
        char line[sizeof msg + 128];
        int n = vt_log_format_line(line, (int)sizeof line, level, source, msg);
        int fd = STDERR_FILENO;
        if (logger.sink == SINK_FILE) {
            if (logger.path)
                check_rotation_locked();
            if (logger.max_bytes > 0 && logger.size > 0 && logger.size + n > logger.max_bytes)
                rotate_locked();
            fd = logger.fd;
            logger.size += n;
        }
        write_all(fd, line, (size_t)n);
    }
    pthread_mutex_unlock(&logger.lock);
}

void vt_log(int level, const char *source, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vt_logv(level, source, fmt, ap);
    va_end(ap);
}
