/* Headers and the result topics the actuator publishes (actuator.md §5). */
#include <stdlib.h>
#include <string.h>

#include "actuator.h"
#include "pytext.h"

cJSON *act_headers(const char *requester, const char *time, const cJSON *task_id)
{
    cJSON *h = cJSON_CreateObject();
    char now[VT_TIME_BUFSZ];
    if (!time) {
        vt_time_format_utc(vt_time_now_us(), now);
        time = now;
    }
    cJSON_AddStringToObject(h, "time", time);
    if (requester)
        cJSON_AddStringToObject(h, "requesterID", requester);
    if (task_id && !cJSON_IsNull(task_id))
        cJSON_AddItemToObject(h, "taskID", cJSON_Duplicate(task_id, 1));
    return h;
}

void act_publish_pair(actuator *a, const char *prefix, const char *point, const cJSON *headers,
                      const cJSON *value)
{
    char *joined = vt_asprintf("%s/%s", prefix, point);
    char *topic = vt_topic_normalize(joined);
    cJSON *null = value ? NULL : cJSON_CreateNull();
    if (vt_pubsub_publish(a->agent, topic, headers, value ? value : null) < 0)
        vt_log_warning(ACT_SRC, "could not publish on %s: %s", topic, vt_last_error());
    cJSON_Delete(null);
    free(topic);
    free(joined);
}

void act_publish_error(actuator *a, const char *point, const cJSON *headers,
                       const act_failure *failure)
{
    cJSON *error = cJSON_CreateObject();
    const vt_rpc_result *remote = failure->remote;
    if (remote && remote->status == VT_RPC_ERROR) {
        /* An error the driver raised: its exception's dotted type, and
         * [QUIRK] str() of its argument list, e.g.
         * "['Trying to write to a point configured read only: X']". Kept:
         * VOLTTRON's clients and tests compare against exactly this. */
        const cJSON *exc = cJSON_GetObjectItemCaseSensitive(remote->data, "exception.py");
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(exc, "exc_args");
        if (remote->exc_type && args) {
            vt_buf b;
            vt_buf_init(&b);
            act_py_str(&b, args);
            cJSON_AddStringToObject(error, "type", remote->exc_type);
            cJSON_AddStringToObject(error, "value", b.data ? b.data : "");
            vt_buf_free(&b);
        } else {
            cJSON_AddStringToObject(error, "type", "RemoteError");
            cJSON_AddStringToObject(error, "value",
                                    remote->detail ? remote->detail : remote->message);
        }
    } else {
        /* Raised here (LockError, ValueError, ...): the bare class name. */
        const char *dot = strrchr(failure->exc_type, '.');
        cJSON_AddStringToObject(error, "type", dot ? dot + 1 : failure->exc_type);
        cJSON_AddStringToObject(error, "value", failure->message);
    }
    char *text = vt_json_dump(error, 0);
    vt_log_debug(ACT_SRC, "Actuator Agent Error: %s", text);
    free(text);
    act_publish_pair(a, ACT_TOPIC_ERROR, point, headers, error);
    cJSON_Delete(error);
}
