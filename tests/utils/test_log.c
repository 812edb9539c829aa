#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "log_private.h"
#include "testutil.h"

static char *dir;

static void setup(void)
{
    dir = vt_test_mkdtemp();
    vt_log_set_level(VT_LOG_DEBUG);
}

static void teardown(void)
{
    vt_log_to_stderr();
    vt_log_set_level(VT_LOG_WARNING);
    vt_test_rmtree(dir);
    free(dir);
}

static char *slurp(const char *path)
{
    char *text = NULL;
    ck_assert_msg(vt_fs_read_file(path, 1 << 20, &text, NULL) == 0, "%s", vt_last_error());
    return text;
}

static bool matches(const char *text, const char *pattern)
{
    regex_t re;
    ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE), 0);
    bool ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

START_TEST(test_level_names)
{
    vt_log_level l;
    ck_assert_int_eq(vt_log_level_parse("DEBUG", &l), 0);
    ck_assert_int_eq(l, VT_LOG_DEBUG);
    ck_assert_int_eq(vt_log_level_parse("warn", &l), 0);
    ck_assert_int_eq(l, VT_LOG_WARNING);
    ck_assert_int_eq(vt_log_level_parse("Critical", &l), 0);
    ck_assert_int_eq(l, VT_LOG_CRITICAL);
    ck_assert_int_eq(vt_log_level_parse("25", &l), 0);
    ck_assert_int_eq(l, 25);
    ck_assert_int_eq(vt_log_level_parse("LOUD", &l), -EINVAL);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "unknown log level \"LOUD\""));
    ck_assert_int_eq(vt_log_level_parse("", &l), -EINVAL);
    ck_assert_int_eq(vt_log_level_parse(NULL, &l), -EINVAL);
    ck_assert_str_eq(vt_log_level_name(VT_LOG_INFO), "INFO");
    ck_assert_str_eq(vt_log_level_name(25), "INFO");
    ck_assert_str_eq(vt_log_level_name(5), "DEBUG");
    ck_assert_str_eq(vt_log_level_name(99), "CRITICAL");
}
END_TEST

START_TEST(test_verbosity)
{
    /* VOLTTRON: WARNING by default, each -v one step louder. */
    ck_assert_int_eq(vt_log_level_from_verbosity(0, 0), VT_LOG_WARNING);
    ck_assert_int_eq(vt_log_level_from_verbosity(1, 0), VT_LOG_INFO);
    ck_assert_int_eq(vt_log_level_from_verbosity(2, 0), VT_LOG_DEBUG);
    ck_assert_int_eq(vt_log_level_from_verbosity(5, 0), VT_LOG_DEBUG);
    ck_assert_int_eq(vt_log_level_from_verbosity(0, 1), VT_LOG_ERROR);
    ck_assert_int_eq(vt_log_level_from_verbosity(0, 9), VT_LOG_CRITICAL);
}
END_TEST

START_TEST(test_line_format)
{
    char line[256];
    int n = vt_log_format_line(line, sizeof line, VT_LOG_INFO, "volttron.router", "hello\n");
    ck_assert_int_eq(n, (int)strlen(line));
    ck_assert_msg(matches(line, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}"
                                "\\+00:00 INFO volttron\\.router: hello\n$"),
                  "%s", line);
    n = vt_log_format_line(line, sizeof line, VT_LOG_ERROR, NULL, "x");
    ck_assert(matches(line, " ERROR volttron: x\n$"));
    /* Truncation keeps one line per record. */
    char tiny[48];
    char longmsg[200];
    memset(longmsg, 'm', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    n = vt_log_format_line(tiny, sizeof tiny, VT_LOG_INFO, "s", longmsg);
    ck_assert_int_eq(n, (int)strlen(tiny));
    ck_assert_int_eq(tiny[n - 1], '\n');
}
END_TEST

START_TEST(test_file_sink_and_filter)
{
    char *path = vt_fs_path_join(dir, "volttron.log");
    ck_assert_int_eq(vt_log_to_file(path), 0);
    vt_log_set_level(VT_LOG_INFO);
    vt_log_debug("test", "hidden %d", 1);
    vt_log_info("test", "shown %d", 2);
    vt_log_warning("agent.x", "multi\nline");
    char *text = slurp(path);
    ck_assert_ptr_null(strstr(text, "hidden"));
    ck_assert(matches(text, "^[^ ]+ INFO test: shown 2$"));
    ck_assert(matches(text, "^[^ ]+ WARNING agent\\.x: multi\nline$"));
    free(text);
    free(path);
}
END_TEST

START_TEST(test_file_sink_errors_keep_previous)
{
    char *good = vt_fs_path_join(dir, "good.log");
    ck_assert_int_eq(vt_log_to_file(good), 0);
    char *bad = vt_asprintf("%s/no/such/dir/x.log", dir);
    ck_assert_int_eq(vt_log_to_file(bad), -ENOENT);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), bad));
    vt_log_error("test", "still here");
    char *text = slurp(good);
    ck_assert_ptr_nonnull(strstr(text, "still here"));
    free(text);
    free(good);
    free(bad);
}
END_TEST

START_TEST(test_rotation_followed)
{
    char *path = vt_fs_path_join(dir, "rot.log");
    char *moved = vt_fs_path_join(dir, "rot.log.1");
    ck_assert_int_eq(vt_log_to_file(path), 0);
    vt_log_error("test", "before");
    ck_assert_int_eq(rename(path, moved), 0);

    /* Explicit reopen (SIGHUP-style) ... */
    ck_assert_int_eq(vt_log_reopen(), 0);
    vt_log_error("test", "after-reopen");
    char *text = slurp(path);
    ck_assert_ptr_nonnull(strstr(text, "after-reopen"));
    ck_assert_ptr_null(strstr(text, "before"));
    free(text);

    /* ... and automatic, when the file is moved away under us. */
    ck_assert_int_eq(rename(path, moved), 0);
    vt_log_set_rotation_check_ms(0);
    vt_log_error("test", "after-move");
    vt_log_set_rotation_check_ms(1000);
    text = slurp(path);
    ck_assert_ptr_nonnull(strstr(text, "after-move"));
    free(text);
    free(path);
    free(moved);
}
END_TEST

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The record number i in a file's text, or -1 when there is none. */
static int first_record(const char *text)
{
    const char *p = strstr(text, "record ");
    return p ? atoi(p + 7) : -1;
}

static int last_record(const char *text)
{
    const char *p = NULL;
    for (const char *q = text; (q = strstr(q, "record ")); q++)
        p = q;
    return p ? atoi(p + 7) : -1;
}

START_TEST(test_size_rotation_keeps_backups)
{
    char *path = vt_fs_path_join(dir, "cap.log");
    char *names[4];
    for (int k = 0; k < 4; k++)
        names[k] = k ? vt_asprintf("%s.%d", path, k) : vt_strdup(path);
    ck_assert_int_eq(vt_log_to_rotating_file(path, 2000, 2), 0);
    /* ~90 bytes a record: about 22 per file, 300 fill the three many times */
    for (int i = 0; i < 300; i++) {
        vt_log_info("test", "record %03d padding padding padding", i);
        for (int k = 0; k < 3; k++)
            ck_assert_int_le(file_size(names[k]), 2000);
    }
    ck_assert_int_eq(file_size(names[3]), -1); /* only two old files kept */
    /* newest in path, then path.1, then path.2, nothing lost between them */
    char *text[3];
    for (int k = 0; k < 3; k++) {
        text[k] = slurp(names[k]);
        ck_assert_int_gt(file_size(names[k]), 1800 * (k > 0));
    }
    ck_assert_int_eq(last_record(text[0]), 299);
    ck_assert_int_eq(first_record(text[0]), last_record(text[1]) + 1);
    ck_assert_int_eq(first_record(text[1]), last_record(text[2]) + 1);
    for (int k = 0; k < 3; k++)
        free(text[k]);
    for (int k = 0; k < 4; k++)
        free(names[k]);
    free(path);
}
END_TEST

START_TEST(test_size_rotation_limits)
{
    char *path = vt_fs_path_join(dir, "one.log");
    char *old = vt_asprintf("%s.1", path);
    ck_assert_int_eq(vt_log_to_rotating_file(path, -1, 2), -EINVAL);
    ck_assert_int_eq(vt_log_to_rotating_file(path, 100, 100), -EINVAL);
    /* no old files: the file starts again, still under the cap */
    ck_assert_int_eq(vt_log_to_rotating_file(path, 500, 0), 0);
    for (int i = 0; i < 50; i++)
        vt_log_info("test", "record %03d padding padding padding", i);
    ck_assert_int_le(file_size(path), 500);
    ck_assert_int_eq(file_size(old), -1);
    char *text = slurp(path);
    ck_assert_int_eq(last_record(text), 49);
    free(text);
    /* 0: never rotated (vt_log_to_file) */
    ck_assert_int_eq(vt_log_to_rotating_file(path, 0, 3), 0);
    for (int i = 0; i < 50; i++)
        vt_log_info("test", "record %03d padding padding padding", i);
    ck_assert_int_gt(file_size(path), 2000);
    ck_assert_int_eq(file_size(old), -1);
    free(old);
    free(path);
}
END_TEST

START_TEST(test_parent_lines)
{
    /* what an agent writes for the platform: "<N>source: line" per line */
    char *path = vt_asprintf("%s/err", dir);
    FILE *saved = fdopen(dup(STDERR_FILENO), "w");
    ck_assert_ptr_nonnull(freopen(path, "w", stderr));
    vt_log_to_parent();
    vt_log_info("listener-1.0.0_1", "heard %s", "devices/x");
    vt_log_warning("listener-1.0.0_1", "two\nlines");
    vt_log_debug("listener-1.0.0_1", "quiet");
    vt_log_error(NULL, "anonymous");
    fflush(stderr);
    dup2(fileno(saved), STDERR_FILENO);
    fclose(saved);
    char *text = slurp(path);
    ck_assert_str_eq(text, "<6>listener-1.0.0_1: heard devices/x\n"
                           "<4>listener-1.0.0_1: two\n"
                           "<4>listener-1.0.0_1: lines\n"
                           "<7>listener-1.0.0_1: quiet\n"
                           "<3>volttron: anonymous\n");
    free(text);
    free(path);

    const char *rest = NULL;
    ck_assert_int_eq(vt_log_parse_parent_line("<6>a: b", &rest), VT_LOG_INFO);
    ck_assert_str_eq(rest, "a: b");
    ck_assert_int_eq(vt_log_parse_parent_line("<7>x", NULL), VT_LOG_DEBUG);
    ck_assert_int_eq(vt_log_parse_parent_line("<5>x", NULL), VT_LOG_INFO);
    ck_assert_int_eq(vt_log_parse_parent_line("<4>x", NULL), VT_LOG_WARNING);
    ck_assert_int_eq(vt_log_parse_parent_line("<3>x", NULL), VT_LOG_ERROR);
    ck_assert_int_eq(vt_log_parse_parent_line("<0>x", NULL), VT_LOG_CRITICAL);
    ck_assert_int_eq(vt_log_parse_parent_line("<8>x", NULL), -1);
    ck_assert_int_eq(vt_log_parse_parent_line("plain", NULL), -1);
    ck_assert_int_eq(vt_log_parse_parent_line("<6", NULL), -1);
    ck_assert_int_eq(vt_log_parse_parent_line("", NULL), -1);
}
END_TEST

START_TEST(test_stdout_and_syslog_do_not_crash)
{
    ck_assert_int_eq(vt_log_to_file("-"), 0);
    vt_log_set_level(VT_LOG_CRITICAL);
    vt_log_error("test", "filtered");
    vt_log_to_syslog("vt-test");
    vt_log_critical("test", "syslog record from the log unit test");
    ck_assert_int_eq(vt_log_reopen(), 0); /* no-op for syslog */
    vt_log_to_stderr();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_level_names);
    tcase_add_test(tc, test_verbosity);
    tcase_add_test(tc, test_line_format);
    tcase_add_test(tc, test_file_sink_and_filter);
    tcase_add_test(tc, test_file_sink_errors_keep_previous);
    tcase_add_test(tc, test_parent_lines);
    tcase_add_test(tc, test_rotation_followed);
    tcase_add_test(tc, test_size_rotation_keeps_backups);
    tcase_add_test(tc, test_size_rotation_limits);
    tcase_add_test(tc, test_stdout_and_syslog_do_not_crash);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
