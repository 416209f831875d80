/*
 * Customer Messenger (n8n training): pretends to send `message` to
 * `customerId` and emits, per input item, n8n's confirmation
 * {output: "Sent message to customer <id>:  <message>"} (two spaces, as
 * n8n writes it). Values are joined as a JavaScript template literal
 * would; the items carry no pairedItem, so the engine pairs them as n8n
 * does.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/item.h"
#include "core/jsvalue.h"
#include "nodes/node.h"

static const double versions[] = {1, 0};

static int execute(struct sl_node_ctx *ctx)
{
    size_t n = json_array_size(sl_ctx_input(ctx, 0));
    json_t *empty = json_string("");
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *id = sl_ctx_param(ctx, "customerId", i, empty);
        if (!id) {
            rc = SL_ERR_NODE;
            break;
        }
        json_t *msg = sl_ctx_param(ctx, "message", i, empty);
        if (!msg) {
            json_decref(id);
            rc = SL_ERR_NODE;
            break;
        }
        char *id_s = sl_jsv_to_string(id);
        char *msg_s = sl_jsv_to_string(msg);
        json_t *out = json_object();
        json_object_set_new(out, "output",
                            json_sprintf("Sent message to customer %s:  %s", id_s, msg_s));
        sl_ctx_out(ctx, 0, sl_item_new(out));
        free(id_s);
        free(msg_s);
        json_decref(id);
        json_decref(msg);
    }
    json_decref(empty);
    return rc;
}

const struct sl_node_type sl_node_n8nTrainingCustomerMessenger = {
    .name = "n8n-nodes-base.n8nTrainingCustomerMessenger",
    .versions = versions,
    .execute = execute,
};
