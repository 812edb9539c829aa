/* A growable byte buffer, always NUL-terminated so text can be read in place.
 *
 * Typical use:
 *     vt_buf b;
 *     vt_buf_init(&b);
 *     vt_buf_append_str(&b, "hello");
 *     char *s = vt_buf_detach(&b, NULL);   // caller owns s
 */
#ifndef VT_UTILS_BUF_H
#define VT_UTILS_BUF_H

#include <stddef.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_buf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len; /* bytes used, excluding the terminator */
    size_t cap; /* bytes allocated */
} vt_buf;

VT_UTILS_EXPORT void vt_buf_init(vt_buf *b);
/* Release the storage; the buffer may be reused after vt_buf_init. */
VT_UTILS_EXPORT void vt_buf_free(vt_buf *b);
/* Make room for at least n more bytes. */
VT_UTILS_EXPORT void vt_buf_reserve(vt_buf *b, size_t n);
VT_UTILS_EXPORT void vt_buf_append(vt_buf *b, const void *data, size_t n);
VT_UTILS_EXPORT void vt_buf_append_str(vt_buf *b, const char *s);
VT_UTILS_EXPORT void vt_buf_append_char(vt_buf *b, char c);
VT_UTILS_EXPORT void vt_buf_appendf(vt_buf *b, const char *fmt, ...) VT_PRINTF(2, 3);
/* Keep the storage, forget the content. */
VT_UTILS_EXPORT void vt_buf_clear(vt_buf *b);
/* Hand the storage to the caller (free() it); *len gets the length if non-NULL.
 * Never returns NULL: an empty buffer yields "". The buffer is left empty. */
VT_UTILS_EXPORT char *vt_buf_detach(vt_buf *b, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
