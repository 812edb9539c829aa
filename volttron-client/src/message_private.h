/* The layout of vt_message, shared by the client's own modules. */
#ifndef VT_MESSAGE_PRIVATE_H
#define VT_MESSAGE_PRIVATE_H

#include <zmq.h>

#include <volttron/client/message.h>

/* VIP messages rarely have more than this many frames; more spill to the heap. */
#define VT_MESSAGE_INLINE 10

struct vt_message {
    size_t n, cap;
    zmq_msg_t *frames;
    zmq_msg_t inline_frames[VT_MESSAGE_INLINE];
    char **strs;             /* lazily made C strings, one slot per frame */
    struct vt_message *next; /* for queues */
};

/* A new frame slot at the end, for zmq_msg_init* / zmq_msg_recv. */
zmq_msg_t *vt_message_push(vt_message *m);
/* Drop the last frame (after a failed receive into it). */
void vt_message_pop(vt_message *m);
/* Release all frames, keep the message for reuse. */
void vt_message_reset(vt_message *m);

#endif
