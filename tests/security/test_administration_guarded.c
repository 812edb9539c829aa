/* The platform's administration is guarded: an ordinary agent cannot
 * change auth.json, other agents' RPC authorisations or what runs on the
 * platform; even an agent allowed to edit auth.json cannot remove or change
 * the platform's own entries (and so lock vctl out); no agent is installed
 * under, or given an auth entry for, a name the platform reserves. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/client.h>

#include "call.h"
#include "fixture.h"
#include "run.h"
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
}

static char *auth_json(void)
{
    char *path = vt_asprintf("%s/auth.json", fx->home);
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(vt_fs_read_file(path, 1 << 22, &text, &len), 0);
    free(path);
    return text;
}

/* vctl still works: the platform's own tool was not locked out. */
static void vctl_still_works(void)
{
    char *out = NULL, *err = NULL;
    int rc = vt_fx_vctl(fx, &out, &err, "status", NULL);
    ck_assert_msg(rc == 0, "vctl status: exit %d: %s", rc, err);
    free(out);
    free(err);
}

static const char *const auth_writes[][2] = {
    {"auth_file.add", "[{\"credentials\": \"/.*/\", \"user_id\": \"everyone\", "
                      "\"capabilities\": [\"allow_auth_modifications\"]}]"},
    {"auth_file.remove_by_indices", "[[0, 1, 2, 3, 4, 5, 6, 7]]"},
    {"auth_file.remove_by_index", "[0]"},
    {"auth_file.update_by_index", "[{\"credentials\": \"/.*/\", \"user_id\": \"x\"}, 0]"},
    {"auth_file.remove_by_credentials", "[\"/.*/\"]"},
    {"auth_file.set_groups", "[{\"g\": [\"admin\"]}]"},
    {"auth_file.set_roles", "[{\"admin\": [\"allow_auth_modifications\"]}]"},
    {"approve_authorization", "[\"nobody\"]"},
};

START_TEST(test_auth_file_writes_need_the_capability)
{
    vt_agent *plain = vt_fx_agent_on(fx, "plain", false, loop);
    char *before = auth_json();
    for (size_t i = 0; i < sizeof auth_writes / sizeof auth_writes[0]; i++)
        vt_fx_call_refused(plain, "platform.auth", auth_writes[i][0], vt_fx_json(auth_writes[i][1]),
                           NULL);
    vt_fx_call_refused(plain, "platform.auth", "add_rpc_authorizations",
                       vt_fx_json("[\"plain\", \"m\", [\"x\"]]"), NULL);
    char *after = auth_json();
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
    /* reading stays open, as in VOLTTRON */
    vt_fx_call_ok(plain, "platform.auth", "auth_file.read", NULL);
    vt_agent_destroy(&plain);
    vctl_still_works();
}
END_TEST

START_TEST(test_platform_entries_survive_an_auth_admin)
{
    vt_fx_grant(fx, "admin", "{\"allow_auth_modifications\": null}");
    vt_agent *admin = vt_fx_agent_on(fx, "admin", false, loop);
    /* Emptying the allow list, or rewriting vctl's entry: refused. */
    vt_outcome o = vt_fx_call(admin, "platform.auth", "auth_file.read", NULL);
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o.value, "allow_list"));
    vt_outcome_clear(&o);
    cJSON *all = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(all, cJSON_CreateNumber(i));
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, all);
    o = vt_fx_call(admin, "platform.auth", "auth_file.remove_by_indices", params);
    ck_assert_int_eq(o.status, VT_RPC_ERROR);
    ck_assert_str_eq(o.exc_type, "builtins.ValueError");
    ck_assert_msg(strstr(o.detail, "platform's own"), "%s", o.detail);
    vt_outcome_clear(&o);
    o = vt_fx_call(admin, "platform.auth", "auth_file.add",
                   vt_fx_json("[{\"credentials\": \"/.*/\", \"user_id\": \"control.connection\"}, "
                              "true]"));
    ck_assert_int_eq(o.status, VT_RPC_ERROR);
    vt_outcome_clear(&o);
    vctl_still_works();
    /* Its own business it may do: an entry for a new user. */
    vt_fx_call_ok(admin, "platform.auth", "auth_file.add",
                  vt_fx_json("[{\"credentials\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\", "
                             "\"user_id\": \"guest\", \"identity\": \"guest\"}]"));
    char *text = auth_json();
    ck_assert_ptr_nonnull(strstr(text, "\"guest\""));
    free(text);
    vt_agent_destroy(&admin);
}
END_TEST

START_TEST(test_auth_entry_for_a_reserved_identity_refused)
{
    vt_fx_grant(fx, "admin", "{\"allow_auth_modifications\": null}");
    vt_agent *admin = vt_fx_agent_on(fx, "admin", false, loop);
    const char *bad[] = {
        "control.connection", "control", "config.store", "platform", ".hidden", "..", "a/b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *entry =
            vt_asprintf("[{\"credentials\": \"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\","
                        " \"user_id\": \"u%zu\", \"identity\": \"%s\"}]",
                        i, bad[i]);
        vt_outcome o = vt_fx_call(admin, "platform.auth", "auth_file.add", vt_fx_json(entry));
        ck_assert_msg(o.status == VT_RPC_ERROR, "an auth entry for %s was accepted", bad[i]);
        ck_assert_str_eq(o.exc_type, "builtins.ValueError");
        vt_outcome_clear(&o);
        free(entry);
    }
    vt_agent_destroy(&admin);
}
END_TEST

START_TEST(test_rpc_authorizations_of_another_agent_unchanged)
{
    vt_agent *a = vt_fx_agent_on(fx, "alpha", false, loop);
    vt_agent *b = vt_fx_agent_on(fx, "beta", false, loop);
    char *before = auth_json();
    vt_outcome o = vt_fx_call(a, "platform.auth", "update_id_rpc_authorizations",
                              vt_fx_json("[\"beta\", {\"sensitive\": [\"nothing\"]}]"));
    ck_assert_int_eq(o.status, VT_RPC_OK);
    ck_assert(cJSON_IsNull(o.value));
    vt_outcome_clear(&o);
    char *after = auth_json();
    ck_assert_str_eq(after, before);
    /* its own it may record */
    o = vt_fx_call(a, "platform.auth", "update_id_rpc_authorizations",
                   vt_fx_json("[\"alpha\", {\"mine\": [\"x\"]}]"));
    ck_assert_int_eq(o.status, VT_RPC_OK);
    ck_assert(cJSON_IsObject(o.value));
    vt_outcome_clear(&o);
    free(before);
    free(after);
    vt_agent_destroy(&a);
    vt_agent_destroy(&b);
}
END_TEST

START_TEST(test_control_changes_need_the_capability)
{
    vt_agent *plain = vt_fx_agent_on(fx, "plain", false, loop);
    const char *const changes[][2] = {
        {"shutdown", "[]"},
        {"stop_platform", "[]"},
        {"stop_agent", "[\"plain\"]"},
        {"remove_agent", "[\"plain\"]"},
        {"start_agent", "[\"plain\"]"},
        {"install_agent_package", "[\"listeneragent\", \"evil\"]"},
        {"install_agent", "[\"x.tar\", \"ch\", \"evil\"]"},
        {"tag_agent", "[\"plain\", \"t\"]"},
        {"clear_status", "[true]"},
    };
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
        vt_fx_call_refused(plain, "control", changes[i][0], vt_fx_json(changes[i][1]), NULL);
    vt_fx_call_ok(plain, "control", "list_agents", NULL);
    vt_agent_destroy(&plain);
    vctl_still_works();
}
END_TEST

static char *test_agent_package(void)
{
    char *copy = vt_strdup(vt_fx_program("VT_TEST_AGENT"));
    char *d = vt_strdup(dirname(copy));
    free(copy);
    return d;
}

START_TEST(test_install_under_a_reserved_identity_refused)
{
    char *pkg = test_agent_package();
    char *before = auth_json();
    const char *bad[] = {"control.connection",
                         "control",
                         "platform.auth",
                         "control.connection.x",
                         ".hidden",
                         ".",
                         ".."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out = NULL, *err = NULL;
        int rc = vt_fx_vctl(fx, &out, &err, "install", pkg, "--vip-identity", bad[i], NULL);
        ck_assert_msg(rc != 0, "installed under %s: %s", bad[i], out);
        ck_assert_msg(strstr(err, "reserved") || strstr(err, "dot") || strstr(err, "characters"),
                      "no clear reason for %s: %s", bad[i], err);
        free(out);
        free(err);
    }
    char *after = auth_json();
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
    free(pkg);
    vctl_still_works();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("administration_guarded");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_auth_file_writes_need_the_capability);
    tcase_add_test(tc, test_platform_entries_survive_an_auth_admin);
    tcase_add_test(tc, test_auth_entry_for_a_reserved_identity_refused);
    tcase_add_test(tc, test_rpc_authorizations_of_another_agent_unchanged);
    tcase_add_test(tc, test_control_changes_need_the_capability);
    tcase_add_test(tc, test_install_under_a_reserved_identity_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
