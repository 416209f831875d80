/*
 * Postgres (n8n-nodes-base.postgres v2-v2.6): executeQuery, insert,
 * update, upsert, select and deleteTable on the `postgres` credential.
 *
 * The node builds, for every input item, the query n8n's node would run,
 * then runs them by options.queryBatching:
 *   single         every query in one pipeline ending in one Sync, so one
 *                  round trip and one implicit transaction; consecutive
 *                  insert/update/upsert items on the same table and columns
 *                  become one multi-row statement (INSERT ... VALUES (..),
 *                  (..); UPDATE ... FROM (VALUES ..)), split only where the
 *                  65535-parameter limit or a repeated key requires it;
 *   independently  one query per item, each its own transaction;
 *   transaction    BEGIN, one query per item, COMMIT (ROLLBACK on error).
 * Values always travel as bind parameters (PQsendQueryParams); names are
 * quoted identifiers. Output items, empty-result items ({success: true})
 * and error items follow n8n's node (helpers/utils.ts configureQueryRunner).
 * Connections come from the per-credential pool in pg_pool.c.
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/jsvalue.h"
#include "nodes/node.h"
#include "nodes/pg.h"
#include "util/alloc.h"

static const double versions[] = {2, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 0};

#define MAX_PARAMS 65535 /* the protocol's limit per statement */
#define ORD_COL "__sluice_ord"

enum batching { B_SINGLE, B_INDEPENDENT, B_TRANSACTION };
enum op { OP_EXEC, OP_INSERT, OP_UPDATE, OP_UPSERT, OP_SELECT, OP_DELETE };
enum pairing {
    PAIR_ITEM, /* every row belongs to `item` */
    PAIR_POS,  /* row k belongs to item + k when the counts agree */
    PAIR_ORD,  /* rows carry ORD_COL, the item's index */
};

/* One statement with its parameters in text form. */
struct stmt {
    struct sl_buf sql;
    char **vals;
    unsigned *types;
    int n, cap;
};

/* What one item (or a group of items, in single mode) runs. */
struct query {
    struct stmt *st;
    size_t n_st;
    size_t item, n_items;
    enum pairing pair;
    bool select;    /* an empty result gives no {success: true} item */
    char *text;     /* the query as n8n shows it in errors (its SQL) */
    char *fail_msg; /* set when building the query failed for this item */
};

struct run {
    struct sl_node_ctx *ctx;
    double version;
    enum op op;
    enum batching batching;
    bool big_numbers, cof, replace_empty;
    json_t *input;
    json_t *out;
    struct query *q;
    size_t n_q, cap_q;
    PGconn *conn;
    json_t *schemas; /* "schema\ntable" -> column info rows */
};

/* ------------------------------------------------------------ statements */

static int stmt_param(struct stmt *s, char *text, unsigned type)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->vals = sl_realloc(s->vals, (size_t)s->cap * sizeof *s->vals);
        s->types = sl_realloc(s->types, (size_t)s->cap * sizeof *s->types);
    }
    s->vals[s->n] = text;
    s->types[s->n] = type;
    return ++s->n;
}

static void stmt_release(struct stmt *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->vals[i]);
    free(s->vals);
    free(s->types);
    sl_buf_release(&s->sql);
}

static struct query *query_add(struct run *r, size_t item)
{
    if (r->n_q == r->cap_q) {
        r->cap_q = r->cap_q ? r->cap_q * 2 : 16;
        r->q = sl_realloc(r->q, r->cap_q * sizeof *r->q);
    }
    struct query *q = &r->q[r->n_q++];
    memset(q, 0, sizeof *q);
    q->item = item;
    q->n_items = 1;
    return q;
}

static struct stmt *query_stmt(struct query *q)
{
    q->st = sl_realloc(q->st, (q->n_st + 1) * sizeof *q->st);
    struct stmt *s = &q->st[q->n_st++];
    memset(s, 0, sizeof *s);
    return s;
}

static void query_release(struct query *q)
{
    for (size_t i = 0; i < q->n_st; i++)
        stmt_release(&q->st[i]);
    free(q->st);
    free(q->text);
    free(q->fail_msg);
}

/* ---------------------------------------------------------------- running */

/* Sends what libpq has buffered, reading results meanwhile so that a server
 * blocked on writing them never blocks us (the pipeline deadlock). */
static int flush_all(PGconn *c)
{
    for (;;) {
        int f = PQflush(c);
        if (f <= 0)
            return f;
        struct pollfd p = {.fd = PQsocket(c), .events = POLLIN | POLLOUT};
        if (poll(&p, 1, -1) < 0)
            return -1;
        if ((p.revents & POLLIN) && !PQconsumeInput(c))
            return -1;
    }
}

struct pg_error {
    char *message, *description;
    size_t stmt; /* index of the failing statement in the pipeline */
};

static void pg_error_release(struct pg_error *e)
{
    free(e->message);
    free(e->description);
    e->message = e->description = NULL;
}

static void pg_error_from(struct pg_error *e, const PGresult *res, PGconn *c)
{
    const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *d = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *h = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
    char *msg = sl_strdup(m ? m : PQerrorMessage(c));
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = 0;
    if (!*msg) {
        free(msg);
        msg = sl_strdup("the connection to PostgreSQL was lost");
    }
    e->message = msg;
    e->description = d ? sl_strdup(d) : h ? sl_strdup(h) : NULL;
}

/* Runs `n` statements in one pipeline with one Sync: one round trip, one
 * implicit transaction (or part of the caller's). Each statement's rows
 * (a JSON array per statement) go to rows[i]. Returns 0, or -1 with *e set
 * (e->stmt: the statement that failed). */
static int run_pipeline(struct run *r, struct stmt *const *st, size_t n, json_t **rows,
                        struct pg_error *e)
{
    PGconn *c = r->conn;
    for (size_t i = 0; i < n; i++)
        rows[i] = NULL;
    e->stmt = 0;
    if (!PQenterPipelineMode(c) || PQsetnonblocking(c, 1)) {
        pg_error_from(e, NULL, c);
        return -1;
    }
    int rc = 0;
    size_t sent = 0;
    for (; sent < n; sent++) {
        const struct stmt *s = st[sent];
        if (!PQsendQueryParams(c, s->sql.data ? s->sql.data : "", s->n, (const Oid *)s->types,
                               (const char *const *)s->vals, NULL, NULL, 0) ||
            flush_all(c) < 0)
            break;
    }
    if (sent < n || !PQpipelineSync(c) || flush_all(c) < 0) {
        pg_error_from(e, NULL, c);
        e->stmt = sent;
        PQsetnonblocking(c, 0);
        return -1; /* the connection is unusable; the pool drops it */
    }
    PQsetnonblocking(c, 0);
    bool failed = false;
    for (size_t i = 0; i < n; i++) {
        PGresult *res;
        bool got = false;
        while ((res = PQgetResult(c))) {
            got = true;
            ExecStatusType stt = PQresultStatus(res);
            if (stt == PGRES_TUPLES_OK || stt == PGRES_COMMAND_OK) {
                if (!rows[i])
                    rows[i] = sl_pg_result_rows(res, r->big_numbers);
            } else if (stt == PGRES_FATAL_ERROR && !failed) {
                failed = true;
                pg_error_from(e, res, c);
                e->stmt = i;
            }
            PQclear(res);
        }
        if (!got && !failed) { /* the connection broke */
            failed = true;
            pg_error_from(e, NULL, c);
            e->stmt = i;
            rc = -1;
            break;
        }
    }
    if (rc == 0) {
        PGresult *res = PQgetResult(c); /* the Sync */
        if (res && PQresultStatus(res) != PGRES_PIPELINE_SYNC && !failed) {
            failed = true;
            pg_error_from(e, res, c);
        }
        PQclear(res);
        PQexitPipelineMode(c);
    }
    if (failed) {
        for (size_t i = 0; i < n; i++) {
            json_decref(rows[i]);
            rows[i] = NULL;
        }
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!rows[i])
            rows[i] = json_array();
    return 0;
}

static int simple(struct run *r, const char *sql, struct pg_error *e)
{
    PGresult *res = PQexec(r->conn, sql);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        pg_error_from(e, res, r->conn);
        rc = -1;
    }
    PQclear(res);
    return rc;
}

/* n8n's parsePostgresError: a syntax error names the line of the query it
 * is on; without detail or hint the description is the failed query. */
static void error_words(struct run *r, struct pg_error *e, const struct query *q)
{
    const char *pre = "syntax error at or near \"";
    if (!strncmp(e->message, pre, strlen(pre)) && q && q->text) {
        const char *snip = e->message + strlen(pre);
        const char *endq = strrchr(snip, '"');
        if (endq && endq > snip) {
            char *s = sl_strndup(snip, (size_t)(endq - snip));
            if (strstr(q->text, s)) {
                int line = 1;
                for (const char *p = q->text; p < strstr(q->text, s); p++)
                    line += *p == '\n';
                /* n8n looks for the first line holding the snippet */
                const char *ls = q->text;
                int l = 1;
                while (ls) {
                    const char *nl = strchr(ls, '\n');
                    size_t len = nl ? (size_t)(nl - ls) : strlen(ls);
                    char *one = sl_strndup(ls, len);
                    bool has = strstr(one, s) != NULL;
                    free(one);
                    if (has) {
                        line = l;
                        break;
                    }
                    l++;
                    ls = nl ? nl + 1 : NULL;
                }
                free(e->message);
                e->message = sl_asprintf("Syntax error at line %d near \"%s\"", line, s);
            }
            free(s);
        }
    }
    if (!e->description && q && q->text)
        e->description = sl_asprintf("Failed query: %s", q->text);
    (void)r;
}

static json_t *paired_all(size_t first, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:I}", "item", (json_int_t)(first + i)));
    return a;
}

/* Emits the rows of query `q` (borrowed arrays, one per statement). */
static void emit_rows(struct run *r, const struct query *q, json_t **rows)
{
    size_t total = 0;
    for (size_t s = 0; s < q->n_st; s++)
        total += json_array_size(rows[s]);
    for (size_t s = 0; s < q->n_st; s++) {
        size_t k;
        json_t *row;
        json_array_foreach(rows[s], k, row)
        {
            json_t *json = json_incref(row);
            json_t *paired;
            if (q->pair == PAIR_ORD) {
                json_t *o = json_object_get(row, ORD_COL);
                size_t idx = json_is_integer(o) ? (size_t)json_integer_value(o) : q->item;
                json = json_copy(row);
                json_decref(row);
                json_object_del(json, ORD_COL);
                paired = json_pack("{s:I}", "item", (json_int_t)idx);
            } else if (q->pair == PAIR_POS && total == q->n_items) {
                paired = json_pack("{s:I}", "item", (json_int_t)(q->item + k));
            } else if (q->pair == PAIR_POS && q->n_items > 1) {
                paired = paired_all(q->item, q->n_items);
            } else {
                paired = json_pack("{s:I}", "item", (json_int_t)q->item);
            }
            json_array_append_new(r->out,
                                  json_pack("{s:o,s:o}", "json", json, "pairedItem", paired));
        }
    }
}

/* {json: {message, item?, error: {message, description}}} for continueOnFail. */
static json_t *error_item(struct run *r, const struct pg_error *e, const struct query *q,
                          bool with_item)
{
    json_t *err = json_pack("{s:s}", "message", e->message);
    if (e->description)
        json_object_set_new(err, "description", json_string(e->description));
    json_t *j = json_pack("{s:s}", "message", e->message);
    if (with_item && q) {
        json_t *src = sl_item_json(json_array_get(r->input, q->item));
        json_t *copy = src ? json_copy(src) : json_object();
        if (r->replace_empty) {
            const char *k;
            json_t *v;
            json_object_foreach(copy, k, v)
            {
                if (json_is_string(v) && !*json_string_value(v))
                    json_object_set_new(copy, k, json_null());
            }
        }
        json_object_set_new(j, "item", copy);
    }
    json_object_set_new(j, "error", err);
    json_t *it = json_pack("{s:o}", "json", j);
    if (with_item && q)
        json_object_set_new(it, "pairedItem", json_pack("{s:I}", "item", (json_int_t)q->item));
    return it;
}

static int fail_with(struct run *r, struct pg_error *e)
{
    sl_ctx_fail(r->ctx, "%s", e->message);
    if (e->description)
        sl_ctx_fail_description(r->ctx, "%s", e->description);
    return SL_ERR_NODE;
}

/* Output of a query whose statements returned no row at all. */
static void emit_empty(struct run *r, const struct query *q)
{
    bool none = r->version < 2.3 ? r->op == OP_SELECT : q->select;
    if (!none)
        json_array_append_new(r->out, json_pack("{s:{s:b},s:{s:I}}", "json", "success", 1,
                                                "pairedItem", "item", (json_int_t)q->item));
}

static int run_single(struct run *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_q; i++)
        n += r->q[i].n_st;
    struct stmt **st = sl_malloc((n ? n : 1) * sizeof *st);
    json_t **rows = sl_calloc(n ? n : 1, sizeof *rows);
    size_t k = 0;
    for (size_t i = 0; i < r->n_q; i++)
        for (size_t s = 0; s < r->q[i].n_st; s++)
            st[k++] = &r->q[i].st[s];
    struct pg_error e = {0};
    int rc = 0;
    if (run_pipeline(r, st, n, rows, &e) < 0) {
        /* which query failed */
        const struct query *fq = NULL;
        size_t acc = 0;
        for (size_t i = 0; i < r->n_q && !fq; i++) {
            if (e.stmt < acc + r->q[i].n_st)
                fq = &r->q[i];
            acc += r->q[i].n_st;
        }
        error_words(r, &e, fq ? fq : r->n_q ? &r->q[0] : NULL);
        if (r->cof)
            json_array_append_new(r->out, error_item(r, &e, NULL, false));
        else
            rc = fail_with(r, &e);
        pg_error_release(&e);
        goto out;
    }
    k = 0;
    for (size_t i = 0; i < r->n_q; i++) {
        emit_rows(r, &r->q[i], rows + k);
        k += r->q[i].n_st;
    }
    if (!json_array_size(r->out)) {
        bool none = true;
        if (r->version < 2.3) {
            none = r->op == OP_SELECT;
        } else {
            for (size_t i = 0; i < r->n_q; i++)
                none = none && r->q[i].select;
        }
        if (!none) {
            size_t n_items = json_array_size(r->input);
            json_array_append_new(r->out, json_pack("{s:{s:b},s:o}", "json", "success", 1,
                                                    "pairedItem", paired_all(0, n_items)));
        }
    }
out:
    for (size_t i = 0; i < n; i++)
        json_decref(rows[i]);
    free(rows);
    free(st);
    return rc;
}

/* independently and transaction: one query (item) after the other. */
static int run_each(struct run *r)
{
    bool tx = r->batching == B_TRANSACTION;
    struct pg_error e = {0};
    if (tx && simple(r, "BEGIN", &e) < 0) {
        int rc = fail_with(r, &e);
        pg_error_release(&e);
        return rc;
    }
    int rc = 0;
    for (size_t i = 0; i < r->n_q; i++) {
        struct query *q = &r->q[i];
        struct stmt **st = sl_malloc((q->n_st ? q->n_st : 1) * sizeof *st);
        json_t **rows = sl_calloc(q->n_st ? q->n_st : 1, sizeof *rows);
        for (size_t s = 0; s < q->n_st; s++)
            st[s] = &q->st[s];
        int prc = run_pipeline(r, st, q->n_st, rows, &e);
        if (prc == 0) {
            size_t before = json_array_size(r->out);
            emit_rows(r, q, rows);
            if (json_array_size(r->out) == before)
                emit_empty(r, q);
        }
        for (size_t s = 0; s < q->n_st; s++)
            json_decref(rows[s]);
        free(rows);
        free(st);
        if (prc < 0) {
            error_words(r, &e, q);
            if (!r->cof) {
                rc = fail_with(r, &e);
                pg_error_release(&e);
                break;
            }
            json_array_append_new(r->out, error_item(r, &e, q, true));
            pg_error_release(&e);
            if (tx)
                break; /* the transaction is aborted: n8n stops and rolls back */
        }
        if (r->conn && PQstatus(r->conn) != CONNECTION_OK)
            break;
    }
    if (tx && PQstatus(r->conn) == CONNECTION_OK) {
        bool aborted = PQtransactionStatus(r->conn) == PQTRANS_INERROR || rc;
        if (simple(r, aborted ? "ROLLBACK" : "COMMIT", &e) < 0 && !rc) {
            rc = fail_with(r, &e);
        }
        pg_error_release(&e);
    }
    return rc;
}

/* -------------------------------------------------------------- parameters */

/* A resource locator's value (or a plain string parameter). New string. */
static int param_rl(struct run *r, const char *name, size_t item, const char *dflt, char **out)
{
    json_t *v = sl_ctx_param(r->ctx, name, item, NULL);
    *out = NULL;
    if (!v && sl_ctx_failed(r->ctx))
        return SL_ERR_NODE;
    if (json_is_object(v)) {
        json_t *inner = json_incref(json_object_get(v, "value"));
        json_decref(v);
        v = inner;
    }
    if (!v || json_is_null(v)) {
        json_decref(v);
        *out = sl_strdup(dflt);
        return 0;
    }
    *out = json_is_string(v) ? sl_strdup(json_string_value(v)) : sl_jsv_to_string(v);
    json_decref(v);
    return 0;
}

static json_t *param_obj(struct run *r, const char *name, size_t item)
{
    json_t *v = sl_ctx_param(r->ctx, name, item, NULL);
    if (!v && sl_ctx_failed(r->ctx))
        return NULL;
    if (!json_is_object(v)) {
        json_decref(v);
        v = json_object();
    }
    return v;
}

/* options.outputColumns as a JSON array (default ["*"]). */
static json_t *output_columns(struct run *r, size_t item)
{
    json_t *d = json_pack("[s]", "*");
    json_t *v = sl_ctx_param(r->ctx, "options.outputColumns", item, d);
    json_decref(d);
    if (!v)
        return NULL;
    if (json_is_string(v)) {
        json_t *a = json_pack("[O]", v);
        json_decref(v);
        v = a;
    }
    if (!json_is_array(v)) {
        json_decref(v);
        v = json_pack("[s]", "*");
    }
    return v;
}

static bool has_star(const json_t *cols)
{
    size_t i;
    json_t *c;
    json_array_foreach(cols, i,
                       c) if (json_is_string(c) && !strcmp(json_string_value(c), "*")) return true;
    return false;
}

/* Writes the names in the array `names` as quoted identifiers separated by
 * commas, each prefixed with the quoted `alias` and a dot when given. */
static void add_idents(struct sl_buf *b, const json_t *names, const char *alias)
{
    size_t i;
    json_t *c;
    json_array_foreach(names, i, c)
    {
        if (i)
            sl_buf_adds(b, ",");
        if (alias) {
            sl_pg_quote_ident(b, alias);
            sl_buf_adds(b, ".");
        }
        char *s = json_is_string(c) ? sl_strdup(json_string_value(c)) : sl_jsv_to_string(c);
        sl_pg_quote_ident(b, s);
        free(s);
    }
}

static void add_returning(struct sl_buf *b, const json_t *cols, const char *alias)
{
    sl_buf_adds(b, " RETURNING ");
    if (has_star(cols)) {
        if (alias) {
            sl_pg_quote_ident(b, alias);
            sl_buf_adds(b, ".");
        }
        sl_buf_adds(b, "*");
        return;
    }
    add_idents(b, cols, alias);
}

static void add_table(struct sl_buf *b, const char *schema, const char *table)
{
    sl_pg_quote_ident(b, schema);
    sl_buf_addc(b, '.');
    sl_pg_quote_ident(b, table);
}

/* ----------------------------------------------------------- table schema */

/* The columns of schema.table ({column_name: {data_type, is_nullable,
 * udt_schema, udt_name}}), fetched once per node run. Borrowed; NULL with
 * the node failed when the lookup itself failed. */
static json_t *table_schema(struct run *r, const char *schema, const char *table)
{
    char *key = sl_asprintf("%s\n%s", schema, table);
    json_t *cols = json_object_get(r->schemas, key);
    if (cols) {
        free(key);
        return cols;
    }
    const char *vals[2] = {schema, table};
    PGresult *res =
        PQexecParams(r->conn,
                     "SELECT column_name, data_type, is_nullable, udt_schema, udt_name FROM "
                     "information_schema.columns WHERE table_schema = $1 AND table_name = $2 "
                     "ORDER BY ordinal_position",
                     2, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        struct pg_error e = {0};
        pg_error_from(&e, res, r->conn);
        fail_with(r, &e);
        pg_error_release(&e);
        PQclear(res);
        free(key);
        return NULL;
    }
    cols = json_object();
    for (int i = 0; i < PQntuples(res); i++)
        json_object_set_new(cols, PQgetvalue(res, i, 0),
                            json_pack("{s:s,s:b,s:s,s:s}", "data_type", PQgetvalue(res, i, 1),
                                      "nullable", !strcmp(PQgetvalue(res, i, 2), "YES"),
                                      "udt_schema", PQgetvalue(res, i, 3), "udt_name",
                                      PQgetvalue(res, i, 4)));
    PQclear(res);
    json_object_set_new(r->schemas, key, cols);
    free(key);
    return cols;
}

static bool col_is_array(const json_t *cols, const char *name)
{
    const char *t = json_string_value(json_object_get(json_object_get(cols, name), "data_type"));
    return t && !strcasecmp(t, "ARRAY");
}

/* ------------------------------------------------------ row operations */

/* One item's row for insert/update/upsert. */
struct row {
    json_t *values;  /* column -> value (JS key order kept in `keys`) */
    json_t *keys;    /* column names */
    json_t *match;   /* matching columns (update/upsert) */
    json_t *outcols; /* options.outputColumns */
    char *schema, *table;
    bool skip_conflict;
    bool json_cols_as_json; /* defineBelow v2.2+: json columns get JSON text */
};

static void row_release(struct row *w)
{
    json_decref(w->values);
    json_decref(w->keys);
    json_decref(w->match);
    json_decref(w->outcols);
    free(w->schema);
    free(w->table);
}

/* Builds the row of item i; returns 0 or the node error (message set). */
static int build_row(struct run *r, size_t i, struct row *w)
{
    struct sl_node_ctx *ctx = r->ctx;
    memset(w, 0, sizeof *w);
    if (param_rl(r, "schema", i, "public", &w->schema) || param_rl(r, "table", i, "", &w->table))
        return SL_ERR_NODE;
    json_t *options = param_obj(r, "options", i);
    if (!options)
        return SL_ERR_NODE;
    w->skip_conflict = sl_jsv_truthy(json_object_get(options, "skipOnConflict"));
    json_decref(options);
    w->outcols = output_columns(r, i);
    if (!w->outcols)
        return SL_ERR_NODE;

    char *mode = NULL;
    if (sl_ctx_param_str(ctx, r->version < 2.2 ? "dataMode" : "columns.mappingMode", i,
                         r->version < 2.2 ? "autoMapInputData" : "defineBelow", &mode) < 0)
        return SL_ERR_NODE;
    json_t *item = NULL;
    bool define_below = false;
    if (!strcmp(mode, "autoMapInputData")) {
        json_t *src = sl_item_json(json_array_get(r->input, i));
        item = src ? json_copy(src) : json_object();
        if (r->replace_empty) {
            const char *k;
            json_t *v;
            json_object_foreach(item, k, v)
            {
                if (json_is_string(v) && !*json_string_value(v))
                    json_object_set_new(item, k, json_null());
            }
        }
    } else if (!strcmp(mode, "defineBelow")) {
        define_below = true;
        if (r->version < 2.2) {
            json_t *vs = sl_ctx_param(ctx, "valuesToSend.values", i, NULL);
            if (!vs && sl_ctx_failed(ctx)) {
                free(mode);
                return SL_ERR_NODE;
            }
            item = json_object();
            size_t k;
            json_t *e;
            json_array_foreach(vs, k, e)
            {
                json_t *c = json_object_get(e, "column");
                json_t *v = json_object_get(e, "value");
                char *cs = json_is_string(c) ? sl_strdup(json_string_value(c))
                                             : sl_jsv_to_string(c ? c : json_null());
                json_object_set(item, cs, v ? v : json_null());
                free(cs);
            }
            json_decref(vs);
        } else {
            item = sl_ctx_param(ctx, "columns.value", i, NULL);
            if (!item && sl_ctx_failed(ctx)) {
                free(mode);
                return SL_ERR_NODE;
            }
            if (!json_is_object(item)) {
                json_decref(item);
                item = json_object();
            } else {
                json_t *c = json_copy(item);
                json_decref(item);
                item = c;
            }
            w->json_cols_as_json = true;
        }
    } else {
        item = json_object();
    }
    free(mode);
    w->values = item;

    if (r->op == OP_UPDATE || r->op == OP_UPSERT) {
        if (r->version < 2.2) {
            char *m = NULL;
            if (sl_ctx_param_str(ctx, "columnToMatchOn", i, "", &m) < 0)
                return SL_ERR_NODE;
            w->match = json_pack("[s]", m);
            if (define_below) {
                /* the value to match on has its own parameter */
                json_t *vtm = sl_ctx_param(ctx, "valueToMatchOn", i, NULL);
                if (!vtm && sl_ctx_failed(ctx)) {
                    free(m);
                    return SL_ERR_NODE;
                }
                json_object_set_new(item, m, vtm ? vtm : json_string(""));
            }
            free(m);
        } else {
            w->match = sl_ctx_param(ctx, "columns.matchingColumns", i, NULL);
            if (!w->match && sl_ctx_failed(ctx))
                return SL_ERR_NODE;
            if (!json_is_array(w->match)) {
                json_decref(w->match);
                w->match = json_array();
            }
        }
    }
    w->keys = sl_jsv_keys(w->values);
    return 0;
}

/* n8n's checks of a row against the table (checkItemAgainstSchema and,
 * from 2.4, convertArraysToPostgresFormat). */
static int check_row(struct run *r, struct row *w, const json_t *cols, size_t i)
{
    if (r->version >= 2.4) {
        const char *cn;
        json_t *ci;
        json_object_foreach((json_t *)cols, cn, ci)
        {
            if (!col_is_array(cols, cn))
                continue;
            json_t *v = json_object_get(w->values, cn);
            json_t *parsed = NULL;
            if (json_is_string(v))
                parsed = json_loads(json_string_value(v), JSON_DECODE_ANY, NULL);
            const json_t *av = parsed ? parsed : v;
            if (!json_is_array(av) && !json_is_true(json_object_get(ci, "nullable")) &&
                !(json_is_string(v) && !parsed)) {
                json_decref(parsed);
                return sl_ctx_fail(r->ctx, "Column '%s' has to be an array", cn);
            }
            if (parsed && json_is_array(parsed))
                json_object_set(w->values, cn, parsed);
            json_decref(parsed);
        }
    }
    if (json_object_size(cols) == 0)
        return 0;
    size_t k;
    json_t *key;
    json_array_foreach(w->keys, k, key)
    {
        const char *c = json_string_value(key);
        json_t *ci = json_object_get(cols, c);
        if (!ci)
            return sl_ctx_fail(r->ctx, "Column '%s' does not exist in selected table", c);
        if (json_is_null(json_object_get(w->values, c)) &&
            !json_is_true(json_object_get(ci, "nullable")))
            return sl_ctx_fail(r->ctx, "Column '%s' is not nullable", c);
    }
    (void)i;
    return 0;
}

/* The text of column c's value in row w. */
static char *row_text(const struct row *w, const json_t *cols, const char *c)
{
    json_t *v = json_object_get(w->values, c);
    if (w->json_cols_as_json && v && !json_is_null(v)) {
        const char *t = json_string_value(json_object_get(json_object_get(cols, c), "data_type"));
        if (t && !strcmp(t, "json")) {
            char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            return s;
        }
    }
    return sl_pg_param_text(v, col_is_array(cols, c));
}

/* "::"schema"."type"" for column c, so VALUES lists outside an INSERT
 * know their types. */
static void add_cast(struct sl_buf *b, const json_t *cols, const char *c)
{
    json_t *ci = json_object_get(cols, c);
    const char *us = json_string_value(json_object_get(ci, "udt_schema"));
    const char *un = json_string_value(json_object_get(ci, "udt_name"));
    if (!us || !un)
        return;
    sl_buf_adds(b, "::");
    sl_pg_quote_ident(b, us);
    sl_buf_addc(b, '.');
    sl_pg_quote_ident(b, un);
}

/* Whether rows a and b can share one statement. */
static bool same_shape(const struct row *a, const struct row *b)
{
    return !strcmp(a->schema, b->schema) && !strcmp(a->table, b->table) &&
           json_equal(a->keys, b->keys) && json_equal(a->outcols, b->outcols) &&
           a->skip_conflict == b->skip_conflict &&
           (a->match == b->match || (a->match && b->match && json_equal(a->match, b->match))) &&
           a->json_cols_as_json == b->json_cols_as_json;
}

/* The key of row w's matching columns, to find repeats within a group. */
static char *match_key(const struct row *w)
{
    struct sl_buf b = {0};
    size_t i;
    json_t *m;
    json_array_foreach(w->match, i, m)
    {
        char *t = sl_pg_param_text(json_object_get(w->values, json_string_value(m)), false);
        sl_buf_addf(&b, "%zu:%s|", t ? strlen(t) : (size_t)-1, t ? t : "");
        free(t);
    }
    return sl_buf_steal(&b);
}

/* Columns of w that are not matching columns. */
static json_t *update_columns(const struct row *w)
{
    json_t *u = json_array();
    size_t i, j;
    json_t *k, *m;
    json_array_foreach(w->keys, i, k)
    {
        bool is_match = false;
        json_array_foreach(w->match, j, m) is_match = is_match || json_equal(k, m);
        if (!is_match)
            json_array_append(u, k);
    }
    return u;
}

/* INSERT (insert, upsert) of rows[first..first+n). */
static void build_insert(struct run *r, struct query *q, struct row *rows, size_t first, size_t n,
                         const json_t *cols)
{
    struct row *w0 = &rows[first];
    struct stmt *s = query_stmt(q);
    struct sl_buf *b = &s->sql;
    sl_buf_adds(b, "INSERT INTO ");
    add_table(b, w0->schema, w0->table);
    size_t nk = json_array_size(w0->keys);
    if (nk == 0 && r->version >= 2.6) {
        sl_buf_adds(b, " DEFAULT VALUES");
    } else {
        sl_buf_adds(b, "(");
        add_idents(b, w0->keys, NULL);
        sl_buf_adds(b, ") VALUES");
        size_t i;
        json_t *k;
        for (size_t j = 0; j < n; j++) {
            sl_buf_adds(b, j ? ",(" : "(");
            json_array_foreach(w0->keys, i, k)
            {
                const char *c = json_string_value(k);
                int num = stmt_param(s, row_text(&rows[first + j], cols, c), 0);
                sl_buf_addf(b, i ? ",$%d" : "$%d", num);
            }
            sl_buf_adds(b, ")");
        }
    }
    if (r->op == OP_UPSERT) {
        sl_buf_adds(b, " ON CONFLICT (");
        add_idents(b, w0->match, NULL);
        sl_buf_adds(b, ")");
        size_t i;
        json_t *upd = update_columns(w0);
        if (json_array_size(upd)) {
            sl_buf_adds(b, " DO UPDATE SET ");
            json_t *k;
            json_array_foreach(upd, i, k)
            {
                if (i)
                    sl_buf_adds(b, ", ");
                sl_pg_quote_ident(b, json_string_value(k));
                sl_buf_adds(b, " = EXCLUDED.");
                sl_pg_quote_ident(b, json_string_value(k));
            }
        } else {
            sl_buf_adds(b, " DO NOTHING");
        }
        json_decref(upd);
    } else if (w0->skip_conflict) {
        sl_buf_adds(b, " ON CONFLICT DO NOTHING");
    }
    add_returning(b, w0->outcols, NULL);
    q->item = first;
    q->n_items = n;
    q->pair = PAIR_POS;
    q->text = sl_strdup(b->data);
}

/* UPDATE of rows[first..first+n) through a VALUES list carrying each
 * item's index, so every returned row names its item. */
static void build_update(struct run *r, struct query *q, struct row *rows, size_t first, size_t n,
                         const json_t *cols)
{
    struct row *w0 = &rows[first];
    struct stmt *s = query_stmt(q);
    struct sl_buf *b = &s->sql;
    json_t *upd = update_columns(w0);
    sl_buf_adds(b, "UPDATE ");
    add_table(b, w0->schema, w0->table);
    sl_buf_adds(b, " AS \"__sluice_t\" SET ");
    size_t i;
    json_t *k;
    json_array_foreach(upd, i, k)
    {
        if (i)
            sl_buf_adds(b, ", ");
        sl_pg_quote_ident(b, json_string_value(k));
        sl_buf_adds(b, " = \"__sluice_v\".");
        sl_pg_quote_ident(b, json_string_value(k));
    }
    sl_buf_adds(b, " FROM (VALUES");
    for (size_t j = 0; j < n; j++) {
        int num = stmt_param(s, sl_asprintf("%zu", first + j), 0);
        sl_buf_addf(b, j ? ",($%d::int4" : "($%d::int4", num);
        json_array_foreach(w0->keys, i, k)
        {
            const char *c = json_string_value(k);
            num = stmt_param(s, row_text(&rows[first + j], cols, c), 0);
            sl_buf_addf(b, ",$%d", num);
            if (j == 0)
                add_cast(b, cols, c);
        }
        sl_buf_adds(b, ")");
    }
    sl_buf_adds(b, ") AS \"__sluice_v\"(\"" ORD_COL "\",");
    add_idents(b, w0->keys, NULL);
    sl_buf_adds(b, ") WHERE ");
    json_array_foreach(w0->match, i, k)
    {
        if (i)
            sl_buf_adds(b, " AND ");
        sl_buf_adds(b, "\"__sluice_t\".");
        sl_pg_quote_ident(b, json_string_value(k));
        sl_buf_adds(b, " = \"__sluice_v\".");
        sl_pg_quote_ident(b, json_string_value(k));
    }
    add_returning(b, w0->outcols, "__sluice_t");
    sl_buf_adds(b, ", \"__sluice_v\".\"" ORD_COL "\"");
    json_decref(upd);
    q->item = first;
    q->n_items = n;
    q->pair = PAIR_ORD;
    q->text = sl_strdup(b->data);
    (void)r;
}

/* n8n's doesRowExist for every row of an update, in one query per group:
 * the first item whose matching values find no row. Returns 0, or the
 * node error with n8n's message. */
static int check_rows_exist(struct run *r, struct row *rows, size_t first, size_t n,
                            const json_t *cols)
{
    struct row *w0 = &rows[first];
    struct stmt s = {0};
    struct sl_buf *b = &s.sql;
    sl_buf_adds(b, "SELECT min(v.o) FROM (VALUES");
    size_t i;
    json_t *m;
    for (size_t j = 0; j < n; j++) {
        int num = stmt_param(&s, sl_asprintf("%zu", first + j), 0);
        sl_buf_addf(b, j ? ",($%d::int8" : "($%d::int8", num);
        json_array_foreach(w0->match, i, m)
        {
            const char *c = json_string_value(m);
            num = stmt_param(&s, row_text(&rows[first + j], cols, c), 0);
            sl_buf_addf(b, ",$%d", num);
            if (j == 0)
                add_cast(b, cols, c);
        }
        sl_buf_adds(b, ")");
    }
    sl_buf_adds(b, ") AS v(o");
    for (i = 0; i < json_array_size(w0->match); i++)
        sl_buf_addf(b, ",m%zu", i);
    sl_buf_adds(b, ") WHERE NOT EXISTS (SELECT 1 FROM ");
    add_table(b, w0->schema, w0->table);
    sl_buf_adds(b, " t WHERE ");
    json_array_foreach(w0->match, i, m)
    {
        if (i)
            sl_buf_adds(b, " AND ");
        sl_buf_adds(b, "t.");
        sl_pg_quote_ident(b, json_string_value(m));
        sl_buf_addf(b, " = v.m%zu", i);
    }
    sl_buf_adds(b, ")");
    PGresult *res = PQexecParams(r->conn, b->data, s.n, (const Oid *)s.types,
                                 (const char *const *)s.vals, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        struct pg_error e = {0};
        pg_error_from(&e, res, r->conn);
        rc = fail_with(r, &e);
        pg_error_release(&e);
    } else if (!PQgetisnull(res, 0, 0)) {
        size_t bad = (size_t)strtoull(PQgetvalue(res, 0, 0), NULL, 10);
        struct row *w = &rows[bad];
        struct sl_buf d = {0};
        json_array_foreach(w->match, i, m)
        {
            char *t = sl_jsv_to_string(json_object_get(w->values, json_string_value(m))
                                           ? json_object_get(w->values, json_string_value(m))
                                           : json_null());
            sl_buf_addf(&d, "%s%s=%s", i ? ", " : "", json_string_value(m),
                        json_object_get(w->values, json_string_value(m)) ? t : "undefined");
            free(t);
        }
        sl_ctx_fail(r->ctx, "The row you are trying to update doesn't exist");
        sl_ctx_fail_description(
            r->ctx, "No rows matching the provided values (%s) were found in the table \"%s\".",
            d.data ? d.data : "", w->table);
        sl_buf_release(&d);
        rc = SL_ERR_NODE;
    }
    PQclear(res);
    stmt_release(&s);
    return rc;
}

static int build_row_queries(struct run *r)
{
    size_t n = json_array_size(r->input);
    struct row *rows = sl_calloc(n ? n : 1, sizeof *rows);
    int rc = 0;
    size_t built = 0;
    for (size_t i = 0; i < n; i++, built++) {
        if ((rc = build_row(r, i, &rows[i])))
            goto out;
        struct row *w = &rows[i];
        if (r->op == OP_UPSERT) {
            const char *m0 = json_string_value(json_array_get(w->match, 0));
            if (!m0 || !sl_jsv_truthy(json_object_get(w->values, m0))) {
                rc = sl_ctx_fail(r->ctx, "Column to match on not found in input item. Add a "
                                         "column to match on or set the 'Data Mode' to 'Define "
                                         "Below' to define the value to match on.");
                built++;
                goto out;
            }
            if (json_object_size(w->values) == 1) {
                rc = sl_ctx_fail(r->ctx,
                                 "Add values to update or insert to the input item or set the "
                                 "'Data Mode' to 'Define Below' to define the values to insert "
                                 "or update.");
                built++;
                goto out;
            }
        }
        if (r->op == OP_UPDATE && r->version < 2.2) {
            const char *m0 = json_string_value(json_array_get(w->match, 0));
            if (!sl_jsv_truthy(json_object_get(w->values, m0 ? m0 : ""))) {
                rc = sl_ctx_fail(r->ctx, "Column to match on not found in input item. Add a "
                                         "column to match on or set the 'Data Mode' to 'Define "
                                         "Below' to define the value to match on.");
                built++;
                goto out;
            }
        }
        const json_t *cols = table_schema(r, w->schema, w->table);
        if (!cols) {
            rc = SL_ERR_NODE;
            built++;
            goto out;
        }
        if ((rc = check_row(r, w, cols, i))) {
            built++;
            goto out;
        }
        if (r->op == OP_UPDATE) {
            json_t *upd = update_columns(w);
            size_t nu = json_array_size(upd);
            json_decref(upd);
            if (!nu) {
                rc = sl_ctx_fail(r->ctx, "Add values to update to the input item or set the "
                                         "'Data Mode' to 'Define Below' to define the values to "
                                         "update.");
                built++;
                goto out;
            }
        }
    }
    /* groups: consecutive rows of one shape, within the parameter limit,
     * without a repeated key; one item each unless batching is single */
    for (size_t i = 0; i < n;) {
        struct row *w0 = &rows[i];
        size_t per_row = json_array_size(w0->keys) + (r->op == OP_UPDATE ? 1 : 0);
        size_t max_rows = r->batching == B_SINGLE ? MAX_PARAMS / (per_row ? per_row : 1) : 1;
        if (json_array_size(w0->keys) == 0)
            max_rows = 1; /* DEFAULT VALUES is one row */
        json_t *seen = json_object();
        size_t j = i;
        while (j < n && j - i < max_rows && same_shape(w0, &rows[j])) {
            if (r->op != OP_INSERT) {
                char *k = match_key(&rows[j]);
                bool dup = json_object_get(seen, k) != NULL;
                json_object_set_new(seen, k, json_true());
                free(k);
                if (dup)
                    break;
            }
            j++;
        }
        json_decref(seen);
        if (j == i)
            j = i + 1; /* a group holds at least its first row */
        const json_t *cols = table_schema(r, w0->schema, w0->table);
        if (r->op == OP_UPDATE && (rc = check_rows_exist(r, rows, i, j - i, cols)))
            goto out;
        struct query *q = query_add(r, i);
        if (r->op == OP_UPDATE)
            build_update(r, q, rows, i, j - i, cols);
        else
            build_insert(r, q, rows, i, j - i, cols);
        i = j;
    }
out:
    for (size_t i = 0; i < built && i < n; i++)
        row_release(&rows[i]);
    free(rows);
    return rc;
}

/* ------------------------------------------------------ other operations */

static const char *where_op(const char *cond)
{
    static const char *ops[] = {"=", "!=", "LIKE", ">", "<", ">=", "<=", "IS NULL", "IS NOT NULL"};
    if (!strcmp(cond, "equal"))
        return "=";
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (!strcmp(cond, ops[i]))
            return ops[i];
    return NULL;
}

/* n8n's addWhereClauses. */
static int add_where(struct run *r, struct stmt *s, size_t item)
{
    json_t *w = sl_ctx_param(r->ctx, "where.values", item, NULL);
    if (!w && sl_ctx_failed(r->ctx))
        return SL_ERR_NODE;
    if (!json_array_size(w)) {
        json_decref(w);
        return 0;
    }
    char *comb = NULL;
    if (sl_ctx_param_str(r->ctx, "combineConditions", item, "AND", &comb) < 0) {
        json_decref(w);
        return SL_ERR_NODE;
    }
    const char *with = !strcmp(comb, "OR") ? "OR" : "AND";
    sl_buf_adds(&s->sql, " WHERE");
    size_t i;
    json_t *c;
    int rc = 0;
    json_array_foreach(w, i, c)
    {
        json_t *cj = json_object_get(c, "condition");
        const char *cond = json_is_string(cj) ? json_string_value(cj) : "equal";
        const char *op = where_op(cond);
        if (!op) {
            rc = sl_ctx_fail(r->ctx, "Unknown condition '%s' in entry %zu of 'Select Rows'", cond,
                             i + 1);
            break;
        }
        json_t *val = json_object_get(c, "value");
        char *text = NULL;
        if (op[0] == '>' || op[0] == '<') {
            double d = val ? sl_jsv_to_number(val) : NAN; /* Number(undefined) */
            if (isnan(d)) {
                char *vs = val ? sl_jsv_to_string(val) : sl_strdup("undefined");
                rc = sl_ctx_fail(r->ctx,
                                 "Operator in entry %zu of 'Select Rows' works with numbers, but "
                                 "value %s is not a number",
                                 i + 1, vs);
                free(vs);
                break;
            }
            json_t *num = json_real(d);
            text = sl_pg_param_text(num, false);
            json_decref(num);
        } else {
            text = sl_pg_param_text(val, false);
        }
        json_t *col = json_object_get(c, "column");
        char *cs = json_is_string(col) ? sl_strdup(json_string_value(col))
                                       : sl_jsv_to_string(col ? col : json_string(""));
        sl_buf_adds(&s->sql, " ");
        sl_pg_quote_ident(&s->sql, cs);
        free(cs);
        sl_buf_addf(&s->sql, " %s", op);
        if (strncmp(op, "IS ", 3)) {
            int num = stmt_param(s, text, 0);
            text = NULL;
            sl_buf_addf(&s->sql, " $%d", num);
        }
        free(text);
        if (i + 1 < json_array_size(w))
            sl_buf_addf(&s->sql, " %s", with);
    }
    free(comb);
    json_decref(w);
    return rc;
}

static int build_select(struct run *r, size_t i)
{
    char *schema = NULL, *table = NULL;
    if (param_rl(r, "schema", i, "public", &schema) || param_rl(r, "table", i, "", &table)) {
        free(schema);
        return SL_ERR_NODE;
    }
    struct query *q = query_add(r, i);
    q->select = true;
    struct stmt *s = query_stmt(q);
    json_t *oc = output_columns(r, i);
    int rc = SL_ERR_NODE;
    if (!oc)
        goto out;
    sl_buf_adds(&s->sql, "SELECT ");
    if (has_star(oc)) {
        sl_buf_adds(&s->sql, "*");
    } else {
        add_idents(&s->sql, oc, NULL);
    }
    sl_buf_adds(&s->sql, " FROM ");
    add_table(&s->sql, schema, table);
    if (add_where(r, s, i))
        goto out;
    json_t *sort = sl_ctx_param(r->ctx, "sort.values", i, NULL);
    if (!sort && sl_ctx_failed(r->ctx))
        goto out;
    size_t k;
    json_t *rule;
    json_array_foreach(sort, k, rule)
    {
        sl_buf_adds(&s->sql, k ? ", " : " ORDER BY ");
        json_t *col = json_object_get(rule, "column");
        char *cs = json_is_string(col) ? sl_strdup(json_string_value(col))
                                       : sl_jsv_to_string(col ? col : json_string(""));
        sl_pg_quote_ident(&s->sql, cs);
        free(cs);
        const char *dir = json_string_value(json_object_get(rule, "direction"));
        sl_buf_adds(&s->sql, dir && !strcmp(dir, "DESC") ? " DESC" : " ASC");
    }
    json_decref(sort);
    bool all = false;
    if (sl_ctx_param_bool(r->ctx, "returnAll", i, false, &all) < 0)
        goto out;
    if (!all) {
        json_t *d = json_integer(50);
        json_t *lim = sl_ctx_param_number_checked(r->ctx, "limit", i, d, "limit", "Limit");
        json_decref(d);
        if (!lim)
            goto out;
        double l = json_is_number(lim) ? json_number_value(lim) : 50;
        json_decref(lim);
        if (!(l >= 0) || l != floor(l) || l > 1e15) {
            sl_ctx_fail(r->ctx, "Limit must be a whole number of rows, not %g", l);
            goto out;
        }
        sl_buf_addf(&s->sql, " LIMIT %lld", (long long)l);
    }
    q->text = sl_strdup(s->sql.data);
    rc = 0;
out:
    json_decref(oc);
    free(schema);
    free(table);
    return rc;
}

static int build_delete(struct run *r, size_t i)
{
    char *schema = NULL, *table = NULL, *cmd = NULL;
    int rc = SL_ERR_NODE;
    json_t *options = NULL;
    if (param_rl(r, "schema", i, "public", &schema) || param_rl(r, "table", i, "", &table) ||
        sl_ctx_param_str(r->ctx, "deleteCommand", i, "truncate", &cmd) < 0)
        goto out;
    options = param_obj(r, "options", i);
    if (!options)
        goto out;
    bool cascade = sl_jsv_truthy(json_object_get(options, "cascade"));
    struct query *q = query_add(r, i);
    struct stmt *s = query_stmt(q);
    if (!strcmp(cmd, "drop")) {
        sl_buf_adds(&s->sql, "DROP TABLE IF EXISTS ");
        add_table(&s->sql, schema, table);
        if (cascade)
            sl_buf_adds(&s->sql, " CASCADE");
    } else if (!strcmp(cmd, "truncate")) {
        bool restart = false;
        if (sl_ctx_param_bool(r->ctx, "restartSequences", i, false, &restart) < 0)
            goto out;
        sl_buf_adds(&s->sql, "TRUNCATE TABLE ");
        add_table(&s->sql, schema, table);
        if (restart)
            sl_buf_adds(&s->sql, " RESTART IDENTITY");
        if (cascade)
            sl_buf_adds(&s->sql, " CASCADE");
    } else if (!strcmp(cmd, "delete")) {
        sl_buf_adds(&s->sql, "DELETE FROM ");
        add_table(&s->sql, schema, table);
        if (add_where(r, s, i))
            goto out;
    } else {
        sl_ctx_fail(r->ctx,
                    "Invalid delete command, only drop, delete and truncate are supported ");
        goto out;
    }
    q->text = sl_strdup(s->sql.data);
    rc = 0;
out:
    json_decref(options);
    free(schema);
    free(table);
    free(cmd);
    return rc;
}

/* {{ }} segments of a string (n8n's getResolvables). */
static json_t *resolvables(const char *s)
{
    json_t *out = json_array();
    const char *p = s;
    while ((p = strstr(p, "{{"))) {
        const char *e = strstr(p + 2, "}}");
        if (!e)
            break;
        json_array_append_new(out, json_stringn(p, (size_t)(e + 2 - p)));
        p = e + 2;
    }
    return out;
}

/* Evaluates "{{ expr }}" for item i as n8n's evaluateExpression does. */
static json_t *eval_resolvable(struct run *r, const char *res, size_t i)
{
    char *ex = sl_asprintf("=%s", res);
    json_t *e = json_string(ex);
    free(ex);
    json_t *v = sl_ctx_eval(r->ctx, e, i);
    json_decref(e);
    return v;
}

/* n8n's stringToArray: split at commas, empty parts dropped, trimmed. */
static void push_split(json_t *values, const char *s)
{
    const char *p = s;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len) {
            const char *a = p, *b = p + len;
            while (a < b && isspace((unsigned char)*a))
                a++;
            while (b > a && isspace((unsigned char)b[-1]))
                b--;
            json_array_append_new(values, json_stringn(a, (size_t)(b - a)));
        }
        if (!c)
            break;
        p = c + 1;
    }
}

/* The parameter types executeQuery sends before 2.5, where expression
 * values keep their JavaScript type (n8n's driver writes them as
 * literals: 5 is an integer, 1.5 numeric, true boolean). */
static unsigned typed_oid(const json_t *v)
{
    if (json_is_boolean(v))
        return 16;
    if (json_is_integer(v) || (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
                               fabs(json_real_value(v)) < 9.2e18)) {
        double d = json_number_value(v);
        return d >= INT_MIN && d <= INT_MAX ? 23 : 20;
    }
    if (json_is_real(v))
        return 1700;
    return 0;
}

static int build_exec(struct run *r, size_t i, bool literal_quotes)
{
    struct sl_node_ctx *ctx = r->ctx;
    json_t *raw = sl_ctx_param_raw(ctx, "query");
    char *query = NULL;
    if (json_is_string(raw) && json_string_value(raw)[0] != '=' &&
        strstr(json_string_value(raw), "{{")) {
        /* n8n evaluates {{ }} in the query even without the leading "=" */
        char *ex = sl_asprintf("=%s", json_string_value(raw));
        json_t *e = json_string(ex);
        free(ex);
        json_t *v = sl_ctx_eval(ctx, e, i);
        json_decref(e);
        if (!v)
            return SL_ERR_NODE;
        query = json_is_string(v) ? sl_strdup(json_string_value(v)) : sl_jsv_to_string(v);
        json_decref(v);
    } else if (sl_ctx_param_str(ctx, "query", i, "", &query) < 0) {
        return SL_ERR_NODE;
    }
    json_t *values = json_array();
    json_t *qr = sl_ctx_param(ctx, "options.queryReplacement", i, NULL);
    int rc = SL_ERR_NODE;
    if (!qr && sl_ctx_failed(ctx))
        goto out;
    if (json_is_number(qr)) {
        char *s = sl_jsv_to_string(qr);
        json_decref(qr);
        qr = json_string(s);
        free(s);
    }
    bool typed = false;
    if (!qr || json_is_string(qr)) {
        json_t *rawr = sl_ctx_param_raw(ctx, "options.queryReplacement");
        const char *rs = json_string_value(rawr);
        if (rs && *rs) {
            while (*rs == '=')
                rs++;
            if (r->version >= 2.5) {
                json_t *res = resolvables(rs);
                if (json_array_size(res)) {
                    size_t k;
                    json_t *one;
                    json_array_foreach(res, k, one)
                    {
                        json_t *v = eval_resolvable(r, json_string_value(one), i);
                        if (!v) {
                            json_decref(res);
                            goto out;
                        }
                        char *s = json_is_null(v)     ? sl_strdup("null")
                                  : json_is_string(v) ? sl_strdup(json_string_value(v))
                                  : json_is_object(v) || json_is_array(v)
                                      ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)
                                      : sl_jsv_to_string(v);
                        json_decref(v);
                        json_t *isj = json_loads(s, JSON_DECODE_ANY, NULL);
                        if (isj)
                            json_array_append_new(values, json_string(s));
                        else
                            push_split(values, s);
                        json_decref(isj);
                        free(s);
                    }
                } else {
                    push_split(values, rs);
                }
                json_decref(res);
            } else {
                typed = true;
                json_t *parts = json_array();
                push_split(parts, rs);
                size_t k;
                json_t *part;
                json_array_foreach(parts, k, part)
                {
                    json_t *res = resolvables(json_string_value(part));
                    if (json_array_size(res)) {
                        size_t m;
                        json_t *one;
                        json_array_foreach(res, m, one)
                        {
                            json_t *v = eval_resolvable(r, json_string_value(one), i);
                            if (!v) {
                                json_decref(res);
                                json_decref(parts);
                                goto out;
                            }
                            json_array_append_new(values, v);
                        }
                    } else {
                        json_array_append(values, part);
                    }
                    json_decref(res);
                }
                json_decref(parts);
            }
        }
    } else if (json_is_array(qr)) {
        json_array_extend(values, qr);
        typed = true;
    } else {
        sl_ctx_fail(ctx, "Query Parameters must be a string of comma-separated values or an "
                         "array of values");
        goto out;
    }
    if (!sl_jsv_truthy(qr) || literal_quotes) {
        /* '$1' in quotes: the text "$1" itself, as a further parameter */
        struct sl_buf b = {0};
        for (const char *p = query; *p;) {
            if (p[0] == '\'' && p[1] == '$' && isdigit((unsigned char)p[2])) {
                const char *e = p + 2;
                while (isdigit((unsigned char)*e))
                    e++;
                if (*e == '\'') {
                    json_array_append_new(values, json_stringn(p + 1, (size_t)(e - p - 1)));
                    sl_buf_addf(&b, "$%zu", json_array_size(values));
                    p = e + 1;
                    continue;
                }
            }
            sl_buf_addc(&b, *p++);
        }
        free(query);
        query = sl_buf_steal(&b);
    }
    char *err = NULL;
    json_t *stmts = sl_pg_prepare_query(query, values, &err);
    struct query *q = query_add(r, i);
    q->select = sl_pg_is_select(query);
    q->text = sl_strdup(query);
    if (!stmts) {
        sl_ctx_fail(ctx, "%s", err);
        free(err);
        goto out;
    }
    size_t k;
    json_t *st;
    json_array_foreach(stmts, k, st)
    {
        struct stmt *s = query_stmt(q);
        sl_buf_adds(&s->sql, json_string_value(json_object_get(st, "sql")));
        size_t m;
        json_t *v;
        json_array_foreach(json_object_get(st, "params"), m, v)
            stmt_param(s, sl_pg_param_text(v, false), typed ? typed_oid(v) : 0);
    }
    json_decref(stmts);
    rc = 0;
out:
    json_decref(qr);
    json_decref(values);
    free(query);
    return rc;
}

/* ------------------------------------------------------------------ node */

static enum op op_from(const char *s)
{
    static const struct {
        const char *name;
        enum op op;
    } ops[] = {{"executeQuery", OP_EXEC}, {"insert", OP_INSERT}, {"update", OP_UPDATE},
               {"upsert", OP_UPSERT},     {"select", OP_SELECT}, {"deleteTable", OP_DELETE}};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (!strcmp(s, ops[i].name))
            return ops[i].op;
    return (enum op) - 1;
}

static int execute(struct sl_node_ctx *ctx)
{
    struct run r = {.ctx = ctx, .version = sl_ctx_node(ctx)->version};
    r.input = sl_ctx_input(ctx, 0);
    r.cof = sl_ctx_continue_on_fail(ctx);
    char *resource = NULL, *operation = NULL;
    json_t *cred = NULL, *options = NULL;
    struct sl_pg_lease lease = {0};
    int rc = SL_ERR_NODE;
    if (sl_ctx_param_str(ctx, "resource", 0, "database", &resource) < 0 ||
        sl_ctx_param_str(ctx, "operation", 0, "insert", &operation) < 0)
        goto out;
    if (strcmp(resource, "database")) {
        sl_ctx_fail(ctx, "The resource \"%s\" is not supported!", resource);
        goto out;
    }
    r.op = op_from(operation);
    if ((int)r.op < 0) {
        sl_ctx_fail(ctx, "The operation \"%s\" is not supported!", operation);
        goto out;
    }
    options = param_obj(&r, "options", 0);
    if (!options)
        goto out;
    const char *qb = json_string_value(json_object_get(options, "queryBatching"));
    r.batching = !qb || !strcmp(qb, "single")   ? B_SINGLE
                 : !strcmp(qb, "independently") ? B_INDEPENDENT
                 : !strcmp(qb, "transaction")   ? B_TRANSACTION
                                                : B_SINGLE;
    const char *lo = json_string_value(json_object_get(options, "largeNumbersOutput"));
    r.big_numbers = lo && !strcmp(lo, "numbers");
    r.replace_empty = sl_jsv_truthy(json_object_get(options, "replaceEmptyStrings"));
    json_t *ct = json_object_get(options, "connectionTimeout");
    int timeout = json_is_number(ct) ? (int)json_number_value(ct) : 30;
    bool literal_quotes =
        sl_jsv_truthy(json_object_get(options, "treatQueryParametersInSingleQuotesAsText"));

    cred = sl_ctx_credential(ctx, "postgres");
    if (!cred)
        goto out;
    char *msg = NULL, *desc = NULL;
    if (sl_pg_acquire(cred, timeout, &lease, &msg, &desc) < 0) {
        sl_ctx_fail(ctx, "%s", msg);
        if (desc)
            sl_ctx_fail_description(ctx, "%s", desc);
        free(msg);
        free(desc);
        goto out;
    }
    r.conn = lease.conn;
    r.out = json_array();
    r.schemas = json_object();

    size_t n = json_array_size(r.input);
    if (r.op == OP_INSERT || r.op == OP_UPDATE || r.op == OP_UPSERT) {
        if (build_row_queries(&r))
            goto out;
    } else {
        for (size_t i = 0; i < n; i++) {
            int brc = r.op == OP_EXEC     ? build_exec(&r, i, literal_quotes)
                      : r.op == OP_SELECT ? build_select(&r, i)
                                          : build_delete(&r, i);
            if (brc)
                goto out;
        }
    }
    rc = r.batching == B_SINGLE ? run_single(&r) : run_each(&r);
    if (rc == 0) {
        sl_ctx_out_list(ctx, 0, r.out);
        r.out = NULL;
    }
out:
    sl_pg_release(&lease);
    for (size_t i = 0; i < r.n_q; i++)
        query_release(&r.q[i]);
    free(r.q);
    json_decref(r.out);
    json_decref(r.schemas);
    if (cred) {
        json_decref(cred);
    }
    json_decref(options);
    free(resource);
    free(operation);
    return rc;
}

const struct sl_node_type sl_node_postgres = {
    .name = "n8n-nodes-base.postgres",
    .versions = versions,
    .execute = execute,
};
