/* Questions and answers as VOLTTRON's prompt_response asks them: the prompt
 * "<question> [<default>]: " on stdout, one answer line from stdin, an empty
 * answer taking the default.
 *
 * An answer given on the command line (a "preset"), or the default when the
 * prompter is non-interactive, answers a question without reading stdin; the
 * prompt is still printed, followed by that answer and a newline, so the
 * output reads like an interactive session. Such an answer is "fixed":
 * asking again would give the same one, so an invalid fixed answer is an
 * error rather than a new question.
 */
#ifndef VCFG_PROMPT_H
#define VCFG_PROMPT_H

#include <stdbool.h>
#include <stdio.h>

#include <volttron/utils/export.h>

typedef struct vcfg_prompt {
    FILE *in;
    FILE *out;
    bool non_interactive; /* never read in: presets, else defaults */
    char *line;           /* getline's buffer */
    size_t cap;
} vcfg_prompt;

/* Answers are checked by a function returning NULL for a good answer or
 * the message to print (e.g. "Address is not valid."). */
typedef const char *(*vcfg_check_fn)(const char *answer, void *ctx);

void vcfg_prompt_init(vcfg_prompt *p, FILE *in, FILE *out, bool non_interactive);
void vcfg_prompt_clear(vcfg_prompt *p);

/* Ask until check (may be NULL) accepts the answer. def may be NULL (no
 * default shown), preset NULL (none). Returns 0 with *answer (caller frees)
 * typed by the user, 1 with a fixed *answer, or a negative errno with the
 * reason in vt_last_error(): -EINVAL when a fixed answer fails the check
 * (its message is in the reason), -EIO at the end of the input. */
int vcfg_ask(vcfg_prompt *p, const char *question, const char *def, const char *preset,
             vcfg_check_fn check, void *ctx, char **answer);

/* A yes/no question: only Y, y, N and n are accepted, anything else prints
 * "Invalid response. Proper responses are:" and the list, and asks again.
 * preset is VCFG_UNSET, VCFG_NO or VCFG_YES. 0 with *yes set, or -EIO. */
int vcfg_ask_yes_no(vcfg_prompt *p, const char *question, bool def, int preset, bool *yes);

/* A line of output (a message between questions), flushed. */
void vcfg_say(vcfg_prompt *p, const char *fmt, ...) VT_PRINTF(2, 3);

#endif
