/* vctl's agent commands: list, status, health, start, stop, restart,
 * remove, enable, disable, tag, clear, peerlist, shutdown. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vctl.h"

/* ---- shared option parsing ---- */

typedef struct sel_args {
    vctl_filter f;
    int width;       /* -n; -1 = default */
    bool force;      /* -f (remove) */
    char *priority;  /* -p (enable) */
    bool remove;     /* -r (tag) */
    bool all;        /* -a (clear) */
    bool platform;   /* --platform (shutdown) */
    char **patterns; /* the rest */
    int npatterns;
} sel_args;

/* Parse argv (argv[0] is the command) accepting the options in allowed. */
static int parse(vctl *v, int argc, char **argv, const char *allowed, sel_args *a)
{
    static const struct option opts[] = {
        {"name", no_argument, NULL, 'N'},
        {"tag", no_argument, NULL, 'T'},
        {"uuid", no_argument, NULL, 'U'},
        {"all-tagged", no_argument, NULL, 'A'},
        {"force", no_argument, NULL, 'f'},
        {"priority", required_argument, NULL, 'p'},
        {"remove", no_argument, NULL, 'r'},
        {"all", no_argument, NULL, 'a'},
        {"platform", no_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    a->width = -1;
    int c;
    while ((c = getopt_long(argc, argv, "n:fp:rah", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("usage: vctl %s [options] [pattern...]\n  options: %s\n", v->command, allowed);
            return -1;
        }
        const char *name = c == 'N'   ? "--name"
                           : c == 'T' ? "--tag"
                           : c == 'U' ? "--uuid"
                           : c == 'A' ? "--all-tagged"
                           : c == 'P' ? "--platform"
                                      : NULL;
        char letter[3] = {'-', (char)c, '\0'};
        if (c == '?' || !strstr(allowed, name ? name : letter))
            return vctl_error(v, VCTL_USAGE, "unknown option (vctl %s --help)", v->command);
        switch (c) {
        case 'N':
            a->f.by_name = true;
            break;
        case 'T':
            a->f.by_tag = true;
            break;
        case 'U':
            a->f.by_uuid = true;
            break;
        case 'A':
            a->f.all_tagged = true;
            break;
        case 'f':
            a->force = true;
            break;
        case 'p':
            a->priority = optarg;
            break;
        case 'r':
            a->remove = true;
            break;
        case 'a':
            a->all = true;
            break;
        case 'P':
            a->platform = true;
            break;
        case 'n': {
            char *end;
            long w = strtol(optarg, &end, 10);
            if (*end || w < 0 || w > 36)
                return vctl_error(v, VCTL_USAGE, "-n: expected 0 to 36, got \"%s\"", optarg);
            a->width = (int)w;
            break;
        }
        default:
            break;
        }
    }
    a->patterns = argv + optind;
    a->npatterns = argc - optind;
    return 0;
}

/* The agents the patterns select, in the order found, each once. */
static int select_all(vctl *v, const vctl_agent *all, size_t n, const sel_args *a, size_t **out,
                      size_t *nout, bool report_missing)
{
    *out = vt_calloc(n + 1, sizeof **out);
    *nout = 0;
    for (int p = 0; p < a->npatterns; p++) {
        size_t *picked;
        int k = vctl_select(all, n, a->patterns[p], &a->f, &picked);
        if (k < 0) {
            free(picked);
            free(*out);
            return vctl_error(v, VCTL_NOT_RUNNING, "%s", vt_last_error());
        }
        if (k == 0 && report_missing)
            vctl_error(v, 0, "agent not found: %s", a->patterns[p]);
        for (int i = 0; i < k; i++) {
            bool dup = false;
            for (size_t j = 0; j < *nout; j++)
                dup = dup || (*out)[j] == picked[i];
            if (!dup)
                (*out)[(*nout)++] = picked[i];
        }
        free(picked);
    }
    return 0;
}

/* Parsed options plus the agents they select. */
typedef struct selection {
    sel_args a;
    vctl_agent *all;
    size_t n;
    size_t *sel; /* NULL: every agent, in order */
    size_t nsel;
} selection;

enum {
    SEL_QUIET = 1
}; /* do not report patterns that match nothing */

/* Parse, load the installed agents, select. Returns 0, -1 after --help (the
 * command then returns 0), or an exit code; on 0 release with
 * selection_free. Without patterns every agent is selected. */
static int selection_load(vctl *v, int argc, char **argv, const char *allowed, int flags,
                          selection *s)
{
    memset(s, 0, sizeof *s);
    int rc = parse(v, argc, argv, allowed, &s->a);
    if (rc)
        return rc;
    if ((rc = vctl_agents(v, &s->all, &s->n)))
        return rc;
    s->nsel = s->n;
    if (s->a.npatterns &&
        (rc = select_all(v, s->all, s->n, &s->a, &s->sel, &s->nsel, !(flags & SEL_QUIET)))) {
        vctl_agents_free(s->all, s->n);
        return rc;
    }
    return 0;
}

static const vctl_agent *selection_at(const selection *s, size_t k)
{
    return &s->all[s->sel ? s->sel[k] : k];
}

static void selection_free(selection *s)
{
    free(s->sel);
    vctl_agents_free(s->all, s->n);
}

static int width_of(const vctl_agent *all, size_t n, int min, int which)
{
    int w = min;
    for (size_t i = 0; i < n; i++) {
        const char *s = which == 0   ? all[i].name
                        : which == 1 ? all[i].inst.identity
                                     : all[i].inst.tag;
        int len = s ? (int)strlen(s) : 0;
        if (len > w)
            w = len;
    }
    return w;
}

/* ---- list ---- */

int vctl_cmd_list(vctl *v, int argc, char **argv)
{
    selection s;
    int rc = selection_load(v, argc, argv, "--name --tag --uuid --all-tagged -n", 0, &s);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (s.n == 0) {
        if (v->json)
            printf("{}\n");
        else
            fprintf(stderr, "No installed Agents found\n");
        selection_free(&s);
        return 0;
    }
    cJSON *js = cJSON_CreateObject();
    int uw = vctl_uuid_width(s.all, s.n, s.a.width);
    int nw = width_of(s.all, s.n, 5, 0), iw = width_of(s.all, s.n, 3, 1),
        tw = width_of(s.all, s.n, 3, 2);
    if (!v->json)
        fprintf(stderr, "%*s %-*s %-*s %-*s %6s\n", uw, "", nw, "AGENT", iw, "IDENTITY", tw, "TAG",
                "PRI");
    for (size_t k = 0; k < s.nsel; k++) {
        const vctl_agent *ag = selection_at(&s, k);
        const char *pri = ag->inst.priority ? ag->inst.priority : "";
        if (v->json) {
            cJSON *o = cJSON_AddObjectToObject(js, ag->inst.identity);
            cJSON_AddStringToObject(o, "agent_uuid", ag->inst.uuid);
            cJSON_AddStringToObject(o, "name", ag->name);
            cJSON_AddStringToObject(o, "identity", ag->inst.identity);
            cJSON_AddItemToObject(o, "agent_tag",
                                  ag->inst.tag ? cJSON_CreateString(ag->inst.tag)
                                               : cJSON_CreateNull());
            cJSON_AddStringToObject(o, "PRI", pri);
        } else {
            printf("%.*s %-*s %-*s %-*s %6s\n", uw, ag->inst.uuid, nw, ag->name, iw,
                   ag->inst.identity, tw, ag->inst.tag ? ag->inst.tag : "", pri);
        }
    }
    if (v->json) {
        char *text = vt_json_dump(js, VT_JSON_INDENT(2));
        printf("%s\n", text);
        free(text);
    }
    cJSON_Delete(js);
    selection_free(&s);
    return 0;
}

/* ---- status ---- */

static cJSON *find_row(const cJSON *rows, const char *uuid)
{
    const cJSON *r;
    cJSON_ArrayForEach (r, rows) {
        const cJSON *u = cJSON_GetArrayItem(r, 0);
        if (cJSON_IsString(u) && strcmp(u->valuestring, uuid) == 0)
            return (cJSON *)r;
    }
    return NULL;
}

static char *status_text(const cJSON *row)
{
    const cJSON *pair = cJSON_GetArrayItem(row, 2);
    const cJSON *pid = cJSON_GetArrayItem(pair, 0), *code = cJSON_GetArrayItem(pair, 1);
    if (cJSON_IsNumber(pid) && !cJSON_IsNumber(code))
        return vt_asprintf("running [%d]", pid->valueint);
    if (cJSON_IsNumber(code))
        return vt_asprintf("%d", code->valueint);
    return vt_strdup("");
}

int vctl_cmd_status(vctl *v, int argc, char **argv)
{
    selection s;
    int rc = selection_load(v, argc, argv, "--name --tag --uuid --all-tagged -n", 0, &s);
    if (rc)
        return rc < 0 ? 0 : rc;
    cJSON *rows = NULL, *health = NULL;
    cJSON *kw = cJSON_CreateObject();
    cJSON_AddTrueToObject(kw, "get_agent_user");
    rc = vctl_call(v, "control", "status_agents", kw, &rows);
    if (rc == 0 && vctl_call_quiet(v, "platform.health", "get_platform_health", NULL, 4000, &health,
                                   NULL) != VT_RPC_OK)
        health = cJSON_CreateObject();
    if (rc) {
        selection_free(&s);
        return rc;
    }
    if (s.n == 0) {
        if (v->json)
            printf("{}\n");
        else
            fprintf(stderr, "No installed Agents found\n");
    } else {
        int uw = vctl_uuid_width(s.all, s.n, s.a.width);
        int nw = width_of(s.all, s.n, 5, 0), iw = width_of(s.all, s.n, 3, 1),
            tw = width_of(s.all, s.n, 3, 2);
        cJSON *js = cJSON_CreateObject();
        if (!v->json)
            fprintf(stderr, "UUID %-*s %-*s %-*s %6s %15s\n", nw, "AGENT", iw, "IDENTITY", tw,
                    "TAG", "STATUS", "HEALTH");
        for (size_t k = 0; k < s.nsel; k++) {
            const vctl_agent *ag = selection_at(&s, k);
            cJSON *row = find_row(rows, ag->inst.uuid);
            char *st = row ? status_text(row) : vt_strdup("");
            const cJSON *h = cJSON_GetObjectItemCaseSensitive(health, ag->inst.identity);
            const cJSON *msg = cJSON_GetObjectItemCaseSensitive(h, "message");
            /* health only for running agents, as VOLTTRON's */
            bool running = strncmp(st, "running", 7) == 0;
            if (v->json) {
                cJSON *o = cJSON_AddObjectToObject(js, ag->inst.identity);
                cJSON_AddStringToObject(o, "agent_uuid", ag->inst.uuid);
                cJSON_AddStringToObject(o, "name", ag->name);
                cJSON_AddStringToObject(o, "identity", ag->inst.identity);
                cJSON_AddItemToObject(o, "agent_tag",
                                      ag->inst.tag ? cJSON_CreateString(ag->inst.tag)
                                                   : cJSON_CreateNull());
                cJSON_AddStringToObject(o, "status", st);
                cJSON_AddItemToObject(
                    o, "health", running && h ? cJSON_Duplicate(h, 1) : cJSON_CreateString(""));
            } else {
                printf("%.*s %-*s %-*s %-*s %-15s %s\n", uw, ag->inst.uuid, nw, ag->name, iw,
                       ag->inst.identity, tw, ag->inst.tag ? ag->inst.tag : "", st,
                       running && cJSON_IsString(msg) ? msg->valuestring : "");
            }
            free(st);
        }
        if (v->json) {
            char *text = vt_json_dump(js, VT_JSON_INDENT(2));
            printf("%s\n", text);
            free(text);
        }
        cJSON_Delete(js);
    }
    cJSON_Delete(rows);
    cJSON_Delete(health);
    selection_free(&s);
    return 0;
}

int vctl_cmd_health(vctl *v, int argc, char **argv)
{
    selection s;
    int rc = selection_load(v, argc, argv, "--name --tag --uuid", 0, &s);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (s.a.npatterns != 1) {
        selection_free(&s);
        return vctl_error(v, VCTL_USAGE, "give exactly one agent");
    }
    if (s.nsel == 0) {
        selection_free(&s);
        return VCTL_NOT_RUNNING;
    }
    const char *identity = selection_at(&s, 0)->inst.identity;
    cJSON *health = NULL;
    rc = vctl_call(v, "platform.health", "get_platform_health", NULL, &health);
    if (rc == 0) {
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(health, identity);
        if (h) {
            char *text = vt_json_dump(h, VT_JSON_INDENT(4));
            printf("%s\n", text);
            free(text);
        } else if (v->json) {
            printf("{}\n");
        } else {
            printf("No health associated with %s\n", identity);
        }
    }
    cJSON_Delete(health);
    selection_free(&s);
    return rc;
}

/* ---- start / stop / restart / remove ---- */

/* Whether control says it runs (agent_status is [pid, null]). */
static int is_running(vctl *v, const char *uuid, bool *running)
{
    cJSON *st = NULL;
    int rc = vctl_call(v, "control", "agent_status", vctl_strings(uuid, NULL, NULL), &st);
    if (rc == 0) {
        *running =
            cJSON_IsNumber(cJSON_GetArrayItem(st, 0)) && !cJSON_IsNumber(cJSON_GetArrayItem(st, 1));
        cJSON_Delete(st);
    }
    return rc;
}

enum {
    DO_START = 1,
    DO_STOP = 2
};

static int start_stop(vctl *v, int argc, char **argv, int what)
{
    /* with --all-tagged and no pattern: every tagged agent */
    bool any = false, all_tagged = false;
    for (int i = 1; i < argc; i++) {
        any = any || argv[i][0] != '-';
        all_tagged = all_tagged || strcmp(argv[i], "--all-tagged") == 0;
    }
    char **args = vt_calloc((size_t)argc + 2, sizeof *args);
    memcpy(args, argv, (size_t)argc * sizeof *args);
    if (!any && all_tagged)
        args[argc++] = "*";
    selection s;
    /* the selection's patterns point into args: freed last */
    int rc = selection_load(v, argc, args, "--name --tag --uuid --all-tagged", SEL_QUIET, &s);
    if (rc) {
        free(args);
        return rc < 0 ? 0 : rc;
    }
    if (s.a.npatterns == 0) {
        selection_free(&s);
        free(args);
        return vctl_error(v, VCTL_FAIL, "Missing search pattern.");
    }
    if (s.nsel == 0)
        for (int p = 0; p < s.a.npatterns; p++)
            fprintf(stderr, "Agents NOT found using 'vctl %s' on pattern: %s\n", v->command,
                    s.a.patterns[p]);
    for (size_t k = 0; k < s.nsel && rc == 0; k++) {
        const vctl_agent *ag = selection_at(&s, k);
        bool running = false;
        if ((what & DO_STOP) && (rc = is_running(v, ag->inst.uuid, &running)) == 0 && running) {
            printf("Stopping %s %s\n", ag->inst.uuid, ag->name);
            fflush(stdout);
            rc = vctl_call(v, "control", "stop_agent", vctl_strings(ag->inst.uuid, NULL, NULL),
                           NULL);
        }
        if (rc == 0 && (what & DO_START) && (rc = is_running(v, ag->inst.uuid, &running)) == 0 &&
            !running) {
            printf("Starting %s %s\n", ag->inst.uuid, ag->name);
            fflush(stdout);
            rc = vctl_call(v, "control", "start_agent", vctl_strings(ag->inst.uuid, NULL, NULL),
                           NULL);
        }
    }
    selection_free(&s);
    free(args);
    return rc;
}

int vctl_cmd_start(vctl *v, int argc, char **argv)
{
    return start_stop(v, argc, argv, DO_START);
}

int vctl_cmd_stop(vctl *v, int argc, char **argv)
{
    return start_stop(v, argc, argv, DO_STOP);
}

int vctl_cmd_restart(vctl *v, int argc, char **argv)
{
    return start_stop(v, argc, argv, DO_STOP | DO_START);
}

int vctl_cmd_remove(vctl *v, int argc, char **argv)
{
    selection s;
    int rc = selection_load(v, argc, argv, "--name --tag --uuid --all-tagged -f", 0, &s);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (s.a.npatterns == 0)
        rc = vctl_error(v, VCTL_FAIL, "Missing search pattern.");
    else if (s.nsel == 0)
        rc = VCTL_NOT_RUNNING;
    else if (s.nsel > 1 && !s.a.force)
        rc = vctl_error(v, VCTL_NOT_RUNNING,
                        "pattern(s) match %zu agents: use --force to "
                        "remove them all",
                        s.nsel);
    for (size_t k = 0; k < s.nsel && rc == 0; k++) {
        const vctl_agent *ag = selection_at(&s, k);
        printf("Removing %s %s\n", ag->inst.uuid, ag->name);
        fflush(stdout);
        cJSON *kw = cJSON_CreateObject();
        cJSON_AddStringToObject(kw, "uuid", ag->inst.uuid);
        cJSON_AddTrueToObject(kw, "remove_auth");
        rc = vctl_call(v, "control", "remove_agent", kw, NULL);
    }
    selection_free(&s);
    return rc;
}

/* ---- local: enable, disable, tag ---- */

/* enable (priority) or disable (NULL): AUTOSTART, written locally */
static int set_autostart(vctl *v, int argc, char **argv, bool enable)
{
    selection s;
    int rc = selection_load(v, argc, argv,
                            enable ? "--name --tag --uuid --all-tagged -p --priority"
                                   : "--name --tag --uuid --all-tagged",
                            0, &s);
    if (rc)
        return rc < 0 ? 0 : rc;
    char pri[16] = "50";
    if (enable && s.a.priority) {
        char *end;
        long p = strtol(s.a.priority, &end, 10);
        if (*end || end == s.a.priority || p < 0 || p > 99)
            rc =
                vctl_error(v, VCTL_USAGE, "--priority: expected 0 to 99, got \"%s\"", s.a.priority);
        snprintf(pri, sizeof pri, "%02ld", p);
    }
    if (rc == 0 && s.a.npatterns == 0)
        rc = vctl_error(v, VCTL_USAGE, "give the agents to %s", enable ? "enable" : "disable");
    for (size_t k = 0; k < s.nsel && rc == 0; k++) {
        const vctl_agent *ag = selection_at(&s, k);
        if (enable)
            printf("Enabling %s %s with priority %s\n", ag->inst.uuid, ag->name, pri);
        else
            printf("Disabling %s %s\n", ag->inst.uuid, ag->name);
        if (vt_instance_set_priority(&ag->inst, enable ? pri : NULL) < 0)
            rc = vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    }
    if (rc == 0 && s.nsel == 0)
        rc = VCTL_NOT_RUNNING;
    selection_free(&s);
    return rc;
}

int vctl_cmd_enable(vctl *v, int argc, char **argv)
{
    return set_autostart(v, argc, argv, true);
}

int vctl_cmd_disable(vctl *v, int argc, char **argv)
{
    return set_autostart(v, argc, argv, false);
}

int vctl_cmd_tag(vctl *v, int argc, char **argv)
{
    sel_args a;
    int rc = parse(v, argc, argv, "--name --tag --uuid -r --remove", &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (a.npatterns < 1 || a.npatterns > 2)
        return vctl_error(v, VCTL_USAGE, "usage: vctl tag AGENT [TAG] [-r]");
    const char *tag = a.npatterns == 2 ? a.patterns[1] : NULL;
    a.npatterns = 1;
    vctl_agent *all;
    size_t n;
    if ((rc = vctl_agents(v, &all, &n)))
        return rc;
    size_t *sel;
    int k = vctl_select(all, n, a.patterns[0], &a.f, &sel);
    if (k <= 0)
        rc = vctl_error(v, VCTL_NOT_RUNNING, "agent not found: %s", a.patterns[0]);
    else if (k > 1)
        rc = vctl_error(v, VCTL_NOT_RUNNING, "multiple agents selected");
    else {
        const vctl_agent *ag = &all[sel[0]];
        if (tag) {
            printf("Tagging %s %s\n", ag->inst.uuid, ag->name);
            rc = vt_instance_set_tag(&ag->inst, tag);
        } else if (a.remove) {
            printf("Removing tag for %s %s\n", ag->inst.uuid, ag->name);
            rc = vt_instance_set_tag(&ag->inst, NULL);
        } else if (ag->inst.tag) {
            printf("%s\n", ag->inst.tag);
        }
        if (rc < 0)
            rc = vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    }
    free(sel);
    vctl_agents_free(all, n);
    return rc;
}

/* ---- the rest ---- */

int vctl_cmd_clear(vctl *v, int argc, char **argv)
{
    sel_args a;
    int rc = parse(v, argc, argv, "-a --all", &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateBool(a.all));
    return vctl_call(v, "control", "clear_status", p, NULL);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

int vctl_cmd_peerlist(vctl *v, int argc, char **argv)
{
    sel_args a;
    int rc = parse(v, argc, argv, "", &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    cJSON *peers = NULL;
    if ((rc = vctl_call(v, "control", "peerlist", NULL, &peers)))
        return rc;
    size_t n = (size_t)cJSON_GetArraySize(peers), k = 0;
    char **names = vt_calloc(n + 1, sizeof *names);
    const cJSON *p;
    cJSON_ArrayForEach (p, peers) {
        if (cJSON_IsString(p))
            names[k++] = p->valuestring;
    }
    qsort(names, k, sizeof *names, cmp_str);
    for (size_t i = 0; i < k; i++)
        printf("%s\n", names[i]);
    free(names);
    cJSON_Delete(peers);
    return 0;
}

int vctl_cmd_shutdown(vctl *v, int argc, char **argv)
{
    sel_args a;
    int rc = parse(v, argc, argv, "--platform", &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = vctl_call(v, "control", "shutdown", NULL, NULL)))
        return rc;
    if (!a.platform)
        return 0;
    printf("Shutting down VOLTTRON\n");
    fflush(stdout);
    char *path = vt_fs_path_join(v->home, "VOLTTRON_PID");
    char *text = NULL;
    long pid = 0;
    if (vt_fs_read_file(path, 64, &text, NULL) == 0)
        pid = strtol(text, NULL, 10);
    free(text);
    free(path);
    vt_rpc_notify(v->agent, "control", "stop_platform", NULL);
    /* The connection goes with the platform: close it now (the notification
     * is flushed on close) and wait on the process instead. */
    vt_agent_destroy(&v->agent);
    if (pid > 0 && !vctl_wait_exit(v, (pid_t)pid)) {
        fprintf(stderr, "%s: operation timed out\n", v->command);
        return VCTL_TIMEOUT;
    }
    return 0;
}
