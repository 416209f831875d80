/*
 * Webhook (v1, v1.1, v2, v2.1): starts a workflow when an HTTP request
 * arrives. Outside the server it passes its input through, as n8n runs a
 * webhook node inside a workflow: `sluice test` feeds it the file's
 * trigger.input, `sluice run --input` the given items.
 */
#include "nodes/node.h"

static const double versions[] = {1, 1.1, 2, 2.1, 0};

static int execute(struct sl_node_ctx *ctx)
{
    sl_ctx_pass_through(ctx, 0, 0);
    return 0;
}

const struct sl_node_type sl_node_webhook = {
    .name = "n8n-nodes-base.webhook",
    .versions = versions,
    .flags = SL_NODE_WEBHOOK,
    .execute = execute,
};
