/* The fake interface (driver_type "fakedriver", driver-framework.md §11): a
 * device in memory, for trying things out and for tests. Points hold the
 * registry's starting values; "EKG" points follow a waveform of the wall
 * clock's second.
 *
 * Deliberate differences from VOLTTRON 9.0.4's fake driver, whose quirks
 * only confuse: a boolean starting value of FALSE/0/off is false (Python's
 * bool("FALSE") is true); meta "type" says the point's real type (9.0.4 says
 * "integer" for every fake point); writing a waveform point is refused with
 * an error (9.0.4 fails inside and answers null). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <volttron/utils/json.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "driver.h"

#define LOG "platform.driver"

typedef enum {
    T_INT,
    T_FLOAT,
    T_BOOL,
    T_STRING
} fake_type;

typedef double (*wave_fn)(double);

typedef struct fake_point {
    fake_type type;
    cJSON *value; /* current value */
    wave_fn wave; /* EKG points: the waveform, else NULL */
} fake_point;

static void point_free(void *p)
{
    fake_point *fp = p;
    cJSON_Delete(fp->value);
    free(fp);
}

static const char *cell(const cJSON *row, const char *column)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(row, column);
    return cJSON_IsString(c) ? c->valuestring : NULL;
}

static fake_type parse_type(const char *t)
{
    if (!t)
        return T_STRING;
    if (!strcasecmp(t, "int") || !strcasecmp(t, "integer"))
        return T_INT;
    if (!strcasecmp(t, "float"))
        return T_FLOAT;
    if (!strcasecmp(t, "bool") || !strcasecmp(t, "boolean"))
        return T_BOOL;
    return T_STRING;
}

static const char *meta_type(fake_type t)
{
    return t == T_INT ? "integer" : t == T_FLOAT ? "float" : t == T_BOOL ? "boolean" : "string";
}

static bool text_true(const char *s)
{
    return !strcasecmp(s, "true") || !strcasecmp(s, "on") || !strcasecmp(s, "yes") ||
           (*s && strtod(s, NULL) != 0);
}

/* A JSON value of the point's type from text, as the registry writes it;
 * unparseable numbers give zero, as 9.0.4 does. */
static cJSON *from_text(fake_type t, const char *s)
{
    char *end;
    switch (t) {
    case T_INT: {
        double d = strtod(s, &end);
        return cJSON_CreateNumber(end == s ? 0 : trunc(d));
    }
    case T_FLOAT: {
        double d = strtod(s, &end);
        return vt_json_new_float(end == s ? 0.0 : d);
    }
    case T_BOOL:
        return cJSON_CreateBool(text_true(s));
    default:
        return cJSON_CreateString(s);
    }
}

/* A value written by RPC, converted to the point's type; NULL if it cannot
 * be (err set). */
static cJSON *convert(fake_type t, const cJSON *v, const char *name, drv_error *err)
{
    if (cJSON_IsString(v)) {
        if (t == T_STRING || t == T_BOOL)
            return from_text(t, v->valuestring);
        char *end;
        double d = strtod(v->valuestring, &end);
        if (end == v->valuestring || *end) {
            drv_fail(err, "builtins.ValueError",
                     "cannot set %s (type %s) to \"%s\": not a "
                     "number",
                     name, meta_type(t), v->valuestring);
            return NULL;
        }
        return t == T_INT ? cJSON_CreateNumber(trunc(d)) : vt_json_new_float(d);
    }
    if (cJSON_IsNumber(v) || cJSON_IsBool(v)) {
        double d = cJSON_IsNumber(v) ? v->valuedouble : cJSON_IsTrue(v);
        switch (t) {
        case T_INT:
            return cJSON_CreateNumber(trunc(d));
        case T_FLOAT:
            return vt_json_new_float(d);
        case T_BOOL:
            return cJSON_CreateBool(d != 0);
        default: {
            char *text = vt_json_dump(v, 0);
            cJSON *s = cJSON_CreateString(text);
            free(text);
            return s;
        }
        }
    }
    drv_fail(err, "builtins.ValueError", "cannot set %s (type %s) to %s", name, meta_type(t),
             vt_json_type_name(v));
    return NULL;
}

static const struct {
    const char *name;
    wave_fn fn;
} waves[] = {
    {"acos", acos}, {"acosh", acosh}, {"asin", asin}, {"asinh", asinh},
    {"atan", atan}, {"atanh", atanh}, {"sin", sin},   {"sinh", sinh},
    {"sqrt", sqrt}, {"tan", tan},     {"tanh", tanh},
};

static wave_fn wave_named(const char *name, const char *point)
{
    for (size_t i = 0; i < sizeof waves / sizeof waves[0]; i++)
        if (name && !strcmp(name, waves[i].name))
            return waves[i].fn;
    /* 9.0.4 also takes "atan2", which needs two arguments: sin, as for any
     * other unknown name */
    vt_log_error(LOG, "fake point %s: unknown waveform \"%s\", using sin", point, name ? name : "");
    return sin;
}

static double wave_now(wave_fn f)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    return f(M_PI * tm.tm_sec / 30.0);
}

static cJSON *current(const fake_point *fp)
{
    if (!fp->wave)
        return cJSON_Duplicate(fp->value, 1);
    double v = wave_now(fp->wave);
    return fp->type == T_INT     ? cJSON_CreateNumber(trunc(v))
           : fp->type == T_FLOAT ? vt_json_new_float(v)
                                 : from_text(fp->type, "0");
}

static void *configure(const cJSON *driver_config, const cJSON *registry, drv_registry *reg,
                       drv_error *err)
{
    (void)driver_config;
    if (!cJSON_IsArray(registry)) {
        drv_fail(err, DRV_INTERFACE_ERROR,
                 "registry_config must be a list of rows (a CSV "
                 "stored in the config store), got %s",
                 vt_json_type_name(registry));
        return NULL;
    }
    const cJSON *row;
    int n = 0;
    cJSON_ArrayForEach (row, registry) {
        n++;
        const char *point = cell(row, "Point Name");
        if (!point || !*point)
            continue; /* rows without a point name are skipped, as in 9.0.4 */
        const char *name = cell(row, "Volttron Point Name");
        if (!name || !*name) {
            drv_fail(err, DRV_INTERFACE_ERROR, "registry row %d (%s): no Volttron Point Name", n,
                     point);
            return NULL;
        }
        if (drv_registry_find(reg, name)) {
            drv_fail(err, DRV_INTERFACE_ERROR, "registry row %d: point %s is there twice", n, name);
            return NULL;
        }
        const char *writable = cell(row, "Writable");
        drv_register *r = drv_registry_add(reg, name, cell(row, "Units"),
                                           !writable || strcasecmp(writable, "TRUE") != 0);
        fake_point *fp = vt_calloc(1, sizeof *fp);
        r->iface = fp;
        r->iface_free = point_free;
        fp->type = parse_type(cell(row, "Type"));
        r->meta_type = meta_type(fp->type);
        const char *notes = cell(row, "Notes");
        if (notes) {
            free(r->description);
            r->description = vt_strdup(notes);
        }
        const char *start = cell(row, "Starting Value");
        bool has_column = cJSON_GetObjectItemCaseSensitive(row, "Starting Value") != NULL;
        if (strncmp(point, "EKG", 3) == 0) {
            fp->wave = wave_named(start && *start ? start : "sin", name);
            r->default_value = current(fp);
            continue;
        }
        if (!has_column) {
            fp->value = from_text(fp->type, "sin"); /* 9.0.4's stand-in */
        } else if (!start || !*start) {
            char num[32];
            snprintf(num, sizeof num, "%.6f", (double)rand() / RAND_MAX * 100.0);
            fp->value = from_text(fp->type, num);
        } else {
            fp->value = from_text(fp->type, start);
            r->default_value = cJSON_Duplicate(fp->value, 1);
        }
    }
    if (!reg->n) {
        drv_fail(err, DRV_INTERFACE_ERROR,
                 "the registry has no points (is it a CSV with a "
                 "\"Point Name\" column?)");
        return NULL;
    }
    /* the points hold everything; the state is a token */
    return vt_calloc(1, 1);
}

static void destroy(void *state)
{
    free(state);
}

static int get_point(void *state, drv_register *r, cJSON **value, drv_error *err)
{
    (void)state;
    (void)err;
    *value = current(r->iface);
    return 0;
}

static int set_point(void *state, drv_register *r, const cJSON *value, cJSON **result,
                     drv_error *err)
{
    (void)state;
    fake_point *fp = r->iface;
    if (r->read_only)
        return drv_fail(err, "builtins.RuntimeError",
                        "Trying to write to a point configured read only: %s", r->name);
    if (fp->wave)
        return drv_fail(err, "builtins.RuntimeError",
                        "Cannot write to %s: it is a waveform (EKG) point", r->name);
    cJSON *v = convert(fp->type, value, r->name, err);
    if (!v)
        return -1;
    cJSON_Delete(fp->value);
    fp->value = v;
    *result = cJSON_Duplicate(v, 1);
    return 0;
}

static int scrape_all(void *state, drv_registry *reg, cJSON *values, drv_error *err)
{
    (void)state;
    (void)err;
    /* read-only points first, then writable ones: 9.0.4's key order */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < reg->n; i++)
            if (reg->v[i]->read_only == (pass == 0))
                cJSON_AddItemToObject(values, reg->v[i]->name, current(reg->v[i]->iface));
    return 0;
}

const drv_iface_ops drv_fake_ops = {
    .type = "fakedriver",
    .blocking = false,
    .configure = configure,
    .destroy = destroy,
    .get_point = get_point,
    .set_point = set_point,
    .scrape_all = scrape_all,
};
