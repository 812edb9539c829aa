/* The actuator agent (identity platform.actuator, actuator.md): schedules
 * exclusive access to devices and forwards reads, writes and reverts to
 * the platform driver.
 *
 * Configuration: the config store's "config" entry over the defaults
 * (VOLTTRON's built-ins, then the agent's configuration file — the
 * manifest's "config" when installed with vctl):
 *   schedule_publish_interval  s   60    most time between announces
 *   preempt_grace_time         s   60    a preempted running task's grace
 *   heartbeat_interval         s   60    period of driver.heart_beat()
 *   driver_vip_identity            "platform.driver"
 *   allow_no_lock_write            true  writes to devices nobody holds
 * The schedule lives in <data dir>/schedule_state.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actuator.h"

#ifndef ACTUATOR_VERSION
#define ACTUATOR_VERSION "1.0.0"
#endif

/* ---- heartbeat (§6) ---- */

static void heartbeat_answered(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)agent;
    (void)ctx;
    if (res->status == VT_RPC_OK)
        return;
    if (res->status == VT_RPC_UNREACHABLE) {
        vt_log_warning(ACT_SRC, "Platform driver is not running");
        return;
    }
    char buf[512];
    act_failure f = act_failure_from_result(res, buf, sizeof buf);
    const char *dot = strrchr(f.exc_type, '.');
    vt_log_warning(ACT_SRC, "%s(%s)", dot ? dot + 1 : f.exc_type, f.message);
}

static void heartbeat(vt_agent *agent, void *ctx)
{
    actuator *a = ctx;
    vt_log_debug(ACT_SRC, "sending heartbeat");
    vt_rpc_call(agent, a->settings.driver_vip_identity, "heart_beat", NULL,
                ACT_HEARTBEAT_TIMEOUT_MS, heartbeat_answered, a);
}

static void heartbeat_stop(actuator *a)
{
    if (a->heartbeat_timer)
        vt_agent_cancel(a->agent, a->heartbeat_timer);
    a->heartbeat_timer = NULL;
}

/* ---- configuration (§2) ---- */

/* Heartbeat, update events and subscriptions for the settings in force. */
static void apply(actuator *a, vt_config_action action, double old_period)
{
    const act_settings *s = &a->settings;
    /* The heartbeat restarts only when its period changes (or on NEW). */
    if (!a->heartbeat_timer || action == VT_CONFIG_NEW || old_period != s->heartbeat_interval) {
        heartbeat_stop(a);
        a->heartbeat_period = s->heartbeat_interval;
        int64_t ms = (int64_t)(s->heartbeat_interval * 1000.0);
        a->heartbeat_timer = vt_agent_every_now(a->agent, ms > 0 ? ms : 1, heartbeat, a);
    }
    act_schedule_set_grace(a->schedule, s->preempt_grace_time);
    if (!a->updating)
        act_update(a, vt_time_now_us(), NULL, true);
    act_pubsub_subscribe(a);
}

static void on_config(vt_agent *agent, const char *name, vt_config_action action,
                      const cJSON *contents, void *ctx)
{
    (void)name;
    actuator *a = ctx;
    cJSON *merged = act_settings_merge(a->defaults, contents);
    act_settings s;
    int rc = act_settings_parse(merged, &s);
    cJSON_Delete(merged);
    if (rc < 0) {
        /* As VOLTTRON: log, and keep the configuration in force. */
        vt_log_error(ACT_SRC, "ERROR PROCESSING CONFIGURATION: %s", vt_last_error());
        vt_health_set_status_text(agent, VT_STATUS_BAD, vt_last_error());
        /* VOLTTRON's agent stays inert when its very first configuration
         * is bad. Ours serves on the defaults instead, but with writes to
         * unheld devices refused until a configuration is accepted. */
        if (!a->configured && !a->updating) {
            vt_log_warning(ACT_SRC, "running on the default configuration meanwhile");
            apply(a, action, a->heartbeat_period);
        }
        return;
    }
    double old_period = a->heartbeat_period;
    act_settings_clear(&a->settings);
    a->settings = s;
    a->configured = true;
    vt_health_set_status_text(agent, VT_STATUS_GOOD, "configured");
    vt_log_info(ACT_SRC,
                "driver %s, schedule publish interval %g s, heartbeat interval %g s, preemption "
                "grace %g s, writes without a lock %s",
                s.driver_vip_identity, s.schedule_publish_interval, s.heartbeat_interval,
                s.preempt_grace_time, s.allow_no_lock_write ? "allowed" : "refused");
    apply(a, action, old_period);
}

static void on_stop(vt_agent *agent, void *ctx)
{
    (void)agent;
    actuator *a = ctx;
    heartbeat_stop(a);
    act_update_stop(a);
}

/* ---- main ---- */

int main(int argc, char **argv)
{
    /* VOLTTRON's actuator is platform.actuator unless told otherwise. */
    setenv("AGENT_VIP_IDENTITY", "platform.actuator", 0);
    vt_agent *agent = vt_agent_new_from_env(argc, argv);
    if (!agent)
        return 1;
    actuator a = {.agent = agent};

    /* The defaults: VOLTTRON's built-ins, then the file configuration. */
    cJSON *builtin = act_settings_builtin();
    a.defaults = act_settings_merge(builtin, vt_agent_config(agent));
    if (act_settings_parse(a.defaults, &a.settings) < 0) {
        vt_log_error(ACT_SRC, "bad configuration file: %s; using the built-in defaults",
                     vt_last_error());
        cJSON_Delete(a.defaults);
        a.defaults = cJSON_Duplicate(builtin, 1);
        act_settings_parse(a.defaults, &a.settings);
    }
    cJSON_Delete(builtin);
    vt_config_set_default(agent, "config", a.defaults);
    vt_config_subscribe(agent, "config", VT_CONFIG_NEW | VT_CONFIG_UPDATE, on_config, &a);

    a.schedule = act_schedule_new(a.settings.preempt_grace_time);
    const char *data = vt_agent_data_dir(agent);
    if (data)
        a.state_path = vt_fs_path_join(data, "schedule_state.json");
    else
        vt_log_error(ACT_SRC, "no data directory (%s): schedules will not survive a restart",
                     vt_last_error());
    act_persist_load(&a, vt_time_now_us());

    act_rpc_export(&a);
    vt_agent_on_stop(agent, on_stop, &a);
    vt_log_info(ACT_SRC, "actuator %s as %s", ACTUATOR_VERSION, vt_agent_identity(agent));
    int rc = vt_agent_run(agent);
    vt_agent_destroy(&agent);
    act_schedule_free(&a.schedule);
    act_settings_clear(&a.settings);
    cJSON_Delete(a.defaults);
    free(a.state_path);
    return rc;
}
