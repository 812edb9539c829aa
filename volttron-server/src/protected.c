/* Protected topics. The lookup order is VOLTTRON's: a rule for exactly the
 * topic, else the first plain rule that is a prefix of it (in file order),
 * else the first /regex/ rule that matches it. A publisher the capability map
 * does not know may publish anyway [PY-QUIRK, kept: agents of a platform
 * without auth entries must keep working]. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/error.h>
#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/pattern.h>

#include "protected.h"

typedef struct rule {
    char *topic;
    size_t len;
    bool regex;
    cJSON *caps; /* array of capability names */
} rule;

struct vt_protected {
    rule *rules;
    size_t n;
    cJSON *users; /* user id -> capabilities object (or, from old files, list) */
};

vt_protected *vt_protected_new(void)
{
    return vt_calloc(1, sizeof(vt_protected));
}

static void rules_free(rule *rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rules[i].topic);
        cJSON_Delete(rules[i].caps);
    }
    free(rules);
}

void vt_protected_destroy(vt_protected **pp)
{
    if (!pp || !*pp)
        return;
    rules_free((*pp)->rules, (*pp)->n);
    cJSON_Delete((*pp)->users);
    free(*pp);
    *pp = NULL;
}

int vt_protected_set_rules(vt_protected *p, const char *json, size_t len)
{
    cJSON *doc = vt_json_parse(json, len, VT_JSON_COMMENTS, "protected topics", NULL);
    if (!doc)
        return -EINVAL;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "write-protect");
    if (list && !cJSON_IsArray(list)) {
        cJSON_Delete(doc);
        return vt_error_set(-EINVAL, "protected topics: write-protect must be a list");
    }
    size_t n = (size_t)cJSON_GetArraySize(list);
    rule *rules = vt_calloc(n ? n : 1, sizeof *rules);
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach (e, list) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "topic");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "capabilities");
        if (!cJSON_IsString(t) || !(cJSON_IsString(c) || cJSON_IsArray(c))) {
            rules_free(rules, i);
            cJSON_Delete(doc);
            return vt_error_set(-EINVAL,
                                "protected topics: entry %zu needs a topic and "
                                "capabilities",
                                i + 1);
        }
        rule *r = &rules[i++];
        r->topic = vt_strdup(t->valuestring);
        r->len = strlen(r->topic);
        r->regex = vt_pattern_is_regex(r->topic);
        if (cJSON_IsString(c)) {
            r->caps = cJSON_CreateArray();
            cJSON_AddItemToArray(r->caps, cJSON_CreateString(c->valuestring));
        } else {
            r->caps = cJSON_Duplicate(c, 1);
        }
    }
    cJSON_Delete(doc);
    rules_free(p->rules, p->n);
    p->rules = rules;
    p->n = i;
    return 0;
}

int vt_protected_set_caps(vt_protected *p, const char *json, size_t len)
{
    cJSON *doc = vt_json_parse(json, len, 0, "auth_update", NULL);
    cJSON *caps = cJSON_DetachItemFromObjectCaseSensitive(doc, "capabilities");
    cJSON_Delete(doc);
    if (!cJSON_IsObject(caps)) {
        cJSON_Delete(caps);
        return vt_error_set(-EINVAL, "auth_update: no capabilities object");
    }
    cJSON_Delete(p->users);
    p->users = caps;
    return 0;
}

bool vt_protected_any(const vt_protected *p)
{
    return p->n > 0;
}

static const rule *rule_for(const vt_protected *p, const char *topic, size_t tlen)
{
    for (size_t i = 0; i < p->n; i++)
        if (!p->rules[i].regex && p->rules[i].len == tlen &&
            memcmp(p->rules[i].topic, topic, tlen) == 0)
            return &p->rules[i];
    for (size_t i = 0; i < p->n; i++)
        if (!p->rules[i].regex && p->rules[i].len <= tlen &&
            memcmp(p->rules[i].topic, topic, p->rules[i].len) == 0)
            return &p->rules[i];
    const rule *found = NULL;
    char *t = NULL;
    for (size_t i = 0; i < p->n && !found; i++) {
        if (!p->rules[i].regex)
            continue;
        if (!t)
            t = vt_strndup(topic, tlen);
        if (vt_pattern_match(p->rules[i].topic, t))
            found = &p->rules[i];
    }
    free(t);
    return found;
}

/* Whether the user's capabilities (object keys, or list items) hold name. */
static bool holds(const cJSON *held, const char *name)
{
    if (cJSON_IsObject(held))
        return cJSON_GetObjectItemCaseSensitive(held, name) != NULL;
    const cJSON *c;
    cJSON_ArrayForEach (c, held) {
        if (cJSON_IsString(c) && strcmp(c->valuestring, name) == 0)
            return true;
    }
    return false;
}

char *vt_protected_check(const vt_protected *p, const char *user, const char *topic, size_t tlen)
{
    if (!p->n)
        return NULL;
    const rule *r = rule_for(p, topic, tlen);
    if (!r || !cJSON_GetArraySize(r->caps))
        return NULL;
    const cJSON *held = cJSON_GetObjectItemCaseSensitive(p->users, user);
    if (!held)
        return NULL; /* unknown to the map: allowed, as in VOLTTRON */
    const cJSON *c;
    cJSON_ArrayForEach (c, r->caps) {
        if (cJSON_IsString(c) && !holds(held, c->valuestring))
            break;
    }
    if (!c)
        return NULL;
    vt_buf b;
    vt_buf_init(&b);
    vt_buf_appendf(&b, "to publish to topic \"%.*s\" requires capabilities ", (int)tlen, topic);
    vt_json_repr_python(&b, r->caps);
    vt_buf_append_str(&b, ", but capability list ");
    vt_json_repr_python(&b, held);
    vt_buf_append_str(&b, " was provided");
    return vt_buf_detach(&b, NULL);
}
