/* A test agent run as its own process by the integration tests and the
 * vector tests (where it plays VOLTTRON's "bench.peer"). It exports:
 *   echo(x)                    x (or [*args, kwargs] for several)
 *   fail(text)                 raises builtins.ValueError(text)
 *   publish_sample(topic, seq) publishes a 10-point device message, returns
 *                              the subscriber count
 *   call_back(peer, method, arg)  calls peer.method(arg), returns its result
 *   sleep(ms)                  answers after ms (deferred, loop keeps running)
 *   subscribe(prefix)          subscribes; messages are counted per prefix
 *   received(prefix)           [count, last topic, last headers, last message]
 *   exit(code)                 exits the process at once with code
 *   config_events()            configuration callbacks since the last call:
 *                              [[name, action, contents], ...]
 *   config_get(name)           the configuration, references resolved
 *   data_dir()                 vt_agent_data_dir()
 *   env(name)                  the value of an environment variable, or null
 *
 * Its configuration file (AGENT_CONFIG) may say how to misbehave, for the
 * platform's supervision tests:
 *   {"crash_exit_code": N}     exit with N right after starting
 *   {"ignore_sigint": true}    ignore SIGINT (so a stop must escalate)
 *   {"log": "text"}            log text at INFO and WARNING, print it on stdout
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/client.h>

typedef struct seen {
    char *prefix;
    int count;
    cJSON *last;
    struct seen *next;
} seen;

static seen *seen_list;

static cJSON *echo(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)ctx;
    const cJSON *args = vt_rpc_args(req), *kwargs = vt_rpc_kwargs(req);
    int nargs = cJSON_GetArraySize(args), nkw = cJSON_GetArraySize(kwargs);
    if (nargs == 1 && nkw == 0)
        return cJSON_Duplicate(cJSON_GetArrayItem(args, 0), 1);
    if (nargs == 0 && nkw == 1 && cJSON_GetObjectItemCaseSensitive(kwargs, "x"))
        return cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(kwargs, "x"), 1);
    cJSON *all = cJSON_Duplicate(args, 1);
    if (nkw)
        cJSON_AddItemToArray(all, cJSON_Duplicate(kwargs, 1));
    return all;
}

static cJSON *fail(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)ctx;
    const cJSON *text = vt_rpc_arg(req, 0, "text");
    return vt_rpc_raise(req, "builtins.ValueError", "%s",
                        cJSON_IsString(text) ? text->valuestring : "failure");
}

static void published(vt_agent *agent, int count, void *ctx)
{
    (void)agent;
    vt_rpc_reply(ctx, cJSON_CreateNumber(count));
}

static cJSON *publish_sample(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    const cJSON *topic = vt_rpc_arg(req, 0, "topic");
    const cJSON *seq = vt_rpc_arg(req, 1, "seq");
    if (!cJSON_IsString(topic))
        return vt_rpc_raise(req, "builtins.TypeError", "topic must be a string");
    cJSON *headers = cJSON_CreateObject();
    cJSON_AddItemToObject(headers, "seq", seq ? cJSON_Duplicate(seq, 1) : cJSON_CreateNull());
    cJSON *message = cJSON_CreateArray();
    cJSON *values = cJSON_CreateObject(), *meta = cJSON_CreateObject();
    for (int i = 0; i < 10; i++) {
        char name[16];
        snprintf(name, sizeof name, "Point%02d", i);
        cJSON_AddItemToObject(values, name, vt_json_new_float(70.25 + i));
        cJSON *m = cJSON_AddObjectToObject(meta, name);
        cJSON_AddStringToObject(m, "units", "degreesFahrenheit");
        cJSON_AddStringToObject(m, "type", "float");
        cJSON_AddStringToObject(m, "tz", "UTC");
    }
    cJSON_AddItemToArray(message, values);
    cJSON_AddItemToArray(message, meta);
    vt_rpc_request *later = vt_rpc_defer(req);
    vt_pubsub_publish_ack(agent, topic->valuestring, headers, message, 10000, published, later);
    cJSON_Delete(headers);
    cJSON_Delete(message);
    return NULL;
}

static void called_back(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)agent;
    if (res->status == VT_RPC_OK)
        vt_rpc_reply(ctx, cJSON_Duplicate(res->value, 1));
    else if (res->status == VT_RPC_ERROR)
        vt_rpc_reply_error(ctx, res->code, res->message, res->data);
    else
        vt_rpc_reply_raise(ctx, "volttron.platform.vip.agent.errors.Unreachable", "%s",
                           res->message);
}

static cJSON *call_back(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    const cJSON *peer = vt_rpc_arg(req, 0, "peer");
    const cJSON *method = vt_rpc_arg(req, 1, "method");
    const cJSON *arg = vt_rpc_arg(req, 2, "arg");
    if (!cJSON_IsString(peer) || !cJSON_IsString(method))
        return vt_rpc_raise(req, "builtins.TypeError", "peer and method must be strings");
    cJSON *params = cJSON_CreateArray();
    if (arg)
        cJSON_AddItemToArray(params, cJSON_Duplicate(arg, 1));
    vt_rpc_call(agent, peer->valuestring, method->valuestring, params, 10000, called_back,
                vt_rpc_defer(req));
    return NULL;
}

static void wake(vt_agent *agent, void *ctx)
{
    (void)agent;
    vt_rpc_reply(ctx, cJSON_CreateString("awake"));
}

static cJSON *sleep_ms(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    const cJSON *ms = vt_rpc_arg(req, 0, "ms");
    vt_agent_after(agent, cJSON_IsNumber(ms) ? (int64_t)ms->valuedouble : 1000, wake,
                   vt_rpc_defer(req));
    return NULL;
}

static void on_message(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    seen *s = ctx;
    s->count++;
    cJSON_Delete(s->last);
    s->last = cJSON_CreateArray();
    cJSON_AddItemToArray(s->last, cJSON_CreateString(vt_pubsub_topic(m)));
    cJSON_AddItemToArray(s->last, cJSON_Duplicate(vt_pubsub_headers(m), 1));
    cJSON_AddItemToArray(s->last, cJSON_Duplicate(vt_pubsub_body(m), 1));
    cJSON_AddItemToArray(s->last, cJSON_CreateString(vt_pubsub_sender(m)));
}

static cJSON *subscribe(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    const cJSON *prefix = vt_rpc_arg(req, 0, "prefix");
    if (!cJSON_IsString(prefix))
        return vt_rpc_raise(req, "builtins.TypeError", "prefix must be a string");
    seen *s = calloc(1, sizeof *s);
    s->prefix = strdup(prefix->valuestring);
    s->next = seen_list;
    seen_list = s;
    vt_pubsub_subscribe(agent, s->prefix, on_message, s);
    return cJSON_CreateTrue();
}

static cJSON *received(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)ctx;
    const cJSON *prefix = vt_rpc_arg(req, 0, "prefix");
    for (seen *s = seen_list; s; s = s->next) {
        if (cJSON_IsString(prefix) && strcmp(prefix->valuestring, s->prefix) == 0) {
            cJSON *r = cJSON_CreateArray();
            cJSON_AddItemToArray(r, cJSON_CreateNumber(s->count));
            cJSON_AddItemToArray(r, s->last ? cJSON_Duplicate(s->last, 1) : cJSON_CreateNull());
            return r;
        }
    }
    return vt_rpc_raise(req, "builtins.KeyError", "not subscribed to that prefix");
}

/* Configuration callbacks, recorded for config_events(). */
static cJSON *config_log;

static void on_config(vt_agent *agent, const char *name, vt_config_action action,
                      const cJSON *contents, void *ctx)
{
    (void)agent;
    (void)ctx;
    cJSON *ev = cJSON_CreateArray();
    cJSON_AddItemToArray(ev, cJSON_CreateString(name));
    cJSON_AddItemToArray(ev, cJSON_CreateString(action == VT_CONFIG_NEW      ? "NEW"
                                                : action == VT_CONFIG_UPDATE ? "UPDATE"
                                                                             : "DELETE"));
    cJSON_AddItemToArray(ev, contents ? cJSON_Duplicate(contents, 1) : cJSON_CreateNull());
    cJSON_AddItemToArray(config_log, ev);
}

static cJSON *config_events(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)req;
    (void)ctx;
    cJSON *out = config_log;
    config_log = cJSON_CreateArray();
    return out;
}

static cJSON *config_get(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    const cJSON *name = vt_rpc_arg(req, 0, "name");
    cJSON *v = cJSON_IsString(name) ? vt_config_get(agent, name->valuestring) : NULL;
    return v ? v : vt_rpc_raise(req, "builtins.KeyError", "no such configuration");
}

static cJSON *do_exit(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)ctx;
    const cJSON *code = vt_rpc_arg(req, 0, "code");
    _Exit(cJSON_IsNumber(code) ? (int)code->valuedouble : 0);
}

static cJSON *data_dir(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)req;
    (void)ctx;
    const char *d = vt_agent_data_dir(agent);
    return d ? cJSON_CreateString(d) : cJSON_CreateNull();
}

static cJSON *env(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)ctx;
    const cJSON *name = vt_rpc_arg(req, 0, "name");
    const char *v = cJSON_IsString(name) ? getenv(name->valuestring) : NULL;
    return v ? cJSON_CreateString(v) : cJSON_CreateNull();
}

/* Misbehaviour asked for by the configuration (see the top). */
static void misbehave(vt_agent *agent)
{
    const cJSON *cfg = vt_agent_config(agent);
    const cJSON *crash = cJSON_GetObjectItemCaseSensitive(cfg, "crash_exit_code");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(cfg, "log");
    if (cJSON_IsString(text)) {
        vt_log_info(vt_agent_identity(agent), "%s", text->valuestring);
        vt_log_warning(vt_agent_identity(agent), "%s", text->valuestring);
        printf("%s\n", text->valuestring);
        fflush(stdout);
    }
    if (cJSON_IsNumber(crash))
        _Exit((int)crash->valuedouble);
}

static void on_start(vt_agent *agent, void *ctx)
{
    (void)ctx;
    /* after the agent's own handlers are in place, so this one wins */
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(vt_agent_config(agent), "ignore_sigint")))
        signal(SIGINT, SIG_IGN);
}

int main(int argc, char **argv)
{
    vt_agent *agent = vt_agent_new_from_env(argc, argv);
    if (!agent)
        return 1;
    misbehave(agent);
    vt_agent_on_start(agent, on_start, NULL);
    vt_rpc_export(agent, "data_dir", data_dir, NULL);
    vt_rpc_export_doc(agent, "env", env, NULL, "name", NULL);
    vt_rpc_export_doc(agent, "echo", echo, NULL, "x=None, *args, **kwargs", "Return x.");
    vt_rpc_export(agent, "fail", fail, NULL);
    vt_rpc_export(agent, "publish_sample", publish_sample, NULL);
    vt_rpc_export(agent, "call_back", call_back, NULL);
    vt_rpc_export(agent, "sleep", sleep_ms, NULL);
    vt_rpc_export(agent, "subscribe", subscribe, NULL);
    vt_rpc_export(agent, "received", received, NULL);
    vt_rpc_export(agent, "exit", do_exit, NULL);
    vt_rpc_export(agent, "config_events", config_events, NULL);
    vt_rpc_export(agent, "config_get", config_get, NULL);
    config_log = cJSON_CreateArray();
    vt_config_subscribe(agent, "*", VT_CONFIG_ALL, on_config, NULL);
    int rc = vt_agent_run(agent);
    vt_agent_destroy(&agent);
    cJSON_Delete(config_log);
    while (seen_list) {
        seen *next = seen_list->next;
        free(seen_list->prefix);
        cJSON_Delete(seen_list->last);
        free(seen_list);
        seen_list = next;
    }
    return rc;
}
