/*
 * The store writer: one thread that owns the server's write connection and
 * commits many writes per transaction (group commit).
 *
 * Callers queue a write (a function run on the writer's connection). The
 * writer takes everything queued, runs each write inside its own savepoint
 * in one transaction, commits, then calls each write's `done` with the
 * write's result (SL_OK, or its error; a failed commit fails them all).
 * sl_writer_run() queues a write and waits for its commit: a webhook in
 * onReceived mode answers only after its execution is stored.
 *
 * Thread rule: sl_writer_submit() and sl_writer_run() may be called from
 * any thread. `fn` and `done` run on the writer thread; `done` must not
 * block (it may queue more writes). sl_writer_free() commits what is
 * queued, then stops the thread.
 */
#ifndef SL_STORE_WRITER_H
#define SL_STORE_WRITER_H

#include "core/err.h"

struct sl_store;
struct sl_writer;

/* A write: runs on the writer's connection inside a transaction; returns
 * 0 or a negative enum sl_err (the message on the connection). */
typedef int (*sl_write_cb)(struct sl_store *st, void *arg);
/* Called once the write's transaction committed or failed. */
typedef void (*sl_write_done_cb)(void *arg, int rc);

/* Starts the writer on `st` (it takes ownership and closes it when freed).
 * `max_batch` bounds the writes per transaction (0: 512). */
struct sl_writer *sl_writer_new(struct sl_store *st, int max_batch);
void sl_writer_free(struct sl_writer *w);

/* Queues a write; `done` (may be NULL) is called after its commit. */
void sl_writer_submit(struct sl_writer *w, sl_write_cb fn, sl_write_done_cb done, void *arg);
/* Queues a write and waits until its transaction committed; returns the
 * write's result. Must not be called from the writer thread (a `fn` or
 * `done`). */
int sl_writer_run(struct sl_writer *w, sl_write_cb fn, void *arg) SL_MUST_CHECK;

/* Writes queued and not yet committed (for /metrics). */
int sl_writer_backlog(struct sl_writer *w);

#endif
