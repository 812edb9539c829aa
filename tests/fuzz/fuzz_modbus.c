/* The platform driver's Modbus interface (agents/platform-driver,
 * iface_modbus.c): the registry CSV read into points (formats, addresses,
 * byte and word orders, defaults), and the bytes a device answers decoded
 * into values; also values written converted to registers.
 *
 * The device is a Modbus TCP responder on a thread of this process, on
 * 127.0.0.1, whose registers and behaviour come from the input. The input
 * is split by 0x1E (ASCII record separator) into sections:
 *   0  the registry, CSV (as `vctl config store --csv` stores it)
 *   1  the device's memory: register n is bytes 2n, 2n+1 (big-endian), bit
 *      n is bit n%8 of byte n/8, both wrapping around the section
 *   2  a value to write: JSON, or the text itself if it is not JSON
 *   3  how the device answers its successive requests, one byte each
 *      (cycled; none: always properly): low 3 bits 0-4 answer, 5 an
 *      exception (code from the high bits), 6 hang up, 7 send section 4
 *      and hang up
 *   4  a raw reply, for behaviour 7 (libmodbus checks it first)
 *   5  driver_config JSON (its device_address and port are always ours)
 * For each input: configure, then scrape every point, read two points and
 * write the value to two writable points, as the driver's worker would. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <volttron/utils/csv.h>
#include <volttron/utils/json.h>

#include "driver.h"
#include "fuzz.h"

#define SECTIONS 6

/* The current input's sections, read by the device thread while the main
 * thread waits on it. They point into a copy of the input that the
 * harness owns: a client that gives up early (a reply it refuses) lets the
 * main thread return while the device still writes, and libFuzzer would
 * free the input under it. The main thread waits for the device to be
 * idle before it moves on. */
static struct {
    uint8_t *copy;
    const uint8_t *p[SECTIONS];
    size_t n[SECTIONS];
    size_t requests;
} input;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;
static bool serving;

static int listener = -1;
static int port;

/* ---- the device ---------------------------------------------------------- */

static uint8_t mem_byte(size_t i)
{
    return input.n[1] ? input.p[1][i % input.n[1]] : 0;
}

static bool read_full(int fd, uint8_t *buf, size_t n)
{
    while (n > 0) {
        ssize_t got = read(fd, buf, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        buf += got;
        n -= (size_t)got;
    }
    return true;
}

static void write_full(int fd, const uint8_t *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

/* The response PDU to a request PDU (function code first); its length. */
static size_t respond(const uint8_t *req, size_t len, uint8_t *out)
{
    uint8_t fc = req[0];
    unsigned addr = len >= 3 ? (unsigned)(req[1] << 8 | req[2]) : 0;
    unsigned count = len >= 5 ? (unsigned)(req[3] << 8 | req[4]) : 0;
    out[0] = fc;
    switch (fc) {
    case 1: /* coils */
    case 2: /* discrete inputs */
        if (count == 0 || count > 2000)
            break;
        out[1] = (uint8_t)((count + 7) / 8);
        memset(out + 2, 0, out[1]);
        for (unsigned i = 0; i < count; i++) {
            unsigned a = addr + i;
            if (mem_byte(a / 8) >> (a % 8) & 1)
                out[2 + i / 8] |= (uint8_t)(1u << (i % 8));
        }
        return 2 + out[1];
    case 3: /* holding registers */
    case 4: /* input registers */
        if (count == 0 || count > 125)
            break;
        out[1] = (uint8_t)(2 * count);
        for (unsigned i = 0; i < count; i++) {
            out[2 + 2 * i] = mem_byte(2 * (size_t)(addr + i));
            out[3 + 2 * i] = mem_byte(2 * (size_t)(addr + i) + 1);
        }
        return 2 + out[1];
    case 5: /* write single coil: echo */
    case 6: /* write single register: echo */
        if (len < 5)
            break;
        memcpy(out, req, 5);
        return 5;
    case 15: /* write multiple coils */
    case 16: /* write multiple registers */
        if (len < 5)
            break;
        memcpy(out, req, 5);
        return 5;
    default:
        break;
    }
    out[0] = fc | 0x80;
    out[1] = 1; /* illegal function */
    return 2;
}

/* Serve one connection until the client hangs up or the input says to. */
static void serve(int fd)
{
    uint8_t mbap[7], pdu[260], out[270];
    while (read_full(fd, mbap, 7)) {
        size_t len = (size_t)(mbap[4] << 8 | mbap[5]);
        if (len < 2 || len - 1 > sizeof pdu || !read_full(fd, pdu, len - 1))
            return;
        uint8_t how = input.n[3] ? input.p[3][input.requests % input.n[3]] : 0;
        input.requests++;
        size_t n;
        switch (how & 7) {
        case 5:
            out[7] = pdu[0] | 0x80;
            out[8] = (uint8_t)(how >> 3 ? how >> 3 : 2);
            n = 2;
            break;
        case 6:
            return;
        case 7:
            write_full(fd, input.p[4], input.n[4]);
            return;
        default:
            n = respond(pdu, len - 1, out + 7);
            break;
        }
        memcpy(out, mbap, 4); /* transaction and protocol ids */
        out[4] = (uint8_t)((n + 1) >> 8);
        out[5] = (uint8_t)((n + 1) & 0xFF);
        out[6] = mbap[6]; /* unit id */
        write_full(fd, out, 7 + n);
    }
}

static void *device_thread(void *arg)
{
    (void)arg;
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL;
        }
        pthread_mutex_lock(&lock);
        serving = true;
        pthread_mutex_unlock(&lock);
        serve(fd);
        /* Reset rather than close: thousands of connections a second would
         * otherwise leave as many sockets in TIME_WAIT. */
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(fd);
        pthread_mutex_lock(&lock);
        serving = false;
        pthread_cond_signal(&idle);
        pthread_mutex_unlock(&lock);
    }
}

/* Every operation closes its connection, so the device goes idle as soon
 * as it has seen the last one end. */
static void wait_idle(void)
{
    pthread_mutex_lock(&lock);
    while (serving)
        pthread_cond_wait(&idle, &lock);
    pthread_mutex_unlock(&lock);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup("modbus");
    listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t salen = sizeof sa;
    if (listener < 0 || bind(listener, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        listen(listener, 16) < 0 || getsockname(listener, (struct sockaddr *)&sa, &salen) < 0) {
        perror("fuzz_modbus: device socket");
        abort();
    }
    port = ntohs(sa.sin_port);
    pthread_t t;
    if (pthread_create(&t, NULL, device_thread, NULL) != 0)
        abort();
    pthread_detach(t);
    return 0;
}

/* ---- the driver side ------------------------------------------------------ */

static void split(const uint8_t *data, size_t size)
{
    free(input.copy);
    memset(&input, 0, sizeof input);
    input.copy = malloc(size ? size : 1);
    memcpy(input.copy, data, size);
    const uint8_t *p = input.copy, *end = input.copy + size;
    for (size_t i = 0; i < SECTIONS; i++) {
        const uint8_t *rs = i + 1 < SECTIONS ? memchr(p, 0x1E, (size_t)(end - p)) : NULL;
        const uint8_t *e = rs ? rs : end;
        input.p[i] = p;
        input.n[i] = (size_t)(e - p);
        if (!rs) {
            for (size_t k = i + 1; k < SECTIONS; k++)
                input.p[k] = end;
            break;
        }
        p = rs + 1;
    }
}

static cJSON *driver_config(void)
{
    cJSON *c = vt_json_parse((const char *)input.p[5], input.n[5], 0, "driver_config", NULL);
    if (!cJSON_IsObject(c)) {
        cJSON_Delete(c);
        c = cJSON_CreateObject();
    }
    cJSON_DeleteItemFromObjectCaseSensitive(c, "device_address");
    cJSON_DeleteItemFromObjectCaseSensitive(c, "port");
    cJSON_AddStringToObject(c, "device_address", "127.0.0.1");
    cJSON_AddNumberToObject(c, "port", port);
    return c;
}

static cJSON *value_to_write(void)
{
    cJSON *v = vt_json_parse((const char *)input.p[2], input.n[2], 0, "value", NULL);
    if (v)
        return v;
    char *text = strndup((const char *)input.p[2], input.n[2]);
    v = cJSON_CreateString(text ? text : "");
    free(text);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    split(data, size);
    const drv_iface_ops *ops = drv_interface("modbus");
    cJSON *config = driver_config();
    cJSON *registry = vt_csv_parse((const char *)input.p[0], input.n[0], "registry.csv");
    drv_registry reg = {0};
    drv_error err;
    memset(&err, 0, sizeof err);
    void *state = ops->configure(config, registry, &reg, &err);
    if (!state) {
        FZ_CHECK(err.msg[0] != '\0', "configure failed without a reason");
        FZ_CHECK(reg.n == 0, "a failed configure left %zu points", reg.n);
    } else {
        FZ_CHECK(reg.n > 0, "configured without points");
        cJSON *values = cJSON_CreateObject();
        if (ops->scrape_all(state, &reg, values, &err) == 0)
            free(vt_json_dump(values, 0));
        cJSON_Delete(values);
        for (size_t i = 0; i < reg.n && i < 2; i++) {
            cJSON *v = NULL;
            ops->get_point(state, reg.v[i], &v, &err);
            cJSON_Delete(v);
        }
        cJSON *value = value_to_write();
        for (size_t i = 0, written = 0; i < reg.n && written < 2; i++) {
            if (reg.v[i]->read_only)
                continue;
            written++;
            cJSON *result = NULL;
            if (ops->set_point(state, reg.v[i], value, &result, &err) == 0)
                FZ_CHECK(result != NULL, "set_point succeeded without a result");
            cJSON_Delete(result);
            if (reg.v[i]->default_value)
                free(vt_json_dump(reg.v[i]->default_value, 0));
        }
        cJSON_Delete(value);
        ops->destroy(state);
    }
    drv_registry_clear(&reg);
    cJSON_Delete(registry);
    cJSON_Delete(config);
    wait_idle();
    return 0;
}
