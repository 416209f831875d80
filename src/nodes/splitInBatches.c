/*
 * Split in Batches / Loop Over Items (v1, v2, v3).
 *
 * State lives in the node context: the stored input ("items", consumed
 * from "itemsOffset" so a batch costs O(batch), not O(n)), the items that
 * came back ("processedItems"), and n8n's flags noItemsLeft, done,
 * currentRunIndex and maxRunIndex. v1 has one output and returns null when
 * nothing is left; v2 outputs (loop, done); v3 outputs (done, loop).
 */
#include <math.h>

#include "nodes/node.h"

static const double versions[] = {1, 2, 3, 0};

static int outputs(const struct sl_node *node)
{
    return node->version >= 2 ? 2 : 1;
}

static int execute(struct sl_node_ctx *ctx)
{
    const struct sl_node *node = sl_ctx_node(ctx);
    double v = node->version;
    long long batch;
    bool reset;
    if (sl_ctx_param_int(ctx, "batchSize", 0, v >= 3 ? 1 : 10, &batch) ||
        sl_ctx_param_bool(ctx, "options.reset", 0, false, &reset))
        return SL_ERR_NODE;
    if (batch < 1)
        return sl_ctx_fail(ctx, "parameter 'batchSize' must be at least 1");
    json_t *st = sl_ctx_state(ctx);
    json_t *in = sl_ctx_input(ctx, 0);
    json_t *stored = json_object_get(st, "items");
    size_t off;
    if (!stored || reset) {
        stored = json_incref(in);
        json_object_set_new(st, "items", stored);
        json_object_set_new(st, "processedItems", json_array());
        json_object_set_new(st, "currentRunIndex", json_integer(0));
        json_object_set_new(
            st, "maxRunIndex",
            json_integer((json_int_t)ceil((double)json_array_size(in) / (double)batch)));
        off = 0;
    } else {
        off = (size_t)json_integer_value(json_object_get(st, "itemsOffset"));
        json_object_set_new(
            st, "currentRunIndex",
            json_integer(json_integer_value(json_object_get(st, "currentRunIndex")) + 1));
        if (v >= 2) {
            json_t *proc = json_object_get(st, "processedItems");
            size_t i;
            json_t *it;
            json_array_foreach(in, i, it) json_array_append_new(proc, sl_item_with_paired(it, i));
        }
    }
    size_t total = json_array_size(stored);
    size_t end = off + (size_t)batch < total ? off + (size_t)batch : total;
    int loop_out = v >= 3 ? 1 : 0;
    for (size_t i = off; i < end; i++) {
        json_t *it = json_array_get(stored, i);
        sl_ctx_out(ctx, loop_out, sl_item_with_paired(it, i));
    }
    json_object_set_new(st, "itemsOffset", json_integer((json_int_t)end));
    json_object_set_new(st, "noItemsLeft", json_boolean(end >= total));
    if (end == off) {
        json_object_set_new(st, "done", json_true());
        if (v < 2) {
            sl_ctx_out_null(ctx);
            return 0;
        }
        json_t *proc = json_object_get(st, "processedItems");
        int done_out = v >= 3 ? 0 : 1;
        size_t i;
        json_t *it;
        json_array_foreach(proc, i, it) sl_ctx_out(ctx, done_out, json_incref(it));
        return 0;
    }
    json_object_set_new(st, "done", json_false());
    return 0;
}

const struct sl_node_type sl_node_splitInBatches = {
    .name = "n8n-nodes-base.splitInBatches",
    .versions = versions,
    .outputs = outputs,
    .execute = execute,
};
