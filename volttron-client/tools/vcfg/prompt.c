/* Questions on stdout, answers from stdin, as VOLTTRON's prompt_response. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <volttron/utils/error.h>
#include <volttron/utils/mem.h>

#include "prompt.h"
#include "vcfg.h"

/* What Python prints for VOLTTRON's y_or_n tuple. */
#define YES_OR_NO "('Y', 'y', 'N', 'n')"

void vcfg_prompt_init(vcfg_prompt *p, FILE *in, FILE *out, bool non_interactive)
{
    *p = (vcfg_prompt){.in = in, .out = out, .non_interactive = non_interactive};
}

void vcfg_prompt_clear(vcfg_prompt *p)
{
    free(p->line);
    p->line = NULL;
    p->cap = 0;
}

void vcfg_say(vcfg_prompt *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(p->out, fmt, ap);
    va_end(ap);
    fputc('\n', p->out);
    fflush(p->out);
}

/* The question without the blank lines some prompts start with, for
 * error messages. */
static const char *bare(const char *question)
{
    while (*question == '\n')
        question++;
    return question;
}

/* "<question> [<default>]: "; without a default VOLTTRON adds a space only. */
static void show(vcfg_prompt *p, const char *question, const char *def)
{
    if (def)
        fprintf(p->out, "%s [%s]: ", question, def);
    else
        fprintf(p->out, "%s ", question);
    fflush(p->out);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* One answer line without surrounding white space (borrowed until the next
 * read), or NULL at the end of the input. */
static const char *read_answer(vcfg_prompt *p, const char *question)
{
    ssize_t n = getline(&p->line, &p->cap, p->in);
    if (n < 0) {
        fputc('\n', p->out);
        fflush(p->out);
        vt_error_set(-EIO, "end of input while waiting for an answer to \"%s\"", bare(question));
        return NULL;
    }
    char *s = p->line;
    while (n > 0 && is_blank(s[n - 1]))
        s[--n] = '\0';
    while (is_blank(*s))
        s++;
    return s;
}

int vcfg_ask(vcfg_prompt *p, const char *question, const char *def, const char *preset,
             vcfg_check_fn check, void *ctx, char **answer)
{
    const char *fixed = preset ? preset : p->non_interactive ? def : NULL;
    if (!fixed && p->non_interactive)
        return vt_error_set(-EINVAL, "no answer for \"%s\" in non-interactive mode",
                            bare(question));
    for (;;) {
        char *a;
        show(p, question, def);
        if (fixed) {
            fprintf(p->out, "%s\n", fixed);
            fflush(p->out);
            a = vt_strdup(fixed);
        } else {
            const char *line = read_answer(p, question);
            if (!line)
                return -EIO;
            a = vt_strdup(*line || !def ? line : def);
        }
        const char *problem = check ? check(a, ctx) : NULL;
        if (!problem) {
            *answer = a;
            return fixed ? 1 : 0;
        }
        if (fixed) {
            int rc = vt_error_set(-EINVAL, "\"%s\" (%s) for \"%s\": %s", a,
                                  preset ? "given on the command line" : "the default",
                                  bare(question), problem);
            free(a);
            return rc;
        }
        fprintf(p->out, "%s\n", problem);
        free(a);
    }
}

int vcfg_ask_yes_no(vcfg_prompt *p, const char *question, bool def, int preset, bool *yes)
{
    for (;;) {
        show(p, question, def ? "Y" : "N");
        if (preset != VCFG_UNSET || p->non_interactive) {
            *yes = preset == VCFG_UNSET ? def : preset == VCFG_YES;
            fprintf(p->out, "%s\n", *yes ? "Y" : "N");
            fflush(p->out);
            return 0;
        }
        const char *line = read_answer(p, question);
        if (!line)
            return -EIO;
        if (!*line) {
            *yes = def;
            return 0;
        }
        if (line[1] == '\0' && strchr("YyNn", line[0])) {
            *yes = line[0] == 'Y' || line[0] == 'y';
            return 0;
        }
        fprintf(p->out, "Invalid response. Proper responses are:\n%s\n", YES_OR_NO);
    }
}
