/*
 * Shared by the REST API's files: api.c routes a request, checks the API
 * key and holds the helpers below; api_workflows.c, api_executions.c and
 * api_credentials.c answer the routes of their resource. Not for use outside src/server/api*.c.
 *
 * Every answer is written to `resp`; a handler that fails answers the error
 * itself ({"message": ...}, the shape of n8n's public API) and returns.
 */
#ifndef SL_SERVER_API_INT_H
#define SL_SERVER_API_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "server/api.h"

/* n8n's page size: 100 by default, at most 250. */
#define SL_API_LIMIT_DEFAULT 100
#define SL_API_LIMIT_MAX 250

/* One request being answered: what the handlers need besides the request. */
struct sl_api_call {
    struct sl_store *st;
    const struct sl_api_hooks *hooks;
    const struct sl_http_req *req;
    struct sl_http_resp *resp;
};

/* Answers `status` with {"message": the formatted text}. */
void sl_api_error(struct sl_api_call *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answers a failed store call: 404 "Not Found" for SL_ERR_NOT_FOUND, 400
 * with the store's message for SL_ERR_INVALID, else 500 with it. */
void sl_api_store_error(struct sl_api_call *c, int rc);
/* Answers 200 with `body` (stolen). */
void sl_api_ok(struct sl_api_call *c, json_t *body);

/* Calls hooks->store_changed when there is one. */
void sl_api_changed(struct sl_api_call *c);

/* The query parameter `name` (the first value when repeated), or NULL. */
const char *sl_api_query(const struct sl_api_call *c, const char *name);
/* A boolean query parameter ("true" / "false"): 0 with *out set (left as is
 * when absent), or -1 after answering 400. */
int sl_api_query_bool(struct sl_api_call *c, const char *name, bool *out);

/* Paging of a list: the page size and where the page starts, from `limit`
 * and `cursor`. A cursor is base64 of JSON, as n8n encodes it:
 * {"limit": L, "offset": O} (workflows) or {"lastId": "ID", "limit": L}
 * (executions); the cursor's limit wins over the query's. */
struct sl_api_page {
    int64_t limit;
    int64_t offset; /* from an offset cursor; 0 otherwise */
    char *last_id;  /* from a lastId cursor (heap); NULL otherwise */
};
/* 0, or -1 after answering 400 (a limit that is not a number from 1 to
 * 250, a cursor that does not decode). Release with sl_api_page_release(). */
int sl_api_page_parse(struct sl_api_call *c, struct sl_api_page *pg);
void sl_api_page_release(struct sl_api_page *pg);
/* base64 of the compact JSON text of `cursor` (stolen), as a JSON string. */
json_t *sl_api_cursor(json_t *cursor);

/* The request body as JSON (new reference), or NULL after answering 415
 * (a content type other than JSON) or 400 (malformed JSON, saying why).
 * An empty body is an empty object, as Express reads it. */
json_t *sl_api_body(struct sl_api_call *c);
/* The same; with `quote_errors` false a malformed body's error gives only
 * the line and column, never the text there (bodies that hold secrets). */
json_t *sl_api_body_ex(struct sl_api_call *c, bool quote_errors);

/* The handlers; `id` is the {id} of the path (NULL for collections). */
void sl_api_workflows_list(struct sl_api_call *c, const char *id);
void sl_api_workflow_create(struct sl_api_call *c, const char *id);
void sl_api_workflow_get(struct sl_api_call *c, const char *id);
void sl_api_workflow_update(struct sl_api_call *c, const char *id);
void sl_api_workflow_delete(struct sl_api_call *c, const char *id);
void sl_api_workflow_activate(struct sl_api_call *c, const char *id);
void sl_api_workflow_deactivate(struct sl_api_call *c, const char *id);

void sl_api_executions_list(struct sl_api_call *c, const char *id);
void sl_api_execution_get(struct sl_api_call *c, const char *id);
void sl_api_execution_delete(struct sl_api_call *c, const char *id);
void sl_api_execution_retry(struct sl_api_call *c, const char *id);

/* `id` of credential_schema is the type name of /credentials/schema/{type}. */
void sl_api_credential_create(struct sl_api_call *c, const char *id);
void sl_api_credential_delete(struct sl_api_call *c, const char *id);
void sl_api_credential_schema(struct sl_api_call *c, const char *id);

#endif
