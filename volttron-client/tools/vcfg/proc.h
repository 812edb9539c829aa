/* Running the other programs: vctl for each install step, volttron when no
 * platform is running. */
#ifndef VCFG_PROC_H
#define VCFG_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include <volttron/utils/buf.h>

/* The program name next to vcfg's own executable, else the first one in
 * $PATH. Caller frees; NULL (with the reason in vt_last_error()) if there is
 * none. */
char *vcfg_find_program(const char *name);

/* Run argv (argv[0] a path) with stdin from /dev/null, collecting its
 * output into out and err (either may be NULL to discard it). After
 * timeout_ms it is killed. Returns its exit status (0-255), 128 + the signal
 * that ended it, or a negative errno with the reason in vt_last_error() when
 * it could not run or timed out. */
int vcfg_run(char *const argv[], vt_buf *out, vt_buf *err, int timeout_ms);

/* Start argv in the background, stdin from /dev/null, stdout and stderr
 * appended to log_path. The pid, or a negative errno. */
pid_t vcfg_spawn(char *const argv[], const char *log_path);

/* The command as one line, for messages. Caller frees. */
char *vcfg_command_line(char *const argv[]);

#endif
