/* vctl's connection to the platform and its RPC calls. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vctl.h"

bool vctl_running(const vctl *v)
{
    char *path = vt_fs_path_join(v->home, "VOLTTRON_PID");
    char *text = NULL;
    bool alive = false;
    if (vt_fs_read_file(path, 64, &text, NULL) == 0) {
        long pid = strtol(text, NULL, 10);
        alive = pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
    }
    free(text);
    free(path);
    return alive;
}

int vctl_left_ms(const vctl *v)
{
    int64_t left = v->deadline_ms - vt_time_monotonic_ms();
    return left < 1 ? 1 : left > 0x7fffffff ? 0x7fffffff : (int)left;
}

int vctl_error(const vctl *v, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", v->command);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

/* Where the platform listens locally: --vip-address, VOLTTRON_VIP_ADDR, the
 * platform's own vip-local-address in $VOLTTRON_HOME/config (our addition:
 * a packaged platform puts its socket in /run/volttron), else VOLTTRON's
 * default. NULL means the client library's default. */
static char *local_address(const vctl *v)
{
    if (v->vip_address)
        return vt_strdup(v->vip_address);
    if (getenv("VOLTTRON_VIP_ADDR"))
        return NULL;
    char *path = vt_fs_path_join(v->home, "config");
    char *addr = NULL;
    if (vt_fs_is_file(path)) {
        vt_ini *ini = vt_ini_load(path);
        const char *val = ini ? vt_ini_get(ini, "volttron", "vip-local-address") : NULL;
        if (val)
            addr = vt_ini_unquote(val);
        vt_ini_destroy(&ini);
    }
    free(path);
    return addr;
}

int vctl_connect(vctl *v)
{
    if (v->agent && vt_agent_connected(v->agent))
        return 0;
    if (!vctl_running(v)) {
        fprintf(stderr, "VOLTTRON is not running. This command requires VOLTTRON platform to "
                        "be running\n");
        return VCTL_NOT_RUNNING;
    }
    /* vctl is always control.connection, with its own key store: the
     * platform's auth entries for it (auth.json §5.1) apply to that key. */
    char *ks = vt_asprintf("%s/keystores/control.connection/keystore.json", v->home);
    vt_keypair keys;
    int rc = vt_keystore_load_or_create(ks, &keys);
    free(ks);
    if (rc < 0)
        return vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    char *address = local_address(v);
    vt_agent_options o = {
        .identity = v->identity ? v->identity : "control.connection",
        .volttron_home = v->home,
        .address = address,
        .publickey = keys.public_key,
        .secretkey = keys.secret_key,
        .auth = -1,
        .heartbeat_period = -1,
        .fail_fast = true,
        .no_signals = true,
        .no_config_store = true,
        .enforce_capabilities = -1,
    };
    v->agent = vt_agent_new(&o);
    free(address);
    if (!v->agent)
        return vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    if (vt_agent_start(v->agent) < 0)
        return vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    while (!vt_agent_connected(v->agent)) {
        if (vt_time_monotonic_ms() >= v->deadline_ms) {
            fprintf(stderr, "%s: operation timed out\n", v->command);
            return VCTL_TIMEOUT;
        }
        if (vt_loop_run_once(vt_agent_loop(v->agent), 100) < 0 ||
            vt_loop_stopped(vt_agent_loop(v->agent)))
            return vctl_error(v, VCTL_FAIL, "cannot connect to the platform: %s", vt_last_error());
    }
    return 0;
}

int vctl_call_quiet(vctl *v, const char *peer, const char *method, cJSON *params, int timeout_ms,
                    cJSON **result, vt_rpc_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    int rc = vctl_connect(v);
    if (rc) {
        cJSON_Delete(params);
        if (err) {
            memset(err, 0, sizeof *err);
            err->status = VT_RPC_FAILED;
        }
        return VT_RPC_FAILED;
    }
    int left = vctl_left_ms(v);
    cJSON *r = NULL;
    vt_rpc_error e = {0};
    rc = vt_rpc_call_sync_ex(v->agent, peer, method, params,
                             timeout_ms > 0 && timeout_ms < left ? timeout_ms : left, &r, &e);
    if (rc == 0) {
        if (result)
            *result = r;
        else
            cJSON_Delete(r);
        vt_rpc_error_clear(&e);
        return VT_RPC_OK;
    }
    int status = e.status ? (int)e.status : VT_RPC_FAILED;
    if (err)
        *err = e;
    else
        vt_rpc_error_clear(&e);
    return status;
}

/* The detail of a remote exception: data.detail, else the message. */
static const char *detail_of(const vt_rpc_error *e)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(e->data, "detail");
    if (cJSON_IsString(d))
        return d->valuestring;
    return e->message ? e->message : "failed";
}

int vctl_call(vctl *v, const char *peer, const char *method, cJSON *params, cJSON **result)
{
    if (!v->agent || !vt_agent_connected(v->agent)) {
        int rc = vctl_connect(v);
        if (rc) {
            cJSON_Delete(params);
            return rc;
        }
    }
    vt_rpc_error e = {0};
    int status = vctl_call_quiet(v, peer, method, params, 0, result, &e);
    int code = VCTL_OK;
    switch (status) {
    case VT_RPC_OK:
        break;
    case VT_RPC_TIMEOUT:
        fprintf(stderr, "%s: operation timed out\n", v->command);
        code = VCTL_TIMEOUT;
        break;
    case VT_RPC_ERROR:
        if (e.code == -32000) {
            code = vctl_error(v, VCTL_REMOTE, "%s", detail_of(&e));
            break;
        }
        code = vctl_error(v, VCTL_FAIL, "%s.%s: %s", peer, method, detail_of(&e));
        break;
    case VT_RPC_UNREACHABLE:
        code = vctl_error(v, VCTL_FAIL, "%s is not connected to the platform", peer);
        break;
    default:
        code = vctl_error(v, VCTL_FAIL, "%s.%s: %s", peer, method,
                          e.message ? e.message : vt_last_error());
        break;
    }
    vt_rpc_error_clear(&e);
    return code;
}

bool vctl_wait(vctl *v, bool (*done)(void *ctx), void *ctx)
{
    vt_loop *loop = vt_agent_loop(v->agent);
    while (!done(ctx)) {
        int64_t left = v->deadline_ms - vt_time_monotonic_ms();
        if (left <= 0) {
            fprintf(stderr, "%s: operation timed out\n", v->command);
            return false;
        }
        vt_loop_run_once(loop, left < 100 ? (int)left : 100);
    }
    return true;
}

bool vctl_wait_exit(vctl *v, pid_t pid)
{
    /* a pidfd becomes readable when the process ends, child or not */
    int fd = -1;
#ifdef SYS_pidfd_open
    fd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
    bool gone = false;
    while (!gone) {
        int left = vctl_left_ms(v);
        if (vt_time_monotonic_ms() >= v->deadline_ms)
            break;
        if (fd >= 0) {
            struct pollfd p = {.fd = fd, .events = POLLIN};
            gone = poll(&p, 1, left) > 0;
        } else {
            gone = kill(pid, 0) < 0 && errno == ESRCH;
            if (!gone)
                poll(NULL, 0, left < 50 ? left : 50);
        }
    }
    if (fd >= 0)
        close(fd);
    return gone;
}

cJSON *vctl_strings(const char *a, const char *b, const char *c)
{
    cJSON *p = cJSON_CreateArray();
    const char *all[] = {a, b, c};
    for (size_t i = 0; i < 3 && all[i]; i++)
        cJSON_AddItemToArray(p, cJSON_CreateString(all[i]));
    return p;
}
