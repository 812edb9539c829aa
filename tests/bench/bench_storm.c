/* Connection storms: how long the platform takes to admit N peers that
 * connect at once (CURVE handshake, ZAP, hello, welcome), what it holds
 * while they are connected, and what it gives back after they leave;
 * beside the same storm against a bare libzmq ROUTER with CURVE that only
 * answers each hello (the floor). Prints figures; never fails.
 *
 *   bench_storm [peers]       (default 2000)
 *
 * The peers are DEALER sockets in this process, sharing one key: the
 * platform's auth entry for "storm" admits the identities storm.1 ..
 * storm.N (dotted sub-identities). One more agent, "watcher", follows the
 * peer list, as the platform's own services do: it is told of every add
 * and drop; the N storm peers, which never asked, are told nothing. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zmq.h>

#include "authorize.h"
#include "bench_common.h"

static int N = 2000;

typedef struct storm {
    void *ctx;
    void **socks;
    int welcomed;
    int64_t start_us, admitted_us;
} storm;

static void raise_fd_limit(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

static void set_key(void *s, int option, const char *text)
{
    char z[41];
    vt_keys_to_z85(text, z);
    zmq_setsockopt(s, option, z, 40);
}

/* N sockets connect at once and say hello; admitted when every one has its
 * welcome (or after 180 s). */
static int run_storm(storm *st, const char *address, const char *serverkey, const vt_keypair *keys)
{
    st->ctx = zmq_ctx_new();
    zmq_ctx_set(st->ctx, ZMQ_MAX_SOCKETS, N + 64);
    zmq_ctx_set(st->ctx, ZMQ_IO_THREADS, 2);
    st->socks = calloc((size_t)N, sizeof *st->socks);
    st->welcomed = 0;
    st->start_us = bench_now_us();
    for (int i = 0; i < N; i++) {
        void *s = zmq_socket(st->ctx, ZMQ_DEALER);
        if (!s) {
            fprintf(stderr, "bench_storm: socket %d: %s\n", i, zmq_strerror(errno));
            return -1;
        }
        char id[32];
        snprintf(id, sizeof id, "storm.%d", i + 1);
        int linger = 0;
        zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id));
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
        set_key(s, ZMQ_CURVE_SERVERKEY, serverkey);
        set_key(s, ZMQ_CURVE_PUBLICKEY, keys->public_key);
        set_key(s, ZMQ_CURVE_SECRETKEY, keys->secret_key);
        zmq_connect(s, address);
        /* queued until the connection is up */
        const char *hello[] = {"", "VIP1", "", "h", "hello", "hello"};
        for (int f = 0; f < 6; f++)
            zmq_send(s, hello[f], strlen(hello[f]), f < 5 ? ZMQ_SNDMORE : 0);
        st->socks[i] = s;
    }
    /* In order, each with what is left of the deadline: the others keep
     * connecting meanwhile on libzmq's threads, so this costs O(N), not
     * a poll over every socket per welcome. */
    int64_t deadline = bench_now_us() + 180 * 1000000LL;
    for (int i = 0; i < N; i++) {
        int left = (int)((deadline - bench_now_us()) / 1000);
        if (left <= 0)
            break;
        zmq_setsockopt(st->socks[i], ZMQ_RCVTIMEO, &left, sizeof left);
        int more = 1;
        bool got = false;
        while (more) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, st->socks[i], 0) < 0) {
                zmq_msg_close(&m);
                break;
            }
            got = true;
            more = zmq_msg_more(&m);
            zmq_msg_close(&m);
        }
        st->welcomed += got;
    }
    st->admitted_us = bench_now_us();
    return st->welcomed == N ? 0 : -1;
}

static void end_storm(storm *st)
{
    for (int i = 0; i < N; i++)
        if (st->socks[i])
            zmq_close(st->socks[i]);
    zmq_ctx_term(st->ctx);
    free(st->socks);
}

/* ---- the floor: a bare ROUTER with CURVE, answering hellos ---- */

static void bare_router(const char *address, const vt_keypair *server, int ready_fd)
{
    void *ctx = zmq_ctx_new();
    void *r = zmq_socket(ctx, ZMQ_ROUTER);
    int one = 1;
    int backlog = 1024; /* as the platform's: the floor is not the SYN backlog */
    zmq_setsockopt(r, ZMQ_BACKLOG, &backlog, sizeof backlog);
    zmq_setsockopt(r, ZMQ_CURVE_SERVER, &one, sizeof one);
    set_key(r, ZMQ_CURVE_SECRETKEY, server->secret_key);
    zmq_bind(r, address);
    ssize_t w = write(ready_fd, "r", 1);
    (void)w;
    for (;;) {
        zmq_msg_t f[8];
        int n = 0, more = 1;
        while (more) {
            zmq_msg_t *m = &f[n < 7 ? n : 7];
            zmq_msg_init(m);
            if (zmq_msg_recv(m, r, 0) < 0)
                _exit(0);
            more = zmq_msg_more(m);
            if (n < 7)
                n++;
            else
                zmq_msg_close(m);
        }
        /* [id, "", VIP1, user, msgid, hello, hello] -> welcome */
        const char *reply[] = {"", "VIP1", "", "h", "hello", "welcome", "1.0", "router", "x"};
        zmq_msg_send(&f[0], r, ZMQ_SNDMORE);
        for (int i = 0; i < 9; i++)
            zmq_send(r, reply[i], strlen(reply[i]), i < 8 ? ZMQ_SNDMORE : 0);
        for (int i = 1; i < n; i++)
            zmq_msg_close(&f[i]);
    }
}

static void report(const char *what, const storm *st, long rss0, long rss_peak, long rss_after)
{
    double s = (double)(st->admitted_us - st->start_us) / 1e6;
    printf("%-28s %5d peers admitted in %6.2f s (%6.0f/s); RSS %6.1f MiB idle, %6.1f MiB "
           "with them (%5.1f KiB each), %6.1f MiB after they left\n",
           what, st->welcomed, s, st->welcomed / s, rss0 / 1024.0, rss_peak / 1024.0,
           (double)(rss_peak - rss0) / st->welcomed, rss_after / 1024.0);
}

/* CPU seconds a process has used (user + system). */
static double cpu_s(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    unsigned long ut = 0, st = 0;
    if (f) {
        int n = fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
        (void)n;
        fclose(f);
    }
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long settle_rss(pid_t pid, int ms)
{
    usleep((useconds_t)ms * 1000);
    return bench_rss_kb(pid);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        N = atoi(argv[1]);
    raise_fd_limit();
    signal(SIGPIPE, SIG_IGN);
    vt_keypair storm_keys;
    vt_keys_generate(&storm_keys);

    /* The floor. */
    vt_keypair server;
    vt_keys_generate(&server);
    char bare[64];
    snprintf(bare, sizeof bare, "tcp://127.0.0.1:%d", bench_free_port());
    int pipefd[2];
    if (pipe(pipefd) < 0)
        return 0;
    pid_t bare_pid = fork();
    if (bare_pid == 0) {
        close(pipefd[0]);
        bare_router(bare, &server, pipefd[1]);
        _exit(0);
    }
    char c;
    if (read(pipefd[0], &c, 1) != 1)
        return 0;
    long b0 = settle_rss(bare_pid, 200);
    storm st;
    double bc = cpu_s(bare_pid);
    run_storm(&st, bare, server.public_key, &storm_keys);
    bc = cpu_s(bare_pid) - bc;
    long b1 = bench_rss_kb(bare_pid);
    end_storm(&st);
    long b2 = settle_rss(bare_pid, 3000);
    report("bare libzmq ROUTER (CURVE)", &st, b0, b1, b2);
    double bare_s = (double)(st.admitted_us - st.start_us) / 1e6;
    kill(bare_pid, SIGKILL);
    waitpid(bare_pid, NULL, 0);

    /* The platform. */
    bench_platform p;
    if (bench_platform_start(&p, true) < 0) {
        fprintf(stderr, "bench_storm: the platform did not start\n");
        return 0;
    }
    vt_test_authorize(p.home, "storm", &storm_keys, NULL);
    vt_loop *loop = vt_loop_new();
    vt_agent *watcher = bench_agent(&p, "watcher", loop, NULL);
    long p0 = settle_rss(p.pid, 500);
    double pc = cpu_s(p.pid);
    int rc = run_storm(&st, p.tcp, p.serverkey, &storm_keys);
    pc = cpu_s(p.pid) - pc;
    /* the watcher hears of every one of them */
    vt_loop_run_once(loop, 10);
    long p1 = bench_rss_kb(p.pid);
    int64_t t0 = bench_now_us();
    end_storm(&st);
    /* wait until the platform has dropped them all */
    char **peers = NULL;
    int n = 0;
    do {
        free(peers);
        peers = NULL;
        n = vt_peerlist_list_sync(watcher, 5000, &peers);
    } while (n > 10 && bench_now_us() - t0 < 60 * 1000000LL);
    double drop_s = (double)(bench_now_us() - t0) / 1e6;
    free(peers);
    long p2 = settle_rss(p.pid, 3000);
    report(rc == 0 ? "platform (CURVE, ZAP, hello)" : "platform (INCOMPLETE)", &st, p0, p1, p2);
    printf("%-28s all %d dropped %.2f s after they closed; %d peers left\n", "", N, drop_s, n);
    printf("%-28s CPU used admitting them: bare ROUTER %.2f s, platform %.2f s (%.2f ms a "
           "peer)\n",
           "", bc, pc, pc * 1000 / N);
    printf("ratio: admission %.2fx the bare ROUTER's time; memory held per peer %.2fx; "
           "after the storm %+.1f MiB over idle (bare: %+.1f MiB)\n",
           (double)(st.admitted_us - st.start_us) / 1e6 / bare_s,
           (double)(p1 - p0) / (double)(b1 - b0), (p2 - p0) / 1024.0, (b2 - b0) / 1024.0);
    vt_agent_destroy(&watcher);
    vt_loop_destroy(&loop);
    bench_platform_stop(&p);
    return 0;
}
