#include <stdlib.h>
#include <string.h>

#include <volttron/utils/mem.h>

#include "message_private.h"

vt_message *vt_message_new(void)
{
    vt_message *m = vt_calloc(1, sizeof *m);
    m->frames = m->inline_frames;
    m->cap = VT_MESSAGE_INLINE;
    return m;
}

void vt_message_reset(vt_message *m)
{
    for (size_t i = 0; i < m->n; i++) {
        zmq_msg_close(&m->frames[i]);
        if (m->strs) {
            free(m->strs[i]);
            m->strs[i] = NULL; /* the array itself is kept for reuse */
        }
    }
    m->n = 0;
}

void vt_message_destroy(vt_message **mp)
{
    if (!mp || !*mp)
        return;
    vt_message *m = *mp;
    vt_message_reset(m);
    free(m->strs);
    if (m->frames != m->inline_frames)
        free(m->frames);
    free(m);
    *mp = NULL;
}

zmq_msg_t *vt_message_push(vt_message *m)
{
    if (m->n == m->cap) {
        size_t cap = m->cap * 2;
        zmq_msg_t *frames = vt_malloc(cap * sizeof *frames);
        /* zmq_msg_t may be moved bytewise only through zmq_msg_move. */
        for (size_t i = 0; i < m->n; i++) {
            zmq_msg_init(&frames[i]);
            zmq_msg_move(&frames[i], &m->frames[i]);
            zmq_msg_close(&m->frames[i]);
        }
        if (m->frames != m->inline_frames)
            free(m->frames);
        m->frames = frames;
        if (m->strs) {
            m->strs = vt_realloc(m->strs, cap * sizeof *m->strs);
            memset(m->strs + m->cap, 0, (cap - m->cap) * sizeof *m->strs);
        }
        m->cap = cap;
    }
    return &m->frames[m->n++];
}

void vt_message_pop(vt_message *m)
{
    if (m->n) {
        m->n--;
        if (m->strs) {
            free(m->strs[m->n]);
            m->strs[m->n] = NULL;
        }
    }
}

size_t vt_message_size(const vt_message *m)
{
    return m->n;
}

const void *vt_message_data(const vt_message *m, size_t i, size_t *len)
{
    if (i >= m->n) {
        if (len)
            *len = 0;
        return NULL;
    }
    zmq_msg_t *f = (zmq_msg_t *)&m->frames[i];
    if (len)
        *len = zmq_msg_size(f);
    return zmq_msg_data(f);
}

bool vt_message_eq(const vt_message *m, size_t i, const char *s)
{
    size_t len;
    const void *d = vt_message_data(m, i, &len);
    return d && len == strlen(s) && memcmp(d, s, len) == 0;
}

char *vt_message_strdup(const vt_message *m, size_t i)
{
    size_t len;
    const void *d = vt_message_data(m, i, &len);
    char *s = vt_malloc(len + 1);
    if (len)
        memcpy(s, d, len);
    s[len] = '\0';
    return s;
}

const char *vt_message_str(const vt_message *m, size_t i)
{
    if (i >= m->n)
        return "";
    vt_message *mm = (vt_message *)m; /* the cache is not part of the value */
    if (!mm->strs)
        mm->strs = vt_calloc(mm->cap, sizeof *mm->strs);
    if (!mm->strs[i])
        mm->strs[i] = vt_message_strdup(m, i);
    return mm->strs[i];
}

void vt_message_append(vt_message *m, const void *data, size_t len)
{
    zmq_msg_t *f = vt_message_push(m);
    zmq_msg_init_size(f, len);
    if (len)
        memcpy(zmq_msg_data(f), data, len);
}

void vt_message_append_str(vt_message *m, const char *s)
{
    vt_message_append(m, s, strlen(s));
}

static void free_owned(void *data, void *hint)
{
    (void)hint;
    free(data);
}

void vt_message_append_owned(vt_message *m, void *data, size_t len)
{
    zmq_msg_t *f = vt_message_push(m);
    zmq_msg_init_data(f, data, len, free_owned, NULL);
}

void vt_message_append_frame(vt_message *m, const vt_message *src, size_t i)
{
    zmq_msg_t *f = vt_message_push(m);
    zmq_msg_init(f);
    if (i < src->n)
        zmq_msg_copy(f, (zmq_msg_t *)&src->frames[i]);
}

size_t vt_vip_nargs(const vt_message *m)
{
    return m->n > VT_VIP_ARGS ? m->n - VT_VIP_ARGS : 0;
}

const void *vt_vip_arg(const vt_message *m, size_t i, size_t *len)
{
    return vt_message_data(m, VT_VIP_ARGS + i, len);
}

bool vt_vip_arg_eq(const vt_message *m, size_t i, const char *s)
{
    return vt_message_eq(m, VT_VIP_ARGS + i, s);
}

const char *vt_vip_peer(const vt_message *m)
{
    return vt_message_str(m, VT_VIP_PEER);
}

const char *vt_vip_user(const vt_message *m)
{
    return vt_message_str(m, VT_VIP_USER);
}

const char *vt_vip_id(const vt_message *m)
{
    return vt_message_str(m, VT_VIP_ID);
}

const char *vt_vip_subsystem(const vt_message *m)
{
    return vt_message_str(m, VT_VIP_SUBSYSTEM);
}

void *vt_message_zmsg(vt_message *m, size_t i)
{
    return i < m->n ? &m->frames[i] : NULL;
}

void vt_message_append_zmsg(vt_message *m, void *zmq_msg)
{
    zmq_msg_t *f = vt_message_push(m);
    zmq_msg_init(f);
    zmq_msg_move(f, (zmq_msg_t *)zmq_msg);
}
