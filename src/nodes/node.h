/*
 * Node types and the context a node executes in.
 *
 * A node type is one `const struct sl_node_type sl_node_<name>` in its own
 * file under src/nodes/, registered by one line in nodes.def. Its execute()
 * reads its input items and parameters through the struct sl_node_ctx
 * accessors below and emits items with sl_ctx_out(). It never mutates its
 * input: items are shared (see core/item.h).
 *
 * execute() returns 0 on success. On failure it returns the value of
 * sl_ctx_fail() (a negative enum sl_err) after the message is set; the
 * engine then applies the node's retry and onError settings. Nodes that
 * handle per-item failures themselves check sl_ctx_continue_on_fail() and
 * emit {json: {error: message}} items instead, as n8n's nodes do.
 *
 * Thread rule: a context belongs to the thread that runs the execution; a
 * node keeps no process-global mutable state.
 */
#ifndef SL_NODES_NODE_H
#define SL_NODES_NODE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/item.h"
#include "core/workflow.h"

struct sl_node_ctx;

enum sl_node_flags {
    SL_NODE_TRIGGER = 1 << 0,    /* has a trigger/poll method: can start a run */
    SL_NODE_STARTER = 1 << 1,    /* a starting type that is not a trigger */
    SL_NODE_NEVER_RUNS = 1 << 2, /* canvas-only (sticky note) */
    SL_NODE_WEBHOOK = 1 << 3,    /* started by an HTTP request; a start node only
                                    when the workflow has no trigger or starter */
};

struct sl_node_type {
    const char *name;       /* full type: "n8n-nodes-base.noOp" */
    const double *versions; /* supported typeVersions, ended by 0 */
    unsigned flags;
    /* Number of main inputs / outputs for this node's parameters; NULL
     * means 1. The engine adds the error output of continueErrorOutput. */
    int (*inputs)(const struct sl_node *node);
    int (*outputs)(const struct sl_node *node);
    /* Inputs that must have data before the node runs in v1 order (n8n's
     * requiredInputs); NULL means "any one input". Returns a bit mask. */
    unsigned (*required_inputs)(const struct sl_node *node);
    int (*execute)(struct sl_node_ctx *ctx);
};

/* Looks up a type by name; NULL when sluice lacks it. */
const struct sl_node_type *sl_node_type_find(const char *name);
/* True when `version` is one the type supports. */
bool sl_node_type_has_version(const struct sl_node_type *t, double version);

/* ---- what the node is ---- */

const struct sl_node *sl_ctx_node(const struct sl_node_ctx *ctx);
int sl_ctx_run_index(const struct sl_node_ctx *ctx);
/* The workflow being run (borrowed; read-only), for graph questions such
 * as core/graph.h's sl_graph_parents(). */
const struct sl_workflow *sl_ctx_workflow(const struct sl_node_ctx *ctx);
/* The workflow's time zone (settings.timezone, else GENERIC_TIMEZONE), or
 * NULL for the process's local zone. Borrowed. */
const char *sl_ctx_timezone(const struct sl_node_ctx *ctx);
/* Execution mode: "manual", "trigger", "webhook", ... */
const char *sl_ctx_mode(const struct sl_node_ctx *ctx);
/* Epoch milliseconds on the execution's clock: the real time, or the
 * virtual time `sluice test` runs on (util/clock.h). Nodes read "now" here,
 * never from the system, so waits and tests agree. */
int64_t sl_ctx_now_ms(const struct sl_node_ctx *ctx);

/* ---- input ---- */

/* Borrowed array of the items on main input `input`; an empty array when
 * the input has no data (never NULL). */
json_t *sl_ctx_input(const struct sl_node_ctx *ctx, int input);
/* True when input `input` received data (possibly an empty list), false
 * when nothing arrived on it (n8n's null input). */
bool sl_ctx_input_has_data(const struct sl_node_ctx *ctx, int input);

/* ---- parameters ----
 * `path` is a dot path into node.parameters ("options.dotNotation").
 * Expressions anywhere in the value are evaluated for input item `item` of
 * input 0. */

/* Borrowed raw value (expressions unevaluated), NULL when absent. */
json_t *sl_ctx_param_raw(const struct sl_node_ctx *ctx, const char *path);
/* New reference to the evaluated value; `dflt` (borrowed, may be NULL) when
 * absent. Returns NULL when absent without default or when evaluation
 * failed; in the latter case sl_ctx_failed() is true and the message set. */
json_t *sl_ctx_param(struct sl_node_ctx *ctx, const char *path, size_t item, json_t *dflt);
/* Typed helpers: 0 on success, negative with the message set on failure
 * (evaluation error or a value of the wrong type). *out is a new heap
 * string for _str. */
int sl_ctx_param_bool(struct sl_node_ctx *ctx, const char *path, size_t item, bool dflt,
                      bool *out) SL_MUST_CHECK;
int sl_ctx_param_int(struct sl_node_ctx *ctx, const char *path, size_t item, long long dflt,
                     long long *out) SL_MUST_CHECK;
int sl_ctx_param_num(struct sl_node_ctx *ctx, const char *path, size_t item, double dflt,
                     double *out) SL_MUST_CHECK;
int sl_ctx_param_str(struct sl_node_ctx *ctx, const char *path, size_t item, const char *dflt,
                     char **out) SL_MUST_CHECK;

/* A parameter n8n declares with validateType "number": getNodeParameter
 * converts strings and booleans with Number() and fails when that gives
 * NaN, with "Invalid input for '<label>' [item N]" and the description
 * "'<name>' expects a number but we got <value>" (`name` is the
 * parameter's own name, `label` its display name). Returns a new reference
 * (a number, or JSON null when the value is null), NULL when absent
 * without `dflt` (borrowed, may be NULL; evaluated and checked like the
 * parameter itself), or NULL with the message set. */
json_t *sl_ctx_param_number_checked(struct sl_node_ctx *ctx, const char *path, size_t item,
                                    json_t *dflt, const char *name, const char *label);

/* n8n's prepareFieldsArray: the parameter as a list of field names, from
 * an array or a comma-separated string (parts trimmed, empty ones
 * dropped). New reference, or NULL with n8n's message naming `label`. */
json_t *sl_ctx_param_fields(struct sl_node_ctx *ctx, const char *path, size_t item,
                            const char *label);

/* Evaluates a parameter-like value (a string that may start with "=") for
 * item `item`; returns a new reference or NULL with the message set. */
json_t *sl_ctx_eval(struct sl_node_ctx *ctx, json_t *value, size_t item);

/* ---- output ---- */

/* Appends `item` (stolen) to main output `output`. Items without pairedItem
 * are paired by the engine when it can tell (n8n's rule). */
void sl_ctx_out(struct sl_node_ctx *ctx, int output, json_t *item);
/* Appends every item of the array `items` (stolen) to main output
 * `output`; cheaper than one sl_ctx_out() per item when the node built the
 * whole list. */
void sl_ctx_out_list(struct sl_node_ctx *ctx, int output, json_t *items);
/* Emits every item of input `input` unchanged on output `output`. */
void sl_ctx_pass_through(struct sl_node_ctx *ctx, int input, int output);
/* Declares that the node returns null: no output, its branch ends and it
 * gets no run record (n8n's `return null`). */
void sl_ctx_out_null(struct sl_node_ctx *ctx);
/* n8n's putExecutionToWait: when execute() returns 0, the engine parks
 * the execution until `till_ms` (epoch milliseconds on the execution's
 * clock) instead of running the next nodes; the node's output is recorded
 * as a "waiting" run. When the execution resumes, the node does not run
 * again: it passes its first input through (see core/engine.h). */
void sl_ctx_put_to_wait(struct sl_node_ctx *ctx, int64_t till_ms);
/* Hands the HTTP response of a webhook execution ({statusCode, headers,
 * body}, borrowed) to the server (sl_exec_opts.on_respond); nothing
 * happens outside the server. */
void sl_ctx_respond(struct sl_node_ctx *ctx, const json_t *response);
/* Asks the engine to wait at least `ms` milliseconds before the node's
 * next try when this try fails and the node retries (retryOnFail): the
 * HTTP Request node passes a 429/503 answer's Retry-After here. The wait
 * is the longer of this and the node's own waitBetweenTries; without
 * retryOnFail nothing happens. */
void sl_ctx_retry_after(struct sl_node_ctx *ctx, int64_t ms);
/* Number of items currently on an output. */
size_t sl_ctx_out_count(const struct sl_node_ctx *ctx, int output);

/* ---- errors ---- */

/* Sets the node's error message (first call wins) and returns SL_ERR_NODE. */
int sl_ctx_fail(struct sl_node_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds a description (n8n's error.description) to the current error. */
void sl_ctx_fail_description(struct sl_node_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The current error message, or NULL. */
const char *sl_ctx_error_message(const struct sl_node_ctx *ctx);
bool sl_ctx_failed(const struct sl_node_ctx *ctx);
/* Clears the current error (after a node has handled it per item). */
void sl_ctx_clear_error(struct sl_node_ctx *ctx);
/* n8n's continueOnFail(): onError is continueRegularOutput or
 * continueErrorOutput, or (without onError) the legacy continueOnFail. */
bool sl_ctx_continue_on_fail(const struct sl_node_ctx *ctx);

/* A per-item failure (message set on ctx) as n8n's nodes handle it: when
 * the node continues on fail, emits {json: {error: message}} paired with
 * input item `item` on output 0, clears the error and returns 0; otherwise
 * returns SL_ERR_NODE with the message kept. */
int sl_ctx_item_failed(struct sl_node_ctx *ctx, size_t item) SL_MUST_CHECK;

/* ---- state ---- */

/* Borrowed object that persists across the runs of this node within one
 * execution (n8n's node context, readable as $node["X"].context). */
json_t *sl_ctx_state(struct sl_node_ctx *ctx);

/* The decrypted data of the credential of `type` that the node references
 * (node.credentials[type] = {id, name}), through sl_exec_opts.credential_cb:
 * a new reference to the data object, or NULL with the message set on ctx
 * (no reference on the node, no credential store, or not found). The data
 * holds secrets: never log it, put it in items or in an error message. */
json_t *sl_ctx_credential(struct sl_node_ctx *ctx, const char *type);

/* The execution's JavaScript runtime (created on first use); see js/js.h. */
struct sl_js *sl_ctx_js(struct sl_node_ctx *ctx);

/* Writes a line to the execution log (console.log of Code nodes). */
void sl_ctx_log(struct sl_node_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
