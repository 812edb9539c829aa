/* vcfg: VOLTTRON's platform configuration wizard (spec vctl-vcfg.md Part B).
 *
 * It asks VOLTTRON 9's questions in VOLTTRON 9's words, writes
 * $VOLTTRON_HOME/config, and installs the chosen agents through vctl. Every
 * question can also be answered on the command line, and --non-interactive
 * takes the default for the rest, for unattended setups.
 *
 * Deliberate differences from VOLTTRON's vcfg are listed in the help text
 * (usage() below) and at the top of wizard.c, agents.c and config_file.h.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <volttron/client/version.h>
#include <volttron/utils/buf.h>
#include <volttron/utils/error.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "agents.h"
#include "config_file.h"
#include "platform.h"
#include "prompt.h"
#include "vcfg.h"
#include "wizard.h"

enum {
    OPT_VERSION = 256,
    OPT_VHOME,
    OPT_INSTANCE_NAME,
    OPT_LIST_AGENTS,
    OPT_AGENT,
    OPT_MESSAGE_BUS,
    OPT_VIP_ADDRESS,
    OPT_VIP_PORT,
    OPT_WEB,
    OPT_NO_WEB,
    OPT_WEB_PROTOCOL,
    OPT_WEB_PORT,
    OPT_VC_ADDRESS,
    OPT_NO_VC,
    OPT_HISTORIAN,
    OPT_NO_HISTORIAN,
    OPT_DRIVER,
    OPT_NO_DRIVER,
    OPT_FAKE_DEVICE,
    OPT_NO_FAKE_DEVICE,
    OPT_LISTENER,
    OPT_NO_LISTENER,
    OPT_AUTOSTART,
    OPT_NO_AUTOSTART,
    OPT_NON_INTERACTIVE,
    OPT_ALLOW_ROOT,
};

static const struct option longopts[] = {
    {"help", no_argument, NULL, 'h'},
    {"verbose", no_argument, NULL, 'v'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"vhome", required_argument, NULL, OPT_VHOME},
    {"instance-name", required_argument, NULL, OPT_INSTANCE_NAME},
    {"list-agents", no_argument, NULL, OPT_LIST_AGENTS},
    {"agent", required_argument, NULL, OPT_AGENT},
    {"message-bus", required_argument, NULL, OPT_MESSAGE_BUS},
    {"vip-address", required_argument, NULL, OPT_VIP_ADDRESS},
    {"vip-port", required_argument, NULL, OPT_VIP_PORT},
    {"web", no_argument, NULL, OPT_WEB},
    {"no-web", no_argument, NULL, OPT_NO_WEB},
    {"web-protocol", required_argument, NULL, OPT_WEB_PROTOCOL},
    {"web-port", required_argument, NULL, OPT_WEB_PORT},
    {"vc-address", required_argument, NULL, OPT_VC_ADDRESS},
    {"no-vc", no_argument, NULL, OPT_NO_VC},
    {"install-historian", no_argument, NULL, OPT_HISTORIAN},
    {"no-install-historian", no_argument, NULL, OPT_NO_HISTORIAN},
    {"install-driver", no_argument, NULL, OPT_DRIVER},
    {"no-install-driver", no_argument, NULL, OPT_NO_DRIVER},
    {"fake-device", no_argument, NULL, OPT_FAKE_DEVICE},
    {"no-fake-device", no_argument, NULL, OPT_NO_FAKE_DEVICE},
    {"install-listener", no_argument, NULL, OPT_LISTENER},
    {"no-install-listener", no_argument, NULL, OPT_NO_LISTENER},
    {"autostart", no_argument, NULL, OPT_AUTOSTART},
    {"no-autostart", no_argument, NULL, OPT_NO_AUTOSTART},
    {"yes", no_argument, NULL, OPT_NON_INTERACTIVE},
    {"non-interactive", no_argument, NULL, OPT_NON_INTERACTIVE},
    {"allow-root", no_argument, NULL, OPT_ALLOW_ROOT},
    {NULL, 0, NULL, 0},
};

static const char synopsis[] =
    "usage: vcfg [-h] [-v] [--version] [--vhome DIR] [--instance-name NAME]\n"
    "            [--list-agents | --agent NAME [NAME ...]]\n"
    "            [--message-bus zmq] [--vip-address tcp://HOST] [--vip-port N]\n"
    "            [--web | --no-web] [--web-protocol https|http] [--web-port N]\n"
    "            [--vc-address URL | --no-vc]\n"
    "            [--install-historian | --no-install-historian]\n"
    "            [--install-driver | --no-install-driver] [--fake-device | --no-fake-device]\n"
    "            [--install-listener | --no-install-listener]\n"
    "            [--autostart | --no-autostart] [--yes | --non-interactive] [--allow-root]\n";

static void usage(FILE *out)
{
    fputs(synopsis, out);
    fputs("\n"
          "Configure a VOLTTRON platform: asks VOLTTRON 9's setup questions, writes\n"
          "$VOLTTRON_HOME/config and installs the chosen agents through vctl.\n"
          "\n"
          "  -h, --help               this text\n"
          "  -v, --verbose            debug output; shows every command vcfg runs\n"
          "      --version            print the version (of libvolttron-client) and exit\n"
          "      --vhome DIR          configure DIR (default $VOLTTRON_HOME, else\n"
          "                           ~/.volttron) without asking to confirm it\n"
          "      --instance-name NAME the instance name (answers \"What is the name of this\n"
          "                           instance?\"; with --agent, stored as it is)\n"
          "      --list-agents        list the agents vcfg can install\n"
          "      --agent NAME...      install only these agents (see --list-agents)\n"
          "      --allow-root         run as root (refused by default, exit 77)\n"
          "\n"
          "Answers to the wizard's questions, for unattended setups:\n"
          "      --message-bus zmq    message bus (only zmq in this build)\n"
          "      --vip-address tcp://HOST  address to listen on (default tcp://127.0.0.1)\n"
          "      --vip-port N         its port, 1-65534 (default 22916); must be free\n"
          "      --web, --no-web      web enabled (default no); --web-protocol https|http\n"
          "                           (default https) and --web-port N (default 8443, 8080\n"
          "                           for http) imply --web\n"
          "      --vc-address URL     controlled by volttron central at URL\n"
          "                           (http[s]://HOST[:PORT], port default 8443)\n"
          "      --no-vc              not controlled by volttron central (the default)\n"
          "      --install-historian, --no-install-historian   SQLite platform historian\n"
          "      --install-driver, --no-install-driver         platform driver, and with\n"
          "      --fake-device, --no-fake-device               a fake device\n"
          "      --install-listener, --no-install-listener     listener agent\n"
          "      --autostart, --no-autostart  enable the installed agents' autostart\n"
          "      --yes, --non-interactive  never read stdin: take the default for every\n"
          "                           question not answered by an option (and do not\n"
          "                           ask to confirm VOLTTRON_HOME)\n"
          "\n"
          "Agents are installed by package name with \"vctl install\" (vctl and volttron\n"
          "are looked for next to vcfg, then in $PATH). When no platform is running\n"
          "vcfg starts one (\"volttron -v -v -l $VOLTTRON_HOME/volttron.cfg.log\") for the\n"
          "installs and stops it afterwards.\n"
          "\n"
          "Differences from VOLTTRON 9's vcfg:\n"
          "  - it need not run from a VOLTTRON source tree;\n"
          "  - only the ZeroMQ bus: \"rmq\" is refused, and there is no rabbitmq,\n"
          "    --agent-isolation-mode or update-config-store subcommand;\n"
          "  - no web server or VOLTTRON Central agents yet: a web-enabled instance\n"
          "    records bind-web-address only (no certificate questions, no \"Is this an\n"
          "    instance of volttron central?\"); \"Will this instance be controlled by\n"
          "    volttron central?\" defaults to N and records volttron-central-address\n"
          "    only; --list-agents has no vc and vcp;\n"
          "  - every question, \"Should the agent autostart?\" and the fake device\n"
          "    included, is asked before anything is installed, and one platform is\n"
          "    started for all installs; a failed install makes the exit status 1;\n"
          "  - every question can be answered by an option (above);\n"
          "  - an unknown --agent name is an error (exit 1) and nothing is done;\n"
          "  - a new config file gets mode 0644 (VOLTTRON: 0744); a config file that\n"
          "    cannot be parsed is an error and is left untouched; other sections\n"
          "    in it are kept;\n"
          "  - answers are stripped of surrounding white space, and the end of the\n"
          "    input is an error (exit 1);\n"
          "  - refuses to run as root unless --allow-root.\n"
          "\n"
          "Exit status: 0 done, 1 error or agent not installed, 2 bad command line,\n"
          "77 run as root.\n",
          out);
}

static int usage_error(const char *fmt, ...) VT_PRINTF(1, 2);

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs(synopsis, stderr);
    fputs("vcfg: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

/* 0 to go on, 1 when done (help, version), -1 for a bad command line. */
static int parse_options(int argc, char **argv, vcfg_options *o)
{
    *o = (vcfg_options){
        .web = VCFG_UNSET,
        .vc = VCFG_UNSET,
        .install = {VCFG_UNSET, VCFG_UNSET, VCFG_UNSET},
        .fake_device = VCFG_UNSET,
        .autostart = VCFG_UNSET,
    };
    o->agents = vt_calloc((size_t)argc, sizeof *o->agents);
    bool agent_option = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hv", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 1;
        case 'v':
            o->verbose = true;
            break;
        case OPT_VERSION:
            printf("vcfg (volttron-client %s)\n", vt_client_version());
            return 1;
        case OPT_VHOME:
            o->vhome = optarg;
            break;
        case OPT_INSTANCE_NAME:
            o->instance_name = optarg;
            break;
        case OPT_LIST_AGENTS:
            o->list_agents = true;
            break;
        case OPT_AGENT:
            agent_option = true;
            o->agents[o->nagents++] = optarg;
            break;
        case OPT_MESSAGE_BUS:
            o->message_bus = optarg;
            break;
        case OPT_VIP_ADDRESS:
            o->vip_address = optarg;
            break;
        case OPT_VIP_PORT:
            o->vip_port = optarg;
            break;
        case OPT_WEB:
            o->web = VCFG_YES;
            break;
        case OPT_NO_WEB:
            o->web = VCFG_NO;
            break;
        case OPT_WEB_PROTOCOL:
            o->web_protocol = optarg;
            break;
        case OPT_WEB_PORT:
            o->web_port = optarg;
            break;
        case OPT_VC_ADDRESS:
            o->vc_address = optarg;
            break;
        case OPT_NO_VC:
            o->vc = VCFG_NO;
            break;
        case OPT_HISTORIAN:
            o->install[VCFG_HISTORIAN] = VCFG_YES;
            break;
        case OPT_NO_HISTORIAN:
            o->install[VCFG_HISTORIAN] = VCFG_NO;
            break;
        case OPT_DRIVER:
            o->install[VCFG_DRIVER] = VCFG_YES;
            break;
        case OPT_NO_DRIVER:
            o->install[VCFG_DRIVER] = VCFG_NO;
            break;
        case OPT_FAKE_DEVICE:
            o->fake_device = VCFG_YES;
            break;
        case OPT_NO_FAKE_DEVICE:
            o->fake_device = VCFG_NO;
            break;
        case OPT_LISTENER:
            o->install[VCFG_LISTENER] = VCFG_YES;
            break;
        case OPT_NO_LISTENER:
            o->install[VCFG_LISTENER] = VCFG_NO;
            break;
        case OPT_AUTOSTART:
            o->autostart = VCFG_YES;
            break;
        case OPT_NO_AUTOSTART:
            o->autostart = VCFG_NO;
            break;
        case OPT_NON_INTERACTIVE:
            o->non_interactive = true;
            break;
        case OPT_ALLOW_ROOT:
            o->allow_root = true;
            break;
        case ':':
            return usage_error("argument %s: expected one argument", argv[optind - 1]);
        default:
            return usage_error("unrecognized arguments: %s", argv[optind - 1]);
        }
    }
    /* --agent takes several names, as argparse's nargs='+'. */
    for (int i = optind; i < argc; i++) {
        if (!agent_option)
            return usage_error("unrecognized arguments: %s", argv[i]);
        o->agents[o->nagents++] = argv[i];
    }
    if (o->list_agents && agent_option)
        return usage_error("%s", "argument --agent: not allowed with argument --list-agents");
    if (o->vc_address && o->vc == VCFG_NO)
        return usage_error("%s", "argument --no-vc: not allowed with argument --vc-address");
    if (o->vc_address)
        o->vc = VCFG_YES;
    if ((o->web_protocol || o->web_port) && o->web == VCFG_NO)
        return usage_error("%s", "arguments --web-protocol and --web-port: not allowed with "
                                 "argument --no-web");
    if (o->web_protocol || o->web_port)
        o->web = VCFG_YES;
    return 0;
}

/* ---- VOLTTRON_HOME --------------------------------------------------- */

/* os.path.normpath: no ".", "..", doubled or trailing slashes. */
static char *normalize(const char *path)
{
    char *copy = vt_strdup(path);
    size_t max = strlen(path) / 2 + 2, n = 0;
    char **parts = vt_calloc(max, sizeof *parts);
    char *save = NULL;
    for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        if (strcmp(part, ".") == 0)
            continue;
        if (strcmp(part, "..") == 0) {
            if (n > 0)
                n--;
            continue;
        }
        parts[n++] = part;
    }
    vt_buf b;
    vt_buf_init(&b);
    for (size_t i = 0; i < n; i++)
        vt_buf_appendf(&b, "/%s", parts[i]);
    if (n == 0)
        vt_buf_append_char(&b, '/');
    free(parts);
    free(copy);
    return vt_buf_detach(&b, NULL);
}

static const char *user_home(void)
{
    const char *home = getenv("HOME");
    if (home && *home)
        return home;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir ? pw->pw_dir : "/";
}

/* --vhome, else $VOLTTRON_HOME, else ~/.volttron; '~' expanded, made
 * absolute and normalised as VOLTTRON's get_home does. */
static char *resolve_home(const char *vhome)
{
    const char *h = vhome && *vhome ? vhome : getenv("VOLTTRON_HOME");
    char *path;
    if (!h || !*h)
        path = vt_asprintf("%s/.volttron", user_home());
    else if (h[0] == '~' && (h[1] == '/' || h[1] == '\0'))
        path = vt_asprintf("%s%s", user_home(), h + 1);
    else if (h[0] != '/') {
        char cwd[PATH_MAX];
        path = vt_asprintf("%s/%s", getcwd(cwd, sizeof cwd) ? cwd : ".", h);
    } else
        path = vt_strdup(h);
    char *norm = normalize(path);
    free(path);
    return norm;
}

/* ---- the two flows --------------------------------------------------- */

static int fail(const char *what)
{
    fflush(stdout);
    fprintf(stderr, "vcfg: error: %s\n", what);
    return VCFG_FAIL;
}

static int confirm_home(vcfg_prompt *p, const char *home)
{
    bool yes;
    vcfg_say(p, "\nYour VOLTTRON_HOME currently set to: %s", home);
    if (vcfg_ask_yes_no(p, "\nIs this the volttron you are attempting to setup?", true, VCFG_UNSET,
                        &yes) < 0)
        return fail(vt_last_error());
    if (yes)
        return VCFG_OK;
    vcfg_say(p, "\nPlease execute with VOLTTRON_HOME=/your/path vcfg, or vcfg --vhome "
                "/your/path, to configure another VOLTTRON_HOME.\n");
    return VCFG_FAIL;
}

/* Write the file (instance-name defaults to volttron1, as VOLTTRON's). */
static int save(vcfg_config *cfg)
{
    if (!vcfg_config_get(cfg, "instance-name"))
        vcfg_config_set(cfg, "instance-name", "\"volttron1\"");
    return vcfg_config_save(cfg) < 0 ? fail(vt_last_error()) : VCFG_OK;
}

static int install(vcfg_config *cfg, const vcfg_plan *plan, const vcfg_options *o)
{
    return vcfg_agents_install(plan, cfg->home, o->allow_root, stdout) < 0 ? VCFG_FAIL : VCFG_OK;
}

static int run_wizard(vcfg_prompt *p, vcfg_config *cfg, const vcfg_options *o)
{
    vcfg_plan plan = {0};
    int rc = vcfg_wizard_platform(p, cfg, o);
    if (rc == 0)
        rc = vcfg_wizard_agents(p, o, &plan);
    if (rc < 0)
        return fail(vt_last_error());
    if (save(cfg) != VCFG_OK)
        return VCFG_FAIL;
    int status = install(cfg, &plan, o);
    vcfg_say(p, "Finished configuration!\n");
    vcfg_say(p, "You can now start the volttron instance.\n");
    vcfg_say(p, "If you need to change the instance configuration you can edit");
    vcfg_say(p, "the config file is at %s\n", cfg->path);
    return status;
}

static int run_agents(vcfg_prompt *p, vcfg_config *cfg, const vcfg_options *o)
{
    if (vcfg_platform_running(cfg->home)) {
        bool go_on;
        if (vcfg_ask_yes_no(p,
                            "The VOLTTRON Instance is currently running. Installing agents to "
                            "an active instance may overwrite currently installed and active "
                            "agents on the platform, causing undesirable behavior. Would you "
                            "like to continue?",
                            true, VCFG_UNSET, &go_on) < 0)
            return fail(vt_last_error());
        if (!go_on) {
            vcfg_say(p, "Stop the platform with \"vctl shutdown --platform\" and run vcfg "
                        "again.");
            return VCFG_FAIL;
        }
    }
    if (o->instance_name) {
        if (!*o->instance_name || strpbrk(o->instance_name, "\"\\"))
            return fail("--instance-name: an instance name may not be empty or contain '\"' "
                        "or '\\'");
        char *quoted = vt_asprintf("\"%s\"", o->instance_name);
        vcfg_config_set(cfg, "instance-name", quoted);
        free(quoted);
    }
    vcfg_plan plan = {0};
    for (size_t i = 0; i < o->nagents; i++) {
        int id = vcfg_agent_find(o->agents[i]);
        if (plan.install[id])
            continue; /* named twice */
        if (vcfg_wizard_agent(p, o, (vcfg_agent_id)id, &plan) < 0)
            return fail(vt_last_error());
    }
    if (save(cfg) != VCFG_OK)
        return VCFG_FAIL;
    return install(cfg, &plan, o);
}

int main(int argc, char **argv)
{
    vcfg_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0) {
        free(o.agents);
        return rc > 0 ? VCFG_OK : VCFG_USAGE;
    }
    if (geteuid() == 0 && !o.allow_root) {
        fprintf(stderr, "vcfg: error: refusing to run as root to prevent potential damage.\n");
        free(o.agents);
        return VCFG_ROOT;
    }
    vt_log_set_level(o.verbose ? VT_LOG_DEBUG : VT_LOG_WARNING);

    bool unknown = false;
    for (size_t i = 0; i < o.nagents; i++) {
        if (vcfg_agent_find(o.agents[i]) < 0) {
            fprintf(stderr, "\"%s\" not configurable with this tool\n", o.agents[i]);
            unknown = true;
        }
    }
    if (unknown) {
        free(o.agents);
        return VCFG_FAIL;
    }
    if (o.list_agents) {
        vcfg_agents_list(stdout);
        free(o.agents);
        return VCFG_OK;
    }

    char *home = resolve_home(o.vhome);
    setenv("VOLTTRON_HOME", home, 1); /* for vctl and volttron */
    vcfg_prompt p;
    vcfg_prompt_init(&p, stdin, stdout, o.non_interactive);
    vcfg_config cfg = {0};
    rc = VCFG_OK;
    if (!o.vhome && !o.non_interactive)
        rc = confirm_home(&p, home);
    if (rc == VCFG_OK && vcfg_config_load(&cfg, home) < 0)
        rc = fail(vt_last_error());
    else if (rc == VCFG_OK)
        rc = o.nagents ? run_agents(&p, &cfg, &o) : run_wizard(&p, &cfg, &o);
    vcfg_config_clear(&cfg);
    vcfg_prompt_clear(&p);
    free(home);
    free(o.agents);
    fflush(stdout);
    return rc;
}
