#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include <volttron/client/client.h>

#include "run.h"

/* Read both pipes to their end (a full pipe must not stall the child) and
 * feed stdin. */
static void pump(int in_fd, const char *in, int out_fd, int err_fd, vt_buf *out, vt_buf *err)
{
    size_t in_left = in ? strlen(in) : 0;
    if (in_fd >= 0 && !in_left) {
        close(in_fd);
        in_fd = -1;
    }
    while (out_fd >= 0 || err_fd >= 0 || in_fd >= 0) {
        struct pollfd p[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {in_fd, POLLOUT, 0}};
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        int *fds[2] = {&out_fd, &err_fd};
        vt_buf *bufs[2] = {out, err};
        for (int i = 0; i < 2; i++) {
            if (*fds[i] < 0 || !p[i].revents)
                continue;
            char chunk[65536];
            ssize_t n = read(*fds[i], chunk, sizeof chunk);
            if (n > 0) {
                vt_buf_append(bufs[i], chunk, (size_t)n);
            } else if (n == 0 || errno != EINTR) {
                close(*fds[i]);
                *fds[i] = -1;
            }
        }
        if (in_fd >= 0 && p[2].revents) {
            ssize_t n = write(in_fd, in, in_left);
            if (n > 0) {
                in += n;
                in_left -= (size_t)n;
            }
            if (n < 0 || in_left == 0) {
                close(in_fd);
                in_fd = -1;
            }
        }
    }
}

int vt_run(const char *const *argv, const char *const *env, const char *stdin_text, char **out,
           char **err)
{
    int o[2], e[2], i[2];
    ck_assert_int_eq(pipe(o), 0);
    ck_assert_int_eq(pipe(e), 0);
    ck_assert_int_eq(pipe(i), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(i[0], 0);
        dup2(o[1], 1);
        dup2(e[1], 2);
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
        for (const char *const *x = env; x && *x; x++)
            putenv((char *)*x);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(o[1]);
    close(e[1]);
    close(i[0]);
    signal(SIGPIPE, SIG_IGN);
    vt_buf bo, be;
    vt_buf_init(&bo);
    vt_buf_init(&be);
    pump(i[1], stdin_text, o[0], e[0], &bo, &be);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    vt_buf_append(&bo, "", 0);
    vt_buf_append(&be, "", 0);
    char *so = vt_buf_detach(&bo, NULL), *se = vt_buf_detach(&be, NULL);
    if (out)
        *out = so;
    else
        free(so);
    if (err)
        *err = se;
    else
        free(se);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int vctl_v(vt_fx *fx, const char *stdin_text, char **out, char **err, va_list ap)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = vt_fx_program("VT_VCTL");
    argv[n++] = "--allow-root";
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 63)
        argv[n++] = a;
    argv[n] = NULL;
    char *home = vt_asprintf("VOLTTRON_HOME=%s", fx->home);
    const char *env[] = {home, NULL};
    int rc = vt_run(argv, env, stdin_text, out, err);
    free(home);
    return rc;
}

int vt_fx_vctl(vt_fx *fx, char **out, char **err, ...)
{
    va_list ap;
    va_start(ap, err);
    int rc = vctl_v(fx, NULL, out, err, ap);
    va_end(ap);
    return rc;
}

int vt_fx_vctl_in(vt_fx *fx, const char *stdin_text, char **out, char **err, ...)
{
    va_list ap;
    va_start(ap, err);
    int rc = vctl_v(fx, stdin_text, out, err, ap);
    va_end(ap);
    return rc;
}

void vt_fx_store_config(vt_fx *fx, const char *identity, const char *name, const char *text,
                        const char *type)
{
    char *path = vt_asprintf("%s/store.tmp", fx->home);
    ck_assert_int_eq(vt_fs_write_atomic(path, text, strlen(text), 0644), 0);
    char *out = NULL, *err = NULL;
    int rc = vt_fx_vctl(fx, &out, &err, "config", "store", identity, name, path, type, NULL);
    ck_assert_msg(rc == 0, "vctl config store %s %s: exit %d\n%s%s", identity, name, rc, out, err);
    free(out);
    free(err);
    free(path);
}
