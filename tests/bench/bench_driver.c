/* The platform driver at scale (issue target: 5,000 fake devices x 20
 * points every second on this 2-core machine, the driver under one core, no
 * backlog growing). For each N: the devices go straight into the driver's
 * config store file, the platform and the driver start, a subscriber
 * counts devices/.../all messages for a measured window after a warm-up,
 * and /proc gives CPU and memory.
 *
 *   bench_driver [N ...]       (default 100 1000 5000)
 * Prints figures; never fails on them. */
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <volttron/client/client.h>

#include "bench_common.h"

#define POINTS 20
#define WARMUP_S 5
#define WINDOW_S 15

typedef struct counter {
    bool measuring;
    long messages;
    double *lag_ms;
    size_t nlag, caplag;
} counter;

static void on_all(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    (void)agent;
    counter *c = ctx;
    if (!c->measuring)
        return;
    c->messages++;
    /* Date: right after the scrape (SynchronizedTimeStamp is the aligned
     * boundary, which the slot stagger puts up to half a second earlier by
     * design) */
    const cJSON *sync = cJSON_GetObjectItemCaseSensitive(vt_pubsub_headers(m), "Date");
    vt_timestamp t;
    if (cJSON_IsString(sync) && vt_time_parse(sync->valuestring, &t) == 0) {
        if (c->nlag == c->caplag) {
            c->caplag = c->caplag ? c->caplag * 2 : 4096;
            c->lag_ms = vt_realloc(c->lag_ms, c->caplag * sizeof *c->lag_ms);
        }
        c->lag_ms[c->nlag++] = (double)(vt_time_now_us() - t.us) / 1000.0;
    }
}

/* utime + stime of a process, in clock ticks. */
static long cpu_ticks(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char buf[2048];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    long ut = 0, st = 0;
    /* fields after the command: state ppid ... utime(14) stime(15) */
    if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &ut, &st) == 2)
        return ut + st;
    return 0;
}

/* The driver's config store, written before the platform starts. */
static void write_store(const char *home, void *ctx)
{
    int n = *(int *)ctx;
    vt_buf csv;
    vt_buf_init(&csv);
    vt_buf_append_str(&csv, "Point Name,Volttron Point Name,Units,Writable,Starting Value,Type\n");
    for (int i = 0; i < POINTS; i++)
        vt_buf_appendf(&csv, "P%d,Point%d,degF,%s,%d.5,float\n", i, i, i % 4 ? "FALSE" : "TRUE",
                       60 + i);
    cJSON *store = cJSON_CreateObject();
    cJSON *entry = cJSON_AddObjectToObject(store, "points.csv");
    cJSON_AddStringToObject(entry, "type", "csv");
    cJSON_AddStringToObject(entry, "modified", "2026-01-01T00:00:00.000000+00:00");
    cJSON_AddStringToObject(entry, "data", csv.data);
    vt_buf_free(&csv);
    entry = cJSON_AddObjectToObject(store, "config");
    cJSON_AddStringToObject(entry, "type", "json");
    cJSON_AddStringToObject(entry, "modified", "2026-01-01T00:00:00.000000+00:00");
    /* 5,000 devices at 1 s: slots 0.1 ms apart spread them over half a second */
    cJSON_AddStringToObject(entry, "data", "{\"driver_scrape_interval\": 0.0001}");
    for (int i = 0; i < n; i++) {
        char name[64], data[256];
        snprintf(name, sizeof name, "devices/campus/building%d/device%d", i / 100, i);
        snprintf(data, sizeof data,
                 "{\"driver_config\": {}, \"driver_type\": \"fakedriver\", "
                 "\"registry_config\": \"config://points.csv\", \"interval\": 1, "
                 "\"timezone\": \"UTC\"}");
        entry = cJSON_AddObjectToObject(store, name);
        cJSON_AddStringToObject(entry, "type", "json");
        cJSON_AddStringToObject(entry, "modified", "2026-01-01T00:00:00.000000+00:00");
        cJSON_AddStringToObject(entry, "data", data);
    }
    char *text = vt_json_dump(store, VT_JSON_COMPACT);
    char *dir = vt_asprintf("%s/configuration_store", home);
    vt_fs_mkdir_p(dir, 0755);
    char *path = vt_asprintf("%s/platform.driver.store", dir);
    vt_fs_write_atomic(path, text, strlen(text), 0644);
    free(path);
    free(dir);
    free(text);
    cJSON_Delete(store);
}

static pid_t spawn_driver(bench_platform *p, const vt_keypair *k)
{
    const char *exe = getenv("VT_PLATFORM_DRIVER");
    pid_t pid = fork();
    if (pid == 0) {
        setenv("VOLTTRON_HOME", p->home, 1);
        setenv("AGENT_VIP_IDENTITY", "platform.driver", 1);
        setenv("VOLTTRON_VIP_ADDR", p->tcp, 1);
        setenv("VOLTTRON_SERVERKEY", p->serverkey, 1);
        setenv("AGENT_PUBLICKEY", k->public_key, 1);
        setenv("AGENT_SECRETKEY", k->secret_key, 1);
        setenv("_LAUNCHED_BY_PLATFORM", "1", 1);
        execl(exe, exe, "-q", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void run(int n)
{
    bench_platform p;
    if (bench_platform_start_with(&p, true, write_store, &n) < 0) {
        fprintf(stderr, "cannot start the platform\n");
        return;
    }
    vt_keypair dk;
    bench_authorize(&p, "platform.driver", &dk);
    vt_agent *sub = bench_agent(&p, "bench.sub", NULL, NULL);
    counter c = {0};
    vt_pubsub_subscribe(sub, "devices/", on_all, &c);
    pid_t driver = spawn_driver(&p, &dk);
    vt_loop *loop = vt_agent_loop(sub);
    int64_t end = bench_now_us() + WARMUP_S * 1000000LL;
    while (bench_now_us() < end)
        vt_loop_run_once(loop, 100);
    long d0 = cpu_ticks(driver), p0 = cpu_ticks(p.pid);
    c.measuring = true;
    int64_t start = bench_now_us();
    end = start + WINDOW_S * 1000000LL;
    while (bench_now_us() < end)
        vt_loop_run_once(loop, 100);
    c.measuring = false;
    double secs = (double)(bench_now_us() - start) / 1e6;
    long d1 = cpu_ticks(driver), p1 = cpu_ticks(p.pid);
    double hz = (double)sysconf(_SC_CLK_TCK);
    long rss = bench_rss_kb(driver);
    double rate = (double)c.messages / secs;
    double p50 = c.nlag ? bench_percentile(c.lag_ms, c.nlag, 0.5) : 0;
    double p99 = c.nlag ? bench_percentile(c.lag_ms, c.nlag, 0.99) : 0;
    printf("%5d devices x %d points @ 1 s: %8.0f all-publishes/s received (%.0f%% of %d/s), "
           "scrape-to-subscriber lag p50 %.1f ms p99 %.1f ms, CPU driver %.0f%% platform %.0f%%, "
           "driver RSS %.1f MB\n",
           n, POINTS, rate, 100.0 * rate / n, n, p50, p99, 100.0 * (double)(d1 - d0) / hz / secs,
           100.0 * (double)(p1 - p0) / hz / secs, rss / 1024.0);
    fflush(stdout);
    kill(driver, SIGTERM);
    waitpid(driver, NULL, 0);
    free(c.lag_ms);
    vt_agent_destroy(&sub);
    bench_platform_stop(&p);
}

int main(int argc, char **argv)
{
    if (!getenv("VT_PLATFORM_DRIVER")) {
        fprintf(stderr, "bench_driver: VT_PLATFORM_DRIVER is not set (run it through meson)\n");
        return 1;
    }
    if (argc < 2) {
        run(100);
        run(1000);
        run(5000);
    }
    for (int i = 1; i < argc; i++)
        run(atoi(argv[i]));
    return 0;
}
