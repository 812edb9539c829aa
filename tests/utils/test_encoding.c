#include <errno.h>
#include <string.h>

#include <volttron/utils/encoding.h>
#include <volttron/utils/error.h>

#include "testutil.h"

/* The platform serverkey of the 9.0.4 capture (shared/vectors meta), as
 * VOLTTRON writes it. */
static const char *const KEY_B64 = "lac5paDyB6T8ppPkN6Jeppxgyf2BZUv1QL1qM7yGb0c";

static void key_bytes(uint8_t key[32])
{
    ck_assert_int_eq(vt_base64url_decode(KEY_B64, strlen(KEY_B64), key, 32), 32);
}

START_TEST(test_base64url_roundtrip)
{
    uint8_t in[256], out[256];
    char text[400];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)(i * 7 + 3);
    for (size_t n = 0; n < 40; n++) {
        for (int pad = 0; pad < 2; pad++) {
            int len = vt_base64url_encode(in, n, pad, text, sizeof text);
            ck_assert_int_ge(len, 0);
            ck_assert_int_eq((int)strlen(text), len);
            ck_assert_ptr_null(strpbrk(text, "+/"));
            if (!pad)
                ck_assert_ptr_null(strchr(text, '='));
            else
                ck_assert_int_eq(len % 4, 0);
            ck_assert_int_eq(vt_base64url_decode(text, (size_t)len, out, sizeof out), (int)n);
            ck_assert_mem_eq(in, out, n);
        }
    }
}
END_TEST

START_TEST(test_base64url_known)
{
    char text[16];
    ck_assert_int_eq(vt_base64url_encode((const uint8_t *)"\xfb\xff", 2, false, text, sizeof text),
                     3);
    ck_assert_str_eq(text, "-_8");
    ck_assert_int_eq(vt_base64url_encode((const uint8_t *)"\xfb\xff", 2, true, text, sizeof text),
                     4);
    ck_assert_str_eq(text, "-_8=");
    uint8_t out[4];
    /* Standard alphabet is accepted on input too. */
    ck_assert_int_eq(vt_base64url_decode("+/8", 3, out, sizeof out), 2);
    ck_assert_int_eq(out[0], 0xfb);
    ck_assert_int_eq(out[1], 0xff);
}
END_TEST

START_TEST(test_base64url_bad)
{
    uint8_t out[64];
    ck_assert_int_eq(vt_base64url_decode("abc$", 4, out, sizeof out), -EINVAL);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "invalid base64 character"));
    ck_assert_int_eq(vt_base64url_decode("a", 1, out, sizeof out), -EINVAL);
    /* "AB" decodes to one byte only if the trailing bits are zero. */
    ck_assert_int_eq(vt_base64url_decode("AB", 2, out, sizeof out), -EINVAL);
    ck_assert_int_eq(vt_base64url_decode("AAAA", 4, out, 2), -ENOSPC);
    char small[4];
    ck_assert_int_eq(vt_base64url_encode(out, 3, false, small, sizeof small), -ENOSPC);
}
END_TEST

START_TEST(test_z85_rfc_vector)
{
    /* ZeroMQ RFC 32 test vector. */
    const uint8_t data[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char text[11];
    ck_assert_int_eq(vt_z85_encode(data, 8, text, sizeof text), 10);
    ck_assert_str_eq(text, "HelloWorld");
    uint8_t back[8];
    ck_assert_int_eq(vt_z85_decode("HelloWorld", 10, back, sizeof back), 8);
    ck_assert_mem_eq(back, data, 8);
}
END_TEST

START_TEST(test_z85_bad)
{
    uint8_t out[8] = {0};
    char text[16];
    ck_assert_int_eq(vt_z85_encode(out, 3, text, sizeof text), -EINVAL);
    ck_assert_int_eq(vt_z85_decode("Hello", 4, out, sizeof out), -EINVAL);
    ck_assert_int_eq(vt_z85_decode("Hell\"", 5, out, sizeof out), -EINVAL);
    /* "#####" is 85^5-1, larger than 2^32-1. */
    ck_assert_int_eq(vt_z85_decode("#####", 5, out, sizeof out), -EINVAL);
}
END_TEST

START_TEST(test_hex)
{
    char text[9];
    uint8_t in[4] = {0xde, 0xad, 0xbe, 0xef}, out[4];
    ck_assert_int_eq(vt_hex_encode(in, 4, text, sizeof text), 8);
    ck_assert_str_eq(text, "deadbeef");
    ck_assert_int_eq(vt_hex_decode("DEADbeef", 8, out, sizeof out), 4);
    ck_assert_mem_eq(in, out, 4);
    ck_assert_int_eq(vt_hex_decode("abc", 3, out, sizeof out), -EINVAL);
    ck_assert_int_eq(vt_hex_decode("zz", 2, out, sizeof out), -EINVAL);
}
END_TEST

START_TEST(test_key_encode_canonical)
{
    uint8_t key[32];
    key_bytes(key);
    char text[VT_KEY_TEXT_LEN + 1];
    vt_key_encode(key, text);
    ck_assert_int_eq((int)strlen(text), 43);
    ck_assert_str_eq(text, KEY_B64);
}
END_TEST

START_TEST(test_key_decode_every_form)
{
    uint8_t key[32], got[32];
    key_bytes(key);

    char z85[41], b64pad[45], hex[65], z85b64[60], z85b64pad[60], z85hex[81];
    ck_assert_int_eq(vt_z85_encode(key, 32, z85, sizeof z85), 40);
    ck_assert_int_eq(vt_base64url_encode(key, 32, true, b64pad, sizeof b64pad), 44);
    ck_assert_int_eq(vt_hex_encode(key, 32, hex, sizeof hex), 64);
    ck_assert_int_eq(vt_base64url_encode((uint8_t *)z85, 40, false, z85b64, sizeof z85b64), 54);
    ck_assert_int_eq(vt_base64url_encode((uint8_t *)z85, 40, true, z85b64pad, sizeof z85b64pad),
                     56);
    ck_assert_int_eq(vt_hex_encode((uint8_t *)z85, 40, z85hex, sizeof z85hex), 80);

    const char *forms[] = {KEY_B64, z85, b64pad, hex, z85b64, z85b64pad, z85hex};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        memset(got, 0, sizeof got);
        ck_assert_msg(vt_key_decode(forms[i], got) == 0, "form %zu (%s): %s", i, forms[i],
                      vt_last_error());
        ck_assert_mem_eq(got, key, 32);
    }

    char z[VT_KEY_Z85_LEN + 1];
    vt_key_to_z85(key, z);
    ck_assert_str_eq(z, z85);
}
END_TEST

START_TEST(test_key_decode_bad)
{
    uint8_t key[32];
    ck_assert_int_eq(vt_key_decode(NULL, key), -EINVAL);
    ck_assert_int_eq(vt_key_decode("", key), -EINVAL);
    ck_assert_int_eq(vt_key_decode("short", key), -EINVAL);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "5 characters"));
    /* Right length, wrong alphabet. */
    ck_assert_int_eq(vt_key_decode("lac5paDyB6T8ppPkN6Jeppxgyf2BZUv1QL1qM7yGb0$", key), -EINVAL);
    /* 64 characters that are not hex. */
    char bad[65];
    memset(bad, 'g', 64);
    bad[64] = '\0';
    ck_assert_int_eq(vt_key_decode(bad, key), -EINVAL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("encoding");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_base64url_roundtrip);
    tcase_add_test(tc, test_base64url_known);
    tcase_add_test(tc, test_base64url_bad);
    tcase_add_test(tc, test_z85_rfc_vector);
    tcase_add_test(tc, test_z85_bad);
    tcase_add_test(tc, test_hex);
    tcase_add_test(tc, test_key_encode_canonical);
    tcase_add_test(tc, test_key_decode_every_form);
    tcase_add_test(tc, test_key_decode_bad);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
