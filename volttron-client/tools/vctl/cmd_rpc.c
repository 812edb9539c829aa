/* vctl rpc list / rpc code: the RPC methods of the peers on the bus, found
 * through introspection (vip-wire.md §8.6): "inspect" lists a peer's
 * methods, "<method>.inspect" describes one, and
 * "auth.get_rpc_authorizations" says which capabilities it requires
 * (spec vctl-vcfg.md Part A, "rpc").
 *
 * Every peer and method is asked at once (4 s each, as VOLTTRON's vctl
 * waits), and the answers are printed in VOLTTRON's order: first a line
 * for each failure ("<peer> has timed out", "<peer> is unreachable"), then
 * the listing. Calls are made asynchronously so that vctl's own connection
 * (control.connection, which is in the peer list) answers its inspect
 * too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdutil.h"

#define INSPECT_TIMEOUT_MS 4000

/* ---- a batch of calls answered together ---- */

typedef struct pcall {
    char *peer;
    char *method;
    bool done;
    int status; /* vt_rpc_status */
    int code;
    char *message;
    cJSON *value;
} pcall;

typedef struct batch {
    pcall **calls;
    size_t n;
} batch;

static void on_result(vt_agent *agent, const vt_rpc_result *r, void *ctx)
{
    (void)agent;
    pcall *c = ctx;
    c->done = true;
    c->status = (int)r->status;
    c->code = r->code;
    if (r->status == VT_RPC_OK)
        c->value = r->value ? cJSON_Duplicate(r->value, 1) : cJSON_CreateNull();
    else
        c->message = vt_strdup(r->detail ? r->detail : r->message ? r->message : "failed");
}

static pcall *start(vctl *v, batch *b, const char *peer, const char *method, cJSON *params)
{
    pcall *c = vt_calloc(1, sizeof *c);
    c->peer = vt_strdup(peer);
    c->method = vt_strdup(method);
    b->calls = vt_realloc(b->calls, (b->n + 1) * sizeof *b->calls);
    b->calls[b->n++] = c;
    int left = vctl_left_ms(v);
    /* on a send failure the callback has already run */
    vt_rpc_call(v->agent, peer, method, params,
                left < INSPECT_TIMEOUT_MS ? left : INSPECT_TIMEOUT_MS, on_result, c);
    return c;
}

/* Run the connection until every call is answered; each has a timeout, so
 * this ends, and no callback is left to run after the batch is freed. */
static void finish(vctl *v, batch *b)
{
    vt_loop *loop = vt_agent_loop(v->agent);
    for (;;) {
        bool all = true;
        for (size_t i = 0; i < b->n && all; i++)
            all = b->calls[i]->done;
        if (all)
            return;
        vt_loop_run_once(loop, 100);
    }
}

static void batch_free(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->calls[i]->peer);
        free(b->calls[i]->method);
        free(b->calls[i]->message);
        cJSON_Delete(b->calls[i]->value);
        free(b->calls[i]);
    }
    free(b->calls);
    b->calls = NULL;
    b->n = 0;
}

/* VOLTTRON's lines for a failed call; timed_out is its (inconsistent)
 * wording for the place. True if something was printed. */
static bool report(const pcall *c, const char *timed_out)
{
    switch (c->status) {
    case VT_RPC_OK:
        return false;
    case VT_RPC_TIMEOUT:
        printf("%s %s\n", c->peer, timed_out);
        return true;
    case VT_RPC_UNREACHABLE:
        printf("%s is unreachable\n", c->peer);
        return true;
    default:
        printf("%s: %s\n", c->peer, c->message ? c->message : "failed");
        return true;
    }
}

/* ---- output ---- */

static const cJSON *params_of(const pcall *inspect)
{
    return cJSON_GetObjectItemCaseSensitive(inspect->value, "params");
}

static void print_code(const char *peer, const char *method, const cJSON *params)
{
    if (!cJSON_IsObject(params) || !params->child) {
        printf("self.vip.rpc.call(%s, %s).get()\n", peer, method);
        return;
    }
    cJSON *names = cJSON_CreateArray();
    const cJSON *p;
    cJSON_ArrayForEach (p, params)
        cJSON_AddItemToArray(names, cJSON_CreateString(p->string));
    char *list = vctl_repr(names);
    printf("self.vip.rpc.call(%s, %s, %s).get()\n", peer, method, list);
    free(list);
    cJSON_Delete(names);
}

/* One method in detail: "\t<method>", with -v its documentation, then its
 * parameters, each "\t\t<name>:" over "\t\t\t<Python repr>". */
static void print_method(const pcall *inspect, const pcall *auth, bool verbose)
{
    printf("\t%s\n", inspect->method);
    if (verbose) {
        printf("\tDocumentation:\n");
        const cJSON *doc = cJSON_GetObjectItemCaseSensitive(inspect->value, "doc");
        char *text = doc ? vctl_str(doc) : vt_strdup("No documentation for this method.");
        fputs("\t\t", stdout);
        for (const char *s = text; *s; s++) {
            putchar(*s);
            if (*s == '\n')
                fputs("\t\t", stdout);
        }
        printf("\n\n");
        free(text);
    }
    printf("\tParameters:\n");
    const cJSON *params = params_of(inspect);
    if (!params) {
        printf("\t\tNo parameters for this method.\n");
    } else if (!cJSON_IsObject(params)) {
        char *s = vctl_str(params);
        printf("\t\t%s\n", s);
        free(s);
    } else {
        const cJSON *p;
        cJSON_ArrayForEach (p, params) {
            char *r = vctl_repr(p);
            printf("\t\t%s:\n\t\t\t%s\n", p->string, r);
            free(r);
        }
    }
    /* The spec lists the capabilities with the parameters, as an
     * "authorized_capabilities" entry whose value is the text
     * "Authorized capabilities: [...]". An agent without the auth
     * subsystem (platform started with --no-auth) has no
     * auth.get_rpc_authorizations: then the line is left out rather than
     * shown as an empty list, which would claim the method is open to
     * all. */
    if (auth && auth->status == VT_RPC_OK) {
        char *caps = vctl_repr(auth->value);
        printf("\t\tauthorized_capabilities:\n\t\t\tAuthorized capabilities: %s\n", caps);
        free(caps);
    }
}

/* ---- discovery ---- */

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool in_list(char **list, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

/* The methods a peer's inspect named (borrowed strings), dotted ones only
 * with verbose. */
static char **methods_of(const pcall *c, bool verbose, size_t *n)
{
    const cJSON *methods = cJSON_GetObjectItemCaseSensitive(c->value, "methods");
    char **out = vt_calloc((size_t)cJSON_GetArraySize(methods) + 1, sizeof *out);
    *n = 0;
    const cJSON *m;
    cJSON_ArrayForEach (m, methods) {
        if (cJSON_IsString(m) && (verbose || !strchr(m->valuestring, '.')))
            out[(*n)++] = m->valuestring;
    }
    return out;
}

/* "rpc list|code PEER METHOD...": each method described. */
static bool peer_methods(vctl *v, const char *peer, char **methods, int nmethods, bool code,
                         bool verbose)
{
    batch b = {0};
    /* each method once, in the order given (VOLTTRON keeps them in a dict) */
    char **unique = vt_calloc((size_t)nmethods + 1, sizeof *unique);
    int n = 0;
    for (int i = 0; i < nmethods; i++)
        if (!in_list(unique, n, methods[i]))
            unique[n++] = methods[i];
    pcall **inspect = vt_calloc((size_t)n + 1, sizeof *inspect);
    pcall **auth = vt_calloc((size_t)n + 1, sizeof *auth);
    for (int i = 0; i < n; i++) {
        char *name = vt_asprintf("%s.inspect", unique[i]);
        inspect[i] = start(v, &b, peer, name, NULL);
        free(name);
        if (!code) {
            cJSON *p = cJSON_CreateArray();
            cJSON_AddItemToArray(p, cJSON_CreateString(unique[i]));
            auth[i] = start(v, &b, peer, "auth.get_rpc_authorizations", p);
        }
    }
    finish(v, &b);
    bool failed = false;
    for (int i = 0; i < n; i++) {
        free(inspect[i]->method);
        inspect[i]->method = vt_strdup(unique[i]);
        if (report(inspect[i], "has timed out.")) {
            failed = true;
        } else if (auth[i] && auth[i]->status != VT_RPC_OK &&
                   !(auth[i]->status == VT_RPC_ERROR && auth[i]->code == VT_RPC_METHOD_NOT_FOUND)) {
            failed = report(auth[i], "has timed out.") || failed;
        }
    }
    if (!code)
        printf("%s\n", peer);
    for (int i = 0; i < n; i++) {
        if (inspect[i]->status != VT_RPC_OK)
            continue;
        if (code)
            print_code(peer, unique[i], params_of(inspect[i]));
        else
            print_method(inspect[i], auth[i], verbose);
    }
    free(unique);
    free(inspect);
    free(auth);
    batch_free(&b);
    return failed;
}

/* "rpc list|code [PEER]": every method of every (or the one) peer. */
static bool all_peers(vctl *v, char **peers, size_t npeers, bool code, bool verbose)
{
    batch b = {0};
    for (size_t i = 0; i < npeers; i++)
        start(v, &b, peers[i], "inspect", NULL);
    finish(v, &b);
    bool failed = false;
    for (size_t i = 0; i < npeers; i++)
        failed = report(b.calls[i], code ? "has timed out." : "has timed out") || failed;
    if (!code) {
        for (size_t i = 0; i < npeers; i++) {
            if (b.calls[i]->status != VT_RPC_OK)
                continue;
            size_t n;
            char **methods = methods_of(b.calls[i], verbose, &n);
            printf("%s\n", peers[i]);
            for (size_t k = 0; k < n; k++)
                printf("\t%s\n", methods[k]);
            free(methods);
        }
        batch_free(&b);
        return failed;
    }
    /* code: every method inspected for its parameters */
    batch details = {0};
    for (size_t i = 0; i < npeers; i++) {
        if (b.calls[i]->status != VT_RPC_OK)
            continue;
        size_t n;
        char **methods = methods_of(b.calls[i], verbose, &n);
        for (size_t k = 0; k < n; k++) {
            char *name = vt_asprintf("%s.inspect", methods[k]);
            pcall *c = start(v, &details, peers[i], name, NULL);
            free(name);
            free(c->method);
            c->method = vt_strdup(methods[k]);
        }
        free(methods);
    }
    finish(v, &details);
    for (size_t i = 0; i < details.n; i++)
        failed = report(details.calls[i], "has timed out") || failed;
    for (size_t i = 0; i < details.n; i++)
        if (details.calls[i]->status == VT_RPC_OK)
            print_code(details.calls[i]->peer, details.calls[i]->method,
                       params_of(details.calls[i]));
    batch_free(&details);
    batch_free(&b);
    return failed;
}

static int rpc_run(vctl *v, int argc, char **argv, bool code)
{
    static const struct option list_opts[] = {
        {"vip", no_argument, NULL, 'i'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const struct option code_opts[] = {
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool by_vip = false, verbose = false;
    optind = 0;
    int c;
    while ((c = vctl_getopt(v, argv[0], argc, argv, code ? "vh" : "ivh",
                            code ? code_opts : list_opts)) != -1) {
        switch (c) {
        case 'i':
            by_vip = true;
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            if (code)
                printf("usage: vctl rpc code [-v] [PEER [METHOD...]]\n"
                       "  prints how an agent calls the methods (-v: dotted ones too)\n");
            else
                printf("usage: vctl rpc list [-i] [-v] [PEER [METHOD...]]\n"
                       "  -i, --vip      the operands are all peers\n"
                       "  -v, --verbose  dotted (subsystem) methods too; with METHOD, its "
                       "documentation\n");
            return 0;
        default:
            return VCTL_USAGE;
        }
    }
    char **patterns = argv + optind;
    int npatterns = argc - optind;
    int rc = vctl_connect(v);
    if (rc)
        return rc;
    cJSON *list = NULL;
    if ((rc = vctl_call(v, "control", "peerlist", NULL, &list)))
        return rc;
    size_t n = 0;
    char **peers = vt_calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *peers);
    const cJSON *p;
    cJSON_ArrayForEach (p, list) {
        if (cJSON_IsString(p))
            peers[n++] = p->valuestring;
    }
    qsort(peers, n, sizeof *peers, cmp_strp);
    bool failed = false;
    if (npatterns > 1 && !by_vip) {
        failed = peer_methods(v, patterns[0], patterns + 1, npatterns - 1, code, verbose);
    } else {
        size_t k = n;
        if (npatterns >= 1 || by_vip) {
            /* only the peers named; VOLTTRON passes over a name that is
             * not connected in silence, here it is said */
            k = 0;
            for (size_t i = 0; i < n; i++)
                if (in_list(patterns, npatterns, peers[i]))
                    peers[k++] = peers[i];
            for (int i = 0; i < npatterns; i++)
                if (!in_list(peers, (int)k, patterns[i]) && !in_list(patterns, i, patterns[i])) {
                    printf("%s is unreachable\n", patterns[i]);
                    failed = true;
                }
        }
        failed = all_peers(v, peers, k, code, verbose) || failed;
    }
    free(peers);
    cJSON_Delete(list);
    fflush(stdout);
    return failed ? VCTL_FAIL : 0;
}

static int rpc_list(vctl *v, int argc, char **argv)
{
    return rpc_run(v, argc, argv, false);
}

static int rpc_code(vctl *v, int argc, char **argv)
{
    return rpc_run(v, argc, argv, true);
}

/* call PEER METHOD [ARG...]: each ARG is JSON (text that is not JSON is a
 * string); the result is printed as JSON. Our addition: commissioning
 * means poking agents by hand. */
static int rpc_call(vctl *v, int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        printf("usage: vctl rpc call PEER METHOD [ARG...]\n"
               "  each ARG is JSON (text that is not JSON is passed as a string)\n");
        return 0;
    }
    if (argc < 3)
        return vctl_error(v, VCTL_USAGE, "usage: vctl rpc call PEER METHOD [ARG...]");
    cJSON *args = cJSON_CreateArray();
    for (int i = 3; i < argc; i++) {
        cJSON *a = vt_json_parse(argv[i], strlen(argv[i]), 0, NULL, NULL);
        cJSON_AddItemToArray(args, a ? a : cJSON_CreateString(argv[i]));
    }
    cJSON *r = NULL;
    int rc = vctl_call(v, argv[1], argv[2], args, &r);
    if (rc == 0) {
        char *text = vt_json_dump(r, VT_JSON_INDENT(2));
        printf("%s\n", text);
        free(text);
    }
    cJSON_Delete(r);
    return rc;
}

int vctl_cmd_rpc(vctl *v, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(vctl *v, int argc, char **argv);
        const char *help;
    } subs[] = {
        {"list", rpc_list, "list the peers' RPC methods (with METHOD: their parameters)"},
        {"code", rpc_code, "print how an agent calls them: self.vip.rpc.call(...)"},
        {"call", rpc_call, "call PEER.METHOD(ARG...) and print the result"},
    };
    if (argc < 2)
        return vctl_error(v, VCTL_USAGE, "missing subcommand (vctl rpc --help lists them)");
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        printf("usage: vctl rpc <subcommand> [arguments]\n\nsubcommands:\n");
        for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
            printf("  %-6s %s\n", subs[i].name, subs[i].help);
        return 0;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!strcmp(subs[i].name, argv[1]))
            return subs[i].fn(v, argc - 1, argv + 1);
    return vctl_error(v, VCTL_USAGE, "unknown subcommand \"%s\" (vctl rpc --help lists them)",
                      argv[1]);
}
