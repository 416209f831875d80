/*
 * The REST API's front door (api.h): finds the route of a request under
 * /api/v1, checks its API key, and hands it to the resource's handler
 * (api_workflows.c, api_executions.c, api_credentials.c). Also the helpers those share: error
 * answers, query parameters, cursors and request bodies.
 *
 * The order of the checks is n8n's (its OpenAPI validator runs before the
 * key check): an unknown path answers 404 {"message": "not found"} and a
 * known path with another method 405 "<METHOD> method not allowed" (with
 * Allow); then a request with no key answers 401 "'X-N8N-API-KEY' header
 * required" and one with a key that matches none 401 "unauthorized".
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/binary.h"
#include "server/api_int.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/log.h"

typedef void (*api_handler_cb)(struct sl_api_call *c, const char *id);

/* A route: /<collection>, /<collection>/{id} or /<collection>/{id}/<action>;
 * or, with `fixed`, /<collection>/<fixed>/{id}. */
struct api_route {
    const char *collection;
    int depth; /* path segments: 1, 2 or 3 */
    const char *action;
    const char *method;
    api_handler_cb handler;
    const char *fixed; /* the second segment, when it is a word and not an id */
};

static const struct api_route api_routes[] = {
    {"workflows", 1, NULL, "GET", sl_api_workflows_list, NULL},
    {"workflows", 1, NULL, "POST", sl_api_workflow_create, NULL},
    {"workflows", 2, NULL, "GET", sl_api_workflow_get, NULL},
    {"workflows", 2, NULL, "PUT", sl_api_workflow_update, NULL},
    {"workflows", 2, NULL, "DELETE", sl_api_workflow_delete, NULL},
    {"workflows", 3, "activate", "POST", sl_api_workflow_activate, NULL},
    {"workflows", 3, "deactivate", "POST", sl_api_workflow_deactivate, NULL},
    {"executions", 1, NULL, "GET", sl_api_executions_list, NULL},
    {"executions", 2, NULL, "GET", sl_api_execution_get, NULL},
    {"executions", 2, NULL, "DELETE", sl_api_execution_delete, NULL},
    {"executions", 3, "retry", "POST", sl_api_execution_retry, NULL},
    {"credentials", 1, NULL, "POST", sl_api_credential_create, NULL},
    {"credentials", 2, NULL, "DELETE", sl_api_credential_delete, NULL},
    {"credentials", 3, NULL, "GET", sl_api_credential_schema, "schema"},
};
#define API_NROUTES (sizeof api_routes / sizeof api_routes[0])

#define API_PREFIX "/api/v1"
#define API_SEGMENTS_MAX 3

/* ------------------------------------------------------------- answers */

void sl_api_error(struct sl_api_call *c, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = sl_vasprintf(fmt, ap);
    va_end(ap);
    /* a message may quote request bytes: keep it valid UTF-8 */
    json_t *text = json_string(msg);
    if (!text) {
        for (char *p = msg; *p; p++)
            if ((unsigned char)*p >= 0x80)
                *p = '?';
        text = json_string(msg);
    }
    json_t *body = json_object();
    json_object_set_new(body, "message", text);
    free(msg);
    sl_http_resp_json(c->resp, status, body);
}

void sl_api_store_error(struct sl_api_call *c, int rc)
{
    if (rc == SL_ERR_NOT_FOUND) {
        sl_api_error(c, 404, "Not Found");
        return;
    }
    const char *msg = sl_store_errmsg(c->st);
    if (rc == SL_ERR_INVALID) {
        sl_api_error(c, 400, "%s", msg);
        return;
    }
    sl_log(SL_LOG_ERROR, "api: store failed", "method", c->req->method, "path", c->req->path,
           "error", msg, NULL);
    sl_api_error(c, 500, "%s", msg);
}

void sl_api_ok(struct sl_api_call *c, json_t *body)
{
    sl_http_resp_json(c->resp, 200, body);
}

void sl_api_changed(struct sl_api_call *c)
{
    if (c->hooks && c->hooks->store_changed)
        c->hooks->store_changed(c->hooks->ud);
}

/* ------------------------------------------------------ query and paging */

const char *sl_api_query(const struct sl_api_call *c, const char *name)
{
    json_t *v = c->req->query ? json_object_get(c->req->query, name) : NULL;
    if (json_is_array(v))
        v = json_array_get(v, 0);
    return json_string_value(v);
}

int sl_api_query_bool(struct sl_api_call *c, const char *name, bool *out)
{
    const char *v = sl_api_query(c, name);
    if (!v)
        return 0;
    if (strcmp(v, "true") == 0)
        *out = true;
    else if (strcmp(v, "false") == 0)
        *out = false;
    else {
        sl_api_error(c, 400, "request/query/%s must be boolean", name);
        return -1;
    }
    return 0;
}

/* An integer JSON value (a whole real too, as JavaScript has no integers). */
static bool json_whole(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d >= -9e15 && d <= 9e15 && d == (double)(int64_t)d) {
            *out = (int64_t)d;
            return true;
        }
    }
    return false;
}

/* Reads the cursor into `pg`; false when it is not one n8n could have made. */
static bool cursor_decode(const char *text, struct sl_api_page *pg)
{
    size_t len;
    unsigned char *raw = sl_base64_decode(text, strlen(text), &len);
    json_t *cur = raw ? json_loadb((const char *)raw, len, 0, NULL) : NULL;
    free(raw);
    bool ok = false;
    int64_t limit, offset;
    if (!json_is_object(cur) || !json_whole(json_object_get(cur, "limit"), &limit) || limit < 1)
        goto out;
    json_t *off = json_object_get(cur, "offset");
    json_t *last = json_object_get(cur, "lastId");
    if (off) {
        if (!json_whole(off, &offset) || offset < 0)
            goto out;
        pg->offset = offset;
    } else if (json_is_string(last) && json_string_length(last) > 0) {
        pg->last_id = sl_strdup(json_string_value(last));
    } else if (json_whole(last, &offset)) {
        pg->last_id = sl_asprintf("%lld", (long long)offset);
    } else {
        goto out;
    }
    /* a cursor is client-held text: its limit gets the query's bound */
    pg->limit = limit > SL_API_LIMIT_MAX ? SL_API_LIMIT_MAX : limit;
    ok = true;
out:
    json_decref(cur);
    return ok;
}

int sl_api_page_parse(struct sl_api_call *c, struct sl_api_page *pg)
{
    memset(pg, 0, sizeof *pg);
    pg->limit = SL_API_LIMIT_DEFAULT;
    const char *limit = sl_api_query(c, "limit");
    if (limit) {
        char *end;
        double d = strtod(limit, &end);
        if (!*limit || *end || d != d) {
            sl_api_error(c, 400, "request/query/limit must be number");
            return -1;
        }
        if (d > SL_API_LIMIT_MAX) {
            sl_api_error(c, 400, "request/query/limit must be <= %d", SL_API_LIMIT_MAX);
            return -1;
        }
        if (d < 1) {
            sl_api_error(c, 400, "request/query/limit must be >= 1");
            return -1;
        }
        if (d != (double)(int64_t)d) {
            sl_api_error(c, 400, "request/query/limit must be integer");
            return -1;
        }
        pg->limit = (int64_t)d;
    }
    const char *cursor = sl_api_query(c, "cursor");
    if (cursor && *cursor && !cursor_decode(cursor, pg)) {
        sl_api_page_release(pg);
        sl_api_error(c, 400, "An invalid cursor was provided");
        return -1;
    }
    return 0;
}

void sl_api_page_release(struct sl_api_page *pg)
{
    free(pg->last_id);
    pg->last_id = NULL;
}

json_t *sl_api_cursor(json_t *cursor)
{
    char *text = json_dumps(cursor, JSON_COMPACT);
    json_decref(cursor);
    if (!text)
        sl_oom();
    char *b64 = sl_base64_encode(text, strlen(text));
    free(text);
    json_t *s = json_string(b64);
    free(b64);
    return s;
}

/* ---------------------------------------------------------------- bodies */

json_t *sl_api_body(struct sl_api_call *c)
{
    return sl_api_body_ex(c, true);
}

json_t *sl_api_body_ex(struct sl_api_call *c, bool quote_errors)
{
    const struct sl_http_req *req = c->req;
    const char *ctype = sl_http_req_header(req, "content-type");
    if (ctype && *ctype) {
        /* the media type without its parameters (charset=...) */
        size_t n = strcspn(ctype, ";");
        while (n > 0 && (ctype[n - 1] == ' ' || ctype[n - 1] == '\t'))
            n--;
        if (!(n == 16 && strncasecmp(ctype, "application/json", 16) == 0)) {
            sl_api_error(c, 415, "unsupported media type %.*s", (int)n, ctype);
            return NULL;
        }
    }
    if (!req->body || req->body_len == 0)
        return json_object();
    json_error_t jerr;
    json_t *body = json_loadb(req->body, req->body_len, 0, &jerr);
    if (!body && quote_errors) {
        sl_api_error(c, 400, "Invalid JSON in request body: %s (line %d, column %d)", jerr.text,
                     jerr.line, jerr.column);
        return NULL;
    }
    if (!body) {
        sl_api_error(c, 400, "Invalid JSON in request body (line %d, column %d)", jerr.line,
                     jerr.column);
        return NULL;
    }
    return body;
}

/* --------------------------------------------------------------- routing */

/* Splits `path` (after /api/v1) into at most API_SEGMENTS_MAX non-empty
 * segments; a trailing slash is ignored, as Express does. Returns the count,
 * or -1 when the path has another shape. */
static int split_path(const char *path, char seg[API_SEGMENTS_MAX][256])
{
    int n = 0;
    const char *p = path;
    size_t len = strlen(p);
    if (len > 1 && p[len - 1] == '/')
        len--;
    const char *end = p + len;
    while (p < end) {
        if (*p != '/' || n == API_SEGMENTS_MAX)
            return -1;
        p++;
        size_t k = strcspn(p, "/");
        if (p + k > end)
            k = (size_t)(end - p);
        if (k == 0 || k >= 256)
            return -1;
        memcpy(seg[n], p, k);
        seg[n][k] = '\0';
        n++;
        p += k;
    }
    return n;
}

/* 0 when the request carries a key the store knows; else answers 401 (or
 * 500 when the store cannot tell) and returns -1. */
static int check_key(struct sl_api_call *c)
{
    const char *keys[2] = {sl_http_req_header(c->req, "x-api-key"),
                           sl_http_req_header(c->req, "x-n8n-api-key")};
    bool any = false;
    for (int i = 0; i < 2; i++) {
        if (!keys[i] || !*keys[i])
            continue;
        any = true;
        int rc = sl_store_apikey_check(c->st, keys[i]);
        if (rc == 0)
            return 0;
        if (rc != SL_ERR_NOT_FOUND) {
            sl_api_store_error(c, rc);
            return -1;
        }
    }
    if (!any)
        sl_api_error(c, 401, "'X-N8N-API-KEY' header required");
    else
        sl_api_error(c, 401, "unauthorized");
    return -1;
}

void sl_api_handle(struct sl_store *st, const struct sl_api_hooks *hooks,
                   const struct sl_http_req *req, struct sl_http_resp *resp)
{
    struct sl_api_call c = {.st = st, .hooks = hooks, .req = req, .resp = resp};
    const char *path = req->path ? req->path : "";
    if (strncmp(path, API_PREFIX, strlen(API_PREFIX)) != 0) {
        sl_api_error(&c, 404, "not found");
        return;
    }
    char seg[API_SEGMENTS_MAX][256];
    int depth = split_path(path + strlen(API_PREFIX), seg);

    /* HEAD is GET without the body, which the server leaves out */
    const char *method = req->method ? req->method : "";
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    const struct api_route *route = NULL;
    char allow[64] = "";
    for (size_t i = 0; depth > 0 && i < API_NROUTES; i++) {
        const struct api_route *r = &api_routes[i];
        if (r->depth != depth || strcmp(r->collection, seg[0]) != 0 ||
            (r->action && strcmp(r->action, seg[2]) != 0) ||
            (depth == 3 && !r->action && (!r->fixed || strcmp(r->fixed, seg[1]) != 0)))
            continue;
        if (strcmp(r->method, method) == 0) {
            route = r;
            break;
        }
        size_t used = strlen(allow);
        snprintf(allow + used, sizeof allow - used, "%s%s", used ? ", " : "", r->method);
    }
    if (!route) {
        if (!allow[0]) {
            sl_api_error(&c, 404, "not found");
            return;
        }
        sl_api_error(&c, 405, "%s method not allowed", req->method ? req->method : "");
        sl_http_resp_header(resp, "allow", allow);
        return;
    }
    if (check_key(&c) < 0)
        return;
    route->handler(&c, route->fixed ? seg[2] : depth >= 2 ? seg[1] : NULL);
}
