/* systemd's readiness protocol, spoken directly (no libsystemd): a datagram
 * to $NOTIFY_SOCKET. Also what the tests wait on to know the platform is up. */
#ifndef VT_NOTIFY_H
#define VT_NOTIFY_H

/* Send state (e.g. "READY=1") if NOTIFY_SOCKET is set. 0 when sent or not
 * wanted, a negative errno if sending failed. */
int vt_notify(const char *state);

/* How often to send "WATCHDOG=1" (half systemd's WatchdogSec, from
 * $WATCHDOG_USEC, when $WATCHDOG_PID is unset or names this process), in
 * milliseconds; 0 when no watchdog is asked for. */
long vt_notify_watchdog_ms(void);

#endif
