/* Running a program under test and capturing what it says. */
#ifndef VT_RUN_H
#define VT_RUN_H

#include "fixture.h"

/* Run argv (NULL-terminated) with stdin_text (NULL: /dev/null) on its
 * stdin; its stdout and stderr land in *out and *err (malloc'ed, NUL-
 * terminated; the caller frees; either pointer may be NULL to drop it).
 * env (may be NULL): "NAME=value" entries added to this process's
 * environment. Returns the exit status, 128+signal if killed. */
int vt_run(const char *const *argv, const char *const *env, const char *stdin_text, char **out,
           char **err);

/* vctl --allow-root ARGS... against fx's platform (VOLTTRON_HOME set):
 * the exit status, output captured as vt_run. The argument list ends with
 * NULL. */
int vt_fx_vctl(vt_fx *fx, char **out, char **err, ...);
/* The same with stdin text. */
int vt_fx_vctl_in(vt_fx *fx, const char *stdin_text, char **out, char **err, ...);

/* Store a configuration (text) in identity's config store through vctl
 * ("--json", "--csv" or "--raw"); the test fails if vctl does. */
void vt_fx_store_config(vt_fx *fx, const char *identity, const char *name, const char *text,
                        const char *type);

#endif
