/* vctl's commands (other than auth and rpc, tested in tests/tools), each
 * with its output formats and its bad input, against a real platform. */
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <volttron/client/client.h>

#include "fixture.h"
#include "run.h"
#include "testutil.h"

#define RPC_MS 10000

static vt_fx *fx;
static char *pkg; /* the test agent's package directory */

static void setup(void)
{
    const char *args[] = {"--agent-stop-timeout", "2", NULL};
    fx = vt_fx_start(true, args);
    char *copy = vt_strdup(vt_fx_program("VT_TEST_AGENT"));
    pkg = vt_strdup(dirname(copy));
    free(copy);
}

static void teardown(void)
{
    vt_fx_destroy(&fx);
    free(pkg);
}

typedef struct result {
    int rc;
    char *out, *err;
} result;

#define VCTL(...) vctl_run(NULL, __VA_ARGS__, NULL)
#define VCTL_IN(in, ...) vctl_run(in, __VA_ARGS__, NULL)

static result vctl_run(const char *in, const char *a0, ...)
{
    const char *a[12] = {a0};
    va_list ap;
    va_start(ap, a0);
    for (int i = 1; i < 11 && (a[i] = va_arg(ap, const char *)); i++)
        ;
    va_end(ap);
    result r;
    r.rc = vt_fx_vctl_in(fx, in, &r.out, &r.err, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
                         a[8], a[9], a[10], NULL);
    return r;
}

static void clear(result *r)
{
    free(r->out);
    free(r->err);
}

static void expect(result r, int rc, const char *out, const char *err)
{
    ck_assert_msg(r.rc == rc, "exit %d (want %d)\nstdout: %s\nstderr: %s", r.rc, rc, r.out, r.err);
    if (out)
        ck_assert_str_eq(r.out, out);
    if (err)
        ck_assert_str_eq(r.err, err);
    clear(&r);
}

static void expect_in(result r, int rc, const char *out_part, const char *err_part)
{
    ck_assert_msg(r.rc == rc, "exit %d (want %d)\nstdout: %s\nstderr: %s", r.rc, rc, r.out, r.err);
    if (out_part)
        ck_assert_msg(strstr(r.out, out_part), "stdout lacks \"%s\": %s", out_part, r.out);
    if (err_part)
        ck_assert_msg(strstr(r.err, err_part), "stderr lacks \"%s\": %s", err_part, r.err);
    clear(&r);
}

/* Install the test agent under identity; its UUID. */
static char *install_as(const char *identity)
{
    result r = VCTL("install", pkg, "--vip-identity", identity);
    ck_assert_msg(r.rc == 0, "%s%s", r.out, r.err);
    char *uuid = vt_strndup(strstr(r.out, "Agent ") + 6, 36);
    clear(&r);
    return uuid;
}

/* ---- the agent table commands ---- */

START_TEST(test_list_and_status_tables)
{
    expect(VCTL("list"), 0, "", "No installed Agents found\n");
    expect(VCTL("--json", "list"), 0, "{}\n", "");
    char *u1 = install_as("alpha");
    char *u2 = install_as("beta.long.identity");
    expect(VCTL("tag", "alpha", "first"), 0, NULL, NULL);
    /* UUID column: as wide as needed to tell the two apart */
    vt_fx_vctl(fx, NULL, NULL, "enable", "alpha", "-p", "7", NULL);
    result r = VCTL("list");
    ck_assert_int_eq(r.rc, 0);
    int n = 1;
    while (u1[n - 1] == u2[n - 1])
        n++;
    /* widths: AGENT 13 ("testagent-0.1"), IDENTITY 18, TAG 5 ("first"), PRI 6 */
    char *want = vt_asprintf("%*s AGENT         IDENTITY           TAG      PRI\n", n, "");
    ck_assert_str_eq(r.err, want);
    char *row1 = vt_asprintf("%.*s testagent-0.1 alpha              first     07\n", n, u1);
    char *row2 = vt_asprintf("%.*s testagent-0.1 beta.long.identity %5s %6s\n", n, u2, "", "");
    ck_assert_msg(strstr(r.out, row1) && strstr(r.out, row2), "%s", r.out);
    free(row1);
    free(row2);
    free(want);
    clear(&r);
    /* -n 0: whole UUIDs */
    r = VCTL("list", "-n", "0");
    ck_assert_ptr_nonnull(strstr(r.out, u1));
    clear(&r);

    /* status: never started, running, exited */
    expect(VCTL("start", "alpha"), 0, NULL, NULL);
    vt_agent *w = vt_fx_agent(fx, "w", false);
    ck_assert(vt_fx_wait_peer(fx, w, "alpha"));
    r = VCTL("status");
    ck_assert_int_eq(r.rc, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "UUID AGENT         IDENTITY           TAG   STATUS"
                                        "          HEALTH\n"));
    ck_assert_msg(strstr(r.out, "alpha              first running ["), "%s", r.out);
    clear(&r);
    r = VCTL("--json", "status");
    cJSON *doc = vt_json_parse(r.out, strlen(r.out), 0, NULL, NULL);
    ck_assert_ptr_nonnull(doc);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, "alpha");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(a, "agent_uuid")->valuestring, u1);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(a, "agent_tag")->valuestring, "first");
    ck_assert_ptr_nonnull(
        strstr(cJSON_GetObjectItemCaseSensitive(a, "status")->valuestring, "running ["));
    cJSON_Delete(doc);
    clear(&r);
    expect_in(VCTL("stop", "alpha"), 0, "Stopping ", NULL);
    r = VCTL("status", "alpha");
    ck_assert_msg(strstr(r.out, "alpha              first 0  "), "%s", r.out);
    clear(&r);
    /* clear forgets exited agents' status */
    expect(VCTL("clear", "--all"), 0, "", "");
    r = VCTL("status", "alpha");
    ck_assert_msg(strstr(r.out, "first                 \n"), "%s", r.out);
    clear(&r);
    vt_agent_destroy(&w);
    free(u1);
    free(u2);
}
END_TEST

START_TEST(test_selection_and_local_commands)
{
    char *u1 = install_as("sel.one");
    char *u2 = install_as("sel.two");
    /* by UUID prefix, identity, name; with flags */
    char *p1 = vt_strndup(u1, 8);
    expect_in(VCTL("tag", p1, "t1"), 0, "Tagging ", NULL);
    expect(VCTL("tag", "sel.one"), 0, "t1\n", "");
    expect_in(VCTL("tag", "sel.two", "t2"), 0, NULL, NULL);
    expect(VCTL("tag", "--tag", "t2"), 0, "t2\n", "");
    expect_in(VCTL("tag", "sel"), 10, NULL, "tag: error: multiple agents selected");
    expect_in(VCTL("tag", "nothing"), 10, NULL, "tag: error: agent not found: nothing");
    expect_in(VCTL("tag", "sel.two", "-r"), 0, "Removing tag for ", NULL);
    expect(VCTL("tag", "sel.two"), 0, "", "");
    /* enable / disable write AUTOSTART */
    expect_in(VCTL("enable", "--name", "testagent-*"), 0, "with priority 50", NULL);
    char *as = vt_asprintf("%s/agents/sel.two/AUTOSTART", fx->home);
    char *text = NULL;
    ck_assert_int_eq(vt_fs_read_file(as, 16, &text, NULL), 0);
    ck_assert_str_eq(text, "50");
    free(text);
    expect_in(VCTL("enable", "sel.one", "--priority", "100"), 2, NULL, "--priority");
    expect_in(VCTL("disable", "sel.two"), 0, "Disabling ", NULL);
    ck_assert(!vt_fs_exists(as));
    free(as);
    /* start / stop with nothing matching */
    expect_in(VCTL("start", "zzz"), 0, NULL, "Agents NOT found using 'vctl start' on pattern: zzz");
    expect_in(VCTL("start"), 1, NULL, "Missing search pattern.");
    /* remove: several need --force */
    expect_in(VCTL("remove", "sel"), 10, NULL, "use --force");
    expect_in(VCTL("remove", "nothing"), 10, NULL, "agent not found: nothing");
    expect_in(VCTL("remove", "--force", "sel"), 0, "Removing ", NULL);
    expect(VCTL("list"), 0, "", "No installed Agents found\n");
    free(p1);
    free(u1);
    free(u2);
}
END_TEST

START_TEST(test_health_peerlist_restart)
{
    char *u = install_as("healthy");
    expect_in(VCTL("restart", "healthy"), 0, "Starting ", NULL);
    vt_agent *w = vt_fx_agent(fx, "w", false);
    ck_assert(vt_fx_wait_peer(fx, w, "healthy"));
    result r = VCTL("health", "healthy");
    ck_assert_int_eq(r.rc, 0);
    ck_assert_msg(strstr(r.out, "    \"peer\": \"healthy\",\n") &&
                      strstr(r.out, "\"service_agent\": false"),
                  "%s", r.out);
    clear(&r);
    expect_in(VCTL("health"), 2, NULL, "give exactly one agent");
    r = VCTL("peerlist");
    ck_assert_msg(strstr(r.out, "config.store\ncontrol\n") && strstr(r.out, "healthy\n"), "%s",
                  r.out);
    clear(&r);
    /* rpc call (ours): JSON arguments, JSON result */
    expect(VCTL("rpc", "call", "healthy", "echo", "{\"a\": [1, 2]}"), 0,
           "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n", "");
    expect(VCTL("rpc", "call", "healthy", "echo", "plain text"), 0, "\"plain text\"\n", "");
    expect_in(VCTL("rpc", "call", "healthy", "fail", "\"boom\""), 20, NULL, "rpc: error: boom");
    expect_in(VCTL("rpc", "call", "healthy", "nosuch"), 1, NULL, "nosuch");
    expect_in(VCTL("rpc", "call", "healthy"), 2, NULL, "usage");
    /* restart of a running agent: stop then start */
    r = VCTL("restart", "healthy");
    ck_assert_msg(r.rc == 0 && strstr(r.out, "Stopping ") && strstr(r.out, "Starting "), "%s",
                  r.out);
    clear(&r);
    vt_agent_destroy(&w);
    free(u);
}
END_TEST

/* ---- config ---- */

START_TEST(test_config_commands)
{
    char *f = vt_test_write_file(fx->home, "c.json", "{\"setting\": [1, 2]}");
    expect(VCTL("config", "store", "agent.x", "config", f), 0, "", "");
    expect(VCTL("config", "get", "agent.x", "config"), 0,
           "{\n  \"setting\": [\n    1,\n    2\n"
           "  ]\n}\n",
           "");
    expect(VCTL("config", "get", "agent.x", "config", "--raw"), 0, "{\"setting\": [1, 2]}", "");
    char *csv = vt_test_write_file(fx->home, "r.csv", "Point,Units\nT,F\n");
    expect(VCTL("config", "store", "agent.x", "registry.csv", csv, "--csv"), 0, "", "");
    expect(VCTL_IN("raw text", "config", "store", "agent.x", "note", "--raw"), 0, "", "");
    expect(VCTL("config", "list"), 0, "agent.x\n", "");
    expect(VCTL("config", "list", "agent.x"), 0, "config\nnote\nregistry.csv\n", "");
    expect(VCTL("config", "get", "agent.x", "note"), 0, "raw text\n", "");
    /* bad JSON is refused with VOLTTRON's exit status for remote errors */
    char *bad = vt_test_write_file(fx->home, "bad.json", "{\"a\": ");
    expect_in(VCTL("config", "store", "agent.x", "config", bad), 20, NULL, "config: error: ");
    expect(VCTL("config", "get", "agent.x", "config", "--raw"), 0, "{\"setting\": [1, 2]}", "");
    expect_in(VCTL("config", "get", "agent.x", "missing"), 20, NULL,
              "No configuration file \"missing\"");
    expect_in(VCTL("config", "store", "agent.x", "c", "/no/such/file"), 1, NULL, "/no/such/file");
    /* edit through $EDITOR: a script that rewrites the file */
    char *ed =
        vt_test_write_file(fx->home, "ed.sh", "#!/bin/sh\necho '{\"edited\": true}' > \"$1\"\n");
    chmod(ed, 0755);
    expect(VCTL("config", "edit", "agent.x", "config", "--editor", ed), 0, "", "");
    expect(VCTL("config", "get", "agent.x", "config", "--raw"), 0, "{\"edited\": true}\n", "");
    char *same = vt_test_write_file(fx->home, "same.sh", "#!/bin/sh\ntrue\n");
    chmod(same, 0755);
    expect(VCTL("config", "edit", "agent.x", "config", "--editor", same), 0, "",
           "No changes detected.\n");
    char *fails = vt_test_write_file(fx->home, "fail.sh", "#!/bin/sh\nexit 3\n");
    chmod(fails, 0755);
    expect(VCTL("config", "edit", "agent.x", "config", "--editor", fails), 1, "",
           "Editor returned with code 3. Changes not committed.\n");
    /* delete */
    expect(VCTL("config", "delete", "agent.x"), 0, "",
           "ERROR: must specify a configuration when not deleting entire store\n");
    expect(VCTL("config", "delete", "agent.x", "note"), 0, "", "");
    expect_in(VCTL("config", "delete", "agent.x", "note"), 20, NULL, "No configuration file");
    expect(VCTL("config", "delete", "agent.x", "--all"), 0, "", "");
    expect(VCTL("config", "list"), 0, "", "");
    expect_in(VCTL("config", "frob"), 2, NULL, "unknown config command");
    free(f);
    free(csv);
    free(bad);
    free(ed);
    free(same);
    free(fails);
}
END_TEST

/* ---- publish / subscribe ---- */

START_TEST(test_publish_and_subscribe)
{
    /* a subscriber process first, told to stop after one message */
    const char *argv[] = {vt_fx_program("VT_VCTL"),
                          "--allow-root",
                          "--json",
                          "subscribe",
                          "devices/",
                          "--count",
                          "1",
                          NULL};
    char *home = vt_asprintf("VOLTTRON_HOME=%s", fx->home);
    int pipefd[2];
    ck_assert_int_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        putenv(home);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    /* publish until it has subscribed (its subscription is the event) */
    result r = {0};
    for (int64_t until = vt_time_monotonic_ms() + 10000; vt_time_monotonic_ms() < until;) {
        clear(&r);
        r = VCTL("publish", "devices/a/b", "{\"t\": 1}", "--headers", "{\"x\": \"y\"}");
        if (r.rc != 0 || strstr(r.out, "published to 1 subscriber\n"))
            break;
    }
    ck_assert_msg(r.rc == 0 && strstr(r.out, "published to 1 subscriber\n"), "%s%s", r.out, r.err);
    clear(&r);
    char buf[4096] = {0};
    size_t got = 0;
    ssize_t n;
    while ((n = read(pipefd[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)n;
    close(pipefd[0]);
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_msg(strstr(buf, "{\"topic\": \"devices/a/b\", \"sender\": \"control.connection\", "
                              "\"headers\": {\"x\": \"y\""),
                  "%s", buf);
    ck_assert_msg(strstr(buf, "\"message\": {\"t\": 1}}"), "%s", buf);
    expect(VCTL("publish", "nobody/listens"), 0, "published to 0 subscribers\n", "");
    expect_in(VCTL("publish"), 2, NULL, "usage");
    expect_in(VCTL("publish", "a", "1", "--headers", "[1]"), 2, NULL, "--headers must be");
    free(home);
}
END_TEST

/* ---- install's bad input, package ---- */

START_TEST(test_install_errors_and_package)
{
    expect_in(VCTL("install", "/no/such/dir"), 1, NULL, "install: error: /no/such/dir: no such");
    char *empty = vt_asprintf("%s/empty", fx->home);
    vt_fs_mkdir_p(empty, 0755);
    expect_in(VCTL("install", empty), 1, NULL, "neither an agent source directory");
    char *broken = vt_asprintf("%s/broken", fx->home);
    vt_fs_mkdir_p(broken, 0755);
    free(vt_test_write_file(broken, "agent.json",
                            "{\"name\": \"x y\", \"version\": \"1\", "
                            "\"executable\": \"x\"}"));
    expect_in(VCTL("install", broken), 1, NULL, "name \"x y\" must be");
    char *junk = vt_test_write_file(fx->home, "junk.vtagent", "not a tar archive at all");
    expect_in(VCTL("install", junk), 20, NULL, "install: error: ");
    expect_in(VCTL("install", pkg, "--agent-config", "/no/file"), 1, NULL, "/no/file");
    expect_in(VCTL("install"), 2, NULL, "give one path");
    /* vctl package makes the archive, which installs */
    char *out = vt_asprintf("%s/t.vtagent", fx->home);
    expect(VCTL("package", pkg, "-o", out), 0, NULL, "");
    ck_assert(vt_fs_is_file(out));
    expect_in(VCTL("install", out, "--tag", "pk", "--json"), 0, "\"agent_uuid\": ", NULL);
    result r = VCTL("install", out, "--csv");
    ck_assert_msg(strstr(r.out, "\nagent_uuid\n"), "%s", r.out);
    clear(&r);
    expect_in(VCTL("list"), 0, "testagent-0.1_2", NULL);
    free(out);
    free(junk);
    free(broken);
    free(empty);
}
END_TEST

/* ---- the platform's absence ---- */

START_TEST(test_not_running_and_timeouts)
{
    /* a frozen platform: its pid lives, it answers nothing */
    kill(fx->pid, SIGSTOP);
    expect(VCTL("-t", "1", "status"), 75, "", "status: operation timed out\n");
    kill(fx->pid, SIGCONT);
    expect(VCTL("shutdown", "--platform"), 0, "Shutting down VOLTTRON\n", "");
    int st;
    waitpid(fx->pid, &st, 0);
    fx->pid = 0;
    const char *msg = "VOLTTRON is not running. This command requires VOLTTRON platform to be "
                      "running\n";
    const char *needs[] = {"status",   "start", "stop",   "restart", "peerlist",  "health",
                           "shutdown", "clear", "config", "publish", "subscribe", "install"};
    for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++)
        expect(VCTL(needs[i], "x"), 10, "", msg);
    /* local commands still work */
    expect(VCTL("list"), 0, "", "No installed Agents found\n");
    expect_in(VCTL("frob"), 2, NULL, "unknown command \"frob\"");
    expect_in(VCTL("--help"), 0, "commands:", NULL);
    expect_in(VCTL("--version"), 0, "vctl ", NULL);
}
END_TEST

START_TEST(test_local_address_from_the_platform_config)
{
    /* a packaged platform's socket is a file in its runtime directory,
     * named in $VOLTTRON_HOME/config: vctl finds it there */
    vt_fx_stop_platform(fx);
    char *sock = vt_asprintf("ipc://%s/run/platform.socket", fx->home);
    char *text = vt_asprintf("[volttron]\nvip-local-address = %s\n", sock);
    free(vt_test_write_file(fx->home, "config", text));
    vt_fx_restart(fx);
    char *path = vt_asprintf("%s/run/platform.socket", fx->home);
    ck_assert(vt_fs_exists(path));
    expect(VCTL("peerlist"), 0, NULL, "");
    /* and it is what agents it starts are given */
    char *uuid = install_as("located");
    expect(VCTL("start", "located"), 0, NULL, NULL);
    vt_agent_options o = {.identity = "asker",
                          .volttron_home = fx->home,
                          .address = sock,
                          .auth = 1,
                          .heartbeat_period = -1,
                          .no_signals = true,
                          .no_config_store = true};
    vt_keypair k;
    vt_fx_authorize(fx, "asker", &k);
    o.publickey = k.public_key;
    o.secretkey = k.secret_key;
    vt_agent *a = vt_agent_new(&o);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(vt_agent_start(a), 0);
    int ping = -1;
    for (int64_t until = vt_time_monotonic_ms() + 10000;
         ping != 0 && vt_time_monotonic_ms() < until;)
        if ((ping = vt_ping_sync(a, "located", 1000)) != 0)
            vt_fx_pump(a, 50);
    ck_assert_msg(ping == 0, "located never answered");
    cJSON *r = NULL;
    ck_assert_int_eq(
        vt_rpc_call_sync(a, "located", "env",
                         cJSON_CreateStringArray((const char *[]){"VOLTTRON_VIP_ADDR"}, 1), RPC_MS,
                         &r),
        0);
    ck_assert_str_eq(r->valuestring, sock);
    cJSON_Delete(r);
    vt_agent_destroy(&a);
    free(uuid);
    free(path);
    free(text);
    free(sock);
}
END_TEST

START_TEST(test_refuses_root)
{
    if (geteuid() != 0)
        return; /* the refusal only exists for root */
    const char *argv[] = {vt_fx_program("VT_VCTL"), "list", NULL};
    char *err = NULL;
    ck_assert_int_eq(vt_run(argv, NULL, NULL, NULL, &err), 77);
    ck_assert_str_eq(err, "vctl: error: refusing to run as root to prevent potential damage.\n");
    free(err);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("vctl");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_list_and_status_tables);
    tcase_add_test(tc, test_selection_and_local_commands);
    tcase_add_test(tc, test_health_peerlist_restart);
    tcase_add_test(tc, test_config_commands);
    tcase_add_test(tc, test_publish_and_subscribe);
    tcase_add_test(tc, test_install_errors_and_package);
    tcase_add_test(tc, test_not_running_and_timeouts);
    tcase_add_test(tc, test_local_address_from_the_platform_config);
    tcase_add_test(tc, test_refuses_root);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
