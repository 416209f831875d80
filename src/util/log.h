/*
 * The logger: one line per event on stderr, with a level, and the
 * execution id and node name when the event is about one.
 *
 *   2026-11-29T16:38:47.123Z info  execution finished  exec=42 workflow=abc status=success
 *   {"time":"2026-11-29T16:38:47.123Z","level":"info","msg":"execution finished","exec":"42",...}
 *
 * The second form when SLUICE_LOG_FORMAT=json. SLUICE_LOG_LEVEL (debug,
 * info, warn, error; default info) drops lines below it. Key/value pairs
 * come as extra arguments: a NULL-terminated list of key, value strings
 * (a NULL value skips the pair).
 *
 * Thread rule: any thread; each line is written with one write(2), so
 * lines from threads and processes sharing stderr never interleave.
 */
#ifndef SL_UTIL_LOG_H
#define SL_UTIL_LOG_H

enum sl_log_level { SL_LOG_DEBUG, SL_LOG_INFO, SL_LOG_WARN, SL_LOG_ERROR };

/* Reads SLUICE_LOG_FORMAT and SLUICE_LOG_LEVEL; call once at start (the
 * defaults apply without it). */
void sl_log_init(void);
int sl_log_enabled(enum sl_log_level level);
/* sl_log(SL_LOG_INFO, "execution finished", "exec", id, "status", st, NULL); */
void sl_log(enum sl_log_level level, const char *msg, ...) __attribute__((sentinel));

#endif
