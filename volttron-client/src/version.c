#include <volttron/client/version.h>

const char *vt_client_version(void)
{
    return VT_CLIENT_VERSION;
}
