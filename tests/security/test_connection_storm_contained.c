/* A storm of connections costs the platform in proportion to the storm, not
 * to the storm times everyone already connected: add/drop notices go only
 * to peers that asked for the peer list, so a peer that never did hears
 * nothing while hundreds come and go; they are all admitted promptly; and
 * once they have left, the platform gives the memory back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <zmq.h>

#include <volttron/client/client.h>

#include "authorize.h"
#include "fixture.h"
#include "raw.h"
#include "testutil.h"

#define CROWD 500

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static long rss_kb(pid_t pid)
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
    return kb;
}

static int adds, drops;

static void on_change(vt_agent *agent, const char *peer, bool added, void *ctx)
{
    (void)agent;
    (void)ctx;
    if (strncmp(peer, "crowd.", 6) == 0)
        *(added ? &adds : &drops) += 1;
}

static bool all_dropped(void *ctx)
{
    (void)ctx;
    return drops >= CROWD;
}

static vt_fx *fx;
static vt_agent *watcher;

static void teardown(void)
{
    vt_agent_destroy(&watcher);
    vt_raw_close_all();
    vt_fx_destroy(&fx);
}

START_TEST(test_storm_of_connections)
{
    /* A socket and its mailbox are two descriptors each, here and in the
     * platform (which inherits the limit). */
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
    fx = vt_fx_start(true, NULL);
    watcher = vt_fx_agent(fx, "watcher", false);
    vt_peerlist_on_change(watcher, on_change, NULL);
    void *bystander = vt_raw_socket(fx, "bystander");
    const char *hello[] = {"", "VIP1", "", "h0", "hello", "hello"};
    vt_raw_send(bystander, hello, NULL, 6);
    char f[10][256];
    ck_assert_uint_ge(vt_raw_recv(bystander, f, 10), 6); /* welcome */
    vt_fx_pump(watcher, 500);
    long idle = rss_kb(fx->pid);

    /* One key for the crowd: its entry admits crowd.1 .. crowd.N. */
    vt_keypair k;
    ck_assert_int_eq(vt_keys_generate(&k), 0);
    ck_assert_int_eq(vt_test_authorize(fx->home, "crowd", &k, NULL), 0);
    void *ctx = zmq_ctx_new();
    zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, CROWD + 16);
    void **crowd = calloc(CROWD, sizeof *crowd);
    char z[3][41];
    vt_keys_to_z85(fx->serverkey, z[0]);
    vt_keys_to_z85(k.public_key, z[1]);
    vt_keys_to_z85(k.secret_key, z[2]);
    int64_t start = vt_time_monotonic_ms();
    for (int i = 0; i < CROWD; i++) {
        crowd[i] = zmq_socket(ctx, ZMQ_DEALER);
        char id[32];
        snprintf(id, sizeof id, "crowd.%d", i + 1);
        int linger = 0;
        zmq_setsockopt(crowd[i], ZMQ_ROUTING_ID, id, strlen(id));
        zmq_setsockopt(crowd[i], ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(crowd[i], ZMQ_CURVE_SERVERKEY, z[0], 40);
        zmq_setsockopt(crowd[i], ZMQ_CURVE_PUBLICKEY, z[1], 40);
        zmq_setsockopt(crowd[i], ZMQ_CURVE_SECRETKEY, z[2], 40);
        ck_assert_int_eq(zmq_connect(crowd[i], fx->tcp), 0);
        for (int j = 0; j < 6; j++)
            zmq_send(crowd[i], hello[j], strlen(hello[j]), j < 5 ? ZMQ_SNDMORE : 0);
    }
    /* every one is welcomed */
    int timeo = 60000;
    for (int i = 0; i < CROWD; i++) {
        zmq_setsockopt(crowd[i], ZMQ_RCVTIMEO, &timeo, sizeof timeo);
        char buf[256];
        ck_assert_msg(zmq_recv(crowd[i], buf, sizeof buf, 0) >= 0, "crowd.%d not welcomed", i + 1);
        int more = 1;
        size_t sz = sizeof more;
        while (zmq_getsockopt(crowd[i], ZMQ_RCVMORE, &more, &sz) == 0 && more)
            zmq_recv(crowd[i], buf, sizeof buf, 0);
    }
    int64_t admitted_ms = vt_time_monotonic_ms() - start;
    ck_assert_msg(admitted_ms < 30000, "%d peers took %lld ms to admit", CROWD,
                  (long long)admitted_ms);
    for (int i = 0; i < CROWD; i++)
        zmq_close(crowd[i]);
    zmq_ctx_term(ctx);
    free(crowd);

    /* The watcher, who asked, heard of every one leaving. */
    ck_assert_msg(vt_fx_until(watcher, all_dropped, NULL, 30000), "%d of %d drops heard", drops,
                  CROWD);
    ck_assert_int_ge(adds, 1);
    /* The bystander, who never asked, heard no peer-list notice at all
     * (only platform.auth's news that auth.json changed). */
    int quick = 1000, notices = 0;
    zmq_setsockopt(bystander, ZMQ_RCVTIMEO, &quick, sizeof quick);
    size_t n;
    while ((n = vt_raw_recv(bystander, f, 10)) > 0)
        notices += n > 4 && strcmp(f[4], "peerlist") == 0;
    ck_assert_msg(notices == 0, "the bystander was sent %d peer-list notices", notices);

    /* Memory back near idle (AddressSanitizer's allocator keeps freed
     * memory: there only a loose bound holds). */
    vt_fx_pump(watcher, 1000);
    long after = rss_kb(fx->pid);
#ifdef UNDER_ASAN
    long allowed_kb = 256 * 1024;
#else
    long allowed_kb = 16 * 1024;
#endif
    ck_assert_msg(after - idle < allowed_kb,
                  "the platform kept %ld kB after %d peers left (idle %ld kB)", after - idle, CROWD,
                  idle);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("connection_storm_contained");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_storm_of_connections);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
