/* Symbol export for libvolttron-server (see volttron/utils/export.h). */
#ifndef VT_SERVER_EXPORT_H
#define VT_SERVER_EXPORT_H

#if defined(_WIN32)
#define VT_SERVER_EXPORT
#elif defined(__GNUC__) && __GNUC__ >= 4
#define VT_SERVER_EXPORT __attribute__((visibility("default")))
#else
#define VT_SERVER_EXPORT
#endif

#endif
