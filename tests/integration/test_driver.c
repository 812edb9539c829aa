/* The platform driver with fake devices, as a user runs it: installed with
 * vctl, configured through its config store, heard on the bus, driven by
 * RPC. */
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/client.h>

#include "fixture.h"
#include "heard.h"
#include "run.h"
#include "testutil.h"

#define RPC_MS 10000

static vt_fx *fx;
static vt_agent *app; /* the application: listens and calls */

static vt_heard *next_on(const char *topic)
{
    return vt_heard_next(app, topic, 10000);
}

/* ---- set-up ---- */

static char *dir_of(const char *env_name)
{
    char *copy = vt_strdup(vt_fx_program(env_name));
    char *d = vt_strdup(dirname(copy));
    free(copy);
    return d;
}

static void vctl_ok(const char *a0, ...)
{
    const char *a[10] = {a0};
    va_list ap;
    va_start(ap, a0);
    for (int i = 1; i < 9 && (a[i] = va_arg(ap, const char *)); i++)
        ;
    va_end(ap);
    char *out = NULL, *err = NULL;
    int rc = vt_fx_vctl(fx, &out, &err, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], NULL);
    ck_assert_msg(rc == 0, "vctl %s %s: exit %d\n%s%s", a[0], a[1] ? a[1] : "", rc, out, err);
    free(out);
    free(err);
}

static void store(const char *name, const char *text, const char *type)
{
    vt_fx_store_config(fx, "platform.driver", name, text, type);
}

static const char *registry =
    "Point Name,Volttron Point Name,Units,Units Details,Writable,Starting Value,Type,Notes\n"
    "Temp,ZoneTemp,degF,,FALSE,71.5,float,\n"
    "Occ,Occupied,On/Off,,TRUE,TRUE,boolean,\n"
    "Fan,FanSpeedCmd,%,,TRUE,40,int,\n"
    "Beat,Heartbeat,On/Off,,TRUE,0,boolean,\n";

static const char *device_json(const char *extra)
{
    static char buf[512];
    snprintf(buf, sizeof buf,
             "{\"driver_config\": {}, \"driver_type\": \"fakedriver\", "
             "\"registry_config\": \"config://ahu.csv\", \"interval\": 1, \"timezone\": \"UTC\", "
             "\"heart_beat_point\": \"Heartbeat\"%s}",
             extra ? extra : "");
    return buf;
}

static void setup(void)
{
    fx = vt_fx_start(true, NULL);
    app = vt_fx_agent(fx, "app", false);
    vt_heard_start(app, "devices/");
    char *pkg = dir_of("VT_PLATFORM_DRIVER");
    vctl_ok("install", pkg, "--start", NULL);
    free(pkg);
    store("ahu.csv", registry, "--csv");
}

static void teardown(void)
{
    vt_heard_clear();
    vt_agent_destroy(&app);
    vt_fx_destroy(&fx);
}

static cJSON *call(const char *method, cJSON *params)
{
    cJSON *r = NULL;
    int rc = vt_rpc_call_sync(app, "platform.driver", method, params, RPC_MS, &r);
    ck_assert_msg(rc == 0, "platform.driver.%s: %s", method, vt_last_error());
    return r;
}

static cJSON *args(const char *a, const char *b, cJSON *c)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString(a));
    if (b)
        cJSON_AddItemToArray(p, cJSON_CreateString(b));
    if (c)
        cJSON_AddItemToArray(p, c);
    return p;
}

/* The call fails with this exc_type and detail. */
static void call_fails(const char *method, cJSON *params, const char *exc, const char *detail)
{
    cJSON *r = NULL;
    vt_rpc_error e = {0};
    int rc = vt_rpc_call_sync_ex(app, "platform.driver", method, params, RPC_MS, &r, &e);
    ck_assert_msg(rc != 0, "%s succeeded", method);
    ck_assert_str_eq(e.exc_type ? e.exc_type : "", exc);
    ck_assert_str_eq(e.message ? e.message : "", detail);
    vt_rpc_error_clear(&e);
}

static cJSON *parse(const char *text)
{
    cJSON *v = vt_json_parse(text, strlen(text), 0, NULL, NULL);
    ck_assert_ptr_nonnull(v);
    return v;
}

static char *dump(const cJSON *v)
{
    return vt_json_dump(v, 0);
}

/* ---- tests ---- */

START_TEST(test_all_message_matches_the_registry)
{
    store("devices/campusA/bldg7/ahu1", device_json(NULL), "--json");
    vt_heard *h = next_on("devices/campusA/bldg7/ahu1/all");
    char *msg = dump(h->message);
    ck_assert_str_eq(
        msg,
        "[{\"ZoneTemp\": 71.5, \"Occupied\": true, \"FanSpeedCmd\": 40, \"Heartbeat\": false}, "
        "{\"ZoneTemp\": {\"units\": \"degF\", \"type\": \"float\", \"tz\": \"UTC\"}, "
        "\"Occupied\": {\"units\": \"On/Off\", \"type\": \"boolean\", \"tz\": \"UTC\"}, "
        "\"FanSpeedCmd\": {\"units\": \"%\", \"type\": \"integer\", \"tz\": \"UTC\"}, "
        "\"Heartbeat\": {\"units\": \"On/Off\", \"type\": \"boolean\", \"tz\": \"UTC\"}}]");
    free(msg);
    /* headers: Date = TimeStamp; SynchronizedTimeStamp on a whole second */
    const char *date = cJSON_GetObjectItem(h->headers, "Date")->valuestring;
    ck_assert_str_eq(cJSON_GetObjectItem(h->headers, "TimeStamp")->valuestring, date);
    const char *sync = cJSON_GetObjectItem(h->headers, "SynchronizedTimeStamp")->valuestring;
    ck_assert_int_eq((int)strlen(sync), 32);
    ck_assert_str_eq(sync + 19, ".000000+00:00");
    ck_assert_str_eq(cJSON_GetObjectItem(h->headers, "min_compatible_version")->valuestring, "3.0");
}
END_TEST

START_TEST(test_publish_flags)
{
    store("devices/campusA/bldg7/ahu1",
          device_json(", \"publish_breadth_first_all\": true, \"publish_depth_first\": true, "
                      "\"publish_breadth_first\": true"),
          "--json");
    vt_heard *b = next_on("devices/all/ahu1/bldg7/campusA");
    ck_assert_int_eq(cJSON_GetArraySize(b->message), 2);
    vt_heard *p = next_on("devices/campusA/bldg7/ahu1/ZoneTemp");
    char *msg = dump(p->message);
    ck_assert_str_eq(msg, "[71.5, {\"units\": \"degF\", \"type\": \"float\", \"tz\": \"UTC\"}]");
    free(msg);
    next_on("devices/ZoneTemp/ahu1/bldg7/campusA");
}
END_TEST

START_TEST(test_read_write_revert)
{
    store("devices/campusA/bldg7/ahu1", device_json(NULL), "--json");
    next_on("devices/campusA/bldg7/ahu1/all");
    const char *dev = "campusA/bldg7/ahu1";
    cJSON *r = call("get_point", args(dev, "FanSpeedCmd", NULL));
    ck_assert_int_eq(r->valueint, 40);
    cJSON_Delete(r);
    r = call("set_point", args(dev, "FanSpeedCmd", cJSON_CreateNumber(65)));
    ck_assert_int_eq(r->valueint, 65);
    cJSON_Delete(r);
    /* visible on the next scrape */
    vt_heard *h = next_on("devices/campusA/bldg7/ahu1/all");
    ck_assert_int_eq(
        cJSON_GetObjectItem(cJSON_GetArrayItem(h->message, 0), "FanSpeedCmd")->valueint, 65);
    /* revert: back to the starting value */
    cJSON_Delete(call("revert_point", args(dev, "FanSpeedCmd", NULL)));
    r = call("get_point", args(dev, "FanSpeedCmd", NULL));
    ck_assert_int_eq(r->valueint, 40);
    cJSON_Delete(r);
    /* many at once, with the errors named by path/point */
    cJSON *pairs = parse("[[\"FanSpeedCmd\", 55], [\"Occupied\", false], "
                         "[\"ZoneTemp\", 1], [\"Nope\", 1]]");
    r = call("set_multiple_points", args(dev, NULL, pairs));
    char *text = dump(r);
    ck_assert_str_eq(text, "{\"campusA/bldg7/ahu1/Nope\": \"DriverInterfaceError('Point not "
                           "configured on device: Nope')\", \"campusA/bldg7/ahu1/ZoneTemp\": "
                           "\"RuntimeError('Trying to write to a point configured read only: "
                           "ZoneTemp')\"}");
    free(text);
    cJSON_Delete(r);
    cJSON_Delete(call("revert_device", args(dev, NULL, NULL)));
    cJSON *names = parse("[\"FanSpeedCmd\", \"Occupied\"]");
    r = call("get_multiple_points", args(dev, NULL, names));
    text = dump(r);
    ck_assert_str_eq(text, "[{\"campusA/bldg7/ahu1/FanSpeedCmd\": 40, "
                           "\"campusA/bldg7/ahu1/Occupied\": true}, {}]");
    free(text);
    cJSON_Delete(r);
    r = call("scrape_all", args(dev, NULL, NULL));
    ck_assert_int_eq(cJSON_GetArraySize(r), 4);
    cJSON_Delete(r);
    /* the heartbeat point toggles 1, 0, ... */
    cJSON_Delete(call("heart_beat", NULL));
    r = call("get_point", args(dev, "Heartbeat", NULL));
    ck_assert(cJSON_IsTrue(r));
    cJSON_Delete(r);
    cJSON_Delete(call("heart_beat", NULL));
    r = call("get_point", args(dev, "Heartbeat", NULL));
    ck_assert(cJSON_IsFalse(r));
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_errors_name_device_and_point)
{
    store("devices/campusA/bldg7/ahu1", device_json(NULL), "--json");
    next_on("devices/campusA/bldg7/ahu1/all");
    const char *dev = "campusA/bldg7/ahu1";
    call_fails("get_point", args(dev, "Nope", NULL),
               "platform_driver.interfaces.DriverInterfaceError",
               "Point not configured on device: Nope");
    call_fails("set_point", args(dev, "ZoneTemp", cJSON_CreateNumber(3)), "builtins.RuntimeError",
               "Trying to write to a point configured read only: ZoneTemp");
    call_fails("set_point", args(dev, "FanSpeedCmd", cJSON_CreateArray()), "builtins.ValueError",
               "cannot set FanSpeedCmd (type integer) to an array");
    call_fails("get_point", args("campusA/nowhere", "X", NULL), "builtins.KeyError",
               "'campusA/nowhere'");
    cJSON *kw = parse("{\"path\": \"campusA/bldg7/ahu1\", \"point_name\": \"ZoneTemp\", "
                      "\"bogus\": 1}");
    call_fails("get_point", kw, "builtins.TypeError",
               "get_point() got an unexpected keyword argument 'bogus'");

    /* broken devices: each refused with its reason; the good one goes on */
    store("devices/campusA/bldg7/unknown", "{\"driver_config\": {}, \"driver_type\": \"bacnot\"}",
          "--json");
    store("bad.csv", "Volttron Point Name,Units\nX,F\n", "--csv");
    store("devices/campusA/bldg7/badreg",
          "{\"driver_config\": {}, \"driver_type\": \"fakedriver\", "
          "\"registry_config\": \"config://bad.csv\"}",
          "--json");
    store("devices/campusA/bldg7/noconf", "{\"driver_type\": \"fakedriver\"}", "--json");
    next_on("devices/campusA/bldg7/ahu1/all");
    next_on("devices/campusA/bldg7/ahu1/all");
    char *log = vt_asprintf("%s/volttron.log", fx->home);
    char *text = NULL;
    ck_assert_int_eq(vt_fs_read_file(log, 64 << 20, &text, NULL), 0);
    ck_assert_msg(strstr(text, "device campusA/bldg7/unknown not started: unknown driver_type "
                               "\"bacnot\" (known: fakedriver, modbus)"),
                  "no unknown-type error in the log");
    ck_assert_ptr_nonnull(strstr(text, "device campusA/bldg7/badreg not started: "));
    ck_assert_ptr_nonnull(strstr(text, "device campusA/bldg7/noconf not started: "
                                       "\"driver_config\" must be an object"));
    free(text);
    free(log);
    /* and the agent's health says which */
    cJSON *st = NULL;
    ck_assert_int_eq(
        vt_rpc_call_sync(app, "platform.driver", "health.get_status", NULL, RPC_MS, &st), 0);
    ck_assert_str_eq(cJSON_GetObjectItem(st, "status")->valuestring, "BAD");
    ck_assert_ptr_nonnull(
        strstr(cJSON_GetObjectItem(st, "context")->valuestring, "campusA/bldg7/unknown"));
    cJSON_Delete(st);
    /* removing the broken ones makes it GOOD again */
    vctl_ok("config", "delete", "platform.driver", "devices/campusA/bldg7/unknown", NULL);
    vctl_ok("config", "delete", "platform.driver", "devices/campusA/bldg7/badreg", NULL);
    vctl_ok("config", "delete", "platform.driver", "devices/campusA/bldg7/noconf", NULL);
    ck_assert_int_eq(
        vt_rpc_call_sync(app, "platform.driver", "health.get_status", NULL, RPC_MS, &st), 0);
    ck_assert_str_eq(cJSON_GetObjectItem(st, "status")->valuestring, "GOOD");
    cJSON_Delete(st);
}
END_TEST

START_TEST(test_live_reconfiguration)
{
    store("devices/campusA/bldg7/ahu1", device_json(NULL), "--json");
    next_on("devices/campusA/bldg7/ahu1/all");
    /* a new registry: the device restarts with it */
    store("ahu.csv",
          "Point Name,Volttron Point Name,Units,Writable,Starting Value,Type\n"
          "Temp,ZoneTemp,degC,FALSE,21.5,float\n",
          "--csv");
    for (int tries = 0; tries < 5; tries++) {
        vt_heard *h = next_on("devices/campusA/bldg7/ahu1/all");
        char *msg = dump(cJSON_GetArrayItem(h->message, 0));
        bool done = strcmp(msg, "{\"ZoneTemp\": 21.5}") == 0;
        free(msg);
        if (done)
            break;
        ck_assert_int_lt(tries, 4);
    }
    /* a second device; then the first one deleted: it stops publishing */
    store("devices/campusB/ahu2", device_json(NULL), "--json");
    next_on("devices/campusB/ahu2/all");
    vctl_ok("config", "delete", "platform.driver", "devices/campusA/bldg7/ahu1", NULL);
    next_on("devices/campusB/ahu2/all"); /* any scrape in flight has landed */
    int mark = vt_heard_count();
    next_on("devices/campusB/ahu2/all");
    next_on("devices/campusB/ahu2/all");
    for (int i = mark; i < vt_heard_count(); i++)
        ck_assert_str_ne(vt_heard_at(i)->topic, "devices/campusA/bldg7/ahu1/all");
    call_fails("get_point", args("campusA/bldg7/ahu1", "ZoneTemp", NULL), "builtins.KeyError",
               "'campusA/bldg7/ahu1'");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("driver");
    TCase *tc = tcase_create("fake");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_all_message_matches_the_registry);
    tcase_add_test(tc, test_publish_flags);
    tcase_add_test(tc, test_read_write_revert);
    tcase_add_test(tc, test_errors_name_device_and_point);
    tcase_add_test(tc, test_live_reconfiguration);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
