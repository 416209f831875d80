/*
 * Credentials for running nodes: a resolver that a process running
 * executions (a worker, `sluice run`, `sluice test`) plugs into
 * sl_exec_opts.credential_cb. It opens the store in the data directory on
 * the first credential a node asks for, so a run that needs none never
 * touches the data directory, and serialises lookups on one connection.
 *
 * Ownership: sl_creds_new() returns an object the caller frees with
 * sl_creds_free() after the last execution using it has ended. The data
 * sl_creds_resolve() returns is a new reference the caller releases.
 * Thread rule: sl_creds_resolve() may be called from any thread.
 */
#ifndef SL_STORE_CREDS_H
#define SL_STORE_CREDS_H

#include <jansson.h>

#include "core/err.h"

struct sl_creds;

/* `data_dir` (copied): NULL for $SLUICE_DATA_DIR, else "./.sluice". */
struct sl_creds *sl_creds_new(const char *data_dir);
void sl_creds_free(struct sl_creds *c);

/* The sl_exec_opts.credential_cb: `ud` is a struct sl_creds. */
json_t *sl_creds_resolve(void *ud, const char *type, const char *id, const char *name,
                         struct sl_error *err);

#endif
