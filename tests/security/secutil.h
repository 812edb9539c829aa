/* What the security tests share: agent packages made of a shell script,
 * installing them with vctl, and looking at the processes an agent left,
 * found through /proc (their environment names the instance, their process
 * group the copy). */
#ifndef VT_SECUTIL_H
#define VT_SECUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fixture.h"

/* A package directory (fx->home/packages-src/<name>) whose executable is
 * script, a /bin/sh program. Caller frees the path. */
char *vt_sec_script_package(vt_fx *fx, const char *name, const char *script);

/* vctl install dir ARGS... (NULL-terminated); the test fails if vctl does.
 * The new instance's UUID (caller frees). */
char *vt_sec_install(vt_fx *fx, const char *dir, ...);

/* control.agent_status(identity): the pid, 0 when it does not run. */
long vt_sec_agent_pid(vt_agent *caller, const char *identity);

/* Live (not zombie) processes whose environment holds entry
 * ("AGENT_UUID=..."): how many, and up to max of their pids and process
 * groups (either array may be NULL). */
int vt_sec_procs_with_env(const char *entry, pid_t *pids, pid_t *pgids, int max);
/* Live processes in process group pgid. */
int vt_sec_group_count(pid_t pgid);

/* SIGKILL whatever runs with VOLTTRON_HOME=home in its environment, the
 * platform excepted: what a failing test leaves must not outlive it. */
void vt_sec_kill_home(const char *home, pid_t platform);
/* SIGTERM the platform and wait up to ms for it; SIGKILL if it is still
 * there. Its wait status (-1 if it had to be killed). fx->pid becomes 0. */
int vt_sec_stop_platform(vt_fx *fx, int ms);

/* Poll (every 50 ms, up to ms) until path contains text. */
bool vt_sec_file_has(const char *path, const char *text, int ms);
/* Occurrences of text in path (0 if unreadable). */
int vt_sec_file_count(const char *path, const char *text);
long long vt_sec_file_size(const char *path);

#endif
