/* {{name}}'s settings: what its configuration may say, checked. */
#ifndef SETTINGS_H
#define SETTINGS_H

#include <stddef.h>

#include <volttron/client/client.h>

typedef struct settings {
    char *topic_prefix; /* what to subscribe to */
    char *greeting;     /* what the "greet" RPC method answers */
} settings;

/* Read config (an object, borrowed) into *s, replacing what was there.
 * 0, or -1 with the reason in err and *s unchanged. */
int settings_load(settings *s, const cJSON *config, char *err, size_t errlen);
void settings_clear(settings *s);

#endif
