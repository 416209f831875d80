/*
 * The supervisor (see workers.h). Each worker is `sluice worker --fd 3`,
 * started with fork+exec (nothing but async-signal-safe calls between the
 * two, since the server is multi-threaded) on one end of a socket pair.
 * The I/O thread waits on every worker socket with epoll; a socket that
 * ends means the worker is gone: it is reaped, reported and restarted.
 */
#define _GNU_SOURCE
#include "server/workers.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "server/frame.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/log.h"

enum wstate { W_DOWN, W_STARTING, W_UP };

struct worker {
    enum wstate state;
    int fd; /* -1 when down */
    pid_t pid;
    struct sl_frame_reader rd;
    pthread_mutex_t wlock; /* serialises writes to fd */
    int64_t started_ms;
    int64_t restart_at_ms; /* when down: when to start again */
    int64_t backoff_ms;
};

struct sl_workers {
    int n, threads;
    char *exe;
    struct sl_workers_cb cb;
    struct worker *w;
    pthread_mutex_t lock; /* state, fd, pid */
    int epfd;
    int wake[2]; /* pipe: stop the I/O thread */
    pthread_t io;
    volatile int stopping;
};

static int spawn(struct sl_workers *ws, int i)
{
    struct worker *w = &ws->w[i];
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
        return -1;
    char threads[16], fdarg[] = "3";
    snprintf(threads, sizeof threads, "%d", ws->threads);
    char *argv[] = {"sluice", "worker", "--fd", fdarg, "--threads", threads, NULL};
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        /* child: only async-signal-safe calls until exec */
        if (dup2(sv[1], 3) < 0)
            _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(ws->exe, argv);
        _exit(127);
    }
    close(sv[1]);
    pthread_mutex_lock(&ws->lock);
    pthread_mutex_lock(&w->wlock);
    w->fd = sv[0];
    pthread_mutex_unlock(&w->wlock);
    w->pid = pid;
    w->state = W_STARTING;
    w->started_ms = sl_clock_wall_ms();
    pthread_mutex_unlock(&ws->lock);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ws->epfd, EPOLL_CTL_ADD, sv[0], &ev);
    return 0;
}

static void describe_status(int status, char *buf, size_t n)
{
    if (WIFSIGNALED(status))
        snprintf(buf, n, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status))
        snprintf(buf, n, "exited with status %d", WEXITSTATUS(status));
    else
        snprintf(buf, n, "ended");
}

/* The worker's socket ended: reap it, report it, plan its restart. */
static void worker_gone(struct sl_workers *ws, int i)
{
    struct worker *w = &ws->w[i];
    epoll_ctl(ws->epfd, EPOLL_CTL_DEL, w->fd, NULL);
    pthread_mutex_lock(&ws->lock);
    pthread_mutex_lock(&w->wlock);
    close(w->fd);
    w->fd = -1;
    pthread_mutex_unlock(&w->wlock);
    pid_t pid = w->pid;
    w->pid = 0;
    w->state = W_DOWN;
    int64_t now = sl_clock_wall_ms();
    /* a worker that ran a while earns a quick restart */
    if (now - w->started_ms > 30000)
        w->backoff_ms = 0;
    w->backoff_ms = w->backoff_ms ? w->backoff_ms * 2 : 100;
    if (w->backoff_ms > 5000)
        w->backoff_ms = 5000;
    w->restart_at_ms = now + w->backoff_ms;
    pthread_mutex_unlock(&ws->lock);
    sl_frame_reader_release(&w->rd);
    int status = 0;
    /* its socket is closed, so it is exiting; make sure */
    for (int k = 0; k < 200; k++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR))
            break;
        if (k == 100)
            kill(pid, SIGKILL);
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    char why[128];
    describe_status(status, why, sizeof why);
    if (!ws->stopping) {
        char wid[16], spid[16];
        snprintf(wid, sizeof wid, "%d", i);
        snprintf(spid, sizeof spid, "%d", (int)pid);
        sl_log(SL_LOG_WARN, "worker gone; restarting it", "worker", wid, "pid", spid, "why", why,
               NULL);
        if (ws->cb.on_down)
            ws->cb.on_down(ws->cb.ud, i, why);
    }
}

static void read_worker(struct sl_workers *ws, int i)
{
    struct worker *w = &ws->w[i];
    if (sl_frame_fill(&w->rd, w->fd)) {
        if (errno == EAGAIN || errno == EINTR)
            return;
        worker_gone(ws, i);
        return;
    }
    for (;;) {
        json_t *msg;
        if (sl_frame_next(&w->rd, &msg)) {
            sl_log(SL_LOG_ERROR, "malformed frame from a worker; restarting it", NULL);
            kill(w->pid, SIGKILL);
            worker_gone(ws, i);
            return;
        }
        if (!msg)
            return;
        const char *t = json_string_value(json_object_get(msg, "t"));
        if (t && !strcmp(t, "hello")) {
            pthread_mutex_lock(&ws->lock);
            w->state = W_UP;
            pthread_mutex_unlock(&ws->lock);
            if (ws->cb.on_up)
                ws->cb.on_up(ws->cb.ud, i);
        } else if (ws->cb.on_frame) {
            ws->cb.on_frame(ws->cb.ud, i, msg);
        }
        json_decref(msg);
    }
}

static void *io_main(void *arg)
{
    struct sl_workers *ws = arg;
    struct epoll_event evs[32];
    while (!ws->stopping) {
        int n = epoll_wait(ws->epfd, evs, 32, 100);
        for (int k = 0; k < n; k++) {
            uint32_t i = evs[k].data.u32;
            if (i == UINT32_MAX)
                continue; /* the wake pipe */
            if (ws->w[i].fd >= 0)
                read_worker(ws, (int)i);
        }
        int64_t now = sl_clock_wall_ms();
        for (int i = 0; i < ws->n && !ws->stopping; i++) {
            if (ws->w[i].state == W_DOWN && now >= ws->w[i].restart_at_ms && spawn(ws, i))
                ws->w[i].restart_at_ms = now + 1000;
        }
    }
    return NULL;
}

struct sl_workers *sl_workers_start(int n, int threads, const char *exe,
                                    const struct sl_workers_cb *cb, struct sl_error *err)
{
    struct sl_workers *ws = sl_calloc(1, sizeof *ws);
    ws->n = n < 1 ? 1 : n;
    ws->threads = threads < 1 ? 1 : threads;
    /* the binary's real path, so that workers show as "sluice" in ps */
    char self[4096];
    ssize_t len = exe ? -1 : readlink("/proc/self/exe", self, sizeof self - 1);
    if (len > 0)
        self[len] = '\0';
    ws->exe = sl_strdup(exe ? exe : len > 0 ? self : "/proc/self/exe");
    ws->cb = *cb;
    ws->w = sl_calloc((size_t)ws->n, sizeof *ws->w);
    pthread_mutex_init(&ws->lock, NULL);
    ws->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (ws->epfd < 0 || pipe2(ws->wake, O_CLOEXEC)) {
        sl_error_set(err, "cannot set up the worker supervisor: %s", strerror(errno));
        return NULL;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(ws->epfd, EPOLL_CTL_ADD, ws->wake[0], &ev);
    for (int i = 0; i < ws->n; i++) {
        ws->w[i].fd = -1;
        pthread_mutex_init(&ws->w[i].wlock, NULL);
        if (spawn(ws, i)) {
            sl_error_set(err, "cannot start worker %d: %s", i, strerror(errno));
            ws->w[i].restart_at_ms = sl_clock_wall_ms() + 1000;
            if (i == 0)
                return NULL;
        }
    }
    if (pthread_create(&ws->io, NULL, io_main, ws)) {
        sl_error_set(err, "cannot start the supervisor thread: %s", strerror(errno));
        return NULL;
    }
    return ws;
}

void sl_workers_stop(struct sl_workers *ws)
{
    if (!ws)
        return;
    ws->stopping = 1;
    if (write(ws->wake[1], "x", 1) < 0) { /* the thread wakes within 100 ms anyway */
    }
    pthread_join(ws->io, NULL);
    for (int i = 0; i < ws->n; i++) {
        if (ws->w[i].fd >= 0)
            shutdown(ws->w[i].fd, SHUT_RDWR);
    }
    for (int i = 0; i < ws->n; i++) {
        if (!ws->w[i].pid)
            continue;
        int status;
        int k;
        for (k = 0; k < 200 && waitpid(ws->w[i].pid, &status, WNOHANG) == 0; k++) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (k == 200) {
            kill(ws->w[i].pid, SIGKILL);
            waitpid(ws->w[i].pid, &status, 0);
        }
        close(ws->w[i].fd);
        sl_frame_reader_release(&ws->w[i].rd);
        pthread_mutex_destroy(&ws->w[i].wlock);
    }
    close(ws->epfd);
    close(ws->wake[0]);
    close(ws->wake[1]);
    pthread_mutex_destroy(&ws->lock);
    free(ws->w);
    free(ws->exe);
    free(ws);
}

int sl_workers_send(struct sl_workers *ws, int i, const json_t *msg)
{
    if (i < 0 || i >= ws->n)
        return SL_ERR_IO;
    struct worker *w = &ws->w[i];
    pthread_mutex_lock(&w->wlock);
    int rc = w->fd >= 0 ? sl_frame_write(w->fd, msg) : SL_ERR_IO;
    pthread_mutex_unlock(&w->wlock);
    return rc;
}

int sl_workers_n(const struct sl_workers *ws)
{
    return ws->n;
}

int sl_workers_is_up(struct sl_workers *ws, int i)
{
    pthread_mutex_lock(&ws->lock);
    int up = ws->w[i].state == W_UP;
    pthread_mutex_unlock(&ws->lock);
    return up;
}

int sl_workers_pid(struct sl_workers *ws, int i)
{
    pthread_mutex_lock(&ws->lock);
    int pid = ws->w[i].pid;
    pthread_mutex_unlock(&ws->lock);
    return pid;
}

void sl_workers_counts(struct sl_workers *ws, int *up, int *starting, int *down)
{
    *up = *starting = *down = 0;
    pthread_mutex_lock(&ws->lock);
    for (int i = 0; i < ws->n; i++)
        *(ws->w[i].state == W_UP ? up : ws->w[i].state == W_STARTING ? starting : down) += 1;
    pthread_mutex_unlock(&ws->lock);
}
