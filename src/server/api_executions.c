/*
 * The execution routes of the REST API (see api.h), answered as n8n's
 * public API answers them (packages/cli/src/public-api/v1/handlers/
 * executions):
 *
 *   - a list is {"data": [...], "nextCursor": ...}, newest first, filtered
 *     by `status` and `workflowId`, paged by n8n's lastId cursor (base64 of
 *     {"lastId":"ID","limit":L}); `includeData=true` adds each execution's
 *     data, as on a single execution;
 *   - an {id} that is not a number answers 400 "request/params/id must be
 *     number" (n8n's schema types it so); an unknown one 404 "Not Found";
 *   - delete answers the deleted execution, and 400 "Cannot delete a
 *     running execution" for a running one;
 *   - retry queues a new execution and answers it; it answers 404 `The
 *     execution with the ID "N" does not exist.`, 409 for a queued one
 *     (n8n's QueuedExecutionRetryError), 400 for one that succeeded (n8n's
 *     message), and 409 with the store's reason for others it cannot retry
 *     (running, waiting, or no input kept: n8n's 409 for an execution that
 *     cannot be re-run). hooks->store_changed follows a retry or a delete.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server/api_int.h"
#include "store/store.h"
#include "util/alloc.h"

/* Statuses n8n's schema accepts in the `status` filter. */
static const char *const exec_statuses[] = {
    "canceled", "crashed", "error", "new", "running", "success", "unknown", "waiting", NULL,
};

/* Parses the {id} of the path: 0 with *out set; -1 after answering 400 when
 * it is not a number, or 404 when it is one no execution can have. */
static int parse_id(struct sl_api_call *c, const char *id, int64_t *out)
{
    char *end;
    errno = 0;
    double d = strtod(id, &end);
    if (!*id || *end || d != d) {
        sl_api_error(c, 400, "request/params/id must be number");
        return -1;
    }
    errno = 0;
    long long v = strtoll(id, &end, 10);
    if (*end || errno || v <= 0) {
        sl_api_error(c, 404, "Not Found");
        return -1;
    }
    *out = v;
    return 0;
}

void sl_api_executions_list(struct sl_api_call *c, const char *unused)
{
    (void)unused;
    bool with_data = false;
    const char *status = sl_api_query(c, "status");
    if (status) {
        const char *const *s = exec_statuses;
        while (*s && strcmp(*s, status) != 0)
            s++;
        if (!*s) {
            sl_api_error(c, 400,
                         "request/query/status must be equal to one of the allowed values: "
                         "canceled, crashed, error, new, running, success, unknown, waiting");
            return;
        }
    }
    struct sl_api_page pg;
    if (sl_api_query_bool(c, "includeData", &with_data) < 0 || sl_api_page_parse(c, &pg) < 0)
        return;
    struct sl_store_exec_filter f = {
        .workflow_id = sl_api_query(c, "workflowId"),
        .status = status,
        .limit = pg.limit + 1, /* one more tells whether another page follows */
    };
    if (pg.last_id) {
        char *end;
        errno = 0;
        long long v = strtoll(pg.last_id, &end, 10);
        if (*end || errno || v <= 0) {
            sl_api_page_release(&pg);
            sl_api_error(c, 400, "An invalid cursor was provided");
            return;
        }
        f.before_id = v;
    }
    json_t *rows;
    int rc = sl_store_exec_list(c->st, &f, &rows);
    if (rc < 0) {
        sl_api_page_release(&pg);
        sl_api_store_error(c, rc);
        return;
    }
    json_t *next = json_null();
    if ((int64_t)json_array_size(rows) > pg.limit) {
        json_array_remove(rows, json_array_size(rows) - 1);
        json_t *last = json_array_get(rows, json_array_size(rows) - 1);
        next = sl_api_cursor(json_pack("{s:O,s:I}", "lastId", json_object_get(last, "id"), "limit",
                                       (json_int_t)pg.limit));
    }
    sl_api_page_release(&pg);
    if (with_data) {
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            const char *sid = json_string_value(json_object_get(row, "id"));
            json_t *full = NULL;
            rc = sid ? sl_store_exec_get_json(c->st, strtoll(sid, NULL, 10), true, &full)
                     : SL_ERR_NOT_FOUND;
            if (rc == SL_ERR_NOT_FOUND)
                continue; /* deleted since it was listed: keep the row as read */
            if (rc < 0) {
                json_decref(rows);
                json_decref(next);
                sl_api_store_error(c, rc);
                return;
            }
            json_array_set_new(rows, i, full);
        }
    }
    sl_api_ok(c, json_pack("{s:o,s:o}", "data", rows, "nextCursor", next));
}

void sl_api_execution_get(struct sl_api_call *c, const char *id)
{
    int64_t n;
    bool with_data = false;
    if (parse_id(c, id, &n) < 0 || sl_api_query_bool(c, "includeData", &with_data) < 0)
        return;
    json_t *row;
    int rc = sl_store_exec_get_json(c->st, n, with_data, &row);
    if (rc < 0) {
        sl_api_store_error(c, rc);
        return;
    }
    sl_api_ok(c, row);
}

void sl_api_execution_delete(struct sl_api_call *c, const char *id)
{
    int64_t n;
    if (parse_id(c, id, &n) < 0)
        return;
    json_t *row;
    int rc = sl_store_exec_get_json(c->st, n, false, &row);
    if (rc < 0) {
        sl_api_store_error(c, rc);
        return;
    }
    const char *status = json_string_value(json_object_get(row, "status"));
    if (status && strcmp(status, SL_ST_RUNNING) == 0) {
        json_decref(row);
        sl_api_error(c, 400, "Cannot delete a running execution");
        return;
    }
    rc = sl_store_exec_delete(c->st, n);
    if (rc < 0) {
        json_decref(row);
        sl_api_store_error(c, rc);
        return;
    }
    sl_api_changed(c); /* a queued execution is gone: the dispatcher must not run it */
    sl_api_ok(c, row);
}

/* Answers a store call of a retry that failed, with n8n's messages. */
static void retry_failed(struct sl_api_call *c, const char *id, int rc)
{
    if (rc == SL_ERR_NOT_FOUND)
        sl_api_error(c, 404, "The execution with the ID \"%s\" does not exist.", id);
    else if (rc == SL_ERR_INVALID)
        sl_api_error(c, 409, "%s", sl_store_errmsg(c->st));
    else
        sl_api_store_error(c, rc);
}

void sl_api_execution_retry(struct sl_api_call *c, const char *id)
{
    int64_t n;
    if (parse_id(c, id, &n) < 0)
        return;
    struct sl_store_exec e = {0};
    int rc = sl_store_exec_get(c->st, n, &e);
    if (rc < 0) {
        retry_failed(c, id, rc);
        return;
    }
    const char *status = e.status ? e.status : "";
    int conflict = 0;
    const char *why = NULL;
    if (strcmp(status, SL_ST_NEW) == 0) {
        conflict = 409;
        why = "Execution is queued to run (not yet started) so it cannot be retried";
    } else if (strcmp(status, SL_ST_SUCCESS) == 0) {
        conflict = 400;
        why = "The execution succeeded, so it cannot be retried.";
    }
    sl_store_exec_release(&e);
    if (conflict) {
        sl_api_error(c, conflict, "%s", why);
        return;
    }
    int64_t new_id = 0;
    rc = sl_store_exec_retry(c->st, n, &new_id);
    if (rc < 0) {
        retry_failed(c, id, rc);
        return;
    }
    sl_api_changed(c);
    json_t *row;
    rc = sl_store_exec_get_json(c->st, new_id, false, &row);
    if (rc < 0) {
        sl_api_store_error(c, rc);
        return;
    }
    sl_api_ok(c, row);
}
