/* The wizard's questions.
 *
 * Differences from VOLTTRON 9.0.4, all because this build has no RabbitMQ,
 * no web server and no VOLTTRON Central agents:
 *  - "rmq" is refused ("RabbitMQ is not available in this build.") and the
 *    message bus question asked again;
 *  - a web-enabled instance records bind-web-address only: no certificate
 *    questions, and no "Is this an instance of volttron central?";
 *  - "Will this instance be controlled by volttron central?" defaults to N
 *    (VOLTTRON: Y) and records volttron-central-address only, without
 *    installing a VolttronCentralPlatform agent.
 * Also: the vip address must be tcp://HOST without a port (VOLTTRON accepts
 * a port there and then appends a second one); the volttron central host
 * and the web protocol print why an answer is refused (VOLTTRON asks again
 * silently); an instance name may not contain '"' or '\', which the
 * daemon's shell-style reading of the file would mangle; when the platform
 * is running, the vip address it already holds is not test-bound.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <volttron/utils/error.h>
#include <volttron/utils/ini.h>
#include <volttron/utils/mem.h>

#include "address.h"
#include "agents.h"
#include "platform.h"
#include "wizard.h"

#define DEFAULT_VIP_ADDRESS "tcp://127.0.0.1"
#define DEFAULT_VIP_PORT 22916
#define DEFAULT_INSTANCE_NAME "volttron1"
#define DEFAULT_WEB_PORT 8443
#define DEFAULT_HTTP_PORT 8080
#define DEFAULT_VC_PORT 8443

static const char *const NOT_VALID_ADDRESS = "Address is not valid.";
static const char *const NOT_VALID_PORT = "Port is not valid.";

/* ---- checks ---------------------------------------------------------- */

static const char *check_bus(const char *answer, void *ctx)
{
    (void)ctx;
    if (strcmp(answer, "zmq") == 0)
        return NULL;
    if (strcmp(answer, "rmq") == 0)
        return "RabbitMQ is not available in this build.";
    return "Message type is not valid. Valid entries are zmq or rmq.";
}

static const char *check_vip_address(const char *answer, void *ctx)
{
    (void)ctx;
    vcfg_url u;
    if (!vcfg_url_parse(answer, &u))
        return NOT_VALID_ADDRESS;
    bool ok = strcmp(u.scheme, "tcp") == 0 && u.port < 0;
    vcfg_url_clear(&u);
    return ok ? NULL : NOT_VALID_ADDRESS;
}

static const char *check_port(const char *answer, void *ctx)
{
    (void)ctx;
    return vcfg_port_parse(answer) > 0 ? NULL : NOT_VALID_PORT;
}

static const char *check_instance_name(const char *answer, void *ctx)
{
    (void)ctx;
    if (!*answer)
        return "Instance name is not valid: it may not be empty.";
    if (strpbrk(answer, "\"\\"))
        return "Instance name is not valid: it may not contain '\"' or '\\'.";
    return NULL;
}

static const char *check_protocol(const char *answer, void *ctx)
{
    (void)ctx;
    if (strcasecmp(answer, "https") == 0 || strcasecmp(answer, "http") == 0)
        return NULL;
    return "Protocol is not valid. Valid entries are https or http.";
}

static const char *check_web_url(const char *answer, void *ctx)
{
    (void)ctx;
    vcfg_url u;
    if (!vcfg_url_parse(answer, &u))
        return NOT_VALID_ADDRESS;
    bool ok = (strcmp(u.scheme, "http") == 0 || strcmp(u.scheme, "https") == 0) && u.port < 0;
    vcfg_url_clear(&u);
    return ok ? NULL : NOT_VALID_ADDRESS;
}

/* ---- helpers --------------------------------------------------------- */

static char *host_name(void)
{
    char name[256];
    if (gethostname(name, sizeof name) < 0 || !name[0])
        return vt_strdup("localhost");
    name[sizeof name - 1] = '\0';
    return vt_strdup(name);
}

static char *port_text(int port)
{
    return vt_asprintf("%d", port);
}

/* "scheme://host" of an answer check_*_url accepted (trailing slashes go). */
static char *url_base(const char *answer)
{
    vcfg_url u;
    if (!vcfg_url_parse(answer, &u))
        return vt_strdup(answer);
    char *base = vt_asprintf("%s://%s", u.scheme, u.host);
    vcfg_url_clear(&u);
    return base;
}

/* ---- the questions --------------------------------------------------- */

static int ask_message_bus(vcfg_prompt *p, vcfg_config *cfg, const vcfg_options *o)
{
    char *bus;
    int rc = vcfg_ask(p, "What type of message bus (rmq/zmq)?", "zmq", o->message_bus, check_bus,
                      NULL, &bus);
    if (rc < 0)
        return rc;
    vcfg_config_set(cfg, "message-bus", bus);
    free(bus);
    return 0;
}

/* Try the address: 0 if usable, else print why and return the error. */
static int test_bind(vcfg_prompt *p, const char *address, int port)
{
    vcfg_url u;
    if (!vcfg_url_parse(address, &u))
        return vt_error_set(-EINVAL, "%s: %s", address, NOT_VALID_ADDRESS);
    int rc = vcfg_try_bind(u.host, port);
    vcfg_url_clear(&u);
    if (rc == -EADDRINUSE)
        vcfg_say(p, "\nERROR: That address has already been bound to.");
    else if (rc < 0)
        vcfg_say(p, "\nERROR: %s", vt_last_error());
    return rc;
}

static int ask_vip(vcfg_prompt *p, vcfg_config *cfg, const vcfg_options *o)
{
    const char *existing = vcfg_config_get(cfg, "vip-address");
    char *address = vt_strdup(DEFAULT_VIP_ADDRESS);
    char *port = port_text(DEFAULT_VIP_PORT);
    vcfg_url u;
    if (existing && vcfg_url_parse(existing, &u)) {
        if (strcmp(u.scheme, "tcp") == 0) {
            free(address);
            address = vt_asprintf("tcp://%s", u.host);
            if (u.port > 0) {
                free(port);
                port = port_text(u.port);
            }
        }
        vcfg_url_clear(&u);
    }
    /* The running platform holds its own address: not a conflict. */
    char *held = existing && vcfg_platform_running(cfg->home) ? vt_strdup(existing) : NULL;
    char *full = NULL;
    int rc;
    for (;;) {
        char *a, *n;
        int fixed_a = vcfg_ask(p, "What is the vip address?", address, o->vip_address,
                               check_vip_address, NULL, &a);
        if (fixed_a < 0) {
            rc = fixed_a;
            break;
        }
        int fixed_n = vcfg_ask(p, "What is the port for the vip address?", port, o->vip_port,
                               check_port, NULL, &n);
        if (fixed_n < 0) {
            free(a);
            rc = fixed_n;
            break;
        }
        free(address);
        free(port);
        address = url_base(a);
        port = n;
        free(a);
        full = vt_asprintf("%s:%s", address, port);
        if (held && strcmp(full, held) == 0) {
            rc = 0;
            break;
        }
        rc = test_bind(p, address, vcfg_port_parse(port));
        if (rc == 0)
            break;
        if (fixed_a && fixed_n) {
            if (rc == -EADDRINUSE)
                rc = vt_error_set(rc,
                                  "%s is in use: give a free one with --vip-address and "
                                  "--vip-port",
                                  full);
            break;
        }
        free(full);
        full = NULL;
    }
    if (rc == 0)
        vcfg_config_set(cfg, "vip-address", full);
    free(full);
    free(held);
    free(address);
    free(port);
    return rc;
}

static int ask_instance_name(vcfg_prompt *p, vcfg_config *cfg, const vcfg_options *o)
{
    const char *stored = vcfg_config_get(cfg, "instance-name");
    char *def = stored ? vt_ini_unquote(stored) : NULL;
    if (!def || !*def || check_instance_name(def, NULL)) {
        free(def);
        def = vt_strdup(DEFAULT_INSTANCE_NAME);
    }
    char *name;
    int rc = vcfg_ask(p, "What is the name of this instance?", def, o->instance_name,
                      check_instance_name, NULL, &name);
    free(def);
    if (rc < 0)
        return rc;
    /* Quoted, as VOLTTRON's wizard writes it; the daemon unquotes. */
    char *quoted = vt_asprintf("\"%s\"", name);
    vcfg_config_set(cfg, "instance-name", quoted);
    free(quoted);
    free(name);
    return 0;
}

static int ask_web(vcfg_prompt *p, vcfg_config *cfg, const vcfg_options *o)
{
    bool yes;
    int rc = vcfg_ask_yes_no(p, "Is this instance web enabled?", false, o->web, &yes);
    if (rc < 0 || !yes)
        return rc;

    /* Defaults from the stored address, else https://<this host>:8443. */
    char *scheme = vt_strdup("https"), *host = NULL;
    int port = -1;
    vcfg_url u;
    const char *stored = vcfg_config_get(cfg, "bind-web-address");
    if (stored && vcfg_url_parse(stored, &u)) {
        if (strcmp(u.scheme, "http") == 0 || strcmp(u.scheme, "https") == 0) {
            free(scheme);
            scheme = vt_strdup(u.scheme);
            host = vt_strdup(u.host);
            port = u.port;
        }
        vcfg_url_clear(&u);
    }
    if (!host)
        host = host_name();

    char *protocol = NULL, *answer = NULL;
    rc = vcfg_ask(p, "What is the protocol for this instance?", scheme, o->web_protocol,
                  check_protocol, NULL, &protocol);
    if (rc >= 0) {
        for (char *c = protocol; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        vcfg_say(p, "Web address set to: %s://%s", protocol, host);
        if (port < 0)
            port = DEFAULT_WEB_PORT;
        if (strcmp(protocol, "http") == 0 && port == DEFAULT_WEB_PORT)
            port = DEFAULT_HTTP_PORT;
        char *def = port_text(port);
        rc = vcfg_ask(p, "What is the port for this instance?", def, o->web_port, check_port, NULL,
                      &answer);
        free(def);
    }
    if (rc >= 0) {
        char *address = vt_asprintf("%s://%s:%s", protocol, host, answer);
        vcfg_config_set(cfg, "bind-web-address", address);
        free(address);
        vcfg_say(p, "This build's platform has no web server yet: bind-web-address is "
                    "recorded for when it has one, and no web certificate is set up.");
        rc = 0;
    }
    free(answer);
    free(protocol);
    free(scheme);
    free(host);
    return rc;
}

static int ask_vc(vcfg_prompt *p, vcfg_config *cfg, const vcfg_options *o)
{
    bool yes;
    int rc = vcfg_ask_yes_no(p, "Will this instance be controlled by volttron central?", false,
                             o->vc, &yes);
    if (rc < 0 || !yes)
        return rc;

    /* Defaults as VOLTTRON: the stored VC address, else this instance's web
     * address, else https://<this host>; port 8443 unless given there. */
    const char *stored = vcfg_config_get(cfg, "volttron-central-address");
    if (!stored)
        stored = vcfg_config_get(cfg, "bind-web-address");
    char *address = NULL;
    int port = DEFAULT_VC_PORT;
    vcfg_url u;
    if (stored && vcfg_url_parse(stored, &u)) {
        address = vt_asprintf("%s://%s", u.scheme, u.host);
        if (u.port > 0)
            port = u.port;
        vcfg_url_clear(&u);
    }
    if (!address) {
        char *host = host_name();
        address = vt_asprintf("https://%s", host);
        free(host);
    }
    char *port_def = port_text(port);

    /* --vc-address URL answers both questions (the port defaults to 8443). */
    char *preset_address = NULL, *preset_port = NULL;
    if (o->vc_address) {
        if (vcfg_url_parse(o->vc_address, &u)) {
            preset_address = vt_asprintf("%s://%s", u.scheme, u.host);
            preset_port = port_text(u.port > 0 ? u.port : DEFAULT_VC_PORT);
            vcfg_url_clear(&u);
        } else {
            preset_address = vt_strdup(o->vc_address);
        }
    }

    char *a = NULL, *n = NULL;
    rc = vcfg_ask(p, "What is the hostname for volttron central?", address, preset_address,
                  check_web_url, NULL, &a);
    if (rc >= 0)
        rc = vcfg_ask(p, "What is the port for volttron central?", port_def, preset_port,
                      check_port, NULL, &n);
    if (rc >= 0) {
        char *base = url_base(a);
        char *full = vt_asprintf("%s:%s", base, n);
        vcfg_config_set(cfg, "volttron-central-address", full);
        free(full);
        free(base);
        vcfg_say(p, "The VolttronCentralPlatform agent is not part of this build: only "
                    "volttron-central-address is recorded.");
        rc = 0;
    }
    free(a);
    free(n);
    free(preset_address);
    free(preset_port);
    free(port_def);
    free(address);
    return rc;
}

int vcfg_wizard_platform(vcfg_prompt *p, vcfg_config *cfg, const vcfg_options *o)
{
    int rc = ask_message_bus(p, cfg, o);
    if (rc == 0)
        rc = ask_vip(p, cfg, o);
    if (rc == 0)
        rc = ask_instance_name(p, cfg, o);
    if (rc == 0)
        rc = ask_web(p, cfg, o);
    if (rc == 0)
        rc = ask_vc(p, cfg, o);
    return rc;
}

int vcfg_wizard_agent(vcfg_prompt *p, const vcfg_options *o, vcfg_agent_id id, vcfg_plan *plan)
{
    plan->install[id] = true;
    vcfg_say(p, "Configuring %s.", vcfg_agent_get(id)->package);
    int rc = 0;
    if (id == VCFG_DRIVER)
        rc = vcfg_ask_yes_no(p, "Would you like to install a fake device on the platform driver?",
                             false, o->fake_device, &plan->fake_device);
    if (rc == 0)
        rc = vcfg_ask_yes_no(p, "Should the agent autostart?", false, o->autostart,
                             &plan->autostart[id]);
    return rc;
}

int vcfg_wizard_agents(vcfg_prompt *p, const vcfg_options *o, vcfg_plan *plan)
{
    for (int id = 0; id < VCFG_AGENT_COUNT; id++) {
        bool yes;
        int rc = vcfg_ask_yes_no(p, vcfg_agent_get((vcfg_agent_id)id)->question, false,
                                 o->install[id], &yes);
        if (rc == 0 && yes)
            rc = vcfg_wizard_agent(p, o, (vcfg_agent_id)id, plan);
        if (rc < 0)
            return rc;
    }
    return 0;
}
