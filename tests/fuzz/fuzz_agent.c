/* VIP frames arriving at an agent: the agent core's dispatch and every
 * subsystem of the client library (hello, ping, peerlist, query, error,
 * RPC serving and calling, auth's capability checks, pubsub, config store,
 * channel, health).
 *
 * Each input gets a fresh agent "fuzz.agent" on a fake connection
 * (fakeconn.h), welcomed as the router would welcome it, that exercises
 * what an agent typically does:
 *  - exports echo (returns its arguments), fail (raises), later (answers
 *    from the loop), never (defers and never answers) and guarded
 *    (requires the capability "admin", checked with platform.auth because
 *    capabilities are enforced);
 *  - subscribes to "devices/" and, on bus "fuzz", to everything;
 *  - keeps a default "config" and follows every configuration;
 *  - on start: calls fuzz.peer.method, lists peers, queries the instance
 *    name, pings fuzz.peer, lists its subscriptions, publishes with an
 *    acknowledgement, opens a channel to fuzz.peer, stores a configuration.
 * Then the input's messages (frames.h; frames as a DEALER receives them:
 * peer, "VIP1", user-id, message id, subsystem, arguments) are delivered
 * one by one with the loop run in between, and the agent is destroyed.
 * Message ids of the agent's own requests are "vt.1", "vt.2", ... in a
 * fixed order, so inputs can answer them (VT_FUZZ_TRACE=1 prints what the
 * agent sends). */
#include <stdlib.h>
#include <string.h>

#include <volttron/client/client.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/json.h>

#include "fakeconn.h"
#include "frames.h"
#include "fuzz.h"

static const char *home;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    home = fz_setup("agent");
    return 0;
}

/* ---- what the agent serves ---- */

static cJSON *echo(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)ctx;
    vt_rpc_caller(req);
    vt_rpc_method_name(req);
    vt_rpc_arg(req, 1, "b");
    cJSON *r = cJSON_CreateArray();
    cJSON_AddItemToArray(r, cJSON_Duplicate(vt_rpc_args(req), 1));
    cJSON_AddItemToArray(r, cJSON_Duplicate(vt_rpc_kwargs(req), 1));
    return r;
}

static cJSON *fail(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)ctx;
    const cJSON *why = vt_rpc_arg(req, 0, "why");
    return vt_rpc_raise(req, "builtins.ValueError", "%s",
                        cJSON_IsString(why) ? why->valuestring : "no");
}

static void answer_later(vt_loop *loop, void *ctx)
{
    (void)loop;
    vt_rpc_request *req = ctx;
    vt_rpc_reply(req, cJSON_Duplicate(vt_rpc_args(req), 1));
}

static cJSON *later(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    vt_loop_defer(vt_agent_loop(agent), answer_later, vt_rpc_defer(req));
    return NULL;
}

/* Left unanswered: destroying the agent must release it. */
static cJSON *never(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)ctx;
    vt_rpc_defer(req);
    return NULL;
}

/* ---- what the agent listens to ---- */

static void on_publish(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    (void)ctx;
    size_t len;
    vt_pubsub_topic(m);
    vt_pubsub_sender(m);
    vt_pubsub_bus(m);
    vt_pubsub_raw(m, &len);
    const cJSON *body = vt_pubsub_body(m);
    const cJSON *headers = vt_pubsub_headers(m);
    if (body)
        free(vt_json_dump(body, 0));
    if (headers)
        free(vt_json_dump(headers, 0));
}

static void on_config(vt_agent *agent, const char *name, vt_config_action action,
                      const cJSON *contents, void *ctx)
{
    (void)action;
    (void)ctx;
    if (contents)
        free(vt_json_dump(contents, 0));
    cJSON_Delete(vt_config_get(agent, name));
    free(vt_config_list(agent, NULL));
}

static void on_peer(vt_agent *agent, const char *peer, bool added, void *ctx)
{
    (void)agent;
    (void)peer;
    (void)added;
    (void)ctx;
}

/* ---- what the agent asks, answered (or not) by the input ---- */

static void on_result(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)agent;
    (void)ctx;
    if (res->value)
        free(vt_json_dump(res->value, 0));
}

static void on_peers(vt_agent *agent, const char *const *peers, size_t n, void *ctx)
{
    (void)agent;
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        (void)strlen(peers[i]);
}

static void on_query(vt_agent *agent, const char *value, size_t len, void *ctx)
{
    (void)agent;
    (void)value;
    (void)len;
    (void)ctx;
}

static void on_ping(vt_agent *agent, int rc, void *ctx)
{
    (void)agent;
    (void)rc;
    (void)ctx;
}

static void on_list(vt_agent *agent, const cJSON *list, void *ctx)
{
    (void)agent;
    (void)ctx;
    if (list)
        free(vt_json_dump(list, 0));
}

static void on_ack(vt_agent *agent, int count, void *ctx)
{
    (void)agent;
    (void)count;
    (void)ctx;
}

static void on_channel(vt_agent *agent, vt_channel *ch, const void *data, size_t len, void *ctx)
{
    (void)agent;
    (void)data;
    (void)len;
    (void)ctx;
    vt_channel_send(ch, "ack", 3);
}

static vt_channel *channel;

static void on_start(vt_agent *agent, void *ctx)
{
    (void)ctx;
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString("x"));
    vt_rpc_call(agent, "fuzz.peer", "method", params, 0, on_result, NULL);
    vt_peerlist_list(agent, 0, on_peers, NULL);
    vt_query(agent, "instance-name", 0, on_query, NULL);
    vt_ping(agent, "fuzz.peer", 0, on_ping, NULL);
    vt_pubsub_list(agent, "", true, false, false, on_list, NULL);
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddNumberToObject(msg, "value", 1);
    vt_pubsub_publish_ack(agent, "devices/fuzz/all", NULL, msg, 0, on_ack, NULL);
    cJSON_Delete(msg);
    channel = vt_channel_open(agent, "fuzz.peer", "fuzz-channel", on_channel, NULL);
    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddStringToObject(cfg, "set", "by fuzz.agent");
    vt_config_set(agent, "stored", cfg, true);
    cJSON_Delete(cfg);
}

static vt_agent *make_agent(void)
{
    vt_agent_options o = {
        .identity = "fuzz.agent",
        .volttron_home = home,
        .address = "inproc://fuzz",
        .auth = 0,
        .heartbeat_period = -1,
        .no_signals = true,
        .enforce_capabilities = 1,
    };
    vt_agent *agent = fz_agent_new(&o);
    FZ_CHECK(agent != NULL, "cannot make the agent");
    vt_rpc_export(agent, "echo", echo, NULL);
    vt_rpc_export_doc(agent, "fail", fail, NULL, "why", "Raises ValueError(why).");
    vt_rpc_export(agent, "later", later, NULL);
    vt_rpc_export(agent, "never", never, NULL);
    vt_rpc_export_doc(agent, "guarded", echo, NULL, "identity, value=None", NULL);
    vt_rpc_require(agent, "guarded", "admin");
    vt_pubsub_subscribe(agent, "devices/", on_publish, NULL);
    vt_pubsub_subscribe_ex(agent, "", "fuzz", true, on_publish, NULL);
    cJSON *def = cJSON_CreateObject();
    cJSON_AddNumberToObject(def, "interval", 5);
    vt_config_set_default(agent, "config", def);
    cJSON_Delete(def);
    vt_config_subscribe(agent, "*", VT_CONFIG_ALL, on_config, NULL);
    vt_peerlist_on_change(agent, on_peer, NULL);
    vt_agent_on_start(agent, on_start, NULL);
    return agent;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vt_agent *agent = make_agent();
    fz_agent_connect(agent);
    fz_reader r;
    fz_message m;
    fz_reader_init(&r, data, size);
    while (fz_next_message(&r, &m)) {
        fz_agent_deliver(agent, &m);
        fz_agent_settle(agent);
    }
    vt_channel_close(&channel);
    vt_agent_destroy(&agent);
    return 0;
}
