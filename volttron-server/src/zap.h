/* ZAP, the ZeroMQ authentication handler, and what a key proves.
 *
 * libzmq asks ZAP about every CURVE handshake; the handler admits the keys
 * auth.json's allow list names and answers the key itself as the ZAP
 * User-Id, so that every message of the connection carries the key that
 * was proven (zmq_msg_gets(msg, "User-Id")). The handshake cannot tell
 * which identity the peer will claim (libzmq asks ZAP before it reads the
 * peer's routing id), so the router asks vt_zap_bind on the connection's
 * first message whether that key may go by that identity. */
#ifndef VT_ZAP_H
#define VT_ZAP_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include <volttron/client/loop.h>

typedef struct vt_zap vt_zap;

/* The handler bound at inproc://zeromq.zap.01 in zctx, on loop; it reads
 * $volttron_home/auth.json (reloaded when it changes). */
vt_zap *vt_zap_new(vt_loop *loop, void *zctx, const char *volttron_home);
void vt_zap_destroy(vt_zap **zap);

/* Credentials ZAP refused (borrowed JSON array of §6.5 objects). */
cJSON *vt_zap_pending(vt_zap *zap);
/* Admit unknown keys, recording them in auth.json (§6.4). */
void vt_zap_set_setup_mode(vt_zap *zap, bool on);

/* Which auth user a connection whose handshake proved key (43-character
 * text, as the ZAP User-Id) from address (the Peer-Address metadata, may
 * be NULL) is, provided it may use identity:
 *   - the first enabled allow entry that admits the key (as at the
 *     handshake) decides;
 *   - an entry with an "identity" allows that identity and its dotted
 *     sub-identities ("<identity>.<anything>", e.g. a second connection of
 *     the same agent), a "/regex/" identity the identities it matches;
 *   - an entry without one allows any identity that is not reserved for
 *     the platform and that no other allow entry names.
 * 0 with *user (the entry's user_id, caller frees), or -EACCES with the
 * reason in vt_last_error(). */
int vt_zap_bind(vt_zap *zap, const char *key, const char *address, const char *identity,
                char **user);

/* fn(ctx) runs before every handshake is answered: the router catches up
 * with connections that closed first, so that a descriptor number libzmq
 * reuses for the new connection is not taken for the old one. */
void vt_zap_before_answer(vt_zap *zap, void (*fn)(void *ctx), void *ctx);

/* Bumped whenever auth.json is reloaded: bindings made under an older
 * generation must be made again. */
unsigned vt_zap_generation(const vt_zap *zap);

#endif
