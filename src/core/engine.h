/*
 * The execution engine: runs one workflow execution with n8n's scheduling
 * (execution order v1 and legacy v0), node settings (retries, onError,
 * alwaysOutputData, executeOnce, disabled) and run data.
 *
 * An execution keeps only what can still be needed: a node's output is
 * dropped once it has been handed to the next nodes, unless an expression
 * or Code node refers to that node (directly or through the pairedItem
 * chain), the caller asked for it, or it is the latest output (the result).
 *
 * Thread rule: one struct sl_exec is used by one thread at a time; all its
 * state lives in the struct (no process-global mutable state), so several
 * executions may run on different threads.
 *
 * Parking: a node that waits (the Wait node; n8n's putExecutionToWait)
 * does not hold the thread. The engine records the node's run as
 * "waiting", puts the node back at the front of the stack with its input
 * and returns SL_EXEC_PARKED with the status SL_EXEC_WAITING. Everything
 * needed to continue stays in the struct sl_exec, which owns it: the
 * waiting node's task and input items, the rest of the stack, the nodes
 * waiting for more inputs, the run data, node contexts, custom data and
 * the finish order. It refers to no thread, stack frame or timer; the
 * borrowed things are the workflow and the pointers in the options (the
 * clock, start_items and keep are only read before the first node runs).
 * The caller decides when to continue: sl_exec_resume() at
 * sl_exec_wait_till(), or sl_exec_run_to_end() to sleep on the clock; to
 * continue elsewhere or later, sl_exec_save() writes the state as JSON and
 * sl_exec_load() rebuilds it.
 * Resuming replaces the waiting run with one in which the node passes its
 * first input through, as n8n does, so a parked and resumed execution ends
 * with the same run data as one that never parked.
 */
#ifndef SL_CORE_ENGINE_H
#define SL_CORE_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/workflow.h"

struct sl_exec;
struct sl_clock;

/* sl_exec_run() / sl_exec_resume(): the execution parked (status waiting). */
#define SL_EXEC_PARKED 1

enum sl_exec_status {
    SL_EXEC_NEW = 0,
    SL_EXEC_RUNNING,
    SL_EXEC_SUCCESS,
    SL_EXEC_ERROR,
    SL_EXEC_WAITING,
    SL_EXEC_CANCELED,
};

struct sl_exec_opts {
    const char *mode;        /* "manual" when NULL */
    const char *id;          /* execution id; generated when NULL */
    json_t *start_items;     /* borrowed items for the start node; NULL: [{json:{}}] */
    bool keep_all;           /* keep every node's output (full run data) */
    const char *const *keep; /* names of nodes whose output to keep */
    size_t n_keep;
    bool pin_data; /* use the workflow's pinData as pinned output */
    /* The node the run starts from (borrowed, a node of the workflow);
     * NULL: n8n's start-node rule (sl_workflow_start_node). */
    const struct sl_node *start_node;
    /* Looks up a stored workflow by id for sub-workflows with the
     * "database" source (the store plugs in here); returns a new reference
     * to the workflow document, or NULL with `err` set. NULL: no store.
     * Sub-executions inherit it. */
    json_t *(*lookup_cb)(void *lookup_ud, const char *id, struct sl_error *err);
    void *lookup_ud;
    /* Resolves a node's credential reference (node.credentials[type] =
     * {id, name}) to the credential's decrypted data: a new reference to
     * its data object, or NULL with `err` set to a message that names the
     * credential and never holds a secret. NULL: no credentials here (see
     * store/creds.h). Sub-executions inherit it. Called from the thread
     * that runs the execution: it must be thread-safe. */
    json_t *(*credential_cb)(void *cred_ud, const char *type, const char *id, const char *name,
                             struct sl_error *err);
    void *cred_ud;
    /* Called after each node run (progress display); may be NULL. */
    void (*on_node)(void *ud, const struct sl_exec *ex, const struct sl_node *node);
    /* Called when a Respond to Webhook node built the HTTP response of
     * this execution ({statusCode, headers, body}, borrowed for the call);
     * the server answers the waiting request with the first one. May be
     * NULL; sub-executions do not inherit it (as in n8n, a sub-workflow
     * does not answer its caller's webhook). */
    void (*on_respond)(void *ud, const struct sl_exec *ex, const json_t *response);
    void *ud;
    /* Borrowed clock for "now", waits and retry pauses (util/clock.h);
     * NULL: the real clock. Must outlive the execution. */
    struct sl_clock *clock;
};

/* Creates an execution of `wf` (borrowed; must outlive the execution). */
struct sl_exec *sl_exec_new(const struct sl_workflow *wf, const struct sl_exec_opts *opts);
void sl_exec_free(struct sl_exec *ex);

/* Runs the execution until it ends or parks. Returns 0 when it succeeded,
 * SL_ERR_NODE when it ended with an error (see sl_exec_error_message()),
 * SL_EXEC_PARKED when a node put it to wait (see the top of this file),
 * SL_ERR_INVALID (changing nothing) when it has run before. */
int sl_exec_run(struct sl_exec *ex);

/* Continues a parked execution (whatever the time: the caller decides
 * when). Same returns as sl_exec_run(); SL_ERR_INVALID (changing nothing)
 * when the execution is not waiting. */
int sl_exec_resume(struct sl_exec *ex);

/* The time a parked execution waits for, in epoch milliseconds on its
 * clock; -1 when it is not waiting. */
int64_t sl_exec_wait_till(const struct sl_exec *ex);

/* A parked execution as a JSON document (new reference; see
 * core/engine_state.c for its shape), for storing it until it resumes, in
 * this process or another: everything sl_exec_load() needs besides the
 * workflow. NULL when the execution is not waiting. */
json_t *sl_exec_save(const struct sl_exec *ex);

/* Rebuilds a parked execution of `wf` (borrowed; must outlive it) from
 * sl_exec_save()'s document (borrowed; not needed afterwards), ready for
 * sl_exec_resume(). `opts` gives the clock and callbacks (may be NULL);
 * its id, mode, start_items and keep are not used: the document has
 * them. Returns NULL with the reason in `err` when the document is not a
 * saved execution of this workflow. */
struct sl_exec *sl_exec_load(const struct sl_workflow *wf, const struct sl_exec_opts *opts,
                             const json_t *state, struct sl_error *err);

/* sl_exec_run(), then for every park: sleep on the execution's clock until
 * the wake-up time and sl_exec_resume(). Returns 0 or SL_ERR_NODE. */
int sl_exec_run_to_end(struct sl_exec *ex);

enum sl_exec_status sl_exec_status(const struct sl_exec *ex);
/* The zone dates without an offset are read in: the workflow's
 * settings.timezone, else $GENERIC_TIMEZONE, else NULL (local time). */
const char *sl_exec_timezone(const struct sl_exec *ex);
const char *sl_exec_status_name(enum sl_exec_status st);
/* The error that ended the execution, or NULL; and the node that raised it. */
const char *sl_exec_error_message(const struct sl_exec *ex);
const char *sl_exec_error_node(const struct sl_exec *ex);
const char *sl_exec_last_node(const struct sl_exec *ex);
uint64_t sl_exec_nodes_done(const struct sl_exec *ex);
uint64_t sl_exec_items_done(const struct sl_exec *ex);

/* New reference: output 0 of the last node that produced data (n8n's
 * "lastNodeExecuted" result), or an empty array. */
json_t *sl_exec_result_items(const struct sl_exec *ex);

/* New reference: n8n's run shape {status, finished, lastNodeExecuted, error,
 * runData}. Outputs that were not kept are reported as null data. */
json_t *sl_exec_result_json(const struct sl_exec *ex);

/* New reference: every node run in the order the runs finished, as the
 * store keeps them: {node, type, run, startMs, durationUs, itemsIn,
 * itemsOut (total over the outputs), bytes, status ("success", "error",
 * "waiting"), error (message or null)}. "bytes" is the size of the run's
 * output as JSON when the output is still held (keep_all), else null. */
json_t *sl_exec_node_runs(const struct sl_exec *ex);

/* New reference: the names of the nodes in the order their runs finished
 * (n8n's nodeExecuteAfter order; a node appears once per run). */
json_t *sl_exec_finish_order(const struct sl_exec *ex);

/* New reference: the list of runs of `node`, each run's output 0 (null when
 * that run produced no data), or NULL when the node never ran. */
json_t *sl_exec_node_output0(const struct sl_exec *ex, const char *node);

/* Sets a limit on how long a single Code node or expression may run and
 * how much memory the process may grow meanwhile (0 = no limit). */
void sl_exec_set_limits(struct sl_exec *ex, uint64_t timeout_ms, uint64_t memory_mb);

#endif
