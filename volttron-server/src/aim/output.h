/* An agent's stdout or stderr, read from a pipe on the platform's loop and
 * logged line by line under the agent's identity (platform-services.md
 * §11.3): stderr lines "<N>..." (our agents, and syslog-style ones) keep
 * their level, Python's JSON log records keep theirs, other stderr lines are
 * errors, stdout lines are INFO. */
#ifndef VT_AIM_OUTPUT_H
#define VT_AIM_OUTPUT_H

#include <stdbool.h>

#include <volttron/client/loop.h>

typedef struct vt_output vt_output;

/* Watch fd (taken: closed at EOF or by destroy) on loop. identity is
 * copied. */
vt_output *vt_output_new(vt_loop *loop, int fd, const char *identity, bool is_stderr);
/* Read what is left without blocking, log it (a final partial line too),
 * close. *out becomes NULL. */
void vt_output_destroy(vt_output **out);
/* Whether the writer closed its end (everything has been logged). */
bool vt_output_done(const vt_output *out);

/* Log one line as the capture would (exposed for tests). */
void vt_output_log_line(const char *identity, bool is_stderr, const char *line);

#endif
