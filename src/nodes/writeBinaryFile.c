/*
 * Write Binary File v1 and the write operation of Read/Write Files from
 * Disk: for each item, writes binary property `dataPropertyName` to
 * `fileName` (truncating, or appending with options.append) and emits the
 * item with json.fileName set to the parameter's value. Write Binary File
 * reads `options` once, for item 0, as n8n does. Files are confined as
 * core/files.h describes.
 */
#include <stdlib.h>

#include "core/binary.h"
#include "core/item.h"
#include "core/jsvalue.h"
#include "nodes/files.h"
#include "nodes/node.h"

static const double versions[] = {1, 0};

/* Writes item i; the new item goes to *out. */
static int write_item(struct sl_node_ctx *ctx, size_t i, json_t *item, bool options_per_item)
{
    char *prop = NULL;
    json_t *name = NULL;
    bool append = false;
    int rc = SL_ERR_NODE;
    if (sl_ctx_param_str(ctx, "dataPropertyName", i, "data", &prop) < 0)
        goto out;
    name = sl_ctx_param(ctx, "fileName", i, NULL);
    if (sl_ctx_failed(ctx) ||
        sl_ctx_param_bool(ctx, "options.append", options_per_item ? i : 0, false, &append) < 0)
        goto out;
    json_t *bin = sl_binary_input(ctx, i, prop);
    if (!bin)
        goto out;
    char *path = name ? sl_jsv_to_string_or_empty(name) : NULL;
    rc = sl_file_node_write(ctx, path ? path : "", "File Path and Name", bin, append);
    free(path);
    if (rc)
        goto out;
    json_t *src = sl_item_json(item);
    json_t *json = json_is_object(src) ? json_copy(src) : json_object();
    if (name)
        json_object_set(json, "fileName", name);
    json_t *o = sl_item_new_paired(json, i);
    json_t *b = json_object_get(item, "binary");
    if (b)
        json_object_set_new(o, "binary", json_copy(b));
    sl_ctx_out(ctx, 0, o);
out:
    free(prop);
    json_decref(name);
    return rc;
}

int sl_write_binary_run(struct sl_node_ctx *ctx, bool options_per_item)
{
    json_t *items = sl_ctx_input(ctx, 0);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        if (write_item(ctx, i, item, options_per_item) && sl_ctx_item_failed(ctx, i))
            return SL_ERR_NODE;
    }
    return 0;
}

static int execute(struct sl_node_ctx *ctx)
{
    return sl_write_binary_run(ctx, false);
}

const struct sl_node_type sl_node_writeBinaryFile = {
    .name = "n8n-nodes-base.writeBinaryFile",
    .versions = versions,
    .execute = execute,
};
