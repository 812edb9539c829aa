/* The schedule update event (actuator.md §5.5): at every slot start and
 * end, and at least every schedule_publish_interval, the actuator brings
 * its schedule to the present and announces who holds each device. */
#include <stdlib.h>
#include <string.h>

#include "actuator.h"

#define US_PER_S INT64_C(1000000)
/* A run planned this much in the past means the clock jumped (a VM was
 * suspended): use the present instead of announcing the missed times. */
#define CLOCK_JUMP_US (3 * 60 * US_PER_S)

static void on_update(vt_agent *agent, void *ctx)
{
    (void)agent;
    actuator *a = ctx;
    a->update_timer = NULL; /* a one-shot timer is released after it fires */
    act_update(a, a->update_at_us, NULL, true);
}

static void announce(actuator *a, const act_device_state *st, int64_t now, const char *time)
{
    cJSON *task = cJSON_CreateString(st->task_id);
    cJSON *headers = act_headers(st->agent_id, time, task);
    cJSON_Delete(task);
    cJSON_AddItemToObject(headers, "window",
                          vt_json_new_float((double)(st->end_us - now) / (double)US_PER_S));
    char *topic = vt_asprintf("%s/%s", ACT_TOPIC_ANNOUNCE, st->device);
    cJSON *null = cJSON_CreateNull();
    if (vt_pubsub_publish(a->agent, topic, headers, null) < 0)
        vt_log_warning(ACT_SRC, "could not announce %s: %s", topic, vt_last_error());
    cJSON_Delete(null);
    free(topic);
    cJSON_Delete(headers);
}

void act_update(actuator *a, int64_t now, const char *device_only, bool publish)
{
    int64_t real_now = vt_time_now_us();
    if (real_now - now > CLOCK_JUMP_US)
        now = real_now;

    act_device_state *states;
    size_t n = act_schedule_states(a->schedule, now, &states);

    /* A regular run plans afresh; a run caused by a new or cancelled
     * schedule never plans later than what was already planned. */
    if (!device_only && publish)
        a->update_at_us = 0;
    int64_t next = act_round_up_second(
        now + (int64_t)(a->settings.schedule_publish_interval * (double)US_PER_S));
    int64_t event;
    if (act_schedule_next_event(a->schedule, now, &event) && event < next)
        next = event;
    if (a->update_at_us && a->update_at_us < next)
        next = a->update_at_us;

    if (publish) {
        char time[VT_TIME_BUFSZ];
        vt_time_format_utc(now, time);
        for (size_t i = 0; i < n; i++)
            if (!device_only || strcmp(states[i].device, device_only) == 0)
                announce(a, &states[i], now, time);
    }
    free(states);

    if (a->update_timer)
        vt_agent_cancel(a->agent, a->update_timer);
    a->update_at_us = next;
    int64_t delay_ms = (next - vt_time_now_us() + 999) / 1000;
    a->update_timer = vt_agent_after(a->agent, delay_ms > 0 ? delay_ms : 0, on_update, a);
    a->updating = true;
}

void act_update_stop(actuator *a)
{
    if (a->update_timer)
        vt_agent_cancel(a->agent, a->update_timer);
    a->update_timer = NULL;
}
