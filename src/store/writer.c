/*
 * The store writer (see writer.h): one thread, a FIFO of writes under a
 * mutex, and group commit. The thread sleeps on `more` until something is
 * queued, takes up to max_batch writes, runs them in one transaction with
 * a savepoint each, commits, and only then reports each result through
 * its `done`. sl_writer_run() waits on a condition variable of its own
 * (on its stack), so a commit wakes exactly the callers it concerns.
 *
 * A batch that somebody waits for is committed at once and durably. One
 * that nobody waits for (only sl_writer_submit() writes) is relaxed (see
 * sl_store_begin_relaxed) and gathered for up to GATHER_MS first: under
 * load, one commit then carries many executions, whose rows share pages.
 */
#include "store/writer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "store/store.h"
#include "util/alloc.h"

struct job {
    sl_write_cb fn;
    sl_write_done_cb done;
    void *arg;
    int rc;
    bool waited; /* sl_writer_run(): a caller waits for the commit */
    struct job *next;
};

/* How long writes nobody waits for are gathered before their commit. */
#define GATHER_MS 5

struct sl_writer {
    struct sl_store *st;
    int max_batch;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t more; /* signalled when a write is queued or stop is set */
    struct job *head, *tail;
    int queued;     /* jobs on the list */
    int backlog;    /* queued + in the running batch */
    int n_waited;   /* queued jobs a caller waits for */
    bool gathering; /* the thread waits for more before a relaxed batch */
    bool stop;
};

/* Runs one batch (a list of `n` jobs) in a transaction. */
static void run_batch(struct sl_writer *w, struct job *batch, bool durable)
{
    int rc = durable ? sl_store_begin(w->st) : sl_store_begin_relaxed(w->st);
    if (rc == 0) {
        for (struct job *j = batch; j; j = j->next) {
            j->rc = sl_store_savepoint(w->st);
            if (j->rc != 0)
                continue;
            j->rc = j->fn(w->st, j->arg);
            if (j->rc == 0)
                j->rc = sl_store_release(w->st);
            if (j->rc != 0)
                sl_store_rollback_to(w->st);
        }
        rc = sl_store_commit(w->st);
        if (rc != 0)
            sl_store_rollback(w->st);
    }
    for (struct job *j = batch; j; j = j->next)
        if (rc != 0)
            j->rc = rc;
}

static void *writer_main(void *p)
{
    struct sl_writer *w = p;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->more, &w->mu);
        if (!w->head)
            break; /* stopping and drained */
        if (!w->n_waited && !w->stop && w->queued < w->max_batch) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_nsec += GATHER_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            w->gathering = true;
            while (!w->n_waited && !w->stop && w->queued < w->max_batch &&
                   pthread_cond_timedwait(&w->more, &w->mu, &until) == 0)
                ;
            w->gathering = false;
        }
        struct job *batch = w->head, *last = batch;
        int n = 1;
        int waited = batch->waited;
        while (last->next && n < w->max_batch) {
            last = last->next;
            waited += last->waited;
            n++;
        }
        w->head = last->next;
        if (!w->head)
            w->tail = NULL;
        last->next = NULL;
        w->queued -= n;
        w->n_waited -= waited;
        pthread_mutex_unlock(&w->mu);

        run_batch(w, batch, waited > 0);
        while (batch) {
            struct job *j = batch;
            batch = j->next;
            if (j->done)
                j->done(j->arg, j->rc);
            free(j);
        }

        pthread_mutex_lock(&w->mu);
        w->backlog -= n;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

struct sl_writer *sl_writer_new(struct sl_store *st, int max_batch)
{
    struct sl_writer *w = sl_calloc(1, sizeof *w);
    w->st = st;
    w->max_batch = max_batch > 0 ? max_batch : 512;
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->more, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_cond_destroy(&w->more);
        pthread_mutex_destroy(&w->mu);
        sl_store_close(st);
        free(w);
        return NULL;
    }
    return w;
}

void sl_writer_free(struct sl_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->more);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->more);
    pthread_mutex_destroy(&w->mu);
    sl_store_close(w->st);
    free(w);
}

static void submit(struct sl_writer *w, sl_write_cb fn, sl_write_done_cb done, void *arg,
                   bool waited)
{
    struct job *j = sl_calloc(1, sizeof *j);
    j->fn = fn;
    j->done = done;
    j->arg = arg;
    j->waited = waited;
    pthread_mutex_lock(&w->mu);
    if (w->tail)
        w->tail->next = j;
    else
        w->head = j;
    w->tail = j;
    w->queued++;
    w->backlog++;
    w->n_waited += waited;
    /* while gathering, the thread only needs waking when the batch must go */
    if (!w->gathering || waited || w->queued >= w->max_batch)
        pthread_cond_signal(&w->more);
    pthread_mutex_unlock(&w->mu);
}

void sl_writer_submit(struct sl_writer *w, sl_write_cb fn, sl_write_done_cb done, void *arg)
{
    submit(w, fn, done, arg, false);
}

/* What sl_writer_run() waits on: its write's result, set under the
 * writer's mutex. */
struct waiter {
    struct sl_writer *w;
    sl_write_cb fn;
    void *arg;
    pthread_cond_t cond;
    bool finished;
    int rc;
};

static int waiter_fn(struct sl_store *st, void *arg)
{
    struct waiter *wt = arg;
    return wt->fn(st, wt->arg);
}

static void waiter_done(void *arg, int rc)
{
    struct waiter *wt = arg;
    pthread_mutex_lock(&wt->w->mu);
    wt->rc = rc;
    wt->finished = true;
    pthread_cond_signal(&wt->cond);
    pthread_mutex_unlock(&wt->w->mu);
}

int sl_writer_run(struct sl_writer *w, sl_write_cb fn, void *arg)
{
    struct waiter wt = {.w = w, .fn = fn, .arg = arg};
    pthread_cond_init(&wt.cond, NULL);
    submit(w, waiter_fn, waiter_done, &wt, true);
    pthread_mutex_lock(&w->mu);
    while (!wt.finished)
        pthread_cond_wait(&wt.cond, &w->mu);
    pthread_mutex_unlock(&w->mu);
    pthread_cond_destroy(&wt.cond);
    return wt.rc;
}

int sl_writer_backlog(struct sl_writer *w)
{
    pthread_mutex_lock(&w->mu);
    int n = w->backlog;
    pthread_mutex_unlock(&w->mu);
    return n;
}
