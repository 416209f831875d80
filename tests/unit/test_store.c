/*
 * Unit tests for the store (src/store/store.c and the SQLite backend,
 * src/store/sqlite.c): opening and migrating, workflows, executions and
 * their input, data, state and node runs, retries, recovery marking,
 * pruning, API keys and transactions. Every test works in a directory of
 * its own made by mkdtemp and removed afterwards.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <regex.h>
#include <sqlite3.h>

#include "store/creds.h"
#include "store/store.h"
#include "util/clock.h"

struct fx {
    char dir[64];
    struct sl_store *st;
};

static void make_tmp(char base[64])
{
    snprintf(base, 64, "/tmp/sl_store_XXXXXX");
    assert_non_null(mkdtemp(base));
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/sl_store_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    struct sl_error err = {{0}};
    f->st = sl_store_open(f->dir, &err);
    if (!f->st) {
        fprintf(stderr, "open: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static void rm_rf(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static int teardown(void **state)
{
    struct fx *f = *state;
    sl_store_close(f->st);
    rm_rf(f->dir);
    free(f);
    return 0;
}

/* A direct connection to the store's file, to look under the interface. */
static sqlite3 *raw(const char *dir)
{
    char path[300];
    snprintf(path, sizeof path, "%s/sluice.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static int64_t raw_int(sqlite3 *db, const char *q)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void raw_exec(sqlite3 *db, const char *q)
{
    char *msg = NULL;
    if (sqlite3_exec(db, q, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", q, msg);
}

static bool matches(const char *re, const char *s)
{
    regex_t r;
    assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
    bool ok = s && regexec(&r, s, 0, NULL, 0) == 0;
    regfree(&r);
    return ok;
}

#define ISO_RE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"

static json_t *parse(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (!j)
        fail_msg("bad JSON in test: %s", e.text);
    return j;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ------------------------------------------------------------ opening */

static void test_open_creates_dir(void **state)
{
    char base[64];
    make_tmp(base);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/nested/data", base);
    struct sl_error err = {{0}};
    struct sl_store *st = sl_store_open(dir, &err);
    assert_non_null(st);
    struct stat sb;
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_string_equal(sl_store_data_dir(st), dir);
    assert_int_equal(sl_store_schema_version(st), 2);
    sqlite3 *db = raw(dir);
    assert_int_equal(raw_int(db, "PRAGMA auto_vacuum"), 2); /* incremental */
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), 2);
    sqlite3_close(db);
    sl_store_close(st);
    rm_rf(base);
}

static void test_open_env(void **state)
{
    char base[64];
    make_tmp(base);
    setenv("SLUICE_DATA_DIR", base, 1);
    struct sl_error err = {{0}};
    struct sl_store *st = sl_store_open(NULL, &err);
    unsetenv("SLUICE_DATA_DIR");
    assert_non_null(st);
    assert_string_equal(sl_store_data_dir(st), base);
    sl_store_close(st);
    char path[300];
    snprintf(path, sizeof path, "%s/sluice.db", base);
    assert_int_equal(access(path, F_OK), 0);

    setenv("SLUICE_DB", "postgres://localhost/sluice", 1);
    st = sl_store_open(base, &err);
    unsetenv("SLUICE_DB");
    assert_null(st);
    assert_non_null(strstr(err.msg, "SLUICE_DB"));
    assert_non_null(strstr(err.msg, "only the embedded SQLite store"));
    rm_rf(base);
}

static void test_reopen_and_newer_schema(void **state)
{
    struct fx *f = *state;
    json_t *doc = parse("{\"id\":\"keep\",\"name\":\"K\",\"nodes\":[],\"connections\":{}}");
    assert_int_equal(sl_store_workflow_save(f->st, doc, NULL), 0);
    json_decref(doc);
    sl_store_close(f->st);

    struct sl_error err = {{0}};
    f->st = sl_store_open(f->dir, &err);
    assert_non_null(f->st);
    assert_int_equal(sl_store_schema_version(f->st), 2);
    json_t *got = NULL;
    assert_int_equal(sl_store_workflow_get(f->st, "keep", &got), 0);
    assert_string_equal(str(got, "name"), "K");
    json_decref(got);
    sl_store_close(f->st);
    f->st = NULL;

    sqlite3 *db = raw(f->dir);
    raw_exec(db, "PRAGMA user_version = 99");
    sqlite3_close(db);
    struct sl_store *st = sl_store_open(f->dir, &err);
    assert_null(st);
    assert_non_null(strstr(err.msg, "schema version 99 is newer"));
    /* the file was left as it was */
    db = raw(f->dir);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), 99);
    raw_exec(db, "PRAGMA user_version = 2");
    sqlite3_close(db);
    f->st = sl_store_open(f->dir, &err);
    assert_non_null(f->st);
}

static void test_not_a_database(void **state)
{
    char base[64];
    make_tmp(base);
    char path[300];
    snprintf(path, sizeof path, "%s/sluice.db", base);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database file ", fp);
    fclose(fp);
    struct sl_error err = {{0}};
    assert_null(sl_store_open(base, &err));
    assert_non_null(strstr(err.msg, "sluice.db"));
    assert_null(strchr(err.msg, '\n'));
    rm_rf(base);
}

/* ------------------------------------------------------------ workflows */

static void test_workflows(void **state)
{
    struct fx *f = *state;
    json_t *doc = parse("{\"name\":\"First\",\"nodes\":[{\"name\":\"A\"}],\"connections\":{},"
                        "\"settings\":{\"timezone\":\"UTC\"}}");
    char *id = NULL;
    assert_int_equal(sl_store_workflow_save(f->st, doc, &id), 0);
    json_decref(doc);
    assert_true(matches("^[A-Za-z0-9]{16}$", id));

    json_t *got = NULL;
    assert_int_equal(sl_store_workflow_get(f->st, id, &got), 0);
    assert_string_equal(str(got, "id"), id);
    assert_string_equal(str(got, "name"), "First");
    assert_true(json_is_false(json_object_get(got, "active")));
    assert_int_equal(json_integer_value(json_object_get(got, "versionCounter")), 1);
    assert_true(matches(ISO_RE, str(got, "createdAt")));
    assert_true(matches(ISO_RE, str(got, "updatedAt")));
    assert_string_equal(str(json_array_get(json_object_get(got, "nodes"), 0), "name"), "A");
    assert_string_equal(str(json_object_get(got, "settings"), "timezone"), "UTC");
    assert_true(json_is_null(json_object_get(got, "staticData")));
    assert_true(json_is_object(json_object_get(got, "pinData")));

    /* save again through its id: a new version, same row */
    assert_int_equal(sl_store_workflow_set_active(f->st, id, true), 0);
    json_object_set_new(got, "name", json_string("Renamed"));
    json_object_del(got, "active");
    char *id2 = NULL;
    assert_int_equal(sl_store_workflow_save(f->st, got, &id2), 0);
    assert_string_equal(id2, id);
    json_decref(got);
    assert_int_equal(sl_store_workflow_get(f->st, id, &got), 0);
    assert_string_equal(str(got, "name"), "Renamed");
    assert_int_equal(json_integer_value(json_object_get(got, "versionCounter")), 2);
    assert_true(json_is_true(json_object_get(got, "active"))); /* kept */
    json_object_set_new(got, "active", json_false());
    assert_int_equal(sl_store_workflow_save(f->st, got, NULL), 0);
    json_decref(got);
    assert_int_equal(sl_store_workflow_get(f->st, id, &got), 0);
    assert_true(json_is_false(json_object_get(got, "active"))); /* honoured */
    json_decref(got);
    free(id2);

    /* an imported document keeps its id; "active" honoured on insert */
    doc = parse("{\"id\":\"zzImported\",\"name\":\"Imp\",\"active\":true,\"nodes\":[],"
                "\"connections\":{}}");
    assert_int_equal(sl_store_workflow_save(f->st, doc, NULL), 0);
    json_decref(doc);
    doc = parse("{\"id\":\"aaFirst\",\"nodes\":[],\"connections\":{}}");
    assert_int_equal(sl_store_workflow_save(f->st, doc, NULL), 0);
    json_decref(doc);

    int64_t n = 0;
    assert_int_equal(sl_store_workflow_count(f->st, false, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(sl_store_workflow_count(f->st, true, &n), 0);
    assert_int_equal(n, 1);

    json_t *list = NULL;
    assert_int_equal(sl_store_workflow_list(f->st, false, NULL, 0, &list), 0);
    assert_int_equal(json_array_size(list), 3);
    /* ordered by id (byte order: upper case first) */
    const char *ids[3];
    for (int i = 0; i < 3; i++)
        ids[i] = str(json_array_get(list, i), "id");
    assert_true(strcmp(ids[0], ids[1]) < 0 && strcmp(ids[1], ids[2]) < 0);
    /* the cursor and the limit */
    json_t *page = NULL;
    assert_int_equal(sl_store_workflow_list(f->st, false, ids[0], 1, &page), 0);
    assert_int_equal(json_array_size(page), 1);
    assert_string_equal(str(json_array_get(page, 0), "id"), ids[1]);
    json_decref(page);
    json_decref(list);
    assert_int_equal(sl_store_workflow_list(f->st, true, NULL, 0, &list), 0);
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(str(json_array_get(list, 0), "id"), "zzImported");
    json_decref(list);

    /* unknown ids and deletion */
    assert_int_equal(sl_store_workflow_get(f->st, "nope", &got), SL_ERR_NOT_FOUND);
    assert_null(got);
    assert_non_null(strstr(sl_store_errmsg(f->st), "nope"));
    assert_int_equal(sl_store_workflow_set_active(f->st, "nope", true), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_workflow_delete(f->st, id), 0);
    assert_int_equal(sl_store_workflow_get(f->st, id, &got), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_workflow_delete(f->st, id), SL_ERR_NOT_FOUND);
    free(id);
}

static void test_workflow_invalid(void **state)
{
    struct fx *f = *state;
    const char *bad[] = {"[]",
                         "{\"connections\":{}}",
                         "{\"nodes\":{},\"connections\":{}}",
                         "{\"nodes\":[]}",
                         "{\"nodes\":[],\"connections\":{},\"id\":[1]}",
                         "{\"nodes\":[],\"connections\":{},\"name\":3}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *doc = parse(bad[i]);
        char *id = (char *)"untouched";
        assert_int_equal(sl_store_workflow_save(f->st, doc, &id), SL_ERR_INVALID);
        assert_null(id);
        assert_true(strlen(sl_store_errmsg(f->st)) > 0);
        json_decref(doc);
    }
    int64_t n = 1;
    assert_int_equal(sl_store_workflow_count(f->st, false, &n), 0);
    assert_int_equal(n, 0);
}

/* ----------------------------------------------------------- executions */

static int64_t insert(struct sl_store *st, const char *wf, const char *status, const char *input)
{
    struct sl_store_exec e = {
        .workflow_id = (char *)wf, .mode = (char *)"webhook", .status = (char *)status};
    json_t *in = input ? parse(input) : NULL;
    assert_int_equal(sl_store_exec_insert(st, &e, in), 0);
    json_decref(in);
    assert_true(e.id > 0);
    return e.id;
}

static void finish(struct sl_store *st, int64_t id, const char *status, int64_t stopped)
{
    struct sl_store_exec e;
    assert_int_equal(sl_store_exec_get(st, id, &e), 0);
    struct sl_store_exec u = e;
    u.status = (char *)status;
    u.started_ms = stopped - 5;
    u.stopped_ms = stopped;
    assert_int_equal(sl_store_exec_update(st, &u), 0);
    sl_store_exec_release(&e);
}

static void test_exec_insert_update_get(void **state)
{
    struct fx *f = *state;
    int64_t t0 = sl_clock_wall_ms();
    int64_t a = insert(f->st, "wf1", SL_ST_NEW, "{\"items\":[{\"json\":{\"n\":1}}]}");
    int64_t b = insert(f->st, "wf1", SL_ST_NEW, "{\"items\":[]}");
    assert_true(b > a);

    struct sl_store_exec e;
    assert_int_equal(sl_store_exec_get(f->st, a, &e), 0);
    assert_int_equal(e.id, a);
    assert_string_equal(e.workflow_id, "wf1");
    assert_string_equal(e.mode, "webhook");
    assert_string_equal(e.status, SL_ST_NEW);
    assert_true(e.created_ms >= t0 && e.created_ms <= sl_clock_wall_ms());
    assert_int_equal(e.started_ms, 0);
    assert_null(e.error);

    /* a failed execution keeps its input */
    struct sl_store_exec u = e;
    u.status = (char *)SL_ST_ERROR;
    u.started_ms = 1000;
    u.stopped_ms = 2000;
    u.error = (char *)"boom";
    u.error_node = (char *)"Code";
    u.worker = (char *)"w1/pid 7";
    assert_int_equal(sl_store_exec_update(f->st, &u), 0);
    sl_store_exec_release(&e);
    assert_int_equal(sl_store_exec_get(f->st, a, &e), 0);
    assert_string_equal(e.status, SL_ST_ERROR);
    assert_string_equal(e.error, "boom");
    assert_string_equal(e.error_node, "Code");
    assert_string_equal(e.worker, "w1/pid 7");
    assert_int_equal(e.stopped_ms, 2000);
    sl_store_exec_release(&e);
    json_t *in = NULL;
    assert_int_equal(sl_store_exec_input(f->st, a, &in), 0);
    assert_non_null(in);
    assert_int_equal(json_array_size(json_object_get(in, "items")), 1);
    json_decref(in);

    /* a successful one drops it */
    finish(f->st, b, SL_ST_SUCCESS, 3000);
    assert_int_equal(sl_store_exec_input(f->st, b, &in), 0);
    assert_null(in);

    /* unknown ids, unknown statuses */
    assert_int_equal(sl_store_exec_get(f->st, 9999, &e), SL_ERR_NOT_FOUND);
    u.id = 9999;
    assert_int_equal(sl_store_exec_update(f->st, &u), SL_ERR_NOT_FOUND);
    u.id = a;
    u.status = (char *)"finished";
    assert_int_equal(sl_store_exec_update(f->st, &u), SL_ERR_INVALID);
    struct sl_store_exec bad = {
        .workflow_id = (char *)"w", .mode = (char *)"m", .status = (char *)"done"};
    assert_int_equal(sl_store_exec_insert(f->st, &bad, NULL), SL_ERR_INVALID);

    /* deletion takes the input with it */
    assert_int_equal(sl_store_exec_delete(f->st, a), 0);
    assert_int_equal(sl_store_exec_get(f->st, a, &e), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_exec_delete(f->st, a), SL_ERR_NOT_FOUND);
    sqlite3 *db = raw(f->dir);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM execution_input"), 0);
    sqlite3_close(db);
}

static void test_exec_list(void **state)
{
    struct fx *f = *state;
    int64_t ids[6];
    ids[0] = insert(f->st, "A", SL_ST_NEW, NULL);
    ids[1] = insert(f->st, "B", SL_ST_NEW, NULL);
    ids[2] = insert(f->st, "A", SL_ST_NEW, NULL);
    ids[3] = insert(f->st, "A", SL_ST_RUNNING, NULL);
    ids[4] = insert(f->st, "B", SL_ST_NEW, NULL);
    ids[5] = insert(f->st, "A", SL_ST_NEW, NULL);
    finish(f->st, ids[0], SL_ST_SUCCESS, 1700000000123LL);
    finish(f->st, ids[1], SL_ST_ERROR, 1700000000200LL);
    finish(f->st, ids[2], SL_ST_ERROR, 1700000000300LL);

    struct sl_store_exec_filter flt = {0};
    json_t *rows = NULL;
    assert_int_equal(sl_store_exec_list(f->st, &flt, &rows), 0);
    assert_int_equal(json_array_size(rows), 6);
    char want[24];
    snprintf(want, sizeof want, "%lld", (long long)ids[5]);
    assert_string_equal(str(json_array_get(rows, 0), "id"), want); /* newest first */

    /* the API shape of the oldest one */
    json_t *r = json_array_get(rows, 5);
    snprintf(want, sizeof want, "%lld", (long long)ids[0]);
    assert_string_equal(str(r, "id"), want);
    assert_string_equal(str(r, "workflowId"), "A");
    assert_string_equal(str(r, "mode"), "webhook");
    assert_string_equal(str(r, "status"), "success");
    assert_true(json_is_true(json_object_get(r, "finished")));
    assert_string_equal(str(r, "stoppedAt"), "2023-11-14T22:13:20.123Z");
    assert_string_equal(str(r, "startedAt"), "2023-11-14T22:13:20.118Z");
    assert_true(matches(ISO_RE, str(r, "createdAt")));
    assert_true(json_is_null(json_object_get(r, "waitTill")));
    assert_true(json_is_null(json_object_get(r, "retryOf")));
    assert_true(json_is_null(json_object_get(r, "retrySuccessId")));
    assert_true(json_is_false(json_object_get(json_array_get(rows, 4), "finished")));
    assert_true(json_is_null(json_object_get(json_array_get(rows, 0), "startedAt")));
    json_decref(rows);

    flt.workflow_id = "A";
    assert_int_equal(sl_store_exec_list(f->st, &flt, &rows), 0);
    assert_int_equal(json_array_size(rows), 4);
    json_decref(rows);
    flt.status = SL_ST_ERROR;
    assert_int_equal(sl_store_exec_list(f->st, &flt, &rows), 0);
    assert_int_equal(json_array_size(rows), 1);
    snprintf(want, sizeof want, "%lld", (long long)ids[2]);
    assert_string_equal(str(json_array_get(rows, 0), "id"), want);
    json_decref(rows);
    flt.workflow_id = NULL;
    assert_int_equal(sl_store_exec_list(f->st, &flt, &rows), 0);
    assert_int_equal(json_array_size(rows), 2);
    json_decref(rows);

    /* pages: limit then the cursor */
    flt.status = NULL;
    flt.limit = 4;
    assert_int_equal(sl_store_exec_list(f->st, &flt, &rows), 0);
    assert_int_equal(json_array_size(rows), 4);
    int64_t last = strtoll(str(json_array_get(rows, 3), "id"), NULL, 10);
    assert_int_equal(last, ids[2]);
    json_decref(rows);
    flt.before_id = last;
    assert_int_equal(sl_store_exec_list(f->st, &flt, &rows), 0);
    assert_int_equal(json_array_size(rows), 2);
    snprintf(want, sizeof want, "%lld", (long long)ids[1]);
    assert_string_equal(str(json_array_get(rows, 0), "id"), want);
    json_decref(rows);

    flt.status = "bogus";
    assert_int_equal(sl_store_exec_list(f->st, &flt, &rows), SL_ERR_INVALID);
    flt.status = NULL;
    flt.limit = -1;
    assert_int_equal(sl_store_exec_list(f->st, &flt, &rows), SL_ERR_INVALID);
}

static void test_exec_retry(void **state)
{
    struct fx *f = *state;
    int64_t failed = insert(f->st, "W", SL_ST_NEW, "{\"startNode\":\"Hook\",\"items\":[1]}");
    finish(f->st, failed, SL_ST_ERROR, 5000);
    int64_t crashed = insert(f->st, "W", SL_ST_RUNNING, "{\"items\":[2]}");
    int64_t ok = insert(f->st, "W", SL_ST_NEW, "{\"items\":[3]}");
    finish(f->st, ok, SL_ST_SUCCESS, 6000);
    int64_t lost = insert(f->st, "W", SL_ST_NEW, NULL);
    finish(f->st, lost, SL_ST_ERROR, 7000);

    int64_t nid = 0;
    assert_int_equal(sl_store_exec_retry(f->st, failed, &nid), 0);
    assert_true(nid > lost);
    struct sl_store_exec e;
    assert_int_equal(sl_store_exec_get(f->st, nid, &e), 0);
    assert_string_equal(e.mode, "retry");
    assert_string_equal(e.status, SL_ST_NEW);
    assert_string_equal(e.workflow_id, "W");
    assert_int_equal(e.retry_of, failed);
    sl_store_exec_release(&e);
    json_t *in = NULL;
    assert_int_equal(sl_store_exec_input(f->st, nid, &in), 0);
    assert_string_equal(str(in, "startNode"), "Hook");
    json_decref(in);
    json_t *row = NULL;
    assert_int_equal(sl_store_exec_get_json(f->st, nid, false, &row), 0);
    char want[24];
    snprintf(want, sizeof want, "%lld", (long long)failed);
    assert_string_equal(str(row, "retryOf"), want);
    assert_null(json_object_get(row, "data"));
    json_decref(row);

    /* running -> crashed at start-up, then retried */
    assert_int_equal(sl_store_exec_retry(f->st, crashed, &nid), SL_ERR_INVALID);
    int64_t n = 0;
    assert_int_equal(sl_store_exec_mark_all(f->st, SL_ST_RUNNING, SL_ST_CRASHED, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(sl_store_exec_get(f->st, crashed, &e), 0);
    assert_string_equal(e.status, SL_ST_CRASHED);
    assert_true(e.stopped_ms > 0);
    sl_store_exec_release(&e);
    assert_int_equal(sl_store_exec_retry(f->st, crashed, &nid), 0);

    assert_int_equal(sl_store_exec_retry(f->st, ok, &nid), SL_ERR_INVALID);
    assert_non_null(strstr(sl_store_errmsg(f->st), "success"));
    assert_int_equal(sl_store_exec_retry(f->st, lost, &nid), SL_ERR_INVALID);
    assert_non_null(strstr(sl_store_errmsg(f->st), "input"));
    assert_int_equal(sl_store_exec_retry(f->st, 424242, &nid), SL_ERR_NOT_FOUND);
    assert_int_equal(nid, 0);

    json_t *ids = NULL;
    assert_int_equal(sl_store_exec_ids_in(f->st, SL_ST_NEW, &ids), 0);
    assert_int_equal(json_array_size(ids), 2); /* the two retries, oldest first */
    assert_true(json_integer_value(json_array_get(ids, 0)) <
                json_integer_value(json_array_get(ids, 1)));
    json_decref(ids);
    assert_int_equal(sl_store_exec_mark_all(f->st, SL_ST_RUNNING, SL_ST_CRASHED, &n), 0);
    assert_int_equal(n, 0);
}

static void test_exec_data_state_runs(void **state)
{
    struct fx *f = *state;
    int64_t id = insert(f->st, "W", SL_ST_NEW, NULL);
    json_t *row = NULL;
    assert_int_equal(sl_store_exec_get_json(f->st, id, true, &row), 0);
    assert_true(json_is_null(json_object_get(row, "data")));
    assert_int_equal(json_array_size(json_object_get(row, "nodeRuns")), 0);
    json_decref(row);

    json_t *data = parse("{\"resultData\":{\"runData\":{\"A\":[]},\"lastNodeExecuted\":\"A\"}}");
    assert_int_equal(sl_store_exec_data_put(f->st, id, data), 0);
    json_decref(data);
    json_t *runs = parse("[{\"node\":\"A\",\"type\":\"n8n-nodes-base.code\",\"run\":0,"
                         "\"startMs\":10,\"durationUs\":1500,\"itemsIn\":1,\"itemsOut\":2,"
                         "\"bytes\":64,\"status\":\"success\",\"error\":null},"
                         "{\"node\":\"B\",\"type\":\"n8n-nodes-base.set\",\"run\":1,"
                         "\"startMs\":11,\"durationUs\":20,\"itemsIn\":2,\"itemsOut\":0,"
                         "\"bytes\":0,\"status\":\"error\",\"error\":\"bad\"}]");
    assert_int_equal(sl_store_node_runs_put(f->st, id, runs), 0);
    assert_int_equal(sl_store_exec_get_json(f->st, id, true, &row), 0);
    assert_string_equal(
        str(json_object_get(json_object_get(row, "data"), "resultData"), "lastNodeExecuted"), "A");
    assert_true(json_equal(json_object_get(row, "nodeRuns"), runs));
    json_decref(row);
    /* put replaces */
    json_array_remove(runs, 0);
    assert_int_equal(sl_store_node_runs_put(f->st, id, runs), 0);
    assert_int_equal(sl_store_exec_get_json(f->st, id, true, &row), 0);
    assert_true(json_equal(json_object_get(row, "nodeRuns"), runs));
    json_decref(row);
    json_decref(runs);
    runs = parse("[{\"type\":\"x\"}]");
    assert_int_equal(sl_store_node_runs_put(f->st, id, runs), SL_ERR_INVALID);
    json_decref(runs);

    assert_int_equal(sl_store_exec_data_put(f->st, id, NULL), 0);
    assert_int_equal(sl_store_exec_get_json(f->st, id, true, &row), 0);
    assert_true(json_is_null(json_object_get(row, "data")));
    json_decref(row);

    json_t *st = NULL;
    assert_int_equal(sl_store_exec_state_get(f->st, id, &st), 0);
    assert_null(st);
    json_t *parked = parse("{\"v\":1,\"stack\":[1,2,3]}");
    assert_int_equal(sl_store_exec_state_put(f->st, id, parked), 0);
    assert_int_equal(sl_store_exec_state_get(f->st, id, &st), 0);
    assert_true(json_equal(st, parked));
    json_decref(st);
    assert_int_equal(sl_store_exec_state_put(f->st, id, NULL), 0);
    assert_int_equal(sl_store_exec_state_get(f->st, id, &st), 0);
    assert_null(st);

    /* writing beside an execution that does not exist */
    assert_int_equal(sl_store_exec_state_put(f->st, 777, parked), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_exec_data_put(f->st, 777, parked), SL_ERR_NOT_FOUND);
    json_decref(parked);
    assert_int_equal(sl_store_exec_get_json(f->st, 777, true, &row), SL_ERR_NOT_FOUND);
}

static void test_prune(void **state)
{
    struct fx *f = *state;
    int64_t now = sl_clock_wall_ms();
    int64_t old = now - 400LL * 3600 * 1000; /* 400 h ago */
    char big[4096 + 32];
    snprintf(big, sizeof big, "{\"items\":[\"%0*d\"]}", 4096, 7);
    int64_t o1 = insert(f->st, "W", SL_ST_NEW, big);
    finish(f->st, o1, SL_ST_ERROR, old);
    int64_t o2 = insert(f->st, "W", SL_ST_NEW, NULL);
    finish(f->st, o2, SL_ST_SUCCESS, old);
    json_t *runs = parse("[{\"node\":\"A\",\"status\":\"success\"}]");
    assert_int_equal(sl_store_node_runs_put(f->st, o2, runs), 0);
    json_decref(runs);
    /* unfinished ones stay however old */
    int64_t keep_new = insert(f->st, "W", SL_ST_NEW, NULL);
    int64_t keep_run = insert(f->st, "W", SL_ST_RUNNING, NULL);
    int64_t keep_wait = insert(f->st, "W", SL_ST_WAITING, NULL);
    int64_t recent[5];
    for (int i = 0; i < 5; i++) {
        recent[i] = insert(f->st, "W", SL_ST_NEW, big);
        finish(f->st, recent[i], i % 2 ? SL_ST_ERROR : SL_ST_SUCCESS, now - 1000);
    }
    /* many pages of data so that pruning frees some */
    for (int i = 0; i < 50; i++) {
        json_t *d = parse(big);
        assert_int_equal(sl_store_exec_data_put(f->st, o1, d), 0);
        json_decref(d);
    }

    int64_t n = 0;
    assert_int_equal(sl_store_prune(f->st, 336, 0, &n), 0);
    assert_int_equal(n, 2);
    struct sl_store_exec e;
    assert_int_equal(sl_store_exec_get(f->st, o1, &e), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_exec_get(f->st, o2, &e), SL_ERR_NOT_FOUND);
    sqlite3 *db = raw(f->dir);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM node_runs"), 0);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM execution_data"), 0);
    assert_int_equal(raw_int(db, "PRAGMA freelist_count"), 0); /* space given back */
    sqlite3_close(db);

    /* by count: the 2 newest finished stay */
    assert_int_equal(sl_store_prune(f->st, 0, 2, &n), 0);
    assert_int_equal(n, 3);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sl_store_exec_get(f->st, recent[i], &e), i < 3 ? SL_ERR_NOT_FOUND : 0);
        sl_store_exec_release(&e);
    }
    int64_t keep[] = {keep_new, keep_run, keep_wait};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sl_store_exec_get(f->st, keep[i], &e), 0);
        sl_store_exec_release(&e);
    }
    assert_int_equal(sl_store_prune(f->st, 1, 1, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(sl_store_prune(f->st, 0, 0, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(sl_store_prune(f->st, -1, 0, &n), SL_ERR_INVALID);
}

/* ------------------------------------------------------------- API keys */

static void test_apikeys(void **state)
{
    struct fx *f = *state;
    char *key = NULL;
    assert_int_equal(sl_store_apikey_create(f->st, "ci", &key), 0);
    assert_true(matches("^sl_[A-Za-z0-9]{40}$", key));
    char *key2 = NULL;
    assert_int_equal(sl_store_apikey_create(f->st, NULL, &key2), 0);
    assert_string_not_equal(key, key2);
    int64_t n = 0;
    assert_int_equal(sl_store_apikey_count(f->st, &n), 0);
    assert_int_equal(n, 2);

    assert_int_equal(sl_store_apikey_check(f->st, key), 0);
    assert_int_equal(sl_store_apikey_check(f->st, key2), 0);
    char wrong[64];
    snprintf(wrong, sizeof wrong, "%s", key);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    assert_int_equal(sl_store_apikey_check(f->st, wrong), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_apikey_check(f->st, ""), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_apikey_check(f->st, NULL), SL_ERR_NOT_FOUND);

    /* only the SHA-256 is kept */
    unsigned char md[32];
    unsigned int len = 0;
    assert_int_equal(EVP_Digest(key, strlen(key), md, &len, EVP_sha256(), NULL), 1);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    sqlite3 *db = raw(f->dir);
    char q[256];
    snprintf(q, sizeof q, "SELECT count(*) FROM api_keys WHERE sha256 = '%s' AND label = 'ci'",
             hex);
    assert_int_equal(raw_int(db, q), 1);
    snprintf(q, sizeof q,
             "SELECT count(*) FROM api_keys WHERE instr(sha256, '%s') OR instr(label, '%s')",
             key + 3, key + 3);
    assert_int_equal(raw_int(db, q), 0);
    sqlite3_close(db);
    free(key);
    free(key2);
}

/* --------------------------------------------------------- transactions */

static void test_credentials(void **state)
{
    struct fx *f = *state;
    unsetenv("SLUICE_ENCRYPTION_KEY");
    json_t *data = parse("{\"user\": \"ada\", \"password\": \"p4ss-w0rd-77\"}");
    char *id = NULL;
    assert_int_equal(sl_store_credential_create(f->st, NULL, "Hook", "httpBasicAuth", data, &id),
                     0);
    assert_true(matches("^[A-Za-z0-9]{16}$", id));
    /* the key file: 0600, 64 hex digits */
    char path[128];
    snprintf(path, sizeof path, "%s/encryption.key", f->dir);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* by id; by name when the id is unknown here; the type must match */
    json_t *got = NULL;
    assert_int_equal(sl_store_credential_resolve(f->st, "httpBasicAuth", id, NULL, &got), 0);
    assert_true(json_equal(got, data));
    json_decref(got);
    assert_int_equal(
        sl_store_credential_resolve(f->st, "httpBasicAuth", "fromElsewhere", "Hook", &got), 0);
    assert_true(json_equal(got, data));
    json_decref(got);
    assert_int_equal(sl_store_credential_resolve(f->st, "httpHeaderAuth", id, NULL, &got),
                     SL_ERR_INVALID);
    assert_null(got);
    assert_int_equal(sl_store_credential_resolve(f->st, "httpBasicAuth", "x", "nobody", &got),
                     SL_ERR_NOT_FOUND);
    /* the resolver executions use: its own connection, the same answers */
    struct sl_creds *creds = sl_creds_new(f->dir);
    struct sl_error err = {{0}};
    got = sl_creds_resolve(creds, "httpBasicAuth", NULL, "Hook", &err);
    assert_true(json_equal(got, data));
    json_decref(got);
    assert_null(sl_creds_resolve(creds, "httpBasicAuth", "x", "nobody", &err));
    assert_string_equal(err.msg, "credential 'nobody' (httpBasicAuth) does not exist");
    sl_creds_free(creds);
    /* the secret is nowhere in the database file */
    sqlite3 *db = raw(f->dir);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM credentials WHERE instr(data, "
                                 "'p4ss-w0rd-77') > 0 OR instr(CAST(data AS TEXT), 'p4ss') > 0"),
                     0);
    sqlite3_close(db);
    /* another key cannot open it */
    setenv("SLUICE_ENCRYPTION_KEY", "a different key", 1);
    assert_int_equal(sl_store_credential_resolve(f->st, "httpBasicAuth", id, NULL, &got),
                     SL_ERR_INVALID);
    assert_true(strstr(sl_store_errmsg(f->st), "encryption key") != NULL);
    unsetenv("SLUICE_ENCRYPTION_KEY");
    /* the list never holds the data; delete */
    json_t *rows = NULL;
    assert_int_equal(sl_store_credential_list(f->st, &rows), 0);
    assert_int_equal(json_array_size(rows), 1);
    assert_null(json_object_get(json_array_get(rows, 0), "data"));
    json_decref(rows);
    assert_int_equal(sl_store_credential_delete(f->st, id), 0);
    assert_int_equal(sl_store_credential_delete(f->st, id), SL_ERR_NOT_FOUND);
    free(id);
    json_decref(data);
}

static void test_transactions(void **state)
{
    struct fx *f = *state;
    assert_int_equal(sl_store_commit(f->st), SL_ERR_INVALID);
    assert_int_equal(sl_store_begin(f->st), 0);
    assert_int_equal(sl_store_begin(f->st), SL_ERR_INVALID);
    int64_t a = insert(f->st, "W", SL_ST_NEW, "{}");
    assert_int_equal(sl_store_savepoint(f->st), 0);
    int64_t b = insert(f->st, "W", SL_ST_NEW, "{}");
    sl_store_rollback_to(f->st);
    assert_int_equal(sl_store_savepoint(f->st), 0);
    int64_t c = insert(f->st, "W", SL_ST_NEW, NULL);
    /* a multi-statement write inside a savepoint inside the batch */
    int64_t nid = 0;
    finish(f->st, a, SL_ST_ERROR, 10);
    assert_int_equal(sl_store_exec_retry(f->st, a, &nid), 0);
    assert_int_equal(sl_store_release(f->st), 0);
    assert_int_equal(sl_store_commit(f->st), 0);
    struct sl_store_exec e;
    assert_int_equal(sl_store_exec_get(f->st, a, &e), 0);
    sl_store_exec_release(&e);
    /* b was rolled back (c may reuse its id: it was never committed) */
    json_t *ids = NULL;
    assert_int_equal(sl_store_exec_ids_in(f->st, SL_ST_NEW, &ids), 0);
    assert_int_equal(json_array_size(ids), 2);
    assert_int_equal(json_integer_value(json_array_get(ids, 0)), c);
    assert_int_equal(json_integer_value(json_array_get(ids, 1)), nid);
    json_decref(ids);
    assert_true(b > a);

    assert_int_equal(sl_store_begin(f->st), 0);
    int64_t d = insert(f->st, "W", SL_ST_NEW, NULL);
    sl_store_rollback(f->st);
    assert_int_equal(sl_store_exec_get(f->st, d, &e), SL_ERR_NOT_FOUND);
}

/* Another connection commits: data_version moves; a writer held by
 * another connection makes this one wait (busy timeout), not fail. */
struct holder {
    struct sl_store *st;
};

static void *hold_then_commit(void *p)
{
    struct holder *h = p;
    usleep(300 * 1000);
    if (sl_store_commit(h->st) != 0)
        fprintf(stderr, "holder commit: %s\n", sl_store_errmsg(h->st));
    return NULL;
}

static void test_two_connections(void **state)
{
    struct fx *f = *state;
    struct sl_error err = {{0}};
    struct sl_store *other = sl_store_open(f->dir, &err);
    assert_non_null(other);
    int64_t v1 = 0, v2 = 0;
    assert_int_equal(sl_store_data_version(f->st, &v1), 0);
    insert(other, "W", SL_ST_NEW, NULL);
    assert_int_equal(sl_store_data_version(f->st, &v2), 0);
    assert_true(v2 != v1);
    /* the count of workflow changes moves with workflows only, whoever
     * makes them */
    int64_t c0 = -1, c1 = -1;
    assert_int_equal(sl_store_workflows_changes(f->st, &c0), 0);
    insert(other, "W", SL_ST_NEW, NULL);
    assert_int_equal(sl_store_workflows_changes(f->st, &c1), 0);
    assert_int_equal(c1, c0);
    json_t *doc = parse("{\"name\":\"Counted\",\"nodes\":[],\"connections\":{}}");
    char *wid = NULL;
    assert_int_equal(sl_store_workflow_save(other, doc, &wid), 0);
    assert_int_equal(sl_store_workflows_changes(f->st, &c1), 0);
    assert_true(c1 > c0);
    c0 = c1;
    assert_int_equal(sl_store_workflow_set_active(other, wid, true), 0);
    assert_int_equal(sl_store_workflows_changes(f->st, &c1), 0);
    assert_true(c1 > c0);
    c0 = c1;
    assert_int_equal(sl_store_workflow_delete(other, wid), 0);
    assert_int_equal(sl_store_workflows_changes(f->st, &c1), 0);
    assert_true(c1 > c0);
    free(wid);
    json_decref(doc);

    assert_int_equal(sl_store_begin(other), 0);
    insert(other, "W", SL_ST_NEW, NULL);
    struct holder h = {other};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, hold_then_commit, &h), 0);
    uint64_t t0 = sl_clock_mono_us();
    usleep(20 * 1000);
    insert(f->st, "W", SL_ST_NEW, NULL); /* waits for the other's commit */
    assert_true(sl_clock_mono_us() - t0 >= 250 * 1000);
    pthread_join(t, NULL);
    json_t *ids = NULL;
    assert_int_equal(sl_store_exec_ids_in(f->st, SL_ST_NEW, &ids), 0);
    assert_int_equal(json_array_size(ids), 4);
    json_decref(ids);
    sl_store_close(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_creates_dir),
        cmocka_unit_test(test_open_env),
        cmocka_unit_test(test_not_a_database),
        cmocka_unit_test_setup_teardown(test_reopen_and_newer_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workflows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workflow_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_insert_update_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_data_state_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apikeys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_connections, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
