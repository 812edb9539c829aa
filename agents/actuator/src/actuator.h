/* The actuator agent's state and the pieces that wire it to the bus:
 *
 *   main.c      configuration, heartbeat, start and stop
 *   announce.c  the schedule update event and its announce publishes (§5.5)
 *   reserve.c   new and cancelled schedules, shared by RPC and pub/sub (§4.1, §4.2)
 *   ops.c       reads, writes and reverts forwarded to the driver, with locks (§4.3)
 *   rpc.c       the RPC methods (§4)
 *   pubsub.c    the devices/actuators/... request topics (§5)
 *   publish.c   headers and result topics
 *   persist.c   the schedule state in the data directory
 */
#ifndef ACT_ACTUATOR_H
#define ACT_ACTUATOR_H

#include <stdbool.h>
#include <stdint.h>

#include <volttron/client/client.h>

#include "schedule.h"
#include "settings.h"

#define ACT_SRC "actuator"

/* How long the driver may take to answer a forwarded call. */
#define ACT_DRIVER_TIMEOUT_MS 60000
/* The heartbeat call's timeout (VOLTTRON's 20 s). */
#define ACT_HEARTBEAT_TIMEOUT_MS 20000

/* LockError's exc_type on the wire. VOLTTRON's agent module runs as
 * __main__ (`python -m actuator.agent`), so its LockError is most likely
 * "__main__.LockError" (actuator.md §4.4, [INFERRED]); callers should match
 * on the "LockError" suffix. */
#define ACT_LOCK_ERROR "__main__.LockError"

typedef struct actuator {
    vt_agent *agent;
    act_settings settings;
    cJSON *defaults; /* built-ins with the file configuration over them */
    bool configured; /* the first configuration has been applied */
    act_schedule *schedule;
    char *state_path; /* <data dir>/schedule_state.json */

    vt_timer *update_timer; /* the next schedule update event */
    int64_t update_at_us;   /* its planned time; 0 when none counts */
    bool updating;          /* update events started (first configuration) */

    vt_timer *heartbeat_timer;
    double heartbeat_period; /* of the running heartbeat timer */

    bool subscribed;
} actuator;

/* ---- announce.c ---- */

/* VOLTTRON's _update_device_state_and_schedule: bring the schedule to now,
 * publish the announce of every device with an active slot (only
 * device_only's when given; none when !publish), and plan the next update
 * event. */
void act_update(actuator *a, int64_t now_us, const char *device_only, bool publish);
void act_update_stop(actuator *a);

/* ---- reserve.c ---- */

/* _request_new_schedule / _request_cancel_schedule for sender: returns the
 * result dict (a new tree); publishes it on devices/actuators/schedule/result
 * when publish_result (the pub/sub interface). */
cJSON *act_reserve_new(actuator *a, const char *sender, const cJSON *task_id, const cJSON *priority,
                       const cJSON *requests, bool publish_result);
cJSON *act_reserve_cancel(actuator *a, const char *sender, const cJSON *task_id,
                          bool publish_result);

/* ---- ops.c ---- */

typedef enum act_op_kind {
    ACT_OP_GET,
    ACT_OP_SET,
    ACT_OP_REVERT_POINT,
    ACT_OP_REVERT_DEVICE,
} act_op_kind;

/* Why an operation failed. */
typedef struct act_failure {
    const char *exc_type;        /* dotted: "__main__.LockError", "builtins.ValueError" */
    const char *message;         /* str() of the exception */
    const vt_rpc_result *remote; /* the driver's failed answer, if that is why */
} act_failure;

typedef void (*act_op_done)(actuator *a, const cJSON *value, const act_failure *failure, void *ctx);

/* One point operation on behalf of requester (§4.3): topic is the "topic"
 * argument as received ("<device>/<point>", or the device when point is
 * given; for REVERT_DEVICE the device), value the value to write, kwargs
 * forwarded to the driver (may be NULL). Checks the lock for writes and
 * reverts, calls the driver, publishes the write/value/reverted topics on
 * success, then calls done exactly once (possibly before returning). */
void act_op_start(actuator *a, act_op_kind kind, const char *requester, const cJSON *topic,
                  const cJSON *point, const cJSON *value, const cJSON *kwargs, act_op_done done,
                  void *ctx);

/* The lock rule: may requester write to device now? */
bool act_may_write(actuator *a, const char *device, const char *requester);

/* The failure a driver's answer amounts to. */
act_failure act_failure_from_result(const vt_rpc_result *res, char *buf, size_t size);

/* ---- rpc.c / pubsub.c ---- */

void act_rpc_export(actuator *a);
void act_pubsub_subscribe(actuator *a);

/* ---- publish.c ---- */

/* {"time": time (or now, UTC), "requesterID": requester, "taskID": task}
 * (requester and task_id may be NULL: left out). A new tree. */
cJSON *act_headers(const char *requester, const char *time, const cJSON *task_id);
/* Publish value (NULL: null) on the normalised "<prefix>/<point>". */
void act_publish_pair(actuator *a, const char *prefix, const char *point, const cJSON *headers,
                      const cJSON *value);
/* The error message of a failure, {"type", "value"}, on
 * devices/actuators/error/<point>. */
void act_publish_error(actuator *a, const char *point, const cJSON *headers,
                       const act_failure *failure);

#define ACT_TOPIC_VALUE "devices/actuators/value"
#define ACT_TOPIC_WRITE "devices/actuators/write"
#define ACT_TOPIC_ERROR "devices/actuators/error"
#define ACT_TOPIC_REVERTED_POINT "devices/actuators/reverted/point"
#define ACT_TOPIC_REVERTED_DEVICE "devices/actuators/reverted/device"
#define ACT_TOPIC_SCHEDULE_RESULT "devices/actuators/schedule/result"
#define ACT_TOPIC_ANNOUNCE "devices/actuators/schedule/announce"
#define ACT_TOPIC_GET "devices/actuators/get"
#define ACT_TOPIC_SET "devices/actuators/set"
#define ACT_TOPIC_SCHEDULE_REQUEST "devices/actuators/schedule/request"
#define ACT_TOPIC_REVERT_POINT "devices/actuators/revert/point"
#define ACT_TOPIC_REVERT_DEVICE "devices/actuators/revert/device"

/* ---- persist.c ---- */

/* Restore the schedule from the data directory (a missing file is an empty
 * schedule; an unreadable one is set aside as <file>.corrupt and logged). */
void act_persist_load(actuator *a, int64_t now_us);
/* Save it (atomically: temporary file, fsync, rename). */
void act_persist_save(actuator *a, int64_t now_us);

#endif
