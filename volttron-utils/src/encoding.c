#include <errno.h>
#include <string.h>

#include <volttron/utils/encoding.h>
#include <volttron/utils/error.h>

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int vt_base64url_encode(const uint8_t *in, size_t n, bool pad, char *out, size_t outsz)
{
    size_t full = n / 3, rest = n % 3;
    size_t need = full * 4 + (rest ? (pad ? 4 : rest + 1) : 0);
    if (outsz < need + 1)
        return vt_error_set(-ENOSPC, "base64 output buffer too small");
    char *o = out;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *o++ = b64url_alphabet[(v >> 18) & 63];
        *o++ = b64url_alphabet[(v >> 12) & 63];
        *o++ = b64url_alphabet[(v >> 6) & 63];
        *o++ = b64url_alphabet[v & 63];
    }
    if (rest) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (rest == 2)
            v |= (uint32_t)in[i + 1] << 8;
        *o++ = b64url_alphabet[(v >> 18) & 63];
        *o++ = b64url_alphabet[(v >> 12) & 63];
        if (rest == 2)
            *o++ = b64url_alphabet[(v >> 6) & 63];
        if (pad) {
            if (rest == 1)
                *o++ = '=';
            *o++ = '=';
        }
    }
    *o = '\0';
    return (int)(o - out);
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-' || c == '+')
        return 62;
    if (c == '_' || c == '/')
        return 63;
    return -1;
}

int vt_base64url_decode(const char *in, size_t len, uint8_t *out, size_t outsz)
{
    while (len > 0 && in[len - 1] == '=')
        len--;
    if (len % 4 == 1)
        return vt_error_set(-EINVAL, "invalid base64 length %zu", len);
    size_t need = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
    if (outsz < need)
        return vt_error_set(-ENOSPC, "base64 output buffer too small");
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value(in[i]);
        if (v < 0)
            return vt_error_set(-EINVAL, "invalid base64 character at offset %zu", i);
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* Leftover bits must be zero, or the text is not a canonical encoding. */
    if (bits && (acc & ((1u << bits) - 1)))
        return vt_error_set(-EINVAL, "invalid base64: non-zero trailing bits");
    return (int)o;
}

static const char z85_alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

int vt_z85_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
    if (n % 4)
        return vt_error_set(-EINVAL, "Z85 input length %zu is not a multiple of 4", n);
    if (outsz < n / 4 * 5 + 1)
        return vt_error_set(-ENOSPC, "Z85 output buffer too small");
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = (uint32_t)in[i] << 24 | (uint32_t)in[i + 1] << 16 | (uint32_t)in[i + 2] << 8 |
                     in[i + 3];
        for (int k = 4; k >= 0; k--) {
            out[o + (size_t)k] = z85_alphabet[v % 85];
            v /= 85;
        }
        o += 5;
    }
    out[o] = '\0';
    return (int)o;
}

static int z85_value(char c)
{
    const char *p = c ? strchr(z85_alphabet, c) : NULL;
    return p ? (int)(p - z85_alphabet) : -1;
}

int vt_z85_decode(const char *in, size_t len, uint8_t *out, size_t outsz)
{
    if (len % 5)
        return vt_error_set(-EINVAL, "Z85 text length %zu is not a multiple of 5", len);
    if (outsz < len / 5 * 4)
        return vt_error_set(-ENOSPC, "Z85 output buffer too small");
    size_t o = 0;
    for (size_t i = 0; i < len; i += 5) {
        uint64_t v = 0;
        for (size_t k = 0; k < 5; k++) {
            int d = z85_value(in[i + k]);
            if (d < 0)
                return vt_error_set(-EINVAL, "invalid Z85 character at offset %zu", i + k);
            v = v * 85 + (uint64_t)d;
        }
        if (v > 0xffffffffu)
            return vt_error_set(-EINVAL, "invalid Z85 group at offset %zu", i);
        out[o++] = (uint8_t)(v >> 24);
        out[o++] = (uint8_t)(v >> 16);
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
    }
    return (int)o;
}

int vt_hex_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
    static const char digits[] = "0123456789abcdef";
    if (outsz < 2 * n + 1)
        return vt_error_set(-ENOSPC, "hex output buffer too small");
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
    return (int)(2 * n);
}

int vt_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int vt_hex_decode(const char *in, size_t len, uint8_t *out, size_t outsz)
{
    if (len % 2)
        return vt_error_set(-EINVAL, "hex text has an odd length %zu", len);
    if (outsz < len / 2)
        return vt_error_set(-ENOSPC, "hex output buffer too small");
    for (size_t i = 0; i < len; i += 2) {
        int hi = vt_hex_digit(in[i]), lo = vt_hex_digit(in[i + 1]);
        if (hi < 0 || lo < 0)
            return vt_error_set(-EINVAL, "invalid hex character at offset %zu", i);
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(len / 2);
}

void vt_key_encode(const uint8_t key[VT_KEY_BYTES], char out[VT_KEY_TEXT_LEN + 1])
{
    vt_base64url_encode(key, VT_KEY_BYTES, false, out, VT_KEY_TEXT_LEN + 1);
}

void vt_key_to_z85(const uint8_t key[VT_KEY_BYTES], char out[VT_KEY_Z85_LEN + 1])
{
    vt_z85_encode(key, VT_KEY_BYTES, out, VT_KEY_Z85_LEN + 1);
}

/* Decode exactly VT_KEY_BYTES from Z85 text of exactly 40 characters. */
static int key_from_z85(const char *z85, size_t len, uint8_t key[VT_KEY_BYTES])
{
    if (len != VT_KEY_Z85_LEN)
        return -EINVAL;
    return vt_z85_decode(z85, len, key, VT_KEY_BYTES) == VT_KEY_BYTES ? 0 : -EINVAL;
}

int vt_key_decode(const char *text, uint8_t key[VT_KEY_BYTES])
{
    if (!text)
        return vt_error_set(-EINVAL, "missing key");
    size_t len = strlen(text);
    uint8_t tmp[64];
    int n, rc = -EINVAL;

    switch (len) {
    case 40:
        rc = key_from_z85(text, len, key);
        break;
    case 43:
    case 44:
        n = vt_base64url_decode(text, len, tmp, sizeof tmp);
        if (n == VT_KEY_BYTES) {
            memcpy(key, tmp, VT_KEY_BYTES);
            rc = 0;
        }
        break;
    case 54:
    case 56:
        n = vt_base64url_decode(text, len, tmp, sizeof tmp);
        if (n == VT_KEY_Z85_LEN)
            rc = key_from_z85((const char *)tmp, (size_t)n, key);
        break;
    case 64:
        n = vt_hex_decode(text, len, tmp, sizeof tmp);
        if (n == VT_KEY_BYTES) {
            memcpy(key, tmp, VT_KEY_BYTES);
            rc = 0;
        }
        break;
    case 80:
        n = vt_hex_decode(text, len, tmp, sizeof tmp);
        if (n == VT_KEY_Z85_LEN)
            rc = key_from_z85((const char *)tmp, (size_t)n, key);
        break;
    default:
        break;
    }
    if (rc < 0)
        return vt_error_set(-EINVAL,
                            "invalid CURVE key of %zu characters (expected 43-character "
                            "URL-safe base64, 40-character Z85 or 64-character hex)",
                            len);
    return 0;
}
