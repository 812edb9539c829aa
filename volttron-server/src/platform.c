/* The platform: VOLTTRON_HOME, keys, the router and the core services, and
 * the daemon's life from start to an orderly stop. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <volttron/client/address.h>
#include <volttron/client/keys.h>
#include <volttron/client/loop.h>
#include <volttron/server/platform.h>
#include <volttron/server/version.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/ini.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "aim/supervisor.h"
#include "authfile.h"
#include "notify.h"
#include "options.h"
#include "router.h"
#include "services/services.h"

#define LOG "volttron.platform"
/* The protocol level this platform speaks, as answered to platform-version. */
#define COMPAT_VERSION "9.0.4"

typedef struct platform {
    vt_platform_options opts;
    vt_loop *loop;
    vt_router *router;
    vt_keypair keys;
    char *local_address;
    char *pid_path;
    vt_supervisor *agents;
} platform;

static int make_dirs(const platform *p)
{
    const char *subdirs[] = {"",
                             "run",
                             "agents",
                             "packages",
                             "configuration_store",
                             "keystores",
                             "certificates/certs",
                             "certificates/private",
                             "certificates/ca_db",
                             "certificates/pending_csr",
                             "certificates/remote_certs",
                             "certificates/pending_certs"};
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        char *d = vt_fs_path_join(p->opts.volttron_home, subdirs[i]);
        int rc = vt_fs_mkdir_p(d, i == 0 ? 0700 : 0755);
        free(d);
        if (rc < 0)
            return rc;
    }
    struct stat st;
    if (stat(p->opts.volttron_home, &st) == 0 && (st.st_mode & 022))
        vt_log_warning(LOG, "%s is writable by group or others", p->opts.volttron_home);
    return 0;
}

static char *hostname(void)
{
    char name[256] = "";
    if (gethostname(name, sizeof name - 1) < 0 || !name[0])
        snprintf(name, sizeof name, "volttron");
    return vt_strdup(name);
}

/* As VOLTTRON: the configured name, else the first --vip-address, else the
 * host name; recorded in the config file with the message bus. */
static int settle_instance_name(platform *p)
{
    if (!p->opts.instance_name)
        p->opts.instance_name = p->opts.nvip ? vt_strdup(p->opts.vip_addresses[0]) : hostname();
    char *path = vt_fs_path_join(p->opts.volttron_home, "config");
    vt_ini *ini = vt_fs_exists(path) ? vt_ini_load(path) : vt_ini_new();
    int rc = 0;
    if (!ini) {
        rc = -EINVAL;
    } else {
        const char *name = vt_ini_get(ini, "volttron", "instance-name");
        char *current = name ? vt_ini_unquote(name) : NULL;
        const char *bus = vt_ini_get(ini, "volttron", "message-bus");
        if (!current || strcmp(current, p->opts.instance_name) != 0 || !bus) {
            vt_ini_set(ini, "volttron", "message-bus", p->opts.message_bus);
            vt_ini_set(ini, "volttron", "instance-name", p->opts.instance_name);
            /* Not executable, and only the platform's user's to read when
             * new (it may hold the web secret); an operator's own mode on an
             * existing file is kept. */
            struct stat st;
            mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 0666) : 0600;
            rc = vt_ini_save(ini, path, mode);
        }
        free(current);
    }
    vt_ini_destroy(&ini);
    free(path);
    return rc;
}

/* The capabilities of one built-in entry: a comma list of names, and
 * whether edit_config_store reaches every store. */
static cJSON *service_caps(const char *names, bool any_store)
{
    cJSON *caps = cJSON_CreateObject();
    if (any_store)
        cJSON_AddStringToObject(cJSON_AddObjectToObject(caps, "edit_config_store"), "identity",
                                "/.*/");
    char *copy = vt_strdup(names);
    for (char *save, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        cJSON_AddNullToObject(caps, tok);
    free(copy);
    return caps;
}

/* The platform's own entries in auth.json, which VOLTTRON re-writes at every
 * start (platform-services.md §5.1) in this order: the platform key, the key
 * every vctl run uses, and one per service. The services run in-process and
 * never present their keys, but Python tools and agents look them up (and
 * get_user_to_capabilities must list them), so each has its key store like
 * VOLTTRON's. platform.health has a key store and, as in VOLTTRON, no entry. */
static int write_auth_entries(platform *p)
{
    static const struct {
        const char *user, *identity, *caps;
        bool any_store;
    } entries[] = {
        {"platform", NULL, "", true},
        {"control.connection", "control.connection",
         "modify_rpc_method_allowance,allow_auth_modifications," VT_CONTROL_CAPABILITY, true},
        {"config.store", "config.store", "sync_agent_config", false},
        {"platform.auth", "platform.auth", "modify_rpc_method_allowance", false},
        {"control", "control",
         "modify_rpc_method_allowance,allow_auth_modifications," VT_CONTROL_CAPABILITY, true},
        {"keydiscovery", "keydiscovery", "", false},
        {"platform_web", "platform_web", "allow_auth_modifications", false},
    };
    char *path = vt_fs_path_join(p->opts.volttron_home, "auth.json");
    vt_authfile *af = vt_authfile_load(path);
    free(path);
    if (!af)
        return -EINVAL;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof entries / sizeof entries[0]; i++) {
        vt_keypair k = p->keys;
        if (entries[i].identity) {
            char *store = vt_asprintf("%s/keystores/%s/keystore.json", p->opts.volttron_home,
                                      entries[i].identity);
            rc = vt_keystore_load_or_create(store, &k);
            free(store);
        }
        if (rc < 0)
            break;
        cJSON *caps = service_caps(entries[i].caps, entries[i].any_store);
        vt_authfile_add(af,
                        vt_auth_entry_new(k.public_key, entries[i].user, entries[i].identity, caps,
                                          "Automatically added by platform on start"),
                        true);
        cJSON_Delete(caps);
    }
    if (rc == 0) {
        char *health =
            vt_asprintf("%s/keystores/platform.health/keystore.json", p->opts.volttron_home);
        vt_keypair k;
        rc = vt_keystore_load_or_create(health, &k);
        free(health);
    }
    if (rc == 0)
        rc = vt_authfile_save(af);
    vt_authfile_destroy(&af);
    return rc;
}

static int setup_keys(platform *p)
{
    char *path = vt_fs_path_join(p->opts.volttron_home, "keystore");
    int rc = vt_keystore_load_or_create(path, &p->keys);
    free(path);
    if (rc < 0)
        return rc;
    /* Clients find the server key for each address here. */
    vt_address a;
    rc = vt_address_parse(p->local_address, &a);
    if (rc == 0) {
        rc = vt_known_hosts_set(p->opts.volttron_home, a.host_key, p->keys.public_key);
        vt_address_clear(&a);
    }
    for (size_t i = 0; rc == 0 && i < p->opts.nvip; i++) {
        rc = vt_address_parse(p->opts.vip_addresses[i], &a);
        if (rc == 0) {
            rc = vt_known_hosts_set(p->opts.volttron_home, a.host_key, p->keys.public_key);
            vt_address_clear(&a);
        }
    }
    if (rc == 0)
        rc = write_auth_entries(p);
    return rc;
}

/* Installs and removals cut short by a crash leave hidden directories
 * (agents/.new-*, packages/.incoming-*, ...): nothing uses them. */
static void sweep_incomplete(const char *home)
{
    const char *dirs[] = {"agents", "packages"};
    for (size_t i = 0; i < 2; i++) {
        char *dir = vt_fs_path_join(home, dirs[i]);
        DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d))) {
            if (de->d_name[0] != '.' || strcmp(de->d_name, ".") == 0 ||
                strcmp(de->d_name, "..") == 0)
                continue;
            char *path = vt_fs_path_join(dir, de->d_name);
            vt_log_warning(LOG, "removing %s, left by an interrupted install or removal", path);
            vt_fs_remove_tree(path);
            free(path);
        }
        if (d)
            closedir(d);
        free(dir);
    }
}

static void on_quit(void *ctx)
{
    platform *p = ctx;
    vt_loop_stop(p->loop);
}

static int write_pid(platform *p)
{
    p->pid_path = vt_fs_path_join(p->opts.volttron_home, "VOLTTRON_PID");
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld", (long)getpid());
    return vt_fs_write_atomic(p->pid_path, pid, (size_t)n, 0644);
}

/* Whether a --vip-address only the local host reaches: ipc, or tcp on a
 * loopback address or interface. */
static bool local_only(const char *url)
{
    vt_address a;
    if (vt_address_parse(url, &a) < 0)
        return false;
    bool local = strcmp(a.scheme, "tcp") != 0;
    if (!local && a.host_key) {
        char *host = vt_strdup(a.host_key);
        char *colon = strrchr(host, ':');
        if (colon)
            *colon = '\0';
        const char *h = host;
        if (h[0] == '[') {
            h++;
            host[strlen(host) - 1] = '\0';
        }
        local = strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0 ||
                strcmp(h, "localhost") == 0 || strcmp(h, "lo") == 0;
        free(host);
    }
    vt_address_clear(&a);
    return local;
}

/* Without authentication anyone who reaches an address is anyone: say so,
 * and listen where other hosts reach only when told twice. */
static int check_no_auth(const platform *p)
{
    if (p->opts.auth)
        return 0;
    for (size_t i = 0; i < p->opts.nvip; i++) {
        if (!local_only(p->opts.vip_addresses[i]) && !p->opts.allow_unauthenticated_remote)
            return vt_error_set(-EPERM,
                                "--no-auth with --vip-address %s would let any host "
                                "that reaches it act as any agent: listen on loopback "
                                "only, or add --allow-unauthenticated-remote",
                                p->opts.vip_addresses[i]);
    }
    vt_log_warning(LOG,
                   "authentication is OFF (--no-auth): no keys are checked and no "
                   "capabilities enforced; any process of user %ld (or root) on this host "
                   "may act as any agent, and so may anything that reaches %s",
                   (long)geteuid(),
                   p->opts.nvip ? "the --vip-address(es)" : "nothing else (ipc only)");
    return 0;
}

static int start(platform *p)
{
    setenv("VOLTTRON_HOME", p->opts.volttron_home, 1);
    setenv("MESSAGEBUS", "zmq", 1);
    setenv("AUTH_ENABLED", p->opts.auth ? "True" : "False", 1);
    setenv("AGENT_ISOLATION_MODE", "False", 1);
    int rc = check_no_auth(p);
    if (rc == 0)
        rc = make_dirs(p);
    if (rc == 0)
        rc = settle_instance_name(p);
    p->local_address = p->opts.vip_local_address ? vt_strdup(p->opts.vip_local_address)
                                                 : vt_address_local(p->opts.volttron_home);
    if (rc == 0 && p->opts.auth)
        rc = setup_keys(p);
    if (rc < 0)
        return rc;

    p->loop = vt_loop_new();
    vt_router_options ro = {
        .volttron_home = p->opts.volttron_home,
        .instance_name = p->opts.instance_name,
        .local_address = p->local_address,
        .addresses = (const char *const *)p->opts.vip_addresses,
        .naddresses = p->opts.nvip,
        .auth = p->opts.auth,
        .setup_mode = p->opts.setup_mode,
        .keys = &p->keys,
        .max_message_size = p->opts.max_message_size,
        .max_queue_bytes = p->opts.max_queue_bytes,
        .platform_version = COMPAT_VERSION,
        .vc_address = p->opts.vc_address,
        .vc_serverkey = p->opts.vc_serverkey,
        .web_address = p->opts.bind_web_address,
        .agent_monitor_frequency = p->opts.agent_monitor_frequency,
    };
    p->router = vt_router_new(p->loop, &ro);
    if (!p->router)
        return -EINVAL;
    vt_router_on_quit(p->router, on_quit, p);
    /* platform.auth first: the others check their callers with its map. */
    int rc2 = p->opts.auth ? vt_auth_service_start(p->router, p->opts.volttron_home) : 0;
    if (rc2 == 0)
        rc2 = vt_config_store_start(p->router, p->opts.volttron_home, p->opts.config_store_limit);
    if (rc2 == 0)
        rc2 = vt_health_service_start(p->router);
    if (rc2 < 0)
        return rc2;
    sweep_incomplete(p->opts.volttron_home);
    /* auth.json, config, keystore... written atomically: a crash between
     * temporary file and rename leaves the temporary one (vctl may be
     * writing its own right now: only old ones go). */
    vt_fs_remove_temporaries(p->opts.volttron_home, 60);
    vt_supervisor_options so = {
        .home = p->opts.volttron_home,
        .vip_address = p->local_address,
        .serverkey = p->opts.auth ? p->keys.public_key : NULL,
        .restart_limit = p->opts.agent_restart_limit,
        .restart_backoff_ms = (int64_t)(p->opts.agent_restart_backoff * 1000),
        .restart_backoff_max_ms = 60000,
        .stop_timeout_ms = (int64_t)(p->opts.agent_stop_timeout * 1000),
    };
    p->agents = vt_supervisor_new(p->loop, &so);
    rc2 = vt_control_start(p->router, p->opts.volttron_home,
                           p->opts.auth ? p->keys.public_key : NULL, p->agents);
    if (rc2 < 0)
        return rc2;
    if (p->opts.autostart)
        vt_control_autostart(p->agents, p->opts.volttron_home);
    vt_loop_stop_on_signals(p->loop);
    return write_pid(p);
}

static void stop(platform *p)
{
    if (p->pid_path)
        unlink(p->pid_path);
    /* Agents first, while the router still serves their last words. */
    if (p->agents)
        vt_supervisor_shutdown(p->agents);
    vt_router_destroy(&p->router);
    vt_supervisor_destroy(&p->agents);
    vt_loop_destroy(&p->loop);
    free(p->pid_path);
    free(p->local_address);
    vt_platform_options_clear(&p->opts);
}

static void watchdog_tick(vt_loop *loop, vt_timer *timer, void *ctx)
{
    (void)loop;
    (void)timer;
    (void)ctx;
    vt_notify("WATCHDOG=1");
}

int vt_platform_main(int argc, char **argv)
{
    platform p;
    memset(&p, 0, sizeof p);
    int rc = vt_platform_options_parse(argc, argv, &p.opts);
    if (rc == 1) {
        vt_platform_options_clear(&p.opts);
        return 0;
    }
    if (rc < 0) {
        fprintf(stderr, "volttron: error: %s\n", vt_last_error());
        vt_platform_options_clear(&p.opts);
        return 2;
    }
    if (geteuid() == 0 && !p.opts.allow_root) {
        fprintf(stderr, "volttron: error: refusing to run as root to prevent potential damage "
                        "(--allow-root overrides).\n");
        vt_platform_options_clear(&p.opts);
        return 77;
    }
    vt_log_set_level(p.opts.verboseness);
    /* A file that never stops growing fills a controller's disk: rotate. */
    if (p.opts.log_file &&
        vt_log_to_rotating_file(p.opts.log_file, p.opts.log_max_bytes, p.opts.log_backups) < 0) {
        fprintf(stderr, "volttron: error: %s\n", vt_last_error());
        vt_platform_options_clear(&p.opts);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    if (p.opts.show_config)
        vt_platform_options_log(&p.opts);

    rc = start(&p);
    if (rc < 0) {
        vt_log_critical(LOG, "cannot start: %s", vt_last_error());
        fprintf(stderr, "volttron: error: %s\n", vt_last_error());
        stop(&p);
        return 1;
    }
    vt_log_info(LOG, "platform %s started (VOLTTRON in C %s), home %s", p.opts.instance_name,
                vt_server_version(), p.opts.volttron_home);
    /* Sockets bound, state loaded: tell systemd (or a waiting test). */
    char ready[128];
    snprintf(ready, sizeof ready, "READY=1\nSTATUS=serving %s\nMAINPID=%ld", p.opts.instance_name,
             (long)getpid());
    vt_notify(ready);
    /* systemd's watchdog: proof of life from the loop itself, so a wedged
     * loop gets the platform restarted */
    long wd = vt_notify_watchdog_ms();
    if (wd > 0)
        vt_loop_every(p.loop, wd, wd, watchdog_tick, NULL);
    rc = vt_loop_run(p.loop);
    vt_notify("STOPPING=1");
    vt_log_info(LOG, "shutting down");
    stop(&p);
    fprintf(stderr, "Shutting down.\n");
    return rc < 0 ? 1 : 0;
}
