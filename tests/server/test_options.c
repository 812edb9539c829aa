#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/error.h>
#include <volttron/utils/mem.h>

#include "options.h"
#include "testutil.h"

static char *dir;

static void setup(void)
{
    dir = vt_test_mkdtemp();
    setenv("VOLTTRON_HOME", dir, 1);
    unsetenv("SKIP_VOLTTRON_CONFIG");
}

static void teardown(void)
{
    vt_test_rmtree(dir);
    free(dir);
}

static int parse(vt_platform_options *o, const char *const *args)
{
    int argc = 0;
    char *argv[32];
    argv[argc++] = "volttron";
    for (; args && *args; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return vt_platform_options_parse(argc, argv, o);
}

START_TEST(test_defaults)
{
    vt_platform_options o;
    ck_assert_int_eq(parse(&o, NULL), 0);
    ck_assert_str_eq(o.volttron_home, dir);
    ck_assert(o.auth);
    ck_assert(o.autostart);
    ck_assert_int_eq(o.verboseness, 30);
    ck_assert_uint_eq(o.nvip, 0);
    ck_assert_ptr_null(o.config_path);
    vt_platform_options_clear(&o);
}
END_TEST

START_TEST(test_config_file_then_command_line)
{
    free(vt_test_write_file(dir, "config",
                            "[volttron]\nmessage-bus = zmq\nvip-address = tcp://127.0.0.1:22916\n"
                            "instance-name = \"volttron1\"\nallow-auth = False\nautostart = False\n"
                            "web-ssl-cert = /x.crt\n"));
    vt_platform_options o;
    const char *args[] = {"-vv", "--vip-address", "ipc://@/tmp/x", "--instance-name", "cli", NULL};
    ck_assert_int_eq(parse(&o, args), 0);
    ck_assert_str_eq(o.instance_name, "cli"); /* the command line wins */
    ck_assert_uint_eq(o.nvip, 2);             /* vip-address accumulates */
    ck_assert_str_eq(o.vip_addresses[0], "tcp://127.0.0.1:22916");
    ck_assert(!o.auth);
    ck_assert(!o.autostart);
    ck_assert_int_eq(o.verboseness, 10);
    vt_platform_options_clear(&o);
}
END_TEST

START_TEST(test_bad_input)
{
    vt_platform_options o;
    free(vt_test_write_file(dir, "config", "[volttron]\nno-such-option = 1\n"));
    ck_assert_int_lt(parse(&o, NULL), 0);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "unknown option \"no-such-option\""));
    vt_platform_options_clear(&o);

    free(vt_test_write_file(dir, "config", "[volttron]\ninstance-name = \"unterminated\n"));
    ck_assert_int_lt(parse(&o, NULL), 0);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "config"));
    vt_platform_options_clear(&o);

    setenv("SKIP_VOLTTRON_CONFIG", "1", 1);
    const char *bad_freq[] = {"--agent-monitor-frequency", "soon", NULL};
    ck_assert_int_eq(parse(&o, bad_freq), -EINVAL);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "--agent-monitor-frequency"));
    vt_platform_options_clear(&o);
    const char *bad_bus[] = {"--message-bus", "rmq", NULL};
    ck_assert_int_eq(parse(&o, bad_bus), -ENOTSUP);
    vt_platform_options_clear(&o);
    const char *extra[] = {"stray", NULL};
    ck_assert_int_eq(parse(&o, extra), -EINVAL);
    vt_platform_options_clear(&o);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_config_file_then_command_line);
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
