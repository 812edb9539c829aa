/* Shared by the benchmarks: a platform in a temporary home, agents with
 * authorised keys, child processes that report back through a pipe. */
#ifndef VT_BENCH_COMMON_H
#define VT_BENCH_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <volttron/client/client.h>

typedef struct bench_platform {
    char home[256];
    char tcp[64];
    char serverkey[VT_KEY_TEXT_SIZE];
    bool auth;
    pid_t pid;
} bench_platform;

/* Start `volttron` (path from $VT_VOLTTRON or ./volttron-server/volttron). */
int bench_platform_start(bench_platform *p, bool auth);
/* The same with prepare(home, ctx) run on the fresh home first (to put
 * state there that the platform loads at start). */
typedef void (*bench_home_fn)(const char *home, void *ctx);
int bench_platform_start_with(bench_platform *p, bool auth, bench_home_fn prepare, void *ctx);
void bench_platform_stop(bench_platform *p);
/* Generate a key pair and allow it in auth.json. */
void bench_authorize(bench_platform *p, const char *identity, vt_keypair *keys);
/* A connected agent (welcome received), or NULL. loop may be NULL; keys
 * NULL means authorise a new pair now (do that in one process only: auth.json
 * is rewritten each time). */
vt_agent *bench_agent(bench_platform *p, const char *identity, vt_loop *loop,
                      const vt_keypair *keys);
/* Memory of a process in kB: resident (shared library pages counted in
 * full), proportional (shared pages divided among their users) and unique
 * (pages only this process has: what one more process costs). */
void bench_memory(pid_t pid, long *rss, long *pss, long *uss);
/* Resident set size of a process in kB. */
long bench_rss_kb(pid_t pid);
int bench_free_port(void);
int64_t bench_now_us(void);
/* A device "all" message body of ten points with metadata (static). */
const char *bench_payload(void);
/* Sort and read percentiles of latencies (in place). */
double bench_percentile(double *v, size_t n, double p);

#endif
