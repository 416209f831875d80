/*
 * Read Binary File v1: for each item, reads the file at `filePath` into
 * binary property `dataPropertyName`, keeping the item's json and its
 * other binary properties. Files are confined as core/files.h describes.
 */
#include <stdlib.h>

#include "core/item.h"
#include "nodes/files.h"
#include "nodes/node.h"

static const double versions[] = {1, 0};

static int execute(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        char *path = NULL, *prop = NULL;
        json_t *bin = NULL;
        int rc = sl_ctx_param_str(ctx, "filePath", i, "", &path);
        if (!rc)
            rc = sl_file_node_read(ctx, path, "File Path", &bin);
        if (!rc)
            rc = sl_ctx_param_str(ctx, "dataPropertyName", i, "data", &prop);
        if (!rc) {
            json_t *src = sl_item_json(item);
            json_t *out = sl_item_new_paired(src ? json_incref(src) : json_object(), i);
            json_t *old = json_object_get(item, "binary");
            json_t *binary = json_is_object(old) ? json_copy(old) : json_object();
            json_object_set_new(binary, prop, bin);
            json_object_set_new(out, "binary", binary);
            sl_ctx_out(ctx, 0, out);
        } else {
            json_decref(bin);
        }
        free(path);
        free(prop);
        if (rc && sl_ctx_item_failed(ctx, i))
            return SL_ERR_NODE;
    }
    return 0;
}

const struct sl_node_type sl_node_readBinaryFile = {
    .name = "n8n-nodes-base.readBinaryFile",
    .versions = versions,
    .execute = execute,
};
