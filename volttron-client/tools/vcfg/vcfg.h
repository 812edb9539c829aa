/* vcfg: the platform configuration wizard (spec vctl-vcfg.md Part B).
 * Shared types of its parts: the command-line answers, the agents it can
 * install and the plan the wizard hands to the installer. */
#ifndef VCFG_H
#define VCFG_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes. */
enum {
    VCFG_OK = 0,
    VCFG_FAIL = 1,  /* bad input, a refused question, an agent not installed */
    VCFG_USAGE = 2, /* bad command line (argparse's code) */
    VCFG_ROOT = 77, /* run as root without --allow-root (VOLTTRON's code) */
};

/* A yes/no given on the command line: VCFG_UNSET asks (or takes the
 * default with --non-interactive). */
enum {
    VCFG_UNSET = -1,
    VCFG_NO = 0,
    VCFG_YES = 1
};

/* The agents vcfg installs, in the order the wizard asks about them. */
typedef enum vcfg_agent_id {
    VCFG_HISTORIAN,
    VCFG_DRIVER,
    VCFG_LISTENER,
    VCFG_AGENT_COUNT,
} vcfg_agent_id;

typedef struct vcfg_options {
    bool verbose;
    bool allow_root;
    bool non_interactive;
    bool list_agents;
    const char *vhome; /* --vhome, or NULL */
    const char *instance_name;
    const char *message_bus;
    const char *vip_address; /* tcp://HOST */
    const char *vip_port;
    int web; /* VCFG_UNSET / VCFG_NO / VCFG_YES */
    const char *web_protocol;
    const char *web_port;
    int vc;
    const char *vc_address; /* scheme://host[:port] */
    int install[VCFG_AGENT_COUNT];
    int fake_device;
    int autostart;
    const char **agents; /* --agent names (borrowed from argv) */
    size_t nagents;
} vcfg_options;

/* What to install once the configuration is written. */
typedef struct vcfg_plan {
    bool install[VCFG_AGENT_COUNT];
    bool autostart[VCFG_AGENT_COUNT];
    bool fake_device; /* driver only */
} vcfg_plan;

#endif
