/* vctl create-agent: a new standalone agent project (the seed paper's
 * copier template, in C): meson.build pinned to a libvolttron-client
 * version range, a skeleton agent, its settings and their test, a default
 * configuration, the package manifest, a README and Debian packaging. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "templates.h"
#include "vctl.h"

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 40 || s[0] < 'a' || s[0] > 'z')
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* "A,B" (">=1.0,<2") as meson's list "'>=1.0', '<2'"; the lower bound and
 * the first version not allowed, for Debian's dependency. */
static int parse_range(const char *range, char **meson, char **min, char **next)
{
    vt_buf b;
    vt_buf_init(&b);
    char *copy = vt_strdup(range), *save = NULL;
    *min = *next = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        if (!*t || strspn(t, "<>=!0123456789. ") != strlen(t)) {
            free(copy);
            vt_buf_free(&b);
            return -1;
        }
        vt_buf_appendf(&b, "%s'%s'", b.len ? ", " : "", t);
        if (strncmp(t, ">=", 2) == 0 && !*min)
            *min = vt_strdup(t + 2);
        else if (t[0] == '<' && t[1] != '=' && !*next)
            *next = vt_strdup(t + 1);
    }
    free(copy);
    if (!b.len)
        return -1;
    *meson = vt_buf_detach(&b, NULL);
    if (!*min)
        *min = vt_strdup("0");
    if (!*next)
        *next = vt_strdup("999");
    return 0;
}

static char *expand(const char *text, const char *const *keys, const char *const *values, size_t n)
{
    vt_buf b;
    vt_buf_init(&b);
    for (const char *p = text; *p;) {
        size_t k = 0;
        for (; k < n; k++)
            if (strncmp(p, keys[k], strlen(keys[k])) == 0)
                break;
        if (k < n) {
            vt_buf_append_str(&b, values[k]);
            p += strlen(keys[k]);
        } else {
            vt_buf_append_char(&b, *p++);
        }
    }
    vt_buf_append(&b, "", 0);
    return vt_buf_detach(&b, NULL);
}

static bool empty_or_missing(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return true;
    struct dirent *de;
    bool empty = true;
    while (empty && (de = readdir(d)))
        empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
    closedir(d);
    return empty;
}

int vctl_cmd_create_agent(vctl *v, int argc, char **argv)
{
    static const struct option opts[] = {
        {"client-version", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *deflt = NULL;
    const char *range = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'c') {
            range = optarg;
        } else if (c == 'h') {
            printf("usage: vctl create-agent NAME [DIR] [--client-version RANGE]\n"
                   "  writes a new agent project in DIR (default ./NAME); RANGE pins the\n"
                   "  libvolttron-client it builds against (default: this major version,\n"
                   "  e.g. \">=1.0,<2\")\n");
            return 0;
        } else {
            return vctl_error(v, VCTL_USAGE, "unknown option (vctl create-agent --help)");
        }
    }
    if (optind >= argc || argc - optind > 2)
        return vctl_error(v, VCTL_USAGE, "usage: vctl create-agent NAME [DIR]");
    const char *name = argv[optind];
    if (!name_ok(name))
        return vctl_error(v, VCTL_USAGE,
                          "agent name \"%s\": use 1-40 characters of a-z, 0-9, "
                          "_ and -, starting with a letter",
                          name);
    const char *dir = argc - optind == 2 ? argv[optind + 1] : name;
    if (!empty_or_missing(dir))
        return vctl_error(v, VCTL_FAIL, "%s exists and is not empty", dir);
    if (!range) {
        int major = atoi(vt_client_version());
        const char *dot = strchr(vt_client_version(), '.');
        deflt = vt_asprintf(">=%d.%d,<%d", major, dot ? atoi(dot + 1) : 0, major + 1);
        range = deflt;
    }
    char *meson_range, *min, *next;
    if (parse_range(range, &meson_range, &min, &next) < 0) {
        free(deflt);
        return vctl_error(v, VCTL_USAGE,
                          "--client-version \"%s\": expected constraints such "
                          "as \">=1.0,<2\"",
                          range);
    }
    /* Debian changelog's date format */
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    const char *keys[] = {"{{name}}", "{{client_range}}", "{{client_min}}", "{{client_next_major}}",
                          "{{date}}"};
    const char *values[] = {name, meson_range, min, next, date};
    int rc = 0;
    for (size_t i = 0; i < vctl_ntemplates && rc == 0; i++) {
        char *path = vt_fs_path_join(dir, vctl_templates[i].path);
        char *parent = vt_strdup(path);
        *strrchr(parent, '/') = '\0';
        char *text = expand(vctl_templates[i].text, keys, values, 5);
        if (vt_fs_mkdir_p(parent, 0755) < 0 ||
            vt_fs_write_atomic(path, text, strlen(text), vctl_templates[i].mode) < 0)
            rc = vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
        free(text);
        free(parent);
        free(path);
    }
    if (rc == 0)
        printf("Created agent %s in %s (libvolttron-client %s)\n"
               "  meson setup %s/build %s && meson test -C %s/build\n"
               "  vctl install %s --start\n",
               name, dir, range, dir, dir, dir, dir);
    free(meson_range);
    free(min);
    free(next);
    free(deflt);
    return rc;
}
