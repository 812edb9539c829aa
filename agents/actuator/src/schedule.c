#include "schedule.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/error.h>
#include <volttron/utils/mem.h>

#include "pytext.h"

#define US_PER_S INT64_C(1000000)

typedef struct slot {
    vt_timestamp start;
    vt_timestamp end;
} slot;

/* One device's slots of a task, sorted, never overlapping. */
typedef struct device_slots {
    char *device;
    slot *slots;
    size_t n, cap;
} device_slots;

typedef struct task {
    char *id;
    char *agent;
    act_priority priority;
    act_task_state state;
    slot span; /* earliest start to latest end; the grace
                * period once preempted */
    bool has_span;
    device_slots *devices;
    size_t ndevices, capdevices;
} task;

struct act_schedule {
    task **tasks; /* in the order they were granted */
    size_t n, cap;
    int64_t grace_us;
};

/* ---- names ---- */

static const char *const priority_names[] = {"HIGH", "LOW", "LOW_PREEMPT"};
static const char *const state_names[] = {"PRE_RUN", "RUNNING", "PREEMPTED", "FINISHED"};

int act_priority_parse(const char *text, act_priority *out)
{
    for (int i = 0; i < 3; i++)
        if (text && strcmp(text, priority_names[i]) == 0) {
            *out = (act_priority)i;
            return 0;
        }
    return -1;
}

const char *act_priority_name(act_priority p)
{
    return priority_names[p];
}

const char *act_task_state_name(act_task_state s)
{
    return state_names[s];
}

static int state_parse(const char *text, act_task_state *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(text, state_names[i]) == 0) {
            *out = (act_task_state)i;
            return 0;
        }
    return -1;
}

/* ---- time slices (VOLTTRON's TimeSlice) ---- */

static vt_timestamp utc_time(int64_t us)
{
    vt_timestamp t = {.us = us, .offset_s = 0, .aware = true};
    return t;
}

/* Overlap in more than a single instant. */
static bool slots_conflict(const slot *a, const slot *b)
{
    return a->start.us < b->end.us && b->start.us < a->end.us;
}

/* start <= now < end, or now == start. */
static bool slot_active(const slot *s, int64_t now)
{
    return (s->start.us < now && now < s->end.us) || now == s->start.us;
}

int64_t act_round_up_second(int64_t us)
{
    int64_t rem = us % US_PER_S;
    if (rem < 0)
        rem += US_PER_S;
    return rem ? us - rem + US_PER_S : us;
}

/* ---- one device's slots ---- */

static void device_insert(device_slots *d, const slot *s)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 4;
        d->slots = vt_realloc(d->slots, d->cap * sizeof *d->slots);
    }
    size_t i = d->n;
    while (i > 0 &&
           (d->slots[i - 1].start.us > s->start.us ||
            (d->slots[i - 1].start.us == s->start.us && d->slots[i - 1].end.us > s->end.us))) {
        d->slots[i] = d->slots[i - 1];
        i--;
    }
    d->slots[i] = *s;
    d->n++;
}

/* Drop the slots that are over: those that began before now and ended by
 * now. */
static void device_make_current(device_slots *d, int64_t now)
{
    size_t drop = 0;
    while (drop < d->n && d->slots[drop].start.us < now && d->slots[drop].end.us <= now)
        drop++;
    if (drop) {
        memmove(d->slots, d->slots + drop, (d->n - drop) * sizeof *d->slots);
        d->n -= drop;
    }
}

static const slot *device_current(device_slots *d, int64_t now)
{
    device_make_current(d, now);
    return d->n && slot_active(&d->slots[0], now) ? &d->slots[0] : NULL;
}

/* The next start or end of this device's slots, strictly after now. */
static bool device_next_event(device_slots *d, int64_t now, int64_t *out)
{
    device_make_current(d, now);
    for (size_t i = 0; i < d->n; i++) {
        const slot *s = &d->slots[i];
        int64_t t = slot_active(s, now) ? s->end.us : s->start.us;
        /* VOLTTRON takes the first slot's end or start as is; a slot of no
         * length at now would then be "the next event" at now again and
         * again. Look past anything not in the future. */
        if (t <= now && s->end.us > now)
            t = s->end.us;
        if (t > now) {
            *out = act_round_up_second(t);
            return true;
        }
    }
    return false;
}

/* ---- tasks ---- */

static void task_free(task *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ndevices; i++) {
        free(t->devices[i].device);
        free(t->devices[i].slots);
    }
    free(t->devices);
    free(t->id);
    free(t->agent);
    free(t);
}

static device_slots *task_device(task *t, const char *device, bool create)
{
    for (size_t i = 0; i < t->ndevices; i++)
        if (strcmp(t->devices[i].device, device) == 0)
            return &t->devices[i];
    if (!create)
        return NULL;
    if (t->ndevices == t->capdevices) {
        t->capdevices = t->capdevices ? t->capdevices * 2 : 4;
        t->devices = vt_realloc(t->devices, t->capdevices * sizeof *t->devices);
    }
    device_slots *d = &t->devices[t->ndevices++];
    memset(d, 0, sizeof *d);
    d->device = vt_strdup(device);
    return d;
}

static void task_remove_device(task *t, size_t i)
{
    free(t->devices[i].device);
    free(t->devices[i].slots);
    memmove(&t->devices[i], &t->devices[i + 1], (t->ndevices - i - 1) * sizeof *t->devices);
    t->ndevices--;
}

static void task_stretch(task *t, const slot *s)
{
    if (!t->has_span) {
        t->span = *s;
        t->has_span = true;
        return;
    }
    if (s->start.us < t->span.start.us)
        t->span.start = s->start;
    if (s->end.us > t->span.end.us)
        t->span.end = s->end;
}

/* Task.make_current: drop what is over, then set the state from the span. */
static void task_make_current(task *t, int64_t now)
{
    if (t->state == ACT_TASK_FINISHED) {
        while (t->ndevices)
            task_remove_device(t, t->ndevices - 1);
        return;
    }
    for (size_t i = t->ndevices; i-- > 0;) {
        device_make_current(&t->devices[i], now);
        if (t->devices[i].n == 0)
            task_remove_device(t, i);
    }
    if (!t->has_span)
        return;
    if (slot_active(&t->span, now)) {
        if (t->state != ACT_TASK_PREEMPTED)
            t->state = ACT_TASK_RUNNING;
    } else if (t->span.start.us >= now) {
        t->state = ACT_TASK_PRE_RUN;
    } else if (t->span.end.us <= now) {
        t->state = ACT_TASK_FINISHED;
    }
}

static bool can_preempt(const task *newer, const task *other)
{
    if (newer->priority != ACT_PRIORITY_HIGH)
        return false;
    if (other->priority == ACT_PRIORITY_HIGH)
        return false;
    if (other->state == ACT_TASK_RUNNING && other->priority != ACT_PRIORITY_LOW_PREEMPT)
        return false;
    return true;
}

/* Keep only what is active now, cut to end by now + grace; the task is
 * finished when nothing is left, else preempted for the grace period. */
static void task_preempt(task *t, int64_t grace_us, int64_t now)
{
    task_make_current(t, now);
    if (t->state == ACT_TASK_PREEMPTED || t->state == ACT_TASK_FINISHED)
        return;
    bool any = false;
    for (size_t i = 0; i < t->ndevices; i++) {
        device_slots *d = &t->devices[i];
        const slot *cur = device_current(d, now);
        if (cur) {
            slot kept = *cur;
            if (kept.end.us > now + grace_us)
                kept.end = utc_time(now + grace_us);
            d->slots[0] = kept;
            d->n = 1;
            any = true;
        } else {
            d->n = 0;
        }
    }
    if (!any) {
        t->state = ACT_TASK_FINISHED;
        return;
    }
    t->state = ACT_TASK_PREEMPTED;
    t->span.start = utc_time(now);
    t->span.end = utc_time(now + grace_us);
}

/* The other task's slots that clash with this one's, as
 * [[device, str(start), str(end)], ...] (NULL when none). */
static cJSON *task_conflicts(const task *mine, task *other)
{
    cJSON *list = NULL;
    for (size_t i = 0; i < mine->ndevices; i++) {
        const device_slots *d = &mine->devices[i];
        device_slots *od = task_device(other, d->device, false);
        if (!od)
            continue;
        for (size_t k = 0; k < od->n; k++) {
            bool clash = false;
            for (size_t j = 0; j < d->n && !clash; j++)
                clash = slots_conflict(&od->slots[k], &d->slots[j]);
            if (!clash)
                continue;
            if (!list)
                list = cJSON_CreateArray();
            cJSON *entry = cJSON_CreateArray();
            cJSON_AddItemToArray(entry, cJSON_CreateString(d->device));
            char *s = act_py_datetime_str(&od->slots[k].start);
            char *e = act_py_datetime_str(&od->slots[k].end);
            cJSON_AddItemToArray(entry, cJSON_CreateString(s));
            cJSON_AddItemToArray(entry, cJSON_CreateString(e));
            free(s);
            free(e);
            cJSON_AddItemToArray(list, entry);
        }
    }
    return list;
}

/* ---- the schedule ---- */

act_schedule *act_schedule_new(double grace_s)
{
    act_schedule *s = vt_calloc(1, sizeof *s);
    act_schedule_set_grace(s, grace_s);
    return s;
}

static void clear_tasks(act_schedule *s)
{
    for (size_t i = 0; i < s->n; i++)
        task_free(s->tasks[i]);
    s->n = 0;
}

void act_schedule_free(act_schedule **s)
{
    if (!s || !*s)
        return;
    clear_tasks(*s);
    free((*s)->tasks);
    free(*s);
    *s = NULL;
}

void act_schedule_set_grace(act_schedule *s, double grace_s)
{
    s->grace_us = grace_s > 0 ? (int64_t)llround(grace_s * 1e6) : 0;
}

static void add_task(act_schedule *s, task *t)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->tasks = vt_realloc(s->tasks, s->cap * sizeof *s->tasks);
    }
    s->tasks[s->n++] = t;
}

static task *find_task(const act_schedule *s, const char *id, size_t *index)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->tasks[i]->id, id) == 0) {
            if (index)
                *index = i;
            return s->tasks[i];
        }
    return NULL;
}

static void remove_task(act_schedule *s, size_t i)
{
    task_free(s->tasks[i]);
    memmove(&s->tasks[i], &s->tasks[i + 1], (s->n - i - 1) * sizeof *s->tasks);
    s->n--;
}

/* Bring every task to now; finished ones go. */
static void cleanup(act_schedule *s, int64_t now)
{
    for (size_t i = s->n; i-- > 0;) {
        task_make_current(s->tasks[i], now);
        if (s->tasks[i]->state == ACT_TASK_FINISHED)
            remove_task(s, i);
    }
}

static void set_result(act_result *out, bool success, const char *info, cJSON *data)
{
    out->success = success;
    out->info = vt_strdup(info);
    out->data = data ? data : cJSON_CreateObject();
}

cJSON *act_result_json(const act_result *r)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "result", r->success ? "SUCCESS" : "FAILURE");
    cJSON_AddItemToObject(j, "data", r->data ? cJSON_Duplicate(r->data, 1) : cJSON_CreateObject());
    cJSON_AddStringToObject(j, "info", r->info ? r->info : "");
    return j;
}

void act_result_clear(act_result *r)
{
    free(r->info);
    cJSON_Delete(r->data);
    memset(r, 0, sizeof *r);
}

static bool missing(const cJSON *v)
{
    return !v || cJSON_IsNull(v);
}

/* Task(agent, priority, requests): slots in request order; the first bad
 * one decides the error. NULL with *info set on failure. */
static task *build_task(const char *agent, const char *id, act_priority priority,
                        const act_slot_req *reqs, size_t n, char **info)
{
    task *t = vt_calloc(1, sizeof *t);
    t->id = vt_strdup(id);
    t->agent = vt_strdup(agent);
    t->priority = priority;
    t->state = ACT_TASK_PRE_RUN;
    for (size_t i = 0; i < n; i++) {
        slot sl = {reqs[i].start, reqs[i].end};
        if (sl.end.us < sl.start.us) {
            *info = vt_strdup("MALFORMED_REQUEST: ValueError: Invalid start and end values.");
            task_free(t);
            return NULL;
        }
        if (!reqs[i].device) {
            *info = vt_strdup("MALFORMED_REQUEST: ValueError: Device not string.");
            task_free(t);
            return NULL;
        }
        device_slots *d = task_device(t, reqs[i].device, true);
        for (size_t k = 0; k < d->n; k++)
            if (slots_conflict(&d->slots[k], &sl)) {
                *info = vt_strdup("REQUEST_CONFLICTS_WITH_SELF");
                task_free(t);
                return NULL;
            }
        device_insert(d, &sl);
        task_stretch(t, &sl);
    }
    return t;
}

/* The checks of §4.1 rows 1-8, in VOLTTRON's order: the failure's info,
 * or NULL when the request may go on. */
static const char *check_request(const act_schedule *s, const char *agent_id, const cJSON *task_id,
                                 const cJSON *priority, size_t n, act_priority *prio)
{
    if (cJSON_IsString(task_id) && find_task(s, task_id->valuestring, NULL))
        return "TASK_ID_ALREADY_EXISTS";
    if (missing(task_id))
        return "MISSING_TASK_ID";
    if (missing(priority))
        return "MISSING_PRIORITY";
    if (!cJSON_IsString(priority) || act_priority_parse(priority->valuestring, prio) < 0)
        return "INVALID_PRIORITY";
    if (!agent_id)
        return "MISSING_AGENT_ID";
    if (n == 0)
        return "MALFORMED_REQUEST_EMPTY";
    if (!agent_id[0])
        return "MALFORMED_REQUEST: TypeError: agentid must be a nonempty string";
    if (!cJSON_IsString(task_id) || !task_id->valuestring[0])
        return "MALFORMED_REQUEST: TypeError: taskid must be a nonempty string";
    return NULL;
}

void act_schedule_request(act_schedule *s, const char *agent_id, const cJSON *task_id,
                          const cJSON *priority, const act_slot_req *reqs, size_t n, int64_t now_us,
                          act_result *out)
{
    memset(out, 0, sizeof *out);
    cleanup(s, now_us);
    act_priority prio = ACT_PRIORITY_LOW;
    const char *refused = check_request(s, agent_id, task_id, priority, reqs ? n : 0, &prio);
    if (refused) {
        set_result(out, false, refused, NULL);
        return;
    }
    char *info = NULL;
    task *t = build_task(agent_id, task_id->valuestring, prio, reqs, n, &info);
    if (!t) {
        set_result(out, false, info, NULL);
        free(info);
        return;
    }

    /* Every clash must be with a task this one may preempt. */
    cJSON *conflicts = NULL;
    task **preempt = vt_calloc(s->n ? s->n : 1, sizeof *preempt);
    size_t npreempt = 0;
    for (size_t i = 0; i < s->n; i++) {
        task *other = s->tasks[i];
        cJSON *clash = task_conflicts(t, other);
        if (!clash)
            continue;
        if (can_preempt(t, other)) {
            preempt[npreempt++] = other;
            cJSON_Delete(clash);
            continue;
        }
        if (!conflicts)
            conflicts = cJSON_CreateObject();
        cJSON *by_agent = cJSON_GetObjectItemCaseSensitive(conflicts, other->agent);
        if (!by_agent)
            by_agent = cJSON_AddObjectToObject(conflicts, other->agent);
        cJSON_AddItemToObject(by_agent, other->id, clash);
    }
    if (conflicts) {
        free(preempt);
        task_free(t);
        set_result(out, false, "CONFLICTS_WITH_EXISTING_SCHEDULES", conflicts);
        return;
    }

    add_task(s, t);
    cJSON *preempted = cJSON_CreateArray();
    for (size_t i = 0; i < npreempt; i++) {
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateString(preempt[i]->agent));
        cJSON_AddItemToArray(pair, cJSON_CreateString(preempt[i]->id));
        cJSON_AddItemToArray(preempted, pair);
        task_preempt(preempt[i], s->grace_us, now_us);
    }
    free(preempt);
    cleanup(s, now_us);
    if (npreempt) {
        set_result(out, true, "TASK_WERE_PREEMPTED", preempted);
    } else {
        cJSON_Delete(preempted);
        set_result(out, true, "", NULL);
    }
}

void act_schedule_cancel(act_schedule *s, const char *agent_id, const cJSON *task_id,
                         int64_t now_us, act_result *out)
{
    memset(out, 0, sizeof *out);
    /* A task whose time is over is gone: "does not exist". */
    cleanup(s, now_us);
    size_t index = 0;
    task *t = cJSON_IsString(task_id) ? find_task(s, task_id->valuestring, &index) : NULL;
    if (!t)
        set_result(out, false, "TASK_ID_DOES_NOT_EXIST", NULL);
    else if (!agent_id || strcmp(t->agent, agent_id) != 0)
        set_result(out, false, "AGENT_ID_TASK_ID_MISMATCH", NULL);
    else {
        remove_task(s, index);
        set_result(out, true, "", NULL);
    }
}

/* ---- who holds what ---- */

static void put_state(act_device_state *states, size_t *n, const char *device, const task *t,
                      int64_t end)
{
    size_t i = 0;
    while (i < *n && strcmp(states[i].device, device) != 0)
        i++;
    if (i == *n)
        (*n)++;
    states[i].device = device;
    states[i].agent_id = t->agent;
    states[i].task_id = t->id;
    states[i].end_us = end;
}

size_t act_schedule_states(act_schedule *s, int64_t now_us, act_device_state **out)
{
    cleanup(s, now_us);
    size_t total = 0;
    for (size_t i = 0; i < s->n; i++)
        total += s->tasks[i]->ndevices;
    act_device_state *states = vt_calloc(total ? total : 1, sizeof *states);
    size_t n = 0;
    /* running first, then preempted ones over them */
    act_task_state order[] = {ACT_TASK_RUNNING, ACT_TASK_PREEMPTED};
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < s->n; i++) {
            task *t = s->tasks[i];
            if (t->state != order[pass])
                continue;
            for (size_t k = 0; k < t->ndevices; k++) {
                const slot *cur = device_current(&t->devices[k], now_us);
                if (cur)
                    put_state(states, &n, t->devices[k].device, t, cur->end.us);
            }
        }
    *out = states;
    return n;
}

const char *act_schedule_holder(act_schedule *s, const char *device, int64_t now_us)
{
    act_device_state *states;
    size_t n = act_schedule_states(s, now_us, &states);
    const char *holder = NULL;
    for (size_t i = 0; i < n && !holder; i++)
        if (strcmp(states[i].device, device) == 0)
            holder = states[i].agent_id;
    free(states);
    return holder;
}

bool act_schedule_next_event(act_schedule *s, int64_t now_us, int64_t *out_us)
{
    cleanup(s, now_us);
    bool found = false;
    int64_t best = 0;
    for (size_t i = 0; i < s->n; i++)
        for (size_t k = 0; k < s->tasks[i]->ndevices; k++) {
            int64_t t;
            if (device_next_event(&s->tasks[i]->devices[k], now_us, &t) && (!found || t < best)) {
                best = t;
                found = true;
            }
        }
    if (found)
        *out_us = best;
    return found;
}

size_t act_schedule_count(act_schedule *s, int64_t now_us)
{
    cleanup(s, now_us);
    return s->n;
}

int act_schedule_task_state(const act_schedule *s, const char *task_id)
{
    const task *t = find_task(s, task_id, NULL);
    return t ? (int)t->state : -1;
}

/* ---- saving and restoring ---- */

static cJSON *time_json(const vt_timestamp *t)
{
    char buf[VT_TIME_BUFSZ];
    if (vt_time_format(t, buf, sizeof buf) < 0)
        return cJSON_CreateNull();
    return cJSON_CreateString(buf);
}

static cJSON *slot_json(const slot *sl)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, time_json(&sl->start));
    cJSON_AddItemToArray(a, time_json(&sl->end));
    return a;
}

cJSON *act_schedule_to_json(act_schedule *s, int64_t now_us)
{
    cleanup(s, now_us);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "version", 1);
    cJSON *tasks = cJSON_AddArrayToObject(root, "tasks");
    for (size_t i = 0; i < s->n; i++) {
        const task *t = s->tasks[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "task_id", t->id);
        cJSON_AddStringToObject(j, "agent_id", t->agent);
        cJSON_AddStringToObject(j, "priority", act_priority_name(t->priority));
        cJSON_AddStringToObject(j, "state", act_task_state_name(t->state));
        if (t->has_span)
            cJSON_AddItemToObject(j, "span", slot_json(&t->span));
        cJSON *devices = cJSON_AddObjectToObject(j, "devices");
        for (size_t k = 0; k < t->ndevices; k++) {
            cJSON *slots = cJSON_AddArrayToObject(devices, t->devices[k].device);
            for (size_t m = 0; m < t->devices[k].n; m++)
                cJSON_AddItemToArray(slots, slot_json(&t->devices[k].slots[m]));
        }
        cJSON_AddItemToArray(tasks, j);
    }
    return root;
}

static int bad(const char *what, size_t index)
{
    return vt_error_set(-EINVAL, "schedule state: task %zu: %s", index, what);
}

static int slot_from_json(const cJSON *j, slot *out)
{
    if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) != 2)
        return -EINVAL;
    const cJSON *a = cJSON_GetArrayItem(j, 0), *b = cJSON_GetArrayItem(j, 1);
    if (!cJSON_IsString(a) || !cJSON_IsString(b) ||
        vt_time_parse(a->valuestring, &out->start) < 0 ||
        vt_time_parse(b->valuestring, &out->end) < 0 || !out->start.aware || !out->end.aware ||
        out->end.us < out->start.us)
        return -EINVAL;
    return 0;
}

static int task_from_json(const cJSON *j, size_t index, task **out)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "task_id");
    const cJSON *agent = cJSON_GetObjectItemCaseSensitive(j, "agent_id");
    const cJSON *prio = cJSON_GetObjectItemCaseSensitive(j, "priority");
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(j, "state");
    const cJSON *span = cJSON_GetObjectItemCaseSensitive(j, "span");
    const cJSON *devices = cJSON_GetObjectItemCaseSensitive(j, "devices");
    act_priority p;
    act_task_state st;
    if (!cJSON_IsString(id) || !id->valuestring[0] || !cJSON_IsString(agent) ||
        !agent->valuestring[0])
        return bad("task_id and agent_id must be non-empty strings", index);
    if (!cJSON_IsString(prio) || act_priority_parse(prio->valuestring, &p) < 0)
        return bad("priority must be HIGH, LOW or LOW_PREEMPT", index);
    if (!cJSON_IsString(state) || state_parse(state->valuestring, &st) < 0)
        return bad("unknown state", index);
    if (!cJSON_IsObject(devices))
        return bad("devices must be an object", index);
    task *t = vt_calloc(1, sizeof *t);
    t->id = vt_strdup(id->valuestring);
    t->agent = vt_strdup(agent->valuestring);
    t->priority = p;
    t->state = st;
    if (span) {
        if (slot_from_json(span, &t->span) < 0) {
            task_free(t);
            return bad("span must be [start, end] aware timestamps", index);
        }
        t->has_span = true;
    }
    const cJSON *dev;
    cJSON_ArrayForEach (dev, devices) {
        if (!cJSON_IsArray(dev)) {
            task_free(t);
            return bad("a device's slots must be a list", index);
        }
        device_slots *d = task_device(t, dev->string, true);
        const cJSON *sj;
        cJSON_ArrayForEach (sj, dev) {
            slot sl;
            if (slot_from_json(sj, &sl) < 0) {
                task_free(t);
                return bad("a slot must be [start, end] aware timestamps", index);
            }
            device_insert(d, &sl);
        }
    }
    *out = t;
    return 0;
}

int act_schedule_from_json(act_schedule *s, const cJSON *state, int64_t now_us)
{
    clear_tasks(s);
    const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(state, "tasks");
    if (!cJSON_IsObject(state) || !cJSON_IsArray(tasks))
        return vt_error_set(-EINVAL, "schedule state: expected {\"tasks\": [...]}");
    const cJSON *j;
    size_t index = 0;
    cJSON_ArrayForEach (j, tasks) {
        task *t = NULL;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "task_id");
        int rc = task_from_json(j, index, &t);
        if (rc == 0 && find_task(s, id->valuestring, NULL)) {
            task_free(t);
            rc = bad("task id appears twice", index);
        }
        if (rc < 0) {
            clear_tasks(s);
            return rc;
        }
        add_task(s, t);
        index++;
    }
    cleanup(s, now_us);
    return 0;
}
