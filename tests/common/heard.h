/* What a test agent hears on the bus: every message under a prefix, kept
 * in order, and a wait for the next one on a topic. */
#ifndef VT_HEARD_H
#define VT_HEARD_H

#include <volttron/client/client.h>

typedef struct vt_heard {
    char topic[256];
    cJSON *headers;
    cJSON *message;
} vt_heard;

/* Subscribe agent to prefix and record what arrives. */
void vt_heard_start(vt_agent *agent, const char *prefix);
/* The next message on topic heard from now on, within timeout_ms (the test
 * fails otherwise). Valid until vt_heard_clear. */
vt_heard *vt_heard_next(vt_agent *agent, const char *topic, int timeout_ms);
/* Messages heard so far, and one of them. */
int vt_heard_count(void);
vt_heard *vt_heard_at(int i);
void vt_heard_clear(void);

#endif
