#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "call.h"
#include "fixture.h"

static void on_outcome(vt_agent *agent, const vt_rpc_result *r, void *ctx)
{
    (void)agent;
    vt_outcome *o = ctx;
    o->done = true;
    o->status = r->status;
    o->detail = vt_strdup(r->detail ? r->detail : r->message ? r->message : "");
    o->exc_type = r->exc_type ? vt_strdup(r->exc_type) : NULL;
    o->value = r->value ? cJSON_Duplicate(r->value, 1) : NULL;
}

static bool outcome_done(void *ctx)
{
    return ((vt_outcome *)ctx)->done;
}

vt_outcome vt_fx_call(vt_agent *from, const char *peer, const char *method, cJSON *params)
{
    vt_outcome o = {0};
    ck_assert_int_eq(vt_rpc_call(from, peer, method, params, VT_FX_RPC_MS, on_outcome, &o), 0);
    ck_assert_msg(vt_fx_until(from, outcome_done, &o, VT_FX_RPC_MS + 2000), "%s.%s: no answer",
                  peer, method);
    return o;
}

void vt_outcome_clear(vt_outcome *o)
{
    free(o->detail);
    free(o->exc_type);
    cJSON_Delete(o->value);
    memset(o, 0, sizeof *o);
}

void vt_fx_call_ok(vt_agent *from, const char *peer, const char *method, cJSON *params)
{
    vt_outcome o = vt_fx_call(from, peer, method, params);
    ck_assert_msg(o.status == VT_RPC_OK, "%s.%s failed: %s", peer, method, o.detail);
    vt_outcome_clear(&o);
}

void vt_fx_call_refused(vt_agent *from, const char *peer, const char *method, cJSON *params,
                        const char *text)
{
    vt_outcome o = vt_fx_call(from, peer, method, params);
    ck_assert_msg(o.status != VT_RPC_OK, "%s.%s was allowed", peer, method);
    ck_assert_str_eq(o.exc_type ? o.exc_type : "", "volttron.platform.jsonrpc.Error");
    if (text)
        ck_assert_str_eq(o.detail, text);
    vt_outcome_clear(&o);
}

cJSON *vt_fx_json(const char *json)
{
    cJSON *v = vt_json_parse(json, strlen(json), 0, NULL, NULL);
    ck_assert_msg(v != NULL, "bad JSON in the test: %s", json);
    return v;
}
