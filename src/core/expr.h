/*
 * Parameter expressions: a string that starts with '=' is an n8n
 * expression template ("={{ $json.a }}", "=Hello {{ $json.name }}").
 * Simple property paths on $json are evaluated in C; anything else goes to
 * the execution's JavaScript context (js/js.h), compiled once and cached.
 */
#ifndef SL_CORE_EXPR_H
#define SL_CORE_EXPR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct sl_node_ctx;

/* Returns a new reference to `value` with every expression inside it
 * evaluated for input item `item` (unchanged subtrees are shared). NULL
 * with *err NULL means the value is undefined; NULL with *err set (heap
 * string) means evaluation failed. */
json_t *sl_expr_resolve(struct sl_node_ctx *ctx, json_t *value, size_t item, char **err);

/* Evaluates `$json` property paths such as "$json.a.b" or "$json['x y']"
 * directly on `json`. Returns true when `code` is such a path and it could
 * be resolved; *out is then a new reference or NULL for undefined. */
bool sl_expr_fast_path(const char *code, json_t *json, json_t **out);

#endif
