/*
 * Execute Workflow Trigger (v1, v1.1): where a sub-workflow starts. It
 * outputs the items the calling Execute Workflow node passed in; in a
 * manual run, the one empty item the run starts with.
 *
 * v1 passes everything through. v1.1 has an input data mode
 * (inputSource): "passthrough" passes everything through; "workflowInputs"
 * (the default) declares fields by name and type (at least one: n8n will
 * not run the workflow otherwise), and "jsonExample" infers
 * them from an example object (null: any type). With declared fields each
 * item keeps only those fields, in declaration order, missing ones set to
 * null; types are checked by the caller's Workflow Inputs mapping, not
 * here (n8n's rule).
 */
#include <stdlib.h>
#include <string.h>

#include "nodes/node.h"
#include "util/alloc.h"

static const double versions[] = {1, 1.1, 0};

/* n8n's default JSON example for the jsonExample mode. */
static const char *const default_example = "{\n  \"aField\": \"a string\",\n  \"aNumber\": 123,\n"
                                           "  \"thisFieldAcceptsAnyType\": null,\n"
                                           "  \"anArray\": []\n}";

/* The declared field names from a JSON example (n8n derives a JSON schema
 * from it and accepts only an object at the top). New array or NULL with
 * the message set. */
static json_t *fields_from_example(struct sl_node_ctx *ctx)
{
    json_t *dflt = json_string(default_example);
    json_t *v = sl_ctx_param(ctx, "jsonExample", 0, dflt);
    json_decref(dflt);
    if (!v)
        return NULL;
    json_t *example = v;
    if (json_is_string(v)) {
        json_error_t je;
        example = json_loads(json_string_value(v), JSON_DECODE_ANY, &je);
        json_decref(v);
        if (!example) {
            sl_ctx_fail(ctx, "parameter 'jsonExample' is not valid JSON: %s (line %d, column %d)",
                        je.text, je.line, je.column);
            return NULL;
        }
    }
    if (!json_is_object(example)) {
        /* the schema n8n derives from anything but an object or an array
         * has an undefined type */
        sl_ctx_fail(ctx, "Invalid JSON schema type. Only object type is supported, but got %s",
                    json_is_array(example) ? "array" : "undefined");
        json_decref(example);
        return NULL;
    }
    json_t *names = json_array();
    const char *k;
    json_t *x;
    json_object_foreach(example, k, x)
    {
        json_array_append_new(names, json_string(k));
    }
    json_decref(example);
    return names;
}

/* The declared field names from workflowInputs.values ([{name, type}]). */
static json_t *fields_from_inputs(struct sl_node_ctx *ctx)
{
    json_t *vals = sl_ctx_param(ctx, "workflowInputs.values", 0, NULL);
    if (!vals)
        return sl_ctx_failed(ctx) ? NULL : json_array();
    if (!json_is_array(vals)) {
        json_decref(vals);
        sl_ctx_fail(ctx, "parameter 'workflowInputs.values' must be a list of {name, type}");
        return NULL;
    }
    json_t *names = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(vals, i, f)
    {
        json_t *name = json_object_get(f, "name");
        if (!json_is_string(name)) {
            sl_ctx_fail(ctx, "parameter 'workflowInputs.values' entry %zu has no name", i);
            json_decref(names);
            json_decref(vals);
            return NULL;
        }
        json_array_append(names, name);
    }
    json_decref(vals);
    return names;
}

static int execute(struct sl_node_ctx *ctx)
{
    char *source = NULL;
    if (sl_ctx_node(ctx)->version >= 1.1 &&
        sl_ctx_param_str(ctx, "inputSource", 0, "workflowInputs", &source))
        return SL_ERR_NODE;
    if (!source || !strcmp(source, "passthrough")) {
        free(source);
        sl_ctx_pass_through(ctx, 0, 0);
        return 0;
    }
    json_t *names = NULL;
    if (!strcmp(source, "workflowInputs")) {
        names = fields_from_inputs(ctx);
        if (names && !json_array_size(names)) {
            /* n8n requires one field here and will not start a workflow
             * whose parameters have issues */
            json_decref(names);
            names = NULL;
            sl_ctx_fail(ctx, "The workflow has issues and cannot be executed for that reason. "
                             "Please fix them first.");
            sl_ctx_fail_description(ctx, "parameter 'workflowInputs' declares no field: declare "
                                         "one or set 'inputSource' to 'passthrough'");
        }
    } else if (!strcmp(source, "jsonExample"))
        names = fields_from_example(ctx);
    else
        sl_ctx_fail(ctx, "parameter 'inputSource': unknown input data mode '%s'", source);
    free(source);
    if (!names)
        return SL_ERR_NODE;
    json_t *in = sl_ctx_input(ctx, 0);
    size_t i;
    json_t *item;
    json_array_foreach(in, i, item)
    {
        json_t *src = sl_item_json(item);
        json_t *j = json_object();
        size_t k;
        json_t *name;
        json_array_foreach(names, k, name)
        {
            json_t *v = json_object_get(src, json_string_value(name));
            json_object_set(j, json_string_value(name), v ? v : json_null());
        }
        json_t *out = sl_item_new(j);
        json_t *bin = json_object_get(item, "binary");
        if (bin)
            json_object_set(out, "binary", bin);
        sl_ctx_out(ctx, 0, out);
    }
    json_decref(names);
    return 0;
}

const struct sl_node_type sl_node_executeWorkflowTrigger = {
    .name = "n8n-nodes-base.executeWorkflowTrigger",
    .versions = versions,
    .flags = SL_NODE_STARTER,
    .execute = execute,
};
