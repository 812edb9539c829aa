#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

int settings_load(settings *s, const cJSON *config, char *err, size_t errlen)
{
    const char *prefix, *greeting;
    /* every key is optional; a present key must have the right type */
    if (vt_json_opt_string(config, "topic_prefix", "devices/", &prefix, "config") < 0 ||
        vt_json_opt_string(config, "greeting", "hello", &greeting, "config") < 0) {
        snprintf(err, errlen, "%s", vt_last_error());
        return -1;
    }
    settings fresh = {vt_strdup(prefix), vt_strdup(greeting)};
    settings_clear(s);
    *s = fresh;
    return 0;
}

void settings_clear(settings *s)
{
    free(s->topic_prefix);
    free(s->greeting);
    memset(s, 0, sizeof *s);
}
