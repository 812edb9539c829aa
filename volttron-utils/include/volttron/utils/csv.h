/* CSV as Python's csv.DictReader reads it: the first row names the columns,
 * every further row becomes an object of strings keyed by them. Quoted
 * fields may hold commas, doubled quotes and line breaks. Used for registry
 * files in the configuration store. */
#ifndef VT_UTILS_CSV_H
#define VT_UTILS_CSV_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parse text into a JSON array of row objects (caller owns it). Fields a
 * short row lacks are null; fields beyond the header are dropped; blank
 * lines are skipped. NULL with "<name>:<line>:<column>: ..." for an
 * unterminated quote or a quote in the middle of an unquoted field. */
VT_UTILS_EXPORT cJSON *vt_csv_parse(const char *text, size_t len, const char *name);

#ifdef __cplusplus
}
#endif

#endif
