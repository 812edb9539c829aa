#include <string.h>

#include "frames.h"

void fz_reader_init(fz_reader *r, const uint8_t *data, size_t size)
{
    r->p = data;
    r->end = data + size;
    r->messages = 0;
    r->done = false;
}

bool fz_next_message(fz_reader *r, fz_message *m)
{
    if (r->done || r->messages == FZ_MAX_MESSAGES)
        return false;
    const uint8_t *stop = memchr(r->p, FZ_RS, (size_t)(r->end - r->p));
    if (!stop)
        stop = r->end;
    m->n = 0;
    const uint8_t *p = r->p;
    for (;;) {
        const uint8_t *us = m->n + 1 < FZ_MAX_FRAMES ? memchr(p, FZ_US, (size_t)(stop - p)) : NULL;
        const uint8_t *e = us ? us : stop;
        m->f[m->n++] = (fz_frame){p, (size_t)(e - p)};
        if (!us)
            break;
        p = us + 1;
    }
    r->messages++;
    if (stop == r->end)
        r->done = true;
    else
        r->p = stop + 1;
    return true;
}
