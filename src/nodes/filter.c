/*
 * Filter: keeps the items that match and drops the others.
 *
 * Version 1 (n8n's FilterV1) checks typed lists of legacy comparisons,
 * combined with `combineConditions` "AND" or "OR", and gives items without
 * pairedItem [{item: index}] once a condition has run. Versions 2-2.3
 * (FilterV2) evaluate a filter parameter like If v2 (nodes/conditions.h)
 * and give them {item: index}. n8n computes a "discarded" list too but
 * declares a single output, so only kept items leave the node; with
 * continue-on-fail an item whose conditions fail to evaluate is dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "nodes/conditions.h"
#include "nodes/node.h"

static const double versions[] = {1, 2, 2.1, 2.2, 2.3, 0};

/* FilterV1 stamps pairedItem as a one-element list. */
static json_t *with_paired_list(json_t *item, size_t index)
{
    if (json_object_get(item, "pairedItem"))
        return json_incref(item);
    json_t *copy = json_copy(item);
    json_object_set_new(copy, "pairedItem", json_pack("[{s:I}]", "item", (json_int_t)index));
    return copy;
}

static int execute_v1(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *item = json_array_get(items, i);
        char *comb = NULL;
        if (sl_ctx_param_str(ctx, "combineConditions", i, "AND", &comb))
            return SL_ERR_NODE;
        enum sl_v1_combine c = !strcmp(comb, "AND")  ? SL_V1_ALL
                               : !strcmp(comb, "OR") ? SL_V1_ANY
                                                     : SL_V1_OTHER;
        free(comb);
        bool pass, checked;
        int rc = sl_v1_conditions(ctx, i, c,
                                  "GenericFunctions_1.compareOperationFunctions[condition."
                                  "operation] is not a function",
                                  &pass, &checked);
        if (rc)
            return rc;
        if (pass)
            sl_ctx_out(ctx, 0, checked ? with_paired_list(item, i) : json_incref(item));
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
            sl_ctx_clear_error(ctx); /* the item is discarded */
            continue;
        }
        if (pass)
            sl_ctx_out(ctx, 0, sl_item_with_paired(item, i));
    }
    return 0;
}

static int execute(struct sl_node_ctx *ctx)
{
    return sl_ctx_node(ctx)->version < 2 ? execute_v1(ctx) : execute_v2(ctx);
}

const struct sl_node_type sl_node_filter = {
    .name = "n8n-nodes-base.filter",
    .versions = versions,
    .execute = execute,
};
