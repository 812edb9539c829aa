/* Starting an agent's process (platform-services.md §11.1), tied to the
 * platform: it leads a process group of its own (so the platform can
 * signal whatever it starts, and a terminal's ^C reaches only the
 * platform, which stops agents itself), and the kernel sends it SIGTERM
 * when the platform dies, however it dies (PR_SET_PDEATHSIG; SIGTERM rather
 * than SIGKILL so an agent can still save its state, the pid file check of
 * the next start handling one that ignores it). stdin is /dev/null, stdout
 * and stderr the given pipes, no other descriptor is inherited, signal
 * dispositions are the defaults and the mask is empty (the platform ignores
 * SIGPIPE and blocks nothing the agent should). */
#ifndef VT_AIM_LAUNCH_H
#define VT_AIM_LAUNCH_H

#include <sys/types.h>

typedef struct vt_launch {
    const char *exe; /* run with argv {exe} */
    const char *cwd;
    char *const *envp;
    int out_fd, err_fd; /* its stdout and stderr */
} vt_launch;

/* Start it; 0 with *pid, or a negative errno ("cannot run ...") when it
 * could not be made to run: a missing or unrunnable executable is reported
 * here, never as an exit status. The parent-death signal follows the
 * thread that calls this, not the process: call it from the thread that
 * lives as long as the platform (the loop's). */
int vt_launch_spawn(const vt_launch *l, pid_t *pid);

#endif
