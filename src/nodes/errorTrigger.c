/*
 * Error Trigger (v1): starts an error workflow with the failed execution's
 * data. Run by hand with a single empty item it emits n8n's sample error
 * data instead, so error workflows can be built and tested; otherwise it
 * passes its input through.
 *
 * The sample's URL is built as n8n builds it from its REST API URL: the
 * base URL (WEBHOOK_URL, else http://localhost:5678/) with "rest" swapped
 * for "execution".
 */
#include <stdlib.h>
#include <string.h>

#include "nodes/node.h"
#include "util/alloc.h"

static const double versions[] = {1, 0};

static bool is_empty_item(json_t *item)
{
    return json_object_size(sl_item_json(item)) == 0 && !json_object_get(item, "binary");
}

static json_t *sample(void)
{
    const char *base = getenv("WEBHOOK_URL");
    if (!base || !*base)
        base = "http://localhost:5678/";
    size_t n = strlen(base);
    const int id = 231;
    char *url = sl_asprintf("%s%sexecution/workflow/1/%d", base, base[n - 1] == '/' ? "" : "/", id);
    json_t *j =
        json_pack("{s:{s:i,s:s,s:s,s:{s:s,s:s},s:s,s:s},s:{s:s,s:s}}", "execution", "id", id, "url",
                  url, "retryOf", "34", "error", "message", "Example Error Message", "stack",
                  "Stacktrace", "lastNodeExecuted", "Node With Error", "mode", "manual", "workflow",
                  "id", "1", "name", "Example Workflow");
    free(url);
    return j;
}

static int execute(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    if (!strcmp(sl_ctx_mode(ctx), "manual") && json_array_size(items) == 1 &&
        is_empty_item(json_array_get(items, 0))) {
        json_t *it = json_copy(json_array_get(items, 0));
        json_object_set_new(it, "json", sample());
        sl_ctx_out(ctx, 0, it);
        return 0;
    }
    sl_ctx_pass_through(ctx, 0, 0);
    return 0;
}

const struct sl_node_type sl_node_errorTrigger = {
    .name = "n8n-nodes-base.errorTrigger",
    .versions = versions,
    .flags = SL_NODE_STARTER,
    .execute = execute,
};
