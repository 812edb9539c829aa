/* VIP identities: which names an agent may go by.
 *
 * One validator for every place an identity turns into something that
 * matters: a directory under agents/, a configuration store file, an auth
 * entry, a peer of the router. Whatever arrives (an RPC argument, an
 * agent.json, a command line) is checked here once, the same way. */
#ifndef VT_CLIENT_IDENTITY_H
#define VT_CLIENT_IDENTITY_H

#include <stdbool.h>

#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest identity accepted, in bytes. */
#define VT_IDENTITY_MAX 64

/* Whether s is a valid VIP identity: 1-64 characters of [A-Za-z0-9_.-]
 * (VOLTTRON's set), not starting with a dot (so never ".", ".." or a hidden
 * file name). */
VT_CLIENT_EXPORT bool vt_identity_valid(const char *s);

/* Whether s belongs to the platform itself: its services (control,
 * config.store, platform.auth, platform.health, keydiscovery, platform_web,
 * ...), the names vctl connects as (control.connection and
 * control.connection.*), and the user "platform". No agent may be installed
 * under, or be given an auth entry for, a reserved identity. */
VT_CLIENT_EXPORT bool vt_identity_reserved(const char *s);

/* Both checks with the reason: 0, or -EINVAL with vt_last_error() saying
 * what is wrong with s ("what" names it in the message, e.g. "identity").
 * allow_reserved skips the reserved check (for platform code). */
VT_CLIENT_EXPORT int vt_identity_check(const char *s, const char *what, bool allow_reserved);

#ifdef __cplusplus
}
#endif

#endif
