/* Bare libzmq DEALER sockets against a fixture platform: what any client
 * could send, byte for byte, for tests of the router's answers. */
#ifndef VT_RAW_H
#define VT_RAW_H

#include <stdbool.h>
#include <stddef.h>

#include "fixture.h"

/* A DEALER with routing id identity, authorised in auth.json (CURVE when the
 * platform authenticates), connected to the platform's tcp address. Receives
 * time out after 5 s. Closed by vt_raw_close or vt_raw_close_all. */
void *vt_raw_socket(vt_fx *fx, const char *identity);
/* Socket options set before connecting (0 / false: libzmq's defaults). */
typedef struct vt_raw_opts {
    bool no_reconnect; /* once its connection is closed it stays closed */
    int rcvhwm;        /* messages queued on our side */
    int rcvbuf;        /* kernel receive buffer, bytes */
} vt_raw_opts;

/* The same with given keys (NULL: a new key, not authorised) and options
 * (may be NULL). */
void *vt_raw_socket_keyed(vt_fx *fx, const char *identity, const vt_keypair *keys,
                          const vt_raw_opts *opts);
void vt_raw_close(void **s);
/* Close every open raw socket and the context (teardown: an assertion may
 * have ended a test before its own closes). */
void vt_raw_close_all(void);
/* Send n frames (lens NULL: each is a C string). */
void vt_raw_send(void *s, const char *const *frames, const size_t *lens, size_t n);
/* Receive one whole message into frames (copies up to 255 bytes each,
 * NUL-terminated); returns the frame count, 0 on timeout. */
size_t vt_raw_recv(void *s, char frames[][256], size_t max);

#endif
