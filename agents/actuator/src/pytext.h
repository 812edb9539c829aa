/* Text as the Python actuator prints it: VOLTTRON callers compare error
 * strings, conflict times and error payloads against what VOLTTRON 9's
 * agent produces, so these helpers render JSON values and times the way
 * Python's str() and repr() would. */
#ifndef ACT_PYTEXT_H
#define ACT_PYTEXT_H

#include <cjson/cJSON.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/time.h>

/* Python's type name of a decoded JSON value: "NoneType", "bool", "int",
 * "float", "str", "list", "dict". */
const char *act_py_type(const cJSON *v);

/* repr(v) / str(v) appended to b (str of a string is the string itself). */
void act_py_repr(vt_buf *b, const cJSON *v);
void act_py_str(vt_buf *b, const cJSON *v);

/* repr() of a text: 'text' (or "text" when it holds a single quote). */
void act_py_repr_text(vt_buf *b, const char *text);

/* repr(ExceptionClass(message)), e.g. ValueError('Invalid topic: x').
 * Caller frees. */
char *act_py_exc_repr(const char *cls, const char *message);

/* str() of an aware datetime: "2024-03-05 16:00:00-08:00", with
 * ".ffffff" only when there are microseconds. Caller frees. */
char *act_py_datetime_str(const vt_timestamp *t);

/* Python's truthiness of a decoded JSON value. */
int act_py_truthy(const cJSON *v);

/* The elements Python's iteration of v yields (a list's items, a string's
 * characters, a dict's keys) as a new array, or NULL when v is not
 * iterable (None, bool, numbers). */
cJSON *act_py_iterate(const cJSON *v);

#endif
