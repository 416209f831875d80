/*
 * The store's front: picks the backend ($SLUICE_DB; only the embedded
 * SQLite one exists in this build), prepares the data directory, checks
 * arguments, makes workflow ids and API keys, and dispatches to the
 * backend's table of functions (store_int.h). The JSON shapes every
 * backend returns are built here, so they cannot drift between backends.
 */
#define _GNU_SOURCE
#include "store/store_int.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util/alloc.h"
#include "util/random.h"

int sl_store_seterr(struct sl_store *st, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
    va_end(ap);
    for (char *p = st->errmsg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return rc;
}

bool sl_store_status_final(const char *status)
{
    return strcmp(status, SL_ST_SUCCESS) == 0 || strcmp(status, SL_ST_ERROR) == 0 ||
           strcmp(status, SL_ST_CANCELED) == 0 || strcmp(status, SL_ST_CRASHED) == 0;
}

static bool status_known(const char *s)
{
    return sl_store_status_final(s) || strcmp(s, SL_ST_NEW) == 0 || strcmp(s, SL_ST_RUNNING) == 0 ||
           strcmp(s, SL_ST_WAITING) == 0;
}

void sl_store_iso_time(int64_t ms, char out[32])
{
    time_t secs = (time_t)(ms / 1000);
    int frac = (int)(ms % 1000);
    if (frac < 0) {
        frac += 1000;
        secs--;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", base, frac);
}

static json_t *time_or_null(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    char buf[32];
    sl_store_iso_time(ms, buf);
    return json_string(buf);
}

static json_t *id_or_null(int64_t id)
{
    if (id <= 0)
        return json_null();
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    return json_string(buf);
}

json_t *sl_store_workflow_doc(json_t *stored, const char *id, const char *name, bool active,
                              int64_t version, int64_t created_ms, int64_t updated_ms)
{
    /* the store's members first, as n8n lists them, then the document */
    json_t *doc = json_object();
    json_object_set_new(doc, "id", json_string(id));
    json_object_set_new(doc, "name", json_string(name));
    json_object_set_new(doc, "active", json_boolean(active));
    json_object_set_new(doc, "versionCounter", json_integer(version));
    json_object_set_new(doc, "createdAt", time_or_null(created_ms));
    json_object_set_new(doc, "updatedAt", time_or_null(updated_ms));
    if (json_is_object(stored)) {
        const char *k;
        json_t *v;
        json_object_foreach(stored, k, v)
        {
            if (!json_object_get(doc, k))
                json_object_set(doc, k, v);
        }
    }
    json_decref(stored);
    if (!json_object_get(doc, "nodes"))
        json_object_set_new(doc, "nodes", json_array());
    if (!json_object_get(doc, "connections"))
        json_object_set_new(doc, "connections", json_object());
    if (!json_object_get(doc, "settings"))
        json_object_set_new(doc, "settings", json_object());
    if (!json_object_get(doc, "staticData"))
        json_object_set_new(doc, "staticData", json_null());
    if (!json_object_get(doc, "pinData"))
        json_object_set_new(doc, "pinData", json_object());
    return doc;
}

json_t *sl_store_exec_json(const struct sl_store_exec *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", id_or_null(e->id));
    json_object_set_new(o, "workflowId",
                        e->workflow_id ? json_string(e->workflow_id) : json_null());
    json_object_set_new(o, "mode", e->mode ? json_string(e->mode) : json_null());
    json_object_set_new(o, "status", e->status ? json_string(e->status) : json_null());
    json_object_set_new(o, "finished",
                        json_boolean(e->status && strcmp(e->status, SL_ST_SUCCESS) == 0));
    json_object_set_new(o, "startedAt", time_or_null(e->started_ms));
    json_object_set_new(o, "stoppedAt", time_or_null(e->stopped_ms));
    json_object_set_new(o, "createdAt", time_or_null(e->created_ms));
    json_object_set_new(o, "waitTill", time_or_null(e->wait_till_ms));
    json_object_set_new(o, "retryOf", id_or_null(e->retry_of));
    json_object_set_new(o, "retrySuccessId", id_or_null(e->retry_success_id));
    if (e->error)
        json_object_set_new(o, "error", json_string(e->error));
    if (e->error_node)
        json_object_set_new(o, "errorNode", json_string(e->error_node));
    return o;
}

/* ------------------------------------------------------------ opening */

/* mkdir -p with mode 0700 for every directory it creates. */
static int make_dir(const char *path, struct sl_error *err)
{
    char *p = sl_strdup(path);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            sl_error_set(err, "data directory '%s': %s", p, strerror(errno));
            rc = SL_ERR_IO;
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    if (rc == 0) {
        struct stat sb;
        if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            sl_error_set(err, "data directory '%s': not a directory", path);
            rc = SL_ERR_IO;
        }
    }
    return rc;
}

struct sl_store *sl_store_open(const char *data_dir, struct sl_error *err)
{
    const char *db = getenv("SLUICE_DB");
    if (db && *db && strcmp(db, "sqlite") != 0 && strcmp(db, "sqlite3") != 0) {
        sl_error_set(err,
                     "SLUICE_DB '%s': only the embedded SQLite store is available in this "
                     "build (unset SLUICE_DB or set it to 'sqlite')",
                     db);
        return NULL;
    }
    if (!data_dir || !*data_dir)
        data_dir = getenv("SLUICE_DATA_DIR");
    if (!data_dir || !*data_dir)
        data_dir = "./.sluice";
    if (make_dir(data_dir, err) != 0)
        return NULL;
    struct sl_store *st = sl_calloc(1, sizeof *st);
    st->be = &sl_store_sqlite;
    st->data_dir = sl_strdup(data_dir);
    if (st->be->open(st, err) != 0) {
        free(st->data_dir);
        free(st);
        return NULL;
    }
    return st;
}

void sl_store_close(struct sl_store *st)
{
    if (!st)
        return;
    st->be->close(st);
    free(st->data_dir);
    free(st);
}

const char *sl_store_errmsg(const struct sl_store *st)
{
    return st->errmsg;
}

const char *sl_store_data_dir(const struct sl_store *st)
{
    return st->data_dir;
}

int sl_store_schema_version(const struct sl_store *st)
{
    return st->schema_version;
}

int sl_store_data_version(struct sl_store *st, int64_t *version)
{
    return st->be->data_version(st, version);
}

int sl_store_workflows_changes(struct sl_store *st, int64_t *n)
{
    return st->be->workflows_changes(st, n);
}

int sl_store_begin(struct sl_store *st)
{
    return st->be->begin(st, true);
}

int sl_store_begin_relaxed(struct sl_store *st)
{
    return st->be->begin(st, false);
}

int sl_store_commit(struct sl_store *st)
{
    return st->be->commit(st);
}

void sl_store_rollback(struct sl_store *st)
{
    st->be->rollback(st);
}

int sl_store_savepoint(struct sl_store *st)
{
    return st->be->savepoint(st);
}

int sl_store_release(struct sl_store *st)
{
    return st->be->release(st);
}

void sl_store_rollback_to(struct sl_store *st)
{
    st->be->rollback_to(st);
}

/* ------------------------------------------------------------ workflows */

/* n8n's ids: letters and digits (nanoid's alphabet without - and _). */
void sl_store_random_id(char *out, size_t n)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    size_t i = 0;
    while (i < n) {
        unsigned char b[64];
        sl_random_bytes(b, sizeof b);
        for (size_t k = 0; k < sizeof b && i < n; k++)
            if (b[k] < 248) /* 4 * 62: no modulo bias */
                out[i++] = alphabet[b[k] % 62];
    }
    out[n] = '\0';
}

/* Members of a document that the store keeps in columns. */
static const char *const column_members[] = {"id",        "name",      "active",
                                             "createdAt", "updatedAt", "versionCounter"};

int sl_store_workflow_save(struct sl_store *st, const json_t *doc, char **id)
{
    if (id)
        *id = NULL;
    if (!json_is_object(doc))
        return sl_store_seterr(st, SL_ERR_INVALID, "workflow: not a JSON object");
    if (!json_is_array(json_object_get(doc, "nodes")))
        return sl_store_seterr(st, SL_ERR_INVALID, "workflow: \"nodes\" is not an array");
    if (!json_is_object(json_object_get(doc, "connections")))
        return sl_store_seterr(st, SL_ERR_INVALID, "workflow: \"connections\" is not an object");
    json_t *jid = json_object_get(doc, "id");
    char wid[64];
    if (json_is_string(jid) && json_string_length(jid) > 0) {
        if (json_string_length(jid) >= sizeof wid)
            return sl_store_seterr(st, SL_ERR_INVALID, "workflow: \"id\" is longer than %zu",
                                   sizeof wid - 1);
        snprintf(wid, sizeof wid, "%s", json_string_value(jid));
    } else if (json_is_integer(jid)) { /* older n8n exports number their workflows */
        snprintf(wid, sizeof wid, "%lld", (long long)json_integer_value(jid));
    } else if (!jid || json_is_null(jid)) {
        sl_store_random_id(wid, 16);
    } else {
        return sl_store_seterr(st, SL_ERR_INVALID, "workflow: \"id\" is not a string");
    }
    json_t *jname = json_object_get(doc, "name");
    if (jname && !json_is_string(jname))
        return sl_store_seterr(st, SL_ERR_INVALID, "workflow: \"name\" is not a string");
    json_t *jactive = json_object_get(doc, "active");
    if (jactive && !json_is_boolean(jactive) && !json_is_null(jactive))
        return sl_store_seterr(st, SL_ERR_INVALID, "workflow: \"active\" is not a boolean");
    int active = json_is_boolean(jactive) ? json_is_true(jactive) : -1;

    json_t *body = json_copy((json_t *)doc);
    for (size_t i = 0; i < sizeof column_members / sizeof *column_members; i++)
        json_object_del(body, column_members[i]);
    int rc = st->be->workflow_save(st, wid, jname ? json_string_value(jname) : "My workflow",
                                   active, body);
    json_decref(body);
    if (rc == 0 && id)
        *id = sl_strdup(wid);
    return rc;
}

int sl_store_workflow_get(struct sl_store *st, const char *id, json_t **doc)
{
    *doc = NULL;
    return st->be->workflow_get(st, id, doc);
}

int sl_store_workflow_list(struct sl_store *st, bool active_only, const char *after_id,
                           int64_t limit, json_t **docs)
{
    *docs = NULL;
    if (limit < 0)
        return sl_store_seterr(st, SL_ERR_INVALID, "workflow list: negative limit");
    return st->be->workflow_list(st, active_only, after_id, limit, docs);
}

int sl_store_workflow_set_active(struct sl_store *st, const char *id, bool active)
{
    return st->be->workflow_set_active(st, id, active);
}

int sl_store_workflow_delete(struct sl_store *st, const char *id)
{
    return st->be->workflow_delete(st, id);
}

int sl_store_workflow_count(struct sl_store *st, bool active_only, int64_t *n)
{
    *n = 0;
    return st->be->workflow_count(st, active_only, n);
}

/* ----------------------------------------------------------- executions */

void sl_store_exec_release(struct sl_store_exec *e)
{
    if (!e)
        return;
    free(e->workflow_id);
    free(e->mode);
    free(e->status);
    free(e->error);
    free(e->error_node);
    free(e->worker);
    memset(e, 0, sizeof *e);
}

int sl_store_exec_reserve_ids(struct sl_store *st, int64_t n, int64_t *first)
{
    if (n < 1)
        return sl_store_seterr(st, SL_ERR_INVALID, "reserving %lld execution ids", (long long)n);
    return st->be->exec_reserve_ids(st, n, first);
}

int sl_store_exec_insert(struct sl_store *st, struct sl_store_exec *e, const json_t *input)
{
    if (!e->workflow_id || !e->mode || !e->status)
        return sl_store_seterr(st, SL_ERR_INVALID,
                               "execution: workflow id, mode and status are required");
    if (!status_known(e->status))
        return sl_store_seterr(st, SL_ERR_INVALID, "execution: unknown status '%s'", e->status);
    return st->be->exec_insert(st, e, input);
}

int sl_store_exec_update(struct sl_store *st, const struct sl_store_exec *e)
{
    if (!e->status || !status_known(e->status))
        return sl_store_seterr(st, SL_ERR_INVALID, "execution %lld: unknown status '%s'",
                               (long long)e->id, e->status ? e->status : "(null)");
    return st->be->exec_update(st, e);
}

int sl_store_exec_get(struct sl_store *st, int64_t id, struct sl_store_exec *e)
{
    memset(e, 0, sizeof *e);
    return st->be->exec_get(st, id, e);
}

int sl_store_exec_delete(struct sl_store *st, int64_t id)
{
    return st->be->exec_delete(st, id);
}

int sl_store_exec_list(struct sl_store *st, const struct sl_store_exec_filter *f, json_t **rows)
{
    *rows = NULL;
    if (f->limit < 0)
        return sl_store_seterr(st, SL_ERR_INVALID, "execution list: negative limit");
    if (f->status && !status_known(f->status))
        return sl_store_seterr(st, SL_ERR_INVALID, "execution list: unknown status '%s'",
                               f->status);
    return st->be->exec_list(st, f, rows);
}

int sl_store_exec_get_json(struct sl_store *st, int64_t id, bool with_data, json_t **row)
{
    *row = NULL;
    return st->be->exec_get_json(st, id, with_data, row);
}

int sl_store_exec_input_put(struct sl_store *st, int64_t id, const json_t *input)
{
    return st->be->exec_input_put(st, id, input);
}

int sl_store_exec_input(struct sl_store *st, int64_t id, json_t **input)
{
    *input = NULL;
    return st->be->exec_input(st, id, input);
}

int sl_store_exec_retry(struct sl_store *st, int64_t id, int64_t *new_id)
{
    *new_id = 0;
    return st->be->exec_retry(st, id, new_id);
}

int sl_store_exec_ids_in(struct sl_store *st, const char *status, json_t **ids)
{
    *ids = NULL;
    if (!status_known(status))
        return sl_store_seterr(st, SL_ERR_INVALID, "executions: unknown status '%s'", status);
    return st->be->exec_ids_in(st, status, ids);
}

int sl_store_exec_mark_all(struct sl_store *st, const char *from, const char *to, int64_t *n)
{
    *n = 0;
    if (!status_known(from) || !status_known(to))
        return sl_store_seterr(st, SL_ERR_INVALID, "executions: unknown status '%s'",
                               status_known(from) ? to : from);
    return st->be->exec_mark_all(st, from, to, n);
}

int sl_store_node_runs_put(struct sl_store *st, int64_t exec_id, const json_t *runs)
{
    if (!json_is_array(runs))
        return sl_store_seterr(st, SL_ERR_INVALID, "execution %lld: node runs are not an array",
                               (long long)exec_id);
    return st->be->node_runs_put(st, exec_id, runs);
}

int sl_store_exec_data_put(struct sl_store *st, int64_t exec_id, const json_t *data)
{
    return st->be->exec_data_put(st, exec_id, data);
}

int sl_store_exec_state_put(struct sl_store *st, int64_t exec_id, const json_t *state)
{
    return st->be->exec_state_put(st, exec_id, state);
}

int sl_store_exec_state_get(struct sl_store *st, int64_t exec_id, json_t **state)
{
    *state = NULL;
    return st->be->exec_state_get(st, exec_id, state);
}

int sl_store_prune(struct sl_store *st, int64_t max_age_h, int64_t max_count, int64_t *n)
{
    *n = 0;
    if (max_age_h < 0 || max_count < 0)
        return sl_store_seterr(st, SL_ERR_INVALID, "prune: negative bound");
    return st->be->prune(st, max_age_h, max_count, n);
}

/* ------------------------------------------------------------- API keys */

static void sha256_hex(const char *s, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    if (EVP_Digest(s, strlen(s), md, &len, EVP_sha256(), NULL) != 1 || len != 32) {
        fputs("sluice: SHA-256 failed\n", stderr);
        abort();
    }
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int sl_store_apikey_create(struct sl_store *st, const char *label, char **key)
{
    *key = NULL;
    char k[44];
    memcpy(k, "sl_", 3);
    sl_store_random_id(k + 3, 40);
    char hash[65];
    sha256_hex(k, hash);
    int rc = st->be->apikey_create(st, label ? label : "", hash);
    if (rc == 0)
        *key = sl_strdup(k);
    return rc;
}

int sl_store_apikey_check(struct sl_store *st, const char *key)
{
    if (!key || !*key)
        return sl_store_seterr(st, SL_ERR_NOT_FOUND, "API key: none given");
    char hash[65];
    sha256_hex(key, hash);
    return st->be->apikey_check(st, hash);
}

int sl_store_apikey_count(struct sl_store *st, int64_t *n)
{
    *n = 0;
    return st->be->apikey_count(st, n);
}
