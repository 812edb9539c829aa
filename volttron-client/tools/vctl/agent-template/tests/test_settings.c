/* The default configuration loads, and bad ones are refused with a reason. */
#include <stdio.h>
#include <string.h>

#include "../src/settings.h"

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "FAIL: %s\n", what);
        failures++;
    }
}

int main(int argc, char **argv)
{
    settings s = {0};
    char err[256] = "";
    cJSON *cfg = argc > 1 ? vt_config_load(argv[1]) : NULL;
    check(cfg != NULL, "the default config file parses");
    check(settings_load(&s, cfg, err, sizeof err) == 0, "the default config loads");
    check(s.topic_prefix && strcmp(s.topic_prefix, "devices/") == 0, "topic_prefix");
    cJSON_Delete(cfg);

    const char *bad = "{\"greeting\": 5}";
    cfg = vt_json_parse(bad, strlen(bad), 0, NULL, NULL);
    check(settings_load(&s, cfg, err, sizeof err) < 0, "a number for greeting is refused");
    check(strstr(err, "greeting") != NULL, "the reason names the key");
    check(strcmp(s.greeting, "hello") == 0, "the old settings stay");
    cJSON_Delete(cfg);
    settings_clear(&s);
    return failures ? 1 : 0;
}
