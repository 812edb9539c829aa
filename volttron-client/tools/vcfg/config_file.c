/* Reading and rewriting $VOLTTRON_HOME/config. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/mem.h>

#include "config_file.h"

#define SECTION "volttron"

typedef struct pair {
    char *key, *value;
} pair;

/* Copies of a section's entries, in order; *n gets the count. */
static pair *copy_section(const vt_ini *ini, const char *section, size_t *n)
{
    const char *k, *v;
    size_t count = 0;
    while (vt_ini_entry(ini, section, count, NULL, NULL))
        count++;
    pair *out = vt_calloc(count ? count : 1, sizeof *out);
    for (size_t i = 0; i < count && vt_ini_entry(ini, section, i, &k, &v); i++)
        out[i] = (pair){vt_strdup(k), vt_strdup(v)};
    *n = count;
    return out;
}

static void free_pairs(pair *pairs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(pairs[i].key);
        free(pairs[i].value);
    }
    free(pairs);
}

/* Keys before any header: the daemon reads them like [volttron]'s, so they
 * become the first keys of [volttron] (ahead of the section's own, which
 * the daemon applies after them). */
static void adopt_sectionless_keys(vt_ini *ini)
{
    size_t ntop, nvol;
    pair *top = copy_section(ini, "", &ntop);
    if (ntop == 0) {
        free_pairs(top, ntop);
        return;
    }
    pair *vol = copy_section(ini, SECTION, &nvol);
    for (size_t i = 0; i < nvol; i++)
        vt_ini_remove(ini, SECTION, vol[i].key);
    for (size_t i = 0; i < ntop; i++) {
        vt_ini_add(ini, SECTION, top[i].key, top[i].value);
        vt_ini_remove(ini, "", top[i].key);
    }
    for (size_t i = 0; i < nvol; i++)
        vt_ini_add(ini, SECTION, vol[i].key, vol[i].value);
    free_pairs(top, ntop);
    free_pairs(vol, nvol);
}

int vcfg_config_load(vcfg_config *cfg, const char *home)
{
    *cfg = (vcfg_config){
        .home = vt_strdup(home),
        .path = vt_fs_path_join(home, "config"),
        .mode = VCFG_CONFIG_MODE,
    };
    struct stat st;
    if (stat(cfg->path, &st) < 0) {
        if (errno != ENOENT) {
            int rc = vt_error_set(-errno, "%s: %s", cfg->path, strerror(errno));
            vcfg_config_clear(cfg);
            return rc;
        }
        cfg->ini = vt_ini_new();
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        int rc = vt_error_set(-EINVAL, "%s: not a regular file", cfg->path);
        vcfg_config_clear(cfg);
        return rc;
    }
    cfg->ini = vt_ini_load(cfg->path);
    if (!cfg->ini) {
        vcfg_config_clear(cfg); /* the reason names the file and line */
        return -EINVAL;
    }
    cfg->existed = true;
    cfg->mode = (unsigned)(st.st_mode & 07777);
    adopt_sectionless_keys(cfg->ini);
    return 0;
}

void vcfg_config_clear(vcfg_config *cfg)
{
    vt_ini_destroy(&cfg->ini);
    free(cfg->home);
    free(cfg->path);
    *cfg = (vcfg_config){0};
}

const char *vcfg_config_get(const vcfg_config *cfg, const char *key)
{
    return vt_ini_get(cfg->ini, SECTION, key);
}

void vcfg_config_set(vcfg_config *cfg, const char *key, const char *value)
{
    vt_ini_set(cfg->ini, SECTION, key, value);
}

int vcfg_config_save(vcfg_config *cfg)
{
    int rc = vt_fs_mkdir_p(cfg->home, 0755);
    if (rc < 0)
        return vt_error_prefix(rc, "cannot create %s", cfg->home);
    rc = vt_ini_save(cfg->ini, cfg->path, cfg->mode);
    if (rc < 0)
        return rc;
    cfg->existed = true;
    return 0;
}
