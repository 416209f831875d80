/*
 * No Operation: passes its input items through unchanged.
 */
#include "nodes/node.h"

static const double versions[] = {1, 0};

static int execute(struct sl_node_ctx *ctx)
{
    json_t *in = sl_ctx_input(ctx, 0);
    size_t i;
    json_t *it;
    json_array_foreach(in, i, it) sl_ctx_out(ctx, 0, json_incref(it));
    return 0;
}

const struct sl_node_type sl_node_noOp = {
    .name = "n8n-nodes-base.noOp",
    .versions = versions,
    .execute = execute,
};
