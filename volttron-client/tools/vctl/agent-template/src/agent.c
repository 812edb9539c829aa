/* {{name}}: a VOLTTRON agent.
 *
 * It subscribes to a topic prefix, counts what it hears, answers the RPC
 * method "greet", and follows its configuration live. Start here: each
 * function is a place to put your own logic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/client.h>

#include "settings.h"

#define LOG "{{name}}"

typedef struct state {
    settings cfg;
    long heard;
} state;

/* Every message on the subscribed prefix. */
static void on_message(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    state *st = ctx;
    st->heard++;
    vt_log_debug(LOG, "heard %s from %s", vt_pubsub_topic(m), vt_pubsub_sender(m));
}

/* RPC: greet(name=None) -> "<greeting>, <name>" */
static cJSON *greet(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    state *st = ctx;
    const cJSON *name = vt_rpc_arg(req, 0, "name");
    char text[512];
    snprintf(text, sizeof text, "%s, %s", st->cfg.greeting,
             cJSON_IsString(name) ? name->valuestring : "world");
    return cJSON_CreateString(text);
}

/* RPC: heard() -> how many messages arrived */
static cJSON *heard(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)req;
    return cJSON_CreateNumber((double)((state *)ctx)->heard);
}

/* The configuration store's "config": at start and on every change. */
static void on_config(vt_agent *agent, const char *name, vt_config_action action,
                      const cJSON *contents, void *ctx)
{
    (void)name;
    state *st = ctx;
    char err[256];
    const cJSON *cfg = action == VT_CONFIG_DELETE ? vt_agent_config(agent) : contents;
    char *old_prefix = st->cfg.topic_prefix ? vt_strdup(st->cfg.topic_prefix) : NULL;
    if (settings_load(&st->cfg, cfg, err, sizeof err) < 0) {
        vt_log_error(LOG, "configuration refused, keeping the old one: %s", err);
        free(old_prefix);
        return;
    }
    if (!old_prefix || strcmp(old_prefix, st->cfg.topic_prefix) != 0) {
        if (old_prefix)
            vt_pubsub_unsubscribe(agent, old_prefix, on_message);
        vt_pubsub_subscribe(agent, st->cfg.topic_prefix, on_message, st);
    }
    free(old_prefix);
    vt_log_info(LOG, "configured: listening on \"%s\"", st->cfg.topic_prefix);
}

static void on_start(vt_agent *agent, void *ctx)
{
    (void)ctx;
    vt_health_set_status_text(agent, "GOOD", "started");
    vt_log_info(LOG, "started as %s; data in %s", vt_agent_identity(agent),
                vt_agent_data_dir(agent));
}

static void on_stop(vt_agent *agent, void *ctx)
{
    (void)agent;
    vt_log_info(LOG, "stopping after %ld messages", ((state *)ctx)->heard);
}

int main(int argc, char **argv)
{
    vt_agent *agent = vt_agent_new_from_env(argc, argv);
    if (!agent)
        return 1;
    state st = {0};
    /* the installed configuration until the store says otherwise */
    vt_config_set_default(agent, "config", vt_agent_config(agent));
    vt_config_subscribe(agent, "config", VT_CONFIG_ALL, on_config, &st);
    vt_rpc_export_doc(agent, "greet", greet, &st, "name=None", "A greeting.");
    vt_rpc_export_doc(agent, "heard", heard, &st, "", "Messages heard so far.");
    vt_agent_on_start(agent, on_start, &st);
    vt_agent_on_stop(agent, on_stop, &st);
    int rc = vt_agent_run(agent);
    vt_agent_destroy(&agent);
    settings_clear(&st.cfg);
    return rc;
}
