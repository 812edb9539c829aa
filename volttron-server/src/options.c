#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <volttron/server/version.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/ini.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "options.h"

#define LOG "volttron.options"

enum {
    OPT_VIP_ADDRESS = 256,
    OPT_VIP_LOCAL_ADDRESS,
    OPT_INSTANCE_NAME,
    OPT_MESSAGE_BUS,
    OPT_ALLOW_AUTH,
    OPT_NO_AUTH,
    OPT_AUTOSTART,
    OPT_NO_AUTOSTART,
    OPT_SHOW_CONFIG,
    OPT_VERSION,
    OPT_ALLOW_ROOT,
    OPT_VERBOSENESS,
    OPT_SETUP_MODE,
    OPT_MONITOR_FREQ,
    OPT_MAX_MESSAGE_SIZE,
    OPT_MAX_QUEUE,
    OPT_CONFIG_STORE_LIMIT,
    OPT_ALLOW_UNAUTH_REMOTE,
    OPT_LOG_MAX_BYTES,
    OPT_LOG_BACKUPS,
    OPT_WEB_ADDRESS,
    OPT_VC_ADDRESS,
    OPT_VC_SERVERKEY,
    OPT_RESTART_LIMIT,
    OPT_RESTART_BACKOFF,
    OPT_STOP_TIMEOUT,
    OPT_IGNORED,
};

static const struct option longopts[] = {
    {"config", required_argument, NULL, 'c'},
    {"log", required_argument, NULL, 'l'},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"verboseness", required_argument, NULL, OPT_VERBOSENESS},
    {"log-max-bytes", required_argument, NULL, OPT_LOG_MAX_BYTES},
    {"log-backup-count", required_argument, NULL, OPT_LOG_BACKUPS},
    {"vip-address", required_argument, NULL, OPT_VIP_ADDRESS},
    {"vip-local-address", required_argument, NULL, OPT_VIP_LOCAL_ADDRESS},
    {"instance-name", required_argument, NULL, OPT_INSTANCE_NAME},
    {"message-bus", required_argument, NULL, OPT_MESSAGE_BUS},
    {"allow-auth", required_argument, NULL, OPT_ALLOW_AUTH},
    {"no-auth", no_argument, NULL, OPT_NO_AUTH},
    {"autostart", no_argument, NULL, OPT_AUTOSTART},
    {"no-autostart", no_argument, NULL, OPT_NO_AUTOSTART},
    {"show-config", no_argument, NULL, OPT_SHOW_CONFIG},
    {"setup-mode", no_argument, NULL, OPT_SETUP_MODE},
    {"agent-monitor-frequency", required_argument, NULL, OPT_MONITOR_FREQ},
    {"max-message-size", required_argument, NULL, OPT_MAX_MESSAGE_SIZE},
    {"max-peer-queue", required_argument, NULL, OPT_MAX_QUEUE},
    {"config-store-limit", required_argument, NULL, OPT_CONFIG_STORE_LIMIT},
    {"allow-unauthenticated-remote", no_argument, NULL, OPT_ALLOW_UNAUTH_REMOTE},
    {"bind-web-address", required_argument, NULL, OPT_WEB_ADDRESS},
    {"volttron-central-address", required_argument, NULL, OPT_VC_ADDRESS},
    {"volttron-central-serverkey", required_argument, NULL, OPT_VC_SERVERKEY},
    {"agent-restart-limit", required_argument, NULL, OPT_RESTART_LIMIT},
    {"agent-restart-backoff", required_argument, NULL, OPT_RESTART_BACKOFF},
    {"agent-stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
    {"allow-root", no_argument, NULL, OPT_ALLOW_ROOT},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Config-file keys VOLTTRON accepts that this platform records but does not
 * act on (web TLS material, RabbitMQ, isolation, log config). */
static const char *const accepted_keys[] = {
    "web-ssl-cert",
    "web-ssl-key",
    "web-ca-cert",
    "web-secret-key",
    "volttron-central-rmq-address",
    "agent-isolation-mode",
    "log-config",
    "log-level",
    "monitor",
    "msgdebug",
    "publish-address",
    "subscribe-address",
    NULL,
};

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: volttron [options]\n"
        "\n"
        "The VOLTTRON platform: a VIP message router with its core services.\n"
        "\n"
        "  -c, --config FILE            read options from FILE (default $VOLTTRON_HOME/config)\n"
        "  -l, --log FILE               log to FILE ('-' for stdout) instead of stderr\n"
        "      --log-max-bytes BYTES    start a new FILE at this size, keeping the last\n"
        "                               ones as FILE.1 .. FILE.N (default 10 MiB; 0 never)\n"
        "      --log-backup-count N     how many old log files to keep (default 5)\n"
        "  -v, --verbose / -q, --quiet  more / less logging (repeatable)\n"
        "      --verboseness LEVEL      log level as a number (10 DEBUG .. 50 CRITICAL)\n"
        "      --vip-address URL        also listen on URL (tcp://IP:PORT, ipc://PATH); "
        "repeatable\n"
        "      --vip-local-address URL  local address (default "
        "ipc://@$VOLTTRON_HOME/run/vip.socket)\n"
        "      --instance-name NAME     this platform's instance name\n"
        "      --message-bus zmq        the message bus (only zmq)\n"
        "      --allow-auth True|False  CURVE authentication (default True)\n"
        "      --no-auth                no authentication: any local process of this user\n"
        "                               may act as any agent (see README, Security model)\n"
        "      --allow-unauthenticated-remote  with --no-auth, also listen on addresses\n"
        "                               other hosts reach (refused otherwise)\n"
        "      --autostart/--no-autostart  start agents marked AUTOSTART (default on)\n"
        "      --agent-monitor-frequency SECS  how often crashed agents are checked\n"
        "      --max-message-size BYTES largest VIP message accepted (default 16 MiB)\n"
        "      --max-peer-queue BYTES   what may wait for one peer that does not read; more\n"
        "                               is dropped and counted (default 32 MiB, at least\n"
        "                               twice the largest message)\n"
        "      --config-store-limit BYTES  largest configuration store of one agent\n"
        "                               (default 64 MiB)\n"
        "      --agent-restart-limit N  restarts of a crashing agent in a row before giving\n"
        "                               up (default 5; 0 never restarts)\n"
        "      --agent-restart-backoff SECS  wait before the first restart, doubling each\n"
        "                               time up to 60 s (default 1)\n"
        "      --agent-stop-timeout SECS  wait after SIGINT, then after SIGTERM, before\n"
        "                               SIGKILL (default 60, VOLTTRON's)\n"
        "      --setup-mode             admit unknown keys and record them in auth.json\n"
        "      --allow-root             run as root (refused by default)\n"
        "      --show-config            log every effective option at start\n"
        "      --version                print the version and exit\n"
        "  -h, --help                   this text\n"
        "\n"
        "Environment: VOLTTRON_HOME (default ~/.volttron).\n");
}

static void add_address(vt_platform_options *o, const char *url)
{
    o->vip_addresses = vt_realloc(o->vip_addresses, (o->nvip + 1) * sizeof *o->vip_addresses);
    o->vip_addresses[o->nvip++] = vt_strdup(url);
}

static void set_str(char **slot, const char *value)
{
    free(*slot);
    *slot = vt_strdup(value);
}

static int parse_bool(const char *value, bool *out, const char *what)
{
    if (strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
        strcasecmp(value, "yes") == 0 || strcasecmp(value, "on") == 0)
        *out = true;
    else if (strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
             strcasecmp(value, "no") == 0 || strcasecmp(value, "off") == 0)
        *out = false;
    else
        return vt_error_set(-EINVAL, "%s: expected True or False, got \"%s\"", what, value);
    return 0;
}

static int parse_seconds(const char *value, double min, double max, double *out, const char *what)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (errno || *end || end == value || !(v >= min && v <= max))
        return vt_error_set(-EINVAL, "%s: expected seconds from %g to %g, got \"%s\"", what, min,
                            max, value);
    *out = v;
    return 0;
}

static int parse_int(const char *value, long min, long max, long *out, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || *end || end == value || v < min || v > max)
        return vt_error_set(-EINVAL, "%s: expected a whole number from %ld to %ld, got \"%s\"",
                            what, min, max, value);
    *out = v;
    return 0;
}

/* Apply one option (from the command line or the config file). */
static int apply(vt_platform_options *o, int opt, const char *value)
{
    long v;
    int rc = 0;
    switch (opt) {
    case 'l':
        set_str(&o->log_file, value);
        break;
    case 'v':
        o->verboseness -= 10;
        break;
    case 'q':
        o->verboseness += 10;
        break;
    case OPT_VERBOSENESS:
        rc = parse_int(value, 0, 100, &v, "--verboseness");
        if (rc == 0)
            o->verboseness = (int)v;
        break;
    case OPT_VIP_ADDRESS:
        add_address(o, value);
        break;
    case OPT_VIP_LOCAL_ADDRESS:
        set_str(&o->vip_local_address, value);
        break;
    case OPT_INSTANCE_NAME:
        set_str(&o->instance_name, value);
        break;
    case OPT_MESSAGE_BUS:
        if (strcmp(value, "zmq") != 0)
            return vt_error_set(-ENOTSUP, "--message-bus %s: only zmq is available", value);
        set_str(&o->message_bus, value);
        break;
    case OPT_ALLOW_AUTH:
        /* VOLTTRON: anything but the string "False" means enabled. */
        o->auth = strcmp(value, "False") != 0 && strcasecmp(value, "false") != 0;
        break;
    case OPT_NO_AUTH:
        o->auth = false;
        break;
    case OPT_AUTOSTART:
        o->autostart = true;
        break;
    case OPT_NO_AUTOSTART:
        o->autostart = false;
        break;
    case OPT_SHOW_CONFIG:
        o->show_config = true;
        break;
    case OPT_SETUP_MODE:
        o->setup_mode = true;
        break;
    case OPT_ALLOW_ROOT:
        o->allow_root = true;
        break;
    case OPT_MONITOR_FREQ:
        rc = parse_int(value, 1, 86400 * 365, &v, "--agent-monitor-frequency");
        if (rc == 0)
            o->agent_monitor_frequency = (int)v;
        break;
    case OPT_MAX_MESSAGE_SIZE:
        rc = parse_int(value, 1024, 1L << 30, &v, "--max-message-size");
        if (rc == 0)
            o->max_message_size = (size_t)v;
        break;
    case OPT_LOG_MAX_BYTES:
        rc = parse_int(value, 0, 1L << 40, &v, "--log-max-bytes");
        if (rc == 0)
            o->log_max_bytes = v;
        break;
    case OPT_LOG_BACKUPS:
        rc = parse_int(value, 0, 99, &v, "--log-backup-count");
        if (rc == 0)
            o->log_backups = (int)v;
        break;
    case OPT_MAX_QUEUE:
        rc = parse_int(value, 64 * 1024, 1L << 34, &v, "--max-peer-queue");
        if (rc == 0)
            o->max_queue_bytes = (size_t)v;
        break;
    case OPT_CONFIG_STORE_LIMIT:
        rc = parse_int(value, 1024, 1L << 30, &v, "--config-store-limit");
        if (rc == 0)
            o->config_store_limit = (size_t)v;
        break;
    case OPT_ALLOW_UNAUTH_REMOTE:
        o->allow_unauthenticated_remote = true;
        break;
    case OPT_RESTART_LIMIT:
        rc = parse_int(value, 0, 1000, &v, "--agent-restart-limit");
        if (rc == 0)
            o->agent_restart_limit = (int)v;
        break;
    case OPT_RESTART_BACKOFF:
        rc =
            parse_seconds(value, 0.001, 3600, &o->agent_restart_backoff, "--agent-restart-backoff");
        break;
    case OPT_STOP_TIMEOUT:
        rc = parse_seconds(value, 0.001, 3600, &o->agent_stop_timeout, "--agent-stop-timeout");
        break;
    case OPT_WEB_ADDRESS:
        set_str(&o->bind_web_address, value);
        break;
    case OPT_VC_ADDRESS:
        set_str(&o->vc_address, value);
        break;
    case OPT_VC_SERVERKEY:
        set_str(&o->vc_serverkey, value);
        break;
    default:
        break;
    }
    return rc;
}

static int option_for_key(const char *key, bool *takes_value)
{
    for (const struct option *lo = longopts; lo->name; lo++) {
        if (strcmp(lo->name, key) == 0) {
            *takes_value = lo->has_arg == required_argument;
            return lo->val;
        }
    }
    for (const char *const *k = accepted_keys; *k; k++) {
        if (strcmp(*k, key) == 0) {
            *takes_value = true;
            return OPT_IGNORED;
        }
    }
    return 0;
}

/* Options from the [volttron] section (or no section) of the config file. */
static int apply_config_file(vt_platform_options *o, const char *path)
{
    vt_ini *ini = vt_ini_load(path);
    if (!ini)
        return -EINVAL;
    const char *sections[] = {"", "volttron"};
    int rc = 0;
    for (size_t s = 0; s < 2 && rc == 0; s++) {
        const char *key, *raw;
        for (size_t i = 0; rc == 0 && vt_ini_entry(ini, sections[s], i, &key, &raw); i++) {
            bool takes_value;
            int opt = option_for_key(key, &takes_value);
            if (!opt || opt == 'c' || opt == 'h' || opt == OPT_VERSION) {
                rc = vt_error_set(-EINVAL, "%s: unknown option \"%s\"", path, key);
                break;
            }
            char *value = vt_ini_unquote(raw);
            if (!value) {
                rc = vt_error_prefix(-EINVAL, "%s: %s", path, key);
                break;
            }
            if (takes_value) {
                rc = apply(o, opt, value);
            } else {
                /* A flag in the file: "autostart = True" / "False". */
                bool on = false;
                rc = parse_bool(value, &on, key);
                if (rc == 0 && on)
                    rc = apply(o, opt, value);
                else if (rc == 0 && opt == OPT_AUTOSTART)
                    o->autostart = false;
            }
            if (rc < 0)
                vt_error_prefix(rc, "%s", path);
            free(value);
        }
    }
    vt_ini_destroy(&ini);
    return rc;
}

static char *default_home(void)
{
    const char *env = getenv("VOLTTRON_HOME");
    if (env && *env) {
        char *h;
        if (env[0] == '~' && (env[1] == '/' || env[1] == '\0'))
            h = vt_asprintf("%s%s", getenv("HOME") ? getenv("HOME") : "", env + 1);
        else
            h = vt_strdup(env);
        size_t n = strlen(h);
        while (n > 1 && h[n - 1] == '/')
            h[--n] = '\0';
        return h;
    }
    const char *home = getenv("HOME");
    return vt_asprintf("%s/.volttron", home && *home ? home : "/tmp");
}

int vt_platform_options_parse(int argc, char **argv, vt_platform_options *o)
{
    memset(o, 0, sizeof *o);
    o->verboseness = VT_LOG_WARNING;
    o->auth = true;
    o->autostart = true;
    o->agent_monitor_frequency = 600;
    o->max_message_size = 16u << 20;
    o->config_store_limit = 64u << 20;
    o->log_max_bytes = VT_LOG_MAX_BYTES_DEFAULT;
    o->log_backups = VT_LOG_BACKUPS_DEFAULT;
    o->agent_restart_limit = 5;
    o->agent_restart_backoff = 1;
    o->agent_stop_timeout = 60;
    o->message_bus = vt_strdup("zmq");
    o->volttron_home = default_home();

    /* First pass: only --config / --help / --version, so the file can be
     * applied before the rest of the command line overrides it. */
    const char *config = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:l:vqh", longopts, NULL)) != -1) {
        if (c == 'c')
            config = optarg;
        else if (c == 'h') {
            usage(stdout);
            return 1;
        } else if (c == OPT_VERSION) {
            printf("volttron 9.0.4 (VOLTTRON in C %s)\n", vt_server_version());
            return 1;
        }
    }
    char *default_config = vt_fs_path_join(o->volttron_home, "config");
    if (!config && !getenv("SKIP_VOLTTRON_CONFIG") && vt_fs_is_file(default_config))
        config = default_config;
    int rc = 0;
    if (config) {
        o->config_path = vt_strdup(config);
        rc = apply_config_file(o, config);
    }
    free(default_config);
    if (rc < 0)
        return rc;

    opterr = 1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:l:vqh", longopts, NULL)) != -1) {
        if (c == '?')
            return vt_error_set(-EINVAL, "invalid command line (see volttron --help)");
        if (c == 'c')
            continue;
        rc = apply(o, c, optarg);
        if (rc < 0)
            return rc;
    }
    if (optind < argc)
        return vt_error_set(-EINVAL, "unexpected argument \"%s\" (see volttron --help)",
                            argv[optind]);
    return 0;
}

void vt_platform_options_clear(vt_platform_options *o)
{
    free(o->volttron_home);
    free(o->config_path);
    free(o->log_file);
    for (size_t i = 0; i < o->nvip; i++)
        free(o->vip_addresses[i]);
    free(o->vip_addresses);
    free(o->vip_local_address);
    free(o->instance_name);
    free(o->message_bus);
    free(o->bind_web_address);
    free(o->vc_address);
    free(o->vc_serverkey);
    memset(o, 0, sizeof *o);
}

void vt_platform_options_log(const vt_platform_options *o)
{
    vt_log_info(LOG, "volttron-home: %s", o->volttron_home);
    vt_log_info(LOG, "config: %s", o->config_path ? o->config_path : "(none)");
    vt_log_info(LOG, "instance-name: %s", o->instance_name ? o->instance_name : "");
    vt_log_info(LOG, "message-bus: %s", o->message_bus);
    vt_log_info(LOG, "vip-local-address: %s", o->vip_local_address ? o->vip_local_address : "");
    for (size_t i = 0; i < o->nvip; i++)
        vt_log_info(LOG, "vip-address: %s", o->vip_addresses[i]);
    vt_log_info(LOG, "allow-auth: %s", o->auth ? "True" : "False");
    vt_log_info(LOG, "autostart: %s", o->autostart ? "True" : "False");
    vt_log_info(LOG, "verboseness: %d", o->verboseness);
    vt_log_info(LOG, "agent-monitor-frequency: %d", o->agent_monitor_frequency);
    vt_log_info(LOG, "max-message-size: %zu", o->max_message_size);
    vt_log_info(LOG, "max-peer-queue: %zu%s", o->max_queue_bytes,
                o->max_queue_bytes ? "" : " (default)");
    vt_log_info(LOG, "config-store-limit: %zu", o->config_store_limit);
    vt_log_info(LOG, "log: %s (rotated at %lld bytes, %d kept)", o->log_file ? o->log_file : "-",
                (long long)o->log_max_bytes, o->log_backups);
    vt_log_info(LOG, "agent-restart-limit: %d", o->agent_restart_limit);
    vt_log_info(LOG, "agent-restart-backoff: %g", o->agent_restart_backoff);
    vt_log_info(LOG, "agent-stop-timeout: %g", o->agent_stop_timeout);
}
