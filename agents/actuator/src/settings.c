#include "settings.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <volttron/utils/error.h>
#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>

cJSON *act_settings_builtin(void)
{
    cJSON *d = cJSON_CreateObject();
    /* [DOC≠CODE] the README says 30; the code's default is 60. */
    cJSON_AddNumberToObject(d, "schedule_publish_interval", 60);
    cJSON_AddNumberToObject(d, "heartbeat_interval", 60);
    cJSON_AddNumberToObject(d, "preempt_grace_time", 60);
    cJSON_AddStringToObject(d, "driver_vip_identity", "platform.driver");
    cJSON_AddBoolToObject(d, "allow_no_lock_write", true);
    return d;
}

cJSON *act_settings_merge(const cJSON *defaults, const cJSON *overlay)
{
    cJSON *m = defaults ? cJSON_Duplicate(defaults, 1) : cJSON_CreateObject();
    const cJSON *it;
    if (cJSON_IsObject(overlay))
        cJSON_ArrayForEach (it, overlay) {
            cJSON_DeleteItemFromObjectCaseSensitive(m, it->string);
            cJSON_AddItemToObject(m, it->string, cJSON_Duplicate(it, 1));
        }
    return m;
}

/* float(value) as Python reads it: numbers, booleans and numeric strings. */
static int read_seconds(const cJSON *config, const char *key, double min, bool min_exclusive,
                        double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, key);
    double d;
    if (cJSON_IsNumber(v)) {
        d = v->valuedouble;
    } else if (cJSON_IsBool(v)) {
        d = cJSON_IsTrue(v) ? 1.0 : 0.0;
    } else if (cJSON_IsString(v)) {
        char *end;
        d = strtod(v->valuestring, &end);
        while (*end == ' ' || *end == '\t')
            end++;
        if (end == v->valuestring || *end)
            return vt_error_set(-EINVAL,
                                "config key \"%s\": could not convert string to "
                                "float: '%s'",
                                key, v->valuestring);
    } else {
        return vt_error_set(-EINVAL, "config key \"%s\" must be a number of seconds, got %s", key,
                            vt_json_type_name(v));
    }
    /* Python would take nan, inf and negative periods and then misbehave
     * (a timer of no period spins); refuse them instead. */
    if (!isfinite(d) || d < min || (min_exclusive && d == min))
        return vt_error_set(-EINVAL, "config key \"%s\" must be %s %g seconds, got %g", key,
                            min_exclusive ? "more than" : "at least", min, d);
    *out = d;
    return 0;
}

/* [QUIRK] VOLTTRON reads allow_no_lock_write with bool(), so the string
 * "false" turns lock-free writing ON. Deliberately not copied: a switch
 * that guards device writes must mean what it says. Booleans, numbers
 * (non-zero is true) and the strings true/false/yes/no/on/off/1/0 are
 * accepted; anything else is a configuration error. */
static int read_flag(const cJSON *config, const char *key, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, key);
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v);
        return 0;
    }
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble != 0.0;
        return 0;
    }
    if (cJSON_IsString(v)) {
        static const char *const yes[] = {"true", "yes", "on", "1"};
        static const char *const no[] = {"false", "no", "off", "0"};
        for (int i = 0; i < 4; i++) {
            if (strcasecmp(v->valuestring, yes[i]) == 0) {
                *out = true;
                return 0;
            }
            if (strcasecmp(v->valuestring, no[i]) == 0) {
                *out = false;
                return 0;
            }
        }
        return vt_error_set(-EINVAL, "config key \"%s\" must be true or false, got \"%s\"", key,
                            v->valuestring);
    }
    return vt_error_set(-EINVAL, "config key \"%s\" must be true or false, got %s", key,
                        vt_json_type_name(v));
}

int act_settings_parse(const cJSON *config, act_settings *out)
{
    if (!cJSON_IsObject(config))
        return vt_error_set(-EINVAL, "the configuration must be an object, got %s",
                            vt_json_type_name(config));
    act_settings s = {0};
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(config, "driver_vip_identity");
    if (!cJSON_IsString(id) || !id->valuestring[0])
        return vt_error_set(-EINVAL,
                            "config key \"driver_vip_identity\" must be a non-empty "
                            "string, got %s",
                            vt_json_type_name(id));
    if (read_seconds(config, "schedule_publish_interval", 0, true, &s.schedule_publish_interval) <
            0 ||
        read_seconds(config, "heartbeat_interval", 0, true, &s.heartbeat_interval) < 0 ||
        read_seconds(config, "preempt_grace_time", 0, false, &s.preempt_grace_time) < 0 ||
        read_flag(config, "allow_no_lock_write", &s.allow_no_lock_write) < 0)
        return -EINVAL;
    s.driver_vip_identity = vt_strdup(id->valuestring);
    *out = s;
    return 0;
}

void act_settings_clear(act_settings *s)
{
    free(s->driver_vip_identity);
    memset(s, 0, sizeof *s);
}
