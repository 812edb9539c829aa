/* The Modbus interface (src/iface_modbus.c) against a real Modbus TCP server:
 * the umbrella's tests/integration/modbus_server.c, found through the
 * environment variable VT_MODBUS_SERVER (set by tests/meson.build when the
 * agent is built inside the umbrella). Without it the test is skipped
 * (exit 77). Plain C checks: every failed check is reported and the exit
 * status is 1.
 *
 * Expected register words were computed with Python's struct module
 * (struct.pack(fmt, v), split into big-endian 16-bit words), independently
 * of the code under test. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <volttron/utils/json.h>

#include "driver.h"

extern const drv_iface_ops drv_modbus_ops;
static const drv_iface_ops *ops = &drv_modbus_ops;

static int failures;
static const char *server_bin;
static char tmpdir[64];

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define CHECK_STR(got, want) check_str(__FILE__, __LINE__, #got, got, want)

static void check_str(const char *file, int line, const char *what, const char *got,
                      const char *want)
{
    if (!got || strcmp(got, want) != 0) {
        fprintf(stderr, "%s:%d: %s\n   got: %s\n  want: %s\n", file, line, what,
                got ? got : "(null)", want);
        failures++;
    }
}

/* got contains want */
#define CHECK_HAS(got, want) check_has(__FILE__, __LINE__, #got, got, want)

static void check_has(const char *file, int line, const char *what, const char *got,
                      const char *want)
{
    if (!got || !strstr(got, want)) {
        fprintf(stderr, "%s:%d: %s\n   got: %s\n  want it to contain: %s\n", file, line, what,
                got ? got : "(null)", want);
        failures++;
    }
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    static char buf[8][4096];
    static int next;
    char *b = buf[next++ % 8];
    va_list ap;
    va_start(ap, f);
    vsnprintf(b, sizeof buf[0], f, ap);
    va_end(ap);
    return b;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the server ---------------------------------------------------------- */

typedef struct server {
    pid_t pid;
    int port;
    char init[128]; /* its assignments file */
    char log[128];  /* its event log */
} server;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strdup(buf);
}

/* The server's event log so far, and empty it. Caller frees. */
static char *take_log(server *s)
{
    char *text = read_file(s->log);
    if (truncate(s->log, 0) < 0 && errno != ENOENT)
        perror(s->log);
    return text;
}

static void clear_log(server *s)
{
    free(take_log(s));
}

/* Start the server on port (0: any) with the assignments in init_text. */
static bool server_start(server *s, const char *name, int port, const char *init_text)
{
    snprintf(s->init, sizeof s->init, "%s/%s.init", tmpdir, name);
    snprintf(s->log, sizeof s->log, "%s/%s.log", tmpdir, name);
    write_file(s->init, init_text);
    int fds[2];
    if (pipe(fds) < 0)
        return false;
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    s->pid = fork();
    if (s->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(server_bin, server_bin, port_text, "-f", s->init, "-l", s->log, (char *)NULL);
        perror(server_bin);
        _exit(127);
    }
    close(fds[1]);
    char line[64] = "";
    size_t n = 0;
    while (n < sizeof line - 1 && !strchr(line, '\n')) {
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        if (poll(&p, 1, 10000) <= 0)
            break;
        ssize_t r = read(fds[0], line + n, sizeof line - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        line[n] = '\0';
    }
    close(fds[0]);
    if (sscanf(line, "port %d", &s->port) != 1 || (port && s->port != port)) {
        fprintf(stderr, "server %s did not start (said \"%s\")\n", name, line);
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
        return false;
    }
    return true;
}

/* SIGTERM; true if it exited with status 0. */
static bool server_stop(server *s)
{
    if (!s->pid)
        return false;
    kill(s->pid, SIGTERM);
    int status = 0;
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* A server restarted on the port it had; the bind may take a moment. */
static bool server_restart(server *s, const char *name, const char *init_text)
{
    int port = s->port;
    for (int i = 0; i < 50; i++) {
        if (server_start(s, name, port, init_text))
            return true;
        usleep(100000);
    }
    return false;
}

/* The words of a native value's bytes in memory order, as assignments. */
static const char *native_words(const void *v, size_t size)
{
    const unsigned char *b = v;
    static char out[8][64];
    static int next;
    char *o = out[next++ % 8];
    o[0] = '\0';
    for (size_t i = 0; i + 1 < size; i += 2)
        snprintf(o + strlen(o), 64 - strlen(o), " 0x%02x%02x", b[i], b[i + 1]);
    return o;
}

/* ---- registries -------------------------------------------------------- */

typedef struct row {
    const char *name, *units, *reg, *writable, *address, *def, *mixed, *notes;
} row;

/* Rows as the config store delivers a CSV: header cell -> cell text; NULL
 * fields are absent columns. */
static cJSON *rows_json(const row *rows, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        const row *r = &rows[i];
        const char *keys[] = {"Volttron Point Name", "Units",         "Modbus Register", "Writable",
                              "Point Address",       "Default Value", "Mixed Endian",    "Notes"};
        const char *vals[] = {r->name,    r->units, r->reg,   r->writable,
                              r->address, r->def,   r->mixed, r->notes};
        for (size_t k = 0; k < 8; k++)
            if (vals[k])
                cJSON_AddStringToObject(o, keys[k], vals[k]);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *dconf(const char *addr, int port, int slave)
{
    cJSON *c = cJSON_CreateObject();
    if (addr)
        cJSON_AddStringToObject(c, "device_address", addr);
    if (port >= 0)
        cJSON_AddNumberToObject(c, "port", port);
    if (slave >= 0)
        cJSON_AddNumberToObject(c, "slave_id", slave);
    return c;
}

typedef struct device {
    void *state;
    drv_registry reg;
} device;

static bool device_configure(device *d, cJSON *config, const row *rows, size_t n)
{
    memset(d, 0, sizeof *d);
    cJSON *reg = rows_json(rows, n);
    drv_error err = {0};
    d->state = ops->configure(config, reg, &d->reg, &err);
    if (!d->state)
        fprintf(stderr, "configure failed: %s: %s\n", err.type, err.msg);
    cJSON_Delete(reg);
    cJSON_Delete(config);
    return d->state != NULL;
}

static void device_free(device *d)
{
    if (d->state)
        ops->destroy(d->state);
    drv_registry_clear(&d->reg);
    d->state = NULL;
}

static drv_register *point(device *d, const char *name)
{
    drv_register *r = drv_registry_find(&d->reg, name);
    if (!r) {
        fprintf(stderr, "no point %s\n", name);
        exit(1);
    }
    return r;
}

/* The scrape as JSON text, or "ERROR <type>: <msg>". Caller frees. */
static char *scrape(device *d)
{
    cJSON *values = cJSON_CreateObject();
    drv_error err = {0};
    char *out;
    if (ops->scrape_all(d->state, &d->reg, values, &err) < 0)
        out = strdup(fmt("ERROR %s: %s", err.type, err.msg));
    else
        out = vt_json_dump(values, 0);
    cJSON_Delete(values);
    return out;
}

static char *get(device *d, const char *name)
{
    cJSON *v = NULL;
    drv_error err = {0};
    char *out;
    if (ops->get_point(d->state, point(d, name), &v, &err) < 0)
        out = strdup(fmt("ERROR %s: %s", err.type, err.msg));
    else
        out = vt_json_dump(v, 0);
    cJSON_Delete(v);
    return out;
}

/* set_point with the value given as JSON text; the result as JSON text or
 * "ERROR <type>: <msg>". */
static char *set(device *d, const char *name, const char *json)
{
    cJSON *value = vt_json_parse(json, strlen(json), 0, NULL, NULL);
    if (!value) {
        fprintf(stderr, "bad JSON in the test: %s\n", json);
        exit(1);
    }
    cJSON *result = NULL;
    drv_error err = {0};
    char *out;
    if (ops->set_point(d->state, point(d, name), value, &result, &err) < 0) {
        out = strdup(fmt("ERROR %s: %s", err.type, err.msg));
        CHECK(result == NULL);
    } else {
        out = vt_json_dump(result, 0);
    }
    cJSON_Delete(result);
    cJSON_Delete(value);
    return out;
}

#define CHECK_SCRAPE(d, want)                                                                      \
    do {                                                                                           \
        char *got_ = scrape(d);                                                                    \
        CHECK_STR(got_, want);                                                                     \
        free(got_);                                                                                \
    } while (0)
#define CHECK_GET(d, p, want)                                                                      \
    do {                                                                                           \
        char *got_ = get(d, p);                                                                    \
        CHECK_STR(got_, want);                                                                     \
        free(got_);                                                                                \
    } while (0)
#define CHECK_SET(d, p, v, want)                                                                   \
    do {                                                                                           \
        char *got_ = set(d, p, v);                                                                 \
        CHECK_STR(got_, want);                                                                     \
        free(got_);                                                                                \
    } while (0)
#define CHECK_LOG(s, want)                                                                         \
    do {                                                                                           \
        char *got_ = take_log(s);                                                                  \
        CHECK_STR(got_, want);                                                                     \
        free(got_);                                                                                \
    } while (0)

/* ---- every register type -------------------------------------------------- */

/* Registry order deliberately differs from address order. */
static const row type_rows[] = {
    {"co_on", "On/Off", "BOOL", "TRUE", "5", "on", NULL, "a coil"},
    {"hr_f", "degF", ">f", "TRUE", "0", "20.5", NULL, "set point"},
    {"hr_h", "count", ">h", "TRUE", "2", "3", NULL, NULL},
    {"hr_d_mixed", "", ">d", "TRUE", "4", NULL, "TRUE", NULL},
    {"hr_Q", "", ">Q", "true", "10", NULL, NULL, NULL},
    {"hr_e", "", ">e", "TRUE", "14", NULL, NULL, NULL},
    {"hr_bad_default", "", ">H", "TRUE", "15", "abc", NULL, NULL},
    {"ir_excl", "", "!H", "FALSE", "62", NULL, NULL, NULL},
    {"ir_L_std", "", "<L", "FALSE", "60", NULL, NULL, NULL},
    {"ir_l_native", "", "l", "FALSE", "56", NULL, NULL, NULL},
    {"ir_i_eq", "", "=i", "FALSE", "52", NULL, NULL, NULL},
    {"ir_e_little", "", "<e", "FALSE", "51", NULL, NULL, NULL},
    {"ir_e", "", ">e", "FALSE", "50", NULL, NULL, NULL},
    {"ir_d_little", "", "<d", "FALSE", "44", NULL, NULL, NULL},
    {"ir_d", "", ">d", "FALSE", "40", NULL, "FALSE", NULL},
    {"ir_q_mixed", "", ">q", "FALSE", "34", NULL, "true", NULL},
    {"ir_q", "", ">q", "FALSE", "30", NULL, NULL, NULL},
    {"ir_I", "", ">I", "FALSE", "24", NULL, NULL, NULL},
    {"ir_l_mixed", "", ">l", "FALSE", "22", NULL, "TRUE", NULL},
    {"ir_l", "", ">l", "FALSE", "20", NULL, NULL, NULL},
    {"", "", "BOOL", "FALSE", "99", NULL, NULL, "no name: skipped"},
    {"ir_h_native", "", "h", "FALSE", "13", NULL, NULL, NULL},
    {"ir_h_little", "", "<h", "FALSE", "12", NULL, NULL, NULL},
    {"ir_h_neg", "", ">h", "FALSE", "11", NULL, NULL, NULL},
    {"ir_H", "", ">H", "FALSE", "10", "5", NULL, NULL},
    {"ir_f_mixed", "", ">f", "FALSE", "4", NULL, "TRUE", NULL},
    {"ir_f_little", "degC", "<f", "FALSE", "2", NULL, NULL, NULL},
    {"ir_f_big", "degF", ">f", "FALSE", "0", NULL, NULL, "outdoor air"},
    {"di_off", "", "bool", "FALSE", "8", NULL, NULL, NULL},
    {"di_on", "", "BOOL", "FALSE", "7", "1", NULL, NULL},
    {"co_off", "", "BOOL", "TRUE", "6", "0", NULL, NULL},
};

static const char *type_init(void)
{
    static char text[2048];
    short h = -1234;
    int32_t i = -2;
    long l = -5;
    snprintf(text, sizeof text,
             "# input registers\n"
             "ir 0 0x4291 0x0000 0x0000 0x9142 0x0000 0xbe80\n"
             "ir 10 0xfde8 0xfb2e 0x2efb%s\n"
             "ir 20 0xfffe 0x7960 0x7960 0xfffe 0xee6b 0x2800\n"
             "ir 30 0xffff 0xfee0 0x8e04 0xfb35 0x04cb 0x71fb 0x011f 0x0000\n"
             "ir 40 0x4009 0x21f9 0xf01b 0x866e 0x0000 0x00e8 0x7648 0x17c2\n"
             "ir 50 0x3e00 0x8e86%s\n"
             "ir 56%s\n"
             "ir 60 0x0700 0x0000 0x0201\n"
             "\n"
             "hr 0 0x41a8 0x0000 0xfff9\n"
             "hr 4 0xa9fc 0xd2f1 0x624d 0x3f50\n"
             "hr 10 0x001f 0xffff 0xffff 0xffff 0x7bff\n"
             "di 7 1 0\n"
             "co 5 1 0\n",
             native_words(&h, sizeof h), native_words(&i, sizeof i), native_words(&l, sizeof l));
    return text;
}

#define TYPES_SCRAPED                                                                              \
    "{\"ir_f_big\": 72.5, \"ir_f_little\": 72.5, \"ir_f_mixed\": -0.25, \"ir_H\": 65000, "         \
    "\"ir_h_neg\": -1234, \"ir_h_little\": -1234, \"ir_h_native\": -1234, "                        \
    "\"ir_l\": -100000, \"ir_l_mixed\": -100000, \"ir_I\": 4000000000, "                           \
    "\"ir_q\": -1234567890123, \"ir_q_mixed\": 1234567890123, \"ir_d\": 3.14159, "                 \
    "\"ir_d_little\": -25000000000.0, \"ir_e\": 1.5, "                                             \
    "\"ir_e_little\": -0.00010001659393310547, \"ir_i_eq\": -2, \"ir_l_native\": -5, "             \
    "\"ir_L_std\": 7, \"ir_excl\": 513, "                                                          \
    "\"hr_f\": 21.0, \"hr_h\": -7, \"hr_d_mixed\": 0.001, \"hr_Q\": 9007199254740991, "            \
    "\"hr_e\": 65504.0, \"hr_bad_default\": 0, "                                                   \
    "\"di_on\": true, \"di_off\": false, \"co_on\": true, \"co_off\": false}"

static char *dump_or_null(const cJSON *v)
{
    return v ? vt_json_dump(v, 0) : strdup("(none)");
}

#define CHECK_DEFAULT(d, p, want)                                                                  \
    do {                                                                                           \
        char *got_ = dump_or_null(point(d, p)->default_value);                                     \
        CHECK_STR(got_, want);                                                                     \
        free(got_);                                                                                \
    } while (0)

static void test_types(void)
{
    server s;
    if (!server_start(&s, "types", 0, type_init())) {
        failures++;
        return;
    }
    device d;
    if (!device_configure(&d, dconf("127.0.0.1", s.port, -1), type_rows,
                          sizeof type_rows / sizeof type_rows[0])) {
        failures++;
        server_stop(&s);
        return;
    }
    CHECK(d.reg.n == sizeof type_rows / sizeof type_rows[0] - 1); /* the nameless row */

    /* what configure made of the rows */
    drv_register *r = point(&d, "ir_f_big");
    CHECK_STR(r->meta_type, "float");
    CHECK_STR(r->units, "degF");
    CHECK_STR(r->description, "outdoor air");
    CHECK(r->read_only && !r->bit);
    r = point(&d, "ir_H");
    CHECK_STR(r->meta_type, "integer");
    CHECK(r->read_only && !r->bit);
    CHECK_STR(point(&d, "ir_e")->meta_type, "float");
    CHECK_STR(point(&d, "hr_d_mixed")->meta_type, "float");
    CHECK_STR(point(&d, "hr_Q")->meta_type, "integer");
    r = point(&d, "hr_f");
    CHECK(!r->read_only && !r->bit);
    r = point(&d, "di_on");
    CHECK_STR(r->meta_type, "boolean");
    CHECK(r->read_only && r->bit);
    r = point(&d, "co_on");
    CHECK_STR(r->meta_type, "boolean");
    CHECK_STR(r->description, "a coil");
    CHECK(!r->read_only && r->bit);
    CHECK(!point(&d, "hr_Q")->read_only); /* "true" in any case is writable */

    /* defaults: writable points only, converted to the point's type */
    CHECK_DEFAULT(&d, "hr_f", "20.5");
    CHECK_DEFAULT(&d, "hr_h", "3");
    CHECK_DEFAULT(&d, "co_on", "true");
    CHECK_DEFAULT(&d, "co_off", "false");
    CHECK_DEFAULT(&d, "hr_bad_default", "(none)"); /* not a number: warned, ignored */
    CHECK_DEFAULT(&d, "ir_H", "(none)");           /* read-only */
    CHECK_DEFAULT(&d, "di_on", "(none)");
    CHECK_DEFAULT(&d, "hr_Q", "(none)");

    /* every type and byte order scraped back exactly, in table order
     * (input registers, holding registers, discrete inputs, coils), each by
     * address */
    clear_log(&s);
    CHECK_SCRAPE(&d, TYPES_SCRAPED);
    /* one connection; contiguous ranges merged; gaps split them */
    CHECK_LOG(&s, "accept\n"
                  "0 4 0 6\n0 4 10 4\n0 4 20 6\n0 4 30 8\n0 4 40 8\n0 4 50 4\n0 4 56 7\n"
                  "0 3 0 3\n0 3 4 4\n0 3 10 6\n"
                  "0 2 7 2\n"
                  "0 1 5 2\n");

    /* get_point: one connection, one read of the point's own table */
    CHECK_GET(&d, "ir_f_big", "72.5");
    CHECK_LOG(&s, "accept\n0 4 0 2\n");
    CHECK_GET(&d, "ir_q_mixed", "1234567890123");
    CHECK_GET(&d, "hr_d_mixed", "0.001");
    CHECK_LOG(&s, "accept\n0 4 34 4\naccept\n0 3 4 4\n");
    CHECK_GET(&d, "di_on", "true");
    CHECK_GET(&d, "co_off", "false");
    CHECK_LOG(&s, "accept\n0 2 7 1\naccept\n0 1 6 1\n");

    /* set_point: FC16 (even for one register) / FC5, then the read-back */
    CHECK_SET(&d, "hr_f", "99.5", "99.5");
    CHECK_LOG(&s, "accept\n0 16 0 2 0x42c7 0x0000\n0 3 0 2\n");
    CHECK_SET(&d, "hr_d_mixed", "2.5", "2.5");
    CHECK_LOG(&s, "accept\n0 16 4 4 0x0000 0x0000 0x0000 0x4004\n0 3 4 4\n");
    CHECK_SET(&d, "hr_h", "\"-42\"", "-42");
    CHECK_LOG(&s, "accept\n0 16 2 1 0xffd6\n0 3 2 1\n");
    CHECK_SET(&d, "hr_h", "12.9", "12"); /* int(12.9) */
    CHECK_SET(&d, "hr_h", "-12.9", "-12");
    CHECK_SET(&d, "hr_h", "true", "1");
    CHECK_SET(&d, "hr_h", "\" 7 \"", "7");
    CHECK_SET(&d, "hr_h", "-32768", "-32768");
    /* 64-bit values from strings are written exactly (read back as a double) */
    clear_log(&s);
    free(set(&d, "hr_Q", "\"18446744073709551615\""));
    CHECK_LOG(&s, "accept\n0 16 10 4 0xffff 0xffff 0xffff 0xffff\n0 3 10 4\n");
    CHECK_SET(&d, "hr_Q", "9007199254740991", "9007199254740991");
    CHECK_SET(&d, "hr_f", "\"7.25\"", "7.25");
    CHECK_SET(&d, "hr_f", "3", "3.0");
    CHECK_SET(&d, "hr_f", "\"inf\"", "Infinity");
    CHECK_SET(&d, "hr_e", "65519", "65504.0"); /* rounds down to the largest half */
    CHECK_SET(&d, "hr_e", "0.1", "0.0999755859375");
    CHECK_SET(&d, "hr_e", "1e-7", "1.1920928955078125e-07"); /* subnormal */
    clear_log(&s);
    CHECK_SET(&d, "co_off", "true", "true");
    CHECK_LOG(&s, "accept\n0 5 6 1 1\n0 1 6 1\n");
    CHECK_SET(&d, "co_off", "\"off\"", "false");
    CHECK_SET(&d, "co_off", "2", "true");
    CHECK_SET(&d, "co_off", "\"0\"", "false");
    CHECK_SET(&d, "co_off", "\"ON\"", "true");
    CHECK_GET(&d, "co_off", "true");
    clear_log(&s);

    /* refused before any connection */
    CHECK_SET(&d, "ir_H", "5",
              "ERROR builtins.OSError: Trying to write to a point configured read only: ir_H");
    CHECK_SET(&d, "di_on", "true",
              "ERROR builtins.OSError: Trying to write to a point configured read only: di_on");
    CHECK_SET(&d, "hr_h", "40000",
              "ERROR struct.error: 'h' format requires -32768 <= number <= 32767");
    CHECK_SET(&d, "hr_h", "-32769",
              "ERROR struct.error: 'h' format requires -32768 <= number <= 32767");
    CHECK_SET(&d, "hr_Q", "-1",
              "ERROR struct.error: 'Q' format requires 0 <= number <= 18446744073709551615");
    CHECK_SET(&d, "hr_Q", "\"18446744073709551616\"",
              "ERROR struct.error: 'Q' format requires 0 <= number <= 18446744073709551615");
    CHECK_SET(&d, "hr_f", "1e300",
              "ERROR builtins.OverflowError: float too large to pack with f format");
    CHECK_SET(&d, "hr_e", "65520",
              "ERROR builtins.OverflowError: float too large to pack with e format");
    char *e = set(&d, "hr_h", "\"abc\"");
    CHECK_HAS(e, "ERROR builtins.ValueError: ");
    CHECK_HAS(e, "\"abc\"");
    CHECK_HAS(e, "hr_h");
    free(e);
    e = set(&d, "hr_h", "\"1.5\"");
    CHECK_HAS(e, "ERROR builtins.ValueError: ");
    free(e);
    e = set(&d, "hr_h", "{}");
    CHECK_HAS(e, "ERROR builtins.ValueError: ");
    free(e);
    e = set(&d, "hr_h", "null");
    CHECK_HAS(e, "ERROR builtins.ValueError: ");
    free(e);
    e = set(&d, "hr_f", "[1]");
    CHECK_HAS(e, "ERROR builtins.ValueError: ");
    CHECK_HAS(e, "hr_f");
    free(e);
    e = set(&d, "hr_f", "\"0x10\"");
    CHECK_HAS(e, "ERROR builtins.ValueError: ");
    free(e);
    e = set(&d, "co_on", "\"maybe\"");
    CHECK_HAS(e, "ERROR builtins.ValueError: ");
    CHECK_HAS(e, "co_on");
    free(e);
    CHECK_LOG(&s, ""); /* none of those reached the device */

    /* the device goes away: get_point reads null [QUIRK], scrape and
     * set_point fail with 9.0.4's messages */
    CHECK(server_stop(&s));
    CHECK_GET(&d, "hr_f", "null");
    CHECK_GET(&d, "co_on", "null");
    char *got = scrape(&d);
    CHECK_STR(got, fmt("ERROR " DRV_INTERFACE_ERROR ": Failed to scrape device at 127.0.0.1:%d "
                       "ID: 0Connection refused",
                       s.port));
    free(got);
    CHECK_SET(&d, "hr_h", "1",
              "ERROR builtins.OSError: Error encountered trying to write to point hr_h: "
              "Connection refused");

    /* and comes back on the same port: everything works again */
    if (server_restart(&s, "types", type_init())) {
        CHECK_SCRAPE(&d, TYPES_SCRAPED);
        CHECK_SET(&d, "hr_h", "-5", "-5");
        CHECK(server_stop(&s));
    } else {
        failures++;
    }
    device_free(&d);
}

/* ---- ranges, chunks and order ------------------------------------------ */

static void test_ranges(void)
{
    /* 130 contiguous holding registers (read as 100 + 30), input
     * registers with adjacent, gapped, overlapping and shared addresses,
     * discrete inputs with a gap, a coil; points listed out of order. */
    enum {
        NHR = 130
    };
    row rows[NHR + 16];
    char names[NHR][16], addrs[NHR][16];
    size_t n = 0;
    rows[n++] = (row){"co0", "", "BOOL", "TRUE", "0", NULL, NULL, NULL};
    rows[n++] = (row){"di3", "", "BOOL", "FALSE", "3", NULL, NULL, NULL};
    rows[n++] = (row){"di0", "", "BOOL", "FALSE", "0", NULL, NULL, NULL};
    rows[n++] = (row){"di1", "", "BOOL", "FALSE", "1", NULL, NULL, NULL};
    for (int i = NHR - 1; i >= 0; i--) {
        snprintf(names[i], sizeof names[i], "hr%d", 100 + i);
        snprintf(addrs[i], sizeof addrs[i], "%d", 100 + i);
        rows[n++] = (row){names[i], "", ">H", "TRUE", addrs[i], NULL, NULL, NULL};
    }
    rows[n++] = (row){"ir_same_b", "", ">h", "FALSE", "20", NULL, NULL, NULL};
    rows[n++] = (row){"ir_same_a", "", ">H", "FALSE", "20", NULL, NULL, NULL};
    rows[n++] = (row){"ir_ov_h", "", ">H", "FALSE", "12", NULL, NULL, NULL};
    rows[n++] = (row){"ir_ov_d", "", ">d", "FALSE", "10", NULL, NULL, NULL};
    rows[n++] = (row){"ir_gap", "", ">H", "FALSE", "5", NULL, NULL, NULL};
    rows[n++] = (row){"ir_c", "", ">H", "FALSE", "3", NULL, NULL, NULL};
    rows[n++] = (row){"ir_b", "", ">H", "FALSE", "2", NULL, NULL, NULL};
    rows[n++] = (row){"ir_a", "", ">f", "FALSE", "0", NULL, NULL, NULL};

    char init[8192] = "ir 0 0x4291 0x0000 2 3 4 5\nir 10 0x3ff0 0 0 0\nir 20 0xffff\n"
                      "di 0 1 0 0 1\nco 0 1\n";
    for (int i = 0; i < NHR; i++)
        snprintf(init + strlen(init), sizeof init - strlen(init), "hr %d %d\n", 100 + i, 3 * i);
    server s;
    if (!server_start(&s, "ranges", 0, init)) {
        failures++;
        return;
    }
    device d;
    if (!device_configure(&d, dconf("127.0.0.1", s.port, 17), rows, n)) {
        failures++;
        server_stop(&s);
        return;
    }
    clear_log(&s);
    char want[8192] = "{\"ir_a\": 72.5, \"ir_b\": 2, \"ir_c\": 3, \"ir_gap\": 5, "
                      "\"ir_ov_d\": 1.0, \"ir_ov_h\": 0, \"ir_same_b\": -1, "
                      "\"ir_same_a\": 65535";
    for (int i = 0; i < NHR; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), ", \"hr%d\": %d", 100 + i, 3 * i);
    strcat(want, ", \"di0\": true, \"di1\": false, \"di3\": true, \"co0\": true}");
    CHECK_SCRAPE(&d, want);
    /* the unit id is slave_id; at most 100 per request */
    CHECK_LOG(&s, "accept\n"
                  "17 4 0 4\n17 4 5 1\n17 4 10 4\n17 4 20 1\n"
                  "17 3 100 100\n17 3 200 30\n"
                  "17 2 0 2\n17 2 3 1\n"
                  "17 1 0 1\n");
    CHECK_SET(&d, "hr229", "7", "7");
    CHECK_LOG(&s, "accept\n17 16 229 1 0x0007\n17 3 229 1\n");

    /* the server refuses a read: the scrape fails, naming the unit */
    device bad;
    row beyond[] = {{"far", "", ">H", "FALSE", "10000", NULL, NULL, NULL}};
    if (device_configure(&bad, dconf("127.0.0.1", s.port, 17), beyond, 1)) {
        char *got = scrape(&bad);
        CHECK_STR(got, fmt("ERROR " DRV_INTERFACE_ERROR ": Failed to scrape device at "
                           "127.0.0.1:%d ID: 17Illegal data address (reading input registers "
                           "10000-10000)",
                           s.port));
        free(got);
        CHECK_GET(&bad, "far", "null");
        device_free(&bad);
    } else {
        failures++;
    }
    CHECK(server_stop(&s));
    device_free(&d);
}

/* ---- a device that accepts but never answers ------------------------------ */

static void test_silent_device(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 8) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        perror("listen");
        failures++;
        return;
    }
    int port = ntohs(a.sin_port);
    row rows[] = {{"x", "", ">H", "TRUE", "0", NULL, NULL, NULL}};
    device d;
    if (!device_configure(&d, dconf("127.0.0.1", port, -1), rows, 1)) {
        failures++;
        close(fd);
        return;
    }
    double t0 = now();
    CHECK_GET(&d, "x", "null");
    char *got = scrape(&d);
    CHECK_HAS(got, fmt("ERROR " DRV_INTERFACE_ERROR ": Failed to scrape device at 127.0.0.1:%d "
                       "ID: 0",
                       port));
    free(got);
    got = set(&d, "x", "1");
    CHECK_HAS(got, "ERROR builtins.OSError: Error encountered trying to write to point x: ");
    free(got);
    double took = now() - t0;
    /* three operations, each bounded by the 1 s response timeout */
    CHECK(took < 6.0);
    device_free(&d);
    close(fd);
}

/* ---- configuration errors ------------------------------------------------ */

/* configure must fail with a message containing each of the wants, leaving
 * no registers. */
static void expect_config_error(int line, cJSON *config, cJSON *registry, const char *want1,
                                const char *want2)
{
    drv_registry reg = {0};
    drv_error err = {0};
    void *state = ops->configure(config, registry, &reg, &err);
    if (state) {
        fprintf(stderr, "%s:%d: configure succeeded, expected an error with \"%s\"\n", __FILE__,
                line, want1);
        failures++;
        ops->destroy(state);
    } else {
        check_has(__FILE__, line, "error", err.msg, want1);
        if (want2)
            check_has(__FILE__, line, "error", err.msg, want2);
        check_str(__FILE__, line, "error type", err.type, DRV_INTERFACE_ERROR);
        if (reg.n) {
            fprintf(stderr, "%s:%d: registers left after a failed configure\n", __FILE__, line);
            failures++;
        }
    }
    drv_registry_clear(&reg);
    cJSON_Delete(config);
    cJSON_Delete(registry);
}

#define CONFIG_ERROR(config, rows, w1, w2)                                                         \
    expect_config_error(__LINE__, config, rows_json(rows, sizeof rows / sizeof rows[0]), w1, w2)

static void test_config_errors(void)
{
    row good[] = {{"p", "", ">H", "TRUE", "0", NULL, NULL, NULL}};
    CONFIG_ERROR(dconf(NULL, 502, 0), good, "\"device_address\"", "missing");
    cJSON *c = dconf(NULL, -1, -1);
    cJSON_AddNumberToObject(c, "device_address", 10);
    CONFIG_ERROR(c, good, "\"device_address\"", NULL);
    c = dconf("127.0.0.1", -1, -1);
    cJSON_AddStringToObject(c, "port", "http");
    CONFIG_ERROR(c, good, "\"port\"", NULL);
    CONFIG_ERROR(dconf("127.0.0.1", 70000, -1), good, "\"port\"", NULL);
    CONFIG_ERROR(dconf("127.0.0.1", 502, 300), good, "\"slave_id\"", NULL);
    CONFIG_ERROR(dconf("127.0.0.1", 502, 250), good, "\"slave_id\"", NULL);
    expect_config_error(__LINE__, dconf("127.0.0.1", -1, -1), NULL, "list of rows", NULL);

    row no_units[] = {good[0], {"temp", NULL, ">f", "FALSE", "4", NULL, NULL, NULL}};
    CONFIG_ERROR(dconf("127.0.0.1", -1, -1), no_units, "missing column \"Units\"", "temp");
    CONFIG_ERROR(dconf("127.0.0.1", -1, -1), no_units, "row 2", NULL);
    row no_name[] = {{NULL, "", ">f", "FALSE", "4", NULL, NULL, NULL}};
    CONFIG_ERROR(dconf("127.0.0.1", -1, -1), no_name, "missing column \"Volttron Point Name\"",
                 "row 1");
    row no_reg[] = {{"p", "", NULL, "FALSE", "4", NULL, NULL, NULL}};
    CONFIG_ERROR(dconf("127.0.0.1", -1, -1), no_reg, "missing column \"Modbus Register\"", "p");
    row no_writable[] = {{"p", "", ">H", NULL, "4", NULL, NULL, NULL}};
    CONFIG_ERROR(dconf("127.0.0.1", -1, -1), no_writable, "missing column \"Writable\"", NULL);
    row no_address[] = {{"p", "", ">H", "TRUE", NULL, NULL, NULL, NULL}};
    CONFIG_ERROR(dconf("127.0.0.1", -1, -1), no_address, "missing column \"Point Address\"", NULL);

    const char *bad_formats[] = {"<s", "?", ">2h", "x", "", ">", "hh", "B", ">c", "float", "n"};
    for (size_t i = 0; i < sizeof bad_formats / sizeof bad_formats[0]; i++) {
        row bad[] = {good[0], {"odd", "", bad_formats[i], "FALSE", "4", NULL, NULL, NULL}};
        CONFIG_ERROR(dconf("127.0.0.1", -1, -1), bad, "odd", fmt("\"%s\"", bad_formats[i]));
    }
    row bad_address[] = {{"p", "", ">H", "TRUE", "4x", NULL, NULL, NULL}};
    CONFIG_ERROR(dconf("127.0.0.1", -1, -1), bad_address, "Point Address", "\"4x\"");
    row negative_address[] = {{"p", "", ">H", "TRUE", "-1", NULL, NULL, NULL}};
    CONFIG_ERROR(dconf("127.0.0.1", -1, -1), negative_address, "Point Address", NULL);
    row past_end[] = {{"p", "", ">d", "TRUE", "65533", NULL, NULL, NULL}};
    CONFIG_ERROR(dconf("127.0.0.1", -1, -1), past_end, "Point Address", NULL);
    row twice[] = {good[0], good[0]};
    CONFIG_ERROR(dconf("127.0.0.1", -1, -1), twice, "twice", NULL);
    row none[] = {{"", "", ">H", "TRUE", "1", NULL, NULL, NULL}};
    CONFIG_ERROR(dconf("127.0.0.1", -1, -1), none, "no points", NULL);

    /* defaults: port 502, slave_id 0 (seen in the scrape error); numbers as
     * strings are accepted */
    device d;
    if (device_configure(&d, dconf("127.0.0.1", -1, -1), good, 1)) {
        char *got = scrape(&d);
        CHECK_HAS(got, "Failed to scrape device at 127.0.0.1:502 ID: 0");
        free(got);
        device_free(&d);
    } else {
        failures++;
    }
    c = dconf("localhost", -1, -1);
    cJSON_AddStringToObject(c, "port", "1502");
    cJSON_AddStringToObject(c, "slave_id", "255");
    if (device_configure(&d, c, good, 1)) {
        char *got = scrape(&d);
        CHECK_HAS(got, "Failed to scrape device at localhost:1502 ID: 255");
        free(got);
        device_free(&d);
    } else {
        failures++;
    }
}

static void cleanup(void)
{
    char path[128];
    const char *names[] = {"types.init", "types.log", "ranges.init", "ranges.log"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

int main(void)
{
    server_bin = getenv("VT_MODBUS_SERVER");
    if (!server_bin || !*server_bin) {
        printf("skipped: VT_MODBUS_SERVER (the path of vt-modbus-server) is not set\n");
        return 77;
    }
    if (access(server_bin, X_OK) != 0) {
        printf("skipped: VT_MODBUS_SERVER=%s: %s (is the umbrella built with -Dtests=true?)\n",
               server_bin, strerror(errno));
        return 77;
    }
    signal(SIGPIPE, SIG_IGN);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vt-modbus-test-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_config_errors();
    test_types();
    test_ranges();
    test_silent_device();
    cleanup();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all modbus interface checks passed\n");
    return 0;
}
