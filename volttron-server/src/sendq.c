/* Byte budgets for peers' send queues (sendq.h). */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <volttron/utils/mem.h>

#include "sendq.h"

struct vt_sendq {
    atomic_size_t bytes;
    atomic_uint refs;
};

/* One charged message: the frame libzmq holds points into orig's bytes. */
typedef struct charge {
    zmq_msg_t orig;
    vt_sendq *q;
    size_t bytes;
} charge;

vt_sendq *vt_sendq_new(void)
{
    vt_sendq *q = vt_calloc(1, sizeof *q);
    atomic_init(&q->bytes, 0);
    atomic_init(&q->refs, 1);
    return q;
}

static void unref(vt_sendq *q)
{
    if (atomic_fetch_sub(&q->refs, 1) == 1)
        free(q);
}

void vt_sendq_release(vt_sendq **q)
{
    if (!q || !*q)
        return;
    unref(*q);
    *q = NULL;
}

size_t vt_sendq_bytes(const vt_sendq *q)
{
    return atomic_load(&((vt_sendq *)q)->bytes);
}

/* libzmq is done with the frame (on its I/O thread, or ours if unsent). */
static void refund(void *data, void *hint)
{
    (void)data;
    charge *c = hint;
    atomic_fetch_sub(&c->q->bytes, c->bytes);
    zmq_msg_close(&c->orig);
    unref(c->q);
    free(c);
}

int vt_sendq_charge(vt_sendq *q, vt_out *o, size_t limit)
{
    size_t total = 0, big = 0;
    for (size_t i = 0; i < o->n; i++) {
        size_t len = zmq_msg_size(&o->f[i]);
        total += len;
        if (len > zmq_msg_size(&o->f[big]))
            big = i;
    }
    if (total < VT_SENDQ_MIN_CHARGE || o->n == 0)
        return 0;
    /* One message larger than the whole limit still goes when nothing
     * waits (a configuration pushed whole); it cannot pile up. */
    size_t used = atomic_fetch_add(&q->bytes, total);
    if (used + total > limit && used > 0) {
        atomic_fetch_sub(&q->bytes, total);
        return -ENOBUFS;
    }
    charge *c = vt_malloc(sizeof *c);
    c->q = q;
    c->bytes = total;
    atomic_fetch_add(&q->refs, 1);
    zmq_msg_init(&c->orig);
    zmq_msg_move(&c->orig, &o->f[big]);
    /* orig stays in the charge until the refund, so its bytes stay put
     * (even a small frame's, which libzmq keeps inside the zmq_msg_t). */
    zmq_msg_init_data(&o->f[big], zmq_msg_data(&c->orig), zmq_msg_size(&c->orig), refund, c);
    return 0;
}
