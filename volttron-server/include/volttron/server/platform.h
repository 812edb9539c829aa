/* The VOLTTRON platform daemon. */
#ifndef VT_SERVER_PLATFORM_H
#define VT_SERVER_PLATFORM_H

#include <volttron/server/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Run the platform as the `volttron` command does: parse argc/argv and
 * $VOLTTRON_HOME/config, bind, serve until SIGTERM/SIGINT or a shutdown
 * request, then stop cleanly. Returns the process exit status. */
VT_SERVER_EXPORT int vt_platform_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
