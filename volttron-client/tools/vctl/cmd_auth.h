/* vctl auth: the parts split over cmd_auth*.c. */
#ifndef VCTL_CMD_AUTH_H
#define VCTL_CMD_AUTH_H

#include "vctl.h"

/* The interactive entry wizard (spec "Interactive auth wizard"): asks every
 * field in VOLTTRON's order with defaults from entry (NULL: a new entry).
 * Returns the answers as a new object in that order (lists and
 * capabilities parsed, enabled a boolean), or NULL at the end of input. */
cJSON *vctl_auth_wizard(const cJSON *entry);

/* Capabilities as typed: JSON (with ' read as ") if it parses, else a
 * comma-separated list of names. */
cJSON *vctl_auth_parse_capabilities(const char *text);
/* "a, b" -> ["a", "b"]; blank -> []. */
cJSON *vctl_auth_comma_split(const char *text);

/* The local subcommands (no platform needed, except serverkey which asks
 * the router). argv[0] is the subcommand's name. */
int vctl_auth_keypair(vctl *v, int argc, char **argv);
int vctl_auth_serverkey(vctl *v, int argc, char **argv);
int vctl_auth_publickey(vctl *v, int argc, char **argv);
int vctl_auth_add_known_host(vctl *v, int argc, char **argv);
int vctl_auth_list_known_hosts(vctl *v, int argc, char **argv);
int vctl_auth_remove_known_host(vctl *v, int argc, char **argv);

/* Write host -> key into $VOLTTRON_HOME/known_hosts (key checked) and say
 * so on stdout; an exit code. */
int vctl_auth_write_known_host(vctl *v, const char *host, const char *key);

/* Parse a subcommand that takes only -h/--help and operands: 0 with
 * *ops / *nops set (between min and max operands; max < 0: any number), -1
 * after printing usage for --help (exit 0), or an exit code after a
 * one-line error. */
int vctl_auth_operands(vctl *v, const char *what, const char *usage, int argc, char **argv, int min,
                       int max, char ***ops, int *nops);

#endif
