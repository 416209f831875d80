/*
 * Supervised child processes for executions (see child.h).
 */
#include "cli/child.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/engine.h"

static unsigned long long env_ull(const char *name, unsigned long long dflt)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || *end) {
        fprintf(stderr, "sluice: %s='%s' is not a whole number; using %llu\n", name, v, dflt);
        return dflt;
    }
    return n;
}

void sl_cli_apply_limits(struct sl_exec *ex)
{
    sl_exec_set_limits(ex, env_ull("SLUICE_CODE_TIMEOUT_MS", 60000),
                       env_ull("SLUICE_CODE_MEMORY_MB", 1024));
}

int sl_cli_in_child(int (*fn)(void *arg, int fd), void *arg, FILE *sink, struct sl_buf *out)
{
    int p[2];
    if (pipe(p)) {
        fprintf(stderr, "sluice: cannot create a pipe: %s\n", strerror(errno));
        return 1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "sluice: cannot start the execution process: %s\n", strerror(errno));
        close(p[0]);
        close(p[1]);
        return 1;
    }
    if (pid == 0) {
        close(p[0]);
        int rc = fn(arg, p[1]);
        fflush(stderr);
        _exit(rc);
    }
    close(p[1]);
    char chunk[65536];
    for (;;) {
        ssize_t n = read(p[0], chunk, sizeof chunk);
        if (n > 0 && sink)
            fwrite(chunk, 1, (size_t)n, sink);
        else if (n > 0)
            sl_buf_add(out, chunk, (size_t)n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    close(p[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1))
        return WEXITSTATUS(status);
    if (out)
        sl_buf_release(out);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        fprintf(stderr, "sluice: the execution crashed (signal %d, %s)%s\n", sig, strsignal(sig),
                sig == SIGKILL ? ": it was killed, most likely for using too much memory"
                : sig == SIGABRT
                    ? ": it aborted, most likely out of memory (see SLUICE_CODE_MEMORY_MB)"
                    : "");
    } else {
        fprintf(stderr, "sluice: the execution process exited with status %d\n",
                WEXITSTATUS(status));
    }
    return 1;
}
