/* Installing the historian, the platform driver (with a fake device) and
 * the listener through vctl, as VOLTTRON's vcfg does with volttron-ctl.
 *
 * Differences from VOLTTRON: every question is asked before anything is
 * installed, and one platform is started for all the installs rather than
 * one per agent (VOLTTRON's own TODO); agents are installed by package name
 * (vctl finds the installed package) rather than from a source directory;
 * success is vctl's exit status rather than a search of "vctl list".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "agents.h"
#include "platform.h"
#include "proc.h"

/* vctl's own timeout is 60 s; an install may unpack a large package. */
#define VCTL_TIMEOUT_MS 400000
#define MAX_ARGS 16

static const vcfg_agent catalog[VCFG_AGENT_COUNT] = {
    [VCFG_HISTORIAN] =
        {
            .name = "platform_historian",
            .question = "Would you like to install a platform historian?",
            .package = "sqlitehistorian",
            .identity = "platform.historian",
            .config = "{\"connection\": {\"type\": \"sqlite\", \"params\": "
                      "{\"database\": \"platform.historian.sqlite\"}}}",
        },
    [VCFG_DRIVER] =
        {
            .name = "platform_driver",
            .question = "Would you like to install a platform driver?",
            .package = "platformdriver",
            .identity = "platform.driver",
            .config = "{}",
        },
    [VCFG_LISTENER] =
        {
            .name = "listener",
            .question = "Would you like to install a listener agent?",
            .package = "listeneragent",
            .identity = NULL,
            .config =
                "{\"agentid\": \"listener1\", \"message\": \"hello\", \"log-level\": \"INFO\"}",
        },
};

/* The fake device stored in platform.driver's configuration store: a
 * registry of a few simulated points and the device that uses it. */
#define FAKE_REGISTRY_NAME "fake.csv"
#define FAKE_DEVICE_NAME "devices/fake-campus/fake-building/fake-device"

static const char fake_registry[] =
    "Point Name,Volttron Point Name,Units,Units Details,Writable,Starting Value,Type,Notes\n"
    "Heartbeat,Heartbeat,On/Off,On/Off,TRUE,0,boolean,Toggled on every heart beat\n"
    "EKG,EKG,waveform,waveform,TRUE,sin,float,A sine wave\n"
    "OutsideAirTemperature1,OutsideAirTemperature1,F,-100 to 300,FALSE,50,float,"
    "Outside air temperature\n"
    "SampleWritableFloat1,SampleWritableFloat1,PPM,1000.00 (default),TRUE,10,float,"
    "A writable set point\n"
    "SampleBool1,SampleBool1,On / Off,on/off,FALSE,TRUE,boolean,A read-only status\n"
    "SampleWritableBool1,SampleWritableBool1,On / Off,on/off,TRUE,TRUE,boolean,"
    "A writable status\n"
    "SampleLong1,SampleLong1,Enumeration,1 through 13,FALSE,50,int,A read-only integer\n";

static const char fake_device[] =
    "{\"driver_config\": {}, \"registry_config\": \"config://" FAKE_REGISTRY_NAME "\", "
    "\"interval\": 5, \"timezone\": \"US/Pacific\", \"heart_beat_point\": \"Heartbeat\", "
    "\"driver_type\": \"fakedriver\", \"publish_breadth_first_all\": false, "
    "\"publish_depth_first\": false, \"publish_breadth_first\": false}\n";

const vcfg_agent *vcfg_agent_get(vcfg_agent_id id)
{
    return &catalog[id];
}

int vcfg_agent_find(const char *name)
{
    for (int i = 0; i < VCFG_AGENT_COUNT; i++)
        if (strcmp(catalog[i].name, name) == 0)
            return i;
    return -1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void vcfg_agents_list(FILE *out)
{
    const char *names[VCFG_AGENT_COUNT];
    for (int i = 0; i < VCFG_AGENT_COUNT; i++)
        names[i] = catalog[i].name;
    qsort(names, VCFG_AGENT_COUNT, sizeof *names, by_name);
    fputs("Agents available to configure:", out);
    for (int i = 0; i < VCFG_AGENT_COUNT; i++)
        fprintf(out, "\n\t%s", names[i]);
    fputc('\n', out);
}

bool vcfg_plan_any(const vcfg_plan *plan)
{
    for (int i = 0; i < VCFG_AGENT_COUNT; i++)
        if (plan->install[i])
            return true;
    return false;
}

/* ---- running vctl ---------------------------------------------------- */

typedef struct installer {
    char *vctl;
    bool allow_root;
    FILE *out;
    char *tmp; /* private directory for the files handed to vctl */
} installer;

/* "vctl [--allow-root] <args...>" (NULL-terminated). On failure print
 * failure (a line on out) and what vctl said, and return -1. */
static int vctl(installer *in, const char *failure, ...)
{
    char *argv[MAX_ARGS];
    size_t n = 0;
    argv[n++] = in->vctl;
    if (in->allow_root)
        argv[n++] = (char *)"--allow-root";
    va_list ap;
    va_start(ap, failure);
    for (const char *a; (a = va_arg(ap, const char *)) && n < MAX_ARGS - 1;)
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;

    vt_buf out, err;
    vt_buf_init(&out);
    vt_buf_init(&err);
    int rc = vcfg_run(argv, &out, &err, VCTL_TIMEOUT_MS);
    if (out.len)
        vt_log_debug("vcfg", "vctl said: %s", out.data);
    if (rc != 0) {
        fprintf(in->out, "%s\n", failure);
        fflush(in->out);
        if (rc < 0)
            fprintf(stderr, "vcfg: error: %s\n", vt_last_error());
        else if (err.len)
            fprintf(stderr, "%s%s", err.data, err.data[err.len - 1] == '\n' ? "" : "\n");
        else if (out.len)
            fprintf(stderr, "%s%s", out.data, out.data[out.len - 1] == '\n' ? "" : "\n");
        else
            fprintf(stderr, "vcfg: error: vctl exited with status %d\n", rc);
    }
    vt_buf_free(&out);
    vt_buf_free(&err);
    return rc == 0 ? 0 : -1;
}

/* A file for vctl in the private directory. Caller frees the path. */
static char *temp_file(installer *in, const char *name, const char *content)
{
    char *path = vt_fs_path_join(in->tmp, name);
    if (vt_fs_write_atomic(path, content, strlen(content), 0600) < 0) {
        fprintf(stderr, "vcfg: error: %s\n", vt_last_error());
        free(path);
        return NULL;
    }
    return path;
}

static int store_fake_device(installer *in)
{
    const char *failure = "fake device not configured correctly!";
    char *csv = temp_file(in, "fake.csv", fake_registry);
    char *dev = temp_file(in, "fake-device.json", fake_device);
    int rc = -1;
    if (csv && dev) {
        fprintf(in->out, "Storing a fake device in platform.driver's configuration store.\n");
        rc = vctl(in, failure, "config", "store", "platform.driver", FAKE_REGISTRY_NAME, csv,
                  "--csv", (char *)NULL);
        if (rc == 0)
            rc = vctl(in, failure, "config", "store", "platform.driver", FAKE_DEVICE_NAME, dev,
                      "--json", (char *)NULL);
    } else {
        fprintf(in->out, "%s\n", failure);
    }
    free(csv);
    free(dev);
    return rc;
}

static int install_one(installer *in, const vcfg_plan *plan, vcfg_agent_id id)
{
    const vcfg_agent *a = &catalog[id];
    char *name = vt_asprintf("%s.config.json", a->name);
    char *config = temp_file(in, name, a->config);
    free(name);
    char failure[128];
    snprintf(failure, sizeof failure, "%s not installed correctly!", a->name);
    if (!config) {
        fprintf(in->out, "%s\n", failure);
        return -1;
    }
    fprintf(in->out, "Installing %s as %s.\n", a->package, a->name);
    fflush(in->out);
    int rc;
    if (a->identity)
        rc = vctl(in, failure, "install", a->package, "--tag", a->name, "--vip-identity",
                  a->identity, "--agent-config", config, "--force", (char *)NULL);
    else
        rc = vctl(in, failure, "install", a->package, "--tag", a->name, "--agent-config", config,
                  "--force", (char *)NULL);
    free(config);
    if (rc < 0)
        return -1;
    if (id == VCFG_DRIVER && plan->fake_device && store_fake_device(in) < 0)
        rc = -1;
    if (plan->autostart[id]) {
        snprintf(failure, sizeof failure, "%s not enabled for autostart!", a->name);
        if (vctl(in, failure, "enable", "--tag", a->name, (char *)NULL) < 0)
            rc = -1;
    }
    return rc;
}

static char *make_temp_dir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = vt_asprintf("%s/vcfg.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl)) {
        vt_error_set(-errno, "cannot create a temporary directory %s: %s", tmpl, strerror(errno));
        free(tmpl);
        return NULL;
    }
    return tmpl;
}

int vcfg_agents_install(const vcfg_plan *plan, const char *home, bool allow_root, FILE *out)
{
    if (!vcfg_plan_any(plan))
        return 0;
    installer in = {.allow_root = allow_root, .out = out};
    in.vctl = vcfg_find_program("vctl");
    in.tmp = in.vctl ? make_temp_dir() : NULL;
    if (!in.tmp) {
        fprintf(stderr, "vcfg: error: %s; no agent installed\n", vt_last_error());
        free(in.vctl);
        return -1;
    }

    int failures = 0;
    pid_t started = 0;
    if (!vcfg_platform_running(home)) {
        char *volttron = vcfg_find_program("volttron");
        int rc = -1;
        if (volttron) {
            fprintf(out, "Starting the platform (log: %s/volttron.cfg.log).\n", home);
            fflush(out);
            rc = vcfg_platform_start(volttron, home, allow_root, &started);
            free(volttron);
        }
        if (rc < 0) {
            fprintf(stderr, "vcfg: error: %s; no agent installed\n", vt_last_error());
            failures++;
        }
    }
    if (failures == 0) {
        for (int id = 0; id < VCFG_AGENT_COUNT; id++)
            if (plan->install[id] && install_one(&in, plan, (vcfg_agent_id)id) < 0)
                failures++;
    }
    if (started > 0) {
        fprintf(out, "Stopping the platform.\n");
        fflush(out);
        if (vcfg_platform_stop(in.vctl, allow_root, started) < 0)
            fprintf(stderr, "vcfg: warning: %s\n", vt_last_error());
    }
    vt_fs_remove_tree(in.tmp);
    free(in.tmp);
    free(in.vctl);
    return failures ? -1 : 0;
}
