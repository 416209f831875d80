/*
 * `sluice serve`: the server process (docs/serve.md). Reads its settings
 * from the environment (SLUICE_HOST, SLUICE_PORT, SLUICE_DATA_DIR,
 * SLUICE_WORKERS, SLUICE_WORKER_CONCURRENCY, SLUICE_CONCURRENCY_LIMIT,
 * SLUICE_QUEUE_MAX, SLUICE_PAYLOAD_SIZE_MAX, SLUICE_GRACEFUL_SHUTDOWN_TIMEOUT,
 * SLUICE_METRICS, SLUICE_EXECUTIONS_PRUNE_MAX_AGE_H, ..._MAX_COUNT,
 * SLUICE_CRASH_RETRIES); `host`/`port` (NULL / 0: from the environment)
 * come from the command line.
 *
 * Thread rule: call once, from the main thread; it returns when SIGTERM
 * or SIGINT has drained the server. Returns the exit status.
 */
#ifndef SL_SERVER_SERVE_H
#define SL_SERVER_SERVE_H

int sl_serve_main(const char *host, int port);

#endif
