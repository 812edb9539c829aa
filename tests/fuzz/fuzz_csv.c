/* The CSV reader (vt_csv_parse, csv.c): registry files stored with
 * `vctl config store --csv`, read by the platform driver. Every row must be
 * an object of strings and nulls, and the result must serialise. */
#include <stdlib.h>

#include <volttron/utils/csv.h>
#include <volttron/utils/json.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup("csv");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *rows = vt_csv_parse((const char *)data, size, "fuzz.csv");
    if (!rows)
        return 0;
    FZ_CHECK(cJSON_IsArray(rows), "rows are not an array");
    const cJSON *row;
    cJSON_ArrayForEach (row, rows) {
        FZ_CHECK(cJSON_IsObject(row), "a row is not an object");
        const cJSON *cell;
        cJSON_ArrayForEach (cell, row)
            FZ_CHECK(cJSON_IsString(cell) || cJSON_IsNull(cell), "a cell of another type");
    }
    free(vt_json_dump(rows, 0));
    cJSON_Delete(rows);
    return 0;
}
