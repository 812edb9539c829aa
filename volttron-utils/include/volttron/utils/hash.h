/* Message digests. SHA-512 is what VOLTTRON's install protocol checks a
 * transferred package with (platform-services.md §8). */
#ifndef VT_UTILS_HASH_H
#define VT_UTILS_HASH_H

#include <stddef.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VT_SHA512_SIZE 64

/* The SHA-512 digest of len bytes (raw, 64 bytes) into out. */
VT_UTILS_EXPORT void vt_sha512(const void *data, size_t len, unsigned char out[VT_SHA512_SIZE]);

/* Incremental: new, update as often as needed, final (which frees). */
typedef struct vt_sha512_ctx vt_sha512_ctx;
VT_UTILS_EXPORT vt_sha512_ctx *vt_sha512_new(void);
VT_UTILS_EXPORT void vt_sha512_update(vt_sha512_ctx *ctx, const void *data, size_t len);
/* Write the digest and free ctx; *ctx becomes NULL. */
VT_UTILS_EXPORT void vt_sha512_final(vt_sha512_ctx **ctx, unsigned char out[VT_SHA512_SIZE]);

#ifdef __cplusplus
}
#endif

#endif
