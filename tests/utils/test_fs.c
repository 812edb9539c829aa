#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/mem.h>

#include "testutil.h"

static char *dir;

static void setup(void)
{
    dir = vt_test_mkdtemp();
}

static void teardown(void)
{
    vt_test_rmtree(dir);
    free(dir);
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_mode & 07777;
}

START_TEST(test_mkdir_p)
{
    char *deep = vt_asprintf("%s/a/b/c/", dir);
    ck_assert_int_eq(vt_fs_mkdir_p(deep, 0755), 0);
    ck_assert(vt_fs_is_dir(deep));
    ck_assert_int_eq(vt_fs_mkdir_p(deep, 0755), 0); /* exists: fine */
    char *file = vt_test_write_file(dir, "f", "x");
    ck_assert_int_eq(vt_fs_mkdir_p(file, 0755), -ENOTDIR);
    char *under = vt_asprintf("%s/sub", file);
    ck_assert_int_lt(vt_fs_mkdir_p(under, 0755), 0);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), file));
    ck_assert_int_eq(vt_fs_mkdir_p("", 0755), -EINVAL);
    free(deep);
    free(file);
    free(under);
}
END_TEST

START_TEST(test_write_atomic_replaces)
{
    char *path = vt_fs_path_join(dir, "store.json");
    ck_assert_int_eq(vt_fs_write_atomic(path, "old", 3, 0644), 0);
    ck_assert_int_eq(vt_fs_write_atomic(path, "new content", 11, 0644), 0);
    char *text;
    size_t len;
    ck_assert_int_eq(vt_fs_read_file(path, 1024, &text, &len), 0);
    ck_assert_uint_eq(len, 11);
    ck_assert_str_eq(text, "new content");
    ck_assert_uint_eq(mode_of(path), 0644);
    free(text);
    /* No temporary files are left behind. */
    char *cmd = vt_asprintf("test $(ls -A %s | wc -l) -eq 1", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(path);
}
END_TEST

START_TEST(test_write_atomic_failure_keeps_old)
{
    char *path = vt_fs_path_join(dir, "keep");
    ck_assert_int_eq(vt_fs_write_atomic(path, "old", 3, 0644), 0);
    /* Replacing a directory with a file fails; nothing else changes. */
    char *sub = vt_fs_path_join(dir, "sub");
    ck_assert_int_eq(vt_fs_mkdir_p(sub, 0755), 0);
    ck_assert_int_lt(vt_fs_write_atomic(sub, "x", 1, 0644), 0);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "cannot write"));
    ck_assert(vt_fs_is_dir(sub));
    /* A missing directory: clear error, no file appears. */
    char *nowhere = vt_asprintf("%s/missing/file", dir);
    ck_assert_int_eq(vt_fs_write_atomic(nowhere, "x", 1, 0644), -ENOENT);
    ck_assert(!vt_fs_exists(nowhere));
    char *text;
    ck_assert_int_eq(vt_fs_read_file(path, 16, &text, NULL), 0);
    ck_assert_str_eq(text, "old");
    free(text);
    free(path);
    free(sub);
    free(nowhere);
}
END_TEST

START_TEST(test_kill_during_writes_never_tears)
{
    /* A child rewrites the file with one of two contents in a loop and is
     * killed at a random moment: the file must hold one of them, whole. */
    char *path = vt_fs_path_join(dir, "torn");
    size_t big = 256 * 1024;
    char *a = vt_malloc(big), *b = vt_malloc(big);
    memset(a, 'a', big);
    memset(b, 'b', big);
    ck_assert_int_eq(vt_fs_write_atomic(path, a, big, 0644), 0);
    for (int round = 0; round < 3; round++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            for (int i = 0;; i++)
                vt_fs_write_atomic(path, i % 2 ? a : b, big, 0644);
        }
        usleep(20000 + (useconds_t)round * 7000);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        char *text;
        size_t len;
        ck_assert_int_eq(vt_fs_read_file(path, big * 2, &text, &len), 0);
        ck_assert_uint_eq(len, big);
        ck_assert(memcmp(text, a, big) == 0 || memcmp(text, b, big) == 0);
        free(text);
    }
    free(a);
    free(b);
    free(path);
}
END_TEST

START_TEST(test_secret_mode)
{
    char *path = vt_fs_path_join(dir, "keystore");
    umask(0);
    ck_assert_int_eq(vt_fs_write_secret(path, "{}", 2), 0);
    umask(022);
    ck_assert_uint_eq(mode_of(path), 0600);
    free(path);
}
END_TEST

START_TEST(test_read_limits_and_errors)
{
    char *path = vt_test_write_file(dir, "ten", "0123456789");
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(vt_fs_read_file(path, 10, &text, &len), 0);
    ck_assert_uint_eq(len, 10);
    free(text);
    ck_assert_int_eq(vt_fs_read_file(path, 9, &text, &len), -EFBIG);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "over the limit"));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), path));

    char *missing = vt_fs_path_join(dir, "nope");
    ck_assert_int_eq(vt_fs_read_file(missing, 10, &text, &len), -ENOENT);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), missing));
    ck_assert_int_eq(vt_fs_read_file(dir, 10, &text, &len), -EISDIR);

    if (geteuid() != 0) { /* root reads mode 000 files anyway */
        chmod(path, 0);
        ck_assert_int_eq(vt_fs_read_file(path, 10, &text, &len), -EACCES);
    }
    /* A size-less file (a pipe-like /proc file) is read to EOF, limit applied. */
    ck_assert_int_eq(vt_fs_read_file("/proc/self/status", 1 << 20, &text, &len), 0);
    ck_assert_uint_gt(len, 0);
    free(text);
    ck_assert_int_eq(vt_fs_read_file("/proc/self/status", 16, &text, &len), -EFBIG);
    free(path);
    free(missing);
}
END_TEST

START_TEST(test_path_join_and_predicates)
{
    char *p = vt_fs_path_join("/a/b/", "c");
    ck_assert_str_eq(p, "/a/b/c");
    free(p);
    p = vt_fs_path_join("/a", "/abs");
    ck_assert_str_eq(p, "/abs");
    free(p);
    p = vt_fs_path_join("", "rel");
    ck_assert_str_eq(p, "rel");
    free(p);
    ck_assert(vt_fs_is_dir(dir));
    ck_assert(!vt_fs_is_file(dir));
    ck_assert(vt_fs_exists(dir));
}
END_TEST

START_TEST(test_remove_tree)
{
    char *deep = vt_asprintf("%s/t/x/y", dir);
    ck_assert_int_eq(vt_fs_mkdir_p(deep, 0755), 0);
    char *f = vt_test_write_file(deep, "file", "data");
    char *top = vt_asprintf("%s/t", dir);
    char *link = vt_asprintf("%s/t/link", dir);
    ck_assert_int_eq(symlink(dir, link), 0); /* must not be followed */
    ck_assert_int_eq(vt_fs_remove_tree(top), 0);
    ck_assert(!vt_fs_exists(top));
    ck_assert(vt_fs_is_dir(dir));
    ck_assert_int_eq(vt_fs_remove_tree(top), 0); /* already gone */
    free(deep);
    free(f);
    free(top);
    free(link);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fs");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_mkdir_p);
    tcase_add_test(tc, test_write_atomic_replaces);
    tcase_add_test(tc, test_write_atomic_failure_keeps_old);
    tcase_add_test(tc, test_kill_during_writes_never_tears);
    tcase_add_test(tc, test_secret_mode);
    tcase_add_test(tc, test_read_limits_and_errors);
    tcase_add_test(tc, test_path_join_and_predicates);
    tcase_add_test(tc, test_remove_tree);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
