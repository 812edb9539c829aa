/* Allocation and small string helpers.
 *
 * Out of memory is not an input error: these functions log one line and
 * abort() rather than return NULL, so that every other error path in the
 * platform can concern itself with bad input only (the policy Redis follows).
 * Sizes that come from the network or disk must be bounded before they reach
 * an allocator.
 */
#ifndef VT_UTILS_MEM_H
#define VT_UTILS_MEM_H

#include <stdarg.h>
#include <stddef.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Each returns memory the caller owns and releases with free(). */
VT_UTILS_EXPORT void *vt_malloc(size_t size);
VT_UTILS_EXPORT void *vt_calloc(size_t count, size_t size);
VT_UTILS_EXPORT void *vt_realloc(void *ptr, size_t size);
VT_UTILS_EXPORT char *vt_strdup(const char *s);
VT_UTILS_EXPORT char *vt_strndup(const char *s, size_t n);
VT_UTILS_EXPORT char *vt_asprintf(const char *fmt, ...) VT_PRINTF(1, 2);
VT_UTILS_EXPORT char *vt_vasprintf(const char *fmt, va_list ap);

/* free() *p and set it to NULL. */
VT_UTILS_EXPORT void vt_freep(void *pp);

#ifdef __cplusplus
}
#endif

#endif
