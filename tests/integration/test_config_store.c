/* config.store end to end: the service's RPC API as VOLTTRON 9 answers it,
 * pushes to a real agent process and the callbacks they cause, references,
 * bad input, persistence across restarts and crashes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <volttron/client/client.h>

#include "fixture.h"
#include "testutil.h"

#define RPC_MS 10000

static vt_fx *fx;
static vt_agent *admin;

static void setup(void)
{
    fx = vt_fx_start(true, NULL);
    vt_fx_grant(fx, "cs.admin", "{\"edit_config_store\": {\"identity\": \"/.*/\"}}");
    admin = vt_fx_agent(fx, "cs.admin", false);
}

static void teardown(void)
{
    vt_agent_destroy(&admin);
    vt_fx_destroy(&fx);
}

/* config.store.<method>(args...) -> result (owned), asserting success. */
static cJSON *cs_ok(const char *method, cJSON *params)
{
    cJSON *r = NULL;
    int rc = vt_rpc_call_sync(admin, "config.store", method, params, RPC_MS, &r);
    ck_assert_msg(rc == 0, "%s: %s", method, vt_last_error());
    return r;
}

/* ... expecting an exception of exc_type whose detail contains text. */
static void cs_fails(const char *method, cJSON *params, const char *exc_type, const char *text)
{
    cJSON *r = NULL;
    vt_rpc_error err;
    int rc = vt_rpc_call_sync_ex(admin, "config.store", method, params, RPC_MS, &r, &err);
    ck_assert_int_eq(rc, -EREMOTEIO);
    ck_assert_str_eq(err.exc_type, exc_type);
    ck_assert_msg(strstr(err.message, text) != NULL, "%s: %s", method, err.message);
    vt_rpc_error_clear(&err);
}

static cJSON *strs(const char *a, const char *b, const char *c, const char *d)
{
    cJSON *arr = cJSON_CreateArray();
    const char *all[] = {a, b, c, d};
    for (int i = 0; i < 4 && all[i]; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(all[i]));
    return arr;
}

static void set(const char *identity, const char *name, const char *raw, const char *type)
{
    cJSON_Delete(cs_ok("set_config", strs(identity, name, raw, type)));
}

static char *dump(const cJSON *v)
{
    return vt_json_dump(v, 0);
}

/* The agent's configuration events so far, as JSON text. */
static char *events(const char *agent)
{
    cJSON *r = NULL;
    int rc = vt_rpc_call_sync(admin, agent, "config_events", NULL, RPC_MS, &r);
    ck_assert_msg(rc == 0, "%s", vt_last_error());
    char *s = dump(r);
    cJSON_Delete(r);
    return s;
}

static void events_are(const char *agent, const char *want)
{
    char *got = events(agent);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(test_api_as_volttron)
{
    cs_fails("get_config", strs("nobody", "cfg1", NULL, NULL), "builtins.KeyError",
             "'No configuration file \"cfg1\" for VIP IDENTIY nobody'");
    set("a1", "config", "{\"x\": 1} # comment", "json");
    set("a1", "Registry.csv", "Point,Units\nT,F\n", "csv");
    set("a1", "/notes/", "free text", NULL);
    cJSON *r = cs_ok("list_configs", strs("a1", NULL, NULL, NULL));
    char *s = dump(r);
    ck_assert_str_eq(s, "[\"Registry.csv\", \"config\", \"notes\"]");
    free(s);
    cJSON_Delete(r);
    r = cs_ok("get_config", strs("a1", "registry.CSV", NULL, NULL));
    ck_assert_str_eq(r->valuestring, "Point,Units\nT,F\n"); /* raw by default */
    cJSON_Delete(r);
    cJSON *p = strs("a1", "registry.csv", NULL, NULL);
    cJSON_AddItemToArray(p, cJSON_CreateFalse());
    r = cs_ok("get_config", p);
    s = dump(r);
    ck_assert_str_eq(s, "[{\"Point\": \"T\", \"Units\": \"F\"}]");
    free(s);
    cJSON_Delete(r);
    r = cs_ok("get_metadata", strs("a1", "config", NULL, NULL));
    ck_assert_str_eq(cJSON_GetObjectItem(r, "type")->valuestring, "json");
    ck_assert_str_eq(cJSON_GetObjectItem(r, "data")->valuestring, "{\"x\": 1} # comment");
    vt_timestamp ts;
    ck_assert_int_eq(vt_time_parse(cJSON_GetObjectItem(r, "modified")->valuestring, &ts), 0);
    cJSON_Delete(r);
    set("a2", "config", "[]", "json");
    r = cs_ok("list_stores", NULL);
    s = dump(r);
    ck_assert_str_eq(s, "[\"a1\", \"a2\"]");
    free(s);
    cJSON_Delete(r);

    /* bad input: a clear error, the old entry kept */
    cs_fails("set_config", strs("a1", "config", "{\"x\": ", "json"), "builtins.ValueError",
             "config:1:7");
    cs_fails("set_config", strs("a1", "config", "42", "json"), "builtins.ValueError",
             "Configuration must be a list or object.");
    cs_fails("set_config", strs("a1", "config", "x", "yaml"), "builtins.ValueError",
             "Unsupported configuration type.");
    cs_fails("set_config", strs("a1", "r.csv", "a,b\n\"open", "csv"), "builtins.ValueError",
             "unterminated quoted field");
    set("a1", "a", "{\"next\": \"config://b\"}", "json");
    cs_fails("set_config", strs("a1", "b", "{\"back\": \"config://A\"}", "json"),
             "builtins.ValueError", "Recursive configuration references detected.");
    r = cs_ok("get_config", strs("a1", "config", NULL, NULL));
    ck_assert_str_eq(r->valuestring, "{\"x\": 1} # comment");
    cJSON_Delete(r);

    cs_fails("delete_config", strs("a1", "nope", NULL, NULL), "builtins.KeyError",
             "No configuration file \"nope\"");
    cJSON_Delete(cs_ok("delete_store", strs("a2", NULL, NULL, NULL)));
    cJSON_Delete(cs_ok("delete_store", strs("never", NULL, NULL, NULL))); /* no-op */
    r = cs_ok("list_stores", NULL);
    s = dump(r);
    ck_assert_str_eq(s, "[\"a1\"]");
    free(s);
    cJSON_Delete(r);
    char *gone = vt_asprintf("%s/configuration_store/a2.store", fx->home);
    ck_assert(!vt_fs_exists(gone)); /* an emptied store is deleted */
    free(gone);
}
END_TEST

START_TEST(test_pushes_and_callbacks)
{
    /* Before the agent runs: what it will find at start. */
    set("cfg.agent", "registry.csv", "Point,Units\nT,F\n", "csv");
    set("cfg.agent", "config", "{\"registry\": \"config://registry.csv\", \"interval\": 5}",
        "json");
    pid_t p = vt_fx_spawn(fx, vt_fx_program("VT_TEST_AGENT"), "cfg.agent", NULL);
    ck_assert(vt_fx_wait_peer(fx, admin, "cfg.agent"));
    /* NEW for each at start, "config" first, references resolved. */
    char *got = NULL;
    for (int i = 0; i < 100; i++) { /* the start callbacks run right after the welcome */
        free(got);
        got = events("cfg.agent");
        if (strcmp(got, "[]") != 0)
            break;
        vt_fx_pump(admin, 20);
    }
    ck_assert_str_eq(got, "[[\"config\", \"NEW\", {\"registry\": [{\"Point\": \"T\", \"Units\": "
                          "\"F\"}], \"interval\": 5}], [\"registry.csv\", \"NEW\", [{\"Point\": "
                          "\"T\", \"Units\": \"F\"}]]]");
    free(got);

    /* Changes while it runs: set_config answers after the agent has them. */
    set("cfg.agent", "extra", "{\"k\": true}", "json");
    events_are("cfg.agent", "[[\"extra\", \"NEW\", {\"k\": true}]]");
    /* A referenced configuration changes: its referrer is an UPDATE too. */
    set("cfg.agent", "registry.csv", "Point,Units\nT,C\n", "csv");
    got = events("cfg.agent");
    ck_assert_ptr_nonnull(
        strstr(got, "[\"registry.csv\", \"UPDATE\", [{\"Point\": \"T\", \"Units\": \"C\"}]]"));
    ck_assert_ptr_nonnull(strstr(got, "[\"config\", \"UPDATE\", {\"registry\": [{\"Point\": \"T\", "
                                      "\"Units\": \"C\"}], \"interval\": 5}]"));
    free(got);
    cJSON_Delete(cs_ok("delete_config", strs("cfg.agent", "extra", NULL, NULL)));
    events_are("cfg.agent", "[[\"extra\", \"DELETE\", null]]");
    /* trigger_callback=False: the agent's copy changes, no callback. */
    cJSON *args = strs("cfg.agent", "quiet", "{}", "json");
    cJSON *kw = cJSON_CreateObject();
    cJSON_AddFalseToObject(kw, "trigger_callback");
    cJSON_Delete(cs_ok("set_config", vt_rpc_params(args, kw)));
    events_are("cfg.agent", "[]");
    cJSON *r = NULL;
    ck_assert_int_eq(vt_rpc_call_sync(admin, "cfg.agent", "config_get",
                                      strs("quiet", NULL, NULL, NULL), RPC_MS, &r),
                     0);
    char *s = dump(r);
    ck_assert_str_eq(s, "{}");
    free(s);
    cJSON_Delete(r);
    cJSON_Delete(cs_ok("delete_store", strs("cfg.agent", NULL, NULL, NULL)));
    got = events("cfg.agent");
    ck_assert_ptr_nonnull(strstr(got, "[\"config\", \"DELETE\", null]"));
    ck_assert_ptr_nonnull(strstr(got, "[\"registry.csv\", \"DELETE\", null]"));
    free(got);
    vt_fx_kill(p, SIGTERM);
}
END_TEST

START_TEST(test_survives_restart)
{
    set("keep", "config", "{\"a\": [1, 2.5, \"x\"]}", "json");
    set("keep", "raw", "text", "raw");
    char *path = vt_asprintf("%s/configuration_store/keep.store", fx->home);
    char *text = NULL;
    ck_assert_int_eq(vt_fs_read_file(path, 1 << 20, &text, NULL), 0);
    /* VOLTTRON's file format: compact JSON, type/modified/data. */
    ck_assert_ptr_nonnull(strstr(text, "{\"config\":{\"type\":\"json\",\"modified\":\""));
    ck_assert_ptr_nonnull(strstr(text, "\"data\":\"{\\\"a\\\": [1, 2.5, \\\"x\\\"]}\"}"));
    free(text);
    vt_agent_destroy(&admin);
    vt_fx_restart(fx);
    admin = vt_fx_agent(fx, "cs.admin", false);
    cJSON *p = strs("keep", "config", NULL, NULL);
    cJSON_AddItemToArray(p, cJSON_CreateFalse());
    cJSON *r = cs_ok("get_config", p);
    char *s = dump(r);
    ck_assert_str_eq(s, "{\"a\": [1, 2.5, \"x\"]}");
    free(s);
    cJSON_Delete(r);
    free(path);
}
END_TEST

static void no_reply(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)agent;
    (void)res;
    (void)ctx;
}

START_TEST(test_crash_during_writes)
{
    /* Writes in flight when the platform is killed: afterwards the entry is
     * one of the values written, whole. */
    char *big = vt_malloc(200001);
    memset(big, 'v', 200000);
    big[200000] = '\0';
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 20; i++) {
            big[0] = (char)('a' + i);
            vt_rpc_call(admin, "config.store", "set_config", strs("crash", "blob", big, "raw"),
                        RPC_MS, no_reply, NULL);
        }
        vt_fx_pump(admin, 5 + round * 10);
        kill(fx->pid, SIGKILL);
        waitpid(fx->pid, NULL, 0);
        fx->pid = 0;
        vt_agent_destroy(&admin);
        vt_fx_restart(fx);
        admin = vt_fx_agent(fx, "cs.admin", false);
        cJSON *r = NULL;
        int rc = vt_rpc_call_sync(admin, "config.store", "get_config",
                                  strs("crash", "blob", NULL, NULL), RPC_MS, &r);
        if (rc == 0) { /* none written yet is fine too */
            ck_assert_uint_eq(strlen(r->valuestring), 200000);
            ck_assert(r->valuestring[0] >= 'a' && r->valuestring[0] < 'a' + 20);
            ck_assert(strspn(r->valuestring + 1, "v") == 199999);
        }
        cJSON_Delete(r);
    }
    free(big);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("config_store");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_api_as_volttron);
    tcase_add_test(tc, test_pushes_and_callbacks);
    tcase_add_test(tc, test_survives_restart);
    tcase_add_test(tc, test_crash_during_writes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
