/*
 * Manual Trigger: starts a manual run with one empty item; in any other
 * mode it passes its input through (n8n's trigger rule).
 */
#include <string.h>

#include "nodes/node.h"

static const double versions[] = {1, 0};

static int execute(struct sl_node_ctx *ctx)
{
    if (!strcmp(sl_ctx_mode(ctx), "manual")) {
        sl_ctx_out(ctx, 0, sl_item_new(NULL));
        return 0;
    }
    sl_ctx_pass_through(ctx, 0, 0);
    return 0;
}

const struct sl_node_type sl_node_manualTrigger = {
    .name = "n8n-nodes-base.manualTrigger",
    .versions = versions,
    .flags = SL_NODE_TRIGGER,
    .inputs = NULL,
    .execute = execute,
};
