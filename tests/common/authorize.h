/* Allow a key in a test platform's auth.json (the platform reloads the file
 * when it changes). Shared by the integration fixture and the benchmarks. */
#ifndef VT_AUTHORIZE_H
#define VT_AUTHORIZE_H

#include <volttron/client/keys.h>

/* Append an allow entry for identity's public key, with capabilities (JSON
 * object text) or, when NULL, what an installed agent gets: editing its own
 * configuration store. 0 or a negative errno. */
int vt_test_authorize(const char *home, const char *identity, const vt_keypair *keys,
                      const char *capabilities_json);

/* The same with the auth user and the entry's identity (NULL: an entry
 * without one) given apart. */
int vt_test_allow(const char *home, const char *user_id, const char *identity,
                  const vt_keypair *keys, const char *capabilities_json);

#endif
