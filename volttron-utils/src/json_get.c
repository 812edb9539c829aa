#include <errno.h>
#include <math.h>

#include <volttron/utils/error.h>
#include <volttron/utils/json.h>

#include "json_private.h"

cJSON *vt_json_new_float(double v)
{
    cJSON *n = cJSON_CreateNumber(v);
    n->type |= VT_JSON_FLOAT_FLAG;
    return n;
}

bool vt_json_is_float(const cJSON *v)
{
    return cJSON_IsNumber(v) && (v->type & VT_JSON_FLOAT_FLAG);
}

const char *vt_json_type_name(const cJSON *v)
{
    if (!v)
        return "missing";
    switch (v->type & 0xFF) {
    case cJSON_False:
    case cJSON_True:
        return "a boolean";
    case cJSON_NULL:
        return "null";
    case cJSON_Number:
        return "a number";
    case cJSON_String:
        return "a string";
    case cJSON_Array:
        return "an array";
    case cJSON_Object:
        return "an object";
    default:
        return "an unknown value";
    }
}

/* The member, or NULL for absent/null; -ENOENT is left to the caller. */
static const cJSON *member(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsNull(v) ? NULL : v;
}

static int missing(const char *key, const char *ctx)
{
    return vt_error_set(-ENOENT, "%s%skey \"%s\" is missing", ctx ? ctx : "", ctx ? " " : "", key);
}

static int wrong(const char *key, const char *want, const cJSON *got, const char *ctx)
{
    return vt_error_set(-EINVAL, "%s%skey \"%s\" must be %s, got %s", ctx ? ctx : "",
                        ctx ? " " : "", key, want, vt_json_type_name(got));
}

/* Check one present member's type, shared by the get and opt families. */
static int check_number(const cJSON *v, const char *key, double *out, const char *ctx)
{
    if (!cJSON_IsNumber(v))
        return wrong(key, "a number", v, ctx);
    *out = v->valuedouble;
    return 0;
}

static int check_int(const cJSON *v, const char *key, int64_t *out, const char *ctx)
{
    if (!cJSON_IsNumber(v))
        return wrong(key, "an integer", v, ctx);
    double d = v->valuedouble;
    if (d != floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
        return vt_error_set(-EINVAL, "%s%skey \"%s\" must be an integer, got %g", ctx ? ctx : "",
                            ctx ? " " : "", key, d);
    *out = (int64_t)d;
    return 0;
}

static int check_bool(const cJSON *v, const char *key, bool *out, const char *ctx)
{
    if (!cJSON_IsBool(v))
        return wrong(key, "a boolean", v, ctx);
    *out = cJSON_IsTrue(v);
    return 0;
}

static int check_string(const cJSON *v, const char *key, const char **out, const char *ctx)
{
    if (!cJSON_IsString(v))
        return wrong(key, "a string", v, ctx);
    *out = v->valuestring;
    return 0;
}

int vt_json_get_number(const cJSON *obj, const char *key, double *out, const char *ctx)
{
    const cJSON *v = member(obj, key);
    return v ? check_number(v, key, out, ctx) : missing(key, ctx);
}

int vt_json_get_int(const cJSON *obj, const char *key, int64_t *out, const char *ctx)
{
    const cJSON *v = member(obj, key);
    return v ? check_int(v, key, out, ctx) : missing(key, ctx);
}

int vt_json_get_bool(const cJSON *obj, const char *key, bool *out, const char *ctx)
{
    const cJSON *v = member(obj, key);
    return v ? check_bool(v, key, out, ctx) : missing(key, ctx);
}

int vt_json_get_string(const cJSON *obj, const char *key, const char **out, const char *ctx)
{
    const cJSON *v = member(obj, key);
    return v ? check_string(v, key, out, ctx) : missing(key, ctx);
}

int vt_json_get_object(const cJSON *obj, const char *key, const cJSON **out, const char *ctx)
{
    const cJSON *v = member(obj, key);
    if (!v)
        return missing(key, ctx);
    if (!cJSON_IsObject(v))
        return wrong(key, "an object", v, ctx);
    *out = v;
    return 0;
}

int vt_json_get_array(const cJSON *obj, const char *key, const cJSON **out, const char *ctx)
{
    const cJSON *v = member(obj, key);
    if (!v)
        return missing(key, ctx);
    if (!cJSON_IsArray(v))
        return wrong(key, "an array", v, ctx);
    *out = v;
    return 0;
}

int vt_json_opt_number(const cJSON *obj, const char *key, double def, double *out, const char *ctx)
{
    const cJSON *v = member(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    return check_number(v, key, out, ctx);
}

int vt_json_opt_int(const cJSON *obj, const char *key, int64_t def, int64_t *out, const char *ctx)
{
    const cJSON *v = member(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    return check_int(v, key, out, ctx);
}

int vt_json_opt_bool(const cJSON *obj, const char *key, bool def, bool *out, const char *ctx)
{
    const cJSON *v = member(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    return check_bool(v, key, out, ctx);
}

int vt_json_opt_string(const cJSON *obj, const char *key, const char *def, const char **out,
                       const char *ctx)
{
    const cJSON *v = member(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    return check_string(v, key, out, ctx);
}
