/* Without authentication the local socket is still only the platform
 * user's: the abstract ipc address has no file permissions, so the router
 * checks the peer's credentials (SO_PEERCRED, as libzmq reports them) and
 * refuses another user's process. Needs root (to become another user);
 * skipped otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zmq.h>

#include <volttron/client/client.h>

#include "fixture.h"
#include "run.h"
#include "testutil.h"

#define NOBODY 65534

/* In a child that became nobody: ask control to shut the platform down.
 * Exit 0 if told "Permission denied", 1 for any other answer, 2 for none. */
static int intruder(const char *address)
{
    if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
        return 3;
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0, timeo = 3000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeo, sizeof timeo);
    zmq_setsockopt(s, ZMQ_ROUTING_ID, "intruder", 8);
    vt_address a;
    if (vt_address_parse(address, &a) < 0 || zmq_connect(s, a.endpoint) < 0)
        return 4;
    const char *call = "{\"jsonrpc\": \"2.0\", \"id\": \"1\", \"method\": \"shutdown\", "
                       "\"params\": []}";
    const char *frames[] = {"control", "VIP1", "", "m1", "RPC", call};
    for (int i = 0; i < 6; i++)
        zmq_send(s, frames[i], strlen(frames[i]), i < 5 ? ZMQ_SNDMORE : 0);
    char f[8][512];
    int n = 0, more = 1;
    while (more && n < 8) {
        int len = zmq_recv(s, f[n], sizeof f[n] - 1, 0);
        if (len < 0)
            return n ? 1 : 2;
        f[n][len < (int)sizeof f[n] - 1 ? len : (int)sizeof f[n] - 1] = '\0';
        n++;
        size_t sz = sizeof more;
        zmq_getsockopt(s, ZMQ_RCVMORE, &more, &sz);
    }
    /* [sender "", "VIP1", user, id, "error", errno, text, ...] */
    int rc = n >= 7 && strcmp(f[4], "error") == 0 && strstr(f[6], "Permission denied") ? 0 : 1;
    zmq_close(s);
    zmq_ctx_term(ctx);
    return rc;
}

static vt_fx *fx;

static void teardown(void)
{
    vt_fx_destroy(&fx);
}

START_TEST(test_another_user_cannot_use_the_local_socket)
{
    fx = vt_fx_start(false, NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(intruder(fx->ipc));
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "another user's process was not refused with a reason (exit %d)",
                  WEXITSTATUS(status));
    /* the platform is still up and serves its own user */
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(vt_fx_vctl(fx, &out, &err, "status", NULL), 0);
    free(out);
    free(err);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("no_auth_local_user_only");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_another_user_cannot_use_the_local_socket);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (geteuid() != 0) {
        printf("SKIP: becoming another user needs root\n");
        return 77;
    }
    return vt_test_run(suite());
}
