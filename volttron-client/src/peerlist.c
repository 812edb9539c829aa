/* peerlist: list the connected peers; follow add/drop notifications. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/peerlist.h>
#include <volttron/utils/error.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "agent_private.h"

typedef struct watcher {
    vt_peer_change_fn fn;
    void *ctx;
    struct watcher *next;
} watcher;

struct vt_peerlist {
    watcher *watchers;
    bool following; /* the on-connect hook that asks for the list is set */
};

typedef struct list_call {
    vt_peerlist_fn fn;
    void *ctx;
    char ***sync_out;
    int *sync_rc;
} list_call;

static void on_peerlist(vt_agent *agent, const vt_message *msg, void *ctx)
{
    (void)ctx;
    bool add = vt_vip_arg_eq(msg, 0, "add");
    if (add || vt_vip_arg_eq(msg, 0, "drop")) {
        const char *peer = vt_message_str(msg, VT_VIP_ARGS + 1);
        for (watcher *w = agent->peerlist->watchers; w; w = w->next)
            w->fn(agent, peer, add, w->ctx);
        return;
    }
    size_t len;
    const void *id = vt_message_data(msg, VT_VIP_ID, &len);
    if (vt_vip_arg_eq(msg, 0, "listing") || vt_vip_arg_eq(msg, 0, "error")) {
        if (!vt_agent_resolve(agent, id, len, msg, NULL))
            vt_log_debug(agent->identity, "unexpected peerlist reply");
    }
}

/* One allocation: the pointer array, then the strings. */
static char **peers_from(const vt_message *msg, size_t *n)
{
    size_t count = vt_vip_nargs(msg) - 1, bytes = 0;
    for (size_t i = 0; i < count; i++) {
        size_t len;
        vt_vip_arg(msg, i + 1, &len);
        bytes += len + 1;
    }
    char **out = vt_malloc((count + 1) * sizeof *out + bytes);
    char *p = (char *)(out + count + 1);
    for (size_t i = 0; i < count; i++) {
        size_t len;
        const void *d = vt_vip_arg(msg, i + 1, &len);
        memcpy(p, d, len);
        p[len] = '\0';
        out[i] = p;
        p += len + 1;
    }
    out[count] = NULL;
    *n = count;
    return out;
}

static void list_done(vt_agent *agent, const vt_message *reply, const vt_vip_error *err, void *ctx)
{
    list_call *lc = ctx;
    char **peers = NULL;
    size_t n = 0;
    int rc;
    if (reply && vt_vip_arg_eq(reply, 0, "listing")) {
        peers = peers_from(reply, &n);
        rc = (int)n;
    } else {
        rc = err ? -err->errnum : -EPROTO;
        vt_error_set(rc, "peerlist failed: %s",
                     err ? err->text : vt_message_str(reply, VT_VIP_ARGS + 1));
    }
    if (lc->fn)
        lc->fn(agent, (const char *const *)peers, n, lc->ctx);
    if (lc->sync_out) {
        *lc->sync_out = peers;
        *lc->sync_rc = rc;
    } else {
        free(peers);
    }
    free(lc);
}

static const char *list_send(vt_agent *agent, int timeout_ms, list_call *lc)
{
    vt_message *args = vt_message_new();
    vt_message_append_str(args, "list");
    return vt_agent_request(agent, "", "peerlist", args, timeout_ms, list_done, lc);
}

int vt_peerlist_list(vt_agent *agent, int timeout_ms, vt_peerlist_fn fn, void *ctx)
{
    list_call *lc = vt_calloc(1, sizeof *lc);
    lc->fn = fn;
    lc->ctx = ctx;
    return list_send(agent, timeout_ms, lc) ? 0 : -ENOTCONN;
}

int vt_peerlist_list_sync(vt_agent *agent, int timeout_ms, char ***peers)
{
    int rc = -EINPROGRESS;
    *peers = NULL;
    list_call *lc = vt_calloc(1, sizeof *lc);
    lc->sync_out = peers;
    lc->sync_rc = &rc;
    const char *id = list_send(agent, timeout_ms, lc);
    if (id) {
        int wrc = vt_agent_wait(agent, id, timeout_ms);
        if (wrc < 0)
            return wrc;
    }
    return rc;
}

/* Our router sends add/drop notices only to peers that have asked for the
 * list (a Python VOLTTRON router sends them to everyone): ask at every
 * connection while someone watches. */
static void follow(vt_agent *agent, void *ctx)
{
    (void)ctx;
    if (agent->peerlist->watchers)
        list_send(agent, 10000, vt_calloc(1, sizeof(list_call)));
}

void vt_peerlist_on_change(vt_agent *agent, vt_peer_change_fn fn, void *ctx)
{
    if (!fn) {
        for (watcher **pp = &agent->peerlist->watchers; *pp;) {
            watcher *w = *pp;
            if (!ctx || w->ctx == ctx) {
                *pp = w->next;
                free(w);
            } else {
                pp = &w->next;
            }
        }
        return;
    }
    if (!agent->peerlist->following) {
        agent->peerlist->following = true;
        vt_agent_hook_add(&agent->on_connect, follow, NULL);
        if (vt_agent_connected(agent))
            follow(agent, NULL);
    }
    watcher *w = vt_calloc(1, sizeof *w);
    w->fn = fn;
    w->ctx = ctx;
    watcher **tail = &agent->peerlist->watchers;
    while (*tail)
        tail = &(*tail)->next;
    *tail = w;
}

void vt_peerlist_init(vt_agent *agent)
{
    agent->peerlist = vt_calloc(1, sizeof *agent->peerlist);
    vt_agent_register_subsystem(agent, "peerlist", on_peerlist, NULL);
}

void vt_peerlist_fini(vt_agent *agent)
{
    if (!agent->peerlist)
        return;
    while (agent->peerlist->watchers) {
        watcher *next = agent->peerlist->watchers->next;
        free(agent->peerlist->watchers);
        agent->peerlist->watchers = next;
    }
    free(agent->peerlist);
    agent->peerlist = NULL;
}
