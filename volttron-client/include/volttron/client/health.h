/* Health status and alerts, and the periodic heartbeat publish.
 *
 * Every agent publishes heartbeat/<identity> with its status string as the
 * message (first at connect, then every period, 60 s by default) and answers
 * the health.* and heartbeat.* RPC methods VOLTTRON agents export.
 */
#ifndef VT_CLIENT_HEALTH_H
#define VT_CLIENT_HEALTH_H

#include <cjson/cJSON.h>

#include <volttron/client/agent.h>
#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The statuses VOLTTRON knows, exactly as they appear on the wire. */
#define VT_STATUS_GOOD "GOOD"
#define VT_STATUS_BAD "BAD"
#define VT_STATUS_UNKNOWN "UNKNOWN"
#define VT_STATUS_STARTING "STARTING"

/* Set the status and its context (any JSON, borrowed and copied; NULL =
 * null). A change of status publishes a heartbeat at once. Returns -EINVAL
 * for a status VOLTTRON does not know. */
VT_CLIENT_EXPORT int vt_health_set_status(vt_agent *agent, const char *status,
                                          const cJSON *context);
/* Convenience: a string context. */
VT_CLIENT_EXPORT int vt_health_set_status_text(vt_agent *agent, const char *status,
                                               const char *context);
VT_CLIENT_EXPORT const char *vt_health_status(const vt_agent *agent);

/* Publish an alert on alerts/<class>/<instance>_<identity> with header
 * alert_key, as health.send_alert does. */
VT_CLIENT_EXPORT int vt_health_send_alert(vt_agent *agent, const char *alert_key,
                                          const char *status, const char *context);

/* Heartbeat control. period_s <= 0 keeps the current period. */
VT_CLIENT_EXPORT void vt_heartbeat_start(vt_agent *agent, int period_s);
VT_CLIENT_EXPORT void vt_heartbeat_stop(vt_agent *agent);

#ifdef __cplusplus
}
#endif

#endif
