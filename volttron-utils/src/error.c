#include <stdio.h>
#include <string.h>

#include <volttron/utils/error.h>

/* Large enough for a path, a position and a sentence; longer text is cut. */
#define VT_ERROR_MAX 1024

static _Thread_local char last_error[VT_ERROR_MAX];

const char *vt_last_error(void)
{
    return last_error;
}

int vt_error_setv(int rc, const char *fmt, va_list ap)
{
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    return rc;
}

int vt_error_set(int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vt_error_setv(rc, fmt, ap);
    va_end(ap);
    return rc;
}

/* Append s to dst (capacity cap, current length *len), truncating. */
static void append(char *dst, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (n > cap - 1 - *len)
        n = cap - 1 - *len;
    memcpy(dst + *len, s, n);
    *len += n;
    dst[*len] = '\0';
}

int vt_error_prefix(int rc, const char *fmt, ...)
{
    char old[VT_ERROR_MAX];
    va_list ap;

    memcpy(old, last_error, sizeof old);
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    if (old[0]) {
        size_t len = strlen(last_error);
        append(last_error, sizeof last_error, &len, ": ");
        append(last_error, sizeof last_error, &len, old);
    }
    return rc;
}

void vt_error_clear(void)
{
    last_error[0] = '\0';
}
