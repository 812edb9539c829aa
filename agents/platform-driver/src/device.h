/* Devices: one per devices/<path> entry of the config store, each with its
 * interface, its registers, its scrape schedule and a queue of operations
 * (scrapes, RPC reads and writes, reverts) run one at a time. */
#ifndef DEVICE_H
#define DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <volttron/client/client.h>

#include "driver.h"
#include "publish.h"
#include "schedule.h"
#include "worker.h"

/* The agent's main settings (driver-framework.md §3). */
typedef struct drv_settings {
    double scrape_interval; /* driver_scrape_interval, s */
    double group_offset;    /* group_offset_interval, s */
    pub_flags flags;
    int max_concurrent_publishes; /* < 1: unlimited */
} drv_settings;

typedef struct drv_device drv_device;

/* What all devices share: the agent, settings, workers, slots, the publish
 * queue and the devices themselves. */
typedef struct drv_ctx {
    vt_agent *agent;
    drv_settings settings;
    drv_workers *workers;
    sched_groups *groups;
    vt_map *devices; /* path -> drv_device */
    /* publishes waiting for a slot, and those awaiting the router's count */
    struct pub_item *queue, *queue_tail;
    int inflight;
    /* health: devices whose last scrape or configuration failed */
    vt_map *failing; /* path -> reason (char *) */
    /* counters, for the log and the benchmark */
    uint64_t scrapes, publishes, scrape_failures, skipped;
} drv_ctx;

void drv_ctx_init(drv_ctx *ctx, vt_agent *agent);
/* Stop every device, wait for their operations, free everything. */
void drv_ctx_fini(drv_ctx *ctx);

/* Create (replacing any device at path) and start a device from its
 * configuration (references resolved). On a bad configuration nothing is
 * started and false is returned; the reason is logged, naming the device,
 * and reported in the agent's health. */
bool drv_device_configure(drv_ctx *ctx, const char *path, const cJSON *config);
/* Stop and forget the device at path (its pending operations finish
 * first). */
void drv_device_remove(drv_ctx *ctx, const char *path);
/* Recompute every device's slot and schedule (scrape interval or group
 * offset changed). */
void drv_devices_reschedule(drv_ctx *ctx);
/* Apply the main publish flags to devices without their own. */
void drv_devices_set_flags(drv_ctx *ctx, const pub_flags *flags);
drv_device *drv_device_find(drv_ctx *ctx, const char *path);

/* The RPC operations (driver-framework.md §7); each answers req itself,
 * now or when the device has done it. */
void drv_rpc_get_point(drv_device *d, vt_rpc_request *req, const char *point);
void drv_rpc_set_point(drv_device *d, vt_rpc_request *req, const char *point, const cJSON *value);
void drv_rpc_scrape_all(drv_device *d, vt_rpc_request *req);
void drv_rpc_get_multiple(drv_device *d, vt_rpc_request *req, const cJSON *points);
void drv_rpc_set_multiple(drv_device *d, vt_rpc_request *req, const cJSON *pairs);
void drv_rpc_revert_point(drv_device *d, vt_rpc_request *req, const char *point);
void drv_rpc_revert_device(drv_device *d, vt_rpc_request *req);
/* Toggle the heartbeat point of every device that has one (§10). */
void drv_heart_beat(drv_ctx *ctx);

#endif
