/* The memory floor: a process that links libzmq and nothing of ours. It
 * connects one DEALER to the forwarder given on the command line, has one
 * message answered by the echo behind it, says so on stdout and waits to be
 * killed. bench_vip measures it beside our idle agent.
 *
 *   zmq_idle ENDPOINT [SERVER_PUBLIC_KEY_Z85]     (a key: connect with CURVE) */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    void *ctx = zmq_ctx_new();
    void *d = zmq_socket(ctx, ZMQ_DEALER);
    zmq_setsockopt(d, ZMQ_ROUTING_ID, "idle", 4);
    if (argc > 2) {
        char pub[41], sec[41];
        zmq_curve_keypair(pub, sec);
        zmq_setsockopt(d, ZMQ_CURVE_SERVERKEY, argv[2], 40);
        zmq_setsockopt(d, ZMQ_CURVE_PUBLICKEY, pub, 40);
        zmq_setsockopt(d, ZMQ_CURVE_SECRETKEY, sec, 40);
    }
    zmq_connect(d, argv[1]);
    zmq_send(d, "echo", 4, ZMQ_SNDMORE);
    zmq_send(d, "here", 4, 0);
    char buf[64];
    int more = 1;
    while (more) {
        if (zmq_recv(d, buf, sizeof buf, 0) < 0)
            return 1;
        size_t sz = sizeof more;
        zmq_getsockopt(d, ZMQ_RCVMORE, &more, &sz);
    }
    puts("ready");
    fflush(stdout);
    pause();
    return 0;
}
