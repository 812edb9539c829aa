/* Python's repr() of a decoded JSON value. VOLTTRON builds its capability
 * error texts with str.format over dicts, sets and lists, so the texts our
 * agents and platform send must print values the same way. */
#include <stdio.h>
#include <string.h>

#include <volttron/utils/json.h>

static void repr_string(vt_buf *b, const char *s)
{
    /* Python prefers single quotes unless the text holds one and no double. */
    char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    vt_buf_append_char(b, q);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '\\':
            vt_buf_append_str(b, "\\\\");
            break;
        case '\n':
            vt_buf_append_str(b, "\\n");
            break;
        case '\r':
            vt_buf_append_str(b, "\\r");
            break;
        case '\t':
            vt_buf_append_str(b, "\\t");
            break;
        default:
            if (*p == (unsigned char)q) {
                vt_buf_append_char(b, '\\');
                vt_buf_append_char(b, (char)*p);
            } else if (*p < 0x20 || *p == 0x7f) {
                char hex[5];
                snprintf(hex, sizeof hex, "\\x%02x", *p);
                vt_buf_append_str(b, hex);
            } else {
                vt_buf_append_char(b, (char)*p); /* UTF-8 passes: Python 3 prints it */
            }
        }
    }
    vt_buf_append_char(b, q);
}

void vt_json_repr_python(vt_buf *b, const cJSON *v)
{
    switch (v ? v->type & 0xFF : cJSON_NULL) {
    case cJSON_String:
        repr_string(b, v->valuestring);
        return;
    case cJSON_True:
        vt_buf_append_str(b, "True");
        return;
    case cJSON_False:
        vt_buf_append_str(b, "False");
        return;
    case cJSON_Number:
        vt_json_dump_buf(b, v, 0);
        return;
    case cJSON_Array:
    case cJSON_Object: {
        bool obj = cJSON_IsObject(v);
        vt_buf_append_char(b, obj ? '{' : '[');
        const cJSON *c;
        cJSON_ArrayForEach (c, v) {
            if (c != v->child)
                vt_buf_append_str(b, ", ");
            if (obj) {
                repr_string(b, c->string);
                vt_buf_append_str(b, ": ");
            }
            vt_json_repr_python(b, c);
        }
        vt_buf_append_char(b, obj ? '}' : ']');
        return;
    }
    default:
        vt_buf_append_str(b, "None");
        return;
    }
}
