#include <string.h>

#include "json_scan.h"

#define MAX_DEPTH 256

typedef struct scanner {
    const char *p, *end;
    int depth;
} scanner;

static void skip_ws(scanner *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string at s->p (on the quote). Sets start and len to the contents and
 * *escaped if any backslash occurs. */
static bool scan_string(scanner *s, const char **start, size_t *len, bool *escaped)
{
    const char *p = s->p + 1;
    *escaped = false;
    while (p < s->end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            *start = s->p + 1;
            *len = (size_t)(p - *start);
            s->p = p + 1;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            *escaped = true;
            if (p + 1 >= s->end)
                return false;
            char e = p[1];
            if (e == 'u') {
                if (s->end - p < 6 || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]) ||
                    !is_hex(p[5]))
                    return false;
                p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == '\0')
                return false;
            p += 2;
            continue;
        }
        p++;
    }
    return false;
}

static bool digits(scanner *s)
{
    const char *start = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > start;
}

static bool scan_number(scanner *s)
{
    if (s->p < s->end && *s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (!digits(s))
        return false;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!digits(s))
            return false;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!digits(s))
            return false;
    }
    return true;
}

static bool word(scanner *s, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
        return false;
    s->p += n;
    return true;
}

static bool scan_value(scanner *s);

static bool scan_container(scanner *s, bool object)
{
    if (++s->depth > MAX_DEPTH)
        return false;
    s->p++;
    skip_ws(s);
    char close = object ? '}' : ']';
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return true;
    }
    for (;;) {
        skip_ws(s);
        if (object) {
            const char *k;
            size_t klen;
            bool esc;
            if (s->p >= s->end || *s->p != '"' || !scan_string(s, &k, &klen, &esc))
                return false;
            skip_ws(s);
            if (s->p >= s->end || *s->p != ':')
                return false;
            s->p++;
        }
        if (!scan_value(s))
            return false;
        skip_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == close) {
            s->p++;
            s->depth--;
            return true;
        }
        return false;
    }
}

static bool scan_value(scanner *s)
{
    skip_ws(s);
    if (s->p >= s->end)
        return false;
    switch (*s->p) {
    case '{':
        return scan_container(s, true);
    case '[':
        return scan_container(s, false);
    case '"': {
        const char *str;
        size_t len;
        bool esc;
        return scan_string(s, &str, &len, &esc);
    }
    case 't':
        return word(s, "true");
    case 'f':
        return word(s, "false");
    case 'n':
        return word(s, "null");
    case 'N':
        return word(s, "NaN");
    case 'I':
        return word(s, "Infinity");
    case '-':
        if (word(s, "-Infinity"))
            return true;
        return scan_number(s);
    default:
        return scan_number(s);
    }
}

static bool key_is(const char *k, size_t klen, const char *name)
{
    return klen == strlen(name) && memcmp(k, name, klen) == 0;
}

int vt_json_scan_object(const char *text, size_t len, vt_pub_scan *out)
{
    memset(out, 0, sizeof *out);
    scanner s = {.p = text, .end = text + len, .depth = 1};
    skip_ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return -1;
    out->open = (size_t)(s.p - text);
    s.p++;
    skip_ws(&s);
    if (s.p < s.end && *s.p == '}') {
        s.p++;
    } else {
        for (;;) {
            skip_ws(&s);
            const char *k;
            size_t klen;
            bool kesc;
            if (s.p >= s.end || *s.p != '"' || !scan_string(&s, &k, &klen, &kesc))
                return -1;
            skip_ws(&s);
            if (s.p >= s.end || *s.p != ':')
                return -1;
            s.p++;
            skip_ws(&s);
            if (kesc)
                out->keys_escaped = true;
            if (key_is(k, klen, "bus")) {
                /* Written twice, the last one counts, as for every JSON
                 * reader (subscribers' included): forget the earlier one. */
                out->has_bus = true;
                out->bus_is_string = out->bus_escaped = false;
                out->bus = NULL;
                out->bus_len = 0;
                if (s.p < s.end && *s.p == '"') {
                    out->bus_is_string = true;
                    if (!scan_string(&s, &out->bus, &out->bus_len, &out->bus_escaped))
                        return -1;
                } else if (!scan_value(&s)) {
                    return -1;
                }
            } else {
                if (key_is(k, klen, "headers"))
                    out->has_headers = true;
                else if (key_is(k, klen, "message"))
                    out->has_message = true;
                else if (key_is(k, klen, "sender"))
                    out->has_sender = true;
                if (!scan_value(&s))
                    return -1;
            }
            skip_ws(&s);
            if (s.p < s.end && *s.p == ',') {
                s.p++;
                continue;
            }
            if (s.p < s.end && *s.p == '}') {
                s.p++;
                break;
            }
            return -1;
        }
    }
    skip_ws(&s);
    return s.p == s.end ? 0 : -1;
}
