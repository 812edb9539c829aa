/* The Modbus TCP interface (driver_type "modbus", driver-framework.md §12),
 * on libmodbus.
 *
 * driver_config: device_address (required: an IPv4/IPv6 address or a host
 * name), port (default 502), slave_id (default 0: the unit id of every
 * request; 0..247 or 255).
 *
 * Registry rows (a CSV in the config store: header cell -> cell text):
 * Volttron Point Name, Units, Modbus Register, Writable, Point Address
 * (required columns), Default Value, Mixed Endian, Notes (optional). Rows
 * with an empty Volttron Point Name or Point Address are skipped.
 *
 * Modbus Register is BOOL (one bit: a coil if writable, else a discrete
 * input) or a Python struct format for one value (a holding register range
 * if writable, else input registers):
 *
 *   [byte order] code      byte order: > or ! big-endian, < little-endian,
 *                          = native order with standard sizes, @ or none:
 *                          native order and native sizes (Python's rules)
 *   h H  16-bit   i I  32-bit   l L  32-bit (native, no prefix: sizeof(long),
 *   64-bit on LP64 Linux, as Python)   q Q  64-bit   e f d  16/32/64-bit float
 *
 * Native order is the host's (little-endian on x86-64 and arm64), which is
 * what Python's struct does without a prefix; registries should say > or <.
 * Other codes (? b B c s p n N P x) and counts are refused at configure
 * time, naming the point and the format.
 *
 * Bytes: register words are big-endian on the wire; the raw bytes of a
 * point's registers, in address order, are unpacked with its format, so
 * ">f" keeps wire order and "<f" reverses all four bytes. Mixed Endian TRUE
 * reverses the order of the 16-bit words first. Writes do the inverse
 * (FC16, write multiple registers, even for one register; FC5 for coils),
 * then read the point back: set_point answers the value read back.
 *
 * Scrape: per table the points' address ranges are sorted and merged when
 * contiguous or overlapping (one free address starts a new range), and each
 * range is read in requests of at most MB_READ_MAX registers or bits.
 * Result order: input registers, holding registers, discrete inputs, coils;
 * within a table by address (ties: registry order).
 *
 * Every operation opens its own TCP connection and closes it afterwards (as
 * VOLTTRON 9.0.4 does). MB_TIMEOUT_S bounds the connect and each response,
 * so a dead device costs a second or two per operation, on the device's
 * worker thread (the interface is blocking: the framework runs one
 * operation at a time per device on a worker, so the state needs no lock;
 * nothing here is global or mutable).
 *
 * Values written (set_point) are converted as Python's int()/float() would:
 * JSON numbers (a fraction is truncated toward zero for integer formats),
 * booleans (1/0), and strings holding a number ("42", " -3 ", "7.5",
 * "inf"). BOOL points take booleans, numbers (non-zero is true) and the
 * strings "true"/"false"/"on"/"off" or a number. Anything else is refused
 * with builtins.ValueError; out-of-range integers give Python's
 * struct.error text, too large floats its OverflowError.
 *
 * Known limit: values of 64-bit integer points beyond 2^53 are not exact
 * (JSON numbers are doubles here). */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <modbus.h>

#include <volttron/utils/json.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>

#include "driver.h"

#define LOG "platform.driver"

/* Connect timeout and response timeout, seconds (libmodbus bounds the TCP
 * connect with the response timeout). */
#define MB_TIMEOUT_S 1
/* Registers or bits per read request: VOLTTRON's MODBUS_READ_MAX (the
 * protocol allows 125 registers, 2000 bits). */
#define MB_READ_MAX 100

/* Longest registry cell kept for formats, addresses and flags. */
#define MB_CELL_MAX 64

#define OS_ERROR "builtins.OSError"
#define VALUE_ERROR "builtins.ValueError"

/* The tables, in scrape order. */
typedef enum {
    MB_IR,
    MB_HR,
    MB_DI,
    MB_CO,
    MB_NTABLES
} mb_table;

static const char *const table_names[MB_NTABLES] = {"input registers", "holding registers",
                                                    "discrete inputs", "coils"};

typedef struct mb_point {
    mb_table table;
    int address;
    int count;                /* registers (1 for a bit) */
    char code;                /* struct code; 0 for BOOL */
    bool little;              /* byte order of the value */
    bool mixed;               /* Mixed Endian: word order reversed */
    char format[MB_CELL_MAX]; /* the Modbus Register cell, for messages */
} mb_point;

typedef struct mb_state {
    char *host;
    char port_text[8];
    int port;
    int slave_id;
} mb_state;

/* ---- registry cells --------------------------------------------------- */

/* The text of a cell, whitespace trimmed, in buf; NULL if the column is
 * absent. Numbers and booleans (a registry stored as JSON) are accepted as
 * their text. */
static const char *cell(const cJSON *row, const char *column, char *buf, size_t size)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(row, column);
    if (!c)
        return NULL;
    if (cJSON_IsString(c)) {
        const char *s = c->valuestring;
        while (isspace((unsigned char)*s))
            s++;
        size_t n = strlen(s);
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
        if (n >= size)
            n = size - 1;
        memcpy(buf, s, n);
        buf[n] = '\0';
    } else if (cJSON_IsNumber(c)) {
        snprintf(buf, size, "%.17g", c->valuedouble);
    } else if (cJSON_IsBool(c)) {
        snprintf(buf, size, "%s", cJSON_IsTrue(c) ? "TRUE" : "FALSE");
    } else {
        buf[0] = '\0';
    }
    return buf;
}

/* ---- numbers as Python's int() and float() read them --------------------- */

typedef enum {
    NUM_OK,
    NUM_BAD,
    NUM_BIG
} num_status;

/* An integer: optional whitespace, sign, decimal digits (underscores
 * between digits allowed), whitespace. Magnitude and sign apart, so the
 * whole uint64 and int64 ranges fit. */
static num_status parse_py_int(const char *s, bool *neg, uint64_t *mag)
{
    while (isspace((unsigned char)*s))
        s++;
    *neg = false;
    if (*s == '+' || *s == '-')
        *neg = *s++ == '-';
    if (!isdigit((unsigned char)*s))
        return NUM_BAD;
    uint64_t v = 0;
    bool big = false;
    while (isdigit((unsigned char)*s) || (*s == '_' && isdigit((unsigned char)s[1]))) {
        if (*s != '_') {
            unsigned d = (unsigned)(*s - '0');
            if (v > (UINT64_MAX - d) / 10)
                big = true;
            else
                v = v * 10 + d;
        }
        s++;
    }
    while (isspace((unsigned char)*s))
        s++;
    if (*s)
        return NUM_BAD;
    *mag = v;
    return big ? NUM_BIG : NUM_OK;
}

/* A float: decimal notation, inf, infinity, nan, with whitespace around. */
static bool parse_py_float(const char *s, double *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s || strpbrk(s, "xX(")) /* no hex floats, no nan(...) */
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s)
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return false;
    *out = v; /* overflow gives inf, as Python's float() */
    return true;
}

/* ---- formats ------------------------------------------------------------ */

static bool host_little(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* Parse a Modbus Register cell into p (table not set). */
static bool parse_format(const char *text, mb_point *p)
{
    snprintf(p->format, sizeof p->format, "%s", text);
    if (!strcasecmp(text, "BOOL")) {
        p->code = 0;
        p->count = 1;
        return true;
    }
    const char *s = text;
    bool native_size = true;
    p->little = host_little();
    switch (*s) {
    case '<':
        p->little = true;
        native_size = false;
        s++;
        break;
    case '>':
    case '!':
        p->little = false;
        native_size = false;
        s++;
        break;
    case '=':
        native_size = false;
        s++;
        break;
    case '@':
        s++;
        break;
    default:
        break;
    }
    if (!s[0] || s[1])
        return false;
    int size;
    switch (*s) {
    case 'h':
    case 'H':
    case 'e':
        size = 2;
        break;
    case 'i':
    case 'I':
    case 'f':
        size = 4;
        break;
    case 'l':
    case 'L':
        size = native_size ? (int)sizeof(long) : 4;
        break;
    case 'q':
    case 'Q':
    case 'd':
        size = 8;
        break;
    default:
        return false;
    }
    p->code = *s;
    p->count = size / 2;
    return true;
}

static const char *meta_type_of(const mb_point *p)
{
    if (!p->code)
        return "boolean";
    return strchr("efd", p->code) ? "float" : "integer";
}

static bool is_signed(char code)
{
    return code == 'h' || code == 'i' || code == 'l' || code == 'q';
}

/* ---- half floats (struct code 'e') --------------------------------------- */

static double half_to_double(uint16_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
    double v;
    if (exp == 0)
        v = ldexp(mant, -24);
    else if (exp == 31)
        v = mant ? NAN : INFINITY;
    else
        v = ldexp(mant + 1024, exp - 25);
    return sign ? -v : v;
}

/* Round to nearest even, as Python's PyFloat_Pack2; false on overflow. */
static bool double_to_half(double d, uint16_t *out)
{
    uint16_t sign = signbit(d) ? 0x8000 : 0;
    if (isnan(d)) {
        *out = sign | 0x7E00;
        return true;
    }
    double a = fabs(d);
    if (isinf(a)) {
        *out = sign | 0x7C00;
        return true;
    }
    if (a == 0) {
        *out = sign;
        return true;
    }
    int e;
    frexp(a, &e); /* a = f * 2^e, f in [0.5, 1): a = 1.m * 2^(e-1) */
    int E = e - 1;
    if (E < -14) {
        /* subnormal, in units of 2^-24; 1024 rounds up into the smallest normal */
        *out = sign | (uint16_t)rint(ldexp(a, 24));
        return true;
    }
    double m = rint(ldexp(ldexp(a, -E) - 1.0, 10));
    if (m == 1024) {
        m = 0;
        E++;
    }
    if (E > 15)
        return false;
    *out = sign | (uint16_t)((E + 15) << 10) | (uint16_t)m;
    return true;
}

/* ---- values <-> registers ----------------------------------------------- */

/* The value's bytes in big-endian order (most significant first), from a
 * point's registers as read (host values of big-endian words). */
static uint64_t words_to_bits(const mb_point *p, const uint16_t *words)
{
    uint8_t b[8];
    for (int k = 0; k < p->count; k++) {
        uint16_t w = words[p->mixed ? p->count - 1 - k : k];
        b[2 * k] = (uint8_t)(w >> 8);
        b[2 * k + 1] = (uint8_t)(w & 0xFF);
    }
    int size = p->count * 2;
    uint64_t u = 0;
    for (int i = 0; i < size; i++)
        u = u << 8 | b[p->little ? size - 1 - i : i];
    return u;
}

/* The inverse: the registers to write for the value bits u. */
static void bits_to_words(const mb_point *p, uint64_t u, uint16_t *words)
{
    uint8_t b[8];
    int size = p->count * 2;
    for (int i = size - 1; i >= 0; i--) {
        b[p->little ? size - 1 - i : i] = (uint8_t)(u & 0xFF);
        u >>= 8;
    }
    for (int k = 0; k < p->count; k++)
        words[p->mixed ? p->count - 1 - k : k] = (uint16_t)(b[2 * k] << 8 | b[2 * k + 1]);
}

static cJSON *decode_value(const mb_point *p, const uint16_t *words)
{
    uint64_t u = words_to_bits(p, words);
    int bits = p->count * 16;
    switch (p->code) {
    case 'e':
        return vt_json_new_float(half_to_double((uint16_t)u));
    case 'f': {
        uint32_t u32 = (uint32_t)u;
        float f;
        memcpy(&f, &u32, sizeof f);
        return vt_json_new_float(f);
    }
    case 'd': {
        double d;
        memcpy(&d, &u, sizeof d);
        return vt_json_new_float(d);
    }
    default:
        break;
    }
    if (is_signed(p->code)) {
        int64_t v;
        if (bits < 64 && (u >> (bits - 1)) & 1)
            v = (int64_t)u - ((int64_t)1 << bits);
        else
            memcpy(&v, &u, sizeof v);
        return cJSON_CreateNumber((double)v);
    }
    return cJSON_CreateNumber((double)u);
}

/* A JSON value as one the point can hold: the bits to write (registers) or
 * the bit (BOOL). -1 + err when refused. */
static int convert_value(const mb_point *p, const char *name, const cJSON *value, uint64_t *out,
                         drv_error *err)
{
    if (!p->code) {
        double d;
        if (cJSON_IsBool(value)) {
            *out = cJSON_IsTrue(value);
        } else if (cJSON_IsNumber(value)) {
            *out = value->valuedouble != 0;
        } else if (cJSON_IsString(value) && (!strcasecmp(value->valuestring, "true") ||
                                             !strcasecmp(value->valuestring, "on"))) {
            *out = 1;
        } else if (cJSON_IsString(value) && (!strcasecmp(value->valuestring, "false") ||
                                             !strcasecmp(value->valuestring, "off"))) {
            *out = 0;
        } else if (cJSON_IsString(value) && parse_py_float(value->valuestring, &d)) {
            *out = d != 0;
        } else {
            char *text = vt_json_dump(value, 0);
            drv_fail(err, VALUE_ERROR,
                     "cannot write %s to point %s (BOOL): expected a boolean or a number", text,
                     name);
            free(text);
            return -1;
        }
        return 0;
    }

    if (strchr("efd", p->code)) {
        double d;
        if (cJSON_IsBool(value)) {
            d = cJSON_IsTrue(value);
        } else if (cJSON_IsNumber(value)) {
            d = value->valuedouble;
        } else if (!cJSON_IsString(value) || !parse_py_float(value->valuestring, &d)) {
            char *text = vt_json_dump(value, 0);
            drv_fail(err, VALUE_ERROR, "could not convert %s to float for point %s (%s)", text,
                     name, p->format);
            free(text);
            return -1;
        }
        if (p->code == 'd') {
            memcpy(out, &d, sizeof d);
        } else if (p->code == 'f') {
            /* values that round to FLT_MAX are fine; from halfway to 2^128 up overflow */
            if (isfinite(d) && fabs(d) >= ldexp(1.0, 128) - ldexp(1.0, 103))
                return drv_fail(err, "builtins.OverflowError",
                                "float too large to pack with f format");
            float f = (float)d;
            uint32_t u32;
            memcpy(&u32, &f, sizeof u32);
            *out = u32;
        } else {
            uint16_t h;
            if (!double_to_half(d, &h))
                return drv_fail(err, "builtins.OverflowError",
                                "float too large to pack with e format");
            *out = h;
        }
        return 0;
    }

    bool neg = false;
    uint64_t mag = 0;
    num_status st = NUM_OK;
    if (cJSON_IsBool(value)) {
        mag = cJSON_IsTrue(value);
    } else if (cJSON_IsNumber(value)) {
        double t = trunc(value->valuedouble);
        if (isnan(t))
            return drv_fail(err, VALUE_ERROR, "cannot convert float NaN to integer");
        if (isinf(t))
            return drv_fail(err, "builtins.OverflowError",
                            "cannot convert float infinity to integer");
        neg = t < 0;
        if (fabs(t) >= ldexp(1.0, 64))
            st = NUM_BIG;
        else
            mag = (uint64_t)fabs(t);
    } else if (!cJSON_IsString(value) ||
               (st = parse_py_int(value->valuestring, &neg, &mag)) == NUM_BAD) {
        char *text = vt_json_dump(value, 0);
        drv_fail(err, VALUE_ERROR, "invalid literal for int() with base 10: %s (point %s, %s)",
                 text, name, p->format);
        free(text);
        return -1;
    }
    int bits = p->count * 16;
    bool sgn = is_signed(p->code);
    uint64_t max = bits == 64 ? (sgn ? (uint64_t)INT64_MAX : UINT64_MAX)
                              : (sgn ? ((uint64_t)1 << (bits - 1)) - 1 : ((uint64_t)1 << bits) - 1);
    bool ok = st == NUM_OK && (neg ? (sgn ? mag <= max + 1 : mag == 0) : mag <= max);
    if (!ok) {
        if (sgn)
            return drv_fail(err, "struct.error",
                            "'%c' format requires %" PRId64 " <= number <= %" PRIu64, p->code,
                            bits == 64 ? INT64_MIN : -(int64_t)(max + 1), max);
        return drv_fail(err, "struct.error", "'%c' format requires 0 <= number <= %" PRIu64,
                        p->code, max);
    }
    uint64_t u = neg ? (uint64_t)0 - mag : mag; /* two's complement */
    if (bits < 64)
        u &= ((uint64_t)1 << bits) - 1;
    *out = u;
    return 0;
}

/* ---- configure ---------------------------------------------------------- */

static void point_free(void *p)
{
    free(p);
}

/* An integer from a driver_config value: a number or a string of one. */
static bool config_int(const cJSON *v, long lo, long hi, long *out)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d != floor(d) || d < (double)lo || d > (double)hi)
            return false;
        *out = (long)d;
        return true;
    }
    bool neg;
    uint64_t mag;
    if (cJSON_IsString(v) && parse_py_int(v->valuestring, &neg, &mag) == NUM_OK && !neg &&
        mag >= (uint64_t)lo && mag <= (uint64_t)hi) {
        *out = (long)mag;
        return true;
    }
    return false;
}

/* The revert default of a writable point from its Default Value text, or
 * NULL (with a warning when the text does not fit the point). */
static cJSON *default_of(const mb_point *p, const char *name, const char *text)
{
    bool neg;
    uint64_t mag;
    if (!p->code) {
        /* bool(int(text)), else text starting with "t" or equal to "on" */
        num_status st = parse_py_int(text, &neg, &mag);
        if (st == NUM_BIG)
            return cJSON_CreateTrue();
        if (st == NUM_OK)
            return cJSON_CreateBool(mag != 0);
        return cJSON_CreateBool(tolower((unsigned char)text[0]) == 't' || !strcasecmp(text, "on"));
    }
    if (strchr("efd", p->code)) {
        double d;
        if (parse_py_float(text, &d))
            return vt_json_new_float(d);
    } else if (parse_py_int(text, &neg, &mag) == NUM_OK) {
        /* in range for the format? */
        cJSON *v = cJSON_CreateString(text);
        uint64_t bits;
        bool fits = convert_value(p, name, v, &bits, NULL) == 0;
        cJSON_Delete(v);
        if (fits)
            return neg ? cJSON_CreateNumber(-(double)mag) : cJSON_CreateNumber((double)mag);
    }
    vt_log_warning(LOG,
                   "modbus point %s: Default Value \"%s\" is not a valid %s value (%s): "
                   "no default",
                   name, text, meta_type_of(p), p->format);
    return NULL;
}

static void *fail_configure(drv_registry *reg, mb_state *s)
{
    drv_registry_clear(reg);
    if (s)
        free(s->host);
    free(s);
    return NULL;
}

static void *modbus_configure(const cJSON *driver_config, const cJSON *registry, drv_registry *reg,
                              drv_error *err)
{
    const cJSON *addr = cJSON_GetObjectItemCaseSensitive(driver_config, "device_address");
    if (!cJSON_IsString(addr) || !addr->valuestring[0]) {
        drv_fail(err, DRV_INTERFACE_ERROR,
                 "modbus driver_config: \"device_address\" (the device's IP address or host "
                 "name) is %s",
                 addr ? "not a non-empty string" : "missing");
        return NULL;
    }
    long port = 502, slave_id = 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(driver_config, "port");
    if (v && !cJSON_IsNull(v) && !config_int(v, 1, 65535, &port)) {
        drv_fail(err, DRV_INTERFACE_ERROR,
                 "modbus driver_config: \"port\" must be an integer 1..65535");
        return NULL;
    }
    v = cJSON_GetObjectItemCaseSensitive(driver_config, "slave_id");
    if (v && !cJSON_IsNull(v) &&
        (!config_int(v, 0, 255, &slave_id) || (slave_id > 247 && slave_id != 255))) {
        drv_fail(err, DRV_INTERFACE_ERROR,
                 "modbus driver_config: \"slave_id\" must be an integer 0..247 or 255");
        return NULL;
    }
    if (!cJSON_IsArray(registry)) {
        drv_fail(err, DRV_INTERFACE_ERROR,
                 "modbus registry_config must be a list of rows (a CSV stored in the config "
                 "store), got %s",
                 vt_json_type_name(registry));
        return NULL;
    }
    mb_state *s = vt_calloc(1, sizeof *s);
    s->host = vt_strdup(addr->valuestring);
    s->port = (int)port;
    snprintf(s->port_text, sizeof s->port_text, "%d", s->port);
    s->slave_id = (int)slave_id;

    static const char *const required[] = {"Volttron Point Name", "Units", "Modbus Register",
                                           "Writable", "Point Address"};
    const cJSON *row;
    int n = 0;
    cJSON_ArrayForEach (row, registry) {
        n++;
        char name[256], units[256], format[MB_CELL_MAX], writable[MB_CELL_MAX],
            address[MB_CELL_MAX], buf[256];
        if (!cJSON_IsObject(row)) {
            drv_fail(err, DRV_INTERFACE_ERROR, "modbus registry row %d is not a row object", n);
            return fail_configure(reg, s);
        }
        const char *point = cell(row, "Volttron Point Name", name, sizeof name);
        char *texts[] = {name, units, format, writable, address};
        size_t sizes[] = {sizeof name, sizeof units, sizeof format, sizeof writable,
                          sizeof address};
        for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
            if (!cell(row, required[i], texts[i], sizes[i])) {
                if (point && *point)
                    drv_fail(err, DRV_INTERFACE_ERROR,
                             "modbus registry row %d (point %s): missing column \"%s\"", n, point,
                             required[i]);
                else
                    drv_fail(err, DRV_INTERFACE_ERROR,
                             "modbus registry row %d: missing column \"%s\"", n, required[i]);
                return fail_configure(reg, s);
            }
        }
        if (!name[0])
            continue; /* no point name: skipped, as in 9.0.4 */
        if (!address[0]) {
            vt_log_warning(LOG, "modbus registry row %d (point %s): no Point Address: skipped", n,
                           name);
            continue;
        }
        if (drv_registry_find(reg, name)) {
            drv_fail(err, DRV_INTERFACE_ERROR, "modbus registry row %d: point %s is there twice", n,
                     name);
            return fail_configure(reg, s);
        }
        mb_point pt = {0};
        if (!parse_format(format, &pt)) {
            drv_fail(err, DRV_INTERFACE_ERROR,
                     "modbus registry row %d (point %s): unsupported Modbus Register \"%s\" "
                     "(BOOL, or a struct format for one value: h H i I l L q Q e f d, with an "
                     "optional byte order > < ! = @)",
                     n, name, format);
            return fail_configure(reg, s);
        }
        bool neg;
        uint64_t a;
        if (parse_py_int(address, &neg, &a) != NUM_OK || neg ||
            a + (uint64_t)pt.count - 1 > 65535) {
            drv_fail(err, DRV_INTERFACE_ERROR,
                     "modbus registry row %d (point %s): Point Address must be an integer "
                     "0..65535 (the zero-based address; %d register(s) must fit), got \"%s\"",
                     n, name, pt.count, address);
            return fail_configure(reg, s);
        }
        pt.address = (int)a;
        bool read_only = strcasecmp(writable, "TRUE") != 0;
        pt.table = pt.code ? (read_only ? MB_IR : MB_HR) : (read_only ? MB_DI : MB_CO);
        const char *mixed = cell(row, "Mixed Endian", buf, sizeof buf);
        pt.mixed = mixed && !strcasecmp(mixed, "TRUE");

        drv_register *r = drv_registry_add(reg, name, units, read_only);
        mb_point *p = vt_malloc(sizeof *p);
        *p = pt;
        r->iface = p;
        r->iface_free = point_free;
        r->bit = !p->code;
        r->meta_type = meta_type_of(p);
        const char *notes = cell(row, "Notes", buf, sizeof buf);
        if (notes) {
            free(r->description);
            r->description = vt_strdup(notes);
        }
        const char *def = cell(row, "Default Value", buf, sizeof buf);
        if (!read_only && def && *def)
            r->default_value = default_of(p, name, def);
    }
    if (!reg->n) {
        drv_fail(err, DRV_INTERFACE_ERROR,
                 "the modbus registry has no points (is it a CSV with a \"Volttron Point "
                 "Name\" column?)");
        return fail_configure(reg, s);
    }
    return s;
}

static void modbus_destroy(void *state)
{
    mb_state *s = state;
    if (s)
        free(s->host);
    free(s);
}

/* ---- I/O ------------------------------------------------------------------ */

/* A connected context, or NULL with the reason in detail. */
static modbus_t *mb_open(const mb_state *s, char *detail, size_t size)
{
    modbus_t *ctx = modbus_new_tcp_pi(s->host, s->port_text);
    if (!ctx) {
        snprintf(detail, size, "%s", modbus_strerror(errno));
        return NULL;
    }
    if (modbus_set_slave(ctx, s->slave_id) < 0 ||
        modbus_set_response_timeout(ctx, MB_TIMEOUT_S, 0) < 0 || modbus_connect(ctx) < 0) {
        snprintf(detail, size, "%s", modbus_strerror(errno));
        modbus_free(ctx);
        return NULL;
    }
    return ctx;
}

static void mb_close(modbus_t *ctx)
{
    modbus_close(ctx);
    modbus_free(ctx);
}

/* Read count registers (or bits, one per uint16) of a table from address. */
static int mb_read(modbus_t *ctx, mb_table t, int address, int count, uint16_t *out)
{
    if (t == MB_IR)
        return modbus_read_input_registers(ctx, address, count, out) == count ? 0 : -1;
    if (t == MB_HR)
        return modbus_read_registers(ctx, address, count, out) == count ? 0 : -1;
    uint8_t bits[MB_READ_MAX];
    int rc = t == MB_DI ? modbus_read_input_bits(ctx, address, count, bits)
                        : modbus_read_bits(ctx, address, count, bits);
    if (rc != count)
        return -1;
    for (int i = 0; i < count; i++)
        out[i] = bits[i] != 0;
    return 0;
}

/* Read one point's value (new node), or NULL with detail. */
static cJSON *read_point(modbus_t *ctx, const mb_point *p, char *detail, size_t size)
{
    uint16_t words[4];
    if (mb_read(ctx, p->table, p->address, p->count, words) < 0) {
        snprintf(detail, size, "%s", modbus_strerror(errno));
        return NULL;
    }
    return p->code ? decode_value(p, words) : cJSON_CreateBool(words[0]);
}

static int modbus_get_point(void *state, drv_register *r, cJSON **value, drv_error *err)
{
    (void)err;
    const mb_point *p = r->iface;
    char detail[256];
    modbus_t *ctx = mb_open(state, detail, sizeof detail);
    *value = ctx ? read_point(ctx, p, detail, sizeof detail) : NULL;
    if (ctx)
        mb_close(ctx);
    /* [QUIRK] 9.0.4: a connection or I/O error reads as null, not an error. */
    if (!*value) {
        vt_log_debug(LOG, "modbus get_point %s: %s", r->name, detail);
        *value = cJSON_CreateNull();
    }
    return 0;
}

static int modbus_set_point(void *state, drv_register *r, const cJSON *value, cJSON **result,
                            drv_error *err)
{
    const mb_point *p = r->iface;
    *result = NULL;
    if (r->read_only)
        return drv_fail(err, OS_ERROR, "Trying to write to a point configured read only: %s",
                        r->name);
    uint64_t u;
    if (convert_value(p, r->name, value, &u, err) < 0)
        return -1;
    char detail[256];
    modbus_t *ctx = mb_open(state, detail, sizeof detail);
    if (ctx) {
        int rc;
        if (!p->code) {
            rc = modbus_write_bit(ctx, p->address, u ? TRUE : FALSE);
        } else {
            uint16_t words[4];
            bits_to_words(p, u, words);
            rc = modbus_write_registers(ctx, p->address, p->count, words);
        }
        if (rc < 0)
            snprintf(detail, sizeof detail, "%s", modbus_strerror(errno));
        else
            *result = read_point(ctx, p, detail, sizeof detail);
        mb_close(ctx);
    }
    if (!*result)
        return drv_fail(err, OS_ERROR, "Error encountered trying to write to point %s: %s", r->name,
                        detail);
    return 0;
}

/* A point of the scrape, sortable by (address, registry order). */
typedef struct mb_item {
    const mb_point *p;
    const char *name;
    size_t index;
} mb_item;

static int item_cmp(const void *a, const void *b)
{
    const mb_item *x = a, *y = b;
    if (x->p->address != y->p->address)
        return x->p->address < y->p->address ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Read the points items[0..n) (one table, sorted) into values; -1 with
 * detail on the first failed request. */
static int scrape_table(modbus_t *ctx, mb_table t, const mb_item *items, size_t n, cJSON *values,
                        char *detail, size_t size)
{
    size_t i = 0;
    while (i < n) {
        /* one range: extend while the next point starts at or before end + 1 */
        int start = items[i].p->address;
        int end = start + items[i].p->count - 1;
        size_t j = i + 1;
        while (j < n && items[j].p->address <= end + 1) {
            int e = items[j].p->address + items[j].p->count - 1;
            if (e > end)
                end = e;
            j++;
        }
        int total = end - start + 1;
        uint16_t *buf = vt_malloc((size_t)total * sizeof *buf);
        for (int off = 0; off < total; off += MB_READ_MAX) {
            int count = total - off < MB_READ_MAX ? total - off : MB_READ_MAX;
            if (mb_read(ctx, t, start + off, count, buf + off) < 0) {
                snprintf(detail, size, "%s (reading %s %d-%d)", modbus_strerror(errno),
                         table_names[t], start + off, start + off + count - 1);
                free(buf);
                return -1;
            }
        }
        for (; i < j; i++) {
            const mb_point *p = items[i].p;
            const uint16_t *w = buf + (p->address - start);
            cJSON_AddItemToObject(values, items[i].name,
                                  p->code ? decode_value(p, w) : cJSON_CreateBool(w[0]));
        }
        free(buf);
    }
    return 0;
}

static int modbus_scrape_all(void *state, drv_registry *reg, cJSON *values, drv_error *err)
{
    const mb_state *s = state;
    char detail[256] = "";
    int rc = -1;
    mb_item *items = vt_calloc(reg->n + 1, sizeof *items);
    cJSON *got = cJSON_CreateObject(); /* moved to values only on success */
    modbus_t *ctx = mb_open(s, detail, sizeof detail);
    if (ctx) {
        rc = 0;
        for (int t = 0; t < MB_NTABLES && rc == 0; t++) {
            size_t n = 0;
            for (size_t i = 0; i < reg->n; i++) {
                const mb_point *p = reg->v[i]->iface;
                if (p && p->table == (mb_table)t)
                    items[n++] = (mb_item){p, reg->v[i]->name, i};
            }
            qsort(items, n, sizeof *items, item_cmp);
            rc = scrape_table(ctx, (mb_table)t, items, n, got, detail, sizeof detail);
        }
        mb_close(ctx);
    }
    free(items);
    while (rc == 0 && got->child) {
        cJSON *item = cJSON_DetachItemViaPointer(got, got->child);
        cJSON_DeleteItemFromObjectCaseSensitive(values, item->string);
        cJSON_AddItemToObject(values, item->string, item);
    }
    cJSON_Delete(got);
    if (rc < 0)
        /* [QUIRK] 9.0.4 puts no space between the unit id and the detail. */
        return drv_fail(err, DRV_INTERFACE_ERROR, "Failed to scrape device at %s:%d ID: %d%s",
                        s->host, s->port, s->slave_id, detail);
    return 0;
}

const drv_iface_ops drv_modbus_ops = {
    .type = "modbus",
    .blocking = true,
    .configure = modbus_configure,
    .destroy = modbus_destroy,
    .get_point = modbus_get_point,
    .set_point = modbus_set_point,
    .scrape_all = modbus_scrape_all,
};
