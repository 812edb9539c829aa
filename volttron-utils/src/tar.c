#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/tar.h>

/* The ustar header (POSIX.1-1988 as amended in pax): field offsets and
 * widths within its 512-byte block. */
#define BLOCK 512
#define F_NAME 0
#define W_NAME 100
#define F_MODE 100
#define F_UID 108
#define F_GID 116
#define F_SIZE 124
#define F_MTIME 136
#define F_CHKSUM 148
#define F_TYPE 156
#define F_MAGIC 257
#define F_DEVMAJOR 329
#define F_DEVMINOR 337
#define F_PREFIX 345
#define W_PREFIX 155

/* 11 octal digits in the size field. */
#define MAX_SIZE 077777777777ull

#define COPY_CHUNK 65536

static uint64_t padded(uint64_t size)
{
    return (size + BLOCK - 1) / BLOCK * BLOCK;
}

static unsigned stored_mode(unsigned mode)
{
    return mode & 0111 ? 0755 : 0644;
}

static unsigned checksum(const unsigned char *h)
{
    unsigned sum = 0;
    for (size_t i = 0; i < BLOCK; i++)
        sum += i >= F_CHKSUM && i < F_CHKSUM + 8 ? ' ' : h[i];
    return sum;
}

/* Leading spaces, at least one octal digit, then only NULs or spaces, as
 * POSIX writers pad. Base-256 values (GNU's for large numbers) are refused
 * with everything else. */
static bool parse_octal(const unsigned char *f, size_t width, uint64_t *out)
{
    size_t i = 0, digits = 0;
    uint64_t v = 0;
    while (i < width && f[i] == ' ')
        i++;
    for (; i < width && f[i] >= '0' && f[i] <= '7'; i++, digits++)
        v = v * 8 + (uint64_t)(f[i] - '0');
    for (; i < width; i++)
        if (f[i] != ' ' && f[i] != '\0')
            return false;
    *out = v;
    return digits > 0;
}

/* Canonical form of a member name: "." and empty components dropped, no
 * trailing '/'. out holds at least strlen(raw) + 1 bytes. Returns NULL or
 * why the name is refused. */
static const char *normalize(const char *raw, bool is_dir, char *out)
{
    if (!*raw)
        return "empty name";
    if (*raw == '/')
        return "absolute path leaves the archive";
    size_t n = 0;
    for (const char *p = raw; *p;) {
        const char *seg = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - seg);
        if (*p == '/')
            p++;
        if (len == 0 || (len == 1 && seg[0] == '.'))
            continue;
        if (len == 2 && seg[0] == '.' && seg[1] == '.')
            return "'..' in the path could leave the archive";
        if (n)
            out[n++] = '/';
        memcpy(out + n, seg, len);
        n += len;
    }
    out[n] = '\0';
    if (!is_dir && raw[strlen(raw) - 1] == '/')
        return "regular file name ends in '/'";
    if (!is_dir && n == 0)
        return "empty name";
    return NULL;
}

/* ---- names seen in one archive ---- */

typedef struct entry {
    char *name; /* normalized */
    uint64_t size;
    unsigned mode;
    unsigned index; /* 1-based member number */
    bool is_dir;
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
} entries;

static void entries_push(entries *e, const char *name, uint64_t size, unsigned mode, unsigned index,
                         bool is_dir)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 64;
        e->v = vt_realloc(e->v, e->cap * sizeof *e->v);
    }
    e->v[e->n++] = (entry){vt_strdup(name), size, mode, index, is_dir};
}

static void entries_free(entries *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i].name);
    free(e->v);
    *e = (entries){0};
}

/* Byte order with '/' below every other byte, so that everything under
 * "a/" sorts right after "a" and before "a-b": a parent and its children
 * are neighbours. Ties go to the earlier member. */
static int cmp_entry(const void *pa, const void *pb)
{
    const entry *a = *(const entry *const *)pa, *b = *(const entry *const *)pb;
    for (const unsigned char *x = (const unsigned char *)a->name,
                             *y = (const unsigned char *)b->name;
         ; x++, y++) {
        unsigned cx = *x == '/' ? 1u : *x ? *x + 1u : 0u;
        unsigned cy = *y == '/' ? 1u : *y ? *y + 1u : 0u;
        if (cx != cy)
            return cx < cy ? -1 : 1;
        if (!cx)
            break;
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Names in messages: bytes that could garble a log line as \xHH. */
static void escape(const char *s, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            *out++ = '\\';
            *out++ = 'x';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 15];
        } else {
            *out++ = (char)c;
        }
    }
    *out = '\0';
}

/* A name twice, or a regular file with something under it, cannot be
 * extracted faithfully. Sorting finds both whatever the member order, in
 * O(n log n) however the names are chosen. Returns 0 or -EINVAL with a
 * message naming both members. */
static int check_names(const entries *e, const char *label)
{
    if (e->n < 2)
        return 0;
    const entry **s = vt_malloc(e->n * sizeof *s);
    for (size_t i = 0; i < e->n; i++)
        s[i] = &e->v[i];
    qsort(s, e->n, sizeof *s, cmp_entry);
    int rc = 0;
    char shown[4 * VT_TAR_MAX_NAME + 1], other[4 * VT_TAR_MAX_NAME + 1];
    for (size_t i = 0; i + 1 < e->n && rc == 0; i++) {
        const entry *a = s[i], *b = s[i + 1]; /* a->index < b->index when equal */
        size_t alen = strlen(a->name);
        if (strcmp(a->name, b->name) == 0) {
            escape(b->name, shown);
            rc = vt_error_set(-EINVAL, "%s: member %u \"%s\": duplicate name (member %u)", label,
                              b->index, shown, a->index);
        } else if (!a->is_dir && strncmp(a->name, b->name, alen) == 0 && b->name[alen] == '/') {
            escape(b->name, shown);
            escape(a->name, other);
            rc = vt_error_set(-EINVAL,
                              "%s: member %u \"%s\": its parent \"%s\" (member %u) "
                              "is a regular file",
                              label, b->index, shown, other, a->index);
        }
    }
    free(s);
    return rc;
}

/* ---- reading ---- */

typedef struct reader {
    const char *label;
    const unsigned char *mem; /* the archive in memory, or NULL: read fd */
    int fd;
    uint64_t len;       /* archive size (the file's when opened) */
    uint64_t pos;       /* offset of the next byte to be consumed */
    unsigned char *buf; /* read-ahead for fd */
    size_t bpos, blen;
} reader;

typedef struct member {
    unsigned index;
    char shown[4 * (W_PREFIX + 1 + W_NAME) + 1]; /* raw name, escaped for messages */
    char name[W_PREFIX + 1 + W_NAME + 1];        /* normalized */
    uint64_t size;
    unsigned mode;
    bool is_dir;
} member;

/* "<label>: member N "name": why"; name left out when m->shown is empty. */
static int bad(const reader *r, const member *m, int rc, const char *fmt, ...) VT_PRINTF(4, 5);
static int bad(const reader *r, const member *m, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = vt_vasprintf(fmt, ap);
    va_end(ap);
    if (!m)
        vt_error_set(rc, "%s: %s", r->label, why);
    else if (!m->shown[0])
        vt_error_set(rc, "%s: member %u: %s", r->label, m->index, why);
    else
        vt_error_set(rc, "%s: member %u \"%s\": %s", r->label, m->index, m->shown, why);
    free(why);
    return rc;
}

/* Exactly n bytes into dst (NULL: discard them). Running out is a truncated
 * archive; the sizes were checked against r->len, so for a file it means
 * the file shrank while being read. */
static int rd_read(reader *r, const member *m, void *dst, uint64_t n)
{
    if (n > r->len - r->pos)
        return bad(r, m, -EINVAL, "truncated archive: %llu bytes needed, %llu left",
                   (unsigned long long)n, (unsigned long long)(r->len - r->pos));
    if (r->mem) {
        if (dst)
            memcpy(dst, r->mem + r->pos, (size_t)n);
        r->pos += n;
        return 0;
    }
    unsigned char *out = dst;
    while (n > 0) {
        if (r->bpos == r->blen) {
            if (!dst && n >= COPY_CHUNK) {
                /* Skipping a member's data: no need to read it. */
                if (lseek(r->fd, (off_t)n, SEEK_CUR) < 0)
                    return bad(r, m, -errno, "cannot seek: %s", strerror(errno));
                r->pos += n;
                return 0;
            }
            ssize_t got = read(r->fd, r->buf, COPY_CHUNK);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                return bad(r, m, -errno, "cannot read: %s", strerror(errno));
            if (got == 0)
                return bad(r, m, -EINVAL, "truncated archive: the file ended early");
            r->bpos = 0;
            r->blen = (size_t)got;
        }
        size_t k = r->blen - r->bpos;
        if (k > n)
            k = (size_t)n;
        if (out) {
            memcpy(out, r->buf + r->bpos, k);
            out += k;
        }
        r->bpos += k;
        r->pos += k;
        n -= k;
    }
    return 0;
}

static int rd_rewind(reader *r)
{
    r->pos = 0;
    r->bpos = r->blen = 0;
    if (!r->mem && lseek(r->fd, 0, SEEK_SET) < 0)
        return bad(r, NULL, -errno, "cannot seek: %s", strerror(errno));
    return 0;
}

static const char *type_name(unsigned char t)
{
    switch (t) {
    case '1':
        return "hard link";
    case '2':
        return "symbolic link";
    case '3':
        return "character device";
    case '4':
        return "block device";
    case '6':
        return "FIFO";
    case '7':
        return "contiguous file";
    case 'g':
        return "pax global header";
    case 'x':
        return "pax extended header";
    case 'D':
        return "GNU dump directory";
    case 'K':
        return "GNU long link name";
    case 'L':
        return "GNU long name";
    case 'M':
        return "GNU multi-volume continuation";
    case 'S':
        return "GNU sparse file";
    case 'V':
        return "GNU volume label";
    default:
        return "unknown member type";
    }
}

/* Copy a name field up to its NUL; a field holding anything after its NUL
 * is refused, since readers would disagree on what the name is. */
static bool field_string(const unsigned char *f, size_t width, char *out, size_t *len)
{
    size_t n = strnlen((const char *)f, width);
    memcpy(out, f, n);
    out[n] = '\0';
    *len = n;
    for (size_t i = n; i < width; i++)
        if (f[i])
            return false;
    return true;
}

static int parse_header(const reader *r, const unsigned char *h, unsigned index, member *m)
{
    memset(m, 0, sizeof *m);
    m->index = index;
    uint64_t sum;
    if (!parse_octal(h + F_CHKSUM, 8, &sum))
        return bad(r, m, -EINVAL, "header checksum field is not an octal number");
    if (sum != checksum(h))
        return bad(r, m, -EINVAL, "bad header checksum (recorded %llo, computed %o)",
                   (unsigned long long)sum, checksum(h));
    /* GNU tar's default format says "ustar  \0" and uses the prefix field
     * for other things; with short names its headers are otherwise ustar. */
    bool gnu = memcmp(h + F_MAGIC, "ustar  \0", 8) == 0;
    if (!gnu && memcmp(h + F_MAGIC,
                       "ustar\0"
                       "00",
                       8) != 0)
        return bad(r, m, -EINVAL, "not a ustar header");

    char raw[W_PREFIX + 1 + W_NAME + 1];
    size_t plen = 0, nlen;
    bool clean = gnu || field_string(h + F_PREFIX, W_PREFIX, raw, &plen);
    if (plen)
        raw[plen++] = '/';
    clean = field_string(h + F_NAME, W_NAME, raw + plen, &nlen) && clean;
    escape(raw, m->shown);
    if (!clean)
        return bad(r, m, -EINVAL, "name field has bytes after its NUL");

    unsigned char type = h[F_TYPE];
    if (type != '0' && type != '\0' && type != '5') {
        if (type >= 0x20 && type < 0x7f)
            return bad(r, m, -EINVAL,
                       "%s (type '%c') is not allowed, only regular files "
                       "and directories",
                       type_name(type), type);
        return bad(r, m, -EINVAL,
                   "%s (type 0x%02x) is not allowed, only regular files "
                   "and directories",
                   type_name(type), type);
    }
    m->is_dir = type == '5';

    static const struct {
        size_t at, width;
        const char *what;
    } nums[] = {
        {F_MODE, 8, "mode"},  {F_UID, 8, "uid"},      {F_GID, 8, "gid"},
        {F_SIZE, 12, "size"}, {F_MTIME, 12, "mtime"},
    };
    uint64_t v[5];
    for (size_t i = 0; i < 5; i++)
        if (!parse_octal(h + nums[i].at, nums[i].width, &v[i]))
            return bad(r, m, -EINVAL, "%s field is not an octal number", nums[i].what);
    m->mode = (unsigned)(v[0] & 07777);
    m->size = v[3];
    if (m->is_dir && m->size)
        return bad(r, m, -EINVAL, "directory member has %llu bytes of data",
                   (unsigned long long)m->size);

    const char *why = normalize(raw, m->is_dir, m->name);
    if (why)
        return bad(r, m, -EINVAL, "%s", why);
    return 0;
}

static bool is_zero(const unsigned char *h)
{
    for (size_t i = 0; i < BLOCK; i++)
        if (h[i])
            return false;
    return true;
}

/* Called for each member with the reader at the start of its data; may
 * read up to m->size bytes of it. */
typedef int (*member_fn)(reader *r, const member *m, void *ctx);

static int walk(reader *r, member_fn fn, void *ctx)
{
    unsigned char h[BLOCK];
    for (unsigned index = 1;; index++) {
        if (r->pos == r->len)
            return bad(r, NULL, -EINVAL, "truncated archive: no end-of-archive block");
        if (r->len - r->pos < BLOCK)
            return bad(r, NULL, -EINVAL, "truncated archive: partial header block");
        int rc = rd_read(r, NULL, h, BLOCK);
        if (rc < 0)
            return rc;
        /* The first zero block ends the archive, as GNU tar reads it: the
         * second one, and the padding to a record after it, are not
         * needed. */
        if (is_zero(h))
            return 0;
        if (index > VT_TAR_MAX_MEMBERS)
            return bad(r, NULL, -E2BIG, "more than %d members", VT_TAR_MAX_MEMBERS);
        member m;
        rc = parse_header(r, h, index, &m);
        if (rc < 0)
            return rc;
        uint64_t end = r->pos + padded(m.size);
        if (padded(m.size) > r->len - r->pos)
            return bad(r, &m, -EINVAL, "truncated archive: %llu bytes of data, %llu left",
                       (unsigned long long)m.size, (unsigned long long)(r->len - r->pos));
        rc = fn(r, &m, ctx);
        if (rc == 0)
            rc = rd_read(r, &m, NULL, end - r->pos);
        if (rc != 0)
            return rc;
    }
}

/* First pass: every header checked and every name recorded, nothing
 * written. */
typedef struct scan {
    entries names;
    uint64_t total;
    uint64_t max_total;
    const char *want; /* vt_tar_read_member: the member to copy */
    size_t want_max;
    size_t found; /* 1 + its index in names, 0 for none yet */
    char *data;
} scan;

static int scan_member(reader *r, const member *m, void *ctx)
{
    scan *s = ctx;
    s->total += m->size;
    if (s->total > s->max_total)
        return bad(r, m, -EFBIG, "archive holds more than the limit of %llu bytes",
                   (unsigned long long)s->max_total);
    if (!m->name[0])
        return 0; /* "./": the destination itself */
    entries_push(&s->names, m->name, m->size, m->mode, m->index, m->is_dir);
    if (s->want && !s->found && strcmp(m->name, s->want) == 0) {
        s->found = s->names.n;
        if (!m->is_dir && m->size <= s->want_max) {
            s->data = vt_malloc((size_t)m->size + 1);
            s->data[m->size] = '\0';
            return rd_read(r, m, s->data, m->size);
        }
    }
    return 0;
}

static int scan_archive(reader *r, scan *s)
{
    int rc = walk(r, scan_member, s);
    if (rc == 0)
        rc = check_names(&s->names, r->label);
    if (rc < 0) {
        free(s->data);
        s->data = NULL;
    }
    return rc;
}

/* Second pass: write into the destination. Every path below destfd is
 * opened one component at a time without following symlinks, so nothing
 * already there (say a symlink planted in an existing destination) can
 * redirect a write outside it. */
typedef struct extract {
    const char *dest;
    int destfd;
    const entries *names; /* from the first pass, to catch a file that changed */
    size_t next;
    entries made; /* what this call created, to undo it */
    char *buf;
} extract;

static int fs_fail(reader *r, const member *m, const extract *x, const char *what, const char *rel,
                   int e)
{
    return bad(r, m, -e, "cannot %s %s/%s: %s", what, x->dest, rel, strerror(e));
}

/* Open (creating it if missing) the directory rel, whose last component
 * starts at rel + at, inside parent; returns the new descriptor or an
 * error. */
static int open_dir(reader *r, const member *m, extract *x, int parent, const char *rel, size_t at)
{
    const char *leaf = rel + at;
    int fd = openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        if (mkdirat(parent, leaf, 0755) < 0)
            return fs_fail(r, m, x, "create directory", rel, errno);
        entries_push(&x->made, rel, 0, 0, m->index, true);
        fd = openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 && fchmod(fd, 0755) < 0) {
            int e = errno;
            close(fd);
            return fs_fail(r, m, x, "set the mode of", rel, e);
        }
    }
    if (fd < 0) {
        if (errno == ENOTDIR || errno == ELOOP)
            return bad(r, m, -EEXIST, "%s/%s exists and is not a directory", x->dest, rel);
        return fs_fail(r, m, x, "open directory", rel, errno);
    }
    return fd;
}

static int extract_member(reader *r, const member *m, void *ctx)
{
    extract *x = ctx;
    if (!m->name[0])
        return 0;
    const entry *e = x->next < x->names->n ? &x->names->v[x->next] : NULL;
    if (!e || e->index != m->index || e->size != m->size || e->is_dir != m->is_dir ||
        strcmp(e->name, m->name) != 0)
        return bad(r, m, -EINVAL, "the archive changed while being extracted");
    x->next++;

    /* Walk to the parent with rel cut at each '/' in turn. */
    char rel[sizeof m->name];
    strcpy(rel, m->name);
    int dirfd = x->destfd;
    size_t start = 0;
    for (char *slash; (slash = strchr(rel + start, '/'));) {
        *slash = '\0';
        int fd = open_dir(r, m, x, dirfd, rel, start);
        *slash = '/';
        if (dirfd != x->destfd)
            close(dirfd);
        if (fd < 0)
            return fd;
        dirfd = fd;
        start = (size_t)(slash - rel) + 1;
    }
    int rc = 0;
    if (m->is_dir) {
        int fd = open_dir(r, m, x, dirfd, rel, start);
        if (fd < 0)
            rc = fd;
        else
            close(fd);
    } else {
        int fd =
            openat(dirfd, rel + start, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno == EEXIST)
            rc = bad(r, m, -EEXIST, "%s/%s already exists", x->dest, rel);
        else if (fd < 0)
            rc = fs_fail(r, m, x, "create", rel, errno);
        else
            entries_push(&x->made, rel, 0, 0, m->index, false);
        for (uint64_t left = m->size; fd >= 0 && rc == 0 && left > 0;) {
            size_t n = left > COPY_CHUNK ? COPY_CHUNK : (size_t)left;
            rc = rd_read(r, m, x->buf, n);
            for (size_t done = 0; rc == 0 && done < n;) {
                ssize_t w = write(fd, x->buf + done, n - done);
                if (w < 0 && errno != EINTR)
                    rc = fs_fail(r, m, x, "write", rel, errno);
                else if (w > 0)
                    done += (size_t)w;
            }
            left -= n;
        }
        if (fd >= 0 && rc == 0 && fchmod(fd, stored_mode(m->mode)) < 0)
            rc = fs_fail(r, m, x, "set the mode of", rel, errno);
        if (fd >= 0 && close(fd) < 0 && rc == 0)
            rc = fs_fail(r, m, x, "write", rel, errno);
    }
    if (dirfd != x->destfd)
        close(dirfd);
    return rc;
}

/* The shortest leading part of path that does not exist (caller frees), or
 * NULL when path exists: what vt_fs_mkdir_p(path) is about to create. */
static char *first_missing(const char *path)
{
    if (vt_fs_exists(path))
        return NULL;
    char *copy = vt_strdup(path);
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (!vt_fs_exists(copy))
            return copy;
        *p = '/';
    }
    return copy;
}

static void undo(extract *x, const char *top)
{
    /* Keep the reason for the failure over whatever cleaning up reports. */
    char *why = vt_strdup(vt_last_error());
    if (top) {
        vt_fs_remove_tree(top);
    } else {
        for (size_t i = x->made.n; i-- > 0;)
            unlinkat(x->destfd, x->made.v[i].name, x->made.v[i].is_dir ? AT_REMOVEDIR : 0);
    }
    vt_error_set(0, "%s", why);
    free(why);
}

static int extract_archive(reader *r, const char *dest, size_t max_bytes)
{
    if (!dest || !*dest)
        return vt_error_set(-EINVAL, "%s: no destination directory", r->label);
    scan s = {.max_total = max_bytes};
    int rc = scan_archive(r, &s);
    if (rc == 0)
        rc = rd_rewind(r);
    if (rc < 0) {
        entries_free(&s.names);
        return rc;
    }
    char *top = first_missing(dest);
    extract x = {.dest = dest, .destfd = -1, .names = &s.names};
    rc = vt_fs_mkdir_p(dest, 0755);
    if (rc == 0) {
        x.destfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (x.destfd < 0)
            rc = vt_error_set(-errno, "cannot open %s: %s", dest, strerror(errno));
    }
    if (rc == 0) {
        x.buf = vt_malloc(COPY_CHUNK);
        rc = walk(r, extract_member, &x);
        if (rc == 0 && x.next != s.names.n)
            rc = bad(r, NULL, -EINVAL, "the archive changed while being extracted");
    }
    if (rc < 0)
        undo(&x, top);
    if (x.destfd >= 0)
        close(x.destfd);
    free(x.buf);
    free(top);
    entries_free(&x.made);
    entries_free(&s.names);
    return rc;
}

int vt_tar_extract_mem(const void *data, size_t len, const char *dest_dir, size_t max_bytes)
{
    reader r = {.label = "archive", .mem = data, .fd = -1, .len = data ? len : 0};
    if (!data)
        r.mem = (const unsigned char *)"";
    return extract_archive(&r, dest_dir, max_bytes);
}

int vt_tar_extract(const char *archive_path, const char *dest_dir, size_t max_bytes)
{
    /* O_NONBLOCK: a FIFO planted at archive_path must not hang the open. */
    int fd = open(archive_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        return vt_error_set(-e, "cannot read %s: %s", archive_path, strerror(e));
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        rc = vt_error_set(-e, "cannot read %s: %s", archive_path, strerror(e));
    } else if (!S_ISREG(st.st_mode)) {
        rc = vt_error_set(-EINVAL, "cannot read %s: not a regular file", archive_path);
    }
    if (rc == 0) {
        reader r = {.label = archive_path, .fd = fd, .len = (uint64_t)st.st_size};
        r.buf = vt_malloc(COPY_CHUNK);
        rc = extract_archive(&r, dest_dir, max_bytes);
        free(r.buf);
    }
    close(fd);
    return rc;
}

int vt_tar_read_member(const void *data, size_t len, const char *name, size_t max, char **out,
                       size_t *out_len)
{
    char want[VT_TAR_MAX_NAME + 2];
    if (!name || strlen(name) > VT_TAR_MAX_NAME || normalize(name, true, want) || !want[0])
        return vt_error_set(-EINVAL, "archive: \"%s\" is not a member name", name ? name : "");
    reader r = {
        .label = "archive", .mem = data ? data : (const void *)"", .fd = -1, .len = data ? len : 0};
    scan s = {.max_total = UINT64_MAX, .want = want, .want_max = max};
    int rc = scan_archive(&r, &s);
    const entry *e = rc == 0 && s.found ? &s.names.v[s.found - 1] : NULL;
    if (rc == 0 && !e)
        rc = vt_error_set(-ENOENT, "archive: no member \"%s\"", want);
    else if (rc == 0 && e->is_dir)
        rc = vt_error_set(-EISDIR, "archive: member %u \"%s\" is a directory", e->index, want);
    else if (rc == 0 && !s.data)
        rc = vt_error_set(-EFBIG,
                          "archive: member %u \"%s\" is %llu bytes, over the limit "
                          "of %zu",
                          e->index, want, (unsigned long long)e->size, max);
    if (rc == 0) {
        *out = s.data;
        if (out_len)
            *out_len = (size_t)e->size;
    } else {
        free(s.data);
    }
    entries_free(&s.names);
    return rc;
}

int vt_tar_list_mem(const void *data, size_t len, vt_tar_list_fn fn, void *ctx)
{
    reader r = {
        .label = "archive", .mem = data ? data : (const void *)"", .fd = -1, .len = data ? len : 0};
    scan s = {.max_total = UINT64_MAX};
    int rc = scan_archive(&r, &s);
    for (size_t i = 0; rc == 0 && i < s.names.n; i++) {
        const entry *e = &s.names.v[i];
        vt_tar_entry te = {e->name, e->size, e->mode, e->is_dir};
        rc = fn(&te, ctx);
    }
    entries_free(&s.names);
    return rc;
}

/* ---- writing ---- */

struct vt_tar_writer {
    char *path;
    char *tmp;
    int fd;
    int failed; /* a write failed: the temporary file is unusable */
    dev_t dev;  /* the temporary file, kept out of vt_tar_add_tree */
    ino_t ino;
    entries names;
    char *buf;
};

vt_tar_writer *vt_tar_writer_new(const char *path)
{
    if (!path || !*path) {
        vt_error_set(-EINVAL, "cannot write an archive with an empty path");
        return NULL;
    }
    char *tmp = vt_asprintf("%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fchmod(fd, 0644) < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        vt_error_set(-e, "cannot write %s: %s", path, strerror(e));
        return NULL;
    }
    vt_tar_writer *w = vt_calloc(1, sizeof *w);
    w->path = vt_strdup(path);
    w->tmp = tmp;
    w->fd = fd;
    w->dev = st.st_dev;
    w->ino = st.st_ino;
    return w;
}

void vt_tar_writer_destroy(vt_tar_writer **pw)
{
    if (!pw || !*pw)
        return;
    vt_tar_writer *w = *pw;
    if (w->fd >= 0)
        close(w->fd);
    if (w->tmp)
        unlink(w->tmp);
    free(w->tmp);
    free(w->path);
    free(w->buf);
    entries_free(&w->names);
    free(w);
    *pw = NULL;
}

static int w_write(vt_tar_writer *w, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            w->failed = errno;
            return vt_error_set(-w->failed, "cannot write %s: %s", w->path, strerror(w->failed));
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int w_pad(vt_tar_writer *w, uint64_t size)
{
    static const unsigned char zeros[BLOCK];
    return w_write(w, zeros, (size_t)(padded(size) - size));
}

static void put_octal(unsigned char *f, size_t width, uint64_t v)
{
    f[width - 1] = '\0';
    for (size_t i = width - 1; i-- > 0; v >>= 3)
        f[i] = (unsigned char)('0' + (v & 7));
}

/* Why name cannot be stored (NULL if it can); *cut gets the length of the
 * part that goes to the prefix field, 0 when it all fits the name field. */
static const char *check_new_name(const char *name, bool is_dir, size_t *cut)
{
    size_t len = strlen(name);
    char norm[VT_TAR_MAX_NAME + 2];
    *cut = 0;
    if (len + is_dir > VT_TAR_MAX_NAME)
        return "name is too long for ustar";
    const char *why = normalize(name, is_dir, norm);
    if (why)
        return why;
    if (strcmp(norm, name) != 0 || !*norm)
        return "name has '.', empty components or a trailing '/'";
    len += is_dir;
    if (len <= W_NAME)
        return NULL;
    /* The longest prefix that fits leaves the shortest name; the directory's
     * trailing '/' (at len - 1) is never the cut. */
    for (size_t i = len - 2 < W_PREFIX ? len - 2 : W_PREFIX; i > 0 && len - i - 1 <= W_NAME; i--) {
        if (name[i] == '/') {
            *cut = i;
            return NULL;
        }
    }
    return "name cannot be split into ustar's prefix and name fields";
}

/* Check name, write its header, and record it. */
static int w_header(vt_tar_writer *w, const char *name, bool is_dir, unsigned mode, uint64_t size)
{
    if (w->failed)
        return vt_error_set(-w->failed, "cannot write %s: an earlier write failed: %s", w->path,
                            strerror(w->failed));
    if (!name)
        name = "";
    size_t cut;
    const char *why = check_new_name(name, is_dir, &cut);
    if (!why && size > MAX_SIZE)
        why = "over 8 GiB, too large for ustar";
    if (!why && w->names.n >= VT_TAR_MAX_MEMBERS)
        why = "too many members";
    if (why)
        return vt_error_set(-EINVAL, "%s: cannot add \"%s\": %s", w->path, name, why);

    unsigned char h[BLOCK] = {0};
    char full[VT_TAR_MAX_NAME + 2];
    snprintf(full, sizeof full, "%s%s", name, is_dir ? "/" : "");
    size_t len = strlen(full);
    if (cut) {
        memcpy(h + F_PREFIX, full, cut);
        memcpy(h + F_NAME, full + cut + 1, len - cut - 1);
    } else {
        memcpy(h + F_NAME, full, len);
    }
    put_octal(h + F_MODE, 8, is_dir ? 0755 : stored_mode(mode));
    put_octal(h + F_UID, 8, 0);
    put_octal(h + F_GID, 8, 0);
    put_octal(h + F_SIZE, 12, size);
    put_octal(h + F_MTIME, 12, 0);
    h[F_TYPE] = is_dir ? '5' : '0';
    memcpy(h + F_MAGIC,
           "ustar\0"
           "00",
           8);
    put_octal(h + F_DEVMAJOR, 8, 0);
    put_octal(h + F_DEVMINOR, 8, 0);
    /* Six digits, NUL, space: what every tar writes. */
    put_octal(h + F_CHKSUM, 7, checksum(h));
    h[F_CHKSUM + 7] = ' ';
    int rc = w_write(w, h, BLOCK);
    if (rc == 0)
        entries_push(&w->names, name, size, mode, (unsigned)w->names.n + 1, is_dir);
    return rc;
}

int vt_tar_add_data(vt_tar_writer *w, const char *name, const void *data, size_t len, unsigned mode)
{
    int rc = w_header(w, name, false, mode, len);
    if (rc == 0)
        rc = w_write(w, data, len);
    if (rc == 0)
        rc = w_pad(w, len);
    return rc;
}

int vt_tar_add_dir(vt_tar_writer *w, const char *name)
{
    return w_header(w, name, true, 0755, 0);
}

int vt_tar_add_file(vt_tar_writer *w, const char *name, const char *src_path)
{
    int fd = open(src_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        return vt_error_set(-e, "%s: cannot add %s: %s", w->path, src_path, strerror(e));
    }
    struct stat st;
    int e = fstat(fd, &st) < 0 ? errno : S_ISREG(st.st_mode) ? 0 : EINVAL;
    if (e) {
        close(fd);
        return vt_error_set(-e, "%s: cannot add %s: %s", w->path, src_path,
                            e == EINVAL ? "not a regular file" : strerror(e));
    }
    uint64_t size = (uint64_t)st.st_size;
    int rc = w_header(w, name, false, st.st_mode & S_IXUSR ? 0755 : 0644, size);
    if (rc == 0 && !w->buf)
        w->buf = vt_malloc(COPY_CHUNK);
    /* Exactly the size in the header, whatever happens to the file: a file
     * that shrank would otherwise leave the archive misaligned. */
    for (uint64_t left = size; rc == 0 && left > 0;) {
        ssize_t n = read(fd, w->buf, left > COPY_CHUNK ? COPY_CHUNK : (size_t)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            w->failed = n < 0 ? errno : EIO;
            rc = vt_error_set(-w->failed, "%s: cannot add %s: %s", w->path, src_path,
                              n < 0 ? strerror(w->failed) : "it shrank while being read");
            break;
        }
        rc = w_write(w, w->buf, (size_t)n);
        left -= (uint64_t)n;
    }
    if (rc == 0)
        rc = w_pad(w, size);
    close(fd);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir_contents(vt_tar_writer *w, const char *prefix, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return vt_error_set(-errno, "%s: cannot add %s: %s", w->path, dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = vt_realloc(names, cap * sizeof *names);
        }
        names[n++] = vt_strdup(e->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);

    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *src = vt_fs_path_join(dir, names[i]);
        char *name = *prefix ? vt_asprintf("%s/%s", prefix, names[i]) : vt_strdup(names[i]);
        struct stat st;
        if (lstat(src, &st) < 0) {
            rc = vt_error_set(-errno, "%s: cannot add %s: %s", w->path, src, strerror(errno));
        } else if (st.st_dev == w->dev && st.st_ino == w->ino) {
            /* The archive being written, when it is made inside the tree. */
        } else if (S_ISDIR(st.st_mode)) {
            rc = vt_tar_add_dir(w, name);
            if (rc == 0)
                rc = add_dir_contents(w, name, src);
        } else if (S_ISREG(st.st_mode)) {
            rc = vt_tar_add_file(w, name, src);
        } else if (S_ISLNK(st.st_mode)) {
            if (stat(src, &st) < 0)
                rc = vt_error_set(-errno, "%s: cannot add %s: a symbolic link to nothing (%s)",
                                  w->path, src, strerror(errno));
            else if (!S_ISREG(st.st_mode))
                rc = vt_error_set(-EINVAL, "%s: cannot add %s: a symbolic link to %s", w->path, src,
                                  S_ISDIR(st.st_mode) ? "a directory" : "a special file");
            else
                rc = vt_tar_add_file(w, name, src);
        } else {
            rc = vt_error_set(-EINVAL, "%s: cannot add %s: not a regular file or directory",
                              w->path, src);
        }
        free(src);
        free(name);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int vt_tar_add_tree(vt_tar_writer *w, const char *prefix, const char *dir)
{
    if (!prefix)
        prefix = "";
    if (!vt_fs_is_dir(dir))
        return vt_error_set(-ENOTDIR, "%s: cannot add %s: not a directory", w->path, dir);
    int rc = *prefix ? vt_tar_add_dir(w, prefix) : 0;
    return rc < 0 ? rc : add_dir_contents(w, prefix, dir);
}

int vt_tar_writer_finish(vt_tar_writer **pw)
{
    if (!pw || !*pw)
        return vt_error_set(-EINVAL, "no archive to finish");
    vt_tar_writer *w = *pw;
    int rc = 0;
    if (w->failed)
        rc = vt_error_set(-w->failed, "cannot write %s: an earlier write failed: %s", w->path,
                          strerror(w->failed));
    else
        rc = check_names(&w->names, w->path);
    if (rc == 0) {
        static const unsigned char end[2 * BLOCK];
        rc = w_write(w, end, sizeof end);
    }
    if (rc == 0 && fsync(w->fd) < 0)
        rc = vt_error_set(-errno, "cannot write %s: %s", w->path, strerror(errno));
    if (rc == 0) {
        int fd = w->fd;
        w->fd = -1;
        if (close(fd) < 0)
            rc = vt_error_set(-errno, "cannot write %s: %s", w->path, strerror(errno));
    }
    if (rc == 0 && rename(w->tmp, w->path) < 0)
        rc = vt_error_set(-errno, "cannot write %s: %s", w->path, strerror(errno));
    if (rc == 0) {
        free(w->tmp);
        w->tmp = NULL; /* in place: nothing for destroy to remove */
        char *copy = vt_strdup(w->path);
        int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) < 0)
            rc = vt_error_set(-errno, "cannot sync the directory of %s: %s", w->path,
                              strerror(errno));
        if (dfd >= 0)
            close(dfd);
        free(copy);
    }
    vt_tar_writer_destroy(pw);
    return rc;
}
