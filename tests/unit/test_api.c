/*
 * Unit tests for the REST API (src/server/api*.c) over a real store in a
 * temporary directory, with requests built by hand (no socket).
 *
 * Expected answers come from n8n's public API: its OpenAPI spec
 * (packages/cli/src/public-api/v1/handlers/{workflows,executions}/spec and
 * shared/spec: limit defaults to 100 with a maximum of 250, workflows
 * require name/nodes/connections/settings, execution ids are numbers), its
 * handlers (404 {"message":"Not Found"}, delete answers the deleted object,
 * "Cannot delete a running execution", the retry errors), its pagination
 * service (cursors are base64 of {"limit","offset"} for workflows and
 * {"lastId","limit"} for executions), the validator it runs in front
 * (express-openapi-validator: "not found", "<METHOD> method not allowed",
 * "'X-N8N-API-KEY' header required", "unauthorized") and its JSON body
 * error ("Invalid JSON in request body"). The credential routes' answers
 * come from n8n 1.123's handlers and its validator's messages, run on the
 * reference install.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/binary.h"
#include "server/api.h"
#include "store/store.h"
#include "util/alloc.h"

struct fx {
    char dir[64];
    struct sl_store *st;
    char *key;
    int changed;          /* store_changed calls */
    int activate_checks;  /* check_activate calls */
    bool refuse_activate; /* check_activate answers no trigger */
    struct sl_api_hooks hooks;
};

static const char *const NO_TRIGGER = "Workflow has no node to start the workflow - at least one "
                                      "trigger, poller or webhook node is required";

static void on_changed(void *ud)
{
    ((struct fx *)ud)->changed++;
}

static int on_check_activate(void *ud, const char *id, const json_t *doc, struct sl_error *err)
{
    struct fx *f = ud;
    f->activate_checks++;
    assert_non_null(id);
    assert_true(json_is_array(json_object_get(doc, "nodes")));
    if (f->refuse_activate) {
        sl_error_set(err, "%s", NO_TRIGGER);
        return SL_ERR_INVALID;
    }
    return 0;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/sluice-test-api-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    struct sl_error err;
    f->st = sl_store_open(f->dir, &err);
    if (!f->st)
        fail_msg("store: %s", err.msg);
    assert_int_equal(sl_store_apikey_create(f->st, "tests", &f->key), 0);
    f->hooks = (struct sl_api_hooks){
        .ud = f, .store_changed = on_changed, .check_activate = on_check_activate};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    sl_store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f->key);
    free(f);
    return 0;
}

/* One request: `query` and `headers` are stolen (NULL: none). Returns the
 * parsed JSON answer and its status; *resp_out (when given) keeps the
 * response for header checks. */
static json_t *request(struct fx *f, const char *method, const char *path, json_t *query,
                       json_t *headers, const char *body, int *status,
                       struct sl_http_resp *resp_out)
{
    struct sl_http_req req = {
        .method = method,
        .path = path,
        .query = query ? query : json_object(),
        .headers = headers ? headers : json_object(),
        .body = body,
        .body_len = body ? strlen(body) : 0,
        .remote_addr = "127.0.0.1",
        .base_url = "http://127.0.0.1:5678",
    };
    struct sl_http_resp resp = {0};
    sl_api_handle(f->st, &f->hooks, &req, &resp);
    json_decref(req.query);
    json_decref(req.headers);
    assert_true(resp.status >= 200);
    *status = resp.status;
    json_error_t jerr;
    json_t *j = json_loadb(resp.body, resp.body_len, JSON_DECODE_ANY, &jerr);
    if (!j)
        fail_msg("answer is not JSON (%s): %.*s", jerr.text, (int)resp.body_len, resp.body);
    const char *ctype = json_string_value(json_object_get(resp.headers, "content-type"));
    assert_non_null(ctype);
    assert_non_null(strstr(ctype, "application/json"));
    if (resp_out)
        *resp_out = resp;
    else
        sl_http_resp_release(&resp);
    return j;
}

/* A request with the valid key in X-API-KEY. */
static json_t *api(struct fx *f, const char *method, const char *path, json_t *query,
                   const char *body, int *status)
{
    return request(f, method, path, query, json_pack("{s:s}", "x-api-key", f->key), body, status,
                   NULL);
}

static void assert_message(json_t *j, const char *msg);

/* A request with the valid key that must answer `status` and, when given,
 * {"message": `message`}. */
static void expect(struct fx *f, const char *method, const char *path, json_t *query,
                   const char *body, int status, const char *message)
{
    int got;
    json_t *j = api(f, method, path, query, body, &got);
    if (got != status)
        fail_msg("%s %s: %d, expected %d", method, path, got, status);
    if (message)
        assert_message(j, message);
    json_decref(j);
}

static void assert_message(json_t *j, const char *msg)
{
    const char *m = json_string_value(json_object_get(j, "message"));
    if (!m || strcmp(m, msg) != 0)
        fail_msg("message '%s', expected '%s'", m ? m : "(none)", msg);
}

static void assert_message_has(json_t *j, const char *part)
{
    const char *m = json_string_value(json_object_get(j, "message"));
    if (!m || !strstr(m, part))
        fail_msg("message '%s' lacks '%s'", m ? m : "(none)", part);
}

static const char *str(json_t *j, const char *key)
{
    return json_string_value(json_object_get(j, key));
}

/* A small valid workflow body named `name`. */
static char *wf_body(const char *name)
{
    json_t *wf = json_pack("{s:s,s:[{s:s,s:s,s:i,s:[i,i],s:{}}],s:{},s:{s:s}}", "name", name,
                           "nodes", "name", "Start", "type", "n8n-nodes-base.manualTrigger",
                           "typeVersion", 1, "position", 0, 0, "parameters", "connections",
                           "settings", "executionOrder", "v1");
    char *s = json_dumps(wf, JSON_COMPACT);
    json_decref(wf);
    return s;
}

/* Creates a workflow through the API; returns its id (heap). */
static char *create_wf(struct fx *f, const char *name)
{
    char *body = wf_body(name);
    int status;
    json_t *j = api(f, "POST", "/api/v1/workflows", NULL, body, &status);
    free(body);
    assert_int_equal(status, 200);
    char *id = strdup(str(j, "id"));
    json_decref(j);
    return id;
}

/* ---------------------------------------------------------------- auth */

static const struct {
    const char *method, *path;
} ALL_ROUTES[] = {
    {"GET", "/api/v1/workflows"},
    {"POST", "/api/v1/workflows"},
    {"GET", "/api/v1/workflows/abc"},
    {"PUT", "/api/v1/workflows/abc"},
    {"DELETE", "/api/v1/workflows/abc"},
    {"POST", "/api/v1/workflows/abc/activate"},
    {"POST", "/api/v1/workflows/abc/deactivate"},
    {"GET", "/api/v1/executions"},
    {"GET", "/api/v1/executions/1"},
    {"DELETE", "/api/v1/executions/1"},
    {"POST", "/api/v1/executions/1/retry"},
    {"POST", "/api/v1/credentials"},
    {"DELETE", "/api/v1/credentials/abc"},
    {"GET", "/api/v1/credentials/schema/redis"},
};

static void test_every_route_needs_a_key(void **state)
{
    struct fx *f = *state;
    for (size_t i = 0; i < sizeof ALL_ROUTES / sizeof ALL_ROUTES[0]; i++) {
        int status;
        json_t *j =
            request(f, ALL_ROUTES[i].method, ALL_ROUTES[i].path, NULL, NULL, "{}", &status, NULL);
        if (status != 401)
            fail_msg("%s %s without a key: %d", ALL_ROUTES[i].method, ALL_ROUTES[i].path, status);
        assert_message(j, "'X-N8N-API-KEY' header required");
        json_decref(j);

        j = request(f, ALL_ROUTES[i].method, ALL_ROUTES[i].path, NULL,
                    json_pack("{s:s}", "x-api-key", "sl_wrong"), "{}", &status, NULL);
        assert_int_equal(status, 401);
        assert_message(j, "unauthorized");
        json_decref(j);
    }
    assert_int_equal(f->changed, 0);
}

static void test_both_key_headers(void **state)
{
    struct fx *f = *state;
    int status;
    json_t *j = request(f, "GET", "/api/v1/workflows", NULL,
                        json_pack("{s:s}", "x-api-key", f->key), NULL, &status, NULL);
    assert_int_equal(status, 200);
    json_decref(j);
    j = request(f, "GET", "/api/v1/workflows", NULL, json_pack("{s:s}", "x-n8n-api-key", f->key),
                NULL, &status, NULL);
    assert_int_equal(status, 200);
    json_decref(j);
    /* a wrong X-N8N-API-KEY and an empty X-API-KEY */
    j = request(f, "GET", "/api/v1/workflows", NULL,
                json_pack("{s:s,s:s}", "x-n8n-api-key", "nope", "x-api-key", ""), NULL, &status,
                NULL);
    assert_int_equal(status, 401);
    assert_message(j, "unauthorized");
    json_decref(j);
    /* one wrong and one right: the right one lets it in */
    j = request(f, "GET", "/api/v1/workflows", NULL,
                json_pack("{s:s,s:s}", "x-api-key", "nope", "x-n8n-api-key", f->key), NULL, &status,
                NULL);
    assert_int_equal(status, 200);
    json_decref(j);
}

/* ------------------------------------------------------------- routing */

static void test_unknown_routes_and_methods(void **state)
{
    struct fx *f = *state;
    int status;
    const char *unknown[] = {"/api/v1",
                             "/api/v1/",
                             "/api/v1/nope",
                             "/api/v1/workflows/a/b",
                             "/api/v1/workflows/a/activate/x",
                             "/api/v1/executions/1/stop",
                             "/api/v1//workflows",
                             "/api/v2/workflows"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        json_t *j = api(f, "GET", unknown[i], NULL, NULL, &status);
        if (status != 404)
            fail_msg("%s: %d", unknown[i], status);
        assert_message(j, "not found");
        json_decref(j);
    }
    /* a trailing slash is the same route, as in Express */
    expect(f, "GET", "/api/v1/workflows/", NULL, NULL, 200, NULL);

    struct sl_http_resp resp;
    json_t *j = request(f, "PATCH", "/api/v1/workflows/abc", NULL, NULL, NULL, &status, &resp);
    assert_int_equal(status, 405);
    assert_message(j, "PATCH method not allowed");
    assert_string_equal(json_string_value(json_object_get(resp.headers, "allow")),
                        "GET, PUT, DELETE");
    sl_http_resp_release(&resp);
    json_decref(j);
    expect(f, "GET", "/api/v1/executions/1/retry", NULL, NULL, 405, "GET method not allowed");
    expect(f, "DELETE", "/api/v1/workflows", NULL, NULL, 405, NULL);
}

/* ------------------------------------------------------------ workflows */

static void test_workflow_create_and_get(void **state)
{
    struct fx *f = *state;
    int status;
    /* read-only members (id, active, createdAt, tags) are dropped */
    const char *body =
        "{\"id\":\"MyOwnId12345678\",\"active\":true,\"createdAt\":\"2020-01-01T00:00:00.000Z\","
        "\"tags\":[],\"name\":\"Orders\",\"nodes\":[{\"name\":\"Start\",\"type\":"
        "\"n8n-nodes-base.manualTrigger\",\"typeVersion\":1,\"position\":[0,0],\"parameters\":{}}],"
        "\"connections\":{},\"settings\":{\"saveManualExecutions\":true},"
        "\"staticData\":\"{\\\"lastId\\\":7}\"}";
    json_t *wf = api(f, "POST", "/api/v1/workflows", NULL, body, &status);
    assert_int_equal(status, 200);
    const char *id = str(wf, "id");
    assert_non_null(id);
    assert_string_not_equal(id, "MyOwnId12345678");
    assert_string_equal(str(wf, "name"), "Orders");
    assert_true(json_is_false(json_object_get(wf, "active")));
    assert_int_equal(json_array_size(json_object_get(wf, "nodes")), 1);
    assert_true(json_is_object(json_object_get(wf, "connections")));
    assert_true(
        json_is_true(json_object_get(json_object_get(wf, "settings"), "saveManualExecutions")));
    /* staticData sent as a JSON string is kept as the object it holds */
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(wf, "staticData"), "lastId")), 7);
    /* ISO 8601 dates with milliseconds, as n8n writes them */
    const char *created = str(wf, "createdAt");
    assert_non_null(created);
    assert_int_equal(strlen(created), 24);
    assert_int_equal(created[23], 'Z');
    assert_string_not_equal(created, "2020-01-01T00:00:00.000Z");
    assert_int_equal(f->changed, 1);

    char path[128];
    snprintf(path, sizeof path, "/api/v1/workflows/%s", id);
    json_t *got = api(f, "GET", path, NULL, NULL, &status);
    assert_int_equal(status, 200);
    assert_string_equal(str(got, "id"), id);
    assert_string_equal(str(got, "name"), "Orders");
    assert_true(json_is_false(json_object_get(got, "active")));
    json_decref(got);

    /* excludePinnedData drops pinData */
    got = api(f, "GET", path, json_pack("{s:s}", "excludePinnedData", "true"), NULL, &status);
    assert_int_equal(status, 200);
    assert_null(json_object_get(got, "pinData"));
    json_decref(got);
    expect(f, "GET", path, json_pack("{s:s}", "excludePinnedData", "yes"), NULL, 400,
           "request/query/excludePinnedData must be boolean");

    expect(f, "GET", "/api/v1/workflows/doesNotExist0000", NULL, NULL, 404, "Not Found");
    json_decref(wf);
}

static void test_workflow_body_errors(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *body;
        int status;
        const char *message; /* the start of it */
    } cases[] = {
        {"{\"name\":\"x\",\"nodes\":[", 400, "Invalid JSON in request body"},
        {"[1]", 400, "request/body must be object"},
        {"", 400, "request/body must have required property 'name'"},
        {"{\"name\":\"x\",\"nodes\":[],\"connections\":{}}", 400,
         "request/body must have required property 'settings'"},
        {"{\"name\":\"x\",\"connections\":{},\"settings\":{}}", 400,
         "request/body must have required property 'nodes'"},
        {"{\"name\":\"x\",\"nodes\":[],\"connections\":{},\"settings\":{},\"colour\":1}", 400,
         "request/body must NOT have additional properties"},
        {"{\"name\":5,\"nodes\":[],\"connections\":{},\"settings\":{}}", 400,
         "request/body/name must be string"},
        {"{\"name\":\"x\",\"nodes\":{},\"connections\":{},\"settings\":{}}", 400,
         "request/body/nodes must be array"},
        {"{\"name\":\"x\",\"nodes\":[],\"connections\":[],\"settings\":{}}", 400,
         "request/body/connections must be object"},
        {"{\"name\":\"x\",\"nodes\":[],\"connections\":{},\"settings\":null}", 400,
         "request/body/settings must be object"},
        {"{\"name\":\"x\",\"nodes\":[7],\"connections\":{},\"settings\":{}}", 400,
         "request/body/nodes/0 must be object"},
        {"{\"name\":\"x\",\"nodes\":[{\"name\":\"A\"}],\"connections\":{},\"settings\":{}}", 400,
         "request/body/nodes/0 must have required property 'type'"},
        {"{\"name\":\"x\",\"nodes\":[],\"connections\":{},\"settings\":{},\"staticData\":5}", 400,
         "request/body/staticData must be object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int status;
        json_t *j = api(f, "POST", "/api/v1/workflows", NULL, cases[i].body, &status);
        if (status != cases[i].status)
            fail_msg("body %s: %d", cases[i].body, status);
        assert_message_has(j, cases[i].message);
        json_decref(j);
    }
    /* the JSON error says where */
    int status;
    json_t *j = api(f, "POST", "/api/v1/workflows", NULL, "{\n\"name\": x}", &status);
    assert_int_equal(status, 400);
    assert_message_has(j, "line 2");
    json_decref(j);
    /* a body that is not JSON by its content type */
    char *body = wf_body("typed");
    j = request(f, "POST", "/api/v1/workflows", NULL,
                json_pack("{s:s,s:s}", "x-api-key", f->key, "content-type", "text/plain"), body,
                &status, NULL);
    assert_int_equal(status, 415);
    assert_message(j, "unsupported media type text/plain");
    json_decref(j);
    /* a message quoting bytes that are not UTF-8 stays valid JSON */
    json_t *headers = json_pack("{s:s}", "x-api-key", f->key);
    json_object_set_new(headers, "content-type", json_stringn_nocheck("text/\xff", 6));
    j = request(f, "POST", "/api/v1/workflows", NULL, headers, body, &status, NULL);
    assert_int_equal(status, 415);
    assert_message(j, "unsupported media type text/?");
    json_decref(j);
    j = request(f, "POST", "/api/v1/workflows", NULL,
                json_pack("{s:s,s:s}", "x-api-key", f->key, "content-type",
                          "application/json; charset=utf-8"),
                body, &status, NULL);
    assert_int_equal(status, 200);
    json_decref(j);
    free(body);
    /* nothing refused was stored */
    j = api(f, "GET", "/api/v1/workflows", NULL, NULL, &status);
    assert_int_equal(json_array_size(json_object_get(j, "data")), 1);
    json_decref(j);
    assert_int_equal(f->changed, 1);
}

static void test_workflow_update(void **state)
{
    struct fx *f = *state;
    int status;
    const char *first = "{\"name\":\"v1\",\"nodes\":[{\"name\":\"Start\",\"type\":"
                        "\"n8n-nodes-base.manualTrigger\",\"parameters\":{}}],\"connections\":{},"
                        "\"settings\":{},\"staticData\":{\"lastId\":3}}";
    json_t *wf = api(f, "POST", "/api/v1/workflows", NULL, first, &status);
    assert_int_equal(status, 200);
    char *id = strdup(str(wf, "id"));
    json_int_t version = json_integer_value(json_object_get(wf, "versionCounter"));
    json_decref(wf);
    char path[128], act[160];
    snprintf(path, sizeof path, "/api/v1/workflows/%s", id);
    snprintf(act, sizeof act, "/api/v1/workflows/%s/activate", id);
    json_decref(api(f, "POST", act, NULL, NULL, &status));
    assert_int_equal(status, 200);
    int checks = f->activate_checks;

    /* PUT replaces name, nodes, connections and settings; staticData, left
     * out, stays (n8n's update keeps what it is not given), so does active;
     * the id in the body is read-only and ignored */
    const char *second =
        "{\"id\":\"other\",\"name\":\"v2\",\"nodes\":[{\"name\":\"Hook\",\"type\":"
        "\"n8n-nodes-base.webhook\",\"parameters\":{\"path\":\"x\"}},{\"name\":"
        "\"Set\",\"type\":\"n8n-nodes-base.set\",\"parameters\":{}}],"
        "\"connections\":{\"Hook\":{\"main\":[[{\"node\":\"Set\",\"type\":\"main\","
        "\"index\":0}]]}},\"settings\":{\"timezone\":\"Europe/Paris\"}}";
    wf = api(f, "PUT", path, NULL, second, &status);
    assert_int_equal(status, 200);
    assert_string_equal(str(wf, "id"), id);
    assert_string_equal(str(wf, "name"), "v2");
    assert_int_equal(json_array_size(json_object_get(wf, "nodes")), 2);
    assert_non_null(json_object_get(json_object_get(wf, "connections"), "Hook"));
    assert_string_equal(str(json_object_get(wf, "settings"), "timezone"), "Europe/Paris");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(wf, "staticData"), "lastId")), 3);
    assert_true(json_is_true(json_object_get(wf, "active")));
    assert_true(json_integer_value(json_object_get(wf, "versionCounter")) > version);
    /* an active workflow is checked again with its new nodes */
    assert_int_equal(f->activate_checks, checks + 1);
    json_decref(wf);

    /* an active workflow whose new version cannot be activated is refused */
    f->refuse_activate = true;
    char *body = wf_body("v3");
    expect(f, "PUT", path, NULL, body, 400, NO_TRIGGER);
    wf = api(f, "GET", path, NULL, NULL, &status);
    assert_string_equal(str(wf, "name"), "v2");
    json_decref(wf);
    f->refuse_activate = false;

    /* unknown id: 404, and nothing is created */
    expect(f, "PUT", "/api/v1/workflows/nope", NULL, body, 404, "Not Found");
    expect(f, "GET", "/api/v1/workflows/nope", NULL, NULL, 404, NULL);
    /* a bad body: 400 before anything else */
    expect(f, "PUT", path, NULL, "{\"name\":\"x\"}", 400, NULL);
    free(body);
    free(id);
}

static void test_workflow_delete(void **state)
{
    struct fx *f = *state;
    char *id = create_wf(f, "Doomed");
    int changed = f->changed;
    char path[128];
    snprintf(path, sizeof path, "/api/v1/workflows/%s", id);
    int status;
    json_t *j = api(f, "DELETE", path, NULL, NULL, &status);
    assert_int_equal(status, 200);
    /* n8n answers the deleted workflow */
    assert_string_equal(str(j, "id"), id);
    assert_string_equal(str(j, "name"), "Doomed");
    assert_true(json_is_array(json_object_get(j, "nodes")));
    json_decref(j);
    assert_int_equal(f->changed, changed + 1);
    expect(f, "GET", path, NULL, NULL, 404, NULL);
    expect(f, "DELETE", path, NULL, NULL, 404, "Not Found");
    assert_int_equal(f->changed, changed + 1);
    free(id);
}

static void test_workflow_activate_deactivate(void **state)
{
    struct fx *f = *state;
    char *id = create_wf(f, "Switch");
    char act[128], deact[128], path[128];
    snprintf(act, sizeof act, "/api/v1/workflows/%s/activate", id);
    snprintf(deact, sizeof deact, "/api/v1/workflows/%s/deactivate", id);
    snprintf(path, sizeof path, "/api/v1/workflows/%s", id);
    int status, changed = f->changed;

    /* refused by the check: n8n's 400 with the reason, nothing changes */
    f->refuse_activate = true;
    expect(f, "POST", act, NULL, NULL, 400, NO_TRIGGER);
    assert_int_equal(f->activate_checks, 1);
    assert_int_equal(f->changed, changed);
    json_t *j = api(f, "GET", path, NULL, NULL, &status);
    assert_true(json_is_false(json_object_get(j, "active")));
    json_decref(j);

    f->refuse_activate = false;
    j = api(f, "POST", act, NULL, NULL, &status);
    assert_int_equal(status, 200);
    assert_string_equal(str(j, "id"), id);
    assert_true(json_is_true(json_object_get(j, "active")));
    json_decref(j);
    assert_int_equal(f->changed, changed + 1);
    j = api(f, "GET", path, NULL, NULL, &status);
    assert_true(json_is_true(json_object_get(j, "active")));
    json_decref(j);

    j = api(f, "POST", deact, NULL, NULL, &status);
    assert_int_equal(status, 200);
    assert_true(json_is_false(json_object_get(j, "active")));
    json_decref(j);
    assert_int_equal(f->changed, changed + 2);
    /* deactivating asks no check */
    assert_int_equal(f->activate_checks, 2);

    expect(f, "POST", "/api/v1/workflows/missing/activate", NULL, NULL, 404, "Not Found");
    expect(f, "POST", "/api/v1/workflows/missing/deactivate", NULL, NULL, 404, NULL);
    assert_int_equal(f->changed, changed + 2);

    /* without hooks everything can be activated */
    struct sl_api_hooks saved = f->hooks;
    f->hooks = (struct sl_api_hooks){0};
    j = api(f, "POST", act, NULL, NULL, &status);
    assert_int_equal(status, 200);
    assert_true(json_is_true(json_object_get(j, "active")));
    json_decref(j);
    f->hooks = saved;
    free(id);
}

/* Decodes a cursor (base64 of JSON) to JSON. */
static json_t *cursor_json(json_t *cursor)
{
    assert_true(json_is_string(cursor));
    const char *s = json_string_value(cursor);
    size_t len;
    unsigned char *raw = sl_base64_decode(s, strlen(s), &len);
    json_t *j = json_loadb((const char *)raw, len, 0, NULL);
    free(raw);
    assert_non_null(j);
    return j;
}

static void test_workflow_list_pages_and_filters(void **state)
{
    struct fx *f = *state;
    char *ids[5];
    char name[16];
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "wf%d", i);
        ids[i] = create_wf(f, name);
    }
    /* activate wf1 and wf3 */
    int status;
    char act[128];
    for (int i = 1; i < 5; i += 2) {
        snprintf(act, sizeof act, "/api/v1/workflows/%s/activate", ids[i]);
        json_decref(api(f, "POST", act, NULL, NULL, &status));
        assert_int_equal(status, 200);
    }

    /* pages of 2: 2, 2, 1; n8n's offset cursor */
    json_t *seen = json_object();
    json_t *cursor = NULL;
    int pages = 0;
    do {
        json_t *q = json_pack("{s:s}", "limit", "2");
        if (cursor)
            json_object_set(q, "cursor", cursor);
        json_t *page = api(f, "GET", "/api/v1/workflows", q, NULL, &status);
        assert_int_equal(status, 200);
        json_t *data = json_object_get(page, "data");
        json_t *next = json_object_get(page, "nextCursor");
        pages++;
        assert_int_equal(json_array_size(data), pages < 3 ? 2 : 1);
        size_t i;
        json_t *wf;
        json_array_foreach(data, i, wf)
        {
            assert_null(json_object_get(seen, str(wf, "id")));
            json_object_set_new(seen, str(wf, "id"), json_true());
        }
        json_decref(cursor);
        cursor = NULL;
        if (pages < 3) {
            json_t *cj = cursor_json(next);
            assert_int_equal(json_integer_value(json_object_get(cj, "limit")), 2);
            assert_int_equal(json_integer_value(json_object_get(cj, "offset")), pages * 2);
            json_decref(cj);
            cursor = json_incref(next);
        } else {
            assert_true(json_is_null(next));
        }
        json_decref(page);
    } while (cursor);
    assert_int_equal(pages, 3);
    assert_int_equal(json_object_size(seen), 5);
    json_decref(seen);

    /* the default page holds them all, with no next cursor */
    json_t *page = api(f, "GET", "/api/v1/workflows", NULL, NULL, &status);
    json_t *all = json_incref(json_object_get(page, "data"));
    assert_int_equal(json_array_size(all), 5);
    assert_true(json_is_null(json_object_get(page, "nextCursor")));
    json_decref(page);

    /* n8n's other cursor form, {"lastId","limit"}, is read too: the page
     * after that id, and a next cursor of the same form */
    char *text = sl_asprintf("{\"lastId\":\"%s\",\"limit\":2}", str(json_array_get(all, 1), "id"));
    char *b64 = sl_base64_encode(text, strlen(text));
    page = api(f, "GET", "/api/v1/workflows", json_pack("{s:s}", "cursor", b64), NULL, &status);
    assert_int_equal(status, 200);
    json_t *data = json_object_get(page, "data");
    assert_int_equal(json_array_size(data), 2);
    assert_string_equal(str(json_array_get(data, 0), "id"), str(json_array_get(all, 2), "id"));
    assert_string_equal(str(json_array_get(data, 1), "id"), str(json_array_get(all, 3), "id"));
    json_t *cj = cursor_json(json_object_get(page, "nextCursor"));
    assert_string_equal(str(cj, "lastId"), str(json_array_get(all, 3), "id"));
    json_decref(cj);
    json_decref(page);
    free(text);
    free(b64);
    json_decref(all);

    /* active=true / active=false, paged too */
    page = api(f, "GET", "/api/v1/workflows", json_pack("{s:s}", "active", "true"), NULL, &status);
    data = json_object_get(page, "data");
    assert_int_equal(json_array_size(data), 2);
    size_t i;
    json_t *wf;
    json_array_foreach(data, i, wf) assert_true(json_is_true(json_object_get(wf, "active")));
    json_decref(page);
    page = api(f, "GET", "/api/v1/workflows",
               json_pack("{s:s,s:s}", "active", "false", "limit", "2"), NULL, &status);
    data = json_object_get(page, "data");
    assert_int_equal(json_array_size(data), 2);
    json_array_foreach(data, i, wf) assert_true(json_is_false(json_object_get(wf, "active")));
    json_t *next = json_incref(json_object_get(page, "nextCursor"));
    json_decref(page);
    page = api(f, "GET", "/api/v1/workflows",
               json_pack("{s:s,s:o}", "active", "false", "cursor", next), NULL, &status);
    data = json_object_get(page, "data");
    assert_int_equal(json_array_size(data), 1);
    assert_true(json_is_false(json_object_get(json_array_get(data, 0), "active")));
    assert_true(json_is_null(json_object_get(page, "nextCursor")));
    json_decref(page);

    /* n8n's name filter: a part of the name, trimmed, any case */
    page = api(f, "GET", "/api/v1/workflows", json_pack("{s:s}", "name", " WF3 "), NULL, &status);
    data = json_object_get(page, "data");
    assert_int_equal(json_array_size(data), 1);
    assert_string_equal(str(json_array_get(data, 0), "name"), "wf3");
    json_decref(page);
    page = api(f, "GET", "/api/v1/workflows",
               json_pack("{s:s,s:s}", "query", "wf", "active", "true"), NULL, &status);
    assert_int_equal(json_array_size(json_object_get(page, "data")), 2);
    json_decref(page);
    page = api(f, "GET", "/api/v1/workflows", json_pack("{s:s}", "name", "nothing"), NULL, &status);
    assert_int_equal(json_array_size(json_object_get(page, "data")), 0);
    assert_true(json_is_null(json_object_get(page, "nextCursor")));
    json_decref(page);

    /* bad parameters */
    static const struct {
        const char *name, *value, *message;
    } bad[] = {
        {"limit", "251", "request/query/limit must be <= 250"},
        {"limit", "abc", "request/query/limit must be number"},
        {"limit", "0", "request/query/limit must be >= 1"},
        {"active", "yes", "request/query/active must be boolean"},
        {"cursor", "bm90IGpzb24=", "An invalid cursor was provided"},     /* "not json" */
        {"cursor", "eyJsaW1pdCI6Mn0=", "An invalid cursor was provided"}, /* {"limit":2} */
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        expect(f, "GET", "/api/v1/workflows", json_pack("{s:s}", bad[k].name, bad[k].value), NULL,
               400, bad[k].message);
    }
    /* 250 is allowed */
    expect(f, "GET", "/api/v1/workflows", json_pack("{s:s}", "limit", "250"), NULL, 200, NULL);
    for (int k = 0; k < 5; k++)
        free(ids[k]);
}

static void test_workflow_default_limit_is_100(void **state)
{
    struct fx *f = *state;
    char *body = wf_body("many");
    for (int i = 0; i < 101; i++) {
        int status;
        json_decref(api(f, "POST", "/api/v1/workflows", NULL, body, &status));
        assert_int_equal(status, 200);
    }
    free(body);
    int status;
    json_t *page = api(f, "GET", "/api/v1/workflows", NULL, NULL, &status);
    assert_int_equal(json_array_size(json_object_get(page, "data")), 100);
    json_t *cj = cursor_json(json_object_get(page, "nextCursor"));
    assert_int_equal(json_integer_value(json_object_get(cj, "limit")), 100);
    assert_int_equal(json_integer_value(json_object_get(cj, "offset")), 100);
    json_decref(cj);
    json_t *q = json_pack("{s:O}", "cursor", json_object_get(page, "nextCursor"));
    json_decref(page);
    page = api(f, "GET", "/api/v1/workflows", q, NULL, &status);
    assert_int_equal(json_array_size(json_object_get(page, "data")), 1);
    assert_true(json_is_null(json_object_get(page, "nextCursor")));
    json_decref(page);
}

/* ----------------------------------------------------------- executions */

/* Inserts an execution of `wf` in `status`; `input` (may be NULL) is what
 * a retry re-runs. Returns its id. */
static int64_t add_exec(struct fx *f, const char *wf, const char *status, bool with_input)
{
    struct sl_store_exec e = {
        .workflow_id = (char *)wf,
        .mode = "webhook",
        .status = (char *)status,
        .created_ms = 1764430000000,
    };
    json_t *input =
        with_input ? json_pack("{s:s,s:[{s:{s:i}}]}", "startNode", "Start", "items", "json", "n", 1)
                   : NULL;
    assert_int_equal(sl_store_exec_insert(f->st, &e, input), 0);
    json_decref(input);
    if (strcmp(status, SL_ST_NEW) != 0) {
        e.started_ms = 1764430000100;
        if (strcmp(status, SL_ST_RUNNING) != 0 && strcmp(status, SL_ST_WAITING) != 0)
            e.stopped_ms = 1764430000250;
        if (strcmp(status, SL_ST_ERROR) == 0) {
            e.error = "boom";
            e.error_node = "Start";
        }
        assert_int_equal(sl_store_exec_update(f->st, &e), 0);
    }
    return e.id;
}

static json_t *get_exec(struct fx *f, int64_t id, json_t *query, int *status)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/executions/%lld", (long long)id);
    return api(f, "GET", path, query, NULL, status);
}

static void test_execution_list_filters_and_pages(void **state)
{
    struct fx *f = *state;
    int64_t ids[6];
    ids[0] = add_exec(f, "wfA", SL_ST_SUCCESS, false);
    ids[1] = add_exec(f, "wfA", SL_ST_ERROR, true);
    ids[2] = add_exec(f, "wfB", SL_ST_SUCCESS, false);
    ids[3] = add_exec(f, "wfA", SL_ST_SUCCESS, false);
    ids[4] = add_exec(f, "wfB", SL_ST_ERROR, true);
    ids[5] = add_exec(f, "wfA", SL_ST_RUNNING, false);

    int status;
    json_t *page = api(f, "GET", "/api/v1/executions", NULL, NULL, &status);
    assert_int_equal(status, 200);
    json_t *data = json_object_get(page, "data");
    assert_int_equal(json_array_size(data), 6);
    assert_true(json_is_null(json_object_get(page, "nextCursor")));
    /* newest first; ids are strings, as n8n answers them */
    char want[32];
    for (int i = 0; i < 6; i++) {
        json_t *row = json_array_get(data, (size_t)i);
        snprintf(want, sizeof want, "%lld", (long long)ids[5 - i]);
        assert_string_equal(str(row, "id"), want);
        assert_null(json_object_get(row, "data"));
    }
    json_t *first = json_array_get(data, 5); /* ids[0]: a finished success */
    assert_string_equal(str(first, "workflowId"), "wfA");
    assert_string_equal(str(first, "status"), "success");
    assert_string_equal(str(first, "mode"), "webhook");
    assert_true(json_is_true(json_object_get(first, "finished")));
    assert_string_equal(str(first, "startedAt"), "2025-11-29T15:26:40.100Z");
    assert_string_equal(str(first, "stoppedAt"), "2025-11-29T15:26:40.250Z");
    json_decref(page);

    /* filters */
    page =
        api(f, "GET", "/api/v1/executions", json_pack("{s:s}", "status", "error"), NULL, &status);
    data = json_object_get(page, "data");
    assert_int_equal(json_array_size(data), 2);
    size_t i;
    json_t *row;
    json_array_foreach(data, i, row) assert_string_equal(str(row, "status"), "error");
    json_decref(page);
    page = api(f, "GET", "/api/v1/executions",
               json_pack("{s:s,s:s}", "workflowId", "wfA", "status", "success"), NULL, &status);
    data = json_object_get(page, "data");
    assert_int_equal(json_array_size(data), 2);
    json_array_foreach(data, i, row)
    {
        assert_string_equal(str(row, "workflowId"), "wfA");
        assert_string_equal(str(row, "status"), "success");
    }
    json_decref(page);
    page = api(f, "GET", "/api/v1/executions", json_pack("{s:s}", "workflowId", "nope"), NULL,
               &status);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(page, "data")), 0);
    assert_true(json_is_null(json_object_get(page, "nextCursor")));
    json_decref(page);

    /* pages of 4 among wfA's and wfB's six: 4 then 2, lastId cursor */
    page = api(f, "GET", "/api/v1/executions", json_pack("{s:s}", "limit", "4"), NULL, &status);
    data = json_object_get(page, "data");
    assert_int_equal(json_array_size(data), 4);
    json_t *cj = cursor_json(json_object_get(page, "nextCursor"));
    snprintf(want, sizeof want, "%lld", (long long)ids[2]);
    assert_string_equal(str(cj, "lastId"), want);
    assert_int_equal(json_integer_value(json_object_get(cj, "limit")), 4);
    json_decref(cj);
    json_t *q = json_pack("{s:O}", "cursor", json_object_get(page, "nextCursor"));
    json_decref(page);
    page = api(f, "GET", "/api/v1/executions", q, NULL, &status);
    data = json_object_get(page, "data");
    assert_int_equal(json_array_size(data), 2);
    snprintf(want, sizeof want, "%lld", (long long)ids[1]);
    assert_string_equal(str(json_array_get(data, 0), "id"), want);
    assert_true(json_is_null(json_object_get(page, "nextCursor")));
    json_decref(page);
    /* a filtered, paged list */
    page = api(f, "GET", "/api/v1/executions",
               json_pack("{s:s,s:s}", "workflowId", "wfA", "limit", "2"), NULL, &status);
    assert_int_equal(json_array_size(json_object_get(page, "data")), 2);
    q = json_pack("{s:s,s:O}", "workflowId", "wfA", "cursor", json_object_get(page, "nextCursor"));
    json_decref(page);
    page = api(f, "GET", "/api/v1/executions", q, NULL, &status);
    data = json_object_get(page, "data");
    assert_int_equal(json_array_size(data), 2);
    snprintf(want, sizeof want, "%lld", (long long)ids[0]);
    assert_string_equal(str(json_array_get(data, 1), "id"), want);
    assert_true(json_is_null(json_object_get(page, "nextCursor")));
    json_decref(page);

    /* bad parameters */
    static const struct {
        const char *name, *value, *message;
    } bad[] = {
        {"status", "done",
         "request/query/status must be equal to one of the allowed values: canceled, crashed, "
         "error, new, running, success, unknown, waiting"},
        {"includeData", "1", "request/query/includeData must be boolean"},
        {"limit", "1000", "request/query/limit must be <= 250"},
        {"cursor", "%%%", "An invalid cursor was provided"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        expect(f, "GET", "/api/v1/executions", json_pack("{s:s}", bad[k].name, bad[k].value), NULL,
               400, bad[k].message);
    }
}

static void test_execution_include_data(void **state)
{
    struct fx *f = *state;
    int64_t id = add_exec(f, "wfA", SL_ST_SUCCESS, false);
    json_t *run = json_pack("{s:{s:{s:[{s:i,s:i}]},s:s}}", "resultData", "runData", "Start",
                            "startTime", 1, "executionTime", 2, "lastNodeExecuted", "Start");
    assert_int_equal(sl_store_exec_data_put(f->st, id, run), 0);
    json_decref(run);

    int status;
    json_t *row = get_exec(f, id, NULL, &status);
    assert_int_equal(status, 200);
    assert_null(json_object_get(row, "data"));
    json_decref(row);
    row = get_exec(f, id, json_pack("{s:s}", "includeData", "false"), &status);
    assert_null(json_object_get(row, "data"));
    json_decref(row);
    row = get_exec(f, id, json_pack("{s:s}", "includeData", "true"), &status);
    assert_int_equal(status, 200);
    json_t *rd = json_object_get(json_object_get(row, "data"), "resultData");
    assert_string_equal(str(rd, "lastNodeExecuted"), "Start");
    assert_non_null(json_object_get(json_object_get(rd, "runData"), "Start"));
    json_decref(row);

    json_t *page = api(f, "GET", "/api/v1/executions", json_pack("{s:s}", "includeData", "true"),
                       NULL, &status);
    assert_int_equal(status, 200);
    row = json_array_get(json_object_get(page, "data"), 0);
    rd = json_object_get(json_object_get(row, "data"), "resultData");
    assert_string_equal(str(rd, "lastNodeExecuted"), "Start");
    json_decref(page);
}

static void test_execution_get_errors(void **state)
{
    struct fx *f = *state;
    int status;
    json_t *j = get_exec(f, 999, NULL, &status);
    assert_int_equal(status, 404);
    assert_message(j, "Not Found");
    json_decref(j);
    const char *paths[] = {"/api/v1/executions/abc", "/api/v1/executions/1x"};
    for (size_t i = 0; i < 2; i++) {
        expect(f, "GET", paths[i], NULL, NULL, 400, "request/params/id must be number");
    }
    expect(f, "DELETE", "/api/v1/executions/abc", NULL, NULL, 400, NULL);
    expect(f, "POST", "/api/v1/executions/abc/retry", NULL, NULL, 400, NULL);
}

static void test_execution_delete(void **state)
{
    struct fx *f = *state;
    int64_t done = add_exec(f, "wfA", SL_ST_ERROR, true);
    int64_t running = add_exec(f, "wfA", SL_ST_RUNNING, false);
    char path[64];
    int status;

    snprintf(path, sizeof path, "/api/v1/executions/%lld", (long long)running);
    expect(f, "DELETE", path, NULL, NULL, 400, "Cannot delete a running execution");
    json_t *j = get_exec(f, running, NULL, &status);
    assert_int_equal(status, 200);
    json_decref(j);

    snprintf(path, sizeof path, "/api/v1/executions/%lld", (long long)done);
    int changed = f->changed;
    j = api(f, "DELETE", path, NULL, NULL, &status);
    assert_int_equal(status, 200);
    /* n8n answers the deleted execution */
    char want[32];
    snprintf(want, sizeof want, "%lld", (long long)done);
    assert_string_equal(str(j, "id"), want);
    assert_string_equal(str(j, "status"), "error");
    json_decref(j);
    assert_int_equal(f->changed, changed + 1);
    j = get_exec(f, done, NULL, &status);
    assert_int_equal(status, 404);
    json_decref(j);
    expect(f, "DELETE", path, NULL, NULL, 404, "Not Found");
}

static void test_execution_retry(void **state)
{
    struct fx *f = *state;
    int64_t failed = add_exec(f, "wfA", SL_ST_ERROR, true);
    int64_t crashed = add_exec(f, "wfA", SL_ST_CRASHED, true);
    int64_t ok = add_exec(f, "wfA", SL_ST_SUCCESS, false);
    int64_t queued = add_exec(f, "wfA", SL_ST_NEW, true);
    int64_t no_input = add_exec(f, "wfA", SL_ST_ERROR, false);
    char path[64], want[32];
    int status;

    int changed = f->changed;
    snprintf(path, sizeof path, "/api/v1/executions/%lld/retry", (long long)failed);
    json_t *j = api(f, "POST", path, NULL, NULL, &status);
    assert_int_equal(status, 200);
    /* the new execution: queued, mode retry, retryOf the failed one */
    snprintf(want, sizeof want, "%lld", (long long)failed);
    assert_string_not_equal(str(j, "id"), want);
    assert_string_equal(str(j, "status"), "new");
    assert_string_equal(str(j, "mode"), "retry");
    assert_string_equal(str(j, "workflowId"), "wfA");
    json_t *retry_of = json_object_get(j, "retryOf");
    if (json_is_string(retry_of))
        assert_string_equal(json_string_value(retry_of), want);
    else
        assert_int_equal(json_integer_value(retry_of), failed);
    int64_t new_id = strtoll(str(j, "id"), NULL, 10);
    json_decref(j);
    assert_int_equal(f->changed, changed + 1);
    j = get_exec(f, new_id, NULL, &status);
    assert_int_equal(status, 200);
    assert_string_equal(str(j, "status"), "new");
    json_decref(j);

    snprintf(path, sizeof path, "/api/v1/executions/%lld/retry", (long long)crashed);
    expect(f, "POST", path, NULL, NULL, 200, NULL);
    assert_int_equal(f->changed, changed + 2);

    /* what n8n refuses */
    snprintf(path, sizeof path, "/api/v1/executions/%lld/retry", (long long)ok);
    expect(f, "POST", path, NULL, NULL, 400, "The execution succeeded, so it cannot be retried.");
    snprintf(path, sizeof path, "/api/v1/executions/%lld/retry", (long long)queued);
    expect(f, "POST", path, NULL, NULL, 409,
           "Execution is queued to run (not yet started) so it cannot be retried");
    snprintf(path, sizeof path, "/api/v1/executions/%lld/retry", (long long)no_input);
    j = api(f, "POST", path, NULL, NULL, &status);
    assert_int_equal(status, 409);
    assert_non_null(json_object_get(j, "message"));
    json_decref(j);
    expect(f, "POST", "/api/v1/executions/4242/retry", NULL, NULL, 404,
           "The execution with the ID \"4242\" does not exist.");
    assert_int_equal(f->changed, changed + 2);
}

/* ---------------------------------------------------------- credentials */

/* What n8n 1.123's GET /credentials/schema/{type} answers for the types
 * sluice knows (its toJsonSchema over each credential type's properties,
 * recorded from the reference install). */
static const struct {
    const char *type, *schema;
} N8N_SCHEMAS[] = {
    {"httpBasicAuth", "{\"additionalProperties\":false,\"type\":\"object\",\"properties\":{"
                      "\"user\":{\"type\":\"string\"}"
                      ",\"password\":{\"type\":\"string\"}},\"required\":[]}"},
    {"httpHeaderAuth",
     "{\"additionalProperties\":false,\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
     "\"string\"}"
     ",\"value\":{\"type\":\"string\"},\"useCustomAuth\":{\"type\":\"notice\"}},\"required\":[]}"},
    {"httpQueryAuth", "{\"additionalProperties\":false,\"type\":\"object\",\"properties\":{"
                      "\"name\":{\"type\":\"string\"}"
                      ",\"value\":{\"type\":\"string\"}},\"required\":[]}"},
    {"httpBearerAuth", "{\"additionalProperties\":false,\"type\":\"object\",\"properties\":{"
                       "\"token\":{\"type\":\"string\""
                       "},\"useCustomAuth\":{\"type\":\"notice\"}},\"required\":[]}"},
    {"httpCustomAuth", "{\"additionalProperties\":false,\"type\":\"object\",\"properties\":{"
                       "\"json\":{\"type\":\"json\"}},"
                       "\"required\":[\"json\"]}"},
    {"oAuth2Api",
     "{\"additionalProperties\":false,\"type\":\"object\",\"properties\":{\"grantType\":{\"type\":"
     "\"str"
     "ing\",\"enum\":[\"authorizationCode\",\"clientCredentials\",\"pkce\"]},\"serverUrl\":{"
     "\"type\":\"s"
     "tring\"},\"authUrl\":{\"type\":\"string\"},\"accessTokenUrl\":{\"type\":\"string\"},"
     "\"clientId\":{\""
     "type\":\"string\"},\"clientSecret\":{\"type\":\"string\"},\"scope\":{\"type\":\"string\"},"
     "\"authQuer"
     "yParameters\":{\"type\":\"string\"},\"authentication\":{\"type\":\"string\",\"enum\":["
     "\"body\",\"hea"
     "der\"]},\"sendAdditionalBodyProperties\":{\"type\":\"boolean\"},\"additionalBodyProperties\":"
     "{\"type\":\"json\"},\"ignoreSSLIssues\":{\"type\":\"boolean\"}},\"allOf\":[{\"if\":{"
     "\"properties\":{"
     "\"useDynamicClientRegistration\":{\"enum\":[false]}}},\"then\":{\"allOf\":[{\"required\":["
     "\"gra"
     "ntType\"]},{\"required\":[\"serverUrl\"]},{\"required\":[\"accessTokenUrl\"]},{\"required\":["
     "\"c"
     "lientId\"]},{\"required\":[\"clientSecret\"]},{\"required\":[\"scope\"]},{\"required\":["
     "\"authen"
     "tication\"]}]},\"else\":{\"allOf\":[{\"not\":{\"required\":[\"grantType\"]}},{\"not\":{"
     "\"required\""
     ":[\"serverUrl\"]}},{\"not\":{\"required\":[\"accessTokenUrl\"]}},{\"not\":{\"required\":["
     "\"client"
     "Id\"]}},{\"not\":{\"required\":[\"clientSecret\"]}},{\"not\":{\"required\":[\"scope\"]}},{"
     "\"not\":{"
     "\"required\":[\"authentication\"]}}]}},{\"if\":{\"properties\":{\"grantType\":{\"enum\":["
     "\"author"
     "izationCode\"]}}},\"then\":{\"allOf\":[{\"required\":[\"authUrl\"]},{\"required\":["
     "\"authQueryPa"
     "rameters\"]},{\"required\":[\"sendAdditionalBodyProperties\"]},{\"required\":[\"additionalBo"
     "dyProperties\"]}]},\"else\":{\"allOf\":[{\"not\":{\"required\":[\"authUrl\"]}},{\"not\":{"
     "\"require"
     "d\":[\"authQueryParameters\"]}},{\"not\":{\"required\":[\"sendAdditionalBodyProperties\"]}},{"
     "\"not\":{\"required\":[\"additionalBodyProperties\"]}}]}}],\"required\":[]}"},
    {"postgres",
     "{\"additionalProperties\":false,\"type\":\"object\",\"properties\":{\"host\":{\"type\":"
     "\"string\"}"
     ",\"database\":{\"type\":\"string\"},\"user\":{\"type\":\"string\"},\"password\":{\"type\":"
     "\"string\"},"
     "\"maxConnections\":{\"type\":\"number\"},\"allowUnauthorizedCerts\":{\"type\":\"boolean\"},"
     "\"ssl\""
     ":{\"type\":\"string\",\"enum\":[\"allow\",\"disable\",\"require\"]},\"port\":{\"type\":"
     "\"number\"},\"ss"
     "hTunnel\":{\"type\":\"boolean\"},\"sshAuthenticateWith\":{\"type\":\"string\",\"enum\":["
     "\"password"
     "\",\"privateKey\"]},\"sshHost\":{\"type\":\"string\"},\"sshPort\":{\"type\":\"number\"},"
     "\"sshUser\":{"
     "\"type\":\"string\"},\"sshPassword\":{\"type\":\"string\"},\"privateKey\":{\"type\":"
     "\"string\"},\"pas"
     "sphrase\":{\"type\":\"string\"}},\"allOf\":[{\"if\":{\"properties\":{"
     "\"allowUnauthorizedCerts\":{"
     "\"enum\":[false]}}},\"then\":{\"allOf\":[{\"required\":[\"ssl\"]}]},\"else\":{\"allOf\":[{"
     "\"not\":{\""
     "required\":[\"ssl\"]}}]}},{\"if\":{\"properties\":{\"sshTunnel\":{\"enum\":[true]}}},"
     "\"then\":{\"a"
     "llOf\":[{\"required\":[\"sshAuthenticateWith\"]},{\"required\":[\"sshHost\"]},{\"required\":["
     "\"s"
     "shPort\"]},{\"required\":[\"sshUser\"]},{\"required\":[\"sshPassword\"]},{\"required\":["
     "\"privat"
     "eKey\"]},{\"required\":[\"passphrase\"]}]},\"else\":{\"allOf\":[{\"not\":{\"required\":["
     "\"sshAuthe"
     "nticateWith\"]}},{\"not\":{\"required\":[\"sshHost\"]}},{\"not\":{\"required\":[\"sshPort\"]}"
     "},{\""
     "not\":{\"required\":[\"sshUser\"]}},{\"not\":{\"required\":[\"sshPassword\"]}},{\"not\":{"
     "\"require"
     "d\":[\"privateKey\"]}},{\"not\":{\"required\":[\"passphrase\"]}}]}}],\"required\":[]}"},
    {"redis", "{\"additionalProperties\":false,\"type\":\"object\",\"properties\":{\"password\":{"
              "\"type\":\"stri"
              "ng\"},\"user\":{\"type\":\"string\"},\"host\":{\"type\":\"string\"},\"port\":{"
              "\"type\":\"number\"},\"dat"
              "abase\":{\"type\":\"number\"},\"ssl\":{\"type\":\"boolean\"},"
              "\"disableTlsVerification\":{\"type\":\""
              "boolean\"}},\"allOf\":[{\"if\":{\"properties\":{\"ssl\":{\"enum\":[true]}}},"
              "\"then\":{\"allOf\":[{\""
              "required\":[\"disableTlsVerification\"]}]},\"else\":{\"allOf\":[{\"not\":{"
              "\"required\":[\"disabl"
              "eTlsVerification\"]}}]}}],\"required\":[]}"},
};

static void test_credential_schemas(void **state)
{
    struct fx *f = *state;
    for (size_t i = 0; i < sizeof N8N_SCHEMAS / sizeof N8N_SCHEMAS[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/credentials/schema/%s", N8N_SCHEMAS[i].type);
        int status;
        json_t *j = api(f, "GET", path, NULL, NULL, &status);
        json_t *want = json_loads(N8N_SCHEMAS[i].schema, 0, NULL);
        assert_non_null(want);
        assert_int_equal(status, 200);
        if (!json_equal(j, want)) {
            char *got = json_dumps(j, JSON_COMPACT);
            fail_msg("%s: got %s", N8N_SCHEMAS[i].type, got);
        }
        json_decref(want);
        json_decref(j);
    }
    expect(f, "GET", "/api/v1/credentials/schema/slackApi", NULL, NULL, 404, "Not Found");
    /* the fixed word of the path is not an id */
    expect(f, "GET", "/api/v1/credentials/other/redis", NULL, NULL, 404, "not found");
}

static void test_credential_create_and_delete(void **state)
{
    struct fx *f = *state;
    int status;
    json_t *j = api(f, "POST", "/api/v1/credentials", NULL,
                    "{\"name\":\"Cache\",\"type\":\"redis\",\"data\":{\"host\":\"h\","
                    "\"port\":6379,\"password\":\"pw-unit-Secret\"}}",
                    &status);
    assert_int_equal(status, 200);
    /* n8n answers the credential without data (sanitizeCredentials) */
    assert_string_equal(str(j, "name"), "Cache");
    assert_string_equal(str(j, "type"), "redis");
    assert_non_null(str(j, "createdAt"));
    assert_non_null(str(j, "updatedAt"));
    assert_null(json_object_get(j, "data"));
    char *id = strdup(str(j, "id"));
    char *text = json_dumps(j, 0);
    assert_null(strstr(text, "pw-unit-Secret"));
    free(text);
    json_decref(j);

    /* stored sealed, readable by the resolver */
    json_t *data = NULL;
    assert_int_equal(sl_store_credential_resolve(f->st, "redis", id, NULL, &data), 0);
    assert_string_equal(json_string_value(json_object_get(data, "password")), "pw-unit-Secret");
    json_decref(data);

    char path[128];
    snprintf(path, sizeof path, "/api/v1/credentials/%s", id);
    j = api(f, "DELETE", path, NULL, NULL, &status);
    assert_int_equal(status, 200);
    assert_string_equal(str(j, "id"), id);
    assert_string_equal(str(j, "name"), "Cache");
    assert_null(json_object_get(j, "data"));
    json_decref(j);
    expect(f, "DELETE", path, NULL, NULL, 404, "Not Found");
    assert_int_equal(sl_store_credential_resolve(f->st, "redis", id, NULL, &data),
                     SL_ERR_NOT_FOUND);
    free(id);
}

static void test_credential_body_errors(void **state)
{
    struct fx *f = *state;
    const char *path = "/api/v1/credentials";
    expect(f, "POST", path, NULL, "{\"type\":\"redis\",\"data\":{}}", 400,
           "request/body must have required property 'name'");
    expect(f, "POST", path, NULL, "{\"name\":\"a\",\"type\":\"redis\",\"data\":\"x\"}", 400,
           "request/body/data must be object");
    expect(f, "POST", path, NULL, "{\"name\":\"a\",\"type\":\"slackApi\",\"data\":{}}", 400,
           "req.body.type is not a known type");
    /* the messages of n8n's validator (jsonschema), as n8n 1.123 answers them */
    expect(f, "POST", path, NULL, "{\"name\":\"a\",\"type\":\"httpCustomAuth\",\"data\":{}}", 400,
           "request.body.data requires property \"json\"");
    expect(f, "POST", path, NULL,
           "{\"name\":\"a\",\"type\":\"redis\",\"data\":{\"host\":\"h\",\"port\":\"x\"}}", 400,
           "request.body.data is not of a type(s) number");
    expect(f, "POST", path, NULL,
           "{\"name\":\"a\",\"type\":\"redis\",\"data\":{\"host\":\"h\",\"foo\":1}}", 400,
           "request.body.data is not allowed to have the additional property \"foo\"");
    expect(f, "POST", path, NULL,
           "{\"name\":\"a\",\"type\":\"postgres\",\"data\":{\"ssl\":\"bad\"}}", 400,
           "request.body.data is not one of enum values: allow,disable,require");
    /* a malformed body is not quoted back: it may hold a secret */
    int status;
    json_t *j =
        api(f, "POST", path, NULL, "{\"name\":\"a\",\"data\":{\"password\":\"Sec-9\" x}}", &status);
    assert_int_equal(status, 400);
    assert_message_has(j, "Invalid JSON in request body");
    char *text = json_dumps(j, 0);
    assert_null(strstr(text, "Sec-9"));
    free(text);
    json_decref(j);
    json_t *rows = NULL;
    assert_int_equal(sl_store_credential_list(f->st, &rows), 0);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_route_needs_a_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_both_key_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_routes_and_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workflow_create_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workflow_body_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workflow_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workflow_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workflow_activate_deactivate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workflow_list_pages_and_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workflow_default_limit_is_100, setup, teardown),
        cmocka_unit_test_setup_teardown(test_execution_list_filters_and_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_execution_include_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_execution_get_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_execution_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_execution_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credential_schemas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credential_create_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credential_body_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
