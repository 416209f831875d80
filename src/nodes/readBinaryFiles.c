/*
 * Read Binary Files v1: one item per file matching `fileSelector` (a glob,
 * read once, for item 0), the file in binary property `dataPropertyName`
 * and an empty json. As in n8n every output item is paired with all input
 * items. Files are confined as core/files.h describes.
 */
#include <stdlib.h>

#include "core/files.h"
#include "nodes/files.h"
#include "nodes/node.h"

static const double versions[] = {1, 0};

static int execute(struct sl_node_ctx *ctx)
{
    char *selector = NULL, *prop = NULL;
    char **files = NULL;
    size_t n = 0;
    int rc = SL_ERR_NODE;
    if (sl_ctx_param_str(ctx, "fileSelector", 0, "", &selector) < 0 ||
        sl_ctx_param_str(ctx, "dataPropertyName", 0, "data", &prop) < 0 ||
        sl_file_node_glob(ctx, selector, &files, &n) < 0)
        goto out;
    size_t n_in = json_array_size(sl_ctx_input(ctx, 0));
    json_t *paired = json_array();
    for (size_t i = 0; i < n_in; i++)
        json_array_append_new(paired, json_pack("{s:I}", "item", (json_int_t)i));
    for (size_t f = 0; f < n; f++) {
        json_t *bin;
        if (sl_file_node_read(ctx, files[f], "File Selector", &bin) < 0) {
            json_decref(paired);
            goto out;
        }
        json_t *item = json_object();
        json_object_set_new(item, "binary", json_pack("{s:o}", prop, bin));
        json_object_set_new(item, "json", json_object());
        json_object_set(item, "pairedItem", paired);
        sl_ctx_out(ctx, 0, item);
    }
    json_decref(paired);
    rc = 0;
out:
    sl_files_list_free(files, n);
    free(selector);
    free(prop);
    return rc;
}

const struct sl_node_type sl_node_readBinaryFiles = {
    .name = "n8n-nodes-base.readBinaryFiles",
    .versions = versions,
    .execute = execute,
};
