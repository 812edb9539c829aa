#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/mem.h>

static void out_of_memory(size_t size)
{
    /* No allocation here: the log module may itself need memory. */
    fprintf(stderr, "volttron: out of memory allocating %zu bytes\n", size);
    abort();
}

void *vt_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

void *vt_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *vt_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

char *vt_strdup(const char *s)
{
    return vt_strndup(s, strlen(s));
}

char *vt_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = vt_malloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *vt_vasprintf(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        n = 0;
    char *p = vt_malloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *vt_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = vt_vasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void vt_freep(void *pp)
{
    void **p = pp;
    if (p) {
        free(*p);
        *p = NULL;
    }
}
