/* The configuration loader's entry point (vt_config_load, config.c): the
 * file an agent is started with. The input is written to a file whose name
 * the first byte picks (.json, .yaml, .yml, or none, which makes the loader
 * sniff JSON, then YAML), and loaded. A loaded configuration is always an
 * object. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <volttron/utils/config.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>

#include "fuzz.h"

static char *paths[4];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup("config");
    static const char *const names[] = {"agent.config", "agent.json", "agent.yaml", "agent.yml"};
    for (size_t i = 0; i < 4; i++)
        paths[i] = fz_path(names[i]);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *path = paths[data[0] & 3];
    if (vt_fs_write_atomic(path, data + 1, size - 1, 0600) < 0)
        abort(); /* the scratch directory is gone: nothing more can be tested */
    cJSON *v = vt_config_load(path);
    if (v)
        FZ_CHECK(cJSON_IsObject(v), "a configuration that is not an object was accepted");
    else
        FZ_CHECK(vt_last_error()[0] != '\0', "refused without saying why");
    cJSON_Delete(v);
    unlink(path);
    return 0;
}
