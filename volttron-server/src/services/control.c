/* control: VOLTTRON 9's control API (platform-services.md §7), the one vctl
 * speaks, over the agent instance manager: instances on disk (aim/install)
 * and their processes (aim/supervisor). Where VOLTTRON takes an agent's
 * UUID, this takes its UUID, its identity, or a unique prefix of either. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../aim/install.h"
#include "../authfile.h"
#include "control_private.h"

#define LOG "control"

/* ---- helpers ---- */

bool vt_control_find(control *c, vt_rpc_request *req, int pos, const char *name, vt_instance *out)
{
    const cJSON *v = vt_rpc_arg(req, pos, name);
    if (!cJSON_IsString(v)) {
        vt_rpc_raise(req, "builtins.TypeError", "\"%s\" must be a string", name);
        return false;
    }
    int rc = vt_instances_find(c->home, v->valuestring, out);
    if (rc == -ENOENT) {
        vt_rpc_raise(req, "builtins.ValueError", "invalid agent");
        return false;
    }
    if (rc < 0) {
        vt_rpc_raise(req, "builtins.ValueError", "%s", vt_last_error());
        return false;
    }
    return true;
}

static cJSON *str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static char *instance_publickey(const vt_instance *inst)
{
    char *ks = vt_fs_path_join(inst->dir, "keystore.json");
    vt_keypair k;
    char *out = vt_keystore_load(ks, &k) == 0 ? vt_strdup(k.public_key) : NULL;
    free(ks);
    return out;
}

/* Load auth.json, let edit change it (true: save), save atomically. */
static int edit_authfile(control *c,
                         bool (*edit)(vt_authfile *af, const vt_instance *inst, const char *key),
                         const vt_instance *inst, const char *key)
{
    char *path = vt_fs_path_join(c->home, "auth.json");
    vt_authfile *af = vt_authfile_load(path);
    free(path);
    if (!af)
        return -EINVAL;
    int rc = edit(af, inst, key) ? vt_authfile_save(af) : 0;
    vt_authfile_destroy(&af);
    return rc;
}

static bool add_entry(vt_authfile *af, const vt_instance *inst, const char *key)
{
    cJSON *caps = cJSON_CreateObject();
    /* VOLTTRON's central-platform agent may edit every store */
    const char *scope = strcmp(inst->identity, "platform.agent") == 0 ? "/.*/" : inst->identity;
    cJSON_AddStringToObject(cJSON_AddObjectToObject(caps, "edit_config_store"), "identity", scope);
    vt_authfile_add(af,
                    vt_auth_entry_new(key, inst->identity, inst->identity, caps,
                                      "Automatically added on agent install"),
                    true);
    cJSON_Delete(caps);
    return true;
}

static bool remove_entries(vt_authfile *af, const vt_instance *inst, const char *key)
{
    (void)inst;
    cJSON *allow = vt_authfile_allow(af);
    bool changed = false;
    for (int i = cJSON_GetArraySize(allow) - 1; i >= 0; i--) {
        const cJSON *cred =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(allow, i), "credentials");
        if (cJSON_IsString(cred) && strcmp(cred->valuestring, key) == 0) {
            cJSON_DeleteItemFromArray(allow, i);
            changed = true;
        }
    }
    return changed;
}

int vt_control_auth_add(control *c, const vt_instance *inst)
{
    if (!c->auth)
        return 0;
    char *key = instance_publickey(inst);
    if (!key)
        return vt_error_set(-EINVAL, "%s has no key pair", inst->identity);
    int rc = edit_authfile(c, add_entry, inst, key);
    free(key);
    return rc;
}

int vt_control_auth_remove(control *c, const vt_instance *inst)
{
    if (!c->auth)
        return 0;
    char *key = instance_publickey(inst);
    int rc = key ? edit_authfile(c, remove_entries, inst, key) : 0;
    free(key);
    return rc;
}

/* ---- listing ---- */

/* out built by calling add for every installed instance; an error raised on
 * req (and out dropped) if the agents directory cannot be read. */
typedef void (*add_fn)(control *c, const vt_instance *inst, cJSON *out);

static cJSON *over_instances(control *c, vt_rpc_request *req, cJSON *out, add_fn add)
{
    vt_instance *all;
    size_t n;
    if (vt_instances_list(c->home, &all, &n) < 0) {
        cJSON_Delete(out);
        return vt_rpc_raise(req, "builtins.OSError", "%s", vt_last_error());
    }
    for (size_t i = 0; i < n; i++)
        add(c, &all[i], out);
    vt_instances_free(all, n);
    return out;
}

static void add_listing(control *c, const vt_instance *inst, cJSON *out)
{
    cJSON *o = cJSON_CreateObject();
    char *name = vt_instance_agent_name(c->home, inst);
    cJSON_AddStringToObject(o, "name", name);
    free(name);
    cJSON_AddStringToObject(o, "uuid", inst->uuid);
    cJSON_AddItemToObject(o, "tag", str_or_null(inst->tag));
    cJSON_AddItemToObject(o, "priority", str_or_null(inst->priority));
    cJSON_AddStringToObject(o, "identity", inst->identity);
    cJSON_AddItemToArray(out, o);
}

static cJSON *rpc_list_agents(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    return over_instances(ctx, req, cJSON_CreateArray(), add_listing);
}

/* [pid, returncode] as VOLTTRON's agent_status gives it. */
static cJSON *status_pair(control *c, const char *identity)
{
    cJSON *pair = cJSON_CreateArray();
    pid_t pid;
    bool exited;
    int code;
    if (!vt_supervisor_status(c->sup, identity, &pid, &exited, &code)) {
        cJSON_AddItemToArray(pair, cJSON_CreateNull());
        cJSON_AddItemToArray(pair, cJSON_CreateNull());
    } else if (!exited) {
        cJSON_AddItemToArray(pair, cJSON_CreateNumber(pid));
        cJSON_AddItemToArray(pair, cJSON_CreateNull());
    } else {
        cJSON_AddItemToArray(pair, cJSON_CreateNull());
        cJSON_AddItemToArray(pair, cJSON_CreateNumber(code));
    }
    return pair;
}

static cJSON *rpc_status_agents(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)req;
    control *c = ctx;
    size_t n;
    char **ids = vt_supervisor_known(c->sup, &n);
    cJSON *out = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        vt_instance inst;
        if (vt_instances_find(c->home, ids[i], &inst) == 0 && strcmp(inst.identity, ids[i]) == 0) {
            cJSON *row = cJSON_CreateArray();
            char *name = vt_instance_agent_name(c->home, &inst);
            cJSON_AddItemToArray(row, cJSON_CreateString(inst.uuid));
            cJSON_AddItemToArray(row, cJSON_CreateString(name));
            cJSON_AddItemToArray(row, status_pair(c, ids[i]));
            cJSON_AddItemToArray(row, cJSON_CreateString(ids[i]));
            cJSON_AddItemToArray(out, row);
            free(name);
            vt_instance_clear(&inst);
        }
        free(ids[i]);
    }
    free(ids);
    return out;
}

static cJSON *rpc_agent_status(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    control *c = ctx;
    vt_instance inst;
    if (!vt_control_find(c, req, 0, "uuid", &inst))
        return NULL;
    cJSON *r = status_pair(c, inst.identity);
    vt_instance_clear(&inst);
    return r;
}

/* name, version, identity of one agent */
static cJSON *about(vt_rpc_request *req, control *c, int what)
{
    vt_instance inst;
    if (!vt_control_find(c, req, 0, "uuid", &inst))
        return NULL;
    cJSON *r;
    if (what == 2) {
        r = cJSON_CreateString(inst.identity);
    } else {
        char *name = vt_instance_agent_name(c->home, &inst);
        if (what == 0) {
            r = cJSON_CreateString(name);
        } else {
            char *pkg_dir = vt_instance_package_dir(c->home, &inst);
            vt_package p;
            r = vt_package_load(pkg_dir, &p) == 0 ? cJSON_CreateString(p.version)
                                                  : cJSON_CreateNull();
            vt_package_clear(&p);
            free(pkg_dir);
        }
        free(name);
    }
    vt_instance_clear(&inst);
    return r;
}

static cJSON *rpc_agent_name(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return about(req, ctx, 0);
}

static cJSON *rpc_agent_version(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return about(req, ctx, 1);
}

static cJSON *rpc_agent_vip_identity(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return about(req, ctx, 2);
}

static void add_version(control *c, const vt_instance *inst, cJSON *out)
{
    char *pkg_dir = vt_instance_package_dir(c->home, inst);
    vt_package p;
    cJSON *pair = cJSON_CreateArray();
    if (vt_package_load(pkg_dir, &p) == 0) {
        char *name = vt_package_id(&p);
        cJSON_AddItemToArray(pair, cJSON_CreateString(name));
        cJSON_AddItemToArray(pair, cJSON_CreateString(p.version));
        free(name);
        vt_package_clear(&p);
    } else {
        cJSON_AddItemToArray(pair, cJSON_CreateString(inst->package));
        cJSON_AddItemToArray(pair, cJSON_CreateNull());
    }
    cJSON_AddItemToObject(out, inst->uuid, pair);
    free(pkg_dir);
}

static cJSON *rpc_agent_versions(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    return over_instances(ctx, req, cJSON_CreateObject(), add_version);
}

static cJSON *rpc_identity_exists(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    control *c = ctx;
    const cJSON *id = vt_rpc_arg(req, 0, "identity");
    if (!cJSON_IsString(id) || !id->valuestring[0])
        return vt_rpc_raise(req, "builtins.ValueError",
                            "Attribute identity cannot be None or "
                            "empty");
    vt_instance inst;
    if (vt_instances_find(c->home, id->valuestring, &inst) < 0)
        return cJSON_CreateNull();
    /* exactly that identity, not a prefix of another */
    cJSON *r = strcmp(inst.identity, id->valuestring) == 0 ? cJSON_CreateString(inst.uuid)
                                                           : cJSON_CreateNull();
    vt_instance_clear(&inst);
    return r;
}

static void add_publickey(control *c, const vt_instance *inst, cJSON *out)
{
    (void)c;
    char *key = instance_publickey(inst);
    cJSON_AddItemToObject(out, inst->identity, str_or_null(key));
    free(key);
}

static cJSON *rpc_get_all_agent_publickeys(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    return over_instances(ctx, req, cJSON_CreateObject(), add_publickey);
}

/* ---- lifecycle ---- */

static cJSON *rpc_start_agent(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    control *c = ctx;
    vt_instance inst;
    if (!vt_control_find(c, req, 0, "uuid", &inst))
        return NULL;
    int rc = vt_supervisor_start(c->sup, &inst);
    vt_instance_clear(&inst);
    if (rc == -EALREADY)
        return vt_rpc_raise(req, "builtins.ValueError", "agent is already running");
    if (rc < 0)
        return vt_rpc_raise(req, "builtins.RuntimeError", "%s", vt_last_error());
    return NULL;
}

/* A stop answered when the process is gone; then what comes next. */
typedef struct stop_job {
    control *c;
    vt_rpc_request *req;
    vt_instance inst;
    enum {
        THEN_REPLY,
        THEN_START,
        THEN_REMOVE
    } then;
    bool remove_auth;
} stop_job;

static void stop_job_free(stop_job *j)
{
    vt_instance_clear(&j->inst);
    free(j);
}

static void stopped(int rc, void *ctx)
{
    stop_job *j = ctx;
    control *c = j->c;
    /* Its connection may linger a moment; the router forgets it now. */
    if (vt_router_peer(c->router, j->inst.identity, strlen(j->inst.identity)))
        vt_router_drop_peer(c->router, j->inst.identity);
    if (rc < 0) {
        vt_rpc_reply_raise(j->req, "builtins.RuntimeError", "%s", vt_last_error());
    } else if (j->then == THEN_START) {
        int src = vt_supervisor_start(c->sup, &j->inst);
        if (src < 0)
            vt_rpc_reply_raise(j->req, "builtins.RuntimeError", "%s", vt_last_error());
        else
            vt_rpc_reply(j->req, NULL);
    } else if (j->then == THEN_REMOVE) {
        if (j->remove_auth)
            vt_control_auth_remove(c, &j->inst);
        if (vt_uninstall(c->home, &j->inst) < 0) {
            vt_rpc_reply_raise(j->req, "builtins.OSError", "%s", vt_last_error());
        } else {
            vt_log_info(LOG, "removed %s (%s)", j->inst.identity, j->inst.uuid);
            vt_supervisor_clear(c->sup, false);
            vt_rpc_reply(j->req, NULL);
        }
    } else {
        vt_rpc_reply(j->req, NULL);
    }
    stop_job_free(j);
}

static cJSON *stop_then(vt_rpc_request *req, control *c, int then)
{
    stop_job *j = vt_calloc(1, sizeof *j);
    if (!vt_control_find(c, req, 0, "uuid", &j->inst)) {
        free(j);
        return NULL;
    }
    j->c = c;
    j->then = then;
    if (then == THEN_REMOVE) {
        const cJSON *ra = vt_rpc_arg(req, 1, "remove_auth");
        j->remove_auth = !ra || cJSON_IsTrue(ra);
    }
    j->req = vt_rpc_defer(req);
    vt_supervisor_stop(c->sup, j->inst.identity, stopped, j);
    return NULL;
}

static cJSON *rpc_stop_agent(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return stop_then(req, ctx, THEN_REPLY);
}

static cJSON *rpc_restart_agent(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return stop_then(req, ctx, THEN_START);
}

static cJSON *rpc_remove_agent(vt_agent *a, vt_rpc_request *req, void *ctx)
{
    (void)a;
    return stop_then(req, ctx, THEN_REMOVE);
}

static cJSON *rpc_tag_agent(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    control *c = ctx;
    vt_instance inst;
    if (!vt_control_find(c, req, 0, "uuid", &inst))
        return NULL;
    const cJSON *tag = vt_rpc_arg(req, 1, "tag");
    int rc = vt_instance_set_tag(&inst, cJSON_IsString(tag) ? tag->valuestring : NULL);
    vt_instance_clear(&inst);
    return rc < 0 ? vt_rpc_raise(req, "builtins.OSError", "%s", vt_last_error()) : NULL;
}

static cJSON *rpc_prioritize_agent(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    control *c = ctx;
    vt_instance inst;
    if (!vt_control_find(c, req, 0, "uuid", &inst))
        return NULL;
    const cJSON *pri = vt_rpc_arg(req, 1, "priority");
    const char *p = !pri ? "50" : cJSON_IsString(pri) ? pri->valuestring : NULL;
    int rc = 0;
    if (pri && !cJSON_IsNull(pri) && !p)
        rc = vt_error_set(-EINVAL, "priority must be a string of digits from 0 to 99");
    else
        rc = vt_instance_set_priority(&inst, p);
    vt_instance_clear(&inst);
    return rc < 0 ? vt_rpc_raise(req, "builtins.ValueError", "%s", vt_last_error()) : NULL;
}

static cJSON *rpc_clear_status(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    control *c = ctx;
    vt_supervisor_clear(c->sup, cJSON_IsTrue(vt_rpc_arg(req, 0, "clear_all")));
    return NULL;
}

/* shutdown: every agent stopped, then the answer. */
typedef struct shutdown_job {
    vt_rpc_request *req;
    size_t left;
} shutdown_job;

static void one_stopped(int rc, void *ctx)
{
    (void)rc;
    shutdown_job *j = ctx;
    if (--j->left == 0) {
        vt_rpc_reply(j->req, NULL);
        free(j);
    }
}

static cJSON *rpc_shutdown(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    control *c = ctx;
    size_t n;
    char **ids = vt_supervisor_known(c->sup, &n);
    shutdown_job *j = vt_calloc(1, sizeof *j);
    j->req = vt_rpc_defer(req);
    j->left = n + 1; /* +1: this call's own share, released below */
    for (size_t i = 0; i < n; i++) {
        vt_supervisor_stop(c->sup, ids[i], one_stopped, j);
        free(ids[i]);
    }
    free(ids);
    one_stopped(0, j);
    return NULL;
}

static cJSON *rpc_stop_platform(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)req;
    (void)ctx;
    char id[32];
    vt_agent_send(agent, "", "quit", vt_agent_next_id(agent, id), NULL);
    return NULL;
}

typedef struct peers_job {
    vt_rpc_request *req;
} peers_job;

static void got_peers(vt_agent *agent, const char *const *peers, size_t n, void *ctx)
{
    (void)agent;
    vt_rpc_request *req = ctx;
    if (!peers) {
        vt_rpc_reply_raise(req, "builtins.RuntimeError", "the router did not list its peers");
        return;
    }
    cJSON *out = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(out, cJSON_CreateString(peers[i]));
    vt_rpc_reply(req, out);
}

static cJSON *rpc_peerlist(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    vt_peerlist_list(agent, 5000, got_peers, vt_rpc_defer(req));
    return NULL;
}

static cJSON *rpc_serverkey(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)req;
    control *c = ctx;
    return str_or_null(c->serverkey);
}

/* ---- the supervisor's news ---- */

static void on_agent_event(const char *identity, vt_agent_event ev, int detail, void *ctx)
{
    control *c = ctx;
    if (ev != VT_AGENT_GAVE_UP)
        return;
    vt_instance inst;
    char *name = NULL;
    if (vt_instances_find(c->home, identity, &inst) == 0) {
        name = vt_instance_agent_name(c->home, &inst);
        char *key = vt_asprintf("Agent %s(%s) stopped unexpectedly", name, inst.uuid);
        char *context = vt_asprintf("Agent %s(%s) stopped unexpectedly. Attempts to restart "
                                    "failed (last exit code %d)",
                                    name, inst.uuid, detail);
        vt_health_send_alert(c->agent, key, "BAD", context);
        free(key);
        free(context);
        vt_instance_clear(&inst);
    }
    free(name);
}

/* ---- autostart ---- */

static int by_priority_desc(const void *a, const void *b)
{
    const vt_instance *x = a, *y = b;
    int r = strcmp(y->priority, x->priority);
    return r ? r : strcmp(y->uuid, x->uuid);
}

void vt_control_autostart(vt_supervisor *sup, const char *home)
{
    vt_instance *all;
    size_t n;
    if (vt_instances_list(home, &all, &n) < 0) {
        vt_log_error(LOG, "autostart: %s", vt_last_error());
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (all[i].priority) {
            vt_instance tmp = all[k];
            all[k++] = all[i];
            all[i] = tmp;
        }
    }
    /* VOLTTRON 9's order: priority text descending ("99" before "50"). */
    if (k > 1)
        qsort(all, k, sizeof *all, by_priority_desc);
    for (size_t i = 0; i < k; i++) {
        if (vt_supervisor_start(sup, &all[i]) < 0)
            vt_log_error(LOG, "autostart of %s failed: %s", all[i].identity, vt_last_error());
    }
    vt_instances_free(all, n);
}

/* ---- life ---- */

static void fini(void *ctx)
{
    control *c = ctx;
    vt_supervisor_on_event(c->sup, NULL, NULL);
    free(c->home);
    free(c->serverkey);
    free(c);
}

int vt_control_start(vt_router *router, const char *home, const char *serverkey, vt_supervisor *sup)
{
    control *c = vt_calloc(1, sizeof *c);
    c->router = router;
    c->home = vt_strdup(home);
    c->serverkey = serverkey ? vt_strdup(serverkey) : NULL;
    c->auth = serverkey != NULL;
    c->sup = sup;
    vt_agent *a = vt_router_add_service(router, "control", "1.0", fini, c);
    if (!a) {
        fini(c);
        return -EINVAL;
    }
    c->agent = a;
    vt_supervisor_on_event(sup, on_agent_event, c);
    /* Reading is open to every agent, as in VOLTTRON; changing what runs
     * (or stopping the platform) takes CONTROL_CAP, which the platform gives
     * vctl and nobody else unless the operator grants it. */
    static const struct {
        const char *name, *params;
        vt_rpc_method fn;
        bool changes;
    } methods[] = {
        {"list_agents", "", rpc_list_agents, false},
        {"status_agents", "get_agent_user=False", rpc_status_agents, false},
        {"agent_status", "uuid", rpc_agent_status, false},
        {"agent_name", "uuid", rpc_agent_name, false},
        {"agent_version", "uuid", rpc_agent_version, false},
        {"agent_versions", "", rpc_agent_versions, false},
        {"agent_vip_identity", "uuid", rpc_agent_vip_identity, false},
        {"identity_exists", "identity", rpc_identity_exists, false},
        {"start_agent", "uuid", rpc_start_agent, true},
        {"stop_agent", "uuid", rpc_stop_agent, true},
        {"restart_agent", "uuid", rpc_restart_agent, true},
        {"remove_agent", "uuid, remove_auth=True", rpc_remove_agent, true},
        {"tag_agent", "uuid, tag", rpc_tag_agent, true},
        {"prioritize_agent", "uuid, priority='50'", rpc_prioritize_agent, true},
        {"clear_status", "clear_all=False", rpc_clear_status, true},
        {"shutdown", "", rpc_shutdown, true},
        {"stop_platform", "", rpc_stop_platform, true},
        {"peerlist", "", rpc_peerlist, false},
        {"serverkey", "", rpc_serverkey, false},
        {"get_all_agent_publickeys", "", rpc_get_all_agent_publickeys, false},
        {"install_agent",
         "filename, channel_name, vip_identity=None, publickey=None, secretkey=None, "
         "force=False",
         vt_control_rpc_install_agent, true},
        {"install_agent_package", "package, vip_identity=None, force=False, config=None",
         vt_control_rpc_install_package, true},
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        vt_rpc_export_doc(a, methods[i].name, methods[i].fn, c, methods[i].params, NULL);
        if (methods[i].changes)
            vt_rpc_require(a, methods[i].name, VT_CONTROL_CAPABILITY);
    }
    return 0;
}
