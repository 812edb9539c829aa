/* The agent core: one VIP connection, one event loop, and the subsystems.
 *
 *     static void on_start(vt_agent *agent, void *ctx)
 *     {
 *         vt_pubsub_subscribe(agent, "devices/", on_device, ctx);
 *     }
 *
 *     int main(int argc, char **argv)
 *     {
 *         vt_agent *agent = vt_agent_new_from_env(argc, argv);
 *         if (!agent)
 *             return 1;
 *         vt_agent_on_start(agent, on_start, NULL);
 *         int rc = vt_agent_run(agent);          // until SIGTERM/SIGINT or stop
 *         vt_agent_destroy(&agent);
 *         return rc;
 *     }
 *
 * An agent launched by the platform finds everything in its environment:
 * AGENT_VIP_IDENTITY, VOLTTRON_HOME, VOLTTRON_VIP_ADDR, AGENT_PUBLICKEY,
 * AGENT_SECRETKEY, VOLTTRON_SERVERKEY, AGENT_CONFIG, AGENT_DATA_DIR.
 */
#ifndef VT_CLIENT_AGENT_H
#define VT_CLIENT_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include <volttron/client/export.h>
#include <volttron/client/loop.h>
#include <volttron/client/message.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_agent vt_agent;

/* How to build an agent. Zero-initialise and set what you need; every NULL
 * or 0 field falls back to the environment and then to VOLTTRON's default. */
typedef struct vt_agent_options {
    const char *identity;      /* AGENT_VIP_IDENTITY, else a random UUID */
    const char *volttron_home; /* VOLTTRON_HOME, else ~/.volttron */
    /* VOLTTRON_VIP_ADDR, else ipc://@$VOLTTRON_HOME/run/vip.socket. May carry
     * serverkey/publickey/secretkey query parameters. */
    const char *address;
    const char *serverkey; /* VOLTTRON_SERVERKEY, address, known_hosts */
    const char *publickey; /* AGENT_PUBLICKEY, address, keystore */
    const char *secretkey; /* AGENT_SECRETKEY, address, keystore */
    /* 1 = CURVE, 0 = none (a platform started with --no-auth), -1 = decide
     * from AUTH_ENABLED and whether a server key can be found (default). */
    int auth;
    /* Share an existing loop (the caller keeps owning it). NULL: own loop. */
    vt_loop *loop;
    /* Heartbeat period in seconds: 0 = VOLTTRON's 60, <0 = no heartbeat. */
    int heartbeat_period;
    const char *version;     /* answered by agent.version; default "0.1" */
    const char *config_path; /* AGENT_CONFIG: the config file to load */
    /* Give up when the platform cannot be reached (instead of waiting for
     * it to come up): what command-line tools want. */
    bool fail_fast;
    /* Without SIGTERM/SIGINT handling (the caller handles signals). */
    bool no_signals;
    /* Do not fetch configurations from config.store at connect (tools and
     * the platform's own services). */
    bool no_config_store;
    /* Check callers' capabilities for methods that require them (see
     * vt_rpc_require): 0 = when the agent connects with CURVE (default),
     * 1 = always, -1 = never. */
    int enforce_capabilities;
} vt_agent_options;

/* A new agent (not yet connected). NULL on error with vt_last_error()
 * naming the problem (bad key, unreadable config, ...). Caller owns it. */
VT_CLIENT_EXPORT vt_agent *vt_agent_new(const vt_agent_options *opts);

/* The agent from its environment and command line. Understands
 *   -v/-q (log level), -l/--log FILE, --identity ID, --vip-address ADDR,
 *   --serverkey KEY, --publickey KEY, --secretkey KEY, --config FILE,
 *   --volttron-home DIR, --no-auth, --version, -h/--help
 * and prints a usage error for anything else. --help and --version print
 * and exit the process with status 0. NULL (after printing why on stderr)
 * if the agent cannot be made. */
VT_CLIENT_EXPORT vt_agent *vt_agent_new_from_env(int argc, char **argv);

/* Disconnect (sending agentstop if connected) and release everything. */
VT_CLIENT_EXPORT void vt_agent_destroy(vt_agent **agent);

typedef void (*vt_agent_fn)(vt_agent *agent, void *ctx);

/* Hooks. on_start runs once, after the first welcome from the platform;
 * on_stop runs once when the agent stops (before agentstop is sent).
 * on_connect runs after every welcome (reconnects included). Several hooks
 * of each kind run in the order they were added. */
VT_CLIENT_EXPORT void vt_agent_on_start(vt_agent *agent, vt_agent_fn fn, void *ctx);
VT_CLIENT_EXPORT void vt_agent_on_stop(vt_agent *agent, vt_agent_fn fn, void *ctx);
VT_CLIENT_EXPORT void vt_agent_on_connect(vt_agent *agent, vt_agent_fn fn, void *ctx);

/* Connect and run the loop until vt_agent_stop, a signal, or a fatal error.
 * Returns 0 after an orderly stop, non-zero otherwise. */
VT_CLIENT_EXPORT int vt_agent_run(vt_agent *agent);
/* Connect without running the loop (for agents sharing a loop). */
VT_CLIENT_EXPORT int vt_agent_start(vt_agent *agent);
/* Stop: run on_stop hooks, say agentstop, stop the loop if it is the
 * agent's own. exit_code becomes vt_agent_run's result. */
VT_CLIENT_EXPORT void vt_agent_stop(vt_agent *agent, int exit_code);

/* Properties (strings owned by the agent). */
VT_CLIENT_EXPORT const char *vt_agent_identity(const vt_agent *agent);
VT_CLIENT_EXPORT const char *vt_agent_home(const vt_agent *agent);
VT_CLIENT_EXPORT const char *vt_agent_address(const vt_agent *agent);
VT_CLIENT_EXPORT vt_loop *vt_agent_loop(vt_agent *agent);
VT_CLIENT_EXPORT bool vt_agent_connected(const vt_agent *agent);
/* The agent's own public key (43-character text), "" without auth. */
VT_CLIENT_EXPORT const char *vt_agent_publickey(const vt_agent *agent);

/* The one directory the agent may write to: AGENT_DATA_DIR when launched by
 * the platform, else $VOLTTRON_HOME/agents/<identity>/data. Created on first
 * use. NULL (with a message) only if it cannot be created. */
VT_CLIENT_EXPORT const char *vt_agent_data_dir(vt_agent *agent);

/* The agent's configuration file (AGENT_CONFIG / options.config_path / -c),
 * parsed: an object, empty if there is none. Owned by the agent. */
VT_CLIENT_EXPORT const cJSON *vt_agent_config(const vt_agent *agent);

typedef void (*vt_agent_timer_fn)(vt_agent *agent, void *ctx);
/* Timers on the agent's loop with the agent passed back. One-shot after
 * delay_ms; periodic every period_ms with the first call after period_ms
 * (or at once with vt_agent_every_now). Cancel with vt_agent_cancel. */
VT_CLIENT_EXPORT vt_timer *vt_agent_after(vt_agent *agent, int64_t delay_ms, vt_agent_timer_fn fn,
                                          void *ctx);
VT_CLIENT_EXPORT vt_timer *vt_agent_every(vt_agent *agent, int64_t period_ms, vt_agent_timer_fn fn,
                                          void *ctx);
VT_CLIENT_EXPORT vt_timer *vt_agent_every_now(vt_agent *agent, int64_t period_ms,
                                              vt_agent_timer_fn fn, void *ctx);
VT_CLIENT_EXPORT void vt_agent_cancel(vt_agent *agent, vt_timer *timer);

/* ---- for subsystems (built-in and custom) ---- */

/* Handle every message of a subsystem ("RPC", "pubsub", your own). The
 * message is the received VIP message (see message.h); do not keep it. */
typedef void (*vt_subsystem_fn)(vt_agent *agent, const vt_message *msg, void *ctx);
VT_CLIENT_EXPORT void vt_agent_register_subsystem(vt_agent *agent, const char *name,
                                                  vt_subsystem_fn fn, void *ctx);

/* Send a VIP message: args (may be NULL) are the argument frames and are
 * consumed (the message is destroyed). msg_id NULL means "". Returns 0, or
 * -ENOTCONN / -EAGAIN (platform not reachable, queue full) with a message. */
VT_CLIENT_EXPORT int vt_agent_send(vt_agent *agent, const char *peer, const char *subsystem,
                                   const char *msg_id, vt_message *args);

/* A fresh message id that no other request of this agent uses, and that is
 * not a JSON scalar (so a Python router passes it unchanged). Written into
 * buf (at least 32 bytes). */
VT_CLIENT_EXPORT const char *vt_agent_next_id(vt_agent *agent, char *buf);

#ifdef __cplusplus
}
#endif

#endif
