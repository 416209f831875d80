/*
 * Read/Write Files from Disk v1 and v1.1.
 *
 * `operation` read: for each item, every file matching the glob
 * `fileSelector` becomes an item with the file in binary property
 * options.dataPropertyName (default "data") and its metadata in json
 * (mimeType, fileType, fileName, fileExtension, fileSize), after
 * options.fileName / fileExtension / mimeType override the binary's. A
 * selector matching nothing gives no items in v1 and the error "No file(s)
 * found" from v1.1. Parentheses in the selector are literal, as n8n
 * escapes them.
 * `operation` write: see writeBinaryFile.c (options per item).
 * Files are confined as core/files.h describes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/jsvalue.h"
#include "core/files.h"
#include "nodes/files.h"
#include "nodes/node.h"
#include "util/alloc.h"

static const double versions[] = {1, 1.1, 0};

static const char *const meta_keys[] = {"mimeType", "fileType", "fileName", "fileExtension",
                                        "fileSize"};

/* Sets bin[key] from options[key] when the option is present. */
static int override(struct sl_node_ctx *ctx, json_t *bin, const char *key, size_t i)
{
    char path[64];
    snprintf(path, sizeof path, "options.%s", key);
    if (!sl_ctx_param_raw(ctx, path))
        return 0;
    json_t *v = sl_ctx_param(ctx, path, i, NULL);
    if (!v)
        return sl_ctx_failed(ctx) ? SL_ERR_NODE : 0;
    json_object_set_new(bin, key, v);
    return 0;
}

static int read_item(struct sl_node_ctx *ctx, size_t i)
{
    char *selector = NULL, *prop = NULL;
    char **files = NULL;
    size_t n = 0;
    int rc = SL_ERR_NODE;
    json_t *sel = sl_ctx_param(ctx, "fileSelector", i, NULL);
    if (sl_ctx_failed(ctx))
        goto out;
    selector = sel ? sl_jsv_to_string(sel) : sl_strdup("undefined");
    json_decref(sel);
    if (sl_ctx_param_str(ctx, "options.dataPropertyName", i, "", &prop) < 0)
        goto out;
    if (!*prop) {
        free(prop);
        prop = sl_strdup("data");
    }
    if (sl_file_node_glob(ctx, selector, &files, &n) < 0)
        goto out;
    if (!n && sl_ctx_node(ctx)->version > 1) {
        sl_ctx_fail(ctx, "No file(s) found");
        sl_ctx_fail_description(ctx, "No file matching the selector \"%s\" found", selector);
        goto out;
    }
    json_t *list = json_array();
    for (size_t f = 0; f < n; f++) {
        json_t *bin;
        if (sl_file_node_read(ctx, files[f], "File(s) Selector", &bin) < 0 ||
            override(ctx, bin, "fileName", i) < 0 || override(ctx, bin, "fileExtension", i) < 0 ||
            override(ctx, bin, "mimeType", i) < 0) {
            json_decref(list);
            goto out;
        }
        json_t *json = json_object();
        for (size_t k = 0; k < sizeof meta_keys / sizeof *meta_keys; k++) {
            json_t *v = json_object_get(bin, meta_keys[k]);
            if (v)
                json_object_set(json, meta_keys[k], v);
        }
        json_t *item = json_object();
        json_object_set_new(item, "binary", json_pack("{s:o}", prop, bin));
        json_object_set_new(item, "json", json);
        sl_item_set_paired(item, i, 0);
        json_array_append_new(list, item);
    }
    sl_ctx_out_list(ctx, 0, list);
    rc = 0;
out:
    sl_files_list_free(files, n);
    free(selector);
    free(prop);
    return rc;
}

static int execute(struct sl_node_ctx *ctx)
{
    char *op = NULL;
    if (sl_ctx_param_str(ctx, "operation", 0, "read", &op) < 0)
        return SL_ERR_NODE;
    bool write = !strcmp(op, "write");
    bool read = !strcmp(op, "read");
    free(op);
    if (write)
        return sl_write_binary_run(ctx, true);
    if (!read)
        return 0;
    size_t n = json_array_size(sl_ctx_input(ctx, 0));
    for (size_t i = 0; i < n; i++) {
        if (read_item(ctx, i) && sl_ctx_item_failed(ctx, i))
            return SL_ERR_NODE;
    }
    return 0;
}

const struct sl_node_type sl_node_readWriteFile = {
    .name = "n8n-nodes-base.readWriteFile",
    .versions = versions,
    .execute = execute,
};
