#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "loopback.h"

static vt_message **sent;
static size_t nsent;

static int lb_open(vt_conn *conn)
{
    (void)conn;
    return 0;
}

static int lb_send(vt_conn *conn, vt_message *msg)
{
    (void)conn;
    sent = vt_realloc(sent, (nsent + 1) * sizeof *sent);
    sent[nsent++] = msg;
    return 0;
}

static void lb_close(vt_conn *conn)
{
    (void)conn;
}

static const vt_conn_ops lb_ops = {
    .name = "loopback",
    .open = lb_open,
    .send = lb_send,
    .recv = NULL,
    .close = lb_close,
};

size_t lb_sent_count(void)
{
    return nsent;
}

const vt_message *lb_sent(size_t i)
{
    return i < nsent ? sent[i] : NULL;
}

const vt_message *lb_last(void)
{
    ck_assert_int_gt(nsent, 0);
    return sent[nsent - 1];
}

void lb_forget(void)
{
    for (size_t i = 0; i < nsent; i++)
        vt_message_destroy(&sent[i]);
    free(sent);
    sent = NULL;
    nsent = 0;
}

const char *lb_frame(const vt_message *m, size_t i)
{
    static char buf[8192];
    size_t len;
    const char *d = vt_message_data(m, i, &len);
    if (!d || len >= sizeof buf)
        len = 0;
    if (len)
        memcpy(buf, d, len);
    buf[len] = '\0';
    return buf;
}

void lb_inject(vt_agent *agent, const char *peer, const char *user, const char *id,
               const char *subsystem, ...)
{
    vt_message *m = vt_message_new();
    vt_message_append_str(m, peer);
    vt_message_append_str(m, "VIP1");
    vt_message_append_str(m, user);
    vt_message_append_str(m, id);
    vt_message_append_str(m, subsystem);
    va_list ap;
    va_start(ap, subsystem);
    for (;;) {
        const char *data = va_arg(ap, const char *);
        if (!data)
            break;
        size_t len = va_arg(ap, size_t);
        vt_message_append(m, data, len);
    }
    va_end(ap);
    vt_agent_deliver(agent, m);
}

vt_agent *lb_agent(const char *identity)
{
    vt_conn *conn = vt_calloc(1, sizeof *conn);
    conn->ops = &lb_ops;
    vt_agent_options o = {.identity = identity,
                          .volttron_home = "/nonexistent",
                          .address = "inproc://loopback",
                          .auth = 0,
                          .heartbeat_period = -1,
                          .no_signals = true};
    vt_agent *a = vt_agent_new_with_conn(&o, conn);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(vt_agent_start(a), 0);
    vt_agent_transport_up(a);
    /* The agent said hello; welcome it as the router does. */
    const vt_message *hello = lb_last();
    ck_assert_str_eq(lb_frame(hello, 4), "hello");
    char hello_id[64];
    strcpy(hello_id, lb_frame(hello, 3));
    lb_inject(a, "", identity, hello_id, "hello", "welcome", (size_t)7, "1.0", (size_t)3,
              "router-id", (size_t)9, identity, strlen(identity), NULL);
    ck_assert(vt_agent_connected(a));
    return a;
}
