/* vt-modbus-server: a small Modbus TCP server for the tests (libmodbus).
 *
 *   vt-modbus-server PORT [-f FILE] [-l LOG] [ASSIGNMENT ...]
 *
 * Listens on 127.0.0.1:PORT (0: a free port chosen by the system). Once it
 * listens it prints "port N\n" on stdout (the port actually bound) and
 * flushes: a test reads that line to know the server is ready and where.
 * It prints nothing else (errors at startup go to stderr, exit status 2).
 * It answers reads and writes of its four tables, each of 10000 entries
 * (addresses 0..9999), until SIGTERM or SIGINT (exit status 0). Clients may
 * come and go, several at a time (select over the listening socket and
 * every client); the unit id of a request is not checked, the reply
 * echoes it.
 *
 * Initial values, all zero unless set, come from assignments: each
 * command-line ASSIGNMENT and each line of FILE has the form
 *
 *   TABLE ADDRESS VALUE [VALUE ...]
 *
 * TABLE is co (coils), di (discrete inputs), hr (holding registers) or ir
 * (input registers); ADDRESS and VALUEs are integers in C notation (42,
 * 0x4290, 017); values go to ADDRESS, ADDRESS+1, ... Bits take 0 or 1,
 * registers 0..65535 (or -32768..-1, stored as the 16-bit two's
 * complement). Fields are separated by spaces, tabs or commas; in a file,
 * blank lines and lines starting with '#' are ignored. Example:
 *
 *   vt-modbus-server 0 'hr 0 0x4291 0x0000' 'co 5 1 0 1' -f more.txt
 *
 * With -l LOG, the server appends one line per event to the file LOG (and
 * flushes it), so a test can check what a client asked:
 *
 *   accept                         a client connected
 *   UNIT FC ADDRESS COUNT          a read (FC 1, 2, 3, 4)
 *   UNIT 5 ADDRESS 1 BIT           write single coil (BIT 0 or 1)
 *   UNIT 6 ADDRESS 1 0xVVVV        write single register
 *   UNIT 15 ADDRESS COUNT          write multiple coils
 *   UNIT 16 ADDRESS COUNT 0xVVVV... write multiple registers, the words
 *                                  as they arrived
 *
 * all numbers decimal except the register words.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <modbus.h>

#define TABLE_SIZE 10000
#define MAX_CLIENTS 64

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static FILE *event_log;

/* Log the request query (an ADU of len bytes; the PDU starts at hdr). */
static void log_request(const uint8_t *q, int len, int hdr)
{
    if (!event_log || len < hdr + 5)
        return;
    int unit = q[hdr - 1], fc = q[hdr];
    int addr = q[hdr + 1] << 8 | q[hdr + 2];
    int word = q[hdr + 3] << 8 | q[hdr + 4];
    if (fc == 5) {
        fprintf(event_log, "%d 5 %d 1 %d\n", unit, addr, word == 0xFF00);
    } else if (fc == 6) {
        fprintf(event_log, "%d 6 %d 1 0x%04x\n", unit, addr, (unsigned)word);
    } else if (fc == 16) {
        fprintf(event_log, "%d 16 %d %d", unit, addr, word);
        for (int i = 0; i < word && hdr + 6 + 2 * i + 1 < len; i++)
            fprintf(event_log, " 0x%04x", (unsigned)(q[hdr + 6 + 2 * i] << 8 | q[hdr + 7 + 2 * i]));
        fputc('\n', event_log);
    } else {
        fprintf(event_log, "%d %d %d %d\n", unit, fc, addr, word);
    }
    fflush(event_log);
}

static bool parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (errno || end == s || *end)
        return false;
    *out = v;
    return true;
}

/* Apply one assignment line; false with a message on stderr if malformed. */
static bool assign(modbus_mapping_t *map, const char *line, const char *where)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", line);
    const char *sep = " \t,\r\n";
    char *save = NULL;
    char *table = strtok_r(buf, sep, &save);
    char *addr_text = strtok_r(NULL, sep, &save);
    long addr;
    if (!table || !addr_text || !parse_long(addr_text, &addr) || addr < 0) {
        fprintf(stderr, "vt-modbus-server: %s: expected \"TABLE ADDRESS VALUE...\": %s\n", where,
                line);
        return false;
    }
    bool bits = !strcmp(table, "co") || !strcmp(table, "di");
    if (!bits && strcmp(table, "hr") && strcmp(table, "ir")) {
        fprintf(stderr, "vt-modbus-server: %s: unknown table \"%s\" (co, di, hr, ir)\n", where,
                table);
        return false;
    }
    int n = 0;
    for (char *v = strtok_r(NULL, sep, &save); v; v = strtok_r(NULL, sep, &save), n++) {
        long value;
        long a = addr + n;
        if (!parse_long(v, &value) || a >= TABLE_SIZE ||
            (bits ? value < 0 || value > 1 : value < -32768 || value > 65535)) {
            fprintf(stderr, "vt-modbus-server: %s: bad value or address: %s\n", where, line);
            return false;
        }
        if (!strcmp(table, "co"))
            map->tab_bits[a] = (uint8_t)value;
        else if (!strcmp(table, "di"))
            map->tab_input_bits[a] = (uint8_t)value;
        else if (!strcmp(table, "hr"))
            map->tab_registers[a] = (uint16_t)(value & 0xFFFF);
        else
            map->tab_input_registers[a] = (uint16_t)(value & 0xFFFF);
    }
    if (n == 0) {
        fprintf(stderr, "vt-modbus-server: %s: no values: %s\n", where, line);
        return false;
    }
    return true;
}

static bool load_file(modbus_mapping_t *map, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "vt-modbus-server: %s: %s\n", path, strerror(errno));
        return false;
    }
    char line[4096];
    bool ok = true;
    for (int lineno = 1; ok && fgets(line, sizeof line, f); lineno++) {
        const char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
            continue;
        char where[PATH_MAX + 32];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        ok = assign(map, p, where);
    }
    fclose(f);
    return ok;
}

int main(int argc, char **argv)
{
    long port;
    if (argc < 2 || !parse_long(argv[1], &port) || port < 0 || port > 65535) {
        fprintf(stderr, "usage: vt-modbus-server PORT [-f FILE] [-l LOG] [ASSIGNMENT ...]\n");
        return 2;
    }
    modbus_mapping_t *map = modbus_mapping_new(TABLE_SIZE, TABLE_SIZE, TABLE_SIZE, TABLE_SIZE);
    if (!map) {
        fprintf(stderr, "vt-modbus-server: %s\n", modbus_strerror(errno));
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        bool ok;
        if (!strcmp(argv[i], "-f")) {
            if (++i == argc) {
                fprintf(stderr, "vt-modbus-server: -f needs a file name\n");
                return 2;
            }
            ok = load_file(map, argv[i]);
        } else if (!strcmp(argv[i], "-l")) {
            if (++i == argc) {
                fprintf(stderr, "vt-modbus-server: -l needs a file name\n");
                return 2;
            }
            event_log = fopen(argv[i], "a");
            if (!event_log) {
                fprintf(stderr, "vt-modbus-server: %s: %s\n", argv[i], strerror(errno));
                return 2;
            }
            ok = true;
        } else {
            ok = assign(map, argv[i], "argument");
        }
        if (!ok)
            return 2;
    }

    /* SIGTERM/SIGINT are blocked except inside pselect, so a signal is
     * never lost between the check of stop_requested and the wait. */
    sigset_t block, orig;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &orig);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    modbus_t *ctx = modbus_new_tcp("127.0.0.1", (int)port);
    if (!ctx) {
        fprintf(stderr, "vt-modbus-server: %s\n", modbus_strerror(errno));
        return 2;
    }
    int listener = modbus_tcp_listen(ctx, 16);
    if (listener < 0) {
        fprintf(stderr, "vt-modbus-server: cannot listen on 127.0.0.1:%ld: %s\n", port,
                modbus_strerror(errno));
        return 2;
    }
    struct sockaddr_in bound;
    socklen_t blen = sizeof bound;
    if (getsockname(listener, (struct sockaddr *)&bound, &blen) < 0) {
        fprintf(stderr, "vt-modbus-server: getsockname: %s\n", strerror(errno));
        return 2;
    }
    printf("port %d\n", ntohs(bound.sin_port));
    fflush(stdout);

    int clients[MAX_CLIENTS];
    int nclients = 0;
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    while (!stop_requested) {
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(listener, &rd);
        int maxfd = listener;
        for (int i = 0; i < nclients; i++) {
            FD_SET(clients[i], &rd);
            if (clients[i] > maxfd)
                maxfd = clients[i];
        }
        int n = pselect(maxfd + 1, &rd, NULL, NULL, NULL, &orig);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "vt-modbus-server: select: %s\n", strerror(errno));
            break;
        }
        if (FD_ISSET(listener, &rd)) {
            int fd = accept(listener, NULL, NULL);
            if (fd >= 0) {
                if (nclients < MAX_CLIENTS) {
                    clients[nclients++] = fd;
                    if (event_log) {
                        fputs("accept\n", event_log);
                        fflush(event_log);
                    }
                } else {
                    close(fd);
                }
            }
        }
        for (int i = 0; i < nclients; i++) {
            if (!FD_ISSET(clients[i], &rd))
                continue;
            modbus_set_socket(ctx, clients[i]);
            int len = modbus_receive(ctx, query);
            if (len > 0) {
                log_request(query, len, modbus_get_header_length(ctx));
                modbus_reply(ctx, query, len, map);
            } else if (len < 0) {
                /* closed by the client, or garbage: drop it */
                close(clients[i]);
                clients[i--] = clients[--nclients];
            }
        }
    }
    for (int i = 0; i < nclients; i++)
        close(clients[i]);
    close(listener);
    modbus_set_socket(ctx, -1);
    modbus_free(ctx);
    modbus_mapping_free(map);
    if (event_log)
        fclose(event_log);
    return 0;
}
