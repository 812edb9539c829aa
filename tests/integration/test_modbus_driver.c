/* The platform driver reading a real Modbus TCP device (vt-modbus-server on
 * loopback): values with their types and byte orders on the bus, a write
 * read back, a read-only point refused, and a device that goes away and
 * comes back: logged, health BAD, then GOOD again, other devices unaffected. */
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <volttron/client/client.h>

#include "fixture.h"
#include "heard.h"
#include "run.h"
#include "testutil.h"

#define RPC_MS 10000

static vt_fx *fx;
static vt_agent *app;
static pid_t server;
static int port;

/* ---- the Modbus device ---- */

static const char *const registers[] = {
    "hr 0 0x4291 0x0000",  /* Temp >f 72.5 */
    "hr 2 0xFF9C",         /* Offset >h -100 */
    "ir 10 1234",          /* Count >H */
    "ir 20 0x0000 0x4291", /* Mixed >f, words swapped: 72.5 */
    "co 5 1",              /* Fan */
    "di 7 1",              /* Alarm */
};

static void start_server(int want_port)
{
    int out[2];
    ck_assert_int_eq(pipe(out), 0);
    server = fork();
    ck_assert_int_ge(server, 0);
    if (server == 0) {
        dup2(out[1], 1);
        close(out[0]);
        char p[16];
        snprintf(p, sizeof p, "%d", want_port);
        const char *argv[16] = {vt_fx_program("VT_MODBUS_SERVER"), p};
        int n = 2;
        for (size_t i = 0; i < sizeof registers / sizeof registers[0]; i++)
            argv[n++] = registers[i];
        argv[n] = NULL;
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    char line[64] = {0};
    ssize_t got = read(out[0], line, sizeof line - 1); /* "port N\n" once it listens */
    close(out[0]);
    ck_assert_msg(got > 5 && sscanf(line, "port %d", &port) == 1, "the server said \"%s\"", line);
}

static void stop_server(void)
{
    if (server > 0) {
        kill(server, SIGTERM);
        waitpid(server, NULL, 0);
        server = 0;
    }
}

/* ---- the platform ---- */

static vt_heard *next_on(const char *topic)
{
    return vt_heard_next(app, topic, 10000);
}

static void store(const char *name, const char *text, const char *type)
{
    vt_fx_store_config(fx, "platform.driver", name, text, type);
}

static void setup(void)
{
    start_server(0);
    fx = vt_fx_start(true, NULL);
    app = vt_fx_agent(fx, "app", false);
    vt_heard_start(app, "devices/");
    char *copy = vt_strdup(vt_fx_program("VT_PLATFORM_DRIVER"));
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(vt_fx_vctl(fx, &out, &err, "install", dirname(copy), "--start", NULL), 0);
    free(out);
    free(err);
    free(copy);
    store("plc.csv",
          "Volttron Point Name,Units,Modbus Register,Writable,Point Address,Default Value,"
          "Mixed Endian,Notes\n"
          "Temp,degF,>f,TRUE,0,70.0,,zone temperature\n"
          "Offset,degF,>h,TRUE,2,,,\n"
          "Count,count,>H,FALSE,10,,,\n"
          "Mixed,degF,>f,FALSE,20,,TRUE,\n"
          "Fan,On/Off,BOOL,TRUE,5,,,\n"
          "Alarm,On/Off,BOOL,FALSE,7,,,\n",
          "--csv");
    char dev[256];
    snprintf(dev, sizeof dev,
             "{\"driver_type\": \"modbus\", \"driver_config\": {\"device_address\": "
             "\"127.0.0.1\", \"port\": %d}, \"registry_config\": \"config://plc.csv\", "
             "\"interval\": 1, \"timezone\": \"UTC\"}",
             port);
    store("devices/campus/plant/plc1", dev, "--json");
    /* a fake device beside it: it must not notice the PLC's troubles */
    store("fake.csv",
          "Point Name,Volttron Point Name,Units,Writable,Starting Value,Type\n"
          "T,T,degF,FALSE,1,int\n",
          "--csv");
    store("devices/campus/plant/fake1",
          "{\"driver_type\": \"fakedriver\", \"driver_config\": {}, "
          "\"registry_config\": \"config://fake.csv\", \"interval\": 1}",
          "--json");
}

static void teardown(void)
{
    vt_heard_clear();
    vt_agent_destroy(&app);
    vt_fx_destroy(&fx);
    stop_server();
}

static cJSON *args(const char *point, cJSON *value)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString("campus/plant/plc1"));
    cJSON_AddItemToArray(p, cJSON_CreateString(point));
    if (value)
        cJSON_AddItemToArray(p, value);
    return p;
}

static char *health(void)
{
    cJSON *st = NULL;
    ck_assert_int_eq(
        vt_rpc_call_sync(app, "platform.driver", "health.get_status", NULL, RPC_MS, &st), 0);
    const cJSON *s = cJSON_GetObjectItem(st, "status"), *c = cJSON_GetObjectItem(st, "context");
    char *out = vt_asprintf("%s %s", s->valuestring, cJSON_IsString(c) ? c->valuestring : "");
    cJSON_Delete(st);
    return out;
}

/* ---- tests ---- */

START_TEST(test_scrape_write_and_refuse)
{
    vt_heard *h = next_on("devices/campus/plant/plc1/all");
    char *msg = vt_json_dump(h->message, 0);
    /* input registers, holding registers, discrete inputs, coils */
    ck_assert_str_eq(
        msg,
        "[{\"Count\": 1234, \"Mixed\": 72.5, \"Temp\": 72.5, \"Offset\": -100, \"Alarm\": true, "
        "\"Fan\": true}, {\"Temp\": {\"units\": \"degF\", \"type\": \"float\", \"tz\": \"UTC\"}, "
        "\"Offset\": {\"units\": \"degF\", \"type\": \"integer\", \"tz\": \"UTC\"}, "
        "\"Count\": {\"units\": \"count\", \"type\": \"integer\", \"tz\": \"UTC\"}, "
        "\"Mixed\": {\"units\": \"degF\", \"type\": \"float\", \"tz\": \"UTC\"}, "
        "\"Fan\": {\"units\": \"On/Off\", \"type\": \"boolean\", \"tz\": \"UTC\"}, "
        "\"Alarm\": {\"units\": \"On/Off\", \"type\": \"boolean\", \"tz\": \"UTC\"}}]");
    free(msg);

    /* a write is read back from the device */
    cJSON *r = NULL;
    ck_assert_int_eq(vt_rpc_call_sync(app, "platform.driver", "set_point",
                                      args("Temp", vt_json_new_float(68.25)), RPC_MS, &r),
                     0);
    ck_assert(r->valuedouble == 68.25);
    cJSON_Delete(r);
    ck_assert_int_eq(vt_rpc_call_sync(app, "platform.driver", "set_point",
                                      args("Fan", cJSON_CreateFalse()), RPC_MS, &r),
                     0);
    ck_assert(cJSON_IsFalse(r));
    cJSON_Delete(r);
    ck_assert_int_eq(
        vt_rpc_call_sync(app, "platform.driver", "get_point", args("Temp", NULL), RPC_MS, &r), 0);
    ck_assert(r->valuedouble == 68.25);
    cJSON_Delete(r);
    /* revert: the registry's Default Value */
    ck_assert_int_eq(
        vt_rpc_call_sync(app, "platform.driver", "revert_point", args("Temp", NULL), RPC_MS, &r),
        0);
    cJSON_Delete(r);
    ck_assert_int_eq(
        vt_rpc_call_sync(app, "platform.driver", "get_point", args("Temp", NULL), RPC_MS, &r), 0);
    ck_assert(r->valuedouble == 70.0);
    cJSON_Delete(r);
    /* read-only: refused, as 9.0.4 words it */
    vt_rpc_error e = {0};
    ck_assert_int_ne(vt_rpc_call_sync_ex(app, "platform.driver", "set_point",
                                         args("Count", cJSON_CreateNumber(1)), RPC_MS, &r, &e),
                     0);
    ck_assert_str_eq(e.exc_type, "builtins.OSError");
    ck_assert_str_eq(e.message, "Trying to write to a point configured read only: Count");
    vt_rpc_error_clear(&e);
}
END_TEST

START_TEST(test_device_lost_and_back)
{
    next_on("devices/campus/plant/plc1/all");
    char *h = health();
    ck_assert_str_eq(h, "GOOD ");
    free(h);
    int was = port;
    stop_server();
    /* the fake device goes on while the PLC fails */
    next_on("devices/campus/plant/fake1/all");
    next_on("devices/campus/plant/fake1/all");
    next_on("devices/campus/plant/fake1/all");
    h = health();
    char *want =
        vt_asprintf("BAD campus/plant/plc1: Failed to scrape device at 127.0.0.1:%d ID: 0", was);
    ck_assert_msg(strncmp(h, want, strlen(want)) == 0, "health: %s", h);
    free(want);
    free(h);
    char *logpath = vt_asprintf("%s/volttron.log", fx->home);
    char *text = NULL;
    ck_assert_int_eq(vt_fs_read_file(logpath, 64 << 20, &text, NULL), 0);
    ck_assert_ptr_nonnull(strstr(text, "device campus/plant/plc1: scrape failed: Failed to "
                                       "scrape device at 127.0.0.1:"));
    free(text);
    free(logpath);
    /* a read of a dead device answers null (9.0.4's way) */
    cJSON *r = NULL;
    ck_assert_int_eq(
        vt_rpc_call_sync(app, "platform.driver", "get_point", args("Temp", NULL), RPC_MS, &r), 0);
    ck_assert(cJSON_IsNull(r));
    cJSON_Delete(r);
    /* back on the same port: publishing resumes, health GOOD */
    start_server(was);
    next_on("devices/campus/plant/plc1/all");
    h = health();
    ck_assert_str_eq(h, "GOOD ");
    free(h);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("modbus-driver");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_scrape_write_and_refuse);
    tcase_add_test(tc, test_device_lost_and_back);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
