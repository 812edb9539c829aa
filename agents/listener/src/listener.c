/* The listener agent: logs every message it hears on the bus and publishes
 * a heartbeat. The smallest complete agent, and the template for new ones.
 *
 * Configuration (JSON or YAML; the AGENT_CONFIG file, or -c FILE):
 *   agentid           stored for compatibility, unused        default "listener"
 *   message           logged at start; health context          default "Listener Message"
 *   heartbeat_period  seconds; 0 keeps the platform's 60 s     default 5
 *   runtime_limit     seconds; > 0 stops the agent after it    default 0
 *   log-level         DEBUG, INFO, WARN or ERROR for messages  default "INFO"
 *   prefixes          topic prefixes to log (our addition)     default [""] (everything)
 *
 * Log format (VOLTTRON's, with JSON where Python prints repr):
 *   Peer: pubsub, Sender: <sender>:, Bus: <bus>, Topic: <topic>, Headers: <json>, Message:
 *   <indented json>
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/client.h>

#define SRC "listener"

typedef struct listener {
    int level;
    int heartbeat_period;
    int64_t runtime_limit;
    char *message;
    cJSON *prefixes;
} listener;

static int message_level(const char *name)
{
    /* VOLTTRON's listener knows exactly these names; anything else is INFO. */
    if (strcmp(name, "DEBUG") == 0)
        return VT_LOG_DEBUG;
    if (strcmp(name, "WARN") == 0)
        return VT_LOG_WARNING;
    if (strcmp(name, "ERROR") == 0)
        return VT_LOG_ERROR;
    return VT_LOG_INFO;
}

static int configure(listener *l, const cJSON *cfg)
{
    const char *message, *level;
    int64_t period, limit;
    if (vt_json_opt_string(cfg, "message", "Listener Message", &message, "config") < 0 ||
        vt_json_opt_string(cfg, "log-level", "INFO", &level, "config") < 0 ||
        vt_json_opt_int(cfg, "runtime_limit", 0, &limit, "config") < 0)
        return -EINVAL;
    /* VOLTTRON parses the period with int() and falls back to 5 when invalid. */
    if (vt_json_opt_int(cfg, "heartbeat_period", 5, &period, "config") < 0) {
        vt_log_warning(SRC, "%s; using 5", vt_last_error());
        period = 5;
    }
    const cJSON *prefixes = cJSON_GetObjectItemCaseSensitive(cfg, "prefixes");
    if (prefixes && !cJSON_IsArray(prefixes) && !cJSON_IsString(prefixes)) {
        vt_error_set(-EINVAL, "config key \"prefixes\" must be a list of topic prefixes, got %s",
                     vt_json_type_name(prefixes));
        return -EINVAL;
    }
    l->message = vt_strdup(message);
    l->level = message_level(level);
    l->heartbeat_period = (int)period;
    l->runtime_limit = limit;
    l->prefixes = cJSON_CreateArray();
    if (cJSON_IsString(prefixes)) {
        cJSON_AddItemToArray(l->prefixes, cJSON_CreateString(prefixes->valuestring));
    } else if (cJSON_IsArray(prefixes)) {
        const cJSON *p;
        cJSON_ArrayForEach (p, prefixes) {
            if (!cJSON_IsString(p)) {
                vt_error_set(-EINVAL, "config key \"prefixes\" must hold strings, got %s",
                             vt_json_type_name(p));
                return -EINVAL;
            }
            cJSON_AddItemToArray(l->prefixes, cJSON_CreateString(p->valuestring));
        }
    } else {
        cJSON_AddItemToArray(l->prefixes, cJSON_CreateString(""));
    }
    return 0;
}

static void on_message(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    listener *l = ctx;
    if (!vt_log_enabled(l->level))
        return;
    char *headers = vt_json_dump(vt_pubsub_headers(m), 0);
    char *message = vt_json_dump(vt_pubsub_body(m), VT_JSON_INDENT(1));
    vt_log(l->level, SRC,
           "Peer: pubsub, Sender: %s:, Bus: %s, Topic: %s, Headers: %s, Message: \n%s",
           vt_pubsub_sender(m), vt_pubsub_bus(m), vt_pubsub_topic(m), headers, message);
    free(headers);
    free(message);
}

static void got_serverkey(vt_agent *agent, const char *value, size_t len, void *ctx)
{
    (void)agent;
    (void)ctx;
    if (value)
        vt_log_info(SRC, "query: '%.*s'", (int)len, value);
}

static void time_up(vt_agent *agent, void *ctx)
{
    (void)ctx;
    vt_log_info(SRC, "runtime limit reached, stopping");
    vt_agent_stop(agent, 0);
}

static void on_start(vt_agent *agent, void *ctx)
{
    listener *l = ctx;
    if (l->heartbeat_period != 0) {
        vt_heartbeat_start(agent, l->heartbeat_period);
        vt_health_set_status_text(agent, VT_STATUS_GOOD, l->message);
    }
    vt_query(agent, "serverkey", 10000, got_serverkey, NULL);
    const cJSON *p;
    cJSON_ArrayForEach (p, l->prefixes) {
        vt_pubsub_subscribe_ex(agent, p->valuestring, "", true, on_message, l);
    }
    if (l->runtime_limit > 0)
        vt_agent_after(agent, l->runtime_limit * 1000, time_up, l);
}

int main(int argc, char **argv)
{
    vt_agent *agent = vt_agent_new_from_env(argc, argv);
    if (!agent)
        return 1;
    listener l = {0};
    if (configure(&l, vt_agent_config(agent)) < 0) {
        vt_log_error(SRC, "bad configuration: %s", vt_last_error());
        vt_agent_destroy(&agent);
        return 1;
    }
    vt_log_info(SRC, "%s", l.message);
    vt_agent_on_start(agent, on_start, &l);
    int rc = vt_agent_run(agent);
    vt_agent_destroy(&agent);
    free(l.message);
    cJSON_Delete(l.prefixes);
    return rc;
}
