/*
 * Split Out: turns a list (or an object's values) inside each item into
 * one item per entry.
 *
 * `fieldToSplitOut` is a comma list of lodash paths (a leading "$json."
 * is dropped), or "$binary" for the item's binary entries. Several
 * fields are split side by side: entry k of every field goes into output
 * item k. A scalar is split as a one-element list, a missing field as an
 * empty one. With "no other fields" an object entry of a single field
 * without destination name is spread into the item; otherwise the entry
 * is written under the destination (or field) name, literally. "All other
 * fields" adds the rest of the input item (the split fields removed);
 * "selected other fields" adds the listed ones.
 *
 * Parameters are read per item, as n8n does; the error texts are n8n's.
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

/* Object.values(obj) in JavaScript's key order (array indices first). */
static json_t *object_values(const json_t *obj)
{
    json_t *keys = sl_jsv_keys(obj), *out = json_array();
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
        json_array_append(out, json_object_get(obj, json_string_value(k)));
    json_decref(keys);
    return out;
}

/* The list to split for `field` of item `src` (new reference). */
static json_t *entity(const json_t *src, const json_t *json, const char *field, bool no_dots)
{
    if (strcmp(field, "$binary") == 0) {
        json_t *list = json_array();
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(src, "binary"), k, v)
        {
            json_array_append_new(list, json_pack("{sO}", k, v));
        }
        return list;
    }
    json_t *v = json ? sl_jpath_get_ex(json, field, no_dots ? SL_JPATH_LITERAL : 0) : NULL;
    if (!v)
        return json_array();
    if (json_is_array(v))
        return json_incref(v);
    if (json_is_object(v))
        return object_values(v);
    return json_pack("[O]", v);
}

/* Splits input item `i` onto output 0. Returns 0 or the node error. */
static int split_item(struct sl_node_ctx *ctx, const json_t *src, size_t i,
                      const struct sl_split_out_params *p)
{
    int rc = SL_ERR_NODE;
    json_t *fields = NULL, *options = NULL, *dests = NULL, *parts = NULL, *include_list = NULL;
    char *include = NULL;
    json_t *json = sl_item_json(src);

    json_t *dflt = json_string("");
    json_t *fv = sl_ctx_param(ctx, "fieldToSplitOut", i, dflt);
    json_decref(dflt);
    if (!fv)
        goto out;
    if (!json_is_string(fv)) {
        json_decref(fv);
        sl_ctx_fail(ctx, "this.getNodeParameter(...).split is not a function");
        goto out;
    }
    fields = sl_jsv_split_trim(json_string_value(fv), true);
    json_decref(fv);
    size_t fi;
    json_t *f;
    json_array_foreach(fields, fi, f)
    {
        const char *s = json_string_value(f);
        if (strncmp(s, "$json.", 6) == 0)
            json_array_set_new(fields, fi, json_string(s + 6));
    }

    json_t *empty = json_object();
    options = sl_ctx_param(ctx, "options", i, empty);
    json_decref(empty);
    if (!options)
        goto out;
    bool no_dots = sl_jsv_truthy(json_object_get(options, "disableDotNotation"));
    const json_t *dv = json_object_get(options, "destinationFieldName");
    if (dv && sl_jsv_truthy(dv)) {
        char *d = json_is_string(dv) ? sl_strdup(json_string_value(dv)) : sl_jsv_to_string(dv);
        dests = sl_jsv_split_trim(d, false);
        free(d);
    } else {
        dests = json_array();
    }
    if (json_array_size(dests) && json_array_size(dests) != json_array_size(fields)) {
        sl_ctx_fail(ctx, "If multiple fields to split out are given, the same number of "
                         "destination fields must be given");
        goto out;
    }
    if (sl_ctx_param_str(ctx, "include", i, "noOtherFields", &include) < 0)
        goto out;
    bool no_other = strcmp(include, "noOtherFields") == 0;
    bool multi = json_array_size(fields) > 1;

    parts = json_array(); /* the output items' json, binary built in place */
    json_array_foreach(fields, fi, f)
    {
        const char *field = json_string_value(f);
        json_t *dj = json_array_get(dests, fi);
        const char *dest = dj ? json_string_value(dj) : "";
        const char *name = *dest ? dest : field;
        bool binary = strcmp(field, "$binary") == 0;
        json_t *list = entity(src, json, field, no_dots);
        size_t ei;
        json_t *e;
        json_array_foreach(list, ei, e)
        {
            if (ei >= json_array_size(parts))
                json_array_append_new(parts, json_pack("{s{}}", "json"));
            json_t *part = json_array_get(parts, ei);
            if (binary) {
                json_t *b = json_object_get(part, "binary");
                if (!b)
                    json_object_set_new(part, "binary", b = json_object());
                const char *k;
                json_t *v;
                json_object_foreach(e, k, v) json_object_set(b, k, v);
                continue;
            }
            json_t *pj = json_object_get(part, "json");
            if (json_is_null(e) && p->spread_null && no_other && !*dest && !multi)
                continue; /* {...null} adds nothing */
            if ((json_is_object(e) || json_is_array(e)) && no_other && !*dest && !multi) {
                if (json_is_object(e)) {
                    json_object_update(pj, e);
                } else {
                    size_t ai;
                    json_t *av;
                    json_array_foreach(e, ai, av)
                    {
                        char key[32];
                        snprintf(key, sizeof key, "%zu", ai);
                        json_object_set(pj, key, av);
                    }
                }
            } else {
                json_object_set(pj, name, e);
            }
        }
        json_decref(list);
    }

    size_t pi;
    json_t *part;
    json_array_foreach(parts, pi, part)
    {
        json_t *pj = json_object_get(part, "json");
        json_t *out_json;
        if (strcmp(include, "allOtherFields") == 0) {
            json_t *copy = json ? json_incref(json) : json_object();
            json_array_foreach(fields, fi, f)
            {
                if (no_dots) {
                    if (json_object_get(copy, json_string_value(f))) {
                        copy = sl_jpath_own(copy);
                        json_object_del(copy, json_string_value(f));
                    }
                } else {
                    (void)sl_jpath_unset(&copy, json_string_value(f));
                }
            }
            copy = sl_jpath_own(copy);
            json_object_update(copy, pj);
            out_json = copy;
        } else if (strcmp(include, "selectedOtherFields") == 0) {
            if (!include_list && !(include_list = p->include_fields(ctx, i)))
                goto out;
            if (json_array_size(include_list) == 0) {
                sl_ctx_fail(ctx, "No fields specified");
                sl_ctx_fail_description(ctx, "Please add a field to include");
                goto out;
            }
            size_t k;
            json_t *kf;
            json_array_foreach(include_list, k, kf)
            {
                char *key =
                    json_is_string(kf) ? sl_strdup(json_string_value(kf)) : sl_jsv_to_string(kf);
                json_t *v =
                    json ? sl_jpath_get_ex(json, key, no_dots ? SL_JPATH_LITERAL : 0) : NULL;
                if (v)
                    json_object_set(pj, key, v);
                else
                    json_object_del(pj, key); /* undefined: absent in JSON */
                free(key);
            }
            out_json = json_incref(pj);
        } else {
            out_json = json_incref(pj);
        }
        json_t *item = json_object();
        json_object_set_new(item, "json", out_json);
        json_t *bin = json_object_get(part, "binary");
        if (bin)
            json_object_set(item, "binary", bin);
        json_object_set_new(item, "pairedItem", json_pack("{s:I}", "item", (json_int_t)i));
        if (sl_jsv_truthy(json_object_get(options, "includeBinary")) && !bin &&
            json_object_get(src, "binary"))
            json_object_set(item, "binary", json_object_get(src, "binary"));
        sl_ctx_out(ctx, 0, item);
    }
    rc = 0;
out:
    json_decref(fields);
    json_decref(options);
    json_decref(dests);
    json_decref(parts);
    json_decref(include_list);
    free(include);
    return rc;
}

/* Split Out's own "fieldsToInclude": a comma list or an array. */
static json_t *fields_to_include(struct sl_node_ctx *ctx, size_t item)
{
    return sl_ctx_param_fields(ctx, "fieldsToInclude", item, "Fields To Include");
}

int sl_split_out_run(struct sl_node_ctx *ctx, const struct sl_split_out_params *p)
{
    json_t *items = sl_ctx_input(ctx, 0);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        if (split_item(ctx, item, i, p) < 0)
            return SL_ERR_NODE;
    }
    return 0;
}

static int execute(struct sl_node_ctx *ctx)
{
    static const struct sl_split_out_params params = {.include_fields = fields_to_include};
    return sl_split_out_run(ctx, &params);
}

const struct sl_node_type sl_node_splitOut = {
    .name = "n8n-nodes-base.splitOut",
    .versions = versions,
    .execute = execute,
};
