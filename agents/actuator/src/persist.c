/* The schedule state in the agent's data directory.
 *
 * VOLTTRON 9 keeps a pickle under the private config store entry
 * "_schedule_state"; a C agent cannot read a pickle and the entry is
 * private, so ours is JSON in <data dir>/schedule_state.json, replaced
 * atomically after every change and read back at start. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actuator.h"

#define MAX_STATE_BYTES (64u << 20)

void act_persist_load(actuator *a, int64_t now_us)
{
    if (!a->state_path)
        return;
    char *text = NULL;
    size_t len = 0;
    int rc = vt_fs_read_file(a->state_path, MAX_STATE_BYTES, &text, &len);
    if (rc == -ENOENT)
        return;
    if (rc < 0) {
        vt_log_error(ACT_SRC,
                     "cannot read the schedule state: %s; starting with an empty "
                     "schedule",
                     vt_last_error());
        return;
    }
    cJSON *state = vt_json_parse(text, len, 0, a->state_path, NULL);
    free(text);
    if (!state || act_schedule_from_json(a->schedule, state, now_us) < 0) {
        /* Keep the unreadable file for inspection; never overwrite it. */
        char *aside = vt_asprintf("%s.corrupt", a->state_path);
        vt_log_error(ACT_SRC,
                     "schedule state corrupted (%s): moved to %s; starting with an "
                     "empty schedule",
                     vt_last_error(), aside);
        if (rename(a->state_path, aside) < 0)
            vt_log_error(ACT_SRC, "cannot move %s aside: %s", a->state_path, strerror(errno));
        free(aside);
        cJSON_Delete(state);
        return;
    }
    cJSON_Delete(state);
    vt_log_info(ACT_SRC, "restored %zu scheduled task(s) from %s",
                act_schedule_count(a->schedule, now_us), a->state_path);
}

void act_persist_save(actuator *a, int64_t now_us)
{
    if (!a->state_path)
        return;
    cJSON *state = act_schedule_to_json(a->schedule, now_us);
    char *text = vt_json_dump(state, VT_JSON_INDENT(1));
    cJSON_Delete(state);
    int rc = vt_fs_write_atomic(a->state_path, text, strlen(text), 0600);
    if (rc < 0)
        vt_log_error(ACT_SRC, "failed to save the schedule state to %s: %s", a->state_path,
                     vt_last_error());
    free(text);
}
