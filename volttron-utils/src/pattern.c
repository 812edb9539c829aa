#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/mem.h>
#include <volttron/utils/pattern.h>

bool vt_pattern_is_regex(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 1 && s[0] == '/' && s[n - 1] == '/';
}

bool vt_pattern_match(const char *pattern, const char *value)
{
    if (!pattern)
        return true;
    if (!value)
        return false;
    if (!vt_pattern_is_regex(pattern))
        return strcmp(pattern, value) == 0;
    /* The group keeps an alternation inside both anchors. */
    char *text = vt_asprintf("^(%.*s)$", (int)(strlen(pattern) - 2), pattern + 1);
    regex_t re;
    bool ok = false;
    if (regcomp(&re, text, REG_EXTENDED | REG_NOSUB) == 0) {
        ok = regexec(&re, value, 0, NULL, 0) == 0;
        regfree(&re);
    }
    free(text);
    return ok;
}
