/* The agent instance manager and the control service through vctl, as an
 * operator uses them: real platform, real vctl, real agent processes. */
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <volttron/client/client.h>

#include "fixture.h"
#include "ready.h"
#include "run.h"
#include "testutil.h"

#define RPC_MS 10000

static vt_fx *fx;
static vt_agent *watcher; /* sees peers come and go, calls control */

static void start_platform(const char *const *extra)
{
    fx = vt_fx_start(true, extra);
    watcher = vt_fx_agent(fx, "watcher", false);
}

static void setup(void)
{
    const char *args[] = {"--agent-stop-timeout", "2", "--agent-restart-backoff", "0.05", NULL};
    start_platform(args);
}

static void teardown(void)
{
    vt_agent_destroy(&watcher);
    vt_fx_destroy(&fx);
}

/* ---- helpers ---- */

static char *dir_of(const char *env_name)
{
    char *copy = vt_strdup(vt_fx_program(env_name));
    char *d = vt_strdup(dirname(copy));
    free(copy);
    return d;
}

/* Install and return the new agent's UUID (from "Agent <uuid> installed"). */
static char *install(const char *path, ...)
{
    const char *a[7] = {0};
    va_list ap;
    va_start(ap, path);
    for (int i = 0; i < 6 && (a[i] = va_arg(ap, const char *)); i++)
        ;
    va_end(ap);
    char *out = NULL, *err = NULL;
    int rc = vt_fx_vctl(fx, &out, &err, "install", path, a[0], a[1], a[2], a[3], a[4], a[5], NULL);
    ck_assert_msg(rc == 0, "vctl install %s: exit %d\n%s%s", path, rc, out, err);
    const char *p = strstr(out, "Agent ");
    ck_assert_msg(p, "no \"Agent <uuid>\" in: %s", out);
    char *uuid = vt_strndup(p + 6, 36);
    free(out);
    free(err);
    return uuid;
}

static cJSON *control(const char *method, cJSON *params)
{
    cJSON *r = NULL;
    int rc = vt_rpc_call_sync(watcher, "control", method, params, RPC_MS, &r);
    ck_assert_msg(rc == 0, "control.%s: %s", method, vt_last_error());
    return r;
}

static cJSON *one(const char *s)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateString(s));
    return a;
}

/* control.agent_status(key) as (pid, code): pid 0 when not running. */
static long agent_pid(const char *key, int *code)
{
    cJSON *st = control("agent_status", one(key));
    const cJSON *p = cJSON_GetArrayItem(st, 0), *c = cJSON_GetArrayItem(st, 1);
    long pid = cJSON_IsNumber(p) ? (long)p->valuedouble : 0;
    if (code)
        *code = cJSON_IsNumber(c) ? c->valueint : -1000;
    cJSON_Delete(st);
    return pid;
}

static bool file_has(const char *path, const char *text)
{
    char *content = NULL;
    bool yes = vt_fs_read_file(path, 64 << 20, &content, NULL) == 0 && strstr(content, text);
    free(content);
    return yes;
}

static char *home_path(const char *rel)
{
    return vt_fs_path_join(fx->home, rel);
}

static int count_dir(const char *rel)
{
    char *path = home_path(rel);
    int n = 0;
    char *cmd = vt_asprintf("ls -A %s 2>/dev/null | wc -l", path);
    FILE *f = popen(cmd, "r");
    if (f && fscanf(f, "%d", &n) != 1)
        n = -1;
    if (f)
        pclose(f);
    free(cmd);
    free(path);
    return n;
}

/* Install the test agent as identity with this configuration and start it;
 * wait until it is connected when it should stay up. Its UUID. */
static char *test_agent(const char *identity, const char *config_json, bool wait)
{
    char *pkg = dir_of("VT_TEST_AGENT");
    char *name = vt_asprintf("%s.json", identity);
    char *cfg = vt_test_write_file(fx->home, name, config_json);
    char *uuid = install(pkg, "--vip-identity", identity, "--agent-config", cfg, NULL);
    ck_assert_int_eq(vt_fx_vctl(fx, NULL, NULL, "start", identity, NULL), 0);
    if (wait)
        ck_assert(vt_fx_wait_peer(fx, watcher, identity));
    free(cfg);
    free(name);
    free(pkg);
    return uuid;
}

/* ---- tests ---- */

START_TEST(test_two_instances_share_one_copy)
{
    char *pkg = dir_of("VT_LISTENER");
    char *u1 = install(pkg, "--start", NULL);
    char *u2 = install(pkg, "--start", "--tag", "second", NULL);
    ck_assert(vt_fx_wait_peer(fx, watcher, "listeneragent-1.0.0_1"));
    ck_assert(vt_fx_wait_peer(fx, watcher, "listeneragent-1.0.0_2"));
    ck_assert_int_eq(count_dir("packages"), 1);
    char *a1 = home_path("agents/listeneragent-1.0.0_1/UUID");
    ck_assert(file_has(a1, u1));
    free(a1);

    /* the modular layout (seed Figure 5) */
    const char *files[] = {"UUID", "PACKAGE", "config", "data", "keystore.json"};
    for (size_t i = 0; i < 5; i++) {
        char *rel = vt_asprintf("agents/listeneragent-1.0.0_2/%s", files[i]);
        char *p = home_path(rel);
        ck_assert_msg(vt_fs_exists(p), "missing %s", rel);
        free(p);
        free(rel);
    }
    char *tag = home_path("agents/listeneragent-1.0.0_2/TAG");
    ck_assert(file_has(tag, "second"));
    free(tag);

    /* removing one keeps the other (and the code) */
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(vt_fx_vctl(fx, &out, &err, "remove", "listeneragent-1.0.0_1", NULL), 0);
    ck_assert_ptr_nonnull(strstr(out, "Removing"));
    free(out);
    free(err);
    ck_assert(vt_fx_wait_drop(watcher, "listeneragent-1.0.0_1", 10000));
    ck_assert_int_eq(count_dir("packages"), 1);
    ck_assert_int_gt(agent_pid("listeneragent-1.0.0_2", NULL), 0);
    ck_assert_int_eq(vt_ping_sync(watcher, "listeneragent-1.0.0_2", RPC_MS), 0);

    /* the last instance takes the code with it */
    ck_assert_int_eq(vt_fx_vctl(fx, NULL, NULL, "remove", u2, NULL), 0);
    ck_assert_int_eq(count_dir("packages"), 0);
    ck_assert_int_eq(count_dir("agents"), 0);
    free(u1);
    free(u2);
    free(pkg);
}
END_TEST

START_TEST(test_install_archive_config_and_auth)
{
    char *pkg = dir_of("VT_LISTENER");
    char *archive = vt_asprintf("%s/listeneragent.vtagent", pkg);
    char *cfg = vt_test_write_file(fx->home, "my.yml", "message: from yaml\nheartbeat_period: 3\n");
    char *uuid = install(archive, "--vip-identity", "lis.arch", "--agent-config", cfg, NULL);
    char *conf = home_path("agents/lis.arch/config");
    ck_assert(file_has(conf, "\"message\": \"from yaml\""));
    free(conf);
    /* its auth entry (platform-services.md §5.2) */
    char *auth = home_path("auth.json");
    ck_assert(file_has(auth, "\"user_id\": \"lis.arch\""));
    ck_assert(file_has(auth, "Automatically added on agent install"));

    /* the same identity again without --force */
    char *out = NULL, *err = NULL;
    int rc = vt_fx_vctl(fx, &out, &err, "install", archive, "--vip-identity", "lis.arch", NULL);
    ck_assert_int_eq(rc, 1);
    ck_assert_str_eq(err, "Identity already exists.  Pass --force option to re-install.\n");
    free(out);
    free(err);

    /* with --force: same UUID? no, a new one; keys and data kept */
    char *data_file = home_path("agents/lis.arch/data/kept");
    ck_assert_int_eq(vt_fs_write_atomic(data_file, "x", 1, 0644), 0);
    char *ks = home_path("agents/lis.arch/keystore.json");
    vt_keypair before, after;
    ck_assert_int_eq(vt_keystore_load(ks, &before), 0);
    char *uuid2 = install(archive, "--vip-identity", "lis.arch", "--force", NULL);
    ck_assert_str_ne(uuid, uuid2);
    ck_assert_int_eq(vt_keystore_load(ks, &after), 0);
    ck_assert_str_eq(before.public_key, after.public_key);
    ck_assert(vt_fs_exists(data_file));

    /* remove takes the auth entry away */
    ck_assert_int_eq(vt_fx_vctl(fx, NULL, NULL, "remove", "lis.arch", NULL), 0);
    ck_assert(!file_has(auth, "\"user_id\": \"lis.arch\""));
    free(ks);
    free(data_file);
    free(auth);
    free(uuid);
    free(uuid2);
    free(cfg);
    free(archive);
    free(pkg);
}
END_TEST

START_TEST(test_install_by_name_uses_the_system_copy)
{
    /* a platform that looks for packages where the build put the listener */
    vt_agent_destroy(&watcher);
    vt_fx_destroy(&fx);
    char *pkg = dir_of("VT_LISTENER");
    char *parent = vt_strdup(pkg);
    *strrchr(parent, '/') = '\0';
    /* the package directory is called "listener"; its manifest says
     * "listeneragent": either name works */
    setenv("VOLTTRON_AGENT_PATH", parent, 1);
    start_platform(NULL);
    char *uuid = install("listeneragent", "--start", NULL);
    ck_assert(vt_fx_wait_peer(fx, watcher, "listeneragent-1.0.0_1"));
    char *ref = home_path("agents/listeneragent-1.0.0_1/PACKAGE");
    ck_assert(file_has(ref, pkg));
    free(ref);
    ck_assert_int_eq(count_dir("packages"), 0); /* used in place, not copied */
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(vt_fx_vctl(fx, &out, &err, "install", "nosuchagent", NULL), 20);
    ck_assert_ptr_nonnull(strstr(err, "no agent package called \"nosuchagent\""));
    free(out);
    free(err);
    ck_assert_int_eq(vt_fx_vctl(fx, NULL, NULL, "remove", uuid, NULL), 0);
    char *exe = vt_asprintf("%s/volttron-listener", pkg);
    ck_assert(vt_fs_exists(exe)); /* the system's copy stays */
    free(exe);
    unsetenv("VOLTTRON_AGENT_PATH");
    free(uuid);
    free(parent);
    free(pkg);
}
END_TEST

START_TEST(test_environment_data_dir_and_output)
{
    char *uuid = test_agent("probe", "{\"log\": \"hello from the agent\"}", true);
    cJSON *r = NULL;
    ck_assert_int_eq(vt_rpc_call_sync(watcher, "probe", "data_dir", NULL, RPC_MS, &r), 0);
    char *want = home_path("agents/probe/data");
    ck_assert_str_eq(r->valuestring, want);
    cJSON_Delete(r);
    free(want);
    const char *vars[][2] = {
        {"AGENT_VIP_IDENTITY", "probe"}, {"AGENT_UUID", uuid}, {"_LAUNCHED_BY_PLATFORM", "1"}};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(vt_rpc_call_sync(watcher, "probe", "env", one(vars[i][0]), RPC_MS, &r), 0);
        ck_assert_str_eq(r->valuestring, vars[i][1]);
        cJSON_Delete(r);
    }
    ck_assert_int_eq(vt_rpc_call_sync(watcher, "probe", "env", one("AGENT_PUBLICKEY"), RPC_MS, &r),
                     0);
    ck_assert_int_eq((int)strlen(r->valuestring), 43);
    cJSON_Delete(r);
    /* its output is in the platform log under its identity, at its level */
    char *log = home_path("volttron.log");
    ck_assert(file_has(log, "INFO probe: hello from the agent"));
    ck_assert(file_has(log, "WARNING probe: hello from the agent"));
    free(log);
    free(uuid);
}
END_TEST

START_TEST(test_killed_agent_is_restarted)
{
    char *pkg = dir_of("VT_TEST_AGENT");
    char *uuid = install(pkg, "--vip-identity", "victim", "--start", NULL);
    ck_assert(vt_fx_wait_peer(fx, watcher, "victim"));
    long pid = agent_pid("victim", NULL);
    ck_assert_int_gt(pid, 0);
    kill((pid_t)pid, SIGKILL);
    /* the supervisor's only outward sign is the status: a new pid */
    long pid2 = pid;
    for (int64_t until = vt_time_monotonic_ms() + 10000;
         (pid2 == pid || pid2 == 0) && vt_time_monotonic_ms() < until;) {
        vt_fx_pump(watcher, 20);
        pid2 = agent_pid("victim", NULL);
    }
    ck_assert_msg(pid2 > 0 && pid2 != pid, "victim was not restarted");
    /* and it connects again (the old connection may linger a moment) */
    int ping = -1;
    for (int64_t until = vt_time_monotonic_ms() + 10000;
         ping != 0 && vt_time_monotonic_ms() < until;)
        if ((ping = vt_ping_sync(watcher, "victim", 1000)) != 0)
            vt_fx_pump(watcher, 50);
    ck_assert_msg(ping == 0, "the restarted victim does not answer");
    char *log = home_path("volttron.log");
    ck_assert(file_has(log, "victim exited with code -9: restarting it in"));
    free(log);
    free(uuid);
    free(pkg);
}
END_TEST

typedef struct alert_seen {
    bool got;
    char key[256];
} alert_seen;

static void on_alert(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    alert_seen *a = ctx;
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(vt_pubsub_headers(m), "alert_key");
    if (cJSON_IsString(k)) {
        snprintf(a->key, sizeof a->key, "%s", k->valuestring);
        a->got = true;
    }
}

static bool alerted(void *ctx)
{
    return ((alert_seen *)ctx)->got;
}

START_TEST(test_crash_loop_stops_at_the_limit)
{
    vt_agent_destroy(&watcher);
    vt_fx_destroy(&fx);
    const char *args[] = {"--agent-restart-limit", "2", "--agent-restart-backoff", "0.05", NULL};
    start_platform(args);
    alert_seen a = {0};
    vt_pubsub_subscribe(watcher, "alerts/", on_alert, &a);
    vt_fx_pump(watcher, 100); /* the subscription is in place */
    char *uuid = test_agent("crasher", "{\"crash_exit_code\": 3}", false);
    ck_assert_msg(vt_fx_until(watcher, alerted, &a, 20000), "no alert for the crash loop");
    ck_assert_ptr_nonnull(strstr(a.key, "stopped unexpectedly"));
    ck_assert_ptr_nonnull(strstr(a.key, uuid));
    int code;
    ck_assert_int_eq(agent_pid("crasher", &code), 0);
    ck_assert_int_eq(code, 3);
    char *log = home_path("volttron.log");
    ck_assert(file_has(log, "attempt 2 of 2"));
    ck_assert(!file_has(log, "attempt 3 of 2"));
    ck_assert(file_has(log, "has crashed 3 times in a row: not restarting it again"));
    free(log);
    /* the operator can still start it by hand (it crashes again) */
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(vt_fx_vctl(fx, &out, &err, "status", NULL), 0);
    ck_assert_ptr_nonnull(strstr(out, "crasher"));
    free(out);
    free(err);
    free(uuid);
}
END_TEST

START_TEST(test_stop_escalates_past_an_ignored_sigint)
{
    char *uuid = test_agent("deaf", "{\"ignore_sigint\": true}", true);
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(vt_fx_vctl(fx, &out, &err, "stop", "deaf", NULL), 0);
    ck_assert_ptr_nonnull(strstr(out, "Stopping"));
    int code;
    ck_assert_int_eq(agent_pid("deaf", &code), 0);
    ck_assert_int_ne(code, -1000);
    char *log = home_path("volttron.log");
    ck_assert(file_has(log, "deaf did not stop on SIGINT: sending SIGTERM"));
    /* an orderly stop is not a crash: no restart */
    ck_assert(!file_has(log, "deaf exited with code -15: restarting"));
    free(log);
    free(out);
    free(err);
    free(uuid);
}
END_TEST

START_TEST(test_platform_restart_keeps_state)
{
    char *pkg = dir_of("VT_TEST_AGENT");
    char *uuid = install(pkg, "--vip-identity", "keeper", "--enable", "--priority", "60", NULL);
    char *uuid2 = install(pkg, "--vip-identity", "idle", NULL);
    char *cfg = vt_test_write_file(fx->home, "k.json", "{\"x\": 1}");
    ck_assert_int_eq(vt_fx_vctl(fx, NULL, NULL, "config", "store", "keeper", "config", cfg, NULL),
                     0);
    vt_agent_destroy(&watcher);
    vt_fx_restart(fx);
    watcher = vt_fx_agent(fx, "watcher", false);
    /* AUTOSTART: keeper comes up with the platform; idle does not */
    ck_assert(vt_fx_wait_peer(fx, watcher, "keeper"));
    ck_assert_int_eq(agent_pid("idle", NULL), 0);
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(vt_fx_vctl(fx, &out, &err, "config", "get", "keeper", "config", NULL), 0);
    ck_assert_str_eq(out, "{\n  \"x\": 1\n}\n");
    free(out);
    free(err);
    char *auth = home_path("auth.json");
    ck_assert(file_has(auth, "\"user_id\": \"keeper\""));
    free(auth);
    ck_assert_int_eq(vt_fx_vctl(fx, &out, &err, "list", NULL), 0);
    ck_assert_ptr_nonnull(strstr(out, "    60\n"));
    free(out);
    free(err);
    free(cfg);
    free(uuid);
    free(uuid2);
    free(pkg);
}
END_TEST

START_TEST(test_systemd_watchdog_and_stopping)
{
    /* systemd's Type=notify with WatchdogSec: WATCHDOG=1 at half the
     * interval from the loop, STOPPING=1 on the way out */
    vt_agent_destroy(&watcher);
    vt_fx_destroy(&fx);
    setenv("WATCHDOG_USEC", "200000", 1);
    start_platform(NULL);
    unsetenv("WATCHDOG_USEC");
    for (int i = 0; i < 3; i++)
        ck_assert_msg(vt_ready_wait_for(fx->notify_fd, "WATCHDOG=1", 5000) == 0,
                      "no WATCHDOG=1 (%d)", i);
    kill(fx->pid, SIGTERM);
    ck_assert(vt_ready_wait_for(fx->notify_fd, "STOPPING=1", 5000) == 0);
    int st;
    waitpid(fx->pid, &st, 0);
    fx->pid = 0;
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("control");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_two_instances_share_one_copy);
    tcase_add_test(tc, test_install_archive_config_and_auth);
    tcase_add_test(tc, test_install_by_name_uses_the_system_copy);
    tcase_add_test(tc, test_environment_data_dir_and_output);
    tcase_add_test(tc, test_killed_agent_is_restarted);
    tcase_add_test(tc, test_crash_loop_stops_at_the_limit);
    tcase_add_test(tc, test_stop_escalates_past_an_ignored_sigint);
    tcase_add_test(tc, test_platform_restart_keeps_state);
    tcase_add_test(tc, test_systemd_watchdog_and_stopping);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
