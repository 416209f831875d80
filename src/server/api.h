/*
 * The REST API under /api/v1, in the shape of n8n's public API:
 *
 *   GET    /workflows            ?active=true|false&limit=&cursor=
 *   POST   /workflows            body: a workflow document -> the stored workflow
 *   GET    /workflows/{id}
 *   PUT    /workflows/{id}       body: a workflow document (replaces it)
 *   DELETE /workflows/{id}       -> the deleted workflow
 *   POST   /workflows/{id}/activate, /workflows/{id}/deactivate
 *   GET    /executions           ?status=&workflowId=&limit=&cursor=&includeData=
 *   GET    /executions/{id}      ?includeData=true
 *   DELETE /executions/{id}
 *   POST   /executions/{id}/retry -> the new (queued) execution
 *   POST   /credentials          body: {name, type, data} -> {id, name, type, createdAt, updatedAt}
 *   DELETE /credentials/{id}     -> the deleted credential (without its data)
 *   GET    /credentials/schema/{type} -> the JSON schema of the type's data
 *
 * Lists answer {"data": [...], "nextCursor": string or null}; limit
 * defaults to 100 and may be at most 250 (more answers 400), as in n8n.
 * Authentication: the X-API-KEY header (X-N8N-API-KEY accepted too) must
 * hold a key made by `sluice apikey create`; without a valid one: 401
 * {"message": ...}.
 * Errors are JSON {"message": "..."} with 400 / 404 / 405 / 409 (and 415
 * for a body that is not JSON). docs/api.md lists the answers.
 *
 * Thread rule: sl_api_handle() may run on any HTTP thread, with that
 * thread's own store connection.
 */
#ifndef SL_SERVER_API_H
#define SL_SERVER_API_H

#include "core/err.h"
#include "server/http.h"

struct sl_store;

struct sl_api_hooks {
    void *ud;
    /* Workflows were saved, deleted, activated or deactivated, or an
     * execution was queued (retry): the server re-reads the active
     * workflows and dispatches queued executions. May be NULL. */
    void (*store_changed)(void *ud);
    /* For activate: checks that the workflow can be activated (its
     * trigger nodes are valid and its webhooks free); 0, or a negative
     * enum sl_err with a one-line reason in `err` (answered as 400). May
     * be NULL (everything can be activated). */
    int (*check_activate)(void *ud, const char *workflow_id, const json_t *doc,
                          struct sl_error *err);
};

/* Answers `req` (its path starts with /api/v1/). */
void sl_api_handle(struct sl_store *st, const struct sl_api_hooks *hooks,
                   const struct sl_http_req *req, struct sl_http_resp *resp);

#endif
