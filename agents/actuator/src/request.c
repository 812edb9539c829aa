#include "request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/mem.h>

#include "pytext.h"

static int fail(char **error, char *text)
{
    *error = text;
    return -EINVAL;
}

char *act_strip_slashes(const char *s)
{
    size_t len = strlen(s);
    while (len && s[len - 1] == '/')
        len--;
    size_t start = 0;
    while (start < len && s[start] == '/')
        start++;
    return vt_strndup(s + start, len - start);
}

vt_timestamp act_time_localize(const vt_timestamp *naive)
{
    int64_t secs = naive->us / 1000000, micro = naive->us % 1000000;
    if (micro < 0) {
        micro += 1000000;
        secs -= 1;
    }
    time_t wall = (time_t)secs;
    struct tm tm;
    gmtime_r(&wall, &tm);
    tm.tm_isdst = -1;
    time_t epoch = mktime(&tm);
    vt_timestamp out = {
        .us = (int64_t)epoch * 1000000 + micro,
        .offset_s = (int32_t)(secs - (int64_t)epoch),
        .aware = true,
    };
    return out;
}

int act_time_parse(const cJSON *value, vt_timestamp *out, char **error)
{
    if (!cJSON_IsString(value)) {
        /* VOLTTRON's parser asks for len() first; dateutil refuses
         * containers. */
        if (cJSON_IsArray(value) || cJSON_IsObject(value))
            return fail(error, vt_asprintf("TypeError: Parser must be a string or character "
                                           "stream, not %s",
                                           act_py_type(value)));
        return fail(error,
                    vt_asprintf("TypeError: object of type '%s' has no len()", act_py_type(value)));
    }
    const char *text = value->valuestring;
    vt_timestamp t;
    if (vt_time_parse(text, &t) < 0) {
        if (text[strspn(text, " \t\r\n")] == '\0')
            return fail(error,
                        vt_asprintf("ParserError: String does not contain a date: %s", text));
        return fail(error, vt_asprintf("ParserError: Unknown string format: %s", text));
    }
    *out = t.aware ? t : act_time_localize(&t);
    return 0;
}

void act_requests_free(act_slot_req *reqs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(reqs[i].device);
    free(reqs);
}

/* device, start, end = item */
static int unpack_slot(const cJSON *item, act_slot_req *r, char **error)
{
    cJSON *parts = act_py_iterate(item);
    if (!parts)
        return fail(error, vt_asprintf("TypeError: cannot unpack non-iterable %s object",
                                       act_py_type(item)));
    int n = cJSON_GetArraySize(parts);
    int rc = 0;
    if (n < 3) {
        rc = fail(error, vt_asprintf("ValueError: not enough values to unpack (expected 3, "
                                     "got %d)",
                                     n));
    } else if (n > 3) {
        rc = fail(error, vt_strdup("ValueError: too many values to unpack (expected 3)"));
    } else {
        const cJSON *device = cJSON_GetArrayItem(parts, 0);
        /* VOLTTRON strips the device before anything else, so a device
         * that is not a string fails there with an AttributeError. We keep
         * it for the scheduler, which refuses it with the spec's
         * "ValueError: Device not string." (actuator.md §4.1 row 10). */
        r->device = cJSON_IsString(device) ? act_strip_slashes(device->valuestring) : NULL;
        if (act_time_parse(cJSON_GetArrayItem(parts, 1), &r->start, error) < 0 ||
            act_time_parse(cJSON_GetArrayItem(parts, 2), &r->end, error) < 0) {
            free(r->device);
            r->device = NULL;
            rc = -EINVAL;
        }
    }
    cJSON_Delete(parts);
    return rc;
}

int act_requests_parse(const cJSON *requests, act_slot_req **out, size_t *n, char **error)
{
    *out = NULL;
    *n = 0;
    *error = NULL;
    /* `if requests and isinstance(requests[0], str): requests = [requests]`
     * then `for r in requests`: reproduce what each JSON type does there. */
    cJSON *items = NULL;
    if (!requests || cJSON_IsNull(requests) || cJSON_IsBool(requests) || cJSON_IsNumber(requests)) {
        if (act_py_truthy(requests))
            return fail(error, vt_asprintf("TypeError: '%s' object is not subscriptable",
                                           act_py_type(requests)));
        return fail(error,
                    vt_asprintf("TypeError: '%s' object is not iterable", act_py_type(requests)));
    }
    if (cJSON_IsObject(requests) && cJSON_GetArraySize(requests) > 0)
        return fail(error, vt_strdup("KeyError: 0"));
    bool wrap = (cJSON_IsString(requests) && requests->valuestring[0]) ||
                (cJSON_IsArray(requests) && cJSON_IsString(cJSON_GetArrayItem(requests, 0)));
    if (wrap) {
        items = cJSON_CreateArray();
        cJSON_AddItemToArray(items, cJSON_Duplicate(requests, 1));
    } else {
        items = act_py_iterate(requests);
    }
    size_t count = (size_t)cJSON_GetArraySize(items);
    act_slot_req *reqs = vt_calloc(count ? count : 1, sizeof *reqs);
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach (item, items) {
        if (unpack_slot(item, &reqs[i], error) < 0) {
            act_requests_free(reqs, i);
            cJSON_Delete(items);
            return -EINVAL;
        }
        i++;
    }
    cJSON_Delete(items);
    *out = reqs;
    *n = count;
    return 0;
}

const cJSON *act_requests_unwrap(const cJSON *message, char **error)
{
    *error = NULL;
    if (!message || cJSON_IsNull(message) || cJSON_IsBool(message) || cJSON_IsNumber(message)) {
        *error = vt_asprintf("TypeError: object of type '%s' has no len()", act_py_type(message));
        return NULL;
    }
    if (cJSON_GetArraySize(message) == 1) {
        if (cJSON_IsObject(message)) {
            *error = vt_strdup("KeyError: 0");
            return NULL;
        }
        return cJSON_GetArrayItem(message, 0);
    }
    return message;
}
