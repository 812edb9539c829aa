/* control's installs: install_agent receives a package over the channel
 * subsystem exactly as VOLTTRON 9's does (platform-services.md §8: fetch
 * requests of 1 000 000 bytes, "complete", then a SHA-512 check), and
 * install_agent_package installs a package already on this system by name.
 * Both then stop a replaced instance, lay the instance out on disk
 * (aim/install) and write its auth entry. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <volttron/utils/buf.h>
#include <volttron/utils/hash.h>
#include <volttron/utils/tar.h>

#include "../aim/install.h"
#include "control_private.h"

#define LOG "control"
#define CHUNK 1000000
#define WAIT_MS 30000

typedef struct install_job {
    control *c;
    vt_rpc_request *req;
    vt_channel *ch;
    vt_timer *timer;
    bool want_checksum;
    vt_buf data;
    /* what to install */
    char *identity;
    char *system_dir;
    cJSON *config;
    bool force;
    bool have_keys;
    vt_keypair keys;
} install_job;

static void job_free(install_job *j)
{
    if (j->timer)
        vt_agent_cancel(j->c->agent, j->timer);
    vt_channel_close(&j->ch);
    vt_buf_free(&j->data);
    free(j->identity);
    free(j->system_dir);
    cJSON_Delete(j->config);
    free(j);
}

static void fail(install_job *j, const char *exc_type, const char *text)
{
    vt_log_warning(LOG, "install failed: %s", text);
    vt_rpc_reply_raise(j->req, exc_type, "%s", text);
    job_free(j);
}

/* The files are in place and nothing runs under the identity: install. */
static void install_now(install_job *j)
{
    control *c = j->c;
    vt_install_req r = {
        .home = c->home,
        .archive = j->system_dir ? NULL : j->data.data,
        .archive_len = j->system_dir ? 0 : j->data.len,
        .system_dir = j->system_dir,
        .identity = j->identity,
        .keys = j->have_keys ? &j->keys : NULL,
        .config = j->config,
        .force = j->force,
    };
    vt_instance inst;
    int rc = vt_install(&r, &inst);
    if (rc < 0) {
        fail(j,
             rc == -EEXIST && strstr(vt_last_error(), "Identity") ? "builtins.ValueError"
                                                                  : "volttron.InstallError",
             vt_last_error());
        return;
    }
    if (vt_control_auth_add(c, &inst) < 0)
        vt_log_error(LOG, "%s installed, but its auth entry was not written: %s", inst.identity,
                     vt_last_error());
    vt_log_info(LOG, "installed %s (%s) from %s", inst.identity, inst.uuid, inst.package);
    vt_rpc_reply(j->req, cJSON_CreateString(inst.uuid));
    vt_instance_clear(&inst);
    job_free(j);
}

static void replaced_stopped(int rc, void *ctx)
{
    install_job *j = ctx;
    if (rc < 0) {
        fail(j, "builtins.RuntimeError", vt_last_error());
        return;
    }
    install_now(j);
}

/* Without an explicit identity, a package's fixed identity (a template
 * without {n}, like "platform.driver") is the one a forced install replaces. */
static void fixed_identity(install_job *j)
{
    if (j->identity)
        return;
    vt_package p;
    int rc;
    if (j->system_dir) {
        rc = vt_package_load(j->system_dir, &p);
    } else {
        char *text = NULL;
        size_t len = 0;
        rc = vt_tar_read_member(j->data.data, j->data.len, VT_PACKAGE_MANIFEST, 1 << 20, &text,
                                &len);
        if (rc == 0)
            rc = vt_package_parse(text, len, VT_PACKAGE_MANIFEST, &p);
        free(text);
    }
    if (rc < 0)
        return; /* vt_install reports it */
    if (p.identity_template && !strstr(p.identity_template, "{n}"))
        j->identity = vt_strdup(p.identity_template);
    vt_package_clear(&p);
}

/* A forced reinstall first stops the instance it replaces. */
static void stop_then_install(install_job *j)
{
    fixed_identity(j);
    vt_instance old;
    if (j->force && j->identity && vt_instances_find(j->c->home, j->identity, &old) == 0 &&
        strcmp(old.identity, j->identity) == 0) {
        vt_supervisor_stop(j->c->sup, old.identity, replaced_stopped, j);
        vt_instance_clear(&old);
        return;
    }
    install_now(j);
}

/* ---- the channel transfer ---- */

static void timed_out(vt_agent *agent, void *ctx)
{
    (void)agent;
    install_job *j = ctx;
    j->timer = NULL;
    fail(j, "builtins.TimeoutError", "the package did not arrive over the channel in time");
}

static void rearm(install_job *j)
{
    if (j->timer)
        vt_agent_cancel(j->c->agent, j->timer);
    j->timer = vt_agent_after(j->c->agent, WAIT_MS, timed_out, j);
}

static void send_text(install_job *j, const char *text)
{
    vt_channel_send(j->ch, text, strlen(text));
    rearm(j);
}

static void on_data(vt_agent *agent, vt_channel *ch, const void *data, size_t len, void *ctx)
{
    (void)agent;
    (void)ch;
    install_job *j = ctx;
    if (j->want_checksum) {
        unsigned char digest[VT_SHA512_SIZE];
        vt_sha512(j->data.data, j->data.len, digest);
        if (len != VT_SHA512_SIZE || memcmp(digest, data, len) != 0) {
            fail(j, "builtins.AssertionError",
                 "the package's SHA-512 checksum does not match "
                 "what was received");
            return;
        }
        if (j->timer) {
            vt_agent_cancel(j->c->agent, j->timer);
            j->timer = NULL;
        }
        vt_channel_close(&j->ch);
        stop_then_install(j);
        return;
    }
    if (len == 8 && memcmp(data, "complete", 8) == 0) {
        j->want_checksum = true;
        send_text(j, "[\"checksum\"]");
        return;
    }
    if (j->data.len + len > VT_INSTALL_MAX_BYTES) {
        fail(j, "volttron.InstallError", "the package is larger than the platform accepts");
        return;
    }
    vt_buf_append(&j->data, data, len);
    send_text(j, "[\"fetch\", 1000000]");
}

static const char *opt_str(vt_rpc_request *req, int pos, const char *name)
{
    const cJSON *v = vt_rpc_arg(req, pos, name);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static install_job *job_new(control *c, vt_rpc_request *req, int id_pos, int force_pos)
{
    install_job *j = vt_calloc(1, sizeof *j);
    j->c = c;
    const char *identity = opt_str(req, id_pos, "vip_identity");
    j->identity = identity ? vt_strdup(identity) : NULL;
    j->force = cJSON_IsTrue(vt_rpc_arg(req, force_pos, "force"));
    vt_buf_init(&j->data);
    return j;
}

/* VOLTTRON refuses at once when the identity is taken and not forced. */
static bool identity_free(install_job *j, vt_rpc_request *req)
{
    vt_instance old;
    if (!j->identity || j->force || vt_instances_find(j->c->home, j->identity, &old) < 0)
        return true;
    bool same = strcmp(old.identity, j->identity) == 0;
    vt_instance_clear(&old);
    if (!same)
        return true;
    vt_rpc_raise(req, "builtins.ValueError", "Identity already exists, but not forced!");
    return false;
}

cJSON *vt_control_rpc_install_agent(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    control *c = ctx;
    const char *channel = opt_str(req, 1, "channel_name");
    if (!opt_str(req, 0, "filename") || !channel)
        return vt_rpc_raise(req, "builtins.TypeError", "filename and channel_name are required");
    install_job *j = job_new(c, req, 2, 5);
    const char *pub = opt_str(req, 3, "publickey"), *sec = opt_str(req, 4, "secretkey");
    if (pub && sec) {
        char derived[VT_KEY_TEXT_SIZE];
        if (vt_keys_public_from_secret(sec, derived) < 0 || strcmp(derived, pub) != 0) {
            job_free(j);
            return vt_rpc_raise(req, "builtins.ValueError",
                                "publickey and secretkey are not a "
                                "key pair");
        }
        snprintf(j->keys.public_key, sizeof j->keys.public_key, "%s", pub);
        snprintf(j->keys.secret_key, sizeof j->keys.secret_key, "%s", sec);
        j->have_keys = true;
    }
    if (!identity_free(j, req)) {
        job_free(j);
        return NULL;
    }
    j->ch = vt_channel_open(agent, vt_rpc_peer(req), channel, on_data, j);
    if (!j->ch) {
        job_free(j);
        return vt_rpc_raise(req, "builtins.RuntimeError", "%s", vt_last_error());
    }
    j->req = vt_rpc_defer(req);
    send_text(j, "[\"fetch\", 1000000]");
    return NULL;
}

cJSON *vt_control_rpc_install_package(vt_agent *agent, vt_rpc_request *req, void *ctx)
{
    (void)agent;
    control *c = ctx;
    const char *name = opt_str(req, 0, "package");
    if (!name)
        return vt_rpc_raise(req, "builtins.TypeError", "package is required");
    const cJSON *config = vt_rpc_arg(req, 3, "config");
    if (config && !cJSON_IsNull(config) && !cJSON_IsObject(config))
        return vt_rpc_raise(req, "builtins.ValueError", "config must be an object");
    char *dir = vt_install_find_system_package(name);
    if (!dir)
        return vt_rpc_raise(req, "builtins.ValueError", "%s", vt_last_error());
    install_job *j = job_new(c, req, 1, 2);
    j->system_dir = dir;
    j->config = cJSON_IsObject(config) ? cJSON_Duplicate(config, 1) : NULL;
    if (!identity_free(j, req)) {
        job_free(j);
        return NULL;
    }
    j->req = vt_rpc_defer(req);
    stop_then_install(j);
    return NULL;
}
