/*
 * Sub-workflows: running a workflow inside the current execution, as n8n's
 * executeWorkflow helper does for the Execute Workflow node.
 *
 * A sub-workflow gets its own execution (own run data, own id, mode
 * "integrated", so $execution.mode is "production") that runs in the
 * caller's process and shares the caller's JavaScript runtime: the same
 * context group, time and memory limits. It starts at its first Execute
 * Workflow Trigger, else its first Start or Manual Trigger node, with the
 * caller's items. Nesting is limited to SL_SUBWF_MAX_DEPTH levels so a
 * workflow that calls itself fails with a clear error instead of running
 * out of stack.
 *
 * Ownership: functions that return a struct sl_workflow or struct sl_exec
 * hand it to the caller (sl_workflow_free / sl_exec_free; free the
 * execution first). json_t results are new references unless marked
 * borrowed.
 *
 * Thread rule: as for the engine, a sub-execution runs on the thread of
 * the execution that started it.
 */
#ifndef SL_CORE_SUBWORKFLOW_H
#define SL_CORE_SUBWORKFLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/engine.h"
#include "core/err.h"
#include "core/workflow.h"

#define SL_SUBWF_MAX_DEPTH 50

struct sl_node_ctx;

/* Looks up a stored workflow by id (the "database" source) through the
 * execution's sl_exec_opts.lookup_workflow. Returns the workflow document
 * (new reference) or NULL with a message in `err`; without a lookup the
 * message says that sluice has no workflow store to read from. */
json_t *sl_subwf_lookup(struct sl_node_ctx *ctx, const char *id, struct sl_error *err);

/* Builds a sub-workflow from `doc` (the reference is taken over): a
 * missing id and settings are the caller's, as in n8n. NULL with the
 * loader's message in `err`. */
struct sl_workflow *sl_subwf_load(struct sl_node_ctx *ctx, json_t *doc, struct sl_error *err);

/* n8n's findSubworkflowStart: the first Execute Workflow Trigger, else the
 * first Start / Manual Trigger node (disabled ones included), else NULL. */
const struct sl_node *sl_subwf_start_node(const struct sl_workflow *wf);

/* Runs `wf` (borrowed; must outlive the result) to its end inside the
 * execution running `ctx`, its start node given `items` (borrowed). With
 * `keep_all` every node's output is kept, for sl_subwf_origin(). Returns
 * the finished sub-execution, whether it succeeded or failed (see
 * sl_exec_status()), or NULL with a message in `err` when it could not
 * start: no start node, or nesting deeper than SL_SUBWF_MAX_DEPTH. A
 * time or memory limit hit inside marks the caller's execution too. */
struct sl_exec *sl_subwf_run(struct sl_node_ctx *ctx, const struct sl_workflow *wf, json_t *items,
                             bool keep_all, struct sl_error *err);

/* The sub-execution's result (n8n's getDataLastExecutedNodeData): the
 * output arrays of the last node executed, or an empty array. */
json_t *sl_subwf_result(const struct sl_exec *sub);

/* n8n's findPairedItemThroughWorkflowData: follows `paired` (the
 * pairedItem of output item `index` of the last node) back through the
 * first-input sources of the runs to the start node, and returns the
 * pairedItem found there (borrowed from the run data), or NULL where the
 * chain breaks. Needs a sub-execution run with keep_all. */
json_t *sl_subwf_origin(const struct sl_exec *sub, json_t *paired, size_t index);

#endif
