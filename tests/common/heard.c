#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fixture.h"
#include "heard.h"

static vt_heard *log_;
static int nlog, caplog;

static void on_message(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    (void)ctx;
    if (nlog == caplog) {
        caplog = caplog ? caplog * 2 : 256;
        log_ = vt_realloc(log_, (size_t)caplog * sizeof *log_);
    }
    vt_heard *h = &log_[nlog++];
    snprintf(h->topic, sizeof h->topic, "%s", vt_pubsub_topic(m));
    h->headers = cJSON_Duplicate(vt_pubsub_headers(m), 1);
    h->message = cJSON_Duplicate(vt_pubsub_body(m), 1);
}

void vt_heard_start(vt_agent *agent, const char *prefix)
{
    vt_pubsub_subscribe(agent, prefix, on_message, NULL);
}

typedef struct wanted {
    const char *topic;
    int after, found;
} wanted;

static bool arrived(void *ctx)
{
    wanted *w = ctx;
    for (int i = w->after; i < nlog; i++)
        if (strcmp(log_[i].topic, w->topic) == 0) {
            w->found = i;
            return true;
        }
    return false;
}

vt_heard *vt_heard_next(vt_agent *agent, const char *topic, int timeout_ms)
{
    wanted w = {topic, nlog, -1};
    ck_assert_msg(vt_fx_until(agent, arrived, &w, timeout_ms), "nothing on %s", topic);
    return &log_[w.found];
}

int vt_heard_count(void)
{
    return nlog;
}

vt_heard *vt_heard_at(int i)
{
    return &log_[i];
}

void vt_heard_clear(void)
{
    for (int i = 0; i < nlog; i++) {
        cJSON_Delete(log_[i].headers);
        cJSON_Delete(log_[i].message);
    }
    free(log_);
    log_ = NULL;
    nlog = caplog = 0;
}
