/* The configuration store keeps to its directory and its size, and loses
 * nothing: an identity argument never becomes a path outside
 * configuration_store; a store is never written larger than the platform
 * will load; a store that fails to load is moved aside (never overwritten
 * by the next write); temporary files of interrupted writes are removed;
 * the platform's config file is not executable. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <volttron/client/client.h>

#include "call.h"
#include "fixture.h"
#include "testutil.h"

#define LIMIT 65536

static vt_fx *fx;
static vt_loop *loop;

static void setup(void)
{
    const char *args[] = {"--config-store-limit", "65536", NULL};
    fx = vt_fx_start(true, args);
    loop = vt_loop_new();
    vt_fx_grant(fx, "keeper", "{\"edit_config_store\": {\"identity\": \"/.*/\"}}");
}

static void teardown(void)
{
    vt_fx_destroy(&fx);
    vt_loop_destroy(&loop);
}

static void refused_value_error(vt_agent *a, const char *method, const char *params)
{
    vt_outcome o = vt_fx_call(a, "config.store", method, vt_fx_json(params));
    ck_assert_msg(o.status == VT_RPC_ERROR, "%s%s was accepted", method, params);
    ck_assert_str_eq(o.exc_type, "builtins.ValueError");
    vt_outcome_clear(&o);
}

START_TEST(test_identity_cannot_leave_the_store_dir)
{
    vt_agent *keeper = vt_fx_agent_on(fx, "keeper", false, loop);
    refused_value_error(keeper, "set_config", "[\"../../outside/x\", \"c\", \"{}\", \"json\"]");
    refused_value_error(keeper, "set_config", "[\"..\", \"c\", \"{}\", \"json\"]");
    refused_value_error(keeper, "set_config", "[\".hidden\", \"c\", \"{}\", \"json\"]");
    refused_value_error(keeper, "set_config", "[\"a/b\", \"c\", \"{}\", \"json\"]");
    refused_value_error(keeper, "list_configs", "[\"../x\"]");
    refused_value_error(keeper, "get_config", "[\"../x\", \"c\"]");
    refused_value_error(keeper, "delete_store", "[\"..\"]");
    refused_value_error(keeper, "delete_config", "[\"../x\", \"c\"]");
    /* where those would have landed: run/ exists, so a write there works */
    refused_value_error(keeper, "set_config", "[\"../run/x\", \"c\", \"{}\", \"json\"]");
    char *outside = vt_asprintf("%s/run/x.store", fx->home);
    ck_assert_msg(!vt_fs_exists(outside), "%s was written", outside);
    free(outside);
    /* a valid identity still works */
    vt_fx_call_ok(keeper, "config.store", "set_config",
                  vt_fx_json("[\"victim\", \"c\", \"{}\", \"json\"]"));
    vt_agent_destroy(&keeper);
}
END_TEST

static cJSON *raw_entry(const char *identity, const char *name, size_t bytes)
{
    char *data = vt_malloc(bytes + 1);
    memset(data, 'x', bytes);
    data[bytes] = '\0';
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString(identity));
    cJSON_AddItemToArray(p, cJSON_CreateString(name));
    cJSON_AddItemToArray(p, cJSON_CreateString(data));
    cJSON_AddItemToArray(p, cJSON_CreateString("raw"));
    free(data);
    return p;
}

static int count_configs(vt_agent *a, const char *identity)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString(identity));
    vt_outcome o = vt_fx_call(a, "config.store", "list_configs", p);
    ck_assert_int_eq(o.status, VT_RPC_OK);
    int n = cJSON_GetArraySize(o.value);
    vt_outcome_clear(&o);
    return n;
}

START_TEST(test_store_beyond_the_limit_refused_on_write)
{
    vt_agent *keeper = vt_fx_agent_on(fx, "keeper", false, loop);
    vt_fx_call_ok(keeper, "config.store", "set_config", raw_entry("big", "one", LIMIT / 2));
    vt_outcome o =
        vt_fx_call(keeper, "config.store", "set_config", raw_entry("big", "two", LIMIT / 2));
    ck_assert_int_eq(o.status, VT_RPC_ERROR);
    ck_assert_str_eq(o.exc_type, "builtins.ValueError");
    ck_assert_msg(strstr(o.detail, "more than"), "%s", o.detail);
    vt_outcome_clear(&o);
    ck_assert_int_eq(count_configs(keeper, "big"), 1);
    vt_agent_destroy(&keeper);
    /* what was accepted loads again */
    vt_fx_restart(fx);
    keeper = vt_fx_agent_on(fx, "keeper", false, loop);
    ck_assert_int_eq(count_configs(keeper, "big"), 1);
    vt_agent_destroy(&keeper);
}
END_TEST

/* The one file in dir whose name starts with prefix (the test fails
 * unless there is exactly one); caller frees. */
static char *only_file(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    char *found = NULL;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
            free(found);
            found = vt_asprintf("%s/%s", dir, de->d_name);
            n++;
        }
    }
    closedir(d);
    ck_assert_msg(n == 1, "%d files %s* in %s", n, prefix, dir);
    return found;
}

static void put(const char *path, const char *text)
{
    ck_assert_int_eq(vt_fs_write_atomic(path, text, strlen(text), 0600), 0);
}

START_TEST(test_unloadable_store_kept_aside)
{
    vt_fx_stop_platform(fx);
    char *dir = vt_asprintf("%s/configuration_store", fx->home);
    char *garbage = vt_asprintf("%s/victim.store", dir);
    put(garbage, "{\"cfg\": {\"type\": \"json\", \"data\": \"{}\""); /* cut short */
    /* a valid store, larger than this platform loads */
    char *data = vt_malloc(LIMIT + 2);
    memset(data, 'y', LIMIT);
    data[LIMIT] = '\0';
    char *bigtext =
        vt_asprintf("{\"a\": {\"type\": \"raw\", \"modified\": null, \"data\": \"%s\"}}", data);
    char *big = vt_asprintf("%s/huge.store", dir);
    put(big, bigtext);
    vt_fx_restart(fx);

    vt_agent *keeper = vt_fx_agent_on(fx, "keeper", false, loop);
    ck_assert_int_eq(count_configs(keeper, "victim"), 0);
    vt_fx_call_ok(keeper, "config.store", "set_config",
                  vt_fx_json("[\"victim\", \"fresh\", \"{}\", \"json\"]"));
    vt_fx_call_ok(keeper, "config.store", "set_config",
                  vt_fx_json("[\"huge\", \"fresh\", \"{}\", \"json\"]"));
    vt_agent_destroy(&keeper);
    /* Both originals are kept, byte for byte, beside the new stores. */
    char *aside = only_file(dir, "victim.store.unloadable-");
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(vt_fs_read_file(aside, 1 << 20, &text, &len), 0);
    ck_assert_str_eq(text, "{\"cfg\": {\"type\": \"json\", \"data\": \"{}\"");
    free(text);
    free(aside);
    aside = only_file(dir, "huge.store.unloadable-");
    ck_assert_int_eq(vt_fs_read_file(aside, 1 << 20, &text, &len), 0);
    ck_assert_str_eq(text, bigtext);
    free(text);
    free(aside);
    char *log = vt_asprintf("%s/volttron.log", fx->home);
    ck_assert_int_eq(vt_fs_read_file(log, 1 << 24, &text, &len), 0);
    ck_assert_ptr_nonnull(strstr(text, "moved to"));
    free(text);
    free(log);
    free(data);
    free(bigtext);
    free(big);
    free(garbage);
    free(dir);
}
END_TEST

START_TEST(test_temporaries_of_interrupted_writes_removed)
{
    vt_fx_stop_platform(fx);
    char *store_tmp = vt_asprintf("%s/configuration_store/a.store.tmp.AbC123", fx->home);
    char *old_tmp = vt_asprintf("%s/auth.json.tmp.XyZ789", fx->home);
    char *fresh_tmp = vt_asprintf("%s/auth.json.tmp.Fresh1", fx->home);
    put(store_tmp, "{}");
    put(old_tmp, "{}");
    put(fresh_tmp, "{}");
    /* one left two minutes ago, one being written by vctl right now */
    struct timeval past[2];
    gettimeofday(&past[0], NULL);
    past[0].tv_sec -= 120;
    past[1] = past[0];
    ck_assert_int_eq(utimes(old_tmp, past), 0);
    vt_fx_restart(fx);
    ck_assert(!vt_fs_exists(store_tmp));
    ck_assert(!vt_fs_exists(old_tmp));
    ck_assert(vt_fs_exists(fresh_tmp));
    free(store_tmp);
    free(old_tmp);
    free(fresh_tmp);
}
END_TEST

START_TEST(test_config_file_not_executable)
{
    char *path = vt_asprintf("%s/config", fx->home);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_msg((st.st_mode & 0111) == 0, "config has mode %o", st.st_mode & 0777);
    ck_assert_msg((st.st_mode & 0007) == 0, "config is readable by others: %o", st.st_mode & 0777);
    free(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("config_store_contained");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_identity_cannot_leave_the_store_dir);
    tcase_add_test(tc, test_store_beyond_the_limit_refused_on_write);
    tcase_add_test(tc, test_unloadable_store_kept_aside);
    tcase_add_test(tc, test_temporaries_of_interrupted_writes_removed);
    tcase_add_test(tc, test_config_file_not_executable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
