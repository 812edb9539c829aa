/* Key and binary text encodings used by VOLTTRON.
 *
 * A CURVE key is 32 raw bytes. VOLTTRON's canonical text form (keystore.json,
 * auth.json, known_hosts, the serverkey query) is URL-safe base64 without the
 * trailing '=': exactly 43 characters. libzmq's own text form is Z85 (40
 * characters). vt_key_decode accepts every form VOLTTRON accepts.
 */
#ifndef VT_UTILS_ENCODING_H
#define VT_UTILS_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VT_KEY_BYTES 32
/* Canonical encoded key length, without the terminating NUL. */
#define VT_KEY_TEXT_LEN 43
/* Z85 text length of a key, without the terminating NUL. */
#define VT_KEY_Z85_LEN 40

/* Base64 with the URL-safe alphabet (-_). Writes NUL-terminated text into out
 * (outsz bytes) and returns its length, or a negative errno if out is too
 * small. With pad, '=' characters complete the last quantum. */
VT_UTILS_EXPORT int vt_base64url_encode(const uint8_t *in, size_t n, bool pad, char *out,
                                        size_t outsz);

/* Decode URL-safe base64 (standard '+' and '/' are accepted too), with or
 * without padding. Returns the decoded length or a negative errno on bad
 * input or a short output buffer. */
VT_UTILS_EXPORT int vt_base64url_decode(const char *in, size_t len, uint8_t *out, size_t outsz);

/* Z85 (ZeroMQ RFC 32). n must be a multiple of 4; out needs n*5/4+1 bytes.
 * Returns the text length or a negative errno. */
VT_UTILS_EXPORT int vt_z85_encode(const uint8_t *in, size_t n, char *out, size_t outsz);
/* len must be a multiple of 5; out needs len*4/5 bytes. Returns the decoded
 * length or a negative errno. */
VT_UTILS_EXPORT int vt_z85_decode(const char *in, size_t len, uint8_t *out, size_t outsz);

/* The value of one hex digit (either case), or -1. */
VT_UTILS_EXPORT int vt_hex_digit(char c);

/* Lower-case hex. out needs 2n+1 bytes. */
VT_UTILS_EXPORT int vt_hex_encode(const uint8_t *in, size_t n, char *out, size_t outsz);
VT_UTILS_EXPORT int vt_hex_decode(const char *in, size_t len, uint8_t *out, size_t outsz);

/* Canonical text of a key: 43 characters plus NUL into out. */
VT_UTILS_EXPORT void vt_key_encode(const uint8_t key[VT_KEY_BYTES], char out[VT_KEY_TEXT_LEN + 1]);

/* Decode a key given in any form VOLTTRON accepts, chosen by length:
 * 40 Z85; 43 base64url; 44 base64url padded; 54/56 base64url of the Z85
 * text; 64 hex; 80 hex of the Z85 text. Returns 0 or -EINVAL. */
VT_UTILS_EXPORT int vt_key_decode(const char *text, uint8_t key[VT_KEY_BYTES]);

/* Z85 text of a key (what libzmq's ZMQ_CURVE_*KEY options accept as text). */
VT_UTILS_EXPORT void vt_key_to_z85(const uint8_t key[VT_KEY_BYTES], char out[VT_KEY_Z85_LEN + 1]);

#ifdef __cplusplus
}
#endif

#endif
