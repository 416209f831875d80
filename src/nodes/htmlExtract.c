/*
 * HTML Extract (v1), the HTML node's predecessor: extracts values with CSS
 * selectors from HTML in a JSON property (a lodash path) or a binary
 * property. Unlike the HTML node it trims values unless trimValues is
 * false, and its text is cheerio's text() as it is (nodes/html.h).
 */
#include "nodes/html.h"
#include "nodes/node.h"

static const double versions[] = {1, 0};

static int execute(struct sl_node_ctx *ctx)
{
    return sl_html_extract_run(ctx, true);
}

const struct sl_node_type sl_node_htmlExtract = {
    .name = "n8n-nodes-base.htmlExtract",
    .versions = versions,
    .execute = execute,
};
