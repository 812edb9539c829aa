#include <volttron/server/version.h>

const char *vt_server_version(void)
{
    return VT_SERVER_VERSION;
}
