#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/error.h>
#include <volttron/utils/json.h>

#include "json_private.h"

#define MAX_DEPTH 256

typedef struct parser {
    const char *text;
    const char *p;
    const char *end;
    unsigned flags;
    int depth;
    const char *error; /* static message, NULL while all is well */
    const char *error_at;
} parser;

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t vt_json_c_locale(void)
{
    pthread_once(&c_locale_once, make_c_locale);
    return c_locale;
}

static cJSON *fail(parser *ps, const char *at, const char *msg)
{
    if (!ps->error) {
        ps->error = msg;
        ps->error_at = at;
    }
    return NULL;
}

/* Skip white space and, with VT_JSON_COMMENTS, comments. */
static void skip_space(parser *ps)
{
    const char *p = ps->p;
    for (;;) {
        while (p < ps->end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if (!(ps->flags & VT_JSON_COMMENTS) || p >= ps->end)
            break;
        if (*p == '#' || (*p == '/' && p + 1 < ps->end && p[1] == '/')) {
            while (p < ps->end && *p != '\n')
                p++;
        } else if (*p == '/' && p + 1 < ps->end && p[1] == '*') {
            const char *close = NULL;
            for (const char *q = p + 2; q + 1 < ps->end; q++) {
                if (q[0] == '*' && q[1] == '/') {
                    close = q;
                    break;
                }
            }
            if (!close) {
                fail(ps, p, "unterminated comment");
                p = ps->end;
                break;
            }
            p = close + 2;
        } else {
            break;
        }
    }
    ps->p = p;
}

static bool match(parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
        ps->p += n;
        return true;
    }
    return false;
}

static void put_utf8(char **o, uint32_t cp)
{
    unsigned char *u = (unsigned char *)*o;
    if (cp < 0x80) {
        *u++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *u++ = (unsigned char)(0xC0 | cp >> 6);
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        /* Lone surrogates end up here too, as Python keeps them. */
        *u++ = (unsigned char)(0xE0 | cp >> 12);
        *u++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *u++ = (unsigned char)(0xF0 | cp >> 18);
        *u++ = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    *o = (char *)u;
}

static int hex4(const char *p, const char *end, uint32_t *out)
{
    if (end - p < 4)
        return -1;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Parse a string literal at ps->p (on the opening quote). Returns a string
 * allocated with cJSON_malloc, so cJSON_Delete can free it. */
static char *parse_string(parser *ps)
{
    const char *start = ps->p + 1, *q = start;
    while (q < ps->end && *q != '"') {
        if (*q == '\\')
            q++;
        q++;
    }
    if (q >= ps->end) {
        fail(ps, ps->p, "unterminated string");
        return NULL;
    }
    /* Escapes never grow the text: \uXXXX (6 bytes) is at most 3 UTF-8 bytes,
     * and a surrogate pair (12 bytes) is 4. */
    char *out = cJSON_malloc((size_t)(q - start) + 1);
    if (!out) {
        fail(ps, ps->p, "out of memory");
        return NULL;
    }
    char *o = out;
    const char *p = start;
    while (p < q) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20) {
            cJSON_free(out);
            fail(ps, p, "control character in string");
            return NULL;
        }
        if (c != '\\') {
            *o++ = (char)c;
            p++;
            continue;
        }
        p++;
        switch (*p) {
        case '"':
            *o++ = '"';
            break;
        case '\\':
            *o++ = '\\';
            break;
        case '/':
            *o++ = '/';
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            uint32_t cp, lo;
            if (hex4(p + 1, q, &cp) < 0) {
                cJSON_free(out);
                fail(ps, p - 1, "invalid \\u escape");
                return NULL;
            }
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && q - p >= 7 && p[1] == '\\' && p[2] == 'u' &&
                hex4(p + 3, q, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            if (cp == 0) {
                /* C strings cannot hold NUL; refuse rather than truncate. */
                cJSON_free(out);
                fail(ps, p - 5, "\\u0000 is not supported in strings");
                return NULL;
            }
            put_utf8(&o, cp);
            break;
        }
        default:
            cJSON_free(out);
            fail(ps, p - 1, "invalid escape in string");
            return NULL;
        }
        p++;
    }
    *o = '\0';
    ps->p = q + 1;
    return out;
}

static cJSON *parse_number(parser *ps)
{
    const char *p = ps->p, *start = p;
    bool is_float = false;
    if (p < ps->end && *p == '-')
        p++;
    if (p < ps->end && *p == '0') {
        p++;
    } else if (p < ps->end && *p >= '1' && *p <= '9') {
        while (p < ps->end && *p >= '0' && *p <= '9')
            p++;
    } else {
        return fail(ps, start, "invalid number");
    }
    if (p < ps->end && *p == '.') {
        p++;
        is_float = true;
        if (p >= ps->end || *p < '0' || *p > '9')
            return fail(ps, start, "invalid number: digits expected after '.'");
        while (p < ps->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        p++;
        is_float = true;
        if (p < ps->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= ps->end || *p < '0' || *p > '9')
            return fail(ps, start, "invalid number: digits expected in the exponent");
        while (p < ps->end && *p >= '0' && *p <= '9')
            p++;
    }
    char tmp[64];
    size_t n = (size_t)(p - start);
    double v;
    if (n < sizeof tmp) {
        memcpy(tmp, start, n);
        tmp[n] = '\0';
        v = strtod_l(tmp, NULL, vt_json_c_locale());
    } else {
        char *big = malloc(n + 1);
        if (!big)
            return fail(ps, start, "out of memory");
        memcpy(big, start, n);
        big[n] = '\0';
        v = strtod_l(big, NULL, vt_json_c_locale());
        free(big);
    }
    ps->p = p;
    cJSON *item = cJSON_CreateNumber(v);
    if (item && is_float)
        item->type |= VT_JSON_FLOAT_FLAG;
    return item;
}

static cJSON *parse_value(parser *ps);

/* Replace an earlier member of the same name: Python keeps the last. */
static void add_member(cJSON *obj, char *key, cJSON *value)
{
    value->string = key;
    for (cJSON *c = obj->child; c; c = c->next) {
        if (c->string && strcmp(c->string, key) == 0) {
            cJSON_ReplaceItemViaPointer(obj, c, value);
            return;
        }
    }
    cJSON_AddItemToArray(obj, value); /* appends; keeps value->string */
}

static cJSON *parse_object(parser *ps)
{
    cJSON *obj = cJSON_CreateObject();
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return obj;
    }
    for (;;) {
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != '"') {
            cJSON_Delete(obj);
            return fail(ps, ps->p, "expected a string key in object");
        }
        char *key = parse_string(ps);
        if (!key) {
            cJSON_Delete(obj);
            return NULL;
        }
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != ':') {
            cJSON_free(key);
            cJSON_Delete(obj);
            return fail(ps, ps->p, "expected ':' after object key");
        }
        ps->p++;
        cJSON *value = parse_value(ps);
        if (!value) {
            cJSON_free(key);
            cJSON_Delete(obj);
            return NULL;
        }
        add_member(obj, key, value);
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return obj;
        }
        cJSON_Delete(obj);
        return fail(ps, ps->p, "expected ',' or '}' in object");
    }
}

static cJSON *parse_array(parser *ps)
{
    cJSON *arr = cJSON_CreateArray();
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return arr;
    }
    for (;;) {
        cJSON *value = parse_value(ps);
        if (!value) {
            cJSON_Delete(arr);
            return NULL;
        }
        cJSON_AddItemToArray(arr, value);
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return arr;
        }
        cJSON_Delete(arr);
        return fail(ps, ps->p, "expected ',' or ']' in array");
    }
}

static cJSON *parse_value(parser *ps)
{
    skip_space(ps);
    if (ps->error)
        return NULL;
    if (ps->p >= ps->end)
        return fail(ps, ps->p, "unexpected end of input");
    cJSON *v;
    switch (*ps->p) {
    case '{':
    case '[':
        if (++ps->depth > MAX_DEPTH)
            return fail(ps, ps->p, "nesting too deep");
        v = *ps->p == '{' ? parse_object(ps) : parse_array(ps);
        ps->depth--;
        return v;
    case '"': {
        char *s = parse_string(ps);
        if (!s)
            return NULL;
        v = cJSON_CreateString("");
        cJSON_free(v->valuestring);
        v->valuestring = s;
        return v;
    }
    case 't':
        if (match(ps, "true"))
            return cJSON_CreateTrue();
        break;
    case 'f':
        if (match(ps, "false"))
            return cJSON_CreateFalse();
        break;
    case 'n':
        if (match(ps, "null"))
            return cJSON_CreateNull();
        break;
    case 'N':
        if (match(ps, "NaN")) {
            v = cJSON_CreateNumber(NAN);
            v->type |= VT_JSON_FLOAT_FLAG;
            return v;
        }
        break;
    case 'I':
        if (match(ps, "Infinity")) {
            v = cJSON_CreateNumber(INFINITY);
            v->type |= VT_JSON_FLOAT_FLAG;
            return v;
        }
        break;
    case '-':
        if (match(ps, "-Infinity")) {
            v = cJSON_CreateNumber(-INFINITY);
            v->type |= VT_JSON_FLOAT_FLAG;
            return v;
        }
        return parse_number(ps);
    default:
        if (*ps->p >= '0' && *ps->p <= '9')
            return parse_number(ps);
        break;
    }
    return fail(ps, ps->p, "expected a JSON value");
}

static void locate(const char *text, const char *at, vt_json_error *err)
{
    int line = 1, col = 1;
    for (const char *p = text; p < at; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    err->line = line;
    err->column = col;
    err->offset = (size_t)(at - text);
}

cJSON *vt_json_parse(const char *text, size_t len, unsigned flags, const char *name,
                     vt_json_error *err)
{
    parser ps = {.text = text, .p = text, .end = text + len, .flags = flags};
    cJSON *root = parse_value(&ps);
    if (root) {
        skip_space(&ps);
        if (!ps.error && ps.p < ps.end)
            fail(&ps, ps.p, "extra data after the JSON value");
        if (!ps.error && (flags & VT_JSON_CONTAINER) && !cJSON_IsObject(root) &&
            !cJSON_IsArray(root))
            fail(&ps, text, "top level must be an object or an array");
    }
    if (ps.error) {
        cJSON_Delete(root);
        vt_json_error e;
        locate(text, ps.error_at, &e);
        snprintf(e.message, sizeof e.message, "%s", ps.error);
        vt_error_set(-EINVAL, "%s:%d:%d: %s", name ? name : "JSON", e.line, e.column, e.message);
        if (err)
            *err = e;
        return NULL;
    }
    return root;
}
