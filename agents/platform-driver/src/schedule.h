/* When a device scrapes (driver-framework.md §5): scrapes fall on wall-clock
 * multiples of the device's interval counted from UTC midnight, shifted by
 * the device's slot offset, so that many devices spread over the interval
 * instead of all reading at once. Times are microseconds since the epoch. */
#ifndef SCHEDULE_H
#define SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

/* slot * scrape_interval + group * group_offset, in microseconds, brought
 * below the device interval (*wrapped set when that was needed: devices
 * then share start times). */
int64_t sched_offset_us(int slot, int group, double scrape_interval, double group_offset,
                        int interval_s, bool *wrapped);

/* The first scrape from now: now itself when it is exactly on a boundary
 * [QUIRK, kept: the offset is then not added], else the next boundary plus
 * the offset. */
int64_t sched_first_us(int64_t now_us, int interval_s, int64_t offset_us);

/* The scrape after one planned at prev_us: prev + interval, or, when the
 * clock has run more than an interval past that (a suspended machine), the
 * next boundary from now instead of a burst of catch-up scrapes. */
int64_t sched_next_us(int64_t prev_us, int64_t now_us, int interval_s, int64_t offset_us);

/* Slots within scrape groups: a device takes the lowest slot a removed
 * device freed in its group, else the next new one. */
typedef struct sched_groups sched_groups;
sched_groups *sched_groups_new(void);
void sched_groups_destroy(sched_groups **g);
int sched_slot_take(sched_groups *g, int group);
void sched_slot_free(sched_groups *g, int group, int slot);
/* Forget every slot (before renumbering all devices). */
void sched_groups_reset(sched_groups *g);

#endif
