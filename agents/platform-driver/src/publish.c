#include <stdlib.h>
#include <string.h>

#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/time.h>

#include "publish.h"

char *pub_depth_topic(const char *path, const char *leaf)
{
    return vt_asprintf("devices/%s/%s", path, leaf);
}

char *pub_breadth_topic(const char *path, const char *leaf)
{
    vt_buf b;
    vt_buf_init(&b);
    vt_buf_appendf(&b, "devices/%s", leaf);
    /* the path's segments from the last to the first */
    const char *end = path + strlen(path);
    while (end > path) {
        const char *start = end;
        while (start > path && start[-1] != '/')
            start--;
        if (end > start)
            vt_buf_appendf(&b, "/%.*s", (int)(end - start), start);
        end = start > path ? start - 1 : path;
    }
    return vt_buf_detach(&b, NULL);
}

void pub_point_meta(vt_buf *b, const drv_register *r, const char *tz)
{
    vt_buf_append_str(b, "{\"units\": ");
    vt_json_dump_string(b, r->units, strlen(r->units));
    vt_buf_append_str(b, ", \"type\": ");
    const char *type = r->bit ? "boolean" : r->meta_type;
    vt_json_dump_string(b, type, strlen(type));
    vt_buf_append_str(b, ", \"tz\": ");
    vt_json_dump_string(b, tz, strlen(tz));
    vt_buf_append_char(b, '}');
}

char *pub_meta_json(const drv_registry *reg, const char *tz)
{
    vt_buf b;
    vt_buf_init(&b);
    vt_buf_append_char(&b, '{');
    for (size_t i = 0; i < reg->n; i++) {
        if (i)
            vt_buf_append_str(&b, ", ");
        vt_json_dump_string(&b, reg->v[i]->name, strlen(reg->v[i]->name));
        vt_buf_append_str(&b, ": ");
        pub_point_meta(&b, reg->v[i], tz);
    }
    vt_buf_append_char(&b, '}');
    return vt_buf_detach(&b, NULL);
}

char *pub_headers(int64_t now_us, int64_t sync_us)
{
    char now[VT_TIME_BUFSZ], sync[VT_TIME_BUFSZ];
    vt_time_format_utc(now_us, now);
    if (sync_us < 0)
        return vt_asprintf("{\"Date\": \"%s\", \"TimeStamp\": \"%s\"}", now, now);
    vt_time_format_utc(sync_us, sync);
    return vt_asprintf("{\"Date\": \"%s\", \"TimeStamp\": \"%s\", "
                       "\"SynchronizedTimeStamp\": \"%s\"}",
                       now, now, sync);
}
