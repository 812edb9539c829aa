/* An agent is its whole process group: what it started goes when it goes,
 * even helpers that ignore SIGINT and SIGTERM, whether the agent is stopped
 * (vctl stop), removed (vctl remove) or exits by itself. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <volttron/client/client.h>

#include "fixture.h"
#include "run.h"
#include "secutil.h"
#include "testutil.h"

/* The helper ignores INT and TERM (ignored signals stay ignored across
 * exec): only SIGKILL ends it. The agent itself stops on INT or TERM. */
static const char family_script[] = "#!/bin/sh\n"
                                    "(trap '' INT TERM; exec sleep 300) &\n"
                                    "trap 'exit 0' INT TERM\n"
                                    "wait\n";

/* The same helper; the agent exits 0 by itself when the test sends it
 * SIGUSR1. */
static const char leaver_script[] = "#!/bin/sh\n"
                                    "(trap '' INT TERM; exec sleep 300) &\n"
                                    "trap 'exit 0' USR1\n"
                                    "wait\n";

static vt_fx *fx;
static vt_agent *watcher;

static void setup(void)
{
    const char *args[] = {"--agent-stop-timeout", "1", NULL};
    fx = vt_fx_start(true, args);
    watcher = vt_fx_agent(fx, "watcher", false);
}

static void teardown(void)
{
    vt_agent_destroy(&watcher);
    vt_sec_stop_platform(fx, 10000);
    vt_sec_kill_home(fx->home, 0);
    vt_fx_destroy(&fx);
}

/* Start identity and wait until its two processes (agent and helper) run
 * in one group; that group, which is the agent's pid. */
static pid_t start_family(const char *identity, const char *uuid)
{
    char *out = NULL, *err = NULL;
    int rc = vt_fx_vctl(fx, &out, &err, "start", identity, NULL);
    ck_assert_msg(rc == 0, "vctl start %s: exit %d\n%s%s", identity, rc, out, err);
    free(out);
    free(err);
    char *entry = vt_asprintf("AGENT_UUID=%s", uuid);
    pid_t pgids[8];
    int n = 0;
    for (int64_t until = vt_time_monotonic_ms() + 10000;
         (n = vt_sec_procs_with_env(entry, NULL, pgids, 8)) != 2 && vt_time_monotonic_ms() < until;)
        usleep(20000);
    ck_assert_msg(n == 2, "%s runs %d processes, not its 2", identity, n);
    pid_t pid = (pid_t)vt_sec_agent_pid(watcher, identity);
    ck_assert_int_gt(pid, 0);
    ck_assert_int_eq(pgids[0], pid);
    ck_assert_int_eq(pgids[1], pid);
    free(entry);
    return pid;
}

static void assert_none_left(const char *uuid, pid_t pgid, const char *after)
{
    char *entry = vt_asprintf("AGENT_UUID=%s", uuid);
    int in_group = vt_sec_group_count(pgid);
    int with_env = vt_sec_procs_with_env(entry, NULL, NULL, 0);
    ck_assert_msg(in_group == 0 && with_env == 0,
                  "after %s: %d processes left in group %ld, %d of the instance", after, in_group,
                  (long)pgid, with_env);
    free(entry);
}

START_TEST(test_stop_and_remove_end_the_whole_group)
{
    char *pkg = vt_sec_script_package(fx, "family", family_script);
    char *uuid = vt_sec_install(fx, pkg, "--vip-identity", "family", NULL);
    pid_t pgid = start_family("family", uuid);
    char *out = NULL, *err = NULL;
    int rc = vt_fx_vctl(fx, &out, &err, "stop", "family", NULL);
    ck_assert_msg(rc == 0, "vctl stop: exit %d\n%s%s", rc, out, err);
    free(out);
    free(err);
    /* the answer comes when the group is gone, not when the agent is */
    assert_none_left(uuid, pgid, "vctl stop");

    pgid = start_family("family", uuid);
    rc = vt_fx_vctl(fx, &out, &err, "remove", "family", NULL);
    ck_assert_msg(rc == 0, "vctl remove: exit %d\n%s%s", rc, out, err);
    free(out);
    free(err);
    assert_none_left(uuid, pgid, "vctl remove");
    char *log = vt_fs_path_join(fx->home, "volttron.log");
    ck_assert(vt_sec_file_has(log, "family: 1 process left in its group: sending SIGTERM", 1));
    ck_assert(vt_sec_file_has(log,
                              "family: processes left in its group did not stop on "
                              "SIGTERM: sending SIGKILL",
                              1));
    free(log);
    free(uuid);
    free(pkg);
}
END_TEST

START_TEST(test_helpers_of_an_agent_that_exited_are_stopped)
{
    char *pkg = vt_sec_script_package(fx, "leaver", leaver_script);
    char *uuid = vt_sec_install(fx, pkg, "--vip-identity", "leaver", NULL);
    pid_t pgid = start_family("leaver", uuid);
    ck_assert_int_eq(kill(pgid, SIGUSR1), 0);
    /* SIGTERM at once, SIGKILL a stop timeout (1 s) later */
    char *entry = vt_asprintf("AGENT_UUID=%s", uuid);
    for (int64_t until = vt_time_monotonic_ms() + 5000;
         (vt_sec_group_count(pgid) || vt_sec_procs_with_env(entry, NULL, NULL, 0)) &&
         vt_time_monotonic_ms() < until;)
        usleep(20000);
    assert_none_left(uuid, pgid, "the agent's exit");
    /* a deliberate exit: not restarted */
    ck_assert_int_eq(vt_sec_agent_pid(watcher, "leaver"), 0);
    free(entry);
    free(uuid);
    free(pkg);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("agent_children_stopped");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_stop_and_remove_end_the_whole_group);
    tcase_add_test(tc, test_helpers_of_an_agent_that_exited_are_stopped);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
