/* VOLTTRON's value patterns, as auth.json, capabilities and protected topics
 * write them: a string that starts and ends with '/' (and is longer than one
 * character) is a regular expression that must match the whole value;
 * anything else must be equal.
 *
 * The expressions are POSIX extended ones. VOLTTRON compiles them with
 * Python's re; the patterns people write (any-value, "/127\.0\.0\.[0-9]+/",
 * "/a|b/") mean the same in both. Python-only syntax (\d, lazy quantifiers,
 * lookahead) does not compile here and then matches nothing: refusing is the
 * safe failure for an access rule. */
#ifndef VT_UTILS_PATTERN_H
#define VT_UTILS_PATTERN_H

#include <stdbool.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whether s is written as a regular expression ("/.../"). */
VT_UTILS_EXPORT bool vt_pattern_is_regex(const char *s);
/* Whether value matches pattern (both borrowed). A NULL pattern matches
 * everything; a NULL value matches only a NULL pattern. */
VT_UTILS_EXPORT bool vt_pattern_match(const char *pattern, const char *value);

#ifdef __cplusplus
}
#endif

#endif
