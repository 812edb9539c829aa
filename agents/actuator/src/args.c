#include "args.h"

#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/mem.h>

static int count_params(const act_signature *sig)
{
    int n = 0;
    while (n < ACT_MAX_PARAMS && sig->params[n])
        n++;
    return n;
}

/* 'a' / 'a' and 'b' / 'a', 'b', and 'c' */
static void name_list(vt_buf *b, const char *const *names, int n)
{
    for (int i = 0; i < n; i++) {
        if (i > 0)
            vt_buf_append_str(b, n == 2 ? " and " : i == n - 1 ? ", and " : ", ");
        vt_buf_appendf(b, "'%s'", names[i]);
    }
}

int act_bind(const act_signature *sig, const cJSON *args, const cJSON *kwargs, act_bound *out,
             char **error)
{
    memset(out, 0, sizeof *out);
    *error = NULL;
    int nparams = count_params(sig);
    int nargs = cJSON_IsArray(args) ? cJSON_GetArraySize(args) : 0;
    if (nargs > nparams) {
        /* Python counts self among the positional arguments. */
        if (sig->required == nparams)
            *error = vt_asprintf("%s() takes %d positional argument%s but %d were given",
                                 sig->method, nparams + 1, nparams ? "s" : "", nargs + 1);
        else
            *error = vt_asprintf("%s() takes from %d to %d positional arguments but %d were "
                                 "given",
                                 sig->method, sig->required + 1, nparams + 1, nargs + 1);
        return -1;
    }
    for (int i = 0; i < nargs; i++)
        out->values[i] = cJSON_GetArrayItem(args, i);
    out->extra = cJSON_CreateObject();
    const cJSON *kw;
    if (cJSON_IsObject(kwargs))
        cJSON_ArrayForEach (kw, kwargs) {
            int i = 0;
            while (i < nparams && strcmp(sig->params[i], kw->string) != 0)
                i++;
            if (i < nparams) {
                if (out->values[i]) {
                    *error = vt_asprintf("%s() got multiple values for argument '%s'", sig->method,
                                         kw->string);
                    act_bound_clear(out);
                    return -1;
                }
                out->values[i] = kw;
            } else if (sig->var_kwargs) {
                cJSON_AddItemToObject(out->extra, kw->string, cJSON_Duplicate(kw, 1));
            } else {
                *error = vt_asprintf("%s() got an unexpected keyword argument '%s'", sig->method,
                                     kw->string);
                act_bound_clear(out);
                return -1;
            }
        }
    const char *missing[ACT_MAX_PARAMS];
    int nmissing = 0;
    for (int i = 0; i < sig->required; i++)
        if (!out->values[i])
            missing[nmissing++] = sig->params[i];
    if (nmissing) {
        vt_buf b;
        vt_buf_init(&b);
        vt_buf_appendf(&b, "%s() missing %d required positional argument%s: ", sig->method,
                       nmissing, nmissing > 1 ? "s" : "");
        name_list(&b, missing, nmissing);
        *error = vt_buf_detach(&b, NULL);
        act_bound_clear(out);
        return -1;
    }
    return 0;
}

void act_bound_clear(act_bound *b)
{
    cJSON_Delete(b->extra);
    memset(b, 0, sizeof *b);
}

bool act_bound_given(const act_bound *b, int index)
{
    return b->values[index] && !cJSON_IsNull(b->values[index]);
}
