/*
 * Code (v1, v2): runs the user's JavaScript once for all items or once for
 * each item, with n8n's return-value rules (js/prelude.js validates them).
 */
#include <stdlib.h>
#include <string.h>

#include "js/js.h"
#include "nodes/node.h"

static const double versions[] = {1, 2, 0};

static int execute(struct sl_node_ctx *ctx)
{
    char *mode = NULL, *lang = NULL, *code = NULL;
    int rc = sl_ctx_param_str(ctx, "mode", 0, "runOnceForAllItems", &mode);
    if (!rc)
        rc = sl_ctx_param_str(ctx, "language", 0, "javaScript", &lang);
    if (rc)
        goto out;
    if (strcmp(lang, "javaScript")) {
        rc = sl_ctx_fail(ctx, "language '%s' is not supported: sluice runs JavaScript Code nodes",
                         lang);
        goto out;
    }
    json_t *src = sl_ctx_param_raw(ctx, "jsCode");
    if (src && !json_is_string(src)) {
        rc = sl_ctx_fail(ctx, "parameter 'jsCode' must be a string");
        goto out;
    }
    code = strdup(src ? json_string_value(src) : "");
    enum sl_code_mode m;
    if (!strcmp(mode, "runOnceForAllItems"))
        m = SL_CODE_ALL_ITEMS;
    else if (!strcmp(mode, "runOnceForEachItem"))
        m = SL_CODE_EACH_ITEM;
    else {
        rc = sl_ctx_fail(ctx, "parameter 'mode': unknown mode '%s'", mode);
        goto out;
    }
    rc = sl_js_run_code(sl_ctx_js(ctx), ctx, code, m);
out:
    free(mode);
    free(lang);
    free(code);
    return rc;
}

const struct sl_node_type sl_node_code = {
    .name = "n8n-nodes-base.code",
    .versions = versions,
    .execute = execute,
};
