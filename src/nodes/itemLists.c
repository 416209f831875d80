/*
 * Item Lists (v1 to v3.1): the older all-in-one node whose operations
 * became the standalone Split Out, Aggregate, Limit, ... nodes.
 *
 * Each operation runs the standalone node's code (nodes/transform.h); what
 * this file adds is the parameter mapping. Before v3 the field lists of
 * Item Lists are fixed collections ({fields: [{fieldName}]}), from v3 on
 * they are comma lists like the standalone nodes'. Version 3 renamed
 * "Aggregate Items" to "Concatenate Items"; both run Aggregate.
 *
 * Older versions were stricter, and those checks live here: before 2.1 a
 * field to split out or aggregate that no item has is an error (and
 * so is a field to summarize); before 2.2 the field to split out
 * must be a list or an object. 3.1 lets Remove Duplicates compare values
 * of mixed types. Summarize always groups by the split fields' String()
 * values, as Summarize v1 does.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/jpath.h"
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

/* The value at `field` of input item `i`, or NULL (undefined). */
static json_t *field_of(struct sl_node_ctx *ctx, size_t i, const char *field, bool no_dots)
{
    json_t *json = sl_item_json(json_array_get(sl_ctx_input(ctx, 0), i));
    return json ? sl_jpath_get_ex(json, field, no_dots ? SL_JPATH_LITERAL : 0) : NULL;
}

/* Before 2.2 one field is split, and before 2.1 it must exist; it must
 * be a list or an object (Split Out splits anything else as a list of
 * one). */
static int check_split_field(struct sl_node_ctx *ctx, double version)
{
    bool no_dots;
    if (sl_ctx_param_bool(ctx, "options.disableDotNotation", 0, false, &no_dots) < 0)
        return SL_ERR_NODE;
    for (size_t i = 0; i < json_array_size(sl_ctx_input(ctx, 0)); i++) {
        json_t *fields = sl_ctx_param_fields(ctx, "fieldToSplitOut", i, "Fields To Split Out");
        if (!fields)
            return SL_ERR_NODE;
        int rc = 0;
        size_t f;
        json_t *fv;
        json_array_foreach(fields, f, fv)
        {
            const char *field = json_string_value(fv);
            if (!field)
                continue;
            json_t *v = field_of(ctx, i, field, no_dots);
            if (!v && version < 2.05) {
                rc = sl_ctx_fail(ctx, "Couldn't find the field '%s' in the input data", field);
                if (no_dots && strchr(field, '.'))
                    sl_ctx_fail_description(ctx, "If you're trying to use a nested field, make "
                                                 "sure you turn off 'disable dot notation' in the "
                                                 "node options");
            } else if (v && !json_is_object(v) && !json_is_array(v)) {
                rc = sl_ctx_fail(ctx, "The provided field '%s' is not an array or object", field);
            }
            if (rc)
                break;
        }
        json_decref(fields);
        if (rc)
            return rc;
    }
    return 0;
}

/* Before 2.1 every field to aggregate must be in some item unless
 * keepMissing. */
static int check_aggregate_fields(struct sl_node_ctx *ctx)
{
    char *mode;
    bool no_dots, keep_missing;
    if (sl_ctx_param_str(ctx, "aggregate", 0, "aggregateIndividualFields", &mode) < 0)
        return SL_ERR_NODE;
    bool individual = strcmp(mode, "aggregateIndividualFields") == 0;
    free(mode);
    if (!individual)
        return 0;
    if (sl_ctx_param_bool(ctx, "options.disableDotNotation", 0, false, &no_dots) < 0 ||
        sl_ctx_param_bool(ctx, "options.keepMissing", 0, false, &keep_missing) < 0)
        return SL_ERR_NODE;
    json_t *empty = json_array();
    json_t *fields = sl_ctx_param(ctx, "fieldsToAggregate.fieldToAggregate", 0, empty);
    json_decref(empty);
    if (!fields)
        return SL_ERR_NODE;
    int rc = 0;
    size_t n = json_array_size(sl_ctx_input(ctx, 0)), f;
    json_t *entry;
    json_array_foreach(fields, f, entry)
    {
        const char *field = json_string_value(json_object_get(entry, "fieldToAggregate"));
        if (!field || !*field) {
            if (n) {
                rc = sl_ctx_fail(ctx, "Field to aggregate is blank");
                sl_ctx_fail_description(ctx, "Please add a field to aggregate");
                break;
            }
            continue;
        }
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = field_of(ctx, i, field, no_dots) != NULL;
        if (found)
            continue;
        if (no_dots && strchr(field, '.')) {
            rc = sl_ctx_fail(ctx, "Couldn't find the field '%s' in the input data", field);
            sl_ctx_fail_description(ctx, "If you're trying to use a nested field, make sure you "
                                         "turn off 'disable dot notation' in the node options");
            break;
        }
        if (!keep_missing) {
            rc = sl_ctx_fail(ctx, "Couldn't find the field '%s' in the input data", field);
            break;
        }
    }
    json_decref(fields);
    return rc;
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
    static const struct sl_split_out_params split = {.include_fields = fields_to_include};
    static const struct sl_split_out_params split_old = {
        .include_fields = fields_to_include,
        .spread_null = true,
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
    if (strcmp(op, "splitOutItems") == 0) {
        rc = version < 2.15 ? check_split_field(ctx, version) : 0;
        if (!rc)
            rc = sl_split_out_run(ctx, version < 2.15 ? &split_old : &split);
    } else if (strcmp(op, "aggregateItems") == 0 || strcmp(op, "concatenateItems") == 0) {
        rc = version < 2.05 ? check_aggregate_fields(ctx) : 0;
        if (!rc)
            rc = sl_aggregate_run(ctx, &aggregate);
    } else if (strcmp(op, "removeDuplicates") == 0) {
        rc = sl_remove_duplicates_run(ctx, 1, version >= 3.05 ? &dedup_3_1 : &dedup);
    } else if (strcmp(op, "sort") == 0) {
        rc = sl_sort_run(ctx);
    } else if (strcmp(op, "summarize") == 0) {
        /* split keys are always strings; from 2.1 missing fields are no error */
        rc = sl_summarize_run(ctx, true, version < 2.05);
    } else if (strcmp(op, "limit") == 0) {
        rc = sl_limit_run(ctx);
    } else {
        rc = sl_ctx_fail(ctx, "Operation '%s' is not recognized", op);
    }
    free(op);
    return rc;
}

const struct sl_node_type sl_node_itemLists = {
    .name = "n8n-nodes-base.itemLists",
    .versions = versions,
    .execute = execute,
};
