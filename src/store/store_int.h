/*
 * The store's private side: the table of functions a backend provides
 * (sqlite.c today, a PostgreSQL one later), the connection struct they
 * share, and the helpers every backend uses so that what the store returns
 * does not depend on the backend (the JSON shape of workflows and
 * executions, times, ids, hashed API keys).
 *
 * store.c owns everything backend-independent: it validates arguments,
 * makes ids and key hashes, then calls the backend through `be`. A backend
 * function gets arguments already checked and sets the connection's
 * message (sl_store_seterr) when it fails.
 *
 * Thread rule: as for struct sl_store (store.h), one thread at a time.
 */
#ifndef SL_STORE_STORE_INT_H
#define SL_STORE_STORE_INT_H

#include "store/store.h"

/* The statuses after which an execution does not change any more. */
bool sl_store_status_final(const char *status);

struct sl_store_backend {
    const char *name;
    /* Opens st->data_dir's database, migrates it and sets
     * st->schema_version; on failure a one-line reason in `err`. */
    int (*open)(struct sl_store *st, struct sl_error *err);
    void (*close)(struct sl_store *st);
    int (*data_version)(struct sl_store *st, int64_t *version);
    int (*workflows_changes)(struct sl_store *st, int64_t *n);

    int (*begin)(struct sl_store *st, bool durable);
    int (*commit)(struct sl_store *st);
    void (*rollback)(struct sl_store *st);
    int (*savepoint)(struct sl_store *st);
    int (*release)(struct sl_store *st);
    void (*rollback_to)(struct sl_store *st);

    /* `doc` without the members the store keeps in columns; `active`:
     * 1 or 0, or -1 to keep the existing flag (inactive when new). */
    int (*workflow_save)(struct sl_store *st, const char *id, const char *name, int active,
                         const json_t *doc);
    int (*workflow_get)(struct sl_store *st, const char *id, json_t **doc);
    int (*workflow_list)(struct sl_store *st, bool active_only, const char *after_id, int64_t limit,
                         json_t **docs);
    int (*workflow_set_active)(struct sl_store *st, const char *id, bool active);
    int (*workflow_delete)(struct sl_store *st, const char *id);
    int (*workflow_count)(struct sl_store *st, bool active_only, int64_t *n);

    int (*exec_insert)(struct sl_store *st, struct sl_store_exec *e, const json_t *input);
    int (*exec_reserve_ids)(struct sl_store *st, int64_t n, int64_t *first);
    int (*exec_update)(struct sl_store *st, const struct sl_store_exec *e);
    int (*exec_get)(struct sl_store *st, int64_t id, struct sl_store_exec *e);
    int (*exec_delete)(struct sl_store *st, int64_t id);
    int (*exec_list)(struct sl_store *st, const struct sl_store_exec_filter *f, json_t **rows);
    int (*exec_get_json)(struct sl_store *st, int64_t id, bool with_data, json_t **row);
    int (*exec_input)(struct sl_store *st, int64_t id, json_t **input);
    int (*exec_input_put)(struct sl_store *st, int64_t id, const json_t *input);
    int (*exec_retry)(struct sl_store *st, int64_t id, int64_t *new_id);
    int (*exec_ids_in)(struct sl_store *st, const char *status, json_t **ids);
    int (*exec_mark_all)(struct sl_store *st, const char *from, const char *to, int64_t *n);
    int (*node_runs_put)(struct sl_store *st, int64_t exec_id, const json_t *runs);
    int (*exec_data_put)(struct sl_store *st, int64_t exec_id, const json_t *data);
    int (*exec_state_put)(struct sl_store *st, int64_t exec_id, const json_t *state);
    int (*exec_state_get)(struct sl_store *st, int64_t exec_id, json_t **state);
    int (*prune)(struct sl_store *st, int64_t max_age_h, int64_t max_count, int64_t *n);

    /* `hash`: the key's SHA-256 as 64 lower-case hex digits. */
    int (*apikey_create)(struct sl_store *st, const char *label, const char *hash);
    int (*apikey_check)(struct sl_store *st, const char *hash);
    int (*apikey_count)(struct sl_store *st, int64_t *n);
    /* credentials: the backend stores the sealed bytes as they come */
    int (*cred_put)(struct sl_store *st, const char *id, const char *name, const char *type,
                    const void *box, size_t box_len, const void *nonce, size_t nonce_len);
    /* by id when `id` is set, else by name and type; heap copies out */
    int (*cred_get)(struct sl_store *st, const char *id, const char *name, const char *type,
                    char **type_out, void **box, size_t *box_len, void **nonce, size_t *nonce_len);
    int (*cred_list)(struct sl_store *st, json_t **rows);
    int (*cred_delete)(struct sl_store *st, const char *id);
};

extern const struct sl_store_backend sl_store_sqlite;

struct sl_store {
    const struct sl_store_backend *be;
    void *impl; /* the backend's connection */
    char *data_dir;
    int schema_version;
    char errmsg[512];
};

/* Fills out[0..n) with random letters and digits (n8n's id alphabet); no
 * NUL is added. */
void sl_store_random_id(char *out, size_t n);

/* Sets the connection's message (one line); returns `rc` for tail calls. */
int sl_store_seterr(struct sl_store *st, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes `ms` (epoch milliseconds) as "2026-11-29T16:38:47.123Z". */
void sl_store_iso_time(int64_t ms, char out[32]);

/* The workflow document as reads return it (store.h): `stored` (stolen)
 * with the column values and n8n's defaults filled in. */
json_t *sl_store_workflow_doc(json_t *stored, const char *id, const char *name, bool active,
                              int64_t version, int64_t created_ms, int64_t updated_ms);

/* One execution in the API shape of sl_store_exec_list(). */
json_t *sl_store_exec_json(const struct sl_store_exec *e);

#endif
