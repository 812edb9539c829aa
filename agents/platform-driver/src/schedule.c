#include <stdlib.h>
#include <string.h>

#include <volttron/utils/mem.h>

#include "schedule.h"

#define US 1000000LL
#define DAY_US (86400LL * US)

int64_t sched_offset_us(int slot, int group, double scrape_interval, double group_offset,
                        int interval_s, bool *wrapped)
{
    int64_t off = (int64_t)((slot * scrape_interval + group * group_offset) * US + 0.5);
    int64_t iv = (int64_t)interval_s * US;
    *wrapped = false;
    if (iv > 0 && off >= iv) {
        *wrapped = true;
        off %= iv;
    }
    return off;
}

int64_t sched_first_us(int64_t now_us, int interval_s, int64_t offset_us)
{
    int64_t iv = (int64_t)interval_s * US;
    int64_t midnight = now_us - now_us % DAY_US;
    int64_t s = now_us - midnight;
    if (s % iv == 0)
        return now_us;
    return midnight + (s / iv + 1) * iv + offset_us;
}

int64_t sched_next_us(int64_t prev_us, int64_t now_us, int interval_s, int64_t offset_us)
{
    int64_t iv = (int64_t)interval_s * US;
    int64_t next = prev_us + iv;
    if (now_us > next + iv)
        return sched_first_us(now_us, interval_s, offset_us);
    return next;
}

typedef struct group {
    int id;
    int next;   /* slots handed out so far */
    int *freed; /* returned slots */
    size_t nfreed, capfreed;
} group;

struct sched_groups {
    group *v;
    size_t n, cap;
};

sched_groups *sched_groups_new(void)
{
    return vt_calloc(1, sizeof(sched_groups));
}

static group *find(sched_groups *g, int id)
{
    for (size_t i = 0; i < g->n; i++)
        if (g->v[i].id == id)
            return &g->v[i];
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 4;
        g->v = vt_realloc(g->v, g->cap * sizeof *g->v);
    }
    g->v[g->n] = (group){.id = id};
    return &g->v[g->n++];
}

int sched_slot_take(sched_groups *g, int id)
{
    group *gr = find(g, id);
    if (!gr->nfreed)
        return gr->next++;
    size_t low = 0;
    for (size_t i = 1; i < gr->nfreed; i++)
        if (gr->freed[i] < gr->freed[low])
            low = i;
    int slot = gr->freed[low];
    gr->freed[low] = gr->freed[--gr->nfreed];
    return slot;
}

void sched_slot_free(sched_groups *g, int id, int slot)
{
    group *gr = find(g, id);
    if (gr->nfreed == gr->capfreed) {
        gr->capfreed = gr->capfreed ? gr->capfreed * 2 : 4;
        gr->freed = vt_realloc(gr->freed, gr->capfreed * sizeof *gr->freed);
    }
    gr->freed[gr->nfreed++] = slot;
}

void sched_groups_reset(sched_groups *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->v[i].freed);
    g->n = 0;
}

void sched_groups_destroy(sched_groups **gp)
{
    if (!gp || !*gp)
        return;
    sched_groups_reset(*gp);
    free((*gp)->v);
    free(*gp);
    *gp = NULL;
}
