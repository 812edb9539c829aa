/* Where an agent's identity, home, address and keys come from: explicit
 * options first, then the environment the platform gives a launched agent,
 * then VOLTTRON's defaults and files (known_hosts, key stores). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/address.h>
#include <volttron/client/agent.h>
#include <volttron/client/version.h>
#include <volttron/utils/config.h>
#include <volttron/utils/encoding.h>
#include <volttron/utils/error.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/uuid.h>

#include "agent_private.h"

static const char *pick(const char *opt, const char *env_name)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv(env_name);
    return env && *env ? env : NULL;
}

static char *default_home(void)
{
    const char *home = getenv("HOME");
    return vt_asprintf("%s/.volttron", home && *home ? home : "/tmp");
}

/* Expand a leading "~/" and drop trailing slashes, as VOLTTRON does. */
static char *normalise_home(const char *path)
{
    char *out;
    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
        const char *home = getenv("HOME");
        out = vt_asprintf("%s%s", home ? home : "", path + 1);
    } else {
        out = vt_strdup(path);
    }
    size_t n = strlen(out);
    while (n > 1 && out[n - 1] == '/')
        out[--n] = '\0';
    return out;
}

static int copy_key(const char *text, char out[VT_KEY_TEXT_SIZE], const char *what)
{
    uint8_t raw[32];
    if (vt_key_decode(text, raw) < 0)
        return vt_error_prefix(-EINVAL, "%s", what);
    vt_key_encode(raw, out);
    return 0;
}

static bool auth_disabled_by_env(void)
{
    const char *env = getenv("AUTH_ENABLED");
    /* VOLTTRON: any value but the string "False" means enabled. */
    return env && strcmp(env, "False") == 0;
}

static int configure_keys(vt_agent *agent, const vt_agent_options *opts, const vt_address *addr)
{
    const char *server = pick(opts->serverkey, "VOLTTRON_SERVERKEY");
    if (!server)
        server = addr->serverkey;
    int rc;
    if (server) {
        rc = copy_key(server, agent->serverkey, "server key");
        if (rc < 0)
            return rc;
    } else if (vt_known_hosts_lookup(agent->home, agent->address, agent->serverkey) < 0) {
        agent->serverkey[0] = '\0';
    }

    if (opts->auth == 0 || (opts->auth < 0 && auth_disabled_by_env())) {
        agent->auth = false;
        return 0;
    }
    if (!agent->serverkey[0]) {
        if (opts->auth > 0)
            return vt_error_set(-EINVAL,
                                "no server key for %s: give one (VOLTTRON_SERVERKEY, "
                                "?serverkey=) or add it to %s/known_hosts",
                                agent->address, agent->home);
        /* No key anywhere: a platform running without authentication. */
        agent->auth = false;
        return 0;
    }
    agent->auth = true;

    const char *pub = pick(opts->publickey, "AGENT_PUBLICKEY");
    const char *sec = pick(opts->secretkey, "AGENT_SECRETKEY");
    if (!pub && !sec) {
        pub = addr->publickey;
        sec = addr->secretkey;
    }
    if (pub && sec) {
        rc = copy_key(pub, agent->keys.public_key, "public key");
        if (rc == 0)
            rc = copy_key(sec, agent->keys.secret_key, "secret key");
        return rc;
    }
    if (pub || sec)
        return vt_error_set(-EINVAL, "a public key needs its secret key and vice versa");
    /* An agent with an identity but no keys of its own: its key store under
     * the home, as VOLTTRON scripts and vctl use. */
    char *path = vt_asprintf("%s/keystores/%s/keystore.json", agent->home, agent->identity);
    rc = vt_keystore_load_or_create(path, &agent->keys);
    free(path);
    return rc;
}

int vt_agent_configure(vt_agent *agent, const vt_agent_options *opts)
{
    const char *identity = pick(opts->identity, "AGENT_VIP_IDENTITY");
    if (identity) {
        agent->identity = vt_strdup(identity);
    } else {
        char uuid[VT_UUID_SIZE];
        vt_uuid4(uuid);
        agent->identity = vt_strdup(uuid);
    }
    const char *home = pick(opts->volttron_home, "VOLTTRON_HOME");
    agent->home = home ? normalise_home(home) : default_home();
    const char *address = pick(opts->address, "VOLTTRON_VIP_ADDR");
    agent->address = address ? vt_strdup(address) : vt_address_local(agent->home);
    agent->version = vt_strdup(opts->version ? opts->version : "0.1");
    agent->heartbeat_period = opts->heartbeat_period;
    agent->fail_fast = opts->fail_fast;

    vt_address addr;
    int rc = vt_address_parse(agent->address, &addr);
    if (rc < 0)
        return rc;
    rc = configure_keys(agent, opts, &addr);
    vt_address_clear(&addr);
    if (rc < 0)
        return rc;

    const char *config = pick(opts->config_path, "AGENT_CONFIG");
    if (config) {
        agent->config = vt_config_load(config);
        if (!agent->config)
            return -EINVAL;
    } else {
        agent->config = cJSON_CreateObject();
    }
    return 0;
}

static void usage(FILE *out, const char *prog)
{
    fprintf(out,
            "usage: %s [options]\n"
            "  -c, --config FILE      agent configuration (JSON or YAML)\n"
            "      --identity ID      VIP identity\n"
            "      --vip-address URL  platform address (tcp://host:port or ipc://...)\n"
            "      --serverkey KEY    platform public key\n"
            "      --publickey KEY    this agent's public key\n"
            "      --secretkey KEY    this agent's secret key\n"
            "      --volttron-home D  VOLTTRON_HOME\n"
            "      --no-auth          connect without CURVE (platform run with --no-auth)\n"
            "  -l, --log FILE         log to FILE instead of stderr\n"
            "  -v, -q                 more / less logging (repeatable)\n"
            "      --version          print the library version\n"
            "  -h, --help             this text\n",
            prog);
}

vt_agent *vt_agent_new_from_env(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"identity", required_argument, NULL, 'I'},
        {"vip-address", required_argument, NULL, 'a'},
        {"serverkey", required_argument, NULL, 'S'},
        {"publickey", required_argument, NULL, 'P'},
        {"secretkey", required_argument, NULL, 's'},
        {"volttron-home", required_argument, NULL, 'H'},
        {"no-auth", no_argument, NULL, 'N'},
        {"log", required_argument, NULL, 'l'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    vt_agent_options opts = {.auth = -1};
    int verbose = 0, quiet = 0, c;
    const char *prog = argc > 0 ? argv[0] : "agent";
    const char *logfile = NULL;

    optind = 1;
    while ((c = getopt_long(argc, argv, "c:l:vqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            opts.config_path = optarg;
            break;
        case 'I':
            opts.identity = optarg;
            break;
        case 'a':
            opts.address = optarg;
            break;
        case 'S':
            opts.serverkey = optarg;
            break;
        case 'P':
            opts.publickey = optarg;
            break;
        case 's':
            opts.secretkey = optarg;
            break;
        case 'H':
            opts.volttron_home = optarg;
            break;
        case 'N':
            opts.auth = 0;
            break;
        case 'l':
            logfile = optarg;
            break;
        case 'v':
            verbose++;
            break;
        case 'q':
            quiet++;
            break;
        case 'V':
            printf("volttron-client %s\n", vt_client_version());
            exit(0);
        case 'h':
            usage(stdout, prog);
            exit(0);
        default:
            usage(stderr, prog);
            return NULL;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument \"%s\"\n", prog, argv[optind]);
        usage(stderr, prog);
        return NULL;
    }
    /* Launched agents log at INFO so their output reaches the platform log. */
    vt_log_set_level(vt_log_level_from_verbosity(1 + verbose, quiet));
    if (logfile && vt_log_to_file(logfile) < 0) {
        fprintf(stderr, "%s: %s\n", prog, vt_last_error());
        return NULL;
    }
    /* The platform captures a launched agent's stderr and logs each line
     * with its own timestamp under the agent's name. */
    const char *launched = getenv("_LAUNCHED_BY_PLATFORM");
    if (!logfile && launched && strcmp(launched, "1") == 0)
        vt_log_to_parent();
    vt_agent *agent = vt_agent_new(&opts);
    if (!agent)
        fprintf(stderr, "%s: %s\n", prog, vt_last_error());
    return agent;
}
