#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/topic.h>

/* The next non-empty segment at or after *cursor: returns its start (NULL at
 * the end), stores its length and advances the cursor past it. */
static const char *next_segment(const char **cursor, size_t *len)
{
    const char *q = *cursor;
    while (*q == '/')
        q++;
    const char *start = q;
    while (*q && *q != '/')
        q++;
    *cursor = q;
    *len = (size_t)(q - start);
    return *len ? start : NULL;
}

/* Append topic's segments to b, separated by '/'. */
static void append_segments(vt_buf *b, const char *topic)
{
    const char *cursor = topic, *seg;
    size_t len;
    while ((seg = next_segment(&cursor, &len))) {
        if (b->len)
            vt_buf_append_char(b, '/');
        vt_buf_append(b, seg, len);
    }
}

char *vt_topic_normalize(const char *topic)
{
    vt_buf b;
    vt_buf_init(&b);
    append_segments(&b, topic ? topic : "");
    return vt_buf_detach(&b, NULL);
}

char *vt_topic_join(const char *const *parts, size_t n)
{
    vt_buf b;
    vt_buf_init(&b);
    for (size_t i = 0; i < n; i++)
        if (parts[i])
            append_segments(&b, parts[i]);
    return vt_buf_detach(&b, NULL);
}

char *vt_topic_join2(const char *a, const char *b)
{
    const char *parts[] = {a, b};
    return vt_topic_join(parts, 2);
}

char **vt_topic_split(const char *topic, size_t *count)
{
    const char *cursor = topic ? topic : "", *seg;
    size_t n = 0, chars = 0, len;
    while ((seg = next_segment(&cursor, &len))) {
        n++;
        chars += len + 1;
    }
    char **out = vt_malloc((n + 1) * sizeof *out + chars);
    char *strings = (char *)(out + n + 1);
    size_t i = 0;
    cursor = topic ? topic : "";
    while ((seg = next_segment(&cursor, &len))) {
        memcpy(strings, seg, len);
        strings[len] = '\0';
        out[i++] = strings;
        strings += len + 1;
    }
    out[i] = NULL;
    if (count)
        *count = n;
    return out;
}

bool vt_topic_has_prefix(const char *topic, const char *prefix)
{
    return strncmp(topic, prefix, strlen(prefix)) == 0;
}

bool vt_topic_is_under(const char *topic, const char *parent)
{
    char *t = vt_topic_normalize(topic);
    char *p = vt_topic_normalize(parent);
    size_t plen = strlen(p);
    bool under = plen == 0 || (strncmp(t, p, plen) == 0 && (t[plen] == '\0' || t[plen] == '/'));
    free(t);
    free(p);
    return under;
}

bool vt_topic_is_valid(const char *topic)
{
    if (!topic || !*topic)
        return false;
    for (const unsigned char *p = (const unsigned char *)topic; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return true;
}
