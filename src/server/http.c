/*
 * The HTTP front of `sluice serve` on libmicrohttpd: a thread pool with
 * epoll, request bodies bounded by SLUICE_PAYLOAD_SIZE_MAX (413 past it),
 * and suspend/resume for webhooks that answer when their execution
 * responds, so no thread waits on an execution.
 *
 * Routes: /webhook/..., /webhook-test/..., /api/v1/..., /healthz,
 * /healthz/readiness, /metrics. Handlers see struct sl_http_req (http.h),
 * never libmicrohttpd.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/workflow.h"
#include "server/api.h"
#include "server/dispatch.h"
#include "server/metrics.h"
#include "server/serve_int.h"
#include "store/store.h"
#include "store/writer.h"
#include "util/alloc.h"
#include "util/log.h"

struct sl_httpd {
    struct MHD_Daemon *d;
    struct sl_server *srv;
    /* requests suspended until their execution answers: at shutdown the
     * ones still waiting are answered 503 before the daemon stops */
    pthread_mutex_t lock;
    struct conn *suspended;
    int n_suspended;
};

struct conn {
    struct sl_http_req req;
    struct sl_buf body;
    bool too_big;
    bool started; /* the handler ran once the body was complete */
    struct sl_pending *pending;
    struct MHD_Connection *c;
    const char *route;
    struct conn *prev, *next; /* in sl_httpd.suspended */
    bool listed;
};

static void unlist(struct sl_httpd *h, struct conn *cn)
{
    pthread_mutex_lock(&h->lock);
    if (cn->listed) {
        if (cn->prev)
            cn->prev->next = cn->next;
        else
            h->suspended = cn->next;
        if (cn->next)
            cn->next->prev = cn->prev;
        cn->listed = false;
        h->n_suspended--;
    }
    pthread_mutex_unlock(&h->lock);
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    json_t *h = cls;
    char low[256];
    size_t n = strlen(key);
    if (n >= sizeof low)
        return MHD_YES;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)((key[i] >= 'A' && key[i] <= 'Z') ? key[i] + 32 : key[i]);
    const char *prev = json_string_value(json_object_get(h, low));
    if (prev) {
        char *joined = sl_asprintf("%s, %s", prev, value ? value : "");
        json_object_set_new(h, low, json_string(joined));
        free(joined);
    } else {
        json_object_set_new(h, low, json_string(value ? value : ""));
    }
    return MHD_YES;
}

static enum MHD_Result add_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    json_t *q = cls;
    json_t *v = json_string(value ? value : "");
    if (!v) /* not UTF-8 */
        return MHD_YES;
    json_t *prev = json_object_get(q, key);
    if (!prev) {
        json_object_set_new(q, key, v);
    } else if (json_is_array(prev)) {
        json_array_append_new(prev, v);
    } else {
        json_object_set_new(q, key, json_pack("[O,o]", prev, v));
    }
    return MHD_YES;
}

static void fill_request(struct conn *cn, struct MHD_Connection *c, const char *url,
                         const char *method)
{
    cn->req.method = method;
    cn->req.path = url;
    cn->req.headers = json_object();
    cn->req.query = json_object();
    MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, cn->req.headers);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query, cn->req.query);
    static __thread char addr[INET6_ADDRSTRLEN];
    addr[0] = '\0';
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr, sizeof addr);
    }
    cn->req.remote_addr = sl_strdup(addr);
    const char *host = sl_http_req_header(&cn->req, "host");
    cn->req.base_url = sl_asprintf("http://%s", host ? host : "localhost");
}

static void conn_free(struct conn *cn)
{
    json_decref(cn->req.headers);
    json_decref(cn->req.query);
    free((char *)cn->req.remote_addr);
    free((char *)cn->req.base_url);
    sl_buf_release(&cn->body);
    sl_pending_release(cn->pending);
    free(cn);
}

static enum MHD_Result send_resp(struct sl_httpd *h, struct conn *cn, struct sl_http_resp *r)
{
    if (!r->status)
        sl_http_resp_error(r, 500, "no answer");
    struct MHD_Response *mr =
        MHD_create_response_from_buffer(r->body_len, r->body ? r->body : (void *)"",
                                        r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    r->body = NULL;
    const char *k;
    json_t *v;
    json_object_foreach(r->headers, k, v)
    {
        const char *s = json_string_value(v);
        if (s)
            MHD_add_response_header(mr, k, s);
    }
    enum MHD_Result ok = MHD_queue_response(cn->c, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
    if (h->srv->metrics)
        sl_metrics_http(h->srv->metrics, cn->route, r->status);
    sl_http_resp_release(r);
    return ok;
}

static void wake_conn(void *ud)
{
    struct conn *cn = ud;
    MHD_resume_connection(cn->c);
}

static void health(struct sl_server *srv, bool readiness, struct sl_http_resp *resp)
{
    if (!readiness) {
        sl_http_resp_json(resp, 200, json_pack("{s:s}", "status", "ok"));
        return;
    }
    struct sl_dispatch_stats s;
    sl_dispatch_stats(srv->dispatch, &s);
    bool workers = s.workers_up > 0 && s.workers_starting == 0 && s.workers_down == 0;
    bool ok = srv->ready && workers && !srv->draining;
    sl_http_resp_json(resp, ok ? 200 : 503,
                      json_pack("{s:s,s:{s:b,s:i,s:{s:i,s:i,s:i},s:b}}", "status",
                                ok ? "ok" : "error", "checks", "store", srv->ready, "schemaVersion",
                                sl_store_schema_version(srv->store), "workers", "up", s.workers_up,
                                "starting", s.workers_starting, "down", s.workers_down, "draining",
                                srv->draining != 0));
}

static void metrics(struct sl_server *srv, struct sl_http_resp *resp)
{
    struct sl_dispatch_stats s;
    sl_dispatch_stats(srv->dispatch, &s);
    struct sl_snapshot *snap = sl_snapshot_get(srv);
    struct sl_metrics_gauges g = {
        .queue_depth = s.queued,
        .queue_oldest_age_s = s.oldest_queued_s,
        .workers_up = s.workers_up,
        .workers_starting = s.workers_starting,
        .workers_down = s.workers_down,
        .active_workflows = snap->n_active,
        .running_executions = s.running,
        .writer_backlog = sl_writer_backlog(srv->writer),
    };
    sl_snapshot_put(srv, snap);
    struct sl_buf b = {0};
    sl_metrics_render(srv->metrics, &g, &b);
    resp->status = 200;
    resp->body_len = b.len;
    resp->body = sl_buf_steal(&b);
    sl_http_resp_header(resp, "content-type", "text/plain; version=0.0.4; charset=utf-8");
}

static void api_changed(void *ud)
{
    struct sl_server *srv = ud;
    srv->changed = 1;
}

/* A workflow can be activated when it loads (known node types and
 * versions) and its time triggers' rules are valid. */
static int api_check_activate(void *ud, const char *id, const json_t *doc, struct sl_error *err)
{
    struct sl_workflow *wf = sl_workflow_from_json(json_deep_copy(doc), err);
    if (!wf)
        return SL_ERR_INVALID;
    sl_workflow_free(wf);
    return sl_scheduler_check(doc, err);
}

/* Routes a complete request. Returns true when `resp` holds the answer,
 * false when a webhook answers later through cn->pending. */
static bool route(struct sl_httpd *h, struct conn *cn, struct sl_http_resp *resp)
{
    struct sl_server *srv = h->srv;
    const char *p = cn->req.path;
    if (!strncmp(p, "/webhook/", 9) || !strncmp(p, "/webhook-test/", 14)) {
        bool test = p[8] == '-';
        cn->route = test ? "webhook-test" : "webhook";
        if (srv->draining) {
            sl_http_resp_error(resp, 503, "The server is shutting down: try again later");
            sl_http_resp_header(resp, "retry-after", "1");
            return true;
        }
        const char *rest = p + (test ? 14 : 9);
        char *path = sl_strdup(rest);
        size_t n = strlen(path);
        while (n && path[n - 1] == '/')
            path[--n] = '\0';
        cn->pending = sl_pending_new(wake_conn, cn);
        bool done = sl_server_webhook(srv, test, path, &cn->req, resp, cn->pending);
        free(path);
        return done;
    }
    if (!strncmp(p, "/api/v1/", 8) || !strcmp(p, "/api/v1")) {
        cn->route = "api";
        struct sl_store *st = sl_server_thread_store(srv);
        if (!st) {
            sl_http_resp_error(resp, 503, "the store is not available");
            return true;
        }
        struct sl_api_hooks hooks = {
            .ud = srv, .store_changed = api_changed, .check_activate = api_check_activate};
        sl_api_handle(st, &hooks, &cn->req, resp);
        return true;
    }
    if (!strcmp(p, "/healthz") || !strcmp(p, "/healthz/readiness")) {
        cn->route = "healthz";
        health(srv, p[8] == '/', resp);
        return true;
    }
    if (!strcmp(p, "/metrics") && srv->metrics_on) {
        cn->route = "metrics";
        metrics(srv, resp);
        return true;
    }
    sl_http_resp_error(resp, 404, "Not found: %s", p);
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **ptr)
{
    struct sl_httpd *h = cls;
    struct conn *cn = *ptr;
    if (!cn) {
        cn = sl_calloc(1, sizeof *cn);
        cn->c = c;
        cn->route = "other";
        *ptr = cn;
        fill_request(cn, c, url, method);
        const char *cl = sl_http_req_header(&cn->req, "content-length");
        if (cl && strtoull(cl, NULL, 10) > h->srv->payload_max)
            cn->too_big = true;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!cn->too_big && cn->body.len + *upload_data_size > h->srv->payload_max)
            cn->too_big = true;
        if (!cn->too_big)
            sl_buf_add(&cn->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct sl_http_resp resp = {0};
    if (cn->started) { /* resumed: the execution answered */
        unlist(h, cn);
        if (!sl_pending_take(cn->pending, &resp))
            sl_http_resp_error(&resp, 500, "no answer");
        return send_resp(h, cn, &resp);
    }
    cn->started = true;
    if (cn->too_big) {
        sl_http_resp_error(&resp, 413, "The request body is larger than %zu bytes",
                           h->srv->payload_max);
        return send_resp(h, cn, &resp);
    }
    cn->req.body = cn->body.data;
    cn->req.body_len = cn->body.len;
    if (route(h, cn, &resp))
        return send_resp(h, cn, &resp);
    /* Suspend first, then arm: the answer may come on another thread at
     * any moment, and libmicrohttpd may only be asked to resume a
     * connection that is suspended. Answered already: resume at once. */
    pthread_mutex_lock(&h->lock);
    cn->listed = true;
    cn->prev = NULL;
    cn->next = h->suspended;
    if (h->suspended)
        h->suspended->prev = cn;
    h->suspended = cn;
    h->n_suspended++;
    MHD_suspend_connection(c);
    pthread_mutex_unlock(&h->lock);
    if (!sl_pending_arm(cn->pending))
        MHD_resume_connection(c);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ptr,
                         enum MHD_RequestTerminationCode toe)
{
    struct sl_httpd *h = cls;
    /* A resumed request whose client went away ends here without the
     * handler running again: take it off the suspended list first. */
    if (*ptr) {
        unlist(h, *ptr);
        conn_free(*ptr);
    }
    *ptr = NULL;
}

struct sl_httpd *sl_httpd_start(struct sl_server *srv, const char *host, int port, char *err,
                                size_t errlen)
{
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "SLUICE_HOST '%s' is not an IPv4 address", host);
        return NULL;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct sl_httpd *h = sl_calloc(1, sizeof *h);
    h->srv = srv;
    pthread_mutex_init(&h->lock, NULL);
    h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                                MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
                            (uint16_t)port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
                            (unsigned)(cpus > 0 ? cpus : 2), MHD_OPTION_NOTIFY_COMPLETED,
                            on_completed, h, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
    if (!h->d) {
        snprintf(err, errlen, "cannot listen on %s:%d (in use, or not allowed)", host, port);
        free(h);
        return NULL;
    }
    return h;
}

void sl_httpd_stop(struct sl_httpd *h)
{
    if (!h)
        return;
    /* libmicrohttpd aborts when stopped with suspended connections */
    pthread_mutex_lock(&h->lock);
    for (struct conn *cn = h->suspended; cn; cn = cn->next)
        sl_pending_shutdown(cn->pending);
    pthread_mutex_unlock(&h->lock);
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&h->lock);
        int n = h->n_suspended;
        pthread_mutex_unlock(&h->lock);
        if (!n)
            break;
        usleep(10000);
    }
    MHD_stop_daemon(h->d);
    pthread_mutex_destroy(&h->lock);
    free(h);
}
