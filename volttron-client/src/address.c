#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/address.h>
#include <volttron/utils/encoding.h>
#include <volttron/utils/error.h>
#include <volttron/utils/mem.h>

/* Percent-decode n bytes of s (query values may be URL-encoded). */
static char *url_decode(const char *s, size_t n)
{
    char *out = vt_malloc(n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n + 1 && vt_hex_digit(s[i + 1]) >= 0 &&
            vt_hex_digit(s[i + 2]) >= 0) {
            *o++ = (char)(vt_hex_digit(s[i + 1]) << 4 | vt_hex_digit(s[i + 2]));
            i += 2;
        } else if (s[i] == '+') {
            *o++ = ' ';
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

static void set_param(vt_address *a, const char *key, size_t klen, const char *val, size_t vlen)
{
    char **slot = NULL;
    if (klen == 9 && memcmp(key, "serverkey", 9) == 0)
        slot = &a->serverkey;
    else if (klen == 9 && memcmp(key, "publickey", 9) == 0)
        slot = &a->publickey;
    else if (klen == 9 && memcmp(key, "secretkey", 9) == 0)
        slot = &a->secretkey;
    else if (klen == 6 && memcmp(key, "server", 6) == 0)
        slot = &a->server;
    if (!slot)
        return; /* unknown parameters (ipv6, domain, ...) are not ours to judge */
    free(*slot);
    *slot = url_decode(val, vlen);
}

int vt_address_parse(const char *url, vt_address *a)
{
    memset(a, 0, sizeof *a);
    const char *sep = url ? strstr(url, "://") : NULL;
    if (!sep || sep == url)
        return vt_error_set(-EINVAL, "invalid VIP address \"%s\": expected scheme://...",
                            url ? url : "");
    a->scheme = vt_strndup(url, (size_t)(sep - url));
    if (strcmp(a->scheme, "tcp") != 0 && strcmp(a->scheme, "ipc") != 0 &&
        strcmp(a->scheme, "inproc") != 0) {
        int rc = vt_error_set(-EINVAL, "invalid VIP address \"%s\": unsupported scheme \"%s\"", url,
                              a->scheme);
        vt_address_clear(a);
        return rc;
    }
    const char *rest = sep + 3;
    size_t base_len = strcspn(rest, "?#");
    a->endpoint = vt_strndup(url, (size_t)(rest - url) + base_len);

    /* Host key as Python's urlparse gives it: the netloc (up to the first
     * '/'), or the path when there is no netloc. */
    size_t netloc = strcspn(rest, "/?#");
    if (netloc > 0)
        a->host_key = vt_strndup(rest, netloc);
    else
        a->host_key = vt_strndup(rest, base_len);

    const char *p = rest + base_len;
    if (*p == '?') {
        p++;
        while (*p && *p != '#') {
            size_t pair = strcspn(p, "&#");
            const char *eq = memchr(p, '=', pair);
            if (eq)
                set_param(a, p, (size_t)(eq - p), eq + 1, pair - (size_t)(eq - p) - 1);
            p += pair;
            if (*p == '&')
                p++;
        }
    }
    if (*p == '#')
        a->fragment = vt_strdup(p + 1);
    return 0;
}

void vt_address_clear(vt_address *a)
{
    free(a->endpoint);
    free(a->scheme);
    free(a->host_key);
    free(a->serverkey);
    free(a->publickey);
    free(a->secretkey);
    free(a->server);
    free(a->fragment);
    memset(a, 0, sizeof *a);
}

char *vt_address_local(const char *volttron_home)
{
    /* Linux: an abstract socket ('@'), so no file appears under run/. */
    return vt_asprintf("ipc://@%s/run/vip.socket", volttron_home);
}
