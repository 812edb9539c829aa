/* INI files with Python ConfigParser's reading and writing rules.
 *
 * The files are a few lines long, so a document is plain arrays: sections in
 * file order, each with its entries in file order. A repeated key is stored
 * as several entries. A NULL section name means "" (keys before any header).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/ini.h>
#include <volttron/utils/mem.h>

#define INI_MAX_SIZE (1024u * 1024u)

typedef struct ini_entry {
    char *key; /* lower-cased */
    char *value;
} ini_entry;

typedef struct ini_section {
    char *name;
    ini_entry *entries;
    size_t count, cap;
} ini_section;

struct vt_ini {
    ini_section *sections;
    size_t count, cap;
};

/* ---- the document ---------------------------------------------------- */

vt_ini *vt_ini_new(void)
{
    return vt_calloc(1, sizeof(vt_ini));
}

void vt_ini_destroy(vt_ini **ini)
{
    if (!ini || !*ini)
        return;
    for (size_t i = 0; i < (*ini)->count; i++) {
        ini_section *s = &(*ini)->sections[i];
        for (size_t j = 0; j < s->count; j++) {
            free(s->entries[j].key);
            free(s->entries[j].value);
        }
        free(s->entries);
        free(s->name);
    }
    free((*ini)->sections);
    free(*ini);
    *ini = NULL;
}

static ini_section *find_section(const vt_ini *ini, const char *name)
{
    if (!name)
        name = "";
    for (size_t i = 0; i < ini->count; i++)
        if (strcmp(ini->sections[i].name, name) == 0)
            return &ini->sections[i];
    return NULL;
}

/* The section, created at the end if new. The pointer is valid until the
 * next section is created. */
static ini_section *get_section(vt_ini *ini, const char *name)
{
    ini_section *s = find_section(ini, name);
    if (s)
        return s;
    if (ini->count == ini->cap) {
        ini->cap = ini->cap ? ini->cap * 2 : 4;
        ini->sections = vt_realloc(ini->sections, ini->cap * sizeof *ini->sections);
    }
    s = &ini->sections[ini->count++];
    *s = (ini_section){.name = vt_strdup(name ? name : "")};
    return s;
}

/* ConfigParser's optionxform: keys are compared and stored lower-case. */
static char *key_dup(const char *key, size_t n)
{
    char *k = vt_strndup(key, n);
    for (char *p = k; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return k;
}

static void entry_append(ini_section *s, const char *key, size_t key_len, const char *value,
                         size_t value_len)
{
    if (s->count == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->entries = vt_realloc(s->entries, s->cap * sizeof *s->entries);
    }
    s->entries[s->count++] = (ini_entry){key_dup(key, key_len), vt_strndup(value, value_len)};
}

static void entry_remove(ini_section *s, size_t i)
{
    free(s->entries[i].key);
    free(s->entries[i].value);
    memmove(&s->entries[i], &s->entries[i + 1], (s->count - i - 1) * sizeof *s->entries);
    s->count--;
}

/* ---- reading --------------------------------------------------------- */

typedef struct reader {
    vt_ini *ini;
    const char *name;
    int line;
    size_t section; /* index of the current section */
    bool have_section;
    bool in_value; /* the last option may take continuation lines */
    size_t entry;  /* its index in the current section */
    size_t indent; /* its indentation */
} reader;

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int syntax_error(const reader *r, size_t col, const char *what, const char *s, size_t n)
{
    return vt_error_set(-EINVAL, "%s:%d:%zu: %s'%.*s'", r->name, r->line, col + 1, what,
                        (int)(n > 80 ? 80 : n), s);
}

/* "[name]": ConfigParser matches \[(.+)\] at the start of the stripped line,
 * so the name runs to the last ']' and is not stripped, and anything after
 * that ']' is ignored. */
static int read_header(reader *r, const char *s, size_t n, size_t indent)
{
    const char *close = NULL;
    for (const char *p = s + n; p > s + 1 && !close; p--)
        if (p[-1] == ']')
            close = p - 1;
    if (!close)
        return syntax_error(r, indent, "unterminated section header: ", s, n);
    if (close == s + 1)
        return syntax_error(r, indent, "empty section name: ", s, n);
    char *name = vt_strndup(s + 1, (size_t)(close - s - 1));
    ini_section *sect = get_section(r->ini, name);
    free(name);
    r->section = (size_t)(sect - r->ini->sections);
    r->have_section = true;
    return 0;
}

/* "key = value" or "key: value", split at the first '=' or ':'. */
static int read_option(reader *r, const char *s, size_t n, size_t indent)
{
    size_t sep = 0;
    while (sep < n && s[sep] != '=' && s[sep] != ':')
        sep++;
    if (sep == n)
        return syntax_error(r, indent, "expected 'key = value' or '[section]', got ", s, n);
    size_t key_len = sep;
    while (key_len > 0 && is_space(s[key_len - 1]))
        key_len--;
    if (key_len == 0)
        return syntax_error(r, indent, "missing key before the delimiter in ", s, n);
    const char *v = s + sep + 1;
    while (v < s + n && is_space(*v))
        v++;
    if (!r->have_section) {
        r->section = (size_t)(get_section(r->ini, "") - r->ini->sections);
        r->have_section = true;
    }
    ini_section *sect = &r->ini->sections[r->section];
    entry_append(sect, s, key_len, v, (size_t)(s + n - v));
    r->in_value = true;
    r->entry = sect->count - 1;
    r->indent = indent;
    return 0;
}

static void continue_value(reader *r, const char *s, size_t n)
{
    ini_entry *e = &r->ini->sections[r->section].entries[r->entry];
    char *joined = vt_asprintf("%s\n%.*s", e->value, (int)n, s);
    free(e->value);
    e->value = joined;
}

static int read_line(reader *r, const char *line, size_t n)
{
    if (memchr(line, '\0', n))
        return vt_error_set(-EINVAL, "%s:%d: NUL byte in the file", r->name, r->line);
    size_t indent = 0;
    while (indent < n && is_space(line[indent]))
        indent++;
    const char *s = line + indent;
    n -= indent;
    while (n > 0 && is_space(s[n - 1]))
        n--;
    /* Blank and comment lines end a multi-line value: ConfigParser with
     * empty_lines_in_values=False. */
    if (n == 0 || s[0] == '#' || s[0] == ';') {
        r->in_value = false;
        return 0;
    }
    if (r->in_value && indent > r->indent) {
        continue_value(r, s, n);
        return 0;
    }
    r->in_value = false;
    return s[0] == '[' ? read_header(r, s, n, indent) : read_option(r, s, n, indent);
}

vt_ini *vt_ini_parse(const char *text, size_t len, const char *name)
{
    reader r = {.ini = vt_ini_new(), .name = name ? name : "INI"};
    const char *p = text, *end = text + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) /* a BOM some editors add */
        p += 3;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        r.line++;
        if (read_line(&r, p, (size_t)(eol - p)) < 0) {
            vt_ini_destroy(&r.ini);
            return NULL;
        }
        p = nl ? nl + 1 : end;
    }
    return r.ini;
}

vt_ini *vt_ini_load(const char *path)
{
    char *text;
    size_t len;
    if (vt_fs_read_file(path, INI_MAX_SIZE, &text, &len) < 0)
        return NULL;
    vt_ini *ini = vt_ini_parse(text, len, path);
    free(text);
    return ini;
}

/* ---- access ---------------------------------------------------------- */

const char *vt_ini_get(const vt_ini *ini, const char *section, const char *key)
{
    const ini_section *s = find_section(ini, section);
    for (size_t i = s ? s->count : 0; i-- > 0;)
        if (strcasecmp(s->entries[i].key, key) == 0)
            return s->entries[i].value;
    return NULL;
}

size_t vt_ini_get_all(const vt_ini *ini, const char *section, const char *key, const char **values,
                      size_t max)
{
    const ini_section *s = find_section(ini, section);
    size_t found = 0;
    for (size_t i = 0; s && i < s->count; i++) {
        if (strcasecmp(s->entries[i].key, key) != 0)
            continue;
        if (found < max)
            values[found] = s->entries[i].value;
        found++;
    }
    return found;
}

int vt_ini_get_bool(const vt_ini *ini, const char *section, const char *key, bool *out)
{
    static const char *const yes[] = {"1", "yes", "true", "on"};
    static const char *const no[] = {"0", "no", "false", "off"};
    const char *v = vt_ini_get(ini, section, key);
    if (!section)
        section = "";
    if (!v)
        return vt_error_set(-ENOENT, "no option '%s' in section [%s]", key, section);
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
            *out = strcasecmp(v, yes[i]) == 0;
            return 0;
        }
    }
    return vt_error_set(-EINVAL, "option '%s' in section [%s] is not a boolean: '%s'", key, section,
                        v);
}

void vt_ini_set(vt_ini *ini, const char *section, const char *key, const char *value)
{
    ini_section *s = get_section(ini, section);
    size_t first = s->count;
    for (size_t i = 0; i < s->count;) {
        if (strcasecmp(s->entries[i].key, key) != 0) {
            i++;
        } else if (first == s->count) {
            first = i++;
        } else {
            entry_remove(s, i);
        }
    }
    if (first == s->count) {
        entry_append(s, key, strlen(key), value, strlen(value));
        return;
    }
    free(s->entries[first].value);
    s->entries[first].value = vt_strdup(value);
}

void vt_ini_add(vt_ini *ini, const char *section, const char *key, const char *value)
{
    entry_append(get_section(ini, section), key, strlen(key), value, strlen(value));
}

bool vt_ini_remove(vt_ini *ini, const char *section, const char *key)
{
    ini_section *s = find_section(ini, section);
    bool removed = false;
    for (size_t i = 0; s && i < s->count;) {
        if (strcasecmp(s->entries[i].key, key) == 0) {
            entry_remove(s, i);
            removed = true;
        } else {
            i++;
        }
    }
    return removed;
}

bool vt_ini_entry(const vt_ini *ini, const char *section, size_t index, const char **key,
                  const char **value)
{
    const ini_section *s = find_section(ini, section);
    if (!s || index >= s->count)
        return false;
    if (key)
        *key = s->entries[index].key;
    if (value)
        *value = s->entries[index].value;
    return true;
}

/* ---- writing --------------------------------------------------------- */

/* "key = value", with the lines after the first of a multi-line value
 * indented by a tab so that reading them back continues the value. */
static void dump_section(vt_buf *b, const ini_section *s, bool header)
{
    if (header)
        vt_buf_appendf(b, "[%s]\n", s->name);
    for (size_t i = 0; i < s->count; i++) {
        vt_buf_appendf(b, "%s = ", s->entries[i].key);
        for (const char *v = s->entries[i].value; *v; v++) {
            vt_buf_append_char(b, *v);
            if (*v == '\n')
                vt_buf_append_char(b, '\t');
        }
        vt_buf_append_char(b, '\n');
    }
    vt_buf_append_char(b, '\n');
}

char *vt_ini_dump(const vt_ini *ini)
{
    vt_buf b;
    vt_buf_init(&b);
    const ini_section *top = find_section(ini, "");
    /* A first key starting with the bytes of a UTF-8 BOM ("\tKEY = v"
     * read it so) would be read back as the BOM editors add, which reading
     * skips: write that BOM first so the key survives. */
    if (top && top->count && strncmp(top->entries[0].key, "\xEF\xBB\xBF", 3) == 0)
        vt_buf_append(&b, "\xEF\xBB\xBF", 3);
    if (top && top->count)
        dump_section(&b, top, false);
    for (size_t i = 0; i < ini->count; i++)
        if (&ini->sections[i] != top)
            dump_section(&b, &ini->sections[i], true);
    return vt_buf_detach(&b, NULL);
}

int vt_ini_save(const vt_ini *ini, const char *path, unsigned mode)
{
    char *text = vt_ini_dump(ini);
    int rc = vt_fs_write_atomic(path, text, strlen(text), (mode_t)mode);
    free(text);
    return rc;
}

/* ---- shell-style unquoting ------------------------------------------- */

static int unquote_error(const char *what, const char *value)
{
    return vt_error_set(-EINVAL, "%s in '%s'", what, value);
}

/* The inside of "...", from just after the opening quote; returns the
 * position after the closing quote, or NULL when there is none. As in the
 * shell, a backslash escapes only " \ $ ` and a newline there. */
static const char *double_quoted(const char *p, vt_buf *out)
{
    for (;; p++) {
        if (*p == '\0')
            return NULL;
        if (*p == '"')
            return p + 1;
        if (*p == '\\' && p[1] != '\0' && strchr("\"\\$`\n", p[1])) {
            if (*++p != '\n')
                vt_buf_append_char(out, *p);
        } else {
            vt_buf_append_char(out, *p);
        }
    }
}

/* One word, up to unquoted white space. 0 or -EINVAL. */
static int unquote_word(const char **pp, const char *value, vt_buf *out)
{
    const char *p = *pp;
    while (*p && !is_space(*p) && *p != '\n') {
        if (*p == '\'') {
            const char *close = strchr(p + 1, '\'');
            if (!close)
                return unquote_error("unterminated single quote", value);
            vt_buf_append(out, p + 1, (size_t)(close - p - 1));
            p = close + 1;
        } else if (*p == '"') {
            p = double_quoted(p + 1, out);
            if (!p)
                return unquote_error("unterminated double quote", value);
        } else if (*p == '\\') {
            if (p[1] == '\0')
                return unquote_error("backslash at the end", value);
            if (p[1] != '\n') /* backslash-newline joins lines, as in the shell */
                vt_buf_append_char(out, p[1]);
            p += 2;
        } else {
            vt_buf_append_char(out, *p++);
        }
    }
    *pp = p;
    return 0;
}

/* A value of several words (unquoted white space between them) comes back
 * as the words joined by single spaces: the closest one string can get to
 * the list shlex.split would return. */
char *vt_ini_unquote(const char *value)
{
    vt_buf out;
    vt_buf_init(&out);
    size_t words = 0;
    for (const char *p = value; *p;) {
        if (is_space(*p) || *p == '\n') {
            p++;
            continue;
        }
        if (words++ > 0)
            vt_buf_append_char(&out, ' ');
        if (unquote_word(&p, value, &out) < 0) {
            vt_buf_free(&out);
            return NULL;
        }
    }
    return vt_buf_detach(&out, NULL);
}
