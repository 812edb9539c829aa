/* A real platform for integration tests: the `volttron` binary started in
 * a fresh VOLTTRON_HOME on a free 127.0.0.1 port (and its ipc address),
 * agents connected to it in-process, and agent processes spawned beside it. */
#ifndef VT_FIXTURE_H
#define VT_FIXTURE_H

#include <stdbool.h>
#include <sys/types.h>

#include <volttron/client/client.h>

typedef struct vt_fx {
    char *home;
    char *tcp; /* tcp://127.0.0.1:<port> */
    char *ipc; /* ipc://@<home>/run/vip.socket */
    pid_t pid;
    bool auth;
    char serverkey[VT_KEY_TEXT_SIZE];
    char **extra_args;
    int notify_fd;  /* where the platform says READY=1 */
    vt_map *grants; /* identity -> capabilities JSON (vt_fx_grant) */
} vt_fx;

/* Start the platform; extra_args (NULL-terminated, may be NULL) are added to
 * its command line. Aborts the test on failure. */
vt_fx *vt_fx_start(bool auth, const char *const *extra_args);
/* Stop it (SIGTERM) and check it exits 0; keep the home. */
void vt_fx_stop_platform(vt_fx *fx);
/* Start it again with the same home, port and keys. */
void vt_fx_restart(vt_fx *fx);
/* Stop and remove everything. */
void vt_fx_destroy(vt_fx **fx);

/* Give identity these capabilities (JSON object text) instead of the
 * default an installed agent gets (editing its own configuration store);
 * applies to agents authorised afterwards. */
void vt_fx_grant(vt_fx *fx, const char *identity, const char *capabilities_json);
/* An authorised key pair for identity (added to auth.json when auth is on). */
void vt_fx_authorize(vt_fx *fx, const char *identity, vt_keypair *keys);

/* An in-process agent, connected (welcome received) within 10 s. over_ipc
 * picks the local address instead of tcp. */
vt_agent *vt_fx_agent(vt_fx *fx, const char *identity, bool over_ipc);
/* The same on a loop shared with other agents (they answer each other while
 * the loop runs); the caller owns the loop and destroys it after them. */
vt_agent *vt_fx_agent_on(vt_fx *fx, const char *identity, bool over_ipc, vt_loop *loop);
/* An in-process agent presenting keys (which may belong to another
 * identity's auth entry) under identity, started but not waited for: it may
 * never be welcomed. */
vt_agent *vt_fx_agent_keyed(vt_fx *fx, const char *identity, const vt_keypair *keys, bool over_ipc,
                            vt_loop *loop);
/* Whether agent gets connected (welcomed) within timeout_ms. */
bool vt_fx_connects(vt_agent *agent, int timeout_ms);

/* Run the agent's loop until cond(ctx) holds or timeout_ms passes;
 * returns cond's final value. */
bool vt_fx_until(vt_agent *agent, bool (*cond)(void *ctx), void *ctx, int timeout_ms);
/* Run the loop for up to ms, returning early only when the agent stops. */
void vt_fx_pump(vt_agent *agent, int ms);

/* Spawn an agent process (program with --identity, address and keys in its
 * environment as the platform gives them); extra args NULL-terminated. */
pid_t vt_fx_spawn(vt_fx *fx, const char *program, const char *identity,
                  const char *const *extra_args);
/* Wait until the router lists the peer (it said hello), up to 10 s. */
bool vt_fx_wait_peer(vt_fx *fx, vt_agent *agent, const char *identity);
/* Wait for a "peerlist drop" of identity seen by any fixture agent. */
bool vt_fx_wait_drop(vt_agent *agent, const char *identity, int timeout_ms);
void vt_fx_forget_announcements(void);
/* SIGKILL/SIGTERM a spawned process and reap it; returns its wait status. */
int vt_fx_kill(pid_t pid, int sig);

/* Paths of the programs under test (from the environment meson sets). */
const char *vt_fx_program(const char *env_name);

#endif
