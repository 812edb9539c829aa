/* $VOLTTRON_HOME/config as vcfg reads and rewrites it (platform-services.md
 * §2): an INI file whose [volttron] section holds the daemon's long options.
 *
 * The whole file is rewritten as Python's ConfigParser writes it ("key =
 * value" lines, an empty line after each section), atomically. Keys already
 * there keep their place and values unless the wizard answers them; new keys
 * are appended in the order they are set, which is the order VOLTTRON's
 * wizard sets them. Other sections (e.g. vctl's [global]) are kept. Keys
 * before any section header, which the daemon accepts but ConfigParser does
 * not, are moved to the front of [volttron].
 */
#ifndef VCFG_CONFIG_FILE_H
#define VCFG_CONFIG_FILE_H

#include <stdbool.h>

#include <volttron/utils/ini.h>

/* The file's mode when vcfg creates it. VOLTTRON writes 0744; nothing in
 * the file is executable, and group/others need to read it only. An
 * existing file keeps its mode. */
#define VCFG_CONFIG_MODE 0644

typedef struct vcfg_config {
    char *home;
    char *path;
    vt_ini *ini;
    bool existed;
    unsigned mode;
} vcfg_config;

/* Read home/config if it exists. 0, or a negative errno with the reason
 * (naming the file, line and column) in vt_last_error(); the file is never
 * touched then. */
int vcfg_config_load(vcfg_config *cfg, const char *home);
void vcfg_config_clear(vcfg_config *cfg);

/* The value of key in [volttron] (borrowed), or NULL. */
const char *vcfg_config_get(const vcfg_config *cfg, const char *key);
/* Set key in [volttron]: in place if present, else appended. Copies. */
void vcfg_config_set(vcfg_config *cfg, const char *key, const char *value);

/* Create home if needed (0755) and write the file atomically. 0 or a
 * negative errno with the reason in vt_last_error(). */
int vcfg_config_save(vcfg_config *cfg);

#endif
