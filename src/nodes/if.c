/*
 * If: routes each item to output 0 ("true") or 1 ("false").
 *
 * Version 1 (n8n's IfV1) checks typed lists of legacy comparisons,
 * combined with `combineOperation` "all" or "any". Versions 2-2.3 (IfV2)
 * evaluate a filter parameter (nodes/conditions.h); type validation is
 * `options.looseTypeValidation` in 2.0 and the top-level
 * `looseTypeValidation` from 2.1, and the filter's own `options` (written
 * by n8n's editor) carry case sensitivity and the filter version.
 *
 * Items are emitted by reference. v2 gives items without pairedItem
 * {item: index}; with continue-on-fail an item whose conditions fail to
 * evaluate goes to the false output, as in n8n.
 */
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "nodes/conditions.h"
#include "nodes/node.h"

static const double versions[] = {1, 2, 2.1, 2.2, 2.3, 0};

static int outputs(const struct sl_node *node)
{
    (void)node;
    return 2;
}

static int execute_v1(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    for (size_t i = 0; i < json_array_size(items); i++) {
        char *comb = NULL;
        if (sl_ctx_param_str(ctx, "combineOperation", i, "all", &comb))
            return SL_ERR_NODE;
        enum sl_v1_combine c = !strcmp(comb, "all")   ? SL_V1_ALL
                               : !strcmp(comb, "any") ? SL_V1_ANY
                                                      : SL_V1_OTHER;
        free(comb);
        bool pass, checked;
        int rc = sl_v1_conditions(ctx, i, c,
                                  "compareOperationFunctions[compareData.operation] is not a "
                                  "function",
                                  &pass, &checked);
        if (rc)
            return rc;
        sl_ctx_out(ctx, pass ? 0 : 1, json_incref(json_array_get(items, i)));
    }
    return 0;
}

static int execute_v2(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *item = json_array_get(items, i);
        bool pass = false;
        int rc = sl_filter_conditions(ctx, i, &pass);
        if (rc) {
            if (!sl_ctx_continue_on_fail(ctx))
                return rc;
            sl_ctx_clear_error(ctx);
            sl_ctx_out(ctx, 1, json_incref(item));
            continue;
        }
        sl_ctx_out(ctx, pass ? 0 : 1, sl_item_with_paired(item, i));
    }
    return 0;
}

static int execute(struct sl_node_ctx *ctx)
{
    return sl_ctx_node(ctx)->version < 2 ? execute_v1(ctx) : execute_v2(ctx);
}

const struct sl_node_type sl_node_if = {
    .name = "n8n-nodes-base.if",
    .versions = versions,
    .outputs = outputs,
    .execute = execute,
};
