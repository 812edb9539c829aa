/* query: ask the router for a property ("serverkey", "instance-name", ...).
 * The reply's arguments are an empty frame, then the value. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/query.h>
#include <volttron/utils/error.h>
#include <volttron/utils/mem.h>

#include "agent_private.h"

typedef struct query_call {
    vt_query_fn fn;
    void *ctx;
    char **sync_out;
    int *sync_rc;
} query_call;

static void on_query(vt_agent *agent, const vt_message *msg, void *ctx)
{
    (void)ctx;
    size_t len;
    const void *id = vt_message_data(msg, VT_VIP_ID, &len);
    if (vt_vip_nargs(msg) >= 2)
        vt_agent_resolve(agent, id, len, msg, NULL);
    else /* a query addressed to us: agents do not answer queries */
        vt_agent_reply_error(agent, msg, 93, "Protocol not supported");
}

static void query_done(vt_agent *agent, const vt_message *reply, const vt_vip_error *err, void *ctx)
{
    query_call *qc = ctx;
    size_t len = 0;
    const char *value = reply ? vt_vip_arg(reply, 1, &len) : NULL;
    int rc = reply ? 0 : -err->errnum;
    if (!reply)
        vt_error_set(rc, "query failed: %s", err->text);
    if (qc->fn)
        qc->fn(agent, value ? value : (reply ? "" : NULL), len, qc->ctx);
    if (qc->sync_out) {
        *qc->sync_rc = rc;
        if (reply)
            *qc->sync_out = vt_strndup(value ? value : "", len);
    }
    free(qc);
}

static const char *query_send(vt_agent *agent, const char *property, int timeout_ms, query_call *qc)
{
    vt_message *args = vt_message_new();
    vt_message_append_str(args, property);
    return vt_agent_request(agent, "", "query", args, timeout_ms, query_done, qc);
}

int vt_query(vt_agent *agent, const char *property, int timeout_ms, vt_query_fn fn, void *ctx)
{
    query_call *qc = vt_calloc(1, sizeof *qc);
    qc->fn = fn;
    qc->ctx = ctx;
    return query_send(agent, property, timeout_ms, qc) ? 0 : -ENOTCONN;
}

int vt_query_sync(vt_agent *agent, const char *property, int timeout_ms, char **value)
{
    int rc = -EINPROGRESS;
    *value = NULL;
    query_call *qc = vt_calloc(1, sizeof *qc);
    qc->sync_out = value;
    qc->sync_rc = &rc;
    const char *id = query_send(agent, property, timeout_ms, qc);
    if (id) {
        int wrc = vt_agent_wait(agent, id, timeout_ms);
        if (wrc < 0)
            return wrc;
    }
    return rc;
}

void vt_query_init(vt_agent *agent)
{
    vt_agent_register_subsystem(agent, "query", on_query, NULL);
}
