/* Built out of tree against the *installed* libraries through pkg-config
 * only: proof that a third party can build on volttron-client. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/client/client.h>

int main(void)
{
    const char *text = "{\"interval\": 5, \"name\": \"caf\\u00e9\"}";
    cJSON *cfg = vt_json_parse(text, strlen(text), 0, "inline", NULL);
    if (!cfg) {
        fprintf(stderr, "parse failed: %s\n", vt_last_error());
        return 1;
    }
    int64_t interval;
    if (vt_json_get_int(cfg, "interval", &interval, "config") != 0 || interval != 5) {
        fprintf(stderr, "lookup failed: %s\n", vt_last_error());
        return 1;
    }
    char *out = vt_json_dump(cfg, 0);
    printf("client %s utils %s json %s\n", vt_client_version(), vt_utils_version(), out);
    free(out);
    cJSON_Delete(cfg);
    return 0;
}
