/*
 * HTML extraction shared by the HTML node (extractHtmlContent) and the
 * legacy HTML Extract node, which read their parameters under the same
 * names and differ only in the value rules the JavaScript side applies
 * (js/html.js).
 */
#ifndef SL_NODES_HTML_H
#define SL_NODES_HTML_H

#include <stdbool.h>

#include "nodes/node.h"

/* Extracts the configured values from the HTML found in each input item
 * (`sourceData` json: the string or array of strings at
 * `dataPropertyName`; binary: that binary property as UTF-8) and emits one
 * item per HTML document, paired with its input item. `legacy` selects the
 * HTML Extract node's rules. Per-item failures become {error} items when
 * the node continues on fail. Returns 0 or the node error. */
int sl_html_extract_run(struct sl_node_ctx *ctx, bool legacy) SL_MUST_CHECK;

#endif
