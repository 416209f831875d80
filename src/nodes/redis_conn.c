/*
 * The Redis node's connection pool (see redis_conn.h): a short list of
 * idle connections behind one mutex. Opening, authenticating and checking
 * a connection happen outside the lock, so a slow server holds up only the
 * execution that waits for it.
 */
#include "nodes/redis_conn.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsvalue.h"
#include "util/alloc.h"

/* Idle connections kept per process, over all credentials. */
#define POOL_MAX 32
#define CONNECT_TIMEOUT_S 10

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sl_redis_conn *pool[POOL_MAX];
static size_t pool_n;

/* The credential's connection fields, defaults filled in as n8n's
 * credential type declares them. Strings are heap copies. */
struct conf {
    char *host, *user, *password;
    long port, db;
    bool ssl;
};

static void conf_release(struct conf *cf)
{
    free(cf->host);
    free(cf->user);
    if (cf->password) {
        sodium_memzero(cf->password, strlen(cf->password));
        free(cf->password);
    }
}

/* A text field: strings as they are, numbers through String(), absent or
 * null as `dflt`. */
static char *text_field(const json_t *cred, const char *name, const char *dflt)
{
    const json_t *v = json_object_get(cred, name);
    if (!v || json_is_null(v))
        return sl_strdup(dflt);
    if (json_is_string(v))
        return sl_strdup(json_string_value(v));
    return sl_jsv_to_string(v);
}

/* A whole-number field (a number, or a string holding one); 0 or -1 after
 * writing the reason. */
static int int_field(const json_t *cred, const char *name, long dflt, long lo, long hi, long *out,
                     char *err, size_t errlen)
{
    const json_t *v = json_object_get(cred, name);
    if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) {
        *out = dflt;
        return 0;
    }
    double d = sl_jsv_to_number(v);
    if (!isfinite(d) || d != floor(d) || d < lo || d > hi) {
        snprintf(err, errlen, "redis credential: '%s' must be a whole number from %ld to %ld", name,
                 lo, hi);
        return -1;
    }
    *out = (long)d;
    return 0;
}

static int conf_read(const json_t *cred, struct conf *cf, char *err, size_t errlen)
{
    memset(cf, 0, sizeof *cf);
    if (!json_is_object(cred)) {
        snprintf(err, errlen, "redis credential: the data is not an object");
        return -1;
    }
    cf->host = text_field(cred, "host", "localhost");
    if (!*cf->host) {
        free(cf->host);
        cf->host = sl_strdup("localhost");
    }
    cf->user = text_field(cred, "user", "");
    cf->password = text_field(cred, "password", "");
    cf->ssl = sl_jsv_truthy(json_object_get(cred, "ssl"));
    if (int_field(cred, "port", 6379, 1, 65535, &cf->port, err, errlen) ||
        int_field(cred, "database", 0, 0, 1L << 30, &cf->db, err, errlen))
        return -1;
    return 0;
}

/* The pool key: BLAKE2b over the fields, so the password is not kept. */
static void conf_key(const struct conf *cf, unsigned char key[32])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, (const unsigned char *)"sluice-redis-pool", 17, 32);
    char nums[64];
    int n = snprintf(nums, sizeof nums, "%ld/%ld", cf->port, cf->db);
    const char *parts[] = {cf->host, cf->user, cf->password};
    for (size_t i = 0; i < 3; i++)
        crypto_generichash_update(&h, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
    crypto_generichash_update(&h, (const unsigned char *)nums, (size_t)n);
    crypto_generichash_final(&h, key, 32);
}

/* Sends a command of string arguments; returns the reply, or NULL with the
 * reason (the server's error text, or the connection's) in err. */
static redisReply *command(redisContext *rc, char *err, size_t errlen, int argc, const char **argv)
{
    redisReply *r = redisCommandArgv(rc, argc, argv, NULL);
    if (!r) {
        snprintf(err, errlen, "%s", rc->errstr[0] ? rc->errstr : "the connection failed");
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        snprintf(err, errlen, "%s", r->str ? r->str : "error");
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

/* PING; true when the server answers as it should. */
static bool ping(redisContext *rc, char *err, size_t errlen)
{
    const char *argv[] = {"PING"};
    redisReply *r = command(rc, err, errlen, 1, argv);
    freeReplyObject(r);
    return r != NULL;
}

/* A new, logged-in connection; NULL with the reason in err. The reasons
 * for a connection that fails are worded as n8n's Redis client words them
 * (node's "connect ECONNREFUSED host:port"). */
static redisContext *open_conn(const struct conf *cf, char *err, size_t errlen)
{
    struct timeval tv = {.tv_sec = CONNECT_TIMEOUT_S};
    redisContext *rc = redisConnectWithTimeout(cf->host, (int)cf->port, tv);
    if (!rc) {
        snprintf(err, errlen, "cannot connect to Redis at %s:%ld: out of memory", cf->host,
                 cf->port);
        return NULL;
    }
    if (rc->err) {
        const char *why = rc->errstr;
        if (strstr(why, "refused"))
            snprintf(err, errlen, "connect ECONNREFUSED %s:%ld", cf->host, cf->port);
        else if (strstr(why, "timed out") || strstr(why, "Operation now in progress"))
            snprintf(err, errlen, "Connection timeout");
        else if (strstr(why, "not known") || strstr(why, "resolution"))
            snprintf(err, errlen, "getaddrinfo ENOTFOUND %s", cf->host);
        else
            snprintf(err, errlen, "cannot connect to Redis at %s:%ld: %s", cf->host, cf->port, why);
        redisFree(rc);
        return NULL;
    }
    redisEnableKeepAlive(rc);
    bool ok = true;
    if (*cf->user || *cf->password) {
        const char *auth_user[] = {"AUTH", cf->user, cf->password};
        const char *auth_pass[] = {"AUTH", cf->password};
        redisReply *r = *cf->user ? command(rc, err, errlen, 3, auth_user)
                                  : command(rc, err, errlen, 2, auth_pass);
        ok = r != NULL;
        freeReplyObject(r);
    }
    if (ok && cf->db) {
        char db[24];
        snprintf(db, sizeof db, "%ld", cf->db);
        const char *argv[] = {"SELECT", db};
        redisReply *r = command(rc, err, errlen, 2, argv);
        ok = r != NULL;
        freeReplyObject(r);
    }
    if (ok)
        ok = ping(rc, err, errlen);
    if (!ok) {
        redisFree(rc);
        return NULL;
    }
    return rc;
}

/* An idle connection for `key`, taken off the pool; NULL when none. */
static struct sl_redis_conn *pool_take(const unsigned char key[32])
{
    struct sl_redis_conn *c = NULL;
    pthread_mutex_lock(&pool_mu);
    for (size_t i = pool_n; i-- > 0;) {
        if (memcmp(pool[i]->key, key, 32) == 0) {
            c = pool[i];
            pool[i] = pool[--pool_n];
            break;
        }
    }
    pthread_mutex_unlock(&pool_mu);
    return c;
}

static void conn_free(struct sl_redis_conn *c)
{
    if (c->rc)
        redisFree(c->rc);
    free(c);
}

struct sl_redis_conn *sl_redis_acquire(const json_t *cred, char *err, size_t errlen)
{
    struct conf cf;
    if (sodium_init() < 0) {
        snprintf(err, errlen, "redis: libsodium cannot start");
        return NULL;
    }
    if (conf_read(cred, &cf, err, errlen)) {
        conf_release(&cf);
        return NULL;
    }
    struct sl_redis_conn *c = NULL;
    if (cf.ssl) {
        /* Debian 12's hiredis (0.14) has no TLS */
        snprintf(err, errlen, "redis credential: SSL connections are not supported by sluice yet");
        goto out;
    }
    unsigned char key[32];
    conf_key(&cf, key);
    while ((c = pool_take(key)) != NULL) {
        char perr[256];
        if (ping(c->rc, perr, sizeof perr))
            goto out;
        conn_free(c); /* went stale while idle: try the next, then a new one */
    }
    redisContext *rc = open_conn(&cf, err, errlen);
    if (rc) {
        c = sl_calloc(1, sizeof *c);
        c->rc = rc;
        memcpy(c->key, key, 32);
    }
out:
    conf_release(&cf);
    return c;
}

void sl_redis_release(struct sl_redis_conn *c)
{
    if (!c)
        return;
    if (c->rc && !c->rc->err) {
        pthread_mutex_lock(&pool_mu);
        if (pool_n < POOL_MAX) {
            pool[pool_n++] = c;
            c = NULL;
        }
        pthread_mutex_unlock(&pool_mu);
    }
    if (c)
        conn_free(c);
}

void sl_redis_pool_clear(void)
{
    pthread_mutex_lock(&pool_mu);
    while (pool_n > 0)
        conn_free(pool[--pool_n]);
    pthread_mutex_unlock(&pool_mu);
}
