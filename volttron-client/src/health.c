/* health and heartbeat: the agent's status, alerts, and the periodic
 * heartbeat/<identity> publish; with the health.* and heartbeat.* RPC
 * methods every VOLTTRON agent exports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/health.h>
#include <volttron/client/pubsub.h>
#include <volttron/client/query.h>
#include <volttron/client/rpc.h>
#include <volttron/utils/error.h>
#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/time.h>

#include "agent_private.h"

#define DEFAULT_PERIOD_S 60

struct vt_health {
    char status[16];
    cJSON *context;
    char last_updated[VT_TIME_BUFSZ];
    int period_s;
    bool enabled; /* heartbeat wanted */
    vt_timer *timer;
    char *instance_name; /* for alert topics, learned after connecting */
};

static bool valid_status(const char *s)
{
    return s && (strcmp(s, VT_STATUS_GOOD) == 0 || strcmp(s, VT_STATUS_BAD) == 0 ||
                 strcmp(s, VT_STATUS_UNKNOWN) == 0 || strcmp(s, VT_STATUS_STARTING) == 0);
}

static cJSON *status_object(const struct vt_health *h)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", h->status);
    cJSON_AddItemToObject(o, "context",
                          h->context ? cJSON_Duplicate(h->context, 1) : cJSON_CreateNull());
    cJSON_AddStringToObject(o, "last_updated", h->last_updated);
    return o;
}

/* ---- heartbeat ---- */

static void beat(vt_agent *agent, void *ctx)
{
    (void)ctx;
    if (agent->state != VT_AGENT_CONNECTED)
        return;
    char topic[320], headers[96], message[32], ts[VT_TIME_BUFSZ];
    vt_time_format_utc(vt_time_now_us(), ts);
    snprintf(topic, sizeof topic, "heartbeat/%s", agent->identity);
    snprintf(headers, sizeof headers, "{\"TimeStamp\": \"%s\"}", ts);
    snprintf(message, sizeof message, "\"%s\"", agent->health->status);
    vt_pubsub_publish_json(agent, topic, headers, message);
}

static void heartbeat_arm(vt_agent *agent)
{
    struct vt_health *h = agent->health;
    if (h->timer) {
        vt_agent_cancel(agent, h->timer);
        h->timer = NULL;
    }
    if (h->enabled && agent->state == VT_AGENT_CONNECTED)
        h->timer = vt_agent_every_now(agent, (int64_t)h->period_s * 1000, beat, NULL);
}

void vt_heartbeat_start(vt_agent *agent, int period_s)
{
    if (period_s > 0)
        agent->health->period_s = period_s;
    agent->health->enabled = true;
    heartbeat_arm(agent);
}

void vt_heartbeat_stop(vt_agent *agent)
{
    agent->health->enabled = false;
    heartbeat_arm(agent);
}

/* ---- status ---- */

int vt_health_set_status(vt_agent *agent, const char *status, const cJSON *context)
{
    struct vt_health *h = agent->health;
    if (!valid_status(status))
        return vt_error_set(-EINVAL,
                            "invalid health status \"%s\" (GOOD, BAD, UNKNOWN or "
                            "STARTING)",
                            status ? status : "");
    bool changed = strcmp(h->status, status) != 0;
    snprintf(h->status, sizeof h->status, "%s", status);
    cJSON_Delete(h->context);
    h->context = context ? cJSON_Duplicate(context, 1) : NULL;
    vt_time_format_utc(vt_time_now_us(), h->last_updated);
    /* A new status is news: restart the heartbeat, which publishes at once. */
    if (changed && h->enabled)
        heartbeat_arm(agent);
    return 0;
}

int vt_health_set_status_text(vt_agent *agent, const char *status, const char *context)
{
    cJSON *c = context ? cJSON_CreateString(context) : NULL;
    int rc = vt_health_set_status(agent, status, c);
    cJSON_Delete(c);
    return rc;
}

const char *vt_health_status(const vt_agent *agent)
{
    return agent->health->status;
}

int vt_health_send_alert(vt_agent *agent, const char *alert_key, const char *status,
                         const char *context)
{
    if (!valid_status(status))
        return vt_error_set(-EINVAL, "invalid health status \"%s\"", status ? status : "");
    struct vt_health *h = agent->health;
    /* alerts/<class>/<instance>_<identity with dots as underscores> */
    char *who =
        vt_asprintf("%s_%s", h->instance_name ? h->instance_name : "volttron", agent->identity);
    for (char *p = who; *p; p++)
        if (*p == '.')
            *p = '_';
    char *topic = vt_asprintf("alerts/Agent/%s", who);
    struct vt_health snapshot = *h;
    snprintf(snapshot.status, sizeof snapshot.status, "%s", status);
    cJSON *ctx = context ? cJSON_CreateString(context) : NULL;
    snapshot.context = ctx;
    vt_time_format_utc(vt_time_now_us(), snapshot.last_updated);
    cJSON *obj = status_object(&snapshot);
    char *obj_text = vt_json_dump(obj, 0);
    cJSON *message = cJSON_CreateString(obj_text); /* a string holding JSON, as VOLTTRON sends */
    cJSON *headers = cJSON_CreateObject();
    cJSON_AddStringToObject(headers, "alert_key", alert_key);
    int rc = vt_pubsub_publish(agent, topic, headers, message);
    cJSON_Delete(headers);
    cJSON_Delete(message);
    free(obj_text);
    cJSON_Delete(obj);
    cJSON_Delete(ctx);
    free(topic);
    free(who);
    return rc;
}

/* ---- RPC ---- */

static cJSON *rpc_set_status(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    const cJSON *status = vt_rpc_arg(req, 0, "status");
    if (!cJSON_IsString(status))
        return vt_rpc_raise(req, "builtins.TypeError", "set_status() requires a status string");
    if (vt_health_set_status(agent, status->valuestring, vt_rpc_arg(req, 1, "context")) < 0)
        return vt_rpc_raise(req, "builtins.ValueError", "%s", vt_last_error());
    return NULL;
}

static cJSON *rpc_get_status(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)req;
    (void)ctx;
    return status_object(agent->health);
}

static cJSON *rpc_send_alert(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    const cJSON *key = vt_rpc_arg(req, 0, "alert_key");
    const cJSON *st = vt_rpc_arg(req, 1, "statusobj");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(st, "status");
    const cJSON *context = cJSON_GetObjectItemCaseSensitive(st, "context");
    if (!cJSON_IsString(key) || !cJSON_IsString(status))
        return vt_rpc_raise(req, "builtins.TypeError",
                            "send_alert() requires alert_key and a status object");
    if (vt_health_send_alert(agent, key->valuestring, status->valuestring,
                             cJSON_IsString(context) ? context->valuestring : NULL) < 0)
        return vt_rpc_raise(req, "builtins.ValueError", "%s", vt_last_error());
    return NULL;
}

static int period_arg(vt_rpc_request *req)
{
    const cJSON *p = vt_rpc_arg(req, 0, "period");
    return cJSON_IsNumber(p) && p->valuedouble >= 1 ? (int)p->valuedouble : -1;
}

static cJSON *rpc_hb_start(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)req;
    (void)ctx;
    vt_heartbeat_start(agent, 0);
    return NULL;
}

static cJSON *rpc_hb_start_with_period(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    int period = period_arg(req);
    if (period < 0)
        return vt_rpc_raise(req, "builtins.ValueError", "period must be a number >= 1");
    vt_heartbeat_start(agent, period);
    return NULL;
}

static cJSON *rpc_hb_stop(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)req;
    (void)ctx;
    vt_heartbeat_stop(agent);
    return NULL;
}

static cJSON *rpc_hb_restart(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)req;
    (void)ctx;
    heartbeat_arm(agent);
    return NULL;
}

static cJSON *rpc_hb_set_period(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    int period = period_arg(req);
    if (period < 0)
        return vt_rpc_raise(req, "builtins.ValueError", "period must be a number >= 1");
    agent->health->period_s = period;
    if (agent->health->enabled)
        heartbeat_arm(agent);
    return NULL;
}

/* ---- life cycle ---- */

static void got_instance_name(vt_agent *agent, const char *value, size_t len, void *ctx)
{
    (void)ctx;
    if (value && len) {
        free(agent->health->instance_name);
        agent->health->instance_name = vt_strndup(value, len);
    }
}

static void on_connect(vt_agent *agent, void *ctx)
{
    (void)ctx;
    heartbeat_arm(agent);
    if (!agent->health->instance_name)
        vt_query(agent, "instance-name", 10000, got_instance_name, NULL);
}

static void on_disconnect(vt_agent *agent, void *ctx)
{
    (void)ctx;
    if (agent->health->timer) {
        vt_agent_cancel(agent, agent->health->timer);
        agent->health->timer = NULL;
    }
}

void vt_health_init(vt_agent *agent)
{
    struct vt_health *h = vt_calloc(1, sizeof *h);
    agent->health = h;
    snprintf(h->status, sizeof h->status, "%s", VT_STATUS_GOOD);
    vt_time_format_utc(vt_time_now_us(), h->last_updated);
    h->period_s = agent->heartbeat_period > 0 ? agent->heartbeat_period : DEFAULT_PERIOD_S;
    h->enabled = agent->heartbeat_period >= 0;
    vt_agent_hook_add(&agent->on_connect, on_connect, NULL);
    vt_agent_hook_add(&agent->on_disconnect, on_disconnect, NULL);

    vt_rpc_export_doc(agent, "health.set_status", rpc_set_status, NULL, "status, context=None",
                      "Set the agent's health status (GOOD, BAD, UNKNOWN, STARTING).");
    vt_rpc_export_doc(agent, "health.get_status", rpc_get_status, NULL, NULL,
                      "The agent's health status object.");
    vt_rpc_export_doc(agent, "health.get_status_json", rpc_get_status, NULL, NULL,
                      "The agent's health status object.");
    vt_rpc_export_doc(agent, "health.send_alert", rpc_send_alert, NULL, "alert_key, statusobj",
                      "Publish an alert.");
    vt_rpc_export_doc(agent, "heartbeat.start", rpc_hb_start, NULL, NULL, NULL);
    vt_rpc_export_doc(agent, "heartbeat.start_with_period", rpc_hb_start_with_period, NULL,
                      "period", NULL);
    vt_rpc_export_doc(agent, "heartbeat.stop", rpc_hb_stop, NULL, NULL, NULL);
    vt_rpc_export_doc(agent, "heartbeat.restart", rpc_hb_restart, NULL, NULL, NULL);
    vt_rpc_export_doc(agent, "heartbeat.set_period", rpc_hb_set_period, NULL, "period", NULL);
}

void vt_health_fini(vt_agent *agent)
{
    struct vt_health *h = agent->health;
    if (!h)
        return;
    if (h->timer)
        vt_agent_cancel(agent, h->timer);
    cJSON_Delete(h->context);
    free(h->instance_name);
    free(h);
    agent->health = NULL;
}
