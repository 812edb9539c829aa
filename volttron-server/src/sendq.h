/* What the router has handed libzmq for one peer and libzmq has not yet
 * written out, in bytes.
 *
 * libzmq bounds a peer's queue by messages (the high-water mark), not by
 * bytes: 6,000 messages of 16 MiB each is 96 GiB held for a peer that
 * never reads. So every message above a small size is charged to its
 * peer's budget when queued and refunded when libzmq releases it (its free
 * callback, which runs on libzmq's I/O thread: the count is atomic and the
 * budget is reference-counted, so it outlives a peer that leaves while its
 * messages are still queued). Smaller messages stay bounded by the
 * high-water mark alone. */
#ifndef VT_SENDQ_H
#define VT_SENDQ_H

#include <stddef.h>

#include "router.h"

/* Messages smaller than this (all frames) are not charged. */
#define VT_SENDQ_MIN_CHARGE 1024

typedef struct vt_sendq vt_sendq;

vt_sendq *vt_sendq_new(void);
/* Drop the owner's reference (queued messages keep it alive). */
void vt_sendq_release(vt_sendq **q);
/* Bytes queued and not yet written. */
size_t vt_sendq_bytes(const vt_sendq *q);

/* Charge o (the frames about to be sent) to q: 0, or -ENOBUFS (nothing
 * charged, o untouched) when it would take q past limit bytes (a message
 * larger than limit is accepted only when nothing is queued). On success
 * the largest frame of o is replaced by one that refunds q when libzmq
 * releases it, whether it was sent or closed unsent. */
int vt_sendq_charge(vt_sendq *q, vt_out *o, size_t limit);

#endif
