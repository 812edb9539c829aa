/* VIP addresses: URLs such as
 *   tcp://10.0.0.5:22916?serverkey=<key>&publickey=<key>&secretkey=<key>
 *   ipc://@/home/u/.volttron/run/vip.socket
 * Query parameters carry keys (client side) or the security mechanism
 * (server side, "server=CURVE|NULL"); a "#name" fragment is a routing id.
 */
#ifndef VT_CLIENT_ADDRESS_H
#define VT_CLIENT_ADDRESS_H

#include <stdbool.h>

#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_address {
    char *endpoint;  /* scheme://rest, without query and fragment */
    char *scheme;    /* "tcp", "ipc", "inproc" */
    char *host_key;  /* known_hosts key: "127.0.0.1:22916", or "@" for local ipc */
    char *serverkey; /* query parameters, NULL when absent */
    char *publickey;
    char *secretkey;
    char *server; /* NULL, "NULL", "PLAIN", "CURVE" */
    char *fragment;
} vt_address;

/* Parse url into out (fields owned by out; release with vt_address_clear).
 * Returns 0 or -EINVAL with a message for a URL without a scheme or with an
 * unknown one (tcp, ipc and inproc are accepted). */
VT_CLIENT_EXPORT int vt_address_parse(const char *url, vt_address *out);
VT_CLIENT_EXPORT void vt_address_clear(vt_address *addr);

/* The platform's local address: ipc://@<home>/run/vip.socket (caller frees). */
VT_CLIENT_EXPORT char *vt_address_local(const char *volttron_home);

#ifdef __cplusplus
}
#endif

#endif
