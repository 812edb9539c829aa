/* Topic helpers.
 *
 * VOLTTRON topics are '/'-separated strings such as
 * "devices/campus/building/device/all". Subscription matching on the bus is a
 * plain byte-wise prefix test (vt_topic_has_prefix): "devices/a" matches
 * "devices/ab/x". vt_topic_is_under is the segment-aware test for code that
 * means "this topic or anything below it".
 */
#ifndef VT_UTILS_TOPIC_H
#define VT_UTILS_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Strip leading and trailing '/' and collapse runs of '/'.
 * Returns a new string the caller frees. */
VT_UTILS_EXPORT char *vt_topic_normalize(const char *topic);

/* Join n parts with single '/' separators, ignoring empty parts and slashes
 * at the joins. Returns a new string the caller frees. */
VT_UTILS_EXPORT char *vt_topic_join(const char *const *parts, size_t n);
/* Join two parts; convenience for vt_topic_join. Caller frees. */
VT_UTILS_EXPORT char *vt_topic_join2(const char *a, const char *b);

/* Split into its non-empty segments. Returns a NULL-terminated array in a
 * single allocation (one free() releases the array and the strings) and
 * stores the segment count in *count if count is non-NULL. */
VT_UTILS_EXPORT char **vt_topic_split(const char *topic, size_t *count);

/* Byte-wise prefix test, the VIP pubsub matching rule; "" matches all. */
VT_UTILS_EXPORT bool vt_topic_has_prefix(const char *topic, const char *prefix);

/* Segment-aware: topic equals parent or continues with '/' after it.
 * Both are compared as normalised topics; "" is the parent of everything. */
VT_UTILS_EXPORT bool vt_topic_is_under(const char *topic, const char *parent);

/* A topic is valid on the wire when it is non-empty printable ASCII. */
VT_UTILS_EXPORT bool vt_topic_is_valid(const char *topic);

#ifdef __cplusplus
}
#endif

#endif
