/* VIP benchmarks: pubsub throughput through the platform against a raw
 * libzmq DEALER -> ROUTER -> DEALER forwarder moving the same frames, RPC
 * round trips, connect + hello, and memory. Prints figures; never fails.
 *
 *   bench_vip [messages]      (default 1,000,000)
 *
 * Every role runs in its own process, as in a deployment: publisher,
 * router (or the platform), subscribers. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zmq.h>

#include "bench_common.h"

#define TOPIC "devices/campus/building/device/all"
#define HEADERS                                                                                    \
    "{\"Date\": \"2024-05-01T12:00:00.000000+00:00\", \"TimeStamp\": "                             \
    "\"2024-05-01T12:00:00.000000+00:00\"}"
#define QUIET_MS 3000

static long N;

typedef struct result {
    long received;
    int64_t first_us, last_us;
} result;

typedef struct figures {
    double rate; /* messages delivered per second, all subscribers together */
    long lost;
} figures;

static void write_all(int fd, const void *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return;
        p = (const char *)p + w;
        n -= (size_t)w;
    }
}

static int read_all(int fd, void *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return -1;
        p = (char *)p + r;
        n -= (size_t)r;
    }
    return 0;
}

static figures collect(int *fds, int nsubs, pid_t *pids)
{
    figures f = {0, 0};
    int64_t first = INT64_MAX, last = 0;
    long total = 0;
    for (int i = 0; i < nsubs; i++) {
        result r = {0, 0, 0};
        read_all(fds[i], &r, sizeof r);
        close(fds[i]);
        waitpid(pids[i], NULL, 0);
        total += r.received;
        if (r.received) {
            if (r.first_us < first)
                first = r.first_us;
            if (r.last_us > last)
                last = r.last_us;
        }
    }
    f.lost = N * nsubs - total;
    f.rate = last > first ? (double)total * 1e6 / (double)(last - first) : 0;
    return f;
}

/* ---------------- the reference: a raw forwarder ---------------- */

static char ref_server_pub[41], ref_server_sec[41];

static void curve_client(void *s)
{
    char pub[41], sec[41];
    zmq_curve_keypair(pub, sec);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, ref_server_pub, 40);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub, 40);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec, 40);
}

/* The router: [sender, recipient, VIP1, user, id, subsystem, args...] in;
 * to every registered subscriber [sub, sender, VIP1, sender, id, ...] out. */
static void ref_router(const char *ep, bool curve, int nsubs, int ready_fd)
{
    void *ctx = zmq_ctx_new();
    void *r = zmq_socket(ctx, ZMQ_ROUTER);
    int hwm = 6000, one = 1;
    zmq_setsockopt(r, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(r, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (curve) {
        zmq_setsockopt(r, ZMQ_CURVE_SERVER, &one, sizeof one);
        zmq_setsockopt(r, ZMQ_CURVE_SECRETKEY, ref_server_sec, 40);
    }
    zmq_bind(r, ep);
    char subs[16][16];
    int known = 0;
    zmq_msg_t f[16];
    for (;;) {
        size_t n = 0;
        int more = 1;
        while (more && n < 16) {
            zmq_msg_init(&f[n]);
            if (zmq_msg_recv(&f[n], r, 0) < 0)
                goto out;
            more = zmq_msg_more(&f[n]);
            n++;
        }
        if (n == 2 && known < nsubs) { /* a subscriber says it is there */
            snprintf(subs[known++], 16, "%.*s", (int)zmq_msg_size(&f[0]),
                     (char *)zmq_msg_data(&f[0]));
            if (known == nsubs)
                write_all(ready_fd, "r", 1);
        } else if (n == 2) {
            for (size_t i = 0; i < n; i++)
                zmq_msg_close(&f[i]);
            break; /* the publisher's "done" */
        } else {
            for (int s = 0; s < known; s++) {
                zmq_send(r, subs[s], strlen(subs[s]), ZMQ_SNDMORE);
                for (size_t i = 0; i < n; i++) {
                    zmq_msg_t c;
                    zmq_msg_init(&c);
                    /* the swap: sender frame first, user-id = sender */
                    zmq_msg_copy(&c, i == 1 || i == 3 ? &f[0] : &f[i]);
                    if (i == 0)
                        continue;
                    zmq_msg_send(&c, r, i + 1 < n ? ZMQ_SNDMORE : 0);
                }
            }
        }
        for (size_t i = 0; i < n; i++)
            zmq_msg_close(&f[i]);
    }
out:
    zmq_close(r);
    zmq_ctx_term(ctx);
}

static void ref_subscriber(const char *ep, bool curve, int index, int out_fd)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    char id[16];
    snprintf(id, sizeof id, "sub%d", index);
    int hwm = 6000;
    zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id));
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (curve)
        curve_client(s);
    zmq_connect(s, ep);
    zmq_send(s, "here", 4, 0);
    result r = {0, 0, 0};
    zmq_msg_t m;
    zmq_msg_init(&m);
    int timeout = QUIET_MS;
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    while (r.received < N) {
        if (zmq_msg_recv(&m, s, 0) < 0)
            break;
        if (!zmq_msg_more(&m)) {
            int64_t now = bench_now_us();
            if (!r.received)
                r.first_us = now;
            r.last_us = now;
            r.received++;
        }
    }
    zmq_msg_close(&m);
    write_all(out_fd, &r, sizeof r);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(s);
    zmq_ctx_term(ctx);
}

static figures run_reference(bool curve, int nsubs)
{
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", bench_free_port());
    zmq_curve_keypair(ref_server_pub, ref_server_sec);
    int ready[2];
    if (pipe(ready) < 0)
        return (figures){0, 0};
    pid_t router = fork();
    if (router == 0) {
        ref_router(ep, curve, nsubs, ready[1]);
        _exit(0);
    }
    int fds[16];
    pid_t pids[16];
    for (int i = 0; i < nsubs; i++) {
        int p[2];
        if (pipe(p) < 0)
            return (figures){0, 0};
        pids[i] = fork();
        if (pids[i] == 0) {
            ref_subscriber(ep, curve, i, p[1]);
            _exit(0);
        }
        close(p[1]);
        fds[i] = p[0];
    }
    char c;
    read_all(ready[0], &c, 1);

    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_DEALER);
    zmq_setsockopt(pub, ZMQ_ROUTING_ID, "pub", 3);
    if (curve)
        curve_client(pub);
    zmq_connect(pub, ep);
    const char *payload = bench_payload();
    char body[4096];
    int blen = snprintf(body, sizeof body, "{\"bus\": \"\", \"headers\": %s, \"message\": %s}",
                        HEADERS, payload);
    for (long i = 0; i < N; i++) {
        zmq_send(pub, "sub", 3, ZMQ_SNDMORE);
        zmq_send(pub, "VIP1", 4, ZMQ_SNDMORE);
        zmq_send(pub, "", 0, ZMQ_SNDMORE);
        zmq_send(pub, "", 0, ZMQ_SNDMORE);
        zmq_send(pub, "pubsub", 6, ZMQ_SNDMORE);
        zmq_send(pub, "publish", 7, ZMQ_SNDMORE);
        zmq_send(pub, TOPIC, strlen(TOPIC), ZMQ_SNDMORE);
        zmq_send(pub, body, (size_t)blen, 0);
    }
    figures f = collect(fds, nsubs, pids);
    zmq_send(pub, "done", 4, 0);
    int linger = 1000;
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(pub);
    zmq_ctx_term(ctx);
    kill(router, SIGTERM);
    waitpid(router, NULL, 0);
    close(ready[0]);
    close(ready[1]);
    return f;
}

/* A plain forwarder: [sender, recipient, rest...] in, [recipient, sender,
 * rest...] out, nothing else (the least any VIP router can do). */
static void raw_forwarder(const char *ep, bool curve)
{
    void *ctx = zmq_ctx_new();
    void *r = zmq_socket(ctx, ZMQ_ROUTER);
    int one = 1;
    if (curve) {
        zmq_setsockopt(r, ZMQ_CURVE_SERVER, &one, sizeof one);
        zmq_setsockopt(r, ZMQ_CURVE_SECRETKEY, ref_server_sec, 40);
    }
    zmq_bind(r, ep);
    zmq_msg_t f[16];
    for (;;) {
        size_t n = 0;
        int more = 1;
        while (more && n < 16) {
            zmq_msg_init(&f[n]);
            if (zmq_msg_recv(&f[n], r, 0) < 0)
                return;
            more = zmq_msg_more(&f[n]);
            n++;
        }
        if (n >= 2) {
            zmq_msg_send(&f[1], r, ZMQ_SNDMORE);
            zmq_msg_send(&f[0], r, n > 2 ? ZMQ_SNDMORE : 0);
            for (size_t i = 2; i < n; i++)
                zmq_msg_send(&f[i], r, i + 1 < n ? ZMQ_SNDMORE : 0);
        }
        for (size_t i = 0; i < n; i++)
            zmq_msg_close(&f[i]);
    }
}

/* A DEALER with the given routing id, connected to the forwarder. */
static void *raw_dealer(void *ctx, const char *id, const char *ep, bool curve)
{
    void *d = zmq_socket(ctx, ZMQ_DEALER);
    zmq_setsockopt(d, ZMQ_ROUTING_ID, id, strlen(id));
    if (curve)
        curve_client(d);
    zmq_connect(d, ep);
    return d;
}

/* Answers every message by sending it back to whoever sent it. */
static void raw_echo(const char *ep, bool curve)
{
    void *ctx = zmq_ctx_new();
    void *d = raw_dealer(ctx, "echo", ep, curve);
    zmq_send(d, "", 0, 0); /* let the forwarder learn us */
    zmq_msg_t f[16];
    for (;;) {
        size_t n = 0;
        int more = 1;
        while (more && n < 16) {
            zmq_msg_init(&f[n]);
            if (zmq_msg_recv(&f[n], d, 0) < 0)
                return;
            more = zmq_msg_more(&f[n]);
            n++;
        }
        for (size_t i = 0; i < n; i++)
            zmq_msg_send(&f[i], d, i + 1 < n ? ZMQ_SNDMORE : 0);
    }
}

/* Receive and drop one whole message; 0, or -1 on timeout. */
static int raw_recv_message(void *d)
{
    char buf[512];
    int more = 1;
    while (more) {
        if (zmq_recv(d, buf, sizeof buf, 0) < 0)
            return -1;
        size_t sz = sizeof more;
        zmq_getsockopt(d, ZMQ_RCVMORE, &more, &sz);
    }
    return 0;
}

/* What libzmq alone costs on this machine, for one transport and security:
 * the floor under the platform's figures measured the same way. */
typedef struct raw_figures {
    double rtt_p50, rtt_p99; /* RPC-shaped frames through the forwarder to the echo */
    double connect_p50;      /* new connection + handshake + first round trip */
    long rss, pss, uss;      /* a process holding one connected DEALER */
    /* The forwarder (a fork of this process: only the difference between
     * the two counts), idle and with 100 more connections. */
    long router_rss, router_pss, router_uss;
    long router100_rss;
} raw_figures;

static raw_figures raw_reference(const char *transport, bool curve, long calls)
{
    raw_figures rf = {0, 0, 0, -1, -1, -1, -1, -1, -1, -1};
    char ep[64];
    if (strcmp(transport, "ipc") == 0)
        snprintf(ep, sizeof ep, "ipc://@vt-bench-%d-%d", (int)getpid(), bench_free_port());
    else
        snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", bench_free_port());
    zmq_curve_keypair(ref_server_pub, ref_server_sec);
    pid_t fwd = fork();
    if (fwd == 0) {
        raw_forwarder(ep, curve);
        _exit(0);
    }
    pid_t echo = fork();
    if (echo == 0) {
        raw_echo(ep, curve);
        _exit(0);
    }
    void *ctx = zmq_ctx_new();
    void *d = raw_dealer(ctx, "caller", ep, curve);
    int rcvtimeo = 2000;
    zmq_setsockopt(d, ZMQ_RCVTIMEO, &rcvtimeo, sizeof rcvtimeo);
    const char *req =
        "{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"params\": [\"ping\"], \"id\": \"vt.1\"}";
    double *lat = calloc((size_t)calls, sizeof *lat);
    long done = 0;
    for (long i = -200; i < calls; i++) { /* the first ones wait for the echo to join */
        int64_t s = bench_now_us();
        zmq_send(d, "echo", 4, ZMQ_SNDMORE);
        zmq_send(d, "VIP1", 4, ZMQ_SNDMORE);
        zmq_send(d, "", 0, ZMQ_SNDMORE);
        zmq_send(d, "vt.1", 4, ZMQ_SNDMORE);
        zmq_send(d, "RPC", 3, ZMQ_SNDMORE);
        zmq_send(d, req, strlen(req), 0);
        if (raw_recv_message(d) == 0 && i >= 0)
            lat[done++] = (double)(bench_now_us() - s);
    }
    rf.rtt_p50 = bench_percentile(lat, (size_t)done, 0.5);
    rf.rtt_p99 = bench_percentile(lat, (size_t)done, 0.99);
    free(lat);
    /* A fresh connection's first round trip: connect, ZMTP (and CURVE)
     * handshake, one message there and back: what a hello costs at least. */
    double first[100];
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%d", i);
        int64_t s = bench_now_us();
        void *c = raw_dealer(ctx, id, ep, curve);
        zmq_send(c, "echo", 4, ZMQ_SNDMORE);
        zmq_send(c, "hello", 5, 0);
        raw_recv_message(c);
        first[i] = (double)(bench_now_us() - s);
        int zero = 0;
        zmq_setsockopt(c, ZMQ_LINGER, &zero, sizeof zero);
        zmq_close(c);
    }
    rf.connect_p50 = bench_percentile(first, 100, 0.5);
    /* The forwarder's memory idle (only the caller and the echo connected),
     * then with 100 more connections, each answered once. */
    bench_memory(fwd, &rf.router_rss, &rf.router_pss, &rf.router_uss);
    void *many[100];
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof id, "m%d", i);
        many[i] = raw_dealer(ctx, id, ep, curve);
        zmq_send(many[i], "echo", 4, ZMQ_SNDMORE);
        zmq_send(many[i], "here", 4, 0);
    }
    for (int i = 0; i < 100; i++)
        raw_recv_message(many[i]);
    long pss, uss;
    bench_memory(fwd, &rf.router100_rss, &pss, &uss);
    for (int i = 0; i < 100; i++) {
        int zero = 0;
        zmq_setsockopt(many[i], ZMQ_LINGER, &zero, sizeof zero);
        zmq_close(many[i]);
    }
    /* Memory: a process that links only libzmq, holding one connected,
     * answered DEALER and nothing else (exec'd: a fork of this process would
     * carry our own pages along). */
    const char *idle_bin = getenv("VT_BENCH_ZMQ_IDLE");
    if (!idle_bin)
        idle_bin = "./tests/bench/zmq_idle";
    int out[2];
    if (pipe(out) == 0) {
        pid_t idle = fork();
        if (idle == 0) {
            dup2(out[1], STDOUT_FILENO);
            close(out[0]);
            execl(idle_bin, idle_bin, ep, curve ? ref_server_pub : (char *)NULL, (char *)NULL);
            _exit(127);
        }
        close(out[1]);
        char line[8];
        if (read_all(out[0], line, 6) == 0) /* "ready\n" */
            bench_memory(idle, &rf.rss, &rf.pss, &rf.uss);
        kill(idle, SIGKILL);
        waitpid(idle, NULL, 0);
        close(out[0]);
    }
    int linger = 0;
    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(d);
    zmq_ctx_term(ctx);
    kill(fwd, SIGKILL);
    kill(echo, SIGKILL);
    waitpid(fwd, NULL, 0);
    waitpid(echo, NULL, 0);
    printf("  reference, raw libzmq (%s, %s): round trip p50 %.0f us, p99 %.0f us; new "
           "connection + first round trip p50 %.0f us; a process with one DEALER: RSS %ld kB, "
           "PSS %ld kB, USS %ld kB; 100 more connections add %ld kB to the forwarder's RSS\n",
           transport, curve ? "CURVE" : "no auth", rf.rtt_p50, rf.rtt_p99, rf.connect_p50, rf.rss,
           rf.pss, rf.uss, rf.router100_rss - rf.router_rss);
    fflush(stdout);
    return rf;
}

/* ---------------- through the platform ---------------- */

typedef struct sub_state {
    result r;
} sub_state;

static void on_pub(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)m;
    sub_state *st = ctx;
    int64_t now = bench_now_us();
    if (!st->r.received)
        st->r.first_us = now;
    st->r.last_us = now;
    if (++st->r.received >= N)
        vt_agent_stop(agent, 0);
}

static void our_subscriber(bench_platform *p, const char *id, const vt_keypair *keys, int ready_fd,
                           int out_fd)
{
    vt_agent *a = bench_agent(p, id, NULL, keys);
    sub_state st = {{0, 0, 0}};
    if (a) {
        vt_pubsub_subscribe(a, "devices/", on_pub, &st);
        vt_ping_sync(a, "", 5000); /* subscribed before we say ready */
        write_all(ready_fd, "r", 1);
        vt_loop *loop = vt_agent_loop(a);
        int64_t last_change = vt_time_monotonic_ms();
        long last = 0;
        while (st.r.received < N) {
            vt_loop_run_once(loop, 200);
            if (st.r.received != last) {
                last = st.r.received;
                last_change = vt_time_monotonic_ms();
            } else if (vt_time_monotonic_ms() - last_change > QUIET_MS) {
                break;
            }
        }
        vt_agent_destroy(&a);
    } else {
        write_all(ready_fd, "x", 1);
    }
    write_all(out_fd, &st.r, sizeof st.r);
}

static figures run_platform_pubsub(bool auth, int nsubs, bench_platform *p)
{
    int ready[2];
    if (pipe(ready) < 0)
        return (figures){0, 0};
    int fds[16];
    pid_t pids[16];
    vt_keypair keys[16];
    char ids[16][32];
    for (int i = 0; i < nsubs; i++) {
        snprintf(ids[i], sizeof ids[i], "bench.sub%d", i);
        bench_authorize(p, ids[i], &keys[i]);
    }
    for (int i = 0; i < nsubs; i++) {
        int pp[2];
        if (pipe(pp) < 0)
            return (figures){0, 0};
        pids[i] = fork();
        if (pids[i] == 0) {
            our_subscriber(p, ids[i], &keys[i], ready[1], pp[1]);
            _exit(0);
        }
        close(pp[1]);
        fds[i] = pp[0];
    }
    for (int i = 0; i < nsubs; i++) {
        char c;
        read_all(ready[0], &c, 1);
    }
    close(ready[0]);
    close(ready[1]);
    vt_agent *pub = bench_agent(p, "bench.pub", NULL, NULL);
    const char *payload = bench_payload();
    for (long i = 0; pub && i < N; i++)
        vt_pubsub_publish_json(pub, TOPIC, HEADERS, payload);
    figures f = collect(fds, nsubs, pids);
    (void)auth;
    vt_agent_destroy(&pub);
    return f;
}

/* ---------------- RPC, connect, memory ---------------- */

/* Sequential RPC round trips between two agent processes over one
 * transport, beside the raw libzmq round trip of the same frames. The
 * callee is a stock test agent: its memory is an idle agent's. */
static void rpc_latency(bench_platform *p, long calls, const char *transport,
                        const raw_figures *raw)
{
    const char *agent_bin = getenv("VT_TEST_AGENT");
    if (!agent_bin)
        agent_bin = "./tests/integration/vt-test-agent";
    setenv("VT_BENCH_ADDRESS", transport, 1); /* for bench_agent, and the callee below */
    bool ipc = strcmp(transport, "ipc") == 0;
    vt_keypair keys;
    bench_authorize(p, "bench.callee", &keys);
    pid_t callee = fork();
    if (callee == 0) {
        setenv("VOLTTRON_HOME", p->home, 1);
        if (ipc) {
            char addr[300];
            snprintf(addr, sizeof addr, "ipc://@%s/run/vip.socket", p->home);
            setenv("VOLTTRON_VIP_ADDR", addr, 1);
        } else {
            setenv("VOLTTRON_VIP_ADDR", p->tcp, 1);
        }
        if (p->auth) {
            setenv("VOLTTRON_SERVERKEY", p->serverkey, 1);
            setenv("AGENT_PUBLICKEY", keys.public_key, 1);
            setenv("AGENT_SECRETKEY", keys.secret_key, 1);
        } else {
            setenv("AUTH_ENABLED", "False", 1);
        }
        execl(agent_bin, agent_bin, "--identity", "bench.callee", "-q", (char *)NULL);
        _exit(127);
    }
    vt_agent *a = bench_agent(p, "bench.caller", NULL, NULL);
    double *lat = calloc((size_t)calls, sizeof *lat);
    long done = 0;
    /* Wait until the callee answers, then measure. */
    for (int i = 0; a && i < 200; i++) {
        cJSON *r = NULL;
        if (vt_rpc_call_sync(a, "bench.callee", "echo", cJSON_CreateArray(), 1000, &r) == 0) {
            cJSON_Delete(r);
            break;
        }
        vt_loop_run_once(vt_agent_loop(a), 50);
    }
    int64_t t0 = bench_now_us();
    for (long i = 0; a && i < calls; i++) {
        cJSON *params = cJSON_CreateArray();
        cJSON_AddItemToArray(params, cJSON_CreateString("ping"));
        cJSON *r = NULL;
        int64_t s = bench_now_us();
        if (vt_rpc_call_sync(a, "bench.callee", "echo", params, 5000, &r) == 0)
            lat[done++] = (double)(bench_now_us() - s);
        cJSON_Delete(r);
    }
    int64_t t1 = bench_now_us();
    /* A ping answered by the router itself (one hop each way). */
    double *pl = calloc(2000, sizeof *pl);
    for (int i = 0; a && i < 2000; i++) {
        int64_t s = bench_now_us();
        vt_ping_sync(a, "", 5000);
        pl[i] = (double)(bench_now_us() - s);
    }
    const char *mode = p->auth ? "CURVE" : "no auth";
    printf("  ping to the router (%s, %s): p50 %.0f us, p99 %.0f us\n", transport, mode,
           bench_percentile(pl, 2000, 0.5), bench_percentile(pl, 2000, 0.99));
    free(pl);
    double p50 = bench_percentile(lat, (size_t)done, 0.50);
    double p99 = bench_percentile(lat, (size_t)done, 0.99);
    printf("  rpc (%s, %s): %ld sequential calls: p50 %.0f us, p99 %.0f us, %.0f calls/s | "
           "ratio to raw libzmq p50 %.2f, p99 %.2f\n",
           transport, mode, done, p50, p99, done ? (double)done * 1e6 / (double)(t1 - t0) : 0,
           raw->rtt_p50 > 0 ? p50 / raw->rtt_p50 : 0, raw->rtt_p99 > 0 ? p99 / raw->rtt_p99 : 0);
    long rss, pss, uss;
    bench_memory(callee, &rss, &pss, &uss);
    printf("  idle agent (vt-test-agent, %s): RSS %ld kB, PSS %ld kB, USS %ld kB | over a bare "
           "libzmq process: RSS +%ld kB, USS +%ld kB\n",
           transport, rss, pss, uss, rss - raw->rss, uss - raw->uss);
    free(lat);
    vt_agent_destroy(&a);
    kill(callee, SIGTERM);
    waitpid(callee, NULL, 0);
    unsetenv("VT_BENCH_ADDRESS");
}

static vt_agent *new_agent(bench_platform *p, const char *id, vt_loop *loop, const vt_keypair *k)
{
    vt_agent_options o = {
        .identity = id,
        .volttron_home = p->home,
        .address = p->tcp,
        .serverkey = p->auth ? p->serverkey : NULL,
        .publickey = p->auth ? k->public_key : NULL,
        .secretkey = p->auth ? k->secret_key : NULL,
        .auth = p->auth ? 1 : 0,
        .heartbeat_period = -1,
        .no_signals = true,
        .loop = loop,
        .no_config_store = true,
    };
    return vt_agent_new(&o);
}

static void connect_and_memory(bench_platform *p, const raw_figures *raw)
{
    long rss, pss, uss;
    bench_memory(p->pid, &rss, &pss, &uss);
    printf("  platform idle: RSS %ld kB, PSS %ld kB, USS %ld kB\n", rss, pss, uss);
    long idle_rss = rss;
    enum {
        AGENTS = 100
    };
    vt_keypair keys[AGENTS];
    char ids[AGENTS][32];
    for (int i = 0; i < AGENTS; i++) {
        snprintf(ids[i], sizeof ids[i], "bench.idle%d", i);
        bench_authorize(p, ids[i], &keys[i]);
    }
    /* connect + hello: from creating the agent to its welcome, one agent at
     * a time on an otherwise quiet platform. */
    vt_loop *loop = vt_loop_new();
    double t[AGENTS];
    for (int i = 0; i < AGENTS; i++) {
        int64_t s = bench_now_us();
        vt_agent *a = new_agent(p, ids[i], loop, &keys[i]);
        vt_agent_start(a);
        while (!vt_agent_connected(a))
            vt_loop_run_once(loop, 100);
        t[i] = (double)(bench_now_us() - s);
        vt_agent_destroy(&a);
    }
    double c50 = bench_percentile(t, AGENTS, 0.5);
    printf("  connect + hello (tcp, %s): p50 %.0f us, p99 %.0f us | ratio to raw libzmq connect "
           "+ first round trip %.2f\n",
           p->auth ? "CURVE" : "no auth", c50, bench_percentile(t, AGENTS, 0.99),
           raw->connect_p50 > 0 ? c50 / raw->connect_p50 : 0);
    /* then all of them at once, for memory */
    vt_agent *agents[AGENTS];
    for (int i = 0; i < AGENTS; i++) {
        agents[i] = new_agent(p, ids[i], loop, &keys[i]);
        vt_agent_start(agents[i]);
    }
    for (int i = 0; i < AGENTS; i++)
        while (!vt_agent_connected(agents[i]))
            vt_loop_run_once(loop, 100);
    vt_loop_run_once(loop, 200);
    bench_memory(p->pid, &rss, &pss, &uss);
    printf("  platform with %d agents connected: RSS %ld kB, PSS %ld kB, USS %ld kB: +%ld kB | "
           "raw forwarder with as many connections: +%ld kB\n",
           AGENTS, rss, pss, uss, rss - idle_rss, raw->router100_rss - raw->router_rss);
    for (int i = 0; i < AGENTS; i++)
        vt_agent_destroy(&agents[i]);
    vt_loop_destroy(&loop);
}

int main(int argc, char **argv)
{
    N = argc > 1 ? atol(argv[1]) : 1000000;
    vt_log_set_level(VT_LOG_ERROR);
    printf("VIP benchmark: %ld messages of %zu bytes (body) on %s, %ld cores\n", N,
           strlen(bench_payload()) + strlen(HEADERS) + 40, TOPIC, sysconf(_SC_NPROCESSORS_ONLN));

    for (int a = 0; a < 2; a++) {
        bool auth = a == 1;
        const char *mode = auth ? "CURVE" : "no auth";
        for (int subs = 1; subs <= 10; subs += 9) {
            figures ref = run_reference(auth, subs);
            bench_platform p;
            bench_platform_start(&p, auth);
            figures ours = run_platform_pubsub(auth, subs, &p);
            bench_platform_stop(&p);
            printf("pubsub %-7s 1 -> %2d: raw forwarder %9.0f msg/s (lost %ld) | volttron %9.0f "
                   "msg/s (lost %ld) | ratio %.2f\n",
                   mode, subs, ref.rate, ref.lost, ours.rate, ours.lost,
                   ref.rate > 0 ? ours.rate / ref.rate : 0);
            fflush(stdout);
        }
    }
    for (int a = 0; a < 2; a++) {
        bool auth = a == 1;
        printf("rpc, connect, memory (%s):\n", auth ? "CURVE" : "no auth");
        raw_figures tcp = raw_reference("tcp", auth, 20000);
        raw_figures ipc = raw_reference("ipc", auth, 20000);
        bench_platform p;
        bench_platform_start(&p, auth);
        rpc_latency(&p, 20000, "tcp", &tcp);
        rpc_latency(&p, 20000, "ipc", &ipc);
        connect_and_memory(&p, &tcp);
        bench_platform_stop(&p);
        fflush(stdout);
    }
    return 0;
}
