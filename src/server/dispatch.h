/*
 * The dispatcher: admission, the run queue, and the life of every
 * execution the server runs (docs/serve.md).
 *
 * An accepted job gets its execution row first (status running when a
 * worker slot is free, else new), written through the store writer; a
 * durable job (webhook onReceived, schedule) returns only after that row
 * and its input are committed. Then it goes to the least busy worker, or
 * waits in the queue. When the worker's "done" arrives the row is
 * finished (status, error, node runs, data by the save policy; the parked
 * state when it waits) and the job's on_done is called. A worker that
 * dies takes its jobs with it: their rows become crashed and, when the
 * workflow allows, each runs again as a new execution (mode retry,
 * retryOf the crashed one) that keeps the waiting client, if any.
 *
 * Save policy: SLUICE_EXECUTIONS_DATA_SAVE_ON_SUCCESS (all|none, default
 * none), ..._ON_ERROR (default all), ..._MANUAL (default all), each
 * overridden by the workflow's settings saveDataSuccessExecution,
 * saveDataErrorExecution, saveManualExecutions ("DEFAULT" = the server's).
 *
 * Thread rule: every function may be called from any thread; callbacks
 * run on the supervisor's I/O thread or on the caller's thread, never
 * with the dispatcher's lock held.
 */
#ifndef SL_SERVER_DISPATCH_H
#define SL_SERVER_DISPATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct sl_dispatch;
struct sl_writer;
struct sl_workers;
struct sl_metrics;

struct sl_dispatch_conf {
    int workers;           /* SLUICE_WORKERS */
    int worker_threads;    /* SLUICE_WORKER_CONCURRENCY */
    int concurrency_limit; /* SLUICE_CONCURRENCY_LIMIT: running at once */
    int queue_max;         /* SLUICE_QUEUE_MAX: waiting for a slot */
    int crash_retries;     /* SLUICE_CRASH_RETRIES */
    const char *exe;       /* the sluice binary for workers (NULL: /proc/self/exe) */
};

/* The outcome handed to on_done (borrowed for the call). */
struct sl_job_result {
    int64_t exec_id;
    const char *status;  /* success, error, waiting, crashed, canceled */
    const char *error;   /* NULL when none */
    const json_t *items; /* last node's items (lastNode mode), else NULL */
};

struct sl_job_spec {
    const char *workflow_id;
    const json_t *doc;         /* the workflow document (borrowed; a reference is taken) */
    int64_t version;           /* its versionCounter */
    const char *mode;          /* webhook, trigger, manual, retry */
    const char *start_node;    /* NULL: n8n's start-node rule */
    const json_t *items;       /* start items (borrowed), NULL: none */
    const char *response_mode; /* lastNode, responseNode, onReceived or NULL */
    bool durable;              /* return only after the row is committed */
    int64_t exec_id;           /* > 0: the row exists already (queued or recovered) */
    int64_t retry_of;          /* 0: none */
    /* A Respond to Webhook node's response ({statusCode, headers, body},
     * borrowed); at most once. May be NULL. */
    void (*on_response)(void *ud, const json_t *response);
    /* The end of the job; called exactly once when submit returned 0. */
    void (*on_done)(void *ud, const struct sl_job_result *res);
    void *ud;
};

struct sl_dispatch *sl_dispatch_new(const struct sl_dispatch_conf *conf, struct sl_writer *writer,
                                    struct sl_metrics *metrics, struct sl_error *err);
/* Stops the workers and frees everything; call after sl_dispatch_drain. */
void sl_dispatch_free(struct sl_dispatch *d);

/* Accepts a job. Returns 0 (its execution id in *exec_id, may be NULL),
 * SL_ERR_BUSY when the running slots and the queue are full or the server
 * is draining (answer 503), or SL_ERR_IO when its row could not be
 * written (the store's message in `err`). */
int sl_dispatch_submit(struct sl_dispatch *d, const struct sl_job_spec *spec, int64_t *exec_id,
                       struct sl_error *err) SL_MUST_CHECK;

/* Whether workflow `doc` lets an execution that crashed run again
 * (settings.sluice.retryCrashed, default true). */
bool sl_dispatch_retries_crashed(const json_t *doc);

/* Marks execution `id` as this dispatcher's; false when it was already
 * (the server's scan for queued rows uses it so that no row runs twice). */
bool sl_dispatch_claim(struct sl_dispatch *d, int64_t id);
void sl_dispatch_unclaim(struct sl_dispatch *d, int64_t id);

/* Tracks a parked execution (from the store at start, or just parked) to
 * resume at `wait_till_ms`. */
void sl_dispatch_park(struct sl_dispatch *d, int64_t exec_id, const char *workflow_id,
                      int64_t wait_till_ms);
/* Resumes what is due and starts queued jobs when slots are free; the
 * server calls it about once a second. `load_cb` reads what a resume
 * needs from the store: the workflow document, its version and the
 * parked state (new references), 0 or an error. */
void sl_dispatch_tick(struct sl_dispatch *d,
                      int (*load_cb)(void *ud, int64_t exec_id, const char *workflow_id,
                                     json_t **doc, int64_t *version, json_t **state),
                      void *ud);

/* Stops admitting (submit answers SL_ERR_BUSY), answers queued jobs
 * that have a waiting client as canceled (their rows too), keeps the
 * other queued rows as new for the next start, and waits up to
 * `timeout_s` for the running ones. Returns how many were still running. */
int sl_dispatch_drain(struct sl_dispatch *d, int timeout_s);

struct sl_dispatch_stats {
    int64_t running, queued, parked;
    double oldest_queued_s;
    int workers_up, workers_starting, workers_down;
};
void sl_dispatch_stats(struct sl_dispatch *d, struct sl_dispatch_stats *s);
/* The pid of worker `w` (for tests and logs), 0 when not running. */
int sl_dispatch_worker_pid(struct sl_dispatch *d, int w);

#endif
