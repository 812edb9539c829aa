/* The `volttron` daemon. Everything lives in libvolttron-server. */
#include <volttron/server/platform.h>

int main(int argc, char **argv)
{
    return vt_platform_main(argc, argv);
}
