#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "authorize.h"
#include "fixture.h"
#include "ready.h"
#include "testutil.h"

const char *vt_fx_program(const char *env_name)
{
    const char *p = getenv(env_name);
    ck_assert_msg(p && *p, "%s is not set (run the tests through meson)", env_name);
    return p;
}

/* A port the kernel just handed out, so nothing else is listening on it. */
static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &len);
    close(s);
    return ntohs(a.sin_port);
}

/* The platform reports READY=1 on this datagram socket (systemd's
 * protocol) once it serves: tests wait on that, not on time. */
static void open_notify(vt_fx *fx)
{
    char *path = vt_asprintf("%s/notify.sock", fx->home);
    fx->notify_fd = vt_ready_open(path);
    ck_assert_msg(fx->notify_fd >= 0, "cannot bind %s", path);
    free(path);
}

static void wait_ready(vt_fx *fx)
{
    ck_assert_msg(vt_ready_wait(fx->notify_fd, 20000) == 0,
                  "volttron did not report READY within 20 s (see %s/volttron.log)", fx->home);
}

static void launch(vt_fx *fx)
{
    const char *bin = vt_fx_program("VT_VOLTTRON");
    char *log = vt_asprintf("%s/volttron.log", fx->home);
    const char *argv[32];
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "--allow-root";
    argv[n++] = "-vv";
    argv[n++] = "-l";
    argv[n++] = log;
    argv[n++] = "--vip-address";
    argv[n++] = fx->tcp;
    argv[n++] = "--instance-name";
    argv[n++] = "vt-test";
    if (!fx->auth)
        argv[n++] = "--no-auth";
    for (char **e = fx->extra_args; e && *e && n < 30; e++)
        argv[n++] = *e;
    argv[n] = NULL;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char *sock = vt_asprintf("%s/notify.sock", fx->home);
        setenv("VOLTTRON_HOME", fx->home, 1);
        setenv("NOTIFY_SOCKET", sock, 1);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    fx->pid = pid;
    free(log);
    wait_ready(fx);
}

static void read_serverkey(vt_fx *fx)
{
    char *path = vt_asprintf("%s/keystore", fx->home);
    vt_keypair kp;
    /* The platform writes its key store before it binds; the tests' agents
     * then wait for the welcome, so only the file's existence matters. */
    if (vt_keystore_load_or_create(path, &kp) == 0)
        memcpy(fx->serverkey, kp.public_key, sizeof fx->serverkey);
    free(path);
}

vt_fx *vt_fx_start(bool auth, const char *const *extra_args)
{
    vt_fx *fx = vt_calloc(1, sizeof *fx);
    fx->home = vt_test_mkdtemp();
    fx->auth = auth;
    fx->tcp = vt_asprintf("tcp://127.0.0.1:%d", free_port());
    fx->ipc = vt_asprintf("ipc://@%s/run/vip.socket", fx->home);
    size_t n = 0;
    while (extra_args && extra_args[n])
        n++;
    fx->extra_args = vt_calloc(n + 1, sizeof *fx->extra_args);
    for (size_t i = 0; i < n; i++)
        fx->extra_args[i] = vt_strdup(extra_args[i]);
    if (auth) {
        /* Create the platform key first so tests know it before the
         * platform is up (the platform loads an existing key store). */
        read_serverkey(fx);
    }
    open_notify(fx);
    launch(fx);
    return fx;
}

void vt_fx_stop_platform(vt_fx *fx)
{
    if (fx->pid <= 0)
        return;
    int status = vt_fx_kill(fx->pid, SIGTERM);
    fx->pid = 0;
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "volttron exited with status 0x%x",
                  status);
}

void vt_fx_restart(vt_fx *fx)
{
    vt_fx_stop_platform(fx);
    launch(fx);
}

void vt_fx_destroy(vt_fx **fxp)
{
    vt_fx *fx = *fxp;
    if (!fx)
        return;
    vt_fx_stop_platform(fx);
    close(fx->notify_fd);
    if (!getenv("VT_KEEP_HOME"))
        vt_test_rmtree(fx->home);
    for (char **e = fx->extra_args; e && *e; e++)
        free(*e);
    free(fx->extra_args);
    vt_map_destroy(&fx->grants);
    free(fx->home);
    free(fx->tcp);
    free(fx->ipc);
    free(fx);
    *fxp = NULL;
    vt_fx_forget_announcements();
}

void vt_fx_grant(vt_fx *fx, const char *identity, const char *capabilities_json)
{
    if (!fx->grants)
        fx->grants = vt_map_new(free);
    vt_map_set(fx->grants, identity, vt_strdup(capabilities_json));
}

void vt_fx_authorize(vt_fx *fx, const char *identity, vt_keypair *keys)
{
    ck_assert_int_eq(vt_keys_generate(keys), 0);
    const char *caps = fx->grants ? vt_map_get(fx->grants, identity) : NULL;
    if (fx->auth)
        ck_assert_int_eq(vt_test_authorize(fx->home, identity, keys, caps), 0);
}

/* Peers every fixture agent has seen announced (peerlist add), and dropped. */
static vt_map *announced;

static void on_peer_change(vt_agent *agent, const char *peer, bool added, void *ctx)
{
    (void)agent;
    (void)ctx;
    if (!announced)
        announced = vt_map_new(NULL);
    vt_map_set(announced, peer, added ? (void *)1 : (void *)2);
}

static bool agent_connected(void *ctx)
{
    return vt_agent_connected(ctx);
}

bool vt_fx_until(vt_agent *agent, bool (*cond)(void *ctx), void *ctx, int timeout_ms)
{
    vt_loop *loop = vt_agent_loop(agent);
    int64_t deadline = vt_time_monotonic_ms() + timeout_ms;
    while (!cond(ctx)) {
        int64_t left = deadline - vt_time_monotonic_ms();
        if (left <= 0)
            return cond(ctx);
        vt_loop_run_once(loop, (int)(left < 100 ? left : 100));
    }
    return true;
}

static bool never(void *ctx)
{
    (void)ctx;
    return false;
}

void vt_fx_pump(vt_agent *agent, int ms)
{
    vt_fx_until(agent, never, NULL, ms);
}

vt_agent *vt_fx_agent(vt_fx *fx, const char *identity, bool over_ipc)
{
    return vt_fx_agent_on(fx, identity, over_ipc, NULL);
}

vt_agent *vt_fx_agent_on(vt_fx *fx, const char *identity, bool over_ipc, vt_loop *loop)
{
    vt_keypair keys;
    vt_fx_authorize(fx, identity, &keys);
    vt_agent *agent = vt_fx_agent_keyed(fx, identity, &keys, over_ipc, loop);
    ck_assert_msg(vt_fx_connects(agent, 10000), "agent %s did not connect to %s", identity,
                  over_ipc ? fx->ipc : fx->tcp);
    return agent;
}

bool vt_fx_connects(vt_agent *agent, int timeout_ms)
{
    return vt_fx_until(agent, agent_connected, agent, timeout_ms);
}

vt_agent *vt_fx_agent_keyed(vt_fx *fx, const char *identity, const vt_keypair *k, bool over_ipc,
                            vt_loop *loop)
{
    vt_keypair keys = *k;
    vt_agent_options o = {
        .identity = identity,
        .volttron_home = fx->home,
        .address = over_ipc ? fx->ipc : fx->tcp,
        .serverkey = fx->auth ? fx->serverkey : NULL,
        .publickey = fx->auth ? keys.public_key : NULL,
        .secretkey = fx->auth ? keys.secret_key : NULL,
        .auth = fx->auth ? 1 : 0,
        .heartbeat_period = -1,
        .no_signals = true,
        .loop = loop,
        /* Tests of the configuration store spawn agents; an in-process
         * agent may not be pumping when config.store pushes to it. */
        .no_config_store = true,
    };
    vt_agent *agent = vt_agent_new(&o);
    ck_assert_msg(agent != NULL, "%s", vt_last_error());
    vt_peerlist_on_change(agent, on_peer_change, NULL);
    ck_assert_int_eq(vt_agent_start(agent), 0);
    return agent;
}

pid_t vt_fx_spawn(vt_fx *fx, const char *program, const char *identity,
                  const char *const *extra_args)
{
    vt_keypair keys;
    vt_fx_authorize(fx, identity, &keys);
    const char *argv[16];
    int n = 0;
    argv[n++] = program;
    argv[n++] = "--identity";
    argv[n++] = identity;
    for (const char *const *e = extra_args; e && *e && n < 14; e++)
        argv[n++] = *e;
    argv[n] = NULL;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* What the platform gives a launched agent. */
        setenv("VOLTTRON_HOME", fx->home, 1);
        setenv("VOLTTRON_VIP_ADDR", fx->tcp, 1);
        setenv("AUTH_ENABLED", fx->auth ? "True" : "False", 1);
        if (fx->auth) {
            setenv("VOLTTRON_SERVERKEY", fx->serverkey, 1);
            setenv("AGENT_PUBLICKEY", keys.public_key, 1);
            setenv("AGENT_SECRETKEY", keys.secret_key, 1);
        }
        char *log = vt_asprintf("%s/%s.log", fx->home, identity);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            dup2(fd, 1);
        }
        execv(program, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

typedef struct peer_wait {
    const char *identity;
    bool want_added;
} peer_wait;

static bool peer_announced(void *ctx)
{
    peer_wait *w = ctx;
    void *v = announced ? vt_map_get(announced, w->identity) : NULL;
    return v == (w->want_added ? (void *)1 : (void *)2);
}

static bool peer_listed(vt_agent *agent, const char *identity)
{
    char **peers = NULL;
    int n = vt_peerlist_list_sync(agent, 2000, &peers);
    bool found = false;
    for (int i = 0; i < n; i++)
        found |= strcmp(peers[i], identity) == 0;
    free(peers);
    return found;
}

bool vt_fx_wait_peer(vt_fx *fx, vt_agent *agent, const char *identity)
{
    (void)fx;
    /* The router lists a peer from its hello on; until then, wait for the
     * "peerlist add" it pushes to everyone. */
    if (peer_listed(agent, identity))
        return true;
    peer_wait w = {.identity = identity, .want_added = true};
    return vt_fx_until(agent, peer_announced, &w, 10000);
}

bool vt_fx_wait_drop(vt_agent *agent, const char *identity, int timeout_ms)
{
    peer_wait w = {.identity = identity, .want_added = false};
    return vt_fx_until(agent, peer_announced, &w, timeout_ms);
}

void vt_fx_forget_announcements(void)
{
    vt_map_destroy(&announced);
}

int vt_fx_kill(pid_t pid, int sig)
{
    int status = 0;
    kill(pid, sig);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}
