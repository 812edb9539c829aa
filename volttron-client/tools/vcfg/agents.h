/* The agents vcfg can install, and installing them through vctl. */
#ifndef VCFG_AGENTS_H
#define VCFG_AGENTS_H

#include <stdbool.h>
#include <stdio.h>

#include "vcfg.h"

typedef struct vcfg_agent {
    const char *name;     /* the --agent name, also the tag */
    const char *question; /* the wizard's "Would you like to install ...?" */
    const char *package;  /* what "vctl install" is given */
    const char *identity; /* --vip-identity, or NULL for the platform's choice */
    const char *config;   /* the agent configuration (JSON) */
} vcfg_agent;

const vcfg_agent *vcfg_agent_get(vcfg_agent_id id);
/* The id of the agent called name, or -1. */
int vcfg_agent_find(const char *name);

/* --list-agents: "Agents available to configure:" and "\n\t<name>" for each,
 * sorted. */
void vcfg_agents_list(FILE *out);

/* Install what plan asks for, into the running platform or one started for
 * the purpose (and stopped afterwards). Progress and failures ("<tag> not
 * installed correctly!" followed by vctl's error output) are printed; an
 * agent that fails does not stop the next one. 0 when everything worked,
 * else -1. */
int vcfg_agents_install(const vcfg_plan *plan, const char *home, bool allow_root, FILE *out);

/* Whether plan installs anything. */
bool vcfg_plan_any(const vcfg_plan *plan);

#endif
