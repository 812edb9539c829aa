#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/csv.h>
#include <volttron/utils/error.h>
#include <volttron/utils/mem.h>

typedef struct reader {
    const char *p, *end, *text;
    const char *name;
    int line;
    const char *line_start;
} reader;

static int fail(reader *r, const char *at, const char *why)
{
    return vt_error_set(-EINVAL, "%s:%d:%d: %s", r->name, r->line, (int)(at - r->line_start) + 1,
                        why);
}

/* One field into f; *end_of_row set at a line break or end of input.
 * Returns 0 or -EINVAL. */
static int field(reader *r, vt_buf *f, bool *end_of_row)
{
    vt_buf_clear(f);
    *end_of_row = false;
    if (r->p < r->end && *r->p == '"') {
        const char *open = r->p++;
        for (;;) {
            if (r->p >= r->end)
                return fail(r, open, "unterminated quoted field");
            if (*r->p == '"') {
                if (r->p + 1 < r->end && r->p[1] == '"') {
                    vt_buf_append_char(f, '"');
                    r->p += 2;
                    continue;
                }
                r->p++;
                break;
            }
            if (*r->p == '\n') {
                r->line++;
                r->line_start = r->p + 1;
            }
            vt_buf_append_char(f, *r->p++);
        }
    } else {
        while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
            if (*r->p == '"')
                return fail(r, r->p, "quote inside an unquoted field");
            vt_buf_append_char(f, *r->p++);
        }
    }
    if (r->p < r->end && *r->p == ',') {
        r->p++;
        return 0;
    }
    if (r->p < r->end && *r->p == '\r')
        r->p++;
    if (r->p < r->end && *r->p == '\n') {
        r->p++;
        r->line++;
        r->line_start = r->p;
    } else if (r->p < r->end) {
        return fail(r, r->p, "expected ',' or the end of the line after a quoted field");
    }
    *end_of_row = true;
    return 0;
}

/* A row as a JSON array of strings; NULL at the end of input or on error
 * (*rc says which). Blank lines are skipped. */
static cJSON *row(reader *r, vt_buf *f, int *rc)
{
    *rc = 0;
    while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
        if (*r->p == '\n') {
            r->line++;
            r->line_start = r->p + 1;
        }
        r->p++;
    }
    if (r->p >= r->end)
        return NULL;
    cJSON *cells = cJSON_CreateArray();
    bool end = false;
    while (!end) {
        *rc = field(r, f, &end);
        if (*rc < 0) {
            cJSON_Delete(cells);
            return NULL;
        }
        cJSON_AddItemToArray(cells, cJSON_CreateString(f->data ? f->data : ""));
    }
    return cells;
}

cJSON *vt_csv_parse(const char *text, size_t len, const char *name)
{
    reader r = {.p = text,
                .end = text + len,
                .text = text,
                .name = name ? name : "CSV",
                .line = 1,
                .line_start = text};
    /* A UTF-8 byte-order mark from spreadsheet exports is not part of the
     * first column's name. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        r.p = r.line_start = text + 3;
    vt_buf f;
    vt_buf_init(&f);
    int rc;
    cJSON *header = row(&r, &f, &rc);
    cJSON *rows = cJSON_CreateArray();
    if (rc == 0 && header) {
        cJSON *cells;
        while ((cells = row(&r, &f, &rc))) {
            cJSON *obj = cJSON_CreateObject();
            int n = cJSON_GetArraySize(header);
            for (int i = 0; i < n; i++) {
                cJSON *cell = cJSON_GetArrayItem(cells, i);
                cJSON_AddItemToObject(obj, cJSON_GetArrayItem(header, i)->valuestring,
                                      cell ? cJSON_Duplicate(cell, 0) : cJSON_CreateNull());
            }
            cJSON_AddItemToArray(rows, obj);
            cJSON_Delete(cells);
        }
    }
    cJSON_Delete(header);
    vt_buf_free(&f);
    if (rc < 0) {
        cJSON_Delete(rows);
        return NULL;
    }
    return rows;
}
