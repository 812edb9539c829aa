/* Reads, writes and reverts forwarded to the platform driver (actuator.md
 * §4.3): the lock rule, the driver call (asynchronous: the answer arrives
 * in a callback), and the publishes that follow a success. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actuator.h"
#include "pytext.h"

typedef struct op {
    actuator *a;
    act_op_kind kind;
    char *requester;
    char *pub_topic; /* what the success publishes are about */
    cJSON *value;    /* the value requested (SET) */
    act_op_done done;
    void *ctx;
} op;

static void op_free(op *o)
{
    free(o->requester);
    free(o->pub_topic);
    cJSON_Delete(o->value);
    free(o);
}

/* VOLTTRON checks locks against the device table it recomputes at each
 * update event (slot boundaries rounded up to the second); ours asks the
 * schedule at the present instant, so a lock begins and ends exactly with
 * its slot. */
bool act_may_write(actuator *a, const char *device, const char *requester)
{
    char *d = act_strip_slashes(device);
    const char *holder = act_schedule_holder(a->schedule, d, vt_time_now_us());
    free(d);
    if (holder)
        return requester && strcmp(holder, requester) == 0;
    /* Nobody holds it: allowed when configured so (and, as in VOLTTRON,
     * never before the first configuration has been applied). */
    return a->configured && a->settings.allow_no_lock_write;
}

act_failure act_failure_from_result(const vt_rpc_result *res, char *buf, size_t size)
{
    act_failure f = {.remote = res};
    switch (res->status) {
    case VT_RPC_ERROR:
        f.exc_type = res->exc_type ? res->exc_type : "volttron.platform.jsonrpc.RemoteError";
        f.message = res->detail ? res->detail : res->message;
        break;
    case VT_RPC_UNREACHABLE:
        f.exc_type = "volttron.platform.vip.agent.errors.Unreachable";
        snprintf(buf, size, "%s", res->message);
        f.message = buf;
        break;
    case VT_RPC_TIMEOUT:
        f.exc_type = "gevent.timeout.Timeout";
        snprintf(buf, size, "%s", res->message);
        f.message = buf;
        break;
    default:
        f.exc_type = "volttron.platform.vip.agent.errors.VIPError";
        snprintf(buf, size, "%s", res->message ? res->message : "the call failed");
        f.message = buf;
        break;
    }
    return f;
}

static void local_failure(actuator *a, act_op_done done, void *ctx, const char *exc_type,
                          const char *message)
{
    act_failure f = {.exc_type = exc_type, .message = message};
    done(a, NULL, &f, ctx);
}

static void driver_answered(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)agent;
    op *o = ctx;
    actuator *a = o->a;
    if (res->status != VT_RPC_OK) {
        char buf[512];
        act_failure f = act_failure_from_result(res, buf, sizeof buf);
        o->done(a, NULL, &f, o->ctx);
        op_free(o);
        return;
    }
    cJSON *headers = act_headers(o->requester, NULL, NULL);
    switch (o->kind) {
    case ACT_OP_SET:
        act_publish_pair(a, ACT_TOPIC_WRITE, o->pub_topic, headers, o->value);
        act_publish_pair(a, ACT_TOPIC_VALUE, o->pub_topic, headers, res->value);
        break;
    case ACT_OP_REVERT_POINT:
        act_publish_pair(a, ACT_TOPIC_REVERTED_POINT, o->pub_topic, headers, NULL);
        break;
    case ACT_OP_REVERT_DEVICE:
        act_publish_pair(a, ACT_TOPIC_REVERTED_DEVICE, o->pub_topic, headers, NULL);
        break;
    case ACT_OP_GET:
        break;
    }
    cJSON_Delete(headers);
    o->done(a, res->value, NULL, o->ctx);
    op_free(o);
}

void act_op_start(actuator *a, act_op_kind kind, const char *requester, const cJSON *topic,
                  const cJSON *point, const cJSON *value, const cJSON *kwargs, act_op_done done,
                  void *ctx)
{
    if (!cJSON_IsString(topic)) {
        char *msg = vt_asprintf("'%s' object has no attribute 'strip'", act_py_type(topic));
        local_failure(a, done, ctx, "builtins.AttributeError", msg);
        free(msg);
        return;
    }
    char *stripped = act_strip_slashes(topic->valuestring);
    char *path = NULL;
    cJSON *point_name = NULL;
    char *pub_topic = NULL;
    bool point_given = point && !cJSON_IsNull(point);
    if (kind == ACT_OP_REVERT_DEVICE) {
        path = vt_strdup(stripped);
        pub_topic = vt_strdup(stripped);
    } else if (point_given) {
        path = vt_strdup(stripped);
        point_name = cJSON_Duplicate(point, 1);
        /* [QUIRK] VOLTTRON publishes write/value/reverted results on the
         * topic argument alone when point= is used, so the topic lacks the
         * point name. Deliberately not copied: ours always name the point,
         * as they do without point=. */
        vt_buf b;
        vt_buf_init(&b);
        vt_buf_appendf(&b, "%s/", stripped);
        act_py_str(&b, point);
        pub_topic = vt_buf_detach(&b, NULL);
    } else {
        const char *slash = strrchr(stripped, '/');
        if (!slash) {
            free(stripped);
            local_failure(a, done, ctx, "builtins.ValueError",
                          "not enough values to unpack (expected 2, got 1)");
            return;
        }
        path = vt_strndup(stripped, (size_t)(slash - stripped));
        point_name = cJSON_CreateString(slash + 1);
        pub_topic = vt_strdup(stripped);
    }
    free(stripped);

    if (kind != ACT_OP_GET && !act_may_write(a, path, requester)) {
        char *msg = kind == ACT_OP_SET
                        ? vt_asprintf("caller (%s) does not have this lock", requester)
                        : vt_strdup("caller does not have this lock");
        free(path);
        free(pub_topic);
        cJSON_Delete(point_name);
        local_failure(a, done, ctx, ACT_LOCK_ERROR, msg);
        free(msg);
        return;
    }

    static const char *const methods[] = {
        [ACT_OP_GET] = "get_point",
        [ACT_OP_SET] = "set_point",
        [ACT_OP_REVERT_POINT] = "revert_point",
        [ACT_OP_REVERT_DEVICE] = "revert_device",
    };
    cJSON *args = cJSON_CreateArray();
    cJSON_AddItemToArray(args, cJSON_CreateString(path));
    if (point_name)
        cJSON_AddItemToArray(args, point_name);
    if (kind == ACT_OP_SET)
        cJSON_AddItemToArray(args, value ? cJSON_Duplicate(value, 1) : cJSON_CreateNull());
    cJSON *params = args;
    if (cJSON_IsObject(kwargs) && cJSON_GetArraySize(kwargs) > 0)
        params = vt_rpc_params(args, cJSON_Duplicate(kwargs, 1));

    op *o = vt_calloc(1, sizeof *o);
    o->a = a;
    o->kind = kind;
    o->requester = vt_strdup(requester);
    o->pub_topic = pub_topic;
    o->value = value ? cJSON_Duplicate(value, 1) : NULL;
    o->done = done;
    o->ctx = ctx;
    vt_log_debug(ACT_SRC, "%s %s for %s", methods[kind], path, requester);
    free(path);
    vt_rpc_call(a->agent, a->settings.driver_vip_identity, methods[kind], params,
                ACT_DRIVER_TIMEOUT_MS, driver_answered, o);
}
