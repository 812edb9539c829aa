/* How the VIP targets (fuzz_router, fuzz_agent) read a fuzz input: as a
 * sequence of multipart messages. Two ASCII separators split it, which
 * keeps the corpus readable and lets the mutator add, drop and join frames
 * with one byte:
 *
 *   0x1E (record separator)  ends a message
 *   0x1F (unit separator)    ends a frame within a message
 *
 * So "a\x1fb\x1ec" is two messages, [a, b] and [c]. A message always has at
 * least one (possibly empty) frame. The separators cannot occur inside a
 * frame; nothing VIP carries needs them (JSON escapes control characters).
 * Past FZ_MAX_FRAMES the last frame keeps the rest of the message, and past
 * FZ_MAX_MESSAGES the rest of the input is ignored, so one input stays
 * cheap to run. */
#ifndef VT_FUZZ_FRAMES_H
#define VT_FUZZ_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FZ_RS 0x1E
#define FZ_US 0x1F
/* More than the router's limit of 64, so that limit gets exercised. */
#define FZ_MAX_FRAMES 72
#define FZ_MAX_MESSAGES 32

typedef struct fz_frame {
    const uint8_t *data;
    size_t len;
} fz_frame;

typedef struct fz_message {
    fz_frame f[FZ_MAX_FRAMES];
    size_t n;
} fz_message;

typedef struct fz_reader {
    const uint8_t *p, *end;
    size_t messages;
    bool done;
} fz_reader;

void fz_reader_init(fz_reader *r, const uint8_t *data, size_t size);
/* The next message into m; false when there are no more. */
bool fz_next_message(fz_reader *r, fz_message *m);

#endif
