/* Memory is bounded by bytes, not messages: a subscriber that never reads
 * makes the platform hold at most its --max-peer-queue (plus what the
 * kernel buffers), however large and many the messages published to it;
 * what does not fit is dropped and the drops are reported. Before, the
 * limit was 6,000 messages: 150 MiB of publishes stayed in the platform. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include <volttron/client/client.h>

#include "fixture.h"
#include "raw.h"
#include "testutil.h"

#define MSG_BYTES (256 * 1024)
#define MESSAGES 600 /* 150 MiB in all */
#define QUEUE_LIMIT (4 << 20)
#define ALLOWED_GROWTH (48L << 20)

static long rss_bytes(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb * 1024;
}

typedef struct acks {
    int pending;
} acks;

static void on_ack(vt_agent *agent, int count, void *ctx)
{
    (void)agent;
    (void)count;
    ((acks *)ctx)->pending--;
}

static bool all_acked(void *ctx)
{
    return ((acks *)ctx)->pending == 0;
}

static vt_fx *fx;
static vt_agent *hose;

static void teardown(void)
{
    vt_agent_destroy(&hose);
    vt_raw_close_all();
    vt_fx_destroy(&fx);
}

START_TEST(test_subscriber_that_never_reads)
{
    /* Freed memory must show as freed: no AddressSanitizer quarantine. */
    const char *asan = getenv("ASAN_OPTIONS");
    char *opts = vt_asprintf("%s%squarantine_size_mb=0", asan ? asan : "", asan ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
    free(opts);
    char limit[32];
    snprintf(limit, sizeof limit, "%d", QUEUE_LIMIT);
    const char *args[] = {"--max-peer-queue", limit, NULL};
    fx = vt_fx_start(true, args);

    /* The sloth: subscribed, then it stops reading, with the smallest
     * buffers it can have, so everything piles up on the platform's side. */
    vt_keypair k;
    vt_fx_authorize(fx, "sloth", &k);
    vt_raw_opts tiny = {.rcvhwm = 1, .rcvbuf = 4096};
    void *sloth = vt_raw_socket_keyed(fx, "sloth", &k, &tiny);
    const char *sub[] = {
        "", "VIP1", "", "s1", "pubsub", "subscribe", "{\"prefix\": \"big/\", \"bus\": \"\"}"};
    vt_raw_send(sloth, sub, NULL, 7);
    char f[10][256];
    ck_assert_uint_ge(vt_raw_recv(sloth, f, 10), 7);
    ck_assert_str_eq(f[5], "request_response");

    hose = vt_fx_agent(fx, "firehose", false);
    char *body = vt_malloc(MSG_BYTES + 3);
    body[0] = '"';
    memset(body + 1, 'z', MSG_BYTES);
    body[MSG_BYTES + 1] = '"';
    body[MSG_BYTES + 2] = '\0';
    vt_fx_pump(hose, 300);
    long before = rss_bytes(fx->pid);
    acks a = {0};
    for (int i = 0; i < MESSAGES; i++) {
        a.pending++;
        ck_assert_int_eq(
            vt_pubsub_publish_json_ack(hose, "big/data", NULL, body, 10000, on_ack, &a), 0);
        if (a.pending >= 8)
            vt_fx_until(hose, all_acked, &a, 10000);
    }
    ck_assert(vt_fx_until(hose, all_acked, &a, 30000));
    long after = rss_bytes(fx->pid);
    ck_assert_msg(after - before < ALLOWED_GROWTH,
                  "the platform grew by %ld MiB for a subscriber that does not read (queue "
                  "limit %d MiB)",
                  (after - before) >> 20, QUEUE_LIMIT >> 20);

    /* The drops are reported. */
    char *path = vt_asprintf("%s/volttron.log", fx->home);
    char *log = NULL;
    size_t len = 0;
    ck_assert_int_eq(vt_fs_read_file(path, 1 << 26, &log, &len), 0);
    ck_assert_msg(strstr(log, "sloth is not keeping up"), "drops not reported");
    free(log);
    free(path);
    free(body);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("slow_subscriber_bounded");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_subscriber_that_never_reads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
