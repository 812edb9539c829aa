/* New and cancelled schedules (actuator.md §4.1, §4.2, §5.2, §5.3): the
 * part shared by the RPC methods and the pub/sub request topic. */
#include <stdlib.h>
#include <string.h>

#include "actuator.h"
#include "request.h"

static void publish_result(actuator *a, const cJSON *headers, const cJSON *result)
{
    if (vt_pubsub_publish(a->agent, ACT_TOPIC_SCHEDULE_RESULT, headers, result) < 0)
        vt_log_warning(ACT_SRC, "could not publish a schedule result: %s", vt_last_error());
}

/* §5.3: tell the preempted task's agent, on the result topic. */
static void publish_preempted(actuator *a, const cJSON *pair, const char *by_agent,
                              const cJSON *by_task)
{
    const cJSON *agent = cJSON_GetArrayItem(pair, 0);
    const cJSON *task = cJSON_GetArrayItem(pair, 1);
    cJSON *headers = act_headers(agent->valuestring, NULL, task);
    cJSON_AddStringToObject(headers, "type", "CANCEL_SCHEDULE");
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "result", "PREEMPTED");
    /* [DOC≠CODE] the documentation says info None; the code sends "". */
    cJSON_AddStringToObject(msg, "info", "");
    cJSON *data = cJSON_AddObjectToObject(msg, "data");
    cJSON_AddStringToObject(data, "agentID", by_agent);
    cJSON_AddItemToObject(data, "taskID", cJSON_Duplicate(by_task, 1));
    publish_result(a, headers, msg);
    cJSON_Delete(msg);
    cJSON_Delete(headers);
}

cJSON *act_reserve_new(actuator *a, const char *sender, const cJSON *task_id, const cJSON *priority,
                       const cJSON *requests, bool publish)
{
    int64_t now = vt_time_now_us();
    cJSON *headers = act_headers(sender, NULL, task_id);
    cJSON_AddStringToObject(headers, "type", "NEW_SCHEDULE");

    act_slot_req *reqs = NULL;
    size_t n = 0;
    char *error = NULL;
    if (act_requests_parse(requests, &reqs, &n, &error) < 0) {
        act_result bad = {.success = false, .info = vt_asprintf("MALFORMED_REQUEST: %s", error)};
        cJSON *result = act_result_json(&bad);
        vt_log_error(ACT_SRC, "bad request from %s: %s", sender, error);
        /* [QUIRK] VOLTTRON publishes this failure on the result topic even
         * when the request came by RPC. Kept: listeners of the result
         * topic see every malformed request, as they do with VOLTTRON. */
        publish_result(a, headers, result);
        act_result_clear(&bad);
        free(error);
        cJSON_Delete(headers);
        return result;
    }

    act_result res;
    act_schedule_request(a->schedule, sender, task_id, priority, reqs, n, now, &res);
    if (res.success) {
        act_persist_save(a, now);
        /* [QUIRK] only the announce of the request's last device goes out
         * now (if its slot is active); the others wait for the next update
         * event, which is planned again here. Kept as VOLTTRON does it. */
        act_update(a, now, reqs[n - 1].device, true);
        if (cJSON_IsArray(res.data)) {
            const cJSON *pair;
            cJSON_ArrayForEach (pair, res.data)
                publish_preempted(a, pair, sender, task_id);
        }
    } else {
        vt_log_debug(ACT_SRC, "schedule request of %s refused: %s", sender, res.info);
    }
    act_requests_free(reqs, n);
    cJSON *result = act_result_json(&res);
    if (publish)
        publish_result(a, headers, result);
    act_result_clear(&res);
    cJSON_Delete(headers);
    return result;
}

cJSON *act_reserve_cancel(actuator *a, const char *sender, const cJSON *task_id, bool publish)
{
    int64_t now = vt_time_now_us();
    act_result res;
    act_schedule_cancel(a->schedule, sender, task_id, now, &res);
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "result", res.success ? "SUCCESS" : "FAILURE");
    cJSON_AddStringToObject(msg, "info", res.info);
    cJSON_AddItemToObject(msg, "data", cJSON_CreateObject());
    if (publish) {
        cJSON *headers = act_headers(sender, NULL, task_id);
        cJSON_AddStringToObject(headers, "type", "CANCEL_SCHEDULE");
        publish_result(a, headers, msg);
        cJSON_Delete(headers);
    }
    if (res.success) {
        act_persist_save(a, now);
        /* the device table is brought up to date; no announce now */
        act_update(a, now, NULL, false);
    }
    act_result_clear(&res);
    return msg;
}
