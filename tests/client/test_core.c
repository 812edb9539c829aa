/* The agent core and its subsystems against a loopback connection: the
 * frames an agent sends, and how it takes what C and Python routers and
 * peers deliver (spec vip-wire.md §2.2, §3-§8). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopback.h"
#include "testutil.h"

#define S(x) x, sizeof(x) - 1

static vt_agent *agent;

static void setup(void)
{
    lb_forget();
    agent = lb_agent("unit");
}

static void teardown(void)
{
    vt_agent_destroy(&agent);
    lb_forget();
}

/* ---- hello and connect ---- */

static int starts;

static void count_start(vt_agent *a, void *ctx)
{
    (void)a;
    (void)ctx;
    starts++;
}

START_TEST(test_hello_frames_and_welcome)
{
    vt_agent_destroy(&agent);
    lb_forget();
    agent = lb_agent("greeter");
    /* hello went out as VOLTTRON sends it */
    const vt_message *hello = lb_sent(0);
    ck_assert_int_eq(vt_message_size(hello), 6);
    ck_assert_str_eq(lb_frame(hello, 0), "");
    ck_assert_str_eq(lb_frame(hello, 1), "VIP1");
    ck_assert_str_eq(lb_frame(hello, 3), "connect.hello.0");
    ck_assert_str_eq(lb_frame(hello, 5), "hello");
    /* after the welcome: a synchronize with (no) subscriptions */
    const vt_message *sync = lb_sent(1);
    ck_assert_str_eq(lb_frame(sync, 4), "pubsub");
    ck_assert_str_eq(lb_frame(sync, 5), "synchronize");
    ck_assert_str_eq(lb_frame(sync, 6), "connected");
    ck_assert_str_eq(lb_frame(sync, 7), "{\"subscriptions\": {}}");
}
END_TEST

START_TEST(test_on_start_once_and_stale_welcome_ignored)
{
    /* on_start runs after the first welcome only: a hook added now, after
     * the agent started, never runs, even across reconnects. */
    starts = 0;
    vt_agent_destroy(&agent);
    lb_forget();
    agent = lb_agent("once");
    vt_agent_on_start(agent, count_start, NULL);
    /* A reconnect: transport down and up again, a new hello id. */
    vt_agent_transport_down(agent);
    ck_assert(!vt_agent_connected(agent));
    lb_forget();
    vt_agent_transport_up(agent);
    ck_assert_str_eq(lb_frame(lb_last(), 3), "connect.hello.1");
    /* A late welcome to the old hello is not ours. */
    lb_inject(agent, "", "once", "connect.hello.0", "hello", S("welcome"), S("1.0"), S("r"),
              S("once"), NULL);
    ck_assert(!vt_agent_connected(agent));
    lb_inject(agent, "", "once", "connect.hello.1", "hello", S("welcome"), S("1.0"), S("r"),
              S("once"), NULL);
    ck_assert(vt_agent_connected(agent));
    ck_assert_int_eq(starts, 0);
}
END_TEST

START_TEST(test_answers_peer_hello_and_ping)
{
    lb_forget();
    lb_inject(agent, "bob", "bob", "h.9", "hello", S("hello"), NULL);
    const vt_message *w = lb_last();
    ck_assert_str_eq(lb_frame(w, 0), "bob");
    ck_assert_str_eq(lb_frame(w, 3), "h.9");
    ck_assert_str_eq(lb_frame(w, 5), "welcome");
    ck_assert_str_eq(lb_frame(w, 6), "1.0");
    ck_assert_str_eq(lb_frame(w, 7), "unit");
    ck_assert_str_eq(lb_frame(w, 8), "bob");
    lb_inject(agent, "bob", "bob", "p.1", "ping", S("ping"), S("abc"), NULL);
    const vt_message *p = lb_last();
    ck_assert_int_eq(vt_message_size(p), 7);
    ck_assert_str_eq(lb_frame(p, 5), "pong");
    ck_assert_str_eq(lb_frame(p, 6), "abc");
    /* An unsolicited pong (the router's liveness probe) is silently ignored. */
    size_t before = lb_sent_count();
    lb_inject(agent, "", "", "", "ping", S("pong"), NULL);
    ck_assert_int_eq(lb_sent_count(), before);
}
END_TEST

START_TEST(test_unknown_subsystem_answered_93)
{
    lb_forget();
    lb_inject(agent, "bob", "bob", "us.2", "nosuchsubsystem", S("x"), NULL);
    const vt_message *e = lb_last();
    ck_assert_int_eq(vt_message_size(e), 8); /* three args, as VOLTTRON agents send */
    ck_assert_str_eq(lb_frame(e, 0), "bob");
    ck_assert_str_eq(lb_frame(e, 3), "us.2");
    ck_assert_str_eq(lb_frame(e, 4), "error");
    ck_assert_str_eq(lb_frame(e, 5), "93");
    ck_assert_str_eq(lb_frame(e, 6), "Protocol not supported");
    ck_assert_str_eq(lb_frame(e, 7), "nosuchsubsystem");
    /* Malformed: too short or unsigned; dropped, nothing sent. */
    size_t before = lb_sent_count();
    vt_message *m = vt_message_new();
    vt_message_append_str(m, "bob");
    vt_message_append_str(m, "VIP2");
    vt_message_append_str(m, "");
    vt_message_append_str(m, "x");
    vt_message_append_str(m, "ping");
    vt_agent_deliver(agent, m);
    m = vt_message_new();
    vt_message_append_str(m, "bob");
    vt_agent_deliver(agent, m);
    ck_assert_int_eq(lb_sent_count(), before);
}
END_TEST

/* ---- RPC serving ---- */

static cJSON *echo(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    (void)ctx;
    cJSON *r = cJSON_CreateArray();
    cJSON_AddItemToArray(r, cJSON_Duplicate(vt_rpc_args(req), 1));
    cJSON_AddItemToArray(r, cJSON_Duplicate(vt_rpc_kwargs(req), 1));
    cJSON_AddItemToArray(r, cJSON_CreateString(vt_rpc_caller(req)));
    return r;
}

static cJSON *missing_key(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    (void)ctx;
    return vt_rpc_raise(req, "builtins.KeyError", "No configuration file \"x\" for VIP IDENTIY y");
}

static vt_rpc_request *parked;

static cJSON *later(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    (void)ctx;
    parked = vt_rpc_defer(req);
    return NULL;
}

static void rpc_in(const char *frame)
{
    lb_inject(agent, "caller", "caller", "rpc.1", "RPC", frame, strlen(frame), NULL);
}

START_TEST(test_rpc_params_shapes)
{
    vt_rpc_export(agent, "echo", echo, NULL);
    lb_forget();
    rpc_in(
        "{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"params\": {\"*args\": [1], \"**kwargs\": "
        "{\"k\": \"v\"}}, \"id\": \"r1\"}");
    const vt_message *r = lb_last();
    ck_assert_str_eq(lb_frame(r, 0), "caller");
    ck_assert_str_eq(lb_frame(r, 2), ""); /* user-id: the router fills it */
    ck_assert_str_eq(lb_frame(r, 3), "rpc.1");
    ck_assert_str_eq(lb_frame(r, 4), "RPC");
    ck_assert_str_eq(lb_frame(r, 5),
                     "{\"jsonrpc\": \"2.0\", \"id\": \"r1\", \"result\": [[1], {\"k\": \"v\"}, "
                     "\"caller\"]}");
    rpc_in("{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"params\": [\"a\", 2.5], \"id\": 7}");
    ck_assert_str_eq(
        lb_frame(lb_last(), 5),
        "{\"jsonrpc\": \"2.0\", \"id\": 7, \"result\": [[\"a\", 2.5], {}, \"caller\"]}");
    rpc_in(
        "{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"params\": {\"x\": null}, \"id\": \"k\"}");
    ck_assert_str_eq(
        lb_frame(lb_last(), 5),
        "{\"jsonrpc\": \"2.0\", \"id\": \"k\", \"result\": [[], {\"x\": null}, \"caller\"]}");
    rpc_in("{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"id\": \"none\"}");
    ck_assert_str_eq(lb_frame(lb_last(), 5),
                     "{\"jsonrpc\": \"2.0\", \"id\": \"none\", \"result\": [[], {}, \"caller\"]}");
}
END_TEST

START_TEST(test_rpc_errors_as_volttron)
{
    vt_rpc_export(agent, "missing_key", missing_key, NULL);
    lb_forget();
    rpc_in("{\"jsonrpc\": \"2.0\", \"method\": \"nope\", \"params\": [1], \"id\": \"req-5\"}");
    ck_assert_str_eq(lb_frame(lb_last(), 5),
                     "{\"jsonrpc\": \"2.0\", \"id\": \"req-5\", \"error\": {\"code\": -32601, "
                     "\"message\": \"unimplemented method\", \"data\": {\"detail\": \"method "
                     "'nope' is not implemented\"}}}");
    rpc_in("{\"jsonrpc\": \"2.0\", \"method\": \"missing_key\", \"id\": \"k\"}");
    ck_assert_str_eq(lb_frame(lb_last(), 5),
                     "{\"jsonrpc\": \"2.0\", \"id\": \"k\", \"error\": {\"code\": -32000, "
                     "\"message\": \"unhandled exception\", \"data\": {\"detail\": \"'No "
                     "configuration file \\\"x\\\" for VIP IDENTIY y'\", \"exception.py\": "
                     "{\"exc_type\": \"builtins.KeyError\", \"exc_args\": [\"No configuration file "
                     "\\\"x\\\" for VIP IDENTIY y\"]}}}}");
    rpc_in("{\"method\": \"x\", \"id\": 1}");
    ck_assert_ptr_nonnull(strstr(lb_frame(lb_last(), 5), "\"code\": -32600, \"message\": "
                                                         "\"missing required member\""));
    rpc_in("{\"jsonrpc\": \"1.0\", \"method\": \"x\", \"id\": 1}");
    ck_assert_ptr_nonnull(strstr(lb_frame(lb_last(), 5), "\"unsupported version\""));
    rpc_in("{\"jsonrpc\": \"2.0\", \"method\": \"x\", \"params\": 5, \"id\": 1}");
    ck_assert_str_eq(lb_frame(lb_last(), 5),
                     "{\"jsonrpc\": \"2.0\", \"id\": null, \"error\": {\"code\": -32602, "
                     "\"message\": \"invalid object type\", \"data\": {\"detail\": \"expected a "
                     "list or dictionary (object); got a 'int' instead\"}}}");
    rpc_in("not json at all");
    ck_assert_ptr_nonnull(strstr(lb_frame(lb_last(), 5), "\"id\": null, \"error\": {\"code\": "
                                                         "-32600, \"message\": \"invalid object "
                                                         "type\""));
}
END_TEST

START_TEST(test_rpc_notifications_batches_frames)
{
    vt_rpc_export(agent, "echo", echo, NULL);
    lb_forget();
    /* A notification is executed and never answered, even when it fails. */
    rpc_in("{\"jsonrpc\": \"2.0\", \"method\": \"echo\"}");
    rpc_in("{\"jsonrpc\": \"2.0\", \"method\": \"nope\"}");
    ck_assert_int_eq(lb_sent_count(), 0);
    /* A batch: one frame holding the array of non-notification answers. */
    rpc_in("[{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"id\": 1}, {\"jsonrpc\": \"2.0\", "
           "\"method\": \"echo\"}, {\"jsonrpc\": \"2.0\", \"method\": \"nope\", \"id\": 2}]");
    const vt_message *r = lb_last();
    ck_assert_int_eq(vt_message_size(r), 6);
    cJSON *arr = cJSON_Parse(lb_frame(r, 5));
    ck_assert_int_eq(cJSON_GetArraySize(arr), 2);
    ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "id")->valueint, 1);
    ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 1), "id")->valueint, 2);
    cJSON_Delete(arr);
    /* Several request frames: one reply message, one frame each, in order. */
    lb_inject(agent, "caller", "caller", "m.2", "RPC",
              S("{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"id\": \"a\"}"),
              S("{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"id\": \"b\"}"), NULL);
    r = lb_last();
    ck_assert_int_eq(vt_message_size(r), 7);
    ck_assert_ptr_nonnull(strstr(lb_frame(r, 5), "\"id\": \"a\""));
    ck_assert_ptr_nonnull(strstr(lb_frame(r, 6), "\"id\": \"b\""));
}
END_TEST

START_TEST(test_rpc_deferred_and_inspect)
{
    vt_rpc_export(agent, "later", later, NULL);
    lb_forget();
    parked = NULL;
    rpc_in("{\"jsonrpc\": \"2.0\", \"method\": \"later\", \"id\": \"d\"}");
    ck_assert_int_eq(lb_sent_count(), 0);
    ck_assert_ptr_nonnull(parked);
    vt_rpc_reply(parked, cJSON_CreateString("done"));
    ck_assert_str_eq(lb_frame(lb_last(), 5),
                     "{\"jsonrpc\": \"2.0\", \"id\": \"d\", \"result\": \"done\"}");
    ck_assert_str_eq(lb_frame(lb_last(), 3), "rpc.1");
    rpc_in("{\"jsonrpc\": \"2.0\", \"method\": \"inspect\", \"id\": \"i\"}");
    const char *text = lb_frame(lb_last(), 5);
    ck_assert_ptr_nonnull(strstr(text, "\"later\""));
    ck_assert_ptr_nonnull(strstr(text, "\"agent.version\""));
    ck_assert_ptr_nonnull(strstr(text, "\"heartbeat.set_period\""));
    ck_assert_ptr_null(strstr(text, "\"inspect\""));
    /* A request parked when the agent goes away is dropped, not leaked. */
    rpc_in("{\"jsonrpc\": \"2.0\", \"method\": \"later\", \"id\": \"never\"}");
}
END_TEST

/* ---- calling, through C and Python routers ---- */

typedef struct outcome {
    bool done;
    vt_rpc_status status;
    int code;
    char detail[256];
    char exc_type[128];
    char value[256];
} outcome;

static void record(vt_agent *a, const vt_rpc_result *res, void *ctx)
{
    (void)a;
    outcome *o = ctx;
    o->done = true;
    o->status = res->status;
    o->code = res->code;
    snprintf(o->detail, sizeof o->detail, "%s", res->detail ? res->detail : res->message);
    snprintf(o->exc_type, sizeof o->exc_type, "%s", res->exc_type ? res->exc_type : "");
    if (res->value) {
        char *t = vt_json_dump(res->value, 0);
        snprintf(o->value, sizeof o->value, "%s", t);
        free(t);
    }
}

START_TEST(test_call_frames_and_matching_by_json_id)
{
    lb_forget();
    outcome o = {0};
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString("hello"));
    ck_assert_int_eq(vt_rpc_call(agent, "bench.peer", "echo", params, 5000, record, &o), 0);
    const vt_message *req = lb_last();
    ck_assert_str_eq(lb_frame(req, 0), "bench.peer");
    ck_assert_str_eq(lb_frame(req, 4), "RPC");
    char id[64];
    strcpy(id, lb_frame(req, 3));
    ck_assert_int_eq(id[0], 'v'); /* not a JSON scalar, so routers leave it alone */
    char want[256];
    snprintf(
        want, sizeof want,
        "{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"params\": [\"hello\"], \"id\": \"%s\"}",
        id);
    ck_assert_str_eq(lb_frame(req, 5), want);
    /* The answer arrives with a message id a Python router mangled into
     * float32 bytes: the JSON id is what matches. */
    char resp[256];
    snprintf(resp, sizeof resp, "{\"jsonrpc\": \"2.0\", \"id\": \"%s\", \"result\": \"hello\"}",
             id);
    lb_inject(agent, "bench.peer", "bench.peer", "\xea\x01\xd6\x4e", "RPC", resp, strlen(resp),
              NULL);
    ck_assert(o.done);
    ck_assert_int_eq(o.status, VT_RPC_OK);
    ck_assert_str_eq(o.value, "\"hello\"");
}
END_TEST

START_TEST(test_call_errors)
{
    outcome o = {0};
    vt_rpc_call(agent, "bench.peer", "fail", NULL, 5000, record, &o);
    char id[64];
    strcpy(id, lb_frame(lb_last(), 3));
    char resp[1024];
    snprintf(resp, sizeof resp,
             "{\"jsonrpc\": \"2.0\", \"id\": \"%s\", \"error\": {\"code\": -32000, \"message\": "
             "\"unhandled exception\", \"data\": {\"detail\": \"bad thing\", \"exception.py\": "
             "{\"exc_tb\": \"...\", \"exc_type\": \"builtins.ValueError\", \"exc_args\": [\"bad "
             "thing\"]}}}}",
             id);
    lb_inject(agent, "bench.peer", "bench.peer", id, "RPC", resp, strlen(resp), NULL);
    ck_assert(o.done);
    ck_assert_int_eq(o.status, VT_RPC_ERROR);
    ck_assert_int_eq(o.code, -32000);
    ck_assert_str_eq(o.detail, "bad thing");
    ck_assert_str_eq(o.exc_type, "builtins.ValueError");

    /* 113 from a C router: ASCII errno and four args. */
    o = (outcome){0};
    vt_rpc_call(agent, "gone", "x", NULL, 5000, record, &o);
    strcpy(id, lb_frame(lb_last(), 3));
    lb_inject(agent, "", "unit", id, "error", S("113"), S("No route to host"), S("gone"), S("RPC"),
              NULL);
    ck_assert(o.done);
    ck_assert_int_eq(o.status, VT_RPC_UNREACHABLE);

    /* ... and as a Python router re-encodes it: 4-byte little-endian. */
    o = (outcome){0};
    vt_rpc_call(agent, "gone", "x", NULL, 5000, record, &o);
    strcpy(id, lb_frame(lb_last(), 3));
    lb_inject(agent, "", "unit", id, "error", "\x71\x00\x00\x00", (size_t)4, S("No route to host"),
              S("gone"), S("RPC"), NULL);
    ck_assert(o.done);
    ck_assert_int_eq(o.status, VT_RPC_UNREACHABLE);

    /* A peer's own error has three args (no recipient frame). */
    o = (outcome){0};
    vt_rpc_call(agent, "oldpeer", "x", NULL, 5000, record, &o);
    strcpy(id, lb_frame(lb_last(), 3));
    lb_inject(agent, "oldpeer", "oldpeer", id, "error", "]\x00\x00\x00", (size_t)4,
              S("Protocol not supported"), S("RPC"), NULL);
    ck_assert(o.done);
    ck_assert_int_eq(o.status, VT_RPC_FAILED);
    ck_assert_ptr_nonnull(strstr(o.detail, "93"));
}
END_TEST

/* ---- pubsub ---- */

static int acked;

static void on_ack(vt_agent *a, int count, void *ctx)
{
    (void)a;
    (void)ctx;
    acked = count;
}

START_TEST(test_publish_frames_and_ack_forms)
{
    lb_forget();
    cJSON *h = cJSON_CreateObject();
    cJSON_AddStringToObject(h, "Date", "2024-05-01T12:00:00.000000+00:00");
    cJSON *m = cJSON_CreateArray();
    cJSON *pt = cJSON_CreateObject();
    cJSON_AddItemToObject(pt, "temp", vt_json_new_float(71.5));
    cJSON_AddItemToArray(m, pt);
    ck_assert_int_eq(vt_pubsub_publish(agent, "devices/campus/bldg/dev1/all", h, m), 0);
    const vt_message *p = lb_last();
    ck_assert_str_eq(lb_frame(p, 4), "pubsub");
    ck_assert_str_eq(lb_frame(p, 5), "publish");
    ck_assert_str_eq(lb_frame(p, 6), "devices/campus/bldg/dev1/all");
    ck_assert_str_eq(
        lb_frame(p, 7),
        "{\"bus\": \"\", \"headers\": {\"Date\": \"2024-05-01T12:00:00.000000+00:00\", "
        "\"min_compatible_version\": \"3.0\", \"max_compatible_version\": \"\"}, "
        "\"message\": [{\"temp\": 71.5}]}");
    /* Counts in every form a router sends them. */
    const struct {
        const char *bytes;
        size_t len;
        int want;
    } forms[] = {{"\x03\x00\x00\x00", 4, 3}, {"\x01", 1, 1}, {"12", 2, 12}, {"0", 1, 0}};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        acked = -99;
        vt_pubsub_publish_ack(agent, "t", NULL, m, 5000, on_ack, NULL);
        char id[64];
        strcpy(id, lb_frame(lb_last(), 3));
        lb_inject(agent, "", "unit", id, "pubsub", S("request_response"), forms[i].bytes,
                  forms[i].len, NULL);
        ck_assert_int_eq(acked, forms[i].want);
    }
    cJSON_Delete(h);
    cJSON_Delete(m);
}
END_TEST

typedef struct got {
    int n;
    char topic[128];
    char sender[64];
    char headers[256];
} got;

static void on_msg(vt_agent *a, const vt_pubsub_message *m, void *ctx)
{
    (void)a;
    got *g = ctx;
    g->n++;
    snprintf(g->topic, sizeof g->topic, "%s", vt_pubsub_topic(m));
    snprintf(g->sender, sizeof g->sender, "%s", vt_pubsub_sender(m));
    char *h = vt_json_dump(vt_pubsub_headers(m), 0);
    snprintf(g->headers, sizeof g->headers, "%s", h);
    free(h);
}

START_TEST(test_delivery_prefix_and_bus)
{
    got all = {0}, dev = {0};
    vt_pubsub_subscribe(agent, "", on_msg, &all);
    vt_pubsub_subscribe(agent, "devices/a", on_msg, &dev);
    const char *body = "{\"sender\": \"pub\", \"bus\": \"\", \"headers\": {\"x\": 1}, "
                       "\"message\": 5}";
    lb_inject(agent, "", "", "id", "pubsub", S("publish"), S("devices/ab/x"), body, strlen(body),
              NULL);
    ck_assert_int_eq(all.n, 1);
    ck_assert_int_eq(dev.n, 1); /* byte-wise prefix: "devices/a" matches "devices/ab" */
    ck_assert_str_eq(dev.sender, "pub");
    ck_assert_str_eq(dev.headers, "{\"x\": 1}");
    /* Another bus: only subscriptions on that bus. */
    const char *other = "{\"sender\": \"pub\", \"bus\": \"b2\", \"headers\": {}, \"message\": 5}";
    lb_inject(agent, "", "", "id", "pubsub", S("publish"), S("devices/a"), other, strlen(other),
              NULL);
    ck_assert_int_eq(all.n, 1);
    /* A Python router's key order and spacing are read as well. */
    const char *py = "{\"bus\": \"\", \"sender\": \"py\", \"message\": null, \"headers\": {}}";
    lb_inject(agent, "", "", "id", "pubsub", S("publish"), S("devices/a/1"), py, strlen(py), NULL);
    ck_assert_int_eq(dev.n, 2);
    ck_assert_str_eq(dev.sender, "py");
    /* A publish nobody here wants makes the agent resynchronise. */
    lb_forget();
    vt_pubsub_unsubscribe(agent, "", NULL);
    lb_forget();
    lb_inject(agent, "", "", "id", "pubsub", S("publish"), S("zzz"), body, strlen(body), NULL);
    ck_assert_int_ge(lb_sent_count(), 1);
    ck_assert_str_eq(lb_frame(lb_last(), 5), "synchronize");
    ck_assert_str_eq(lb_frame(lb_last(), 7),
                     "{\"subscriptions\": {\"internal\": {\"\": [\"devices/a\"]}}}");
}
END_TEST

START_TEST(test_signal_handler_keeps_errno)
{
    /* The loop's SIGINT/SIGTERM handler writes to a pipe; when the pipe is
     * full that write fails, and the errno of the code it interrupted must
     * survive. */
    vt_loop *l = vt_loop_new();
    ck_assert_int_eq(vt_loop_stop_on_signals(l), 0);
    for (int i = 0; i < 70000; i++) /* more than a pipe holds */
        raise(SIGINT);
    errno = EDOM;
    raise(SIGINT);
    ck_assert_int_eq(errno, EDOM);
    vt_loop_destroy(&l);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("loopback");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_hello_frames_and_welcome);
    tcase_add_test(tc, test_on_start_once_and_stale_welcome_ignored);
    tcase_add_test(tc, test_answers_peer_hello_and_ping);
    tcase_add_test(tc, test_unknown_subsystem_answered_93);
    tcase_add_test(tc, test_rpc_params_shapes);
    tcase_add_test(tc, test_rpc_errors_as_volttron);
    tcase_add_test(tc, test_rpc_notifications_batches_frames);
    tcase_add_test(tc, test_rpc_deferred_and_inspect);
    tcase_add_test(tc, test_call_frames_and_matching_by_json_id);
    tcase_add_test(tc, test_call_errors);
    tcase_add_test(tc, test_publish_frames_and_ack_forms);
    tcase_add_test(tc, test_delivery_prefix_and_bus);
    tcase_add_test(tc, test_signal_handler_keeps_errno);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
