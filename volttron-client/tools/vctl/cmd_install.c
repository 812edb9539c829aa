/* vctl install and vctl package. An archive goes to control over the
 * "agent_sender" channel exactly as VOLTTRON's vctl sends a wheel
 * (platform-services.md §8); a bare name installs a package already on the
 * platform's system (control.install_agent_package, our addition). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "vctl.h"

#define CHANNEL "agent_sender"
#define INSTALL_WAIT_MS 300000

typedef struct install_opts {
    const char *path;
    const char *tag;
    const char *identity;
    const char *config_file;
    bool force, start, enable, csv, json;
    int priority;      /* -1: none */
    double start_time; /* seconds to wait for a started agent */
} install_opts;

/* ---- the transfer ---- */

typedef struct transfer {
    vctl *v;
    char *data;
    size_t len, sent;
    vt_sha512_ctx *sha;
    bool done;
    vt_rpc_status status;
    char *uuid;
    vt_rpc_error err;
} transfer;

static void on_channel(vt_agent *agent, vt_channel *ch, const void *data, size_t len, void *ctx)
{
    (void)agent;
    transfer *t = ctx;
    cJSON *req = vt_json_parse(data, len, 0, "channel", NULL);
    const cJSON *op = cJSON_GetArrayItem(req, 0);
    if (cJSON_IsString(op) && strcmp(op->valuestring, "fetch") == 0) {
        const cJSON *n = cJSON_GetArrayItem(req, 1);
        size_t want = cJSON_IsNumber(n) && n->valuedouble > 0 ? (size_t)n->valuedouble : 1000000;
        if (t->sent >= t->len) {
            vt_channel_send(ch, "complete", 8);
        } else {
            size_t chunk = t->len - t->sent < want ? t->len - t->sent : want;
            vt_sha512_update(t->sha, t->data + t->sent, chunk);
            vt_channel_send(ch, t->data + t->sent, chunk);
            t->sent += chunk;
        }
    } else if (cJSON_IsString(op) && strcmp(op->valuestring, "checksum") == 0) {
        unsigned char digest[VT_SHA512_SIZE];
        vt_sha512_final(&t->sha, digest);
        t->sha = vt_sha512_new();
        vt_channel_send(ch, digest, sizeof digest);
    }
    cJSON_Delete(req);
}

static void on_installed(vt_agent *agent, const vt_rpc_result *r, void *ctx)
{
    (void)agent;
    transfer *t = ctx;
    t->done = true;
    t->status = r->status;
    if (r->status == VT_RPC_OK && cJSON_IsString(r->value)) {
        t->uuid = vt_strdup(r->value->valuestring);
    } else {
        t->err.code = r->code;
        t->err.message = vt_strdup(r->detail ? r->detail : r->message ? r->message : "failed");
    }
}

static bool transfer_done(void *ctx)
{
    return ((transfer *)ctx)->done;
}

static int report_failure(vctl *v, const transfer *t)
{
    if (t->status == VT_RPC_TIMEOUT) {
        fprintf(stderr, "%s: operation timed out\n", v->command);
        return VCTL_TIMEOUT;
    }
    if (t->status == VT_RPC_OK)
        return vctl_error(v, VCTL_FAIL, "the platform returned no agent UUID");
    return vctl_error(v,
                      t->status == VT_RPC_ERROR && t->err.code == -32000 ? VCTL_REMOTE : VCTL_FAIL,
                      "%s", t->err.message);
}

static int send_archive(vctl *v, const char *archive, const install_opts *o, char **uuid)
{
    transfer t = {.v = v};
    if (vt_fs_read_file(archive, 256u << 20, &t.data, &t.len) < 0)
        return vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    int rc = vctl_connect(v);
    if (rc) {
        free(t.data);
        return rc;
    }
    t.sha = vt_sha512_new();
    vt_channel *ch = vt_channel_open(v->agent, "control", CHANNEL, on_channel, &t);
    const char *base = strrchr(archive, '/') ? strrchr(archive, '/') + 1 : archive;
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString(base));
    cJSON_AddItemToArray(p, cJSON_CreateString(CHANNEL));
    cJSON_AddItemToArray(p, o->identity ? cJSON_CreateString(o->identity) : cJSON_CreateNull());
    cJSON_AddItemToArray(p, cJSON_CreateNull());
    cJSON_AddItemToArray(p, cJSON_CreateNull());
    cJSON_AddItemToArray(p, cJSON_CreateBool(o->force));
    int left = vctl_left_ms(v);
    vt_rpc_call(v->agent, "control", "install_agent", p,
                left < INSTALL_WAIT_MS ? left : INSTALL_WAIT_MS, on_installed, &t);
    if (!vctl_wait(v, transfer_done, &t))
        rc = VCTL_TIMEOUT;
    else if (!t.uuid)
        rc = report_failure(v, &t);
    *uuid = t.uuid;
    vt_channel_close(&ch);
    if (t.sha)
        vt_sha512_final(&t.sha, (unsigned char[VT_SHA512_SIZE]){0});
    free(t.err.message);
    free(t.data);
    return rc;
}

static int install_by_name(vctl *v, const install_opts *o, const cJSON *config, char **uuid)
{
    cJSON *kw = cJSON_CreateObject();
    cJSON_AddStringToObject(kw, "package", o->path);
    if (o->identity)
        cJSON_AddStringToObject(kw, "vip_identity", o->identity);
    cJSON_AddBoolToObject(kw, "force", o->force);
    if (config)
        cJSON_AddItemToObject(kw, "config", cJSON_Duplicate(config, 1));
    cJSON *r = NULL;
    int rc = vctl_call(v, "control", "install_agent_package", kw, &r);
    if (rc == 0 && cJSON_IsString(r))
        *uuid = vt_strdup(r->valuestring);
    else if (rc == 0)
        rc = vctl_error(v, VCTL_FAIL, "the platform returned no agent UUID");
    cJSON_Delete(r);
    return rc;
}

/* ---- after the install ---- */

typedef struct start_wait {
    const char *identity;
    bool seen;
} start_wait;

static void on_peer(vt_agent *agent, const char *peer, bool added, void *ctx)
{
    (void)agent;
    start_wait *w = ctx;
    if (added && strcmp(peer, w->identity) == 0)
        w->seen = true;
}

/* Start it and wait (up to start_time) until it connects or exits. */
static int start_and_check(vctl *v, const char *uuid, double start_time, long *pid)
{
    cJSON *id = NULL;
    int rc = vctl_call(v, "control", "agent_vip_identity", vctl_strings(uuid, NULL, NULL), &id);
    if (rc)
        return rc;
    start_wait w = {.identity = cJSON_IsString(id) ? id->valuestring : ""};
    vt_peerlist_on_change(v->agent, on_peer, &w);
    rc = vctl_call(v, "control", "start_agent", vctl_strings(uuid, NULL, NULL), NULL);
    int64_t until = vt_time_monotonic_ms() + (int64_t)(start_time * 1000);
    while (rc == 0 && !w.seen && vt_time_monotonic_ms() < until) {
        vt_loop_run_once(vt_agent_loop(v->agent), 100);
        cJSON *st = NULL;
        if (vctl_call(v, "control", "agent_status", vctl_strings(uuid, NULL, NULL), &st) == 0 &&
            cJSON_IsNumber(cJSON_GetArrayItem(st, 1))) {
            cJSON_Delete(st);
            break; /* it exited */
        }
        cJSON_Delete(st);
    }
    vt_peerlist_on_change(v->agent, NULL, NULL);
    cJSON *st = NULL;
    if (rc == 0)
        rc = vctl_call(v, "control", "agent_status", vctl_strings(uuid, NULL, NULL), &st);
    if (rc == 0) {
        const cJSON *p = cJSON_GetArrayItem(st, 0), *code = cJSON_GetArrayItem(st, 1);
        if (cJSON_IsNumber(p) && !cJSON_IsNumber(code))
            *pid = p->valueint;
        else
            rc = vctl_error(v, VCTL_FAIL, "agent %s did not stay up: it exited with code %d", uuid,
                            cJSON_IsNumber(code) ? code->valueint : -1);
    }
    cJSON_Delete(st);
    cJSON_Delete(id);
    return rc;
}

static void print_result(const install_opts *o, const char *uuid, long pid)
{
    if (pid > 0)
        printf("Agent %s installed and started [%ld]\n", uuid, pid);
    else
        printf("Agent %s installed\n", uuid);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "agent_uuid", uuid);
    if (o->tag)
        cJSON_AddStringToObject(j, "tag", o->tag);
    if (o->enable)
        cJSON_AddTrueToObject(j, "enabling");
    if (o->enable || o->priority >= 0)
        cJSON_AddNumberToObject(j, "priority", o->priority >= 0 ? o->priority : 50);
    if (o->start) {
        cJSON_AddTrueToObject(j, "starting");
        cJSON_AddBoolToObject(j, "started", pid > 0);
        if (pid > 0)
            cJSON_AddNumberToObject(j, "pid", (double)pid);
    }
    if (o->json) {
        char *text = vt_json_dump(j, VT_JSON_INDENT(4));
        printf("%s\n", text);
        free(text);
    }
    if (o->csv) {
        const cJSON *f;
        cJSON_ArrayForEach (f, j)
            printf("%s%s", f->string, f->next ? "," : "\n");
        cJSON_ArrayForEach (f, j) {
            char *text = cJSON_IsString(f) ? vt_strdup(f->valuestring) : vt_json_dump(f, 0);
            printf("%s%s", text, f->next ? "," : "\n");
            free(text);
        }
    }
    cJSON_Delete(j);
}

/* ---- the commands ---- */

static int parse(vctl *v, int argc, char **argv, install_opts *o)
{
    static const struct option opts[] = {
        {"tag", required_argument, NULL, 'T'},
        {"vip-identity", required_argument, NULL, 'i'},
        {"agent-config", required_argument, NULL, 'c'},
        {"force", no_argument, NULL, 'f'},
        {"priority", required_argument, NULL, 'p'},
        {"start", no_argument, NULL, 's'},
        {"enable", no_argument, NULL, 'e'},
        {"csv", no_argument, NULL, 'C'},
        {"json", no_argument, NULL, 'J'},
        {"agent-start-time", required_argument, NULL, 'S'},
        {"skip-requirements", required_argument, NULL, 'k'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->priority = -1;
    o->start_time = 5;
    o->json = v->json;
    /* VOLTTRON spells --agent-start-time "-st" */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-st") == 0)
            argv[i] = "--agent-start-time";
    int c;
    while ((c = getopt_long(argc, argv, "fo:h", opts, NULL)) != -1) {
        switch (c) {
        case 'T':
            o->tag = optarg;
            break;
        case 'i':
            o->identity = optarg;
            break;
        case 'c':
            o->config_file = optarg;
            break;
        case 'f':
            o->force = true;
            break;
        case 's':
            o->start = true;
            break;
        case 'e':
            o->enable = true;
            break;
        case 'C':
            o->csv = true;
            break;
        case 'J':
            o->json = true;
            break;
        case 'k':
            break;
        case 'o':
            o->path = optarg;
            break; /* package: the output */
        case 'p': {
            char *end;
            long p = strtol(optarg, &end, 10);
            if (*end || end == optarg || p < 0 || p > 99)
                return vctl_error(v, VCTL_USAGE, "--priority: expected 0 to 99, got \"%s\"",
                                  optarg);
            o->priority = (int)p;
            break;
        }
        case 'S': {
            char *end;
            o->start_time = strtod(optarg, &end);
            if (*end || o->start_time < 0)
                return vctl_error(v, VCTL_USAGE,
                                  "--agent-start-time: expected seconds, got "
                                  "\"%s\"",
                                  optarg);
            break;
        }
        case 'h':
            printf("usage: vctl install PATH|NAME [--tag TAG] [--vip-identity ID]\n"
                   "                   [--agent-config FILE] [--force] [--priority N]\n"
                   "                   [--enable] [--start] [-st SECS] [--json] [--csv]\n"
                   "  PATH: an agent source directory (built with meson), a package\n"
                   "  directory (agent.json beside the executable) or an agent archive\n"
                   "  (.vtagent); NAME: a package installed on the platform's system.\n"
                   "usage: vctl package DIR [-o OUT.vtagent] [--agent-config FILE]\n");
            return -1;
        default:
            return vctl_error(v, VCTL_USAGE, "unknown option (vctl %s --help)", v->command);
        }
    }
    if (optind != argc - 1)
        return vctl_error(v, VCTL_USAGE, "give one path or package name (vctl %s --help)",
                          v->command);
    return 0;
}

static int load_config(vctl *v, const install_opts *o, cJSON **config)
{
    *config = NULL;
    if (!o->config_file)
        return 0;
    *config = vt_config_load(o->config_file);
    if (!*config)
        return vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    if (!cJSON_IsObject(*config)) {
        cJSON_Delete(*config);
        *config = NULL;
        return vctl_error(v, VCTL_FAIL, "%s: the agent configuration must be an object",
                          o->config_file);
    }
    return 0;
}

static bool looks_like_name(const char *s)
{
    return vt_identity_valid(s) && !strchr(s, '/');
}

int vctl_cmd_install(vctl *v, int argc, char **argv)
{
    install_opts o;
    int rc = parse(v, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    o.path = argv[argc - 1];
    if (o.identity) {
        cJSON *r = NULL;
        if ((rc = vctl_call(v, "control", "identity_exists", vctl_strings(o.identity, NULL, NULL),
                            &r)))
            return rc;
        bool exists = cJSON_IsString(r);
        cJSON_Delete(r);
        if (exists && !o.force) {
            fprintf(stderr, "Identity already exists.  Pass --force option to re-install.\n");
            return VCTL_FAIL;
        }
    }
    cJSON *config;
    if ((rc = load_config(v, &o, &config)))
        return rc;
    char *uuid = NULL;
    if (access(o.path, F_OK) != 0 && looks_like_name(o.path)) {
        rc = install_by_name(v, &o, config, &uuid);
    } else {
        char tmpl[] = "/tmp/vctl-install-XXXXXX";
        char *tmp = mkdtemp(tmpl);
        char *archive = NULL;
        if (!tmp)
            rc = vctl_error(v, VCTL_FAIL, "cannot make a temporary directory");
        else if (vctl_build_archive(o.path, config, tmp, &archive) < 0)
            rc = vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
        else
            rc = send_archive(v, archive, &o, &uuid);
        free(archive);
        if (tmp)
            vt_fs_remove_tree(tmp);
    }
    cJSON_Delete(config);
    long pid = 0;
    if (rc == 0 && o.tag)
        rc = vctl_call(v, "control", "tag_agent", vctl_strings(uuid, o.tag, NULL), NULL);
    if (rc == 0 && (o.enable || o.priority >= 0)) {
        char pri[16];
        snprintf(pri, sizeof pri, "%02d", o.priority >= 0 ? o.priority : 50);
        rc = vctl_call(v, "control", "prioritize_agent", vctl_strings(uuid, pri, NULL), NULL);
    }
    if (rc == 0 && o.start)
        rc = start_and_check(v, uuid, o.start_time, &pid);
    if (uuid && (rc == 0 || pid == 0))
        print_result(&o, uuid, pid);
    free(uuid);
    return rc;
}

int vctl_cmd_package(vctl *v, int argc, char **argv)
{
    install_opts o;
    int rc = parse(v, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *out = o.path;
    const char *src = argv[argc - 1];
    cJSON *config;
    if ((rc = load_config(v, &o, &config)))
        return rc;
    char tmpl[] = "/tmp/vctl-package-XXXXXX";
    char *tmp = mkdtemp(tmpl);
    char *archive = NULL;
    if (!tmp) {
        rc = vctl_error(v, VCTL_FAIL, "cannot make a temporary directory");
    } else if (vctl_build_archive(src, config, tmp, &archive) < 0) {
        rc = vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    } else {
        vt_package p;
        char *name = NULL;
        /* default output: <name>-<version>.vtagent in the current directory */
        char *text = NULL;
        size_t len = 0;
        char *data = NULL;
        size_t dlen = 0;
        if (vt_fs_read_file(archive, 256u << 20, &data, &dlen) == 0 &&
            vt_tar_read_member(data, dlen, VT_PACKAGE_MANIFEST, 1 << 20, &text, &len) == 0 &&
            vt_package_parse(text, len, VT_PACKAGE_MANIFEST, &p) == 0) {
            char *id = vt_package_id(&p);
            name = vt_asprintf("%s%s", id, VT_PACKAGE_ARCHIVE_EXT);
            free(id);
            vt_package_clear(&p);
        }
        const char *dest = out ? out : name;
        if (!dest || vt_fs_write_atomic(dest, data, dlen, 0644) < 0)
            rc = vctl_error(v, VCTL_FAIL, "%s", dest ? vt_last_error() : "no manifest");
        else
            printf("%s\n", dest);
        free(text);
        free(data);
        free(name);
    }
    free(archive);
    cJSON_Delete(config);
    if (tmp)
        vt_fs_remove_tree(tmp);
    return rc;
}
