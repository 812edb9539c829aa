#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <volttron/utils/json.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "output.h"

/* A longer line is logged in pieces rather than growing without bound. */
#define MAX_LINE 16384

struct vt_output {
    vt_loop *loop;
    int fd;
    char *identity;
    bool is_stderr;
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
        vt_output_log_line(o->identity, o->is_stderr, o->buf + start);
        start = i + 1;
    }
    memmove(o->buf, o->buf + start, o->len - start);
    o->len -= start;
    if ((flush || o->len == MAX_LINE) && o->len) {
        o->buf[o->len] = '\0';
        vt_output_log_line(o->identity, o->is_stderr, o->buf);
        o->len = 0;
    }
}

static void close_fd(vt_output *o)
{
    if (o->fd < 0)
        return;
    vt_loop_remove_fd(o->loop, o->fd);
    close(o->fd);
    o->fd = -1;
}

/* Read what is there; false at EOF or error. */
static bool pull(vt_output *o)
{
    for (;;) {
        ssize_t n = read(o->fd, o->buf + o->len, MAX_LINE - o->len);
        if (n > 0) {
            o->len += (size_t)n;
            drain(o, false);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 && errno == EAGAIN;
    }
}

static void on_readable(vt_loop *loop, int fd, unsigned events, void *ctx)
{
    (void)loop;
    (void)fd;
    (void)events;
    vt_output *o = ctx;
    if (!pull(o)) {
        drain(o, true);
        close_fd(o);
    }
}

vt_output *vt_output_new(vt_loop *loop, int fd, const char *identity, bool is_stderr)
{
    vt_output *o = vt_calloc(1, sizeof *o);
    o->loop = loop;
    o->fd = fd;
    o->identity = vt_strdup(identity);
    o->is_stderr = is_stderr;
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
    if (o->fd >= 0)
        pull(o);
    drain(o, true);
    close_fd(o);
    free(o->identity);
    free(o);
    *op = NULL;
}
