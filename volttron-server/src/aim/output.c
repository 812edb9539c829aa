#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <volttron/utils/json.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/time.h>

#include "output.h"

/* A longer line is logged in pieces rather than growing without bound. */
#define MAX_LINE 16384
/* Read per wake-up, at most (a pipe's default capacity): the loop's other
 * work never waits behind an agent's output longer than logging this takes. */
#define READ_PER_WAKEUP 65536
/* While an agent is over its budget, its pipe is read this often. */
#define PAUSE_MS 50
#define LOG "volttron.agents"

struct vt_output_budget {
    vt_loop *loop;
    char *identity;
    int lines_per_sec; /* < 0: no limit */
    int burst_lines;
    int64_t report_ms;
    int64_t tokens; /* in thousandths of a line */
    int64_t refilled_ms;
    uint64_t dropped;       /* since the last report */
    int64_t first_drop_ms;  /* of those */
    vt_timer *report_timer; /* runs while lines are being dropped */
};

struct vt_output {
    vt_loop *loop;
    int fd;
    char *identity;
    bool is_stderr;
    vt_output_budget *budget; /* borrowed; NULL: no limit */
    bool over;                /* lines dropped during this wake-up */
    vt_timer *resume_timer;   /* set while the pipe is not watched */
    char buf[MAX_LINE + 1];
    size_t len;
};

/* A Python agent's record: {"levelno": 20, "msg": "...", "name": ...}. */
static bool log_json_record(const char *identity, const char *line)
{
    cJSON *rec = vt_json_parse(line, strlen(line), 0, NULL, NULL);
    const cJSON *level = cJSON_GetObjectItemCaseSensitive(rec, "levelno");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(rec, "msg");
    bool ok = cJSON_IsNumber(level) && cJSON_IsString(msg);
    if (ok) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(rec, "name");
        const cJSON *exc = cJSON_GetObjectItemCaseSensitive(rec, "exc_text");
        vt_log((int)level->valuedouble, identity, "%s%s%s",
               cJSON_IsString(name) ? name->valuestring : "", cJSON_IsString(name) ? ": " : "",
               msg->valuestring);
        if (cJSON_IsString(exc) && exc->valuestring[0])
            vt_log((int)level->valuedouble, identity, "%s", exc->valuestring);
    }
    cJSON_Delete(rec);
    return ok;
}

void vt_output_log_line(const char *identity, bool is_stderr, const char *line)
{
    if (!is_stderr) {
        vt_log(VT_LOG_INFO, identity, "%s", line);
        return;
    }
    const char *rest;
    int level = vt_log_parse_parent_line(line, &rest);
    if (level >= 0) {
        /* "<identity>: " is the agent naming itself: say it once. */
        size_t n = strlen(identity);
        if (strncmp(rest, identity, n) == 0 && rest[n] == ':' && rest[n + 1] == ' ')
            rest += n + 2;
        vt_log(level, identity, "%s", rest);
        return;
    }
    if (line[0] == '{' && log_json_record(identity, line))
        return;
    vt_log(VT_LOG_ERROR, identity, "%s", line);
}

/* ---- the budget ---- */

void vt_output_budget_report(vt_output_budget *b)
{
    if (!b || !b->dropped)
        return;
    double secs = (double)(vt_time_monotonic_ms() - b->first_drop_ms) / 1000.0;
    vt_log_warning(LOG,
                   "%s: %llu lines of output dropped in %.1f s (over its budget of %d "
                   "lines at once, then %d a second)",
                   b->identity, (unsigned long long)b->dropped, secs, b->burst_lines,
                   b->lines_per_sec);
    b->dropped = 0;
}

/* Every report period while lines are dropped; a period without drops
 * (the flood is over and reported) ends it. */
static void on_report(vt_loop *loop, vt_timer *timer, void *ctx)
{
    vt_output_budget *b = ctx;
    if (b->dropped) {
        vt_output_budget_report(b);
        return;
    }
    vt_timer_cancel(loop, timer);
    b->report_timer = NULL;
}

static void drop(vt_output_budget *b, int64_t now)
{
    if (b->dropped++ == 0)
        b->first_drop_ms = now;
    if (!b->report_timer)
        b->report_timer = vt_loop_every(b->loop, b->report_ms, b->report_ms, on_report, b);
}

/* Whether one more line may be logged now (a token bucket). */
static bool take(vt_output_budget *b)
{
    if (!b || b->lines_per_sec < 0)
        return true;
    int64_t now = vt_time_monotonic_ms();
    /* n lines a second is n thousandths of a line a millisecond */
    b->tokens += (now - b->refilled_ms) * b->lines_per_sec;
    if (b->tokens > (int64_t)b->burst_lines * 1000)
        b->tokens = (int64_t)b->burst_lines * 1000;
    b->refilled_ms = now;
    if (b->tokens >= 1000) {
        b->tokens -= 1000;
        return true;
    }
    drop(b, now);
    return false;
}

vt_output_budget *vt_output_budget_new(vt_loop *loop, const char *identity,
                                       const vt_output_limits *limits)
{
    vt_output_limits l = limits ? *limits : (vt_output_limits){0};
    vt_output_budget *b = vt_calloc(1, sizeof *b);
    b->loop = loop;
    b->identity = vt_strdup(identity);
    b->lines_per_sec = l.lines_per_sec ? l.lines_per_sec : VT_OUTPUT_LINES_PER_SEC;
    b->burst_lines = l.burst_lines > 0 ? l.burst_lines : VT_OUTPUT_BURST_LINES;
    b->report_ms = l.report_ms > 0 ? l.report_ms : VT_OUTPUT_REPORT_MS;
    b->tokens = (int64_t)b->burst_lines * 1000;
    b->refilled_ms = vt_time_monotonic_ms();
    return b;
}

void vt_output_budget_destroy(vt_output_budget **bp)
{
    if (!bp || !*bp)
        return;
    vt_output_budget *b = *bp;
    vt_output_budget_report(b);
    if (b->report_timer)
        vt_timer_cancel(b->loop, b->report_timer);
    free(b->identity);
    free(b);
    *bp = NULL;
}

/* ---- the pipe ---- */

/* One line, if the budget allows. */
static void emit(vt_output *o, const char *line)
{
    if (take(o->budget))
        vt_output_log_line(o->identity, o->is_stderr, line);
    else
        o->over = true;
}

/* Log every complete line in the buffer; with flush, the rest too. */
static void drain(vt_output *o, bool flush)
{
    size_t start = 0;
    for (size_t i = 0; i < o->len; i++) {
        if (o->buf[i] != '\n')
            continue;
        o->buf[i] = '\0';
        size_t end = i;
        if (end > start && o->buf[end - 1] == '\r')
            o->buf[end - 1] = '\0';
        emit(o, o->buf + start);
        start = i + 1;
    }
    memmove(o->buf, o->buf + start, o->len - start);
    o->len -= start;
    if ((flush || o->len == MAX_LINE) && o->len) {
        o->buf[o->len] = '\0';
        emit(o, o->buf);
        o->len = 0;
    }
}

static void on_readable(vt_loop *loop, int fd, unsigned events, void *ctx);

static void resume(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)timer;
    vt_output *o = ctx;
    o->resume_timer = NULL;
    vt_loop_add_fd(loop, o->fd, VT_LOOP_READ, on_readable, o);
}

static void pause_reading(vt_output *o)
{
    vt_loop_remove_fd(o->loop, o->fd);
    o->resume_timer = vt_loop_after(o->loop, PAUSE_MS, resume, o);
}

static void close_fd(vt_output *o)
{
    if (o->fd < 0)
        return;
    if (o->resume_timer) {
        vt_timer_cancel(o->loop, o->resume_timer);
        o->resume_timer = NULL;
    } else {
        vt_loop_remove_fd(o->loop, o->fd);
    }
    close(o->fd);
    o->fd = -1;
}

/* Read up to max bytes of what is there; false at EOF or error. */
static bool pull(vt_output *o, size_t max)
{
    size_t got = 0;
    while (got < max) {
        /* drain leaves less than MAX_LINE in the buffer: room >= 1 */
        size_t room = MAX_LINE - o->len;
        if (room > max - got)
            room = max - got;
        ssize_t n = read(o->fd, o->buf + o->len, room);
        if (n > 0) {
            o->len += (size_t)n;
            got += (size_t)n;
            drain(o, false);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 && errno == EAGAIN;
    }
    return true;
}

static void on_readable(vt_loop *loop, int fd, unsigned events, void *ctx)
{
    (void)loop;
    (void)fd;
    (void)events;
    vt_output *o = ctx;
    o->over = false;
    if (!pull(o, READ_PER_WAKEUP)) {
        drain(o, true);
        close_fd(o);
        vt_output_budget_report(o->budget); /* its output is over: so is any flood */
    } else if (o->over) {
        pause_reading(o);
    }
}

vt_output *vt_output_new(vt_loop *loop, int fd, const char *identity, bool is_stderr,
                         vt_output_budget *budget)
{
    vt_output *o = vt_calloc(1, sizeof *o);
    o->loop = loop;
    o->fd = fd;
    o->identity = vt_strdup(identity);
    o->is_stderr = is_stderr;
    o->budget = budget;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    vt_loop_add_fd(loop, fd, VT_LOOP_READ, on_readable, o);
    return o;
}

bool vt_output_done(const vt_output *o)
{
    return o->fd < 0;
}

void vt_output_destroy(vt_output **op)
{
    if (!op || !*op)
        return;
    vt_output *o = *op;
    /* bounded: a writer still alive (a child left behind) may never stop */
    if (o->fd >= 0)
        pull(o, READ_PER_WAKEUP);
    drain(o, true);
    close_fd(o);
    free(o->identity);
    free(o);
    *op = NULL;
}
