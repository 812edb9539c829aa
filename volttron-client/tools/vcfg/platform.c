/* Is a platform running; starting and stopping one for the installs. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/mem.h>

#include "platform.h"
#include "proc.h"

#define POLL_MS 100
#define TERM_TIMEOUT_MS 10000

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* The pid in home/VOLTTRON_PID, or 0. */
static pid_t read_pid(const char *home)
{
    char *path = vt_fs_path_join(home, "VOLTTRON_PID");
    char *text = NULL;
    int rc = vt_fs_read_file(path, 64, &text, NULL);
    free(path);
    if (rc < 0) {
        vt_error_clear();
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    while (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')
        end++;
    bool ok = errno == 0 && end != text && *end == '\0' && v > 0 && v <= INT_MAX;
    free(text);
    return ok ? (pid_t)v : 0;
}

static bool alive(pid_t pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

bool vcfg_platform_running(const char *home)
{
    return alive(read_pid(home));
}

/* Wait up to ms for our child to exit: true if it did (reaped). */
static bool wait_exit(pid_t pid, int ms, int *status)
{
    for (int waited = 0;; waited += POLL_MS) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid || (w < 0 && errno == ECHILD))
            return true;
        if (waited >= ms)
            return false;
        sleep_ms(POLL_MS);
    }
}

/* SIGTERM, then SIGKILL: true if it needed no SIGKILL. */
static bool terminate(pid_t pid)
{
    int status;
    kill(pid, SIGTERM);
    if (wait_exit(pid, TERM_TIMEOUT_MS, &status))
        return true;
    kill(pid, SIGKILL);
    wait_exit(pid, TERM_TIMEOUT_MS, &status);
    return false;
}

int vcfg_platform_start(const char *volttron, const char *home, bool allow_root, pid_t *out)
{
    char *log = vt_fs_path_join(home, "volttron.cfg.log");
    char *argv[] = {(char *)volttron,
                    (char *)"-v",
                    (char *)"-v",
                    (char *)"-l",
                    log,
                    allow_root ? (char *)"--allow-root" : NULL,
                    NULL};
    pid_t pid = vcfg_spawn(argv, log);
    if (pid < 0) {
        free(log);
        return pid;
    }
    int rc = 0, status;
    for (int waited = 0;; waited += POLL_MS) {
        if (wait_exit(pid, 0, &status)) {
            rc = vt_error_set(-ECHILD,
                              "the platform exited (status %d) before it was running; "
                              "see %s",
                              WIFEXITED(status) ? WEXITSTATUS(status) : -1, log);
            break;
        }
        if (read_pid(home) == pid)
            break;
        if (waited >= VCFG_START_TIMEOUT_MS) {
            terminate(pid);
            rc = vt_error_set(-ETIMEDOUT, "the platform was not running after %d seconds; see %s",
                              VCFG_START_TIMEOUT_MS / 1000, log);
            break;
        }
        sleep_ms(POLL_MS);
    }
    free(log);
    if (rc == 0)
        *out = pid;
    return rc;
}

int vcfg_platform_stop(const char *vctl, bool allow_root, pid_t pid)
{
    vt_buf err;
    vt_buf_init(&err);
    int rc = -ENOENT;
    if (vctl) {
        char *argv[5];
        size_t n = 0;
        argv[n++] = (char *)vctl;
        if (allow_root)
            argv[n++] = (char *)"--allow-root";
        argv[n++] = (char *)"shutdown";
        argv[n++] = (char *)"--platform";
        argv[n] = NULL;
        rc = vcfg_run(argv, NULL, &err, VCFG_STOP_TIMEOUT_MS);
        if (rc > 0)
            vt_error_set(-EIO, "vctl shutdown --platform failed (exit %d): %s", rc,
                         err.data ? err.data : "");
    }
    vt_buf_free(&err);
    int status;
    if (rc == 0 && wait_exit(pid, VCFG_STOP_TIMEOUT_MS, &status))
        return 0;
    if (rc == 0)
        vt_error_set(-ETIMEDOUT, "the platform did not stop within %d seconds",
                     VCFG_STOP_TIMEOUT_MS / 1000);
    char *why = vt_strdup(vt_last_error());
    bool polite = terminate(pid);
    rc = vt_error_set(-EIO, "%s; the platform was stopped with %s", why,
                      polite ? "SIGTERM" : "SIGKILL");
    free(why);
    return rc;
}
