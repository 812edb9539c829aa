#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <volttron/client/client.h>

#include "run.h"
#include "secutil.h"
#include "testutil.h"

char *vt_sec_script_package(vt_fx *fx, const char *name, const char *script)
{
    char *dir = vt_asprintf("%s/packages-src/%s", fx->home, name);
    ck_assert_int_eq(vt_fs_mkdir_p(dir, 0755), 0);
    char *manifest = vt_asprintf("{\"name\": \"%s\", \"version\": \"1.0\", "
                                 "\"executable\": \"%s.sh\"}\n",
                                 name, name);
    free(vt_test_write_file(dir, "agent.json", manifest));
    char *file = vt_asprintf("%s.sh", name);
    char *exe = vt_test_write_file(dir, file, script);
    ck_assert_int_eq(chmod(exe, 0755), 0);
    free(exe);
    free(file);
    free(manifest);
    return dir;
}

char *vt_sec_install(vt_fx *fx, const char *dir, ...)
{
    const char *a[7] = {0};
    va_list ap;
    va_start(ap, dir);
    for (int i = 0; i < 6 && (a[i] = va_arg(ap, const char *)); i++)
        ;
    va_end(ap);
    char *out = NULL, *err = NULL;
    int rc = vt_fx_vctl(fx, &out, &err, "install", dir, a[0], a[1], a[2], a[3], a[4], a[5], NULL);
    ck_assert_msg(rc == 0, "vctl install %s: exit %d\n%s%s", dir, rc, out, err);
    const char *p = strstr(out, "Agent ");
    ck_assert_msg(p, "no \"Agent <uuid>\" in: %s", out);
    char *uuid = vt_strndup(p + 6, 36);
    free(out);
    free(err);
    return uuid;
}

long vt_sec_agent_pid(vt_agent *caller, const char *identity)
{
    cJSON *args = cJSON_CreateArray();
    cJSON_AddItemToArray(args, cJSON_CreateString(identity));
    cJSON *st = NULL;
    int rc = vt_rpc_call_sync(caller, "control", "agent_status", args, 10000, &st);
    ck_assert_msg(rc == 0, "control.agent_status: %s", vt_last_error());
    const cJSON *p = cJSON_GetArrayItem(st, 0);
    long pid = cJSON_IsNumber(p) ? (long)p->valuedouble : 0;
    cJSON_Delete(st);
    return pid;
}

/* /proc/<pid>/stat's state and process group; false if it is gone. */
static bool stat_of(pid_t pid, char *state, pid_t *pgrp)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may hold anything */
    long ppid, pg;
    if (!p || sscanf(p + 1, " %c %ld %ld", state, &ppid, &pg) != 3)
        return false;
    *pgrp = (pid_t)pg;
    return true;
}

static bool environ_has(pid_t pid, const char *entry)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/environ", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    vt_buf b;
    vt_buf_init(&b);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        vt_buf_append(&b, chunk, (size_t)n);
    close(fd);
    size_t len;
    char *env = vt_buf_detach(&b, &len);
    bool found = false;
    for (size_t i = 0; i < len && !found; i += strlen(env + i) + 1)
        found = strcmp(env + i, entry) == 0;
    free(env);
    return found;
}

/* Every live process: fn(pid, pgrp, ctx). */
static void each_process(void (*fn)(pid_t pid, pid_t pgrp, void *ctx), void *ctx)
{
    DIR *d = opendir("/proc");
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        pid_t pid = (pid_t)atol(de->d_name);
        char state;
        pid_t pgrp;
        if (stat_of(pid, &state, &pgrp) && state != 'Z' && state != 'X')
            fn(pid, pgrp, ctx);
    }
    closedir(d);
}

typedef struct env_match {
    const char *entry;
    pid_t *pids, *pgids;
    int max, n;
} env_match;

static void match_env(pid_t pid, pid_t pgrp, void *ctx)
{
    env_match *m = ctx;
    if (!environ_has(pid, m->entry))
        return;
    if (m->n < m->max) {
        if (m->pids)
            m->pids[m->n] = pid;
        if (m->pgids)
            m->pgids[m->n] = pgrp;
    }
    m->n++;
}

int vt_sec_procs_with_env(const char *entry, pid_t *pids, pid_t *pgids, int max)
{
    env_match m = {entry, pids, pgids, max, 0};
    each_process(match_env, &m);
    return m.n;
}

typedef struct group_match {
    pid_t pgid;
    int n;
} group_match;

static void match_group(pid_t pid, pid_t pgrp, void *ctx)
{
    (void)pid;
    group_match *g = ctx;
    g->n += pgrp == g->pgid;
}

int vt_sec_group_count(pid_t pgid)
{
    group_match g = {pgid, 0};
    each_process(match_group, &g);
    return g.n;
}

void vt_sec_kill_home(const char *home, pid_t platform)
{
    char *entry = vt_asprintf("VOLTTRON_HOME=%s", home);
    pid_t pids[256];
    int n = vt_sec_procs_with_env(entry, pids, NULL, 256);
    for (int i = 0; i < n && i < 256; i++)
        if (pids[i] != platform && pids[i] != getpid())
            kill(pids[i], SIGKILL);
    free(entry);
}

int vt_sec_stop_platform(vt_fx *fx, int ms)
{
    if (fx->pid <= 0)
        return 0;
    kill(fx->pid, SIGTERM);
    int st = -1;
    int64_t until = vt_time_monotonic_ms() + ms;
    pid_t r;
    while ((r = waitpid(fx->pid, &st, WNOHANG)) == 0 && vt_time_monotonic_ms() < until)
        usleep(10000);
    if (r == 0) {
        vt_fx_kill(fx->pid, SIGKILL);
        st = -1;
    }
    fx->pid = 0;
    return st;
}

static char *slurp(const char *path)
{
    char *text = NULL;
    if (vt_fs_read_file(path, 256u << 20, &text, NULL) < 0)
        return NULL;
    return text;
}

bool vt_sec_file_has(const char *path, const char *text, int ms)
{
    int64_t until = vt_time_monotonic_ms() + ms;
    for (;;) {
        char *content = slurp(path);
        bool yes = content && strstr(content, text);
        free(content);
        if (yes || vt_time_monotonic_ms() >= until)
            return yes;
        usleep(50000);
    }
}

int vt_sec_file_count(const char *path, const char *text)
{
    char *content = slurp(path);
    int n = 0;
    for (const char *p = content; p && (p = strstr(p, text)); p += strlen(text))
        n++;
    free(content);
    return n;
}

long long vt_sec_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}
