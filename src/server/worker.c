/*
 * The worker process (see worker.h): a reader on the main thread puts jobs
 * on a queue; `threads` threads take them, run the execution and write
 * frames back. Parsed workflows are cached by id and version, so a busy
 * webhook does not re-parse its workflow for every request.
 */
#include "server/worker.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli/child.h"
#include "core/engine.h"
#include "core/workflow.h"
#include "server/frame.h"
#include "store/creds.h"
#include "util/alloc.h"
#include "util/log.h"

#define WF_CACHE_MAX 256

struct wf_entry {
    char *key; /* "id@version" */
    struct sl_workflow *wf;
    int refs;      /* under W.lock */
    bool uncached; /* not in the cache (it was full): freed on release */
};

struct job {
    json_t *msg;
    struct wf_entry *wf; /* acquired by the reader, in frame order */
    struct job *next;
};

static struct {
    int fd;
    pthread_mutex_t write_lock;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct job *head, *tail;
    bool closing;
    struct wf_entry cache[WF_CACHE_MAX];
    int n_cache;
    struct sl_creds *creds; /* the data directory's credentials, for nodes */
} W = {.write_lock = PTHREAD_MUTEX_INITIALIZER,
       .lock = PTHREAD_MUTEX_INITIALIZER,
       .cond = PTHREAD_COND_INITIALIZER};

static void send_frame(json_t *msg)
{
    pthread_mutex_lock(&W.write_lock);
    int rc = sl_frame_write(W.fd, msg);
    pthread_mutex_unlock(&W.write_lock);
    json_decref(msg);
    if (rc) /* the server is gone: nobody can use the result */
        _exit(0);
}

/* The workflow of job `msg`, parsed once per id and version; the caller
 * releases it with wf_release(). NULL with `err` set when the document
 * does not load. */
static struct wf_entry *wf_acquire(json_t *msg, struct sl_error *err)
{
    const char *id = json_string_value(json_object_get(msg, "workflowId"));
    json_int_t version = json_integer_value(json_object_get(msg, "version"));
    char *key = sl_asprintf("%s@%lld", id ? id : "", (long long)version);
    pthread_mutex_lock(&W.lock);
    for (int i = 0; i < W.n_cache; i++) {
        if (!strcmp(W.cache[i].key, key)) {
            W.cache[i].refs++;
            pthread_mutex_unlock(&W.lock);
            free(key);
            return &W.cache[i];
        }
    }
    pthread_mutex_unlock(&W.lock);
    json_t *doc = json_object_get(msg, "workflow");
    if (!doc) {
        sl_error_set(err, "the server sent no workflow document for '%s'", key);
        free(key);
        return NULL;
    }
    struct sl_workflow *wf = sl_workflow_from_json(json_deep_copy(doc), err);
    if (!wf) {
        free(key);
        return NULL;
    }
    pthread_mutex_lock(&W.lock);
    if (W.n_cache == WF_CACHE_MAX) { /* drop the unused ones */
        int k = 0;
        for (int i = 0; i < W.n_cache; i++) {
            if (W.cache[i].refs) {
                W.cache[k++] = W.cache[i];
            } else {
                free(W.cache[i].key);
                sl_workflow_free(W.cache[i].wf);
            }
        }
        W.n_cache = k;
    }
    struct wf_entry *e = NULL;
    if (W.n_cache < WF_CACHE_MAX) {
        e = &W.cache[W.n_cache++];
        *e = (struct wf_entry){key, wf, 1, false};
    }
    pthread_mutex_unlock(&W.lock);
    if (!e) { /* every entry in use: run this one uncached */
        e = sl_calloc(1, sizeof *e);
        *e = (struct wf_entry){key, wf, 1, true};
    }
    return e;
}

static void wf_release(struct wf_entry *e)
{
    if (e->uncached) {
        free(e->key);
        sl_workflow_free(e->wf);
        free(e);
        return;
    }
    pthread_mutex_lock(&W.lock);
    e->refs--;
    pthread_mutex_unlock(&W.lock);
}

struct run_ctx {
    json_int_t job;
    bool responded;
};

static void on_respond(void *ud, const struct sl_exec *ex, const json_t *response)
{
    struct run_ctx *rc = ud;
    if (rc->responded) /* as in n8n, the first response answers */
        return;
    rc->responded = true;
    send_frame(json_pack("{s:s,s:I,s:O}", "t", "respond", "job", rc->job, "response", response));
}

/* The execution's data in n8n's shape: {resultData: {runData,
 * lastNodeExecuted, error?}}. */
static json_t *run_data(const struct sl_exec *ex)
{
    json_t *res = sl_exec_result_json(ex);
    json_t *rd = json_pack("{s:O,s:O}", "runData", json_object_get(res, "runData"),
                           "lastNodeExecuted", json_object_get(res, "lastNodeExecuted"));
    json_t *err = json_object_get(res, "error");
    if (err && !json_is_null(err))
        json_object_set(rd, "error", err);
    json_decref(res);
    return json_pack("{s:{},s:o}", "startData", "resultData", rd);
}

/* Sends the end of a job that could not start. */
static void send_failed(json_t *msg, const char *error)
{
    send_frame(json_pack("{s:s,s:I,s:s,s:s,s:[]}", "t", "done", "job",
                         json_integer_value(json_object_get(msg, "job")), "status", "error",
                         "error", error, "nodeRuns"));
}

static void run_job(json_t *msg, struct wf_entry *e)
{
    struct run_ctx rctx = {json_integer_value(json_object_get(msg, "job")), false};
    const char *type = json_string_value(json_object_get(msg, "t"));
    const char *exec_id = json_string_value(json_object_get(msg, "execution"));
    const char *mode = json_string_value(json_object_get(msg, "mode"));
    const char *response_mode = json_string_value(json_object_get(msg, "responseMode"));
    bool save_success = json_is_true(json_object_get(msg, "saveSuccess"));
    bool save_error = json_is_true(json_object_get(msg, "saveError"));
    struct sl_error err = {{0}};
    const char *start = json_string_value(json_object_get(msg, "startNode"));
    struct sl_exec_opts opts = {
        .mode = mode,
        .id = exec_id,
        .start_items = json_object_get(msg, "items"),
        .keep_all = save_success,
        .start_node = start ? sl_workflow_node(e->wf, start) : NULL,
        .on_respond = on_respond,
        .ud = &rctx,
        .credential_cb = sl_creds_resolve,
        .cred_ud = W.creds,
    };
    struct sl_exec *ex;
    int rc;
    if (type && !strcmp(type, "resume")) {
        ex = sl_exec_load(e->wf, &opts, json_object_get(msg, "state"), &err);
        rc = ex ? sl_exec_resume(ex) : SL_ERR_INVALID;
    } else {
        ex = sl_exec_new(e->wf, &opts);
        rc = SL_ERR_INVALID;
        if (ex) {
            sl_cli_apply_limits(ex);
            rc = sl_exec_run(ex);
        }
    }
    if (!ex) {
        wf_release(e);
        send_failed(msg, err.msg);
        return;
    }
    json_t *done = json_pack("{s:s,s:I}", "t", "done", "job", rctx.job);
    enum sl_exec_status st = sl_exec_status(ex);
    json_object_set_new(done, "status", json_string(sl_exec_status_name(st)));
    if (sl_exec_error_message(ex))
        json_object_set_new(done, "error", json_string(sl_exec_error_message(ex)));
    if (sl_exec_error_node(ex))
        json_object_set_new(done, "errorNode", json_string(sl_exec_error_node(ex)));
    if (sl_exec_last_node(ex))
        json_object_set_new(done, "lastNode", json_string(sl_exec_last_node(ex)));
    json_object_set_new(done, "nodeRuns", sl_exec_node_runs(ex));
    if (response_mode && !strcmp(response_mode, "lastNode") && rc != SL_EXEC_PARKED)
        json_object_set_new(done, "result", sl_exec_result_items(ex));
    if (rc == SL_EXEC_PARKED) {
        json_object_set_new(done, "state", sl_exec_save(ex));
        json_object_set_new(done, "waitTill", json_integer(sl_exec_wait_till(ex)));
    }
    if ((st == SL_EXEC_SUCCESS && save_success) || (st != SL_EXEC_SUCCESS && save_error))
        json_object_set_new(done, "data", run_data(ex));
    sl_exec_free(ex);
    wf_release(e);
    send_frame(done);
}

static void *thread_main(void *arg)
{
    for (;;) {
        pthread_mutex_lock(&W.lock);
        while (!W.head && !W.closing)
            pthread_cond_wait(&W.cond, &W.lock);
        struct job *j = W.head;
        if (j) {
            W.head = j->next;
            if (!W.head)
                W.tail = NULL;
        }
        pthread_mutex_unlock(&W.lock);
        if (!j)
            return NULL;
        run_job(j->msg, j->wf);
        json_decref(j->msg);
        free(j);
    }
}

int sl_worker_main(int fd, int threads)
{
    W.fd = fd;
    /* many threads allocate and free request-sized blocks: without this,
     * glibc gives memory back to the kernel (madvise) again and again */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    /* a worker never outlives its server, even one killed with -9 */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        _exit(0);
    if (threads < 1)
        threads = 1;
    W.creds = sl_creds_new(NULL); /* never freed: the worker ends with _exit */
    pthread_t *tids = sl_calloc((size_t)threads, sizeof *tids);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 16u << 20); /* deep workflows and JS */
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&tids[i], &attr, thread_main, NULL)) {
            fprintf(stderr, "sluice worker: cannot start a thread: %s\n", strerror(errno));
            return 1;
        }
    }
    pthread_attr_destroy(&attr);
    send_frame(json_pack("{s:s,s:i,s:i}", "t", "hello", "pid", (int)getpid(), "threads", threads));
    struct sl_frame_reader r = {0};
    int status = 0;
    for (;;) {
        json_t *msg;
        int rc = sl_frame_next(&r, &msg);
        if (rc) {
            sl_log(SL_LOG_ERROR, "worker: malformed frame from the server", NULL);
            status = 1;
            break;
        }
        if (!msg) {
            if (sl_frame_fill(&r, fd))
                break; /* the server closed the socket */
            continue;
        }
        /* The workflow document comes with the first job of its version
         * only: taking it here, in frame order, means a later job never
         * runs before the one that brought it was parsed. */
        struct sl_error err = {{0}};
        struct wf_entry *wf = wf_acquire(msg, &err);
        if (!wf) {
            send_failed(msg, err.msg);
            json_decref(msg);
            continue;
        }
        struct job *j = sl_calloc(1, sizeof *j);
        j->msg = msg;
        j->wf = wf;
        pthread_mutex_lock(&W.lock);
        if (W.tail)
            W.tail->next = j;
        else
            W.head = j;
        W.tail = j;
        pthread_cond_signal(&W.cond);
        pthread_mutex_unlock(&W.lock);
    }
    sl_frame_reader_release(&r);
    /* The server is gone: results have nowhere to go. Exiting now, not
     * after the running executions, is what the server expects (it marks
     * them crashed and re-runs them by policy). */
    _exit(status);
}
