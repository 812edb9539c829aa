/* Agent processes: each installed instance runs as its own process,
 * started with its identity, keys, server key, address and directories in
 * its environment (platform-services.md §11.2), its output logged under its
 * identity within a budget (output.h), restarted with exponential backoff
 * when it crashes (up to a limit), and stopped politely then forcibly
 * (§11.4). Everything runs on the platform's loop: exits are seen through
 * pidfds, output through pipes.
 *
 * An agent is its process group (launch.h): it is stopped, and gone, when
 * the whole group is. What it leaves behind when its main process exits
 * (helpers that ignore SIGINT) gets SIGTERM, then SIGKILL a stop timeout
 * later; a stop, a remove or a restart waits for that. Agents die with the
 * platform (they get SIGTERM when it dies), and each running one has a pid
 * file, home/run/agents/<identity>.pid, so that a platform started after a
 * crash stops what its predecessor left before anything starts twice under
 * one identity. Processes that leave the group (setsid) are out of reach. */
#ifndef VT_AIM_SUPERVISOR_H
#define VT_AIM_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <volttron/client/instances.h>
#include <volttron/client/loop.h>

#include "output.h"

typedef struct vt_supervisor vt_supervisor;

typedef struct vt_supervisor_options {
    const char *home;
    const char *vip_address;        /* what agents connect to (the local ipc address) */
    const char *serverkey;          /* the platform's public key; NULL without auth */
    int restart_limit;              /* restarts in a row before giving up (0: never restart) */
    int64_t restart_backoff_ms;     /* first delay; doubles per restart */
    int64_t restart_backoff_max_ms; /* cap; a run this long resets the count */
    int64_t stop_timeout_ms;        /* SIGINT, this long, SIGTERM, this long, SIGKILL */
    /* Each agent's log budget (output.h); zeros are the defaults, 1000
     * lines at once then 100 a second, drops reported every 10 s. */
    vt_output_limits output_limits;
} vt_supervisor_options;

/* Events for the control service (alerts, router bookkeeping). */
typedef enum vt_agent_event {
    VT_AGENT_STARTED,
    VT_AGENT_EXITED,  /* detail: the return code */
    VT_AGENT_GAVE_UP, /* crashed restart_limit times in a row; detail: last code */
} vt_agent_event;
typedef void (*vt_agent_event_fn)(const char *identity, vt_agent_event ev, int detail, void *ctx);

/* Also stops, blocking (SIGTERM, at most 2 s, SIGKILL, 1 s), every copy a
 * previous platform's agents left running in this home (their pid files). */
vt_supervisor *vt_supervisor_new(vt_loop *loop, const vt_supervisor_options *o);
/* Stop every agent (vt_supervisor_shutdown) and free. */
void vt_supervisor_destroy(vt_supervisor **s);
void vt_supervisor_on_event(vt_supervisor *s, vt_agent_event_fn fn, void *ctx);

/* Start an instance's process. -EALREADY if it runs ("agent is already
 * running"); -EBUSY while processes its last run left are being stopped, or
 * when a copy a previous platform left resists SIGKILL; else 0 or a
 * negative errno with the reason. */
int vt_supervisor_start(vt_supervisor *s, const vt_instance *inst);

/* Stop it: SIGINT to its group, SIGTERM, SIGKILL; once its main process is
 * gone, SIGTERM and SIGKILL to what is left of the group. done(rc, ctx)
 * runs when the whole group is gone (rc 0), or when it could not be killed
 * (-ETIMEDOUT, "process is unresponsive"); at once (0) if nothing of it
 * runs. Stopping cancels any pending restart. */
typedef void (*vt_stop_fn)(int rc, void *ctx);
void vt_supervisor_stop(vt_supervisor *s, const char *identity, vt_stop_fn done, void *ctx);

/* (pid, return code) as VOLTTRON's agent_status: false if the agent never
 * ran in this platform's lifetime. *pid is 0 once exited; *exited tells
 * whether *code (exit status, or -signal) is set. */
bool vt_supervisor_status(vt_supervisor *s, const char *identity, pid_t *pid, bool *exited,
                          int *code);
bool vt_supervisor_running(vt_supervisor *s, const char *identity);
/* Identities with a status, sorted (caller frees each and the array). */
char **vt_supervisor_known(vt_supervisor *s, size_t *n);
/* Forget the status of exited agents: all, or those whose instance is gone. */
void vt_supervisor_clear(vt_supervisor *s, bool all);

/* Stop every agent, groups and all: SIGINT, up to the stop timeout (at
 * most 10 s), then SIGKILL; their last output is logged. Blocks on the
 * loop. */
void vt_supervisor_shutdown(vt_supervisor *s);

#endif
