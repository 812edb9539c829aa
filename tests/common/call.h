/* RPC calls from a test agent, with the whole outcome kept for asserts. */
#ifndef VT_CALL_H
#define VT_CALL_H

#include <stdbool.h>

#include <volttron/client/client.h>

#define VT_FX_RPC_MS 10000

typedef struct vt_outcome {
    bool done;
    vt_rpc_status status;
    char *detail;   /* error detail (or message), "" on success */
    char *exc_type; /* NULL unless the callee raised */
    cJSON *value;   /* result, NULL unless VT_RPC_OK */
} vt_outcome;

/* Call and wait for the answer (the test fails without one); params are
 * taken. Release with vt_outcome_clear. */
vt_outcome vt_fx_call(vt_agent *from, const char *peer, const char *method, cJSON *params);
void vt_outcome_clear(vt_outcome *o);
/* The call succeeds; its result is dropped. */
void vt_fx_call_ok(vt_agent *from, const char *peer, const char *method, cJSON *params);
/* The call is refused for capabilities (volttron.platform.jsonrpc.Error);
 * with this exact detail unless text is NULL. */
void vt_fx_call_refused(vt_agent *from, const char *peer, const char *method, cJSON *params,
                        const char *text);

/* JSON text the test knows is valid. */
cJSON *vt_fx_json(const char *json);

#endif
