/* The schedule: slots, conflicts, priorities, preemption with grace,
 * who holds what, the next update event, and the state as JSON. */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/utils.h>

#include "schedule.h"

#define S INT64_C(1000000)

static int64_t at(const char *text)
{
    vt_timestamp t;
    ck_assert_msg(vt_time_parse(text, &t) == 0, "bad test time %s", text);
    ck_assert(t.aware);
    return t.us;
}

/* "device start end" triples, NULL-terminated. */
static act_slot_req *slots(size_t *n, ...)
{
    va_list ap;
    va_start(ap, n);
    act_slot_req *r = calloc(16, sizeof *r);
    *n = 0;
    const char *dev;
    while ((dev = va_arg(ap, const char *))) {
        const char *s = va_arg(ap, const char *), *e = va_arg(ap, const char *);
        r[*n].device = strcmp(dev, "<int>") == 0 ? NULL : strdup(dev);
        ck_assert(vt_time_parse(s, &r[*n].start) == 0);
        ck_assert(vt_time_parse(e, &r[*n].end) == 0);
        (*n)++;
    }
    va_end(ap);
    return r;
}

static act_schedule *sched;

static void setup(void)
{
    sched = act_schedule_new(60);
}

static void teardown(void)
{
    act_schedule_free(&sched);
    ck_assert_ptr_null(sched);
}

/* Request and check the info; returns the result (caller clears). */
static act_result request(const char *agent, const char *task, const char *prio, int64_t now,
                          const char *want_info, ...)
{
    va_list ap;
    va_start(ap, want_info);
    act_slot_req *r = calloc(16, sizeof *r);
    size_t n = 0;
    const char *dev;
    while ((dev = va_arg(ap, const char *))) {
        const char *s = va_arg(ap, const char *), *e = va_arg(ap, const char *);
        r[n].device = strdup(dev);
        ck_assert(vt_time_parse(s, &r[n].start) == 0);
        ck_assert(vt_time_parse(e, &r[n].end) == 0);
        n++;
    }
    va_end(ap);
    cJSON *tid = task ? cJSON_CreateString(task) : NULL;
    cJSON *pr = prio ? cJSON_CreateString(prio) : NULL;
    act_result res;
    act_schedule_request(sched, agent, tid, pr, r, n, now, &res);
    ck_assert_msg(strcmp(res.info, want_info) == 0, "info \"%s\", expected \"%s\"", res.info,
                  want_info);
    ck_assert(res.data);
    cJSON_Delete(tid);
    cJSON_Delete(pr);
    act_requests_free(r, n);
    return res;
}

static void request_ok(const char *agent, const char *task, const char *prio, int64_t now,
                       const char *dev, const char *start, const char *end)
{
    act_result res = request(agent, task, prio, now, "", dev, start, end, NULL);
    ck_assert(res.success);
    char *d = vt_json_dump(res.data, 0);
    ck_assert_str_eq(d, "{}");
    free(d);
    act_result_clear(&res);
}

static void check_holder(const char *device, const char *when, const char *want)
{
    const char *h = act_schedule_holder(sched, device, at(when));
    if (!want)
        ck_assert_msg(h == NULL, "%s held by %s at %s", device, h, when);
    else
        ck_assert_msg(h && strcmp(h, want) == 0, "%s held by %s at %s, expected %s", device,
                      h ? h : "nobody", when, want);
}

static char *dump(const cJSON *j)
{
    return vt_json_dump(j, 0);
}

#define NOW "2024-03-05T09:00:00+00:00"
#define DEV "campus/bldg/ahu1"

START_TEST(test_slot_grants_lock_only_inside)
{
    request_ok("a1", "t1", "LOW", at(NOW), DEV, "2024-03-05T10:00:00+00:00",
               "2024-03-05T11:00:00+00:00");
    check_holder(DEV, "2024-03-05T09:59:59.999999+00:00", NULL);
    check_holder(DEV, "2024-03-05T10:00:00+00:00", "a1");
    check_holder(DEV, "2024-03-05T10:59:59.999999+00:00", "a1");
    check_holder("campus/bldg/ahu2", "2024-03-05T10:30:00+00:00", NULL);
    ck_assert_int_eq(act_schedule_task_state(sched, "t1"), ACT_TASK_RUNNING);
    check_holder(DEV, "2024-03-05T11:00:00+00:00", NULL);
    /* the task is over and gone */
    ck_assert_uint_eq(act_schedule_count(sched, at("2024-03-05T11:00:00+00:00")), 0);
    ck_assert_int_eq(act_schedule_task_state(sched, "t1"), -1);
}
END_TEST

START_TEST(test_states_and_window)
{
    request_ok("a1", "t1", "LOW", at(NOW), DEV, "2024-03-05T09:00:00+00:00",
               "2024-03-05T09:15:00+00:00");
    request_ok("a2", "t2", "LOW", at(NOW), "other", "2024-03-05T08:00:00+00:00",
               "2024-03-05T10:00:00+00:00");
    act_device_state *st;
    size_t n = act_schedule_states(sched, at(NOW), &st);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(st[0].device, DEV);
    ck_assert_str_eq(st[0].agent_id, "a1");
    ck_assert_str_eq(st[0].task_id, "t1");
    ck_assert_int_eq(st[0].end_us - at(NOW), 900 * S);
    ck_assert_str_eq(st[1].device, "other");
    free(st);
}
END_TEST

START_TEST(test_back_to_back_and_overlap)
{
    request_ok("a1", "t1", "LOW", at(NOW), DEV, "2024-03-05T10:00:00+00:00",
               "2024-03-05T11:00:00+00:00");
    /* ends where the other starts, starts where it ends: no conflict */
    request_ok("a2", "t2", "LOW", at(NOW), DEV, "2024-03-05T09:30:00+00:00",
               "2024-03-05T10:00:00+00:00");
    request_ok("a2", "t3", "LOW", at(NOW), DEV, "2024-03-05T11:00:00+00:00",
               "2024-03-05T12:00:00+00:00");
    /* one microsecond of overlap is a conflict, reported with the existing
     * task's slot in Python's str(datetime) form */
    act_result r = request("a3", "t4", "LOW", at(NOW), "CONFLICTS_WITH_EXISTING_SCHEDULES", DEV,
                           "2024-03-05T10:59:59.999999+00:00", "2024-03-05T11:30:00+00:00", NULL);
    ck_assert(!r.success);
    char *d = dump(r.data);
    ck_assert_str_eq(d,
                     "{\"a1\": {\"t1\": [[\"campus/bldg/ahu1\", \"2024-03-05 10:00:00+00:00\", "
                     "\"2024-03-05 11:00:00+00:00\"]]}, \"a2\": {\"t3\": [[\"campus/bldg/ahu1\", "
                     "\"2024-03-05 11:00:00+00:00\", \"2024-03-05 12:00:00+00:00\"]]}}");
    free(d);
    cJSON *j = act_result_json(&r);
    ck_assert_str_eq(cJSON_GetObjectItem(j, "result")->valuestring, "FAILURE");
    cJSON_Delete(j);
    act_result_clear(&r);
    /* nothing changed */
    ck_assert_uint_eq(act_schedule_count(sched, at(NOW)), 3);
    ck_assert_int_eq(act_schedule_task_state(sched, "t4"), -1);
}
END_TEST

START_TEST(test_conflict_keeps_original_offset)
{
    request_ok("a1", "t1", "LOW", at(NOW), DEV, "2024-03-05T06:00:00-08:00",
               "2024-03-05T07:00:00.250000-08:00");
    act_result r = request("a2", "t2", "LOW", at(NOW), "CONFLICTS_WITH_EXISTING_SCHEDULES", DEV,
                           "2024-03-05T14:30:00+00:00", "2024-03-05T16:00:00+00:00", NULL);
    char *d = dump(r.data);
    ck_assert_str_eq(d, "{\"a1\": {\"t1\": [[\"campus/bldg/ahu1\", \"2024-03-05 06:00:00-08:00\", "
                        "\"2024-03-05 07:00:00.250000-08:00\"]]}}");
    free(d);
    act_result_clear(&r);
}
END_TEST

START_TEST(test_checks_in_order)
{
    request_ok("a1", "t1", "LOW", at(NOW), DEV, "2024-03-05T10:00:00+00:00",
               "2024-03-05T11:00:00+00:00");
    const char *s = "2024-03-05T12:00:00+00:00", *e = "2024-03-05T13:00:00+00:00";
    act_result r;
    /* an existing id wins over every other problem, whoever asks */
    r = request("a2", "t1", NULL, at(NOW), "TASK_ID_ALREADY_EXISTS", NULL);
    act_result_clear(&r);
    r = request("a1", NULL, NULL, at(NOW), "MISSING_TASK_ID", NULL);
    act_result_clear(&r);
    r = request("a1", "t2", NULL, at(NOW), "MISSING_PRIORITY", DEV, s, e, NULL);
    act_result_clear(&r);
    r = request("a1", "t2", "high", at(NOW), "INVALID_PRIORITY", DEV, s, e, NULL);
    act_result_clear(&r);
    r = request(NULL, "t2", "HIGH", at(NOW), "MISSING_AGENT_ID", DEV, s, e, NULL);
    act_result_clear(&r);
    r = request("a1", "t2", "HIGH", at(NOW), "MALFORMED_REQUEST_EMPTY", NULL);
    act_result_clear(&r);
    r = request("", "t2", "HIGH", at(NOW),
                "MALFORMED_REQUEST: TypeError: agentid must be a nonempty string", DEV, s, e, NULL);
    act_result_clear(&r);
    r = request("a1", "", "HIGH", at(NOW),
                "MALFORMED_REQUEST: TypeError: taskid must be a nonempty string", DEV, s, e, NULL);
    act_result_clear(&r);
    r = request("a1", "t2", "LOW", at(NOW), "REQUEST_CONFLICTS_WITH_SELF", DEV, s, e, "x", s, e,
                DEV, "2024-03-05T12:30:00+00:00", "2024-03-05T14:00:00+00:00", NULL);
    act_result_clear(&r);
    r = request("a1", "t2", "LOW", at(NOW),
                "MALFORMED_REQUEST: ValueError: Invalid start and end values.", DEV, e, s, NULL);
    act_result_clear(&r);
    /* a task id that is not a string */
    cJSON *num = cJSON_CreateNumber(5), *low = cJSON_CreateString("LOW");
    size_t n;
    act_slot_req *rq = slots(&n, DEV, s, e, NULL);
    act_schedule_request(sched, "a1", num, low, rq, n, at(NOW), &r);
    ck_assert_str_eq(r.info, "MALFORMED_REQUEST: TypeError: taskid must be a nonempty string");
    act_result_clear(&r);
    /* a priority that is not a string */
    cJSON *t2 = cJSON_CreateString("t2");
    act_schedule_request(sched, "a1", t2, num, rq, n, at(NOW), &r);
    ck_assert_str_eq(r.info, "INVALID_PRIORITY");
    act_result_clear(&r);
    act_requests_free(rq, n);
    /* a device that is not a string */
    rq = slots(&n, "<int>", s, e, NULL);
    act_schedule_request(sched, "a1", t2, low, rq, n, at(NOW), &r);
    ck_assert_str_eq(r.info, "MALFORMED_REQUEST: ValueError: Device not string.");
    act_result_clear(&r);
    act_requests_free(rq, n);
    /* null task id and priority are "missing" */
    cJSON *null = cJSON_CreateNull();
    rq = slots(&n, DEV, s, e, NULL);
    act_schedule_request(sched, "a1", null, low, rq, n, at(NOW), &r);
    ck_assert_str_eq(r.info, "MISSING_TASK_ID");
    act_result_clear(&r);
    act_schedule_request(sched, "a1", t2, null, rq, n, at(NOW), &r);
    ck_assert_str_eq(r.info, "MISSING_PRIORITY");
    act_result_clear(&r);
    act_requests_free(rq, n);
    cJSON_Delete(null);
    cJSON_Delete(t2);
    cJSON_Delete(num);
    cJSON_Delete(low);
    ck_assert_uint_eq(act_schedule_count(sched, at(NOW)), 1);
}
END_TEST

START_TEST(test_first_bad_slot_decides)
{
    const char *s = "2024-03-05T12:00:00+00:00", *e = "2024-03-05T13:00:00+00:00";
    /* self-conflict before an inverted slot, and the other way round */
    act_result r = request("a1", "t1", "LOW", at(NOW), "REQUEST_CONFLICTS_WITH_SELF", DEV, s, e,
                           DEV, s, e, DEV, e, s, NULL);
    act_result_clear(&r);
    r = request("a1", "t1", "LOW", at(NOW),
                "MALFORMED_REQUEST: ValueError: Invalid start and end values.", DEV, e, s, DEV, s,
                e, DEV, s, e, NULL);
    act_result_clear(&r);
    /* a slot of no length conflicts with nothing adjacent */
    request_ok("a1", "t1", "LOW", at(NOW), DEV, s, s);
    ck_assert_uint_eq(act_schedule_count(sched, at(NOW)), 1);
}
END_TEST

static void check_preempted_data(const act_result *r, const char *want)
{
    ck_assert(r->success);
    ck_assert_str_eq(r->info, "TASK_WERE_PREEMPTED");
    char *d = dump(r->data);
    ck_assert_str_eq(d, want);
    free(d);
}

START_TEST(test_high_preempts_running_low_preempt_with_grace)
{
    request_ok("a1", "t1", "LOW_PREEMPT", at(NOW), DEV, "2024-03-05T09:00:00+00:00",
               "2024-03-05T12:00:00+00:00");
    int64_t now = at("2024-03-05T10:00:00+00:00");
    ck_assert_uint_eq(act_schedule_count(sched, now), 1);
    ck_assert_int_eq(act_schedule_task_state(sched, "t1"), ACT_TASK_RUNNING);
    act_result r = request("a2", "t2", "HIGH", now, "TASK_WERE_PREEMPTED", DEV,
                           "2024-03-05T10:00:00+00:00", "2024-03-05T11:00:00+00:00", NULL);
    check_preempted_data(&r, "[[\"a1\", \"t1\"]]");
    act_result_clear(&r);
    ck_assert_int_eq(act_schedule_task_state(sched, "t1"), ACT_TASK_PREEMPTED);
    /* during the grace period (60 s) the preempted task keeps the lock */
    act_device_state *st;
    size_t n = act_schedule_states(sched, now + 10 * S, &st);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(st[0].agent_id, "a1");
    ck_assert_str_eq(st[0].task_id, "t1");
    ck_assert_int_eq(st[0].end_us - (now + 10 * S), 50 * S); /* window counts down */
    free(st);
    check_holder(DEV, "2024-03-05T10:00:59.999999+00:00", "a1");
    /* then the new one has it, and the preempted task is gone */
    check_holder(DEV, "2024-03-05T10:01:00+00:00", "a2");
    ck_assert_int_eq(act_schedule_task_state(sched, "t1"), -1);
}
END_TEST

START_TEST(test_grace_never_extends_a_slot)
{
    request_ok("a1", "t1", "LOW_PREEMPT", at(NOW), DEV, "2024-03-05T09:00:00+00:00",
               "2024-03-05T10:00:30+00:00");
    int64_t now = at("2024-03-05T10:00:00+00:00");
    act_result r = request("a2", "t2", "HIGH", now, "TASK_WERE_PREEMPTED", DEV,
                           "2024-03-05T10:00:00+00:00", "2024-03-05T11:00:00+00:00", NULL);
    act_result_clear(&r);
    check_holder(DEV, "2024-03-05T10:00:29+00:00", "a1");
    check_holder(DEV, "2024-03-05T10:00:30+00:00", "a2");
}
END_TEST

START_TEST(test_preemption_drops_later_slots_and_other_devices)
{
    /* running on dev (active now) and later on dev2 */
    act_result r = request("a1", "t1", "LOW_PREEMPT", at(NOW), "", DEV, "2024-03-05T09:00:00+00:00",
                           "2024-03-05T12:00:00+00:00", "dev2", "2024-03-05T11:00:00+00:00",
                           "2024-03-05T12:00:00+00:00", NULL);
    act_result_clear(&r);
    int64_t now = at("2024-03-05T10:00:00+00:00");
    r = request("a2", "t2", "HIGH", now, "TASK_WERE_PREEMPTED", DEV, "2024-03-05T10:30:00+00:00",
                "2024-03-05T11:00:00+00:00", NULL);
    act_result_clear(&r);
    /* dev2 was not in conflict but is given up all the same */
    check_holder("dev2", "2024-03-05T11:00:30+00:00", NULL);
    /* a third request may now take dev2 */
    request_ok("a3", "t3", "LOW", now, "dev2", "2024-03-05T11:00:00+00:00",
               "2024-03-05T12:00:00+00:00");
}
END_TEST

START_TEST(test_high_preempts_low_before_it_starts)
{
    request_ok("a1", "t1", "LOW", at(NOW), DEV, "2024-03-05T10:00:00+00:00",
               "2024-03-05T11:00:00+00:00");
    act_result r = request("a2", "t2", "HIGH", at(NOW), "TASK_WERE_PREEMPTED", DEV,
                           "2024-03-05T10:30:00+00:00", "2024-03-05T11:30:00+00:00", NULL);
    check_preempted_data(&r, "[[\"a1\", \"t1\"]]");
    act_result_clear(&r);
    /* nothing of it was active: finished at once */
    ck_assert_int_eq(act_schedule_task_state(sched, "t1"), -1);
    check_holder(DEV, "2024-03-05T10:15:00+00:00", NULL);
    check_holder(DEV, "2024-03-05T10:45:00+00:00", "a2");
}
END_TEST

START_TEST(test_what_cannot_be_preempted)
{
    request_ok("a1", "low", "LOW", at(NOW), DEV, "2024-03-05T09:00:00+00:00",
               "2024-03-05T10:00:00+00:00");
    request_ok("a1", "high", "HIGH", at(NOW), DEV, "2024-03-05T11:00:00+00:00",
               "2024-03-05T12:00:00+00:00");
    request_ok("a1", "lp", "LOW_PREEMPT", at(NOW), DEV, "2024-03-05T13:00:00+00:00",
               "2024-03-05T14:00:00+00:00");
    act_result r;
    /* a running LOW task */
    r = request("a2", "t2", "HIGH", at(NOW), "CONFLICTS_WITH_EXISTING_SCHEDULES", DEV,
                "2024-03-05T09:30:00+00:00", "2024-03-05T09:45:00+00:00", NULL);
    act_result_clear(&r);
    /* a HIGH task, even before it starts */
    r = request("a2", "t2", "HIGH", at(NOW), "CONFLICTS_WITH_EXISTING_SCHEDULES", DEV,
                "2024-03-05T11:30:00+00:00", "2024-03-05T11:45:00+00:00", NULL);
    act_result_clear(&r);
    /* only HIGH preempts */
    r = request("a2", "t2", "LOW_PREEMPT", at(NOW), "CONFLICTS_WITH_EXISTING_SCHEDULES", DEV,
                "2024-03-05T13:30:00+00:00", "2024-03-05T13:45:00+00:00", NULL);
    act_result_clear(&r);
    r = request("a2", "t2", "LOW", at(NOW), "CONFLICTS_WITH_EXISTING_SCHEDULES", DEV,
                "2024-03-05T13:30:00+00:00", "2024-03-05T13:45:00+00:00", NULL);
    act_result_clear(&r);
    /* one clash that cannot be preempted fails the lot: the LOW_PREEMPT
     * task is untouched */
    r = request("a2", "t2", "HIGH", at(NOW), "CONFLICTS_WITH_EXISTING_SCHEDULES", DEV,
                "2024-03-05T11:30:00+00:00", "2024-03-05T13:30:00+00:00", NULL);
    char *d = dump(r.data);
    ck_assert_ptr_nonnull(strstr(d, "\"high\""));
    ck_assert_ptr_null(strstr(d, "\"lp\""));
    free(d);
    act_result_clear(&r);
    ck_assert_int_eq(act_schedule_task_state(sched, "lp"), ACT_TASK_PRE_RUN);
    ck_assert_uint_eq(act_schedule_count(sched, at(NOW)), 3);
}
END_TEST

START_TEST(test_new_high_may_overlap_a_grace_period)
{
    request_ok("a1", "t1", "LOW_PREEMPT", at(NOW), DEV, "2024-03-05T09:00:00+00:00",
               "2024-03-05T12:00:00+00:00");
    int64_t now = at("2024-03-05T10:00:00+00:00");
    act_result r = request("a2", "t2", "HIGH", now, "TASK_WERE_PREEMPTED", DEV,
                           "2024-03-05T10:00:00+00:00", "2024-03-05T10:00:30+00:00", NULL);
    act_result_clear(&r);
    /* t1 is in grace until 10:01; another HIGH may be granted over it, and
     * the preempted task is reported again */
    r = request("a3", "t3", "HIGH", now, "TASK_WERE_PREEMPTED", DEV, "2024-03-05T10:00:30+00:00",
                "2024-03-05T10:05:00+00:00", NULL);
    check_preempted_data(&r, "[[\"a1\", \"t1\"]]");
    act_result_clear(&r);
    check_holder(DEV, "2024-03-05T10:00:45+00:00", "a1");
    check_holder(DEV, "2024-03-05T10:01:00+00:00", "a3");
}
END_TEST

START_TEST(test_grace_time_changes_live)
{
    act_schedule_set_grace(sched, 5);
    request_ok("a1", "t1", "LOW_PREEMPT", at(NOW), DEV, "2024-03-05T09:00:00+00:00",
               "2024-03-05T12:00:00+00:00");
    act_result r = request("a2", "t2", "HIGH", at(NOW), "TASK_WERE_PREEMPTED", DEV,
                           "2024-03-05T09:00:00+00:00", "2024-03-05T10:00:00+00:00", NULL);
    act_result_clear(&r);
    check_holder(DEV, "2024-03-05T09:00:04+00:00", "a1");
    check_holder(DEV, "2024-03-05T09:00:05+00:00", "a2");
}
END_TEST

START_TEST(test_next_event)
{
    int64_t ev;
    ck_assert(!act_schedule_next_event(sched, at(NOW), &ev));
    request_ok("a1", "t1", "LOW", at(NOW), DEV, "2024-03-05T10:00:00.500000+00:00",
               "2024-03-05T11:00:00+00:00");
    request_ok("a1", "t2", "LOW", at(NOW), "dev2", "2024-03-05T10:30:00+00:00",
               "2024-03-05T10:45:00+00:00");
    /* the start, rounded up to the next whole second */
    ck_assert(act_schedule_next_event(sched, at(NOW), &ev));
    ck_assert_int_eq(ev, at("2024-03-05T10:00:01+00:00"));
    /* inside a slot: its end, or another slot's start */
    ck_assert(act_schedule_next_event(sched, at("2024-03-05T10:00:01+00:00"), &ev));
    ck_assert_int_eq(ev, at("2024-03-05T10:30:00+00:00"));
    ck_assert(act_schedule_next_event(sched, at("2024-03-05T10:50:00+00:00"), &ev));
    ck_assert_int_eq(ev, at("2024-03-05T11:00:00+00:00"));
    ck_assert(!act_schedule_next_event(sched, at("2024-03-05T11:00:00+00:00"), &ev));
}
END_TEST

START_TEST(test_next_event_is_always_ahead)
{
    /* a slot of no length at "now" must not be the next event again and
     * again */
    request_ok("a1", "t1", "LOW", at(NOW), DEV, "2024-03-05T10:00:00+00:00",
               "2024-03-05T10:00:00+00:00");
    request_ok("a1", "t2", "LOW", at(NOW), DEV, "2024-03-05T10:00:00+00:00",
               "2024-03-05T10:10:00+00:00");
    int64_t ev;
    int64_t now = at("2024-03-05T10:00:00+00:00");
    ck_assert(act_schedule_next_event(sched, now, &ev));
    ck_assert_int_gt(ev, now);
    ck_assert_int_eq(ev, at("2024-03-05T10:10:00+00:00"));
}
END_TEST

START_TEST(test_cancel)
{
    request_ok("a1", "t1", "LOW", at(NOW), DEV, "2024-03-05T09:00:00+00:00",
               "2024-03-05T10:00:00+00:00");
    cJSON *t1 = cJSON_CreateString("t1"), *nope = cJSON_CreateString("nope");
    act_result r;
    act_schedule_cancel(sched, "a1", nope, at(NOW), &r);
    ck_assert(!r.success);
    ck_assert_str_eq(r.info, "TASK_ID_DOES_NOT_EXIST");
    act_result_clear(&r);
    act_schedule_cancel(sched, "a2", t1, at(NOW), &r);
    ck_assert(!r.success);
    ck_assert_str_eq(r.info, "AGENT_ID_TASK_ID_MISMATCH");
    act_result_clear(&r);
    check_holder(DEV, NOW, "a1");
    act_schedule_cancel(sched, "a1", t1, at(NOW), &r);
    ck_assert(r.success);
    ck_assert_str_eq(r.info, "");
    act_result_clear(&r);
    check_holder(DEV, NOW, NULL);
    act_schedule_cancel(sched, "a1", t1, at(NOW), &r);
    ck_assert_str_eq(r.info, "TASK_ID_DOES_NOT_EXIST");
    act_result_clear(&r);
    /* a task whose time is over no longer exists */
    request_ok("a1", "t1", "LOW", at(NOW), DEV, "2024-03-05T09:00:00+00:00",
               "2024-03-05T10:00:00+00:00");
    act_schedule_cancel(sched, "a1", t1, at("2024-03-05T10:00:00+00:00"), &r);
    ck_assert_str_eq(r.info, "TASK_ID_DOES_NOT_EXIST");
    act_result_clear(&r);
    /* the id is free again once the task is over */
    request_ok("a1", "t1", "LOW", at("2024-03-05T10:00:00+00:00"), DEV, "2024-03-05T11:00:00+00:00",
               "2024-03-05T12:00:00+00:00");
    cJSON_Delete(t1);
    cJSON_Delete(nope);
}
END_TEST

START_TEST(test_state_round_trip)
{
    request_ok("a1", "t1", "LOW_PREEMPT", at(NOW), DEV, "2024-03-05T09:00:00+00:00",
               "2024-03-05T12:00:00+00:00");
    request_ok("a1", "t3", "LOW", at(NOW), "dev3", "2024-03-05T14:00:00-08:00",
               "2024-03-05T15:00:00-08:00");
    int64_t now = at("2024-03-05T10:00:00+00:00");
    act_result r = request("a2", "t2", "HIGH", now, "TASK_WERE_PREEMPTED", DEV,
                           "2024-03-05T10:00:00+00:00", "2024-03-05T11:00:00+00:00", NULL);
    act_result_clear(&r);
    cJSON *saved = act_schedule_to_json(sched, now);
    char *text = vt_json_dump(saved, 0);
    cJSON_Delete(saved);

    act_schedule *again = act_schedule_new(60);
    cJSON *parsed = vt_json_parse(text, strlen(text), 0, NULL, NULL);
    ck_assert_int_eq(act_schedule_from_json(again, parsed, now + 1 * S), 0);
    cJSON_Delete(parsed);
    act_schedule_free(&sched);
    sched = again;
    ck_assert_uint_eq(act_schedule_count(sched, now + 1 * S), 3);
    ck_assert_int_eq(act_schedule_task_state(sched, "t1"), ACT_TASK_PREEMPTED);
    check_holder(DEV, "2024-03-05T10:00:30+00:00", "a1");
    check_holder(DEV, "2024-03-05T10:01:00+00:00", "a2");
    check_holder("dev3", "2024-03-05T22:30:00+00:00", "a1");
    /* the original offsets are kept */
    r = request("a9", "t9", "LOW", now, "CONFLICTS_WITH_EXISTING_SCHEDULES", "dev3",
                "2024-03-05T22:00:00+00:00", "2024-03-05T22:10:00+00:00", NULL);
    char *d = dump(r.data);
    ck_assert_str_eq(d, "{\"a1\": {\"t3\": [[\"dev3\", \"2024-03-05 14:00:00-08:00\", "
                        "\"2024-03-05 15:00:00-08:00\"]]}}");
    free(d);
    act_result_clear(&r);
    free(text);

    /* restoring after everything is over leaves nothing */
    saved = act_schedule_to_json(sched, now);
    act_schedule *later = act_schedule_new(60);
    ck_assert_int_eq(act_schedule_from_json(later, saved, at("2024-03-06T00:00:00+00:00")), 0);
    ck_assert_uint_eq(act_schedule_count(later, at("2024-03-06T00:00:00+00:00")), 0);
    act_schedule_free(&later);
    cJSON_Delete(saved);
}
END_TEST

START_TEST(test_bad_state_is_refused)
{
    const char *bad[] = {
        "[]",
        "{\"tasks\": 3}",
        "{\"tasks\": [{\"task_id\": \"t\", \"agent_id\": \"a\", \"priority\": \"MEDIUM\", "
        "\"state\": \"RUNNING\", \"devices\": {}}]}",
        "{\"tasks\": [{\"task_id\": \"t\", \"agent_id\": \"a\", \"priority\": \"LOW\", "
        "\"state\": \"RUNNING\", \"devices\": {\"d\": [[\"2024-03-05T10:00:00\", "
        "\"2024-03-05T11:00:00\"]]}}]}",
        "{\"tasks\": [{\"task_id\": \"t\", \"agent_id\": \"a\", \"priority\": \"LOW\", "
        "\"state\": \"RUNNING\", \"devices\": {}}, {\"task_id\": \"t\", \"agent_id\": \"a\", "
        "\"priority\": \"LOW\", \"state\": \"RUNNING\", \"devices\": {}}]}",
    };
    request_ok("a1", "t1", "LOW", at(NOW), DEV, "2024-03-05T09:00:00+00:00",
               "2024-03-05T10:00:00+00:00");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *j = vt_json_parse(bad[i], strlen(bad[i]), 0, NULL, NULL);
        ck_assert_ptr_nonnull(j);
        ck_assert_msg(act_schedule_from_json(sched, j, at(NOW)) < 0, "accepted %s", bad[i]);
        ck_assert_uint_eq(act_schedule_count(sched, at(NOW)), 0);
        ck_assert_ptr_nonnull(strstr(vt_last_error(), "schedule state"));
        cJSON_Delete(j);
    }
}
END_TEST

START_TEST(test_names)
{
    act_priority p;
    ck_assert_int_eq(act_priority_parse("LOW_PREEMPT", &p), 0);
    ck_assert_int_eq(p, ACT_PRIORITY_LOW_PREEMPT);
    ck_assert_int_eq(act_priority_parse("Low", &p), -1);
    ck_assert_int_eq(act_priority_parse(NULL, &p), -1);
    ck_assert_str_eq(act_priority_name(ACT_PRIORITY_HIGH), "HIGH");
    ck_assert_str_eq(act_task_state_name(ACT_TASK_PREEMPTED), "PREEMPTED");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("actuator-schedule");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_slot_grants_lock_only_inside);
    tcase_add_test(tc, test_states_and_window);
    tcase_add_test(tc, test_back_to_back_and_overlap);
    tcase_add_test(tc, test_conflict_keeps_original_offset);
    tcase_add_test(tc, test_checks_in_order);
    tcase_add_test(tc, test_first_bad_slot_decides);
    tcase_add_test(tc, test_high_preempts_running_low_preempt_with_grace);
    tcase_add_test(tc, test_grace_never_extends_a_slot);
    tcase_add_test(tc, test_preemption_drops_later_slots_and_other_devices);
    tcase_add_test(tc, test_high_preempts_low_before_it_starts);
    tcase_add_test(tc, test_what_cannot_be_preempted);
    tcase_add_test(tc, test_new_high_may_overlap_a_grace_period);
    tcase_add_test(tc, test_grace_time_changes_live);
    tcase_add_test(tc, test_next_event);
    tcase_add_test(tc, test_next_event_is_always_ahead);
    tcase_add_test(tc, test_cancel);
    tcase_add_test(tc, test_state_round_trip);
    tcase_add_test(tc, test_bad_state_is_refused);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
