/* VIP frames arriving at the platform's router (router.c), and through it
 * the pubsub service (pubsub_service.c) and two in-process services,
 * config.store and platform.health (their RPC handlers and the client
 * library they run on).
 *
 * The platform: a loop, a router without authentication on an inproc
 * address in a scratch VOLTTRON_HOME, its services, and two raw DEALER
 * sockets, "fuzz.a" and "fuzz.b". Each input is a sequence of messages
 * (frames.h); a message is sent by fuzz.a, or by fuzz.b when its first
 * byte is 0x1D (ASCII group separator, dropped). Its frames are what a
 * DEALER sends: recipient, "VIP1", user-id, message id, subsystem,
 * arguments. After each message the loop runs until nothing is left to do
 * and both DEALERs are drained (what the router answers and forwards is
 * read and dropped).
 *
 * Each input gets a fresh platform (see platform_start), and ends with
 * both fuzz peers leaving as stopping agents do ("agentstop").
 *
 * The message size limit is lowered to 2 KiB so that inputs can reach the
 * "message too long" answer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include <volttron/client/conn.h>
#include <volttron/client/loop.h>
#include <volttron/utils/fs.h>

#include "frames.h"
#include "fuzz.h"
#include "router.h"
#include "services/services.h"

#define FZ_GS 0x1D
#define MAX_SPINS 10000

static const char *home;
static vt_loop *loop;
static vt_router *router;
static void *dealer[2];
static const char *const dealer_id[2] = {"fuzz.a", "fuzz.b"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    home = fz_setup("router");
    return 0;
}

/* A fresh platform for each input: state left by one input (config store
 * entries, subscriptions, calls awaiting answers) cannot make the next
 * one behave differently, and libFuzzer's leak check, which runs after
 * every input that ends with more memory allocated than it started with,
 * stays quiet unless something really leaks. For that last reason the
 * ZeroMQ context goes too (released by everyone, it is terminated, which
 * waits for libzmq to free its sockets; otherwise its threads free them a
 * moment later, and every input would look like a leak). */
static void platform_start(void)
{
    char *store = fz_path("configuration_store");
    vt_fs_remove_tree(store);
    free(store);
    /* A new address each time: libzmq releases a closed socket's inproc
     * address in the background, a moment later. */
    static unsigned long platforms;
    char address[64];
    snprintf(address, sizeof address, "inproc://vt-fuzz-router-%lu", ++platforms);
    loop = vt_loop_new();
    vt_router_options o = {
        .volttron_home = home,
        .instance_name = "fuzz",
        .local_address = address,
        .auth = false,
        .max_message_size = 2048,
        .platform_version = "9.0.4",
    };
    router = vt_router_new(loop, &o);
    if (!router || vt_config_store_start(router, home, 0) < 0 ||
        vt_health_service_start(router) < 0) {
        fprintf(stderr, "fuzz_router: cannot start the platform\n");
        abort();
    }
    void *ctx = vt_zmq_context_acquire();
    for (int i = 0; i < 2; i++) {
        int linger = 0;
        dealer[i] = zmq_socket(ctx, ZMQ_DEALER);
        zmq_setsockopt(dealer[i], ZMQ_ROUTING_ID, dealer_id[i], strlen(dealer_id[i]));
        zmq_setsockopt(dealer[i], ZMQ_LINGER, &linger, sizeof linger);
        if (zmq_connect(dealer[i], address) < 0) {
            fprintf(stderr, "fuzz_router: connect: %s\n", zmq_strerror(errno));
            abort();
        }
    }
}

static void platform_stop(void)
{
    for (int i = 0; i < 2; i++)
        zmq_close(dealer[i]);
    vt_router_destroy(&router);
    vt_loop_destroy(&loop);
    vt_zmq_context_release();
}

/* Read and drop whatever waits on a DEALER; returns the frame count. */
static size_t drain(void *sock)
{
    size_t n = 0;
    zmq_msg_t m;
    zmq_msg_init(&m);
    while (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) >= 0)
        n++;
    zmq_msg_close(&m);
    return n;
}

/* Run the loop and drain both DEALERs until neither has anything to do. */
static void settle(void)
{
    for (int spins = 0; spins < MAX_SPINS; spins++) {
        int ran = vt_loop_run_once(loop, 0);
        size_t got = drain(dealer[0]) + drain(dealer[1]);
        if (ran <= 0 && got == 0)
            return;
    }
}

static void send_frames(void *sock, const fz_frame *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        zmq_send(sock, f[i].data, f[i].len, (i + 1 < n ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT);
}

static void send_strings(void *sock, const char *const *s, size_t n)
{
    fz_frame f[8];
    for (size_t i = 0; i < n; i++)
        f[i] = (fz_frame){(const uint8_t *)s[i], strlen(s[i])};
    send_frames(sock, f, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    platform_start();
    settle(); /* the services say hello */
    fz_reader r;
    fz_message m;
    fz_reader_init(&r, data, size);
    while (fz_next_message(&r, &m)) {
        int who = 0;
        if (m.f[0].len > 0 && m.f[0].data[0] == FZ_GS) {
            who = 1;
            m.f[0].data++;
            m.f[0].len--;
        }
        send_frames(dealer[who], m.f, m.n);
        settle();
    }
    /* Both fuzz peers leave, as stopping agents do. */
    const char *stop_b[] = {"", "VIP1", "", "", "agentstop", "fuzz.b"};
    const char *stop_a[] = {"", "VIP1", "", "", "agentstop", "fuzz.a"};
    send_strings(dealer[0], stop_b, 6);
    send_strings(dealer[0], stop_a, 6);
    settle();
    platform_stop();
    return 0;
}
