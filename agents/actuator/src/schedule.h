/* The actuator's schedule: tasks made of per-device time slots, conflicts,
 * priorities and preemption, who holds each device now, when the next
 * change happens, and the state as JSON for saving and restoring
 * (actuator.md §3, §4.1, §4.2).
 *
 * Pure logic: every operation takes "now" (microseconds since the epoch,
 * UTC) from the caller, so tests can walk time at will.
 */
#ifndef ACT_SCHEDULE_H
#define ACT_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "request.h"

typedef enum act_priority {
    ACT_PRIORITY_HIGH,
    ACT_PRIORITY_LOW,
    ACT_PRIORITY_LOW_PREEMPT,
} act_priority;

typedef enum act_task_state {
    ACT_TASK_PRE_RUN,
    ACT_TASK_RUNNING,
    ACT_TASK_PREEMPTED,
    ACT_TASK_FINISHED,
} act_task_state;

/* "HIGH", "LOW", "LOW_PREEMPT" (exact, case-sensitive): 0, or -1. */
int act_priority_parse(const char *text, act_priority *out);
const char *act_priority_name(act_priority p);
const char *act_task_state_name(act_task_state s);

typedef struct act_schedule act_schedule;

/* A new, empty schedule; grace_s is preempt_grace_time. Caller owns it. */
act_schedule *act_schedule_new(double grace_s);
void act_schedule_free(act_schedule **s);
/* preempt_grace_time changed live: applies to later preemptions. */
void act_schedule_set_grace(act_schedule *s, double grace_s);

/* The answer to a request or a cancel: {"result", "data", "info"}. */
typedef struct act_result {
    bool success;
    char *info;  /* "", "TASK_ID_ALREADY_EXISTS", ... */
    cJSON *data; /* {} / conflicts / [[agent, task], ...] preempted */
} act_result;

/* The result dict as sent: {"result": "SUCCESS"|"FAILURE", "data", "info"}
 * (a new tree). */
cJSON *act_result_json(const act_result *r);
void act_result_clear(act_result *r);

/* request_new_schedule (§4.1 rows 1-11) for parsed slots. agent_id NULL
 * means missing; task_id and priority are the JSON values received (NULL or
 * null: missing). On success with preemption, info is TASK_WERE_PREEMPTED
 * and data lists the preempted [agent, task] pairs (each of which must be
 * told); a conflict's data is {agent: {task: [[device, start, end], ...]}}
 * with the existing task's clashing slots in Python's str(datetime) form. */
void act_schedule_request(act_schedule *s, const char *agent_id, const cJSON *task_id,
                          const cJSON *priority, const act_slot_req *reqs, size_t n, int64_t now_us,
                          act_result *out);

/* request_cancel_schedule (§4.2). */
void act_schedule_cancel(act_schedule *s, const char *agent_id, const cJSON *task_id,
                         int64_t now_us, act_result *out);

/* Who holds a device now. */
typedef struct act_device_state {
    const char *device;
    const char *agent_id;
    const char *task_id;
    int64_t end_us; /* the active slot's end: window = end - now */
} act_device_state;

/* Bring the schedule to now (past slots and finished tasks go) and list
 * every device with an active slot: running tasks, then tasks preempted
 * and in their grace period, which take precedence. A new array in *out
 * (caller frees it; the strings are borrowed until the schedule changes);
 * returns the count. */
size_t act_schedule_states(act_schedule *s, int64_t now_us, act_device_state **out);

/* The agent holding device now (borrowed), or NULL when nobody does. */
const char *act_schedule_holder(act_schedule *s, const char *device, int64_t now_us);

/* The next slot start or end after now over all tasks, rounded up to a
 * whole second. false when there is none. */
bool act_schedule_next_event(act_schedule *s, int64_t now_us, int64_t *out_us);

/* us rounded up to a whole second (VOLTTRON rounds every planned event so). */
int64_t act_round_up_second(int64_t us);

/* Live tasks after bringing the schedule to now. */
size_t act_schedule_count(act_schedule *s, int64_t now_us);
/* A task's state (after act_schedule_count or any call that brings the
 * schedule to now), or -1 if there is no such task. */
int act_schedule_task_state(const act_schedule *s, const char *task_id);

/* The schedule as JSON for saving (brought to now first), and back. Loading
 * replaces what s holds; it returns 0, or -EINVAL with vt_last_error()
 * saying what is wrong (s is then left empty). */
cJSON *act_schedule_to_json(act_schedule *s, int64_t now_us);
int act_schedule_from_json(act_schedule *s, const cJSON *state, int64_t now_us);

#endif
