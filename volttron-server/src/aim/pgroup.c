/* Process groups and pid files, from /proc. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/time.h>

#include "pgroup.h"

#define POLL_MS 10
#define KILL_WAIT_MS 1000

/* What /proc/<pid>/stat says of a process that matters here. */
typedef struct pstat {
    char state;
    pid_t pgrp;
    unsigned long long start;
} pstat;

static int read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n;
    while ((n = read(fd, buf, size - 1)) < 0 && errno == EINTR)
        ;
    int e = errno;
    close(fd);
    if (n < 0)
        return -e;
    buf[n] = '\0';
    return 0;
}

static int read_stat(pid_t pid, pstat *out)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    int rc = read_small(path, buf, sizeof buf);
    if (rc < 0)
        return rc;
    /* the command name, in parentheses, may hold spaces and parentheses */
    char *p = strrchr(buf, ')');
    if (!p)
        return -EINVAL;
    /* fields from 3 (state) on; 5 is the group, 22 the start time */
    int field = 3;
    char *save = NULL;
    bool have_start = false;
    for (char *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        if (field == 3)
            out->state = tok[0];
        else if (field == 5)
            out->pgrp = (pid_t)strtol(tok, NULL, 10);
        else if (field == 22) {
            out->start = strtoull(tok, NULL, 10);
            have_start = true;
            break;
        }
        field++;
    }
    return have_start ? 0 : -EINVAL;
}

static int read_boot(char boot[40])
{
    char buf[64];
    int rc = read_small("/proc/sys/kernel/random/boot_id", buf, sizeof buf);
    if (rc < 0)
        return rc;
    size_t n = strcspn(buf, "\n");
    if (n >= 40)
        return -EINVAL;
    memcpy(boot, buf, n);
    boot[n] = '\0';
    return 0;
}

int vt_proc_stamp_of(pid_t pid, vt_proc_stamp *out)
{
    pstat ps;
    int rc = read_stat(pid, &ps);
    if (rc == 0)
        rc = read_boot(out->boot);
    if (rc < 0)
        return vt_error_set(rc, "cannot read process %ld in /proc: %s", (long)pid, strerror(-rc));
    out->pid = pid;
    out->start = ps.start;
    return 0;
}

int vt_pidfile_write(const char *path, const vt_proc_stamp *st)
{
    char text[128];
    int n = snprintf(text, sizeof text, "%ld %llu %s\n", (long)st->pid, st->start, st->boot);
    return vt_fs_write_atomic(path, text, (size_t)n, 0644);
}

int vt_pidfile_read(const char *path, vt_proc_stamp *out)
{
    char buf[128];
    int rc = read_small(path, buf, sizeof buf);
    if (rc < 0)
        return vt_error_set(rc, "%s: %s", path, strerror(-rc));
    long pid;
    char boot[40];
    if (sscanf(buf, "%ld %llu %39s", &pid, &out->start, boot) != 3 || pid <= 1)
        return vt_error_set(-EINVAL, "%s: not a pid file of ours", path);
    out->pid = (pid_t)pid;
    snprintf(out->boot, sizeof out->boot, "%s", boot);
    return 0;
}

static bool is_live(const pstat *ps)
{
    return ps->state != 'Z' && ps->state != 'X';
}

/* Live members of group pgid started at or after start. */
static int count_members(pid_t pgid, unsigned long long start)
{
    DIR *d = opendir("/proc");
    if (!d)
        return kill(-pgid, 0) == 0 ? 1 : 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        pstat ps;
        if (read_stat((pid_t)strtol(de->d_name, NULL, 10), &ps) == 0 && ps.pgrp == pgid &&
            ps.start >= start && is_live(&ps))
            n++;
    }
    closedir(d);
    return n;
}

int vt_pgroup_live(const vt_proc_stamp *leader)
{
    if (leader->pid <= 0)
        return 0;
    char boot[40];
    if (read_boot(boot) < 0)
        return kill(-leader->pid, 0) == 0 ? 1 : 0;
    if (strcmp(boot, leader->boot) != 0)
        return 0; /* a previous boot's: gone with it */
    pstat ps;
    if (read_stat(leader->pid, &ps) == 0 && ps.start != leader->start)
        return 0; /* the pid is someone else's now, and so is any group it names */
    return count_members(leader->pid, leader->start);
}

/* Signal the live groups; how many there were. */
static size_t signal_live(const vt_proc_stamp *groups, size_t n, int sig)
{
    size_t live = 0;
    for (size_t i = 0; i < n; i++) {
        if (vt_pgroup_live(&groups[i]) > 0) {
            kill(-groups[i].pid, sig);
            live++;
        }
    }
    return live;
}

static size_t count_live(const vt_proc_stamp *groups, size_t n)
{
    size_t live = 0;
    for (size_t i = 0; i < n; i++)
        live += vt_pgroup_live(&groups[i]) > 0;
    return live;
}

static size_t wait_gone(const vt_proc_stamp *groups, size_t n, int64_t ms)
{
    int64_t until = vt_time_monotonic_ms() + ms;
    size_t live;
    while ((live = count_live(groups, n)) > 0 && vt_time_monotonic_ms() < until)
        usleep(POLL_MS * 1000);
    return live;
}

size_t vt_pgroup_stop(const vt_proc_stamp *groups, size_t n, int64_t grace_ms)
{
    if (signal_live(groups, n, SIGTERM) == 0)
        return 0;
    if (wait_gone(groups, n, grace_ms) == 0)
        return 0;
    signal_live(groups, n, SIGKILL);
    return wait_gone(groups, n, KILL_WAIT_MS);
}
