/* platform.health: when each agent connected, its last heartbeat and what
 * that heartbeat said (its health status), for get_platform_health and
 * `vctl status` (platform-services.md §10). Times are local and naive, as
 * VOLTTRON reports them. */
#include <stdlib.h>
#include <string.h>

#include <volttron/client/client.h>

#include "services.h"

#define LOG "platform.health"

typedef struct record {
    char connected[VT_TIME_BUFSZ];
    char last_heartbeat[VT_TIME_BUFSZ];
    cJSON *message; /* the last heartbeat's message, or NULL */
} record;

typedef struct health {
    vt_map *peers; /* identity -> record */
} health;

static const char *const service_identities[] = {
    "control",
    "config.store",
    "keydiscovery",
    "platform.auth",
    "platform.health",
    "platform_web",
    "zmq.proxy.router",
    "platform.control",
    "platform.config_store",
    NULL,
};

bool vt_is_service_identity(const char *identity)
{
    for (const char *const *s = service_identities; *s; s++)
        if (strcmp(*s, identity) == 0)
            return true;
    return false;
}

static void record_free(void *p)
{
    record *r = p;
    cJSON_Delete(r->message);
    free(r);
}

static record *track(health *h, const char *peer)
{
    record *r = vt_map_get(h->peers, peer);
    if (!r) {
        r = vt_calloc(1, sizeof *r);
        vt_time_format_local_naive(vt_time_now_us(), r->connected);
        vt_map_set(h->peers, peer, r);
    }
    return r;
}

static void peer_changed(vt_agent *agent, const char *peer, bool added, void *ctx)
{
    (void)agent;
    health *h = ctx;
    if (added)
        track(h, peer);
    else
        vt_map_remove(h->peers, peer);
}

static void got_peers(vt_agent *agent, const char *const *peers, size_t n, void *ctx)
{
    (void)agent;
    for (size_t i = 0; i < n; i++)
        track(ctx, peers[i]);
}

static void on_heartbeat(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    const char *topic = vt_pubsub_topic(m);
    const char *slash = strchr(topic, '/');
    if (!slash || !slash[1])
        return;
    record *r = track(ctx, slash + 1);
    vt_time_format_local_naive(vt_time_now_us(), r->last_heartbeat);
    cJSON_Delete(r->message);
    r->message = cJSON_Duplicate(vt_pubsub_body(m), 1);
}

static cJSON *rpc_get_platform_health(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)req;
    health *h = ctx;
    cJSON *out = cJSON_CreateObject();
    size_t cursor = 0;
    const char *peer;
    void *val;
    while (vt_map_next(h->peers, &cursor, &peer, &val)) {
        if (strcmp(peer, "control.connection") == 0)
            continue;
        record *r = val;
        cJSON *o = cJSON_AddObjectToObject(out, peer);
        cJSON_AddStringToObject(o, "peer", peer);
        cJSON_AddBoolToObject(o, "service_agent", vt_is_service_identity(peer));
        cJSON_AddStringToObject(o, "connected", r->connected);
        if (r->last_heartbeat[0]) {
            cJSON_AddStringToObject(o, "last_heartbeat", r->last_heartbeat);
            cJSON_AddItemToObject(o, "message", cJSON_Duplicate(r->message, 1));
        }
    }
    return out;
}

static void on_connect(vt_agent *agent, void *ctx)
{
    vt_peerlist_list(agent, 3000, got_peers, ctx);
}

static void fini(void *ctx)
{
    health *h = ctx;
    vt_map_destroy(&h->peers);
    free(h);
}

int vt_health_service_start(vt_router *router)
{
    health *h = vt_calloc(1, sizeof *h);
    h->peers = vt_map_new(record_free);
    vt_agent *a = vt_router_add_service(router, "platform.health", "1.0", fini, h);
    if (!a) {
        fini(h);
        return -1;
    }
    vt_peerlist_on_change(a, peer_changed, h);
    vt_agent_on_connect(a, on_connect, h);
    vt_pubsub_subscribe(a, "heartbeat", on_heartbeat, h);
    vt_rpc_export_doc(a, "get_platform_health", rpc_get_platform_health, h, NULL,
                      "Every connected agent: when it connected, its last heartbeat and status.");
    return 0;
}
