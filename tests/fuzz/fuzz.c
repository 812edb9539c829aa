#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <volttron/utils/fs.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "fuzz.h"

static char *scratch;

static void remove_scratch(void)
{
    if (scratch)
        vt_fs_remove_tree(scratch);
    free(scratch);
    scratch = NULL;
}

/* tmpfs when there is one: targets that write files run several times
 * faster there than on a disk. */
static const char *scratch_parent(void)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp && *tmp)
        return tmp;
    if (access("/dev/shm", W_OK | X_OK) == 0)
        return "/dev/shm";
    return "/tmp";
}

const char *fz_setup(const char *target)
{
    if (scratch)
        return scratch;
    vt_log_set_level(VT_LOG_DEBUG);
    const char *show = getenv("VT_FUZZ_LOG");
    if (!(show && strcmp(show, "1") == 0) && vt_log_to_file("/dev/null") < 0)
        vt_log_set_level(VT_LOG_CRITICAL + 10);
    char *templ = vt_asprintf("%s/vt-fuzz-%s-XXXXXX", scratch_parent(), target);
    if (!mkdtemp(templ)) {
        perror(templ);
        abort();
    }
    scratch = templ;
    atexit(remove_scratch);
    return scratch;
}

char *fz_path(const char *name)
{
    return vt_fs_path_join(scratch, name);
}

void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    fprintf(stderr, "%s:%d: check failed: %s: ", file, line, cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
