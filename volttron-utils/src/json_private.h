/* Shared between the JSON parser, printer and accessors. */
#ifndef VT_JSON_PRIVATE_H
#define VT_JSON_PRIVATE_H

#include <locale.h>

/* Marks a cJSON number written as a float. cJSON keeps its own type in the
 * low byte and two flags at 256 and 512, and masks with 0xFF when testing a
 * type, so a higher bit rides along untouched (cJSON_Duplicate keeps it). */
#define VT_JSON_FLOAT_FLAG (1 << 12)

/* The "C" locale for number conversions, whatever the process set with
 * setlocale(): JSON numbers always use '.'. */
locale_t vt_json_c_locale(void);

#endif
