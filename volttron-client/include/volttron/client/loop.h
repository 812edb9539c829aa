/* The event loop: one per agent (or one shared by the platform's router and
 * its in-process services). Single-threaded: every callback runs on the
 * thread that called vt_loop_run.
 *
 * It waits on ZeroMQ sockets and plain file descriptors together, runs
 * one-shot and periodic timers on the monotonic clock, runs deferred calls
 * (work scheduled "right after the current callback"), and can turn SIGTERM
 * and SIGINT into an orderly stop.
 */
#ifndef VT_CLIENT_LOOP_H
#define VT_CLIENT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include <volttron/client/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_loop vt_loop;
typedef struct vt_timer vt_timer;

typedef void (*vt_timer_fn)(vt_loop *loop, vt_timer *timer, void *ctx);
/* events: VT_LOOP_READ and/or VT_LOOP_WRITE, or VT_LOOP_ERROR. */
typedef void (*vt_io_fn)(vt_loop *loop, int fd, unsigned events, void *ctx);
/* For ZeroMQ sockets (zsock is the libzmq socket handle). */
typedef void (*vt_zsock_fn)(vt_loop *loop, void *zsock, unsigned events, void *ctx);
typedef void (*vt_defer_fn)(vt_loop *loop, void *ctx);

#define VT_LOOP_READ 1u
#define VT_LOOP_WRITE 2u
#define VT_LOOP_ERROR 4u

/* A new loop. Caller owns it; release with vt_loop_destroy (timers and
 * watchers still registered are released too, without being called). */
VT_CLIENT_EXPORT vt_loop *vt_loop_new(void);
VT_CLIENT_EXPORT void vt_loop_destroy(vt_loop **loop);

/* Run until vt_loop_stop. Returns 0, or a negative errno if waiting failed. */
VT_CLIENT_EXPORT int vt_loop_run(vt_loop *loop);
/* One iteration: wait at most timeout_ms (-1: until something happens),
 * then run what is ready. Returns the number of callbacks run, or <0. */
VT_CLIENT_EXPORT int vt_loop_run_once(vt_loop *loop, int timeout_ms);
/* Make vt_loop_run return after the current callback. Safe from callbacks
 * and from a signal handler. */
VT_CLIENT_EXPORT void vt_loop_stop(vt_loop *loop);
VT_CLIENT_EXPORT bool vt_loop_stopped(const vt_loop *loop);

/* SIGTERM and SIGINT stop this loop (the process-wide handlers are
 * installed once; the last loop to ask receives the signals). */
VT_CLIENT_EXPORT int vt_loop_stop_on_signals(vt_loop *loop);

/* Timers. The returned handle belongs to the loop: a one-shot timer is
 * released after it fires, a periodic one when cancelled. A periodic timer
 * fires every period_ms after the first delay without drifting; if the loop
 * falls more than a period behind, missed ticks are skipped, not bunched. */
VT_CLIENT_EXPORT vt_timer *vt_loop_after(vt_loop *loop, int64_t delay_ms, vt_timer_fn fn,
                                         void *ctx);
VT_CLIENT_EXPORT vt_timer *vt_loop_every(vt_loop *loop, int64_t delay_ms, int64_t period_ms,
                                         vt_timer_fn fn, void *ctx);
/* The general form: period_ms 0 for one-shot; release (may be NULL) is
 * called with ctx when the loop lets go of the timer (fired one-shot,
 * cancelled, or loop destroyed), so a timer can own its context. */
VT_CLIENT_EXPORT vt_timer *vt_loop_timer(vt_loop *loop, int64_t delay_ms, int64_t period_ms,
                                         vt_timer_fn fn, void *ctx, void (*release)(void *ctx));
/* Cancel a pending timer (also from inside its own callback). The handle
 * must not be used afterwards. */
VT_CLIENT_EXPORT void vt_timer_cancel(vt_loop *loop, vt_timer *timer);
/* Change a periodic timer's period; the next tick comes period_ms from now. */
VT_CLIENT_EXPORT void vt_timer_set_period(vt_loop *loop, vt_timer *timer, int64_t period_ms);

/* Watch a file descriptor. One watcher per fd; adding again replaces it. */
VT_CLIENT_EXPORT int vt_loop_add_fd(vt_loop *loop, int fd, unsigned events, vt_io_fn fn, void *ctx);
VT_CLIENT_EXPORT void vt_loop_remove_fd(vt_loop *loop, int fd);

/* Watch a ZeroMQ socket for readability (events: VT_LOOP_READ). */
VT_CLIENT_EXPORT int vt_loop_add_zsock(vt_loop *loop, void *zsock, unsigned events, vt_zsock_fn fn,
                                       void *ctx);
VT_CLIENT_EXPORT void vt_loop_remove_zsock(vt_loop *loop, void *zsock);

/* Run fn once, after the current callback returns and before the loop waits
 * again. Deferred calls run in the order they were made. */
VT_CLIENT_EXPORT void vt_loop_defer(vt_loop *loop, vt_defer_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
