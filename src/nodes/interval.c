/*
 * Interval (legacy): starts a workflow every `interval` seconds, minutes
 * or hours from activation (see server/schedule.c). When it runs it emits
 * one empty item, after n8n's checks of the interval: at least 1 ("The
 * interval has to be set to at least 1 or higher!") and at most 2^31-1 ms
 * ("The interval value is too large.").
 */
#include <stdlib.h>
#include <string.h>

#include "nodes/node.h"

static const double versions[] = {1, 0};

static int execute(struct sl_node_ctx *ctx)
{
    double interval;
    char *unit = NULL;
    if (sl_ctx_param_num(ctx, "interval", 0, 1, &interval) ||
        sl_ctx_param_str(ctx, "unit", 0, "seconds", &unit))
        return SL_ERR_NODE;
    double ms = interval * 1000 *
                (!strcmp(unit, "minutes") ? 60
                 : !strcmp(unit, "hours") ? 3600
                                          : 1);
    free(unit);
    if (interval <= 0)
        return sl_ctx_fail(ctx, "The interval has to be set to at least 1 or higher!");
    if (ms > 2147483647)
        return sl_ctx_fail(ctx, "The interval value is too large.");
    sl_ctx_out(ctx, 0, sl_item_new(NULL));
    return 0;
}

const struct sl_node_type sl_node_interval = {
    .name = "n8n-nodes-base.interval",
    .versions = versions,
    .flags = SL_NODE_TRIGGER,
    .execute = execute,
};
