/* vctl: global options, the subcommand table, and the checks every command
 * shares (root, a running platform). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vctl.h"

typedef struct command {
    const char *name;
    vctl_cmd_fn fn;
    bool needs_platform;
    const char *help;
} command;

/* VOLTTRON lets list, tag and auth run without a platform (they read the
 * home directly); so do enable, disable and package here, which only touch
 * files too. */
static const command commands[] = {
    {"install", vctl_cmd_install, true, "install an agent (source directory, archive, or name)"},
    {"package", vctl_cmd_package, false, "build an agent archive from a package directory"},
    {"create-agent", vctl_cmd_create_agent, false, "write a new agent project"},
    {"remove", vctl_cmd_remove, true, "remove agents"},
    {"start", vctl_cmd_start, true, "start agents"},
    {"stop", vctl_cmd_stop, true, "stop agents"},
    {"restart", vctl_cmd_restart, true, "restart agents"},
    {"enable", vctl_cmd_enable, false, "start agents with the platform (AUTOSTART)"},
    {"disable", vctl_cmd_disable, false, "do not start agents with the platform"},
    {"tag", vctl_cmd_tag, false, "set, show or remove an agent's tag"},
    {"clear", vctl_cmd_clear, true, "forget the status of exited agents"},
    {"list", vctl_cmd_list, false, "list installed agents"},
    {"status", vctl_cmd_status, true, "show agents' status and health"},
    {"health", vctl_cmd_health, true, "show one agent's health"},
    {"peerlist", vctl_cmd_peerlist, true, "list the peers connected to the platform"},
    {"shutdown", vctl_cmd_shutdown, true, "stop all agents (--platform: and the platform)"},
    {"config", vctl_cmd_config, true, "manage agents' configuration stores"},
    {"auth", vctl_cmd_auth, false, "manage authentication and authorisation"},
    {"rpc", vctl_cmd_rpc, true, "list agents' RPC methods"},
    {"publish", vctl_cmd_publish, true, "publish a message on the bus"},
    {"subscribe", vctl_cmd_subscribe, true, "print messages published on the bus"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: vctl [options] <command> [arguments]\n"
                 "\n"
                 "Control a VOLTTRON platform (VOLTTRON_HOME, default ~/.volttron).\n"
                 "\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "\n"
                 "options (before the command):\n"
                 "  -t, --timeout SECS     give up after SECS (default 60)\n"
                 "      --vip-address URL  the platform's address (default: the local one)\n"
                 "      --json             JSON output (list, status, health, auth publickey)\n"
                 "  -l, --log FILE         log to FILE\n"
                 "  -v, -q                 more / less logging\n"
                 "      --debug            more detail on failures\n"
                 "      --allow-root       run as root (refused by default)\n"
                 "      --version          print the version\n"
                 "  -h, --help             this text\n"
                 "\n"
                 "exit status: 0 done, 1 failed, 10 platform not running or no such agent,\n"
                 "20 the platform refused, 75 timed out, 77 run as root.\n");
}

static char *default_home(void)
{
    const char *h = getenv("VOLTTRON_HOME");
    if (h && *h)
        return vt_strdup(h);
    const char *user = getenv("HOME");
    return vt_asprintf("%s/.volttron", user ? user : "");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"timeout", required_argument, NULL, 't'},
        {"vip-address", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},
        {"log", required_argument, NULL, 'l'},
        {"log-config", required_argument, NULL, 'L'},
        {"verboseness", required_argument, NULL, 'V'},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"debug", no_argument, NULL, 'd'},
        {"msgdebug", no_argument, NULL, 'm'},
        {"show-config", no_argument, NULL, 's'},
        {"allow-root", no_argument, NULL, 'R'},
        {"version", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    vctl v = {.command = "vctl"};
    double timeout = 60;
    int verbose = 0, quiet = 0;
    bool allow_root = false;
    const char *log_file = NULL;
    int c;
    /* '+': stop at the subcommand; its options are its own */
    while ((c = getopt_long(argc, argv, "+c:t:l:L:vqh", opts, NULL)) != -1) {
        switch (c) {
        case 't': {
            char *end;
            timeout = strtod(optarg, &end);
            if (*end || timeout <= 0) {
                fprintf(stderr, "vctl: error: --timeout: expected seconds, got \"%s\"\n", optarg);
                return VCTL_USAGE;
            }
            break;
        }
        case 'a':
            v.vip_address = vt_strdup(optarg);
            break;
        case 'j':
            v.json = true;
            break;
        case 'l':
            log_file = optarg;
            break;
        case 'v':
            verbose++;
            break;
        case 'q':
            quiet++;
            break;
        case 'd':
            v.debug = true;
            break;
        case 'R':
            allow_root = true;
            break;
        case 'n':
            printf("vctl %s\n", vt_client_version());
            return VCTL_OK;
        case 'h':
            usage(stdout);
            return VCTL_OK;
        case 'c':
        case 'L':
        case 'V':
        case 'm':
        case 's':
            break; /* accepted, as VOLTTRON's */
        default:
            usage(stderr);
            return VCTL_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stdout);
        return VCTL_OK;
    }
    if (geteuid() == 0 && !allow_root) {
        fprintf(stderr, "vctl: error: refusing to run as root to prevent potential damage.\n");
        return VCTL_ROOT;
    }
    vt_log_set_level(vt_log_level_from_verbosity(verbose, quiet));
    if (log_file && vt_log_to_file(log_file) < 0) {
        fprintf(stderr, "vctl: error: %s\n", vt_last_error());
        return VCTL_FAIL;
    }
    const char *name = argv[optind];
    const command *cmd = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            cmd = &commands[i];
    if (!cmd) {
        fprintf(stderr, "vctl: error: unknown command \"%s\" (vctl --help lists them)\n", name);
        return VCTL_USAGE;
    }
    v.command = cmd->name;
    v.home = default_home();
    setenv("VOLTTRON_HOME", v.home, 1);
    v.deadline_ms = vt_time_monotonic_ms() + (int64_t)(timeout * 1000);
    int rc;
    if (cmd->needs_platform && !vctl_running(&v)) {
        fprintf(stderr, "VOLTTRON is not running. This command requires VOLTTRON platform to "
                        "be running\n");
        rc = VCTL_NOT_RUNNING;
    } else {
        /* each subcommand parses its own options from its name on */
        int at = optind;
        optind = 0;
        rc = cmd->fn(&v, argc - at, argv + at);
    }
    vt_agent_destroy(&v.agent);
    free(v.home);
    free(v.vip_address);
    return rc;
}
