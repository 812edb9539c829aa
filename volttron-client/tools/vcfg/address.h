/* The addresses the wizard asks for: "scheme://host[:port]" URLs, ports, and
 * whether a TCP address can be bound. */
#ifndef VCFG_ADDRESS_H
#define VCFG_ADDRESS_H

#include <stdbool.h>

typedef struct vcfg_url {
    char *scheme; /* lower-case */
    char *host;   /* as written; an IPv6 address keeps its brackets */
    int port;     /* -1 when absent */
} vcfg_url;

/* Parse "scheme://host[:port]" with optional trailing slashes and nothing
 * else (no path, user or query). The host is a name or an IPv4 address
 * (letters, digits, '.', '-', '_'), "*", or an IPv6 address in brackets.
 * Returns false for anything else; out is then empty. */
bool vcfg_url_parse(const char *text, vcfg_url *out);
void vcfg_url_clear(vcfg_url *url);

/* A port as VOLTTRON accepts it: decimal digits, 1 to 65534. Returns the
 * port or -1. */
int vcfg_port_parse(const char *text);

/* Whether tcp://host:port can be bound (with SO_REUSEADDR, as ZeroMQ binds
 * it): 0 if so, -EADDRINUSE if something listens there, another negative
 * errno (e.g. a name that does not resolve) with the reason in
 * vt_last_error(). */
int vcfg_try_bind(const char *host, int port);

#endif
