/* A multipart message: the frames of one VIP message.
 *
 * As an agent receives it, a VIP message is
 *   [0] peer  [1] "VIP1"  [2] user-id  [3] message id  [4] subsystem  [5..] args
 * (the VT_VIP_* indexes below). Frames are byte strings, not C strings: use
 * the length-aware accessors, or vt_message_strdup for a terminated copy.
 * Subsystem handlers receive messages as const and must not keep them.
 */
#ifndef VT_CLIENT_MESSAGE_H
#define VT_CLIENT_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_message vt_message;

enum {
    VT_VIP_PEER = 0,
    VT_VIP_SIGNATURE = 1,
    VT_VIP_USER = 2,
    VT_VIP_ID = 3,
    VT_VIP_SUBSYSTEM = 4,
    VT_VIP_ARGS = 5,
};

/* An empty message. Caller owns it. */
VT_CLIENT_EXPORT vt_message *vt_message_new(void);
VT_CLIENT_EXPORT void vt_message_destroy(vt_message **m);

VT_CLIENT_EXPORT size_t vt_message_size(const vt_message *m);
/* Frame i's bytes (not NUL-terminated) and length; NULL past the end. */
VT_CLIENT_EXPORT const void *vt_message_data(const vt_message *m, size_t i, size_t *len);
/* Frame i equals the C string s. */
VT_CLIENT_EXPORT bool vt_message_eq(const vt_message *m, size_t i, const char *s);
/* A NUL-terminated copy of frame i (caller frees), "" past the end. */
VT_CLIENT_EXPORT char *vt_message_strdup(const vt_message *m, size_t i);
/* Frame i as a C string owned by the message (cached; valid while the
 * message lives), "" past the end. Embedded NULs cut the string short. */
VT_CLIENT_EXPORT const char *vt_message_str(const vt_message *m, size_t i);

/* Append a copy of data. */
VT_CLIENT_EXPORT void vt_message_append(vt_message *m, const void *data, size_t len);
VT_CLIENT_EXPORT void vt_message_append_str(vt_message *m, const char *s);
/* Append a malloc'd buffer without copying; the message takes ownership. */
VT_CLIENT_EXPORT void vt_message_append_owned(vt_message *m, void *data, size_t len);
/* Append a copy of frame i of src (shares the bytes where ZeroMQ can). */
VT_CLIENT_EXPORT void vt_message_append_frame(vt_message *m, const vt_message *src, size_t i);

/* VIP view of a received message. */
VT_CLIENT_EXPORT size_t vt_vip_nargs(const vt_message *m);
VT_CLIENT_EXPORT const void *vt_vip_arg(const vt_message *m, size_t i, size_t *len);
VT_CLIENT_EXPORT bool vt_vip_arg_eq(const vt_message *m, size_t i, const char *s);
/* Cached C strings of the header frames (owned by the message). */
VT_CLIENT_EXPORT const char *vt_vip_peer(const vt_message *m);
VT_CLIENT_EXPORT const char *vt_vip_user(const vt_message *m);
VT_CLIENT_EXPORT const char *vt_vip_id(const vt_message *m);
VT_CLIENT_EXPORT const char *vt_vip_subsystem(const vt_message *m);

/* For bus and platform code that works with libzmq directly: frame i as a
 * zmq_msg_t pointer, and moving a zmq_msg_t into the message (the source is
 * left empty). */
VT_CLIENT_EXPORT void *vt_message_zmsg(vt_message *m, size_t i);
VT_CLIENT_EXPORT void vt_message_append_zmsg(vt_message *m, void *zmq_msg);

#ifdef __cplusplus
}
#endif

#endif
