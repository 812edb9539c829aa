/* The actuator agent (agents/actuator) receiving VIP messages: its RPC
 * methods (argument binding, schedule requests and cancels, point reads,
 * writes and reverts forwarded to the driver, the multi-point methods) and
 * its pubsub request topics (devices/actuators/...), with the schedule,
 * lock and announce logic behind them.
 *
 * Each input gets a fresh actuator, wired as its main() wires it (built-in
 * settings, empty schedule kept in the scratch directory, RPC exported,
 * topics subscribed, update events running) on a fake connection
 * (fakeconn.h) as "platform.actuator". The input is a sequence of
 * messages (frames.h) delivered as a DEALER receives them: peer, "VIP1",
 * user-id (the caller the actuator trusts), message id, subsystem,
 * arguments. The actuator's calls to platform.driver get ids "vt.1",
 * "vt.2", ... so an input can answer them (VT_FUZZ_TRACE=1 shows them).
 *
 * Checked beyond "no crash": whatever schedule the input leaves must save
 * and load back, as it would across a restart. */
#include <stdlib.h>
#include <unistd.h>

#include <volttron/client/client.h>

#include "actuator.h"
#include "fakeconn.h"
#include "frames.h"
#include "fuzz.h"

static const char *home;
static char *state_path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    home = fz_setup("actuator");
    state_path = fz_path("schedule_state.json");
    return 0;
}

static void on_stop(vt_agent *agent, void *ctx)
{
    (void)agent;
    act_update_stop(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vt_agent_options o = {
        .identity = "platform.actuator",
        .volttron_home = home,
        .address = "inproc://fuzz",
        .auth = 0,
        .heartbeat_period = -1,
        .no_signals = true,
        .no_config_store = true, /* configuration is main()'s business */
    };
    actuator a = {.agent = fz_agent_new(&o)};
    FZ_CHECK(a.agent != NULL, "cannot make the agent");
    a.defaults = act_settings_builtin();
    FZ_CHECK(act_settings_parse(a.defaults, &a.settings) == 0, "built-in settings refused");
    a.configured = true;
    a.schedule = act_schedule_new(a.settings.preempt_grace_time);
    unlink(state_path);
    a.state_path = state_path;
    act_persist_load(&a, vt_time_now_us());
    act_rpc_export(&a);
    act_pubsub_subscribe(&a);
    vt_agent_on_stop(a.agent, on_stop, &a);
    fz_agent_connect(a.agent);
    act_update(&a, vt_time_now_us(), NULL, true);

    fz_reader r;
    fz_message m;
    fz_reader_init(&r, data, size);
    while (fz_next_message(&r, &m)) {
        fz_agent_deliver(a.agent, &m);
        fz_agent_settle(a.agent);
    }

    int64_t now = vt_time_now_us();
    cJSON *saved = act_schedule_to_json(a.schedule, now);
    act_schedule *restored = act_schedule_new(a.settings.preempt_grace_time);
    FZ_CHECK(act_schedule_from_json(restored, saved, now) == 0,
             "the schedule does not load back: %s", vt_last_error());
    FZ_CHECK(act_schedule_count(restored, now) == act_schedule_count(a.schedule, now),
             "tasks lost in saving and loading");
    act_schedule_free(&restored);
    cJSON_Delete(saved);

    vt_agent_destroy(&a.agent);
    act_schedule_free(&a.schedule);
    act_settings_clear(&a.settings);
    cJSON_Delete(a.defaults);
    return 0;
}
