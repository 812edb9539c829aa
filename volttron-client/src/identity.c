/* VIP identities: the one validator (identity.h). */
#include <errno.h>
#include <string.h>

#include <volttron/client/identity.h>
#include <volttron/utils/error.h>

/* The platform's own names: its in-process services under VOLTTRON 9's and
 * 10's names, the ones later transports and services use (keydiscovery,
 * web, the RabbitMQ proxy and router), the transient identity VOLTTRON's
 * shutdown uses, and the auth user of the platform's key. */
static const char *const reserved[] = {
    "control",
    "control.connection",
    "config.store",
    "platform.auth",
    "platform.health",
    "keydiscovery",
    "platform_web",
    "platform.web",
    "platform",
    "platform.control",
    "platform.config_store",
    "platform.router",
    "zmq.proxy.router",
    "router",
    "aip",
    NULL,
};

/* vctl may open several connections at once (one per running command). */
#define VCTL_PREFIX "control.connection."

bool vt_identity_valid(const char *s)
{
    if (!s || !*s || *s == '.')
        return false;
    size_t n = 0;
    for (const char *p = s; *p; p++, n++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        if (!ok || n >= VT_IDENTITY_MAX)
            return false;
    }
    return true;
}

bool vt_identity_reserved(const char *s)
{
    if (!s)
        return false;
    for (const char *const *r = reserved; *r; r++)
        if (strcmp(*r, s) == 0)
            return true;
    return strncmp(s, VCTL_PREFIX, strlen(VCTL_PREFIX)) == 0;
}

int vt_identity_check(const char *s, const char *what, bool allow_reserved)
{
    if (!what)
        what = "identity";
    if (!s || !*s)
        return vt_error_set(-EINVAL, "%s must not be empty", what);
    if (*s == '.')
        return vt_error_set(-EINVAL, "%s \"%.*s\" must not start with a dot", what, VT_IDENTITY_MAX,
                            s);
    if (!vt_identity_valid(s))
        return vt_error_set(-EINVAL, "%s \"%.*s%s\" must be 1-%d characters of A-Z a-z 0-9 _ . -",
                            what, VT_IDENTITY_MAX, s, strlen(s) > VT_IDENTITY_MAX ? "..." : "",
                            VT_IDENTITY_MAX);
    if (!allow_reserved && vt_identity_reserved(s))
        return vt_error_set(-EINVAL, "%s \"%s\" is reserved for the platform", what, s);
    return 0;
}
