#include "pytext.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>

const char *act_py_type(const cJSON *v)
{
    if (!v || cJSON_IsNull(v))
        return "NoneType";
    if (cJSON_IsBool(v))
        return "bool";
    if (cJSON_IsNumber(v))
        return vt_json_is_float(v) ? "float" : "int";
    if (cJSON_IsString(v))
        return "str";
    if (cJSON_IsArray(v))
        return "list";
    return "dict";
}

void act_py_repr(vt_buf *b, const cJSON *v)
{
    if (!v) {
        vt_buf_append_str(b, "None");
        return;
    }
    vt_json_repr_python(b, v);
}

void act_py_str(vt_buf *b, const cJSON *v)
{
    if (cJSON_IsString(v))
        vt_buf_append_str(b, v->valuestring);
    else
        act_py_repr(b, v);
}

void act_py_repr_text(vt_buf *b, const char *text)
{
    cJSON *s = cJSON_CreateString(text);
    vt_json_repr_python(b, s);
    cJSON_Delete(s);
}

char *act_py_exc_repr(const char *cls, const char *message)
{
    vt_buf b;
    vt_buf_init(&b);
    vt_buf_appendf(&b, "%s(", cls);
    act_py_repr_text(&b, message);
    vt_buf_append_char(&b, ')');
    return vt_buf_detach(&b, NULL);
}

char *act_py_datetime_str(const vt_timestamp *t)
{
    int64_t wall = t->us + (int64_t)t->offset_s * 1000000;
    int64_t secs = wall / 1000000, micro = wall % 1000000;
    if (micro < 0) {
        micro += 1000000;
        secs -= 1;
    }
    time_t tt = (time_t)secs;
    struct tm tm;
    gmtime_r(&tt, &tm);
    vt_buf b;
    vt_buf_init(&b);
    vt_buf_appendf(&b, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                   tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (micro)
        vt_buf_appendf(&b, ".%06d", (int)micro);
    int off = t->offset_s;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    vt_buf_appendf(&b, "%c%02d:%02d", sign, off / 3600, off / 60 % 60);
    if (off % 60)
        vt_buf_appendf(&b, ":%02d", off % 60);
    return vt_buf_detach(&b, NULL);
}

int act_py_truthy(const cJSON *v)
{
    if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
        return 0;
    if (cJSON_IsTrue(v))
        return 1;
    if (cJSON_IsNumber(v))
        return v->valuedouble != 0.0;
    if (cJSON_IsString(v))
        return v->valuestring[0] != '\0';
    return cJSON_GetArraySize(v) > 0;
}

cJSON *act_py_iterate(const cJSON *v)
{
    cJSON *items = cJSON_CreateArray();
    const cJSON *it;
    if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach (it, v)
            cJSON_AddItemToArray(items, cJSON_Duplicate(it, 1));
    } else if (cJSON_IsObject(v)) {
        cJSON_ArrayForEach (it, v)
            cJSON_AddItemToArray(items, cJSON_CreateString(it->string));
    } else if (cJSON_IsString(v)) {
        const unsigned char *p = (const unsigned char *)v->valuestring;
        while (*p) {
            size_t len = 1;
            while (p[len] && (p[len] & 0xC0) == 0x80)
                len++;
            char *ch = vt_strndup((const char *)p, len);
            cJSON_AddItemToArray(items, cJSON_CreateString(ch));
            free(ch);
            p += len;
        }
    } else {
        cJSON_Delete(items);
        return NULL;
    }
    return items;
}
