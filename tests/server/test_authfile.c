#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/mem.h>

#include "authfile.h"
#include "testutil.h"

static char *dir;

static void setup(void)
{
    dir = vt_test_mkdtemp();
}

static void teardown(void)
{
    vt_test_rmtree(dir);
    free(dir);
}

START_TEST(test_load_add_save_roundtrip)
{
    char *path = vt_test_write_file(dir, "auth.json",
                                    "# hand-edited\n{\"allow\": [{\"credentials\": \"k1\", "
                                    "\"user_id\": \"a\", \"custom\": 7}]}\n");
    vt_authfile *af = vt_authfile_load(path);
    ck_assert_ptr_nonnull(af);
    ck_assert_int_eq(cJSON_GetArraySize(vt_authfile_allow(af)), 1);
    cJSON *caps = cJSON_CreateObject();
    cJSON_AddNullToObject(caps, "edit_config_store");
    ck_assert_int_eq(vt_authfile_add(af, vt_auth_entry_new("k2", "b", "b", caps, "c"), false), 0);
    /* same user_id again: refused unless overwriting */
    ck_assert_int_eq(vt_authfile_add(af, vt_auth_entry_new("k3", "b", "b", NULL, NULL), false),
                     -EEXIST);
    ck_assert_int_eq(vt_authfile_add(af, vt_auth_entry_new("k3", "b", "b", NULL, NULL), true), 0);
    ck_assert_int_eq(vt_authfile_save(af), 0);
    ck_assert(!vt_authfile_changed(af));
    vt_authfile_destroy(&af);
    cJSON_Delete(caps);

    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    char *text = NULL;
    ck_assert_int_eq(vt_fs_read_file(path, 1 << 20, &text, NULL), 0);
    /* VOLTTRON's layout and field order; the hand-made field survives. */
    ck_assert_ptr_nonnull(strstr(text, "\"custom\": 7"));
    ck_assert_ptr_nonnull(strstr(text, "\"version\": {\n    \"major\": 1,\n    \"minor\": 4\n  }"));
    const char *order[] = {
        "\"domain\"",   "\"address\"",        "\"mechanism\"",    "\"credentials\": \"k3\"",
        "\"groups\"",   "\"roles\"",          "\"capabilities\"", "\"rpc_method_authorizations\"",
        "\"comments\"", "\"user_id\": \"b\"", "\"identity\"",     "\"enabled\": true"};
    /* From the start of the entry holding k3. */
    const char *p = strstr(text, "\"credentials\": \"k3\"");
    while (p > text && *p != '{')
        p--;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *q = strstr(p, order[i]);
        ck_assert_msg(q != NULL, "missing %s", order[i]);
        p = q;
    }
    free(text);
    free(path);
}
END_TEST

START_TEST(test_broken_file_is_not_overwritten)
{
    char *path = vt_test_write_file(dir, "auth.json", "{\"allow\": [ {\"credentials\": ");
    ck_assert_ptr_null(vt_authfile_load(path));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "auth.json:1:"));
    char *missing = vt_fs_path_join(dir, "none.json");
    vt_authfile *af = vt_authfile_load(missing);
    ck_assert_ptr_nonnull(af); /* a missing file is an empty document */
    ck_assert_int_eq(cJSON_GetArraySize(vt_authfile_allow(af)), 0);
    vt_authfile_destroy(&af);
    free(missing);
    free(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("authfile");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_load_add_save_roundtrip);
    tcase_add_test(tc, test_broken_file_is_not_overwritten);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
