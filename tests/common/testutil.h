/* Helpers shared by the Check unit tests. */
#ifndef VT_TESTUTIL_H
#define VT_TESTUTIL_H

#include <check.h>

/* Run one suite; returns the process exit status (0 when all passed). */
int vt_test_run(Suite *s);

/* A fresh temporary directory under $TMPDIR (removed by vt_test_rmtree).
 * Caller frees the returned path. */
char *vt_test_mkdtemp(void);
void vt_test_rmtree(const char *path);

/* Write text to dir/name; returns the full path (caller frees). */
char *vt_test_write_file(const char *dir, const char *name, const char *text);

#endif
