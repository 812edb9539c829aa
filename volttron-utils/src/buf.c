#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/mem.h>

void vt_buf_init(vt_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void vt_buf_free(vt_buf *b)
{
    free(b->data);
    vt_buf_init(b);
}

void vt_buf_reserve(vt_buf *b, size_t n)
{
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = vt_realloc(b->data, cap);
    b->cap = cap;
}

void vt_buf_append(vt_buf *b, const void *data, size_t n)
{
    vt_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void vt_buf_append_str(vt_buf *b, const char *s)
{
    vt_buf_append(b, s, strlen(s));
}

void vt_buf_append_char(vt_buf *b, char c)
{
    vt_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void vt_buf_appendf(vt_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n > 0) {
        vt_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
    }
    va_end(ap);
}

void vt_buf_clear(vt_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *vt_buf_detach(vt_buf *b, size_t *len)
{
    char *p = b->data ? b->data : vt_strdup("");
    if (len)
        *len = b->len;
    vt_buf_init(b);
    return p;
}
