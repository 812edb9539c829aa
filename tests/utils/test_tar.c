/* Tests for the ustar reader and writer. Archives are checked against GNU
 * tar in both directions, so the module cannot agree with itself about a
 * wrong format; every refusal is provoked by a hand-built archive. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/tar.h>

#include "testutil.h"

#define MiB (1024 * 1024)

static char *dir;

static void setup(void)
{
    umask(022);
    dir = vt_test_mkdtemp();
}

static void teardown(void)
{
    vt_test_rmtree(dir);
    free(dir);
}

/* ---- hand-built archives ---- */

/* width - 1 octal digits and a NUL, as tar writes numbers. */
static void octal(unsigned char *f, size_t width, unsigned long long v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%0*llo", (int)(width - 1), v);
    memcpy(f, tmp, width - 1);
    f[width - 1] = '\0';
}

/* Recompute the checksum after changing fields, as a writer would. */
static void seal(unsigned char *h)
{
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (size_t i = 0; i < 512; i++)
        sum += h[i];
    octal(h + 148, 7, sum);
    h[155] = ' ';
}

/* A valid ustar header; name may be up to 100 bytes (no NUL then). */
static void header(unsigned char *h, const char *name, char type, size_t size)
{
    memset(h, 0, 512);
    memcpy(h, name, strnlen(name, 100));
    octal(h + 100, 8, 0644);
    octal(h + 108, 8, 0);
    octal(h + 116, 8, 0);
    octal(h + 124, 12, size);
    octal(h + 136, 12, 0);
    h[156] = (unsigned char)type;
    memcpy(h + 257,
           "ustar\0"
           "00",
           8);
    seal(h);
}

static void put(vt_buf *a, const unsigned char *h, const char *data, size_t len)
{
    static const char zeros[512];
    vt_buf_append(a, h, 512);
    vt_buf_append(a, data, len);
    vt_buf_append(a, zeros, (512 - len % 512) % 512);
}

static void put_simple(vt_buf *a, const char *name, char type, const char *data)
{
    unsigned char h[512];
    size_t len = data ? strlen(data) : 0;
    header(h, name, type, len);
    put(a, h, data, len);
}

static void put_end(vt_buf *a)
{
    static const char zeros[1024];
    vt_buf_append(a, zeros, sizeof zeros);
}

/* ---- looking at directories ---- */

/* Every path under root, sorted, with type, mode, size and (for files)
 * content: two trees are the same when their listings are. */
static void list_into(vt_buf *b, const char *root, const char *rel)
{
    char *path = *rel ? vt_fs_path_join(root, rel) : vt_strdup(root);
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    ck_assert_int_ge(n, 0);
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        if (strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0) {
            char *r = *rel ? vt_asprintf("%s/%s", rel, nm) : vt_strdup(nm);
            char *p = vt_fs_path_join(root, r);
            struct stat st;
            ck_assert_int_eq(lstat(p, &st), 0);
            if (S_ISDIR(st.st_mode)) {
                vt_buf_appendf(b, "%s/ %o\n", r, (unsigned)(st.st_mode & 07777));
                list_into(b, root, r);
            } else if (S_ISREG(st.st_mode)) {
                char *text;
                size_t len;
                ck_assert_int_eq(vt_fs_read_file(p, 16 * MiB, &text, &len), 0);
                vt_buf_appendf(b, "%s %o %zu =%s\n", r, (unsigned)(st.st_mode & 07777), len, text);
                free(text);
            } else {
                vt_buf_appendf(b, "%s other %o\n", r, (unsigned)st.st_mode);
            }
            free(r);
            free(p);
        }
        free(names[i]);
    }
    free(names);
    free(path);
}

static char *listing(const char *root)
{
    vt_buf b;
    vt_buf_init(&b);
    list_into(&b, root, "");
    return vt_buf_detach(&b, NULL);
}

static char *write_bytes(const char *name, const void *data, size_t len)
{
    char *path = vt_fs_path_join(dir, name);
    ck_assert_int_eq(vt_fs_write_atomic(path, data, len, 0644), 0);
    return path;
}

static void make_dir(const char *rel)
{
    char *p = vt_fs_path_join(dir, rel);
    ck_assert_int_eq(vt_fs_mkdir_p(p, 0755), 0);
    free(p);
}

static void make_file(const char *rel, const char *text, mode_t mode)
{
    char *p = vt_test_write_file(dir, rel, text);
    ck_assert_int_eq(chmod(p, mode), 0);
    free(p);
}

#define assert_error_has(needle)                                                                   \
    ck_assert_msg(strstr(vt_last_error(), needle) != NULL, "error \"%s\" lacks \"%s\"",            \
                  vt_last_error(), needle)

/* The archive must be refused with rc and a message holding needle, from
 * memory and from a file, into a new destination (with a missing parent)
 * and into an existing one holding a file: afterwards the temporary
 * directory is exactly as it was. */
static void expect_refused(const vt_buf *a, int rc, const char *needle, size_t max)
{
    char *archive = write_bytes("evil.tar", a->data, a->len);
    make_dir("old");
    make_file("old/keep", "kept", 0644);
    char *before = listing(dir);
    char *fresh = vt_asprintf("%s/new/dest", dir);
    char *old = vt_asprintf("%s/old", dir);

    ck_assert_int_eq(vt_tar_extract_mem(a->data, a->len, fresh, max), rc);
    assert_error_has(needle);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "archive: "));
    ck_assert_int_eq(vt_tar_extract(archive, fresh, max), rc);
    assert_error_has(needle);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "evil.tar: "));
    ck_assert_int_eq(vt_tar_extract_mem(a->data, a->len, old, max), rc);
    assert_error_has(needle);
    ck_assert_int_eq(vt_tar_extract(archive, old, max), rc);
    assert_error_has(needle);

    char *after = listing(dir);
    ck_assert_str_eq(after, before);
    ck_assert(!vt_fs_exists(fresh));
    free(before);
    free(after);
    free(fresh);
    free(old);
    free(archive);
}

/* One member built by header() and tweaked by the caller, then the end. */
static void refuse_one(const unsigned char *h, const char *data, size_t len, const char *needle)
{
    vt_buf a;
    vt_buf_init(&a);
    put(&a, h, data, len);
    put_end(&a);
    expect_refused(&a, -EINVAL, needle, MiB);
    vt_buf_free(&a);
}

static void refuse_name(const char *name, char type, const char *needle)
{
    vt_buf a;
    vt_buf_init(&a);
    put_simple(&a, "fine", '0', "ok");
    put_simple(&a, name, type, type == '5' ? NULL : "x");
    put_end(&a);
    expect_refused(&a, -EINVAL, needle, MiB);
    vt_buf_free(&a);
}

static const char *tar_program(void)
{
    if (access("/usr/bin/tar", X_OK) == 0)
        return "/usr/bin/tar";
    if (access("/bin/tar", X_OK) == 0)
        return "/bin/tar";
    ck_abort_msg("GNU tar is not installed (/bin/tar); it is part of Debian's base system: "
                 "apt-get install tar");
    return NULL;
}

/* A source tree with what agent packages hold: nested directories, an
 * executable, an empty file and directory, names past ustar's 100 bytes. */
#define LONG_DIR "this-directory-name-is-long-enough-to-push-the-path-past-one-hundred"
#define LONG_FILE "and-so-is-this-file-name-which-is-also-rather-long.json"
static void make_tree(void)
{
    make_dir("src/bin");
    make_dir("src/lib/sub");
    make_dir("src/empty-dir");
    make_dir("src/" LONG_DIR "/" LONG_DIR);
    make_file("src/agent.json", "{\"identity\": \"listener\"}", 0644);
    make_file("src/bin/run", "#!/bin/sh\necho hi\n", 0755);
    make_file("src/bin/owner-only", "x", 0700);
    make_file("src/lib/sub/module.txt", "module", 0600);
    make_file("src/empty", "", 0644);
    make_file("src/" LONG_DIR "/" LONG_DIR "/" LONG_FILE, "long", 0644);
}

/* ---- round trip ---- */

static int collect_names(const vt_tar_entry *e, void *ctx)
{
    vt_buf_appendf(ctx, "%s%s %llu %o\n", e->name, e->is_dir ? "/" : "",
                   (unsigned long long)e->size, e->mode);
    return 0;
}

static char *build_package(const char *name)
{
    char *path = vt_fs_path_join(dir, name);
    char *src = vt_fs_path_join(dir, "src");
    vt_tar_writer *w = vt_tar_writer_new(path);
    ck_assert_msg(w != NULL, "%s", vt_last_error());
    ck_assert_int_eq(vt_tar_add_tree(w, "listener", src), 0);
    ck_assert_int_eq(vt_tar_add_data(w, "listener/data/config", "{}", 2, 0600), 0);
    ck_assert_int_eq(vt_tar_add_data(w, "listener/data/tool", "#!", 2, 0700), 0);
    ck_assert_int_eq(vt_tar_add_dir(w, "listener/logs"), 0);
    char exact[101], longest[256];
    memset(exact, 'e', 100);
    exact[100] = '\0';
    memset(longest, 'd', 154);
    longest[154] = '/';
    memset(longest + 155, 'f', 100);
    longest[255] = '\0';
    ck_assert_int_eq(vt_tar_add_data(w, exact, "100", 3, 0644), 0);
    ck_assert_int_eq(vt_tar_add_data(w, longest, "255", 3, 0644), 0);
    ck_assert_int_eq(vt_tar_writer_finish(&w), 0);
    ck_assert_ptr_null(w);
    free(src);
    return path;
}

START_TEST(test_round_trip)
{
    make_tree();
    char *path = build_package("agent.vtagent");
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0644);
    ck_assert_uint_eq(st.st_size % 512, 0);

    char *out = vt_asprintf("%s/out/deeper", dir);
    ck_assert_msg(vt_tar_extract(path, out, MiB) == 0, "%s", vt_last_error());
    char *got = listing(out);
    char exact[101], longest[256];
    memset(exact, 'e', 100);
    exact[100] = '\0';
    memset(longest, 'd', 154);
    longest[154] = '\0';
    memset(longest + 155, 'f', 100);
    longest[255] = '\0';
    char *want = vt_asprintf("%s/ 755\n%s/%s 644 3 =255\n%s 644 3 =100\n"
                             "listener/ 755\n"
                             "listener/agent.json 644 24 ={\"identity\": \"listener\"}\n"
                             "listener/bin/ 755\n"
                             "listener/bin/owner-only 755 1 =x\n"
                             "listener/bin/run 755 18 =#!/bin/sh\necho hi\n\n"
                             "listener/data/ 755\n"
                             "listener/data/config 644 2 ={}\n"
                             "listener/data/tool 755 2 =#!\n"
                             "listener/empty 644 0 =\n"
                             "listener/empty-dir/ 755\n"
                             "listener/lib/ 755\n"
                             "listener/lib/sub/ 755\n"
                             "listener/lib/sub/module.txt 644 6 =module\n"
                             "listener/logs/ 755\n"
                             "listener/%s/ 755\n"
                             "listener/%s/%s/ 755\n"
                             "listener/%s/%s/%s 644 4 =long\n",
                             longest, longest, longest + 155, exact, LONG_DIR, LONG_DIR, LONG_DIR,
                             LONG_DIR, LONG_DIR, LONG_FILE);
    ck_assert_str_eq(got, want);

    /* The member order: the tree sorted by name, then what was added. */
    char *data;
    size_t len;
    ck_assert_int_eq(vt_fs_read_file(path, 4 * MiB, &data, &len), 0);
    vt_buf names;
    vt_buf_init(&names);
    ck_assert_int_eq(vt_tar_list_mem(data, len, collect_names, &names), 0);
    char *order = vt_asprintf(
        "listener/ 0 755\nlistener/agent.json 24 644\nlistener/bin/ 0 755\n"
        "listener/bin/owner-only 1 755\nlistener/bin/run 18 755\nlistener/empty 0 644\n"
        "listener/empty-dir/ 0 755\nlistener/lib/ 0 755\nlistener/lib/sub/ 0 755\n"
        "listener/lib/sub/module.txt 6 644\n"
        "listener/%s/ 0 755\nlistener/%s/%s/ 0 755\nlistener/%s/%s/%s 4 644\n"
        "listener/data/config 2 644\nlistener/data/tool 2 755\nlistener/logs/ 0 755\n"
        "%s 3 644\n%s/%s 3 644\n",
        LONG_DIR, LONG_DIR, LONG_DIR, LONG_DIR, LONG_DIR, LONG_FILE, exact, longest, longest + 155);
    ck_assert_str_eq(names.data, order);

    /* Reproducible: the same inputs give the same bytes. */
    char *again = build_package("again.vtagent");
    char *data2;
    size_t len2;
    ck_assert_int_eq(vt_fs_read_file(again, 4 * MiB, &data2, &len2), 0);
    ck_assert_uint_eq(len2, len);
    ck_assert(memcmp(data, data2, len) == 0);

    /* In memory, into a directory that exists and holds other things. */
    char *into = vt_fs_path_join(dir, "existing");
    make_dir("existing/listener");
    make_file("existing/other", "mine", 0600);
    ck_assert_int_eq(vt_tar_extract_mem(data, len, into, MiB), 0);
    char *got2 = listing(into);
    char *want2 = vt_asprintf("%sother 600 4 =mine\n", got);
    ck_assert_str_eq(got2, want2);
    free(want2);

    free(path);
    free(out);
    free(got);
    free(want);
    free(data);
    vt_buf_free(&names);
    free(order);
    free(again);
    free(data2);
    free(into);
    free(got2);
}
END_TEST

START_TEST(test_limits_exact)
{
    vt_buf a;
    vt_buf_init(&a);
    char big[1000];
    memset(big, 'b', sizeof big);
    unsigned char h[512];
    header(h, "one", '0', 600);
    put(&a, h, big, 600);
    header(h, "two", '0', 400);
    put(&a, h, big, 400);
    put_end(&a);
    char *out = vt_fs_path_join(dir, "out");
    /* Exactly the limit is fine; a byte less is not. */
    ck_assert_int_eq(vt_tar_extract_mem(a.data, a.len, out, 1000), 0);
    vt_test_rmtree(out);
    expect_refused(&a, -EFBIG, "member 2 \"two\": archive holds more than the limit of 999 bytes",
                   999);

    /* One zero block and the end of the data end an archive too; anything
     * after the first zero block is not looked at. */
    vt_buf b;
    vt_buf_init(&b);
    put_simple(&b, "f", '0', "x");
    static const char zeros[512];
    vt_buf_append(&b, zeros, 512);
    ck_assert_int_eq(vt_tar_extract_mem(b.data, b.len, out, 10), 0);
    vt_test_rmtree(out);
    vt_buf_append_str(&b, "trailing garbage that is not a header");
    ck_assert_int_eq(vt_tar_extract_mem(b.data, b.len, out, 10), 0);
    char *one = listing(out);
    ck_assert_str_eq(one, "f 644 1 =x\n");
    free(one);
    vt_test_rmtree(out);

    /* "./" entries (tar -C dir -cf x .) are the destination itself. */
    vt_buf c;
    vt_buf_init(&c);
    put_simple(&c, "./", '5', NULL);
    put_simple(&c, "./a//b", '0', "ab");
    put_simple(&c, "./", '5', NULL);
    put_end(&c);
    ck_assert_int_eq(vt_tar_extract_mem(c.data, c.len, out, 10), 0);
    char *got = listing(out);
    ck_assert_str_eq(got, "a/ 755\na/b 644 2 =ab\n");
    free(got);

    vt_buf_free(&a);
    vt_buf_free(&b);
    vt_buf_free(&c);
    free(out);
}
END_TEST

/* ---- GNU tar in both directions ---- */

/* A member as "tar -tv" shows it: permissions, name, size. */
static int tar_style(const vt_tar_entry *e, void *ctx)
{
    vt_buf_appendf(ctx, "%s %s%s %llu\n",
                   e->is_dir         ? "drwxr-xr-x"
                   : e->mode == 0755 ? "-rwxr-xr-x"
                                     : "-rw-r--r--",
                   e->name, e->is_dir ? "/" : "", (unsigned long long)e->size);
    return 0;
}

START_TEST(test_gnu_tar_lists_ours)
{
    const char *tar = tar_program();
    make_tree();
    char *path = build_package("agent.vtagent");
    char *cmd = vt_asprintf("LC_ALL=C TZ=UTC %s -tvf '%s'", tar, path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    vt_buf got;
    vt_buf_init(&got);
    char line[1024];
    while (fgets(line, sizeof line, p)) {
        char perms[16], owner[64], date[16], time_[16];
        unsigned long long size;
        int at = 0;
        ck_assert_int_eq(
            sscanf(line, "%15s %63s %llu %15s %15s %n", perms, owner, &size, date, time_, &at), 5);
        ck_assert_str_eq(owner, "0/0");
        ck_assert_str_eq(date, "1970-01-01");
        line[strcspn(line, "\n")] = '\0';
        vt_buf_appendf(&got, "%s %s %llu\n", perms, line + at, size);
    }
    ck_assert_int_eq(pclose(p), 0);
    char *data;
    size_t len;
    ck_assert_int_eq(vt_fs_read_file(path, 4 * MiB, &data, &len), 0);
    /* The same listing from our reader, in tar's words. */
    vt_buf ours;
    vt_buf_init(&ours);
    ck_assert_int_eq(vt_tar_list_mem(data, len, tar_style, &ours), 0);
    ck_assert_str_eq(got.data, ours.data);
    ck_assert_ptr_nonnull(strstr(got.data, "-rwxr-xr-x listener/bin/run 18\n"));

    /* And GNU tar extracts it to the same tree as we do. */
    char *gnu = vt_fs_path_join(dir, "gnu");
    char *mine = vt_fs_path_join(dir, "mine");
    make_dir("gnu");
    free(cmd);
    cmd = vt_asprintf("%s -xf '%s' -C '%s'", tar, path, gnu);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(vt_tar_extract(path, mine, MiB), 0);
    char *a = listing(gnu), *b = listing(mine);
    ck_assert_str_eq(a, b);

    free(a);
    free(b);
    free(gnu);
    free(mine);
    free(cmd);
    free(path);
    free(data);
    vt_buf_free(&got);
    vt_buf_free(&ours);
}
END_TEST

START_TEST(test_we_read_gnu_tar)
{
    const char *tar = tar_program();
    make_tree();
    /* Modes as our reader gives them, so the trees can be compared. */
    make_file("src/bin/owner-only", "x", 0755);
    make_file("src/lib/sub/module.txt", "module", 0644);
    char *src = vt_fs_path_join(dir, "src");
    char *want = listing(src);
    static const char *const how[] = {
        "--format=ustar -C '%s' -cf '%s' .",      /* "./", "./agent.json", ... */
        "--format=ustar -C '%s/..' -cf '%s' src", /* "src/", "src/agent.json", ... */
    };
    for (size_t i = 0; i < 2; i++) {
        char *archive = vt_asprintf("%s/gnu%zu.tar", dir, i);
        char *args = vt_asprintf(how[i], src, archive);
        char *cmd = vt_asprintf("%s %s", tar, args);
        ck_assert_int_eq(system(cmd), 0);
        char *out = vt_asprintf("%s/out%zu", dir, i);
        ck_assert_msg(vt_tar_extract(archive, out, MiB) == 0, "%s", vt_last_error());
        char *top = i == 0 ? vt_strdup(out) : vt_fs_path_join(out, "src");
        char *got = listing(top);
        ck_assert_str_eq(got, want);
        free(archive);
        free(args);
        free(cmd);
        free(out);
        free(top);
        free(got);
    }

    /* GNU's own format (tar's default) reads the same while names are
     * short; its long-name extension is refused by name. */
    make_dir("short");
    make_file("short/a.txt", "a", 0644);
    make_file("short/run", "r", 0755);
    char *cmd = vt_asprintf("cd '%s' && %s --format=gnu -cf gnu.tar short && "
                            "%s --format=gnu -cf long.tar src",
                            dir, tar, tar);
    ck_assert_int_eq(system(cmd), 0);
    char *gnu = vt_fs_path_join(dir, "gnu.tar");
    char *out = vt_fs_path_join(dir, "gnu-out");
    ck_assert_msg(vt_tar_extract(gnu, out, MiB) == 0, "%s", vt_last_error());
    char *got = listing(out);
    ck_assert_str_eq(got, "short/ 755\nshort/a.txt 644 1 =a\nshort/run 755 1 =r\n");
    char *longtar = vt_fs_path_join(dir, "long.tar");
    char *out2 = vt_fs_path_join(dir, "long-out");
    ck_assert_int_eq(vt_tar_extract(longtar, out2, MiB), -EINVAL);
    assert_error_has("GNU long name (type 'L') is not allowed");
    ck_assert(!vt_fs_exists(out2));

    free(src);
    free(want);
    free(cmd);
    free(gnu);
    free(out);
    free(got);
    free(longtar);
    free(out2);
}
END_TEST

/* ---- refusals ---- */

START_TEST(test_refuses_paths_leaving)
{
    refuse_name("/etc/evil", '0', "member 2 \"/etc/evil\": absolute path leaves the archive");
    refuse_name("../x", '0', "member 2 \"../x\": '..' in the path could leave the archive");
    refuse_name("a/../../x", '0', "'..' in the path could leave the archive");
    refuse_name("a/..", '5', "'..' in the path could leave the archive");
    refuse_name("a/../b", '0', "'..'"); /* harmless, but nobody writes that */
    refuse_name("", '0', "member 2: empty name");
    refuse_name(".", '0', "member 2 \".\": empty name");
    refuse_name("dir/", '0', "regular file name ends in '/'");

    /* ".." hidden in the prefix field. */
    unsigned char h[512];
    header(h, "x", '0', 1);
    memcpy(h + 345, "..", 2);
    seal(h);
    refuse_one(h, "x", 1, "member 1 \"../x\": '..' in the path could leave the archive");
    header(h, "x", '0', 1);
    memcpy(h + 345, "/tmp", 4);
    seal(h);
    refuse_one(h, "x", 1, "absolute path");
}
END_TEST

START_TEST(test_refuses_nul_in_names)
{
    unsigned char h[512];
    header(h, "ok", '0', 1);
    memcpy(h + 3, "evil", 4); /* "ok\0evil" */
    seal(h);
    refuse_one(h, "x", 1, "member 1 \"ok\": name field has bytes after its NUL");
    header(h, "x", '0', 1);
    memcpy(h + 345, "p\0q", 3);
    seal(h);
    refuse_one(h, "x", 1, "name field has bytes after its NUL");
}
END_TEST

START_TEST(test_refuses_member_types)
{
    static const struct {
        char type;
        const char *what;
    } types[] = {
        {'1', "hard link (type '1')"},
        {'2', "symbolic link (type '2')"},
        {'3', "character device (type '3')"},
        {'4', "block device (type '4')"},
        {'6', "FIFO (type '6')"},
        {'7', "contiguous file (type '7')"},
        {'x', "pax extended header (type 'x')"},
        {'g', "pax global header (type 'g')"},
        {'L', "GNU long name (type 'L')"},
        {'K', "GNU long link name (type 'K')"},
        {'S', "GNU sparse file (type 'S')"},
        {'Z', "unknown member type (type 'Z')"},
        {1, "unknown member type (type 0x01)"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        unsigned char h[512];
        header(h, "link", types[i].type, 0);
        if (types[i].type == '2' || types[i].type == '1')
            memcpy(h + 157, "/etc/passwd", 11);
        seal(h);
        char *needle = vt_asprintf("member 1 \"link\": %s is not allowed, only regular files "
                                   "and directories",
                                   types[i].what);
        refuse_one(h, NULL, 0, needle);
        free(needle);
    }
}
END_TEST

START_TEST(test_refuses_bad_headers)
{
    unsigned char h[512];
    header(h, "f", '0', 1);
    h[0] = 'g'; /* checksum no longer matches */
    refuse_one(h, "x", 1, "member 1: bad header checksum");
    header(h, "f", '0', 1);
    memcpy(h + 148, "zz", 2);
    refuse_one(h, "x", 1, "member 1: header checksum field is not an octal number");

    static const struct {
        size_t at;
        const char *value;
        const char *what;
    } fields[] = {
        {124, "0000000001x", "size"}, {124, "", "size"}, {100, "0644 9", "mode"},
        {108, "-1", "uid"},           {116, "8", "gid"}, {136, "1e9", "mtime"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        header(h, "f", '0', 1);
        size_t width = fields[i].at >= 124 ? 12 : 8;
        memset(h + fields[i].at, 0, width);
        memcpy(h + fields[i].at, fields[i].value, strlen(fields[i].value));
        seal(h);
        char *needle =
            vt_asprintf("member 1 \"f\": %s field is not an octal number", fields[i].what);
        refuse_one(h, "x", 1, needle);
        free(needle);
    }
    /* GNU's base-256 numbers. */
    header(h, "f", '0', 1);
    memset(h + 124, 0, 12);
    h[124] = 0x80;
    h[135] = 1;
    seal(h);
    refuse_one(h, "x", 1, "size field is not an octal number");

    /* Not ustar (a V7 header has no magic). */
    header(h, "f", '0', 1);
    memset(h + 257, 0, 8);
    seal(h);
    refuse_one(h, "x", 1, "member 1: not a ustar header");

    header(h, "d/", '5', 3);
    refuse_one(h, "abc", 3, "member 1 \"d/\": directory member has 3 bytes of data");
}
END_TEST

START_TEST(test_refuses_truncated)
{
    vt_buf a;
    vt_buf_init(&a);
    put_simple(&a, "f", '0', "x");
    expect_refused(&a, -EINVAL, ": truncated archive: no end-of-archive block", MiB);
    vt_buf_append(&a, "partial", 7);
    expect_refused(&a, -EINVAL, "truncated archive: partial header block", MiB);

    /* A size past the end of the data. */
    vt_buf_clear(&a);
    put_simple(&a, "fine", '0', "ok");
    unsigned char h[512];
    header(h, "big", '0', 5000);
    put(&a, h, "only a little", 13);
    put_end(&a);
    expect_refused(&a, -EINVAL,
                   "member 2 \"big\": truncated archive: 5000 bytes of data, 1536 left", MiB);
    vt_buf_clear(&a);
    expect_refused(&a, -EINVAL, "no end-of-archive block", MiB);
    vt_buf_free(&a);
}
END_TEST

START_TEST(test_refuses_duplicates)
{
    static const char *const pairs[][3] = {
        {"a", "a", "member 3 \"a\": duplicate name (member 2)"},
        {"d/f", "./d//f", "member 3 \"d/f\": duplicate name (member 2)"},
        {"d/", "d", "member 3 \"d\": duplicate name (member 2)"},
        {"a", "a/b", "member 3 \"a/b\": its parent \"a\" (member 2) is a regular file"},
        {"a/b/c", "a/b",
         "member 2 \"a/b/c\": its parent \"a/b\" (member 3) is a regular "
         "file"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        vt_buf a;
        vt_buf_init(&a);
        put_simple(&a, "a-b", '0', "neighbour"); /* sorts between "a" and "a/" */
        const char *n1 = pairs[i][0], *n2 = pairs[i][1];
        put_simple(&a, n1, n1[strlen(n1) - 1] == '/' ? '5' : '0',
                   n1[strlen(n1) - 1] == '/' ? NULL : "1");
        put_simple(&a, n2, '0', "2");
        put_end(&a);
        expect_refused(&a, -EINVAL, pairs[i][2], MiB);
        vt_buf_free(&a);
    }
}
END_TEST

static int count_members(const vt_tar_entry *e, void *ctx)
{
    (void)e;
    ++*(int *)ctx;
    return 0;
}

START_TEST(test_refuses_too_many_members)
{
    vt_buf a;
    vt_buf_init(&a);
    for (int i = 0; i < VT_TAR_MAX_MEMBERS; i++) {
        char name[32];
        snprintf(name, sizeof name, "d%05d/", i);
        put_simple(&a, name, '5', NULL);
    }
    size_t at_limit = a.len;
    put_end(&a);
    int n = 0;
    ck_assert_int_eq(vt_tar_list_mem(a.data, a.len, count_members, &n), 0);
    ck_assert_int_eq(n, VT_TAR_MAX_MEMBERS);
    a.len = at_limit;
    put_simple(&a, "one-more", '0', "x");
    put_end(&a);
    expect_refused(&a, -E2BIG, ": more than 10000 members", MiB);
    vt_buf_free(&a);
}
END_TEST

/* ---- what is already in the destination ---- */

START_TEST(test_existing_destination)
{
    make_dir("dest/lib");
    make_file("dest/conf", "mine", 0600);
    make_dir("outside");
    char *outside = vt_fs_path_join(dir, "outside");
    char *link = vt_asprintf("%s/dest/link", dir);
    ck_assert_int_eq(symlink(outside, link), 0);
    char *flink = vt_asprintf("%s/dest/flink", dir);
    char *target = vt_asprintf("%s/outside/target", dir);
    ck_assert_int_eq(symlink(target, flink), 0);
    char *dest = vt_fs_path_join(dir, "dest");
    char *before = listing(dir);

    /* A file that exists is never replaced; what was extracted before the
     * clash is removed again, existing directories stay. */
    vt_buf a;
    vt_buf_init(&a);
    put_simple(&a, "bin/", '5', NULL);
    put_simple(&a, "bin/run", '0', "run");
    put_simple(&a, "lib/new", '0', "new");
    put_simple(&a, "conf", '0', "theirs");
    put_end(&a);
    ck_assert_int_eq(vt_tar_extract_mem(a.data, a.len, dest, MiB), -EEXIST);
    assert_error_has("archive: member 4 \"conf\": ");
    assert_error_has("/dest/conf already exists");
    char *after = listing(dir);
    ck_assert_str_eq(after, before);
    free(after);

    /* A symlink planted in the destination is not followed, as a directory
     * or as a file (even a dangling one). */
    static const char *const through[] = {"link/evil", "link/sub/evil", "flink"};
    for (size_t i = 0; i < 3; i++) {
        vt_buf_clear(&a);
        put_simple(&a, "ok", '0', "ok");
        put_simple(&a, through[i], '0', "evil");
        put_end(&a);
        ck_assert_int_eq(vt_tar_extract_mem(a.data, a.len, dest, MiB), -EEXIST);
        assert_error_has(i < 2 ? "/dest/link exists and is not a directory"
                               : "/dest/flink already exists");
        after = listing(dir);
        ck_assert_str_eq(after, before);
        free(after);
    }
    vt_buf_clear(&a);
    put_simple(&a, "link/", '5', NULL);
    put_end(&a);
    ck_assert_int_eq(vt_tar_extract_mem(a.data, a.len, dest, MiB), -EEXIST);
    assert_error_has("/dest/link exists and is not a directory");

    /* An existing directory is reused and keeps its mode. */
    ck_assert_int_eq(chmod(dest, 0700), 0);
    vt_buf_clear(&a);
    put_simple(&a, "./", '5', NULL);
    put_simple(&a, "lib/", '5', NULL);
    put_simple(&a, "lib/new", '0', "new");
    put_end(&a);
    ck_assert_int_eq(vt_tar_extract_mem(a.data, a.len, dest, MiB), 0);
    struct stat st;
    ck_assert_int_eq(stat(dest, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0700);
    char *newf = vt_asprintf("%s/lib/new", dest);
    ck_assert(vt_fs_is_file(newf));

    /* A destination that is a file is an error, and left alone. */
    char *file = vt_test_write_file(dir, "plain", "plain");
    ck_assert_int_eq(vt_tar_extract_mem(a.data, a.len, file, MiB), -ENOTDIR);
    ck_assert(vt_fs_is_file(file));

    vt_buf_free(&a);
    free(outside);
    free(link);
    free(flink);
    free(target);
    free(dest);
    free(before);
    free(newf);
    free(file);
}
END_TEST

START_TEST(test_write_failure_undoes)
{
    /* A file size limit makes the second file fail half-written: the
     * whole extraction is undone, in a new and in an existing destination. */
    vt_buf a;
    vt_buf_init(&a);
    put_simple(&a, "a/one", '0', "one");
    char big[4096];
    memset(big, 'b', sizeof big);
    unsigned char h[512];
    header(h, "b/c/two", '0', sizeof big);
    put(&a, h, big, sizeof big);
    put_end(&a);
    make_dir("old");
    make_file("old/keep", "kept", 0644);
    char *archive = write_bytes("fsize.tar", a.data, a.len);
    char *before = listing(dir);
    char *fresh = vt_asprintf("%s/new/deeper/dest", dir);
    char *old = vt_fs_path_join(dir, "old");

    struct rlimit saved, small = {1000, 1000};
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small.rlim_max = saved.rlim_max;
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc1 = vt_tar_extract_mem(a.data, a.len, fresh, MiB);
    char *e1 = vt_strdup(vt_last_error());
    int rc2 = vt_tar_extract(archive, old, MiB);
    char *e2 = vt_strdup(vt_last_error());
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, was);

    ck_assert_int_eq(rc1, -EFBIG);
    ck_assert_msg(strstr(e1, "archive: member 2 \"b/c/two\": cannot write ") &&
                      strstr(e1, "/new/deeper/dest/b/c/two: File too large"),
                  "%s", e1);
    ck_assert_int_eq(rc2, -EFBIG);
    ck_assert_msg(strstr(e2, "fsize.tar: member 2 \"b/c/two\": cannot write "), "%s", e2);
    char *after = listing(dir);
    ck_assert_str_eq(after, before);
    ck_assert(!vt_fs_exists(fresh));

    vt_buf_free(&a);
    free(archive);
    free(before);
    free(after);
    free(fresh);
    free(old);
    free(e1);
    free(e2);
}
END_TEST

/* ---- read_member ---- */

START_TEST(test_read_member)
{
    vt_buf a;
    vt_buf_init(&a);
    put_simple(&a, "./pkg/", '5', NULL);
    put_simple(&a, "./pkg/agent.json", '0', "{\"a\": 1}");
    put_simple(&a, "./pkg/big", '0', "0123456789");
    put_end(&a);
    char *out = NULL;
    size_t len = 0;
    ck_assert_int_eq(vt_tar_read_member(a.data, a.len, "pkg/agent.json", 100, &out, &len), 0);
    ck_assert_str_eq(out, "{\"a\": 1}");
    ck_assert_uint_eq(len, 8);
    free(out);
    ck_assert_int_eq(vt_tar_read_member(a.data, a.len, "./pkg/big", 10, &out, NULL), 0);
    ck_assert_str_eq(out, "0123456789");
    free(out);

    ck_assert_int_eq(vt_tar_read_member(a.data, a.len, "pkg/big", 9, &out, &len), -EFBIG);
    ck_assert_str_eq(vt_last_error(),
                     "archive: member 3 \"pkg/big\" is 10 bytes, over the limit of 9");
    ck_assert_int_eq(vt_tar_read_member(a.data, a.len, "pkg/none", 10, &out, &len), -ENOENT);
    ck_assert_str_eq(vt_last_error(), "archive: no member \"pkg/none\"");
    ck_assert_int_eq(vt_tar_read_member(a.data, a.len, "pkg", 10, &out, &len), -EISDIR);
    ck_assert_int_eq(vt_tar_read_member(a.data, a.len, "../pkg/big", 10, &out, &len), -EINVAL);
    ck_assert_int_eq(vt_tar_read_member(a.data, a.len, "", 10, &out, &len), -EINVAL);

    /* The whole archive is checked, not only up to the member. */
    a.len -= 1024;
    put_simple(&a, "later", '2', NULL);
    put_end(&a);
    ck_assert_int_eq(vt_tar_read_member(a.data, a.len, "pkg/agent.json", 100, &out, &len), -EINVAL);
    assert_error_has("member 4 \"later\": symbolic link (type '2')");
    a.len -= 1024 + 512;
    put_simple(&a, "pkg/agent.json", '0', "{\"b\": 2}");
    put_end(&a);
    ck_assert_int_eq(vt_tar_read_member(a.data, a.len, "pkg/agent.json", 100, &out, &len), -EINVAL);
    assert_error_has("duplicate name");
    vt_buf_free(&a);
}
END_TEST

/* ---- the writer's own checks ---- */

static size_t count_entries(const char *path)
{
    size_t n = 0;
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

START_TEST(test_writer_refuses)
{
    char *path = vt_fs_path_join(dir, "w.vtagent");
    vt_tar_writer *w = vt_tar_writer_new(path);
    ck_assert_ptr_nonnull(w);
    char too_long[300], unsplittable[120];
    memset(too_long, 'a', 256);
    too_long[256] = '\0';
    memset(unsplittable, 'u', 110);
    unsplittable[1] = '/';
    unsplittable[110] = '\0';
    static const char *const bad[] = {"",     "/abs", "../x", "a/../b", "a/./b",
                                      "a//b", "a/",   "./a",  "."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(vt_tar_add_data(w, bad[i], "x", 1, 0644), -EINVAL);
        assert_error_has("w.vtagent: cannot add \"");
    }
    ck_assert_int_eq(vt_tar_add_data(w, too_long, "x", 1, 0644), -EINVAL);
    assert_error_has("too long for ustar");
    ck_assert_int_eq(vt_tar_add_data(w, unsplittable, "x", 1, 0644), -EINVAL);
    assert_error_has("cannot be split");
    too_long[255] = '\0';
    ck_assert_int_eq(vt_tar_add_dir(w, too_long), -EINVAL); /* 255 + '/' */

    /* A refused name leaves the archive usable. */
    ck_assert_int_eq(vt_tar_add_data(w, "good", "g", 1, 0644), 0);
    ck_assert_int_eq(vt_tar_writer_finish(&w), 0);
    char *data;
    size_t len;
    ck_assert_int_eq(vt_fs_read_file(path, MiB, &data, &len), 0);
    ck_assert_uint_eq(len, 512 * 4);
    free(data);

    /* A name twice: finish fails, nothing appears, nothing is left over. */
    char *path2 = vt_fs_path_join(dir, "dup.vtagent");
    w = vt_tar_writer_new(path2);
    ck_assert_int_eq(vt_tar_add_data(w, "a/b", "1", 1, 0644), 0);
    ck_assert_int_eq(vt_tar_add_dir(w, "a/b"), 0);
    ck_assert_int_eq(vt_tar_writer_finish(&w), -EINVAL);
    ck_assert_ptr_null(w);
    assert_error_has("dup.vtagent: member 2 \"a/b\": duplicate name (member 1)");
    ck_assert(!vt_fs_exists(path2));

    /* Abandoned: the temporary file goes. */
    w = vt_tar_writer_new(path2);
    ck_assert_int_eq(vt_tar_add_data(w, "x", "1", 1, 0644), 0);
    vt_tar_writer_destroy(&w);
    ck_assert_ptr_null(w);
    vt_tar_writer_destroy(&w);
    ck_assert(!vt_fs_exists(path2));
    ck_assert_uint_eq(count_entries(dir), 1);

    char *nowhere = vt_asprintf("%s/missing/x.vtagent", dir);
    ck_assert_ptr_null(vt_tar_writer_new(nowhere));
    assert_error_has("cannot write");
    assert_error_has("missing/x.vtagent");

    free(path);
    free(path2);
    free(nowhere);
}
END_TEST

START_TEST(test_writer_tree_symlinks)
{
    make_dir("tree/sub");
    make_file("real", "real content", 0755);
    make_file("tree/sub/file", "f", 0644);
    char *real = vt_fs_path_join(dir, "real");
    char *tree = vt_fs_path_join(dir, "tree");
    char *flink = vt_fs_path_join(tree, "flink");
    ck_assert_int_eq(symlink(real, flink), 0);
    /* Written inside the tree it packs: it does not pack itself. */
    char *path = vt_fs_path_join(tree, "t.vtagent");

    vt_tar_writer *w = vt_tar_writer_new(path);
    ck_assert_int_eq(vt_tar_add_tree(w, NULL, tree), 0);
    ck_assert_int_eq(vt_tar_writer_finish(&w), 0);
    char *data;
    size_t len;
    ck_assert_int_eq(vt_fs_read_file(path, MiB, &data, &len), 0);
    vt_buf names;
    vt_buf_init(&names);
    ck_assert_int_eq(vt_tar_list_mem(data, len, collect_names, &names), 0);
    ck_assert_str_eq(names.data, "flink 12 755\nsub/ 0 755\nsub/file 1 644\n");
    free(data);
    ck_assert_int_eq(unlink(path), 0);
    vt_buf_free(&names);

    /* Links to a directory, to nothing, and a FIFO: each named. */
    struct {
        const char *name;
        const char *why;
    } cases[] = {
        {"dlink", "dlink: a symbolic link to a directory"},
        {"dangling", "dangling: a symbolic link to nothing"},
        {"fifo", "fifo: not a regular file or directory"},
    };
    char *dlink = vt_fs_path_join(tree, "dlink");
    char *dangling = vt_fs_path_join(tree, "dangling");
    char *fifo = vt_fs_path_join(tree, "fifo");
    char *nothing = vt_fs_path_join(dir, "nothing");
    for (size_t i = 0; i < 3; i++) {
        if (i == 0)
            ck_assert_int_eq(symlink(dir, dlink), 0);
        if (i == 1)
            ck_assert_int_eq(symlink(nothing, dangling), 0);
        if (i == 2)
            ck_assert_int_eq(mkfifo(fifo, 0644), 0);
        w = vt_tar_writer_new(path);
        ck_assert_int_lt(vt_tar_add_tree(w, "pkg", tree), 0);
        assert_error_has("t.vtagent: cannot add ");
        assert_error_has(cases[i].why);
        vt_tar_writer_destroy(&w);
        unlink(i == 0 ? dlink : i == 1 ? dangling : fifo);
    }
    w = vt_tar_writer_new(path);
    ck_assert_int_lt(vt_tar_add_file(w, "x", tree), 0);
    assert_error_has("not a regular file");
    ck_assert_int_eq(vt_tar_add_tree(w, "x", real), -ENOTDIR);
    vt_tar_writer_destroy(&w);

    free(real);
    free(tree);
    free(flink);
    free(path);
    free(dlink);
    free(dangling);
    free(fifo);
    free(nothing);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("tar");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_limits_exact);
    tcase_add_test(tc, test_gnu_tar_lists_ours);
    tcase_add_test(tc, test_we_read_gnu_tar);
    tcase_add_test(tc, test_refuses_paths_leaving);
    tcase_add_test(tc, test_refuses_nul_in_names);
    tcase_add_test(tc, test_refuses_member_types);
    tcase_add_test(tc, test_refuses_bad_headers);
    tcase_add_test(tc, test_refuses_truncated);
    tcase_add_test(tc, test_refuses_duplicates);
    tcase_add_test(tc, test_refuses_too_many_members);
    tcase_add_test(tc, test_existing_destination);
    tcase_add_test(tc, test_write_failure_undoes);
    tcase_add_test(tc, test_read_member);
    tcase_add_test(tc, test_writer_refuses);
    tcase_add_test(tc, test_writer_tree_symlinks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
