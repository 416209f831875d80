/*
 * Item Lists (v1 to v3.1): the older all-in-one node whose operations
 * became the standalone Split Out, Aggregate, Limit, ... nodes.
 *
 * Each operation runs the standalone node's code (nodes/transform.h); what
 * this file adds is the parameter mapping. Before v3 the field lists of
 * Item Lists are fixed collections ({fields: [{fieldName}]}), from v3 on
 * they are comma lists like the standalone nodes'. Version 3 renamed
 * "Aggregate Items" to "Concatenate Items"; both run Aggregate.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/workflow.h"
#include "nodes/node.h"
#include "nodes/transform.h"

static const double versions[] = {1, 2, 2.1, 2.2, 3, 3.1, 0};

/* The field names of fixed collection `path`.fields[].fieldName (new
 * array), or NULL with the message set. */
static json_t *collection_fields(struct sl_node_ctx *ctx, const char *path, size_t item)
{
    char full[64];
    snprintf(full, sizeof full, "%s.fields", path);
    json_t *empty = json_array();
    json_t *entries = sl_ctx_param(ctx, full, item, empty);
    json_decref(empty);
    if (!entries)
        return NULL;
    json_t *names = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        json_t *name = json_object_get(e, "fieldName");
        json_array_append_new(names, name ? json_incref(name) : json_string(""));
    }
    json_decref(entries);
    return names;
}

static bool comma_lists(const struct sl_node_ctx *ctx)
{
    return sl_ctx_node(ctx)->version >= 3;
}

static json_t *fields_to_include(struct sl_node_ctx *ctx, size_t item)
{
    if (comma_lists(ctx))
        return sl_ctx_param_fields(ctx, "fieldsToInclude", item, "Fields To Include");
    return collection_fields(ctx, "fieldsToInclude", item);
}

static json_t *fields_to_exclude(struct sl_node_ctx *ctx, size_t item)
{
    if (comma_lists(ctx))
        return sl_ctx_param_fields(ctx, "fieldsToExclude", item, "Fields To Exclude");
    return collection_fields(ctx, "fieldsToExclude", item);
}

static json_t *fields_to_compare(struct sl_node_ctx *ctx, size_t item)
{
    if (comma_lists(ctx))
        return sl_ctx_param_fields(ctx, "fieldsToCompare", item, "Fields To Compare");
    return collection_fields(ctx, "fieldsToCompare", item);
}

static int execute(struct sl_node_ctx *ctx)
{
    static const struct sl_remove_duplicates_params dedup = {
        .exclude_fields = fields_to_exclude,
        .compare_fields = fields_to_compare,
    };
    static const struct sl_remove_duplicates_params dedup_3_1 = {
        .exclude_fields = fields_to_exclude,
        .compare_fields = fields_to_compare,
        .mixed_types = true,
    };
    double version = sl_ctx_node(ctx)->version;
    static const struct sl_aggregate_params aggregate = {
        .include_fields = fields_to_include,
        .exclude_fields = fields_to_exclude,
    };
    char *op = NULL;
    int rc;
    if ((rc = sl_ctx_param_str(ctx, "operation", 0, "splitOutItems", &op)) < 0)
        return rc;
    if (strcmp(op, "splitOutItems") == 0)
        rc = sl_split_out_run(ctx, fields_to_include);
    else if (strcmp(op, "aggregateItems") == 0 || strcmp(op, "concatenateItems") == 0)
        rc = sl_aggregate_run(ctx, &aggregate);
    else if (strcmp(op, "removeDuplicates") == 0)
        rc = sl_remove_duplicates_run(ctx, 1, version >= 3.05 ? &dedup_3_1 : &dedup);
    else if (strcmp(op, "sort") == 0)
        rc = sl_sort_run(ctx);
    else if (strcmp(op, "summarize") == 0)
        rc = sl_summarize_run(ctx, true);
    else if (strcmp(op, "limit") == 0)
        rc = sl_limit_run(ctx);
    else
        rc = sl_ctx_fail(ctx, "Operation '%s' is not recognized", op);
    free(op);
    return rc;
}

const struct sl_node_type sl_node_itemLists = {
    .name = "n8n-nodes-base.itemLists",
    .versions = versions,
    .execute = execute,
};
