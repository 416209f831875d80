/*
 * Cron (legacy): starts a workflow at the times of its triggerTimes (see
 * server/schedule.c). When it runs, in a manual test or because a time
 * came, it emits one empty item, as n8n's node does.
 */
#include "nodes/node.h"

static const double versions[] = {1, 0};

static int execute(struct sl_node_ctx *ctx)
{
    sl_ctx_out(ctx, 0, sl_item_new(NULL));
    return 0;
}

const struct sl_node_type sl_node_cron = {
    .name = "n8n-nodes-base.cron",
    .versions = versions,
    .flags = SL_NODE_TRIGGER,
    .execute = execute,
};
