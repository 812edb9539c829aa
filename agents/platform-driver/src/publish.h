/* What a scrape publishes (driver-framework.md §6): topics for the four
 * publish flags, the [values, meta] payloads, the headers. Pure text
 * building; the device decides what to send. */
#ifndef PUBLISH_H
#define PUBLISH_H

#include <stdbool.h>
#include <stdint.h>

#include <volttron/client/client.h>

#include "driver.h"

typedef struct pub_flags {
    bool depth_all;   /* devices/P/all (default on) */
    bool breadth_all; /* devices/all/pn/.../p1 */
    bool depth;       /* devices/P/<point> */
    bool breadth;     /* devices/<point>/pn/.../p1 */
} pub_flags;

/* devices/<path>/<leaf>. Caller frees. */
char *pub_depth_topic(const char *path, const char *leaf);
/* devices/<leaf>/<path reversed segment by segment>. Caller frees. */
char *pub_breadth_topic(const char *path, const char *leaf);

/* {"units": ..., "type": ..., "tz": ...} of one point, appended to b. */
void pub_point_meta(vt_buf *b, const drv_register *r, const char *tz);
/* The meta object of every register, in registry order. Caller frees. */
char *pub_meta_json(const drv_registry *reg, const char *tz);

/* The headers of a scrape publish: Date and TimeStamp (now), and
 * SynchronizedTimeStamp when sync_us >= 0. Caller frees. */
char *pub_headers(int64_t now_us, int64_t sync_us);

#endif
