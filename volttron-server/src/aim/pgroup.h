/* An agent's processes as the kernel sees them, for what the supervisor's
 * own bookkeeping cannot cover: the processes an agent started (its process
 * group, which every agent leads), and the copies a platform that died left
 * running, found again through a pid file per running instance.
 *
 * A pid alone names nothing for long: the kernel reuses it. A stamp adds
 * the process's start time and the boot it started in, so a pid file from a
 * dead platform is trusted only while that very process, or the group it
 * led, still lives. Linux only (/proc). */
#ifndef VT_AIM_PGROUP_H
#define VT_AIM_PGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct vt_proc_stamp {
    pid_t pid;                /* also the process group it leads; 0: none */
    unsigned long long start; /* clock ticks after boot (/proc/<pid>/stat) */
    char boot[40];            /* /proc/sys/kernel/random/boot_id */
} vt_proc_stamp;

/* Stamp pid, a process that exists (a zombie will do). 0 or a negative
 * errno. */
int vt_proc_stamp_of(pid_t pid, vt_proc_stamp *out);

/* The pid file: "<pid> <start> <boot>\n", written atomically. */
int vt_pidfile_write(const char *path, const vt_proc_stamp *st);
/* -ENOENT if there is none, -EINVAL if it does not read as one. */
int vt_pidfile_read(const char *path, vt_proc_stamp *out);

/* Live processes (zombies do not count) of the group leader led: in process
 * group leader->pid, started in the same boot and no earlier than it. If
 * that pid now names another process, the group is another one too (the
 * kernel does not reuse a pid while a group holds it): 0. Left open: the
 * leader gone, its pid reused, and the new owner's own group left behind
 * after it, a chain this check would take for the agent's.
 * Without /proc, whether kill(-pid, 0) finds anyone. */
int vt_pgroup_live(const vt_proc_stamp *leader);

/* Stop n groups and wait for them, blocking: SIGTERM to the live ones, up
 * to grace_ms, then SIGKILL, up to 1 s more. How many still live. */
size_t vt_pgroup_stop(const vt_proc_stamp *groups, size_t n, int64_t grace_ms);

#endif
