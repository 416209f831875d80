/*
 * Function (legacy v1): runs `functionCode` over the `items` array; the
 * code returns an array of items.
 */
#include "js/js.h"
#include "nodes/node.h"

static const double versions[] = {1, 0};

static int execute(struct sl_node_ctx *ctx)
{
    json_t *src = sl_ctx_param_raw(ctx, "functionCode");
    if (src && !json_is_string(src))
        return sl_ctx_fail(ctx, "parameter 'functionCode' must be a string");
    return sl_js_run_code(sl_ctx_js(ctx), ctx, src ? json_string_value(src) : "", SL_CODE_FUNCTION);
}

const struct sl_node_type sl_node_function = {
    .name = "n8n-nodes-base.function",
    .versions = versions,
    .execute = execute,
};
