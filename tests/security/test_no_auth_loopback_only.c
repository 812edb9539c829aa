/* Without authentication the platform listens only where this host alone
 * reaches it, unless told twice, and says at start what it gives up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/client.h>

#include "fixture.h"
#include "run.h"
#include "testutil.h"

static char *log_of(vt_fx *f)
{
    char *path = vt_asprintf("%s/volttron.log", f->home);
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(vt_fs_read_file(path, 1 << 24, &text, &len), 0);
    free(path);
    return text;
}

START_TEST(test_remote_address_refused_without_the_second_flag)
{
    char *home = vt_test_mkdtemp();
    char *env = vt_asprintf("VOLTTRON_HOME=%s", home);
    const char *const envs[] = {env, NULL};
    /* (a platform that does start is stopped by timeout, and fails) */
    const char *argv[] = {"/usr/bin/timeout", "10",        vt_fx_program("VT_VOLTTRON"),
                          "--allow-root",     "--no-auth", "--vip-address",
                          "tcp://0.0.0.0:*",  NULL};
    char *err = NULL;
    int rc = vt_run(argv, envs, NULL, NULL, &err);
    ck_assert_int_ne(rc, 0);
    ck_assert_msg(strstr(err, "--allow-unauthenticated-remote"), "%s", err);
    free(err);
    free(env);
    vt_fs_remove_tree(home);
    free(home);
}
END_TEST

static vt_fx *fx;

static void teardown(void)
{
    vt_fx_destroy(&fx);
}

START_TEST(test_second_flag_starts_and_warns)
{
    const char *args[] = {"--vip-address", "tcp://0.0.0.0:*", "--allow-unauthenticated-remote",
                          NULL};
    fx = vt_fx_start(false, args);
    char *log = log_of(fx);
    ck_assert_msg(strstr(log, "authentication is OFF"), "no warning in the log");
    free(log);
}
END_TEST

START_TEST(test_loopback_only_still_warns)
{
    fx = vt_fx_start(false, NULL);
    char *log = log_of(fx);
    ck_assert_msg(strstr(log, "authentication is OFF"), "no warning in the log");
    free(log);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("no_auth_loopback_only");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_remote_address_refused_without_the_second_flag);
    tcase_add_test(tc, test_second_flag_starts_and_warns);
    tcase_add_test(tc, test_loopback_only_still_warns);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
