#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/fs.h>
#include <volttron/utils/mem.h>

#include "testutil.h"

int vt_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}

char *vt_test_mkdtemp(void)
{
    const char *tmp = getenv("TMPDIR");
    char *path = vt_asprintf("%s/vt-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(path)) {
        perror("mkdtemp");
        abort();
    }
    return path;
}

void vt_test_rmtree(const char *path)
{
    vt_fs_remove_tree(path);
}

char *vt_test_write_file(const char *dir, const char *name, const char *text)
{
    char *path = vt_fs_path_join(dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
    return path;
}
