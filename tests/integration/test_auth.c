/* Authorisation end to end: capability checks on RPC methods (the platform's
 * and an agent's own), auth.json edited live, refused keys approved through
 * platform.auth, rpc-method authorisations pushed to agents, and protected
 * topics enforced by the router. The real volttron binary, real sockets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include <volttron/client/client.h>

#include "call.h"
#include "fixture.h"
#include "raw.h"
#include "testutil.h"

static vt_fx *fx;
static vt_loop *loop;

static void setup(void)
{
    fx = vt_fx_start(true, NULL);
    loop = vt_loop_new();
}

static void teardown(void)
{
    vt_fx_destroy(&fx);
    vt_loop_destroy(&loop);
    vt_raw_close_all();
}

static cJSON *strs(const char *a, const char *b, const char *c, const char *d)
{
    cJSON *p = cJSON_CreateArray();
    const char *all[] = {a, b, c, d};
    for (size_t i = 0; i < 4 && all[i]; i++)
        cJSON_AddItemToArray(p, cJSON_CreateString(all[i]));
    return p;
}

/* ---- an agent with a restricted method ---- */

static cJSON *secret(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)req;
    (void)ctx;
    return cJSON_CreateString("the vault is open");
}

static vt_agent *vault(const char *identity, bool over_ipc)
{
    vt_agent *v = vt_fx_agent_on(fx, identity, over_ipc, loop);
    vt_rpc_export_doc(v, "secret", secret, NULL, "zone=None", NULL);
    vt_rpc_require(v, "secret", "can_secret");
    return v;
}

/* Set one user's capabilities in auth.json as an operator editing the file. */
static void edit_capabilities(const char *user, const char *caps_json)
{
    char *path = vt_asprintf("%s/auth.json", fx->home);
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(vt_fs_read_file(path, 1 << 20, &text, &len), 0);
    cJSON *doc = vt_fx_json(text);
    free(text);
    cJSON *e;
    cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive(doc, "allow")) {
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "user_id");
        if (cJSON_IsString(u) && strcmp(u->valuestring, user) == 0) {
            cJSON_DeleteItemFromObjectCaseSensitive(e, "capabilities");
            cJSON_AddItemToObject(e, "capabilities", vt_fx_json(caps_json));
        }
    }
    char *out = vt_json_dump(doc, VT_JSON_INDENT(2));
    ck_assert_int_eq(vt_fs_write_atomic(path, out, strlen(out), 0600), 0);
    free(out);
    cJSON_Delete(doc);
    free(path);
}

/* Call until it is answered without error (the platform pushes auth.json
 * changes within its watch period); false after 10 s. */
static bool allowed_soon(vt_agent *from, const char *peer, const char *method, const cJSON *params)
{
    int64_t deadline = vt_time_monotonic_ms() + 10000;
    while (vt_time_monotonic_ms() < deadline) {
        vt_outcome o = vt_fx_call(from, peer, method, cJSON_Duplicate(params, 1));
        bool ok = o.status == VT_RPC_OK;
        vt_outcome_clear(&o);
        if (ok)
            return true;
        vt_fx_pump(from, 200);
    }
    return false;
}

/* ---- tests ---- */

START_TEST(test_config_store_capabilities)
{
    vt_fx_grant(fx, "cs.nobody", "{}");
    vt_fx_grant(fx, "cs.admin", "{\"edit_config_store\": {\"identity\": \"/.*/\"}}");
    vt_agent *alice = vt_fx_agent_on(fx, "alice", false, loop);
    vt_agent *nobody = vt_fx_agent_on(fx, "cs.nobody", false, loop);
    vt_agent *admin = vt_fx_agent_on(fx, "cs.admin", false, loop);

    /* an installed agent's entry: its own store only */
    vt_fx_call_ok(alice, "config.store", "set_config", strs("alice", "config", "{}", "json"));
    vt_fx_call_refused(alice, "config.store", "set_config", strs("bob", "config", "{}", "json"),
                       "User alice can call method set_config only with identity=alice but called "
                       "with identity=bob");
    /* by keyword too, and through the deprecated alias */
    cJSON *kw =
        vt_fx_json("{\"identity\": \"bob\", \"config_name\": \"c\", \"raw_contents\": \"x\"}");
    vt_fx_call_refused(
        alice, "config.store", "manage_store", kw,
        "User alice can call method manage_store only with identity=alice but called "
        "with identity=bob");
    vt_fx_call_refused(nobody, "config.store", "delete_store", strs("cs.nobody", NULL, NULL, NULL),
                       "method 'delete_store' requires capabilities {'edit_config_store'}, but "
                       "capability {} was provided for user cs.nobody");
    /* reading is for everyone; the admin's pattern reaches every store */
    vt_fx_call_ok(nobody, "config.store", "list_configs", strs("alice", NULL, NULL, NULL));
    vt_fx_call_ok(admin, "config.store", "set_config", strs("bob", "config", "[1]", "json"));
    vt_fx_call_ok(admin, "config.store", "delete_store", strs("alice", NULL, NULL, NULL));

    vt_agent_destroy(&alice);
    vt_agent_destroy(&nobody);
    vt_agent_destroy(&admin);
}
END_TEST

START_TEST(test_agent_method_and_live_grant)
{
    vt_fx_grant(fx, "dave", "{\"can_secret\": {\"zone\": \"/north-.*/\"}}");
    vt_agent *v = vault("vault", false);
    vt_agent *carol = vt_fx_agent_on(fx, "carol", false, loop);
    vt_agent *dave = vt_fx_agent_on(fx, "dave", false, loop);

    vt_fx_call_refused(carol, "vault", "secret", NULL,
                       "method 'secret' requires capabilities {'can_secret'}, but capability "
                       "{'edit_config_store': {'identity': 'carol'}} was provided for user carol");
    /* an argument restriction by pattern */
    vt_fx_call_ok(dave, "vault", "secret", strs("north-1", NULL, NULL, NULL));
    vt_fx_call_refused(dave, "vault", "secret", strs("south", NULL, NULL, NULL),
                       "User dave can call method secret only with zone matching pattern "
                       "/north-.*/ but called with zone=south");

    /* Only platform.auth may tell the vault who holds what. */
    cJSON *forged = cJSON_CreateArray();
    cJSON_AddItemToArray(forged, vt_fx_json("{\"carol\": {\"can_secret\": null}}"));
    vt_fx_call_ok(carol, "vault", "auth.update", forged);
    vt_fx_call_refused(carol, "vault", "secret", NULL,
                       "method 'secret' requires capabilities {'can_secret'}, but capability "
                       "{'edit_config_store': {'identity': 'carol'}} was provided for user carol");

    /* The operator grants it in auth.json; the platform pushes the change. */
    edit_capabilities("carol", "{\"can_secret\": null}");
    cJSON *none = cJSON_CreateArray();
    ck_assert_msg(allowed_soon(carol, "vault", "secret", none),
                  "the grant in auth.json never reached the vault");
    cJSON_Delete(none);

    vt_agent_destroy(&v);
    vt_agent_destroy(&carol);
    vt_agent_destroy(&dave);
}
END_TEST

static bool has_pending(const cJSON *list, const char *key, char *user_out)
{
    const cJSON *e;
    cJSON_ArrayForEach (e, list) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "credentials");
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "user_id");
        if (cJSON_IsString(c) && strcmp(c->valuestring, key) == 0 && cJSON_IsString(u)) {
            snprintf(user_out, 64, "%s", u->valuestring);
            return true;
        }
    }
    return false;
}

static vt_agent *stranger_agent(const vt_keypair *k)
{
    vt_agent_options o = {
        .identity = "stranger",
        .volttron_home = fx->home,
        .address = fx->tcp,
        .serverkey = fx->serverkey,
        .publickey = k->public_key,
        .secretkey = k->secret_key,
        .auth = 1,
        .heartbeat_period = -1,
        .no_signals = true,
        .fail_fast = true,
        .no_config_store = true,
    };
    vt_agent *s = vt_agent_new(&o);
    ck_assert_ptr_nonnull(s);
    return s;
}

static bool connected(void *ctx)
{
    return vt_agent_connected(ctx);
}

START_TEST(test_pending_approved_by_operator)
{
    vt_fx_grant(fx, "op", "{\"allow_auth_modifications\": null}");
    vt_agent *op = vt_fx_agent_on(fx, "op", false, loop);
    vt_agent *carol = vt_fx_agent_on(fx, "carol", false, loop);

    vt_keypair k;
    ck_assert_int_eq(vt_keys_generate(&k), 0);
    vt_agent *s = stranger_agent(&k);
    ck_assert_int_ne(vt_agent_run(s), 0); /* refused */
    vt_agent_destroy(&s);

    vt_outcome o = vt_fx_call(op, "platform.auth", "get_pending_authorizations", NULL);
    ck_assert_int_eq(o.status, VT_RPC_OK);
    char user[64];
    ck_assert_msg(has_pending(o.value, k.public_key, user), "the refused key is not pending");
    vt_outcome_clear(&o);

    vt_fx_call_refused(carol, "platform.auth", "approve_authorization",
                       strs(user, NULL, NULL, NULL),
                       "method 'approve_authorization' requires capabilities "
                       "{'allow_auth_modifications'}, but capability {'edit_config_store': "
                       "{'identity': 'carol'}} was provided for user carol");
    vt_fx_call_ok(op, "platform.auth", "approve_authorization", strs(user, NULL, NULL, NULL));

    o = vt_fx_call(op, "platform.auth", "get_pending_authorizations", NULL);
    ck_assert_msg(!has_pending(o.value, k.public_key, user), "still pending after approval");
    vt_outcome_clear(&o);
    o = vt_fx_call(op, "platform.auth", "get_approved_authorizations", NULL);
    ck_assert_msg(has_pending(o.value, k.public_key, user), "not among the approved");
    vt_outcome_clear(&o);

    /* Now the same key gets in. */
    s = stranger_agent(&k);
    ck_assert_int_eq(vt_agent_start(s), 0);
    ck_assert_msg(vt_fx_until(s, connected, s, 10000), "the approved key was not admitted");
    vt_agent_destroy(&s);

    vt_agent_destroy(&op);
    vt_agent_destroy(&carol);
}
END_TEST

static cJSON *auth_entry_of(vt_agent *reader, const char *identity)
{
    vt_outcome o = vt_fx_call(reader, "platform.auth", "auth_file.read", NULL);
    ck_assert_int_eq(o.status, VT_RPC_OK);
    cJSON *found = NULL;
    const cJSON *e;
    cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive(o.value, "allow_list")) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "identity");
        if (cJSON_IsString(id) && strcmp(id->valuestring, identity) == 0)
            found = cJSON_Duplicate(e, 1);
    }
    vt_outcome_clear(&o);
    return found;
}

typedef struct requires_ctx {
    vt_agent *agent;
    const char *method, *cap;
} requires_ctx;

static bool requires_cap(void *ctx)
{
    requires_ctx *r = ctx;
    const char *const *caps = vt_rpc_required(r->agent, r->method);
    for (; caps && *caps; caps++)
        if (strcmp(*caps, r->cap) == 0)
            return true;
    return false;
}

START_TEST(test_rpc_method_authorizations)
{
    vt_fx_grant(fx, "op", "{\"modify_rpc_method_allowance\": null}");
    vt_agent *op = vt_fx_agent_on(fx, "op", false, loop);
    /* Over ipc, as the platform starts installed agents: the vault tells
     * platform.auth what its methods require. */
    vt_agent *v = vault("vault", true);
    requires_ctx synced = {v, "secret", "can_secret"};
    ck_assert(requires_cap(&synced));
    cJSON *e = NULL;
    int64_t deadline = vt_time_monotonic_ms() + 10000;
    while (!e && vt_time_monotonic_ms() < deadline) {
        cJSON *entry = auth_entry_of(op, "vault");
        cJSON *m = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(entry, "rpc_method_authorizations"), "secret");
        if (m)
            e = entry;
        else {
            cJSON_Delete(entry);
            vt_fx_pump(op, 100);
        }
    }
    ck_assert_msg(e, "the vault's method authorisations never reached auth.json");
    char *text = vt_json_dump(cJSON_GetObjectItemCaseSensitive(e, "rpc_method_authorizations"), 0);
    ck_assert_str_eq(text, "{\"secret\": [\"can_secret\"]}");
    free(text);
    cJSON_Delete(e);

    /* An operator adds a requirement through platform.auth; the vault gets it. */
    cJSON *p = strs("vault", "secret", NULL, NULL);
    cJSON_AddItemToArray(p, vt_fx_json("[\"vault_key\"]"));
    vt_fx_call_ok(op, "platform.auth", "add_rpc_authorizations", p);
    requires_ctx pushed = {v, "secret", "vault_key"};
    ck_assert_msg(vt_fx_until(v, requires_cap, &pushed, 10000),
                  "the added requirement was not pushed to the vault");
    /* Setting a service's is refused. */
    p = strs("config.store", "set_config", NULL, NULL);
    cJSON_AddItemToArray(p, vt_fx_json("[\"x\"]"));
    vt_outcome o = vt_fx_call(op, "platform.auth", "add_rpc_authorizations", p);
    ck_assert_int_ne(o.status, VT_RPC_OK);
    vt_outcome_clear(&o);
    /* Nobody but a holder of modify_rpc_method_allowance may set them. */
    vt_agent *carol = vt_fx_agent_on(fx, "carol", false, loop);
    p = strs("secret", NULL, NULL, NULL);
    cJSON_AddItemToArray(p, vt_fx_json("[]"));
    vt_fx_call_refused(carol, "vault", "auth.set_rpc_authorizations", cJSON_Duplicate(p, 1),
                       "method 'set_rpc_authorizations' requires capabilities "
                       "{'modify_rpc_method_allowance'}, but capability "
                       "{'edit_config_store': {'identity': 'carol'}} was provided for user carol");
    ck_assert_ptr_nonnull(vt_rpc_required(v, "secret"));
    vt_fx_call_ok(op, "vault", "auth.set_rpc_authorizations", p);
    ck_assert_ptr_null(vt_rpc_required(v, "secret"));
    vt_agent_destroy(&carol);
    vt_agent_destroy(&op);
    vt_agent_destroy(&v);
}
END_TEST

/* ---- protected topics (router) ---- */

static void publish(void *s, const char *id, const char *topic)
{
    const char *frames[] = {
        "",       "VIP1",    "",    id,
        "pubsub", "publish", topic, "{\"bus\": \"\", \"headers\": {}, \"message\": 1}"};
    vt_raw_send(s, frames, NULL, 8);
}

static void expect_refusal(void *s, const char *publisher, const char *id, const char *text)
{
    char f[12][256];
    ck_assert_int_eq(vt_raw_recv(s, f, 12), 9);
    ck_assert_str_eq(f[0], "");
    ck_assert_str_eq(f[2], publisher);
    ck_assert_str_eq(f[3], id);
    ck_assert_str_eq(f[4], "error");
    ck_assert_str_eq(f[5], "-32001");
    ck_assert_str_eq(f[6], text);
    ck_assert_str_eq(f[7], "");
    ck_assert_str_eq(f[8], "pubsub");
    /* then the count: nobody got it */
    ck_assert_int_eq(vt_raw_recv(s, f, 12), 7);
    ck_assert_str_eq(f[5], "request_response");
    ck_assert_int_eq(memcmp(f[6], "\0\0\0\0", 4), 0);
}

static void expect_count(void *s, const char *id, unsigned char count)
{
    char f[12][256];
    ck_assert_int_eq(vt_raw_recv(s, f, 12), 7);
    ck_assert_str_eq(f[3], id);
    ck_assert_str_eq(f[5], "request_response");
    ck_assert_int_eq((unsigned char)f[6][0], count);
}

/* The next publish delivered to s, past the peerlist announcements every
 * connection gets; its frame count, 0 on timeout. */
static size_t recv_publish(void *s, char f[][256])
{
    for (;;) {
        size_t n = vt_raw_recv(s, f, 12);
        if (n == 0 || strcmp(f[4], "peerlist") != 0)
            return n;
    }
}

START_TEST(test_protected_topics)
{
    vt_fx_grant(fx, "pub.ok", "{\"can_actuate\": null, \"admin\": null}");
    void *ok = vt_raw_socket(fx, "pub.ok");
    void *bad = vt_raw_socket(fx, "pub.bad");
    void *sub = vt_raw_socket(fx, "sub");
    char *path = vt_asprintf("%s/protected_topics.json", fx->home);
    const char *rules =
        "{\"write-protect\": [\n"
        "  {\"topic\": \"devices/actuators\", \"capabilities\": [\"can_actuate\"]},\n"
        "  {\"topic\": \"/alerts/.*/\", \"capabilities\": \"admin\"}\n"
        "]}\n";
    ck_assert_int_eq(vt_fs_write_atomic(path, rules, strlen(rules), 0644), 0);
    free(path);
    /* platform.auth reads the rules and the map at start */
    vt_fx_restart(fx);

    const char *subscribe[] = {"",
                               "VIP1",
                               "",
                               "s1",
                               "pubsub",
                               "subscribe",
                               "{\"prefix\": \"\", \"bus\": \"\", \"all_platforms\": false}"};
    vt_raw_send(sub, subscribe, NULL, 7);
    char f[12][256];
    ck_assert_int_eq(vt_raw_recv(sub, f, 12), 7);

    publish(bad, "b1", "devices/actuators/ahu1");
    expect_refusal(bad, "pub.bad", "b1",
                   "to publish to topic \"devices/actuators/ahu1\" requires capabilities "
                   "['can_actuate'], but capability list {'edit_config_store': {'identity': "
                   "'pub.bad'}} was provided");
    publish(bad, "b2", "alerts/fire");
    expect_refusal(bad, "pub.bad", "b2",
                   "to publish to topic \"alerts/fire\" requires capabilities ['admin'], but "
                   "capability list {'edit_config_store': {'identity': 'pub.bad'}} was provided");
    /* A forged auth_update from an agent changes nothing. */
    const char *forge[] = {"",
                           "VIP1",
                           "",
                           "b3",
                           "pubsub",
                           "auth_update",
                           "{\"capabilities\": {\"pub.bad\": {\"can_actuate\": null}}}"};
    vt_raw_send(bad, forge, NULL, 7);
    publish(bad, "b4", "devices/actuators/ahu1");
    expect_refusal(bad, "pub.bad", "b4",
                   "to publish to topic \"devices/actuators/ahu1\" requires capabilities "
                   "['can_actuate'], but capability list {'edit_config_store': {'identity': "
                   "'pub.bad'}} was provided");
    /* Unprotected topics are open to all. */
    publish(bad, "b5", "devices/sensors/t1");
    expect_count(bad, "b5", 1);

    publish(ok, "o1", "devices/actuators/ahu1");
    expect_count(ok, "o1", 1);
    publish(ok, "o2", "alerts/fire");
    expect_count(ok, "o2", 1);

    /* The subscriber saw exactly the allowed three, in order. */
    const char *want[][2] = {{"pub.bad", "devices/sensors/t1"},
                             {"pub.ok", "devices/actuators/ahu1"},
                             {"pub.ok", "alerts/fire"}};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(recv_publish(sub, f), 8);
        char sender[64];
        snprintf(sender, sizeof sender, "{\"sender\": \"%s\"", want[i][0]);
        ck_assert_msg(strncmp(f[7], sender, strlen(sender)) == 0, "%s", f[7]);
        ck_assert_str_eq(f[6], want[i][1]);
    }
    int quick = 300;
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &quick, sizeof quick);
    ck_assert_int_eq(recv_publish(sub, f), 0);
}
END_TEST

START_TEST(test_service_identities_reserved)
{
    /* A client (with a valid key) claiming a service's identity is not
     * served: it cannot answer for platform.auth or stop the platform. */
    void *fake = vt_raw_socket(fx, "platform.auth");
    const char *quit[] = {"", "VIP1", "", "q1", "quit"};
    vt_raw_send(fake, quit, NULL, 5);
    const char *ping[] = {"", "VIP1", "", "p1", "ping", "x"};
    vt_raw_send(fake, ping, NULL, 6);
    char f[12][256];
    int quick = 500;
    zmq_setsockopt(fake, ZMQ_RCVTIMEO, &quick, sizeof quick);
    /* told why, then closed: errors only, the ping is never answered */
    size_t n, errors = 0;
    while ((n = vt_raw_recv(fake, f, 12)) > 0) {
        ck_assert_uint_eq(n, 9);
        ck_assert_str_eq(f[4], "error");
        ck_assert_str_eq(f[5], "13");
        ck_assert_ptr_nonnull(strstr(f[6], "platform service"));
        errors++;
    }
    ck_assert_uint_ge(errors, 1);
    /* and the platform is still up, answering platform.auth itself */
    vt_agent *carol = vt_fx_agent_on(fx, "carol", false, loop);
    vt_fx_call_ok(carol, "platform.auth", "get_user_to_capabilities", NULL);
    vt_agent_destroy(&carol);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, test_config_store_capabilities);
    tcase_add_test(tc, test_agent_method_and_live_grant);
    tcase_add_test(tc, test_pending_approved_by_operator);
    tcase_add_test(tc, test_rpc_method_authorizations);
    tcase_add_test(tc, test_protected_topics);
    tcase_add_test(tc, test_service_identities_reserved);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
