/* Agent archives from what `vctl install` and `vctl package` are given. */
#ifndef VCTL_BUILD_H
#define VCTL_BUILD_H

#include <volttron/client/client.h>

/* path: a source directory (built with meson), a package directory or an
 * archive; config (may be NULL) goes into the archive as "config". Work
 * happens under tmp (an empty directory the caller removes). *archive is
 * the archive to send (in tmp, or path itself). Caller frees it. */
int vctl_build_archive(const char *path, const cJSON *config, const char *tmp, char **archive);

#endif
