/*
 * `sluice serve` and the internal `sluice worker` (the server starts its
 * workers with it; it is not meant to be typed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "server/serve.h"
#include "server/worker.h"

int sl_cli_serve(int argc, char **argv)
{
    const char *host = NULL;
    int port = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--host") && i + 1 < argc) {
            host = argv[++i];
        } else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            char *end;
            long p = strtol(argv[++i], &end, 10);
            if (*end || p < 1 || p > 65535) {
                fprintf(stderr, "sluice serve: --port '%s' is not a port number (1-65535)\n",
                        argv[i]);
                return 2;
            }
            port = (int)p;
        } else {
            fprintf(stderr, "sluice serve: unknown option '%s' (see 'sluice help serve')\n",
                    argv[i]);
            return 2;
        }
    }
    return sl_serve_main(host, port);
}

int sl_cli_worker(int argc, char **argv)
{
    int fd = -1, threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--fd"))
            fd = (int)strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--threads"))
            threads = (int)strtol(argv[i + 1], NULL, 10);
    }
    if (fd < 0) {
        fprintf(stderr, "sluice worker: started by 'sluice serve' only (no --fd)\n");
        return 2;
    }
    return sl_worker_main(fd, threads);
}
