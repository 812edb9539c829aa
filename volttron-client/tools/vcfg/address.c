/* URL and port checks, and the test bind of the vip address. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <volttron/utils/error.h>
#include <volttron/utils/mem.h>

#include "address.h"

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_host_char(char c)
{
    return is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '_';
}

static bool is_ipv6_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

int vcfg_port_parse(const char *text)
{
    long port = 0;
    if (!*text || strlen(text) > 5)
        return -1;
    for (const char *p = text; *p; p++) {
        if (!is_digit(*p))
            return -1;
        port = port * 10 + (*p - '0');
    }
    return port >= 1 && port <= 65534 ? (int)port : -1;
}

/* The host part at p; returns the position after it, or NULL. */
static const char *parse_host(const char *p, char **host)
{
    const char *start = p;
    if (*p == '[') {
        while (is_ipv6_char(*++p))
            ;
        if (*p != ']' || p == start + 1)
            return NULL;
        p++;
    } else if (*p == '*') {
        p++;
    } else {
        while (is_host_char(*p))
            p++;
        if (p == start)
            return NULL;
    }
    *host = vt_strndup(start, (size_t)(p - start));
    return p;
}

bool vcfg_url_parse(const char *text, vcfg_url *out)
{
    *out = (vcfg_url){.port = -1};
    const char *p = text;
    if (!is_alpha(*p))
        return false;
    while (is_alpha(*p) || is_digit(*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (strncmp(p, "://", 3) != 0)
        return false;
    char *scheme = vt_strndup(text, (size_t)(p - text));
    for (char *s = scheme; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
    out->scheme = scheme;
    p = parse_host(p + 3, &out->host);
    if (!p)
        goto bad;
    if (*p == ':') {
        const char *digits = ++p;
        while (is_digit(*p))
            p++;
        char *port = vt_strndup(digits, (size_t)(p - digits));
        out->port = vcfg_port_parse(port);
        free(port);
        if (out->port < 0)
            goto bad;
    }
    while (*p == '/')
        p++;
    if (*p)
        goto bad;
    return true;
bad:
    vcfg_url_clear(out);
    return false;
}

void vcfg_url_clear(vcfg_url *url)
{
    free(url->scheme);
    free(url->host);
    *url = (vcfg_url){.port = -1};
}

int vcfg_try_bind(const char *host, int port)
{
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    char *name = NULL;
    if (strcmp(host, "*") == 0) {
        hints.ai_family = AF_INET; /* ZeroMQ's "*" without IPv6 */
    } else if (host[0] == '[') {
        name = vt_strndup(host + 1, strlen(host) - 2);
        hints.ai_family = AF_INET6;
        hints.ai_flags |= AI_NUMERICHOST;
    } else {
        name = vt_strdup(host);
    }
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo(name, service, &hints, &ai);
    free(name);
    if (gai != 0)
        return vt_error_set(-EINVAL, "cannot resolve %s: %s", host, gai_strerror(gai));
    int rc = 0;
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        rc = vt_error_set(-errno, "socket: %s", strerror(errno));
    } else {
        int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1) < 0)
            rc = vt_error_set(-errno, "cannot bind tcp://%s:%d: %s", host, port, strerror(errno));
        close(fd);
    }
    freeaddrinfo(ai);
    return rc;
}
