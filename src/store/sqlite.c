/*
 * The embedded store backend: one SQLite file, `<data dir>/sluice.db`.
 *
 * Settings, and why:
 * - WAL, so readers (API, CLI) never wait for the writer, nor it for them.
 * - synchronous=FULL: a webhook answered in onReceived mode promises its
 *   execution survives a power cut; with NORMAL a WAL commit can be lost
 *   then (only the database's consistency is kept). The writer batches
 *   many executions per commit, so the extra fsync is paid per batch.
 *   Batches nobody waits for (sl_store_begin_relaxed) commit with NORMAL:
 *   in WAL mode that survives a crash of the process, and the next FULL
 *   commit flushes the WAL with them.
 * - busy_timeout 5 s, so the CLI and the server share the file.
 * - foreign keys, so deleting an execution deletes its input, data, state
 *   and node runs (pruning is one DELETE).
 * - auto_vacuum=INCREMENTAL, set before the first table exists (it cannot
 *   be turned on later without a VACUUM): pruning gives pages back with
 *   `PRAGMA incremental_vacuum`, never an offline VACUUM.
 *
 * The schema version is PRAGMA user_version; each migration runs in its
 * own IMMEDIATE transaction that re-reads the version first, so two
 * processes opening a new file at once migrate it once. Statements are
 * prepared once per connection and kept (stmts[]).
 */
#define _GNU_SOURCE
#include "store/store_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/clock.h"

/* ------------------------------------------------------------ schema */

static const char *const migrations[] = {
    /* 1: the first schema */
    "CREATE TABLE workflows ("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 0,"
    " version_counter INTEGER NOT NULL DEFAULT 1, doc TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX workflows_active ON workflows(active, id);"
    "CREATE TABLE executions ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, workflow_id TEXT NOT NULL, mode TEXT NOT NULL,"
    " status TEXT NOT NULL, created_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL DEFAULT 0,"
    " stopped_ms INTEGER NOT NULL DEFAULT 0, wait_till_ms INTEGER NOT NULL DEFAULT 0,"
    " retry_of INTEGER NOT NULL DEFAULT 0, retry_success_id INTEGER NOT NULL DEFAULT 0,"
    " error TEXT, error_node TEXT, worker TEXT);"
    "CREATE INDEX executions_status ON executions(status, id);"
    "CREATE INDEX executions_workflow ON executions(workflow_id, id);"
    "CREATE INDEX executions_stopped ON executions(stopped_ms);"
    "CREATE TABLE execution_input ("
    " exec_id INTEGER PRIMARY KEY REFERENCES executions(id) ON DELETE CASCADE,"
    " json TEXT NOT NULL);"
    "CREATE TABLE execution_data ("
    " exec_id INTEGER PRIMARY KEY REFERENCES executions(id) ON DELETE CASCADE,"
    " json TEXT NOT NULL);"
    "CREATE TABLE execution_state ("
    " exec_id INTEGER PRIMARY KEY REFERENCES executions(id) ON DELETE CASCADE,"
    " json TEXT NOT NULL);"
    "CREATE TABLE node_runs ("
    " exec_id INTEGER NOT NULL REFERENCES executions(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL, node TEXT NOT NULL, type TEXT, run INTEGER NOT NULL DEFAULT 0,"
    " start_ms INTEGER NOT NULL DEFAULT 0, duration_us INTEGER NOT NULL DEFAULT 0,"
    " items_in INTEGER NOT NULL DEFAULT 0, items_out INTEGER NOT NULL DEFAULT 0,"
    " bytes INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, error TEXT,"
    " PRIMARY KEY (exec_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE api_keys ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE credentials ("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, data BLOB NOT NULL,"
    " nonce BLOB NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);",
    /* 2: a count of changes to workflows (sl_store_workflows_changes) */
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO counters VALUES ('workflows', 0);"
    "CREATE TRIGGER workflows_ins AFTER INSERT ON workflows BEGIN"
    " UPDATE counters SET value = value + 1 WHERE name = 'workflows'; END;"
    "CREATE TRIGGER workflows_upd AFTER UPDATE ON workflows BEGIN"
    " UPDATE counters SET value = value + 1 WHERE name = 'workflows'; END;"
    "CREATE TRIGGER workflows_del AFTER DELETE ON workflows BEGIN"
    " UPDATE counters SET value = value + 1 WHERE name = 'workflows'; END;",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof *migrations))

/* ------------------------------------------------- cached statements */

#define EXEC_COLS                                                                                  \
    "id, workflow_id, mode, status, created_ms, started_ms, stopped_ms, wait_till_ms, retry_of, "  \
    "retry_success_id, error, error_node, worker"
#define WF_COLS "id, name, active, version_counter, doc, created_at, updated_at"
#define FINAL_STATUSES "('success','error','canceled','crashed')"

enum q {
    Q_DATA_VERSION,
    Q_WF_CHANGES,
    Q_WF_SAVE,
    Q_WF_GET,
    Q_WF_LIST,
    Q_WF_LIST_ACTIVE,
    Q_WF_SET_ACTIVE,
    Q_WF_DELETE,
    Q_WF_COUNT,
    Q_WF_COUNT_ACTIVE,
    Q_EX_INSERT,
    Q_EX_RESERVE,
    Q_EX_RESERVE_FIRST,
    Q_EX_UPDATE,
    Q_EX_GET,
    Q_EX_DELETE,
    Q_EX_LIST,
    Q_EX_LIST_WF,
    Q_EX_LIST_ST,
    Q_EX_LIST_WF_ST,
    Q_IN_PUT,
    Q_IN_GET,
    Q_IN_DEL,
    Q_DATA_PUT,
    Q_DATA_GET,
    Q_DATA_DEL,
    Q_STATE_PUT,
    Q_STATE_GET,
    Q_STATE_DEL,
    Q_RUNS_DEL,
    Q_RUNS_INS,
    Q_RUNS_GET,
    Q_EX_IDS_IN,
    Q_EX_MARK_ALL,
    Q_PRUNE_AGE,
    Q_PRUNE_COUNT,
    Q_KEY_INS,
    Q_KEY_CHECK,
    Q_KEY_COUNT,
    Q_CRED_PUT,
    Q_CRED_BY_ID,
    Q_CRED_BY_NAME,
    Q_CRED_LIST,
    Q_CRED_DEL,
    /* transaction control, prepared once like the rest */
    Q_BEGIN_IMM,
    Q_SYNC_FULL,
    Q_SYNC_NORMAL,
    Q_COMMIT,
    Q_SP_OP,
    Q_REL_OP,
    Q_SP_WRITE,
    Q_REL_WRITE,
    Q_COUNT
};

static const char *const sql[Q_COUNT] = {
    [Q_DATA_VERSION] = "PRAGMA data_version",
    [Q_WF_CHANGES] = "SELECT value FROM counters WHERE name = 'workflows'",
    [Q_WF_SAVE] = "INSERT INTO workflows(id, name, active, version_counter, doc, created_at, "
                  "updated_at) VALUES(?1, ?2, coalesce(?3, 0), 1, ?4, ?5, ?5) "
                  "ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
                  "active = coalesce(?3, active), version_counter = version_counter + 1, "
                  "doc = excluded.doc, updated_at = excluded.updated_at",
    [Q_WF_GET] = "SELECT " WF_COLS " FROM workflows WHERE id = ?1",
    [Q_WF_LIST] = "SELECT " WF_COLS " FROM workflows WHERE id > ?1 ORDER BY id LIMIT ?2",
    [Q_WF_LIST_ACTIVE] =
        "SELECT " WF_COLS " FROM workflows WHERE active = 1 AND id > ?1 ORDER BY id LIMIT ?2",
    [Q_WF_SET_ACTIVE] = "UPDATE workflows SET active = ?2, updated_at = ?3 WHERE id = ?1",
    [Q_WF_DELETE] = "DELETE FROM workflows WHERE id = ?1",
    [Q_WF_COUNT] = "SELECT count(*) FROM workflows",
    [Q_WF_COUNT_ACTIVE] = "SELECT count(*) FROM workflows WHERE active = 1",
    [Q_EX_INSERT] = "INSERT INTO executions(workflow_id, mode, status, created_ms, started_ms, "
                    "stopped_ms, wait_till_ms, retry_of, retry_success_id, error, error_node, "
                    "worker, id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [Q_EX_RESERVE] = "UPDATE sqlite_sequence SET seq = seq + ?1 WHERE name = 'executions' "
                     "RETURNING seq - ?1",
    [Q_EX_RESERVE_FIRST] = "INSERT INTO sqlite_sequence(name, seq) SELECT 'executions', "
                           "coalesce(max(id), 0) + ?1 FROM executions RETURNING seq - ?1",
    [Q_EX_UPDATE] = "UPDATE executions SET status = ?2, started_ms = ?3, stopped_ms = ?4, "
                    "wait_till_ms = ?5, error = ?6, error_node = ?7, worker = ?8, "
                    "retry_success_id = ?9 WHERE id = ?1",
    [Q_EX_GET] = "SELECT " EXEC_COLS " FROM executions WHERE id = ?1",
    [Q_EX_DELETE] = "DELETE FROM executions WHERE id = ?1",
    [Q_EX_LIST] = "SELECT " EXEC_COLS " FROM executions WHERE id < ?3 ORDER BY id DESC LIMIT ?4",
    [Q_EX_LIST_WF] = "SELECT " EXEC_COLS " FROM executions WHERE workflow_id = ?1 AND id < ?3 "
                     "ORDER BY id DESC LIMIT ?4",
    [Q_EX_LIST_ST] = "SELECT " EXEC_COLS " FROM executions WHERE status = ?2 AND id < ?3 "
                     "ORDER BY id DESC LIMIT ?4",
    [Q_EX_LIST_WF_ST] = "SELECT " EXEC_COLS " FROM executions WHERE workflow_id = ?1 AND "
                        "status = ?2 AND id < ?3 ORDER BY id DESC LIMIT ?4",
    [Q_IN_PUT] = "INSERT OR REPLACE INTO execution_input(exec_id, json) VALUES(?1, ?2)",
    [Q_IN_GET] = "SELECT json FROM execution_input WHERE exec_id = ?1",
    [Q_IN_DEL] = "DELETE FROM execution_input WHERE exec_id = ?1",
    [Q_DATA_PUT] = "INSERT OR REPLACE INTO execution_data(exec_id, json) VALUES(?1, ?2)",
    [Q_DATA_GET] = "SELECT json FROM execution_data WHERE exec_id = ?1",
    [Q_DATA_DEL] = "DELETE FROM execution_data WHERE exec_id = ?1",
    [Q_STATE_PUT] = "INSERT OR REPLACE INTO execution_state(exec_id, json) VALUES(?1, ?2)",
    [Q_STATE_GET] = "SELECT json FROM execution_state WHERE exec_id = ?1",
    [Q_STATE_DEL] = "DELETE FROM execution_state WHERE exec_id = ?1",
    [Q_RUNS_DEL] = "DELETE FROM node_runs WHERE exec_id = ?1",
    [Q_RUNS_INS] = "INSERT INTO node_runs(exec_id, seq, node, type, run, start_ms, duration_us, "
                   "items_in, items_out, bytes, status, error) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [Q_RUNS_GET] = "SELECT node, type, run, start_ms, duration_us, items_in, items_out, bytes, "
                   "status, error FROM node_runs WHERE exec_id = ?1 ORDER BY seq",
    [Q_EX_IDS_IN] = "SELECT id FROM executions WHERE status = ?1 ORDER BY id",
    [Q_EX_MARK_ALL] = "UPDATE executions SET status = ?2, stopped_ms = CASE WHEN ?3 AND "
                      "stopped_ms = 0 THEN ?4 ELSE stopped_ms END WHERE status = ?1",
    [Q_PRUNE_AGE] = "DELETE FROM executions WHERE stopped_ms > 0 AND stopped_ms < ?1 AND "
                    "status IN " FINAL_STATUSES,
    [Q_PRUNE_COUNT] = "DELETE FROM executions WHERE id IN (SELECT id FROM executions WHERE "
                      "status IN " FINAL_STATUSES " ORDER BY id DESC LIMIT -1 OFFSET ?1)",
    [Q_KEY_INS] = "INSERT INTO api_keys(label, sha256, created_at) VALUES(?1, ?2, ?3)",
    [Q_KEY_CHECK] = "SELECT 1 FROM api_keys WHERE sha256 = ?1",
    [Q_KEY_COUNT] = "SELECT count(*) FROM api_keys",
    [Q_CRED_PUT] = "INSERT INTO credentials(id, name, type, data, nonce, created_at, updated_at) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    [Q_CRED_BY_ID] = "SELECT type, data, nonce FROM credentials WHERE id = ?1",
    [Q_CRED_BY_NAME] = "SELECT type, data, nonce FROM credentials WHERE name = ?1 AND type = ?2 "
                       "ORDER BY created_at LIMIT 1",
    [Q_CRED_LIST] =
        "SELECT id, name, type, created_at, updated_at FROM credentials ORDER BY name, id",
    [Q_CRED_DEL] = "DELETE FROM credentials WHERE id = ?1",
    [Q_BEGIN_IMM] = "BEGIN IMMEDIATE",
    [Q_SYNC_FULL] = "PRAGMA synchronous = FULL",
    [Q_SYNC_NORMAL] = "PRAGMA synchronous = NORMAL",
    [Q_COMMIT] = "COMMIT",
    [Q_SP_OP] = "SAVEPOINT sl_op",
    [Q_REL_OP] = "RELEASE sl_op",
    [Q_SP_WRITE] = "SAVEPOINT sl_write",
    [Q_REL_WRITE] = "RELEASE sl_write",
};

struct conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[Q_COUNT];
    bool relaxed; /* synchronous is NORMAL (sq_begin) */
};

#define DB(st) (((struct conn *)(st)->impl)->db)

static int dberr(struct sl_store *st, const char *what)
{
    sqlite3 *db = DB(st);
    int code = sqlite3_errcode(db);
    int rc =
        (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED ? SL_ERR_BUSY : SL_ERR_IO;
    return sl_store_seterr(st, rc, "store: %s: %s", what, sqlite3_errmsg(db));
}

/* The cached statement `q`, reset and unbound; NULL (message set) when it
 * does not prepare. */
static sqlite3_stmt *stmt(struct sl_store *st, enum q q)
{
    struct conn *c = st->impl;
    if (!c->stmts[q]) {
        if (sqlite3_prepare_v3(c->db, sql[q], -1, SQLITE_PREPARE_PERSISTENT, &c->stmts[q], NULL) !=
            SQLITE_OK) {
            dberr(st, "preparing a statement");
            return NULL;
        }
    }
    return c->stmts[q];
}

static void done(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

static char *col_strdup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? sl_strdup((const char *)t) : NULL;
}

static char *dump(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s)
        sl_oom();
    return s;
}

static json_t *load_col(sqlite3_stmt *s, int i)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    if (!t)
        return NULL;
    return json_loads(t, JSON_DECODE_ANY, NULL);
}

/* Runs a statement that returns no rows; 0 or an error. */
static int step_done(struct sl_store *st, sqlite3_stmt *s, const char *what)
{
    int r = sqlite3_step(s);
    int rc = r == SQLITE_DONE || r == SQLITE_ROW ? 0 : dberr(st, what);
    done(s);
    return rc;
}

static int exec_sql(struct sl_store *st, const char *q, const char *what)
{
    if (sqlite3_exec(DB(st), q, NULL, NULL, NULL) != SQLITE_OK)
        return dberr(st, what);
    return 0;
}

/* Runs the cached statement `q` (transaction control: parsed once, not on
 * every write of a batch). */
static int exec_q(struct sl_store *st, enum q q, const char *what)
{
    sqlite3_stmt *s = stmt(st, q);
    return s ? step_done(st, s, what) : SL_ERR_IO;
}

/* A multi-statement operation is atomic: its own IMMEDIATE transaction
 * when none is open, else a savepoint inside the caller's. */
static int op_begin(struct sl_store *st, bool *own)
{
    *own = sqlite3_get_autocommit(DB(st)) != 0;
    return exec_q(st, *own ? Q_BEGIN_IMM : Q_SP_OP, "beginning a transaction");
}

static int op_end(struct sl_store *st, bool own, int rc)
{
    if (rc == 0) {
        int r = exec_q(st, own ? Q_COMMIT : Q_REL_OP, "committing");
        if (r == 0)
            return 0;
        rc = r;
    }
    sqlite3_exec(DB(st), own ? "ROLLBACK" : "ROLLBACK TO sl_op; RELEASE sl_op", NULL, NULL, NULL);
    return rc;
}

/* ------------------------------------------------------------ opening */

static int pragma_int(sqlite3 *db, const char *q, int64_t *v)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK)
        return -1;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW)
        *v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return r == SQLITE_ROW ? 0 : -1;
}

static int migrate(struct sl_store *st, const char *path, struct sl_error *err)
{
    sqlite3 *db = DB(st);
    for (;;) {
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
            sl_error_set(err, "%s: %s", path, sqlite3_errmsg(db));
            return SL_ERR_IO;
        }
        int64_t v = 0;
        if (pragma_int(db, "PRAGMA user_version", &v) != 0) {
            sl_error_set(err, "%s: reading the schema version: %s", path, sqlite3_errmsg(db));
            goto fail;
        }
        if (v > SCHEMA_VERSION) {
            sl_error_set(err,
                         "%s: schema version %lld is newer than this sluice knows (%d): "
                         "upgrade sluice",
                         path, (long long)v, SCHEMA_VERSION);
            goto fail;
        }
        if (v == SCHEMA_VERSION) {
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
            st->schema_version = (int)v;
            return 0;
        }
        char setv[64];
        snprintf(setv, sizeof setv, "PRAGMA user_version = %d", (int)v + 1);
        if (sqlite3_exec(db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(db, setv, NULL, NULL, NULL) != SQLITE_OK) {
            sl_error_set(err, "%s: migration to schema version %d: %s", path, (int)v + 1,
                         sqlite3_errmsg(db));
            goto fail;
        }
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            sl_error_set(err, "%s: committing schema version %d: %s", path, (int)v + 1,
                         sqlite3_errmsg(db));
            goto fail;
        }
    }
fail:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return SL_ERR_IO;
}

static void sq_close(struct sl_store *st)
{
    struct conn *c = st->impl;
    if (!c)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(c->stmts[i]);
    sqlite3_close_v2(c->db);
    free(c);
    st->impl = NULL;
}

static int sq_open(struct sl_store *st, struct sl_error *err)
{
    char *path = sl_asprintf("%s/sluice.db", st->data_dir);
    struct conn *c = sl_calloc(1, sizeof *c);
    st->impl = c;
    int rc = SL_ERR_IO;
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        sl_error_set(err, "%s: %s", path, c->db ? sqlite3_errmsg(c->db) : "cannot open");
        goto out;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, 5000);
    /* auto_vacuum first: it only takes effect before the first table. */
    if (sqlite3_exec(c->db,
                     "PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL;"
                     " PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        sl_error_set(err, "%s: %s", path, sqlite3_errmsg(c->db));
        goto out;
    }
    rc = migrate(st, path, err);
out:
    free(path);
    if (rc != 0)
        sq_close(st);
    return rc;
}

/* The one integer that query `q` answers (a count, a pragma), in *n. */
static int count(struct sl_store *st, enum q q, int64_t *n, const char *what)
{
    sqlite3_stmt *s = stmt(st, q);
    if (!s)
        return SL_ERR_IO;
    int rc = 0;
    if (sqlite3_step(s) == SQLITE_ROW)
        *n = sqlite3_column_int64(s, 0);
    else
        rc = dberr(st, what);
    done(s);
    return rc;
}

static int sq_data_version(struct sl_store *st, int64_t *version)
{
    return count(st, Q_DATA_VERSION, version, "reading the data version");
}

static int sq_workflows_changes(struct sl_store *st, int64_t *n)
{
    return count(st, Q_WF_CHANGES, n, "reading the count of workflow changes");
}

/* ------------------------------------------------------- transactions */

static int sq_begin(struct sl_store *st, bool durable)
{
    if (!sqlite3_get_autocommit(DB(st)))
        return sl_store_seterr(st, SL_ERR_INVALID, "store: a transaction is already open");
    struct conn *c = st->impl;
    if (c->relaxed == durable) {
        int rc = exec_q(st, durable ? Q_SYNC_FULL : Q_SYNC_NORMAL, "setting synchronous");
        if (rc)
            return rc;
        c->relaxed = !durable;
    }
    return exec_q(st, Q_BEGIN_IMM, "beginning a transaction");
}

static int sq_commit(struct sl_store *st)
{
    if (sqlite3_get_autocommit(DB(st)))
        return sl_store_seterr(st, SL_ERR_INVALID, "store: no transaction to commit");
    return exec_q(st, Q_COMMIT, "committing");
}

static void sq_rollback(struct sl_store *st)
{
    if (!sqlite3_get_autocommit(DB(st)))
        sqlite3_exec(DB(st), "ROLLBACK", NULL, NULL, NULL);
}

static int sq_savepoint(struct sl_store *st)
{
    return exec_q(st, Q_SP_WRITE, "opening a savepoint");
}

static int sq_release(struct sl_store *st)
{
    return exec_q(st, Q_REL_WRITE, "releasing a savepoint");
}

static void sq_rollback_to(struct sl_store *st)
{
    sqlite3_exec(DB(st), "ROLLBACK TO sl_write; RELEASE sl_write", NULL, NULL, NULL);
}

/* ------------------------------------------------------------ workflows */

static int sq_workflow_save(struct sl_store *st, const char *id, const char *name, int active,
                            const json_t *doc)
{
    sqlite3_stmt *s = stmt(st, Q_WF_SAVE);
    if (!s)
        return SL_ERR_IO;
    char *text = dump(doc);
    bind_text(s, 1, id);
    bind_text(s, 2, name);
    if (active >= 0)
        sqlite3_bind_int(s, 3, active);
    sqlite3_bind_text(s, 4, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 5, sl_clock_wall_ms());
    int rc = step_done(st, s, "saving a workflow");
    free(text);
    return rc;
}

static json_t *workflow_row(sqlite3_stmt *s)
{
    return sl_store_workflow_doc(load_col(s, 4), (const char *)sqlite3_column_text(s, 0),
                                 (const char *)sqlite3_column_text(s, 1),
                                 sqlite3_column_int(s, 2) != 0, sqlite3_column_int64(s, 3),
                                 sqlite3_column_int64(s, 5), sqlite3_column_int64(s, 6));
}

static int sq_workflow_get(struct sl_store *st, const char *id, json_t **doc)
{
    sqlite3_stmt *s = stmt(st, Q_WF_GET);
    if (!s)
        return SL_ERR_IO;
    bind_text(s, 1, id);
    int r = sqlite3_step(s), rc = 0;
    if (r == SQLITE_ROW)
        *doc = workflow_row(s);
    else if (r == SQLITE_DONE)
        rc = sl_store_seterr(st, SL_ERR_NOT_FOUND, "workflow '%s' does not exist", id);
    else
        rc = dberr(st, "reading a workflow");
    done(s);
    return rc;
}

static int sq_workflow_list(struct sl_store *st, bool active_only, const char *after_id,
                            int64_t limit, json_t **docs)
{
    sqlite3_stmt *s = stmt(st, active_only ? Q_WF_LIST_ACTIVE : Q_WF_LIST);
    if (!s)
        return SL_ERR_IO;
    bind_text(s, 1, after_id ? after_id : "");
    sqlite3_bind_int64(s, 2, limit > 0 ? limit : -1);
    json_t *arr = json_array();
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        json_array_append_new(arr, workflow_row(s));
    int rc = r == SQLITE_DONE ? 0 : dberr(st, "listing workflows");
    done(s);
    if (rc == 0)
        *docs = arr;
    else
        json_decref(arr);
    return rc;
}

static int sq_workflow_set_active(struct sl_store *st, const char *id, bool active)
{
    sqlite3_stmt *s = stmt(st, Q_WF_SET_ACTIVE);
    if (!s)
        return SL_ERR_IO;
    bind_text(s, 1, id);
    sqlite3_bind_int(s, 2, active);
    sqlite3_bind_int64(s, 3, sl_clock_wall_ms());
    int rc = step_done(st, s, "activating a workflow");
    if (rc == 0 && sqlite3_changes(DB(st)) == 0)
        rc = sl_store_seterr(st, SL_ERR_NOT_FOUND, "workflow '%s' does not exist", id);
    return rc;
}

static int sq_workflow_delete(struct sl_store *st, const char *id)
{
    sqlite3_stmt *s = stmt(st, Q_WF_DELETE);
    if (!s)
        return SL_ERR_IO;
    bind_text(s, 1, id);
    int rc = step_done(st, s, "deleting a workflow");
    if (rc == 0 && sqlite3_changes(DB(st)) == 0)
        rc = sl_store_seterr(st, SL_ERR_NOT_FOUND, "workflow '%s' does not exist", id);
    return rc;
}

static int sq_workflow_count(struct sl_store *st, bool active_only, int64_t *n)
{
    return count(st, active_only ? Q_WF_COUNT_ACTIVE : Q_WF_COUNT, n, "counting workflows");
}

/* ----------------------------------------------------------- executions */

static void exec_row(sqlite3_stmt *s, struct sl_store_exec *e)
{
    e->id = sqlite3_column_int64(s, 0);
    e->workflow_id = col_strdup(s, 1);
    e->mode = col_strdup(s, 2);
    e->status = col_strdup(s, 3);
    e->created_ms = sqlite3_column_int64(s, 4);
    e->started_ms = sqlite3_column_int64(s, 5);
    e->stopped_ms = sqlite3_column_int64(s, 6);
    e->wait_till_ms = sqlite3_column_int64(s, 7);
    e->retry_of = sqlite3_column_int64(s, 8);
    e->retry_success_id = sqlite3_column_int64(s, 9);
    e->error = col_strdup(s, 10);
    e->error_node = col_strdup(s, 11);
    e->worker = col_strdup(s, 12);
}

/* Stores `j` as the JSON of exec_id in one of the side tables; NULL
 * deletes it. */
static int put_json(struct sl_store *st, enum q put, enum q del, int64_t exec_id, const json_t *j,
                    const char *what)
{
    sqlite3_stmt *s = stmt(st, j ? put : del);
    if (!s)
        return SL_ERR_IO;
    sqlite3_bind_int64(s, 1, exec_id);
    char *text = NULL;
    if (j) {
        text = dump(j);
        sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
    }
    int r = sqlite3_step(s), rc = 0;
    if (r != SQLITE_DONE) {
        if (sqlite3_extended_errcode(DB(st)) == SQLITE_CONSTRAINT_FOREIGNKEY)
            rc = sl_store_seterr(st, SL_ERR_NOT_FOUND, "execution %lld does not exist",
                                 (long long)exec_id);
        else
            rc = dberr(st, what);
    }
    done(s);
    free(text);
    return rc;
}

/* The JSON of exec_id in a side table (new reference), NULL when none. */
static int get_json(struct sl_store *st, enum q q, int64_t exec_id, json_t **out, const char *what)
{
    *out = NULL;
    sqlite3_stmt *s = stmt(st, q);
    if (!s)
        return SL_ERR_IO;
    sqlite3_bind_int64(s, 1, exec_id);
    int r = sqlite3_step(s), rc = 0;
    if (r == SQLITE_ROW) {
        *out = load_col(s, 0);
        if (!*out)
            rc = sl_store_seterr(st, SL_ERR_PARSE, "store: %s of execution %lld is not JSON", what,
                                 (long long)exec_id);
    } else if (r != SQLITE_DONE) {
        rc = dberr(st, what);
    }
    done(s);
    return rc;
}

static int insert_row(struct sl_store *st, struct sl_store_exec *e)
{
    sqlite3_stmt *s = stmt(st, Q_EX_INSERT);
    if (!s)
        return SL_ERR_IO;
    bind_text(s, 1, e->workflow_id);
    bind_text(s, 2, e->mode);
    bind_text(s, 3, e->status);
    sqlite3_bind_int64(s, 4, e->created_ms > 0 ? e->created_ms : sl_clock_wall_ms());
    sqlite3_bind_int64(s, 5, e->started_ms);
    sqlite3_bind_int64(s, 6, e->stopped_ms);
    sqlite3_bind_int64(s, 7, e->wait_till_ms);
    sqlite3_bind_int64(s, 8, e->retry_of);
    sqlite3_bind_int64(s, 9, e->retry_success_id);
    bind_text(s, 10, e->error);
    bind_text(s, 11, e->error_node);
    bind_text(s, 12, e->worker);
    if (e->id > 0)
        sqlite3_bind_int64(s, 13, e->id);
    else
        sqlite3_bind_null(s, 13);
    int rc = step_done(st, s, "inserting an execution");
    if (rc == 0)
        e->id = sqlite3_last_insert_rowid(DB(st));
    return rc;
}

static int sq_exec_insert(struct sl_store *st, struct sl_store_exec *e, const json_t *input)
{
    bool own;
    int rc = op_begin(st, &own);
    if (rc != 0)
        return rc;
    rc = insert_row(st, e);
    if (rc == 0 && input)
        rc = put_json(st, Q_IN_PUT, Q_IN_DEL, e->id, input, "storing an execution's input");
    return op_end(st, own, rc);
}

/* Moves AUTOINCREMENT's counter on by `n`: ids from the old value + 1 on
 * are the caller's, and rows inserted without an id get later ones. */
static int sq_exec_reserve_ids(struct sl_store *st, int64_t n, int64_t *first)
{
    bool own;
    int rc = op_begin(st, &own);
    if (rc != 0)
        return rc;
    for (int q = Q_EX_RESERVE; q <= Q_EX_RESERVE_FIRST && rc == 0; q++) {
        sqlite3_stmt *s = stmt(st, q);
        if (!s)
            return op_end(st, own, SL_ERR_IO);
        sqlite3_bind_int64(s, 1, n);
        int r = sqlite3_step(s);
        if (r == SQLITE_ROW) {
            *first = sqlite3_column_int64(s, 0) + 1;
            sqlite3_reset(s);
            return op_end(st, own, 0);
        }
        sqlite3_reset(s);
        if (r != SQLITE_DONE)
            rc = sl_store_seterr(st, SL_ERR_IO, "reserving execution ids: %s",
                                 sqlite3_errmsg(DB(st)));
    }
    if (rc == 0)
        rc = sl_store_seterr(st, SL_ERR_IO, "reserving execution ids: no counter");
    return op_end(st, own, rc);
}

static int sq_exec_input_put(struct sl_store *st, int64_t id, const json_t *input)
{
    return put_json(st, Q_IN_PUT, Q_IN_DEL, id, input, "storing an execution's input");
}

static int sq_exec_update(struct sl_store *st, const struct sl_store_exec *e)
{
    bool own;
    int rc = op_begin(st, &own);
    if (rc != 0)
        return rc;
    sqlite3_stmt *s = stmt(st, Q_EX_UPDATE);
    if (!s)
        return op_end(st, own, SL_ERR_IO);
    sqlite3_bind_int64(s, 1, e->id);
    bind_text(s, 2, e->status);
    sqlite3_bind_int64(s, 3, e->started_ms);
    sqlite3_bind_int64(s, 4, e->stopped_ms);
    sqlite3_bind_int64(s, 5, e->wait_till_ms);
    bind_text(s, 6, e->error);
    bind_text(s, 7, e->error_node);
    bind_text(s, 8, e->worker);
    sqlite3_bind_int64(s, 9, e->retry_success_id);
    rc = step_done(st, s, "updating an execution");
    if (rc == 0 && sqlite3_changes(DB(st)) == 0)
        rc = sl_store_seterr(st, SL_ERR_NOT_FOUND, "execution %lld does not exist",
                             (long long)e->id);
    if (rc == 0 && strcmp(e->status, SL_ST_SUCCESS) == 0)
        rc = put_json(st, Q_IN_PUT, Q_IN_DEL, e->id, NULL, "dropping an execution's input");
    return op_end(st, own, rc);
}

static int sq_exec_get(struct sl_store *st, int64_t id, struct sl_store_exec *e)
{
    sqlite3_stmt *s = stmt(st, Q_EX_GET);
    if (!s)
        return SL_ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    int r = sqlite3_step(s), rc = 0;
    if (r == SQLITE_ROW)
        exec_row(s, e);
    else if (r == SQLITE_DONE)
        rc = sl_store_seterr(st, SL_ERR_NOT_FOUND, "execution %lld does not exist", (long long)id);
    else
        rc = dberr(st, "reading an execution");
    done(s);
    return rc;
}

static int sq_exec_delete(struct sl_store *st, int64_t id)
{
    sqlite3_stmt *s = stmt(st, Q_EX_DELETE);
    if (!s)
        return SL_ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    int rc = step_done(st, s, "deleting an execution");
    if (rc == 0 && sqlite3_changes(DB(st)) == 0)
        rc = sl_store_seterr(st, SL_ERR_NOT_FOUND, "execution %lld does not exist", (long long)id);
    return rc;
}

static int sq_exec_list(struct sl_store *st, const struct sl_store_exec_filter *f, json_t **rows)
{
    enum q q = f->workflow_id ? (f->status ? Q_EX_LIST_WF_ST : Q_EX_LIST_WF)
                              : (f->status ? Q_EX_LIST_ST : Q_EX_LIST);
    sqlite3_stmt *s = stmt(st, q);
    if (!s)
        return SL_ERR_IO;
    if (f->workflow_id)
        bind_text(s, 1, f->workflow_id);
    if (f->status)
        bind_text(s, 2, f->status);
    sqlite3_bind_int64(s, 3, f->before_id > 0 ? f->before_id : INT64_MAX);
    sqlite3_bind_int64(s, 4, f->limit > 0 ? f->limit : -1);
    json_t *arr = json_array();
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        struct sl_store_exec e = {0};
        exec_row(s, &e);
        json_array_append_new(arr, sl_store_exec_json(&e));
        sl_store_exec_release(&e);
    }
    int rc = r == SQLITE_DONE ? 0 : dberr(st, "listing executions");
    done(s);
    if (rc == 0)
        *rows = arr;
    else
        json_decref(arr);
    return rc;
}

static int node_runs_get(struct sl_store *st, int64_t id, json_t **runs)
{
    sqlite3_stmt *s = stmt(st, Q_RUNS_GET);
    if (!s)
        return SL_ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    json_t *arr = json_array();
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "node", json_string((const char *)sqlite3_column_text(s, 0)));
        const char *type = (const char *)sqlite3_column_text(s, 1);
        json_object_set_new(o, "type", type ? json_string(type) : json_null());
        json_object_set_new(o, "run", json_integer(sqlite3_column_int64(s, 2)));
        json_object_set_new(o, "startMs", json_integer(sqlite3_column_int64(s, 3)));
        json_object_set_new(o, "durationUs", json_integer(sqlite3_column_int64(s, 4)));
        json_object_set_new(o, "itemsIn", json_integer(sqlite3_column_int64(s, 5)));
        json_object_set_new(o, "itemsOut", json_integer(sqlite3_column_int64(s, 6)));
        json_object_set_new(o, "bytes", json_integer(sqlite3_column_int64(s, 7)));
        json_object_set_new(o, "status", json_string((const char *)sqlite3_column_text(s, 8)));
        const char *error = (const char *)sqlite3_column_text(s, 9);
        json_object_set_new(o, "error", error ? json_string(error) : json_null());
        json_array_append_new(arr, o);
    }
    int rc = r == SQLITE_DONE ? 0 : dberr(st, "reading node runs");
    done(s);
    if (rc == 0)
        *runs = arr;
    else
        json_decref(arr);
    return rc;
}

static int exec_json(struct sl_store *st, int64_t id, bool with_data, json_t **row)
{
    struct sl_store_exec e = {0};
    int rc = sq_exec_get(st, id, &e);
    if (rc != 0)
        return rc;
    json_t *o = sl_store_exec_json(&e);
    sl_store_exec_release(&e);
    if (with_data) {
        json_t *data = NULL, *runs = NULL;
        rc = get_json(st, Q_DATA_GET, id, &data, "reading execution data");
        if (rc == 0)
            rc = node_runs_get(st, id, &runs);
        if (rc != 0) {
            json_decref(data);
            json_decref(o);
            return rc;
        }
        json_object_set_new(o, "data", data ? data : json_null());
        json_object_set_new(o, "nodeRuns", runs);
    }
    *row = o;
    return 0;
}

static int sq_exec_get_json(struct sl_store *st, int64_t id, bool with_data, json_t **row)
{
    if (!with_data || !sqlite3_get_autocommit(DB(st)))
        return exec_json(st, id, with_data, row);
    /* the row, its data and its node runs from one snapshot, even while
     * the writer prunes or finishes the execution */
    int rc = exec_sql(st, "BEGIN", "beginning a read");
    if (rc != 0)
        return rc;
    rc = exec_json(st, id, with_data, row);
    sqlite3_exec(DB(st), "COMMIT", NULL, NULL, NULL);
    return rc;
}

static int sq_exec_input(struct sl_store *st, int64_t id, json_t **input)
{
    return get_json(st, Q_IN_GET, id, input, "reading an execution's input");
}

static int sq_exec_retry(struct sl_store *st, int64_t id, int64_t *new_id)
{
    bool own;
    int rc = op_begin(st, &own);
    if (rc != 0)
        return rc;
    struct sl_store_exec e = {0};
    json_t *input = NULL;
    rc = sq_exec_get(st, id, &e);
    if (rc == 0 && strcmp(e.status, SL_ST_ERROR) != 0 && strcmp(e.status, SL_ST_CRASHED) != 0)
        rc = sl_store_seterr(st, SL_ERR_INVALID,
                             "execution %lld is %s: only failed or crashed executions can be "
                             "retried",
                             (long long)id, e.status);
    if (rc == 0)
        rc = get_json(st, Q_IN_GET, id, &input, "reading an execution's input");
    if (rc == 0 && !input)
        rc = sl_store_seterr(st, SL_ERR_INVALID,
                             "execution %lld cannot be retried: its input was not kept",
                             (long long)id);
    if (rc == 0) {
        struct sl_store_exec r = {.workflow_id = e.workflow_id,
                                  .mode = "retry",
                                  .status = SL_ST_NEW,
                                  .created_ms = sl_clock_wall_ms(),
                                  .retry_of = id};
        rc = insert_row(st, &r);
        if (rc == 0)
            rc = put_json(st, Q_IN_PUT, Q_IN_DEL, r.id, input, "storing an execution's input");
        if (rc == 0)
            *new_id = r.id;
    }
    json_decref(input);
    sl_store_exec_release(&e);
    return op_end(st, own, rc);
}

static int sq_exec_ids_in(struct sl_store *st, const char *status, json_t **ids)
{
    sqlite3_stmt *s = stmt(st, Q_EX_IDS_IN);
    if (!s)
        return SL_ERR_IO;
    bind_text(s, 1, status);
    json_t *arr = json_array();
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        json_array_append_new(arr, json_integer(sqlite3_column_int64(s, 0)));
    int rc = r == SQLITE_DONE ? 0 : dberr(st, "listing executions");
    done(s);
    if (rc == 0)
        *ids = arr;
    else
        json_decref(arr);
    return rc;
}

static int sq_exec_mark_all(struct sl_store *st, const char *from, const char *to, int64_t *n)
{
    sqlite3_stmt *s = stmt(st, Q_EX_MARK_ALL);
    if (!s)
        return SL_ERR_IO;
    bind_text(s, 1, from);
    bind_text(s, 2, to);
    sqlite3_bind_int(s, 3, sl_store_status_final(to));
    sqlite3_bind_int64(s, 4, sl_clock_wall_ms());
    int rc = step_done(st, s, "marking executions");
    if (rc == 0)
        *n = sqlite3_changes64(DB(st));
    return rc;
}

static int64_t member_int(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? (int64_t)json_number_value(v) : 0;
}

static const char *member_str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int sq_node_runs_put(struct sl_store *st, int64_t exec_id, const json_t *runs)
{
    bool own;
    int rc = op_begin(st, &own);
    if (rc != 0)
        return rc;
    sqlite3_stmt *s = stmt(st, Q_RUNS_DEL);
    rc = s ? 0 : SL_ERR_IO;
    if (rc == 0) {
        sqlite3_bind_int64(s, 1, exec_id);
        rc = step_done(st, s, "replacing node runs");
    }
    size_t i;
    json_t *run;
    json_array_foreach(runs, i, run)
    {
        if (rc != 0)
            break;
        const char *node = member_str(run, "node");
        if (!node) {
            rc = sl_store_seterr(st, SL_ERR_INVALID,
                                 "execution %lld: node run %zu has no \"node\" name",
                                 (long long)exec_id, i);
            break;
        }
        if (!(s = stmt(st, Q_RUNS_INS))) {
            rc = SL_ERR_IO;
            break;
        }
        const char *status = member_str(run, "status");
        sqlite3_bind_int64(s, 1, exec_id);
        sqlite3_bind_int64(s, 2, (int64_t)i);
        bind_text(s, 3, node);
        bind_text(s, 4, member_str(run, "type"));
        sqlite3_bind_int64(s, 5, member_int(run, "run"));
        sqlite3_bind_int64(s, 6, member_int(run, "startMs"));
        sqlite3_bind_int64(s, 7, member_int(run, "durationUs"));
        sqlite3_bind_int64(s, 8, member_int(run, "itemsIn"));
        sqlite3_bind_int64(s, 9, member_int(run, "itemsOut"));
        sqlite3_bind_int64(s, 10, member_int(run, "bytes"));
        bind_text(s, 11, status ? status : "success");
        bind_text(s, 12, member_str(run, "error"));
        int r = sqlite3_step(s);
        if (r != SQLITE_DONE) {
            if (sqlite3_extended_errcode(DB(st)) == SQLITE_CONSTRAINT_FOREIGNKEY)
                rc = sl_store_seterr(st, SL_ERR_NOT_FOUND, "execution %lld does not exist",
                                     (long long)exec_id);
            else
                rc = dberr(st, "storing node runs");
        }
        done(s);
    }
    return op_end(st, own, rc);
}

static int sq_exec_data_put(struct sl_store *st, int64_t exec_id, const json_t *data)
{
    return put_json(st, Q_DATA_PUT, Q_DATA_DEL, exec_id, data, "storing execution data");
}

static int sq_exec_state_put(struct sl_store *st, int64_t exec_id, const json_t *state)
{
    return put_json(st, Q_STATE_PUT, Q_STATE_DEL, exec_id, state, "storing an execution's state");
}

static int sq_exec_state_get(struct sl_store *st, int64_t exec_id, json_t **state)
{
    return get_json(st, Q_STATE_GET, exec_id, state, "reading an execution's state");
}

static int sq_prune(struct sl_store *st, int64_t max_age_h, int64_t max_count, int64_t *n)
{
    bool own;
    int rc = op_begin(st, &own);
    if (rc != 0)
        return rc;
    int64_t removed = 0;
    sqlite3_stmt *s;
    if (max_age_h > 0) {
        if (!(s = stmt(st, Q_PRUNE_AGE)))
            return op_end(st, own, SL_ERR_IO);
        sqlite3_bind_int64(s, 1, sl_clock_wall_ms() - max_age_h * 3600 * 1000);
        rc = step_done(st, s, "pruning executions by age");
        removed += sqlite3_changes64(DB(st));
    }
    if (rc == 0 && max_count > 0) {
        if (!(s = stmt(st, Q_PRUNE_COUNT)))
            return op_end(st, own, SL_ERR_IO);
        sqlite3_bind_int64(s, 1, max_count);
        rc = step_done(st, s, "pruning executions by count");
        removed += sqlite3_changes64(DB(st));
    }
    /* also gives back pages freed since the last prune (deleted
     * executions, data and state replaced or removed) */
    if (rc == 0)
        rc = exec_sql(st, "PRAGMA incremental_vacuum", "reclaiming free pages");
    rc = op_end(st, own, rc);
    if (rc == 0)
        *n = removed;
    return rc;
}

/* ------------------------------------------------------------- API keys */

/* ---------------------------------------------------------- credentials */

static int sq_cred_put(struct sl_store *st, const char *id, const char *name, const char *type,
                       const void *box, size_t box_len, const void *nonce, size_t nonce_len)
{
    sqlite3_stmt *s = stmt(st, Q_CRED_PUT);
    if (!s)
        return SL_ERR_IO;
    bind_text(s, 1, id);
    bind_text(s, 2, name);
    bind_text(s, 3, type);
    sqlite3_bind_blob(s, 4, box, (int)box_len, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 5, nonce, (int)nonce_len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 6, sl_clock_wall_ms());
    int r = sqlite3_step(s);
    int rc = 0;
    if (r == SQLITE_CONSTRAINT || sqlite3_extended_errcode(DB(st)) == SQLITE_CONSTRAINT_PRIMARYKEY)
        rc = sl_store_seterr(st, SL_ERR_INVALID, "credential id '%s' is taken", id);
    else if (r != SQLITE_DONE)
        rc = dberr(st, "storing a credential");
    done(s);
    return rc;
}

static void *blob_dup(sqlite3_stmt *s, int i, size_t *len)
{
    *len = (size_t)sqlite3_column_bytes(s, i);
    void *p = sl_malloc(*len ? *len : 1);
    if (*len)
        memcpy(p, sqlite3_column_blob(s, i), *len);
    return p;
}

static int sq_cred_get(struct sl_store *st, const char *id, const char *name, const char *type,
                       char **type_out, void **box, size_t *box_len, void **nonce,
                       size_t *nonce_len)
{
    sqlite3_stmt *s = stmt(st, id ? Q_CRED_BY_ID : Q_CRED_BY_NAME);
    if (!s)
        return SL_ERR_IO;
    bind_text(s, 1, id ? id : name);
    if (!id)
        bind_text(s, 2, type);
    int r = sqlite3_step(s), rc = 0;
    if (r == SQLITE_ROW) {
        *type_out = col_strdup(s, 0);
        *box = blob_dup(s, 1, box_len);
        *nonce = blob_dup(s, 2, nonce_len);
    } else if (r == SQLITE_DONE) {
        rc = SL_ERR_NOT_FOUND;
    } else {
        rc = dberr(st, "reading a credential");
    }
    done(s);
    return rc;
}

static int sq_cred_list(struct sl_store *st, json_t **rows)
{
    sqlite3_stmt *s = stmt(st, Q_CRED_LIST);
    if (!s)
        return SL_ERR_IO;
    json_t *a = json_array();
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        char created[32], updated[32];
        sl_store_iso_time(sqlite3_column_int64(s, 3), created);
        sl_store_iso_time(sqlite3_column_int64(s, 4), updated);
        json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", sqlite3_column_text(s, 0),
                                           "name", sqlite3_column_text(s, 1), "type",
                                           sqlite3_column_text(s, 2), "createdAt", created,
                                           "updatedAt", updated));
    }
    int rc = r == SQLITE_DONE ? 0 : dberr(st, "listing credentials");
    done(s);
    if (rc)
        json_decref(a);
    else
        *rows = a;
    return rc;
}

static int sq_cred_delete(struct sl_store *st, const char *id)
{
    sqlite3_stmt *s = stmt(st, Q_CRED_DEL);
    if (!s)
        return SL_ERR_IO;
    bind_text(s, 1, id);
    int rc = step_done(st, s, "deleting a credential");
    if (!rc && sqlite3_changes(DB(st)) == 0)
        rc = sl_store_seterr(st, SL_ERR_NOT_FOUND, "credential '%s' does not exist", id);
    return rc;
}

static int sq_apikey_create(struct sl_store *st, const char *label, const char *hash)
{
    sqlite3_stmt *s = stmt(st, Q_KEY_INS);
    if (!s)
        return SL_ERR_IO;
    bind_text(s, 1, label);
    bind_text(s, 2, hash);
    sqlite3_bind_int64(s, 3, sl_clock_wall_ms());
    return step_done(st, s, "storing an API key");
}

static int sq_apikey_check(struct sl_store *st, const char *hash)
{
    sqlite3_stmt *s = stmt(st, Q_KEY_CHECK);
    if (!s)
        return SL_ERR_IO;
    bind_text(s, 1, hash);
    int r = sqlite3_step(s), rc = 0;
    if (r == SQLITE_DONE)
        rc = sl_store_seterr(st, SL_ERR_NOT_FOUND, "API key: not valid");
    else if (r != SQLITE_ROW)
        rc = dberr(st, "checking an API key");
    done(s);
    return rc;
}

static int sq_apikey_count(struct sl_store *st, int64_t *n)
{
    return count(st, Q_KEY_COUNT, n, "counting API keys");
}

const struct sl_store_backend sl_store_sqlite = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .data_version = sq_data_version,
    .workflows_changes = sq_workflows_changes,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .workflow_save = sq_workflow_save,
    .workflow_get = sq_workflow_get,
    .workflow_list = sq_workflow_list,
    .workflow_set_active = sq_workflow_set_active,
    .workflow_delete = sq_workflow_delete,
    .workflow_count = sq_workflow_count,
    .exec_insert = sq_exec_insert,
    .cred_put = sq_cred_put,
    .cred_get = sq_cred_get,
    .cred_list = sq_cred_list,
    .cred_delete = sq_cred_delete,
    .exec_input_put = sq_exec_input_put,
    .exec_reserve_ids = sq_exec_reserve_ids,
    .exec_update = sq_exec_update,
    .exec_get = sq_exec_get,
    .exec_delete = sq_exec_delete,
    .exec_list = sq_exec_list,
    .exec_get_json = sq_exec_get_json,
    .exec_input = sq_exec_input,
    .exec_retry = sq_exec_retry,
    .exec_ids_in = sq_exec_ids_in,
    .exec_mark_all = sq_exec_mark_all,
    .node_runs_put = sq_node_runs_put,
    .exec_data_put = sq_exec_data_put,
    .exec_state_put = sq_exec_state_put,
    .exec_state_get = sq_exec_state_get,
    .prune = sq_prune,
    .apikey_create = sq_apikey_create,
    .apikey_check = sq_apikey_check,
    .apikey_count = sq_apikey_count,
};
