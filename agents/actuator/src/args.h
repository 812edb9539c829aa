/* Binding an RPC call's arguments to a method's parameters as Python binds
 * them (positional, then keywords, defaults, **kwargs), with Python's
 * TypeError texts when they do not fit, e.g.
 *   set_point() missing 1 required positional argument: 'value'
 * (the counts include `self`, as the Python agent's messages do). */
#ifndef ACT_ARGS_H
#define ACT_ARGS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#define ACT_MAX_PARAMS 8

typedef struct act_signature {
    const char *method;
    const char *params[ACT_MAX_PARAMS]; /* NULL-terminated */
    int required;                       /* the first `required` have no default */
    bool var_kwargs;                    /* takes **kwargs */
} act_signature;

typedef struct act_bound {
    /* Per parameter: the value passed (borrowed), or NULL when left to its
     * default (a JSON null passed for a defaulted parameter counts as the
     * default None too: callers test with act_bound_given). */
    const cJSON *values[ACT_MAX_PARAMS];
    /* The keyword arguments that are not parameters (for **kwargs): a new
     * object, never NULL. */
    cJSON *extra;
} act_bound;

/* Bind args (array, may be NULL) and kwargs (object, may be NULL). Returns
 * 0, or -1 with *error set to the TypeError text (caller frees). */
int act_bind(const act_signature *sig, const cJSON *args, const cJSON *kwargs, act_bound *out,
             char **error);
void act_bound_clear(act_bound *b);

/* The parameter was given a value other than None. */
bool act_bound_given(const act_bound *b, int index);

#endif
