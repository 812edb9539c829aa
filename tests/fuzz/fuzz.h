/* What every fuzz target shares: a scratch directory on a fast file system,
 * logging that runs every formatting path without flooding the terminal,
 * and a check that turns a broken invariant into a crash libFuzzer records.
 */
#ifndef VT_FUZZ_H
#define VT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry points (declared here so -Wmissing-prototypes is happy). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Once per process: log every level to /dev/null (the formatting code runs
 * on fuzzed text, the terminal stays readable; VT_FUZZ_LOG=1 logs to stderr
 * instead, for looking at a reproducer), and make a scratch directory that
 * is removed at exit. Returns its path. */
const char *fz_setup(const char *target);

/* A fresh path inside the scratch directory (not created), for one input.
 * Caller frees. */
char *fz_path(const char *name);

/* A property the code promises did not hold: print why and abort, which
 * libFuzzer reports as a crash with the input saved. */
#define FZ_CHECK(cond, ...)                                                                        \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                       \
    } while (0)

_Noreturn void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
