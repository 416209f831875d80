/*
 * The list transformations shared by the standalone nodes (Split Out,
 * Aggregate, Remove Duplicates, Sort, Limit, Summarize) and the older Item
 * Lists node, whose operations are the same code under other parameter
 * names. Each sl_*_run() reads input 0 and the node's parameters and emits
 * on output 0; it returns 0 or the node error (message set on ctx).
 */
#ifndef SL_NODES_TRANSFORM_H
#define SL_NODES_TRANSFORM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "nodes/node.h"

/* Reads a list of field names for input item `item`: a new array of
 * strings, or NULL with the message set. Lets each node name and shape the
 * parameter its own way. */
typedef json_t *sl_fields_param_cb(struct sl_node_ctx *ctx, size_t item);

struct sl_split_out_params {
    sl_fields_param_cb *include_fields; /* fieldsToInclude */
    /* Item Lists before 2.2: a null entry is spread like an object (to
     * nothing) instead of being written under the field name. */
    bool spread_null;
};

/* Split Out over every input item; the parameters other than
 * fieldsToInclude are read under their Split Out names. */
int sl_split_out_run(struct sl_node_ctx *ctx, const struct sl_split_out_params *p) SL_MUST_CHECK;

/* Where Aggregate's "All Item Data" finds its field lists. */
struct sl_aggregate_params {
    sl_fields_param_cb *include_fields; /* fieldsToInclude */
    sl_fields_param_cb *exclude_fields; /* fieldsToExclude */
};

/* Aggregate: all input items into one output item. */
int sl_aggregate_run(struct sl_node_ctx *ctx, const struct sl_aggregate_params *p) SL_MUST_CHECK;

/* Limit: the first or last "maxItems" items. */
int sl_limit_run(struct sl_node_ctx *ctx) SL_MUST_CHECK;

/* Sort: "simple" (sortFieldsUi), "random" or "code". */
int sl_sort_run(struct sl_node_ctx *ctx) SL_MUST_CHECK;

/* Where Remove Duplicates finds its field lists. */
struct sl_remove_duplicates_params {
    sl_fields_param_cb *exclude_fields; /* fieldsToExclude */
    sl_fields_param_cb *compare_fields; /* fieldsToCompare */
    bool mixed_types; /* Item Lists 3.1: values of different types compare by type */
};

/* Remove Duplicates within the input, with the rules of Remove Duplicates
 * `version` (1 or later: from 1.1 on, null counts as a type). */
int sl_remove_duplicates_run(struct sl_node_ctx *ctx, double version,
                             const struct sl_remove_duplicates_params *p) SL_MUST_CHECK;

/* Summarize. Summarize v1's two rules are separate flags: `string_keys`
 * groups by String(value) of the split fields, `require_fields` makes a
 * field missing from every item an error (unless continueIfFieldNotFound). */
int sl_summarize_run(struct sl_node_ctx *ctx, bool string_keys, bool require_fields) SL_MUST_CHECK;

#endif
