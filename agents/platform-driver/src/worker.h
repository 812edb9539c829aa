/* Worker threads for interfaces that do I/O (Modbus TCP): a device that does
 * not answer holds one worker, never the agent's loop. Jobs run on a worker;
 * their completion runs back on the loop. */
#ifndef WORKER_H
#define WORKER_H

#include <stdbool.h>

#include <volttron/client/client.h>

typedef struct drv_workers drv_workers;

/* work(arg) runs on a worker thread; done(arg, ran) then runs on the loop
 * (ran false when the pool was destroyed before the job could run). */
typedef void (*drv_work_fn)(void *arg);
typedef void (*drv_done_fn)(void *arg, bool ran);

drv_workers *drv_workers_new(vt_loop *loop, int threads);
/* Queue a job (never blocks). */
void drv_workers_submit(drv_workers *w, drv_work_fn work, drv_done_fn done, void *arg);
/* Jobs queued or running. */
size_t drv_workers_pending(const drv_workers *w);
/* Let running jobs finish, cancel queued ones, deliver every done, join. */
void drv_workers_destroy(drv_workers **w);

#endif
