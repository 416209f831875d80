/*
 * Sticky Note: a canvas annotation. It never runs; it exists so workflows
 * that carry notes load.
 */
#include "nodes/node.h"

static const double versions[] = {1, 0};

static int no_ports(const struct sl_node *node)
{
    (void)node;
    return 0;
}

static int execute(struct sl_node_ctx *ctx)
{
    sl_ctx_out_null(ctx);
    return 0;
}

const struct sl_node_type sl_node_stickyNote = {
    .name = "n8n-nodes-base.stickyNote",
    .versions = versions,
    .flags = SL_NODE_NEVER_RUNS,
    .inputs = no_ports,
    .outputs = no_ports,
    .execute = execute,
};
