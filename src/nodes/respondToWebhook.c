/*
 * Respond to Webhook (v1-v1.5): builds the HTTP response of a webhook
 * execution whose Webhook node responds "using 'Respond to Webhook' node",
 * then passes its input items through.
 *
 * The response is {body, headers, statusCode} as n8n builds it for each
 * "respondWith" choice. Outside a webhook execution there is no request to
 * answer: n8n's sendResponse() then does nothing, and so does sluice; the
 * checks (a Webhook node upstream from v1.1, valid JSON, binary data on
 * the first item, ...) still fail the node as in n8n. v1.3, and v1.4+
 * with enableResponseOutput, also emit {json: {response}} on a second
 * output. A binary body is described as {binaryData: <the binary entry>},
 * the form n8n uses for binary data kept out of memory.
 *
 * sluice has no credential store yet, so "jwt" fails as n8n does without
 * credentials.
 */
#include <stdlib.h>
#include <string.h>

#include "core/graph.h"
#include "core/jpath.h"
#include "core/jsvalue.h"
#include "nodes/node.h"
#include "util/alloc.h"

static const double versions[] = {1, 1.1, 1.2, 1.3, 1.4, 1.5, 0};

static bool response_output(const struct sl_node *node)
{
    return node->version == 1.3 ||
           (node->version >= 1.4 &&
            sl_jsv_truthy(json_object_get(node->params, "enableResponseOutput")));
}

static int outputs(const struct sl_node *node)
{
    return response_output(node) ? 2 : 1;
}

/* n8n's check from v1.1: a webhook-type node among the ancestors. */
static bool has_webhook_parent(struct sl_node_ctx *ctx)
{
    static const char *const types[] = {"n8n-nodes-base.webhook", "n8n-nodes-base.formTrigger",
                                        "@n8n/n8n-nodes-langchain.chatTrigger",
                                        "n8n-nodes-base.wait"};
    const struct sl_node *self = sl_ctx_node(ctx);
    const struct sl_workflow *wf = sl_ctx_workflow(ctx);
    int n;
    int *parents = sl_graph_parents(wf, self->index, &n);
    bool found = false;
    for (int i = 0; i < n && !found; i++)
        for (size_t k = 0; k < sizeof types / sizeof *types; k++)
            if (!strcmp(wf->nodes[parents[i]].type, types[k]))
                found = true;
    free(parents);
    return found;
}

/* options.responseHeaders.entries as n8n collects them: lower-cased
 * names, values through toString(). */
static json_t *headers_of(json_t *options)
{
    json_t *h = json_object();
    json_t *entries = json_object_get(json_object_get(options, "responseHeaders"), "entries");
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        json_t *name = json_object_get(e, "name");
        json_t *value = json_object_get(e, "value");
        char *n = name && !json_is_null(name) ? sl_jsv_to_string(name) : NULL;
        char *lower = sl_jsv_lower(n ? n : "undefined");
        if (value && !json_is_null(value)) {
            char *v = sl_jsv_to_string(value);
            json_object_set_new(h, lower, json_string(v));
            free(v);
        } else {
            json_object_del(h, lower);
        }
        free(lower);
        free(n);
    }
    return h;
}

/* `value` (stolen) under options.responseKey when set (lodash _.set). */
static json_t *under_key(json_t *options, json_t *value)
{
    json_t *key = json_object_get(options, "responseKey");
    if (!sl_jsv_truthy(key))
        return value;
    char *k = sl_jsv_to_string(key);
    json_t *root = json_object();
    sl_jpath_set(&root, k, value);
    free(k);
    return root;
}

static int binary_body(struct sl_node_ctx *ctx, json_t *item, json_t *headers, json_t **body)
{
    json_t *bin = json_object_get(item, "binary");
    if (!bin)
        return sl_ctx_fail(ctx, "No binary data exists on the first item!");
    char *source = NULL, *field = NULL;
    if (sl_ctx_param_str(ctx, "responseDataSource", 0, "automatically", &source) < 0)
        return SL_ERR_NODE;
    int rc = 0;
    if (!strcmp(source, "set")) {
        rc = sl_ctx_param_str(ctx, "inputFieldName", 0, "data", &field);
    } else {
        void *it = json_object_iter(bin);
        if (!it)
            rc = sl_ctx_fail(ctx, "No binary data exists on the first item!");
        else
            field = sl_strdup(json_object_iter_key(it));
    }
    free(source);
    if (rc < 0) {
        free(field);
        return SL_ERR_NODE;
    }
    json_t *data = json_object_get(bin, field);
    if (!data) {
        rc = sl_ctx_fail(ctx, "The item has no binary field '%s' [item 0]", field);
        sl_ctx_fail_description(ctx,
                                "Check that the parameter where you specified the input binary "
                                "field name is correct, and that it matches a field in the "
                                "binary input");
        free(field);
        return rc;
    }
    free(field);
    json_t *mime = json_object_get(data, "mimeType");
    if (!json_object_get(headers, "content-type") && json_is_string(mime))
        json_object_set(headers, "content-type", mime);
    *body = json_pack("{s:O}", "binaryData", data);
    return 0;
}

/* Builds n8n's response object for the first item's parameters. */
static int build_response(struct sl_node_ctx *ctx, json_t *items, json_t **response)
{
    const struct sl_node *node = sl_ctx_node(ctx);
    if (node->version >= 1.1 && !has_webhook_parent(ctx)) {
        int rc = sl_ctx_fail(ctx, "No Webhook node found in the workflow");
        sl_ctx_fail_description(ctx, "Insert a Webhook node to your workflow and set the “Respond” "
                                     "parameter to “Using Respond to Webhook Node” ");
        return rc;
    }
    char *with = NULL;
    if (sl_ctx_param_str(ctx, "respondWith", 0, "firstIncomingItem", &with) < 0)
        return SL_ERR_NODE;
    json_t *options = sl_ctx_param(ctx, "options", 0, NULL);
    if (!options && sl_ctx_failed(ctx)) {
        free(with);
        return SL_ERR_NODE;
    }
    json_t *headers = headers_of(options);
    json_t *code = json_object_get(options, "responseCode");
    json_t *status = sl_jsv_truthy(code) ? json_incref(code) : json_integer(200);
    json_t *body = NULL;
    int rc = 0;
    if (!strcmp(with, "json")) {
        json_t *dflt = json_string("{\n  \"myField\": \"value\"\n}");
        json_t *p = sl_ctx_param(ctx, "responseBody", 0, dflt);
        json_decref(dflt);
        if (!p) {
            rc = SL_ERR_NODE;
        } else if (json_is_string(p) && json_string_length(p)) {
            body = json_loads(json_string_value(p), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
            if (!body) {
                rc = sl_ctx_fail(ctx, "Invalid JSON in 'Response Body' field");
                sl_ctx_fail_description(
                    ctx,
                    "Check that the syntax of the JSON in the 'Response Body' parameter is valid");
            }
        } else if (sl_jsv_truthy(p)) {
            body = json_incref(p);
        }
        json_decref(p);
    } else if (!strcmp(with, "jwt")) {
        rc = sl_ctx_fail(ctx, "Error signing JWT token");
        sl_ctx_fail_description(ctx, "sluice has no credentials store: the jwtAuth credentials "
                                     "this option needs cannot be read");
    } else if (!strcmp(with, "allIncomingItems")) {
        json_t *all = json_array();
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            json_t *j = sl_item_json(it);
            json_array_append_new(all, j ? json_incref(j) : json_object());
        }
        body = under_key(options, all);
    } else if (!strcmp(with, "firstIncomingItem")) {
        json_t *j = sl_item_json(json_array_get(items, 0));
        body = under_key(options, j ? json_incref(j) : json_object());
    } else if (!strcmp(with, "text")) {
        json_t *empty = json_string("");
        body = sl_ctx_param(ctx, "responseBody", 0, empty);
        json_decref(empty);
        if (!body && sl_ctx_failed(ctx))
            rc = SL_ERR_NODE;
    } else if (!strcmp(with, "binary")) {
        rc = binary_body(ctx, json_array_get(items, 0), headers, &body);
    } else if (!strcmp(with, "redirect")) {
        json_t *empty = json_string("");
        json_t *url = sl_ctx_param(ctx, "redirectURL", 0, empty);
        json_decref(empty);
        if (!url) {
            rc = SL_ERR_NODE;
        } else {
            json_object_set_new(headers, "location", url);
            json_decref(status);
            status = code && !json_is_null(code) ? json_incref(code) : json_integer(307);
        }
    } else if (strcmp(with, "noData")) {
        rc = sl_ctx_fail(ctx, "The Response Data option \"%s\" is not supported!", with);
    }
    free(with);
    json_decref(options);
    if (rc) {
        json_decref(headers);
        json_decref(status);
        json_decref(body);
        return rc;
    }
    *response = json_object();
    if (body)
        json_object_set_new(*response, "body", body);
    json_object_set_new(*response, "headers", headers);
    json_object_set_new(*response, "statusCode", status);
    return 0;
}

static int execute(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    json_t *response = NULL;
    int rc = build_response(ctx, items, &response);
    if (rc) {
        if (!sl_ctx_continue_on_fail(ctx))
            return rc;
        /* one error item paired with every input item */
        json_t *paired = json_array();
        for (size_t i = 0; i < json_array_size(items); i++)
            json_array_append_new(paired, json_pack("{s:I}", "item", (json_int_t)i));
        json_t *item = json_pack("{s:{s:s},s:o}", "json", "error", sl_ctx_error_message(ctx),
                                 "pairedItem", paired);
        sl_ctx_clear_error(ctx);
        sl_ctx_out(ctx, 0, item);
        return 0;
    }
    sl_ctx_respond(ctx, response);
    sl_ctx_pass_through(ctx, 0, 0);
    if (response_output(sl_ctx_node(ctx)))
        sl_ctx_out(ctx, 1, json_pack("{s:{s:o}}", "json", "response", response));
    else
        json_decref(response);
    return 0;
}

const struct sl_node_type sl_node_respondToWebhook = {
    .name = "n8n-nodes-base.respondToWebhook",
    .versions = versions,
    .outputs = outputs,
    .execute = execute,
};
