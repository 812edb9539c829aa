/* The RPC methods of platform.actuator (actuator.md §4).
 *
 * Every method that needs the driver defers its answer (vt_rpc_defer) and
 * replies from the driver's callback: the agent keeps serving while the
 * driver works. The requester_id arguments are required (as in Python) and
 * ignored: the caller's identity as the router stamped it is used.
 *
 * An error the driver raised is passed to our caller as the driver sent it
 * (its code, message and data, so exc_type reads e.g. builtins.KeyError).
 * VOLTTRON instead re-raises it as a volttron.platform.jsonrpc.RemoteError
 * whose text holds "<exc_type>(<args>)"; forwarding the original lets
 * callers match the driver's exception class directly.
 */
#include <stdlib.h>
#include <string.h>

#include "actuator.h"
#include "args.h"
#include "pytext.h"

/* ---- binding ---- */

static bool bind(vt_rpc_request *req, const act_signature *sig, act_bound *b)
{
    char *error = NULL;
    if (act_bind(sig, vt_rpc_args(req), vt_rpc_kwargs(req), b, &error) < 0) {
        vt_rpc_raise(req, "builtins.TypeError", "%s", error);
        free(error);
        return false;
    }
    return true;
}

/* The requester is the agent the call came from (VOLTTRON: the message's
 * peer), whatever auth user its key maps to. */
static const char *caller(const vt_rpc_request *req)
{
    const char *c = vt_rpc_peer(req);
    return c ? c : "";
}

/* ---- answering from the driver's callback ---- */

static void reply_failure(vt_rpc_request *req, const act_failure *f)
{
    if (f->remote && f->remote->status == VT_RPC_ERROR)
        vt_rpc_reply_error(req, f->remote->code, f->remote->message, f->remote->data);
    else
        vt_rpc_reply_raise(req, f->exc_type, "%s", f->message);
}

static void reply_value(actuator *a, const cJSON *value, const act_failure *f, void *ctx)
{
    (void)a;
    if (f)
        reply_failure(ctx, f);
    else
        vt_rpc_reply(ctx, value ? cJSON_Duplicate(value, 1) : NULL);
}

/* revert_point and revert_device return None whatever the driver says. */
static void reply_none(actuator *a, const cJSON *value, const act_failure *f, void *ctx)
{
    (void)a;
    (void)value;
    if (f)
        reply_failure(ctx, f);
    else
        vt_rpc_reply(ctx, NULL);
}

/* ---- schedules ---- */

static const act_signature sig_new = {
    "request_new_schedule", {"requester_id", "task_id", "priority", "requests", NULL}, 4, false};
static const act_signature sig_cancel = {
    "request_cancel_schedule", {"requester_id", "task_id", NULL}, 2, false};

static cJSON *request_new_schedule(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    act_bound b;
    if (!bind(req, &sig_new, &b))
        return NULL;
    cJSON *r = act_reserve_new(ctx, caller(req), b.values[1], b.values[2], b.values[3], false);
    act_bound_clear(&b);
    return r;
}

static cJSON *request_cancel_schedule(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    act_bound b;
    if (!bind(req, &sig_cancel, &b))
        return NULL;
    cJSON *r = act_reserve_cancel(ctx, caller(req), b.values[1], false);
    act_bound_clear(&b);
    return r;
}

/* ---- one point ---- */

/* The four one-point methods differ only in their signature, the operation
 * and where topic, point and value sit among the bound arguments (-1: none). */
typedef struct {
    act_signature sig;
    act_op_kind kind;
    int topic, point, value;
    act_op_done reply;
} point_method;

static const point_method pm_get = {
    {"get_point", {"topic", "point", NULL}, 1, true}, ACT_OP_GET, 0, 1, -1, reply_value};
static const point_method pm_set = {
    {"set_point", {"requester_id", "topic", "value", "point", NULL}, 3, true},
    ACT_OP_SET,
    1,
    3,
    2,
    reply_value};
static const point_method pm_revert_point = {
    {"revert_point", {"requester_id", "topic", "point", NULL}, 2, true},
    ACT_OP_REVERT_POINT,
    1,
    2,
    -1,
    reply_none};
static const point_method pm_revert_device = {
    {"revert_device", {"requester_id", "topic", NULL}, 2, true},
    ACT_OP_REVERT_DEVICE,
    1,
    -1,
    -1,
    reply_none};

static cJSON *point_op(vt_rpc_request *req, actuator *a, const point_method *m)
{
    act_bound b;
    if (!bind(req, &m->sig, &b))
        return NULL;
    vt_rpc_defer(req);
    act_op_start(a, m->kind, caller(req), b.values[m->topic],
                 m->point < 0 ? NULL : b.values[m->point], m->value < 0 ? NULL : b.values[m->value],
                 b.extra, m->reply, req);
    act_bound_clear(&b);
    return NULL;
}

static cJSON *get_point(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    return point_op(req, ctx, &pm_get);
}

static cJSON *set_point(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    return point_op(req, ctx, &pm_set);
}

static cJSON *revert_point(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    return point_op(req, ctx, &pm_revert_point);
}

static cJSON *revert_device(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    return point_op(req, ctx, &pm_revert_device);
}

/* ---- scrape_all ---- */

static const act_signature sig_scrape = {"scrape_all", {"topic", NULL}, 1, false};

static void forwarded(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)agent;
    if (res->status == VT_RPC_OK) {
        vt_rpc_reply(ctx, res->value ? cJSON_Duplicate(res->value, 1) : NULL);
        return;
    }
    char buf[512];
    act_failure f = act_failure_from_result(res, buf, sizeof buf);
    reply_failure(ctx, &f);
}

static cJSON *scrape_all(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    actuator *a = ctx;
    act_bound b;
    if (!bind(req, &sig_scrape, &b))
        return NULL;
    const cJSON *topic = b.values[0];
    if (!cJSON_IsString(topic)) {
        vt_rpc_raise(req, "builtins.AttributeError", "'%s' object has no attribute 'strip'",
                     act_py_type(topic));
        act_bound_clear(&b);
        return NULL;
    }
    char *path = act_strip_slashes(topic->valuestring);
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString(path));
    free(path);
    act_bound_clear(&b);
    vt_rpc_defer(req);
    vt_rpc_call(agent, a->settings.driver_vip_identity, "scrape_all", params, ACT_DRIVER_TIMEOUT_MS,
                forwarded, req);
    return NULL;
}

/* ---- several points: one driver call per device, one after another ---- */

typedef struct multi {
    actuator *a;
    vt_rpc_request *req;
    const char *method; /* get_multiple_points / set_multiple_points */
    cJSON *devices;     /* {device: [point, ...] or [[point, value], ...]} */
    const cJSON *next;  /* the device to call next */
    cJSON *kwargs;
    cJSON *results;
    cJSON *errors; /* get only */
} multi;

static void multi_free(multi *m)
{
    cJSON_Delete(m->devices);
    cJSON_Delete(m->kwargs);
    cJSON_Delete(m->results);
    cJSON_Delete(m->errors);
    free(m);
}

static void merge_into(cJSON *into, const cJSON *from)
{
    const cJSON *it;
    cJSON_ArrayForEach (it, from) {
        cJSON_DeleteItemFromObjectCaseSensitive(into, it->string);
        cJSON_AddItemToObject(into, it->string, cJSON_Duplicate(it, 1));
    }
}

static void multi_step(multi *m);

static void multi_answered(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)agent;
    multi *m = ctx;
    if (res->status != VT_RPC_OK) {
        char buf[512];
        act_failure f = act_failure_from_result(res, buf, sizeof buf);
        reply_failure(m->req, &f);
        multi_free(m);
        return;
    }
    if (m->errors) {
        /* get_multiple_points answers [results, errors] */
        const cJSON *r = cJSON_GetArrayItem(res->value, 0);
        const cJSON *e = cJSON_GetArrayItem(res->value, 1);
        if (!cJSON_IsArray(res->value) || cJSON_GetArraySize(res->value) != 2 ||
            !cJSON_IsObject(r) || !cJSON_IsObject(e)) {
            vt_rpc_reply_raise(m->req, "builtins.ValueError",
                               "%s.get_multiple_points answered something other than "
                               "[results, errors]",
                               m->a->settings.driver_vip_identity);
            multi_free(m);
            return;
        }
        merge_into(m->results, r);
        merge_into(m->errors, e);
    } else if (cJSON_IsObject(res->value)) {
        merge_into(m->results, res->value);
    }
    m->next = m->next->next;
    multi_step(m);
}

static void multi_step(multi *m)
{
    if (!m->next) {
        cJSON *answer;
        if (m->errors) {
            answer = cJSON_CreateArray();
            cJSON_AddItemToArray(answer, m->results);
            cJSON_AddItemToArray(answer, m->errors);
            m->results = m->errors = NULL;
        } else {
            answer = m->results;
            m->results = NULL;
        }
        vt_rpc_reply(m->req, answer);
        multi_free(m);
        return;
    }
    cJSON *args = cJSON_CreateArray();
    cJSON_AddItemToArray(args, cJSON_CreateString(m->next->string));
    cJSON_AddItemToArray(args, cJSON_Duplicate(m->next, 1));
    cJSON *params = args;
    if (cJSON_GetArraySize(m->kwargs) > 0)
        params = vt_rpc_params(args, cJSON_Duplicate(m->kwargs, 1));
    vt_rpc_call(m->a->agent, m->a->settings.driver_vip_identity, m->method, params,
                ACT_DRIVER_TIMEOUT_MS, multi_answered, m);
}

/* A topic item of get/set_multiple_points: "<device>/<point>" or
 * [device, point, ...]. 1 with device and point set; 0 for an item to
 * report as "Invalid topic"; -1 when the whole call fails (raised on req). */
static int split_item(vt_rpc_request *req, const cJSON *item, char **device, const cJSON **point,
                      cJSON **point_owned)
{
    *point_owned = NULL;
    if (cJSON_IsString(item)) {
        char *stripped = act_strip_slashes(item->valuestring);
        char *slash = strrchr(stripped, '/');
        if (!slash) {
            free(stripped);
            vt_rpc_raise(req, "builtins.ValueError",
                         "not enough values to unpack (expected 2, got 1)");
            return -1;
        }
        *slash = '\0';
        *point_owned = cJSON_CreateString(slash + 1);
        *point = *point_owned;
        *device = stripped;
        return 1;
    }
    if (cJSON_IsArray(item) && cJSON_GetArraySize(item) > 1) {
        const cJSON *d = cJSON_GetArrayItem(item, 0);
        if (!cJSON_IsString(d)) {
            vt_rpc_raise(req, "builtins.AttributeError", "'%s' object has no attribute 'strip'",
                         act_py_type(d));
            return -1;
        }
        *device = act_strip_slashes(d->valuestring);
        *point = cJSON_GetArrayItem(item, 1);
        return 1;
    }
    return 0;
}

/* ValueError("Invalid topic: <str(item)>") as repr() shows it. */
static cJSON *invalid_topic(const cJSON *item)
{
    vt_buf b;
    vt_buf_init(&b);
    vt_buf_append_str(&b, "Invalid topic: ");
    act_py_str(&b, item);
    char *r = act_py_exc_repr("ValueError", b.data);
    vt_buf_free(&b);
    cJSON *s = cJSON_CreateString(r);
    free(r);
    return s;
}

static cJSON *device_list(cJSON *devices, const char *device)
{
    cJSON *list = cJSON_GetObjectItemCaseSensitive(devices, device);
    if (!list)
        list = cJSON_AddArrayToObject(devices, device);
    return list;
}

/* The items of a list argument, or NULL after raising TypeError. */
static cJSON *iterate_arg(vt_rpc_request *req, const cJSON *v)
{
    cJSON *items = act_py_iterate(v);
    if (!items)
        vt_rpc_raise(req, "builtins.TypeError", "'%s' object is not iterable", act_py_type(v));
    return items;
}

static const act_signature sig_get_multi = {"get_multiple_points", {"topics", NULL}, 1, true};
static const act_signature sig_set_multi = {
    "set_multiple_points", {"requester_id", "topics_values", NULL}, 2, true};

/* The shared start of both multi-point methods: bind the arguments, take
 * the list at argument `list` (as Python iterates it) into *items, and a
 * request state owning the keyword arguments. NULL when the call was
 * already answered with an error. */
static multi *multi_begin(vt_rpc_request *req, actuator *a, const act_signature *sig, int list,
                          cJSON **items)
{
    act_bound b;
    if (!bind(req, sig, &b))
        return NULL;
    *items = iterate_arg(req, b.values[list]);
    if (!*items) {
        act_bound_clear(&b);
        return NULL;
    }
    multi *m = vt_calloc(1, sizeof *m);
    m->a = a;
    m->method = sig->method;
    m->devices = cJSON_CreateObject();
    m->results = cJSON_CreateObject();
    m->kwargs = b.extra;
    b.extra = NULL;
    act_bound_clear(&b);
    return m;
}

/* Answer later, once every device's part is done (multi_step). */
static void multi_run(multi *m, vt_rpc_request *req)
{
    m->req = vt_rpc_defer(req);
    m->next = m->devices->child;
    multi_step(m);
}

static cJSON *get_multiple_points(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    cJSON *items;
    multi *m = multi_begin(req, ctx, &sig_get_multi, 0, &items);
    if (!m)
        return NULL;
    m->errors = cJSON_CreateObject();
    const cJSON *item;
    cJSON_ArrayForEach (item, items) {
        char *device = NULL;
        const cJSON *point;
        cJSON *owned;
        int rc = split_item(req, item, &device, &point, &owned);
        if (rc < 0) {
            cJSON_Delete(items);
            multi_free(m);
            return NULL;
        }
        if (rc == 0) {
            vt_buf key;
            vt_buf_init(&key);
            act_py_repr(&key, item);
            cJSON_DeleteItemFromObjectCaseSensitive(m->errors, key.data);
            cJSON_AddItemToObject(m->errors, key.data, invalid_topic(item));
            vt_buf_free(&key);
            continue;
        }
        cJSON_AddItemToArray(device_list(m->devices, device), cJSON_Duplicate(point, 1));
        cJSON_Delete(owned);
        free(device);
    }
    cJSON_Delete(items);
    multi_run(m, req);
    return NULL;
}

static cJSON *set_multiple_points(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    actuator *a = ctx;
    cJSON *items;
    multi *m = multi_begin(req, a, &sig_set_multi, 1, &items);
    if (!m)
        return NULL;
    const cJSON *item;
    cJSON_ArrayForEach (item, items) {
        /* for topic, value in topics_values */
        cJSON *pair = act_py_iterate(item);
        int n = pair ? cJSON_GetArraySize(pair) : -1;
        if (n != 2) {
            if (n < 0)
                vt_rpc_raise(req, "builtins.TypeError", "cannot unpack non-iterable %s object",
                             act_py_type(item));
            else if (n < 2)
                vt_rpc_raise(req, "builtins.ValueError",
                             "not enough values to unpack (expected 2, got %d)", n);
            else
                vt_rpc_raise(req, "builtins.ValueError", "too many values to unpack (expected 2)");
            cJSON_Delete(pair);
            cJSON_Delete(items);
            multi_free(m);
            return NULL;
        }
        const cJSON *topic = cJSON_GetArrayItem(pair, 0);
        const cJSON *value = cJSON_GetArrayItem(pair, 1);
        char *device = NULL;
        const cJSON *point;
        cJSON *owned;
        int rc = split_item(req, topic, &device, &point, &owned);
        if (rc < 0) {
            cJSON_Delete(pair);
            cJSON_Delete(items);
            multi_free(m);
            return NULL;
        }
        if (rc == 0) {
            vt_buf key;
            vt_buf_init(&key);
            act_py_str(&key, topic);
            cJSON_DeleteItemFromObjectCaseSensitive(m->results, key.data);
            cJSON_AddItemToObject(m->results, key.data, invalid_topic(topic));
            vt_buf_free(&key);
            cJSON_Delete(pair);
            continue;
        }
        cJSON *pv = cJSON_CreateArray();
        cJSON_AddItemToArray(pv, cJSON_Duplicate(point, 1));
        cJSON_AddItemToArray(pv, cJSON_Duplicate(value, 1));
        cJSON_AddItemToArray(device_list(m->devices, device), pv);
        cJSON_Delete(owned);
        cJSON_Delete(pair);
        free(device);
    }
    cJSON_Delete(items);
    /* Every device must be ours before anything is written. */
    const cJSON *dev;
    cJSON_ArrayForEach (dev, m->devices) {
        if (!act_may_write(a, dev->string, caller(req))) {
            vt_rpc_raise(req, ACT_LOCK_ERROR, "caller (%s) does not lock for device %s",
                         caller(req), dev->string);
            multi_free(m);
            return NULL;
        }
    }
    /* [QUIRK] no write/value publishes for these writes, as in VOLTTRON. */
    multi_run(m, req);
    return NULL;
}

/* ---- export ---- */

void act_rpc_export(actuator *a)
{
    static const struct {
        const char *name;
        vt_rpc_method fn;
        const char *params;
        const char *doc;
    } methods[] = {
        {"request_new_schedule", request_new_schedule, "requester_id, task_id, priority, requests",
         "Reserve devices for time slots: requests is [[device, start, end], ...]; priority "
         "HIGH, LOW or LOW_PREEMPT. Returns {result, data, info}."},
        {"request_cancel_schedule", request_cancel_schedule, "requester_id, task_id",
         "Cancel one of the caller's tasks. Returns {result, data, info}."},
        {"get_point", get_point, "topic, point=None, **kwargs",
         "The current value of a point (no reservation needed)."},
        {"set_point", set_point, "requester_id, topic, value, point=None, **kwargs",
         "Write a point of a device the caller holds; returns the value in effect."},
        {"scrape_all", scrape_all, "topic", "Every point of a device: {point: value}."},
        {"get_multiple_points", get_multiple_points, "topics, **kwargs",
         "Several points, one driver call per device: [results, errors]."},
        {"set_multiple_points", set_multiple_points, "requester_id, topics_values, **kwargs",
         "Write several points of devices the caller holds: {point: error} for failures."},
        {"revert_point", revert_point, "requester_id, topic, point=None, **kwargs",
         "Revert a point of a device the caller holds to its default."},
        {"revert_device", revert_device, "requester_id, topic, **kwargs",
         "Revert every writable point of a device the caller holds."},
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        vt_rpc_export_doc(a->agent, methods[i].name, methods[i].fn, a, methods[i].params,
                          methods[i].doc);
}
