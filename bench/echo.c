/*
 * bench_echo: the smallest useful libmicrohttpd server, the ceiling that
 * bench/webhook.sh measures `sluice serve` against on the same machine.
 * It answers each POST with the request body (same content type, status
 * 200) and any other request with an empty 200, over keep-alive HTTP/1.1.
 *
 * Thread model: one epoll listener per thread of a pool of `nproc` threads
 * (MHD_USE_EPOLL_INTERNAL_THREAD + MHD_OPTION_THREAD_POOL_SIZE), which is
 * what gives libmicrohttpd its best throughput on a small machine: no
 * thread per connection, no hand-off between threads. The per-connection
 * memory is raised for large bodies (see CONN_MEMORY).
 *
 *   bench_echo PORT [THREADS]     (listens on 127.0.0.1; SIGINT/SIGTERM stop it)
 *
 * Not installed and not a test: a benchmark tool only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "mhd_body.h"

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
    struct body *b = *state;
    if (!b) { /* first call: headers only */
        b = calloc(1, sizeof *b);
        if (!b)
            return MHD_NO;
        *state = b;
        return MHD_YES;
    }
    if (*upload_size) {
        if (body_add(b, upload, *upload_size))
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (b->too_big)
        return send_buf(c, 413, NULL, 0, NULL);
    if (strcmp(method, "POST") != 0)
        return send_buf(c, MHD_HTTP_OK, NULL, 0, NULL);
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    char *data = b->data;
    size_t len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return send_buf(c, MHD_HTTP_OK, data, len, type ? type : "application/octet-stream");
}

static void completed(void *cls, struct MHD_Connection *c, void **state,
                      enum MHD_RequestTerminationCode why)
{
    struct body *b = *state;
    if (b) {
        free(b->data);
        free(b);
        *state = NULL;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_echo PORT [THREADS]\n");
        return 2;
    }
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (*end || port <= 0 || port > 65535) {
        fprintf(stderr, "bench_echo: bad port '%s'\n", argv[1]);
        return 2;
    }
    long threads = argc == 3 ? strtol(argv[2], &end, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    if ((argc == 3 && *end) || threads < 1 || threads > 256) {
        fprintf(stderr, "bench_echo: bad thread count '%s'\n", argv[2]);
        return 2;
    }

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* the pool threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, handle, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT, 10000u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONN_MEMORY, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_LISTENING_ADDRESS_REUSE,
        1u, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench_echo: cannot listen on 127.0.0.1:%ld\n", port);
        return 1;
    }
    fprintf(stderr, "bench_echo: listening on 127.0.0.1:%ld with %ld threads\n", port, threads);
    int sig;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    return 0;
}
