/* The platform driver agent (driver-framework.md): identity platform.driver.
 * Its configuration store holds the main settings ("config") and one entry
 * per device ("devices/<path>"); devices start, change and stop as those
 * entries do. Every device scrapes on its schedule and publishes on
 * devices/<path>/all; the RPC API reads and writes points.
 *
 * Not in this version: the global override (set_override_on & co.), BACnet
 * COV forwarding, scalability-test mode, and interfaces other than
 * fakedriver and modbus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include <volttron/client/client.h>

#include "device.h"

#define LOG "platform.driver"

#ifndef DRIVER_VERSION
#define DRIVER_VERSION "4.0.0"
#endif

static drv_ctx ctx;
static bool started_settings; /* the startup-only settings have been read */

/* ---- configuration ---- */

static double number_or(const cJSON *cfg, const char *key, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (!v || cJSON_IsNull(v))
        return def;
    if (cJSON_IsNumber(v))
        return v->valuedouble;
    if (cJSON_IsString(v)) {
        char *end;
        double d = strtod(v->valuestring, &end);
        if (end != v->valuestring && !*end)
            return d;
    }
    vt_log_error(LOG, "config: \"%s\" must be a number: keeping %g", key, def);
    return def;
}

static bool flag_or(const cJSON *cfg, const char *key, bool def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (!v || cJSON_IsNull(v))
        return def;
    if (cJSON_IsString(v))
        return strcasecmp(v->valuestring, "false") != 0 && strcmp(v->valuestring, "0") != 0 &&
               v->valuestring[0];
    return cJSON_IsTrue(v) || (cJSON_IsNumber(v) && v->valuedouble != 0);
}

static void apply_main_config(const cJSON *cfg)
{
    drv_settings *s = &ctx.settings;
    double scrape = number_or(cfg, "driver_scrape_interval", 0.02);
    double group = number_or(cfg, "group_offset_interval", 0.0);
    if (scrape < 0)
        scrape = 0.02;
    if (group < 0)
        group = 0;
    pub_flags flags = {
        .depth_all = flag_or(cfg, "publish_depth_first_all", true),
        .breadth_all = flag_or(cfg, "publish_breadth_first_all", false),
        .depth = flag_or(cfg, "publish_depth_first", false),
        .breadth = flag_or(cfg, "publish_breadth_first", false),
    };
    drv_devices_set_flags(&ctx, &flags);
    if (!started_settings) {
        started_settings = true;
        double maxpub = number_or(cfg, "max_concurrent_publishes", 10000);
        s->max_concurrent_publishes = maxpub > 1e9 ? 1000000000 : (int)maxpub;
        if (cJSON_GetObjectItemCaseSensitive(cfg, "driver_config_list"))
            vt_log_warning(LOG, "config: driver_config_list is obsolete: put each device in "
                                "the config store as devices/<path>");
        if (flag_or(cfg, "scalability_test", false))
            vt_log_warning(LOG, "config: scalability_test is not supported by this driver "
                                "(see tests/bench/bench_driver for figures)");
    } else if (cJSON_GetObjectItemCaseSensitive(cfg, "max_concurrent_publishes")) {
        double maxpub = number_or(cfg, "max_concurrent_publishes", 10000);
        if ((int)maxpub != s->max_concurrent_publishes)
            vt_log_warning(LOG, "config: max_concurrent_publishes changes when the driver is "
                                "restarted");
    }
    if (scrape != s->scrape_interval || group != s->group_offset) {
        s->scrape_interval = scrape;
        s->group_offset = group;
        drv_devices_reschedule(&ctx);
    }
}

static void on_main_config(vt_agent *agent, const char *name, vt_config_action action,
                           const cJSON *contents, void *c)
{
    (void)name;
    (void)c;
    apply_main_config(action == VT_CONFIG_DELETE ? vt_agent_config(agent) : contents);
}

static void on_device_config(vt_agent *agent, const char *name, vt_config_action action,
                             const cJSON *contents, void *c)
{
    (void)agent;
    (void)c;
    const char *path = name + strlen("devices/");
    while (*path == '/')
        path++;
    if (!*path)
        return;
    if (action == VT_CONFIG_DELETE)
        drv_device_remove(&ctx, path);
    else
        drv_device_configure(&ctx, path, contents);
}

/* ---- RPC ---- */

static const char *str_arg(vt_rpc_request *req, int pos, const char *name)
{
    const cJSON *v = vt_rpc_arg(req, pos, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The device an RPC names, or NULL with KeyError(path) raised. Extra
 * keyword arguments are refused as the fake and modbus interfaces refuse
 * them in 9.0.4 (TypeError). */
static drv_device *device_arg(vt_rpc_request *req, const char *const *params, size_t nparams)
{
    const cJSON *kw;
    cJSON_ArrayForEach (kw, vt_rpc_kwargs(req)) {
        bool known = false;
        for (size_t i = 0; i < nparams; i++)
            known = known || strcmp(kw->string, params[i]) == 0;
        if (!known) {
            vt_rpc_raise(req, "builtins.TypeError",
                         "%s() got an unexpected keyword argument "
                         "'%s'",
                         vt_rpc_method_name(req), kw->string);
            return NULL;
        }
    }
    const char *path = str_arg(req, 0, "path");
    drv_device *d = path ? drv_device_find(&ctx, path) : NULL;
    if (!d)
        vt_rpc_raise(req, "builtins.KeyError", "%s", path ? path : "None");
    return d;
}

static cJSON *rpc_get_point(vt_agent *agent, vt_rpc_request *req, void *c)
{
    (void)agent;
    (void)c;
    static const char *const params[] = {"path", "point_name"};
    drv_device *d = device_arg(req, params, 2);
    if (d)
        drv_rpc_get_point(d, req, str_arg(req, 1, "point_name"));
    return NULL;
}

static cJSON *rpc_set_point(vt_agent *agent, vt_rpc_request *req, void *c)
{
    (void)agent;
    (void)c;
    static const char *const params[] = {"path", "point_name", "value"};
    drv_device *d = device_arg(req, params, 3);
    const cJSON *value = vt_rpc_arg(req, 2, "value");
    if (d && !value)
        return vt_rpc_raise(req, "builtins.TypeError",
                            "set_point() missing 1 required positional argument: 'value'");
    if (d)
        drv_rpc_set_point(d, req, str_arg(req, 1, "point_name"), value);
    return NULL;
}

static cJSON *rpc_scrape_all(vt_agent *agent, vt_rpc_request *req, void *c)
{
    (void)agent;
    (void)c;
    static const char *const params[] = {"path"};
    drv_device *d = device_arg(req, params, 1);
    if (d)
        drv_rpc_scrape_all(d, req);
    return NULL;
}

static cJSON *rpc_get_multiple_points(vt_agent *agent, vt_rpc_request *req, void *c)
{
    (void)agent;
    (void)c;
    static const char *const params[] = {"path", "point_names"};
    drv_device *d = device_arg(req, params, 2);
    const cJSON *names = vt_rpc_arg(req, 1, "point_names");
    if (d && !cJSON_IsArray(names))
        return vt_rpc_raise(req, "builtins.TypeError", "point_names must be a list");
    if (d)
        drv_rpc_get_multiple(d, req, names);
    return NULL;
}

static cJSON *rpc_set_multiple_points(vt_agent *agent, vt_rpc_request *req, void *c)
{
    (void)agent;
    (void)c;
    static const char *const params[] = {"path", "point_names_values"};
    drv_device *d = device_arg(req, params, 2);
    const cJSON *pairs = vt_rpc_arg(req, 1, "point_names_values");
    if (d && !cJSON_IsArray(pairs))
        return vt_rpc_raise(req, "builtins.TypeError",
                            "point_names_values must be a list of [point, value] pairs");
    if (d)
        drv_rpc_set_multiple(d, req, pairs);
    return NULL;
}

static cJSON *rpc_revert_point(vt_agent *agent, vt_rpc_request *req, void *c)
{
    (void)agent;
    (void)c;
    static const char *const params[] = {"path", "point_name"};
    drv_device *d = device_arg(req, params, 2);
    if (d)
        drv_rpc_revert_point(d, req, str_arg(req, 1, "point_name"));
    return NULL;
}

static cJSON *rpc_revert_device(vt_agent *agent, vt_rpc_request *req, void *c)
{
    (void)agent;
    (void)c;
    static const char *const params[] = {"path"};
    drv_device *d = device_arg(req, params, 1);
    if (d)
        drv_rpc_revert_device(d, req);
    return NULL;
}

static cJSON *rpc_heart_beat(vt_agent *agent, vt_rpc_request *req, void *c)
{
    (void)agent;
    (void)req;
    (void)c;
    drv_heart_beat(&ctx);
    return NULL;
}

/* ---- life ---- */

/* 9.0.4 raises the open-file limit first: every Modbus device may hold a
 * socket while it is read. */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? 8192 : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    raise_nofile();
    vt_agent *agent = vt_agent_new_from_env(argc, argv);
    if (!agent)
        return 1;
    drv_ctx_init(&ctx, agent);
    /* the installed configuration stands for "config" until the store has one */
    vt_config_set_default(agent, "config", vt_agent_config(agent));
    vt_config_subscribe(agent, "config", VT_CONFIG_ALL, on_main_config, NULL);
    vt_config_subscribe(agent, "devices/*", VT_CONFIG_ALL, on_device_config, NULL);
    static const struct {
        const char *name, *params, *doc;
        vt_rpc_method fn;
    } methods[] = {
        {"get_point", "path, point_name, **kwargs", "The value of a point.", rpc_get_point},
        {"set_point", "path, point_name, value, **kwargs",
         "Write a point; returns the value now in effect.", rpc_set_point},
        {"scrape_all", "path", "Read every point of a device now.", rpc_scrape_all},
        {"get_multiple_points", "path, point_names, **kwargs",
         "[{path/point: value}, {path/point: error}]", rpc_get_multiple_points},
        {"set_multiple_points", "path, point_names_values, **kwargs",
         "Write [[point, value], ...]; returns {path/point: error}.", rpc_set_multiple_points},
        {"revert_point", "path, point_name, **kwargs",
         "Put a point back to its default (or last scraped) value.", rpc_revert_point},
        {"revert_device", "path, **kwargs", "Revert every written point of a device.",
         rpc_revert_device},
        {"heart_beat", "", "Toggle every device's heartbeat point.", rpc_heart_beat},
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        vt_rpc_export_doc(agent, methods[i].name, methods[i].fn, NULL, methods[i].params,
                          methods[i].doc);
    vt_log_info(LOG, "platform driver %s", DRIVER_VERSION);
    int rc = vt_agent_run(agent);
    drv_ctx_fini(&ctx);
    vt_agent_destroy(&agent);
    return rc;
}
