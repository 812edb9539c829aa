/* The actuator's configuration (actuator.md §2): the config store's
 * "config" entry laid over the defaults (built-in values, then the agent's
 * file configuration — the manifest's "config" when installed with vctl). */
#ifndef ACT_SETTINGS_H
#define ACT_SETTINGS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

typedef struct act_settings {
    double schedule_publish_interval; /* s, > 0 */
    double heartbeat_interval;        /* s, > 0 */
    double preempt_grace_time;        /* s, >= 0 */
    char *driver_vip_identity;
    bool allow_no_lock_write;
} act_settings;

/* VOLTTRON 9's built-in defaults as an object (a new tree): 60, 60, 60,
 * "platform.driver", true. */
cJSON *act_settings_builtin(void);

/* defaults with each key of overlay (may be NULL) replacing it: a new
 * tree, as Python's dict.update. */
cJSON *act_settings_merge(const cJSON *defaults, const cJSON *overlay);

/* Read a merged configuration. Returns 0 and fills *out (release with
 * act_settings_clear), or -EINVAL with vt_last_error() naming the key and
 * what was expected; *out is then untouched. Unknown keys are ignored
 * (schedule_state_file included: the state lives in the data directory). */
int act_settings_parse(const cJSON *config, act_settings *out);
void act_settings_clear(act_settings *s);

#endif
