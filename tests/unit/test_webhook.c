/*
 * Unit tests for server/webhook and server/body: registration and lookup
 * of webhook paths (static, dynamic with :params, conflicts, n8n's 404
 * answers), authentication, the Webhook node's items for every body type,
 * and the answers of the three response modes. Expected values come from
 * n8n 1.x's source: packages/cli/src/webhooks (webhook.service.ts,
 * live-webhooks.ts, webhook-helpers.ts, the response extractors),
 * errors/webhook-not-found.error.ts, middlewares/body-parser.ts,
 * nodes-base/nodes/Webhook (Webhook.node.ts, utils.ts, error.ts), Node's
 * querystring, formidable 3 and Express's res.send/res.json. The item
 * shapes, 404/422 answers, multipart edge cases, authentication answers
 * and the response bodies and types were also checked against a running
 * n8n 1.123 (the version of tools/n8n-reference).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/binary.h"
#include "server/body.h"
#include "server/webhook.h"
#include "util/alloc.h"

/* ---- helpers ---- */

static json_t *load(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    if (!v)
        fail_msg("bad test JSON: %s: %s", e.text, text);
    return v;
}

/* A workflow with one Webhook node of the given version and parameters. */
static json_t *wf1(double version, const char *params, const char *webhook_id)
{
    json_t *doc = load("{\"nodes\": []}");
    json_t *node =
        json_pack("{s:s,s:s,s:s,s:f,s:o}", "id", "node-1", "name", "Webhook", "type",
                  "n8n-nodes-base.webhook", "typeVersion", version, "parameters", load(params));
    if (webhook_id)
        json_object_set_new(node, "webhookId", json_string(webhook_id));
    json_array_append_new(json_object_get(doc, "nodes"), node);
    return doc;
}

struct one {
    struct sl_webhook_table *t;
    const struct sl_webhook *wh;
};

static struct one register1(double version, const char *params, const char *method,
                            const char *path)
{
    struct one o = {sl_webhook_table_new(), NULL};
    json_t *doc = wf1(version, params, "wid");
    struct sl_error err = {{0}};
    assert_int_equal(sl_webhook_table_add(o.t, "wf1", doc, &err), 0);
    json_decref(doc);
    json_t *params_out = NULL;
    struct sl_http_resp resp = {0};
    o.wh = sl_webhook_find(o.t, method, path, &params_out, &resp);
    assert_non_null(o.wh);
    json_decref(params_out);
    sl_http_resp_release(&resp);
    return o;
}

static struct sl_http_req request(const char *method, const char *content_type, const char *body,
                                  size_t len)
{
    struct sl_http_req r = {0};
    r.method = method;
    r.path = "/webhook/hook";
    r.query = json_object();
    r.headers = json_object();
    if (content_type)
        json_object_set_new(r.headers, "content-type", json_string(content_type));
    r.body = body;
    r.body_len = len;
    r.remote_addr = "127.0.0.1";
    r.base_url = "http://localhost:5678";
    return r;
}

static void req_free(struct sl_http_req *r)
{
    json_decref(r->query);
    json_decref(r->headers);
}

static json_t *resp_json(const struct sl_http_resp *resp)
{
    json_t *v = json_loadb(resp->body, resp->body_len, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    return v;
}

static const char *hdr(const struct sl_http_resp *resp, const char *name)
{
    return resp->headers ? json_string_value(json_object_get(resp->headers, name)) : NULL;
}

static const char *jstr(const json_t *o, const char *path)
{
    /* "a.b.c" through objects */
    char *copy = sl_strdup(path);
    const json_t *cur = o;
    for (char *p = strtok(copy, "."); p && cur; p = strtok(NULL, "."))
        cur = json_object_get(cur, p);
    free(copy);
    return json_string_value(cur);
}

/* The single item for a request to a node of `version` with `params`. */
static json_t *item_for(double version, const char *params, struct sl_http_req *req)
{
    struct one o = register1(version, params, req->method, "hook");
    struct sl_http_resp resp = {0};
    json_t *pp = json_object();
    json_t *items = sl_webhook_items(o.wh, req, pp, "production", &resp);
    json_decref(pp);
    assert_non_null(items);
    assert_int_equal(json_array_size(items), 1);
    json_t *item = json_incref(json_array_get(items, 0));
    json_decref(items);
    sl_http_resp_release(&resp);
    sl_webhook_table_free(o.t);
    return item;
}

static char *bin_bytes(const json_t *bin, size_t *len)
{
    unsigned char *data = NULL;
    struct sl_error err = {{0}};
    assert_int_equal(sl_binary_store_get(NULL, bin, &data, len, &err), 0);
    return (char *)data;
}

/* ---- the table ---- */

static json_t *table_doc(void)
{
    return load("{\"nodes\": ["
                "{\"id\":\"a\",\"name\":\"Orders\",\"type\":\"n8n-nodes-base.webhook\","
                " \"typeVersion\":2,\"webhookId\":\"w-orders\","
                " \"parameters\":{\"path\":\"/orders/\",\"httpMethod\":\"POST\"}},"
                "{\"id\":\"b\",\"name\":\"User\",\"type\":\"n8n-nodes-base.webhook\","
                " \"typeVersion\":2,\"webhookId\":\"w-user\","
                " \"parameters\":{\"path\":\"users/:id/posts/:post\"}},"
                "{\"id\":\"c\",\"name\":\"My Hook\",\"type\":\"n8n-nodes-base.webhook\","
                " \"typeVersion\":1,\"parameters\":{\"path\":\"legacy\"}},"
                "{\"id\":\"d\",\"name\":\"Multi\",\"type\":\"n8n-nodes-base.webhook\","
                " \"typeVersion\":2.1,\"webhookId\":\"w-multi\","
                " \"parameters\":{\"path\":\"multi\",\"multipleMethods\":true,"
                "   \"httpMethod\":[\"GET\",\"PUT\",\"PATCH\"]}},"
                "{\"id\":\"e\",\"name\":\"Off\",\"type\":\"n8n-nodes-base.webhook\","
                " \"typeVersion\":2,\"disabled\":true,\"parameters\":{\"path\":\"off\"}},"
                "{\"id\":\"f\",\"name\":\"Empty\",\"type\":\"n8n-nodes-base.webhook\","
                " \"typeVersion\":2,\"webhookId\":\"w-empty\",\"parameters\":{}},"
                "{\"id\":\"g\",\"name\":\"Set\",\"type\":\"n8n-nodes-base.set\","
                " \"typeVersion\":3,\"parameters\":{}}]}");
}

/* A table holding table_doc() as workflow "wf1". */
static struct sl_webhook_table *doc_table(void)
{
    struct sl_webhook_table *t = sl_webhook_table_new();
    json_t *doc = table_doc();
    struct sl_error err = {{0}};
    assert_int_equal(sl_webhook_table_add(t, "wf1", doc, &err), 0);
    json_decref(doc);
    return t;
}

static void table_registers_paths(void **state)
{
    (void)state;
    struct sl_webhook_table *t = sl_webhook_table_new();
    json_t *doc = table_doc();
    struct sl_error err = {{0}};
    assert_int_equal(sl_webhook_table_add(t, "wf1", doc, &err), 0);
    /* orders, users, legacy, multi x3, empty path; disabled and Set skipped */
    assert_int_equal(sl_webhook_table_count(t), 7);

    json_t *params = NULL;
    struct sl_http_resp resp = {0};
    /* leading/trailing '/' of the parameter removed; isFullPath: no prefix */
    const struct sl_webhook *wh = sl_webhook_find(t, "POST", "orders", &params, &resp);
    assert_non_null(wh);
    assert_string_equal(wh->node, "Orders");
    assert_string_equal(wh->workflow_id, "wf1");
    assert_string_equal(wh->path, "orders");
    assert_int_equal(json_object_size(params), 0);
    json_decref(params);
    /* one trailing slash of the request is ignored (LiveWebhooks.findWebhook) */
    assert_non_null(sl_webhook_find(t, "POST", "orders/", &params, &resp));
    json_decref(params);

    /* no webhookId: "<workflowId>/<encodeURIComponent(lower-case name)>/<path>" */
    wh = sl_webhook_find(t, "GET", "wf1/my%20hook/legacy", &params, &resp);
    assert_non_null(wh);
    assert_string_equal(wh->node, "My Hook");
    json_decref(params);

    /* an empty path registers the webhookId */
    wh = sl_webhook_find(t, "GET", "w-empty", &params, &resp);
    assert_non_null(wh);
    assert_string_equal(wh->node, "Empty");
    json_decref(params);

    /* multiple methods: one webhook each, output = position in httpMethod */
    wh = sl_webhook_find(t, "PATCH", "multi", &params, &resp);
    assert_non_null(wh);
    assert_int_equal(wh->output, 2);
    json_decref(params);
    wh = sl_webhook_find(t, "GET", "multi", &params, &resp);
    assert_int_equal(wh->output, 0);
    json_decref(params);
    sl_http_resp_release(&resp);
    json_decref(doc);
    sl_webhook_table_free(t);
}

static void table_dynamic_paths(void **state)
{
    (void)state;
    struct sl_webhook_table *t = doc_table();
    json_t *params = NULL;
    struct sl_http_resp resp = {0};
    /* n8n's URL of a dynamic path is prefixed with the webhookId */
    const struct sl_webhook *wh =
        sl_webhook_find(t, "GET", "w-user/users/42/posts/7", &params, &resp);
    assert_non_null(wh);
    assert_string_equal(wh->node, "User");
    assert_string_equal(wh->path, "w-user/users/:id/posts/:post");
    assert_string_equal(json_string_value(json_object_get(params, "id")), "42");
    assert_string_equal(json_string_value(json_object_get(params, "post")), "7");
    json_decref(params);
    /* without the prefix it is not found */
    assert_null(sl_webhook_find(t, "GET", "users/42/posts/7", &params, &resp));
    assert_null(params);
    assert_int_equal(resp.status, 404);
    sl_http_resp_release(&resp);
    /* a different segment count does not match */
    assert_null(sl_webhook_find(t, "GET", "w-user/users/42", &params, &resp));
    sl_http_resp_release(&resp);
    /* a static segment missing from the request does not match */
    assert_null(sl_webhook_find(t, "GET", "w-user/people/42/posts/7", &params, &resp));
    sl_http_resp_release(&resp);
    sl_webhook_table_free(t);
}

static void table_conflicts(void **state)
{
    (void)state;
    struct sl_webhook_table *t = sl_webhook_table_new();
    json_t *doc = table_doc();
    struct sl_error err = {{0}};
    assert_int_equal(sl_webhook_table_add(t, "wf1", doc, &err), 0);
    json_t *other =
        load("{\"nodes\": ["
             "{\"name\":\"Fresh\",\"type\":\"n8n-nodes-base.webhook\","
             " \"typeVersion\":2,\"webhookId\":\"x1\",\"parameters\":{\"path\":\"fresh\"}},"
             "{\"name\":\"Taken\",\"type\":\"n8n-nodes-base.webhook\","
             " \"typeVersion\":2,\"webhookId\":\"x2\","
             " \"parameters\":{\"path\":\"orders\",\"httpMethod\":\"POST\"}}]}");
    assert_int_equal(sl_webhook_table_add(t, "wf2", other, &err), SL_ERR_INVALID);
    assert_string_equal(err.msg, "webhook 'POST orders' of node 'Taken' is already used by "
                                 "workflow 'wf1'");
    /* nothing of wf2 was registered */
    assert_int_equal(sl_webhook_table_count(t), 7);
    json_t *params = NULL;
    struct sl_http_resp resp = {0};
    assert_null(sl_webhook_find(t, "GET", "fresh", &params, &resp));
    sl_http_resp_release(&resp);
    /* the same workflow registering again replaces its rows */
    assert_int_equal(sl_webhook_table_add(t, "wf1", doc, &err), 0);
    assert_int_equal(sl_webhook_table_count(t), 7);
    /* ... also when a dynamic path's webhookId changed: the new prefix
     * finds it, the old one no longer does */
    json_t *node = json_array_get(json_object_get(doc, "nodes"), 1);
    json_object_set_new(node, "webhookId", json_string("w-user2"));
    assert_int_equal(sl_webhook_table_add(t, "wf1", doc, &err), 0);
    assert_int_equal(sl_webhook_table_count(t), 7);
    assert_non_null(sl_webhook_find(t, "GET", "w-user2/users/1/posts/2", &params, &resp));
    json_decref(params);
    assert_null(sl_webhook_find(t, "GET", "w-user/users/1/posts/2", &params, &resp));
    sl_http_resp_release(&resp);
    /* an expression as path is refused */
    json_t *expr = wf1(2, "{\"path\":\"={{ $json.x }}\"}", "wx");
    assert_int_equal(sl_webhook_table_add(t, "wf3", expr, &err), SL_ERR_INVALID);
    assert_non_null(strstr(err.msg, "expression"));
    json_decref(expr);
    json_decref(other);
    json_decref(doc);
    sl_webhook_table_free(t);
}

static void find_not_registered(void **state)
{
    (void)state;
    struct sl_webhook_table *t = doc_table();
    json_t *params = NULL;
    struct sl_http_resp resp = {0};

    /* webhookNotFoundErrorMessage without methods, production hint */
    assert_null(sl_webhook_find(t, "POST", "nope", &params, &resp));
    assert_int_equal(resp.status, 404);
    json_t *b = resp_json(&resp);
    assert_int_equal(json_integer_value(json_object_get(b, "code")), 404);
    assert_string_equal(jstr(b, "message"),
                        "The requested webhook \"POST nope\" is not registered.");
    assert_non_null(strstr(jstr(b, "hint"), "The workflow must be active for a production URL"));
    json_decref(b);
    sl_http_resp_release(&resp);

    /* registered for another method: n8n answers 404 naming the method */
    assert_null(sl_webhook_find(t, "GET", "orders", &params, &resp));
    assert_int_equal(resp.status, 404);
    b = resp_json(&resp);
    assert_string_equal(jstr(b, "message"), "This webhook is not registered for GET requests. "
                                            "Did you mean to make a POST request?");
    assert_null(json_object_get(b, "hint"));
    json_decref(b);
    sl_http_resp_release(&resp);

    /* several methods: "A, B or C" */
    assert_null(sl_webhook_find(t, "POST", "multi", &params, &resp));
    b = resp_json(&resp);
    assert_string_equal(jstr(b, "message"), "This webhook is not registered for POST requests. "
                                            "Did you mean to make a GET, PUT or PATCH request?");
    json_decref(b);
    sl_http_resp_release(&resp);

    /* a dynamic path for another method */
    assert_null(sl_webhook_find(t, "DELETE", "w-user/users/1/posts/2", &params, &resp));
    b = resp_json(&resp);
    assert_string_equal(jstr(b, "message"), "This webhook is not registered for DELETE requests. "
                                            "Did you mean to make a GET request?");
    json_decref(b);
    sl_http_resp_release(&resp);

    /* WebhookRequestHandler: unsupported method, 500 with code 0 */
    assert_null(sl_webhook_find(t, "TRACE", "orders", &params, &resp));
    assert_int_equal(resp.status, 500);
    b = resp_json(&resp);
    assert_int_equal(json_integer_value(json_object_get(b, "code")), 0);
    assert_string_equal(jstr(b, "message"), "The method TRACE is not supported.");
    json_decref(b);
    sl_http_resp_release(&resp);
    sl_webhook_table_free(t);
}

/* ---- authentication ---- */

static int auth(const char *params, const char *cred, const char *header, const char *value,
                struct sl_http_resp *resp)
{
    struct one o = register1(2, params, "GET", "hook");
    struct sl_http_req req = request("GET", NULL, NULL, 0);
    if (header)
        json_object_set_new(req.headers, header, json_string(value));
    json_t *c = cred ? load(cred) : NULL;
    int rc = sl_webhook_check_auth(o.wh, c, &req, resp);
    json_decref(c);
    req_free(&req);
    sl_webhook_table_free(o.t);
    return rc;
}

#define BASIC "{\"path\":\"hook\",\"authentication\":\"basicAuth\"}"
#define USERPASS "{\"user\":\"ann\",\"password\":\"s3cret\"}"

static void auth_basic(void **state)
{
    (void)state;
    struct sl_http_resp resp = {0};
    /* "ann:s3cret" */
    assert_int_equal(auth(BASIC, USERPASS, "authorization", "Basic YW5uOnMzY3JldA==", &resp), 0);
    assert_int_equal(resp.status, 0);
    /* the scheme is case-insensitive in the basic-auth module */
    assert_int_equal(auth(BASIC, USERPASS, "authorization", "basic YW5uOnMzY3JldA==", &resp), 0);

    /* wrong password "ann:nope": 403 "Authorization data is wrong!" */
    assert_int_equal(auth(BASIC, USERPASS, "authorization", "Basic YW5uOm5vcGU=", &resp),
                     SL_ERR_INVALID);
    assert_int_equal(resp.status, 403);
    assert_string_equal(resp.body, "Authorization data is wrong!");
    assert_string_equal(hdr(&resp, "WWW-Authenticate"), "Basic realm=\"Webhook\"");
    sl_http_resp_release(&resp);

    /* missing: 401 "Authorization is required!" */
    assert_int_equal(auth(BASIC, USERPASS, NULL, NULL, &resp), SL_ERR_INVALID);
    assert_int_equal(resp.status, 401);
    assert_string_equal(resp.body, "Authorization is required!");
    assert_string_equal(hdr(&resp, "WWW-Authenticate"), "Basic realm=\"Webhook\"");
    sl_http_resp_release(&resp);

    /* not Basic at all counts as missing */
    assert_int_equal(auth(BASIC, USERPASS, "authorization", "Bearer xyz", &resp), SL_ERR_INVALID);
    assert_int_equal(resp.status, 401);
    sl_http_resp_release(&resp);

    /* no credential: 500 "No authentication data defined on node!" */
    assert_int_equal(auth(BASIC, NULL, "authorization", "Basic YW5uOnMzY3JldA==", &resp),
                     SL_ERR_INVALID);
    assert_int_equal(resp.status, 500);
    assert_string_equal(resp.body, "No authentication data defined on node!");
    sl_http_resp_release(&resp);

    /* without Authorization, an x-auth-token that is not n8n's
     * generateBasicAuthToken (auth_basic_token checks the right one) */
    assert_int_equal(auth(BASIC, USERPASS, "x-auth-token",
                          "5d1ec8b1bb5ba4b3e8a8bbcd45c8a1b3c40b0c0f1e0f3b71b1e7de1a5d5e4d3f",
                          &resp),
                     SL_ERR_INVALID);
    assert_int_equal(resp.status, 403);
    sl_http_resp_release(&resp);
}

static void auth_basic_token(void **state)
{
    (void)state;
    /* generateBasicAuthToken: HMAC-SHA256 keyed "ann:s3cret" over
     * "<node id>-<webhookId>" = "node-1-wid"; a running n8n 1.123 accepted
     * this token for such a node */
    struct sl_http_resp resp = {0};
    assert_int_equal(auth(BASIC, USERPASS, "x-auth-token",
                          "80da84df4dc7575ec1aa398b5de9881c63a9a2fe0ebe89a8f5a82f2115fac1b1",
                          &resp),
                     0);
    assert_int_equal(resp.status, 0);
}

static void auth_header_and_bearer(void **state)
{
    (void)state;
    struct sl_http_resp resp = {0};
    const char *hp = "{\"path\":\"hook\",\"authentication\":\"headerAuth\"}";
    const char *hc = "{\"name\":\"X-Api-Key\",\"value\":\"k1\"}";
    /* the credential's name is lower-cased to find the header */
    assert_int_equal(auth(hp, hc, "x-api-key", "k1", &resp), 0);
    assert_int_equal(auth(hp, hc, "x-api-key", "k2", &resp), SL_ERR_INVALID);
    assert_int_equal(resp.status, 403);
    assert_string_equal(resp.body, "Authorization data is wrong!");
    sl_http_resp_release(&resp);
    /* header auth without the header is 403 too, not 401 */
    assert_int_equal(auth(hp, hc, NULL, NULL, &resp), SL_ERR_INVALID);
    assert_int_equal(resp.status, 403);
    sl_http_resp_release(&resp);
    assert_int_equal(auth(hp, "{\"name\":\"x\"}", "x", "1", &resp), SL_ERR_INVALID);
    assert_int_equal(resp.status, 500);
    sl_http_resp_release(&resp);

    const char *bp = "{\"path\":\"hook\",\"authentication\":\"bearerAuth\"}";
    assert_int_equal(auth(bp, "{\"token\":\"t0k\"}", "authorization", "Bearer t0k", &resp), 0);
    assert_int_equal(auth(bp, "{\"token\":\"t0k\"}", "authorization", "Bearer bad", &resp),
                     SL_ERR_INVALID);
    assert_int_equal(resp.status, 403);
    sl_http_resp_release(&resp);

    /* none passes; jwtAuth is refused */
    assert_int_equal(auth("{\"path\":\"hook\"}", NULL, NULL, NULL, &resp), 0);
    assert_int_equal(
        auth("{\"path\":\"hook\",\"authentication\":\"jwtAuth\"}", "{}", NULL, NULL, &resp),
        SL_ERR_INVALID);
    assert_int_equal(resp.status, 500);
    sl_http_resp_release(&resp);
}

static void auth_ip_and_bots(void **state)
{
    (void)state;
    struct sl_http_resp resp = {0};
    /* request() comes from 127.0.0.1 */
    assert_int_equal(
        auth("{\"path\":\"hook\",\"options\":{\"ipWhitelist\":\"10.0.0.1, 127.0.0.1\"}}", NULL,
             NULL, NULL, &resp),
        0);
    assert_int_equal(auth("{\"path\":\"hook\",\"options\":{\"ipWhitelist\":\"10.0.0.1\"}}", NULL,
                          NULL, NULL, &resp),
                     SL_ERR_INVALID);
    assert_int_equal(resp.status, 403);
    assert_string_equal(resp.body, "IP is not whitelisted to access the webhook!");
    sl_http_resp_release(&resp);
    /* ignoreBots: a crawler gets WebhookAuthorizationError(403) */
    /* isbot 3.6.13's answers (the version n8n 1.123 ships) */
    static const struct {
        const char *ua;
        bool bot;
    } agents[] = {
        {"curl/8.0", true},
        {"Wget/1.21", true},
        {"python-requests/2.31", true},
        {"PostmanRuntime/7.36", true},
        {"MyApp/1.0", true},
        {"MyApp", true},
        {"facebookexternalhit/1.1", true},
        {"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", true},
        {"Twitterbot/1.0", true},
        {"WhatsApp/2.23.20.0", true},
        {"TelegramBot (like TwitterBot)", true},
        {"axios/1.6.2", true},
        {"node-fetch/1.0", true},
        {"Go-http-client/1.1", true},
        {"okhttp/4.9.0", true},
        {"Java/17.0.1", true},
        {"Apache-HttpClient/4.5.13 (Java/11)", true},
        {"HeadlessChrome/120", true},
        {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
         "like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
         false},
        {"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0", false},
        {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
         "Gecko) Version/17.1 Safari/605.1.15",
         false},
        {"Dalvik/2.1.0 (Linux; U; Android 13)", false},
    };
    for (size_t i = 0; i < sizeof agents / sizeof *agents; i++) {
        int rc = auth("{\"path\":\"hook\",\"options\":{\"ignoreBots\":true}}", NULL, "user-agent",
                      agents[i].ua, &resp);
        if ((rc != 0) != agents[i].bot)
            fail_msg("isbot(%s) should be %d", agents[i].ua, agents[i].bot);
        sl_http_resp_release(&resp);
    }
    assert_int_equal(auth("{\"path\":\"hook\",\"options\":{\"ignoreBots\":true}}", NULL,
                          "user-agent", "Mozilla/5.0 (compatible; Googlebot/2.1)", &resp),
                     SL_ERR_INVALID);
    assert_int_equal(resp.status, 403);
    assert_string_equal(resp.body, "Authorization data is wrong!");
    sl_http_resp_release(&resp);
    assert_int_equal(auth("{\"path\":\"hook\",\"options\":{\"ignoreBots\":true}}", NULL,
                          "user-agent",
                          "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                          "Chrome/120.0 Safari/537.36",
                          &resp),
                     0);
}

/* ---- items ---- */

static void items_json(void **state)
{
    (void)state;
    const char *body = "{\"a\":1,\"b\":[true,null],\"big\":12345678901234567890}";
    struct sl_http_req req = request("POST", "application/json", body, strlen(body));
    json_object_set_new(req.query, "q", json_string("1"));
    json_t *item = item_for(2, "{\"path\":\"hook\",\"httpMethod\":\"POST\"}", &req);
    json_t *j = json_object_get(item, "json");
    /* n8n's key order: headers, params, query, body, webhookUrl, executionMode */
    const char *order[] = {"headers", "params", "query", "body", "webhookUrl", "executionMode"};
    size_t k = 0;
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) assert_string_equal(key, order[k++]);
    assert_int_equal(k, 6);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "body"), "a")), 1);
    /* JSON.parse reads big integers as numbers */
    assert_true(json_is_number(json_object_get(json_object_get(j, "body"), "big")));
    assert_string_equal(jstr(j, "query.q"), "1");
    assert_string_equal(jstr(j, "headers.content-type"), "application/json");
    assert_string_equal(jstr(j, "webhookUrl"), "http://localhost:5678/webhook/hook");
    assert_string_equal(jstr(j, "executionMode"), "production");
    assert_null(json_object_get(item, "binary"));
    json_decref(item);
    req_free(&req);
}

static void items_bad_json(void **state)
{
    (void)state;
    struct one o = register1(2, "{\"path\":\"hook\",\"httpMethod\":\"POST\"}", "POST", "hook");
    const char *body = "{\"a\":";
    struct sl_http_req req = request("POST", "application/json; charset=utf-8", body, strlen(body));
    struct sl_http_resp resp = {0};
    /* UnprocessableRequestError('Failed to parse request body', cause) */
    assert_null(sl_webhook_items(o.wh, &req, NULL, "production", &resp));
    assert_int_equal(resp.status, 422);
    json_t *b = resp_json(&resp);
    assert_int_equal(json_integer_value(json_object_get(b, "code")), 422);
    assert_string_equal(jstr(b, "message"), "Failed to parse request body");
    /* the hint is JSON.parse's message */
    assert_string_equal(jstr(b, "hint"), "Unexpected end of JSON input");
    json_decref(b);
    sl_http_resp_release(&resp);
    req_free(&req);
    /* an unknown charset fails the same way (Buffer.toString) */
    req = request("POST", "application/json; charset=klingon", "{}", 2);
    assert_null(sl_webhook_items(o.wh, &req, NULL, "production", &resp));
    b = resp_json(&resp);
    assert_string_equal(jstr(b, "hint"), "Unknown encoding: klingon");
    json_decref(b);
    sl_http_resp_release(&resp);
    req_free(&req);
    sl_webhook_table_free(o.t);
}

static void items_form_urlencoded(void **state)
{
    (void)state;
    /* querystring.parse: repeats -> arrays, brackets literal, '+' space,
     * bad escapes kept, key without '=' -> "" */
    const char *body = "a=1&a=2&b%5Bc%5D=x+y&d[]=3&e&f=%zz&&g=%E2%82%AC";
    struct sl_http_req req =
        request("POST", "application/x-www-form-urlencoded", body, strlen(body));
    json_t *item = item_for(2, "{\"path\":\"hook\",\"httpMethod\":\"POST\"}", &req);
    json_t *b = json_object_get(json_object_get(item, "json"), "body");
    json_t *want = load("{\"a\":[\"1\",\"2\"],\"b[c]\":\"x y\",\"d[]\":\"3\",\"e\":\"\","
                        "\"f\":\"%zz\",\"g\":\"\\u20ac\"}");
    assert_true(json_equal(b, want));
    json_decref(want);
    json_decref(item);
    req_free(&req);
}

static const char MULTI[] =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"title\"\r\n"
    "\r\n"
    "Hello\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"tag\"\r\n"
    "\r\n"
    "a\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"tag\"\r\n"
    "\r\n"
    "b\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"files[]\"; filename=\"a.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "AAA\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"files[]\"; filename=\"dir/b.png\"\r\n"
    "Content-Type: image/png\r\n"
    "\r\n"
    "\x89PNG\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"doc\"; filename=\"c.json\"\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "\r\n"
    "{}\r\n"
    "--XyZ--\r\n";

static void items_multipart(void **state)
{
    (void)state;
    struct sl_http_req req =
        request("POST", "multipart/form-data; boundary=XyZ", MULTI, sizeof MULTI - 1);
    json_t *item = item_for(2, "{\"path\":\"hook\",\"httpMethod\":\"POST\"}", &req);
    json_t *b = json_object_get(json_object_get(item, "json"), "body");
    json_t *want = load("{\"title\":\"Hello\",\"tag\":[\"a\",\"b\"]}");
    assert_true(json_equal(b, want));
    json_decref(want);
    json_t *bin = json_object_get(item, "binary");
    /* Webhook.handleFormData: "files[]" x2 -> files0, files1; doc -> doc */
    assert_int_equal(json_object_size(bin), 3);
    json_t *f0 = json_object_get(bin, "files0");
    assert_string_equal(jstr(f0, "mimeType"), "text/plain");
    assert_string_equal(jstr(f0, "fileName"), "a.txt");
    assert_string_equal(jstr(f0, "fileExtension"), "txt");
    assert_string_equal(jstr(f0, "fileSize"), "3 B");
    size_t len;
    char *data = bin_bytes(f0, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(data, "AAA", 3);
    free(data);
    json_t *f1 = json_object_get(bin, "files1");
    /* sanitizeFilename keeps the last path component */
    assert_string_equal(jstr(f1, "fileName"), "b.png");
    assert_string_equal(jstr(f1, "mimeType"), "image/png");
    assert_string_equal(jstr(f1, "fileType"), "image");
    data = bin_bytes(f1, &len);
    assert_int_equal(len, 4);
    free(data);
    json_t *doc = json_object_get(bin, "doc");
    assert_string_equal(jstr(doc, "fileName"), "c.json");
    /* as n8n 1.123 gives it: the type as written, extension and fileType
     * from it */
    assert_string_equal(jstr(doc, "mimeType"), "application/json; charset=utf-8");
    assert_string_equal(jstr(doc, "fileExtension"), "json");
    assert_string_equal(jstr(doc, "fileType"), "json");
    json_decref(item);

    /* options.binaryPropertyName: "<name><n>" counting every file */
    item = item_for(2,
                    "{\"path\":\"hook\",\"httpMethod\":\"POST\","
                    "\"options\":{\"binaryPropertyName\":\"up\"}}",
                    &req);
    bin = json_object_get(item, "binary");
    assert_non_null(json_object_get(bin, "up0"));
    assert_non_null(json_object_get(bin, "up1"));
    assert_non_null(json_object_get(bin, "up2"));
    json_decref(item);
    req_free(&req);
}

static void items_multipart_malformed(void **state)
{
    (void)state;
    /* truncated inside the second part: n8n's form parser resolves with
     * the parts complete before the fault */
    size_t cut = (size_t)(strstr(MULTI, "name=\"tag\"") - MULTI) + 10;
    struct sl_http_req req = request("POST", "multipart/form-data; boundary=XyZ", MULTI, cut);
    json_t *item = item_for(2, "{\"path\":\"hook\",\"httpMethod\":\"POST\"}", &req);
    json_t *want = load("{\"title\":\"Hello\"}");
    assert_true(json_equal(json_object_get(json_object_get(item, "json"), "body"), want));
    assert_null(json_object_get(item, "binary"));
    json_decref(want);
    json_decref(item);
    req_free(&req);

    /* no boundary: nothing parsed, body {} */
    req = request("POST", "multipart/form-data", MULTI, sizeof MULTI - 1);
    item = item_for(2, "{\"path\":\"hook\",\"httpMethod\":\"POST\"}", &req);
    assert_int_equal(json_object_size(json_object_get(json_object_get(item, "json"), "body")), 0);
    json_decref(item);
    req_free(&req);

    /* an empty file stops formidable (allowEmptyFiles: false) */
    const char *empty = "--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n"
                        "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"e\"\r\n"
                        "Content-Type: text/plain\r\n\r\n\r\n"
                        "--B\r\nContent-Disposition: form-data; name=\"y\"\r\n\r\n2\r\n--B--";
    req = request("POST", "multipart/form-data; boundary=B", empty, strlen(empty));
    item = item_for(2, "{\"path\":\"hook\",\"httpMethod\":\"POST\"}", &req);
    /* n8n 1.123 answers {"x":"1","y":["2"]}: what came before the error
     * normalized, the later field left an array, no files */
    want = load("{\"x\":\"1\",\"y\":[\"2\"]}");
    assert_true(json_equal(json_object_get(json_object_get(item, "json"), "body"), want));
    assert_null(json_object_get(item, "binary"));
    json_decref(want);
    json_decref(item);
    req_free(&req);
}

static void items_text_xml_and_binary(void **state)
{
    (void)state;
    struct sl_http_req req = request("POST", "text/plain", "hi there", 8);
    json_t *item = item_for(2, "{\"path\":\"hook\",\"httpMethod\":\"POST\"}", &req);
    assert_string_equal(jstr(json_object_get(item, "json"), "body"), "hi there");
    json_decref(item);
    req_free(&req);

    const char *xml = "<Order><Id>7</Id><Item>a</Item><Item>b</Item></Order>";
    req = request("POST", "application/xml", xml, strlen(xml));
    item = item_for(2, "{\"path\":\"hook\",\"httpMethod\":\"POST\"}", &req);
    json_t *want = load("{\"order\":{\"id\":\"7\",\"item\":[\"a\",\"b\"]}}");
    assert_true(json_equal(json_object_get(json_object_get(item, "json"), "body"), want));
    json_decref(want);
    json_decref(item);
    req_free(&req);

    /* v2: another content type is a file in binary.data, body {} */
    req = request("POST", "image/png", "\x89PNG\r\n", 6);
    json_object_set_new(req.headers, "content-disposition",
                        json_string("attachment; filename=\"pic.png\""));
    item = item_for(2, "{\"path\":\"hook\",\"httpMethod\":\"POST\"}", &req);
    assert_int_equal(json_object_size(json_object_get(json_object_get(item, "json"), "body")), 0);
    json_t *d = json_object_get(json_object_get(item, "binary"), "data");
    assert_string_equal(jstr(d, "mimeType"), "image/png");
    assert_string_equal(jstr(d, "fileName"), "pic.png");
    json_decref(item);
    /* ... named by options.binaryPropertyName */
    item = item_for(2,
                    "{\"path\":\"hook\",\"httpMethod\":\"POST\","
                    "\"options\":{\"binaryPropertyName\":\"img\"}}",
                    &req);
    assert_non_null(json_object_get(json_object_get(item, "binary"), "img"));
    json_decref(item);
    req_free(&req);

    /* v2 without a body: body {} and no binary */
    req = request("GET", NULL, NULL, 0);
    item = item_for(2, "{\"path\":\"hook\"}", &req);
    assert_int_equal(json_object_size(json_object_get(json_object_get(item, "json"), "body")), 0);
    assert_null(json_object_get(item, "binary"));
    json_decref(item);
    /* v1 without a body: body undefined, so absent */
    item = item_for(1, "{\"path\":\"hook\"}", &req);
    assert_null(json_object_get(json_object_get(item, "json"), "body"));
    json_decref(item);
    req_free(&req);

    /* v1 binaryData: the whole body as a file, no file name -> a UUID */
    req = request("POST", "application/octet-stream", "\x01\x02\x03", 3);
    item = item_for(
        1, "{\"path\":\"hook\",\"httpMethod\":\"POST\",\"options\":{\"binaryData\":true}}", &req);
    d = json_object_get(json_object_get(item, "binary"), "data");
    assert_string_equal(jstr(d, "mimeType"), "application/octet-stream");
    assert_int_equal(strlen(jstr(d, "fileName")), 36);
    json_decref(item);
    req_free(&req);
}

static void items_raw_body_and_test_mode(void **state)
{
    (void)state;
    const char *body = "{\"x\":1}";
    struct sl_http_req req = request("POST", "application/json", body, strlen(body));
    json_t *item = item_for(
        2, "{\"path\":\"hook\",\"httpMethod\":\"POST\",\"options\":{\"rawBody\":true}}", &req);
    /* rawBody: {data: base64, mimeType: contentType} and the parsed body */
    json_t *d = json_object_get(json_object_get(item, "binary"), "data");
    assert_string_equal(jstr(d, "data"), "eyJ4IjoxfQ==");
    assert_string_equal(jstr(d, "mimeType"), "application/json");
    assert_int_equal(json_object_size(d), 2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(item, "json"), "body"), "x")),
                     1);
    json_decref(item);
    req_free(&req);

    /* test mode: executionMode "test" and /webhook-test/ */
    struct one o = register1(2, "{\"path\":\"users/:id\"}", "GET", "wid/users/9");
    req = request("GET", NULL, NULL, 0);
    json_t *pp = load("{\"id\":\"9\"}");
    struct sl_http_resp resp = {0};
    json_t *items = sl_webhook_items(o.wh, &req, pp, "test", &resp);
    json_t *j = json_object_get(json_array_get(items, 0), "json");
    assert_string_equal(jstr(j, "executionMode"), "test");
    /* n8n's webhookUrl keeps the :parameters and the webhookId prefix */
    assert_string_equal(jstr(j, "webhookUrl"), "http://localhost:5678/webhook-test/wid/users/:id");
    assert_string_equal(jstr(j, "params.id"), "9");
    json_decref(items);
    json_decref(pp);
    req_free(&req);
    sl_webhook_table_free(o.t);
}

/* ---- responses ---- */

static void respond_on_received(void **state)
{
    (void)state;
    struct sl_http_resp resp = {0};
    struct one o = register1(2, "{\"path\":\"hook\"}", "GET", "hook");
    assert_string_equal(sl_webhook_response_mode(o.wh), "onReceived");
    sl_webhook_respond_received(o.wh, &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"message\":\"Workflow was started\"}");
    assert_string_equal(hdr(&resp, "content-type"), "application/json; charset=utf-8");
    assert_non_null(strstr(hdr(&resp, "content-security-policy"), "sandbox"));
    sl_http_resp_release(&resp);
    sl_webhook_table_free(o.t);

    /* options.responseData: a string sent as text/html, v2 response code,
     * response headers lower-cased */
    o = register1(
        2,
        "{\"path\":\"hook\",\"options\":{\"responseData\":\"ok\","
        "\"responseCode\":{\"values\":{\"responseCode\":\"customCode\",\"customCode\":202}},"
        "\"responseHeaders\":{\"entries\":[{\"name\":\"X-Trace\",\"value\":\"t1\"},"
        "{\"name\":\"Content-Security-Policy\",\"value\":\"none\"}]}}}",
        "GET", "hook");
    sl_webhook_respond_received(o.wh, &resp);
    assert_int_equal(resp.status, 202);
    assert_string_equal(resp.body, "ok");
    assert_string_equal(hdr(&resp, "content-type"), "text/html; charset=utf-8");
    assert_string_equal(hdr(&resp, "x-trace"), "t1");
    /* content-security-policy is protected */
    assert_non_null(strstr(hdr(&resp, "content-security-policy"), "sandbox"));
    sl_http_resp_release(&resp);
    sl_webhook_table_free(o.t);

    /* noResponseBody and a v1 responseCode */
    o = register1(1,
                  "{\"path\":\"hook\",\"responseCode\":201,\"options\":{\"noResponseBody\":true}}",
                  "GET", "hook");
    sl_webhook_respond_received(o.wh, &resp);
    assert_int_equal(resp.status, 201);
    assert_int_equal(resp.body_len, 0);
    /* n8n 1.123 sends the JSON type with no body */
    assert_string_equal(hdr(&resp, "content-type"), "application/json; charset=utf-8");
    sl_http_resp_release(&resp);
    sl_webhook_table_free(o.t);
}

static const char ITEMS[] =
    "[{\"json\":{\"a\":1,\"deep\":{\"x\":\"y\"}},"
    "\"binary\":{\"data\":{\"mimeType\":\"text/csv\",\"data\":\"YSxiCg==\"}}},"
    "{\"json\":{\"a\":2}}]";

static void respond_last_node_modes(void **state)
{
    (void)state;
    json_t *items = load(ITEMS);
    struct sl_http_resp resp = {0};

    /* firstEntryJson is the default */
    struct one o = register1(2, "{\"path\":\"hook\",\"responseMode\":\"lastNode\"}", "GET", "hook");
    assert_string_equal(sl_webhook_response_mode(o.wh), "lastNode");
    sl_webhook_respond_last_node(o.wh, items, NULL, &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"a\":1,\"deep\":{\"x\":\"y\"}}");
    sl_http_resp_release(&resp);
    sl_webhook_table_free(o.t);

    /* responsePropertyName (lodash get) and responseContentType */
    o = register1(2,
                  "{\"path\":\"hook\",\"responseMode\":\"lastNode\",\"options\":"
                  "{\"responsePropertyName\":\"deep.x\",\"responseContentType\":\"text/plain\"}}",
                  "GET", "hook");
    sl_webhook_respond_last_node(o.wh, items, NULL, &resp);
    assert_string_equal(resp.body, "y");
    assert_string_equal(hdr(&resp, "content-type"), "text/plain; charset=utf-8");
    sl_http_resp_release(&resp);
    sl_webhook_table_free(o.t);

    /* allEntries */
    o = register1(
        2, "{\"path\":\"hook\",\"responseMode\":\"lastNode\",\"responseData\":\"allEntries\"}",
        "GET", "hook");
    sl_webhook_respond_last_node(o.wh, items, NULL, &resp);
    assert_string_equal(resp.body, "[{\"a\":1,\"deep\":{\"x\":\"y\"}},{\"a\":2}]");
    sl_http_resp_release(&resp);
    json_t *none = json_array();
    sl_webhook_respond_last_node(o.wh, none, NULL, &resp);
    assert_string_equal(resp.body, "[]");
    sl_http_resp_release(&resp);
    sl_webhook_table_free(o.t);

    /* noData */
    o = register1(2,
                  "{\"path\":\"hook\",\"responseMode\":\"lastNode\",\"responseData\":\"noData\"}",
                  "GET", "hook");
    sl_webhook_respond_last_node(o.wh, items, NULL, &resp);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.body_len, 0);
    sl_http_resp_release(&resp);
    sl_webhook_table_free(o.t);

    /* firstEntryBinary: the bytes with their MIME type */
    o = register1(2,
                  "{\"path\":\"hook\",\"responseMode\":\"lastNode\","
                  "\"responseData\":\"firstEntryBinary\"}",
                  "GET", "hook");
    sl_webhook_respond_last_node(o.wh, items, NULL, &resp);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.body_len, 4);
    assert_memory_equal(resp.body, "a,b\n", 4);
    assert_string_equal(hdr(&resp, "content-type"), "text/csv");
    sl_http_resp_release(&resp);
    /* no binary on the first item */
    json_t *plain = load("[{\"json\":{}}]");
    sl_webhook_respond_last_node(o.wh, plain, NULL, &resp);
    assert_int_equal(resp.status, 500);
    json_t *b = resp_json(&resp);
    assert_string_equal(jstr(b, "message"), "No binary data was found to return");
    json_decref(b);
    sl_http_resp_release(&resp);
    sl_webhook_respond_last_node(o.wh, none, NULL, &resp);
    b = resp_json(&resp);
    assert_string_equal(jstr(b, "message"), "No item was found to return");
    json_decref(b);
    sl_http_resp_release(&resp);
    sl_webhook_table_free(o.t);

    o = register1(2,
                  "{\"path\":\"hook\",\"responseMode\":\"lastNode\","
                  "\"responseData\":\"firstEntryBinary\",\"responseBinaryPropertyName\":\"pdf\"}",
                  "GET", "hook");
    sl_webhook_respond_last_node(o.wh, items, NULL, &resp);
    b = resp_json(&resp);
    assert_string_equal(jstr(b, "message"),
                        "The binary property 'pdf' which should be returned does not exist");
    json_decref(b);
    sl_http_resp_release(&resp);
    sl_webhook_table_free(o.t);

    /* errors: the execution failed, no items at all, no first item */
    o = register1(2, "{\"path\":\"hook\",\"responseMode\":\"lastNode\"}", "GET", "hook");
    sl_webhook_respond_last_node(o.wh, items, "boom", &resp);
    assert_int_equal(resp.status, 500);
    assert_string_equal(resp.body, "{\"message\":\"Error in workflow\"}");
    sl_http_resp_release(&resp);
    sl_webhook_respond_last_node(o.wh, NULL, NULL, &resp);
    assert_int_equal(resp.status, 200);
    b = resp_json(&resp);
    assert_string_equal(jstr(b, "message"), "Workflow executed successfully but the last node "
                                            "did not return any data");
    json_decref(b);
    sl_http_resp_release(&resp);
    sl_webhook_respond_last_node(o.wh, none, NULL, &resp);
    assert_int_equal(resp.status, 500);
    b = resp_json(&resp);
    assert_int_equal(json_integer_value(json_object_get(b, "code")), 0);
    assert_string_equal(jstr(b, "message"), "No item to return was found");
    json_decref(b);
    sl_http_resp_release(&resp);
    sl_webhook_table_free(o.t);
    json_decref(plain);
    json_decref(none);
    json_decref(items);
}

static void respond_node_bodies(void **state)
{
    (void)state;
    struct sl_http_resp resp = {0};
    json_t *r = load("{\"body\":{\"ok\":true},\"headers\":{\"X-Id\":5},\"statusCode\":201}");
    sl_webhook_respond_node(r, &resp);
    assert_int_equal(resp.status, 201);
    assert_string_equal(resp.body, "{\"ok\":true}");
    assert_string_equal(hdr(&resp, "x-id"), "5");
    assert_string_equal(hdr(&resp, "content-type"), "application/json; charset=utf-8");
    sl_http_resp_release(&resp);
    json_decref(r);

    r = load("{\"body\":\"<b>hi</b>\",\"headers\":{},\"statusCode\":200}");
    sl_webhook_respond_node(r, &resp);
    assert_string_equal(resp.body, "<b>hi</b>");
    assert_string_equal(hdr(&resp, "content-type"), "text/html; charset=utf-8");
    sl_http_resp_release(&resp);
    json_decref(r);

    /* noData: no body */
    r = load("{\"headers\":{},\"statusCode\":204}");
    sl_webhook_respond_node(r, &resp);
    assert_int_equal(resp.status, 204);
    assert_int_equal(resp.body_len, 0);
    sl_http_resp_release(&resp);
    json_decref(r);

    /* a redirect keeps its status and location */
    r = load("{\"headers\":{\"location\":\"https://example.com\"},\"statusCode\":307}");
    sl_webhook_respond_node(r, &resp);
    assert_int_equal(resp.status, 307);
    assert_string_equal(hdr(&resp, "location"), "https://example.com");
    sl_http_resp_release(&resp);
    json_decref(r);

    /* binary: the bytes, status 200 whatever statusCode (n8n sets none) */
    r = load("{\"body\":{\"binaryData\":{\"mimeType\":\"image/gif\",\"data\":\"R0lGODlh\"}},"
             "\"headers\":{\"content-type\":\"image/gif\"},\"statusCode\":202}");
    sl_webhook_respond_node(r, &resp);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.body_len, 6);
    assert_memory_equal(resp.body, "GIF89a", 6);
    assert_string_equal(hdr(&resp, "content-type"), "image/gif");
    sl_http_resp_release(&resp);
    json_decref(r);

    /* the Webhook node's headers set first stay unless overridden */
    struct one o =
        register1(2,
                  "{\"path\":\"hook\",\"responseMode\":\"responseNode\",\"options\":"
                  "{\"responseHeaders\":{\"entries\":[{\"name\":\"X-A\",\"value\":\"1\"},"
                  "{\"name\":\"X-B\",\"value\":\"1\"}]}}}",
                  "GET", "hook");
    assert_string_equal(sl_webhook_response_mode(o.wh), "responseNode");
    sl_webhook_response_headers(o.wh, &resp);
    r = load("{\"body\":\"x\",\"headers\":{\"x-b\":\"2\"},\"statusCode\":200}");
    sl_webhook_respond_node(r, &resp);
    assert_string_equal(hdr(&resp, "x-a"), "1");
    assert_string_equal(hdr(&resp, "x-b"), "2");
    sl_http_resp_release(&resp);
    json_decref(r);
    sl_webhook_table_free(o.t);
}

/* ---- body parsers ---- */

static void body_content_type(void **state)
{
    (void)state;
    char *type, *cs;
    sl_body_content_type("Application/JSON; Charset=\"ISO-8859-1\"", &type, &cs);
    assert_string_equal(type, "application/json");
    assert_string_equal(cs, "iso-8859-1");
    free(type);
    free(cs);
    sl_body_content_type("text/plain", &type, &cs);
    assert_string_equal(cs, "utf-8");
    free(type);
    free(cs);
    sl_body_content_type(NULL, &type, &cs);
    assert_null(type);
    char *f = sl_body_disposition_filename("attachment; filename=\"a b.txt\"");
    assert_string_equal(f, "a b.txt");
    free(f);
    f = sl_body_disposition_filename("attachment; filename=x; filename*=UTF-8''%E2%82%AC.txt");
    assert_string_equal(f, "\xe2\x82\xac.txt");
    free(f);
    assert_null(sl_body_disposition_filename("inline"));

    struct sl_error err = {{0}};
    json_t *s = sl_body_decode_text("\xe9t\xe9", 3, "latin1", &err);
    assert_string_equal(json_string_value(s), "\xc3\xa9t\xc3\xa9");
    json_decref(s);
    s = sl_body_decode_text("\xff", 1, "utf-8", &err);
    assert_string_equal(json_string_value(s), "\xef\xbf\xbd");
    json_decref(s);
    assert_null(sl_body_decode_text("x", 1, "ebcdic", &err));
    assert_string_equal(err.msg, "Unknown encoding: ebcdic");
}

static void body_form_limits(void **state)
{
    (void)state;
    /* maxKeys 1000: the rest of the form is ignored */
    struct sl_buf b = {0};
    for (int i = 0; i < 1500; i++)
        sl_buf_addf(&b, "k%d=v&", i);
    json_t *o = sl_body_form_urlencoded(b.data, b.len);
    assert_int_equal(json_object_size(o), 1000);
    json_decref(o);
    sl_buf_release(&b);
}

static void body_multipart_limits(void **state)
{
    (void)state;
    struct sl_multipart mp;
    struct sl_error err = {{0}};
    struct sl_buf b = {0};
    for (int i = 0; i < SL_BODY_MULTIPART_MAX_PARTS + 1; i++)
        sl_buf_addf(&b, "--B\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n", i);
    sl_buf_adds(&b, "--B--");
    assert_int_equal(
        sl_multipart_parse("multipart/form-data; boundary=B", "utf-8", b.data, b.len, &mp, &err),
        SL_ERR_LIMIT);
    assert_string_equal(err.msg, "multipart body has more than 1000 parts");
    assert_int_equal(mp.n, SL_BODY_MULTIPART_MAX_PARTS);
    sl_multipart_free(&mp);
    sl_buf_release(&b);

    /* header bytes */
    sl_buf_adds(&b, "--B\r\nContent-Disposition: form-data; name=\"");
    for (int i = 0; i < SL_BODY_MULTIPART_MAX_HEADER_BYTES; i++)
        sl_buf_addc(&b, 'x');
    sl_buf_adds(&b, "\"\r\n\r\nv\r\n--B--");
    assert_int_equal(
        sl_multipart_parse("multipart/form-data; boundary=B", "utf-8", b.data, b.len, &mp, &err),
        SL_ERR_LIMIT);
    sl_multipart_free(&mp);
    sl_buf_release(&b);

    /* malformed: formidable's messages */
    assert_int_equal(sl_multipart_parse("multipart/form-data", "utf-8", "x", 1, &mp, &err),
                     SL_ERR_PARSE);
    assert_string_equal(err.msg, "bad content-type header, no multipart boundary");
    sl_multipart_free(&mp);
    const char *cut = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhalf";
    assert_int_equal(sl_multipart_parse("multipart/form-data; boundary=\"B\"", "utf-8", cut,
                                        strlen(cut), &mp, &err),
                     SL_ERR_PARSE);
    assert_string_equal(err.msg, "MultipartParser.end(): stream ended unexpectedly: state = "
                                 "PART_DATA");
    assert_int_equal(mp.n, 0);
    sl_multipart_free(&mp);
    /* base64 transfer encoding is decoded; a preamble is skipped */
    const char *b64 =
        "preamble\r\n--B\r\nContent-Disposition: form-data; name=\"f\"; "
        "filename=\"C:\\\\dir\\\\x.bin\"\r\nContent-Type: application/octet-stream\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--B--\r\nepilogue";
    assert_int_equal(
        sl_multipart_parse("multipart/form-data; boundary=B", "utf-8", b64, strlen(b64), &mp, &err),
        0);
    assert_int_equal(mp.n, 1);
    assert_int_equal(mp.parts[0].len, 3);
    assert_memory_equal(mp.parts[0].data, "\x00\x01\x02", 3);
    /* formidable keeps what follows the last backslash */
    assert_string_equal(mp.parts[0].filename, "x.bin");
    sl_multipart_free(&mp);
}

static void body_json_errors(void **state)
{
    (void)state;
    /* V8's JSON.parse messages, as Node 20 prints them for each text */
    static const char *const cases[][2] = {
        {"[1 2]", "Expected ',' or ']' after array element in JSON at position 3"},
        {"{\"a\":1 \"b\":2}", "Expected ',' or '}' after property value in JSON at position 7"},
        {"{\"a\" \"b\"}", "Expected ':' after property name in JSON at position 5"},
        {"{1:2}", "Expected property name or '}' in JSON at position 1"},
        {"[1,2", "Expected ',' or ']' after array element in JSON at position 4"},
        {"{\"a\":1", "Expected ',' or '}' after property value in JSON at position 6"},
        {"-", "No number after minus sign in JSON at position 1"},
        {"1e", "Exponent part is missing a number in JSON at position 2"},
        {"1.", "Unterminated fractional number in JSON at position 2"},
        {"01", "Unexpected number in JSON at position 1"},
        {"\"\\x\"", "Bad escaped character in JSON at position 2"},
        {"\"\\u12g4\"", "Bad Unicode escape in JSON at position 5"},
        {"tru", "Unexpected end of JSON input"},
        {"[tru]", "Unexpected token ']', \"[tru]\" is not valid JSON"},
        {"x", "Unexpected token 'x', \"x\" is not valid JSON"},
        {"abcdefghijklmnopqrstuvwxyz0123",
         "Unexpected token 'a', \"abcdefghij\"... is not valid JSON"},
        {"[1,2,3,4,5,6,7,8,9,10,11,12,x,13,14,15,16,17,18,19,20]",
         "Unexpected token 'x', ...\",10,11,12,x,13,14,15\"... is not valid JSON"},
        {"{\"a\":1}}", "Unexpected non-whitespace character after JSON at position 7"},
        {" {\"a\":\xc3"
         "\xa9"
         "}",
         "Unexpected token '\xc3"
         "\xa9"
         "', \" {\"a\":\xc3"
         "\xa9"
         "}\" is not valid JSON"},
        {"{\"a\":", "Unexpected end of JSON input"},
        {"not json", "Unexpected token 'o', \"not json\" is not valid JSON"},
        {"{\"a\":1,}", "Expected double-quoted property name in JSON at position 7"},
        {"\"abc", "Unterminated string in JSON at position 4"},
        {"", "Unexpected end of JSON input"},
        {"  ", "Unexpected end of JSON input"},
        {"[1,]", "Unexpected token ']', \"[1,]\" is not valid JSON"},
        {"\"a\x01"
         "b\"",
         "Bad control character in string literal in JSON at position 2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *m = sl_body_json_error(cases[i][0], strlen(cases[i][0]));
        assert_non_null(m);
        assert_string_equal(m, cases[i][1]);
        free(m);
    }
    const char *ok = "{\"ok\":[1,-2.5e3,true,null,\"x\\n\\u00e9\"],\"o\":{}} ";
    assert_null(sl_body_json_error(ok, strlen(ok)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_registers_paths),
        cmocka_unit_test(table_dynamic_paths),
        cmocka_unit_test(table_conflicts),
        cmocka_unit_test(find_not_registered),
        cmocka_unit_test(auth_basic),
        cmocka_unit_test(auth_basic_token),
        cmocka_unit_test(auth_header_and_bearer),
        cmocka_unit_test(auth_ip_and_bots),
        cmocka_unit_test(items_json),
        cmocka_unit_test(items_bad_json),
        cmocka_unit_test(items_form_urlencoded),
        cmocka_unit_test(items_multipart),
        cmocka_unit_test(items_multipart_malformed),
        cmocka_unit_test(items_text_xml_and_binary),
        cmocka_unit_test(items_raw_body_and_test_mode),
        cmocka_unit_test(respond_on_received),
        cmocka_unit_test(respond_last_node_modes),
        cmocka_unit_test(respond_node_bodies),
        cmocka_unit_test(body_content_type),
        cmocka_unit_test(body_form_limits),
        cmocka_unit_test(body_multipart_limits),
        cmocka_unit_test(body_json_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
