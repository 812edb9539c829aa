/* An identity is what the key proves: a connection may use only the
 * identity its auth entry names (or, for an entry without one, an identity
 * nobody else's entry names and the platform does not reserve); the user-id
 * frame receivers check capabilities against is the auth user its key
 * proved, whatever the sender wrote; a live identity cannot be taken over;
 * a connection that claims an identity and says nothing is closed; an
 * auth entry removed takes effect on live connections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include <volttron/client/client.h>

#include "authorize.h"
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

/* A key with an allow entry for user (identity may be NULL). */
static vt_keypair allowed(const char *user, const char *identity)
{
    vt_keypair k;
    ck_assert_int_eq(vt_keys_generate(&k), 0);
    ck_assert_int_eq(vt_test_allow(fx->home, user, identity, &k, NULL), 0);
    return k;
}

/* Whether an agent claiming identity with keys is welcomed in time. */
static bool welcomed(const char *identity, const vt_keypair *keys, int timeout_ms)
{
    vt_agent *a = vt_fx_agent_keyed(fx, identity, keys, false, loop);
    bool ok = vt_fx_connects(a, timeout_ms);
    vt_agent_destroy(&a);
    return ok;
}

static cJSON *whoami(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)req;
    return cJSON_CreateString(ctx);
}

static cJSON *caller(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)ctx;
    return cJSON_CreateString(vt_rpc_caller(req));
}

START_TEST(test_key_cannot_claim_another_identity)
{
    vt_keypair k = allowed("ordinary", "ordinary");
    vt_keypair v;
    vt_fx_authorize(fx, "victim", &v);
    /* The review's attack: an ordinary agent's key as vctl's identity (which
     * may edit every configuration store), or as another agent. */
    ck_assert(!welcomed("control.connection", &k, 2000));
    ck_assert(!welcomed("victim", &k, 2000));
    ck_assert(!welcomed("platform", &k, 2000));
    /* Its own identity, and a second connection of its own. */
    ck_assert(welcomed("ordinary", &k, 5000));
    ck_assert(welcomed("ordinary.worker", &k, 5000));
}
END_TEST

START_TEST(test_store_of_another_agent_not_written)
{
    vt_keypair k = allowed("ordinary", "ordinary");
    vt_agent *admin = vt_fx_agent_keyed(fx, "control.connection", &k, false, loop);
    ck_assert(!vt_fx_connects(admin, 3000));
    vt_agent_destroy(&admin);
    /* Connected as itself, its capability covers its own store only. */
    vt_agent *self = vt_fx_agent_keyed(fx, "ordinary", &k, false, loop);
    ck_assert(vt_fx_connects(self, 5000));
    vt_fx_call_refused(self, "config.store", "set_config",
                       vt_fx_json("[\"victim\", \"cfg\", \"{}\", \"json\"]"), NULL);
    vt_outcome o = vt_fx_call(self, "config.store", "list_configs", vt_fx_json("[\"victim\"]"));
    ck_assert_int_eq(o.status, VT_RPC_OK);
    ck_assert_int_eq(cJSON_GetArraySize(o.value), 0);
    vt_outcome_clear(&o);
    vt_agent_destroy(&self);
}
END_TEST

START_TEST(test_live_identity_not_taken_over)
{
    vt_keypair vk;
    vt_fx_authorize(fx, "victim", &vk);
    vt_agent *victim = vt_fx_agent_keyed(fx, "victim", &vk, false, loop);
    ck_assert(vt_fx_connects(victim, 5000));
    vt_rpc_export(victim, "whoami", whoami, "the real victim");
    vt_agent *peer = vt_fx_agent_on(fx, "peer", false, loop);

    /* Another key, and then the victim's own key on a second connection:
     * neither gets the identity while the victim's connection lives. */
    vt_keypair k = allowed("attacker", "attacker");
    vt_agent *attacker = vt_fx_agent_keyed(fx, "victim", &k, false, loop);
    ck_assert(!vt_fx_connects(attacker, 2000));
    vt_agent *twin = vt_fx_agent_keyed(fx, "victim", &vk, false, loop);
    ck_assert(!vt_fx_connects(twin, 2000));

    /* Calls meant for the victim still reach it. */
    vt_outcome o = vt_fx_call(peer, "victim", "whoami", NULL);
    ck_assert_int_eq(o.status, VT_RPC_OK);
    ck_assert_str_eq(o.value->valuestring, "the real victim");
    vt_outcome_clear(&o);
    vt_agent_destroy(&attacker);
    vt_agent_destroy(&twin);
    vt_agent_destroy(&peer);
    vt_agent_destroy(&victim);
}
END_TEST

START_TEST(test_user_frame_is_the_proven_user)
{
    vt_agent *echo = vt_fx_agent_on(fx, "echo", false, loop);
    vt_rpc_export(echo, "caller", caller, NULL);
    vt_keypair k = allowed("u-42", "forger");
    void *raw = vt_raw_socket_keyed(fx, "forger", &k, NULL);
    /* A user-id frame claiming vctl's user. */
    const char *call = "{\"jsonrpc\": \"2.0\", \"id\": \"r1\", \"method\": \"caller\", "
                       "\"params\": []}";
    const char *req[] = {"echo", "VIP1", "control.connection", "m1", "RPC", call};
    vt_raw_send(raw, req, NULL, 6);
    vt_fx_pump(echo, 1000);
    char f[8][256];
    size_t n = vt_raw_recv(raw, f, 8);
    ck_assert_uint_eq(n, 6);
    ck_assert_str_eq(f[4], "RPC");
    cJSON *reply = vt_fx_json(f[5]);
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(reply, "result");
    ck_assert_msg(cJSON_IsString(result), "no result: %s", f[5]);
    ck_assert_str_eq(result->valuestring, "u-42");
    cJSON_Delete(reply);
    vt_agent_destroy(&echo);
}
END_TEST

START_TEST(test_entry_without_identity_gets_free_names_only)
{
    vt_keypair v;
    vt_fx_authorize(fx, "victim", &v);
    vt_keypair k = allowed("roamer", NULL);
    ck_assert(welcomed("roamer-a", &k, 5000));
    ck_assert(welcomed("platform.driver", &k, 5000));
    ck_assert(!welcomed("victim", &k, 2000));
    ck_assert(!welcomed("victim.sub", &k, 2000));
    ck_assert(!welcomed("control.connection", &k, 2000));
    ck_assert(!welcomed("config.store", &k, 2000));
}
END_TEST

static void edit_out(const char *user)
{
    char *path = vt_asprintf("%s/auth.json", fx->home);
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(vt_fs_read_file(path, 1 << 20, &text, &len), 0);
    cJSON *doc = vt_fx_json(text);
    free(text);
    cJSON *allow = cJSON_GetObjectItemCaseSensitive(doc, "allow");
    for (int i = cJSON_GetArraySize(allow) - 1; i >= 0; i--) {
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(allow, i), "user_id");
        if (cJSON_IsString(u) && strcmp(u->valuestring, user) == 0)
            cJSON_DeleteItemFromArray(allow, i);
    }
    char *out = vt_json_dump(doc, VT_JSON_INDENT(2));
    ck_assert_int_eq(vt_fs_write_atomic(path, out, strlen(out), 0600), 0);
    free(out);
    cJSON_Delete(doc);
    free(path);
}

START_TEST(test_removed_entry_ends_live_access)
{
    vt_agent *temp = vt_fx_agent_on(fx, "temp", false, loop);
    vt_fx_call_ok(temp, "platform.health", "get_platform_health", NULL);
    edit_out("temp");
    /* Within the platform's watch period its messages stop being served. */
    int64_t deadline = vt_time_monotonic_ms() + 8000;
    bool refused = false;
    while (!refused && vt_time_monotonic_ms() < deadline) {
        vt_outcome o = vt_fx_call(temp, "platform.health", "get_platform_health", NULL);
        refused = o.status != VT_RPC_OK;
        vt_outcome_clear(&o);
        if (!refused)
            vt_fx_pump(temp, 200);
    }
    ck_assert_msg(refused, "a key removed from auth.json was still served");
    vt_agent_destroy(&temp);
}
END_TEST

START_TEST(test_silent_squatter_closed)
{
    vt_keypair vk;
    vt_fx_authorize(fx, "victim", &vk);
    vt_agent *peer = vt_fx_agent_on(fx, "peer", false, loop);
    /* A key without an identity of its own sits on the victim's name while
     * the victim is down, and says nothing. */
    vt_keypair k = allowed("roamer", NULL);
    /* Once closed, it stays away: what the platform guarantees is that a
     * silent connection cannot keep a name, not that a key set on denying
     * service cannot come back (see the README's security model). */
    vt_raw_opts once = {.no_reconnect = true};
    void *squatter = vt_raw_socket_keyed(fx, "victim", &k, &once);
    vt_fx_pump(peer, 500);
    /* Nothing meant for the victim reaches it. */
    vt_outcome o = vt_fx_call(peer, "victim", "whoami", NULL);
    ck_assert_int_eq(o.status, VT_RPC_UNREACHABLE);
    vt_outcome_clear(&o);
    char f[8][256];
    int quick = 200;
    zmq_setsockopt(squatter, ZMQ_RCVTIMEO, &quick, sizeof quick);
    ck_assert_uint_eq(vt_raw_recv(squatter, f, 8), 0);
    /* The victim comes up: the squatter is closed and the victim gets its
     * name (its client connects afresh when not welcomed). */
    vt_agent *victim = vt_fx_agent_keyed(fx, "victim", &vk, false, loop);
    vt_rpc_export(victim, "whoami", whoami, "the real victim");
    ck_assert_msg(vt_fx_connects(victim, 30000), "the victim never got its identity back");
    o = vt_fx_call(peer, "victim", "whoami", NULL);
    ck_assert_int_eq(o.status, VT_RPC_OK);
    ck_assert_str_eq(o.value->valuestring, "the real victim");
    vt_outcome_clear(&o);
    vt_agent_destroy(&victim);
    vt_agent_destroy(&peer);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("identity_bound_to_key");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_key_cannot_claim_another_identity);
    tcase_add_test(tc, test_store_of_another_agent_not_written);
    tcase_add_test(tc, test_live_identity_not_taken_over);
    tcase_add_test(tc, test_user_frame_is_the_proven_user);
    tcase_add_test(tc, test_entry_without_identity_gets_free_names_only);
    tcase_add_test(tc, test_removed_entry_ends_live_access);
    tcase_add_test(tc, test_silent_squatter_closed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
