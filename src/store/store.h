/*
 * The store: workflows, executions, node runs, execution data and API
 * keys in one database (credentials join it with issue 5). This header is
 * the interface; store.c picks the backend (the embedded SQLite one,
 * sqlite.c, today; PostgreSQL later behind the same table of functions in
 * store_int.h).
 *
 * Data directory: `SLUICE_DATA_DIR` (default `./.sluice`), created with
 * mode 0700; the SQLite database is `<dir>/sluice.db` in WAL mode, with a
 * busy timeout so the CLI can read and write while the server runs. The
 * schema is versioned: opening runs the migrations the file lacks, in one
 * transaction each.
 *
 * Thread rule: a struct sl_store is one connection, used by one thread at
 * a time. Every thread (and process) that uses the store opens its own. In
 * the server, writes go through the writer (store/writer.h), which batches
 * many executions into one transaction.
 *
 * Ownership: arguments are borrowed; a returned json_t * is a new
 * reference; a returned char * (or one stored through an out pointer) is
 * a heap string the caller frees. Errors: functions return 0 or a negative
 * enum sl_err (SL_ERR_NOT_FOUND when the row does not exist), with the
 * message in sl_store_errmsg().
 *
 * Times are epoch milliseconds; in JSON they are ISO 8601 UTC strings with
 * milliseconds ("2026-11-29T16:38:47.123Z"), as n8n's API writes them.
 */
#ifndef SL_STORE_STORE_H
#define SL_STORE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct sl_store;

/* Opens (creating and migrating) the store in `data_dir`; NULL: the
 * directory from $SLUICE_DATA_DIR, else "./.sluice". Returns NULL with a
 * one-line reason in `err` on failure. */
struct sl_store *sl_store_open(const char *data_dir, struct sl_error *err);
void sl_store_close(struct sl_store *st);
/* The message of the last failed call on this connection. */
const char *sl_store_errmsg(const struct sl_store *st);
/* The data directory in use (borrowed). */
const char *sl_store_data_dir(const struct sl_store *st);
/* The schema version after migration (readiness reports it). */
int sl_store_schema_version(const struct sl_store *st);

/* A number that changes whenever another connection (or process) commits
 * a change (SQLite's PRAGMA data_version): the server polls it to notice
 * workflows activated or executions queued by the CLI. */
int sl_store_data_version(struct sl_store *st, int64_t *version) SL_MUST_CHECK;
/* A number that changes whenever a workflow is created, changed or
 * deleted, by any connection: the server reloads its workflows when it
 * moves, not on every commit of executions. */
int sl_store_workflows_changes(struct sl_store *st, int64_t *n) SL_MUST_CHECK;

/* Transactions, for the writer's batches (nested use is an error). A
 * savepoint isolates one write inside a batch: sl_store_savepoint(), then
 * release on success or rollback_to on failure. */
int sl_store_begin(struct sl_store *st) SL_MUST_CHECK;
/* As sl_store_begin(), for a batch nobody waits on: its commit must
 * survive a crash of the process but not of the machine, so it is not
 * flushed to disk on its own (the next durable commit flushes it too). */
int sl_store_begin_relaxed(struct sl_store *st) SL_MUST_CHECK;
int sl_store_commit(struct sl_store *st) SL_MUST_CHECK;
void sl_store_rollback(struct sl_store *st);
int sl_store_savepoint(struct sl_store *st) SL_MUST_CHECK;
int sl_store_release(struct sl_store *st) SL_MUST_CHECK;
void sl_store_rollback_to(struct sl_store *st);

/* ------------------------------------------------------------ workflows
 *
 * A workflow is kept as its n8n document. Reads return the document with
 * these members set from the store: "id", "name", "active" (bool),
 * "versionCounter" (integer, bumped on every save), "createdAt",
 * "updatedAt"; and "nodes", "connections", "settings", "staticData",
 * "pinData" as saved (absent ones as n8n's defaults: [], {}, {}, null,
 * {}). Ids are strings: an imported document keeps its "id" (so
 * re-importing an export updates the same workflow); a new one gets 16
 * random letters and digits, like n8n's. */

/* Inserts `doc` or, when its "id" exists, replaces that workflow
 * (bumping versionCounter). "active" in `doc` is honoured when present,
 * else a new workflow is inactive and an existing one keeps its flag.
 * Stores the id through `id` (may be NULL). SL_ERR_INVALID when `doc` is
 * not an object with "nodes" (array) and "connections" (object). */
int sl_store_workflow_save(struct sl_store *st, const json_t *doc, char **id) SL_MUST_CHECK;
int sl_store_workflow_get(struct sl_store *st, const char *id, json_t **doc) SL_MUST_CHECK;
/* An array of workflow documents ordered by id; with `active_only`, only
 * active ones. `limit` 0: all. `after_id`: the cursor (ids greater). */
int sl_store_workflow_list(struct sl_store *st, bool active_only, const char *after_id,
                           int64_t limit, json_t **docs) SL_MUST_CHECK;
int sl_store_workflow_set_active(struct sl_store *st, const char *id, bool active) SL_MUST_CHECK;
/* Deletes the workflow; its executions stay (their workflow id dangles, as
 * in n8n when executions are kept). */
int sl_store_workflow_delete(struct sl_store *st, const char *id) SL_MUST_CHECK;
int sl_store_workflow_count(struct sl_store *st, bool active_only, int64_t *n) SL_MUST_CHECK;

/* ----------------------------------------------------------- executions */

/* Execution statuses, as n8n names them. */
#define SL_ST_NEW "new"
#define SL_ST_RUNNING "running"
#define SL_ST_SUCCESS "success"
#define SL_ST_ERROR "error"
#define SL_ST_CANCELED "canceled"
#define SL_ST_CRASHED "crashed"
#define SL_ST_WAITING "waiting"

/* An execution row. Strings are owned by the struct when it was filled by
 * the store (free with sl_store_exec_release()); when the caller fills one
 * for sl_store_exec_insert/update they are borrowed. */
struct sl_store_exec {
    int64_t id; /* assigned by insert (increasing integers) */
    char *workflow_id;
    char *mode;               /* manual, webhook, trigger, retry, ... */
    char *status;             /* SL_ST_* */
    int64_t created_ms;       /* when it was accepted (queued) */
    int64_t started_ms;       /* 0: not started */
    int64_t stopped_ms;       /* 0: not finished */
    int64_t wait_till_ms;     /* parked until; 0 when not waiting */
    int64_t retry_of;         /* 0: none */
    int64_t retry_success_id; /* the retry that succeeded; 0: none */
    char *error;              /* NULL: none */
    char *error_node;         /* NULL: none */
    char *worker;             /* which worker ran it (e.g. "w2/pid 4711"); NULL */
};
void sl_store_exec_release(struct sl_store_exec *e);

/* Reserves `n` execution ids for the caller: [*first, *first + n). Rows
 * inserted without an id (by this or another process) never get them, so
 * the server hands ids to executions without waiting for the store. */
int sl_store_exec_reserve_ids(struct sl_store *st, int64_t n, int64_t *first) SL_MUST_CHECK;
/* Inserts `e` under e->id when it is > 0 (an id from
 * sl_store_exec_reserve_ids), else under a new id stored in e->id. `input`
 * (may be NULL) is what the execution starts with, kept until it finishes
 * so it can run after a crash: {"startNode", "items", "responseMode", ...}
 * as the dispatcher defines it. */
int sl_store_exec_insert(struct sl_store *st, struct sl_store_exec *e,
                         const json_t *input) SL_MUST_CHECK;
/* Updates status, started, stopped, wait_till, error, error_node, worker,
 * retry_success_id of row e->id. The input is dropped when the status
 * becomes success; an execution that failed or crashed keeps it, for
 * retries (and the dead-letter queue). */
int sl_store_exec_update(struct sl_store *st, const struct sl_store_exec *e) SL_MUST_CHECK;
int sl_store_exec_get(struct sl_store *st, int64_t id, struct sl_store_exec *e) SL_MUST_CHECK;
int sl_store_exec_delete(struct sl_store *st, int64_t id) SL_MUST_CHECK;

struct sl_store_exec_filter {
    const char *workflow_id; /* NULL: any */
    const char *status;      /* NULL: any */
    int64_t before_id;       /* cursor: ids lower than this; 0: from the newest */
    int64_t limit;           /* 0: all */
};
/* Executions newest first, as an array of JSON objects in the API shape:
 * {id (string), workflowId, mode, status, finished (bool), startedAt,
 * stoppedAt, createdAt, waitTill, retryOf, retrySuccessId, error?,
 * errorNode?} with null for what is not set. */
int sl_store_exec_list(struct sl_store *st, const struct sl_store_exec_filter *f,
                       json_t **rows) SL_MUST_CHECK;
/* One execution in the same shape; "data" added (n8n's run data
 * {resultData: {runData, lastNodeExecuted, error?}}, or null when not
 * saved) and "nodeRuns" (array of node runs) when `with_data`. */
int sl_store_exec_get_json(struct sl_store *st, int64_t id, bool with_data,
                           json_t **row) SL_MUST_CHECK;
/* Keeps `input` for execution `id` (replacing what was kept): the server
 * stores the input of a webhook that waited for its answer only when the
 * execution did not succeed, for retries. */
int sl_store_exec_input_put(struct sl_store *st, int64_t id, const json_t *input) SL_MUST_CHECK;
/* The input kept by sl_store_exec_insert (new reference), or NULL when
 * none is kept. */
int sl_store_exec_input(struct sl_store *st, int64_t id, json_t **input) SL_MUST_CHECK;
/* Queues a retry of execution `id`: a new execution of the same workflow
 * with the same input, mode "retry", status new, retryOf `id`; its id goes
 * to *new_id. SL_ERR_NOT_FOUND when `id` does not exist, SL_ERR_INVALID
 * (with the reason) when it did not fail or crash, or has no input kept. */
int sl_store_exec_retry(struct sl_store *st, int64_t id, int64_t *new_id) SL_MUST_CHECK;
/* Ids (array of integers, oldest first) of executions in `status`. */
int sl_store_exec_ids_in(struct sl_store *st, const char *status, json_t **ids) SL_MUST_CHECK;
/* Every execution in status `from` becomes `to` (with stopped = now when
 * `to` is final); the count changed goes to *n. For start-up recovery:
 * running -> crashed. */
int sl_store_exec_mark_all(struct sl_store *st, const char *from, const char *to,
                           int64_t *n) SL_MUST_CHECK;

/* Node runs of a finished execution: an array of
 * {node, type, run, startMs, durationUs, itemsIn, itemsOut, bytes,
 * status ("success"/"error"/"waiting"), error}. Always kept, whatever the
 * save policy (bottleneck analysis reads them). */
int sl_store_node_runs_put(struct sl_store *st, int64_t exec_id, const json_t *runs) SL_MUST_CHECK;
/* Execution data (n8n's run data) as the save policy allows, and the
 * parked state of a waiting execution (engine sl_exec_save()). NULL
 * removes it. */
int sl_store_exec_data_put(struct sl_store *st, int64_t exec_id, const json_t *data) SL_MUST_CHECK;
int sl_store_exec_state_put(struct sl_store *st, int64_t exec_id,
                            const json_t *state) SL_MUST_CHECK;
int sl_store_exec_state_get(struct sl_store *st, int64_t exec_id, json_t **state) SL_MUST_CHECK;

/* Removes executions (rows, node runs, data) stopped more than
 * `max_age_h` hours ago, and the oldest finished ones beyond `max_count`
 * (0: no bound of that kind); never new, running or waiting ones. The
 * database reclaims the space incrementally (auto_vacuum=incremental),
 * with no offline VACUUM. The count removed goes to *n. */
int sl_store_prune(struct sl_store *st, int64_t max_age_h, int64_t max_count,
                   int64_t *n) SL_MUST_CHECK;

/* ------------------------------------------------------------- API keys */

/* Creates a key: stores only its SHA-256 hash with `label`; the key itself
 * ("sl_" + 40 random letters and digits) is returned once through `key`. */
int sl_store_apikey_create(struct sl_store *st, const char *label, char **key) SL_MUST_CHECK;
/* 0 when `key` matches a stored hash, SL_ERR_NOT_FOUND when not. Compares
 * hashes, never the key itself, so timing reveals nothing useful. */
int sl_store_apikey_check(struct sl_store *st, const char *key) SL_MUST_CHECK;
int sl_store_apikey_count(struct sl_store *st, int64_t *n) SL_MUST_CHECK;

/* ---------------------------------------------------------- credentials
 *
 * A credential is {id, name, type, data}; `data` (the secrets, a JSON
 * object) is stored encrypted with libsodium's secretbox under the
 * instance key: SLUICE_ENCRYPTION_KEY (any text; hashed to 32 bytes), or
 * else a random key generated on first use into <data dir>/encryption.key
 * (mode 0600), as n8n keeps its own. Without the key the data cannot be
 * read: losing the key file loses the credentials. */

/* Stores a new credential; its id (16 letters and digits, or `id` when
 * given and free) goes to *new_id. */
int sl_store_credential_create(struct sl_store *st, const char *id, const char *name,
                               const char *type, const json_t *data, char **new_id) SL_MUST_CHECK;
/* Resolves a node's credential reference the way n8n imports expect: by
 * `id` when it exists here, else by `name` (so a workflow exported from
 * n8n finds a credential created here under the same name); it must be of
 * `type`. The decrypted data (new reference) goes to *data. */
int sl_store_credential_resolve(struct sl_store *st, const char *type, const char *id,
                                const char *name, json_t **data) SL_MUST_CHECK;
/* [{id, name, type, createdAt, updatedAt}], never the data. */
int sl_store_credential_list(struct sl_store *st, json_t **rows) SL_MUST_CHECK;
int sl_store_credential_delete(struct sl_store *st, const char *id) SL_MUST_CHECK;

#endif
