#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "authorize.h"
#include "bench_common.h"
#include "ready.h"

int64_t bench_now_us(void)
{
    return vt_time_monotonic_us();
}

int bench_free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(s, (struct sockaddr *)&a, sizeof a);
    socklen_t len = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &len);
    close(s);
    return ntohs(a.sin_port);
}

long bench_rss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

void bench_memory(pid_t pid, long *rss, long *pss, long *uss)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    FILE *f = fopen(path, "r");
    long v, clean = 0, dirty = 0;
    *rss = *pss = *uss = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "Rss: %ld kB", &v) == 1)
            *rss = v;
        else if (sscanf(line, "Pss: %ld kB", &v) == 1)
            *pss = v;
        else if (sscanf(line, "Private_Clean: %ld kB", &v) == 1)
            clean = v;
        else if (sscanf(line, "Private_Dirty: %ld kB", &v) == 1)
            dirty = v;
    }
    if (f) {
        fclose(f);
        *uss = clean + dirty;
    }
}

int bench_platform_start(bench_platform *p, bool auth)
{
    return bench_platform_start_with(p, auth, NULL, NULL);
}

int bench_platform_start_with(bench_platform *p, bool auth, bench_home_fn prepare, void *ctx)
{
    memset(p, 0, sizeof *p);
    p->auth = auth;
    snprintf(p->home, sizeof p->home, "/tmp/vt-bench-XXXXXX");
    if (!mkdtemp(p->home))
        return -1;
    if (prepare)
        prepare(p->home, ctx);
    snprintf(p->tcp, sizeof p->tcp, "tcp://127.0.0.1:%d", bench_free_port());
    if (auth) {
        char path[300];
        vt_keypair kp;
        snprintf(path, sizeof path, "%s/keystore", p->home);
        if (vt_keystore_load_or_create(path, &kp) < 0)
            return -1;
        memcpy(p->serverkey, kp.public_key, sizeof p->serverkey);
    }
    const char *bin = getenv("VT_VOLTTRON");
    if (!bin)
        bin = "./volttron-server/volttron";
    char log[300], sock[300];
    snprintf(log, sizeof log, "%s/volttron.log", p->home);
    snprintf(sock, sizeof sock, "%s/notify.sock", p->home);
    int ready = vt_ready_open(sock);
    p->pid = fork();
    if (p->pid == 0) {
        setenv("VOLTTRON_HOME", p->home, 1);
        setenv("NOTIFY_SOCKET", sock, 1);
        if (auth)
            execl(bin, bin, "--allow-root", "-l", log, "--vip-address", p->tcp, (char *)NULL);
        else
            execl(bin, bin, "--allow-root", "-l", log, "--vip-address", p->tcp, "--no-auth",
                  (char *)NULL);
        _exit(127);
    }
    int rc = p->pid > 0 && vt_ready_wait(ready, 20000) == 0 ? 0 : -1;
    close(ready);
    return rc;
}

void bench_platform_stop(bench_platform *p)
{
    if (p->pid > 0) {
        kill(p->pid, SIGTERM);
        waitpid(p->pid, NULL, 0);
        p->pid = 0;
    }
    vt_fs_remove_tree(p->home);
}

void bench_authorize(bench_platform *p, const char *identity, vt_keypair *keys)
{
    vt_keys_generate(keys);
    if (p->auth)
        vt_test_authorize(p->home, identity, keys, NULL);
}

vt_agent *bench_agent(bench_platform *p, const char *identity, vt_loop *loop,
                      const vt_keypair *given)
{
    vt_keypair keys;
    if (given)
        keys = *given;
    else
        bench_authorize(p, identity, &keys);
    const char *via = getenv("VT_BENCH_ADDRESS");
    char ipc[300];
    snprintf(ipc, sizeof ipc, "ipc://@%s/run/vip.socket", p->home);
    vt_agent_options o = {
        .identity = identity,
        .volttron_home = p->home,
        .address = via && strcmp(via, "ipc") == 0 ? ipc : p->tcp,
        .serverkey = p->auth ? p->serverkey : NULL,
        .publickey = p->auth ? keys.public_key : NULL,
        .secretkey = p->auth ? keys.secret_key : NULL,
        .auth = p->auth ? 1 : 0,
        .heartbeat_period = -1,
        .no_signals = true,
        .loop = loop,
        .no_config_store = true,
    };
    vt_agent *a = vt_agent_new(&o);
    if (!a || vt_agent_start(a) < 0)
        return NULL;
    int64_t deadline = vt_time_monotonic_ms() + 20000;
    while (!vt_agent_connected(a) && vt_time_monotonic_ms() < deadline)
        vt_loop_run_once(vt_agent_loop(a), 50);
    if (!vt_agent_connected(a)) {
        vt_agent_destroy(&a);
        return NULL;
    }
    return a;
}

const char *bench_payload(void)
{
    static char buf[2048];
    if (!buf[0]) {
        size_t o = 0;
        o += (size_t)snprintf(buf + o, sizeof buf - o, "[{");
        for (int i = 0; i < 10; i++)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s\"Point%02d\": %.2f", i ? ", " : "",
                                  i, 70.25 + i);
        o += (size_t)snprintf(buf + o, sizeof buf - o, "}, {");
        for (int i = 0; i < 10; i++)
            o += (size_t)snprintf(buf + o, sizeof buf - o,
                                  "%s\"Point%02d\": {\"units\": \"degreesFahrenheit\", \"type\": "
                                  "\"float\", \"tz\": \"UTC\"}",
                                  i ? ", " : "", i);
        snprintf(buf + o, sizeof buf - o, "}]");
    }
    return buf;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_percentile(double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}
