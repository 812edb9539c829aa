#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include <volttron/client/loop.h>
#include <volttron/utils/error.h>
#include <volttron/utils/log.h>
#include <volttron/utils/mem.h>
#include <volttron/utils/time.h>

struct vt_timer {
    int64_t due_ms;
    int64_t period_ms; /* 0 = one-shot */
    vt_timer_fn fn;
    void *ctx;
    void (*release)(void *ctx);
    size_t heap_index;
    bool cancelled;
    bool running; /* inside its own callback */
};

typedef struct watcher {
    void *zsock; /* NULL for a plain fd */
    int fd;
    unsigned events;
    vt_io_fn fd_fn;
    vt_zsock_fn zsock_fn;
    void *ctx;
    bool removed;
} watcher;

typedef struct deferred {
    vt_defer_fn fn;
    void *ctx;
    struct deferred *next;
} deferred;

struct vt_loop {
    vt_timer **heap;
    size_t nheap, capheap;

    watcher **watchers;
    size_t nwatchers, capwatchers;
    zmq_pollitem_t *items; /* rebuilt when the watcher set changes */
    size_t capitems;
    bool items_dirty;

    deferred *defer_head, *defer_tail;

    atomic_bool stop;
    int sig_pipe[2];
};

/* ---- timers: a binary min-heap on due time ---- */

static void heap_swap(vt_loop *l, size_t a, size_t b)
{
    vt_timer *t = l->heap[a];
    l->heap[a] = l->heap[b];
    l->heap[b] = t;
    l->heap[a]->heap_index = a;
    l->heap[b]->heap_index = b;
}

static void heap_up(vt_loop *l, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (l->heap[parent]->due_ms <= l->heap[i]->due_ms)
            break;
        heap_swap(l, i, parent);
        i = parent;
    }
}

static void heap_down(vt_loop *l, size_t i)
{
    for (;;) {
        size_t left = 2 * i + 1, right = left + 1, min = i;
        if (left < l->nheap && l->heap[left]->due_ms < l->heap[min]->due_ms)
            min = left;
        if (right < l->nheap && l->heap[right]->due_ms < l->heap[min]->due_ms)
            min = right;
        if (min == i)
            return;
        heap_swap(l, i, min);
        i = min;
    }
}

static void heap_push(vt_loop *l, vt_timer *t)
{
    if (l->nheap == l->capheap) {
        l->capheap = l->capheap ? l->capheap * 2 : 16;
        l->heap = vt_realloc(l->heap, l->capheap * sizeof *l->heap);
    }
    t->heap_index = l->nheap;
    l->heap[l->nheap++] = t;
    heap_up(l, t->heap_index);
}

static void heap_remove(vt_loop *l, vt_timer *t)
{
    size_t i = t->heap_index;
    l->nheap--;
    if (i != l->nheap) {
        l->heap[i] = l->heap[l->nheap];
        l->heap[i]->heap_index = i;
        heap_down(l, i);
        heap_up(l, i);
    }
    t->heap_index = (size_t)-1;
}

static void timer_free(vt_timer *t)
{
    if (t->release)
        t->release(t->ctx);
    free(t);
}

vt_timer *vt_loop_timer(vt_loop *l, int64_t delay_ms, int64_t period_ms, vt_timer_fn fn, void *ctx,
                        void (*release)(void *ctx))
{
    vt_timer *t = vt_calloc(1, sizeof *t);
    t->due_ms = vt_time_monotonic_ms() + (delay_ms > 0 ? delay_ms : 0);
    t->period_ms = period_ms > 0 ? period_ms : 0;
    t->fn = fn;
    t->ctx = ctx;
    t->release = release;
    heap_push(l, t);
    return t;
}

vt_timer *vt_loop_after(vt_loop *l, int64_t delay_ms, vt_timer_fn fn, void *ctx)
{
    return vt_loop_timer(l, delay_ms, 0, fn, ctx, NULL);
}

vt_timer *vt_loop_every(vt_loop *l, int64_t delay_ms, int64_t period_ms, vt_timer_fn fn, void *ctx)
{
    return vt_loop_timer(l, delay_ms, period_ms > 0 ? period_ms : 1, fn, ctx, NULL);
}

void vt_timer_cancel(vt_loop *l, vt_timer *t)
{
    if (!t)
        return;
    if (t->running) { /* freed by run_timers once the callback returns */
        t->cancelled = true;
        return;
    }
    if (t->heap_index != (size_t)-1)
        heap_remove(l, t);
    timer_free(t);
}

void vt_timer_set_period(vt_loop *l, vt_timer *t, int64_t period_ms)
{
    t->period_ms = period_ms > 0 ? period_ms : 1;
    if (t->heap_index != (size_t)-1) {
        heap_remove(l, t);
        t->due_ms = vt_time_monotonic_ms() + t->period_ms;
        heap_push(l, t);
    } else {
        t->due_ms = vt_time_monotonic_ms(); /* running: rescheduled from now */
    }
}

static int run_timers(vt_loop *l)
{
    int ran = 0;
    int64_t now = vt_time_monotonic_ms();
    while (l->nheap && l->heap[0]->due_ms <= now && !atomic_load(&l->stop)) {
        vt_timer *t = l->heap[0];
        heap_remove(l, t);
        t->running = true;
        t->fn(l, t, t->ctx);
        t->running = false;
        ran++;
        if (t->cancelled || t->period_ms == 0) {
            timer_free(t);
            continue;
        }
        t->due_ms += t->period_ms;
        now = vt_time_monotonic_ms();
        if (t->due_ms <= now) /* fell behind: skip missed ticks */
            t->due_ms = now + t->period_ms - (now - t->due_ms) % t->period_ms;
        heap_push(l, t);
    }
    return ran;
}

/* ---- watchers ---- */

static watcher *find_watcher(vt_loop *l, void *zsock, int fd)
{
    for (size_t i = 0; i < l->nwatchers; i++) {
        watcher *w = l->watchers[i];
        if (!w->removed && w->zsock == zsock && (zsock || w->fd == fd))
            return w;
    }
    return NULL;
}

static watcher *add_watcher(vt_loop *l, void *zsock, int fd)
{
    watcher *w = find_watcher(l, zsock, fd);
    if (w)
        return w;
    if (l->nwatchers == l->capwatchers) {
        l->capwatchers = l->capwatchers ? l->capwatchers * 2 : 8;
        l->watchers = vt_realloc(l->watchers, l->capwatchers * sizeof *l->watchers);
    }
    w = vt_calloc(1, sizeof *w);
    w->zsock = zsock;
    w->fd = fd;
    l->watchers[l->nwatchers++] = w;
    l->items_dirty = true;
    return w;
}

int vt_loop_add_fd(vt_loop *l, int fd, unsigned events, vt_io_fn fn, void *ctx)
{
    if (fd < 0)
        return vt_error_set(-EBADF, "cannot watch an invalid file descriptor");
    watcher *w = add_watcher(l, NULL, fd);
    w->events = events;
    w->fd_fn = fn;
    w->ctx = ctx;
    l->items_dirty = true;
    return 0;
}

int vt_loop_add_zsock(vt_loop *l, void *zsock, unsigned events, vt_zsock_fn fn, void *ctx)
{
    watcher *w = add_watcher(l, zsock, -1);
    w->events = events;
    w->zsock_fn = fn;
    w->ctx = ctx;
    l->items_dirty = true;
    return 0;
}

/* Mark removed; the slot is reclaimed before the next wait, so a callback
 * may remove watchers (its own included) while the ready list is walked. */
static void remove_watcher(vt_loop *l, watcher *w)
{
    if (!w)
        return;
    w->removed = true;
    l->items_dirty = true;
}

void vt_loop_remove_fd(vt_loop *l, int fd)
{
    remove_watcher(l, find_watcher(l, NULL, fd));
}

void vt_loop_remove_zsock(vt_loop *l, void *zsock)
{
    remove_watcher(l, find_watcher(l, zsock, -1));
}

static void reap_watchers(vt_loop *l)
{
    size_t j = 0;
    for (size_t i = 0; i < l->nwatchers; i++) {
        if (l->watchers[i]->removed)
            free(l->watchers[i]);
        else
            l->watchers[j++] = l->watchers[i];
    }
    l->nwatchers = j;
}

static void rebuild_items(vt_loop *l)
{
    reap_watchers(l);
    if (l->capitems < l->nwatchers) {
        l->capitems = l->nwatchers;
        l->items = vt_realloc(l->items, l->capitems * sizeof *l->items);
    }
    for (size_t i = 0; i < l->nwatchers; i++) {
        watcher *w = l->watchers[i];
        short ev = 0;
        if (w->events & VT_LOOP_READ)
            ev |= ZMQ_POLLIN;
        if (w->events & VT_LOOP_WRITE)
            ev |= ZMQ_POLLOUT;
        l->items[i] =
            (zmq_pollitem_t){.socket = w->zsock, .fd = w->zsock ? 0 : w->fd, .events = ev};
    }
    l->items_dirty = false;
}

/* ---- deferred calls ---- */

void vt_loop_defer(vt_loop *l, vt_defer_fn fn, void *ctx)
{
    deferred *d = vt_malloc(sizeof *d);
    d->fn = fn;
    d->ctx = ctx;
    d->next = NULL;
    if (l->defer_tail)
        l->defer_tail->next = d;
    else
        l->defer_head = d;
    l->defer_tail = d;
}

static int run_deferred(vt_loop *l)
{
    int ran = 0;
    /* Only what was queued before we started: calls deferred by these run in
     * the next round, so a self-rescheduling call cannot starve the loop. */
    deferred *d = l->defer_head, *end = l->defer_tail;
    l->defer_head = l->defer_tail = NULL;
    while (d) {
        deferred *next = d->next;
        bool last = d == end;
        d->fn(l, d->ctx);
        free(d);
        ran++;
        if (last)
            break;
        d = next;
    }
    return ran;
}

/* ---- signals ---- */

static atomic_int signal_fd = -1;

static void on_signal(int sig)
{
    /* The interrupted code may be about to read errno: a failed write here
     * (a full pipe) must not change it under its feet. */
    int saved = errno;
    int fd = atomic_load(&signal_fd);
    if (fd >= 0) {
        char c = (char)sig;
        ssize_t w = write(fd, &c, 1);
        (void)w; /* a full pipe already holds a pending stop */
    }
    errno = saved;
}

static void signal_ready(vt_loop *l, int fd, unsigned events, void *ctx)
{
    (void)events;
    (void)ctx;
    char buf[16];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0)
        vt_log_info("volttron.loop", "signal %d received, stopping", buf[0]);
    vt_loop_stop(l);
}

int vt_loop_stop_on_signals(vt_loop *l)
{
    if (l->sig_pipe[0] < 0) {
        if (pipe2(l->sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
            return vt_error_set(-errno, "cannot create the signal pipe: %s", strerror(errno));
        vt_loop_add_fd(l, l->sig_pipe[0], VT_LOOP_READ, signal_ready, NULL);
    }
    atomic_store(&signal_fd, l->sig_pipe[1]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    return 0;
}

/* ---- running ---- */

vt_loop *vt_loop_new(void)
{
    vt_loop *l = vt_calloc(1, sizeof *l);
    l->sig_pipe[0] = l->sig_pipe[1] = -1;
    atomic_init(&l->stop, false);
    return l;
}

void vt_loop_destroy(vt_loop **lp)
{
    if (!lp || !*lp)
        return;
    vt_loop *l = *lp;
    for (size_t i = 0; i < l->nheap; i++)
        timer_free(l->heap[i]);
    free(l->heap);
    for (size_t i = 0; i < l->nwatchers; i++)
        free(l->watchers[i]);
    free(l->watchers);
    free(l->items);
    while (l->defer_head) {
        deferred *next = l->defer_head->next;
        free(l->defer_head);
        l->defer_head = next;
    }
    if (l->sig_pipe[0] >= 0) {
        int expected = l->sig_pipe[1];
        atomic_compare_exchange_strong(&signal_fd, &expected, -1);
        close(l->sig_pipe[0]);
        close(l->sig_pipe[1]);
    }
    free(l);
    *lp = NULL;
}

void vt_loop_stop(vt_loop *l)
{
    atomic_store(&l->stop, true);
}

bool vt_loop_stopped(const vt_loop *l)
{
    return atomic_load(&((vt_loop *)l)->stop);
}

static int dispatch_ready(vt_loop *l, size_t n)
{
    int ran = 0;
    for (size_t i = 0; i < n && !atomic_load(&l->stop); i++) {
        short re = l->items[i].revents;
        watcher *w = l->watchers[i];
        if (!re || w->removed)
            continue;
        unsigned ev = 0;
        if (re & ZMQ_POLLIN)
            ev |= VT_LOOP_READ;
        if (re & ZMQ_POLLOUT)
            ev |= VT_LOOP_WRITE;
        if (re & ZMQ_POLLERR)
            ev |= VT_LOOP_ERROR;
        if (w->zsock)
            w->zsock_fn(l, w->zsock, ev, w->ctx);
        else
            w->fd_fn(l, w->fd, ev, w->ctx);
        ran++;
        if (l->defer_head)
            ran += run_deferred(l);
    }
    return ran;
}

int vt_loop_run_once(vt_loop *l, int timeout_ms)
{
    int ran = run_deferred(l);
    ran += run_timers(l);
    if (l->defer_head || atomic_load(&l->stop))
        timeout_ms = 0;
    if (l->nheap) {
        int64_t until = l->heap[0]->due_ms - vt_time_monotonic_ms();
        if (until < 0)
            until = 0;
        if (timeout_ms < 0 || until < timeout_ms)
            timeout_ms = (int)(until > 3600000 ? 3600000 : until);
    }
    if (l->items_dirty)
        rebuild_items(l);
    size_t n = l->nwatchers;
    int rc = zmq_poll(l->items, (int)n, timeout_ms);
    if (rc < 0) {
        if (errno == EINTR)
            return ran;
        return vt_error_set(-errno, "event loop wait failed: %s", zmq_strerror(errno));
    }
    if (rc > 0)
        ran += dispatch_ready(l, n);
    ran += run_deferred(l);
    return ran;
}

int vt_loop_run(vt_loop *l)
{
    int rc = 0;
    while (!atomic_load(&l->stop)) {
        rc = vt_loop_run_once(l, -1);
        if (rc < 0)
            break;
    }
    /* Ready to run again; a stop requested before run still takes effect. */
    atomic_store(&l->stop, false);
    return rc < 0 ? rc : 0;
}
