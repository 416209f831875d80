/*
 * Remove Duplicates (v1, v1.1, v2): drops input items whose compared
 * fields equal (lodash isEqual) those of an earlier item.
 *
 * n8n finds duplicates by sorting a copy of the items on the compared
 * fields and removing each item equal to the last kept one; items in
 * between that are unordered (missing fields, mixed types) can separate
 * two equal items, so the sort itself matters. It is done the way V8's
 * TimSort orders arrays shorter than 64 (see sort.c). v2's operations that
 * remember items across executions need the persistent store and fail
 * with a "not supported yet" error for now.
 */
#include <stdlib.h>
#include <string.h>

#include "core/jpath.h"
#include "core/jsvalue.h"
#include "nodes/node.h"
#include "nodes/transform.h"
#include "util/alloc.h"

static const double versions[] = {1, 1.1, 2, 0};

struct dedup {
    struct sl_node_ctx *ctx;
    json_t *items; /* input items */
    json_t *keys;  /* array of field names */
    unsigned flags;
    double version;
    bool mixed_types; /* rank by type first, no same-type check */
};

static json_t *field(const struct dedup *d, size_t item, const char *key)
{
    return sl_jpath_get_ex(json_object_get(json_array_get(d->items, item), "json"), key, d->flags);
}

/* Item Lists 3.1's typeToNumber: the order of JavaScript types that
 * groups values of one type together before comparing them. */
static int type_rank(const json_t *v)
{
    if (!v)
        return 6; /* undefined */
    switch (json_typeof(v)) {
    case JSON_STRING:
        return 1;
    case JSON_INTEGER:
    case JSON_REAL:
        return 2;
    case JSON_TRUE:
    case JSON_FALSE:
        return 4;
    case JSON_OBJECT:
        return 7;
    case JSON_ARRAY:
        return 9;
    default:
        return 10; /* null */
    }
}

static int compare(const struct dedup *d, size_t x, size_t y)
{
    for (size_t k = 0; k < json_array_size(d->keys); k++) {
        const char *key = json_string_value(json_array_get(d->keys, k));
        json_t *a = field(d, x, key), *b = field(d, y, key);
        if (d->mixed_types && type_rank(a) != type_rank(b))
            return type_rank(a) - type_rank(b);
        if (!sl_jsv_deep_equal(a, b))
            return sl_jsv_lodash_lt(a, b) ? -1 : 1;
    }
    return 0;
}

static int dedup_cmp(size_t a, size_t b, void *d)
{
    return compare(d, a, b);
}

static void add_key(json_t *keys, const char *k)
{
    for (size_t i = 0; i < json_array_size(keys); i++)
        if (!strcmp(json_string_value(json_array_get(keys, i)), k))
            return;
    json_t *s = json_string(k);
    json_array_append_new(keys, s ? s : json_stringn_nocheck(k, strlen(k)));
}

/* flattenKeys: the dotted path of every leaf (empty containers have none). */
static void flatten(json_t *keys, const char *prefix, const json_t *v)
{
    if (json_is_object(v)) {
        json_t *names = sl_jsv_keys(v);
        for (size_t i = 0; i < json_array_size(names); i++) {
            const char *k = json_string_value(json_array_get(names, i));
            char *p = prefix ? sl_asprintf("%s.%s", prefix, k) : sl_strdup(k);
            flatten(keys, p, json_object_get(v, k));
            free(p);
        }
        json_decref(names);
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            char *p = prefix ? sl_asprintf("%s.%zu", prefix, i) : sl_asprintf("%zu", i);
            flatten(keys, p, json_array_get(v, i));
            free(p);
        }
    } else {
        add_key(keys, prefix ? prefix : "");
    }
}

static void item_keys(const struct dedup *d, json_t *keys, size_t i)
{
    json_t *j = json_object_get(json_array_get(d->items, i), "json");
    if (!json_is_object(j))
        return;
    if (d->flags & SL_JPATH_LITERAL) {
        json_t *names = sl_jsv_keys(j);
        for (size_t k = 0; k < json_array_size(names); k++)
            add_key(keys, json_string_value(json_array_get(names, k)));
        json_decref(names);
    } else
        flatten(keys, NULL, j);
}

/* validateInputData, over the items in sorted order. */
static int validate(struct dedup *d, const size_t *idx, size_t n)
{
    for (size_t k = 0; k < json_array_size(d->keys); k++) {
        json_t *kv = json_array_get(d->keys, k);
        const char *key = json_is_string(kv) ? json_string_value(kv) : "";
        const char *type = NULL;
        for (size_t i = 0; i < n; i++) {
            if (!*key)
                return sl_ctx_fail(d->ctx, "Name of field to compare is blank");
            json_t *v = field(d, idx[i], key);
            if (json_is_null(v) && d->version > 1)
                continue;
            if (!v) {
                int rc = sl_ctx_fail(d->ctx, "'%s' field is missing from some input items", key);
                if ((d->flags & SL_JPATH_LITERAL) && strchr(key, '.'))
                    sl_ctx_fail_description(d->ctx,
                                            "If you're trying to use a nested field, make sure "
                                            "you turn off 'disable dot notation' in the node "
                                            "options");
                return rc;
            }
            const char *t = sl_jsv_typeof(v);
            if (type && strcmp(type, t) && !d->mixed_types) {
                int rc = sl_ctx_fail(d->ctx, "'%s' isn't always the same type", key);
                if (d->version > 1)
                    sl_ctx_fail_description(d->ctx,
                                            "The type of this field varies between items, in "
                                            "item [%zu] it's a %s and in item [%zu] it's a %s ",
                                            i - 1, type, i, t);
                else
                    sl_ctx_fail_description(d->ctx, "The type of this field varies between items");
                return rc;
            }
            type = t;
        }
    }
    return 0;
}

/* pick(json, ...keys) */
static json_t *pick(const json_t *j, const json_t *keys)
{
    json_t *out = json_object();
    for (size_t k = 0; k < json_array_size(keys); k++) {
        const char *key = json_string_value(json_array_get(keys, k));
        if (!key)
            continue;
        bool literal = json_object_get(j, key) != NULL;
        json_t *v = sl_jpath_get_ex(j, key, literal ? SL_JPATH_LITERAL : 0);
        if (v && sl_jpath_set_ex(&out, key, json_incref(v), literal ? SL_JPATH_LITERAL : 0))
            continue; /* lodash sets nothing where it cannot */
    }
    return out;
}

int sl_remove_duplicates_run(struct sl_node_ctx *ctx, double version,
                             const struct sl_remove_duplicates_params *p)
{
    struct dedup d = {.ctx = ctx,
                      .items = sl_ctx_input(ctx, 0),
                      .version = version,
                      .mixed_types = p->mixed_types};
    size_t n = json_array_size(d.items);
    char *compare_mode = NULL;
    bool literal = false, remove_other = false;
    size_t *idx = NULL;
    bool *removed = NULL;
    json_t *fields = NULL;
    int rc = sl_ctx_param_str(ctx, "compare", 0, "allFields", &compare_mode);
    if (!rc)
        rc = sl_ctx_param_bool(ctx, "options.disableDotNotation", 0, false, &literal);
    if (!rc)
        rc = sl_ctx_param_bool(ctx, "options.removeOtherFields", 0, false, &remove_other);
    if (rc || !n)
        goto out;
    d.flags = literal ? SL_JPATH_LITERAL : 0;
    d.keys = json_array();
    for (size_t i = 0; i < n; i++)
        item_keys(&d, d.keys, i);

    if (!strcmp(compare_mode, "allFieldsExcept")) {
        fields = p->exclude_fields(ctx, 0);
        if (!fields) {
            rc = SL_ERR_NODE;
            goto out;
        }
        if (!json_array_size(fields)) {
            rc = sl_ctx_fail(ctx, "No fields specified. Please add a field to exclude from "
                                  "comparison");
            goto out;
        }
        if (!literal) {
            json_decref(d.keys);
            d.keys = json_array();
            item_keys(&d, d.keys, 0);
        }
        json_t *kept = json_array();
        for (size_t k = 0; k < json_array_size(d.keys); k++) {
            json_t *key = json_array_get(d.keys, k);
            bool excluded = false;
            for (size_t f = 0; f < json_array_size(fields) && !excluded; f++)
                excluded = sl_jsv_strict_equals(json_array_get(fields, f), key);
            if (!excluded)
                json_array_append(kept, key);
        }
        json_decref(d.keys);
        d.keys = kept;
    } else if (!strcmp(compare_mode, "selectedFields")) {
        fields = p->compare_fields(ctx, 0);
        if (!fields) {
            rc = SL_ERR_NODE;
            goto out;
        }
        if (!json_array_size(fields)) {
            rc = sl_ctx_fail(ctx, "No fields specified. Please add a field to compare on");
            goto out;
        }
        json_decref(d.keys);
        d.keys = json_array();
        for (size_t f = 0; f < json_array_size(fields); f++) {
            json_t *s = json_array_get(fields, f);
            if (!json_is_string(s)) {
                rc = sl_ctx_fail(ctx, "key.trim is not a function");
                goto out;
            }
            const char *b, *e;
            sl_jsv_trim(json_string_value(s), &b, &e);
            json_t *t = json_stringn(b, (size_t)(e - b));
            json_array_append_new(d.keys, t ? t : json_stringn_nocheck(b, (size_t)(e - b)));
        }
    }

    idx = malloc(n * sizeof *idx);
    removed = calloc(n, sizeof *removed);
    if (!idx || !removed)
        abort();
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    sl_jsv_sort(idx, n, dedup_cmp, &d);
    rc = validate(&d, idx, n);
    if (rc)
        goto out;
    size_t temp = idx[0];
    for (size_t i = 1; i < n; i++) {
        bool same = true;
        for (size_t k = 0; k < json_array_size(d.keys) && same; k++) {
            const char *key = json_string_value(json_array_get(d.keys, k));
            same = sl_jsv_deep_equal(field(&d, idx[i], key), field(&d, temp, key));
        }
        if (same)
            removed[idx[i]] = true;
        else
            temp = idx[i];
    }
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        if (removed[i])
            continue;
        json_t *item = json_array_get(d.items, i);
        if (remove_other)
            /* n8n pairs with the index in the output, not the input */
            json_array_append_new(
                out, json_pack("{s:o,s:{s:I}}", "json", pick(json_object_get(item, "json"), d.keys),
                               "pairedItem", "item", (json_int_t)json_array_size(out)));
        else
            json_array_append(out, item);
    }
    sl_ctx_out_list(ctx, 0, out);
out:
    free(idx);
    free(removed);
    json_decref(fields);
    json_decref(d.keys);
    free(compare_mode);
    return rc;
}

static json_t *fields_to_exclude(struct sl_node_ctx *ctx, size_t item)
{
    return sl_ctx_param_fields(ctx, "fieldsToExclude", item, "Fields To Exclude");
}

static json_t *fields_to_compare(struct sl_node_ctx *ctx, size_t item)
{
    return sl_ctx_param_fields(ctx, "fieldsToCompare", item, "Fields To Compare");
}

static const struct sl_remove_duplicates_params params = {
    .exclude_fields = fields_to_exclude,
    .compare_fields = fields_to_compare,
};

static int execute(struct sl_node_ctx *ctx)
{
    double version = sl_ctx_node(ctx)->version;
    if (version < 2)
        return sl_remove_duplicates_run(ctx, version, &params);
    char *op = NULL;
    int rc = sl_ctx_param_str(ctx, "operation", 0, "removeDuplicateInputItems", &op);
    if (rc)
        return rc;
    if (!strcmp(op, "removeDuplicateInputItems"))
        rc = sl_remove_duplicates_run(ctx, version, &params);
    else
        rc = sl_ctx_fail(ctx,
                         "operation '%s' is not supported yet: it needs the persistent "
                         "deduplication store",
                         op);
    free(op);
    return rc;
}

const struct sl_node_type sl_node_removeDuplicates = {
    .name = "n8n-nodes-base.removeDuplicates",
    .versions = versions,
    .execute = execute,
};
