/* YAML configuration into a cJSON tree, read event by event with libyaml.
 *
 * The aim is the tree Python's yaml.safe_load builds for the same file, so an
 * agent configuration means the same thing to both platforms. Plain scalars
 * are typed as YAML 1.1 (PyYAML's resolver), with two additions from YAML 1.2
 * that PyYAML leaves as strings: 0o17 octal, and floats without a dot or with
 * a signed leading dot (1e3, -.5). Mapping keys keep the text they were
 * written with, since JSON object keys are strings.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include <volttron/utils/config.h>
#include <volttron/utils/encoding.h>
#include <volttron/utils/error.h>
#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>

#include "json_private.h"

/* Aliases are expanded by copying, so a small document can ask for an
 * exponential tree ("billion laughs"); refuse before building it. */
#define MAX_NODES 1000000
#define MAX_DEPTH 256

#define TAG_PREFIX "tag:yaml.org,2002:"

typedef struct anchor {
    char *name;
    cJSON *node;  /* a private copy: the original may be replaced later */
    char *text;   /* scalar text, for aliases used as mapping keys; else NULL */
    size_t nodes; /* nodes an alias to it adds */
} anchor;

typedef struct yctx {
    yaml_parser_t parser;
    const char *name;
    const char *text;
    size_t len;
    anchor *anchors;
    size_t nanchors, cap;
    size_t nodes;
    int depth;
} yctx;

static cJSON *parse_node(yctx *y, const yaml_event_t *ev);

/* ---- errors ---------------------------------------------------------- */

static cJSON *fail_at(yctx *y, yaml_mark_t mark, const char *fmt, ...) VT_PRINTF(3, 4);

static cJSON *fail_at(yctx *y, yaml_mark_t mark, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vt_error_set(-EINVAL, "%s:%zu:%zu: %s", y->name, mark.line + 1, mark.column + 1, msg);
    return NULL;
}

/* Reader errors (bad UTF-8) carry a byte offset instead of a mark. */
static yaml_mark_t offset_mark(const yctx *y, size_t offset)
{
    yaml_mark_t m = {.index = offset};
    for (size_t i = 0; i < offset && i < y->len; i++) {
        if (y->text[i] == '\n') {
            m.line++;
            m.column = 0;
        } else {
            m.column++;
        }
    }
    return m;
}

static void parser_error(yctx *y)
{
    const yaml_parser_t *p = &y->parser;
    yaml_mark_t m =
        p->error == YAML_READER_ERROR ? offset_mark(y, p->problem_offset) : p->problem_mark;
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->context)
        vt_error_set(-EINVAL, "%s:%zu:%zu: %s (%s)", y->name, m.line + 1, m.column + 1, problem,
                     p->context);
    else
        vt_error_set(-EINVAL, "%s:%zu:%zu: %s", y->name, m.line + 1, m.column + 1, problem);
}

/* The next event, or false with the error recorded (ev is then empty, and
 * yaml_event_delete on it is harmless). */
static bool next_event(yctx *y, yaml_event_t *ev)
{
    if (yaml_parser_parse(&y->parser, ev))
        return true;
    parser_error(y);
    return false;
}

static bool count_nodes(yctx *y, size_t n, yaml_mark_t mark)
{
    if (n > MAX_NODES - y->nodes) {
        fail_at(y, mark, "document too large: more than %d nodes once aliases are expanded",
                MAX_NODES);
        return false;
    }
    y->nodes += n;
    return true;
}

/* ---- anchors --------------------------------------------------------- */

static void anchor_add(yctx *y, const yaml_char_t *name, const cJSON *node, const char *text,
                       size_t nodes)
{
    if (y->nanchors == y->cap) {
        y->cap = y->cap ? y->cap * 2 : 8;
        y->anchors = vt_realloc(y->anchors, y->cap * sizeof *y->anchors);
    }
    anchor *a = &y->anchors[y->nanchors++];
    a->name = vt_strdup((const char *)name);
    a->node = cJSON_Duplicate(node, true);
    a->text = text ? vt_strdup(text) : NULL;
    a->nodes = nodes;
}

/* A name may be defined again; an alias means the latest definition. */
static const anchor *anchor_find(const yctx *y, const yaml_char_t *name)
{
    for (size_t i = y->nanchors; i-- > 0;)
        if (strcmp(y->anchors[i].name, (const char *)name) == 0)
            return &y->anchors[i];
    return NULL;
}

static void anchors_free(yctx *y)
{
    for (size_t i = 0; i < y->nanchors; i++) {
        free(y->anchors[i].name);
        cJSON_Delete(y->anchors[i].node);
        free(y->anchors[i].text);
    }
    free(y->anchors);
}

static const anchor *resolve_alias(yctx *y, const yaml_event_t *ev)
{
    const anchor *a = anchor_find(y, ev->data.alias.anchor);
    if (!a)
        fail_at(y, ev->start_mark, "found undefined alias '%s'",
                (const char *)ev->data.alias.anchor);
    return a;
}

static cJSON *build_alias(yctx *y, const yaml_event_t *ev)
{
    const anchor *a = resolve_alias(y, ev);
    if (!a || !count_nodes(y, a->nodes, ev->start_mark))
        return NULL;
    return cJSON_Duplicate(a->node, true);
}

/* ---- scalars --------------------------------------------------------- */

static bool is_any(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return true;
    return false;
}

static const char *const null_words[] = {"", "~", "null", "Null", "NULL", NULL};
static const char *const true_words[] = {"true", "True", "TRUE", "yes", "Yes",
                                         "YES",  "on",   "On",   "ON",  NULL};
static const char *const false_words[] = {"false", "False", "FALSE", "no",  "No",
                                          "NO",    "off",   "Off",   "OFF", NULL};

/* A digit's value in any base up to 16; 99 for anything else. */
static int digit_value(char c)
{
    int v = vt_hex_digit(c);
    return v < 0 ? 99 : v;
}

/* Digits (and '_' separators) in base from s to the end; false unless at
 * least one digit. Doubles hold integers exactly up to 2^53, as JSON does. */
static bool digits_in_base(const char *s, int base, double *out)
{
    double v = 0;
    bool any = false;
    for (; *s; s++) {
        if (*s == '_')
            continue;
        int d = digit_value(*s);
        if (d >= base)
            return false;
        v = v * base + d;
        any = true;
    }
    *out = v;
    return any;
}

/* "[:[0-5]?[0-9]]+" after the first part: base 60, as YAML 1.1 reads 1:30. */
static bool sexagesimal_tail(const char *s, double *v)
{
    while (*s == ':') {
        s++;
        int d = 0, n = 0;
        while (n < 2 && s[n] >= '0' && s[n] <= '9')
            d = d * 10 + (s[n++] - '0');
        if (n == 0 || (n == 2 && s[0] > '5'))
            return false;
        *v = *v * 60 + d;
        s += n;
    }
    return *s == '\0';
}

/* s without its '_' digit separators, read in the C locale. */
static double strtod_plain(const char *s)
{
    char *copy = vt_strdup(s), *o = copy;
    for (const char *p = copy; *p; p++)
        if (*p != '_')
            *o++ = *p;
    *o = '\0';
    double v = strtod_l(copy, NULL, vt_json_c_locale());
    free(copy);
    return v;
}

/* "[0-9][0-9_]*(:[0-5]?[0-9])*" in the first n bytes of s. */
static bool parse_base60(const char *s, size_t n, double *out)
{
    char *copy = vt_strndup(s, n);
    char *colon = strchr(copy, ':');
    if (colon)
        *colon = '\0';
    bool ok = copy[0] >= '0' && copy[0] <= '9' && digits_in_base(copy, 10, out);
    if (ok && colon) {
        *colon = ':';
        ok = sexagesimal_tail(colon, out);
    }
    free(copy);
    return ok;
}

/* YAML 1.1 integers: 0b101, 0x1F, 017 (and 0o17), 1_000, 1:30. */
static bool parse_int(const char *s, double *out)
{
    double sign = 1;
    if (*s == '-' || *s == '+')
        sign = *s++ == '-' ? -1 : 1;
    bool ok;
    *out = 0;
    if (s[0] == '0' && (s[1] == 'b' || s[1] == 'x' || s[1] == 'o'))
        ok = digits_in_base(s + 2, s[1] == 'b' ? 2 : s[1] == 'x' ? 16 : 8, out);
    else if (s[0] == '0')
        /* "0", and "0_" which PyYAML also reads as zero */
        ok = digits_in_base(s + 1, 8, out) || strspn(s, "0_") == strlen(s);
    else
        ok = s[0] >= '1' && s[0] <= '9' && parse_base60(s, strlen(s), out);
    if (ok && s[0] != '0' && !strchr(s, ':'))
        *out = strtod_plain(s); /* rounded correctly past 2^53, as JSON's are */
    *out *= sign;
    return ok;
}

static bool parse_special_float(const char *s, double *out)
{
    static const char *const inf[] = {".inf", ".Inf", ".INF", NULL};
    static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};
    if (is_any(s, nan)) {
        *out = NAN;
        return true;
    }
    double sign = 1;
    if (*s == '-' || *s == '+')
        sign = *s++ == '-' ? -1 : 1;
    if (!is_any(s, inf))
        return false;
    *out = sign * INFINITY;
    return true;
}

/* "[-+]?[0-9_]*" then an optional ".[0-9_]*" then an optional exponent,
 * with at least one digit before the exponent and a dot or an exponent. */
static bool is_float_syntax(const char *s)
{
    bool digits = false, dot = false, exp = false;
    if (*s == '-' || *s == '+')
        s++;
    if (*s == '_')
        return false;
    for (; (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'; s++) {
        if (*s == '.') {
            if (dot)
                return false;
            dot = true;
            if (s[1] == '_' && !digits)
                return false;
        } else if (*s != '_') {
            digits = true;
        }
    }
    if (digits && (*s == 'e' || *s == 'E')) {
        exp = true;
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        s += strspn(s, "0123456789");
    }
    return *s == '\0' && digits && (dot || exp);
}

/* "190:20:30.15": base 60 with a fraction on the last part. */
static bool parse_base60_float(const char *s, double *out)
{
    double sign = 1;
    if (*s == '-' || *s == '+')
        sign = *s++ == '-' ? -1 : 1;
    const char *dot = strchr(s, '.');
    const char *colon = strchr(s, ':');
    if (!dot || !colon || colon > dot || dot[1 + strspn(dot + 1, "0123456789_")] != '\0')
        return false;
    if (!parse_base60(s, (size_t)(dot - s), out))
        return false;
    char *frac = vt_asprintf("0%s", dot);
    *out = sign * (*out + strtod_plain(frac));
    free(frac);
    return true;
}

/* Floats: 1.5, 1., .5, 1_000.5, 1.0e+3, 1e3, .inf, -.Inf, .nan, 1:30.5. */
static bool parse_float(const char *s, double *out)
{
    if (parse_special_float(s, out))
        return true;
    if (strchr(s, ':'))
        return parse_base60_float(s, out);
    if (!is_float_syntax(s))
        return false;
    *out = strtod_plain(s);
    return true;
}

static cJSON *resolve_plain(const char *s)
{
    double v;
    if (is_any(s, null_words))
        return cJSON_CreateNull();
    if (is_any(s, true_words))
        return cJSON_CreateTrue();
    if (is_any(s, false_words))
        return cJSON_CreateFalse();
    if (parse_int(s, &v))
        return cJSON_CreateNumber(v);
    if (parse_float(s, &v))
        return vt_json_new_float(v);
    return cJSON_CreateString(s);
}

static cJSON *construct_bool(const char *s)
{
    static const char *const yes[] = {"true", "yes", "on", NULL};
    static const char *const no[] = {"false", "no", "off", NULL};
    for (const char *const *w = yes; *w; w++)
        if (strcasecmp(s, *w) == 0)
            return cJSON_CreateTrue();
    for (const char *const *w = no; *w; w++)
        if (strcasecmp(s, *w) == 0)
            return cJSON_CreateFalse();
    return NULL;
}

/* libyaml expands "!!int" to TAG_PREFIX "int"; this gives back "int". */
static const char *std_tag(const char *tag)
{
    size_t n = strlen(TAG_PREFIX);
    return strncmp(tag, TAG_PREFIX, n) == 0 ? tag + n : NULL;
}

static bool is_tag(const char *tag, const char *name)
{
    return std_tag(tag) && strcmp(std_tag(tag), name) == 0;
}

static cJSON *unsupported_tag(yctx *y, yaml_mark_t mark, const char *tag)
{
    if (std_tag(tag))
        return fail_at(y, mark, "unsupported tag !!%s", std_tag(tag));
    return fail_at(y, mark, "unsupported tag %s", tag);
}

/* An explicit !!tag; NULL when the value does not fit it. */
static cJSON *construct_tagged(const char *tag, const char *s, bool *known)
{
    double v;
    *known = true;
    if (is_tag(tag, "str"))
        return cJSON_CreateString(s);
    if (is_tag(tag, "null"))
        return cJSON_CreateNull();
    if (is_tag(tag, "bool"))
        return construct_bool(s);
    if (is_tag(tag, "int"))
        return parse_int(s, &v) ? cJSON_CreateNumber(v) : NULL;
    if (is_tag(tag, "float"))
        return parse_float(s, &v) || parse_int(s, &v) ? vt_json_new_float(v) : NULL;
    *known = false;
    return NULL;
}

static cJSON *build_scalar(yctx *y, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    const char *tag = (const char *)ev->data.scalar.tag;
    if (strlen(s) != ev->data.scalar.length)
        return fail_at(y, ev->start_mark, "NUL characters are not supported in strings");
    if (!count_nodes(y, 1, ev->start_mark))
        return NULL;
    if (!tag)
        return ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? resolve_plain(s)
                                                                : cJSON_CreateString(s);
    if (strcmp(tag, "!") == 0)
        return cJSON_CreateString(s);
    bool known;
    cJSON *v = construct_tagged(tag, s, &known);
    if (!v && known)
        return fail_at(y, ev->start_mark, "invalid value for !!%s: '%s'", std_tag(tag), s);
    if (!known)
        return unsupported_tag(y, ev->start_mark, tag);
    return v;
}

/* ---- collections ----------------------------------------------------- */

static char *cjson_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = cJSON_malloc(n);
    if (!copy)
        abort(); /* out of memory: the project's policy, see mem.h */
    return memcpy(copy, s, n);
}

/* Add item (->string set) to obj. A key seen before keeps its place and takes
 * the new value, as a Python dict does. */
static void put_member(cJSON *obj, cJSON *item)
{
    for (cJSON *c = obj->child; c; c = c->next) {
        if (strcmp(c->string, item->string) == 0) {
            cJSON_ReplaceItemViaPointer(obj, c, item);
            return;
        }
    }
    cJSON_AddItemToArray(obj, item); /* appends and keeps item->string */
}

static void move_members(cJSON *to, cJSON *from)
{
    while (from->child)
        put_member(to, cJSON_DetachItemViaPointer(from, from->child));
}

/* The text of a mapping key (allocated for cJSON), or NULL: with *merge set
 * for a merge key "<<", else with the error recorded. */
static char *read_key(yctx *y, const yaml_event_t *ev, bool *merge)
{
    *merge = false;
    if (ev->type == YAML_ALIAS_EVENT) {
        const anchor *a = resolve_alias(y, ev);
        if (a && !a->text)
            fail_at(y, ev->start_mark, "mapping keys must be scalars");
        return a && a->text ? cjson_strdup(a->text) : NULL;
    }
    if (ev->type != YAML_SCALAR_EVENT) {
        fail_at(y, ev->start_mark, "mapping keys must be scalars");
        return NULL;
    }
    const char *s = (const char *)ev->data.scalar.value;
    const char *tag = (const char *)ev->data.scalar.tag;
    if ((!tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && strcmp(s, "<<") == 0) ||
        (tag && is_tag(tag, "merge"))) {
        *merge = true;
        return NULL;
    }
    /* Built only to check it, and for aliases to the key elsewhere. */
    cJSON *node = build_scalar(y, ev);
    if (!node)
        return NULL;
    if (ev->data.scalar.anchor)
        anchor_add(y, ev->data.scalar.anchor, node, s, 1);
    cJSON_Delete(node);
    return cjson_strdup(s);
}

/* Queue the mappings of "<<: *base" or "<<: [*a, *b]" in the order
 * PyYAML's flatten_mapping applies them: later ones win, and in a list the
 * first mapping wins, so a list is queued back to front. Takes value. */
static bool add_merge(yctx *y, cJSON *merges, cJSON *value, yaml_mark_t mark)
{
    bool ok = cJSON_IsObject(value) || cJSON_IsArray(value);
    for (cJSON *c = cJSON_IsArray(value) ? value->child : NULL; ok && c; c = c->next)
        ok = cJSON_IsObject(c);
    if (!ok) {
        cJSON_Delete(value);
        fail_at(y, mark, "a merge key '<<' needs a mapping or a list of mappings");
        return false;
    }
    if (cJSON_IsObject(value)) {
        cJSON_AddItemToArray(merges, value);
        return true;
    }
    while (value->child) /* cJSON keeps the last element in child->prev */
        cJSON_AddItemToArray(merges, cJSON_DetachItemViaPointer(value, value->child->prev));
    cJSON_Delete(value);
    return true;
}

/* Merged keys first, explicit keys over them, whatever their order in the
 * text. Takes obj and merges. */
static cJSON *apply_merges(cJSON *obj, cJSON *merges)
{
    if (!merges->child) {
        cJSON_Delete(merges);
        return obj;
    }
    cJSON *out = cJSON_CreateObject();
    for (cJSON *src = merges->child; src; src = src->next)
        move_members(out, src);
    move_members(out, obj);
    cJSON_Delete(obj);
    cJSON_Delete(merges);
    return out;
}

static bool mapping_entry(yctx *y, const yaml_event_t *kev, cJSON *obj, cJSON *merges)
{
    bool merge;
    char *key = read_key(y, kev, &merge);
    if (!key && !merge)
        return false;
    yaml_event_t vev;
    cJSON *value = next_event(y, &vev) ? parse_node(y, &vev) : NULL;
    bool ok = value != NULL;
    if (ok && merge) {
        ok = add_merge(y, merges, value, vev.start_mark);
    } else if (ok) {
        value->string = key;
        key = NULL;
        put_member(obj, value);
    }
    yaml_event_delete(&vev);
    cJSON_free(key);
    return ok;
}

static cJSON *build_mapping(yctx *y)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON *merges = cJSON_CreateArray();
    for (;;) {
        yaml_event_t ev;
        if (!next_event(y, &ev))
            break;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            return apply_merges(obj, merges);
        }
        bool ok = mapping_entry(y, &ev, obj, merges);
        yaml_event_delete(&ev);
        if (!ok)
            break;
    }
    cJSON_Delete(obj);
    cJSON_Delete(merges);
    return NULL;
}

static cJSON *build_sequence(yctx *y)
{
    cJSON *arr = cJSON_CreateArray();
    for (;;) {
        yaml_event_t ev;
        if (!next_event(y, &ev))
            break;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return arr;
        }
        cJSON *item = parse_node(y, &ev);
        yaml_event_delete(&ev);
        if (!item)
            break;
        cJSON_AddItemToArray(arr, item);
    }
    cJSON_Delete(arr);
    return NULL;
}

static cJSON *build_collection(yctx *y, const yaml_event_t *ev)
{
    bool mapping = ev->type == YAML_MAPPING_START_EVENT;
    const char *tag =
        (const char *)(mapping ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
    if (tag && strcmp(tag, "!") != 0 && !is_tag(tag, mapping ? "map" : "seq"))
        return unsupported_tag(y, ev->start_mark, tag);
    if (y->depth >= MAX_DEPTH)
        return fail_at(y, ev->start_mark, "nesting too deep");
    if (!count_nodes(y, 1, ev->start_mark))
        return NULL;
    y->depth++;
    cJSON *node = mapping ? build_mapping(y) : build_sequence(y);
    y->depth--;
    return node;
}

/* The node that ev starts; the events up to its end are consumed. */
static cJSON *parse_node(yctx *y, const yaml_event_t *ev)
{
    size_t before = y->nodes;
    const yaml_char_t *name = NULL;
    const char *text = NULL;
    cJSON *node;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return build_alias(y, ev);
    case YAML_SCALAR_EVENT:
        node = build_scalar(y, ev);
        name = ev->data.scalar.anchor;
        text = (const char *)ev->data.scalar.value;
        break;
    case YAML_SEQUENCE_START_EVENT:
        node = build_collection(y, ev);
        name = ev->data.sequence_start.anchor;
        break;
    case YAML_MAPPING_START_EVENT:
        node = build_collection(y, ev);
        name = ev->data.mapping_start.anchor;
        break;
    default:
        return fail_at(y, ev->start_mark, "unexpected YAML event");
    }
    if (node && name) {
        /* The anchor's private copy counts too, so that the memory a
         * document can claim stays within the node limit. */
        size_t nodes = y->nodes - before;
        if (!count_nodes(y, nodes, ev->start_mark)) {
            cJSON_Delete(node);
            return NULL;
        }
        anchor_add(y, name, node, text, nodes);
    }
    return node;
}

/* ---- documents ------------------------------------------------------- */

/* "---" with nothing after it: libyaml reports an empty plain scalar. */
static bool is_empty_document(const yaml_event_t *ev)
{
    return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length == 0 &&
           ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag &&
           !ev->data.scalar.anchor;
}

/* The first document's root; later documents are not read. */
static cJSON *parse_stream(yctx *y)
{
    yaml_event_t ev;
    for (int i = 0; i < 2; i++) { /* stream start, then document start or stream end */
        if (!next_event(y, &ev))
            return NULL;
        yaml_event_type_t type = ev.type;
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT)
            return cJSON_CreateObject();
    }
    if (!next_event(y, &ev))
        return NULL;
    cJSON *root = is_empty_document(&ev) ? cJSON_CreateObject() : parse_node(y, &ev);
    yaml_event_delete(&ev);
    /* The document end, and what starts next: libyaml only notices text
     * left over after the root there. Later documents are not read. */
    for (int i = 0; root && i < 2; i++) {
        if (!next_event(y, &ev)) {
            cJSON_Delete(root);
            return NULL;
        }
        yaml_event_delete(&ev);
    }
    return root;
}

cJSON *vt_config_parse_yaml(const char *text, size_t len, const char *name)
{
    yctx y = {.name = name ? name : "YAML", .text = text, .len = len};
    if (!yaml_parser_initialize(&y.parser)) {
        vt_error_set(-ENOMEM, "%s: out of memory", y.name);
        return NULL;
    }
    /* libyaml asserts on a NULL string, even of length 0. */
    yaml_parser_set_input_string(&y.parser, (const unsigned char *)(text ? text : ""),
                                 text ? len : 0);
    cJSON *root = parse_stream(&y);
    yaml_parser_delete(&y.parser);
    anchors_free(&y);
    return root;
}
