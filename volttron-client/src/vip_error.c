/* error: VIP errors the router (or a peer) sends back for one of our
 * requests, e.g. 113 "No route to host" when the recipient is not connected.
 * The errno frame comes as ASCII decimal from a C router and as a 4-byte
 * little-endian integer after a Python router's re-encoding; both are read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/log.h>

#include "agent_private.h"

int vt_vip_parse_errno(const void *data, size_t len)
{
    const unsigned char *d = data;
    if (len == 0)
        return 0;
    bool digits = true;
    for (size_t i = 0; i < len; i++)
        if (!((d[i] >= '0' && d[i] <= '9') || (i == 0 && d[i] == '-')))
            digits = false;
    if (digits && len < 12) {
        char buf[16];
        memcpy(buf, d, len);
        buf[len] = '\0';
        return atoi(buf);
    }
    if (len == 4)
        return (int)((uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
                     (uint32_t)d[3] << 24);
    return 0;
}

static void on_error(vt_agent *agent, const vt_message *msg, void *ctx)
{
    (void)ctx;
    size_t elen, idlen;
    const void *e = vt_vip_arg(msg, 0, &elen);
    int errnum = vt_vip_parse_errno(e, elen);
    size_t nargs = vt_vip_nargs(msg);
    /* Router errors: errno, text, recipient, subsystem. A peer's: errno,
     * text, subsystem (no recipient frame). */
    const char *text = vt_message_str(msg, VT_VIP_ARGS + 1);
    const char *peer = nargs >= 4 ? vt_message_str(msg, VT_VIP_ARGS + 2) : vt_vip_peer(msg);
    const char *sub = vt_message_str(msg, VT_VIP_ARGS + (nargs >= 4 ? 3 : 2));
    vt_vip_error err = {.errnum = errnum, .text = text, .peer = peer, .subsystem = sub};
    const void *id = vt_message_data(msg, VT_VIP_ID, &idlen);
    if (agent->state == VT_AGENT_HELLO && vt_message_eq(msg, VT_VIP_ID, agent->hello_id)) {
        /* The router refused our hello: this key may not use this identity
         * (retrying would only be refused again). */
        char why[600];
        snprintf(why, sizeof why, "the platform at %s refused identity \"%s\": %s", agent->address,
                 agent->identity, text);
        vt_agent_transport_failed(agent, why);
        return;
    }
    if (!vt_agent_resolve(agent, id, idlen, NULL, &err))
        vt_log_info(agent->identity, "VIP error %d (%s) for %s/%s, message id \"%s\"", errnum, text,
                    peer, sub, vt_vip_id(msg));
}

void vt_error_init(vt_agent *agent)
{
    vt_agent_register_subsystem(agent, "error", on_error, NULL);
}
