/* The JSON reader (vt_json_parse) on arbitrary bytes: every VIP payload,
 * RPC body, pubsub message and config store entry goes through it.
 *
 * Beyond "no crash": whatever parses must serialise to text that parses
 * again to the same serialisation (what one agent writes, another reads),
 * in every output form; the typed getters and Python repr must cope with
 * any tree. */
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/json.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup("json");
    return 0;
}

/* dump(parse(dump(v))) == dump(v) for one output form. */
static void round_trip(const cJSON *v, unsigned dump_flags)
{
    char *text = vt_json_dump(v, dump_flags);
    FZ_CHECK(text != NULL, "dump failed");
    vt_json_error err;
    cJSON *again = vt_json_parse(text, strlen(text), 0, "dumped", &err);
    FZ_CHECK(again != NULL, "our own output does not parse: %s at %d:%d in %s", err.message,
             err.line, err.column, text);
    char *text2 = vt_json_dump(again, dump_flags);
    FZ_CHECK(strcmp(text, text2) == 0, "not stable: %s then %s", text, text2);
    free(text2);
    cJSON_Delete(again);
    free(text);
}

/* Every getter against every member of the top object. */
static void getters(const cJSON *obj)
{
    const cJSON *m;
    cJSON_ArrayForEach (m, obj) {
        if (!m->string)
            continue;
        double d;
        int64_t i;
        bool b;
        const char *s;
        const cJSON *o;
        vt_json_get_number(obj, m->string, &d, "fuzz");
        vt_json_get_int(obj, m->string, &i, "fuzz");
        vt_json_get_bool(obj, m->string, &b, NULL);
        vt_json_get_string(obj, m->string, &s, "fuzz");
        vt_json_get_object(obj, m->string, &o, "fuzz");
        vt_json_get_array(obj, m->string, &o, NULL);
        vt_json_opt_int(obj, m->string, 7, &i, "fuzz");
        vt_json_is_float(m);
        vt_json_type_name(m);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned flag_sets[] = {0, VT_JSON_COMMENTS | VT_JSON_CONTAINER};
    for (size_t k = 0; k < sizeof flag_sets / sizeof flag_sets[0]; k++) {
        vt_json_error err;
        cJSON *v = vt_json_parse((const char *)data, size, flag_sets[k], "fuzz", &err);
        if (!v) {
            FZ_CHECK(err.offset <= size, "error offset %zu past the end (%zu)", err.offset, size);
            continue;
        }
        round_trip(v, 0);
        round_trip(v, VT_JSON_COMPACT);
        round_trip(v, VT_JSON_INDENT(2));
        vt_buf b;
        vt_buf_init(&b);
        vt_json_repr_python(&b, v);
        vt_buf_free(&b);
        if (cJSON_IsObject(v))
            getters(v);
        cJSON_Delete(v);
    }
    return 0;
}
