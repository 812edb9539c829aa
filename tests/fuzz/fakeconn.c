#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/mem.h>

#include "fakeconn.h"

/* One agent is connected at a time in a fuzz process, so the last hello
 * id sent is the one its welcome must carry. */
static char hello_id[64];
static size_t sent;
static int trace = -1;

static int fake_open(vt_conn *conn)
{
    (void)conn;
    return 0;
}

static void print_frame(const vt_message *msg, size_t i)
{
    size_t len;
    const unsigned char *d = vt_message_data(msg, i, &len);
    fputc(i ? '|' : ' ', stderr);
    for (size_t k = 0; k < len && k < 200; k++) {
        if (d[k] >= 0x20 && d[k] < 0x7f)
            fputc(d[k], stderr);
        else
            fprintf(stderr, "\\x%02x", d[k]);
    }
}

static int fake_send(vt_conn *conn, vt_message *msg)
{
    (void)conn;
    sent++;
    if (trace < 0) {
        const char *t = getenv("VT_FUZZ_TRACE");
        trace = t && strcmp(t, "1") == 0;
    }
    if (trace) {
        fprintf(stderr, "sent:");
        for (size_t i = 0; i < vt_message_size(msg); i++)
            print_frame(msg, i);
        fputc('\n', stderr);
    }
    /* recipient, VIP1, user, id, subsystem, ... */
    if (vt_message_size(msg) >= 5 && vt_message_eq(msg, 4, "hello")) {
        size_t len;
        const char *id = vt_message_data(msg, 3, &len);
        if (len >= sizeof hello_id)
            len = sizeof hello_id - 1;
        memcpy(hello_id, id, len);
        hello_id[len] = '\0';
    }
    vt_message_destroy(&msg);
    return 0;
}

static void fake_close(vt_conn *conn)
{
    (void)conn;
}

static const vt_conn_ops fake_ops = {
    .name = "fuzz",
    .open = fake_open,
    .send = fake_send,
    .recv = NULL, /* blocking calls fail at once: nobody would answer them */
    .close = fake_close,
};

vt_agent *fz_agent_new(const vt_agent_options *opts)
{
    vt_conn *conn = vt_calloc(1, sizeof *conn);
    conn->ops = &fake_ops;
    return vt_agent_new_with_conn(opts, conn);
}

void fz_agent_connect(vt_agent *agent)
{
    hello_id[0] = '\0';
    vt_agent_start(agent);
    vt_agent_transport_up(agent);
    fz_agent_settle(agent);
    const char *me = vt_agent_identity(agent);
    vt_message *w = vt_message_new();
    const char *frames[] = {"", "VIP1", me, hello_id, "hello", "welcome", "1.0", "fuzz-router", me};
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++)
        vt_message_append_str(w, frames[i]);
    vt_agent_deliver(agent, w);
    fz_agent_settle(agent);
}

void fz_agent_deliver(vt_agent *agent, const fz_message *m)
{
    vt_message *msg = vt_message_new();
    for (size_t i = 0; i < m->n; i++)
        vt_message_append(msg, m->f[i].data, m->f[i].len);
    vt_agent_deliver(agent, msg);
}

void fz_agent_settle(vt_agent *agent)
{
    vt_loop *loop = vt_agent_loop(agent);
    for (int spins = 0; spins < 10000 && vt_loop_run_once(loop, 0) > 0; spins++)
        ;
}

size_t fz_sent_count(void)
{
    return sent;
}
