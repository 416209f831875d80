/*
 * The workflow model and its loader.
 *
 * A struct sl_workflow is built once from n8n's export format and is
 * read-only afterwards, so several executions (and threads) may share it.
 * It owns the parsed JSON document; node parameters point into it.
 */
#ifndef SL_CORE_WORKFLOW_H
#define SL_CORE_WORKFLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct sl_node_type;

enum sl_on_error {
    SL_ON_ERROR_STOP = 0,
    SL_ON_ERROR_CONTINUE_REGULAR,
    SL_ON_ERROR_CONTINUE_ERROR_OUTPUT,
};

enum sl_backoff {
    SL_BACKOFF_FIXED = 0,   /* n8n: waitBetweenTries between attempts */
    SL_BACKOFF_EXPONENTIAL, /* sluice: waitBetweenTries * 2^attempt */
};

/* One connection from an output of a node to an input of another. */
struct sl_conn {
    int node;  /* index of the destination node in workflow->nodes */
    int input; /* destination input index */
};

/* The connections leaving one output of a node. */
struct sl_out_conns {
    struct sl_conn *v;
    size_t n;
};

/* The connections entering one input of a node. */
struct sl_in_conn {
    int node;   /* source node index */
    int output; /* source output index */
};

struct sl_in_conns {
    struct sl_in_conn *v;
    size_t n;
};

struct sl_node {
    int index;
    const char *name; /* borrowed from the document */
    const char *type; /* "n8n-nodes-base.set" */
    double version;
    const struct sl_node_type *kind;
    json_t *params; /* borrowed: node.parameters (never NULL) */
    json_t *json;   /* borrowed: the whole node object */
    double pos_x, pos_y;

    bool disabled;
    bool execute_once;
    bool always_output;
    bool retry_on_fail;
    bool continue_on_fail; /* legacy continueOnFail: true */
    enum sl_on_error on_error;
    int max_tries;       /* effective attempts, see workflow.c */
    int wait_between_ms; /* effective wait between attempts */
    enum sl_backoff backoff;
    int max_wait_ms; /* cap for exponential backoff */
    bool jitter;

    int n_inputs;             /* main inputs */
    int n_outputs;            /* main outputs, including the error output */
    struct sl_out_conns *out; /* n_outputs_conn entries */
    int n_out_conns;          /* outputs that appear in connections */
    struct sl_in_conns *in;   /* parents per input, n_in_conns entries */
    int n_in_conns;
};

enum sl_exec_order {
    SL_ORDER_V0 = 0,
    SL_ORDER_V1 = 1,
};

struct sl_workflow {
    json_t *doc; /* owned: the workflow object */
    const char *id;
    const char *name;
    bool active;
    enum sl_exec_order order;
    const char *timezone; /* settings.timezone or NULL */
    struct sl_node *nodes;
    size_t n_nodes;
    json_t *pin_data; /* borrowed: pinData or NULL */
    json_t *trigger;  /* borrowed: top-level trigger (test files) */
};

/* The largest workflow file sluice reads. */
#define SL_WORKFLOW_MAX_BYTES (256u << 20)

/* Parses `text` (length len) as a workflow export: one workflow, an array of
 * them, or {"data": [...]}; `which` selects one when there are several
 * (0 = the first). Returns a new workflow or NULL with a one-line message
 * in `err` (JSON syntax errors carry line and column). */
struct sl_workflow *sl_workflow_parse(const char *text, size_t len, struct sl_error *err);

/* Reads and parses a file; "-" reads standard input. */
struct sl_workflow *sl_workflow_load(const char *path, struct sl_error *err);

/* Builds a workflow from an already-parsed object (the reference is taken
 * over whether or not the call succeeds). */
struct sl_workflow *sl_workflow_from_json(json_t *doc, struct sl_error *err);

void sl_workflow_free(struct sl_workflow *wf);

/* Returns the node called `name`, or NULL. */
const struct sl_node *sl_workflow_node(const struct sl_workflow *wf, const char *name);

/* n8n's start-node rule: the first enabled trigger node; else the first
 * enabled node of a starting type; a lone enabled node always qualifies.
 * Past n8n's rule, the first enabled webhook node (the node an HTTP
 * request would start). Returns NULL when there is none. */
const struct sl_node *sl_workflow_start_node(const struct sl_workflow *wf);

#endif
