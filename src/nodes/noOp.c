/*
 * No Operation: passes its input items through unchanged.
 */
#include "nodes/node.h"

static const double versions[] = {1, 0};

static int execute(struct sl_node_ctx *ctx)
{
    sl_ctx_pass_through(ctx, 0, 0);
    return 0;
}

const struct sl_node_type sl_node_noOp = {
    .name = "n8n-nodes-base.noOp",
    .versions = versions,
    .execute = execute,
};
