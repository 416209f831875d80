/*
 * Unit tests for the store writer (src/store/writer.c): writes queued
 * while a batch runs commit together (at most max_batch per transaction),
 * a failing write is undone alone, sl_writer_run() returns only once its
 * write is committed, sl_writer_free() commits what is queued, writes
 * nobody waits for survive the death of the process once done. A last test
 * inserts 20000 executions from 4 threads and prints the rate.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>
#include <semaphore.h>

#include "store/store.h"
#include "store/writer.h"
#include "util/clock.h"

struct fx {
    char dir[64];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/sl_writer_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(f);
    return 0;
}

static struct sl_store *open_store(const char *dir)
{
    struct sl_error err = {{0}};
    struct sl_store *st = sl_store_open(dir, &err);
    if (!st)
        fail_msg("open: %s", err.msg);
    return st;
}

static int64_t count_execs(const char *dir)
{
    struct sl_store *st = open_store(dir);
    json_t *rows = NULL;
    struct sl_store_exec_filter flt = {0};
    assert_int_equal(sl_store_exec_list(st, &flt, &rows), 0);
    int64_t n = (int64_t)json_array_size(rows);
    json_decref(rows);
    sl_store_close(st);
    return n;
}

/* One write: inserts an execution named by `wf`, then fails with `fail`
 * when it is not 0. `seen` records how many writes had been reported done
 * when it ran, which tells batches apart. */
struct write {
    const char *wf;
    int fail;
    int seen;
    int rc;
    bool done;
    int64_t id;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int done_count;
static sem_t started, release;

static int insert_fn(struct sl_store *st, void *arg)
{
    struct write *w = arg;
    pthread_mutex_lock(&mu);
    w->seen = done_count;
    pthread_mutex_unlock(&mu);
    struct sl_store_exec e = {
        .workflow_id = (char *)w->wf, .mode = (char *)"webhook", .status = (char *)SL_ST_NEW};
    int rc = sl_store_exec_insert(st, &e, NULL);
    w->id = e.id;
    return rc ? rc : w->fail;
}

static void count_done(void *arg, int rc)
{
    struct write *w = arg;
    pthread_mutex_lock(&mu);
    w->rc = rc;
    w->done = true;
    done_count++;
    pthread_mutex_unlock(&mu);
}

/* Holds the writer thread inside its batch until `release` is posted. */
static int block_fn(struct sl_store *st, void *arg)
{
    sem_post(&started);
    sem_wait(&release);
    return 0;
}

static void reset(void)
{
    done_count = 0;
    sem_init(&started, 0, 0);
    sem_init(&release, 0, 0);
}

static void test_batching(void **state)
{
    struct fx *f = *state;
    reset();
    struct sl_writer *w = sl_writer_new(open_store(f->dir), 50);
    assert_non_null(w);
    static struct write blocker = {0};
    sl_writer_submit(w, block_fn, count_done, &blocker);
    sem_wait(&started); /* the first batch holds the blocker only */
    static struct write ws[120];
    for (int i = 0; i < 120; i++) {
        ws[i] = (struct write){.wf = "B"};
        sl_writer_submit(w, insert_fn, count_done, &ws[i]);
    }
    assert_int_equal(sl_writer_backlog(w), 121);
    sem_post(&release);
    sl_writer_free(w);
    /* 50 per transaction: every write of a batch ran before any was done */
    for (int i = 0; i < 120; i++) {
        assert_true(ws[i].done);
        assert_int_equal(ws[i].rc, 0);
        assert_int_equal(ws[i].seen, 1 + 50 * (i / 50));
    }
    assert_int_equal(count_execs(f->dir), 120);
}

static void test_failing_write_isolated(void **state)
{
    struct fx *f = *state;
    reset();
    struct sl_writer *w = sl_writer_new(open_store(f->dir), 0);
    static struct write blocker = {0};
    sl_writer_submit(w, block_fn, count_done, &blocker);
    sem_wait(&started);
    static struct write a, b, c;
    a = (struct write){.wf = "A"};
    b = (struct write){.wf = "B", .fail = SL_ERR_INVALID};
    c = (struct write){.wf = "C"};
    sl_writer_submit(w, insert_fn, count_done, &a);
    sl_writer_submit(w, insert_fn, count_done, &b);
    sl_writer_submit(w, insert_fn, count_done, &c);
    sem_post(&release);
    sl_writer_free(w);
    assert_int_equal(a.seen, 1);
    assert_int_equal(c.seen, 1); /* one batch */
    assert_int_equal(a.rc, 0);
    assert_int_equal(b.rc, SL_ERR_INVALID);
    assert_int_equal(c.rc, 0);

    struct sl_store *st = open_store(f->dir);
    struct sl_store_exec e;
    assert_int_equal(sl_store_exec_get(st, a.id, &e), 0);
    assert_string_equal(e.workflow_id, "A");
    sl_store_exec_release(&e);
    assert_int_equal(sl_store_exec_get(st, c.id, &e), 0);
    assert_string_equal(e.workflow_id, "C");
    sl_store_exec_release(&e);
    json_t *rows = NULL;
    struct sl_store_exec_filter flt = {.workflow_id = "B"};
    assert_int_equal(sl_store_exec_list(st, &flt, &rows), 0);
    assert_int_equal(json_array_size(rows), 0); /* b's insert was undone */
    json_decref(rows);
    sl_store_close(st);
}

static void test_run_waits_for_commit(void **state)
{
    struct fx *f = *state;
    reset();
    struct sl_writer *w = sl_writer_new(open_store(f->dir), 0);
    struct sl_store *reader = open_store(f->dir);
    for (int i = 0; i < 20; i++) {
        struct write x = {.wf = "R"};
        assert_int_equal(sl_writer_run(w, insert_fn, &x), 0);
        /* visible to another connection as soon as run() returns */
        struct sl_store_exec e;
        assert_int_equal(sl_store_exec_get(reader, x.id, &e), 0);
        sl_store_exec_release(&e);
    }
    struct write bad = {.wf = "R", .fail = SL_ERR_NODE};
    assert_int_equal(sl_writer_run(w, insert_fn, &bad), SL_ERR_NODE);
    struct sl_store_exec e;
    assert_int_equal(sl_store_exec_get(reader, bad.id, &e), SL_ERR_NOT_FOUND);
    sl_store_close(reader);
    sl_writer_free(w);
}

static void test_free_drains(void **state)
{
    struct fx *f = *state;
    reset();
    struct sl_writer *w = sl_writer_new(open_store(f->dir), 64);
    static struct write ws[1000];
    for (int i = 0; i < 1000; i++) {
        ws[i] = (struct write){.wf = "D"};
        sl_writer_submit(w, insert_fn, count_done, &ws[i]);
    }
    sl_writer_free(w);
    assert_int_equal(done_count, 1000);
    assert_int_equal(count_execs(f->dir), 1000);
}

/* Writes nobody waits for commit without an fsync of their own: once
 * their `done` has run, they must survive the death of the process. */
static void test_relaxed_survives_crash(void **state)
{
    struct fx *f = *state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        reset();
        struct sl_writer *w = sl_writer_new(open_store(f->dir), 0);
        static struct write ws[200];
        for (int i = 0; i < 200; i++) {
            ws[i] = (struct write){.wf = "C"};
            sl_writer_submit(w, insert_fn, count_done, &ws[i]);
        }
        for (;;) {
            pthread_mutex_lock(&mu);
            int n = done_count;
            pthread_mutex_unlock(&mu);
            if (n == 200)
                break;
            usleep(1000);
        }
        _exit(ws[199].rc == 0 ? 0 : 1); /* no sl_writer_free, no close */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(count_execs(f->dir), 200);
}

/* 4 threads, 5000 executions each, through one writer. */
#define THREADS 4
#define PER_THREAD 5000

struct producer {
    struct sl_writer *w;
    struct write *ws;
    int synced; /* writes run with sl_writer_run (waiting for commit) */
};

static void *produce(void *p)
{
    struct producer *pr = p;
    for (int i = 0; i < PER_THREAD; i++) {
        pr->ws[i] = (struct write){.wf = "L"};
        if (i % 50 == 0) {
            if (sl_writer_run(pr->w, insert_fn, &pr->ws[i]) == 0)
                pr->synced++;
            count_done(&pr->ws[i], 0);
        } else {
            sl_writer_submit(pr->w, insert_fn, count_done, &pr->ws[i]);
        }
    }
    return NULL;
}

static void test_load(void **state)
{
    struct fx *f = *state;
    reset();
    struct sl_writer *w = sl_writer_new(open_store(f->dir), 0);
    struct producer prs[THREADS];
    pthread_t th[THREADS];
    uint64_t t0 = sl_clock_mono_us();
    for (int i = 0; i < THREADS; i++) {
        prs[i] = (struct producer){.w = w, .ws = calloc(PER_THREAD, sizeof(struct write))};
        assert_int_equal(pthread_create(&th[i], NULL, produce, &prs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    sl_writer_free(w);
    double secs = (double)(sl_clock_mono_us() - t0) / 1e6;
    printf("writer: %d executions from %d threads in %.2f s: %.0f/s\n", THREADS * PER_THREAD,
           THREADS, secs, THREADS * PER_THREAD / secs);
    assert_int_equal(done_count, THREADS * PER_THREAD);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(prs[i].synced, PER_THREAD / 50);
        for (int k = 0; k < PER_THREAD; k++)
            assert_int_equal(prs[i].ws[k].rc, 0);
        free(prs[i].ws);
    }
    assert_int_equal(count_execs(f->dir), THREADS * PER_THREAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_batching, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_write_isolated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_waits_for_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_drains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relaxed_survives_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
