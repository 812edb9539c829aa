/* The router's publish-body scanner (json_scan.c): it decides, without
 * building a tree, whether a pubsub publish body is a JSON object and
 * which of bus, headers, message and sender it holds; the body is then
 * forwarded byte for byte to subscribers, who parse it with vt_json_parse.
 * So the two must agree, and that is what this checks on any bytes:
 *  - the scanner accepts exactly what vt_json_parse reads as an object
 *    (but for \u0000, below);
 *  - the keys it reports are the object's keys, and the bus it reports is
 *    the object's bus (when written without escapes, as it then says). */
#include <string.h>

#include <volttron/utils/json.h>

#include "fuzz.h"
#include "json_scan.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup("json_scan");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    vt_pub_scan scan;
    int rc = vt_json_scan_object(text, size, &scan);
    vt_json_error err;
    cJSON *doc = vt_json_parse(text, size, 0, "publish", &err);
    bool object = cJSON_IsObject(doc);
    /* Known and left so: the reader refuses \u0000 in strings (C strings
     * cannot hold it), the scanner lets it through as VOLTTRON would. */
    if (!doc && strstr(err.message, "\\u0000"))
        return 0;
    FZ_CHECK((rc == 0) == object, "scanner says %s, parser says %s", rc == 0 ? "object" : "no",
             doc ? vt_json_type_name(doc) : "invalid");
    if (rc == 0 && !scan.keys_escaped) {
        FZ_CHECK(scan.has_bus == (cJSON_GetObjectItemCaseSensitive(doc, "bus") != NULL), "bus");
        FZ_CHECK(scan.has_headers == (cJSON_GetObjectItemCaseSensitive(doc, "headers") != NULL),
                 "headers");
        FZ_CHECK(scan.has_message == (cJSON_GetObjectItemCaseSensitive(doc, "message") != NULL),
                 "message");
        FZ_CHECK(scan.has_sender == (cJSON_GetObjectItemCaseSensitive(doc, "sender") != NULL),
                 "sender");
        const cJSON *bus = cJSON_GetObjectItemCaseSensitive(doc, "bus");
        FZ_CHECK(scan.bus_is_string == cJSON_IsString(bus), "bus type");
        if (scan.bus_is_string && !scan.bus_escaped)
            FZ_CHECK(scan.bus_len == strlen(bus->valuestring) &&
                         memcmp(scan.bus, bus->valuestring, scan.bus_len) == 0,
                     "bus \"%.*s\" is \"%s\"", (int)scan.bus_len, scan.bus, bus->valuestring);
    }
    cJSON_Delete(doc);
    return 0;
}
