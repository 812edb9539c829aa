/* The YAML loader (vt_config_parse_yaml, config_yaml.c): agent
 * configurations and `vctl config store --yaml` entries. libyaml does the
 * lexing; what is ours is the mapping to a tree (typing of plain scalars,
 * anchors and aliases with their size limit, merge keys, depth), which this
 * drives. Whatever loads must serialise as JSON that reads back. */
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/config.h>
#include <volttron/utils/json.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup("yaml");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *v = vt_config_parse_yaml((const char *)data, size, "fuzz.yaml");
    if (!v)
        return 0;
    char *text = vt_json_dump(v, 0);
    cJSON *again = vt_json_parse(text, strlen(text), 0, "dumped", NULL);
    FZ_CHECK(again != NULL, "the JSON of a YAML document does not parse: %s", text);
    cJSON_Delete(again);
    free(text);
    cJSON_Delete(v);
    return 0;
}
