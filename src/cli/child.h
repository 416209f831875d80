/*
 * Running an execution in a supervised child process.
 */
#ifndef SL_CLI_CHILD_H
#define SL_CLI_CHILD_H

#include <stdio.h>

#include "util/alloc.h"

struct sl_exec;

/* Forks; the child calls fn(arg, fd) with the write end of a pipe and exits
 * with its return value. The parent copies what the child writes to `sink`
 * as it arrives, or appends it to `out` (the caller's buffer, which the
 * caller releases) when sink is NULL, and returns
 * the child's exit status (0 or 1); a child killed by a signal or exiting
 * otherwise is reported on stderr as a failed execution (returns 1). */
int sl_cli_in_child(int (*fn)(void *arg, int fd), void *arg, FILE *sink, struct sl_buf *out);

/* Applies SLUICE_CODE_TIMEOUT_MS and SLUICE_CODE_MEMORY_MB to `ex`. */
void sl_cli_apply_limits(struct sl_exec *ex);

#endif
