/* A validating, non-allocating JSON scanner for the router's hot path: it
 * checks a publish body's syntax and finds its top-level keys without
 * building a tree, so the body can be forwarded as the bytes it came in. */
#ifndef VT_JSON_SCAN_H
#define VT_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>

typedef struct vt_pub_scan {
    size_t open; /* offset of the object's '{' */
    bool has_bus, has_headers, has_message, has_sender;
    bool bus_is_string;
    bool bus_escaped;  /* the bus string holds escapes */
    bool keys_escaped; /* some top-level key holds escapes: look closer */
    const char *bus;   /* the bus string's bytes (without quotes) */
    size_t bus_len;
} vt_pub_scan;

/* Validate text as one JSON object (Python's grammar: NaN and Infinity
 * allowed) and report its top-level keys. Returns 0, or -1 if it is not a
 * well-formed object (or nests deeper than 256 levels). */
int vt_json_scan_object(const char *text, size_t len, vt_pub_scan *out);

#endif
