/* An agent whose connection is the fuzz input: what the agent sends is
 * counted and dropped (or printed with VT_FUZZ_TRACE=1, to learn the
 * message ids a seed must answer), and messages from the input are
 * delivered to it as the router would deliver them. For fuzz_agent and
 * fuzz_actuator. */
#ifndef VT_FUZZ_FAKECONN_H
#define VT_FUZZ_FAKECONN_H

#include <volttron/client/client.h>
#include <volttron/client/conn.h>

#include "frames.h"

/* A new agent on a fake connection (not started). NULL if it cannot be
 * made. */
vt_agent *fz_agent_new(const vt_agent_options *opts);

/* Start it, bring the transport up and answer its hello with a welcome,
 * as the router does: on return the agent is connected and its start
 * hooks have run. */
void fz_agent_connect(vt_agent *agent);

/* Deliver one message from the input: frames as a DEALER receives them
 * (peer, "VIP1", user-id, message id, subsystem, arguments). */
void fz_agent_deliver(vt_agent *agent, const fz_message *m);

/* Run the agent's loop until nothing is ready (deferred work, due timers). */
void fz_agent_settle(vt_agent *agent);

/* Messages the agents of this process have sent so far. */
size_t fz_sent_count(void);

#endif
