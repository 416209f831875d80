/*
 * Stop and Error: always fails, with a message or an error object.
 */
#include <stdlib.h>
#include <string.h>

#include "nodes/node.h"

static const double versions[] = {1, 0};

static int no_outputs(const struct sl_node *node)
{
    (void)node;
    return 0;
}

static int execute(struct sl_node_ctx *ctx)
{
    char *type = NULL;
    if (sl_ctx_param_str(ctx, "errorType", 0, "errorMessage", &type))
        return SL_ERR_NODE;
    int rc;
    if (!strcmp(type, "errorObject")) {
        json_t *obj = sl_ctx_param(ctx, "errorObject", 0, NULL);
        if (!obj && sl_ctx_failed(ctx)) {
            free(type);
            return SL_ERR_NODE;
        }
        json_t *parsed = NULL;
        if (json_is_string(obj)) {
            json_error_t je;
            parsed = json_loads(json_string_value(obj), JSON_DECODE_ANY, &je);
            if (!parsed) {
                rc = sl_ctx_fail(ctx, "parameter 'errorObject' is not valid JSON: %s", je.text);
                json_decref(obj);
                free(type);
                return rc;
            }
        } else {
            parsed = json_incref(obj);
        }
        json_t *m = json_object_get(parsed, "message");
        json_t *d = json_object_get(parsed, "description");
        if (json_is_string(m))
            rc = sl_ctx_fail(ctx, "%s", json_string_value(m));
        else if (json_is_string(d))
            rc = sl_ctx_fail(ctx, "%s", json_string_value(d));
        else {
            char *text = json_dumps(parsed, JSON_COMPACT | JSON_ENCODE_ANY);
            rc = sl_ctx_fail(ctx, "%s", text ? text : "Error");
            free(text);
        }
        if (json_is_string(d) && json_is_string(m))
            sl_ctx_fail_description(ctx, "%s", json_string_value(d));
        json_decref(parsed);
        json_decref(obj);
    } else {
        char *msg = NULL;
        if (sl_ctx_param_str(ctx, "errorMessage", 0, "", &msg)) {
            free(type);
            return SL_ERR_NODE;
        }
        rc = sl_ctx_fail(ctx, "%s", msg);
        free(msg);
    }
    free(type);
    return rc;
}

const struct sl_node_type sl_node_stopAndError = {
    .name = "n8n-nodes-base.stopAndError",
    .versions = versions,
    .outputs = no_outputs,
    .execute = execute,
};
