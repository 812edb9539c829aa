/* config.store: every agent's configuration store (vip-wire.md §11,
 * platform-services.md §9). Entries are kept parsed in memory and written
 * to $VOLTTRON_HOME/configuration_store/<identity>.store atomically; agents
 * are told about changes with config.update / config.initial_update. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <volttron/client/client.h>

#include "services.h"

#define LOG "config.store"
#define PUSH_TIMEOUT_MS 30000
#define STORE_MAX (64u << 20) /* default limit of one store */

typedef struct entry {
    char *name;     /* as last written (stored case) */
    char *type;     /* "json", "csv" or "raw" */
    char *modified; /* UTC timestamp, or NULL (old files) */
    char *data;     /* raw contents */
    cJSON *parsed;
} entry;

typedef struct store {
    char *identity;
    vt_map *entries; /* lower-case name -> entry */
} store;

typedef struct config_store {
    vt_agent *agent;
    char *dir;
    vt_map *stores; /* identity -> store */
    vt_map *peers;  /* connected identities (values unused) */
    vt_map *broken; /* identity -> path of a store that failed to load in place */
    size_t limit;   /* bytes a store may take on disk */
} config_store;

/* ---- entries and stores ---- */

static void entry_free(void *p)
{
    entry *e = p;
    free(e->name);
    free(e->type);
    free(e->modified);
    free(e->data);
    cJSON_Delete(e->parsed);
    free(e);
}

static void store_free(void *p)
{
    store *s = p;
    vt_map_destroy(&s->entries);
    free(s->identity);
    free(s);
}

static store *store_get(config_store *cs, const char *identity, bool create)
{
    store *s = vt_map_get(cs->stores, identity);
    if (!s && create) {
        s = vt_calloc(1, sizeof *s);
        s->identity = vt_strdup(identity);
        s->entries = vt_map_new(entry_free);
        vt_map_set(cs->stores, identity, s);
    }
    return s;
}

/* Names: surrounding white space, '/' and '\' go; lookups ignore case. */
static char *normalise_name(const char *name)
{
    const char *start = name;
    while (*start && (isspace((unsigned char)*start) || *start == '/' || *start == '\\'))
        start++;
    size_t len = strlen(start);
    while (len && (isspace((unsigned char)start[len - 1]) || start[len - 1] == '/' ||
                   start[len - 1] == '\\'))
        len--;
    return vt_strndup(start, len);
}

static char *lower(const char *s)
{
    char *l = vt_strdup(s);
    for (char *p = l; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return l;
}

/* Parse raw contents of a type: the tree, or NULL with the reason in why. */
static cJSON *parse_contents(const char *type, const char *raw, const char *name, char *why,
                             size_t whylen)
{
    cJSON *v = NULL;
    if (strcmp(type, "json") == 0) {
        v = vt_json_parse(raw, strlen(raw), VT_JSON_COMMENTS, name, NULL);
        if (!v)
            snprintf(why, whylen, "%s", vt_last_error());
        else if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) {
            cJSON_Delete(v);
            v = NULL;
            snprintf(why, whylen, "Configuration must be a list or object.");
        }
    } else if (strcmp(type, "csv") == 0) {
        v = vt_csv_parse(raw, strlen(raw), name);
        if (!v)
            snprintf(why, whylen, "%s", vt_last_error());
    } else if (strcmp(type, "raw") == 0) {
        v = cJSON_CreateString(raw);
    } else {
        snprintf(why, whylen, "Unsupported configuration type.");
    }
    return v;
}

/* ---- references: config://name, checked for cycles ---- */

static const char *config_link(const cJSON *v)
{
    if (!cJSON_IsString(v) || strncasecmp(v->valuestring, "config://", 9) != 0)
        return NULL;
    return v->valuestring + 9;
}

static void collect_links(const cJSON *v, vt_map *out)
{
    const char *link = config_link(v);
    if (link) {
        char *n = normalise_name(link);
        char *l = lower(n);
        vt_map_set(out, l, (void *)1);
        free(l);
        free(n);
        return;
    }
    const cJSON *c;
    if (cJSON_IsObject(v) || cJSON_IsArray(v))
        cJSON_ArrayForEach (c, v)
            collect_links(c, out);
}

/* Does following links from name reach target (with override for one entry)? */
static bool reaches(store *s, const char *name, const char *target, const char *override_name,
                    const cJSON *override, vt_map *seen)
{
    if (vt_map_contains(seen, name))
        return false;
    vt_map_set(seen, name, (void *)1);
    const cJSON *contents = NULL;
    if (override_name && strcmp(name, override_name) == 0) {
        contents = override;
    } else {
        entry *e = vt_map_get(s->entries, name);
        contents = e ? e->parsed : NULL;
    }
    if (!contents)
        return false;
    vt_map *links = vt_map_new(NULL);
    collect_links(contents, links);
    bool found = false;
    size_t cursor = 0;
    const char *l;
    while (!found && vt_map_next(links, &cursor, &l, NULL))
        found = strcmp(l, target) == 0 || reaches(s, l, target, override_name, override, seen);
    vt_map_destroy(&links);
    return found;
}

static bool creates_cycle(store *s, const char *lname, const cJSON *contents)
{
    vt_map *links = vt_map_new(NULL);
    collect_links(contents, links);
    bool cycle = false;
    size_t cursor = 0;
    const char *l;
    while (!cycle && vt_map_next(links, &cursor, &l, NULL)) {
        vt_map *seen = vt_map_new(NULL);
        cycle = strcmp(l, lname) == 0 || reaches(s, l, lname, lname, contents, seen);
        vt_map_destroy(&seen);
    }
    vt_map_destroy(&links);
    return cycle;
}

/* ---- persistence ---- */

static int persist(config_store *cs, store *s)
{
    const char *broken = vt_map_get(cs->broken, s->identity);
    if (broken)
        return vt_error_set(-EIO,
                            "the configuration store of %s at %s could not be loaded (see "
                            "the log) and is not overwritten: repair or remove it, then "
                            "restart the platform",
                            s->identity, broken);
    char *path = vt_asprintf("%s/%s.store", cs->dir, s->identity);
    int rc = 0;
    if (vt_map_size(s->entries) == 0) {
        /* VOLTTRON deletes a store that became empty. */
        if (vt_fs_exists(path) && remove(path) < 0)
            rc = vt_error_set(-errno, "cannot remove %s: %s", path, strerror(errno));
        free(path);
        return rc;
    }
    cJSON *doc = cJSON_CreateObject();
    size_t cursor = 0;
    void *val;
    while (vt_map_next(s->entries, &cursor, NULL, &val)) {
        entry *e = val;
        cJSON *o = cJSON_AddObjectToObject(doc, e->name);
        cJSON_AddStringToObject(o, "type", e->type);
        if (e->modified)
            cJSON_AddStringToObject(o, "modified", e->modified);
        else
            cJSON_AddNullToObject(o, "modified");
        cJSON_AddStringToObject(o, "data", e->data);
    }
    char *text = vt_json_dump(doc, VT_JSON_COMPACT);
    size_t len = strlen(text);
    /* The limit the next start loads with: never write what would not load. */
    if (len > cs->limit)
        rc = vt_error_set(-EFBIG,
                          "the configuration store of %s would be %zu bytes, more "
                          "than the %zu a store may hold (--config-store-limit)",
                          s->identity, len, cs->limit);
    else
        rc = vt_fs_write_atomic(path, text, len, 0600);
    free(text);
    cJSON_Delete(doc);
    free(path);
    return rc;
}

/* Keep what could not be loaded where an operator finds it, under a name
 * the next start does not load: "<file>.<what>-<UTC time>". NULL if it
 * could not be moved (or copied). */
static char *set_aside(const char *path, const char *what, const char *text, size_t len)
{
    char when[VT_TIME_BUFSZ];
    vt_time_format_utc(vt_time_now_us(), when);
    for (char *c = when; *c; c++)
        if (*c == ':')
            *c = '-';
    char *aside = vt_asprintf("%s.%s-%s", path, what, when);
    int rc = text ? vt_fs_write_atomic(aside, text, len, 0600) : rename(path, aside);
    if (rc < 0) {
        vt_log_error(LOG, "cannot keep %s as %s: %s", path, aside,
                     text ? vt_last_error() : strerror(errno));
        free(aside);
        return NULL;
    }
    return aside;
}

/* Load one .store file. A store that cannot be loaded is moved aside and
 * never overwritten; entries that no longer parse are dropped, as
 * VOLTTRON does, after the file as it was is kept beside. */
static void load_store(config_store *cs, const char *file)
{
    size_t n = strlen(file);
    char *identity = vt_strndup(file, n - 6);
    char *path = vt_asprintf("%s/%s", cs->dir, file);
    if (!vt_identity_valid(identity)) {
        vt_log_error(LOG, "%s ignored: \"%s\" is not an identity", path, identity);
        free(path);
        free(identity);
        return;
    }
    char *text = NULL;
    size_t len = 0;
    cJSON *doc = NULL;
    if (vt_fs_read_file(path, cs->limit, &text, &len) == 0)
        doc = vt_json_parse(text, len, 0, path, NULL);
    if (!cJSON_IsObject(doc)) {
        char why[512];
        snprintf(why, sizeof why, "%s", doc ? "not a JSON object" : vt_last_error());
        char *aside = set_aside(path, "unloadable", NULL, 0);
        if (aside)
            vt_log_error(LOG,
                         "configuration store of %s not loaded (%s): moved to %s, where "
                         "it stays; %s starts with an empty store",
                         identity, why, aside, identity);
        else
            vt_map_set(cs->broken, identity, vt_strdup(path));
        free(aside);
        cJSON_Delete(doc);
        free(text);
        free(path);
        free(identity);
        return;
    }
    store *s = store_get(cs, identity, true);
    bool dropped = false;
    const cJSON *item;
    cJSON_ArrayForEach (item, doc) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(item, "type");
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(item, "data");
        const cJSON *modified = cJSON_GetObjectItemCaseSensitive(item, "modified");
        char why[512] = "";
        cJSON *parsed = cJSON_IsString(type) && cJSON_IsString(data)
                            ? parse_contents(type->valuestring, data->valuestring, item->string,
                                             why, sizeof why)
                            : NULL;
        char *lname = lower(item->string);
        if (!parsed || vt_map_contains(s->entries, lname)) {
            vt_log_error(LOG, "%s: dropped entry \"%s\": %s", path, item->string,
                         parsed   ? "duplicate name"
                         : why[0] ? why
                                  : "missing type or data");
            cJSON_Delete(parsed);
            dropped = true;
        } else {
            entry *e = vt_calloc(1, sizeof *e);
            e->name = vt_strdup(item->string);
            e->type = vt_strdup(type->valuestring);
            e->data = vt_strdup(data->valuestring);
            e->modified = cJSON_IsString(modified) ? vt_strdup(modified->valuestring) : NULL;
            e->parsed = parsed;
            vt_map_set(s->entries, lname, e);
        }
        free(lname);
    }
    cJSON_Delete(doc);
    if (dropped) {
        char *aside = set_aside(path, "before-repair", text, len);
        if (aside) {
            vt_log_warning(LOG,
                           "%s rewritten without the entries above; the file as it was "
                           "is kept as %s",
                           path, aside);
            persist(cs, s);
        } else {
            vt_map_set(cs->broken, identity, vt_strdup(path));
        }
        free(aside);
    }
    free(text);
    free(path);
    free(identity);
}

static void load_all(config_store *cs)
{
    DIR *d = opendir(cs->dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n > 6 && strcmp(de->d_name + n - 6, ".store") == 0)
            load_store(cs, de->d_name);
    }
    closedir(d);
}

/* ---- pushing changes to agents ---- */

typedef struct push {
    vt_rpc_request *req; /* the caller's request, answered when the push is done */
} push;

static void pushed(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)agent;
    push *p = ctx;
    if (res->status != VT_RPC_OK)
        vt_log_warning(LOG, "configuration push not acknowledged: %s", res->message);
    if (p->req)
        vt_rpc_reply(p->req, NULL);
    free(p);
}

/* config.update(action, name, **kwargs) to identity, then answer req (may
 * be NULL). Takes kwargs. */
static void push_update(config_store *cs, const char *identity, const char *action,
                        const char *name, cJSON *kwargs, vt_rpc_request *req)
{
    cJSON *args = cJSON_CreateArray();
    cJSON_AddItemToArray(args, cJSON_CreateString(action));
    cJSON_AddItemToArray(args, name ? cJSON_CreateString(name) : cJSON_CreateNull());
    push *p = vt_calloc(1, sizeof *p);
    p->req = req;
    vt_rpc_call(cs->agent, identity, "config.update", vt_rpc_params(args, kwargs), PUSH_TIMEOUT_MS,
                pushed, p);
}

/* ---- RPC ---- */

static const char *str_arg(vt_rpc_request *req, int pos, const char *name)
{
    const cJSON *v = vt_rpc_arg(req, pos, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool bool_arg(vt_rpc_request *req, int pos, const char *name, bool def)
{
    const cJSON *v = vt_rpc_arg(req, pos, name);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

/* The identity argument: NULL (raised on req) unless it is a valid identity,
 * since it becomes a file name (configuration_store/<identity>.store). */
static const char *identity_arg(vt_rpc_request *req, const char *method)
{
    const cJSON *v = vt_rpc_arg(req, 0, "identity");
    if (!cJSON_IsString(v)) {
        vt_rpc_raise(req, "builtins.TypeError", "%s() needs identity (a string)", method);
        return NULL;
    }
    if (vt_identity_check(v->valuestring, "identity", true) < 0) {
        vt_rpc_raise(req, "builtins.ValueError", "%s", vt_last_error());
        return NULL;
    }
    return v->valuestring;
}

static cJSON *no_such(vt_rpc_request *req, const char *name, const char *identity)
{
    /* VOLTTRON's text, typo included: tools look for "No configuration file". */
    return vt_rpc_raise(req, "builtins.KeyError", "No configuration file \"%s\" for VIP IDENTIY %s",
                        name, identity);
}

static cJSON *rpc_set_config(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    config_store *cs = ctx;
    const char *identity = identity_arg(req, "set_config");
    if (!identity)
        return NULL;
    const char *raw_name = str_arg(req, 1, "config_name");
    const cJSON *raw = vt_rpc_arg(req, 2, "raw_contents");
    const char *type = str_arg(req, 3, "config_type");
    if (!type)
        type = "raw";
    bool trigger = bool_arg(req, 4, "trigger_callback", true);
    bool send_update = bool_arg(req, 5, "send_update", true);
    if (!raw_name || !raw)
        return vt_rpc_raise(req, "builtins.TypeError",
                            "set_config() needs identity, config_name and raw_contents");
    char *name = normalise_name(raw_name);
    if (!*name) {
        free(name);
        return vt_rpc_raise(req, "builtins.ValueError", "configuration name is empty");
    }
    /* Contents sent as JSON values rather than text are stored as text. */
    char *data = cJSON_IsString(raw) ? vt_strdup(raw->valuestring) : vt_json_dump(raw, 0);
    char why[512] = "";
    cJSON *parsed = parse_contents(type, data, name, why, sizeof why);
    if (!parsed) {
        free(name);
        free(data);
        return vt_rpc_raise(req, "builtins.ValueError", "%s", why);
    }
    store *s = store_get(cs, identity, true);
    char *lname = lower(name);
    if (creates_cycle(s, lname, parsed)) {
        cJSON_Delete(parsed);
        free(lname);
        free(name);
        free(data);
        if (vt_map_size(s->entries) == 0) {
            vt_map_remove(cs->stores, identity);
        }
        return vt_rpc_raise(req, "builtins.ValueError",
                            "Recursive configuration references detected.");
    }
    entry *old = vt_map_take(s->entries, lname);
    const char *action = old ? "UPDATE" : "NEW";
    entry *e = vt_calloc(1, sizeof *e);
    e->name = name;
    e->type = vt_strdup(type);
    e->data = data;
    e->parsed = parsed;
    e->modified = vt_calloc(1, VT_TIME_BUFSZ);
    vt_time_format_utc(vt_time_now_us(), e->modified);
    vt_map_set(s->entries, lname, e);
    int prc = persist(cs, s);
    if (prc < 0) {
        /* Refused: the old entry stays, in memory as on disk. */
        char err[512];
        snprintf(err, sizeof err, "%s", vt_last_error());
        vt_map_remove(s->entries, lname);
        if (old)
            vt_map_set(s->entries, lname, old);
        free(lname);
        return vt_rpc_raise(req, prc == -EFBIG ? "builtins.ValueError" : "builtins.OSError", "%s",
                            err);
    }
    if (old)
        entry_free(old);
    free(lname);
    if (send_update && vt_map_contains(cs->peers, identity)) {
        cJSON *kwargs = cJSON_CreateObject();
        cJSON_AddItemToObject(kwargs, "contents", cJSON_Duplicate(e->parsed, 1));
        cJSON_AddBoolToObject(kwargs, "trigger_callback", trigger);
        push_update(cs, identity, action, e->name, kwargs, vt_rpc_defer(req));
    }
    return NULL;
}

static cJSON *rpc_delete_config(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    config_store *cs = ctx;
    const char *identity = identity_arg(req, "delete_config");
    if (!identity)
        return NULL;
    const char *raw_name = str_arg(req, 1, "config_name");
    bool trigger = bool_arg(req, 2, "trigger_callback", true);
    bool send_update = bool_arg(req, 3, "send_update", true);
    if (!raw_name)
        return vt_rpc_raise(req, "builtins.TypeError",
                            "delete_config() needs identity and config_name");
    char *name = normalise_name(raw_name);
    char *lname = lower(name);
    store *s = store_get(cs, identity, false);
    entry *e = s ? vt_map_take(s->entries, lname) : NULL;
    free(lname);
    if (!e) {
        cJSON *r = no_such(req, name, identity);
        free(name);
        return r;
    }
    if (persist(cs, s) < 0) {
        /* Disk refused it: the entry stays, in memory as on disk. */
        char *l = lower(e->name);
        vt_map_set(s->entries, l, e);
        free(l);
        free(name);
        return vt_rpc_raise(req, "builtins.OSError", "%s", vt_last_error());
    }
    if (vt_map_size(s->entries) == 0)
        vt_map_remove(cs->stores, identity);
    if (send_update && vt_map_contains(cs->peers, identity)) {
        cJSON *kwargs = cJSON_CreateObject();
        cJSON_AddBoolToObject(kwargs, "trigger_callback", trigger);
        push_update(cs, identity, "DELETE", e->name, kwargs, vt_rpc_defer(req));
    }
    entry_free(e);
    free(name);
    return NULL;
}

static cJSON *rpc_delete_store(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    config_store *cs = ctx;
    const char *identity = identity_arg(req, "delete_store");
    if (!identity)
        return NULL;
    store *s = store_get(cs, identity, false);
    if (!s)
        return NULL;
    /* An empty store persists as no file: remove it first, then forget. */
    store empty = {.identity = s->identity, .entries = vt_map_new(NULL)};
    int rc = persist(cs, &empty);
    vt_map_destroy(&empty.entries);
    if (rc < 0)
        return vt_rpc_raise(req, "builtins.OSError", "%s", vt_last_error());
    vt_map_remove(cs->stores, identity);
    if (vt_map_contains(cs->peers, identity)) {
        cJSON *kwargs = cJSON_CreateObject();
        cJSON_AddTrueToObject(kwargs, "trigger_callback");
        push_update(cs, identity, "DELETE_ALL", NULL, kwargs, vt_rpc_defer(req));
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A sorted JSON list of strings. */
static cJSON *sorted_list(const char **names, size_t n)
{
    qsort(names, n, sizeof *names, cmp_str);
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(list, cJSON_CreateString(names[i]));
    return list;
}

static cJSON *rpc_list_configs(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    config_store *cs = ctx;
    const char *identity = identity_arg(req, "list_configs");
    if (!identity)
        return NULL;
    store *s = store_get(cs, identity, false);
    if (!s)
        return cJSON_CreateArray();
    const char **names = vt_malloc((vt_map_size(s->entries) + 1) * sizeof *names);
    size_t n = 0, cursor = 0;
    void *val;
    while (vt_map_next(s->entries, &cursor, NULL, &val))
        names[n++] = ((entry *)val)->name;
    cJSON *list = sorted_list(names, n);
    free(names);
    return list;
}

static cJSON *rpc_list_stores(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    (void)req;
    config_store *cs = ctx;
    const char **names = vt_malloc((vt_map_size(cs->stores) + 1) * sizeof *names);
    size_t n = 0, cursor = 0;
    const char *key;
    while (vt_map_next(cs->stores, &cursor, &key, NULL))
        names[n++] = key;
    cJSON *list = sorted_list(names, n);
    free(names);
    return list;
}

/* The entry the identity and config_name arguments name; false (raised on
 * req) if the identity is not one; *e NULL if there is no such entry. */
static bool find(config_store *cs, vt_rpc_request *req, const char *method, const char **identity,
                 char **name, entry **e)
{
    *name = NULL;
    *e = NULL;
    *identity = identity_arg(req, method);
    if (!*identity)
        return false;
    const char *raw_name = str_arg(req, 1, "config_name");
    *name = normalise_name(raw_name ? raw_name : "");
    store *s = store_get(cs, *identity, false);
    char *lname = lower(*name);
    *e = s ? vt_map_get(s->entries, lname) : NULL;
    free(lname);
    return true;
}

static cJSON *rpc_get_config(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    const char *identity;
    char *name;
    entry *e;
    if (!find(ctx, req, "get_config", &identity, &name, &e))
        return NULL;
    cJSON *r;
    if (!e)
        r = no_such(req, name, identity);
    else if (bool_arg(req, 2, "raw", true))
        r = cJSON_CreateString(e->data);
    else
        r = cJSON_Duplicate(e->parsed, 1);
    free(name);
    return r;
}

static cJSON *rpc_get_metadata(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    const char *identity;
    char *name;
    entry *e;
    if (!find(ctx, req, "get_metadata", &identity, &name, &e))
        return NULL;
    cJSON *r;
    if (!e) {
        r = no_such(req, name, identity);
    } else {
        r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "type", e->type);
        cJSON_AddItemToObject(r, "modified",
                              e->modified ? cJSON_CreateString(e->modified) : cJSON_CreateNull());
        cJSON_AddStringToObject(r, "data", e->data);
    }
    free(name);
    return r;
}

static void initial_done(vt_agent *agent, const vt_rpc_result *res, void *ctx)
{
    (void)agent;
    if (res->status != VT_RPC_OK)
        vt_log_warning(LOG, "initial configuration not acknowledged: %s", res->message);
    vt_rpc_reply(ctx, NULL);
}

static cJSON *rpc_initialize_configs(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    config_store *cs = ctx;
    const char *identity = identity_arg(req, "initialize_configs");
    if (!identity)
        return NULL;
    /* Only agents we know are connected get the push (as VOLTTRON). */
    if (!vt_map_contains(cs->peers, identity) && strcmp(identity, vt_rpc_peer(req)) != 0)
        return NULL;
    cJSON *configs = cJSON_CreateObject();
    store *s = store_get(cs, identity, false);
    size_t cursor = 0;
    void *val;
    while (s && vt_map_next(s->entries, &cursor, NULL, &val)) {
        entry *e = val;
        cJSON_AddItemToObject(configs, e->name, cJSON_Duplicate(e->parsed, 1));
    }
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, configs);
    vt_rpc_call(agent, identity, "config.initial_update", params, PUSH_TIMEOUT_MS, initial_done,
                vt_rpc_defer(req));
    return NULL;
}

/* ---- peers ---- */

static void peer_changed(vt_agent *agent, const char *peer, bool added, void *ctx)
{
    (void)agent;
    config_store *cs = ctx;
    if (added)
        vt_map_set(cs->peers, peer, (void *)1);
    else
        vt_map_remove(cs->peers, peer);
}

static void got_peers(vt_agent *agent, const char *const *peers, size_t n, void *ctx)
{
    (void)agent;
    config_store *cs = ctx;
    for (size_t i = 0; i < n; i++)
        vt_map_set(cs->peers, peers[i], (void *)1);
}

static void on_connect(vt_agent *agent, void *ctx)
{
    vt_peerlist_list(agent, 3000, got_peers, ctx);
}

static void fini(void *ctx)
{
    config_store *cs = ctx;
    vt_map_destroy(&cs->stores);
    vt_map_destroy(&cs->peers);
    vt_map_destroy(&cs->broken);
    free(cs->dir);
    free(cs);
}

int vt_config_store_start(vt_router *router, const char *home, size_t limit)
{
    config_store *cs = vt_calloc(1, sizeof *cs);
    cs->limit = limit ? limit : STORE_MAX;
    cs->dir = vt_fs_path_join(home, "configuration_store");
    cs->stores = vt_map_new(store_free);
    cs->peers = vt_map_new(NULL);
    cs->broken = vt_map_new(free);
    /* Writes a crash cut short: the stores they were replacing are intact. */
    int tmps = vt_fs_remove_temporaries(cs->dir, 0);
    if (tmps > 0)
        vt_log_info(LOG, "removed %d temporary file(s) left in %s by an interrupted write", tmps,
                    cs->dir);
    load_all(cs);
    vt_agent *a = vt_router_add_service(router, "config.store", "1.0", fini, cs);
    if (!a) {
        fini(cs);
        return -EINVAL;
    }
    cs->agent = a;
    vt_peerlist_on_change(a, peer_changed, cs);
    vt_agent_on_connect(a, on_connect, cs);
    static const struct {
        const char *name, *alias, *params;
        vt_rpc_method fn;
        bool edits;
    } methods[] = {
        {"set_config", "manage_store",
         "identity, config_name, raw_contents, config_type='raw', trigger_callback=True, "
         "send_update=True",
         rpc_set_config, true},
        {"delete_config", "manage_delete_config",
         "identity, config_name, trigger_callback=True, send_update=True", rpc_delete_config, true},
        {"delete_store", "manage_delete_store", "identity", rpc_delete_store, true},
        {"list_configs", "manage_list_configs", "identity", rpc_list_configs, false},
        {"list_stores", "manage_list_stores", "", rpc_list_stores, false},
        {"get_config", "manage_get", "identity, config_name, raw=True", rpc_get_config, false},
        {"get_metadata", "manage_get_metadata", "identity, config_name", rpc_get_metadata, false},
        {"initialize_configs", NULL, "identity", rpc_initialize_configs, true},
    };
    /* Changing a store takes edit_config_store, which auth.json usually
     * restricts to the caller's own identity. */
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        const char *caps = methods[i].edits ? "edit_config_store" : NULL;
        vt_rpc_export_doc(a, methods[i].name, methods[i].fn, cs, methods[i].params, NULL);
        vt_rpc_require(a, methods[i].name, caps);
        if (methods[i].alias) {
            vt_rpc_export_doc(a, methods[i].alias, methods[i].fn, cs, methods[i].params, NULL);
            vt_rpc_require(a, methods[i].alias, caps);
        }
    }
    return 0;
}
