#include <string.h>

#include <volttron/utils/uuid.h>

#include "testutil.h"

START_TEST(test_format_and_uniqueness)
{
    char a[VT_UUID_SIZE], b[VT_UUID_SIZE];
    vt_uuid4(a);
    vt_uuid4(b);
    ck_assert(vt_uuid_is_valid(a));
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(a[14], '4');                 /* version */
    ck_assert_ptr_nonnull(strchr("89ab", a[19])); /* variant */
}
END_TEST

START_TEST(test_validation)
{
    ck_assert(vt_uuid_is_valid("8c1f2a3e-0000-4000-8000-123456789abc"));
    ck_assert(!vt_uuid_is_valid(NULL));
    ck_assert(!vt_uuid_is_valid(""));
    ck_assert(!vt_uuid_is_valid("8c1f2a3e-0000-4000-8000-123456789ab"));
    ck_assert(!vt_uuid_is_valid("8c1f2a3e-0000-4000-8000_123456789abc"));
    ck_assert(!vt_uuid_is_valid("8c1f2a3e-0000-4000-8000-123456789abg"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("uuid");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_format_and_uniqueness);
    tcase_add_test(tc, test_validation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
