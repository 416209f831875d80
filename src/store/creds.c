/*
 * The credential resolver for executions (see creds.h): one store
 * connection, opened on first use, behind a mutex.
 */
#include "store/creds.h"

#include <pthread.h>
#include <stdlib.h>

#include "store/store.h"
#include "util/alloc.h"

struct sl_creds {
    char *data_dir;
    pthread_mutex_t mu;
    struct sl_store *st;
};

struct sl_creds *sl_creds_new(const char *data_dir)
{
    struct sl_creds *c = sl_calloc(1, sizeof *c);
    c->data_dir = data_dir ? sl_strdup(data_dir) : NULL;
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void sl_creds_free(struct sl_creds *c)
{
    if (!c)
        return;
    sl_store_close(c->st);
    pthread_mutex_destroy(&c->mu);
    free(c->data_dir);
    free(c);
}

json_t *sl_creds_resolve(void *ud, const char *type, const char *id, const char *name,
                         struct sl_error *err)
{
    struct sl_creds *c = ud;
    json_t *data = NULL;
    pthread_mutex_lock(&c->mu);
    if (!c->st) {
        struct sl_error oerr = {{0}};
        c->st = sl_store_open(c->data_dir, &oerr);
        if (!c->st)
            sl_error_set(err, "credential '%s' (%s) cannot be read: %s",
                         name ? name
                         : id ? id
                              : "",
                         type, oerr.msg);
    }
    if (c->st && sl_store_credential_resolve(c->st, type, id, name, &data))
        sl_error_set(err, "%s", sl_store_errmsg(c->st));
    pthread_mutex_unlock(&c->mu);
    return data;
}
