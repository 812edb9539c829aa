/* vctl: VOLTTRON's control tool (spec vctl-vcfg.md Part A). Shared state and
 * helpers of its subcommands. */
#ifndef VCTL_H
#define VCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <volttron/client/client.h>

/* Exit codes (spec A.3). */
enum {
    VCTL_OK = 0,
    VCTL_FAIL = 1,
    VCTL_USAGE = 2,
    VCTL_NOT_RUNNING = 10,
    VCTL_REMOTE = 20,
    VCTL_TIMEOUT = 75,
    VCTL_ROOT = 77,
};

typedef struct vctl {
    const char *command; /* the first-level subcommand, for messages */
    char *home;
    char *vip_address;    /* NULL: VOLTTRON_VIP_ADDR, else the local ipc address */
    int64_t deadline_ms;  /* the whole command's timeout (monotonic) */
    const char *identity; /* NULL: control.connection */
    bool json;
    bool debug;
    vt_agent *agent; /* control.connection, connected on first use */
} vctl;

/* ---- the platform ---- */

/* Whether VOLTTRON_PID names a live process. */
bool vctl_running(const vctl *v);
/* Connect as control.connection (once). 0, or an exit code after printing
 * why. */
int vctl_connect(vctl *v);
/* Milliseconds left before the command's deadline (at least 1). */
int vctl_left_ms(const vctl *v);

/* Call peer.method(params) (params taken) and wait. 0 with *result (owned;
 * may be NULL if result is NULL), or an exit code after printing the error
 * as VOLTTRON's vctl does: a remote exception "<command>: error: <detail>"
 * (20), a timeout "<command>: operation timed out" (75), anything else (1). */
int vctl_call(vctl *v, const char *peer, const char *method, cJSON *params, cJSON **result);
/* The same with a timeout of its own (ms, still capped by the deadline),
 * printing nothing: the caller decides (status code as vt_rpc_status). */
int vctl_call_quiet(vctl *v, const char *peer, const char *method, cJSON *params, int timeout_ms,
                    cJSON **result, vt_rpc_error *err);
/* Run the connection's loop until done(ctx) or the deadline; false on
 * timeout (message printed, exit code VCTL_TIMEOUT for the caller). */
bool vctl_wait(vctl *v, bool (*done)(void *ctx), void *ctx);

/* Wait (up to the deadline) for a process that is not our child to end. */
bool vctl_wait_exit(vctl *v, pid_t pid);

/* "<command>: error: <fmt...>" on stderr; returns code. */
int vctl_error(const vctl *v, int code, const char *fmt, ...) VT_PRINTF(3, 4);

/* ---- arguments ---- */

cJSON *vctl_strings(const char *a, const char *b, const char *c);

/* ---- agents on disk, selected as spec A.4 says ---- */

typedef struct vctl_agent {
    vt_instance inst;
    char *name; /* "<package name>-<version>" */
} vctl_agent;

typedef struct vctl_filter {
    bool by_name, by_tag, by_uuid, all_tagged;
} vctl_filter;

/* Installed agents, sorted by name then identity. */
int vctl_agents(vctl *v, vctl_agent **out, size_t *n);
void vctl_agents_free(vctl_agent *a, size_t n);
/* The agents a pattern selects (indices into all, in order, no duplicates).
 * Returns the count; *picked is malloc'ed. An ambiguous UUID prefix is -1
 * with a message. */
int vctl_select(const vctl_agent *all, size_t n, const char *pattern, const vctl_filter *f,
                size_t **picked);
/* VOLTTRON's glob: '*' any run, '?' one character, the rest literal. */
bool vctl_glob(const char *pattern, const char *s);
/* How many UUID characters tables show (spec A.5: -n, and enough to tell
 * every pair apart). */
int vctl_uuid_width(const vctl_agent *all, size_t n, int requested);

/* ---- subcommands ---- */

typedef int (*vctl_cmd_fn)(vctl *v, int argc, char **argv);

int vctl_cmd_install(vctl *v, int argc, char **argv);
int vctl_cmd_package(vctl *v, int argc, char **argv);
int vctl_cmd_create_agent(vctl *v, int argc, char **argv);
int vctl_cmd_remove(vctl *v, int argc, char **argv);
int vctl_cmd_start(vctl *v, int argc, char **argv);
int vctl_cmd_stop(vctl *v, int argc, char **argv);
int vctl_cmd_restart(vctl *v, int argc, char **argv);
int vctl_cmd_enable(vctl *v, int argc, char **argv);
int vctl_cmd_disable(vctl *v, int argc, char **argv);
int vctl_cmd_tag(vctl *v, int argc, char **argv);
int vctl_cmd_clear(vctl *v, int argc, char **argv);
int vctl_cmd_list(vctl *v, int argc, char **argv);
int vctl_cmd_status(vctl *v, int argc, char **argv);
int vctl_cmd_health(vctl *v, int argc, char **argv);
int vctl_cmd_peerlist(vctl *v, int argc, char **argv);
int vctl_cmd_shutdown(vctl *v, int argc, char **argv);
int vctl_cmd_config(vctl *v, int argc, char **argv);
int vctl_cmd_auth(vctl *v, int argc, char **argv);
int vctl_cmd_rpc(vctl *v, int argc, char **argv);
int vctl_cmd_publish(vctl *v, int argc, char **argv);
int vctl_cmd_subscribe(vctl *v, int argc, char **argv);

#endif
