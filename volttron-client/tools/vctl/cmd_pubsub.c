/* vctl publish / subscribe: watching and poking the bus while
 * commissioning (not in VOLTTRON 9's vctl). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vctl.h"

/* A JSON value from the command line; text that is not JSON is a string. */
static cJSON *json_or_string(const char *text)
{
    cJSON *v = vt_json_parse(text, strlen(text), 0, NULL, NULL);
    return v ? v : cJSON_CreateString(text);
}

typedef struct ack {
    bool done;
    int count;
} ack;

static void on_ack(vt_agent *agent, int count, void *ctx)
{
    (void)agent;
    ack *a = ctx;
    a->done = true;
    a->count = count;
}

static bool ack_done(void *ctx)
{
    return ((ack *)ctx)->done;
}

int vctl_cmd_publish(vctl *v, int argc, char **argv)
{
    static const struct option opts[] = {
        {"headers", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *headers_text = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'H') {
            headers_text = optarg;
        } else if (c == 'h') {
            printf("usage: vctl publish TOPIC [MESSAGE] [--headers JSON]\n"
                   "  MESSAGE is JSON (text that is not JSON is sent as a string; none: null)\n");
            return 0;
        } else {
            return vctl_error(v, VCTL_USAGE, "unknown option (vctl publish --help)");
        }
    }
    if (optind >= argc || argc - optind > 2)
        return vctl_error(v, VCTL_USAGE, "usage: vctl publish TOPIC [MESSAGE] [--headers JSON]");
    const char *topic = argv[optind];
    if (!vt_topic_is_valid(topic))
        return vctl_error(v, VCTL_USAGE, "\"%s\" is not a valid topic", topic);
    cJSON *headers = NULL;
    if (headers_text) {
        headers = vt_json_parse(headers_text, strlen(headers_text), 0, "--headers", NULL);
        if (!cJSON_IsObject(headers)) {
            cJSON_Delete(headers);
            return vctl_error(v, VCTL_USAGE, "--headers must be a JSON object");
        }
    }
    cJSON *message = optind + 1 < argc ? json_or_string(argv[optind + 1]) : cJSON_CreateNull();
    int rc = vctl_connect(v);
    ack a = {0};
    if (rc == 0 &&
        vt_pubsub_publish_ack(v->agent, topic, headers, message, vctl_left_ms(v), on_ack, &a) < 0)
        rc = vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    if (rc == 0 && !vctl_wait(v, ack_done, &a))
        rc = VCTL_TIMEOUT;
    if (rc == 0) {
        if (a.count < 0)
            rc = vctl_error(v, VCTL_FAIL, "the platform refused the message");
        else
            printf("published to %d subscriber%s\n", a.count, a.count == 1 ? "" : "s");
    }
    cJSON_Delete(headers);
    cJSON_Delete(message);
    return rc;
}

typedef struct watch {
    bool json;
    long left; /* messages still wanted; < 0: no limit */
} watch;

static void on_message(vt_agent *agent, const vt_pubsub_message *m, void *ctx)
{
    watch *w = ctx;
    if (w->left == 0)
        return;
    if (w->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "topic", vt_pubsub_topic(m));
        cJSON_AddStringToObject(o, "sender", vt_pubsub_sender(m));
        const cJSON *h = vt_pubsub_headers(m), *b = vt_pubsub_body(m);
        cJSON_AddItemToObject(o, "headers", h ? cJSON_Duplicate(h, 1) : cJSON_CreateObject());
        cJSON_AddItemToObject(o, "message", b ? cJSON_Duplicate(b, 1) : cJSON_CreateNull());
        char *text = vt_json_dump(o, 0);
        printf("%s\n", text);
        free(text);
        cJSON_Delete(o);
    } else {
        char *h = vt_json_dump(vt_pubsub_headers(m), 0);
        char *b = vt_json_dump(vt_pubsub_body(m), 0);
        printf("%s [%s] %s %s\n", vt_pubsub_topic(m), vt_pubsub_sender(m), b, h);
        free(h);
        free(b);
    }
    fflush(stdout);
    if (w->left > 0 && --w->left == 0)
        vt_loop_stop(vt_agent_loop(agent));
}

int vctl_cmd_subscribe(vctl *v, int argc, char **argv)
{
    static const struct option opts[] = {
        {"count", required_argument, NULL, 'n'},
        {"seconds", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    watch w = {.json = v->json, .left = -1};
    double seconds = -1;
    int c;
    while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
        if (c == 'n') {
            w.left = strtol(optarg, NULL, 10);
            if (w.left <= 0)
                return vctl_error(v, VCTL_USAGE, "--count: expected a positive number");
        } else if (c == 's') {
            seconds = strtod(optarg, NULL);
        } else if (c == 'h') {
            printf("usage: vctl [--json] subscribe [PREFIX...] [--count N] [--seconds S]\n"
                   "  prints messages on topics starting with a PREFIX (default: all) until\n"
                   "  N messages, S seconds or ^C\n");
            return 0;
        } else {
            return vctl_error(v, VCTL_USAGE, "unknown option (vctl subscribe --help)");
        }
    }
    /* Its own identity: a long-running watcher must not be displaced by (or
     * displace) the control.connection of the next vctl command. The key
     * is still vctl's. */
    char identity[64];
    snprintf(identity, sizeof identity, "control.connection.subscribe.%ld", (long)getpid());
    v->identity = identity;
    int rc = vctl_connect(v);
    if (rc)
        return rc;
    for (int i = optind; i < argc || i == optind; i++) {
        const char *prefix = i < argc ? argv[i] : "";
        if (vt_pubsub_subscribe(v->agent, prefix, on_message, &w) < 0)
            return vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
        if (i >= argc)
            break;
    }
    /* runs until ^C, the count or the seconds: not the command timeout */
    vt_loop *loop = vt_agent_loop(v->agent);
    vt_loop_stop_on_signals(loop);
    int64_t until = seconds > 0 ? vt_time_monotonic_ms() + (int64_t)(seconds * 1000) : -1;
    while (!vt_loop_stopped(loop) && (until < 0 || vt_time_monotonic_ms() < until))
        vt_loop_run_once(loop, 200);
    return 0;
}
