/* Installed agents as vctl shows and selects them (spec A.4, A.5). */
#include <stdlib.h>
#include <string.h>

#include "vctl.h"

static int by_name(const void *a, const void *b)
{
    const vctl_agent *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    return r ? r : strcmp(x->inst.identity, y->inst.identity);
}

int vctl_agents(vctl *v, vctl_agent **out, size_t *n)
{
    vt_instance *all;
    size_t count;
    *out = NULL;
    *n = 0;
    int rc = vt_instances_list(v->home, &all, &count);
    if (rc < 0)
        return vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    if (!count)
        return 0;
    *out = vt_calloc(count, sizeof **out);
    for (size_t i = 0; i < count; i++) {
        (*out)[i].inst = all[i];
        (*out)[i].name = vt_instance_agent_name(v->home, &all[i]);
    }
    free(all); /* the instances moved into *out */
    *n = count;
    qsort(*out, count, sizeof **out, by_name);
    return 0;
}

void vctl_agents_free(vctl_agent *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        vt_instance_clear(&a[i].inst);
        free(a[i].name);
    }
    free(a);
}

bool vctl_glob(const char *p, const char *s)
{
    /* iterative, with one backtrack point for the last '*' */
    const char *star = NULL, *mark = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            mark = s;
        } else if (*p == '?' || *p == *s) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++mark;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return !*p;
}

static bool prefix_glob(const char *pattern, const char *s)
{
    char *p = vt_asprintf("%s*", pattern);
    bool m = vctl_glob(p, s);
    free(p);
    return m;
}

static void pick(size_t **picked, int *n, size_t i)
{
    for (int k = 0; k < *n; k++)
        if ((*picked)[k] == i)
            return;
    (*picked)[(*n)++] = i;
}

int vctl_select(const vctl_agent *all, size_t n, const char *pattern, const vctl_filter *f,
                size_t **picked)
{
    *picked = vt_calloc(n + 1, sizeof **picked);
    int count = 0;
    if (f->by_name || f->by_tag || f->by_uuid || f->all_tagged) {
        for (size_t i = 0; i < n; i++) {
            const vt_instance *in = &all[i].inst;
            bool m = (f->by_uuid && vctl_glob(pattern, in->uuid)) ||
                     (f->by_name && vctl_glob(pattern, all[i].name)) ||
                     (f->by_tag && in->tag && vctl_glob(pattern, in->tag)) ||
                     (f->all_tagged && in->tag && vctl_glob(pattern, in->tag));
            if (m)
                pick(picked, &count, i);
        }
        return count;
    }
    /* A UUID prefix names one agent; several is ambiguous (VOLTTRON then
     * selects nothing: here it says so). */
    int uuids = 0;
    size_t last = 0;
    for (size_t i = 0; i < n; i++)
        if (prefix_glob(pattern, all[i].inst.uuid)) {
            uuids++;
            last = i;
        }
    if (uuids == 1) {
        pick(picked, &count, last);
        return count;
    }
    if (uuids > 1) {
        vt_error_set(-22, "\"%s\" matches the UUIDs of several agents", pattern);
        return -1;
    }
    /* Our addition: the identity, exactly, else as a prefix; then
     * VOLTTRON's name prefix. */
    for (size_t i = 0; i < n; i++)
        if (strcmp(pattern, all[i].inst.identity) == 0)
            pick(picked, &count, i);
    if (count)
        return count;
    for (size_t i = 0; i < n; i++)
        if (prefix_glob(pattern, all[i].inst.identity) || prefix_glob(pattern, all[i].name))
            pick(picked, &count, i);
    return count;
}

static size_t common_prefix(const char *a, const char *b)
{
    size_t k = 0;
    while (a[k] && a[k] == b[k])
        k++;
    return k;
}

int vctl_uuid_width(const vctl_agent *all, size_t n, int requested)
{
    if (requested == 0)
        return 36;
    size_t w = requested > 0 ? (size_t)requested : 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            size_t k = common_prefix(all[i].inst.uuid, all[j].inst.uuid) + 1;
            if (k > w)
                w = k;
        }
    return w > 36 ? 36 : (int)w;
}
