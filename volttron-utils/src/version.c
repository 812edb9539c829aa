#include <volttron/utils/version.h>

const char *vt_utils_version(void)
{
    return VT_UTILS_VERSION;
}
