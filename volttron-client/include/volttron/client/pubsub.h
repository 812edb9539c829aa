/* Publish and subscribe through the platform's pubsub service.
 *
 * Subscriptions are byte-wise topic prefixes ("devices/campus" matches
 * "devices/campus2/x"; "" matches everything). The agent remembers them and
 * restores them after reconnecting to a restarted platform. Every local
 * callback whose prefix matches a delivered message is called; the message
 * JSON is parsed once, and only when some callback wants it.
 */
#ifndef VT_CLIENT_PUBSUB_H
#define VT_CLIENT_PUBSUB_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include <volttron/client/agent.h>
#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A delivered message, valid for the callback's duration. The body is
 * parsed only when a callback asks for headers or message (so agents that
 * route on the topic alone never pay for JSON), and at most once however
 * many callbacks ask. */
typedef struct vt_pubsub_message vt_pubsub_message;

VT_CLIENT_EXPORT const char *vt_pubsub_topic(const vt_pubsub_message *m);
/* The publisher's identity (added by the router). */
VT_CLIENT_EXPORT const char *vt_pubsub_sender(const vt_pubsub_message *m);
/* The bus, "" normally. */
VT_CLIENT_EXPORT const char *vt_pubsub_bus(const vt_pubsub_message *m);
/* Headers: an object, never NULL (empty when absent or unreadable). */
VT_CLIENT_EXPORT const cJSON *vt_pubsub_headers(const vt_pubsub_message *m);
/* The message value: any JSON, never NULL (JSON null when absent). */
VT_CLIENT_EXPORT const cJSON *vt_pubsub_body(const vt_pubsub_message *m);
/* The whole delivered JSON frame, unparsed: {"sender", "bus", "headers",
 * "message"}. Not NUL-terminated; len receives its length. */
VT_CLIENT_EXPORT const char *vt_pubsub_raw(const vt_pubsub_message *m, size_t *len);

typedef void (*vt_pubsub_callback)(vt_agent *agent, const vt_pubsub_message *msg, void *ctx);

/* Subscribe to prefix on bus "" of this platform. Returns 0 once the request
 * is sent (or queued until connected). */
VT_CLIENT_EXPORT int vt_pubsub_subscribe(vt_agent *agent, const char *prefix, vt_pubsub_callback cb,
                                         void *ctx);
/* With a bus and all_platforms (receive from connected remote platforms). */
VT_CLIENT_EXPORT int vt_pubsub_subscribe_ex(vt_agent *agent, const char *prefix, const char *bus,
                                            bool all_platforms, vt_pubsub_callback cb, void *ctx);
/* Remove the subscriptions to prefix (NULL: all) made with cb (NULL: any
 * callback). The platform is told when no local callback is left for it. */
VT_CLIENT_EXPORT int vt_pubsub_unsubscribe(vt_agent *agent, const char *prefix,
                                           vt_pubsub_callback cb);

/* Publish. headers (may be NULL) and message are borrowed and serialised
 * now; min/max_compatible_version headers are added as VOLTTRON agents do.
 * Fire-and-forget: returns 0 once sent. */
VT_CLIENT_EXPORT int vt_pubsub_publish(vt_agent *agent, const char *topic, const cJSON *headers,
                                       const cJSON *message);
/* Same with the headers object and the message already as JSON text (for
 * high-rate publishers that format their own JSON); headers_json may be NULL.
 * The texts must be valid JSON: they are copied as is. */
VT_CLIENT_EXPORT int vt_pubsub_publish_json(vt_agent *agent, const char *topic,
                                            const char *headers_json, const char *message_json);

/* Publish and learn how many subscribers received it (count < 0 on error or
 * timeout). */
typedef void (*vt_pubsub_ack_fn)(vt_agent *agent, int count, void *ctx);
VT_CLIENT_EXPORT int vt_pubsub_publish_ack(vt_agent *agent, const char *topic, const cJSON *headers,
                                           const cJSON *message, int timeout_ms,
                                           vt_pubsub_ack_fn fn, void *ctx);

/* The same with the headers and message already as JSON text (see
 * vt_pubsub_publish_json). */
VT_CLIENT_EXPORT int vt_pubsub_publish_json_ack(vt_agent *agent, const char *topic,
                                                const char *headers_json, const char *message_json,
                                                int timeout_ms, vt_pubsub_ack_fn fn, void *ctx);

/* The platform's list of subscriptions under prefix: fn receives a JSON
 * array of [bus, prefix, is_member] triples (borrowed), or NULL on error.
 * subscribed: only mine; reverse: prefixes that prefix starts with. */
typedef void (*vt_pubsub_list_fn)(vt_agent *agent, const cJSON *list, void *ctx);
VT_CLIENT_EXPORT int vt_pubsub_list(vt_agent *agent, const char *prefix, bool subscribed,
                                    bool reverse, bool all_platforms, vt_pubsub_list_fn fn,
                                    void *ctx);

#ifdef __cplusplus
}
#endif

#endif
