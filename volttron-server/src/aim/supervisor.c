/* Agent processes: spawn, watch, restart, stop. An agent is its process
 * group: it is stopped, and counted as gone, when the group is. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <volttron/client/keys.h>
#include <volttron/client/package.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/log.h>
#include <volttron/utils/map.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/time.h>

#include "launch.h"
#include "output.h"
#include "pgroup.h"
#include "supervisor.h"

#define LOG "volttron.agents"
#define SHUTDOWN_GRACE_MAX_MS 10000
#define REAP_POLL_MS 250
/* How often a group whose main process is gone is looked at in /proc. */
#define GROUP_POLL_MS 100
/* A previous platform's copy got SIGTERM when that platform died: this is
 * what is left of its chance to stop cleanly. */
#define LEFTOVER_GRACE_MAX_MS 2000

extern char **environ;

typedef struct waiter {
    vt_stop_fn fn;
    void *ctx;
    struct waiter *next;
} waiter;

typedef struct proc {
    vt_supervisor *s;
    char *identity;
    char *pidfile; /* home/run/agents/<identity>.pid while its group lives */
    pid_t pid;     /* the main process while it runs, else 0 */
    /* The group while any of it is left. The main process is not reaped
     * until then, so its pid, the group's id, cannot be reused meanwhile. */
    vt_proc_stamp group;
    int pidfd; /* -1 without pidfd support: polled instead */
    vt_timer *poll_timer;
    vt_timer *group_timer; /* while the main process is gone and the group is not */
    vt_output *out, *err;
    vt_output_budget *budget; /* the two outputs', across restarts */
    bool exited;
    int code;
    int64_t started_ms;
    int restarts; /* in a row, since the last long run or manual start */
    vt_timer *restart_timer;
    vt_timer *stop_timer;
    int stop_stage; /* signals sent so far: 1 SIGINT, 2 SIGTERM, 3 SIGKILL */
    bool stopping;
    waiter *waiters;
} proc;

struct vt_supervisor {
    vt_loop *loop;
    vt_supervisor_options o;
    char *run_dir; /* home/run/agents: the pid files */
    vt_map *procs; /* identity -> proc */
    vt_agent_event_fn event_fn;
    void *event_ctx;
};

static void event(vt_supervisor *s, const char *identity, vt_agent_event ev, int detail)
{
    if (s->event_fn)
        s->event_fn(identity, ev, detail, s->event_ctx);
}

static void notify_waiters(proc *p, int rc)
{
    waiter *w = p->waiters;
    p->waiters = NULL;
    while (w) {
        waiter *next = w->next;
        w->fn(rc, w->ctx);
        free(w);
        w = next;
    }
}

static void cancel(vt_supervisor *s, vt_timer **t)
{
    if (*t) {
        vt_timer_cancel(s->loop, *t);
        *t = NULL;
    }
}

static void signal_group(proc *p, int sig)
{
    /* never kill(0) or kill(-0): that would be the platform's own group */
    if ((p->group.pid <= 0 || kill(-p->group.pid, sig) < 0) && p->pid > 0)
        kill(p->pid, sig);
}

/* ---- exits ---- */

static int spawn(proc *p, const vt_instance *inst);
static void escalate(vt_loop *loop, vt_timer *timer, void *ctx);

static void restart_now(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    proc *p = ctx;
    p->restart_timer = NULL;
    vt_instance inst;
    if (vt_instances_find(p->s->o.home, p->identity, &inst) < 0) {
        vt_log_warning(LOG, "%s not restarted: it is no longer installed", p->identity);
        return;
    }
    if (spawn(p, &inst) < 0)
        vt_log_error(LOG, "%s not restarted: %s", p->identity, vt_last_error());
    vt_instance_clear(&inst);
}

/* A crash: try again later, or give up at the limit. */
static void after_crash(proc *p)
{
    vt_supervisor *s = p->s;
    if (vt_time_monotonic_ms() - p->started_ms >= s->o.restart_backoff_max_ms)
        p->restarts = 0; /* it ran well for a while: a fresh series */
    if (p->restarts >= s->o.restart_limit) {
        vt_log_error(LOG,
                     "%s exited with code %d and has crashed %d times in a row: not "
                     "restarting it again (vctl start %s to try again)",
                     p->identity, p->code, p->restarts + 1, p->identity);
        event(s, p->identity, VT_AGENT_GAVE_UP, p->code);
        return;
    }
    int64_t delay = s->o.restart_backoff_ms;
    for (int i = 0; i < p->restarts && delay < s->o.restart_backoff_max_ms; i++)
        delay *= 2;
    if (delay > s->o.restart_backoff_max_ms)
        delay = s->o.restart_backoff_max_ms;
    p->restarts++;
    vt_log_warning(LOG, "%s exited with code %d: restarting it in %lld ms (attempt %d of %d)",
                   p->identity, p->code, (long long)delay, p->restarts, s->o.restart_limit);
    p->restart_timer = vt_loop_after(s->loop, delay, restart_now, p);
}

static void unwatch(proc *p)
{
    vt_supervisor *s = p->s;
    if (p->pidfd >= 0) {
        vt_loop_remove_fd(s->loop, p->pidfd);
        close(p->pidfd);
        p->pidfd = -1;
    }
    cancel(s, &p->poll_timer);
}

/* Reap the main process, held as a zombie until now, and forget the group
 * (its pid file stays when some of it may live: the next start checks). */
static void release_group(proc *p, bool gone)
{
    vt_supervisor *s = p->s;
    cancel(s, &p->group_timer);
    cancel(s, &p->stop_timer);
    if (p->pid <= 0 && p->group.pid > 0)
        while (waitpid(p->group.pid, NULL, WNOHANG) < 0 && errno == EINTR)
            ;
    if (gone)
        unlink(p->pidfile);
    memset(&p->group, 0, sizeof p->group);
    p->stop_stage = 0;
}

/* Nothing of the agent is left: a stop is done, a crash is handled. */
static void finish(proc *p)
{
    release_group(p, true);
    if (p->stopping) {
        p->stopping = false;
        notify_waiters(p, 0);
    } else if (p->code != 0) {
        after_crash(p); /* exit code 0 is a deliberate stop, as VOLTTRON reads it */
    }
}

static void on_group_poll(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    proc *p = ctx;
    if (vt_pgroup_live(&p->group) == 0)
        finish(p);
}

/* The main process is gone and n processes it started are not: they get
 * SIGTERM (unless a stop already sent it) and SIGKILL a stop timeout later. */
static void linger(proc *p, int n)
{
    vt_supervisor *s = p->s;
    if (p->stop_stage < 2) {
        vt_log_warning(LOG, "%s: %d process%s left in its group: sending SIGTERM", p->identity, n,
                       n == 1 ? "" : "es");
        signal_group(p, SIGTERM);
        p->stop_stage = 2;
        cancel(s, &p->stop_timer);
    }
    if (!p->stop_timer)
        p->stop_timer = vt_loop_after(s->loop, s->o.stop_timeout_ms, escalate, p);
    if (!p->group_timer)
        p->group_timer = vt_loop_every(s->loop, GROUP_POLL_MS, GROUP_POLL_MS, on_group_poll, p);
}

static void main_exited(proc *p, int code)
{
    vt_supervisor *s = p->s;
    unwatch(p);
    p->code = code;
    p->exited = true;
    vt_log(p->code == 0 || p->stopping ? VT_LOG_INFO : VT_LOG_WARNING, LOG,
           "%s (pid %ld) exited with code %d", p->identity, (long)p->pid, p->code);
    p->pid = 0;
    event(s, p->identity, VT_AGENT_EXITED, p->code);
    int left = vt_pgroup_live(&p->group);
    if (left > 0)
        linger(p, left);
    else
        finish(p);
}

/* Whether the main process has exited (then handled). Its status is read
 * without reaping it: release_group does, once the group is gone. */
static bool check_exit(proc *p)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int code;
    if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
        if (errno == EINTR)
            return false;
        code = -1; /* not ours to wait for any more: count it gone */
    } else if (si.si_pid == 0) {
        return false;
    } else {
        code = si.si_code == CLD_EXITED ? si.si_status : -si.si_status;
    }
    main_exited(p, code);
    return true;
}

static void on_pidfd(vt_loop *loop, int fd, unsigned events, void *ctx)
{
    (void)loop;
    (void)fd;
    (void)events;
    check_exit(ctx);
}

static void on_poll(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    check_exit(ctx);
}

static void watch(proc *p)
{
    vt_supervisor *s = p->s;
#ifdef SYS_pidfd_open
    p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
#else
    p->pidfd = -1;
#endif
    if (p->pidfd >= 0) {
        fcntl(p->pidfd, F_SETFD, FD_CLOEXEC);
        vt_loop_add_fd(s->loop, p->pidfd, VT_LOOP_READ, on_pidfd, p);
    } else {
        /* kernels before 5.3 */
        p->poll_timer = vt_loop_every(s->loop, REAP_POLL_MS, REAP_POLL_MS, on_poll, p);
    }
}

/* ---- what earlier runs left ---- */

static char *pidfile_path(const vt_supervisor *s, const char *identity)
{
    char *name = vt_asprintf("%s.pid", identity);
    char *path = vt_fs_path_join(s->run_dir, name);
    free(name);
    return path;
}

/* "<identity>" of ".../<identity>.pid", for messages. */
static int id_len(const char *path, const char **id)
{
    const char *slash = strrchr(path, '/');
    *id = slash ? slash + 1 : path;
    size_t n = strlen(*id);
    return (int)(n > 4 ? n - 4 : n);
}

/* Stop, together, the copies these pid files name that still run (a dead
 * platform's agents, or a group that resisted SIGKILL before), so that no
 * identity ever runs twice; remove the files of those gone. How many
 * resist. */
static size_t stop_leftovers(vt_supervisor *s, char *const *paths, size_t n)
{
    vt_proc_stamp *st = vt_calloc(n ? n : 1, sizeof *st);
    const char *id;
    for (size_t i = 0; i < n; i++) {
        if (vt_pidfile_read(paths[i], &st[i]) < 0 || vt_pgroup_live(&st[i]) == 0) {
            memset(&st[i], 0, sizeof st[i]);
            continue;
        }
        int len = id_len(paths[i], &id);
        vt_log_warning(LOG,
                       "%.*s: a copy left by a previous platform still runs (pid %ld): "
                       "stopping it",
                       len, id, (long)st[i].pid);
    }
    int64_t grace =
        s->o.stop_timeout_ms < LEFTOVER_GRACE_MAX_MS ? s->o.stop_timeout_ms : LEFTOVER_GRACE_MAX_MS;
    size_t resisting = vt_pgroup_stop(st, n, grace);
    for (size_t i = 0; i < n; i++) {
        if (vt_pgroup_live(&st[i]) == 0) {
            unlink(paths[i]);
            continue;
        }
        int len = id_len(paths[i], &id);
        vt_log_error(LOG,
                     "%.*s: the copy left by a previous platform (process group %ld) "
                     "survives SIGKILL: no other copy starts while it lives",
                     len, id, (long)st[i].pid);
    }
    free(st);
    return resisting;
}

/* At the platform's start: everything its predecessor's agents left. */
static void sweep_leftovers(vt_supervisor *s)
{
    DIR *d = opendir(s->run_dir);
    if (!d)
        return;
    char **paths = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len <= 4 || strcmp(de->d_name + len - 4, ".pid") != 0)
            continue;
        paths = vt_realloc(paths, (n + 1) * sizeof *paths);
        paths[n++] = vt_fs_path_join(s->run_dir, de->d_name);
    }
    closedir(d);
    stop_leftovers(s, paths, n);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

/* ---- starting ---- */

typedef struct envb {
    char **v;
    size_t n, cap;
} envb;

static void env_add(envb *e, char *entry)
{
    if (e->n + 2 > e->cap) {
        e->cap = e->cap ? e->cap * 2 : 64;
        e->v = vt_realloc(e->v, e->cap * sizeof *e->v);
    }
    e->v[e->n++] = entry;
    e->v[e->n] = NULL;
}

static void env_free(envb *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i]);
    free(e->v);
}

/* The names this platform sets for each agent: never inherited. */
static bool ours(const char *entry)
{
    static const char *const names[] = {
        "AGENT_VIP_IDENTITY=", "AGENT_UUID=",
        "AGENT_CONFIG=",       "AGENT_TAG=",
        "AGENT_DATA_DIR=",     "AGENT_PUBLICKEY=",
        "AGENT_SECRETKEY=",    "VOLTTRON_SERVERKEY=",
        "VOLTTRON_VIP_ADDR=",  "_LAUNCHED_BY_PLATFORM=",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strncmp(entry, names[i], strlen(names[i])) == 0)
            return true;
    return false;
}

static void build_env(envb *e, const vt_supervisor *s, const vt_instance *inst, const char *config,
                      const char *data, const vt_keypair *keys)
{
    for (char **p = environ; p && *p; p++)
        if (!ours(*p))
            env_add(e, vt_strdup(*p));
    env_add(e, vt_asprintf("AGENT_VIP_IDENTITY=%s", inst->identity));
    env_add(e, vt_asprintf("AGENT_UUID=%s", inst->uuid));
    if (config)
        env_add(e, vt_asprintf("AGENT_CONFIG=%s", config));
    if (inst->tag)
        env_add(e, vt_asprintf("AGENT_TAG=%s", inst->tag));
    env_add(e, vt_asprintf("AGENT_DATA_DIR=%s", data));
    env_add(e, vt_asprintf("VOLTTRON_VIP_ADDR=%s", s->o.vip_address));
    env_add(e, vt_strdup("_LAUNCHED_BY_PLATFORM=1"));
    if (s->o.serverkey) {
        env_add(e, vt_asprintf("VOLTTRON_SERVERKEY=%s", s->o.serverkey));
        env_add(e, vt_asprintf("AGENT_PUBLICKEY=%s", keys->public_key));
        env_add(e, vt_asprintf("AGENT_SECRETKEY=%s", keys->secret_key));
    }
}

/* The group just started: stamped, and its pid file written, so that a
 * platform started after this one dies can tell it from a reused pid. */
static void record_group(proc *p)
{
    p->group = (vt_proc_stamp){.pid = p->pid};
    if (vt_proc_stamp_of(p->pid, &p->group) < 0 || vt_pidfile_write(p->pidfile, &p->group) < 0)
        vt_log_warning(LOG,
                       "%s: no pid file (%s): a platform started after a crash of this "
                       "one could not find it",
                       p->identity, vt_last_error());
}

static int spawn(proc *p, const vt_instance *inst)
{
    vt_supervisor *s = p->s;
    if (stop_leftovers(s, &p->pidfile, 1) > 0)
        return vt_error_set(-EBUSY,
                            "a copy of %s left running by a previous platform does "
                            "not stop: not starting another",
                            p->identity);
    char *pkg_dir = vt_instance_package_dir(s->o.home, inst);
    vt_package pkg;
    int rc = vt_package_load(pkg_dir, &pkg);
    if (rc < 0) {
        free(pkg_dir);
        return rc;
    }
    char *exe = vt_fs_path_join(pkg_dir, pkg.executable);
    vt_package_clear(&pkg);
    free(pkg_dir);
    char *config = vt_fs_path_join(inst->dir, "config");
    char *data = vt_fs_path_join(inst->dir, "data");
    char *ks = vt_fs_path_join(inst->dir, "keystore.json");
    vt_keypair keys;
    int fds[2][2] = {{-1, -1}, {-1, -1}};
    envb env = {0};
    rc = vt_fs_mkdir_p(data, 0755);
    if (rc == 0)
        rc = vt_keystore_load_or_create(ks, &keys);
    if (rc == 0 && (pipe2(fds[0], O_CLOEXEC) < 0 || pipe2(fds[1], O_CLOEXEC) < 0))
        rc = vt_error_set(-errno, "pipe: %s", strerror(errno));
    if (rc == 0) {
        build_env(&env, s, inst, vt_fs_is_file(config) ? config : NULL, data, &keys);
        vt_launch l = {
            .exe = exe, .cwd = data, .envp = env.v, .out_fd = fds[0][1], .err_fd = fds[1][1]};
        rc = vt_launch_spawn(&l, &p->pid);
    }
    for (int i = 0; i < 2; i++)
        if (fds[i][1] >= 0)
            close(fds[i][1]);
    if (rc == 0) {
        vt_output_destroy(&p->out); /* what the previous run left */
        vt_output_destroy(&p->err);
        p->out = vt_output_new(s->loop, fds[0][0], inst->identity, false, p->budget);
        p->err = vt_output_new(s->loop, fds[1][0], inst->identity, true, p->budget);
        p->exited = false;
        p->code = 0;
        p->started_ms = vt_time_monotonic_ms();
        record_group(p);
        watch(p);
        vt_log_info(LOG, "started %s (pid %ld): %s", inst->identity, (long)p->pid, exe);
        event(s, inst->identity, VT_AGENT_STARTED, (int)p->pid);
    } else {
        for (int i = 0; i < 2; i++)
            if (fds[i][0] >= 0)
                close(fds[i][0]);
        p->pid = 0;
    }
    env_free(&env);
    free(exe);
    free(config);
    free(data);
    free(ks);
    return rc;
}

static void proc_free(void *v)
{
    proc *p = v;
    vt_supervisor *s = p->s;
    unwatch(p);
    cancel(s, &p->restart_timer);
    /* a group that outlived the shutdown keeps its pid file: the next
     * platform stops it */
    release_group(p, false);
    vt_output_destroy(&p->out);
    vt_output_destroy(&p->err);
    vt_output_budget_destroy(&p->budget);
    notify_waiters(p, 0);
    free(p->pidfile);
    free(p->identity);
    free(p);
}

static proc *get(vt_supervisor *s, const char *identity, bool create)
{
    proc *p = vt_map_get(s->procs, identity);
    if (!p && create) {
        p = vt_calloc(1, sizeof *p);
        p->s = s;
        p->identity = vt_strdup(identity);
        p->pidfile = pidfile_path(s, identity);
        p->pidfd = -1;
        p->budget = vt_output_budget_new(s->loop, identity, &s->o.output_limits);
        vt_map_set(s->procs, identity, p);
    }
    return p;
}

int vt_supervisor_start(vt_supervisor *s, const vt_instance *inst)
{
    proc *p = get(s, inst->identity, true);
    if (p->pid > 0)
        return vt_error_set(-EALREADY, "agent is already running");
    if (p->group.pid > 0)
        return vt_error_set(-EBUSY, "agent is still stopping: processes it started are "
                                    "being stopped");
    cancel(s, &p->restart_timer);
    p->restarts = 0; /* someone asked: a fresh series of attempts */
    return spawn(p, inst);
}

/* ---- stopping ---- */

/* A stop's next step, a stop timeout after the last: the main process
 * gets SIGINT, SIGTERM, SIGKILL; once it is gone, what is left of its
 * group gets SIGTERM then SIGKILL (linger). */
static void escalate(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    proc *p = ctx;
    vt_supervisor *s = p->s;
    p->stop_timer = NULL;
    if (p->pid > 0 && check_exit(p))
        return;
    if (p->pid <= 0 && vt_pgroup_live(&p->group) == 0) {
        finish(p);
        return;
    }
    const char *what = p->pid > 0 ? "" : ": processes left in its group";
    if (p->stop_stage == 1) {
        vt_log_warning(LOG, "%s%s did not stop on SIGINT: sending SIGTERM", p->identity, what);
        signal_group(p, SIGTERM);
    } else if (p->stop_stage == 2) {
        vt_log_warning(LOG, "%s%s did not stop on SIGTERM: sending SIGKILL", p->identity, what);
        signal_group(p, SIGKILL);
    } else {
        vt_log_error(LOG, "%s (pid %ld)%s: process is unresponsive", p->identity,
                     (long)p->group.pid, what);
        p->stopping = false;
        if (p->pid <= 0)
            release_group(p, false); /* its pid file names it for the next start */
        notify_waiters(p, vt_error_set(-ETIMEDOUT, "process is unresponsive"));
        return;
    }
    p->stop_stage++;
    p->stop_timer = vt_loop_after(s->loop, s->o.stop_timeout_ms, escalate, p);
}

void vt_supervisor_stop(vt_supervisor *s, const char *identity, vt_stop_fn done, void *ctx)
{
    proc *p = get(s, identity, false);
    if (p)
        cancel(s, &p->restart_timer);
    if (!p || (p->pid <= 0 && p->group.pid <= 0)) {
        if (done)
            done(0, ctx);
        return;
    }
    if (done) {
        waiter *w = vt_calloc(1, sizeof *w);
        w->fn = done;
        w->ctx = ctx;
        w->next = p->waiters;
        p->waiters = w;
    }
    if (p->stopping)
        return;
    p->stopping = true;
    if (p->pid <= 0)
        return; /* only its group is left, and already being stopped (linger) */
    p->stop_stage = 1;
    vt_log_info(LOG, "stopping %s (pid %ld)", identity, (long)p->pid);
    signal_group(p, SIGINT);
    p->stop_timer = vt_loop_after(s->loop, s->o.stop_timeout_ms, escalate, p);
}

static bool any_running(vt_supervisor *s)
{
    size_t cursor = 0;
    void *v;
    while (vt_map_next(s->procs, &cursor, NULL, &v))
        if (((proc *)v)->pid > 0 || ((proc *)v)->group.pid > 0)
            return true;
    return false;
}

static void signal_all(vt_supervisor *s, int sig)
{
    size_t cursor = 0;
    void *v;
    while (vt_map_next(s->procs, &cursor, NULL, &v)) {
        proc *p = v;
        cancel(s, &p->restart_timer);
        if (p->pid > 0 || p->group.pid > 0) {
            p->stopping = true;
            cancel(s, &p->stop_timer);
            signal_group(p, sig);
        }
    }
}

static void wait_all(vt_supervisor *s, int64_t ms)
{
    int64_t deadline = vt_time_monotonic_ms() + ms;
    while (any_running(s)) {
        int64_t left = deadline - vt_time_monotonic_ms();
        if (left <= 0)
            break;
        vt_loop_run_once(s->loop, (int)(left < 100 ? left : 100));
    }
}

void vt_supervisor_shutdown(vt_supervisor *s)
{
    if (!any_running(s))
        return;
    signal_all(s, SIGINT);
    int64_t grace = s->o.stop_timeout_ms;
    wait_all(s, grace < SHUTDOWN_GRACE_MAX_MS ? grace : SHUTDOWN_GRACE_MAX_MS);
    if (any_running(s)) {
        vt_log_warning(LOG, "agents still running after SIGINT: sending SIGKILL");
        signal_all(s, SIGKILL);
        wait_all(s, 2000);
    }
}

/* ---- status ---- */

bool vt_supervisor_status(vt_supervisor *s, const char *identity, pid_t *pid, bool *exited,
                          int *code)
{
    proc *p = get(s, identity, false);
    if (!p || (p->pid <= 0 && !p->exited))
        return false;
    *pid = p->pid;
    *exited = p->pid <= 0 && p->exited;
    *code = p->code;
    return true;
}

bool vt_supervisor_running(vt_supervisor *s, const char *identity)
{
    proc *p = get(s, identity, false);
    return p && p->pid > 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **vt_supervisor_known(vt_supervisor *s, size_t *n)
{
    char **out = vt_calloc(vt_map_size(s->procs) + 1, sizeof *out);
    *n = 0;
    size_t cursor = 0;
    const char *key;
    void *v;
    while (vt_map_next(s->procs, &cursor, &key, &v)) {
        proc *p = v;
        if (p->pid > 0 || p->exited)
            out[(*n)++] = vt_strdup(key);
    }
    qsort(out, *n, sizeof *out, cmp_str);
    return out;
}

void vt_supervisor_clear(vt_supervisor *s, bool all)
{
    size_t n;
    char **ids = vt_supervisor_known(s, &n);
    for (size_t i = 0; i < n; i++) {
        proc *p = get(s, ids[i], false);
        bool gone = true;
        if (!all) {
            vt_instance inst;
            gone = vt_instances_find(s->o.home, ids[i], &inst) < 0;
            if (!gone)
                vt_instance_clear(&inst);
        }
        if (p && p->pid <= 0 && p->group.pid <= 0 && !p->restart_timer && gone)
            vt_map_remove(s->procs, ids[i]);
        free(ids[i]);
    }
    free(ids);
}

/* ---- life ---- */

vt_supervisor *vt_supervisor_new(vt_loop *loop, const vt_supervisor_options *o)
{
    vt_supervisor *s = vt_calloc(1, sizeof *s);
    s->loop = loop;
    s->o = *o;
    s->o.home = vt_strdup(o->home);
    s->o.vip_address = vt_strdup(o->vip_address);
    s->o.serverkey = o->serverkey ? vt_strdup(o->serverkey) : NULL;
    s->run_dir = vt_asprintf("%s/run/agents", s->o.home);
    if (vt_fs_mkdir_p(s->run_dir, 0755) < 0)
        vt_log_warning(LOG, "%s", vt_last_error());
    s->procs = vt_map_new(proc_free);
    sweep_leftovers(s);
    return s;
}

void vt_supervisor_on_event(vt_supervisor *s, vt_agent_event_fn fn, void *ctx)
{
    s->event_fn = fn;
    s->event_ctx = ctx;
}

void vt_supervisor_destroy(vt_supervisor **sp)
{
    if (!sp || !*sp)
        return;
    vt_supervisor *s = *sp;
    vt_supervisor_shutdown(s);
    s->event_fn = NULL;
    vt_map_destroy(&s->procs);
    free((char *)s->o.home);
    free((char *)s->o.vip_address);
    free((char *)s->o.serverkey);
    free(s->run_dir);
    free(s);
    *sp = NULL;
}
