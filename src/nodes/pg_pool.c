/*
 * The Postgres node's connection pool (see pg.h): one pool per distinct
 * set of connection settings, found by a BLAKE2b hash of them, so two
 * credentials with the same settings share a pool and a credential whose
 * password changed gets a new one. Idle connections are kept on a stack
 * (the most recently used is reused first); a connection whose socket was
 * closed while idle is noticed before it is leased and replaced.
 */
#include "nodes/pg.h"

#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/jsvalue.h"
#include "util/alloc.h"

#define POOL_IDLE_MAX 16 /* idle connections kept per pool */

struct sl_pg_pool {
    struct sl_pg_pool *next;
    unsigned char key[32];
    unsigned leased, open, max;
    PGconn *idle[POOL_IDLE_MAX];
    unsigned n_idle;
    pthread_cond_t freed;
};

static pthread_mutex_t pools_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sl_pg_pool *pools;
static unsigned long opened;

/* The credential's string field `k`, or `dflt`; numbers as text. New heap
 * string. */
static char *field(const json_t *cred, const char *k, const char *dflt)
{
    json_t *v = json_object_get(cred, k);
    if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
        return sl_strdup(dflt);
    if (json_is_string(v))
        return sl_strdup(json_string_value(v));
    return sl_jsv_to_string(v);
}

struct settings {
    char *host, *port, *db, *user, *password, *sslmode;
    bool ssl_verify;
};

static void settings_read(const json_t *cred, struct settings *s)
{
    s->host = field(cred, "host", "localhost");
    s->port = field(cred, "port", "5432");
    s->db = field(cred, "database", "postgres");
    s->user = field(cred, "user", "postgres");
    s->password = field(cred, "password", "");
    char *ssl = field(cred, "ssl", "disable");
    s->ssl_verify = false;
    if (json_is_true(json_object_get(cred, "allowUnauthorizedCerts"))) {
        s->sslmode = sl_strdup("require"); /* encrypted, certificate not checked */
    } else if (!strcmp(ssl, "require")) {
        s->sslmode = sl_strdup("verify-full");
        s->ssl_verify = true;
    } else if (!strcmp(ssl, "allow")) {
        s->sslmode = sl_strdup("allow");
    } else {
        s->sslmode = sl_strdup("disable");
    }
    free(ssl);
}

static void settings_release(struct settings *s)
{
    free(s->host);
    free(s->port);
    free(s->db);
    free(s->user);
    if (s->password)
        sodium_memzero(s->password, strlen(s->password));
    free(s->password);
    free(s->sslmode);
}

static void settings_key(const struct settings *s, unsigned char key[32])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    const char *parts[] = {s->host, s->port, s->db, s->user, s->password, s->sslmode};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        crypto_generichash_update(&st, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
    crypto_generichash_final(&st, key, 32);
}

/* n8n's parsePostgresError wording for connection failures, from libpq's
 * message ("connection to server at "h", port p failed: ..."). */
static void connect_error(const struct settings *s, const char *pqmsg, char **msg, char **desc)
{
    char *m = sl_strdup(pqmsg ? pqmsg : "could not connect");
    size_t n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        m[--n] = 0;
    if (strstr(m, "Connection refused")) {
        *msg = sl_strdup("Connection refused");
        *desc = sl_asprintf("%s:%s", s->host, s->port);
    } else if (strstr(m, "could not translate host name")) {
        *msg = sl_strdup("Host not found");
        *desc = sl_strdup(s->host);
    } else if (strstr(m, "timeout expired")) {
        *msg = sl_strdup("Connection timed out");
        *desc = sl_asprintf("%s:%s", s->host, s->port);
    } else {
        /* the server's own message, as node-postgres reports it */
        const char *p = strstr(m, "FATAL:");
        p = p ? p + 6 : strstr(m, "failed: ") ? strstr(m, "failed: ") + 8 : m;
        while (*p == ' ')
            p++;
        char *nl = strchr(p, '\n');
        *msg = nl ? sl_strndup(p, (size_t)(nl - p)) : sl_strdup(p);
        *desc = NULL;
    }
    free(m);
}

static PGconn *open_conn(const struct settings *s, int timeout_s, char **msg, char **desc)
{
    char tmo[16];
    snprintf(tmo, sizeof tmo, "%d", timeout_s > 0 ? timeout_s : 0);
    const char *keys[16], *vals[16];
    int n = 0;
#define KV(k, v) (keys[n] = (k), vals[n] = (v), n++)
    KV("host", s->host);
    KV("port", s->port);
    KV("dbname", s->db);
    KV("user", s->user);
    KV("password", s->password);
    KV("sslmode", s->sslmode);
    if (s->ssl_verify && access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0)
        KV("sslrootcert", "/etc/ssl/certs/ca-certificates.crt");
    KV("connect_timeout", tmo);
    KV("application_name", "sluice");
    KV("client_encoding", "UTF8");
    KV("keepalives", "1");
    KV("options", "-c DateStyle=ISO,MDY"); /* the text pg_value.c parses */
#undef KV
    keys[n] = vals[n] = NULL;
    PGconn *c = PQconnectdbParams(keys, vals, 0);
    if (!c) {
        *msg = sl_strdup("out of memory connecting to PostgreSQL");
        *desc = NULL;
        return NULL;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        connect_error(s, PQerrorMessage(c), msg, desc);
        PQfinish(c);
        return NULL;
    }
    return c;
}

/* True when an idle connection still looks usable: its socket has nothing
 * to read, or what it had (a notice, an end of file) leaves it OK. */
static bool still_alive(PGconn *c)
{
    if (PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE)
        return false;
    struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
    if (p.fd < 0)
        return false;
    if (poll(&p, 1, 0) > 0) {
        if (!PQconsumeInput(c))
            return false;
        PGnotify *nt;
        while ((nt = PQnotifies(c)))
            PQfreemem(nt);
    }
    return PQstatus(c) == CONNECTION_OK;
}

static void close_idle_at_exit(void)
{
    pthread_mutex_lock(&pools_mu);
    for (struct sl_pg_pool *p = pools; p; p = p->next) {
        for (unsigned i = 0; i < p->n_idle; i++)
            PQfinish(p->idle[i]);
        p->open -= p->n_idle;
        p->n_idle = 0;
    }
    pthread_mutex_unlock(&pools_mu);
}

int sl_pg_acquire(const json_t *cred, int timeout_s, struct sl_pg_lease *out, char **msg,
                  char **description)
{
    *msg = *description = NULL;
    out->pool = NULL;
    out->conn = NULL;
    if (json_is_true(json_object_get(cred, "sshTunnel"))) {
        *msg = sl_strdup("SSH tunnels are not supported by sluice's Postgres node");
        return SL_ERR_INVALID;
    }
    if (sodium_init() < 0) {
        *msg = sl_strdup("libsodium failed to initialise");
        return SL_ERR;
    }
    struct settings s;
    settings_read(cred, &s);
    unsigned char key[32];
    settings_key(&s, key);
    json_t *mc = json_object_get(cred, "maxConnections");
    unsigned max =
        json_is_number(mc) && json_number_value(mc) >= 1 ? (unsigned)json_number_value(mc) : 100;

    pthread_mutex_lock(&pools_mu);
    struct sl_pg_pool *p = pools;
    while (p && memcmp(p->key, key, 32))
        p = p->next;
    if (!p) {
        p = sl_calloc(1, sizeof *p);
        memcpy(p->key, key, 32);
        pthread_cond_init(&p->freed, NULL);
        p->next = pools;
        pools = p;
    }
    p->max = max;
    PGconn *c = NULL;
    for (;;) {
        while (p->n_idle && !c) {
            c = p->idle[--p->n_idle];
            if (!still_alive(c)) {
                PQfinish(c);
                p->open--;
                c = NULL;
            }
        }
        if (c || p->open < p->max)
            break;
        pthread_cond_wait(&p->freed, &pools_mu);
    }
    p->leased++;
    if (!c)
        p->open++; /* reserved while connecting outside the lock */
    pthread_mutex_unlock(&pools_mu);
    int rc = 0;
    if (!c) {
        c = open_conn(&s, timeout_s, msg, description);
        pthread_mutex_lock(&pools_mu);
        if (c) {
            opened++;
        } else {
            p->open--;
            p->leased--;
            pthread_cond_signal(&p->freed);
            rc = SL_ERR_IO;
        }
        pthread_mutex_unlock(&pools_mu);
    }
    settings_release(&s);
    if (rc)
        return rc;
    out->pool = p;
    out->conn = c;
    return 0;
}

void sl_pg_release(struct sl_pg_lease *l)
{
    static bool atexit_set;
    if (!l->pool)
        return;
    PGconn *c = l->conn;
    if (c && PQstatus(c) == CONNECTION_OK) {
        PGTransactionStatusType ts = PQtransactionStatus(c);
        if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
            PGresult *r = PQexec(c, "ROLLBACK");
            PQclear(r);
        }
    }
    bool keep = c && PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE &&
                PQpipelineStatus(c) == PQ_PIPELINE_OFF;
    pthread_mutex_lock(&pools_mu);
    struct sl_pg_pool *p = l->pool;
    p->leased--;
    if (keep && p->n_idle < POOL_IDLE_MAX) {
        p->idle[p->n_idle++] = c;
        c = NULL;
    } else if (c) {
        p->open--;
    }
    if (!atexit_set) {
        atexit_set = true;
        atexit(close_idle_at_exit);
    }
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&pools_mu);
    if (c)
        PQfinish(c);
    l->pool = NULL;
    l->conn = NULL;
}

unsigned long sl_pg_connections_opened(void)
{
    pthread_mutex_lock(&pools_mu);
    unsigned long n = opened;
    pthread_mutex_unlock(&pools_mu);
    return n;
}
