/* An agent's stdout or stderr, read from a pipe on the platform's loop and
 * logged line by line under the agent's identity (platform-services.md
 * §11.3): stderr lines "<N>..." (our agents, and syslog-style ones) keep
 * their level, Python's JSON log records keep theirs, other stderr lines are
 * errors, stdout lines are INFO.
 *
 * An agent cannot take the platform's loop or its log with it: each wake-up
 * reads a bounded amount (the loop gets back to routing, timers and
 * signals), and the agent's lines are logged within a budget its two
 * streams share (a token bucket: a burst, then a sustained rate). Lines over
 * the budget are dropped and counted; the count is logged under
 * "volttron.agents" (which the agent cannot write as) every report period
 * while lines are being dropped, and when its output ends. While it is over
 * budget its pipe is read only every few hundredths of a second, so a
 * flooding agent blocks on its own writes instead of the platform spinning
 * on them. */
#ifndef VT_AIM_OUTPUT_H
#define VT_AIM_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include <volttron/client/loop.h>

/* The defaults: an agent logs 1000 lines at once and 100 a second after
 * that (8.6 million lines a day: plenty for a building controller, a
 * trickle for its log), and a flood is reported every 10 s. */
#define VT_OUTPUT_BURST_LINES 1000
#define VT_OUTPUT_LINES_PER_SEC 100
#define VT_OUTPUT_REPORT_MS 10000

typedef struct vt_output_limits {
    int lines_per_sec; /* sustained rate; 0: the default, < 0: no limit */
    int burst_lines;   /* lines at once on a full budget; 0: the default */
    int64_t report_ms; /* how often drops are reported; 0: the default */
} vt_output_limits;

/* One agent's budget, shared by its stdout and stderr and kept across its
 * restarts (a crash loop gets no fresh burst per run). */
typedef struct vt_output_budget vt_output_budget;

/* identity and limits are copied; limits may be NULL (the defaults). */
vt_output_budget *vt_output_budget_new(vt_loop *loop, const char *identity,
                                       const vt_output_limits *limits);
/* Report what was dropped and not yet reported; free. *b becomes NULL.
 * The outputs using it must be destroyed first. */
void vt_output_budget_destroy(vt_output_budget **b);
/* Log now how many lines were dropped since the last report, if any. */
void vt_output_budget_report(vt_output_budget *b);

typedef struct vt_output vt_output;

/* Watch fd (taken: closed at EOF or by destroy) on loop. identity is
 * copied. budget (borrowed, may be NULL for no limit) must outlive the
 * output. */
vt_output *vt_output_new(vt_loop *loop, int fd, const char *identity, bool is_stderr,
                         vt_output_budget *budget);
/* Read a bounded amount of what is left without blocking, log it (a final
 * partial line too), close. *out becomes NULL. */
void vt_output_destroy(vt_output **out);
/* Whether the writer closed its end (everything has been logged). */
bool vt_output_done(const vt_output *out);

/* Log one line as the capture would (exposed for tests). */
void vt_output_log_line(const char *identity, bool is_stderr, const char *line);

#endif
