/* Finding and running vctl and volttron. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "proc.h"

extern char **environ;

/* ---- finding programs ------------------------------------------------ */

static char *own_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    return vt_strdup(buf[0] ? buf : "/");
}

static bool is_program(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *vcfg_find_program(const char *name)
{
    char *dir = own_dir();
    if (dir) {
        char *path = vt_fs_path_join(dir, name);
        free(dir);
        if (is_program(path))
            return path;
        free(path);
    }
    const char *search = getenv("PATH");
    if (!search || !*search)
        search = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = search;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char *d = len ? vt_strndup(p, len) : vt_strdup(".");
        char *path = vt_fs_path_join(d, name);
        free(d);
        if (is_program(path))
            return path;
        free(path);
        if (!colon)
            break;
        p = colon + 1;
    }
    vt_error_set(-ENOENT, "cannot find the %s program (looked next to vcfg and in $PATH)", name);
    return NULL;
}

/* ---- running them ---------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *vcfg_command_line(char *const argv[])
{
    vt_buf b;
    vt_buf_init(&b);
    for (size_t i = 0; argv[i]; i++) {
        if (i)
            vt_buf_append_char(&b, ' ');
        if (argv[i][0] && !strpbrk(argv[i], " \t\n'\"\\$`*?"))
            vt_buf_append_str(&b, argv[i]);
        else
            vt_buf_appendf(&b, "'%s'", argv[i]);
    }
    return vt_buf_detach(&b, NULL);
}

/* -v: every command vcfg runs, as VOLTTRON's vcfg echoes them. */
static void log_command(char *const argv[])
{
    if (!vt_log_enabled(VT_LOG_DEBUG))
        return;
    char *line = vcfg_command_line(argv);
    vt_log_debug("vcfg", "running: %s", line);
    free(line);
}

/* Read what is there on *fd into b (if any); close it at the end. */
static void drain(int *fd, vt_buf *b)
{
    char chunk[4096];
    ssize_t n = read(*fd, chunk, sizeof chunk);
    if (n > 0) {
        if (b)
            vt_buf_append(b, chunk, (size_t)n);
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(*fd);
        *fd = -1;
    }
}

static int exit_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int vcfg_run(char *const argv[], vt_buf *out, vt_buf *err, int timeout_ms)
{
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) < 0)
        return vt_error_set(-errno, "pipe: %s", strerror(errno));
    if (pipe2(pe, O_CLOEXEC) < 0) {
        int e = errno;
        close(po[0]);
        close(po[1]);
        return vt_error_set(-e, "pipe: %s", strerror(e));
    }
    log_command(argv);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        close(po[0]);
        close(pe[0]);
        return vt_error_set(-rc, "cannot run %s: %s", argv[0], strerror(rc));
    }

    int64_t deadline = now_ms() + timeout_ms;
    int fds[2] = {po[0], pe[0]};
    int status = 0;
    bool reaped = false, timed_out = false;
    while (!timed_out && (fds[0] >= 0 || fds[1] >= 0 || !reaped)) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        if (fds[0] < 0 && fds[1] < 0) {
            /* Output closed: wait for the exit, politely polling. */
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid)
                reaped = true;
            else if (w < 0 && errno != EINTR)
                break;
            else
                nanosleep(&(struct timespec){0, 20 * 1000000}, NULL);
            continue;
        }
        struct pollfd pfd[2] = {{.fd = fds[0], .events = POLLIN}, {.fd = fds[1], .events = POLLIN}};
        int n = poll(pfd, 2, left > INT_MAX ? INT_MAX : (int)left);
        if (n < 0 && errno != EINTR)
            break;
        if (n <= 0)
            continue;
        if (fds[0] >= 0 && pfd[0].revents)
            drain(&fds[0], out);
        if (fds[1] >= 0 && pfd[1].revents)
            drain(&fds[1], err);
    }
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    if (!reaped) {
        if (timed_out)
            kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    if (timed_out)
        return vt_error_set(-ETIMEDOUT, "%s did not finish within %d seconds", argv[0],
                            timeout_ms / 1000);
    return exit_status(status);
}

pid_t vcfg_spawn(char *const argv[], const char *log_path)
{
    log_command(argv);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return vt_error_set(-rc, "cannot run %s: %s", argv[0], strerror(rc));
    return pid;
}
