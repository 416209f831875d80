/*
 * Connections to Redis for the Redis node, reused across executions: a
 * process-wide pool of idle hiredis connections, keyed by a hash of what
 * the `redis` credential connects with (host, port, user, password,
 * database). A worker process runs many executions; each one that uses
 * the same credential takes an idle connection instead of opening (and
 * authenticating) a new one.
 *
 * A connection is opened the way n8n's Redis node opens one: TCP with a
 * 10 s connect timeout, AUTH (user and password, or password alone) when
 * the credential has either, SELECT when its database is not 0. An idle
 * connection taken from the pool is checked with PING first (n8n pings on
 * every execution too); one that fails is dropped and a new one opened,
 * so a restarted server costs nothing but that reconnect.
 *
 * Ownership and threads: sl_redis_acquire() hands out a connection that
 * belongs to the calling thread until sl_redis_release() gives it back;
 * the pool itself is guarded by one mutex, so any thread may call both.
 * The pool never keeps the credential's password: the key is a keyed
 * BLAKE2b hash of the connection fields.
 */
#ifndef SL_NODES_REDIS_CONN_H
#define SL_NODES_REDIS_CONN_H

#include <hiredis.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct sl_redis_conn {
    redisContext *rc;
    unsigned char key[32]; /* which credential's pool it returns to */
};

/* Opens or reuses a connection for the `redis` credential data `cred`
 * (borrowed). Returns NULL with a one-line reason in err (never containing
 * the password) when the credential is unusable or the server cannot be
 * reached or refuses the login. */
struct sl_redis_conn *sl_redis_acquire(const json_t *cred, char *err, size_t errlen);

/* Gives `c` back to the pool, or closes it when it failed (c->rc->err set)
 * or the pool is full. NULL is ignored. */
void sl_redis_release(struct sl_redis_conn *c);

/* Closes every idle connection (tests; process exit does not need it). */
void sl_redis_pool_clear(void);

#endif
