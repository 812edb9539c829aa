/* vctl auth add / update: the interactive entry wizard (spec vctl-vcfg.md,
 * "Interactive auth wizard"). Each field is asked as
 *
 *     <field> [(<note>) ][<default>]:
 *
 * an empty answer takes the default, "clear" (confirmed) empties the field,
 * and mechanism, credentials and enabled are checked before moving on. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd_auth.h"
#include "cmdutil.h"

#define NOTE "delimit multiple entries with comma"

typedef enum {
    F_TEXT,
    F_CAPS,
    F_LIST,
    F_MECH,
    F_CREDS,
    F_BOOL
} field_kind;

static const struct {
    const char *name;
    field_kind kind;
    const char *note;
} fields[] = {
    {"domain", F_TEXT, NULL},   {"address", F_TEXT, NULL},      {"user_id", F_TEXT, NULL},
    {"identity", F_TEXT, NULL}, {"capabilities", F_CAPS, NOTE}, {"roles", F_LIST, NOTE},
    {"groups", F_LIST, NOTE},   {"mechanism", F_MECH, NULL},    {"credentials", F_CREDS, NULL},
    {"comments", F_TEXT, NULL}, {"enabled", F_BOOL, NULL},
};

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

cJSON *vctl_auth_comma_split(const char *text)
{
    cJSON *list = cJSON_CreateArray();
    char *copy = vt_strdup(text);
    char *s = trim(copy);
    /* as VOLTTRON: blank is no entries; otherwise every comma separates
     * one (blank words included) */
    if (*s) {
        char *word = s;
        for (;;) {
            char *comma = strchr(word, ',');
            if (comma)
                *comma = '\0';
            cJSON_AddItemToArray(list, cJSON_CreateString(trim(word)));
            if (!comma)
                break;
            word = comma + 1;
        }
    }
    free(copy);
    return list;
}

cJSON *vctl_auth_parse_capabilities(const char *text)
{
    char *copy = vt_strdup(text);
    char *s = trim(copy);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    cJSON *parsed = vt_json_parse(s, strlen(s), 0, "capabilities", NULL);
    free(copy);
    return parsed ? parsed : vctl_auth_comma_split(text);
}

/* The default VOLTTRON shows: lists comma-joined, None as nothing, the
 * rest as Python's str(). */
static char *default_text(const cJSON *value)
{
    if (!value || cJSON_IsNull(value))
        return vt_strdup("");
    if (!cJSON_IsArray(value))
        return vctl_str(value);
    vt_buf b;
    vt_buf_init(&b);
    const cJSON *e;
    bool first = true;
    cJSON_ArrayForEach (e, value) {
        char *s = vctl_str(e);
        if (!first)
            vt_buf_append_char(&b, ',');
        vt_buf_append_str(&b, s);
        free(s);
        first = false;
    }
    return vt_buf_detach(&b, NULL);
}

static bool is_regex(const char *s)
{
    size_t n = strlen(s);
    return n > 1 && s[0] == '/' && s[n - 1] == '/';
}

/* NULL if the answer is acceptable, else why not. */
static const char *invalid(field_kind kind, const cJSON *answer, const cJSON *mechanism)
{
    switch (kind) {
    case F_MECH: {
        const char *m = cJSON_IsString(answer) ? answer->valuestring : "";
        if (strcmp(m, "NULL") && strcmp(m, "PLAIN") && strcmp(m, "CURVE"))
            return "mechanism must be either \"NULL\", \"PLAIN\" or \"CURVE\"";
        return NULL;
    }
    case F_CREDS: {
        const char *m = cJSON_IsString(mechanism) ? mechanism->valuestring : "CURVE";
        if (!strcmp(m, "NULL"))
            return NULL;
        if (!cJSON_IsString(answer)) {
            return !strcmp(m, "PLAIN") ? "credentials parameter is required for mechanism PLAIN"
                                       : "credentials parameter is required for mechanism CURVE";
        }
        if (is_regex(answer->valuestring))
            return NULL;
        if (!strcmp(m, "CURVE") && vctl_text_width(answer->valuestring) != 43)
            return "Invalid CURVE public key (expected 43 characters)";
        return NULL;
    }
    case F_BOOL:
        if (cJSON_IsBool(answer))
            return NULL;
        if (cJSON_IsString(answer) &&
            (!strcasecmp(answer->valuestring, "true") || !strcasecmp(answer->valuestring, "false")))
            return NULL;
        return "Please enter True or False";
    default:
        return NULL;
    }
}

/* The answer as stored: lists split, capabilities parsed, enabled a
 * boolean. A cleared list or capabilities field becomes empty ([] / {}),
 * which is what VOLTTRON's AuthEntry makes of None anyway. */
static cJSON *convert(field_kind kind, cJSON *answer)
{
    switch (kind) {
    case F_CAPS:
        if (cJSON_IsString(answer)) {
            cJSON *c = vctl_auth_parse_capabilities(answer->valuestring);
            cJSON_Delete(answer);
            return c;
        }
        if (cJSON_IsNull(answer)) {
            cJSON_Delete(answer);
            return cJSON_CreateObject();
        }
        return answer;
    case F_LIST:
        if (cJSON_IsString(answer)) {
            cJSON *c = vctl_auth_comma_split(answer->valuestring);
            cJSON_Delete(answer);
            return c;
        }
        if (cJSON_IsNull(answer)) {
            cJSON_Delete(answer);
            return cJSON_CreateArray();
        }
        return answer;
    case F_BOOL:
        if (cJSON_IsString(answer)) {
            bool yes = !strcasecmp(answer->valuestring, "true");
            cJSON_Delete(answer);
            return cJSON_CreateBool(yes);
        }
        return answer;
    default:
        return answer;
    }
}

cJSON *vctl_auth_wizard(const cJSON *entry)
{
    cJSON *out = cJSON_CreateObject();
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        const cJSON *given = entry ? cJSON_GetObjectItemCaseSensitive(entry, fields[f].name) : NULL;
        /* VOLTTRON's defaults for a field the entry does not have */
        cJSON *builtin = NULL;
        if (!given && fields[f].kind == F_MECH)
            given = builtin = cJSON_CreateString("CURVE");
        else if (!given && fields[f].kind == F_BOOL)
            given = builtin = cJSON_CreateTrue();
        char *shown = default_text(given);
        char *note = fields[f].note ? vt_asprintf("(%s) ", fields[f].note) : vt_strdup("");
        char *question = vt_asprintf("%s %s[%s]: ", fields[f].name, note, shown);
        free(shown);
        free(note);
        cJSON *answer = NULL;
        bool eof = false;
        while (!answer) {
            char *line = vctl_prompt(question);
            if (!line) {
                eof = true;
                break;
            }
            char *text = trim(line);
            if (!*text) {
                answer = given ? cJSON_Duplicate(given, 1) : cJSON_CreateNull();
            } else if (!strcmp(text, "clear")) {
                /* VOLTTRON keeps the literal word "clear" when the
                 * confirmation is declined; here the question comes again */
                int yes = vctl_ask_yes_no("Do you want to clear this field?");
                if (yes < 0)
                    eof = true;
                else if (yes)
                    answer = cJSON_CreateNull();
            } else {
                answer = cJSON_CreateString(text);
            }
            free(line);
            if (eof)
                break;
            if (!answer)
                continue;
            const char *why =
                invalid(fields[f].kind, answer, cJSON_GetObjectItemCaseSensitive(out, "mechanism"));
            if (why) {
                fprintf(stderr, "%s\n", why);
                cJSON_Delete(answer);
                answer = NULL;
            }
        }
        free(question);
        cJSON_Delete(builtin);
        if (eof) {
            cJSON_Delete(answer);
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToObject(out, fields[f].name, convert(fields[f].kind, answer));
    }
    return out;
}
