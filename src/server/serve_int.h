/*
 * The server's shared state, for the files of src/server/ that make up
 * `sluice serve` (serve.c: life and the main loop; http.c: the HTTP
 * front; triggers.c: webhooks and schedules to executions).
 */
#ifndef SL_SERVER_SERVE_INT_H
#define SL_SERVER_SERVE_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "server/http.h"

struct sl_store;
struct sl_writer;
struct sl_dispatch;
struct sl_metrics;
struct sl_webhook_table;
struct sl_schedule;

/* What the active workflows register, rebuilt when the store changes and
 * swapped in whole; readers hold a reference for a request. */
struct sl_snapshot {
    int refs;                      /* under sl_server.snap_lock */
    json_t *workflows;             /* id -> {doc, version} for every stored workflow */
    struct sl_webhook_table *live; /* active workflows: /webhook/ */
    struct sl_webhook_table *test; /* every workflow: /webhook-test/ */
    int64_t n_active;
};

struct sl_server {
    char *data_dir;
    size_t payload_max;
    bool metrics_on;
    int shutdown_timeout_s;
    int64_t prune_max_age_h, prune_max_count;
    struct sl_store *store; /* the main thread's connection */
    struct sl_writer *writer;
    struct sl_dispatch *dispatch;
    struct sl_metrics *metrics;
    pthread_mutex_t snap_lock;
    struct sl_snapshot *snap;
    volatile int changed;  /* the store changed (API): reload soon */
    volatile int draining; /* SIGTERM: refuse new work */
    bool ready;
    pthread_key_t store_key; /* per-thread read connections */
};

/* The snapshot in use, with a reference; release with sl_snapshot_put. */
struct sl_snapshot *sl_snapshot_get(struct sl_server *srv);
void sl_snapshot_put(struct sl_server *srv, struct sl_snapshot *s);
/* This thread's own store connection (opened on first use); NULL with a
 * log line when the store cannot be opened. */
struct sl_store *sl_server_thread_store(struct sl_server *srv);

/* Answers a request under /webhook/ or /webhook-test/ (`test`): may
 * answer later, through `reply` (called once, on any thread). Returns
 * true when it answered in `resp` already. */
struct sl_pending;
bool sl_server_webhook(struct sl_server *srv, bool test, const char *path,
                       const struct sl_http_req *req, struct sl_http_resp *resp,
                       struct sl_pending *pending);
/* For http.c: the request's pending answer, filled on another thread. */
struct sl_pending *sl_pending_new(void (*wake)(void *ud), void *ud);
/* Takes the answer when ready (true), moving it into `resp`. */
bool sl_pending_take(struct sl_pending *p, struct sl_http_resp *resp);
/* Answers a request that still waits 503 (the server stops before its
 * execution answered); nothing when it has its answer already. */
void sl_pending_shutdown(struct sl_pending *p);
/* Drops the HTTP side's reference (the job may still hold one). */
void sl_pending_release(struct sl_pending *p);
/* Marks the pending answer as waiting for a wake-up: returns false when
 * it is already ready (answer now instead of suspending). */
bool sl_pending_arm(struct sl_pending *p);

/* Time triggers (scheduler.c): the timers of the active workflows. */
struct sl_scheduler;
struct sl_scheduler *sl_scheduler_new(void);
void sl_scheduler_free(struct sl_scheduler *sc);
/* Rebuilds the timers from `workflows` (the snapshot's id -> {doc,
 * version}); unchanged triggers keep their timers. */
void sl_scheduler_load(struct sl_scheduler *sc, const json_t *workflows);
/* Fires what is due at `now`; returns the next due time, or -1. */
int64_t sl_scheduler_fire(struct sl_scheduler *sc, struct sl_server *srv, int64_t now);
/* 0 when every enabled time trigger of `doc` has valid rules; else the
 * node, field and cause in `err`. */
int sl_scheduler_check(const json_t *doc, struct sl_error *err);

/* HTTP front (http.c). */
struct sl_httpd;
struct sl_httpd *sl_httpd_start(struct sl_server *srv, const char *host, int port, char *err,
                                size_t errlen);
void sl_httpd_stop(struct sl_httpd *h);

#endif
