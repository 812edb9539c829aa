/* Agents do not outlive their platform: after a kill -9 of the platform its
 * agents go with it, and when it comes back each AUTOSTART agent runs once
 * (one copy under its identity), even one that ignores SIGTERM and left a
 * helper behind; vctl stop then leaves none of it. */
#include <libgen.h>
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

/* Deaf to INT and TERM, agent and helper alike: only SIGKILL ends them. */
static const char stubborn_script[] = "#!/bin/sh\n"
                                      "trap '' INT TERM\n"
                                      "sleep 300 &\n"
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

static char *test_agent_dir(void)
{
    char *copy = vt_strdup(vt_fx_program("VT_TEST_AGENT"));
    char *d = vt_strdup(dirname(copy));
    free(copy);
    return d;
}

/* Poll until the instance runs exactly `want` processes, all in the process
 * group of the pid control reports (one copy, the current one); that pid. */
static pid_t wait_one_copy(const char *identity, const char *uuid, int want)
{
    char *entry = vt_asprintf("AGENT_UUID=%s", uuid);
    pid_t pgids[16], pid = 0;
    int n = 0, in_group = 0;
    for (int64_t until = vt_time_monotonic_ms() + 10000; vt_time_monotonic_ms() < until;) {
        pid = (pid_t)vt_sec_agent_pid(watcher, identity);
        n = vt_sec_procs_with_env(entry, NULL, pgids, 16);
        in_group = 0;
        for (int i = 0; i < n && i < 16; i++)
            in_group += pid > 0 && pgids[i] == pid;
        if (pid > 0 && n == want && in_group == want)
            break;
        vt_fx_pump(watcher, 20);
    }
    ck_assert_msg(pid > 0 && n == want && in_group == want,
                  "%s: %d processes of the instance, %d of them in the group of pid %ld "
                  "(want %d, one copy)",
                  identity, n, in_group, (long)pid, want);
    free(entry);
    return pid;
}

static int count_instance(const char *uuid)
{
    char *entry = vt_asprintf("AGENT_UUID=%s", uuid);
    int n = vt_sec_procs_with_env(entry, NULL, NULL, 0);
    free(entry);
    return n;
}

static void vctl_ok(const char *cmd, const char *arg)
{
    char *out = NULL, *err = NULL;
    int rc = vt_fx_vctl(fx, &out, &err, cmd, arg, NULL);
    ck_assert_msg(rc == 0, "vctl %s %s: exit %d\n%s%s", cmd, arg, rc, out, err);
    free(out);
    free(err);
}

START_TEST(test_autostart_agents_run_once_after_a_platform_crash)
{
    char *dir = test_agent_dir();
    char *plain = vt_sec_install(fx, dir, "--vip-identity", "plain", "--enable", NULL);
    char *pkg = vt_sec_script_package(fx, "stubborn", stubborn_script);
    char *stubborn = vt_sec_install(fx, pkg, "--vip-identity", "stubborn", "--enable", NULL);
    /* both come up with the platform (AUTOSTART) */
    vt_agent_destroy(&watcher);
    vt_fx_restart(fx);
    watcher = vt_fx_agent(fx, "watcher", false);
    ck_assert(vt_fx_wait_peer(fx, watcher, "plain"));
    pid_t old_plain = wait_one_copy("plain", plain, 1);
    pid_t old_stubborn = wait_one_copy("stubborn", stubborn, 2);

    vt_agent_destroy(&watcher);
    vt_fx_kill(fx->pid, SIGKILL);
    fx->pid = 0;
    /* an agent that heeds SIGTERM dies with its platform */
    for (int64_t until = vt_time_monotonic_ms() + 10000;
         count_instance(plain) && vt_time_monotonic_ms() < until;)
        usleep(20000);
    ck_assert_msg(count_instance(plain) == 0, "plain outlived its platform");

    /* back: the stubborn copy left by the dead platform is gone, and each
     * agent runs once, the new copy */
    vt_fx_restart(fx);
    watcher = vt_fx_agent(fx, "watcher", false);
    ck_assert(vt_fx_wait_peer(fx, watcher, "plain"));
    pid_t new_plain = wait_one_copy("plain", plain, 1);
    pid_t new_stubborn = wait_one_copy("stubborn", stubborn, 2);
    ck_assert_int_ne(new_plain, old_plain);
    ck_assert_int_ne(new_stubborn, old_stubborn);
    ck_assert_int_eq(vt_sec_group_count(old_stubborn), 0);
    char *log = vt_fs_path_join(fx->home, "volttron.log");
    char *said = vt_asprintf("stubborn: a copy left by a previous platform still runs "
                             "(pid %ld): stopping it",
                             (long)old_stubborn);
    ck_assert_msg(vt_sec_file_has(log, said, 1), "no \"%s\" in the log", said);

    /* and vctl stop leaves nothing of either */
    vctl_ok("stop", "plain");
    vctl_ok("stop", "stubborn");
    ck_assert_int_eq(count_instance(plain), 0);
    ck_assert_int_eq(count_instance(stubborn), 0);
    free(said);
    free(log);
    free(stubborn);
    free(pkg);
    free(plain);
    free(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("agents_die_with_platform");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_autostart_agents_run_once_after_a_platform_crash);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
