/* fork and exec by hand: posix_spawn cannot ask for a parent-death signal. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <volttron/utils/error.h>

#include "launch.h"

/* What the child could not do before exec, told through a pipe. */
enum step {
    STEP_PGROUP,
    STEP_PDEATHSIG,
    STEP_STDIO,
    STEP_CHDIR,
    STEP_EXEC
};

static const char *const step_names[] = {
    [STEP_PGROUP] = "give it its own process group",
    [STEP_PDEATHSIG] = "tie it to the platform's life",
    [STEP_STDIO] = "set up its stdin, stdout and stderr",
    [STEP_CHDIR] = "enter its directory",
    [STEP_EXEC] = "execute it",
};

typedef struct failure {
    int step;
    int err;
} failure;

/* Everything the child needs, prepared before fork. */
typedef struct child_args {
    const vt_launch *l;
    char *const *argv;
    int devnull;
    int report; /* write end, close-on-exec: EOF means exec worked */
    pid_t parent;
    long max_fd; /* for kernels without close_range */
    struct sigaction dfl;
    sigset_t none;
} child_args;

static _Noreturn void fail(const child_args *c, enum step step)
{
    failure f = {step, errno};
    ssize_t w = write(c->report, &f, sizeof f);
    (void)w;
    _exit(127);
}

/* No descriptor of the platform's reaches the agent; the report pipe closes
 * itself at exec. */
static void close_others(const child_args *c)
{
#ifdef SYS_close_range
    if ((c->report == 3 || syscall(SYS_close_range, 3u, (unsigned)c->report - 1, 0u) == 0) &&
        syscall(SYS_close_range, (unsigned)c->report + 1, ~0u, 0u) == 0)
        return;
#endif
    for (long fd = 3; fd < c->max_fd; fd++)
        if (fd != c->report)
            close((int)fd);
}

/* Between fork and exec, in a copy of a threaded process: async-signal-safe
 * calls only. */
static _Noreturn void child(const child_args *c)
{
    /* SIGKILL, SIGSTOP and the C library's own signals refuse: fine */
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &c->dfl, NULL);
    if (setpgid(0, 0) < 0)
        fail(c, STEP_PGROUP);
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
        fail(c, STEP_PDEATHSIG);
    /* The platform may have died before prctl: then no signal would come. */
    if (getppid() != c->parent)
        _exit(127);
    if (dup2(c->devnull, 0) < 0 || dup2(c->l->out_fd, 1) < 0 || dup2(c->l->err_fd, 2) < 0)
        fail(c, STEP_STDIO);
    if (chdir(c->l->cwd) < 0)
        fail(c, STEP_CHDIR);
    close_others(c);
    /* last: what was blocked since fork now meets the default actions */
    sigprocmask(SIG_SETMASK, &c->none, NULL);
    execve(c->l->exe, c->argv, c->l->envp);
    fail(c, STEP_EXEC);
}

/* The child's report: 0 if it ran, else its failure (the child reaped). */
static int await_exec(const vt_launch *l, pid_t pid, int report)
{
    failure f;
    ssize_t n;
    while ((n = read(report, &f, sizeof f)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof f)
        return 0;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return vt_error_set(-f.err, "cannot run %s: cannot %s: %s", l->exe, step_names[f.step],
                        strerror(f.err));
}

int vt_launch_spawn(const vt_launch *l, pid_t *pid)
{
    char *argv[] = {(char *)l->exe, NULL};
    child_args c = {.l = l, .argv = argv, .parent = getpid(), .max_fd = sysconf(_SC_OPEN_MAX)};
    c.dfl.sa_handler = SIG_DFL;
    sigemptyset(&c.dfl.sa_mask);
    sigemptyset(&c.none);
    int report[2] = {-1, -1};
    c.devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (c.devnull < 0 || pipe2(report, O_CLOEXEC) < 0) {
        int e = errno;
        if (c.devnull >= 0)
            close(c.devnull);
        return vt_error_set(-e, "cannot run %s: %s", l->exe, strerror(e));
    }
    c.report = report[1];
    /* No handler of the platform's may run in the child: it would write to
     * the platform's signal pipe. The child unblocks once they are reset. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t child_pid = fork();
    if (child_pid == 0)
        child(&c);
    int fork_err = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(report[1]);
    close(c.devnull);
    int rc = 0;
    if (child_pid < 0) {
        rc = vt_error_set(-fork_err, "cannot run %s: fork: %s", l->exe, strerror(fork_err));
    } else {
        /* the child does the same: whichever runs first, the group exists
         * when this returns (after exec this fails harmlessly) */
        setpgid(child_pid, child_pid);
        rc = await_exec(l, child_pid, report[0]);
    }
    close(report[0]);
    if (rc == 0)
        *pid = child_pid;
    return rc;
}
