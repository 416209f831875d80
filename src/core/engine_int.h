/*
 * Engine internals shared by the engine, the node context and the
 * expression / JavaScript bridge (which reads run data for $('Node')).
 * Not for nodes: they use nodes/node.h.
 */
#ifndef SL_CORE_ENGINE_INT_H
#define SL_CORE_ENGINE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/engine.h"
#include "nodes/node.h"

/* Where one input's data came from (n8n's ISourceData). node < 0: none. */
struct sl_src {
    int node;
    int output;
    int run;
};

/* One run of a node (n8n's ITaskData). */
struct sl_run {
    int64_t start_ms;
    int64_t dur_us;
    bool failed;
    bool waiting;   /* the node put the execution to wait in this run */
    json_t *out;    /* array of per-output arrays; NULL once dropped or no data */
    size_t *counts; /* items per output (kept after `out` is dropped) */
    int n_out;
    size_t items_in;
    char *error; /* error message or NULL */
    char *error_desc;
    struct sl_src *src; /* per input */
    int n_src;
};

struct sl_node_runs {
    struct sl_run *v;
    size_t n, cap;
    json_t *context; /* node context ($node["X"].context), created lazily */
    bool keep;       /* outputs must be kept for expressions / caller */
};

/* A queued node execution (n8n's IExecuteData). */
struct sl_task {
    int node;
    int n_in;
    json_t **in;        /* per input: owned array, or NULL (no data) */
    struct sl_src *src; /* per input */
    bool no_src;        /* the start node: source null */
    bool resumed;       /* the waiting node of a resumed execution: it passes
                           its first input through (n8n disables it) */
};

struct sl_wait { /* waitingExecution[node][index] */
    int node;
    int index;
    struct sl_task t;
};

struct sl_node_ctx {
    struct sl_exec *ex;
    const struct sl_node *node;
    int run_index;
    struct sl_task *task; /* borrowed */
    json_t *input0;       /* connection input data (first input with data) */
    json_t **out;         /* per output: array being built */
    int n_out;
    bool out_null;
    bool put_to_wait; /* sl_ctx_put_to_wait() was called */
    int64_t wait_till;
    int64_t retry_after_ms; /* sl_ctx_retry_after(): least wait before a retry */
    char *err;
    char *err_desc;
};

struct sl_js;

struct sl_exec {
    const struct sl_workflow *wf;
    struct sl_exec_opts opts;
    char *id;
    char *mode;
    enum sl_exec_status status;
    struct sl_node_runs *runs; /* per node */
    struct sl_task *stack;     /* deque: [head, head+len) */
    size_t head, len, cap;
    struct sl_wait *waits;
    size_t n_waits, cap_waits;
    int *wait_order; /* nodes waiting, in insertion order */
    size_t n_wait_order;
    int last_node;    /* lastNodeExecuted, -1 */
    json_t *last_out; /* output arrays of the last node with data */
    char *error;
    char *error_desc;
    int error_node;
    uint64_t nodes_done, items_done;
    int *finished; /* node of every recorded run, in order */
    size_t n_finished, cap_finished;
    json_t *custom_data; /* $execution.customData */
    json_t *empty;       /* a shared empty array */
    struct sl_js *js;
    uint64_t code_timeout_ms, code_memory_mb;
    struct sl_node_ctx *cur; /* the node context running now */
    uint64_t epoch;          /* bumped per node run: JS caches key on it */
    bool fatal;              /* a limit was hit: no continue-on-fail */
    int64_t wait_till;       /* parked until (epoch ms); -1 when not waiting */
    /* file-stored binary data (core/binary.h); created on first use */
    struct sl_binary_store *binary;
    /* Sub-workflows (core/subworkflow.c): the execution this one runs
     * inside, or NULL; the nesting depth (0 at the top); how many
     * sub-executions this one started. `js` is owned by the top execution
     * and shared by its sub-executions (see sl_exec_js()). */
    struct sl_exec *parent;
    int depth;
    uint64_t n_subs;
};

/* Run data lookups for the expression bridge. Returned arrays are
 * borrowed; NULL when absent or dropped. */
json_t *sl_exec_run_output(const struct sl_exec *ex, int node, int run, int output);
const struct sl_run *sl_exec_get_run(const struct sl_exec *ex, int node, int run);
/* Resolves n8n's paired-item chain from the current node's input item
 * `item` back to node `target`; returns the borrowed item or NULL with a
 * message in *err (heap string). */
json_t *sl_exec_paired_item(struct sl_exec *ex, struct sl_node_ctx *ctx, int target, size_t item,
                            char **err);
json_t *sl_exec_node_context(struct sl_exec *ex, int node);
/* The top execution: `ex` itself unless it runs as a sub-workflow. It owns
 * what sub-executions share: the JavaScript runtime and the binary store. */
static inline struct sl_exec *sl_exec_top(struct sl_exec *ex)
{
    while (ex->parent)
        ex = ex->parent;
    return ex;
}

/* The JavaScript runtime for `ex`: the top execution's (created on first
 * use), bound to `ex` so run-data lookups read this execution. Borrowed. */
struct sl_js *sl_exec_js(struct sl_exec *ex);

#endif
