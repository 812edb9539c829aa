/* channel: byte streams between two peers, keyed by (peer, name). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/channel.h>
#include <volttron/utils/error.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "agent_private.h"

struct vt_channel {
    vt_agent *agent;
    char *peer, *name;
    vt_channel_fn fn;
    void *ctx;
    bool closed; /* closed from its own callback: freed after it */
    struct vt_channel *next;
};

struct vt_channels {
    vt_channel *list;
    int delivering; /* callbacks running: closes are deferred */
};

static vt_channel *find(struct vt_channels *cs, const char *peer, const char *name)
{
    for (vt_channel *c = cs->list; c; c = c->next)
        if (!c->closed && strcmp(c->peer, peer) == 0 && strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static void channel_free(vt_channel *c)
{
    free(c->peer);
    free(c->name);
    free(c);
}

static void unlink_closed(struct vt_channels *cs)
{
    vt_channel **p = &cs->list;
    while (*p) {
        vt_channel *c = *p;
        if (c->closed) {
            *p = c->next;
            channel_free(c);
        } else {
            p = &c->next;
        }
    }
}

static void on_channel(vt_agent *agent, const vt_message *msg, void *ctx)
{
    struct vt_channels *cs = ctx;
    const char *peer = vt_vip_peer(msg);
    size_t nlen;
    const char *name_data = vt_vip_arg(msg, 0, &nlen);
    char *name = name_data ? vt_strndup(name_data, nlen) : NULL;
    vt_channel *c = name ? find(cs, peer, name) : NULL;
    if (!c) {
        vt_log_warning(agent->identity,
                       "channel message from %s on \"%s\" dropped: no such "
                       "channel is open",
                       peer, name ? name : "");
        free(name);
        return;
    }
    free(name);
    cs->delivering++;
    for (size_t i = 1; i < vt_vip_nargs(msg) && !c->closed; i++) {
        size_t len;
        const void *data = vt_vip_arg(msg, i, &len);
        c->fn(agent, c, data, len, c->ctx);
    }
    if (--cs->delivering == 0)
        unlink_closed(cs);
}

vt_channel *vt_channel_open(vt_agent *agent, const char *peer, const char *name, vt_channel_fn fn,
                            void *ctx)
{
    struct vt_channels *cs = agent->channels;
    if (find(cs, peer, name)) {
        vt_error_set(-EEXIST, "channel \"%s\" to %s is already open", name, peer);
        return NULL;
    }
    vt_channel *c = vt_calloc(1, sizeof *c);
    c->agent = agent;
    c->peer = vt_strdup(peer);
    c->name = vt_strdup(name);
    c->fn = fn;
    c->ctx = ctx;
    c->next = cs->list;
    cs->list = c;
    return c;
}

int vt_channel_send(vt_channel *ch, const void *data, size_t len)
{
    vt_message *args = vt_message_new();
    vt_message_append_str(args, ch->name);
    vt_message_append(args, data, len);
    return vt_agent_send(ch->agent, ch->peer, "channel", NULL, args);
}

void vt_channel_close(vt_channel **chp)
{
    if (!chp || !*chp)
        return;
    vt_channel *ch = *chp;
    *chp = NULL;
    struct vt_channels *cs = ch->agent->channels;
    ch->closed = true;
    if (!cs->delivering)
        unlink_closed(cs);
}

const char *vt_channel_peer(const vt_channel *ch)
{
    return ch->peer;
}

const char *vt_channel_name(const vt_channel *ch)
{
    return ch->name;
}

void vt_channel_init(vt_agent *agent)
{
    agent->channels = vt_calloc(1, sizeof(struct vt_channels));
    vt_agent_register_subsystem(agent, "channel", on_channel, agent->channels);
}

void vt_channel_fini(vt_agent *agent)
{
    struct vt_channels *cs = agent->channels;
    if (!cs)
        return;
    while (cs->list) {
        vt_channel *c = cs->list;
        cs->list = c->next;
        channel_free(c);
    }
    free(cs);
    agent->channels = NULL;
}
