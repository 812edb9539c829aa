/* vctl auth subcommands that work on local files (keypair, publickey,
 * add-known-host, list-known-hosts, remove-known-host) or only ask the
 * router (serverkey). None needs the platform's auth service. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_auth.h"
#include "cmdutil.h"

int vctl_auth_operands(vctl *v, const char *what, const char *usage, int argc, char **argv, int min,
                       int max, char ***ops, int *nops)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int c;
    while ((c = vctl_getopt(v, what, argc, argv, "h", opts)) != -1) {
        if (c == 'h') {
            printf("usage: vctl %s %s\n", v->command, usage);
            return -1;
        }
        return VCTL_USAGE;
    }
    int n = argc - optind;
    if (n < min)
        return vctl_error(v, VCTL_USAGE, "%s: missing arguments (usage: vctl %s %s)", what,
                          v->command, usage);
    if (max >= 0 && n > max)
        return vctl_error(v, VCTL_USAGE, "%s: unexpected argument \"%s\" (usage: vctl %s %s)", what,
                          argv[optind + max], v->command, usage);
    *ops = argv + optind;
    *nops = n;
    return 0;
}

/* ---- keypair ---- */

int vctl_auth_keypair(vctl *v, int argc, char **argv)
{
    char **ops;
    int nops;
    int rc = vctl_auth_operands(v, "keypair", "keypair", argc, argv, 0, 0, &ops, &nops);
    if (rc)
        return rc < 0 ? 0 : rc;
    vt_keypair kp;
    if (vt_keys_generate(&kp) < 0)
        return vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "public", kp.public_key);
    cJSON_AddStringToObject(o, "secret", kp.secret_key);
    char *text = vt_json_dump(o, VT_JSON_INDENT(2));
    printf("%s\n", text);
    free(text);
    cJSON_Delete(o);
    return 0;
}

/* ---- serverkey ---- */

int vctl_auth_serverkey(vctl *v, int argc, char **argv)
{
    char **ops;
    int nops;
    int rc = vctl_auth_operands(v, "serverkey", "serverkey", argc, argv, 0, 0, &ops, &nops);
    if (rc)
        return rc < 0 ? 0 : rc;
    /* VOLTTRON: exit 1 on any failure, a platform that is not running
     * included */
    if (!vctl_running(v)) {
        fprintf(stderr, "VOLTTRON is not running. This command requires VOLTTRON platform to "
                        "be running\n");
        return VCTL_FAIL;
    }
    if (vctl_connect(v))
        return VCTL_FAIL;
    char *key = NULL;
    int left = vctl_left_ms(v);
    if (vt_query_sync(v->agent, "serverkey", left < 4000 ? left : 4000, &key) < 0 || !key ||
        !*key) {
        free(key);
        return vctl_error(v, VCTL_FAIL, "the platform did not tell its server key");
    }
    printf("%s\n", key);
    free(key);
    return 0;
}

/* ---- publickey ---- */

static int by_name(const void *a, const void *b)
{
    const vctl_agent *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    return r ? r : strcmp(x->inst.identity, y->inst.identity);
}

static int text_max(const vctl_agent *sel, size_t n, int min, int which)
{
    int w = min;
    for (size_t i = 0; i < n; i++) {
        const char *s = which == 0   ? sel[i].name
                        : which == 1 ? sel[i].inst.identity
                                     : sel[i].inst.tag;
        int len = s ? (int)strlen(s) : 0;
        if (len > w)
            w = len;
    }
    return w;
}

/* The public key of an instance's key store ("" if it has none: this
 * command reads, it never creates one). */
static char *publickey_of(const vt_instance *inst)
{
    char *path = vt_fs_path_join(inst->dir, "keystore.json");
    vt_keypair kp;
    int rc = vt_keystore_load(path, &kp);
    free(path);
    return vt_strdup(rc == 0 ? kp.public_key : "");
}

int vctl_auth_publickey(vctl *v, int argc, char **argv)
{
    static const struct option opts[] = {
        {"name", no_argument, NULL, 'N'}, {"tag", no_argument, NULL, 'T'},
        {"uuid", no_argument, NULL, 'U'}, {"all-tagged", no_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    vctl_filter f = {0};
    long width = 1; /* VOLTTRON's default -n */
    optind = 0;
    int c;
    while ((c = vctl_getopt(v, "publickey", argc, argv, "n:h", opts)) != -1) {
        switch (c) {
        case 'N':
            f.by_name = true;
            break;
        case 'T':
            f.by_tag = true;
            break;
        case 'U':
            f.by_uuid = true;
            break;
        case 'A':
            f.all_tagged = true;
            break;
        case 'n':
            if (!vctl_parse_int(optarg, &width) || width < 0 || width > 36)
                return vctl_error(v, VCTL_USAGE, "publickey: -n: expected 0 to 36, got \"%s\"",
                                  optarg);
            break;
        case 'h':
            printf("usage: vctl auth publickey [-n N] [--name] [--tag] [--uuid] "
                   "[--all-tagged] [pattern...]\n");
            return 0;
        default:
            return VCTL_USAGE;
        }
    }
    char **patterns = argv + optind;
    int npatterns = argc - optind;
    vctl_agent *all;
    size_t n;
    int rc = vctl_agents(v, &all, &n);
    if (rc)
        return rc;
    /* the selection: shallow copies of the chosen agents, each once */
    vctl_agent *sel = vt_calloc(n + 1, sizeof *sel);
    bool *taken = vt_calloc(n + 1, sizeof *taken);
    size_t nsel = 0;
    for (int p = 0; p < npatterns && rc == 0; p++) {
        size_t *picked;
        int k = vctl_select(all, n, patterns[p], &f, &picked);
        if (k < 0)
            rc = vctl_error(v, VCTL_NOT_RUNNING, "%s", vt_last_error());
        else if (k == 0)
            vctl_error(v, 0, "agent not found: %s", patterns[p]);
        for (int i = 0; i < k; i++)
            if (!taken[picked[i]]) {
                taken[picked[i]] = true;
                sel[nsel++] = all[picked[i]];
            }
        free(picked);
    }
    if (npatterns == 0 && n) {
        memcpy(sel, all, n * sizeof *sel);
        nsel = n;
    }
    if (rc == 0 && nsel == 0) {
        if (v->json)
            printf("{}\n");
        else
            fprintf(stderr, "No installed Agents found\n");
    } else if (rc == 0) {
        qsort(sel, nsel, sizeof *sel, by_name);
        /* as VOLTTRON: widths over the agents shown */
        int uw = vctl_uuid_width(sel, nsel, (int)width);
        int nw = text_max(sel, nsel, 5, 0), iw = text_max(sel, nsel, 3, 1),
            tw = text_max(sel, nsel, 3, 2);
        cJSON *js = cJSON_CreateObject();
        if (!v->json)
            fprintf(stderr, "%*s %-*s %-*s %-*s %6s\n", uw, "", nw, "AGENT", iw, "IDENTITY", tw,
                    "TAG", "PUBLICKEY");
        for (size_t k = 0; k < nsel; k++) {
            const vctl_agent *ag = &sel[k];
            char *key = publickey_of(&ag->inst);
            const char *tag = ag->inst.tag ? ag->inst.tag : "";
            if (v->json) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "agent_uuid", ag->inst.uuid);
                cJSON_AddStringToObject(o, "name", ag->name);
                cJSON_AddStringToObject(o, "identity", ag->inst.identity);
                cJSON_AddStringToObject(o, "agent_tag", tag);
                cJSON_AddStringToObject(o, "PUBLICKEY", key);
                cJSON_DeleteItemFromObjectCaseSensitive(js, ag->inst.identity);
                cJSON_AddItemToObject(js, ag->inst.identity, o);
            } else {
                printf("%.*s %-*s %-*s %-*s %6s\n", uw, ag->inst.uuid, nw, ag->name, iw,
                       ag->inst.identity, tw, tag, key);
            }
            free(key);
        }
        if (v->json) {
            char *text = vt_json_dump(js, VT_JSON_INDENT(2));
            printf("%s\n", text);
            free(text);
        }
        cJSON_Delete(js);
    }
    free(taken);
    free(sel);
    vctl_agents_free(all, n);
    return rc;
}

/* ---- known hosts ---- */

static char *known_hosts_path(const vctl *v)
{
    return vt_fs_path_join(v->home, "known_hosts");
}

/* The known_hosts key of an address, as VOLTTRON's KnownHostsStore makes
 * it: the URL's netloc ("127.0.0.1:22916"), "@" for the local ipc socket,
 * and anything without a scheme as it is. (VOLTTRON's urlparse would read
 * "localhost:22916" as scheme "localhost"; it is kept whole here.) */
static char *host_key_of(const char *address)
{
    vt_address a;
    if (vt_address_parse(address, &a) == 0) {
        char *k = vt_strdup(a.host_key);
        vt_address_clear(&a);
        return k;
    }
    const char *rest = strstr(address, "://");
    if (rest) {
        rest += 3;
        size_t n = strcspn(rest, "/?#");
        if (n)
            return vt_strndup(rest, n);
        return vt_strdup(rest);
    }
    return vt_strdup(address);
}

/* known_hosts as an object: an empty one when the file does not exist;
 * NULL (message printed, *rc set) when it cannot be read. */
static cJSON *load_known_hosts(vctl *v, const char *path, int *rc)
{
    char *text = NULL;
    size_t len = 0;
    int r = vt_fs_read_file(path, 1 << 22, &text, &len);
    if (r == -ENOENT)
        return cJSON_CreateObject();
    if (r < 0) {
        *rc = vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
        return NULL;
    }
    cJSON *doc = len ? vt_json_parse(text, len, 0, path, NULL) : cJSON_CreateObject();
    free(text);
    if (!doc) {
        *rc = vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
        return NULL;
    }
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        *rc = vctl_error(v, VCTL_FAIL, "%s: expected a JSON object", path);
        return NULL;
    }
    return doc;
}

int vctl_auth_write_known_host(vctl *v, const char *host, const char *key)
{
    /* VOLTTRON stores anything; a key that is not one would only break
     * the connections made with it later, so it is refused here */
    uint8_t raw[VT_KEY_BYTES];
    if (vt_key_decode(key, raw) < 0)
        return vctl_error(v, VCTL_USAGE,
                          "invalid server key \"%s\" (expected the platform's "
                          "43-character public key)",
                          key);
    char *hk = host_key_of(host);
    int rc = vt_known_hosts_set(v->home, hk, key);
    free(hk);
    if (rc < 0)
        return vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
    char *path = known_hosts_path(v);
    printf("server key written to %s\n", path);
    free(path);
    return 0;
}

int vctl_auth_add_known_host(vctl *v, int argc, char **argv)
{
    static const struct option opts[] = {
        {"host", required_argument, NULL, 'H'},
        {"serverkey", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *host = NULL, *key = NULL;
    optind = 0;
    int c;
    while ((c = vctl_getopt(v, "add-known-host", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'H':
            host = optarg;
            break;
        case 'K':
            key = optarg;
            break;
        case 'h':
            printf("usage: vctl auth add-known-host --host HOST --serverkey KEY\n");
            return 0;
        default:
            return VCTL_USAGE;
        }
    }
    if (optind < argc)
        return vctl_error(v, VCTL_USAGE, "add-known-host: unexpected argument \"%s\"",
                          argv[optind]);
    if (!host || !key)
        return vctl_error(v, VCTL_USAGE, "add-known-host: --host and --serverkey are required");
    return vctl_auth_write_known_host(v, host, key);
}

int vctl_auth_list_known_hosts(vctl *v, int argc, char **argv)
{
    char **ops;
    int nops;
    int rc = vctl_auth_operands(v, "list-known-hosts", "list-known-hosts", argc, argv, 0, 0, &ops,
                                &nops);
    if (rc)
        return rc < 0 ? 0 : rc;
    char *path = known_hosts_path(v);
    cJSON *doc = load_known_hosts(v, path, &rc);
    if (doc && doc->child)
        vctl_two_columns(doc, "HOST", "CURVE KEY");
    else if (doc)
        printf("No entries in %s\n", path);
    cJSON_Delete(doc);
    free(path);
    return rc;
}

int vctl_auth_remove_known_host(vctl *v, int argc, char **argv)
{
    char **ops;
    int nops;
    int rc = vctl_auth_operands(v, "remove-known-host", "remove-known-host HOST", argc, argv, 1, 1,
                                &ops, &nops);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *host = ops[0];
    char *path = known_hosts_path(v);
    cJSON *doc = load_known_hosts(v, path, &rc);
    if (doc) {
        /* the host as written, else as add-known-host would have keyed it
         * ("tcp://10.0.0.1:22916" finds "10.0.0.1:22916") */
        char *hk = host_key_of(host);
        const char *key = cJSON_GetObjectItemCaseSensitive(doc, host) ? host
                          : cJSON_GetObjectItemCaseSensitive(doc, hk) ? hk
                                                                      : NULL;
        if (!key) {
            rc = vctl_error(v, VCTL_FAIL, "Key \"%s\" is not present in %s", host, path);
        } else {
            cJSON_DeleteItemFromObjectCaseSensitive(doc, key);
            char *text = vt_json_dump(doc, VT_JSON_INDENT(4));
            if (vt_fs_write_atomic(path, text, strlen(text), 0644) < 0)
                rc = vctl_error(v, VCTL_FAIL, "%s", vt_last_error());
            else
                printf("host \"%s\" removed from %s\n", host, path);
            free(text);
        }
        free(hk);
    }
    cJSON_Delete(doc);
    free(path);
    return rc;
}
