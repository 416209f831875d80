/*
 * PostgreSQL support for the Postgres node: a connection pool per
 * credential (pg_pool.c) and the conversions between item values and
 * PostgreSQL's text format, SQL text helpers (pg_value.c).
 *
 * The pool is the one piece of process-global state the node library has:
 * connections outlive an execution so that executions in a worker reuse
 * them (n8n keeps a pg pool per credential the same way). It is keyed by a
 * hash of the credential's connection settings, guarded by one mutex, and
 * bounded per key by the credential's maxConnections. A connection is
 * leased to one thread at a time; the lease is given back with
 * sl_pg_release(), which closes the connection instead of keeping it when
 * it is broken or left inside a transaction.
 *
 * Thread rule: every function here may be called from any thread; a
 * leased PGconn is used only by the thread holding the lease.
 */
#ifndef SL_NODES_PG_H
#define SL_NODES_PG_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct sl_pg_pool;

struct sl_pg_lease {
    struct sl_pg_pool *pool;
    PGconn *conn;
};

/* Leases a connection for the `postgres` credential data `cred`
 * (borrowed): an idle one of its pool, else a new one (connect timeout
 * `timeout_s`, 0 for none). Waits while the pool has maxConnections
 * leased. On failure returns a negative sl_err with *msg and *description
 * set (new heap strings, n8n's wording: "Connection refused" and the
 * address, the server's message for authentication errors). */
int sl_pg_acquire(const json_t *cred, int timeout_s, struct sl_pg_lease *out, char **msg,
                  char **description) SL_MUST_CHECK;
/* Gives the lease back; the connection is closed when it is broken or not
 * idle (an open transaction is rolled back first). */
void sl_pg_release(struct sl_pg_lease *l);
/* Connections opened by this process so far (all pools), for tests and
 * benchmarks. */
unsigned long sl_pg_connections_opened(void);

/* ---- values (pg_value.c) ---- */

/* "name" with embedded quotes doubled, appended to `b`. */
struct sl_buf;
void sl_pg_quote_ident(struct sl_buf *b, const char *name);

/* The text a JSON value is sent as (a new heap string), or NULL for JSON
 * null. Strings as they are, numbers as JavaScript prints them, booleans
 * "true"/"false", arrays as a PostgreSQL array literal when `pg_array`,
 * else (and objects) as JSON text. */
char *sl_pg_param_text(const json_t *v, bool pg_array);

/* Result conversion, as n8n's driver (node-postgres) types values: numbers
 * for int2/int4/oid/float, strings for int8 and numeric unless
 * `big_numbers` (n8n's largeNumbersOutput "numbers"), booleans, parsed
 * JSON, ISO-8601 strings for dates and timestamps, arrays of those, and
 * {type: "Buffer", data: [...]} for bytea. Returns one object per row
 * (new reference, an array). */
json_t *sl_pg_result_rows(const PGresult *res, bool big_numbers);

/* Splits `sql` into statements at top-level semicolons (quotes, dollar
 * quotes and comments respected) and finds its $N placeholders, with
 * pg-promise's modifiers (:name / ~, :json, :csv / :list, :raw / ^ is
 * refused). Each statement gets its own parameter list: the statement's
 * placeholders are renumbered $1.. in order of first use. `values` is the
 * JSON array of values; identifiers (:name) are quoted into the text.
 * Returns a JSON array of {sql, params: [values...]} (new reference), or
 * NULL with *err set (new heap string). Empty statements are dropped. */
json_t *sl_pg_prepare_query(const char *sql, const json_t *values, char **err);

/* True when every statement of `sql` is a SELECT (n8n's isSelectQuery). */
bool sl_pg_is_select(const char *sql);

#endif
