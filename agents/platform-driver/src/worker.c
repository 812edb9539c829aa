#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <volttron/utils/mem.h>

#include "worker.h"

typedef struct job {
    drv_work_fn work;
    drv_done_fn done;
    void *arg;
    bool ran;
    struct job *next;
} job;

struct drv_workers {
    vt_loop *loop;
    pthread_mutex_t lock;
    pthread_cond_t more;
    job *queue, *queue_tail;       /* to run */
    job *finished, *finished_tail; /* to deliver on the loop */
    bool stopping;
    int efd; /* eventfd: finished jobs waiting */
    pthread_t *threads;
    int nthreads;
    atomic_size_t pending;
};

static void push(job **head, job **tail, job *j)
{
    j->next = NULL;
    if (*tail)
        (*tail)->next = j;
    else
        *head = j;
    *tail = j;
}

static void *run(void *ctx)
{
    drv_workers *w = ctx;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->queue && !w->stopping)
            pthread_cond_wait(&w->more, &w->lock);
        if (!w->queue)
            break;
        job *j = w->queue;
        w->queue = j->next;
        if (!w->queue)
            w->queue_tail = NULL;
        pthread_mutex_unlock(&w->lock);
        j->work(j->arg);
        j->ran = true;
        pthread_mutex_lock(&w->lock);
        push(&w->finished, &w->finished_tail, j);
        uint64_t one = 1;
        if (write(w->efd, &one, sizeof one) < 0) {
            /* the counter cannot overflow in practice; the loop reads all */
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static void deliver(drv_workers *w)
{
    pthread_mutex_lock(&w->lock);
    job *j = w->finished;
    w->finished = w->finished_tail = NULL;
    pthread_mutex_unlock(&w->lock);
    while (j) {
        job *next = j->next;
        atomic_fetch_sub(&w->pending, 1);
        j->done(j->arg, j->ran);
        free(j);
        j = next;
    }
}

static void on_event(vt_loop *loop, int fd, unsigned events, void *ctx)
{
    (void)loop;
    (void)events;
    uint64_t n;
    if (read(fd, &n, sizeof n) < 0 && errno != EAGAIN)
        return;
    deliver(ctx);
}

drv_workers *drv_workers_new(vt_loop *loop, int threads)
{
    drv_workers *w = vt_calloc(1, sizeof *w);
    w->loop = loop;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->more, NULL);
    w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    vt_loop_add_fd(loop, w->efd, VT_LOOP_READ, on_event, w);
    w->nthreads = threads > 0 ? threads : 1;
    w->threads = vt_calloc((size_t)w->nthreads, sizeof *w->threads);
    for (int i = 0; i < w->nthreads; i++)
        pthread_create(&w->threads[i], NULL, run, w);
    return w;
}

void drv_workers_submit(drv_workers *w, drv_work_fn work, drv_done_fn done, void *arg)
{
    job *j = vt_calloc(1, sizeof *j);
    j->work = work;
    j->done = done;
    j->arg = arg;
    atomic_fetch_add(&w->pending, 1);
    pthread_mutex_lock(&w->lock);
    push(&w->queue, &w->queue_tail, j);
    pthread_cond_signal(&w->more);
    pthread_mutex_unlock(&w->lock);
}

size_t drv_workers_pending(const drv_workers *w)
{
    return atomic_load(&((drv_workers *)w)->pending);
}

void drv_workers_destroy(drv_workers **wp)
{
    if (!wp || !*wp)
        return;
    drv_workers *w = *wp;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    /* queued jobs are cancelled: delivered without running */
    job *j = w->queue;
    w->queue = w->queue_tail = NULL;
    while (j) {
        job *next = j->next;
        push(&w->finished, &w->finished_tail, j);
        j = next;
    }
    pthread_cond_broadcast(&w->more);
    pthread_mutex_unlock(&w->lock);
    for (int i = 0; i < w->nthreads; i++)
        pthread_join(w->threads[i], NULL);
    deliver(w);
    vt_loop_remove_fd(w->loop, w->efd);
    close(w->efd);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->more);
    free(w->threads);
    free(w);
    *wp = NULL;
}
