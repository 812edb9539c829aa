/* Listener agent (placeholder until the VIP client lands): loads its
 * configuration the way the real agent will and reports it. */
#include <stdio.h>
#include <stdlib.h>

#include <volttron/client/client.h>

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : getenv("AGENT_CONFIG");
    vt_log_set_level(VT_LOG_INFO);
    vt_log_info("listener", "listener %s on volttron-client %s", LISTENER_VERSION,
                vt_client_version());
    if (path) {
        cJSON *config = vt_config_load(path);
        if (!config) {
            vt_log_error("listener", "%s", vt_last_error());
            return 1;
        }
        char *text = vt_json_dump(config, 0);
        vt_log_info("listener", "config: %s", text);
        free(text);
        cJSON_Delete(config);
    }
    return 0;
}
