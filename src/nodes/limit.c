/*
 * Limit: keeps the first or the last `maxItems` input items.
 *
 * n8n slices the input list with Array.prototype.slice, so a fractional,
 * zero or negative maxItems behaves as slice() treats its bounds; the
 * items themselves pass through untouched (same references, same
 * pairedItem).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nodes/node.h"
#include "nodes/transform.h"

static const double versions[] = {1, 0};

/* JavaScript's relative index as slice() resolves it (ToIntegerOrInfinity,
 * negative counts from the end, clamped to [0, len]). */
static size_t slice_index(double d, size_t len)
{
    if (isnan(d))
        d = 0;
    d = trunc(d);
    if (d < 0)
        d = (double)len + d < 0 ? 0 : (double)len + d;
    return d > (double)len ? len : (size_t)d;
}

int sl_limit_run(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    size_t len = json_array_size(items);
    double max;
    char *keep = NULL;

    if (sl_ctx_param_num(ctx, "maxItems", 0, 1, &max) < 0 ||
        sl_ctx_param_str(ctx, "keep", 0, "firstItems", &keep) < 0) {
        free(keep);
        return SL_ERR_NODE;
    }
    size_t from = 0, to = len;
    if (!(max > (double)len)) {
        if (strcmp(keep, "firstItems") == 0) {
            to = slice_index(max, len);
        } else {
            from = slice_index((double)len - max, len);
            to = len;
        }
    }
    free(keep);
    for (size_t i = from; i < to; i++)
        sl_ctx_out(ctx, 0, json_incref(json_array_get(items, i)));
    return 0;
}

static int execute(struct sl_node_ctx *ctx)
{
    return sl_limit_run(ctx);
}

const struct sl_node_type sl_node_limit = {
    .name = "n8n-nodes-base.limit",
    .versions = versions,
    .execute = execute,
};
