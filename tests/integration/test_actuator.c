/* The actuator agent against the real platform and the real platform
 * driver (fake devices), both installed with vctl: schedules and locks,
 * preemption and its notices, cancelling, the pub/sub interface, reverts,
 * the schedule surviving a restart, and bad input (actuator.md). */
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/client.h>

#include "fixture.h"
#include "run.h"
#include "testutil.h"

#define RPC_MS 15000
#define ACT "platform.actuator"
#define DEV1 "campus/bldg/dev1"
#define DEV2 "campus/bldg/dev2"
#define NODEV "campus/bldg/nosuch"

static vt_fx *fx;
static vt_agent *tester; /* makes requests and records what is published */

/* ---- what the actuator publishes ---- */

static cJSON *seen; /* [{"topic", "headers", "message"}, ...] */

static void record(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    (void)ctx;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "topic", vt_pubsub_topic(m));
    cJSON_AddStringToObject(e, "sender", vt_pubsub_sender(m));
    cJSON_AddItemToObject(e, "headers", cJSON_Duplicate(vt_pubsub_headers(m), 1));
    cJSON_AddItemToObject(e, "message", cJSON_Duplicate(vt_pubsub_body(m), 1));
    cJSON_AddItemToArray(seen, e);
}

typedef struct wanted {
    const char *topic;
    const char *header; /* optional: this header ... */
    const char *value;  /* ... has this string value */
    const cJSON *found;
} wanted;

static bool matches(const cJSON *e, const wanted *w)
{
    if (strcmp(cJSON_GetObjectItem(e, "topic")->valuestring, w->topic) != 0)
        return false;
    if (!cJSON_IsString(cJSON_GetObjectItem(e, "sender")) ||
        strcmp(cJSON_GetObjectItem(e, "sender")->valuestring, ACT) != 0)
        return false;
    if (!w->header)
        return true;
    const cJSON *h = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "headers"), w->header);
    return cJSON_IsString(h) && strcmp(h->valuestring, w->value) == 0;
}

static bool have(void *ctx)
{
    wanted *w = ctx;
    const cJSON *e;
    cJSON_ArrayForEach (e, seen) {
        if (matches(e, w)) {
            w->found = e;
            return true;
        }
    }
    return false;
}

/* The first message on topic (with header = value) the actuator published;
 * waits up to ms. Borrowed from `seen`. */
static const cJSON *wait_for(const char *topic, const char *header, const char *value, int ms)
{
    wanted w = {topic, header, value, NULL};
    ck_assert_msg(vt_fx_until(tester, have, &w, ms), "nothing on %s%s%s%s", topic,
                  header ? " with " : "", header ? header : "", value ? value : "");
    return w.found;
}

static void forget_seen(void)
{
    cJSON_Delete(seen);
    seen = cJSON_CreateArray();
}

static char *dump(const cJSON *j)
{
    return vt_json_dump(j, 0);
}

static void check_json(const cJSON *j, const char *want_text)
{
    char *got = dump(j);
    ck_assert_msg(strcmp(got, want_text) == 0, "got %s, expected %s", got, want_text);
    free(got);
}

/* ---- calls ---- */

static cJSON *J(const char *text)
{
    cJSON *j = vt_json_parse(text, strlen(text), 0, NULL, NULL);
    ck_assert_msg(j != NULL, "bad JSON in the test: %s", text);
    return j;
}

/* platform.actuator.<method>(params) from agent: the result (caller
 * deletes it). */
static cJSON *call_ok(vt_agent *agent, const char *method, const char *params)
{
    cJSON *r = NULL;
    int rc = vt_rpc_call_sync(agent, ACT, method, J(params), RPC_MS, &r);
    ck_assert_msg(rc == 0, "%s.%s(%s): %s", vt_agent_identity(agent), method, params,
                  vt_last_error());
    return r;
}

/* The call fails with an exception whose type ends with exc_suffix and
 * whose text contains message. */
static void call_fails(vt_agent *agent, const char *method, const char *params,
                       const char *exc_suffix, const char *message)
{
    cJSON *r = NULL;
    vt_rpc_error err = {0};
    int rc = vt_rpc_call_sync_ex(agent, ACT, method, J(params), RPC_MS, &r, &err);
    char *got = r ? dump(r) : NULL;
    ck_assert_msg(rc != 0, "%s(%s) answered %s", method, params, got);
    ck_assert_msg(err.status == VT_RPC_ERROR, "%s(%s): %s", method, params, vt_last_error());
    ck_assert_msg(
        err.exc_type && strlen(err.exc_type) >= strlen(exc_suffix) &&
            strcmp(err.exc_type + strlen(err.exc_type) - strlen(exc_suffix), exc_suffix) == 0,
        "%s(%s): exc_type %s, expected *%s (%s)", method, params, err.exc_type, exc_suffix,
        err.message);
    ck_assert_msg(err.message && strstr(err.message, message), "%s(%s): \"%s\" lacks \"%s\"",
                  method, params, err.message, message);
    vt_rpc_error_clear(&err);
    free(got);
}

/* UTC time now + offset seconds, ISO 8601. Caller frees. */
static char *iso(double offset_s)
{
    char buf[VT_TIME_BUFSZ];
    vt_time_format_utc(vt_time_now_us() + (int64_t)(offset_s * 1e6), buf);
    return vt_strdup(buf);
}

/* request_new_schedule(requester, task, priority, [[device, now+from, now+to]]) */
static cJSON *reserve(vt_agent *agent, const char *task, const char *priority, const char *device,
                      double from, double to)
{
    char *s = iso(from), *e = iso(to);
    char *params = vt_asprintf("[\"ignored\", \"%s\", \"%s\", [[\"%s\", \"%s\", \"%s\"]]]", task,
                               priority, device, s, e);
    cJSON *r = call_ok(agent, "request_new_schedule", params);
    free(params);
    free(s);
    free(e);
    return r;
}

static void reserve_ok(vt_agent *agent, const char *task, const char *priority, const char *device,
                       double from, double to)
{
    cJSON *r = reserve(agent, task, priority, device, from, to);
    check_json(r, "{\"result\": \"SUCCESS\", \"data\": {}, \"info\": \"\"}");
    cJSON_Delete(r);
}

static cJSON *set_point(vt_agent *agent, const char *topic, const char *value_json)
{
    char *params = vt_asprintf("[\"ignored\", \"%s\", %s]", topic, value_json);
    cJSON *r = call_ok(agent, "set_point", params);
    free(params);
    return r;
}

static void set_point_locked_out(vt_agent *agent, const char *topic)
{
    char *params = vt_asprintf("[\"ignored\", \"%s\", 1]", topic);
    char *msg = vt_asprintf("caller (%s) does not have this lock", vt_agent_identity(agent));
    call_fails(agent, "set_point", params, "LockError", msg);
    free(msg);
    free(params);
}

static double get_number(vt_agent *agent, const char *topic)
{
    char *params = vt_asprintf("[\"%s\"]", topic);
    cJSON *r = call_ok(agent, "get_point", params);
    ck_assert_msg(cJSON_IsNumber(r), "get_point(%s) is not a number", topic);
    double v = r->valuedouble;
    cJSON_Delete(r);
    free(params);
    return v;
}

/* ---- the platform, the driver and the actuator ---- */

static char *dir_of(const char *env_name)
{
    char *copy = vt_strdup(vt_fx_program(env_name));
    char *d = vt_strdup(dirname(copy));
    free(copy);
    return d;
}

static void vctl_ok(const char *what, ...)
{
    const char *a[10] = {0};
    va_list ap;
    va_start(ap, what);
    for (int i = 0; i < 9 && (a[i] = va_arg(ap, const char *)); i++)
        ;
    va_end(ap);
    char *out = NULL, *err = NULL;
    int rc = vt_fx_vctl(fx, &out, &err, what, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
                        NULL);
    ck_assert_msg(rc == 0, "vctl %s %s %s: exit %d\n%s%s", what, a[0] ? a[0] : "", a[1] ? a[1] : "",
                  rc, out, err);
    free(out);
    free(err);
}

static const char *registry =
    "Point Name,Volttron Point Name,Units,Units Details,Writable,Starting Value,Type,Notes\n"
    "Heartbeat,Heartbeat,On/Off,0 or 1,TRUE,0,boolean,toggled by the actuator\n"
    "ZoneTemperature,ZoneTemperature,degF,,FALSE,72.5,float,read only\n"
    "CoolingSetpoint,CoolingSetpoint,degF,,TRUE,75,float,\n"
    "FanSpeed,FanSpeed,%,,TRUE,40,int,\n";

static void store_driver_config(void)
{
    char *csv = vt_test_write_file(fx->home, "fake.csv", registry);
    vctl_ok("config", "store", "platform.driver", "fake.csv", csv, "--csv", NULL);
    const char *devs[] = {DEV1, DEV2};
    for (int i = 0; i < 2; i++) {
        char *json = vt_asprintf(
            "{\"driver_config\": {}, \"driver_type\": \"fakedriver\", "
            "\"registry_config\": \"config://fake.csv\", \"interval\": 5, \"timezone\": \"UTC\"%s}",
            i == 0 ? ", \"heart_beat_point\": \"Heartbeat\"" : "");
        char *file = vt_asprintf("dev%d.json", i + 1);
        char *path = vt_test_write_file(fx->home, file, json);
        char *name = vt_asprintf("devices/%s", devs[i]);
        vctl_ok("config", "store", "platform.driver", name, path, "--json", NULL);
        free(name);
        free(path);
        free(file);
        free(json);
    }
    free(csv);
}

static bool device_ready(void *ctx)
{
    (void)ctx;
    cJSON *r = NULL;
    int rc = vt_rpc_call_sync(tester, ACT, "get_point", J("[\"" DEV1 "/FanSpeed\"]"), 2000, &r);
    cJSON_Delete(r);
    if (rc != 0)
        vt_fx_pump(tester, 100);
    return rc == 0;
}

/* The actuator's test configuration: short intervals, and writes to
 * devices nobody holds refused (as VOLTTRON's own tests configure it). */
static const char *actuator_config =
    "{\"schedule_publish_interval\": 2, \"heartbeat_interval\": 1, \"preempt_grace_time\": 4, "
    "\"allow_no_lock_write\": false}";

static void setup(void)
{
    const char *args[] = {"--agent-stop-timeout", "5", "--agent-restart-backoff", "0.05", NULL};
    fx = vt_fx_start(true, args);
    tester = vt_fx_agent(fx, "tester", false);
    seen = cJSON_CreateArray();
    vt_pubsub_subscribe(tester, "devices/actuators/", record, NULL);
    vt_fx_pump(tester, 100);

    char *driver = dir_of("VT_PLATFORM_DRIVER");
    vctl_ok("install", driver, "--vip-identity", "platform.driver", NULL);
    store_driver_config();
    vctl_ok("start", "platform.driver", NULL);
    free(driver);

    char *actuator = dir_of("VT_ACTUATOR");
    char *cfg = vt_test_write_file(fx->home, "actuator.json", actuator_config);
    vctl_ok("install", actuator, "--agent-config", cfg, "--start", NULL);
    free(cfg);
    free(actuator);
    ck_assert(vt_fx_wait_peer(fx, tester, "platform.driver"));
    ck_assert(vt_fx_wait_peer(fx, tester, ACT));
    ck_assert_msg(vt_fx_until(tester, device_ready, NULL, 20000),
                  "the fake device never answered through the actuator");
}

static void teardown(void)
{
    vt_agent_destroy(&tester);
    vt_fx_destroy(&fx);
    cJSON_Delete(seen);
    seen = NULL;
}

/* ---- tests ---- */

START_TEST(test_schedule_grants_the_lock)
{
    reserve_ok(tester, "t-1", "LOW", DEV1, -1, 60);
    /* the holder's announce goes out at once */
    const cJSON *a = wait_for("devices/actuators/schedule/announce/" DEV1, "taskID", "t-1", 5000);
    const cJSON *h = cJSON_GetObjectItem(a, "headers");
    ck_assert_str_eq(cJSON_GetObjectItem(h, "requesterID")->valuestring, "tester");
    const cJSON *window = cJSON_GetObjectItem(h, "window");
    ck_assert(cJSON_IsNumber(window) && window->valuedouble > 50 && window->valuedouble <= 60);
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(h, "time")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(a, "message")));

    cJSON *r = set_point(tester, DEV1 "/CoolingSetpoint", "70.5");
    ck_assert(cJSON_IsNumber(r) && r->valuedouble == 70.5);
    cJSON_Delete(r);
    ck_assert(get_number(tester, DEV1 "/CoolingSetpoint") == 70.5);
    /* the point= forms */
    r = call_ok(tester, "set_point", "[\"ignored\", \"" DEV1 "\", 55, \"FanSpeed\"]");
    ck_assert_int_eq(r->valueint, 55);
    cJSON_Delete(r);
    r = call_ok(tester, "get_point", "{\"topic\": \"" DEV1 "\", \"point\": \"FanSpeed\"}");
    ck_assert_int_eq(r->valueint, 55);
    cJSON_Delete(r);

    /* write (the requested value) and value (the driver's) topics */
    const cJSON *w = wait_for("devices/actuators/write/" DEV1 "/CoolingSetpoint", NULL, NULL, 5000);
    ck_assert(cJSON_GetObjectItem(w, "message")->valuedouble == 70.5);
    ck_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetObjectItem(w, "headers"), "requesterID")->valuestring,
        "tester");
    const cJSON *v = wait_for("devices/actuators/value/" DEV1 "/CoolingSetpoint", NULL, NULL, 5000);
    ck_assert(cJSON_GetObjectItem(v, "message")->valuedouble == 70.5);
    v = wait_for("devices/actuators/value/" DEV1 "/FanSpeed", NULL, NULL, 5000);
    ck_assert_int_eq(cJSON_GetObjectItem(v, "message")->valueint, 55);

    /* announces keep coming every schedule_publish_interval (2 s) */
    forget_seen();
    wait_for("devices/actuators/schedule/announce/" DEV1, "taskID", "t-1", 5000);

    /* several points at once */
    r = call_ok(tester, "set_multiple_points",
                "[\"ignored\", [[\"" DEV1 "/FanSpeed\", 60], [[\"" DEV1
                "\", \"CoolingSetpoint\"], 72], "
                "[\"" DEV1 "/ZoneTemperature\", 1]]]");
    ck_assert(cJSON_IsObject(r));
    ck_assert_int_eq(cJSON_GetArraySize(r), 1);
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(r, DEV1 "/ZoneTemperature"));
    cJSON_Delete(r);
    r = call_ok(tester, "get_multiple_points",
                "[[\"" DEV1 "/FanSpeed\", [\"" DEV1 "\", \"CoolingSetpoint\"], \"" DEV1
                "/NoSuchPoint\", [\"x\"]]]");
    const cJSON *results = cJSON_GetArrayItem(r, 0), *errors = cJSON_GetArrayItem(r, 1);
    ck_assert_int_eq(cJSON_GetObjectItem(results, DEV1 "/FanSpeed")->valueint, 60);
    ck_assert(cJSON_GetObjectItem(results, DEV1 "/CoolingSetpoint")->valuedouble == 72);
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(errors, DEV1 "/NoSuchPoint"));
    ck_assert_str_eq(cJSON_GetObjectItem(errors, "['x']")->valuestring,
                     "ValueError(\"Invalid topic: ['x']\")");
    cJSON_Delete(r);
    r = call_ok(tester, "scrape_all", "[\"" DEV1 "\"]");
    ck_assert_int_eq(cJSON_GetObjectItem(r, "FanSpeed")->valueint, 60);
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_writes_without_the_lock_fail)
{
    vt_agent *intruder = vt_fx_agent(fx, "intruder", false);
    reserve_ok(tester, "t-1", "LOW", DEV1, -1, 60);
    set_point_locked_out(intruder, DEV1 "/CoolingSetpoint");
    call_fails(intruder, "revert_point", "[\"ignored\", \"" DEV1 "/CoolingSetpoint\"]", "LockError",
               "caller does not have this lock");
    call_fails(intruder, "revert_device", "[\"ignored\", \"" DEV1 "\"]", "LockError",
               "caller does not have this lock");
    call_fails(intruder, "set_multiple_points", "[\"ignored\", [[\"" DEV1 "/FanSpeed\", 1]]]",
               "LockError", "caller (intruder) does not lock for device " DEV1);
    /* reading needs no lock */
    ck_assert(get_number(intruder, DEV1 "/CoolingSetpoint") == 75);
    /* nobody holds dev2, and this actuator refuses unlocked writes */
    set_point_locked_out(tester, DEV2 "/CoolingSetpoint");

    /* allow_no_lock_write, changed live through the config store */
    char *cfg = vt_test_write_file(fx->home, "allow.json", "{\"allow_no_lock_write\": true}");
    vctl_ok("config", "store", ACT, "config", cfg, "--json", NULL);
    free(cfg);
    cJSON *r = NULL;
    int rc = -1;
    for (int64_t until = vt_time_monotonic_ms() + 10000;
         rc != 0 && vt_time_monotonic_ms() < until;) {
        rc = vt_rpc_call_sync(tester, ACT, "set_point",
                              J("[\"ignored\", \"" DEV2 "/CoolingSetpoint\", 66]"), RPC_MS, &r);
        if (rc != 0)
            vt_fx_pump(tester, 100);
    }
    ck_assert_msg(rc == 0, "unlocked write still refused: %s", vt_last_error());
    ck_assert(r->valuedouble == 66);
    cJSON_Delete(r);
    /* a held device stays the holder's */
    set_point_locked_out(intruder, DEV1 "/CoolingSetpoint");
    /* a configuration that does not parse leaves the one in force */
    cfg = vt_test_write_file(fx->home, "bad.json", "{\"heartbeat_interval\": \"soon\"}");
    vctl_ok("config", "store", ACT, "config", cfg, "--json", NULL);
    free(cfg);
    char *log = vt_fs_path_join(fx->home, "volttron.log");
    bool logged = false;
    for (int64_t until = vt_time_monotonic_ms() + 5000;
         !logged && vt_time_monotonic_ms() < until;) {
        char *text = NULL;
        logged = vt_fs_read_file(log, 64 << 20, &text, NULL) == 0 &&
                 strstr(text, "ERROR PROCESSING CONFIGURATION: config key \"heartbeat_interval\"");
        free(text);
        if (!logged)
            vt_fx_pump(tester, 100);
    }
    free(log);
    ck_assert_msg(logged, "the bad configuration was not reported in the log");
    r = set_point(tester, DEV2 "/CoolingSetpoint", "67");
    ck_assert(r->valuedouble == 67);
    cJSON_Delete(r);
    vt_agent_destroy(&intruder);
}
END_TEST

START_TEST(test_high_preempts_low_preempt)
{
    vt_agent *low = vt_fx_agent(fx, "low", false);
    vt_agent *high = vt_fx_agent(fx, "high", false);
    reserve_ok(low, "t-low", "LOW_PREEMPT", DEV1, -1, 120);
    cJSON *r = set_point(low, DEV1 "/FanSpeed", "10");
    cJSON_Delete(r);

    /* a LOW request cannot take it */
    r = reserve(high, "t-nope", "LOW", DEV1, 0, 30);
    ck_assert_str_eq(cJSON_GetObjectItem(r, "result")->valuestring, "FAILURE");
    ck_assert_str_eq(cJSON_GetObjectItem(r, "info")->valuestring,
                     "CONFLICTS_WITH_EXISTING_SCHEDULES");
    const cJSON *clash = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "data"), "low");
    const cJSON *slots = cJSON_GetObjectItem(clash, "t-low");
    ck_assert_int_eq(cJSON_GetArraySize(slots), 1);
    ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(slots, 0), 0)->valuestring, DEV1);
    /* str(datetime): a space between date and time, an offset with a colon */
    const char *start = cJSON_GetArrayItem(cJSON_GetArrayItem(slots, 0), 1)->valuestring;
    ck_assert_msg(start[10] == ' ' && strstr(start, "+00:00"), "start %s", start);
    cJSON_Delete(r);

    /* HIGH does */
    forget_seen();
    r = reserve(high, "t-high", "HIGH", DEV1, 0, 60);
    check_json(r, "{\"result\": \"SUCCESS\", \"data\": [[\"low\", \"t-low\"]], "
                  "\"info\": \"TASK_WERE_PREEMPTED\"}");
    cJSON_Delete(r);
    /* the preempted agent is told on the result topic */
    const cJSON *n = wait_for("devices/actuators/schedule/result", "taskID", "t-low", 5000);
    const cJSON *h = cJSON_GetObjectItem(n, "headers");
    ck_assert_str_eq(cJSON_GetObjectItem(h, "type")->valuestring, "CANCEL_SCHEDULE");
    ck_assert_str_eq(cJSON_GetObjectItem(h, "requesterID")->valuestring, "low");
    check_json(cJSON_GetObjectItem(n, "message"),
               "{\"result\": \"PREEMPTED\", \"info\": \"\", "
               "\"data\": {\"agentID\": \"high\", \"taskID\": \"t-high\"}}");
    /* an RPC request's own result is not published */
    vt_fx_pump(tester, 200);
    wanted w = {"devices/actuators/schedule/result", "taskID", "t-high", NULL};
    ck_assert(!have(&w));

    /* during the grace period (4 s) the preempted task still holds it */
    r = set_point(low, DEV1 "/FanSpeed", "11");
    cJSON_Delete(r);
    set_point_locked_out(high, DEV1 "/FanSpeed");
    /* then the new task has it, and says so */
    wait_for("devices/actuators/schedule/announce/" DEV1, "taskID", "t-high", 12000);
    r = set_point(high, DEV1 "/FanSpeed", "12");
    cJSON_Delete(r);
    set_point_locked_out(low, DEV1 "/FanSpeed");
    /* the preempted task is gone */
    r = call_ok(low, "request_cancel_schedule", "[\"ignored\", \"t-low\"]");
    check_json(r, "{\"result\": \"FAILURE\", \"info\": \"TASK_ID_DOES_NOT_EXIST\", \"data\": {}}");
    cJSON_Delete(r);
    vt_agent_destroy(&high);
    vt_agent_destroy(&low);
}
END_TEST

START_TEST(test_cancel)
{
    vt_agent *other = vt_fx_agent(fx, "other", false);
    reserve_ok(tester, "t-1", "HIGH", DEV1, -1, 60);
    cJSON *r = call_ok(other, "request_cancel_schedule", "[\"ignored\", \"t-1\"]");
    check_json(r,
               "{\"result\": \"FAILURE\", \"info\": \"AGENT_ID_TASK_ID_MISMATCH\", \"data\": {}}");
    cJSON_Delete(r);
    r = call_ok(tester, "request_cancel_schedule", "[\"ignored\", \"nope\"]");
    check_json(r, "{\"result\": \"FAILURE\", \"info\": \"TASK_ID_DOES_NOT_EXIST\", \"data\": {}}");
    cJSON_Delete(r);
    r = call_ok(tester, "request_cancel_schedule",
                "{\"requester_id\": \"x\", \"task_id\": \"t-1\"}");
    check_json(r, "{\"result\": \"SUCCESS\", \"info\": \"\", \"data\": {}}");
    cJSON_Delete(r);
    /* the lock went with it; the device and the task id are free again */
    set_point_locked_out(tester, DEV1 "/FanSpeed");
    reserve_ok(other, "t-1", "LOW", DEV1, -1, 60);
    r = set_point(other, DEV1 "/FanSpeed", "5");
    cJSON_Delete(r);
    vt_agent_destroy(&other);
}
END_TEST

/* Publish a request as agent; the result the actuator publishes for it. */
static const cJSON *pub_request(vt_agent *agent, const char *headers, const char *message,
                                const char *task)
{
    cJSON *h = J(headers), *m = message ? J(message) : cJSON_CreateNull();
    ck_assert_int_eq(vt_pubsub_publish(agent, "devices/actuators/schedule/request", h, m), 0);
    cJSON_Delete(h);
    cJSON_Delete(m);
    return wait_for("devices/actuators/schedule/result", "taskID", task, 5000);
}

static void publish(vt_agent *agent, const char *topic, const char *message)
{
    cJSON *m = message ? J(message) : cJSON_CreateNull();
    ck_assert_int_eq(vt_pubsub_publish(agent, topic, NULL, m), 0);
    cJSON_Delete(m);
}

START_TEST(test_pubsub_interface)
{
    vt_agent *pub = vt_fx_agent(fx, "pub", false);
    char *s = iso(-1), *e = iso(60);
    char *msg = vt_asprintf("[[\"" DEV1 "\", \"%s\", \"%s\"]]", s, e);
    const cJSON *res =
        pub_request(pub,
                    "{\"type\": \"NEW_SCHEDULE\", \"taskID\": \"p-1\", \"priority\": "
                    "\"LOW\", \"requesterID\": \"someone else\"}",
                    msg, "p-1");
    const cJSON *h = cJSON_GetObjectItem(res, "headers");
    ck_assert_str_eq(cJSON_GetObjectItem(h, "type")->valuestring, "NEW_SCHEDULE");
    ck_assert_str_eq(cJSON_GetObjectItem(h, "requesterID")->valuestring, "pub");
    check_json(cJSON_GetObjectItem(res, "message"),
               "{\"result\": \"SUCCESS\", \"data\": {}, \"info\": \"\"}");
    free(msg);

    /* set, get, and an error */
    publish(pub, "devices/actuators/set/" DEV1 "/CoolingSetpoint", "68.5");
    const cJSON *v = wait_for("devices/actuators/value/" DEV1 "/CoolingSetpoint", NULL, NULL, 5000);
    ck_assert(cJSON_GetObjectItem(v, "message")->valuedouble == 68.5);
    ck_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetObjectItem(v, "headers"), "requesterID")->valuestring, "pub");
    wait_for("devices/actuators/write/" DEV1 "/CoolingSetpoint", NULL, NULL, 5000);
    /* 0 is a value (VOLTTRON's "missing argument" for it is not kept) */
    publish(pub, "devices/actuators/set/" DEV1 "/FanSpeed", "0");
    v = wait_for("devices/actuators/value/" DEV1 "/FanSpeed", NULL, NULL, 5000);
    ck_assert_int_eq(cJSON_GetObjectItem(v, "message")->valueint, 0);
    forget_seen();
    publish(pub, "devices/actuators/get/" DEV1 "/CoolingSetpoint", NULL);
    v = wait_for("devices/actuators/value/" DEV1 "/CoolingSetpoint", NULL, NULL, 5000);
    ck_assert(cJSON_GetObjectItem(v, "message")->valuedouble == 68.5);
    publish(pub, "devices/actuators/set/" DEV1 "/FanSpeed", NULL);
    const cJSON *err = wait_for("devices/actuators/error/" DEV1 "/FanSpeed", NULL, NULL, 5000);
    check_json(cJSON_GetObjectItem(err, "message"),
               "{\"type\": \"ValueError\", \"value\": \"missing argument\"}");
    forget_seen();
    publish(tester, "devices/actuators/set/" DEV1 "/FanSpeed", "3");
    err = wait_for("devices/actuators/error/" DEV1 "/FanSpeed", NULL, NULL, 5000);
    check_json(cJSON_GetObjectItem(err, "message"),
               "{\"type\": \"LockError\", \"value\": \"caller (tester) does not have this lock\"}");
    ck_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetObjectItem(err, "headers"), "requesterID")->valuestring,
        "tester");
    forget_seen();
    /* the driver's error: its exception type, and str() of its arguments */
    publish(pub, "devices/actuators/set/" DEV1 "/ZoneTemperature", "1");
    err = wait_for("devices/actuators/error/" DEV1 "/ZoneTemperature", NULL, NULL, 5000);
    const cJSON *em = cJSON_GetObjectItem(err, "message");
    ck_assert_str_eq(cJSON_GetObjectItem(em, "type")->valuestring, "builtins.RuntimeError");
    ck_assert_msg(strncmp(cJSON_GetObjectItem(em, "value")->valuestring, "['", 2) == 0, "value %s",
                  cJSON_GetObjectItem(em, "value")->valuestring);
    publish(pub, "devices/actuators/get/" NODEV "/FanSpeed", NULL);
    err = wait_for("devices/actuators/error/" NODEV "/FanSpeed", NULL, NULL, 5000);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(err, "message"), "type")->valuestring,
                     "builtins.KeyError");

    /* revert over pub/sub */
    publish(pub, "devices/actuators/revert/point/" DEV1 "/CoolingSetpoint", NULL);
    v = wait_for("devices/actuators/reverted/point/" DEV1 "/CoolingSetpoint", NULL, NULL, 5000);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(v, "message")));
    publish(pub, "devices/actuators/revert/device/" DEV1, NULL);
    wait_for("devices/actuators/reverted/device/" DEV1, NULL, NULL, 5000);
    ck_assert(get_number(pub, DEV1 "/CoolingSetpoint") == 75);

    /* a wrong request type: the request's own headers come back */
    res = pub_request(pub, "{\"type\": \"FOO\", \"taskID\": \"p-x\"}", NULL, "p-x");
    check_json(cJSON_GetObjectItem(res, "message"),
               "{\"result\": \"FAILURE\", \"data\": {}, \"info\": \"INVALID_REQUEST_TYPE\"}");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(res, "headers"), "type")->valuestring,
                     "FOO");
    /* a bad slot */
    res = pub_request(pub,
                      "{\"type\": \"NEW_SCHEDULE\", \"taskID\": \"p-2\", \"priority\": "
                      "\"LOW\"}",
                      "[[\"" DEV2 "\", \"soon\", \"later\"]]", "p-2");
    check_json(cJSON_GetObjectItem(res, "message"),
               "{\"result\": \"FAILURE\", \"data\": {}, "
               "\"info\": \"MALFORMED_REQUEST: ParserError: Unknown string format: soon\"}");
    /* cancel */
    res = pub_request(pub, "{\"type\": \"CANCEL_SCHEDULE\", \"taskID\": \"p-1\"}", NULL, "p-1");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(res, "headers"), "type")->valuestring,
                     "CANCEL_SCHEDULE");
    check_json(cJSON_GetObjectItem(res, "message"),
               "{\"result\": \"SUCCESS\", \"info\": \"\", \"data\": {}}");
    free(s);
    free(e);
    vt_agent_destroy(&pub);
}
END_TEST

START_TEST(test_revert)
{
    reserve_ok(tester, "t-1", "LOW", DEV1, -1, 60);
    cJSON *r = set_point(tester, DEV1 "/CoolingSetpoint", "80");
    cJSON_Delete(r);
    r = set_point(tester, DEV1 "/FanSpeed", "90");
    cJSON_Delete(r);
    r = call_ok(tester, "revert_point", "[\"ignored\", \"" DEV1 "/CoolingSetpoint\"]");
    ck_assert(cJSON_IsNull(r));
    cJSON_Delete(r);
    ck_assert(get_number(tester, DEV1 "/CoolingSetpoint") == 75);
    ck_assert(get_number(tester, DEV1 "/FanSpeed") == 90);
    const cJSON *p =
        wait_for("devices/actuators/reverted/point/" DEV1 "/CoolingSetpoint", NULL, NULL, 5000);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(p, "message")));
    r = call_ok(tester, "revert_device", "[\"ignored\", \"/" DEV1 "/\"]");
    ck_assert(cJSON_IsNull(r));
    cJSON_Delete(r);
    ck_assert(get_number(tester, DEV1 "/FanSpeed") == 40);
    wait_for("devices/actuators/reverted/device/" DEV1, NULL, NULL, 5000);
}
END_TEST

static long actuator_pid(void)
{
    cJSON *r = NULL;
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString(ACT));
    ck_assert_int_eq(vt_rpc_call_sync(tester, "control", "agent_status", params, RPC_MS, &r), 0);
    const cJSON *p = cJSON_GetArrayItem(r, 0);
    long pid = cJSON_IsNumber(p) ? (long)p->valuedouble : 0;
    cJSON_Delete(r);
    return pid;
}

START_TEST(test_schedule_survives_a_restart)
{
    vt_agent *intruder = vt_fx_agent(fx, "intruder", false);
    reserve_ok(tester, "t-keep", "LOW", DEV1, -1, 300);
    char *state = vt_fs_path_join(fx->home, "agents/" ACT "/data/schedule_state.json");
    ck_assert_msg(vt_fs_exists(state), "no %s", state);
    free(state);

    long before = actuator_pid();
    ck_assert_int_gt(before, 0);
    vctl_ok("restart", ACT, NULL);
    long after = before;
    for (int64_t until = vt_time_monotonic_ms() + 15000;
         (after == before || after == 0) && vt_time_monotonic_ms() < until;) {
        vt_fx_pump(tester, 50);
        after = actuator_pid();
    }
    ck_assert_msg(after > 0 && after != before, "the actuator was not restarted");
    /* wait until the new process answers */
    cJSON *r = NULL;
    int rc = -1;
    for (int64_t until = vt_time_monotonic_ms() + 15000;
         rc != 0 && vt_time_monotonic_ms() < until;) {
        rc = vt_rpc_call_sync(tester, ACT, "set_point",
                              J("[\"ignored\", \"" DEV1 "/FanSpeed\", 33]"), 2000, &r);
        if (rc != 0)
            vt_fx_pump(tester, 100);
    }
    ck_assert_msg(rc == 0, "the restarted actuator refuses the holder: %s", vt_last_error());
    ck_assert_int_eq(r->valueint, 33);
    cJSON_Delete(r);
    set_point_locked_out(intruder, DEV1 "/FanSpeed");
    r = reserve(intruder, "t-keep", "HIGH", DEV2, 0, 10);
    check_json(r, "{\"result\": \"FAILURE\", \"data\": {}, \"info\": \"TASK_ID_ALREADY_EXISTS\"}");
    cJSON_Delete(r);
    r = reserve(intruder, "t-other", "LOW", DEV1, 0, 10);
    ck_assert_str_eq(cJSON_GetObjectItem(r, "info")->valuestring,
                     "CONFLICTS_WITH_EXISTING_SCHEDULES");
    cJSON_Delete(r);
    vt_agent_destroy(&intruder);
}
END_TEST

/* template with @S and @E replaced by start and end. Caller frees. */
static char *subst(const char *template, const char *start, const char *end)
{
    vt_buf b;
    vt_buf_init(&b);
    for (const char *p = template; *p; p++) {
        if (p[0] == '@' && (p[1] == 'S' || p[1] == 'E')) {
            vt_buf_append_str(&b, p[1] == 'S' ? start : end);
            p++;
        } else {
            vt_buf_append_char(&b, *p);
        }
    }
    return vt_buf_detach(&b, NULL);
}

START_TEST(test_bad_input)
{
    char *s = iso(0), *e = iso(60);
    struct {
        const char *params;
        const char *info;
    } cases[] = {
        {"[\"x\", \"b-1\", \"LOW\", [[\"" DEV2 "\", \"not a time\", \"@E\"]]]",
         "MALFORMED_REQUEST: ParserError: Unknown string format: not a time"},
        {"[\"x\", \"b-1\", \"URGENT\", [[\"" DEV2 "\", \"@S\", \"@E\"]]]", "INVALID_PRIORITY"},
        {"[\"x\", \"b-1\", \"low\", [[\"" DEV2 "\", \"@S\", \"@E\"]]]", "INVALID_PRIORITY"},
        {"[\"x\", \"b-1\", null, [[\"" DEV2 "\", \"@S\", \"@E\"]]]", "MISSING_PRIORITY"},
        {"[\"x\", null, \"LOW\", [[\"" DEV2 "\", \"@S\", \"@E\"]]]", "MISSING_TASK_ID"},
        {"[\"x\", \"b-1\", \"LOW\", []]", "MALFORMED_REQUEST_EMPTY"},
        {"[\"x\", \"b-1\", \"LOW\", null]",
         "MALFORMED_REQUEST: TypeError: 'NoneType' object is not iterable"},
        {"[\"x\", \"b-1\", \"LOW\", [[\"" DEV2 "\", \"@S\"]]]",
         "MALFORMED_REQUEST: ValueError: not enough values to unpack (expected 3, got 2)"},
        {"[\"x\", \"b-1\", \"LOW\", [[\"" DEV2 "\", \"@E\", \"@S\"]]]",
         "MALFORMED_REQUEST: ValueError: Invalid start and end values."},
        {"[\"x\", \"b-1\", \"LOW\", [[\"" DEV2 "\", \"@S\", \"@E\"], [\"" DEV2
         "\", \"@S\", \"@E\"]]]",
         "REQUEST_CONFLICTS_WITH_SELF"},
        {"[\"x\", \"\", \"LOW\", [[\"" DEV2 "\", \"@S\", \"@E\"]]]",
         "MALFORMED_REQUEST: TypeError: taskid must be a nonempty string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *params = subst(cases[i].params, s, e);
        cJSON *r = call_ok(tester, "request_new_schedule", params);
        char *want =
            vt_asprintf("{\"result\": \"FAILURE\", \"data\": {}, \"info\": \"%s\"}", cases[i].info);
        check_json(r, want);
        free(want);
        cJSON_Delete(r);
        free(params);
    }
    /* a malformed request is published even when it came by RPC */
    const cJSON *m = wait_for("devices/actuators/schedule/result", "taskID", "b-1", 5000);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "message"), "info")->valuestring,
                     "MALFORMED_REQUEST: ParserError: Unknown string format: not a time");

    /* wrong arguments */
    call_fails(tester, "set_point", "[\"x\", \"" DEV1 "/FanSpeed\"]", "TypeError",
               "set_point() missing 1 required positional argument: 'value'");
    call_fails(tester, "get_point", "[\"FanSpeed\"]", "ValueError", "not enough values to unpack");
    call_fails(tester, "request_cancel_schedule", "[\"x\"]", "TypeError",
               "missing 1 required positional argument: 'task_id'");

    /* an unknown device can be scheduled; the driver refuses it */
    reserve_ok(tester, "b-2", "LOW", NODEV, -1, 60);
    call_fails(tester, "get_point", "[\"" NODEV "/FanSpeed\"]", "KeyError", NODEV);
    call_fails(tester, "set_point", "[\"x\", \"" NODEV "/FanSpeed\", 1]", "KeyError", NODEV);
    /* a point the device does not have, and one that is read-only */
    reserve_ok(tester, "b-3", "LOW", DEV1, -1, 60);
    call_fails(tester, "get_point", "[\"" DEV1 "/NoSuchPoint\"]", "DriverInterfaceError",
               "NoSuchPoint");
    call_fails(tester, "set_point", "[\"x\", \"" DEV1 "/ZoneTemperature\", 1]", "RuntimeError",
               "read only");
    free(s);
    free(e);
}
END_TEST

START_TEST(test_heartbeat_toggles_the_driver_point)
{
    /* heart_beat() every second: the fake Heartbeat point flips */
    bool seen_true = false, seen_false = false;
    for (int64_t until = vt_time_monotonic_ms() + 10000;
         !(seen_true && seen_false) && vt_time_monotonic_ms() < until;) {
        cJSON *r = call_ok(tester, "get_point", "[\"" DEV1 "/Heartbeat\"]");
        if (cJSON_IsTrue(r) || (cJSON_IsNumber(r) && r->valuedouble != 0))
            seen_true = true;
        else
            seen_false = true;
        cJSON_Delete(r);
        vt_fx_pump(tester, 300);
    }
    ck_assert_msg(seen_true && seen_false, "the heartbeat point did not toggle");
}
END_TEST

static bool log_has(const char *text, int ms)
{
    char *log = vt_fs_path_join(fx->home, "volttron.log");
    bool found = false;
    for (int64_t until = vt_time_monotonic_ms() + ms; !found;) {
        char *content = NULL;
        found = vt_fs_read_file(log, 64 << 20, &content, NULL) == 0 && strstr(content, text);
        free(content);
        if (found || vt_time_monotonic_ms() >= until)
            break;
        vt_fx_pump(tester, 100);
    }
    free(log);
    return found;
}

START_TEST(test_driver_gone)
{
    vctl_ok("stop", "platform.driver", NULL);
    ck_assert(vt_fx_wait_drop(tester, "platform.driver", 15000));
    /* the heartbeat says so, and forwarded calls fail without hanging */
    ck_assert_msg(
        log_has("WARNING platform.actuator: actuator: Platform driver is not running", 5000),
        "no warning about the missing driver");
    call_fails(tester, "get_point", "[\"" DEV1 "/FanSpeed\"]", "Unreachable", "platform.driver");
    /* schedules do not need the driver */
    reserve_ok(tester, "t-1", "LOW", DEV1, -1, 60);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("actuator");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_schedule_grants_the_lock);
    tcase_add_test(tc, test_writes_without_the_lock_fail);
    tcase_add_test(tc, test_high_preempts_low_preempt);
    tcase_add_test(tc, test_cancel);
    tcase_add_test(tc, test_pubsub_interface);
    tcase_add_test(tc, test_revert);
    tcase_add_test(tc, test_schedule_survives_a_restart);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_heartbeat_toggles_the_driver_point);
    tcase_add_test(tc, test_driver_gone);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* Both agents come from their own subprojects: without them (an
     * umbrella built with -Dagents=... leaving one out) there is nothing
     * to test. */
    const char *need[] = {"VT_ACTUATOR", "VT_PLATFORM_DRIVER"};
    for (int i = 0; i < 2; i++)
        if (!getenv(need[i]) || !*getenv(need[i])) {
            printf("SKIP: %s is not set (the actuator and platform-driver agents must be "
                   "built)\n",
                   need[i]);
            return 77;
        }
    return vt_test_run(suite());
}
