/* The INI reader (vt_ini_parse, ini.c): $VOLTTRON_HOME/config, which vcfg
 * and vctl also write back. So beyond "no crash": a parsed document must
 * dump to text that parses again to the same dump, and the accessors and
 * the shell-style unquoting used on option values must cope with any value. */
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/ini.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup("ini");
    return 0;
}

static void accessors(const vt_ini *ini, const char *section)
{
    const char *key, *value;
    for (size_t i = 0; vt_ini_entry(ini, section, i, &key, &value); i++) {
        const char *all[4];
        vt_ini_get_all(ini, section, key, all, 4);
        FZ_CHECK(vt_ini_get(ini, section, key) != NULL, "entry %s not found by its key", key);
        bool b;
        vt_ini_get_bool(ini, section, key, &b);
        free(vt_ini_unquote(value));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vt_ini *ini = vt_ini_parse((const char *)data, size, "fuzz.ini");
    if (!ini)
        return 0;
    accessors(ini, "");
    accessors(ini, "volttron");
    char *text = vt_ini_dump(ini);
    vt_ini *again = vt_ini_parse(text, strlen(text), "dumped");
    FZ_CHECK(again != NULL, "our own output does not parse:\n%s", text);
    char *text2 = vt_ini_dump(again);
    FZ_CHECK(strcmp(text, text2) == 0, "not stable:\n%s\nthen\n%s", text, text2);
    /* what vcfg does to a loaded file */
    vt_ini_set(again, "volttron", "vip-address", "tcp://127.0.0.1:22916");
    vt_ini_add(again, "volttron", "vip-address", "ipc://@x");
    vt_ini_remove(again, "", "instance-name");
    free(vt_ini_dump(again));
    free(text2);
    free(text);
    vt_ini_destroy(&again);
    vt_ini_destroy(&ini);
    return 0;
}
