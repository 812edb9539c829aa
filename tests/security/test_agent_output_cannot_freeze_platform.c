/* An agent that writes to its output without pause (here `yes`) must not
 * take the platform with it: the platform keeps routing and answering
 * (vctl status, RPC), stops on SIGTERM, logs the agent's lines at its budget
 * rather than at the pipe's speed, and says how many lines it dropped. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <volttron/client/client.h>

#include "fixture.h"
#include "run.h"
#include "secutil.h"
#include "testutil.h"

/* Past the supervisor's default report period (10 s), so the count is seen
 * while the flood goes on, not only when it ends. */
#define FLOOD_MS 12000
/* What a prompt answer is, on a shared 2-core machine. */
#define ANSWER_MS 3000
/* The log's growth allowed over the whole flood: the default budget (1000
 * lines at once, 100 a second) of ~70-byte lines, and the platform's own
 * -vv lines, are well under it; the unthrottled pipe fills it in ms. */
#define GROWTH_MAX (1024 * 1024)

static const char flood_script[] = "#!/bin/sh\n"
                                   "exec yes 'flood: this agent writes this line without pause'\n";

static vt_fx *fx;
static vt_agent *watcher;

static void setup(void)
{
    const char *args[] = {"--agent-stop-timeout", "2", NULL};
    fx = vt_fx_start(true, args);
    watcher = vt_fx_agent(fx, "watcher", false);
}

static void teardown(void)
{
    vt_agent_destroy(&watcher);
    /* a frozen platform ignores SIGTERM: do not wait for it for ever */
    vt_sec_stop_platform(fx, 5000);
    vt_sec_kill_home(fx->home, 0);
    vt_fx_destroy(&fx);
}

/* N in the first "N lines of output dropped", or -1. */
static long long dropped_count(const char *log)
{
    char *text = NULL;
    long long n = -1;
    if (vt_fs_read_file(log, 64u << 20, &text, NULL) == 0) {
        const char *p = strstr(text, " lines of output dropped");
        while (p && p > text && p[-1] >= '0' && p[-1] <= '9')
            p--;
        if (p)
            n = atoll(p);
    }
    free(text);
    return n;
}

/* The platform answers an RPC and vctl status, each within ANSWER_MS. */
static void assert_answers(void)
{
    int64_t t0 = vt_time_monotonic_ms();
    cJSON *r = NULL;
    int rc = vt_rpc_call_sync(watcher, "control", "list_agents", NULL, ANSWER_MS, &r);
    ck_assert_msg(rc == 0, "control.list_agents during the flood: %s", vt_last_error());
    cJSON_Delete(r);
    char *out = NULL, *err = NULL;
    rc = vt_fx_vctl(fx, &out, &err, "-t", "3", "status", NULL);
    int64_t took = vt_time_monotonic_ms() - t0;
    ck_assert_msg(rc == 0, "vctl status during the flood: exit %d\n%s%s", rc, out, err);
    ck_assert_ptr_nonnull(strstr(out, "flooder"));
    ck_assert_msg(took < 2 * ANSWER_MS, "answers took %lld ms", (long long)took);
    free(out);
    free(err);
}

START_TEST(test_flooding_agent_cannot_freeze_the_platform)
{
    char *pkg = vt_sec_script_package(fx, "flood", flood_script);
    char *uuid = vt_sec_install(fx, pkg, "--vip-identity", "flooder", NULL);
    char *log = vt_fs_path_join(fx->home, "volttron.log");
    char *out = NULL, *err = NULL;
    int rc = vt_fx_vctl(fx, &out, &err, "-t", "10", "start", "flooder", NULL);
    ck_assert_msg(rc == 0, "vctl start: exit %d\n%s%s", rc, out, err);
    free(out);
    free(err);
    ck_assert_msg(vt_sec_file_has(log, "flooder: flood: this agent", 10000),
                  "the agent's lines never reached the log");
    long long base = vt_sec_file_size(log);

    int64_t until = vt_time_monotonic_ms() + FLOOD_MS;
    int rounds = 0;
    while (vt_time_monotonic_ms() < until) {
        assert_answers();
        rounds++;
        vt_fx_pump(watcher, 100);
    }
    ck_assert_int_gt(vt_sec_agent_pid(watcher, "flooder"), 0); /* still flooding */
    long long growth = vt_sec_file_size(log) - base;
    ck_assert_msg(growth < GROWTH_MAX, "the log grew %lld bytes in %d ms", growth, FLOOD_MS);
    /* reported while the flood goes on, under the platform's name */
    ck_assert_msg(vt_sec_file_has(log, "volttron.agents: flooder: ", 5000) &&
                      vt_sec_file_has(log, " lines of output dropped", 1),
                  "no count of dropped lines in the log");
    ck_assert_int_gt(dropped_count(log), 1000);
    int reports = vt_sec_file_count(log, " lines of output dropped");

    /* SIGTERM stops it, flood and all, promptly and cleanly */
    int64_t t0 = vt_time_monotonic_ms();
    int st = vt_sec_stop_platform(fx, 10000);
    ck_assert_msg(st != -1, "the platform ignored SIGTERM during the flood");
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "volttron exited with 0x%x", st);
    ck_assert_int_lt(vt_time_monotonic_ms() - t0, 5000);
    /* and the last count, when the flood ended, was reported too */
    ck_assert_int_gt(vt_sec_file_count(log, " lines of output dropped"), reports);
    char *entry = vt_asprintf("AGENT_UUID=%s", uuid);
    ck_assert_int_eq(vt_sec_procs_with_env(entry, NULL, NULL, 0), 0);
    fprintf(stderr, "%d rounds of RPC + vctl status in %d ms of flood; log +%lld bytes\n", rounds,
            FLOOD_MS, growth);
    free(entry);
    free(log);
    free(uuid);
    free(pkg);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("agent_output_cannot_freeze_platform");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_flooding_agent_cannot_freeze_the_platform);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
