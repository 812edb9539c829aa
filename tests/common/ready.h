/* Waiting for the platform's READY=1 (systemd's notify protocol) on a
 * datagram socket of our own: tests and benchmarks start work on that event
 * rather than after a guessed delay. */
#ifndef VT_READY_H
#define VT_READY_H

/* A datagram socket bound at path (replacing any old one); -1 on error. */
int vt_ready_open(const char *path);
/* Wait up to timeout_ms for a datagram containing READY=1: 0, or -1. */
int vt_ready_wait(int fd, int timeout_ms);
/* The same for any state text (e.g. "WATCHDOG=1"). */
int vt_ready_wait_for(int fd, const char *state, int timeout_ms);

#endif
