/* The configuration: defaults, overlays, and what is refused. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/utils.h>

#include "settings.h"

static cJSON *J(const char *text)
{
    cJSON *j = vt_json_parse(text, strlen(text), 0, NULL, NULL);
    ck_assert_msg(j != NULL, "bad test JSON %s", text);
    return j;
}

/* builtin <- file <- store, parsed. */
static int parse3(const char *file, const char *store, act_settings *out)
{
    cJSON *builtin = act_settings_builtin();
    cJSON *f = file ? J(file) : NULL, *s = store ? J(store) : NULL;
    cJSON *defaults = act_settings_merge(builtin, f);
    cJSON *merged = act_settings_merge(defaults, s);
    int rc = act_settings_parse(merged, out);
    cJSON_Delete(builtin);
    cJSON_Delete(f);
    cJSON_Delete(s);
    cJSON_Delete(defaults);
    cJSON_Delete(merged);
    return rc;
}

START_TEST(test_builtin_defaults)
{
    act_settings s;
    ck_assert_int_eq(parse3(NULL, NULL, &s), 0);
    ck_assert(s.schedule_publish_interval == 60.0);
    ck_assert(s.heartbeat_interval == 60.0);
    ck_assert(s.preempt_grace_time == 60.0);
    ck_assert_str_eq(s.driver_vip_identity, "platform.driver");
    ck_assert(s.allow_no_lock_write);
    act_settings_clear(&s);
}
END_TEST

START_TEST(test_layers)
{
    act_settings s;
    /* the shipped file config, then a store entry over it */
    ck_assert_int_eq(parse3("{\"schedule_publish_interval\": 30, \"heartbeat_interval\": 20, "
                            "\"preempt_grace_time\": 30}",
                            "{\"preempt_grace_time\": \"2.5\", \"allow_no_lock_write\": false, "
                            "\"driver_vip_identity\": \"my.driver\", \"other\": 1}",
                            &s),
                     0);
    ck_assert(s.schedule_publish_interval == 30.0);
    ck_assert(s.heartbeat_interval == 20.0);
    ck_assert(s.preempt_grace_time == 2.5);
    ck_assert_str_eq(s.driver_vip_identity, "my.driver");
    ck_assert(!s.allow_no_lock_write);
    act_settings_clear(&s);
}
END_TEST

START_TEST(test_flag_strings_mean_what_they_say)
{
    /* [QUIRK] Python's bool("false") is True; ours is false */
    const char *no[] = {"\"false\"", "\"False\"", "\"no\"", "\"0\"", "0", "false"};
    const char *yes[] = {"\"true\"", "\"YES\"", "\"1\"", "1", "true"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        char *store = vt_asprintf("{\"allow_no_lock_write\": %s}", no[i]);
        act_settings s;
        ck_assert_int_eq(parse3(NULL, store, &s), 0);
        ck_assert_msg(!s.allow_no_lock_write, "%s read as true", no[i]);
        act_settings_clear(&s);
        free(store);
    }
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        char *store = vt_asprintf("{\"allow_no_lock_write\": %s}", yes[i]);
        act_settings s;
        ck_assert_int_eq(parse3(NULL, store, &s), 0);
        ck_assert_msg(s.allow_no_lock_write, "%s read as false", yes[i]);
        act_settings_clear(&s);
        free(store);
    }
}
END_TEST

START_TEST(test_refused)
{
    struct {
        const char *store;
        const char *error;
    } bad[] = {
        {"{\"heartbeat_interval\": \"soon\"}",
         "config key \"heartbeat_interval\": could not convert string to float: 'soon'"},
        {"{\"heartbeat_interval\": 0}", "config key \"heartbeat_interval\" must be more than 0 "
                                        "seconds, got 0"},
        {"{\"schedule_publish_interval\": -5}",
         "config key \"schedule_publish_interval\" must be more than 0 seconds, got -5"},
        {"{\"preempt_grace_time\": -1}",
         "config key \"preempt_grace_time\" must be at least 0 seconds, got -1"},
        {"{\"preempt_grace_time\": [1]}",
         "config key \"preempt_grace_time\" must be a number of seconds, got an array"},
        {"{\"allow_no_lock_write\": \"maybe\"}",
         "config key \"allow_no_lock_write\" must be true or false, got \"maybe\""},
        {"{\"driver_vip_identity\": \"\"}",
         "config key \"driver_vip_identity\" must be a non-empty string, got a string"},
        {"{\"driver_vip_identity\": null}",
         "config key \"driver_vip_identity\" must be a non-empty string, got null"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        act_settings s = {.heartbeat_interval = 42};
        ck_assert_msg(parse3(NULL, bad[i].store, &s) < 0, "accepted %s", bad[i].store);
        ck_assert_str_eq(vt_last_error(), bad[i].error);
        ck_assert(s.heartbeat_interval == 42); /* untouched */
    }
    act_settings s;
    cJSON *arr = J("[]");
    ck_assert_int_lt(act_settings_parse(arr, &s), 0);
    cJSON_Delete(arr);
    /* a zero grace time is fine: preempted tasks end at once */
    ck_assert_int_eq(parse3(NULL, "{\"preempt_grace_time\": 0}", &s), 0);
    ck_assert(s.preempt_grace_time == 0.0);
    act_settings_clear(&s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("actuator-settings");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_builtin_defaults);
    tcase_add_test(tc, test_layers);
    tcase_add_test(tc, test_flag_strings_mean_what_they_say);
    tcase_add_test(tc, test_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
