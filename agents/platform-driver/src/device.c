/* Devices: configuration, scrape schedule, operations, publishing, revert. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device.h"

#define LOG "platform.driver"
#define PUBLISH_ACK_MS 10000

/* ---- operations ---- */

typedef enum {
    OP_SCRAPE,     /* the periodic scrape: publish */
    OP_SCRAPE_RPC, /* scrape_all by RPC: answer */
    OP_GET,
    OP_SET,
    OP_GET_MULTI,
    OP_SET_MULTI,
    OP_REVERT,       /* revert_point / revert_device: write the targets */
    OP_IFACE_REVERT, /* the same by the interface's own revert */
    OP_HEARTBEAT,
} op_kind;

/* A write the operation makes: to a register, a value. */
typedef struct write_item {
    drv_register *r;
    cJSON *value; /* owned */
    int rc;
    drv_error err;
    cJSON *result; /* owned */
} write_item;

typedef struct op {
    op_kind kind;
    drv_device *d;
    vt_rpc_request *req; /* deferred RPC to answer, or NULL */
    drv_register *r;     /* OP_GET */
    write_item *writes;  /* OP_SET, OP_SET_MULTI, OP_REVERT, OP_HEARTBEAT */
    size_t nwrites;
    drv_register **reads; /* OP_GET_MULTI */
    size_t nreads;
    cJSON **read_values;
    drv_error *read_errs;
    int *read_rcs;
    cJSON *unknown;   /* OP_GET_MULTI / OP_SET_MULTI: errors for unknown points */
    int64_t sched_us; /* OP_SCRAPE: the planned time */
    /* outcome */
    int rc;
    drv_error err;
    cJSON *value; /* OP_GET result, or the scraped values */
    int64_t done_us;
    struct op *next;
} op;

struct drv_device {
    drv_ctx *ctx;
    char *path;
    const drv_iface_ops *ops;
    void *state;
    drv_registry reg;
    char *tz;
    int interval;
    int group, slot;
    int64_t offset_us;
    int64_t next_us;
    vt_timer *timer;
    char *heart_beat_point;
    int heartbeat;     /* the next value the heartbeat writes */
    int own_flags[4];  /* per-device publish flags: -1 unset */
    pub_flags flags;   /* in effect */
    char *meta_json;   /* every point's meta */
    char **point_meta; /* each point's, by register index */
    char *topic_all, *topic_breadth_all;
    op *queue, *queue_tail;
    bool busy;    /* an operation is running */
    bool removed; /* stopped: freed once idle */
};

/* ---- health ---- */

static void update_health(drv_ctx *ctx)
{
    size_t n = vt_map_size(ctx->failing);
    if (n == 0) {
        vt_health_set_status_text(ctx->agent, "GOOD", NULL);
        return;
    }
    vt_buf b;
    vt_buf_init(&b);
    size_t cursor = 0;
    const char *path;
    void *reason;
    while (vt_map_next(ctx->failing, &cursor, &path, &reason))
        vt_buf_appendf(&b, "%s%s: %s", b.len ? "; " : "", path, (const char *)reason);
    vt_health_set_status_text(ctx->agent, "BAD", b.data);
    vt_buf_free(&b);
}

static void set_failing(drv_ctx *ctx, const char *path, const char *reason)
{
    const char *old = vt_map_get(ctx->failing, path);
    if (reason) {
        if (old && strcmp(old, reason) == 0)
            return;
        vt_map_set(ctx->failing, path, vt_strdup(reason));
    } else {
        if (!old)
            return;
        vt_map_remove(ctx->failing, path);
        vt_log_info(LOG, "device %s: working again", path);
    }
    update_health(ctx);
}

/* ---- publishing with flow control (§6.5) ---- */

typedef struct pub_item {
    char *topic, *headers, *message;
    struct pub_item *next;
} pub_item;

static void pub_send(drv_ctx *ctx);

static void on_ack(vt_agent *agent, int count, void *c)
{
    (void)agent;
    drv_ctx *ctx = c;
    ctx->inflight--;
    if (count < 0)
        vt_log_warning(LOG, "a publish was not confirmed by the platform");
    pub_send(ctx);
}

static void pub_send(drv_ctx *ctx)
{
    int max = ctx->settings.max_concurrent_publishes;
    while (ctx->queue && (max < 1 || ctx->inflight < max)) {
        pub_item *p = ctx->queue;
        ctx->queue = p->next;
        if (!ctx->queue)
            ctx->queue_tail = NULL;
        if (vt_pubsub_publish_json_ack(ctx->agent, p->topic, p->headers, p->message, PUBLISH_ACK_MS,
                                       on_ack, ctx) == 0) {
            ctx->inflight++;
            ctx->publishes++;
        } else {
            vt_log_warning(LOG, "publish on %s failed: %s", p->topic, vt_last_error());
        }
        free(p->topic);
        free(p->headers);
        free(p->message);
        free(p);
    }
}

/* Queue a publish (all three strings taken). */
static void publish(drv_ctx *ctx, char *topic, char *headers, char *message)
{
    pub_item *p = vt_malloc(sizeof *p);
    *p = (pub_item){topic, headers, message, NULL};
    if (ctx->queue_tail)
        ctx->queue_tail->next = p;
    else
        ctx->queue = p;
    ctx->queue_tail = p;
    pub_send(ctx);
}

static int register_index(const drv_device *d, const drv_register *r)
{
    for (size_t i = 0; i < d->reg.n; i++)
        if (d->reg.v[i] == r)
            return (int)i;
    return -1;
}

/* Everything one scrape publishes, in 9.0.4's order: per point (depth then
 * breadth), then the depth-first all, then the breadth-first all. */
static void publish_scrape(drv_device *d, const cJSON *values, int64_t now_us, int64_t sync_us)
{
    drv_ctx *ctx = d->ctx;
    char *headers = pub_headers(now_us, sync_us);
    if (d->flags.depth || d->flags.breadth) {
        const cJSON *v;
        cJSON_ArrayForEach (v, values) {
            drv_register *r = drv_registry_find(&d->reg, v->string);
            int idx = r ? register_index(d, r) : -1;
            if (idx < 0)
                continue;
            char *value = vt_json_dump(v, 0);
            char *msg = vt_asprintf("[%s, %s]", value, d->point_meta[idx]);
            free(value);
            if (d->flags.depth)
                publish(ctx, pub_depth_topic(d->path, v->string), vt_strdup(headers),
                        vt_strdup(msg));
            if (d->flags.breadth)
                publish(ctx, pub_breadth_topic(d->path, v->string), vt_strdup(headers),
                        vt_strdup(msg));
            free(msg);
        }
    }
    if (d->flags.depth_all || d->flags.breadth_all) {
        char *vals = vt_json_dump(values, 0);
        char *msg = vt_asprintf("[%s, %s]", vals, d->meta_json);
        free(vals);
        if (d->flags.depth_all)
            publish(ctx, vt_strdup(d->topic_all), vt_strdup(headers), vt_strdup(msg));
        if (d->flags.breadth_all)
            publish(ctx, vt_strdup(d->topic_breadth_all), vt_strdup(headers), vt_strdup(msg));
        free(msg);
    }
    free(headers);
}

/* ---- running operations ---- */

static void run_op(void *arg)
{
    op *o = arg;
    drv_device *d = o->d;
    switch (o->kind) {
    case OP_SCRAPE:
    case OP_SCRAPE_RPC:
        o->value = cJSON_CreateObject();
        o->rc = d->ops->scrape_all(d->state, &d->reg, o->value, &o->err);
        break;
    case OP_GET:
        o->rc = d->ops->get_point(d->state, o->r, &o->value, &o->err);
        break;
    case OP_GET_MULTI:
        for (size_t i = 0; i < o->nreads; i++)
            o->read_rcs[i] =
                d->ops->get_point(d->state, o->reads[i], &o->read_values[i], &o->read_errs[i]);
        break;
    case OP_SET:
    case OP_SET_MULTI:
    case OP_REVERT:
    case OP_HEARTBEAT:
        for (size_t i = 0; i < o->nwrites; i++) {
            write_item *w = &o->writes[i];
            w->rc = d->ops->set_point(d->state, w->r, w->value, &w->result, &w->err);
        }
        break;
    case OP_IFACE_REVERT:
        o->rc = o->r ? d->ops->revert_point(d->state, o->r, &o->err)
                     : d->ops->revert_all(d->state, &d->reg, &o->err);
        break;
    }
    o->done_us = vt_time_now_us();
}

static void op_free(op *o)
{
    for (size_t i = 0; i < o->nwrites; i++) {
        cJSON_Delete(o->writes[i].value);
        cJSON_Delete(o->writes[i].result);
    }
    free(o->writes);
    for (size_t i = 0; i < o->nreads; i++)
        cJSON_Delete(o->read_values ? o->read_values[i] : NULL);
    free(o->reads);
    free(o->read_values);
    free(o->read_errs);
    free(o->read_rcs);
    cJSON_Delete(o->unknown);
    cJSON_Delete(o->value);
    free(o);
}

static void device_free(drv_device *d);
static void next_op(drv_device *d);

/* Python's repr of an exception, as get/set_multiple_points report errors:
 * "DriverInterfaceError('Point not configured on device: X')". */
static char *exception_repr(const drv_error *e)
{
    const char *dot = strrchr(e->type, '.');
    cJSON msg = {.type = cJSON_String, .valuestring = (char *)e->msg};
    vt_buf b;
    vt_buf_init(&b);
    vt_buf_appendf(&b, "%s(", dot ? dot + 1 : e->type);
    vt_json_repr_python(&b, &msg);
    vt_buf_append_char(&b, ')');
    return vt_buf_detach(&b, NULL);
}

static char *point_key(const drv_device *d, const char *point)
{
    return vt_asprintf("%s/%s", d->path, point);
}

/* Revert bookkeeping (§9.4) after a successful write by RPC. */
static void mark_written(drv_register *r)
{
    if (!r->default_value)
        r->dirty = true;
}

static void finish_scrape(op *o, bool publish_it)
{
    drv_device *d = o->d;
    drv_ctx *ctx = d->ctx;
    if (d->removed)
        return; /* a replaced device's last scrape: its successor reports */
    if (o->rc < 0) {
        ctx->scrape_failures++;
        char *reason = vt_asprintf("%s", o->err.msg);
        vt_log_error(LOG, "device %s: scrape failed: %s", d->path, o->err.msg);
        set_failing(ctx, d->path, reason);
        free(reason);
        return;
    }
    ctx->scrapes++;
    set_failing(ctx, d->path, NULL);
    /* clean values: the last scraped value of points without a default
     * that nobody has written since */
    for (size_t i = 0; i < d->reg.n; i++) {
        drv_register *r = d->reg.v[i];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o->value, r->name);
        if (!v) {
            vt_log_error(LOG, "device %s: failed to scrape point %s", d->path, r->name);
            continue;
        }
        if (!r->default_value && !r->dirty) {
            cJSON_Delete(r->clean_value);
            r->clean_value = cJSON_Duplicate(v, 1);
        }
    }
    if (publish_it && o->value->child)
        publish_scrape(d, o->value, o->done_us, o->sched_us - d->offset_us);
}

static void reply_error(vt_rpc_request *req, const drv_error *e)
{
    vt_rpc_reply_raise(req, e->type, "%s", e->msg);
}

static void op_done(void *arg, bool ran)
{
    op *o = arg;
    drv_device *d = o->d;
    if (!ran) {
        if (o->req)
            vt_rpc_reply_raise(o->req, "builtins.RuntimeError",
                               "the platform driver is "
                               "stopping");
    } else {
        switch (o->kind) {
        case OP_SCRAPE:
            finish_scrape(o, !d->removed);
            break;
        case OP_SCRAPE_RPC:
            finish_scrape(o, false);
            if (o->rc < 0) {
                reply_error(o->req, &o->err);
            } else {
                vt_rpc_reply(o->req, o->value);
                o->value = NULL;
            }
            break;
        case OP_GET:
            if (o->rc < 0) {
                reply_error(o->req, &o->err);
            } else {
                vt_rpc_reply(o->req, o->value);
                o->value = NULL;
            }
            break;
        case OP_SET: {
            write_item *w = &o->writes[0];
            if (w->rc < 0) {
                reply_error(o->req, &w->err);
            } else {
                mark_written(w->r);
                vt_rpc_reply(o->req, w->result);
                w->result = NULL;
            }
            break;
        }
        case OP_GET_MULTI: {
            cJSON *results = cJSON_CreateObject();
            cJSON *errors = o->unknown;
            o->unknown = NULL;
            for (size_t i = 0; i < o->nreads; i++) {
                char *key = point_key(d, o->reads[i]->name);
                if (o->read_rcs[i] < 0) {
                    char *repr = exception_repr(&o->read_errs[i]);
                    cJSON_AddStringToObject(errors, key, repr);
                    free(repr);
                } else {
                    cJSON_AddItemToObject(results, key, o->read_values[i]);
                    o->read_values[i] = NULL;
                }
                free(key);
            }
            cJSON *pair = cJSON_CreateArray();
            cJSON_AddItemToArray(pair, results);
            cJSON_AddItemToArray(pair, errors);
            vt_rpc_reply(o->req, pair);
            break;
        }
        case OP_SET_MULTI: {
            cJSON *errors = o->unknown;
            o->unknown = NULL;
            for (size_t i = 0; i < o->nwrites; i++) {
                write_item *w = &o->writes[i];
                if (w->rc == 0) {
                    mark_written(w->r);
                    continue;
                }
                char *key = point_key(d, w->r->name);
                char *repr = exception_repr(&w->err);
                cJSON_AddStringToObject(errors, key, repr);
                free(repr);
                free(key);
            }
            vt_rpc_reply(o->req, errors);
            break;
        }
        case OP_REVERT: {
            bool single = o->req && o->nwrites == 1 && o->r;
            for (size_t i = 0; i < o->nwrites; i++) {
                write_item *w = &o->writes[i];
                if (w->rc == 0)
                    w->r->dirty = false;
                else if (!single)
                    vt_log_warning(LOG, "device %s: reverting %s failed: %s", d->path, w->r->name,
                                   w->err.msg);
            }
            if (single && o->writes[0].rc < 0)
                reply_error(o->req, &o->writes[0].err);
            else if (o->req)
                vt_rpc_reply(o->req, NULL);
            break;
        }
        case OP_IFACE_REVERT:
            if (o->rc < 0) {
                reply_error(o->req, &o->err);
                break;
            }
            for (size_t i = 0; i < d->reg.n; i++)
                if (!o->r || d->reg.v[i] == o->r)
                    d->reg.v[i]->dirty = false;
            vt_rpc_reply(o->req, NULL);
            break;
        case OP_HEARTBEAT: {
            write_item *w = &o->writes[0];
            if (w->rc < 0)
                vt_log_warning(LOG, "Failed to set heart_beat point on device %s: %s", d->path,
                               w->err.msg);
            else
                mark_written(w->r);
            break;
        }
        }
    }
    op_free(o);
    d->busy = false;
    if (d->removed && !d->queue)
        device_free(d);
    else
        next_op(d);
}

/* Start the next queued operation, if none runs. */
static void next_op(drv_device *d)
{
    while (!d->busy && d->queue) {
        op *o = d->queue;
        d->queue = o->next;
        if (!d->queue)
            d->queue_tail = NULL;
        d->busy = true;
        if (d->ops->blocking) {
            drv_workers_submit(d->ctx->workers, run_op, op_done, o);
        } else {
            run_op(o);
            op_done(o, true); /* may free d when it was removed */
            return;
        }
    }
}

static bool scrape_queued(const drv_device *d)
{
    for (const op *o = d->queue; o; o = o->next)
        if (o->kind == OP_SCRAPE)
            return true;
    return false;
}

static void enqueue(drv_device *d, op *o)
{
    o->d = d;
    o->next = NULL;
    if (d->queue_tail)
        d->queue_tail->next = o;
    else
        d->queue = o;
    d->queue_tail = o;
    next_op(d);
}

static op *op_new(op_kind kind, vt_rpc_request *req)
{
    op *o = vt_calloc(1, sizeof *o);
    o->kind = kind;
    o->req = req ? vt_rpc_defer(req) : NULL;
    return o;
}

static write_item *add_write(op *o, drv_register *r, const cJSON *value)
{
    o->writes = vt_realloc(o->writes, (o->nwrites + 1) * sizeof *o->writes);
    write_item *w = &o->writes[o->nwrites++];
    memset(w, 0, sizeof *w);
    w->r = r;
    w->value = cJSON_Duplicate(value, 1);
    return w;
}

/* ---- scheduling ---- */

static void on_scrape_time(vt_agent *agent, void *ctx);

static void schedule_at(drv_device *d, int64_t when_us)
{
    d->next_us = when_us;
    int64_t delay = (when_us - vt_time_now_us()) / 1000;
    d->timer = vt_agent_after(d->ctx->agent, delay > 0 ? delay : 0, on_scrape_time, d);
}

static void on_scrape_time(vt_agent *agent, void *arg)
{
    (void)agent;
    drv_device *d = arg;
    d->timer = NULL;
    int64_t planned = d->next_us;
    if (d->busy || scrape_queued(d)) {
        /* the device is still busy (a slow one): skip rather than pile up */
        d->ctx->skipped++;
        vt_log_debug(LOG, "device %s: still busy, scrape skipped", d->path);
    } else {
        op *o = op_new(OP_SCRAPE, NULL);
        o->sched_us = planned;
        schedule_at(d, sched_next_us(planned, vt_time_now_us(), d->interval, d->offset_us));
        enqueue(d, o); /* may run at once */
        return;
    }
    schedule_at(d, sched_next_us(planned, vt_time_now_us(), d->interval, d->offset_us));
}

static void start_schedule(drv_device *d)
{
    bool wrapped;
    d->offset_us = sched_offset_us(d->slot, d->group, d->ctx->settings.scrape_interval,
                                   d->ctx->settings.group_offset, d->interval, &wrapped);
    if (wrapped)
        vt_log_warning(LOG,
                       "device %s: its scrape offset passes its interval (%d s): more "
                       "devices than fit share start times",
                       d->path, d->interval);
    if (d->timer)
        vt_agent_cancel(d->ctx->agent, d->timer);
    schedule_at(d, sched_first_us(vt_time_now_us(), d->interval, d->offset_us));
}

/* ---- configuration ---- */

static const char *const flag_names[4] = {"publish_depth_first_all", "publish_breadth_first_all",
                                          "publish_depth_first", "publish_breadth_first"};

static void effective_flags(drv_device *d)
{
    const pub_flags *m = &d->ctx->settings.flags;
    bool main_flags[4] = {m->depth_all, m->breadth_all, m->depth, m->breadth};
    bool f[4];
    for (int i = 0; i < 4; i++)
        f[i] = d->own_flags[i] >= 0 ? d->own_flags[i] : main_flags[i];
    d->flags = (pub_flags){f[0], f[1], f[2], f[3]};
}

/* A flag as the configuration gives it: JSON true/false or a number; the
 * strings "true"/"false" mean what they say (9.0.4 takes any non-empty
 * string as true, so "false" switched a flag on [QUIRK, not kept]). */
static int parse_flag(const cJSON *v)
{
    if (!v || cJSON_IsNull(v))
        return -1;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v);
    if (cJSON_IsNumber(v))
        return v->valuedouble != 0;
    if (cJSON_IsString(v))
        return strcasecmp(v->valuestring, "false") != 0 && strcmp(v->valuestring, "0") != 0 &&
               v->valuestring[0] != '\0';
    return 1;
}

/* interval as Python's int() reads it: 5.9 -> 5, "5" -> 5; anything else,
 * or below 1, is 60 with a warning. */
static int parse_interval(const cJSON *v, const char *path)
{
    if (!v || cJSON_IsNull(v))
        return 60;
    double d = NAN;
    if (cJSON_IsNumber(v))
        d = trunc(v->valuedouble);
    else if (cJSON_IsString(v)) {
        char *end;
        long l = strtol(v->valuestring, &end, 10);
        if (end != v->valuestring && !*end)
            d = (double)l;
    }
    if (!(d >= 1 && d <= INT_MAX)) {
        vt_log_warning(LOG,
                       "device %s: interval must be a whole number of seconds >= 1: using "
                       "60",
                       path);
        return 60;
    }
    return (int)d;
}

static void fail_config(drv_ctx *ctx, const char *path, const char *fmt, ...) VT_PRINTF(3, 4);

static void fail_config(drv_ctx *ctx, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = vt_vasprintf(fmt, ap);
    va_end(ap);
    vt_log_error(LOG, "device %s not started: %s", path, why);
    set_failing(ctx, path, why);
    free(why);
}

static void device_free(drv_device *d)
{
    if (d->state)
        d->ops->destroy(d->state);
    drv_registry_clear(&d->reg);
    for (size_t i = 0; d->point_meta && d->point_meta[i]; i++)
        free(d->point_meta[i]);
    free(d->point_meta);
    free(d->meta_json);
    free(d->topic_all);
    free(d->topic_breadth_all);
    free(d->heart_beat_point);
    free(d->tz);
    free(d->path);
    free(d);
}

/* Stop d: no more scrapes; operations still queued are answered with an
 * error; the running one (if any) finishes, then d goes. */
static void device_stop(drv_device *d)
{
    if (d->timer)
        vt_agent_cancel(d->ctx->agent, d->timer);
    d->timer = NULL;
    sched_slot_free(d->ctx->groups, d->group, d->slot);
    d->removed = true;
    while (d->queue) {
        op *o = d->queue;
        d->queue = o->next;
        if (o->req)
            vt_rpc_reply_raise(o->req, "builtins.RuntimeError",
                               "device %s was reconfigured or removed before this ran", d->path);
        op_free(o);
    }
    d->queue_tail = NULL;
    if (!d->busy)
        device_free(d);
}

void drv_device_remove(drv_ctx *ctx, const char *path)
{
    drv_device *d = vt_map_take(ctx->devices, path);
    if (vt_map_get(ctx->failing, path)) {
        vt_map_remove(ctx->failing, path);
        update_health(ctx);
    }
    if (d) {
        vt_log_info(LOG, "device %s stopped", path);
        device_stop(d);
    }
}

bool drv_device_configure(drv_ctx *ctx, const char *path, const cJSON *config)
{
    drv_device_remove(ctx, path);
    if (!cJSON_IsObject(config)) {
        fail_config(ctx, path, "its configuration must be a JSON object");
        return false;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(config, "driver_type");
    const cJSON *dconf = cJSON_GetObjectItemCaseSensitive(config, "driver_config");
    if (!cJSON_IsString(type)) {
        fail_config(ctx, path, "\"driver_type\" is missing (one of: %s)", drv_interface_names());
        return false;
    }
    const drv_iface_ops *ops = drv_interface(type->valuestring);
    if (!ops) {
        fail_config(ctx, path, "unknown driver_type \"%s\" (known: %s)", type->valuestring,
                    drv_interface_names());
        return false;
    }
    if (!cJSON_IsObject(dconf)) {
        fail_config(ctx, path, "\"driver_config\" must be an object (even if empty: {})");
        return false;
    }
    drv_device *d = vt_calloc(1, sizeof *d);
    d->ctx = ctx;
    d->path = vt_strdup(path);
    d->ops = ops;
    drv_error err = {0};
    d->state = ops->configure(dconf, cJSON_GetObjectItemCaseSensitive(config, "registry_config"),
                              &d->reg, &err);
    if (!d->state) {
        fail_config(ctx, path, "%s", err.msg);
        device_free(d);
        return false;
    }
    const cJSON *tz = cJSON_GetObjectItemCaseSensitive(config, "timezone");
    d->tz = vt_strdup(cJSON_IsString(tz) ? tz->valuestring : "");
    d->interval = parse_interval(cJSON_GetObjectItemCaseSensitive(config, "interval"), path);
    const cJSON *group = cJSON_GetObjectItemCaseSensitive(config, "group");
    d->group = cJSON_IsNumber(group) && group->valuedouble >= 0 ? (int)group->valuedouble : 0;
    const cJSON *hb = cJSON_GetObjectItemCaseSensitive(config, "heart_beat_point");
    if (cJSON_IsString(hb) && hb->valuestring[0]) {
        d->heart_beat_point = vt_strdup(hb->valuestring);
        if (!drv_registry_find(&d->reg, hb->valuestring))
            vt_log_warning(LOG, "device %s: heart_beat_point %s is not one of its points", path,
                           hb->valuestring);
    }
    d->heartbeat = 1;
    for (int i = 0; i < 4; i++)
        d->own_flags[i] = parse_flag(cJSON_GetObjectItemCaseSensitive(config, flag_names[i]));
    effective_flags(d);
    d->meta_json = pub_meta_json(&d->reg, d->tz);
    d->point_meta = vt_calloc(d->reg.n + 1, sizeof *d->point_meta);
    for (size_t i = 0; i < d->reg.n; i++) {
        vt_buf b;
        vt_buf_init(&b);
        pub_point_meta(&b, d->reg.v[i], d->tz);
        d->point_meta[i] = vt_buf_detach(&b, NULL);
    }
    d->topic_all = pub_depth_topic(path, "all");
    d->topic_breadth_all = pub_breadth_topic(path, "all");
    d->slot = sched_slot_take(ctx->groups, d->group);
    vt_map_set(ctx->devices, path, d);
    set_failing(ctx, path, NULL);
    start_schedule(d);
    vt_log_info(LOG, "device %s started: %s, %zu points, every %d s", path, ops->type, d->reg.n,
                d->interval);
    return true;
}

drv_device *drv_device_find(drv_ctx *ctx, const char *path)
{
    return vt_map_get(ctx->devices, path);
}

void drv_devices_reschedule(drv_ctx *ctx)
{
    /* slots renumbered in device order, as 9.0.4 does */
    sched_groups_reset(ctx->groups);
    size_t cursor = 0;
    void *v;
    while (vt_map_next(ctx->devices, &cursor, NULL, &v)) {
        drv_device *d = v;
        d->slot = sched_slot_take(ctx->groups, d->group);
        start_schedule(d);
    }
}

void drv_devices_set_flags(drv_ctx *ctx, const pub_flags *flags)
{
    ctx->settings.flags = *flags;
    size_t cursor = 0;
    void *v;
    while (vt_map_next(ctx->devices, &cursor, NULL, &v))
        effective_flags(v);
}

/* ---- RPC operations ---- */

static drv_register *point_or_raise(drv_device *d, vt_rpc_request *req, const char *point)
{
    drv_register *r = point ? drv_registry_find(&d->reg, point) : NULL;
    if (!r)
        vt_rpc_raise(req, DRV_INTERFACE_ERROR, "Point not configured on device: %s",
                     point ? point : "None");
    return r;
}

/* vt_rpc_raise answers a request still in its method; these are. */
void drv_rpc_get_point(drv_device *d, vt_rpc_request *req, const char *point)
{
    drv_register *r = point_or_raise(d, req, point);
    if (!r)
        return;
    op *o = op_new(OP_GET, req);
    o->r = r;
    enqueue(d, o);
}

void drv_rpc_set_point(drv_device *d, vt_rpc_request *req, const char *point, const cJSON *value)
{
    drv_register *r = point_or_raise(d, req, point);
    if (!r)
        return;
    op *o = op_new(OP_SET, req);
    add_write(o, r, value);
    enqueue(d, o);
}

void drv_rpc_scrape_all(drv_device *d, vt_rpc_request *req)
{
    enqueue(d, op_new(OP_SCRAPE_RPC, req));
}

void drv_rpc_get_multiple(drv_device *d, vt_rpc_request *req, const cJSON *points)
{
    op *o = op_new(OP_GET_MULTI, req);
    o->unknown = cJSON_CreateObject();
    size_t n = (size_t)cJSON_GetArraySize(points);
    o->reads = vt_calloc(n + 1, sizeof *o->reads);
    o->read_values = vt_calloc(n + 1, sizeof *o->read_values);
    o->read_errs = vt_calloc(n + 1, sizeof *o->read_errs);
    o->read_rcs = vt_calloc(n + 1, sizeof *o->read_rcs);
    const cJSON *p;
    cJSON_ArrayForEach (p, points) {
        const char *name = cJSON_IsString(p) ? p->valuestring : "None";
        drv_register *r = drv_registry_find(&d->reg, name);
        if (r) {
            o->reads[o->nreads++] = r;
        } else {
            drv_error e;
            drv_fail(&e, DRV_INTERFACE_ERROR, "Point not configured on device: %s", name);
            char *key = point_key(d, name), *repr = exception_repr(&e);
            cJSON_AddStringToObject(o->unknown, key, repr);
            free(key);
            free(repr);
        }
    }
    enqueue(d, o);
}

void drv_rpc_set_multiple(drv_device *d, vt_rpc_request *req, const cJSON *pairs)
{
    op *o = op_new(OP_SET_MULTI, req);
    o->unknown = cJSON_CreateObject();
    const cJSON *pair;
    cJSON_ArrayForEach (pair, pairs) {
        const cJSON *name = cJSON_GetArrayItem(pair, 0), *value = cJSON_GetArrayItem(pair, 1);
        const char *n = cJSON_IsString(name) ? name->valuestring : "None";
        drv_register *r = drv_registry_find(&d->reg, n);
        if (r && cJSON_GetArraySize(pair) == 2) {
            add_write(o, r, value);
        } else {
            drv_error e;
            if (r)
                drv_fail(&e, "builtins.ValueError", "expected [point, value], got %d items",
                         cJSON_GetArraySize(pair));
            else
                drv_fail(&e, DRV_INTERFACE_ERROR, "Point not configured on device: %s", n);
            char *key = point_key(d, n), *repr = exception_repr(&e);
            cJSON_AddStringToObject(o->unknown, key, repr);
            free(key);
            free(repr);
        }
    }
    enqueue(d, o);
}

/* What reverting r writes: its default, else its clean value, else nothing. */
static const cJSON *revert_target(const drv_register *r)
{
    return r->default_value ? r->default_value : r->clean_value;
}

void drv_rpc_revert_point(drv_device *d, vt_rpc_request *req, const char *point)
{
    drv_register *r = point_or_raise(d, req, point);
    if (!r)
        return;
    if (d->ops->revert_point) {
        op *o = op_new(OP_IFACE_REVERT, req);
        o->r = r;
        enqueue(d, o);
        return;
    }
    const cJSON *target = revert_target(r);
    if (!target) {
        r->dirty = false;
        return; /* nothing known to go back to: done, as 9.0.4 does */
    }
    op *o = op_new(OP_REVERT, req);
    o->r = r;
    add_write(o, r, target);
    enqueue(d, o);
}

void drv_rpc_revert_device(drv_device *d, vt_rpc_request *req)
{
    if (d->ops->revert_all) {
        enqueue(d, op_new(OP_IFACE_REVERT, req));
        return;
    }
    op *o = op_new(OP_REVERT, req);
    for (size_t i = 0; i < d->reg.n; i++) {
        drv_register *r = d->reg.v[i];
        const cJSON *target = revert_target(r);
        /* every dirty point and every point with a default (read-only ones
         * too, which then log a warning, as in 9.0.4) */
        if ((r->dirty || r->default_value) && target)
            add_write(o, r, target);
    }
    enqueue(d, o);
}

void drv_heart_beat(drv_ctx *ctx)
{
    size_t cursor = 0;
    void *v;
    while (vt_map_next(ctx->devices, &cursor, NULL, &v)) {
        drv_device *d = v;
        if (!d->heart_beat_point)
            continue;
        drv_register *r = drv_registry_find(&d->reg, d->heart_beat_point);
        if (!r) {
            vt_log_warning(LOG, "Failed to set heart_beat point on device %s: no point %s", d->path,
                           d->heart_beat_point);
            continue;
        }
        op *o = op_new(OP_HEARTBEAT, NULL);
        cJSON *value = cJSON_CreateNumber(d->heartbeat);
        add_write(o, r, value);
        cJSON_Delete(value);
        d->heartbeat = !d->heartbeat;
        enqueue(d, o);
    }
}

/* ---- the context ---- */

void drv_ctx_init(drv_ctx *ctx, vt_agent *agent)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->agent = agent;
    ctx->settings = (drv_settings){
        .scrape_interval = 0.02,
        .group_offset = 0.0,
        .flags = {.depth_all = true},
        .max_concurrent_publishes = 10000,
    };
    ctx->workers = drv_workers_new(vt_agent_loop(agent), 8);
    ctx->groups = sched_groups_new();
    ctx->devices = vt_map_new(NULL);
    ctx->failing = vt_map_new(free);
}

void drv_ctx_fini(drv_ctx *ctx)
{
    /* stop every device, then let running operations end */
    char **paths = vt_calloc(vt_map_size(ctx->devices) + 1, sizeof *paths);
    size_t n = 0, cursor = 0;
    const char *key;
    while (vt_map_next(ctx->devices, &cursor, &key, NULL))
        paths[n++] = vt_strdup(key);
    for (size_t i = 0; i < n; i++) {
        drv_device_remove(ctx, paths[i]);
        free(paths[i]);
    }
    free(paths);
    drv_workers_destroy(&ctx->workers);
    while (ctx->queue) {
        pub_item *p = ctx->queue;
        ctx->queue = p->next;
        free(p->topic);
        free(p->headers);
        free(p->message);
        free(p);
    }
    sched_groups_destroy(&ctx->groups);
    vt_map_destroy(&ctx->devices);
    vt_map_destroy(&ctx->failing);
}
