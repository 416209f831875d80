/*
 * The supervisor: starts the worker processes (`sluice worker`, see
 * worker.h), reads their frames on one I/O thread, and restarts a worker
 * that exits or dies, with a growing pause (100 ms doubling to 5 s) so a
 * worker that dies at start does not spin.
 *
 * Thread rule: sl_workers_send() and sl_workers_counts() may be called
 * from any thread. The callbacks run on the I/O thread, one at a time;
 * they may call sl_workers_send().
 */
#ifndef SL_SERVER_WORKERS_H
#define SL_SERVER_WORKERS_H

#include <jansson.h>

#include "core/err.h"

struct sl_workers;

struct sl_workers_cb {
    void *ud;
    /* A frame from worker `w` (msg borrowed): "respond" or "done". */
    void (*on_frame)(void *ud, int w, json_t *msg);
    /* Worker `w` became ready (its "hello" arrived). */
    void (*on_up)(void *ud, int w);
    /* Worker `w` is gone (`why`: "exited with status 3", "killed by signal
     * 9 (Killed)", ...): whatever it was running is lost. */
    void (*on_down)(void *ud, int w, const char *why);
};

/* Starts `n` workers of `threads` threads each. `exe` is the sluice binary
 * to run (NULL: /proc/self/exe). Returns NULL with `err` set when even the
 * first cannot be started. */
struct sl_workers *sl_workers_start(int n, int threads, const char *exe,
                                    const struct sl_workers_cb *cb, struct sl_error *err);
/* Closes the workers' sockets (they exit at end of stream), waits up to
 * 2 s for them, kills what is left, and stops the I/O thread. */
void sl_workers_stop(struct sl_workers *ws);

/* Sends `msg` (borrowed) to worker `w`; SL_ERR_IO when it is not up. */
int sl_workers_send(struct sl_workers *ws, int w, const json_t *msg) SL_MUST_CHECK;
int sl_workers_n(const struct sl_workers *ws);
/* Is worker `w` up; its pid (0 when not running). */
int sl_workers_is_up(struct sl_workers *ws, int w);
int sl_workers_pid(struct sl_workers *ws, int w);
void sl_workers_counts(struct sl_workers *ws, int *up, int *starting, int *down);

#endif
