/*
 * From a trigger to an execution: a webhook request becomes a job for the
 * dispatcher, and its answer comes back, now (onReceived, errors) or when
 * the execution responds or ends (responseNode, lastNode). The answer
 * that comes later travels in a struct sl_pending, shared by the HTTP
 * side and the job, each holding a reference.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server/dispatch.h"
#include "server/serve_int.h"
#include "server/webhook.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/log.h"

struct sl_pending {
    pthread_mutex_t m;
    int refs;
    bool ready, armed;
    struct sl_http_resp resp;
    void (*wake)(void *ud);
    void *wake_ud;
    /* the job's side */
    struct sl_server *srv;
    struct sl_snapshot *snap; /* keeps `wh` alive */
    const struct sl_webhook *wh;
    const char *rmode;
};

struct sl_pending *sl_pending_new(void (*wake)(void *ud), void *ud)
{
    struct sl_pending *p = sl_calloc(1, sizeof *p);
    pthread_mutex_init(&p->m, NULL);
    p->refs = 1;
    p->wake = wake;
    p->wake_ud = ud;
    return p;
}

static void pending_unref(struct sl_pending *p)
{
    pthread_mutex_lock(&p->m);
    bool last = --p->refs == 0;
    pthread_mutex_unlock(&p->m);
    if (!last)
        return;
    if (p->snap)
        sl_snapshot_put(p->srv, p->snap);
    sl_http_resp_release(&p->resp);
    pthread_mutex_destroy(&p->m);
    free(p);
}

void sl_pending_release(struct sl_pending *p)
{
    if (p)
        pending_unref(p);
}

bool sl_pending_arm(struct sl_pending *p)
{
    pthread_mutex_lock(&p->m);
    bool wait = !p->ready;
    p->armed = wait;
    pthread_mutex_unlock(&p->m);
    return wait;
}

bool sl_pending_take(struct sl_pending *p, struct sl_http_resp *resp)
{
    pthread_mutex_lock(&p->m);
    bool ready = p->ready && p->resp.status;
    if (ready) {
        *resp = p->resp;
        memset(&p->resp, 0, sizeof p->resp);
    }
    pthread_mutex_unlock(&p->m);
    return ready;
}

/* The answer is known: keep the first one and wake the HTTP side. */
static void pending_answer(struct sl_pending *p, struct sl_http_resp *resp)
{
    pthread_mutex_lock(&p->m);
    bool first = !p->ready;
    if (first) {
        p->ready = true;
        p->resp = *resp;
        memset(resp, 0, sizeof *resp);
    }
    bool wake = first && p->armed;
    pthread_mutex_unlock(&p->m);
    sl_http_resp_release(resp);
    if (wake)
        p->wake(p->wake_ud);
}

void sl_pending_shutdown(struct sl_pending *p)
{
    struct sl_http_resp resp = {0};
    sl_http_resp_error(&resp, 503, "The server is shutting down: try again later");
    sl_http_resp_header(&resp, "retry-after", "1");
    pending_answer(p, &resp);
}

static void job_response(void *ud, const json_t *response)
{
    struct sl_pending *p = ud;
    struct sl_http_resp resp = {0};
    sl_webhook_response_headers(p->wh, &resp);
    sl_webhook_respond_node(response, &resp);
    pending_answer(p, &resp);
}

static void job_done(void *ud, const struct sl_job_result *res)
{
    struct sl_pending *p = ud;
    struct sl_http_resp resp = {0};
    sl_webhook_response_headers(p->wh, &resp);
    if (!strcmp(res->status, SL_ST_CANCELED)) {
        sl_http_resp_error(&resp, 503, "The server is shutting down");
        sl_http_resp_header(&resp, "retry-after", "1");
    } else if (!strcmp(p->rmode, "lastNode")) {
        const char *err = strcmp(res->status, SL_ST_SUCCESS) && strcmp(res->status, SL_ST_WAITING)
                              ? (res->error ? res->error : res->status)
                              : NULL;
        sl_webhook_respond_last_node(p->wh, res->items, err, &resp);
    } else if (!strcmp(res->status, SL_ST_SUCCESS) || !strcmp(res->status, SL_ST_WAITING)) {
        /* responseNode mode, and no Respond to Webhook node answered */
        sl_http_resp_json(&resp, 200,
                          json_pack("{s:s}", "message", "Workflow executed successfully"));
    } else {
        sl_http_resp_json(&resp, 500, json_pack("{s:s}", "message", "Error in workflow"));
    }
    pending_answer(p, &resp);
    pending_unref(p);
}

/* The credential a webhook's authentication needs (new reference), from
 * the node's "credentials" reference; NULL when it needs none or it cannot
 * be found (the auth check then answers 500, naming what is missing). */
static json_t *webhook_credential(struct sl_server *srv, const struct sl_webhook *wh,
                                  const json_t *doc)
{
    const char *auth = json_string_value(json_object_get(wh->params, "authentication"));
    const char *type = !auth                         ? NULL
                       : !strcmp(auth, "basicAuth")  ? "httpBasicAuth"
                       : !strcmp(auth, "headerAuth") ? "httpHeaderAuth"
                                                     : NULL;
    if (!type)
        return NULL;
    size_t i;
    json_t *node, *ref = NULL;
    json_array_foreach(json_object_get(doc, "nodes"), i, node)
    {
        const char *name = json_string_value(json_object_get(node, "name"));
        if (name && !strcmp(name, wh->node))
            ref = json_object_get(json_object_get(node, "credentials"), type);
    }
    struct sl_store *st = ref ? sl_server_thread_store(srv) : NULL;
    json_t *data = NULL;
    if (st && sl_store_credential_resolve(st, type, json_string_value(json_object_get(ref, "id")),
                                          json_string_value(json_object_get(ref, "name")), &data))
        sl_log(SL_LOG_WARN, "webhook credential not available", "workflow", wh->workflow_id, "node",
               wh->node, "error", sl_store_errmsg(st), NULL);
    return data;
}

bool sl_server_webhook(struct sl_server *srv, bool test, const char *path,
                       const struct sl_http_req *req, struct sl_http_resp *resp,
                       struct sl_pending *pending)
{
    struct sl_snapshot *snap = sl_snapshot_get(srv);
    json_t *params = NULL, *items = NULL;
    bool answered = true;
    const struct sl_webhook *wh =
        sl_webhook_find(test ? snap->test : snap->live, req->method, path, &params, resp);
    if (!wh)
        goto out;
    json_t *entry = json_object_get(snap->workflows, wh->workflow_id);
    json_t *credential = webhook_credential(srv, wh, json_object_get(entry, "doc"));
    int denied = sl_webhook_check_auth(wh, credential, req, resp);
    json_decref(credential);
    if (denied)
        goto out;
    items = sl_webhook_items(wh, req, params, test ? "test" : "production", resp);
    if (!items)
        goto out;
    const char *rmode = sl_webhook_response_mode(wh);
    bool received = !strcmp(rmode, "onReceived");
    struct sl_job_spec spec = {
        .workflow_id = wh->workflow_id,
        .doc = json_object_get(entry, "doc"),
        .version = json_integer_value(json_object_get(entry, "version")),
        .mode = test ? "manual" : "webhook",
        .start_node = wh->node,
        .items = items,
        .response_mode = rmode,
        .durable = received,
    };
    if (!received) {
        pending->srv = srv;
        pending->wh = wh;
        pending->rmode = rmode;
        pending->snap = snap; /* the pending answer keeps the snapshot */
        snap = NULL;
        pending->refs++;
        spec.on_response = job_response;
        spec.on_done = job_done;
        spec.ud = pending;
    }
    struct sl_error err = {{0}};
    int64_t id = 0;
    int rc = sl_dispatch_submit(srv->dispatch, &spec, &id, &err);
    if (rc)
        sl_webhook_response_headers(wh, resp);
    if (rc == SL_ERR_BUSY) {
        sl_http_resp_error(resp, 503, "%s: try again later", err.msg);
        sl_http_resp_header(resp, "retry-after", "1");
    } else if (rc) {
        sl_log(SL_LOG_ERROR, "webhook not accepted", "workflow", wh->workflow_id, "node", wh->node,
               "error", err.msg, NULL);
        sl_http_resp_error(resp, 500, "The workflow could not be started: %s", err.msg);
    } else if (received) {
        sl_webhook_respond_received(wh, resp);
    } else {
        answered = false;
    }
    if (rc && !received)
        pending->refs--; /* the job was never created */
out:
    json_decref(params);
    json_decref(items);
    if (snap)
        sl_snapshot_put(srv, snap);
    return answered;
}
