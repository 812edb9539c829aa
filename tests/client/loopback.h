/* A connection for client unit tests: what the agent sends is kept for the
 * test to read, and the test hands the agent messages as a router (a C one,
 * or a Python one with its re-encodings) would deliver them. */
#ifndef VT_LOOPBACK_H
#define VT_LOOPBACK_H

#include <stddef.h>

#include <volttron/client/client.h>
#include <volttron/client/conn.h>

/* A new agent on a loopback connection, welcomed and connected. */
vt_agent *lb_agent(const char *identity);
/* Number of messages the agent has sent, and the i-th (owned by the
 * loopback; frames as a DEALER sends them: recipient, VIP1, user, id,
 * subsystem, args). */
size_t lb_sent_count(void);
const vt_message *lb_sent(size_t i);
const vt_message *lb_last(void);
void lb_forget(void);
/* Deliver [peer, VIP1, user, id, subsystem, args...] to the agent. Each arg
 * is a (const char *data, size_t len) pair; the list ends with NULL. */
void lb_inject(vt_agent *agent, const char *peer, const char *user, const char *id,
               const char *subsystem, ...);
/* Frame i of message m as a NUL-terminated copy (static buffer). */
const char *lb_frame(const vt_message *m, size_t i);

#endif
