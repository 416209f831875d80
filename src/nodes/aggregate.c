/*
 * Aggregate: combines all input items into one item.
 *
 * "Individual Fields" collects one field of every item into a list per
 * field (lodash _.get paths unless dot notation is disabled; nulls and
 * missing values dropped unless keepMissing; lists flattened by
 * mergeLists). "All Item Data" puts the items' json objects, optionally
 * restricted to some top-level keys, into one list. The output item is
 * paired with every input item that contributed, and can collect their
 * binaries (suffixing clashing keys, optionally deduplicated by file
 * metadata).
 *
 * Parameters hidden by n8n's displayOptions (outputFieldName without
 * renameField, the field lists without their `include` mode,
 * keepOnlyUnique without includeBinaries) are ignored, as n8n drops them
 * before the node sees its parameters.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/jpath.h"
#include "core/jsvalue.h"
#include "nodes/node.h"
#include "nodes/transform.h"
#include "util/alloc.h"

static const double versions[] = {1, 0};

/* Array of {item: i} for i in [0, n). */
static json_t *paired_all(size_t n)
{
    json_t *p = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(p, json_pack("{s:I}", "item", (json_int_t)i));
    return p;
}

/* Appends the collected value of one item to `list`, n8n's rules. */
static void collect(json_t *list, json_t *value, bool keep_missing, bool merge_lists)
{
    json_t *v;
    if (!keep_missing) {
        if (json_is_array(value)) {
            v = json_array();
            size_t i;
            json_t *e;
            json_array_foreach(value, i, e)
            {
                if (!json_is_null(e))
                    json_array_append(v, e);
            }
        } else if (!value || json_is_null(value)) {
            return;
        } else {
            v = json_incref(value);
        }
    } else {
        v = value ? json_incref(value) : json_null();
    }
    if (json_is_array(v) && merge_lists)
        json_array_extend(list, v);
    else
        json_array_append(list, v);
    json_decref(v);
}

static int individual_fields(struct sl_node_ctx *ctx, json_t *items, json_t *out)
{
    bool no_dots, merge_lists, keep_missing;
    if (sl_ctx_param_bool(ctx, "options.disableDotNotation", 0, false, &no_dots) < 0 ||
        sl_ctx_param_bool(ctx, "options.mergeLists", 0, false, &merge_lists) < 0 ||
        sl_ctx_param_bool(ctx, "options.keepMissing", 0, false, &keep_missing) < 0)
        return SL_ERR_NODE;

    json_t *fields;
    if (!sl_ctx_param_raw(ctx, "fieldsToAggregate")) {
        fields = json_pack("[{s:s,s:b}]", "fieldToAggregate", "", "renameField", 0);
    } else {
        json_t *empty = json_array();
        fields = sl_ctx_param(ctx, "fieldsToAggregate.fieldToAggregate", 0, empty);
        json_decref(empty);
        if (!fields)
            return SL_ERR_NODE;
    }
    if (!json_is_array(fields) || json_array_size(fields) == 0) {
        json_decref(fields);
        sl_ctx_fail(ctx, "No fields specified");
        sl_ctx_fail_description(ctx, "Please add a field to aggregate");
        return SL_ERR_NODE;
    }

    int rc = 0;
    json_t *values = json_object(); /* output field -> list, in first-set order */
    json_t *used = json_object();   /* output fields seen, for the duplicate check */
    size_t f;
    json_t *entry;
    json_array_foreach(fields, f, entry)
    {
        char *input = sl_jsv_to_string_or_empty(json_object_get(entry, "fieldToAggregate"));
        bool rename = sl_jsv_truthy(json_object_get(entry, "renameField"));
        char *output =
            rename ? sl_jsv_to_string_or_empty(json_object_get(entry, "outputFieldName")) : NULL;
        const char *field = rename ? output : input;

        if (json_object_get(used, field)) {
            sl_ctx_fail(ctx, "The '%s' output field is used more than once", field);
            sl_ctx_fail_description(ctx, "Please make sure each output field name is unique");
            free(input);
            free(output);
            rc = SL_ERR_NODE;
            goto out;
        }
        json_object_set_new(used, field, json_true());

        const char *name = input;
        if (output && *output) {
            name = output;
        } else if (!no_dots && strchr(input, '.')) {
            name = strrchr(input, '.') + 1;
        }
        if (*input) {
            json_t *list = json_array();
            for (size_t i = 0; i < json_array_size(items); i++) {
                json_t *json = sl_item_json(json_array_get(items, i));
                json_t *value =
                    json ? sl_jpath_get_ex(json, input, no_dots ? SL_JPATH_LITERAL : 0) : NULL;
                collect(list, value, keep_missing, merge_lists);
            }
            json_object_set_new(values, name, list);
        }
        free(input);
        free(output);
    }

    const char *key;
    json_t *list;
    json_t *json = json_object();
    json_object_foreach(values, key, list)
    {
        if (no_dots)
            json_object_set(json, key, list);
        else
            (void)sl_jpath_set(&json, key, json_incref(list));
    }
    json_object_set_new(out, "json", json);
    json_object_set_new(out, "pairedItem", paired_all(json_array_size(items)));
out:
    json_decref(values);
    json_decref(used);
    json_decref(fields);
    return rc;
}

static bool list_has(const json_t *list, const char *key)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), key) == 0)
            return true;
    }
    return false;
}

static int all_item_data(struct sl_node_ctx *ctx, json_t *items, json_t *out,
                         const struct sl_aggregate_params *p)
{
    char *dest = NULL, *include = NULL;
    json_t *exclude = NULL, *only = NULL;
    int rc = SL_ERR_NODE;

    if (sl_ctx_param_str(ctx, "destinationFieldName", 0, "data", &dest) < 0 ||
        sl_ctx_param_str(ctx, "include", 0, "allFields", &include) < 0)
        goto out;
    if (strcmp(include, "allFieldsExcept") == 0) {
        if (!(exclude = p->exclude_fields(ctx, 0)))
            goto out;
    } else if (strcmp(include, "specifiedFields") == 0) {
        if (!(only = p->include_fields(ctx, 0)))
            goto out;
    }

    json_t *list = json_array();
    json_t *paired;
    size_t n = json_array_size(items);
    if (json_array_size(exclude) || json_array_size(only)) {
        paired = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *json = sl_item_json(json_array_get(items, i));
            json_t *kept = json_object();
            const char *key;
            json_t *v;
            json_object_foreach(json, key, v)
            {
                if (exclude && list_has(exclude, key))
                    continue;
                if (only && !list_has(only, key))
                    continue;
                json_object_set(kept, key, v);
            }
            if (json_object_size(kept) == 0) {
                json_decref(kept);
                continue;
            }
            json_array_append_new(list, kept);
            json_array_append_new(paired, json_pack("{s:I}", "item", (json_int_t)i));
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            json_t *json = sl_item_json(json_array_get(items, i));
            json_array_append_new(list, json ? json_incref(json) : json_object());
        }
        paired = paired_all(n);
    }
    json_t *json = json_object();
    json_object_set_new(json, dest, list);
    json_object_set_new(out, "json", json);
    json_object_set_new(out, "pairedItem", paired);
    rc = 0;
out:
    free(dest);
    free(include);
    json_decref(exclude);
    json_decref(only);
    return rc;
}

static bool same_meta(const json_t *a, const json_t *b)
{
    static const char *const keys[] = {"mimeType", "fileType", "fileSize", "fileExtension"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const json_t *x = json_is_object(a) ? json_object_get(a, keys[i]) : NULL;
        const json_t *y = json_is_object(b) ? json_object_get(b, keys[i]) : NULL;
        if (!x || !y) {
            if (x != y)
                return false;
        } else if (!sl_jsv_strict_equals(x, y)) {
            return false;
        }
    }
    return true;
}

/* Collects the binaries of the paired input items into out.binary. */
static void add_binaries(json_t *out, json_t *items, bool unique_only)
{
    json_t *binary = NULL;
    json_t *seen = json_array();
    size_t p;
    json_t *pi;
    json_array_foreach(json_object_get(out, "pairedItem"), p, pi)
    {
        json_t *item =
            json_array_get(items, (size_t)json_integer_value(json_object_get(pi, "item")));
        json_t *bin = json_object_get(item, "binary");
        if (!json_is_object(bin))
            continue;
        const char *key;
        json_t *data;
        json_object_foreach(bin, key, data)
        {
            if (!binary)
                binary = json_object();
            if (unique_only) {
                bool dup = false;
                size_t s;
                json_t *prev;
                json_array_foreach(seen, s, prev)
                {
                    if (same_meta(prev, data)) {
                        dup = true;
                        break;
                    }
                }
                if (dup)
                    continue;
                json_array_append(seen, data);
            }
            char *k = sl_strdup(key);
            for (int i = 1; json_object_get(binary, k); i++) {
                free(k);
                k = sl_asprintf("%s_%d", key, i);
            }
            json_object_set(binary, k, data);
            free(k);
        }
    }
    if (binary)
        json_object_set_new(out, "binary", binary);
    json_decref(seen);
}

int sl_aggregate_run(struct sl_node_ctx *ctx, const struct sl_aggregate_params *p)
{
    json_t *items = sl_ctx_input(ctx, 0);
    char *mode = NULL;
    json_t *out = json_object();
    int rc;

    if ((rc = sl_ctx_param_str(ctx, "aggregate", 0, "aggregateIndividualFields", &mode)) < 0)
        goto out;
    if (strcmp(mode, "aggregateIndividualFields") == 0)
        rc = individual_fields(ctx, items, out);
    else
        rc = all_item_data(ctx, items, out, p);
    if (rc < 0)
        goto out;

    bool binaries, unique = false;
    if ((rc = sl_ctx_param_bool(ctx, "options.includeBinaries", 0, false, &binaries)) < 0)
        goto out;
    if (binaries) {
        if ((rc = sl_ctx_param_bool(ctx, "options.keepOnlyUnique", 0, false, &unique)) < 0)
            goto out;
        add_binaries(out, items, unique);
    }
    sl_ctx_out(ctx, 0, out);
    out = NULL;
out:
    free(mode);
    json_decref(out);
    return rc;
}

static json_t *fields_to_include(struct sl_node_ctx *ctx, size_t item)
{
    return sl_ctx_param_fields(ctx, "fieldsToInclude", item, "Fields To Include");
}

static json_t *fields_to_exclude(struct sl_node_ctx *ctx, size_t item)
{
    return sl_ctx_param_fields(ctx, "fieldsToExclude", item, "Fields To Exclude");
}

static int execute(struct sl_node_ctx *ctx)
{
    static const struct sl_aggregate_params params = {
        .include_fields = fields_to_include,
        .exclude_fields = fields_to_exclude,
    };
    return sl_aggregate_run(ctx, &params);
}

const struct sl_node_type sl_node_aggregate = {
    .name = "n8n-nodes-base.aggregate",
    .versions = versions,
    .execute = execute,
};
