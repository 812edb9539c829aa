/* Helpers shared by vctl's auth and rpc subcommands (see cmdutil.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdutil.h"

int vctl_getopt(const vctl *v, const char *what, int argc, char **argv, const char *shortopts,
                const struct option *longopts)
{
    /* ':' first: a missing value is reported as ':' rather than '?' */
    char spec[64];
    snprintf(spec, sizeof spec, ":%s", shortopts);
    opterr = 0;
    int c = getopt_long(argc, argv, spec, longopts, NULL);
    if (c == '?') {
        if (optopt)
            vctl_error(v, 0, "%s: unknown option -%c (vctl %s %s --help)", what, optopt, v->command,
                       what);
        else
            vctl_error(v, 0, "%s: unknown option %s (vctl %s %s --help)", what, argv[optind - 1],
                       v->command, what);
        return '?';
    }
    if (c == ':') {
        vctl_error(v, 0, "%s: option %s needs a value", what, argv[optind - 1]);
        return '?';
    }
    return c;
}

bool vctl_parse_int(const char *text, long *out)
{
    if (!text || !*text)
        return false;
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (*end || errno || isspace((unsigned char)*text))
        return false;
    *out = n;
    return true;
}

char *vctl_repr(const cJSON *value)
{
    vt_buf b;
    vt_buf_init(&b);
    vt_json_repr_python(&b, value);
    return vt_buf_detach(&b, NULL);
}

char *vctl_str(const cJSON *value)
{
    if (cJSON_IsString(value))
        return vt_strdup(value->valuestring);
    return vctl_repr(value);
}

size_t vctl_text_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

bool vctl_truthy(const cJSON *value)
{
    if (!value || cJSON_IsNull(value) || cJSON_IsFalse(value))
        return false;
    if (cJSON_IsNumber(value))
        return value->valuedouble != 0;
    if (cJSON_IsString(value))
        return value->valuestring[0] != '\0';
    if (cJSON_IsArray(value) || cJSON_IsObject(value))
        return value->child != NULL;
    return true;
}

char *vctl_prompt(const char *prompt)
{
    fputs(prompt, stdout);
    fflush(stdout);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        /* end the prompt's line, as a terminal user pressing ^D sees it */
        fputc('\n', stdout);
        fflush(stdout);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

int vctl_ask_yes_no(const char *question)
{
    char *prompt = vt_asprintf("%s [Y/n] ", question);
    int answer = -1;
    for (;;) {
        char *line = vctl_prompt(prompt);
        if (!line)
            break;
        /* VOLTTRON lower-cases the answer; surrounding blanks are dropped
         * here too */
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        size_t len = strlen(s);
        while (len && isspace((unsigned char)s[len - 1]))
            s[--len] = '\0';
        for (char *p = s; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (!*s || !strcmp(s, "y") || !strcmp(s, "ye") || !strcmp(s, "yes"))
            answer = 1;
        else if (!strcmp(s, "n") || !strcmp(s, "no"))
            answer = 0;
        free(line);
        if (answer >= 0)
            break;
        fprintf(stderr, "Please respond with 'yes' or 'no'\n");
    }
    free(prompt);
    return answer;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A list as Python prints sorted(list): strings in code point order (UTF-8
 * byte order is the same), anything else after them in its order. */
static char *sorted_list_repr(const cJSON *list)
{
    cJSON *copy = cJSON_CreateArray();
    size_t n = (size_t)cJSON_GetArraySize(list), k = 0;
    char **strs = vt_calloc(n + 1, sizeof *strs);
    const cJSON *e;
    cJSON_ArrayForEach (e, list) {
        if (cJSON_IsString(e))
            strs[k++] = e->valuestring;
    }
    qsort(strs, k, sizeof *strs, cmp_strp);
    for (size_t i = 0; i < k; i++)
        cJSON_AddItemToArray(copy, cJSON_CreateString(strs[i]));
    cJSON_ArrayForEach (e, list) {
        if (!cJSON_IsString(e))
            cJSON_AddItemToArray(copy, cJSON_Duplicate(e, 1));
    }
    char *r = vctl_repr(copy);
    cJSON_Delete(copy);
    free(strs);
    return r;
}

static void pad(size_t n)
{
    for (size_t i = 0; i < n; i++)
        putchar(' ');
}

void vctl_two_columns(const cJSON *object, const char *key_name, const char *value_name)
{
    size_t n = (size_t)cJSON_GetArraySize(object), k = 0;
    char **keys = vt_calloc(n + 1, sizeof *keys);
    size_t width = vctl_text_width(key_name);
    const cJSON *e;
    cJSON_ArrayForEach (e, object) {
        keys[k++] = e->string;
        size_t w = vctl_text_width(e->string);
        if (w > width)
            width = w;
    }
    width += 2;
    qsort(keys, k, sizeof *keys, cmp_strp);
    fputs(key_name, stdout);
    pad(width - vctl_text_width(key_name));
    printf("%s\n", value_name);
    for (size_t i = 0; i < strlen(key_name); i++)
        putchar('-');
    pad(width - vctl_text_width(key_name));
    for (size_t i = 0; i < strlen(value_name); i++)
        putchar('-');
    putchar('\n');
    for (size_t i = 0; i < k; i++) {
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, keys[i]);
        char *text = cJSON_IsArray(value) ? sorted_list_repr(value) : vctl_str(value);
        fputs(keys[i], stdout);
        pad(width - vctl_text_width(keys[i]));
        printf("%s\n", text);
        free(text);
    }
    free(keys);
}

static const char *detail_of(const vt_rpc_error *e)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(e->data, "detail");
    if (cJSON_IsString(d))
        return d->valuestring;
    return e->message ? e->message : "failed";
}

void vctl_print_padded(FILE *f, const char *s, size_t width)
{
    fputs(s, f);
    for (size_t n = vctl_text_width(s); n < width; n++)
        fputc(' ', f);
}

int vctl_report_rpc_error(const vctl *v, const char *peer, const char *method, int status,
                          const vt_rpc_error *e)
{
    switch (status) {
    case VT_RPC_OK:
        return VCTL_OK;
    case VT_RPC_TIMEOUT:
        fprintf(stderr, "%s: operation timed out\n", v->command);
        return VCTL_TIMEOUT;
    case VT_RPC_ERROR:
        if (e->code == VT_RPC_UNHANDLED_EXCEPTION)
            return vctl_error(v, VCTL_REMOTE, "%s", detail_of(e));
        return vctl_error(v, VCTL_FAIL, "%s.%s: %s", peer, method, detail_of(e));
    case VT_RPC_UNREACHABLE:
        return vctl_error(v, VCTL_FAIL, "%s is not connected to the platform", peer);
    default:
        return vctl_error(v, VCTL_FAIL, "%s.%s: %s", peer, method,
                          e->message ? e->message : vt_last_error());
    }
}

int vctl_call_within(vctl *v, const char *peer, const char *method, cJSON *params, int timeout_ms,
                     cJSON **result)
{
    int rc = vctl_connect(v);
    if (rc) {
        cJSON_Delete(params);
        return rc;
    }
    vt_rpc_error e = {0};
    int status = vctl_call_quiet(v, peer, method, params, timeout_ms, result, &e);
    int code = vctl_report_rpc_error(v, peer, method, status, &e);
    vt_rpc_error_clear(&e);
    return code;
}
