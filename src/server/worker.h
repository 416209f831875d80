/*
 * The worker process (`sluice worker --fd N`, started by the server's
 * supervisor): runs the executions the server sends over the socket `fd`
 * on `threads` threads and sends back responses and results (the protocol
 * is in docs/serve.md). It has no store connection and no listening
 * socket; when the server goes away (end of stream) it exits.
 *
 * Thread rule: sl_worker_main() runs on the process's main thread, which
 * reads the socket; each execution runs on one of the worker threads, in
 * its own struct sl_exec and JavaScript context.
 */
#ifndef SL_SERVER_WORKER_H
#define SL_SERVER_WORKER_H

/* Runs until the server closes the socket; returns the exit status. */
int sl_worker_main(int fd, int threads);

#endif
