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
 * XML, text, multipart with files as binary, raw body, binary body; see
 * server/body.h), authentication (basic, header, bearer) and the error
 * answers.
 *
 * Paths, as n8n registers them. The node's "path" parameter, one leading
 * and one trailing '/' removed, is the path when the node has a webhookId
 * (the webhookId itself when the parameter is empty); a node without one
 * gets "<workflowId>/<encodeURIComponent(lower-cased node name)>/<path>".
 * A path with a ":name" segment is dynamic when the node has a webhookId:
 * its URL is "<webhookId>/<path>" (n8n prefixes the webhookId; the
 * registered path stays without it). Lookup is n8n's: first the request
 * path equal to a registered path for the method; else the first segment
 * as webhookId, the other segments as many as the registered path's, and
 * among those the one whose static segments all occur in the request with
 * the most static segments (or, failing that, one without any). Path
 * parameters map the registered ":name" segments to the request's by
 * position. Static paths are found by hash, dynamic ones through their
 * webhookId, so a lookup does not grow with the table (only a miss
 * scans it, for the methods its 404 names). Two workflows may not
 * register one method+path; within one
 * workflow the later node wins, as n8n updates its row. Expressions in the
 * path are refused.
 *
 * Answers follow n8n and Express: JSON bodies are sent with
 * "application/json; charset=utf-8", strings as "text/html; charset=utf-8"
 * unless a content-type was set (then "; charset=utf-8" is added), binary
 * bodies as their MIME type (else application/octet-stream), and the
 * successful answers carry n8n's sandbox Content-Security-Policy.
 *
 * Thread rule: a struct sl_webhook_table is built once and then only read
 * (any number of threads); to change it, build a new one and swap. The
 * other functions are reentrant.
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
    const char *node;     /* node name */
    const char *method;   /* "POST", ... */
    const char *path;     /* as registered, e.g. "orders" or "<webhookId>/orders/:id" */
    const json_t *params; /* the node's parameters (borrowed from the table's copy) */
    double version;       /* the node's typeVersion */
    int output;           /* the node output the items go to: with multipleMethods, the method's
                             position in httpMethod (n8n's setupOutputConnection), else 0 */
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
 * /webhook-test/, without the leading '/'; one trailing '/' is ignored):
 * an exact static path first, then dynamic paths (":name" segments). On a
 * match returns it and stores the path parameters in *params (new object,
 * may be empty). Without one returns NULL (*params NULL) and fills `resp`
 * with n8n's answer, {code, message[, hint]}:
 *   - 404 "The requested webhook \"POST orders\" is not registered." with
 *     n8n's production hint ("The workflow must be active for a
 *     production URL to run successfully. ...");
 *   - the path registered for other methods: n8n answers 404 too (not
 *     405), "This webhook is not registered for GET requests. Did you mean
 *     to make a POST request?" ("PUT, PATCH or POST" for several), no hint;
 *   - a method outside DELETE GET HEAD PATCH POST PUT: 500 {code: 0,
 *     message: "The method X is not supported."};
 *   - OPTIONS (CORS preflight): 204 with no body. */
const struct sl_webhook *sl_webhook_find(const struct sl_webhook_table *t, const char *method,
                                         const char *path, json_t **params,
                                         struct sl_http_resp *resp);

/* Checks options.ipWhitelist, options.ignoreBots and the node's
 * authentication (parameter "authentication": none, basicAuth, headerAuth,
 * bearerAuth; jwtAuth is refused as unsupported). `credential` is the
 * credential's data ({user, password} / {name, value} / {token}), NULL when
 * the node has none or it was not found. Returns 0 when the request may
 * pass; otherwise fills `resp` as n8n does and returns SL_ERR_INVALID:
 *   - address not in ipWhitelist: 403 "IP is not whitelisted to access the
 *     webhook!" (a text body without a content type, as each answer below);
 *   - a bot's User-Agent with ignoreBots: 403 "Authorization data is
 *     wrong!";
 *   - no Authorization header (and, for basic, no x-auth-token): 401
 *     "Authorization is required!";
 *   - wrong user/password, token, header or x-auth-token (n8n's
 *     HMAC-SHA256 of "<node id>-<webhookId>" keyed with "user:password"):
 *     403 "Authorization data is wrong!";
 *   - no credential data: 500 "No authentication data defined on node!";
 * each with WWW-Authenticate: Basic realm="Webhook", as n8n sends it for
 * every authentication failure. Secrets are compared in constant time. */
int sl_webhook_check_auth(const struct sl_webhook *wh, const json_t *credential,
                          const struct sl_http_req *req, struct sl_http_resp *resp);

/* Builds the Webhook node's output items (new reference, an array of
 * n8n items, with binary data for multipart files, rawBody and binary
 * bodies) for `req`; they go to output wh->output. `path_params`
 * borrowed; `mode` "production" or "test" (n8n's executionMode, and
 * /webhook-test/ in webhookUrl). The body, as n8n reads it:
 *   - options.binaryData (v1): the whole body as one file;
 *   - multipart/form-data: fields into body (a repeated name becomes an
 *     array), files into binary named by the field ("files[]" -> "files",
 *     several under one name -> "files0", "files1"), or
 *     "<options.binaryPropertyName><n>" counting all files; a malformed
 *     body keeps the parts complete before the fault, an empty file ends
 *     the parts, as n8n's form parser does;
 *   - application/json, XML (xml2js: normalize, normalizeTags, no
 *     explicitArray), application/x-www-form-urlencoded (querystring),
 *     text/plain: parsed into body (v2 and later only for these types;
 *     v1 tries every type and leaves body out when it knows none);
 *   - v2 and later, anything else (or a body that parses to nothing): the
 *     body as one file in binary.data (options.binaryPropertyName), file
 *     name from Content-Disposition else a UUID, and body {};
 *   - options.rawBody: binary.data = {data: base64, mimeType}.
 * Binary entries are inline (base64). On a body that cannot be parsed
 * returns NULL and fills `resp` with n8n's 422 {code: 422, message:
 * "Failed to parse request body", hint: the parser's message}; past a
 * multipart limit 413 likewise. */
json_t *sl_webhook_items(const struct sl_webhook *wh, const struct sl_http_req *req,
                         const json_t *path_params, const char *mode, struct sl_http_resp *resp);

/* The node's response mode: "onReceived" (default), "lastNode",
 * "responseNode", or whatever else the node says ("streaming" from v2.1),
 * borrowed from the table. */
const char *sl_webhook_response_mode(const struct sl_webhook *wh);

/* Adds the node's options.responseHeaders to `resp` (names lower-cased,
 * invalid ones and content-security-policy dropped). n8n sets them on
 * every answer of a webhook execution: the respond functions below that
 * take `wh` do it themselves; call it before sl_webhook_respond_node()
 * and before an error answer of the server's own. */
void sl_webhook_response_headers(const struct sl_webhook *wh, struct sl_http_resp *resp);

/* The answer sent at once in onReceived mode: the response code (v1
 * responseCode, v2 options.responseCode), and the body: options.
 * responseData as a string, nothing with options.noResponseBody, else
 * {"message": "Workflow was started"}. */
void sl_webhook_respond_received(const struct sl_webhook *wh, struct sl_http_resp *resp);

/* The answer in lastNode mode from the last node's output items
 * (borrowed; NULL when the last node returned no data): responseData
 * allEntries / firstEntryJson (default) / firstEntryBinary / noData,
 * options.responsePropertyName (a lodash path), responseContentType,
 * responseBinaryPropertyName, responseHeaders, the response code, as n8n
 * builds it. `error`: the execution's error message, or NULL; with one n8n
 * answers 500 {"message": "Error in workflow"}. No items: the code with
 * {"message": "Workflow executed successfully but the last node did not
 * return any data"}. A missing item or binary property: 500 {code: 0,
 * message: n8n's text}. Binary bytes are read with sl_binary_store_get()
 * (inline or under SLUICE_DATA_DIR). */
void sl_webhook_respond_last_node(const struct sl_webhook *wh, const json_t *items,
                                  const char *error, struct sl_http_resp *resp);

/* The answer in responseNode mode from a Respond to Webhook node's
 * response {statusCode, headers, body} (borrowed; body a string, any JSON
 * value, absent, or {binaryData: <binary entry>}). Headers already in
 * `resp` are kept unless the response sets them. A binary body is sent
 * with status 200 whatever statusCode says, as n8n sends it. */
void sl_webhook_respond_node(const json_t *response, struct sl_http_resp *resp);

#endif
