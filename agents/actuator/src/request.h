/* Reading a schedule request's time slots: the JSON a caller sends
 * (`[[device, start, end], ...]`, or one flat `[device, start, end]`) into
 * devices and aware times, with the errors VOLTTRON's actuator reports
 * ("<ExceptionClass>: <message>", which the caller sees behind
 * "MALFORMED_REQUEST: ").
 *
 * Pure: no agent, no clock beyond the local time zone used for naive times.
 */
#ifndef ACT_REQUEST_H
#define ACT_REQUEST_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include <volttron/utils/time.h>

typedef struct act_slot_req {
    /* The device path with leading and trailing '/' removed; NULL when the
     * request named something that is not a string (the scheduler then
     * refuses it with "ValueError: Device not string."). */
    char *device;
    vt_timestamp start; /* aware */
    vt_timestamp end;   /* aware */
} act_slot_req;

/* Parse requests. Returns 0 with a new array in *out (its length in *n;
 * an empty request list gives *n == 0) or -EINVAL with *error set to
 * "<Class>: <message>" (caller frees) as Python would have raised it:
 *   TypeError: 'NoneType' object is not iterable        (requests null)
 *   ValueError: not enough values to unpack (expected 3, got 2)
 *   TypeError: object of type 'int' has no len()         (a time not a string)
 *   ParserError: Unknown string format: <text>           (a time unreadable)
 * Naive times are taken in the host's local time zone. */
int act_requests_parse(const cJSON *requests, act_slot_req **out, size_t *n, char **error);
void act_requests_free(act_slot_req *reqs, size_t n);

/* One time as the actuator reads it (naive -> local zone). 0 or -EINVAL
 * with *error as above. */
int act_time_parse(const cJSON *value, vt_timestamp *out, char **error);

/* s without leading and trailing '/' (Python's s.strip('/')). Caller frees. */
char *act_strip_slashes(const char *s);

/* A naive wall time made aware in the host's local time zone. */
vt_timestamp act_time_localize(const vt_timestamp *naive);

/* The slot list in a pub/sub NEW_SCHEDULE message: a one-element message is
 * unwrapped (`[[[dev, s, e]]]` and `[[dev, s, e]]` both work). Returns the
 * requests (borrowed from message) or NULL with *error ("TypeError: object
 * of type 'NoneType' has no len()", "KeyError: 0"). */
const cJSON *act_requests_unwrap(const cJSON *message, char **error);

#endif
