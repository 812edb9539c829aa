/* vctl config: agents' configuration stores (peer config.store). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vctl.h"

#define PEER "config.store"

typedef struct cfg_opts {
    const char *type; /* json (default), csv, raw */
    bool raw;
    bool all;
    bool is_new;
    const char *editor;
    char **args;
    int nargs;
} cfg_opts;

static int parse(vctl *v, int argc, char **argv, cfg_opts *o)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'}, {"csv", no_argument, NULL, 'c'},
        {"raw", no_argument, NULL, 'r'},  {"all", no_argument, NULL, 'a'},
        {"new", no_argument, NULL, 'n'},  {"editor", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            o->type = "json";
            break;
        case 'c':
            o->type = "csv";
            break;
        case 'r':
            o->type = "raw";
            o->raw = true;
            break;
        case 'a':
            o->all = true;
            break;
        case 'n':
            o->is_new = true;
            break;
        case 'e':
            o->editor = optarg;
            break;
        case 'h':
            printf("usage: vctl config store IDENTITY NAME [FILE] [--json|--csv|--raw]\n"
                   "       vctl config get IDENTITY NAME [--raw]\n"
                   "       vctl config list [IDENTITY]\n"
                   "       vctl config delete IDENTITY [NAME] [--all]\n"
                   "       vctl config edit IDENTITY NAME [--editor E] [--json|--csv|--raw] "
                   "[--new]\n");
            return -1;
        default:
            return vctl_error(v, VCTL_USAGE, "unknown option (vctl config --help)");
        }
    }
    o->args = argv + optind;
    o->nargs = argc - optind;
    return 0;
}

static char *read_all(FILE *f, size_t *len)
{
    vt_buf b;
    vt_buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        vt_buf_append(&b, chunk, n);
    if (!b.data)
        vt_buf_append(&b, "", 0);
    return vt_buf_detach(&b, len);
}

static int set_config(vctl *v, const char *identity, const char *name, const char *contents,
                      const char *type)
{
    /* as VOLTTRON's vctl sends it: positional and keyword arguments */
    cJSON *kw = cJSON_CreateObject();
    cJSON_AddStringToObject(kw, "config_type", type);
    return vctl_call(v, PEER, "set_config",
                     vt_rpc_params(vctl_strings(identity, name, contents), kw), NULL);
}

static int cmd_store(vctl *v, const cfg_opts *o)
{
    if (o->nargs < 2 || o->nargs > 3)
        return vctl_error(v, VCTL_USAGE, "usage: vctl config store IDENTITY NAME [FILE]");
    FILE *f = o->nargs == 3 ? fopen(o->args[2], "rb") : stdin;
    if (!f)
        return vctl_error(v, VCTL_FAIL, "%s: %s", o->args[2], strerror(errno));
    size_t len;
    char *text = read_all(f, &len);
    if (f != stdin)
        fclose(f);
    int rc = set_config(v, o->args[0], o->args[1], text, o->type ? o->type : "json");
    free(text);
    return rc;
}

static int cmd_get(vctl *v, const cfg_opts *o)
{
    if (o->nargs != 2)
        return vctl_error(v, VCTL_USAGE, "usage: vctl config get IDENTITY NAME [--raw]");
    cJSON *p = vctl_strings(o->args[0], o->args[1], NULL);
    cJSON_AddItemToArray(p, cJSON_CreateBool(o->raw));
    cJSON *r = NULL;
    int rc = vctl_call(v, PEER, "get_config", p, &r);
    if (rc)
        return rc;
    if (cJSON_IsString(r)) {
        fputs(r->valuestring, stdout);
        if (!o->raw)
            fputc('\n', stdout);
    } else {
        char *text = vt_json_dump(r, VT_JSON_INDENT(2));
        printf("%s\n", text);
        free(text);
    }
    cJSON_Delete(r);
    return 0;
}

static int cmd_list(vctl *v, const cfg_opts *o)
{
    if (o->nargs > 1)
        return vctl_error(v, VCTL_USAGE, "usage: vctl config list [IDENTITY]");
    cJSON *r = NULL;
    int rc = o->nargs ? vctl_call(v, PEER, "list_configs", vctl_strings(o->args[0], NULL, NULL), &r)
                      : vctl_call(v, PEER, "list_stores", NULL, &r);
    if (rc)
        return rc;
    const cJSON *e;
    cJSON_ArrayForEach (e, r) {
        if (cJSON_IsString(e))
            printf("%s\n", e->valuestring);
    }
    cJSON_Delete(r);
    return 0;
}

static int cmd_delete(vctl *v, const cfg_opts *o)
{
    if (o->nargs < 1 || o->nargs > 2)
        return vctl_error(v, VCTL_USAGE, "usage: vctl config delete IDENTITY [NAME] [--all]");
    if (o->all)
        return vctl_call(v, PEER, "delete_store", vctl_strings(o->args[0], NULL, NULL), NULL);
    if (o->nargs < 2) {
        fprintf(stderr, "ERROR: must specify a configuration when not deleting entire store\n");
        return 0;
    }
    return vctl_call(v, PEER, "delete_config", vctl_strings(o->args[0], o->args[1], NULL), NULL);
}

static int cmd_edit(vctl *v, const cfg_opts *o)
{
    if (o->nargs != 2)
        return vctl_error(v, VCTL_USAGE, "usage: vctl config edit IDENTITY NAME");
    const char *type = o->type ? o->type : "json";
    char *old = NULL;
    if (!o->is_new) {
        cJSON *meta = NULL;
        vt_rpc_error e;
        int st = vctl_call_quiet(v, PEER, "get_metadata",
                                 vctl_strings(o->args[0], o->args[1], NULL), 0, &meta, &e);
        if (st == VT_RPC_OK) {
            const cJSON *d = cJSON_GetObjectItemCaseSensitive(meta, "data");
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(meta, "type");
            old = vt_strdup(cJSON_IsString(d) ? d->valuestring : "");
            if (!o->type && cJSON_IsString(t))
                type = strcmp(t->valuestring, "csv") == 0   ? "csv"
                       : strcmp(t->valuestring, "raw") == 0 ? "raw"
                                                            : "json";
        } else if (!(e.message && strstr(e.message, "No configuration file"))) {
            int rc = vctl_error(v, st == VT_RPC_TIMEOUT ? VCTL_TIMEOUT : VCTL_REMOTE, "%s",
                                e.message ? e.message : "failed");
            vt_rpc_error_clear(&e);
            cJSON_Delete(meta);
            return rc;
        }
        vt_rpc_error_clear(&e);
        cJSON_Delete(meta);
    }
    if (!old)
        old = vt_strdup("");
    char path[] = "/tmp/vctl-config-XXXXXX.txt";
    int fd = mkstemps(path, 4);
    if (fd < 0) {
        free(old);
        return vctl_error(v, VCTL_FAIL, "cannot make a temporary file: %s", strerror(errno));
    }
    if (write(fd, old, strlen(old)) < 0) {
        close(fd);
        unlink(path);
        free(old);
        return vctl_error(v, VCTL_FAIL, "cannot write %s", path);
    }
    close(fd);
    const char *editor = o->editor ? o->editor : getenv("EDITOR") ? getenv("EDITOR") : "nano";
    pid_t pid = fork();
    if (pid == 0) {
        execlp(editor, editor, path, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    while (pid > 0 && waitpid(pid, &st, 0) < 0)
        ;
    int rc = 0;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    char *now = NULL;
    if (pid < 0 || code != 0) {
        fprintf(stderr, "Editor returned with code %d. Changes not committed.\n", code);
        rc = VCTL_FAIL;
    } else if (vt_fs_read_file(path, 64u << 20, &now, NULL) < 0) {
        rc = vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    } else if (strcmp(now, old) == 0) {
        fprintf(stderr, "No changes detected.\n");
    } else {
        rc = set_config(v, o->args[0], o->args[1], now, type);
    }
    unlink(path);
    free(now);
    free(old);
    return rc;
}

int vctl_cmd_config(vctl *v, int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: vctl config {store,get,list,delete,edit} ...\n");
        return VCTL_USAGE;
    }
    const char *sub = argv[1];
    cfg_opts o;
    int rc = parse(v, argc - 1, argv + 1, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (strcmp(sub, "store") == 0)
        return cmd_store(v, &o);
    if (strcmp(sub, "get") == 0)
        return cmd_get(v, &o);
    if (strcmp(sub, "list") == 0)
        return cmd_list(v, &o);
    if (strcmp(sub, "delete") == 0)
        return cmd_delete(v, &o);
    if (strcmp(sub, "edit") == 0)
        return cmd_edit(v, &o);
    return vctl_error(v, VCTL_USAGE, "unknown config command \"%s\"", sub);
}
