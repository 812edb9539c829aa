/* The configuration store subsystem, agent side (vip-wire.md §11): the
 * agent's copy of its configurations, kept current by config.initial_update
 * and config.update from config.store, and the callbacks that follow. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <volttron/client/config.h>
#include <volttron/client/rpc.h>
#include <volttron/utils/error.h>
#include <volttron/utils/json.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "agent_private.h"

#define STORE "config.store"
#define INIT_TIMEOUT_MS 30000

typedef struct item {
    char *name; /* stored case */
    cJSON *contents;
} item;

typedef struct subscription {
    char *pattern;
    unsigned actions;
    vt_config_callback cb;
    void *ctx;
    struct subscription *next;
} subscription;

struct vt_configs {
    vt_map *store;    /* lower name -> item */
    vt_map *defaults; /* lower name -> item */
    subscription *subs;
    bool initialized; /* the first initial_update arrived */
    bool started;     /* the NEW callbacks of the start ran */
};

static void item_free(void *p)
{
    item *it = p;
    free(it->name);
    cJSON_Delete(it->contents);
    free(it);
}

static char *lower(const char *s)
{
    char *l = vt_strdup(s);
    for (char *p = l; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return l;
}

/* A deep copy without the member name the original had in its object. */
static cJSON *copy_value(const cJSON *v)
{
    cJSON *c = cJSON_Duplicate(v, 1);
    if (c && c->string) {
        if (!(c->type & cJSON_StringIsConst))
            cJSON_free(c->string);
        c->string = NULL;
        c->type &= ~cJSON_StringIsConst;
    }
    return c;
}

static void put(vt_map *m, const char *name, const cJSON *contents)
{
    item *it = vt_calloc(1, sizeof *it);
    it->name = vt_strdup(name);
    it->contents = contents ? copy_value(contents) : cJSON_CreateNull();
    char *l = lower(name);
    vt_map_set(m, l, it);
    free(l);
}

static item *lookup(struct vt_configs *c, const char *lname)
{
    item *it = vt_map_get(c->store, lname);
    return it ? it : vt_map_get(c->defaults, lname);
}

/* ---- references ---- */

static const char *link_of(const cJSON *v)
{
    if (!cJSON_IsString(v) || strncasecmp(v->valuestring, "config://", 9) != 0)
        return NULL;
    return v->valuestring + 9;
}

/* Replace links in v (a copy we own) by resolved copies; gathered caches
 * what was resolved, so shared references resolve once and cycles stop. */
static void resolve(struct vt_configs *c, cJSON *v, vt_map *gathered);

static cJSON *gather(struct vt_configs *c, const char *link, vt_map *gathered)
{
    char *l = lower(link);
    /* strip what VOLTTRON strips from names */
    char *p = l;
    while (*p == '/' || *p == '\\' || isspace((unsigned char)*p))
        p++;
    cJSON *cached = vt_map_get(gathered, p);
    cJSON *out;
    if (cached) {
        out = copy_value(cached);
    } else {
        item *it = lookup(c, p);
        out = it ? copy_value(it->contents) : cJSON_CreateNull();
        vt_map_set(gathered, p, cJSON_CreateNull()); /* in progress: a cycle ends as null */
        resolve(c, out, gathered);
        vt_map_set(gathered, p, cJSON_Duplicate(out, 1));
    }
    free(l);
    return out;
}

static void resolve(struct vt_configs *c, cJSON *v, vt_map *gathered)
{
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return;
    cJSON *child = v->child;
    while (child) {
        cJSON *next = child->next;
        const char *link = link_of(child);
        if (link) {
            cJSON *r = gather(c, link, gathered);
            if (child->string)
                cJSON_ReplaceItemInObjectCaseSensitive(v, child->string, r);
            else
                cJSON_ReplaceItemViaPointer(v, child, r);
        } else {
            resolve(c, child, gathered);
        }
        child = next;
    }
}

static void free_json(void *p)
{
    cJSON_Delete(p);
}

static cJSON *resolved(struct vt_configs *c, const char *lname)
{
    item *it = lookup(c, lname);
    if (!it)
        return NULL;
    cJSON *out = copy_value(it->contents);
    vt_map *gathered = vt_map_new(free_json);
    vt_map_set(gathered, lname, cJSON_CreateNull());
    resolve(c, out, gathered);
    vt_map_destroy(&gathered);
    return out;
}

/* Does name's contents refer (directly) to target? */
static bool refers_to(const cJSON *v, const char *target)
{
    const char *link = link_of(v);
    if (link)
        return strcasecmp(link, target) == 0;
    const cJSON *child;
    if (cJSON_IsObject(v) || cJSON_IsArray(v))
        cJSON_ArrayForEach (child, v)
            if (refers_to(child, target))
                return true;
    return false;
}

/* Everything that refers to lname, directly or not, marked UPDATE. */
static void gather_affected(struct vt_configs *c, const char *lname, vt_map *affected)
{
    vt_map *all[] = {c->store, c->defaults};
    for (int m = 0; m < 2; m++) {
        size_t cursor = 0;
        const char *key;
        void *val;
        while (vt_map_next(all[m], &cursor, &key, &val)) {
            if (vt_map_contains(affected, key) || !refers_to(((item *)val)->contents, lname))
                continue;
            vt_map_set(affected, key, (void *)(uintptr_t)VT_CONFIG_UPDATE);
            gather_affected(c, key, affected);
        }
    }
}

/* ---- callbacks ---- */

static void run_one(vt_agent *agent, struct vt_configs *c, const char *lname,
                    vt_config_action action, const char *display)
{
    cJSON *contents = action == VT_CONFIG_DELETE ? NULL : resolved(c, lname);
    for (subscription *s = c->subs; s; s = s->next) {
        if (!(s->actions & action) || fnmatch(s->pattern, lname, 0) != 0)
            continue;
        s->cb(agent, display, action, contents, s->ctx);
    }
    cJSON_Delete(contents);
}

/* Run callbacks for every affected name, "config" first (as VOLTTRON). */
static void run_callbacks(vt_agent *agent, vt_map *affected, vt_map *names)
{
    struct vt_configs *c = agent->configs;
    void *first = vt_map_get(affected, "config");
    if (first) {
        const char *display = vt_map_get(names, "config");
        run_one(agent, c, "config", (vt_config_action)(uintptr_t)first,
                display ? display : "config");
    }
    size_t cursor = 0;
    const char *key;
    void *val;
    while (vt_map_next(affected, &cursor, &key, &val)) {
        if (strcmp(key, "config") == 0)
            continue;
        const char *display = vt_map_get(names, key);
        run_one(agent, c, key, (vt_config_action)(uintptr_t)val, display ? display : key);
    }
}

/* Display names of everything known (store over defaults). */
static vt_map *display_names(struct vt_configs *c)
{
    vt_map *names = vt_map_new(free);
    vt_map *all[] = {c->defaults, c->store};
    for (int m = 0; m < 2; m++) {
        size_t cursor = 0;
        const char *key;
        void *val;
        while (vt_map_next(all[m], &cursor, &key, &val))
            vt_map_set(names, key, vt_strdup(((item *)val)->name));
    }
    return names;
}

static void process(vt_agent *agent, vt_map *affected)
{
    vt_map *names = display_names(agent->configs);
    run_callbacks(agent, affected, names);
    vt_map_destroy(&names);
}

/* ---- RPC from config.store ---- */

static cJSON *rpc_initial_update(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    struct vt_configs *c = agent->configs;
    const cJSON *configs = vt_rpc_arg(req, 0, "configs");
    if (!cJSON_IsObject(configs))
        return vt_rpc_raise(req, "builtins.TypeError", "configs must be an object");
    /* A reconnect brings a fresh copy: what differs is reported. */
    vt_map *affected = vt_map_new(NULL);
    vt_map *fresh = vt_map_new(item_free);
    const cJSON *it;
    cJSON_ArrayForEach (it, configs)
        put(fresh, it->string, it);
    if (c->started) {
        size_t cursor = 0;
        const char *key;
        void *val;
        while (vt_map_next(fresh, &cursor, &key, &val)) {
            item *old = vt_map_get(c->store, key);
            if (!old)
                vt_map_set(affected, key, (void *)(uintptr_t)VT_CONFIG_NEW);
            else if (!cJSON_Compare(old->contents, ((item *)val)->contents, 1))
                vt_map_set(affected, key, (void *)(uintptr_t)VT_CONFIG_UPDATE);
        }
        cursor = 0;
        while (vt_map_next(c->store, &cursor, &key, NULL))
            if (!vt_map_contains(fresh, key))
                vt_map_set(affected, key, (void *)(uintptr_t)VT_CONFIG_DELETE);
    }
    vt_map_destroy(&c->store);
    c->store = fresh;
    c->initialized = true;
    if (c->started && vt_map_size(affected))
        process(agent, affected);
    vt_map_destroy(&affected);
    return NULL;
}

static cJSON *rpc_update(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)ctx;
    struct vt_configs *c = agent->configs;
    const cJSON *action = vt_rpc_arg(req, 0, "action");
    const cJSON *name = vt_rpc_arg(req, 1, "config_name");
    const cJSON *contents = vt_rpc_arg(req, 2, "contents");
    const cJSON *trigger = vt_rpc_arg(req, 3, "trigger_callback");
    if (!cJSON_IsString(action))
        return vt_rpc_raise(req, "builtins.TypeError", "action must be a string");
    if (!c->initialized)
        return NULL; /* the initial update brings it anyway */
    const char *act = action->valuestring;
    vt_map *affected = vt_map_new(NULL);
    vt_map *names = display_names(c);
    if (strcmp(act, "DELETE_ALL") == 0) {
        size_t cursor = 0;
        const char *key;
        while (vt_map_next(c->store, &cursor, &key, NULL))
            vt_map_set(affected, key,
                       (void *)(uintptr_t)(vt_map_contains(c->defaults, key) ? VT_CONFIG_UPDATE
                                                                             : VT_CONFIG_DELETE));
        vt_map_clear(c->store);
    } else if (cJSON_IsString(name)) {
        char *l = lower(name->valuestring);
        if (strcmp(act, "DELETE") == 0) {
            if (vt_map_contains(c->store, l)) {
                vt_map_remove(c->store, l);
                vt_map_set(affected, l,
                           (void *)(uintptr_t)(vt_map_contains(c->defaults, l) ? VT_CONFIG_UPDATE
                                                                               : VT_CONFIG_DELETE));
                gather_affected(c, l, affected);
            }
        } else if (strcmp(act, "NEW") == 0 || strcmp(act, "UPDATE") == 0) {
            bool existed = vt_map_contains(c->store, l) || vt_map_contains(c->defaults, l);
            put(c->store, name->valuestring, contents);
            vt_map_set(names, l, vt_strdup(name->valuestring));
            vt_map_set(affected, l,
                       (void *)(uintptr_t)(existed ? VT_CONFIG_UPDATE : VT_CONFIG_NEW));
            gather_affected(c, l, affected);
        } else {
            vt_log_warning(agent->identity, "unknown configuration action %s", act);
        }
        free(l);
    }
    if (cJSON_IsTrue(trigger) && c->started)
        run_callbacks(agent, affected, names);
    vt_map_destroy(&names);
    vt_map_destroy(&affected);
    return NULL;
}

/* ---- start-up ---- */

static void start_callbacks(vt_agent *agent)
{
    struct vt_configs *c = agent->configs;
    if (c->started)
        return;
    c->started = true;
    vt_map *affected = vt_map_new(NULL);
    vt_map *all[] = {c->store, c->defaults};
    for (int m = 0; m < 2; m++) {
        size_t cursor = 0;
        const char *key;
        while (vt_map_next(all[m], &cursor, &key, NULL))
            vt_map_set(affected, key, (void *)(uintptr_t)VT_CONFIG_NEW);
    }
    process(agent, affected);
    vt_map_destroy(&affected);
}

static void initialized(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)ctx;
    if (res->status != VT_RPC_OK)
        vt_log_warning(agent->identity,
                       "no configurations from config.store (%s); running "
                       "with defaults",
                       res->message);
    start_callbacks(agent);
}

static void on_connect(vt_agent *agent, void *ctx)
{
    (void)ctx;
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString(agent->identity));
    vt_rpc_call(agent, STORE, "initialize_configs", params, INIT_TIMEOUT_MS, initialized, NULL);
}

/* ---- the public API ---- */

void vt_config_subscribe(vt_agent *agent, const char *pattern, unsigned actions,
                         vt_config_callback cb, void *ctx)
{
    subscription *s = vt_calloc(1, sizeof *s);
    s->pattern = lower(pattern);
    s->actions = actions;
    s->cb = cb;
    s->ctx = ctx;
    subscription **tail = &agent->configs->subs;
    while (*tail)
        tail = &(*tail)->next;
    *tail = s;
}

void vt_config_set_default(vt_agent *agent, const char *name, const cJSON *contents)
{
    put(agent->configs->defaults, name, contents);
}

cJSON *vt_config_get(vt_agent *agent, const char *name)
{
    char *l = lower(name);
    cJSON *out = resolved(agent->configs, l);
    free(l);
    return out;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char **vt_config_list(vt_agent *agent, size_t *count)
{
    vt_map *names = display_names(agent->configs);
    size_t n = vt_map_size(names), bytes = 0, cursor = 0;
    void *val;
    while (vt_map_next(names, &cursor, NULL, &val))
        bytes += strlen(val) + 1;
    char **out = vt_malloc((n + 1) * sizeof *out + bytes);
    char *p = (char *)(out + n + 1);
    size_t i = 0;
    cursor = 0;
    while (vt_map_next(names, &cursor, NULL, &val)) {
        strcpy(p, val);
        out[i++] = p;
        p += strlen(val) + 1;
    }
    out[n] = NULL;
    qsort(out, n, sizeof *out, cmp_str);
    vt_map_destroy(&names);
    if (count)
        *count = n;
    return out;
}

static void change_done(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)ctx;
    if (res->status != VT_RPC_OK)
        vt_log_error(agent->identity, "configuration store change failed: %s",
                     res->detail ? res->detail : res->message);
}

int vt_config_set(vt_agent *agent, const char *name, const cJSON *contents, bool trigger_callback)
{
    cJSON *args = cJSON_CreateArray();
    cJSON_AddItemToArray(args, cJSON_CreateString(agent->identity));
    cJSON_AddItemToArray(args, cJSON_CreateString(name));
    if (cJSON_IsString(contents)) {
        cJSON_AddItemToArray(args, cJSON_CreateString(contents->valuestring));
        cJSON_AddItemToArray(args, cJSON_CreateString("raw"));
    } else {
        char *text = vt_json_dump(contents, 0);
        cJSON_AddItemToArray(args, cJSON_CreateString(text));
        free(text);
        cJSON_AddItemToArray(args, cJSON_CreateString("json"));
    }
    cJSON *kwargs = cJSON_CreateObject();
    cJSON_AddBoolToObject(kwargs, "trigger_callback", trigger_callback);
    cJSON_AddTrueToObject(kwargs, "send_update");
    return vt_rpc_call(agent, STORE, "set_config", vt_rpc_params(args, kwargs), 0, change_done,
                       NULL);
}

int vt_config_delete(vt_agent *agent, const char *name, bool trigger_callback)
{
    cJSON *args = cJSON_CreateArray();
    cJSON_AddItemToArray(args, cJSON_CreateString(agent->identity));
    cJSON_AddItemToArray(args, cJSON_CreateString(name));
    cJSON *kwargs = cJSON_CreateObject();
    cJSON_AddBoolToObject(kwargs, "trigger_callback", trigger_callback);
    cJSON_AddTrueToObject(kwargs, "send_update");
    return vt_rpc_call(agent, STORE, "delete_config", vt_rpc_params(args, kwargs), 0, change_done,
                       NULL);
}

void vt_configstore_init(vt_agent *agent, bool enabled)
{
    struct vt_configs *c = vt_calloc(1, sizeof *c);
    c->store = vt_map_new(item_free);
    c->defaults = vt_map_new(item_free);
    agent->configs = c;
    if (!enabled)
        return;
    vt_rpc_export_doc(agent, "config.update", rpc_update, NULL,
                      "action, config_name, contents=None, trigger_callback=False", NULL);
    vt_rpc_export_doc(agent, "config.initial_update", rpc_initial_update, NULL,
                      "configs, reset_name_map=True", NULL);
    vt_agent_hook_add(&agent->on_connect, on_connect, NULL);
}

void vt_configstore_fini(vt_agent *agent)
{
    struct vt_configs *c = agent->configs;
    if (!c)
        return;
    vt_map_destroy(&c->store);
    vt_map_destroy(&c->defaults);
    while (c->subs) {
        subscription *next = c->subs->next;
        free(c->subs->pattern);
        free(c->subs);
        c->subs = next;
    }
    free(c);
    agent->configs = NULL;
}
