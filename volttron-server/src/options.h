/* The volttron daemon's options: VOLTTRON's command line, and the same long
 * options as "key = value" lines in $VOLTTRON_HOME/config. */
#ifndef VT_OPTIONS_H
#define VT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vt_platform_options {
    char *volttron_home;
    char *config_path; /* the config file that was read, or NULL */
    char *log_file;
    int64_t log_max_bytes; /* rotate -l FILE at this size (0: never) */
    int log_backups;       /* rotated files kept: FILE.1 .. FILE.N */
    int verboseness;       /* Python logging level; WARNING (30) by default */
    char **vip_addresses;
    size_t nvip;
    char *vip_local_address;
    char *instance_name;
    char *message_bus;
    bool auth;
    bool autostart;
    bool allow_root;
    bool show_config;
    bool setup_mode;
    int agent_monitor_frequency;
    size_t max_message_size;
    size_t max_queue_bytes;            /* per peer, queued and unread; 0: the router's default */
    size_t config_store_limit;         /* bytes one configuration store may hold */
    bool allow_unauthenticated_remote; /* --no-auth on more than loopback */
    int agent_restart_limit;           /* crashes in a row before giving up */
    double agent_restart_backoff;      /* seconds before the first restart; doubles */
    double agent_stop_timeout;         /* seconds for SIGINT, then SIGTERM, then SIGKILL */
    char *bind_web_address;
    char *vc_address;
    char *vc_serverkey;
} vt_platform_options;

/* Parse config file and command line. Returns 0 to run, 1 when the
 * command line asked only for --help/--version (already printed), or a
 * negative errno with the reason in vt_last_error(). */
int vt_platform_options_parse(int argc, char **argv, vt_platform_options *out);
void vt_platform_options_clear(vt_platform_options *opts);

/* Log every effective option (--show-config). */
void vt_platform_options_log(const vt_platform_options *opts);

#endif
