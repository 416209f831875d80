/*
 * bench_relay: the floor of a server that runs its work in other
 * processes, the shape DESIGN.md gives `sluice serve`. It is bench_echo's
 * libmicrohttpd set-up (same options, same thread pool), but each POST
 * body makes a round trip through a worker process before it is answered:
 *
 *   pool thread: suspend the connection, send {4-byte length, 8-byte
 *                request id, body} to a worker over a socket pair
 *   worker:      read the frame, send it back unchanged (one thread, no
 *                parsing: the cheapest possible worker)
 *   relay thread: read the reply (epoll over the worker sockets), queue
 *                the response, resume the connection
 *
 * So it measures what the process boundary alone costs: two socket
 * writes, two reads, the wake-ups of a worker and of the relay thread,
 * and libmicrohttpd's suspend/resume. bench/webhook.sh runs it beside
 * bench_echo; what sluice adds on top of it (JSON, the engine, the store)
 * is the rest of the gap.
 *
 *   bench_relay PORT [WORKERS]   (127.0.0.1; default one worker per core;
 *                                 SIGINT/SIGTERM stop it)
 *
 * Not installed and not a test: a benchmark tool only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "mhd_body.h"

#define MAX_WORKERS 64
#define SLOTS 65536 /* requests in flight, indexed by id % SLOTS */

struct req {
    struct body body; /* the request body as it arrives */
    struct MHD_Connection *conn;
    int sent;     /* the body went to a worker */
    char *answer; /* the worker's reply, set by the relay thread */
    size_t answer_len;
    int answered;
};

struct worker {
    int fd;
    pthread_mutex_t wlock;
    char *buf; /* the relay thread's read buffer */
    size_t len, cap;
};

static struct worker workers[MAX_WORKERS];
static int n_workers;
static struct req *slots[SLOTS];
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t next_id;

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The worker process: echoes frames until the socket closes. */
static void worker_main(int fd)
{
    size_t cap = 1u << 20, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        ssize_t n = read(fd, buf + len, cap - len);
        if (n <= 0)
            _exit(0);
        len += (size_t)n;
        size_t off = 0;
        while (len - off >= 4) {
            const unsigned char *p = (const unsigned char *)buf + off;
            size_t flen = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
            if (len - off < flen + 4)
                break;
            if (write_all(fd, buf + off, flen + 4))
                _exit(1);
            off += flen + 4;
        }
        memmove(buf, buf + off, len - off);
        len -= off;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
}

static int send_frame(struct worker *w, uint64_t id, const char *body, size_t len)
{
    size_t flen = 8 + len;
    char *f = malloc(4 + flen);
    if (!f)
        return -1;
    f[0] = (char)(flen >> 24);
    f[1] = (char)(flen >> 16);
    f[2] = (char)(flen >> 8);
    f[3] = (char)flen;
    memcpy(f + 4, &id, 8);
    if (len)
        memcpy(f + 12, body, len);
    pthread_mutex_lock(&w->wlock);
    int rc = write_all(w->fd, f, 4 + flen);
    pthread_mutex_unlock(&w->wlock);
    free(f);
    return rc;
}

/* Hands the reply of request `id` to its connection and resumes it. */
static void on_reply(uint64_t id, const char *body, size_t len)
{
    pthread_mutex_lock(&slot_lock);
    struct req *r = slots[id % SLOTS];
    slots[id % SLOTS] = NULL;
    pthread_mutex_unlock(&slot_lock);
    if (!r)
        return;
    r->answer = malloc(len ? len : 1);
    memcpy(r->answer, body, len);
    r->answer_len = len;
    r->answered = 1;
    MHD_resume_connection(r->conn);
}

static void *relay_main(void *arg)
{
    (void)arg;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < n_workers; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, workers[i].fd, &ev);
    }
    struct epoll_event evs[MAX_WORKERS];
    for (;;) {
        int n = epoll_wait(ep, evs, MAX_WORKERS, -1);
        for (int k = 0; k < n; k++) {
            struct worker *w = &workers[evs[k].data.u32];
            if (w->cap - w->len < 65536) {
                w->cap = w->cap ? w->cap * 2 : 1u << 20;
                w->buf = realloc(w->buf, w->cap);
            }
            ssize_t got = read(w->fd, w->buf + w->len, w->cap - w->len);
            if (got <= 0)
                return NULL;
            w->len += (size_t)got;
            size_t off = 0;
            while (w->len - off >= 4) {
                const unsigned char *p = (const unsigned char *)w->buf + off;
                size_t flen = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
                if (w->len - off < flen + 4)
                    break;
                uint64_t id;
                memcpy(&id, p + 4, 8);
                on_reply(id, (const char *)p + 12, flen - 8);
                off += flen + 4;
            }
            memmove(w->buf, w->buf + off, w->len - off);
            w->len -= off;
        }
    }
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
    (void)cls, (void)url, (void)version;
    struct req *b = *state;
    if (!b) { /* first call: headers only */
        b = calloc(1, sizeof *b);
        if (!b)
            return MHD_NO;
        b->conn = c;
        *state = b;
        return MHD_YES;
    }
    if (*upload_size) {
        if (body_add(&b->body, upload, *upload_size))
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (b->body.too_big)
        return send_buf(c, 413, NULL, 0, NULL);
    if (strcmp(method, "POST") != 0)
        return send_buf(c, MHD_HTTP_OK, NULL, 0, NULL);
    if (b->answered) { /* resumed: the worker's reply is in */
        char *data = b->answer;
        b->answer = NULL;
        const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        return send_buf(c, MHD_HTTP_OK, data, b->answer_len,
                        type ? type : "application/octet-stream");
    }
    if (b->sent)
        return MHD_YES;
    pthread_mutex_lock(&slot_lock);
    uint64_t id = next_id++;
    if (slots[id % SLOTS]) {
        pthread_mutex_unlock(&slot_lock);
        return send_buf(c, 503, NULL, 0, NULL);
    }
    slots[id % SLOTS] = b;
    pthread_mutex_unlock(&slot_lock);
    b->sent = 1;
    /* suspend before the send: the reply may come back at once */
    MHD_suspend_connection(c);
    if (send_frame(&workers[id % (uint64_t)n_workers], id, b->body.data, b->body.len)) {
        fprintf(stderr, "bench_relay: a worker is gone\n");
        exit(1);
    }
    return MHD_YES;
}

static void completed(void *cls, struct MHD_Connection *c, void **state,
                      enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    struct req *b = *state;
    if (b) {
        free(b->body.data);
        free(b->answer);
        free(b);
        *state = NULL;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_relay PORT [WORKERS]\n");
        return 2;
    }
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (*end || port <= 0 || port > 65535) {
        fprintf(stderr, "bench_relay: bad port '%s'\n", argv[1]);
        return 2;
    }
    long nw = argc == 3 ? strtol(argv[2], &end, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    if ((argc == 3 && *end) || nw < 1 || nw > MAX_WORKERS) {
        fprintf(stderr, "bench_relay: bad worker count '%s'\n", argv[2]);
        return 2;
    }
    n_workers = (int)nw;
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < n_workers; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
            perror("bench_relay: socketpair");
            return 1;
        }
        pid_t pid = fork();
        if (pid < 0) {
            perror("bench_relay: fork");
            return 1;
        }
        if (pid == 0) {
            close(sv[0]);
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            worker_main(sv[1]);
        }
        close(sv[1]);
        workers[i].fd = sv[0];
        pthread_mutex_init(&workers[i].wlock, NULL);
    }

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* every thread inherits the mask */
    pthread_t relay;
    if (pthread_create(&relay, NULL, relay_main, NULL)) {
        fprintf(stderr, "bench_relay: cannot start the relay thread\n");
        return 1;
    }
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT, 10000u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench_relay: cannot listen on 127.0.0.1:%ld\n", port);
        return 1;
    }
    fprintf(stderr, "bench_relay: listening on 127.0.0.1:%ld, %d workers\n", port, n_workers);
    int sig;
    sigwait(&stop, &sig);
    /* the workers die with this process (PR_SET_PDEATHSIG) */
    _exit(0);
}
