#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>

#include "json_private.h"

/* Decode one UTF-8 sequence at s (n bytes left). Returns its length and the
 * code point, or 0 when the bytes are not well-formed UTF-8. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        v = s[0] & 0x1F;
        min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        v = s[0] & 0x0F;
        min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        v = s[0] & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF)
        return 0;
    *cp = v;
    return len;
}

static void put_u(vt_buf *b, uint32_t v)
{
    vt_buf_appendf(b, "\\u%04x", (unsigned)v);
}

void vt_json_dump_string(vt_buf *b, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    vt_buf_reserve(b, len + 2);
    vt_buf_append_char(b, '"');
    size_t i = 0;
    while (i < len) {
        /* Copy the run of characters that need no escaping in one go. */
        size_t run = i;
        while (run < len && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            vt_buf_append(b, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = s[i];
        switch (c) {
        case '"':
            vt_buf_append(b, "\\\"", 2);
            i++;
            continue;
        case '\\':
            vt_buf_append(b, "\\\\", 2);
            i++;
            continue;
        case '\n':
            vt_buf_append(b, "\\n", 2);
            i++;
            continue;
        case '\r':
            vt_buf_append(b, "\\r", 2);
            i++;
            continue;
        case '\t':
            vt_buf_append(b, "\\t", 2);
            i++;
            continue;
        case '\b':
            vt_buf_append(b, "\\b", 2);
            i++;
            continue;
        case '\f':
            vt_buf_append(b, "\\f", 2);
            i++;
            continue;
        default:
            break;
        }
        if (c < 0x80) { /* other control characters and DEL */
            put_u(b, c);
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0) {
            put_u(b, c); /* not UTF-8: the latin-1 character a Python peer would see */
            i++;
        } else if (cp >= 0x10000) {
            cp -= 0x10000;
            put_u(b, 0xD800 + (cp >> 10));
            put_u(b, 0xDC00 + (cp & 0x3FF));
            i += n;
        } else {
            put_u(b, cp);
            i += n;
        }
    }
    vt_buf_append_char(b, '"');
}

/* Python's float repr: the shortest digits that read back to the same double,
 * fixed notation for decimal exponents -4..15, else d.ddde+XX. */
static void dump_float(vt_buf *b, double v)
{
    if (isnan(v)) {
        vt_buf_append_str(b, "NaN");
        return;
    }
    if (isinf(v)) {
        vt_buf_append_str(b, v < 0 ? "-Infinity" : "Infinity");
        return;
    }
    locale_t old = uselocale(vt_json_c_locale());
    char sci[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec - 1, v);
        if (strtod(sci, NULL) == v)
            break;
    }
    uselocale(old);

    /* sci is [-]d[.ddd]e[+-]XX; collect sign, digits and exponent. */
    const char *p = sci;
    bool neg = *p == '-';
    if (neg)
        p++;
    char digits[20];
    size_t nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && nd < sizeof digits - 1)
            digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    int exp = atoi(p + 1);

    if (neg)
        vt_buf_append_char(b, '-');
    if (exp >= -4 && exp < 16) {
        if (exp < 0) {
            vt_buf_append_str(b, "0.");
            for (int i = -1; i > exp; i--)
                vt_buf_append_char(b, '0');
            vt_buf_append(b, digits, nd);
        } else {
            size_t int_len = (size_t)exp + 1;
            for (size_t i = 0; i < int_len; i++)
                vt_buf_append_char(b, i < nd ? digits[i] : '0');
            vt_buf_append_char(b, '.');
            if (nd > int_len)
                vt_buf_append(b, digits + int_len, nd - int_len);
            else
                vt_buf_append_char(b, '0');
        }
    } else {
        vt_buf_append_char(b, digits[0]);
        if (nd > 1) {
            vt_buf_append_char(b, '.');
            vt_buf_append(b, digits + 1, nd - 1);
        }
        vt_buf_appendf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
}

static void dump_number(vt_buf *b, const cJSON *v)
{
    double d = v->valuedouble;
    /* Integral values that were not written as floats print as integers, as
     * Python ints do; beyond 2^53 a double is no longer an exact integer. */
    if (!(v->type & VT_JSON_FLOAT_FLAG) && d == floor(d) && fabs(d) <= 9007199254740992.0) {
        vt_buf_appendf(b, "%lld", (long long)d);
        return;
    }
    dump_float(b, d);
}

static void newline(vt_buf *b, unsigned indent, int depth)
{
    vt_buf_append_char(b, '\n');
    for (unsigned i = 0; i < indent * (unsigned)depth; i++)
        vt_buf_append_char(b, ' ');
}

static void dump_value(vt_buf *b, const cJSON *v, unsigned flags, int depth)
{
    unsigned indent = flags >> 8;
    bool compact = flags & VT_JSON_COMPACT;
    /* With an indent Python drops the space after ',' (it ends the line). */
    const char *item_sep = compact || indent ? "," : ", ";
    const char *key_sep = compact ? ":" : ": ";

    switch (v ? v->type & 0xFF : cJSON_NULL) {
    case cJSON_False:
        vt_buf_append_str(b, "false");
        return;
    case cJSON_True:
        vt_buf_append_str(b, "true");
        return;
    case cJSON_Number:
        dump_number(b, v);
        return;
    case cJSON_String:
        vt_json_dump_string(b, v->valuestring, strlen(v->valuestring));
        return;
    case cJSON_Raw:
        vt_buf_append_str(b, v->valuestring ? v->valuestring : "null");
        return;
    case cJSON_Array:
    case cJSON_Object: {
        bool obj = (v->type & 0xFF) == cJSON_Object;
        vt_buf_append_char(b, obj ? '{' : '[');
        if (!v->child) {
            vt_buf_append_char(b, obj ? '}' : ']');
            return;
        }
        for (const cJSON *c = v->child; c; c = c->next) {
            if (c != v->child)
                vt_buf_append_str(b, item_sep);
            if (indent)
                newline(b, indent, depth + 1);
            if (obj) {
                const char *k = c->string ? c->string : "";
                vt_json_dump_string(b, k, strlen(k));
                vt_buf_append_str(b, key_sep);
            }
            dump_value(b, c, flags, depth + 1);
        }
        if (indent)
            newline(b, indent, depth);
        vt_buf_append_char(b, obj ? '}' : ']');
        return;
    }
    default:
        vt_buf_append_str(b, "null");
        return;
    }
}

void vt_json_dump_buf(vt_buf *b, const cJSON *value, unsigned flags)
{
    dump_value(b, value, flags, 0);
}

char *vt_json_dump(const cJSON *value, unsigned flags)
{
    vt_buf b;
    vt_buf_init(&b);
    dump_value(&b, value, flags, 0);
    return vt_buf_detach(&b, NULL);
}
