#include <stdio.h>
#include <string.h>

#include <volttron/utils/encoding.h>
#include <volttron/utils/hash.h>

#include "testutil.h"

static void hex(const unsigned char *d, char out[2 * VT_SHA512_SIZE + 1])
{
    for (int i = 0; i < VT_SHA512_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

START_TEST(test_known_digests)
{
    unsigned char d[VT_SHA512_SIZE];
    char h[2 * VT_SHA512_SIZE + 1];
    vt_sha512("abc", 3, d);
    hex(d, h);
    /* FIPS 180-2 example */
    ck_assert_str_eq(h, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    vt_sha512("", 0, d);
    hex(d, h);
    ck_assert_str_eq(h, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                        "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
}
END_TEST

START_TEST(test_incremental_equals_one_shot)
{
    char buf[3000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 7);
    unsigned char a[VT_SHA512_SIZE], b[VT_SHA512_SIZE];
    vt_sha512(buf, sizeof buf, a);
    vt_sha512_ctx *c = vt_sha512_new();
    vt_sha512_update(c, buf, 1);
    vt_sha512_update(c, buf + 1, 0);
    vt_sha512_update(c, buf + 1, 1999);
    vt_sha512_update(c, buf + 2000, 1000);
    vt_sha512_final(&c, b);
    ck_assert_ptr_null(c);
    ck_assert_mem_eq(a, b, VT_SHA512_SIZE);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("hash");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_known_digests);
    tcase_add_test(tc, test_incremental_equals_one_shot);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
