/* Symbol export for libvolttron-utils.
 *
 * The library is compiled with hidden visibility; only declarations marked
 * VT_UTILS_EXPORT form its ABI, so every exported name is a deliberate choice.
 */
#ifndef VT_UTILS_EXPORT_H
#define VT_UTILS_EXPORT_H

#if defined(_WIN32)
#define VT_UTILS_EXPORT
#elif defined(__GNUC__) && __GNUC__ >= 4
#define VT_UTILS_EXPORT __attribute__((visibility("default")))
#else
#define VT_UTILS_EXPORT
#endif

/* printf-style format checking where the compiler supports it. */
#if defined(__GNUC__)
#define VT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define VT_PRINTF(fmt, args)
#endif

#endif
