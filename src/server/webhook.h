/*
 * Webhooks: which workflow an HTTP request starts, the items the Webhook
 * node emits for it, and the HTTP response for each response mode. Pure
 * functions over struct sl_http_req / sl_http_resp (server/http.h); the
 * server wires them to libmicrohttpd, the dispatcher and the workers.
 *
 * n8n's rules (packages/cli webhook services, nodes-base Webhook node
 * v1-v2.1, Respond to Webhook) are the specification: paths, dynamic
 * paths with :parameters, methods, the item shape {headers, params, query,
 * body, webhookUrl, executionMode}, body parsing (JSON, form-urlencoded,
 * multipart with files as binary, raw body, binary body), authentication
 * (basic, header) and the error answers (404 not registered, 405/404 for a
 * wrong method, 401/403 for authentication).
 *
 * Thread rule: a struct sl_webhook_table is built once and then only read
 * (any number of threads); to change it, build a new one and swap.
 */
#ifndef SL_SERVER_WEBHOOK_H
#define SL_SERVER_WEBHOOK_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "server/http.h"

struct sl_node;
struct sl_webhook_table;

/* One registered webhook: a Webhook node (or another webhook-type node) of
 * a workflow. Strings are owned by the table. */
struct sl_webhook {
    const char *workflow_id;
    const char *node;   /* node name */
    const char *method; /* "POST", ... */
    const char *path;   /* as registered, e.g. "orders" or "<webhookId>/orders/:id" */
    const json_t *params; /* the node's parameters (borrowed from the table's copy) */
    double version;       /* the node's typeVersion */
};

struct sl_webhook_table *sl_webhook_table_new(void);
void sl_webhook_table_free(struct sl_webhook_table *t);

/* Registers every enabled webhook-type node of workflow `doc` (an n8n
 * document, borrowed; the table copies what it keeps) under `workflow_id`.
 * A path+method already taken by another workflow is a conflict:
 * SL_ERR_INVALID with "webhook 'POST orders' of node 'X' is already used
 * by workflow 'Y'" in `err`, and nothing of this workflow registered. */
int sl_webhook_table_add(struct sl_webhook_table *t, const char *workflow_id, const json_t *doc,
                         struct sl_error *err) SL_MUST_CHECK;
int sl_webhook_table_count(const struct sl_webhook_table *t);

/* Finds the webhook for `method` and `path` (the part after /webhook/ or
 * /webhook-test/, without leading or trailing '/'): an exact static path
 * first, then dynamic paths (":name" segments). On a match returns it and
 * stores the path parameters in *params (new object, may be empty).
 * Without one returns NULL and fills `resp` with n8n's answer: 404 "The
 * requested webhook \"POST orders\" is not registered." (with the hint),
 * or when the path exists for other methods, 405 listing them... as n8n. */
const struct sl_webhook *sl_webhook_find(const struct sl_webhook_table *t, const char *method,
                                         const char *path, json_t **params,
                                         struct sl_http_resp *resp);

/* Checks the node's authentication (parameter "authentication": none,
 * basicAuth, headerAuth; jwtAuth is refused as unsupported). `credential`
 * is the credential's data ({user, password} / {name, value}), NULL when
 * the node has none or it was not found. Returns 0 when the request may
 * pass; otherwise fills `resp` as n8n does (401 with WWW-Authenticate for
 * basic, 403 for a wrong header, 500 when the credential is missing) and
 * returns SL_ERR_INVALID. */
int sl_webhook_check_auth(const struct sl_webhook *wh, const json_t *credential,
                          const struct sl_http_req *req, struct sl_http_resp *resp);

/* Builds the Webhook node's output items (new reference, an array of
 * n8n items, with binary data for multipart files, rawBody and binary
 * bodies) for `req`. `path_params` borrowed; `mode` "production" or
 * "test" (n8n's executionMode). On a body that cannot be parsed returns
 * NULL and fills `resp` (400 or 415, naming the node and the cause). */
json_t *sl_webhook_items(const struct sl_webhook *wh, const struct sl_http_req *req,
                         const json_t *path_params, const char *mode,
                         struct sl_http_resp *resp);

/* The node's response mode: "onReceived", "lastNode" or "responseNode". */
const char *sl_webhook_response_mode(const struct sl_webhook *wh);

/* The answer sent at once in onReceived mode: responseCode, and
 * options.responseData / "Workflow was started" as n8n words it. */
void sl_webhook_respond_received(const struct sl_webhook *wh, struct sl_http_resp *resp);

/* The answer in lastNode mode from the last node's output items
 * (borrowed): responseData allEntries / firstEntryJson / firstEntryBinary
 * / noData, responsePropertyName, responseContentType, responseHeaders,
 * responseCode, as n8n builds it. `error`: the execution's error message,
 * or NULL (n8n answers 500 {"message": "Error in workflow"}). */
void sl_webhook_respond_last_node(const struct sl_webhook *wh, const json_t *items,
                                  const char *error, struct sl_http_resp *resp);

/* The answer in responseNode mode from a Respond to Webhook node's
 * response {statusCode, headers, body} (borrowed; body a string, any JSON
 * value, or {binaryData: <binary entry>}). */
void sl_webhook_respond_node(const json_t *response, struct sl_http_resp *resp);

#endif
