/*
 * The dispatcher (see dispatch.h). One mutex guards the job lists; store
 * writes and callbacks happen outside it. Jobs in flight are few (at most
 * the concurrency limit), so they live in a plain list.
 */
#include "server/dispatch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/metrics.h"
#include "server/workers.h"
#include "store/store.h"
#include "store/writer.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/log.h"

struct job {
    int64_t id; /* job id: the execution id */
    char *workflow_id;
    json_t *doc;
    int64_t version;
    char *mode;
    char *start_node;
    json_t *items;
    char *response_mode;
    int64_t retry_of;
    int attempt; /* crash re-runs so far in this chain */
    bool save_success, save_error;
    json_t *state; /* resume: the parked state */
    int worker;    /* -1 while queued */
    int64_t queued_ms, started_ms;
    bool responded;
    bool input_kept; /* its row's input is stored */
    void (*on_response)(void *ud, const json_t *response);
    void (*on_done)(void *ud, const struct sl_job_result *res);
    void *ud;
    struct job *next;
};

struct parked {
    int64_t exec_id;
    char *workflow_id;
    int64_t till_ms;
    struct parked *next;
};

struct sl_dispatch {
    struct sl_dispatch_conf conf;
    struct sl_writer *writer;
    struct sl_metrics *metrics;
    struct sl_workers *workers;
    pthread_mutex_t lock;
    pthread_cond_t idle; /* signalled when a running job ends (drain) */
    struct job *running;
    int n_running;
    struct job *qhead, *qtail;
    int n_queued;
    int n_submitting; /* accepted, row being written: drain waits for them */
    int n_finishing;  /* ended, being stored and answered: likewise */
    struct parked *parked;
    int n_parked;
    int *load; /* running jobs per worker */
    bool draining;
    /* which workflow versions each worker has parsed: "id@version" */
    json_t **sent;
    /* ids of the executions this dispatcher runs or queues (as strings):
     * the scan for rows queued by others skips them */
    json_t *claimed;
    pthread_mutex_t id_lock;
    int64_t id_next, id_end; /* the reserved block of execution ids */
};

#define ID_BLOCK 1000

/* ----------------------------------------------------------- save policy */

static bool env_all(const char *name, bool dflt)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    return !strcmp(v, "all");
}

static bool setting_all(const json_t *settings, const char *key, bool dflt)
{
    const json_t *v = json_object_get(settings, key);
    if (json_is_boolean(v))
        return json_is_true(v);
    const char *s = json_string_value(v);
    if (!s || !strcmp(s, "DEFAULT"))
        return dflt;
    return !strcmp(s, "all");
}

static void save_policy(struct job *j)
{
    const json_t *settings = json_object_get(j->doc, "settings");
    bool manual = !strcmp(j->mode, "manual");
    if (manual) {
        bool m = setting_all(settings, "saveManualExecutions",
                             env_all("SLUICE_EXECUTIONS_DATA_SAVE_MANUAL", true));
        j->save_success = j->save_error = m;
        return;
    }
    j->save_success = setting_all(settings, "saveDataSuccessExecution",
                                  env_all("SLUICE_EXECUTIONS_DATA_SAVE_ON_SUCCESS", false));
    j->save_error = setting_all(settings, "saveDataErrorExecution",
                                env_all("SLUICE_EXECUTIONS_DATA_SAVE_ON_ERROR", true));
}

bool sl_dispatch_retries_crashed(const json_t *doc)
{
    const json_t *sl = json_object_get(json_object_get(doc, "settings"), "sluice");
    return !json_is_false(json_object_get(sl, "retryCrashed"));
}

/* ---------------------------------------------------------------- jobs */

static void job_free(struct job *j)
{
    if (!j)
        return;
    free(j->workflow_id);
    json_decref(j->doc);
    free(j->mode);
    free(j->start_node);
    json_decref(j->items);
    free(j->response_mode);
    json_decref(j->state);
    free(j);
}

static struct job *job_from_spec(const struct sl_job_spec *s)
{
    struct job *j = sl_calloc(1, sizeof *j);
    j->workflow_id = sl_strdup(s->workflow_id);
    j->doc = json_incref((json_t *)s->doc);
    j->version = s->version;
    j->mode = sl_strdup(s->mode ? s->mode : "trigger");
    j->start_node = s->start_node ? sl_strdup(s->start_node) : NULL;
    j->items = s->items ? json_incref((json_t *)s->items) : NULL;
    j->response_mode = s->response_mode ? sl_strdup(s->response_mode) : NULL;
    j->retry_of = s->retry_of;
    j->worker = -1;
    j->queued_ms = sl_clock_wall_ms();
    j->on_response = s->on_response;
    j->on_done = s->on_done;
    j->ud = s->ud;
    save_policy(j);
    return j;
}

static json_t *job_input(const struct job *j)
{
    json_t *in = json_object();
    if (j->start_node)
        json_object_set_new(in, "startNode", json_string(j->start_node));
    if (j->items)
        json_object_set(in, "items", j->items);
    if (j->response_mode)
        json_object_set_new(in, "responseMode", json_string(j->response_mode));
    return in;
}

/* ------------------------------------------------------- store writes */

struct ins {
    struct sl_store_exec e;
    json_t *input;
    char msg[256];
};

static int ins_fn(struct sl_store *st, void *arg)
{
    struct ins *in = arg;
    int rc = sl_store_exec_insert(st, &in->e, in->input);
    if (rc) {
        snprintf(in->msg, sizeof in->msg, "%s", sl_store_errmsg(st));
        sl_log(SL_LOG_ERROR, "cannot store an execution", "error", in->msg, NULL);
    }
    return rc;
}

static void ins_free(void *arg, int rc)
{
    struct ins *in = arg;
    json_decref(in->input);
    free(in);
}

static void ins_owned_free(void *arg, int rc)
{
    struct ins *in = arg;
    free(in->e.workflow_id);
    free(in->e.mode);
    ins_free(in, rc);
}

struct reserve {
    int64_t n, first;
};

static int reserve_fn(struct sl_store *st, void *arg)
{
    struct reserve *r = arg;
    return sl_store_exec_reserve_ids(st, r->n, &r->first);
}

/* The next execution id, from a block reserved in the store (so that no
 * request waits for the store to learn its id). */
static int next_id(struct sl_dispatch *d, int64_t *id)
{
    pthread_mutex_lock(&d->id_lock);
    int rc = 0;
    if (d->id_next >= d->id_end) {
        struct reserve r = {ID_BLOCK, 0};
        rc = sl_writer_run(d->writer, reserve_fn, &r);
        if (!rc) {
            d->id_next = r.first;
            d->id_end = r.first + r.n;
        }
    }
    if (!rc)
        *id = d->id_next++;
    pthread_mutex_unlock(&d->id_lock);
    return rc;
}

/* Writes the row of job `j` with `status` under a new id (j->id). A
 * durable job returns once the row is committed; the others go on while
 * the writer stores it (its later updates queue behind it). */
static int insert_row(struct sl_dispatch *d, struct job *j, const char *status, bool durable,
                      struct sl_error *err)
{
    if (next_id(d, &j->id)) {
        sl_error_set(err, "the store cannot hand out execution ids");
        return SL_ERR_IO;
    }
    sl_dispatch_claim(d, j->id);
    struct ins *in = sl_calloc(1, sizeof *in);
    in->e.id = j->id;
    in->e.workflow_id = j->workflow_id;
    in->e.mode = j->mode;
    in->e.status = (char *)status;
    in->e.created_ms = j->queued_ms;
    in->e.started_ms = !strcmp(status, SL_ST_RUNNING) ? j->queued_ms : 0;
    in->e.retry_of = j->retry_of;
    /* a job whose client waits for the answer owes nothing after a crash:
     * its input is kept only if it does not succeed (write_end) */
    j->input_kept = durable || !j->response_mode;
    in->input = j->input_kept ? job_input(j) : NULL;
    if (!durable) {
        /* the strings are the job's, which outlives the write only if
         * copied: the writer may run after the job ended */
        in->e.workflow_id = sl_strdup(j->workflow_id);
        in->e.mode = sl_strdup(j->mode);
        sl_writer_submit(d->writer, ins_fn, ins_owned_free, in);
        return 0;
    }
    int rc = sl_writer_run(d->writer, ins_fn, in);
    if (rc) {
        sl_error_set(err, "the execution could not be stored: %s",
                     in->msg[0] ? in->msg : "commit failed");
        sl_dispatch_unclaim(d, j->id);
    }
    ins_free(in, 0);
    return rc;
}

struct fin {
    struct sl_dispatch *d;
    bool unclaim; /* the row leaves status new/running: release its id after the commit */
    struct sl_store_exec e;
    json_t *node_runs, *data, *state, *input;
    bool set_state;
};

static int fin_fn(struct sl_store *st, void *arg)
{
    struct fin *f = arg;
    int rc = sl_store_exec_update(st, &f->e);
    if (!rc && f->input)
        rc = sl_store_exec_input_put(st, f->e.id, f->input);
    if (!rc && f->node_runs && json_array_size(f->node_runs))
        rc = sl_store_node_runs_put(st, f->e.id, f->node_runs);
    if (!rc && f->data)
        rc = sl_store_exec_data_put(st, f->e.id, f->data);
    if (!rc && f->set_state)
        rc = sl_store_exec_state_put(st, f->e.id, f->state);
    if (rc)
        sl_log(SL_LOG_ERROR, "cannot store the end of an execution", "error", sl_store_errmsg(st),
               NULL);
    return rc;
}

static void fin_done(void *arg, int rc)
{
    struct fin *f = arg;
    /* only now may the scan for queued rows look at it again: before the
     * commit it could still read the row as new */
    if (f->unclaim)
        sl_dispatch_unclaim(f->d, f->e.id);
    free(f->e.workflow_id);
    free(f->e.mode);
    free(f->e.status);
    free(f->e.error);
    free(f->e.error_node);
    free(f->e.worker);
    json_decref(f->node_runs);
    json_decref(f->data);
    json_decref(f->state);
    json_decref(f->input);
    free(f);
}

/* Queues the update of job `j`'s row (status and what comes with it). */
static void write_end(struct sl_dispatch *d, const struct job *j, const char *status,
                      const char *error, const char *error_node, json_t *node_runs, json_t *data,
                      json_t *state, int64_t wait_till)
{
    struct fin *f = sl_calloc(1, sizeof *f);
    f->d = d;
    f->e.id = j->id;
    f->e.workflow_id = sl_strdup(j->workflow_id);
    f->e.mode = sl_strdup(j->mode);
    f->e.status = sl_strdup(status);
    f->e.created_ms = j->queued_ms;
    f->e.started_ms = j->started_ms;
    bool final =
        strcmp(status, SL_ST_RUNNING) && strcmp(status, SL_ST_NEW) && strcmp(status, SL_ST_WAITING);
    f->e.stopped_ms = final ? sl_clock_wall_ms() : 0;
    f->unclaim = final || !strcmp(status, SL_ST_WAITING);
    f->e.wait_till_ms = wait_till;
    f->e.retry_of = j->retry_of;
    f->e.error = error ? sl_strdup(error) : NULL;
    f->e.error_node = error_node ? sl_strdup(error_node) : NULL;
    if (j->worker >= 0)
        f->e.worker = sl_asprintf("w%d/pid %d", j->worker, sl_workers_pid(d->workers, j->worker));
    f->node_runs = node_runs;
    f->data = data;
    f->state = state;
    /* a parked state is stored, or dropped when the resumed job ends */
    f->set_state =
        state || (j->state && (!strcmp(status, SL_ST_SUCCESS) || !strcmp(status, SL_ST_ERROR)));
    if (final && strcmp(status, SL_ST_SUCCESS) && !j->input_kept)
        f->input = job_input(j); /* for a retry */
    sl_writer_submit(d->writer, fin_fn, fin_done, f);
}

/* ------------------------------------------------------------ running */

/* The least busy worker that is up and has a free thread, or -1. Lock held. */
static int pick_worker(struct sl_dispatch *d)
{
    int best = -1;
    for (int i = 0; i < d->conf.workers; i++) {
        if (d->load[i] >= d->conf.worker_threads || !sl_workers_is_up(d->workers, i))
            continue;
        if (best < 0 || d->load[i] < d->load[best])
            best = i;
    }
    return best;
}

/* Sends job `j` to worker `w`. Lock held; on failure returns nonzero and
 * leaves the job unassigned. */
static int send_job(struct sl_dispatch *d, struct job *j, int w)
{
    char key[256];
    snprintf(key, sizeof key, "%s@%lld", j->workflow_id, (long long)j->version);
    bool known = json_object_get(d->sent[w], key) != NULL;
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)j->id);
    json_t *msg = json_pack("{s:s,s:I,s:s,s:s,s:I,s:s,s:b,s:b}", "t", j->state ? "resume" : "run",
                            "job", (json_int_t)j->id, "execution", id, "workflowId", j->workflow_id,
                            "version", (json_int_t)j->version, "mode", j->mode, "saveSuccess",
                            j->save_success, "saveError", j->save_error);
    if (!known)
        json_object_set(msg, "workflow", j->doc);
    if (j->start_node)
        json_object_set_new(msg, "startNode", json_string(j->start_node));
    if (j->items)
        json_object_set(msg, "items", j->items);
    if (j->response_mode)
        json_object_set_new(msg, "responseMode", json_string(j->response_mode));
    if (j->state)
        json_object_set(msg, "state", j->state);
    int rc = sl_workers_send(d->workers, w, msg);
    json_decref(msg);
    if (rc)
        return rc;
    if (!known) {
        if (json_object_size(d->sent[w]) > 1000)
            json_object_clear(d->sent[w]);
        json_object_set_new(d->sent[w], key, json_true());
    }
    j->worker = w;
    j->started_ms = sl_clock_wall_ms();
    d->load[w]++;
    j->next = d->running;
    d->running = j;
    d->n_running++;
    return 0;
}

/* Starts queued jobs while there are free slots. Lock held. Jobs that
 * change from queued to running have their rows updated. */
static void pump(struct sl_dispatch *d)
{
    while (d->qhead && d->n_running < d->conf.concurrency_limit) {
        int w = pick_worker(d);
        if (w < 0)
            return;
        struct job *j = d->qhead;
        d->qhead = j->next;
        if (!d->qhead)
            d->qtail = NULL;
        d->n_queued--;
        j->next = NULL;
        if (send_job(d, j, w)) {
            j->next = d->qhead; /* back to the front; the worker is going down */
            d->qhead = j;
            if (!d->qtail)
                d->qtail = j;
            d->n_queued++;
            return;
        }
        write_end(d, j, SL_ST_RUNNING, NULL, NULL, NULL, NULL, NULL, 0);
    }
}

static void enqueue(struct sl_dispatch *d, struct job *j)
{
    j->next = NULL;
    if (d->qtail)
        d->qtail->next = j;
    else
        d->qhead = j;
    d->qtail = j;
    d->n_queued++;
}

int sl_dispatch_submit(struct sl_dispatch *d, const struct sl_job_spec *spec, int64_t *exec_id,
                       struct sl_error *err)
{
    pthread_mutex_lock(&d->lock);
    bool full = d->draining ||
                (d->n_running >= d->conf.concurrency_limit && d->n_queued >= d->conf.queue_max);
    bool slot = d->n_running < d->conf.concurrency_limit && !d->qhead;
    if (!full) {
        d->n_queued++; /* reserve the place while the row is written */
        d->n_submitting++;
    }
    pthread_mutex_unlock(&d->lock);
    if (full) {
        sl_error_set(err,
                     d->draining ? "the server is shutting down" : "the server is at capacity");
        return SL_ERR_BUSY;
    }
    struct job *j = job_from_spec(spec);
    int rc = 0;
    if (spec->exec_id > 0)
        j->id = spec->exec_id;
    else
        rc = insert_row(d, j, slot ? SL_ST_RUNNING : SL_ST_NEW, spec->durable, err);
    pthread_mutex_lock(&d->lock);
    d->n_queued--;
    if (--d->n_submitting == 0)
        pthread_cond_broadcast(&d->idle);
    if (rc) {
        pthread_mutex_unlock(&d->lock);
        job_free(j);
        return SL_ERR_IO;
    }
    if (exec_id)
        *exec_id = j->id;
    int w = d->n_running < d->conf.concurrency_limit && !d->qhead ? pick_worker(d) : -1;
    if (w < 0 || send_job(d, j, w)) {
        enqueue(d, j);
        if (slot) /* the row says running, but it waits for a worker */
            write_end(d, j, SL_ST_NEW, NULL, NULL, NULL, NULL, NULL, 0);
    } else if (!slot || spec->exec_id > 0) {
        write_end(d, j, SL_ST_RUNNING, NULL, NULL, NULL, NULL, NULL, 0);
    }
    pthread_mutex_unlock(&d->lock);
    return 0;
}

/* A job taken off the running list has been answered and stored. */
static void ended(struct sl_dispatch *d, int n)
{
    pthread_mutex_lock(&d->lock);
    d->n_finishing -= n;
    pthread_cond_broadcast(&d->idle);
    pump(d);
    pthread_mutex_unlock(&d->lock);
}

/* Removes the running job `id` from the list; NULL when unknown. Lock held. */
static struct job *take_running(struct sl_dispatch *d, int64_t id)
{
    for (struct job **p = &d->running; *p; p = &(*p)->next) {
        if ((*p)->id == id) {
            struct job *j = *p;
            *p = j->next;
            j->next = NULL;
            d->n_running--;
            d->n_finishing++; /* until ended(): drain waits for its answer */
            if (j->worker >= 0)
                d->load[j->worker]--;
            return j;
        }
    }
    return NULL;
}

void sl_dispatch_unclaim(struct sl_dispatch *d, int64_t id)
{
    char key[32];
    snprintf(key, sizeof key, "%lld", (long long)id);
    pthread_mutex_lock(&d->lock);
    json_object_del(d->claimed, key);
    pthread_mutex_unlock(&d->lock);
}

bool sl_dispatch_claim(struct sl_dispatch *d, int64_t id)
{
    char key[32];
    snprintf(key, sizeof key, "%lld", (long long)id);
    pthread_mutex_lock(&d->lock);
    bool fresh = !json_object_get(d->claimed, key);
    if (fresh)
        json_object_set_new(d->claimed, key, json_true());
    pthread_mutex_unlock(&d->lock);
    return fresh;
}

static void finish(struct sl_dispatch *d, struct job *j, const char *status, const char *error,
                   const json_t *items)
{
    double secs = (double)(sl_clock_wall_ms() - j->started_ms) / 1000.0;
    if (d->metrics)
        sl_metrics_execution(d->metrics, j->workflow_id, status, j->mode, secs > 0 ? secs : 0);
    if (j->on_done) {
        struct sl_job_result res = {j->id, status, error, items};
        j->on_done(j->ud, &res);
    }
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)j->id);
    sl_log(strcmp(status, SL_ST_SUCCESS) ? SL_LOG_WARN : SL_LOG_DEBUG, "execution finished", "exec",
           id, "workflow", j->workflow_id, "status", status, "error", error, NULL);
}

static void on_frame(void *ud, int w, json_t *msg)
{
    struct sl_dispatch *d = ud;
    const char *t = json_string_value(json_object_get(msg, "t"));
    int64_t id = json_integer_value(json_object_get(msg, "job"));
    if (t && !strcmp(t, "respond")) {
        pthread_mutex_lock(&d->lock);
        struct job *j = d->running;
        while (j && j->id != id)
            j = j->next;
        void (*cb)(void *, const json_t *) = j && !j->responded ? j->on_response : NULL;
        void *cud = j ? j->ud : NULL;
        if (j)
            j->responded = true;
        pthread_mutex_unlock(&d->lock);
        if (cb)
            cb(cud, json_object_get(msg, "response"));
        return;
    }
    if (!t || strcmp(t, "done"))
        return;
    pthread_mutex_lock(&d->lock);
    struct job *j = take_running(d, id);
    pthread_mutex_unlock(&d->lock);
    if (!j)
        return;
    const char *status = json_string_value(json_object_get(msg, "status"));
    if (!status)
        status = SL_ST_ERROR;
    const char *error = json_string_value(json_object_get(msg, "error"));
    json_t *runs = json_object_get(msg, "nodeRuns");
    if (d->metrics) {
        size_t k;
        json_t *r;
        json_array_foreach(runs, k, r)
        {
            sl_metrics_node(d->metrics, json_string_value(json_object_get(r, "type")),
                            (double)json_integer_value(json_object_get(r, "durationUs")) / 1e6);
        }
    }
    json_t *state = json_object_get(msg, "state");
    int64_t till = json_integer_value(json_object_get(msg, "waitTill"));
    write_end(d, j, status, error, json_string_value(json_object_get(msg, "errorNode")),
              json_incref(runs), json_incref(json_object_get(msg, "data")), json_incref(state),
              state ? till : 0);
    if (state)
        sl_dispatch_park(d, j->id, j->workflow_id, till);
    finish(d, j, status, error, json_object_get(msg, "result"));
    job_free(j);
    ended(d, 1);
}

static void on_up(void *ud, int w)
{
    struct sl_dispatch *d = ud;
    pthread_mutex_lock(&d->lock);
    json_object_clear(d->sent[w]);
    pump(d);
    pthread_mutex_unlock(&d->lock);
}

static void on_down(void *ud, int w, const char *why)
{
    struct sl_dispatch *d = ud;
    pthread_mutex_lock(&d->lock);
    json_object_clear(d->sent[w]);
    struct job *lost = NULL;
    int n_lost = 0;
    for (struct job **p = &d->running; *p;) {
        if ((*p)->worker == w) {
            struct job *j = *p;
            *p = j->next;
            d->n_running--;
            d->n_finishing++;
            d->load[w]--;
            j->next = lost;
            lost = j;
            n_lost++;
        } else {
            p = &(*p)->next;
        }
    }
    pthread_mutex_unlock(&d->lock);
    while (lost) {
        struct job *j = lost;
        lost = j->next;
        char *error = sl_asprintf("the worker running this execution %s", why);
        write_end(d, j, SL_ST_CRASHED, error, NULL, NULL, NULL, NULL, 0);
        bool again = !d->draining && sl_dispatch_retries_crashed(j->doc) &&
                     j->attempt < d->conf.crash_retries && !j->state;
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)j->id);
        sl_log(SL_LOG_ERROR, "execution crashed", "exec", id, "workflow", j->workflow_id, "error",
               error, "retry", again ? "yes" : "no", NULL);
        if (again) {
            struct sl_job_spec s = {
                .workflow_id = j->workflow_id,
                .doc = j->doc,
                .version = j->version,
                .mode = "retry",
                .start_node = j->start_node,
                .items = j->items,
                .response_mode = j->response_mode,
                .retry_of = j->id,
                .on_response = j->responded ? NULL : j->on_response,
                .on_done = j->on_done,
                .ud = j->ud,
            };
            struct sl_error err = {{0}};
            /* on the I/O thread: the insert must not wait for this thread */
            struct job *r = job_from_spec(&s);
            r->attempt = j->attempt + 1;
            if (insert_row(d, r, SL_ST_NEW, false, &err)) {
                sl_log(SL_LOG_ERROR, "cannot queue the retry of a crashed execution", "exec", id,
                       "error", err.msg, NULL);
                job_free(r);
                finish(d, j, SL_ST_CRASHED, error, NULL);
            } else {
                pthread_mutex_lock(&d->lock);
                enqueue(d, r);
                pthread_mutex_unlock(&d->lock);
            }
        } else {
            finish(d, j, SL_ST_CRASHED, error, NULL);
        }
        free(error);
        job_free(j);
    }
    ended(d, n_lost);
}

/* -------------------------------------------------------------- parked */

void sl_dispatch_park(struct sl_dispatch *d, int64_t exec_id, const char *workflow_id,
                      int64_t wait_till_ms)
{
    struct parked *p = sl_calloc(1, sizeof *p);
    p->exec_id = exec_id;
    p->workflow_id = sl_strdup(workflow_id);
    p->till_ms = wait_till_ms;
    pthread_mutex_lock(&d->lock);
    p->next = d->parked;
    d->parked = p;
    d->n_parked++;
    pthread_mutex_unlock(&d->lock);
}

void sl_dispatch_tick(struct sl_dispatch *d,
                      int (*load_cb)(void *ud, int64_t exec_id, const char *workflow_id,
                                     json_t **doc, int64_t *version, json_t **state),
                      void *ud)
{
    int64_t now = sl_clock_wall_ms();
    struct parked *due = NULL;
    pthread_mutex_lock(&d->lock);
    if (!d->draining) {
        for (struct parked **p = &d->parked; *p;) {
            if ((*p)->till_ms <= now) {
                struct parked *x = *p;
                *p = x->next;
                d->n_parked--;
                x->next = due;
                due = x;
            } else {
                p = &(*p)->next;
            }
        }
    }
    pthread_mutex_unlock(&d->lock);
    while (due) {
        struct parked *p = due;
        due = p->next;
        json_t *doc = NULL, *state = NULL;
        int64_t version = 0;
        if (load_cb(ud, p->exec_id, p->workflow_id, &doc, &version, &state) == 0) {
            struct sl_job_spec s = {.workflow_id = p->workflow_id,
                                    .doc = doc,
                                    .version = version,
                                    .mode = "trigger",
                                    .exec_id = p->exec_id};
            struct job *j = job_from_spec(&s);
            j->id = p->exec_id;
            j->state = state;
            state = NULL;
            pthread_mutex_lock(&d->lock);
            enqueue(d, j);
            pthread_mutex_unlock(&d->lock);
        }
        json_decref(doc);
        json_decref(state);
        free(p->workflow_id);
        free(p);
    }
    pthread_mutex_lock(&d->lock);
    pump(d);
    pthread_mutex_unlock(&d->lock);
}

/* --------------------------------------------------------------- life */

struct sl_dispatch *sl_dispatch_new(const struct sl_dispatch_conf *conf, struct sl_writer *writer,
                                    struct sl_metrics *metrics, struct sl_error *err)
{
    struct sl_dispatch *d = sl_calloc(1, sizeof *d);
    d->conf = *conf;
    if (d->conf.workers < 1)
        d->conf.workers = 1;
    if (d->conf.worker_threads < 1)
        d->conf.worker_threads = 1;
    if (d->conf.concurrency_limit < 1)
        d->conf.concurrency_limit = d->conf.workers * d->conf.worker_threads;
    if (d->conf.queue_max < 0)
        d->conf.queue_max = 0;
    d->writer = writer;
    d->metrics = metrics;
    pthread_mutex_init(&d->lock, NULL);
    pthread_mutex_init(&d->id_lock, NULL);
    pthread_cond_init(&d->idle, NULL);
    d->load = sl_calloc((size_t)d->conf.workers, sizeof *d->load);
    d->sent = sl_calloc((size_t)d->conf.workers, sizeof *d->sent);
    for (int i = 0; i < d->conf.workers; i++)
        d->sent[i] = json_object();
    d->claimed = json_object();
    struct sl_workers_cb cb = {d, on_frame, on_up, on_down};
    d->workers = sl_workers_start(d->conf.workers, d->conf.worker_threads, d->conf.exe, &cb, err);
    if (!d->workers) {
        sl_dispatch_free(d);
        return NULL;
    }
    return d;
}

int sl_dispatch_drain(struct sl_dispatch *d, int timeout_s)
{
    pthread_mutex_lock(&d->lock);
    d->draining = true;
    struct job *q = d->qhead;
    d->qhead = d->qtail = NULL;
    d->n_queued = 0;
    pthread_mutex_unlock(&d->lock);
    /* queued jobs with a waiting client are answered; the others stay new */
    while (q) {
        struct job *j = q;
        q = j->next;
        if (j->on_done) {
            write_end(d, j, SL_ST_CANCELED, "the server shut down before it started", NULL, NULL,
                      NULL, NULL, 0);
            struct sl_job_result res = {j->id, SL_ST_CANCELED, "the server is shutting down", NULL};
            j->on_done(j->ud, &res);
        }
        job_free(j);
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_s;
    pthread_mutex_lock(&d->lock);
    while (d->n_running > 0 || d->n_submitting > 0 || d->n_finishing > 0) {
        if (pthread_cond_timedwait(&d->idle, &d->lock, &until))
            break;
    }
    int left = d->n_running;
    pthread_mutex_unlock(&d->lock);
    return left;
}

void sl_dispatch_free(struct sl_dispatch *d)
{
    if (!d)
        return;
    sl_workers_stop(d->workers);
    d->workers = NULL;
    /* what still runs stays "running" in the store: the next start marks
     * it crashed and re-runs it by policy */
    for (struct job *j = d->running, *n; j; j = n) {
        n = j->next;
        job_free(j);
    }
    for (struct job *j = d->qhead, *n; j; j = n) {
        n = j->next;
        job_free(j);
    }
    for (struct parked *p = d->parked, *n; p; p = n) {
        n = p->next;
        free(p->workflow_id);
        free(p);
    }
    for (int i = 0; i < d->conf.workers; i++)
        json_decref(d->sent[i]);
    free(d->sent);
    json_decref(d->claimed);
    free(d->load);
    pthread_mutex_destroy(&d->lock);
    pthread_mutex_destroy(&d->id_lock);
    pthread_cond_destroy(&d->idle);
    free(d);
}

void sl_dispatch_stats(struct sl_dispatch *d, struct sl_dispatch_stats *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_lock(&d->lock);
    s->running = d->n_running;
    s->queued = d->n_queued;
    s->parked = d->n_parked;
    if (d->qhead)
        s->oldest_queued_s = (double)(sl_clock_wall_ms() - d->qhead->queued_ms) / 1000.0;
    pthread_mutex_unlock(&d->lock);
    sl_workers_counts(d->workers, &s->workers_up, &s->workers_starting, &s->workers_down);
}

int sl_dispatch_worker_pid(struct sl_dispatch *d, int w)
{
    if (w < 0 || w >= d->conf.workers)
        return 0;
    return sl_workers_pid(d->workers, w);
}
