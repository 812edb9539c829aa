#include <string.h>

#include <check.h>
#include <zmq.h>

#include <volttron/client/client.h>

#include "raw.h"

static void *zctx;
static void *open_sockets[16];

void *vt_raw_socket(vt_fx *fx, const char *identity)
{
    vt_keypair k;
    vt_fx_authorize(fx, identity, &k);
    return vt_raw_socket_keyed(fx, identity, &k, NULL);
}

void *vt_raw_socket_keyed(vt_fx *fx, const char *identity, const vt_keypair *keys,
                          const vt_raw_opts *opts)
{
    vt_keypair k;
    if (keys)
        k = *keys;
    else
        ck_assert_int_eq(vt_keys_generate(&k), 0);
    if (!zctx)
        zctx = zmq_ctx_new();
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    zmq_setsockopt(s, ZMQ_ROUTING_ID, identity, strlen(identity));
    int linger = 0, timeo = 5000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeo, sizeof timeo);
    if (fx->auth) {
        char z[41];
        vt_keys_to_z85(fx->serverkey, z);
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, z, 40);
        vt_keys_to_z85(k.public_key, z);
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, z, 40);
        vt_keys_to_z85(k.secret_key, z);
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, z, 40);
    }
    if (opts && opts->no_reconnect) {
        int never = -1;
        zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &never, sizeof never);
    }
    if (opts && opts->rcvhwm)
        zmq_setsockopt(s, ZMQ_RCVHWM, &opts->rcvhwm, sizeof opts->rcvhwm);
    if (opts && opts->rcvbuf)
        zmq_setsockopt(s, ZMQ_RCVBUF, &opts->rcvbuf, sizeof opts->rcvbuf);
    ck_assert_int_eq(zmq_connect(s, fx->tcp), 0);
    for (size_t i = 0; i < sizeof open_sockets / sizeof open_sockets[0]; i++)
        if (!open_sockets[i]) {
            open_sockets[i] = s;
            break;
        }
    return s;
}

void vt_raw_close(void **s)
{
    void *sock = *s;
    for (size_t i = 0; i < sizeof open_sockets / sizeof open_sockets[0]; i++)
        if (open_sockets[i] == sock)
            open_sockets[i] = NULL;
    zmq_close(sock);
    *s = NULL;
}

void vt_raw_close_all(void)
{
    for (size_t i = 0; i < sizeof open_sockets / sizeof open_sockets[0]; i++)
        if (open_sockets[i])
            vt_raw_close(&open_sockets[i]);
    if (zctx) {
        zmq_ctx_term(zctx);
        zctx = NULL;
    }
}

void vt_raw_send(void *s, const char *const *frames, const size_t *lens, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_int_ge(
            zmq_send(s, frames[i], lens ? lens[i] : strlen(frames[i]), i + 1 < n ? ZMQ_SNDMORE : 0),
            0);
}

size_t vt_raw_recv(void *s, char frames[][256], size_t max)
{
    size_t n = 0;
    int more = 1;
    while (more) {
        char buf[256];
        int len = zmq_recv(s, buf, sizeof buf - 1, 0);
        if (len < 0)
            return 0;
        if (len > (int)sizeof buf - 1)
            len = sizeof buf - 1;
        if (n < max) {
            memcpy(frames[n], buf, (size_t)len);
            frames[n][len] = '\0';
            n++;
        }
        size_t sz = sizeof more;
        zmq_getsockopt(s, ZMQ_RCVMORE, &more, &sz);
    }
    return n;
}
