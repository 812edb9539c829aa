/* Device registers and the interface errors they report. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/mem.h>

#include "driver.h"

int drv_fail(drv_error *err, const char *type, const char *fmt, ...)
{
    if (!err)
        return -1;
    snprintf(err->type, sizeof err->type, "%s", type);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

drv_register *drv_registry_add(drv_registry *reg, const char *name, const char *units,
                               bool read_only)
{
    if (reg->n == reg->cap) {
        reg->cap = reg->cap ? reg->cap * 2 : 16;
        reg->v = vt_realloc(reg->v, reg->cap * sizeof *reg->v);
    }
    drv_register *r = vt_calloc(1, sizeof *r);
    r->name = vt_strdup(name);
    r->units = vt_strdup(units ? units : "");
    r->description = vt_strdup("");
    r->read_only = read_only;
    r->meta_type = "integer";
    reg->v[reg->n++] = r;
    return r;
}

drv_register *drv_registry_find(const drv_registry *reg, const char *name)
{
    for (size_t i = 0; i < reg->n; i++)
        if (strcmp(reg->v[i]->name, name) == 0)
            return reg->v[i];
    return NULL;
}

void drv_registry_clear(drv_registry *reg)
{
    for (size_t i = 0; i < reg->n; i++) {
        drv_register *r = reg->v[i];
        free(r->name);
        free(r->units);
        free(r->description);
        cJSON_Delete(r->default_value);
        cJSON_Delete(r->clean_value);
        if (r->iface_free)
            r->iface_free(r->iface);
        free(r);
    }
    free(reg->v);
    memset(reg, 0, sizeof *reg);
}
