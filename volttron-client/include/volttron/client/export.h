/* Symbol export for libvolttron-client (see volttron/utils/export.h). */
#ifndef VT_CLIENT_EXPORT_H
#define VT_CLIENT_EXPORT_H

#if defined(_WIN32)
#define VT_CLIENT_EXPORT
#elif defined(__GNUC__) && __GNUC__ >= 4
#define VT_CLIENT_EXPORT __attribute__((visibility("default")))
#else
#define VT_CLIENT_EXPORT
#endif

#endif
