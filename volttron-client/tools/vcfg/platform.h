/* The platform vcfg installs agents into: the one running in VOLTTRON_HOME,
 * or one it starts for the purpose and stops afterwards. */
#ifndef VCFG_PLATFORM_H
#define VCFG_PLATFORM_H

#include <stdbool.h>
#include <sys/types.h>

/* How long to wait for a platform vcfg started to write VOLTTRON_PID
 * (VOLTTRON's 45 seconds), and for it to exit after the shutdown. */
#define VCFG_START_TIMEOUT_MS 45000
#define VCFG_STOP_TIMEOUT_MS 60000

/* The platform is running iff home/VOLTTRON_PID holds the pid of a live
 * process. */
bool vcfg_platform_running(const char *home);

/* Run "volttron -v -v -l home/volttron.cfg.log [--allow-root]" (its output
 * also goes to that log) and wait until it is running. 0 with *pid, or a
 * negative errno with the reason in vt_last_error() (the child is stopped
 * then). */
int vcfg_platform_start(const char *volttron, const char *home, bool allow_root, pid_t *pid);

/* Stop the platform started as pid: "vctl shutdown --platform" (vctl may
 * be NULL), then SIGTERM and SIGKILL if it does not exit in time. 0 if it
 * exited by itself, else a negative errno with the reason. */
int vcfg_platform_stop(const char *vctl, bool allow_root, pid_t pid);

#endif
