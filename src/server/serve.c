/*
 * `sluice serve` (see serve.h and docs/serve.md): settings, start-up
 * recovery, the snapshot of active workflows, the main loop (signals,
 * store changes, queued rows, parked executions, pruning) and the drain on
 * SIGTERM.
 */
#include "server/serve.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/dispatch.h"
#include "server/metrics.h"
#include "server/serve_int.h"
#include "server/webhook.h"
#include "store/store.h"
#include "store/writer.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/log.h"

static long long env_int(const char *name, long long dflt, long long min, long long max)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || n < min || n > max) {
        fprintf(stderr, "sluice: %s='%s' is not a whole number from %lld to %lld; using %lld\n",
                name, v, min, max, dflt);
        return dflt;
    }
    return n;
}

/* ------------------------------------------------------------ snapshot */

static void snapshot_free(struct sl_snapshot *s)
{
    json_decref(s->workflows);
    sl_webhook_table_free(s->live);
    sl_webhook_table_free(s->test);
    free(s);
}

struct sl_snapshot *sl_snapshot_get(struct sl_server *srv)
{
    pthread_mutex_lock(&srv->snap_lock);
    struct sl_snapshot *s = srv->snap;
    s->refs++;
    pthread_mutex_unlock(&srv->snap_lock);
    return s;
}

void sl_snapshot_put(struct sl_server *srv, struct sl_snapshot *s)
{
    pthread_mutex_lock(&srv->snap_lock);
    bool last = --s->refs == 0;
    pthread_mutex_unlock(&srv->snap_lock);
    if (last)
        snapshot_free(s);
}

/* Re-reads the workflows and swaps in their webhooks. */
static int reload(struct sl_server *srv)
{
    json_t *docs = NULL;
    if (sl_store_workflow_list(srv->store, false, NULL, 0, &docs)) {
        sl_log(SL_LOG_ERROR, "cannot read the workflows", "error", sl_store_errmsg(srv->store),
               NULL);
        return -1;
    }
    struct sl_snapshot *s = sl_calloc(1, sizeof *s);
    s->refs = 1;
    s->workflows = json_object();
    s->live = sl_webhook_table_new();
    s->test = sl_webhook_table_new();
    size_t i;
    json_t *doc;
    json_array_foreach(docs, i, doc)
    {
        const char *id = json_string_value(json_object_get(doc, "id"));
        if (!id)
            continue;
        json_object_set_new(
            s->workflows, id,
            json_pack("{s:O,s:O}", "doc", doc, "version", json_object_get(doc, "versionCounter")));
        struct sl_error err = {{0}};
        if (sl_webhook_table_add(s->test, id, doc, &err))
            sl_log(SL_LOG_DEBUG, "test webhook not registered", "workflow", id, "error", err.msg,
                   NULL);
        if (!json_is_true(json_object_get(doc, "active")))
            continue;
        s->n_active++;
        if (sl_webhook_table_add(s->live, id, doc, &err))
            sl_log(SL_LOG_ERROR, "active workflow's webhooks not registered", "workflow", id,
                   "error", err.msg, NULL);
    }
    json_decref(docs);
    pthread_mutex_lock(&srv->snap_lock);
    struct sl_snapshot *old = srv->snap;
    srv->snap = s;
    pthread_mutex_unlock(&srv->snap_lock);
    if (old)
        sl_snapshot_put(srv, old);
    return 0;
}

/* ---------------------------------------------------------------- store */

static void close_thread_store(void *st)
{
    sl_store_close(st);
}

struct sl_store *sl_server_thread_store(struct sl_server *srv)
{
    struct sl_store *st = pthread_getspecific(srv->store_key);
    if (st)
        return st;
    struct sl_error err = {{0}};
    st = sl_store_open(srv->data_dir, &err);
    if (!st) {
        sl_log(SL_LOG_ERROR, "cannot open the store", "error", err.msg, NULL);
        return NULL;
    }
    pthread_setspecific(srv->store_key, st);
    return st;
}

/* Reads what resuming parked execution `id` needs (dispatch tick). */
static int load_parked(void *ud, int64_t id, const char *workflow_id, json_t **doc,
                       int64_t *version, json_t **state)
{
    struct sl_server *srv = ud;
    if (sl_store_exec_state_get(srv->store, id, state) || !*state)
        return -1;
    if (sl_store_workflow_get(srv->store, workflow_id, doc)) {
        json_decref(*state);
        *state = NULL;
        return -1;
    }
    *version = json_integer_value(json_object_get(*doc, "versionCounter"));
    return 0;
}

/* How many crash re-runs led to execution `id` (its retryOf chain). */
static int crash_chain(struct sl_store *st, int64_t id)
{
    int n = 0;
    struct sl_store_exec e = {0};
    while (id && n < 100 && !sl_store_exec_get(st, id, &e)) {
        id = e.retry_of;
        bool crashed = e.status && !strcmp(e.status, SL_ST_CRASHED);
        sl_store_exec_release(&e);
        if (id && crashed)
            n++;
        else if (!crashed)
            break;
    }
    return n;
}

/* Start-up: executions left running by a stop become crashed and are
 * queued again when their workflow allows; parked ones are tracked. */
static void recover(struct sl_server *srv, int crash_retries)
{
    json_t *ids = NULL;
    size_t i;
    json_t *v;
    if (!sl_store_exec_ids_in(srv->store, SL_ST_RUNNING, &ids)) {
        json_array_foreach(ids, i, v)
        {
            int64_t id = json_integer_value(v);
            struct sl_store_exec e = {0};
            if (sl_store_exec_get(srv->store, id, &e))
                continue;
            free(e.status);
            e.status = sl_strdup(SL_ST_CRASHED);
            free(e.error);
            e.error = sl_strdup("the server stopped while this execution ran");
            e.stopped_ms = sl_clock_wall_ms();
            int rc = sl_store_exec_update(srv->store, &e);
            json_t *doc = NULL;
            bool allowed = false;
            if (!rc && !sl_store_workflow_get(srv->store, e.workflow_id, &doc))
                allowed =
                    sl_dispatch_retries_crashed(doc) && crash_chain(srv->store, id) < crash_retries;
            json_decref(doc);
            int64_t new_id = 0;
            char sid[32], snew[32];
            snprintf(sid, sizeof sid, "%lld", (long long)id);
            if (allowed && !sl_store_exec_retry(srv->store, id, &new_id)) {
                snprintf(snew, sizeof snew, "%lld", (long long)new_id);
                sl_log(SL_LOG_WARN, "execution crashed with the server; queued again", "exec", sid,
                       "retry", snew, NULL);
            } else {
                sl_log(SL_LOG_WARN, "execution crashed with the server", "exec", sid, NULL);
            }
            sl_store_exec_release(&e);
        }
        json_decref(ids);
    }
    ids = NULL;
    if (!sl_store_exec_ids_in(srv->store, SL_ST_WAITING, &ids)) {
        json_array_foreach(ids, i, v)
        {
            struct sl_store_exec e = {0};
            if (sl_store_exec_get(srv->store, json_integer_value(v), &e))
                continue;
            sl_dispatch_park(srv->dispatch, e.id, e.workflow_id, e.wait_till_ms);
            sl_store_exec_release(&e);
        }
        json_decref(ids);
    }
}

/* Runs rows queued as new by others (the CLI, the API's retry, a previous
 * run of the server) that this server does not run yet. */
static void run_queued(struct sl_server *srv)
{
    json_t *ids = NULL;
    if (sl_store_exec_ids_in(srv->store, SL_ST_NEW, &ids))
        return;
    struct sl_snapshot *snap = sl_snapshot_get(srv);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        int64_t id = json_integer_value(v);
        if (!sl_dispatch_claim(srv->dispatch, id))
            continue;
        struct sl_store_exec e = {0};
        json_t *input = NULL;
        /* claimed, so the dispatcher has no job for it; still new? */
        if (sl_store_exec_get(srv->store, id, &e) || strcmp(e.status, SL_ST_NEW)) {
            sl_store_exec_release(&e);
            sl_dispatch_unclaim(srv->dispatch, id);
            continue;
        }
        json_t *entry = json_object_get(snap->workflows, e.workflow_id);
        if (!entry || sl_store_exec_input(srv->store, id, &input)) {
            free(e.status);
            e.status = sl_strdup(SL_ST_ERROR);
            free(e.error);
            e.error = sl_strdup(entry ? "its input was not kept" : "its workflow no longer exists");
            e.stopped_ms = sl_clock_wall_ms();
            if (sl_store_exec_update(srv->store, &e))
                sl_log(SL_LOG_ERROR, "cannot update an execution", "error",
                       sl_store_errmsg(srv->store), NULL);
            sl_store_exec_release(&e);
            continue;
        }
        struct sl_job_spec spec = {
            .workflow_id = e.workflow_id,
            .doc = json_object_get(entry, "doc"),
            .version = json_integer_value(json_object_get(entry, "version")),
            .mode = e.mode,
            .start_node = json_string_value(json_object_get(input, "startNode")),
            .items = json_object_get(input, "items"),
            .exec_id = id,
            .retry_of = e.retry_of,
        };
        struct sl_error err = {{0}};
        if (sl_dispatch_submit(srv->dispatch, &spec, NULL, &err)) {
            sl_dispatch_unclaim(srv->dispatch, id); /* the next scan tries again */
            sl_log(SL_LOG_DEBUG, "a queued execution waits for capacity", "error", err.msg, NULL);
        }
        json_decref(input);
        sl_store_exec_release(&e);
    }
    sl_snapshot_put(srv, snap);
    json_decref(ids);
}

struct prune_arg {
    int64_t age_h, count, n;
};

static int prune_fn(struct sl_store *st, void *arg)
{
    struct prune_arg *p = arg;
    return sl_store_prune(st, p->age_h, p->count, &p->n);
}

static void prune_done(void *arg, int rc)
{
    struct prune_arg *p = arg;
    if (p->n) {
        char n[32];
        snprintf(n, sizeof n, "%lld", (long long)p->n);
        sl_log(SL_LOG_INFO, "pruned old executions", "count", n, NULL);
    }
    free(p);
}

/* ----------------------------------------------------------------- main */

int sl_serve_main(const char *host, int port)
{
    sl_log_init();
    /* many threads allocate and free request-sized blocks: without this,
     * glibc gives memory back to the kernel (madvise) again and again */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    if (!host)
        host =
            getenv("SLUICE_HOST") && *getenv("SLUICE_HOST") ? getenv("SLUICE_HOST") : "127.0.0.1";
    if (!port)
        port = (int)env_int("SLUICE_PORT", 5678, 1, 65535);
    struct sl_server srv_s = {0}, *srv = &srv_s;
    srv->payload_max = (size_t)env_int("SLUICE_PAYLOAD_SIZE_MAX", 16 << 20, 1, 1LL << 32);
    const char *m = getenv("SLUICE_METRICS");
    srv->metrics_on = !m || strcmp(m, "false");
    srv->shutdown_timeout_s = (int)env_int("SLUICE_GRACEFUL_SHUTDOWN_TIMEOUT", 30, 0, 86400);
    srv->prune_max_age_h = env_int("SLUICE_EXECUTIONS_PRUNE_MAX_AGE_H", 336, 0, 1LL << 40);
    srv->prune_max_count = env_int("SLUICE_EXECUTIONS_PRUNE_MAX_COUNT", 10000, 0, 1LL << 40);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct sl_dispatch_conf dc = {
        .workers = (int)env_int("SLUICE_WORKERS", cpus > 0 ? cpus : 1, 1, 256),
        .worker_threads = (int)env_int("SLUICE_WORKER_CONCURRENCY", 8, 1, 1024),
        .queue_max = (int)env_int("SLUICE_QUEUE_MAX", 1000, 0, 1 << 24),
        .crash_retries = (int)env_int("SLUICE_CRASH_RETRIES", 3, 0, 100),
    };
    dc.concurrency_limit =
        (int)env_int("SLUICE_CONCURRENCY_LIMIT", dc.workers * dc.worker_threads, 1, 1 << 20);

    /* signals are taken by the main loop only */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    int64_t t0 = (int64_t)sl_clock_mono_us();
    struct sl_error err = {{0}};
    srv->store = sl_store_open(NULL, &err);
    if (!srv->store) {
        fprintf(stderr, "sluice serve: %s\n", err.msg);
        return 1;
    }
    srv->data_dir = sl_strdup(sl_store_data_dir(srv->store));
    struct sl_store *wst = sl_store_open(srv->data_dir, &err);
    if (!wst) {
        fprintf(stderr, "sluice serve: %s\n", err.msg);
        sl_store_close(srv->store);
        return 1;
    }
    pthread_mutex_init(&srv->snap_lock, NULL);
    pthread_key_create(&srv->store_key, close_thread_store);
    srv->writer = sl_writer_new(wst, 0);
    srv->metrics = sl_metrics_new();
    /* read before the workflows, so a change made meanwhile is not missed */
    int64_t wf_changes = -1;
    if (sl_store_workflows_changes(srv->store, &wf_changes))
        wf_changes = -1;
    if (reload(srv)) {
        fprintf(stderr, "sluice serve: cannot read the workflows: %s\n",
                sl_store_errmsg(srv->store));
        return 1;
    }
    srv->dispatch = sl_dispatch_new(&dc, srv->writer, srv->metrics, &err);
    if (!srv->dispatch) {
        fprintf(stderr, "sluice serve: %s\n", err.msg);
        return 1;
    }
    recover(srv, dc.crash_retries);
    char herr[256];
    struct sl_httpd *httpd = sl_httpd_start(srv, host, port, herr, sizeof herr);
    if (!httpd) {
        fprintf(stderr, "sluice serve: %s\n", herr);
        sl_dispatch_free(srv->dispatch);
        return 1;
    }
    srv->ready = true;
    char addr[300], workers[16], ms[32];
    snprintf(addr, sizeof addr, "http://%s:%d", host, port);
    snprintf(workers, sizeof workers, "%d", dc.workers);
    snprintf(ms, sizeof ms, "%.1f", (double)((int64_t)sl_clock_mono_us() - t0) / 1000.0);
    sl_log(SL_LOG_INFO, "sluice serve listening", "url", addr, "data", srv->data_dir, "workers",
           workers, "startup_ms", ms, NULL);
    int64_t version = 0, last_prune = 0;
    if (sl_store_data_version(srv->store, &version))
        version = 0;
    run_queued(srv);
    int64_t last_scan = sl_clock_wall_ms();
    struct sl_scheduler *sched = sl_scheduler_new();
    struct sl_snapshot *snap = sl_snapshot_get(srv);
    sl_scheduler_load(sched, snap->workflows);
    sl_snapshot_put(srv, snap);
    int64_t due = sl_scheduler_fire(sched, srv, sl_clock_wall_ms());
    for (;;) {
        /* sleep until the next time trigger, a signal, or 200 ms */
        int64_t wait_ms = 200, now = sl_clock_wall_ms();
        if (due >= 0 && due - now < wait_ms)
            wait_ms = due > now ? due - now : 0;
        struct timespec ts = {wait_ms / 1000, (long)(wait_ms % 1000) * 1000000};
        int sig = sigtimedwait(&sigs, NULL, &ts);
        if (sig == SIGTERM || sig == SIGINT)
            break;
        now = sl_clock_wall_ms();
        /* another connection committed: executions queued by others, and
         * perhaps workflows (their own counter tells) */
        int64_t v = version, w = wf_changes;
        bool committed = !sl_store_data_version(srv->store, &v) && v != version;
        version = v;
        bool changed = srv->changed;
        if (committed && !sl_store_workflows_changes(srv->store, &w) && w != wf_changes)
            changed = true;
        if (committed || changed || now - last_scan > 5000) {
            srv->changed = 0;
            wf_changes = w;
            if (changed && !reload(srv)) {
                snap = sl_snapshot_get(srv);
                sl_scheduler_load(sched, snap->workflows);
                sl_snapshot_put(srv, snap);
            }
            run_queued(srv);
            last_scan = now;
        }
        due = sl_scheduler_fire(sched, srv, now);
        sl_dispatch_tick(srv->dispatch, load_parked, srv);
        if (now - last_prune > 3600 * 1000) {
            struct prune_arg *p = sl_calloc(1, sizeof *p);
            p->age_h = srv->prune_max_age_h;
            p->count = srv->prune_max_count;
            sl_writer_submit(srv->writer, prune_fn, prune_done, p);
            last_prune = now;
        }
    }
    srv->draining = 1;
    sl_scheduler_free(sched);
    char tmo[16];
    snprintf(tmo, sizeof tmo, "%d", srv->shutdown_timeout_s);
    sl_log(SL_LOG_INFO, "shutting down: draining executions", "timeout_s", tmo, NULL);
    int left = sl_dispatch_drain(srv->dispatch, srv->shutdown_timeout_s);
    if (left) {
        char n[16];
        snprintf(n, sizeof n, "%d", left);
        sl_log(SL_LOG_WARN,
               "executions still running at the timeout; they run again at the next "
               "start",
               "count", n, NULL);
    }
    sl_httpd_stop(httpd);
    sl_dispatch_free(srv->dispatch);
    sl_writer_free(srv->writer);
    sl_metrics_free(srv->metrics);
    sl_snapshot_put(srv, srv->snap);
    struct sl_store *own = pthread_getspecific(srv->store_key);
    if (own)
        sl_store_close(own);
    sl_store_close(srv->store);
    free(srv->data_dir);
    sl_log(SL_LOG_INFO, "sluice serve stopped", NULL);
    return 0;
}
