/*
 * `sluice apikey create [--label L]`: makes a key for the REST API. The
 * store keeps only its SHA-256, so the key is printed this once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

int sl_cli_apikey(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "create")) {
        fprintf(stderr, "sluice apikey: %s (see 'sluice help apikey')\n",
                argc < 2 ? "no subcommand given, try 'create'" : "unknown subcommand");
        return 2;
    }
    const char *label = "";
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        if (sl_cli_opt(argc, argv, &i, "--label", &v)) {
            if (!v) {
                fprintf(stderr, "sluice apikey create: --label needs a value\n");
                return 2;
            }
            label = v;
        } else {
            fprintf(stderr,
                    "sluice apikey create: unknown argument '%s' (see 'sluice help apikey')\n",
                    argv[i]);
            return 2;
        }
    }
    struct sl_store *st = sl_cli_store_open();
    if (!st)
        return 2;
    char *key = NULL;
    int rc = sl_store_apikey_create(st, label, &key);
    if (rc == 0) {
        printf("%s\n", key);
        fprintf(stderr,
                "sluice: API key created%s%s%s; it is shown only this once (the store keeps its "
                "hash): send it in the X-API-KEY header\n",
                *label ? " ('" : "", label, *label ? "')" : "");
    } else {
        fprintf(stderr, "sluice apikey create: %s\n", sl_store_errmsg(st));
    }
    free(key);
    sl_store_close(st);
    return rc == 0 ? 0 : 2;
}
