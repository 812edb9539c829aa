/* The wizard's questions (spec vctl-vcfg.md B.2-B.4), in VOLTTRON's order and
 * words. Answers for the platform go into the config file; answers about
 * agents go into a plan that is carried out after the file is written. */
#ifndef VCFG_WIZARD_H
#define VCFG_WIZARD_H

#include "config_file.h"
#include "prompt.h"
#include "vcfg.h"

/* Message bus, vip address and port, instance name, web, volttron central.
 * 0, or a negative errno with the reason in vt_last_error() (an invalid
 * answer given on the command line, the end of the input). */
int vcfg_wizard_platform(vcfg_prompt *p, vcfg_config *cfg, const vcfg_options *o);

/* "Would you like to install a platform historian / a platform driver / a
 * listener agent?" and, for each yes, vcfg_wizard_agent. */
int vcfg_wizard_agents(vcfg_prompt *p, const vcfg_options *o, vcfg_plan *plan);

/* One agent chosen: "Configuring <package>.", the fake device question for
 * the driver, "Should the agent autostart?". */
int vcfg_wizard_agent(vcfg_prompt *p, const vcfg_options *o, vcfg_agent_id id, vcfg_plan *plan);

#endif
