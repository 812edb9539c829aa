/* The pub/sub interface (actuator.md §5): requests arrive on
 * devices/actuators/{schedule/request,get,set,revert/point,revert/device}/...
 * and answers go out on the value, write, reverted, error and
 * schedule/result topics. The requester is always the publisher's
 * identity; a requesterID in the request's headers is ignored. */
#include <stdlib.h>
#include <string.h>

#include "actuator.h"
#include "request.h"

/* What follows "<prefix>/" in topic: VOLTTRON removes the first occurrence
 * of it (topic.replace(prefix + '/', '', 1)). A new string. */
static char *after_prefix(const char *topic, const char *prefix)
{
    char *pat = vt_asprintf("%s/", prefix);
    const char *at = strstr(topic, pat);
    char *rest;
    if (!at) {
        rest = vt_strdup(topic);
    } else {
        size_t before = (size_t)(at - topic), plen = strlen(pat);
        rest = vt_malloc(strlen(topic) - plen + 1);
        memcpy(rest, topic, before);
        strcpy(rest + before, at + plen);
    }
    free(pat);
    return rest;
}

/* A request in flight: where its errors and values go. */
typedef struct pending {
    char *point;    /* the topic's remainder: "<device>/<point>" or "<device>" */
    cJSON *headers; /* {time, requesterID} taken when the request arrived */
} pending;

static pending *pending_new(const char *point, const char *requester)
{
    pending *p = vt_calloc(1, sizeof *p);
    p->point = vt_strdup(point);
    p->headers = act_headers(requester, NULL, NULL);
    return p;
}

static void pending_free(pending *p)
{
    free(p->point);
    cJSON_Delete(p->headers);
    free(p);
}

/* Success publishes (write/value/reverted) are made by the operation
 * itself; only failures are left to report here. */
static void report_failure(actuator *a, const cJSON *value, const act_failure *f, void *ctx)
{
    (void)value;
    pending *p = ctx;
    if (f)
        act_publish_error(a, p->point, p->headers, f);
    pending_free(p);
}

static void got_value(actuator *a, const cJSON *value, const act_failure *f, void *ctx)
{
    pending *p = ctx;
    if (f)
        act_publish_error(a, p->point, p->headers, f);
    else
        act_publish_pair(a, ACT_TOPIC_VALUE, p->point, p->headers, value);
    pending_free(p);
}

static void start(actuator *a, act_op_kind kind, const vt_pubsub_message *m, const char *prefix,
                  const cJSON *value, act_op_done done)
{
    char *point = after_prefix(vt_pubsub_topic(m), prefix);
    const char *requester = vt_pubsub_sender(m);
    pending *p = pending_new(point, requester);
    cJSON *topic = cJSON_CreateString(point);
    act_op_start(a, kind, requester, topic, NULL, value, NULL, done, p);
    cJSON_Delete(topic);
    free(point);
}

static void on_get(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    start(ctx, ACT_OP_GET, m, ACT_TOPIC_GET, NULL, got_value);
}

static void on_set(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    actuator *a = ctx;
    const cJSON *value = vt_pubsub_body(m);
    /* [QUIRK] VOLTTRON refuses every falsy message (`if not message`), so
     * 0, false, "" and [] can never be written over pub/sub. Deliberately
     * not copied: only a missing (null) value is "missing argument"; 0 and
     * false are values like any other. */
    if (cJSON_IsNull(value)) {
        char *point = after_prefix(vt_pubsub_topic(m), ACT_TOPIC_SET);
        pending *p = pending_new(point, vt_pubsub_sender(m));
        act_failure f = {.exc_type = "builtins.ValueError", .message = "missing argument"};
        act_publish_error(a, p->point, p->headers, &f);
        pending_free(p);
        free(point);
        return;
    }
    start(a, ACT_OP_SET, m, ACT_TOPIC_SET, value, report_failure);
}

static void on_revert_point(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    start(ctx, ACT_OP_REVERT_POINT, m, ACT_TOPIC_REVERT_POINT, NULL, report_failure);
}

static void on_revert_device(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    start(ctx, ACT_OP_REVERT_DEVICE, m, ACT_TOPIC_REVERT_DEVICE, NULL, report_failure);
}

/* An error while handling a schedule request, with the request's own
 * headers. */
static void schedule_error(actuator *a, const cJSON *headers, const char *error)
{
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "result", "FAILURE");
    cJSON_AddItemToObject(msg, "data", cJSON_CreateObject());
    char *info = vt_asprintf("MALFORMED_REQUEST: %s", error);
    cJSON_AddStringToObject(msg, "info", info);
    vt_log_error(ACT_SRC, "bad schedule request: %s", error);
    vt_pubsub_publish(a->agent, ACT_TOPIC_SCHEDULE_RESULT, headers, msg);
    free(info);
    cJSON_Delete(msg);
}

static void on_schedule_request(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    actuator *a = ctx;
    const cJSON *headers = vt_pubsub_headers(m);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(headers, "type");
    const cJSON *task_id = cJSON_GetObjectItemCaseSensitive(headers, "taskID");
    const cJSON *priority = cJSON_GetObjectItemCaseSensitive(headers, "priority");
    const char *sender = vt_pubsub_sender(m);
    cJSON *result = NULL;
    if (cJSON_IsString(type) && strcmp(type->valuestring, "NEW_SCHEDULE") == 0) {
        char *error = NULL;
        const cJSON *requests = act_requests_unwrap(vt_pubsub_body(m), &error);
        if (!requests) {
            schedule_error(a, headers, error);
            free(error);
            return;
        }
        result = act_reserve_new(a, sender, task_id, priority, requests, true);
    } else if (cJSON_IsString(type) && strcmp(type->valuestring, "CANCEL_SCHEDULE") == 0) {
        result = act_reserve_cancel(a, sender, task_id, true);
    } else {
        cJSON *msg = cJSON_CreateObject();
        cJSON_AddStringToObject(msg, "result", "FAILURE");
        cJSON_AddItemToObject(msg, "data", cJSON_CreateObject());
        cJSON_AddStringToObject(msg, "info", "INVALID_REQUEST_TYPE");
        vt_pubsub_publish(a->agent, ACT_TOPIC_SCHEDULE_RESULT, headers, msg);
        cJSON_Delete(msg);
    }
    cJSON_Delete(result);
}

void act_pubsub_subscribe(actuator *a)
{
    if (a->subscribed)
        return;
    vt_pubsub_subscribe(a->agent, ACT_TOPIC_GET, on_get, a);
    vt_pubsub_subscribe(a->agent, ACT_TOPIC_SET, on_set, a);
    vt_pubsub_subscribe(a->agent, ACT_TOPIC_SCHEDULE_REQUEST, on_schedule_request, a);
    vt_pubsub_subscribe(a->agent, ACT_TOPIC_REVERT_POINT, on_revert_point, a);
    vt_pubsub_subscribe(a->agent, ACT_TOPIC_REVERT_DEVICE, on_revert_device, a);
    a->subscribed = true;
}
