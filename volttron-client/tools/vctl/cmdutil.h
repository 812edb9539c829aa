/* Helpers the auth and rpc subcommands share: option parsing with one-line
 * errors, prompts, Python's repr()/str(), VOLTTRON's two-column table and
 * RPC calls with a timeout of their own. */
#ifndef VCTL_CMDUTIL_H
#define VCTL_CMDUTIL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "vctl.h"

/* getopt_long over argv, argv[0] being the subcommand (set optind = 0
 * before the first call). Options may follow operands, as with argparse.
 * Returns the option, -1 at the end, or '?' after printing
 * "<command>: error: <what>: unknown option ..." / "... needs a value". */
int vctl_getopt(const vctl *v, const char *what, int argc, char **argv, const char *shortopts,
                const struct option *longopts);

/* A decimal integer (optional sign), the whole text. */
bool vctl_parse_int(const char *text, long *out);

/* Python's repr() of a JSON value: {'a': None, 'b': [True, 1]} (malloc'ed). */
char *vctl_repr(const cJSON *value);
/* Python's str(): a string as it is, anything else as repr (malloc'ed). */
char *vctl_str(const cJSON *value);
/* Length in characters (code points) of UTF-8 text, as Python's len(). */
size_t vctl_text_width(const char *s);
/* Python's truthiness: null, false, 0, "", [] and {} are false. */
bool vctl_truthy(const cJSON *value);

/* Write prompt to stdout and read one line of stdin (without its line
 * end). NULL at the end of input. */
char *vctl_prompt(const char *prompt);
/* VOLTTRON's yes/no question, "<question> [Y/n] " (default yes), asked
 * until answered: 1 yes, 0 no, -1 end of input. */
int vctl_ask_yes_no(const char *question);

/* VOLTTRON's two-column table of an object, all on stdout: the key column
 * is as wide as the longest key (or its header) + 2; a header line, a line
 * of dashes under each header word, then the members sorted by key, list
 * values sorted and shown as Python lists, other values as Python's str(). */
void vctl_two_columns(const cJSON *object, const char *key_name, const char *value_name);

/* Print s on f padded with blanks to width characters (never cut), as
 * Python's "{:{}}".format(s, width). */
void vctl_print_padded(FILE *f, const char *s, size_t width);

/* Print a failed call (status as vctl_call_quiet returns it) as vctl_call
 * does and return the exit code: a remote exception "<command>: error:
 * <detail>" (20), a timeout (75), anything else (1). */
int vctl_report_rpc_error(const vctl *v, const char *peer, const char *method, int status,
                          const vt_rpc_error *e);

/* peer.method(params) within timeout_ms (0: until the command's deadline;
 * always capped by it); params taken. Connects first (not running: the usual message, exit 10).
 * Errors are printed as vctl_call prints them; returns the exit code. */
int vctl_call_within(vctl *v, const char *peer, const char *method, cJSON *params, int timeout_ms,
                     cJSON **result);

#endif
