/* The tar reader (tar.c): agent packages arrive from vctl over the channel
 * subsystem and are unpacked by the platform, so the archive is outside
 * input. Each input is listed, searched for a member, and extracted twice
 * (from memory and from a file, which read differently) under a byte
 * limit, and the reader's promises are checked:
 *  - listing, reading a member and extracting agree on what is valid;
 *  - a refused archive leaves nothing behind (not even the destination's
 *    missing parents), an accepted one produces exactly what was listed;
 *  - nothing is ever written outside the destination. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <volttron/utils/fs.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/tar.h>

#include "fuzz.h"

#define LIMIT (64u * 1024u)
#define MAX_LISTED 64

typedef struct listing {
    vt_tar_entry e[MAX_LISTED];
    char *names[MAX_LISTED];
    size_t n, total;
    uint64_t bytes;
} listing;

static char *archive_file;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup("tar");
    archive_file = fz_path("input.vtagent");
    return 0;
}

/* A ".." component anywhere in a '/'-separated name. */
static bool has_dotdot(const char *name)
{
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return true;
        p += n;
        if (*p == '/')
            p++;
    }
    return false;
}

static int collect(const vt_tar_entry *entry, void *ctx)
{
    listing *l = ctx;
    FZ_CHECK(entry->name[0] != '\0' && entry->name[0] != '/', "listed name \"%s\"", entry->name);
    FZ_CHECK(!has_dotdot(entry->name), "listed name \"%s\" leaves the archive", entry->name);
    l->total++;
    l->bytes += entry->size;
    if (l->n < MAX_LISTED) {
        l->e[l->n] = *entry;
        l->names[l->n] = vt_strdup(entry->name);
        l->e[l->n].name = l->names[l->n];
        l->n++;
    }
    return 0;
}

/* Entries of a directory other than "." and "..". */
static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* One extraction into root/out/sub, judged against the listing. */
static int extract_and_check(const uint8_t *data, size_t size, bool from_file, int listed_rc,
                             const listing *l)
{
    char *root = fz_path("x");
    FZ_CHECK(vt_fs_mkdir_p(root, 0700) == 0, "cannot create %s", root);
    char *dest = vt_asprintf("%s/out/sub", root);
    int rc = from_file ? vt_tar_extract(archive_file, dest, LIMIT)
                       : vt_tar_extract_mem(data, size, dest, LIMIT);
    if (listed_rc == 0 && l->bytes <= LIMIT)
        FZ_CHECK(rc == 0, "listed but not extracted (%s)", from_file ? "file" : "memory");
    if (rc < 0) {
        FZ_CHECK(count_entries(root) == 0, "a refused archive left files behind");
    } else {
        FZ_CHECK(listed_rc == 0, "extracted but not listed");
        char *out = vt_asprintf("%s/out", root);
        FZ_CHECK(count_entries(root) == 1 && count_entries(out) == 1,
                 "something was written beside the destination");
        free(out);
        for (size_t i = 0; i < l->n; i++) {
            char *p = vt_asprintf("%s/%s", dest, l->e[i].name);
            struct stat st;
            FZ_CHECK(lstat(p, &st) == 0, "member %s missing", l->e[i].name);
            FZ_CHECK(l->e[i].is_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode),
                     "member %s has the wrong type", l->e[i].name);
            FZ_CHECK(l->e[i].is_dir || (uint64_t)st.st_size == l->e[i].size,
                     "member %s has %lld bytes, listed %llu", l->e[i].name, (long long)st.st_size,
                     (unsigned long long)l->e[i].size);
            free(p);
        }
    }
    vt_fs_remove_tree(root);
    free(dest);
    free(root);
    return rc;
}

/* Header checksums stop a fuzzer cold: in a copy of the input, walk the
 * headers as the reader would and give each the checksum it needs, so the
 * checks past it get exercised too (the original input still exercises
 * the checksum test itself). Returns whether anything changed. */
static bool fix_checksums(uint8_t *a, size_t size)
{
    bool changed = false;
    for (size_t pos = 0; size - pos >= 512;) {
        uint8_t *h = a + pos;
        bool zero = true;
        for (size_t i = 0; i < 512 && zero; i++)
            zero = h[i] == 0;
        if (zero)
            break;
        unsigned sum = 0;
        for (size_t i = 0; i < 512; i++)
            sum += i >= 148 && i < 156 ? ' ' : h[i];
        char field[8];
        snprintf(field, sizeof field, "%06o", sum & 0777777);
        if (memcmp(h + 148, field, 7) != 0 || h[155] != ' ') {
            memcpy(h + 148, field, 7); /* six digits, NUL, space: as tar writes */
            h[155] = ' ';
            changed = true;
        }
        uint64_t len = 0;
        for (size_t i = 124; i < 136 && h[i] >= '0' && h[i] <= '7'; i++)
            len = len * 8 + (uint64_t)(h[i] - '0');
        uint64_t skip = (len + 511) / 512 * 512;
        if (skip > size - pos - 512)
            break;
        pos += 512 + (size_t)skip;
    }
    return changed;
}

static void one_archive(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one_archive(data, size);
    uint8_t *copy = vt_malloc(size ? size : 1);
    memcpy(copy, data, size);
    if (fix_checksums(copy, size))
        one_archive(copy, size);
    free(copy);
    return 0;
}

static void one_archive(const uint8_t *data, size_t size)
{
    listing l = {0};
    int listed = vt_tar_list_mem(data, size, collect, &l);

    /* The first listed regular file (or the manifest) read by name. */
    const char *want = "agent.json";
    uint64_t want_size = 0;
    bool want_file = false;
    for (size_t i = 0; i < l.n; i++) {
        if (!l.e[i].is_dir) {
            want = l.e[i].name;
            want_size = l.e[i].size;
            want_file = true;
            break;
        }
    }
    char *content = NULL;
    size_t len = 0;
    int rc = vt_tar_read_member(data, size, want, LIMIT, &content, &len);
    if (listed == 0 && want_file && want_size <= LIMIT) {
        FZ_CHECK(rc == 0, "listed member %s not read", want);
        FZ_CHECK(len == want_size, "member %s read as %zu bytes, listed %llu", want, len,
                 (unsigned long long)want_size);
    }
    if (rc == 0)
        FZ_CHECK(listed == 0, "member read from an archive that does not list");
    free(content);

    int from_mem = extract_and_check(data, size, false, listed, &l);
    FZ_CHECK(vt_fs_write_atomic(archive_file, data, size, 0600) == 0, "cannot write input");
    int from_file = extract_and_check(data, size, true, listed, &l);
    FZ_CHECK((from_mem == 0) == (from_file == 0), "memory %d and file %d disagree", from_mem,
             from_file);
    unlink(archive_file);
    for (size_t i = 0; i < l.n; i++)
        free(l.names[i]);
}
