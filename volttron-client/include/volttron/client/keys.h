/* CURVE key pairs and the files VOLTTRON keeps them in.
 *
 * Keys are handled in VOLTTRON's text form: 43 characters of URL-safe base64
 * without padding. Key stores are JSON files {"public": ..., "secret": ...}
 * (4-space indent, mode 0600); $VOLTTRON_HOME/known_hosts maps a host
 * ("127.0.0.1:22916", "@" for the local ipc socket) to a platform key.
 */
#ifndef VT_CLIENT_KEYS_H
#define VT_CLIENT_KEYS_H

#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VT_KEY_TEXT_SIZE 44 /* 43 characters and NUL */

typedef struct vt_keypair {
    char public_key[VT_KEY_TEXT_SIZE];
    char secret_key[VT_KEY_TEXT_SIZE];
} vt_keypair;

/* A new random key pair. Like VOLTTRON, never one whose text starts with
 * '-' (it would read as an option on a command line). */
VT_CLIENT_EXPORT int vt_keys_generate(vt_keypair *out);

/* The public key belonging to a secret key (43-character texts). */
VT_CLIENT_EXPORT int vt_keys_public_from_secret(const char *secret, char out[VT_KEY_TEXT_SIZE]);

/* Convert any accepted key text (see vt_key_decode) to the 40-character
 * Z85 form libzmq options take. */
VT_CLIENT_EXPORT int vt_keys_to_z85(const char *key, char out[41]);

/* Read a key store: 0, -ENOENT when the file does not exist, -EINVAL when
 * it exists without a valid pair (the message names the file). */
VT_CLIENT_EXPORT int vt_keystore_load(const char *path, vt_keypair *out);
/* Write a key store atomically, mode 0600, creating parent directories. */
VT_CLIENT_EXPORT int vt_keystore_save(const char *path, const vt_keypair *pair);
/* Load, or generate and save when missing or invalid (as VOLTTRON does). */
VT_CLIENT_EXPORT int vt_keystore_load_or_create(const char *path, vt_keypair *out);

/* Look up the server key for an address in $home/known_hosts. 0, or -ENOENT
 * when there is no entry. */
VT_CLIENT_EXPORT int vt_known_hosts_lookup(const char *home, const char *address,
                                           char out[VT_KEY_TEXT_SIZE]);
/* Record host_key -> key in $home/known_hosts (atomically, mode 0644). */
VT_CLIENT_EXPORT int vt_known_hosts_set(const char *home, const char *host_key, const char *key);

#ifdef __cplusplus
}
#endif

#endif
