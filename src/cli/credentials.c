/*
 * `sluice credentials create|list|delete`: the secrets nodes use (webhook
 * authentication today). The data is sealed by the store (store.h) and
 * never printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

static int create(int argc, char **argv)
{
    const char *type = NULL, *name = NULL, *data = NULL, *id = NULL;
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        const char **dst = sl_cli_opt(argc, argv, &i, "--type", &v)   ? &type
                           : sl_cli_opt(argc, argv, &i, "--name", &v) ? &name
                           : sl_cli_opt(argc, argv, &i, "--data", &v) ? &data
                           : sl_cli_opt(argc, argv, &i, "--id", &v)   ? &id
                                                                      : NULL;
        if (!dst) {
            fprintf(stderr, "sluice credentials create: unknown argument '%s'\n", argv[i]);
            return 2;
        }
        if (!v) {
            fprintf(stderr, "sluice credentials create: %s needs a value\n", argv[i]);
            return 2;
        }
        *dst = v;
    }
    if (!type || !name || !data) {
        fprintf(stderr, "sluice credentials create: --type, --name and --data are required "
                        "(see 'sluice help credentials')\n");
        return 2;
    }
    json_error_t je;
    json_t *doc = data[0] == '@' ? json_load_file(data + 1, 0, &je) : json_loads(data, 0, &je);
    if (!json_is_object(doc)) {
        fprintf(stderr, "sluice credentials create: --data: %s\n",
                doc ? "must be a JSON object" : je.text);
        json_decref(doc);
        return 2;
    }
    struct sl_store *st = sl_cli_store_open();
    if (!st) {
        json_decref(doc);
        return 2;
    }
    char *new_id = NULL;
    int rc = sl_store_credential_create(st, id, name, type, doc, &new_id);
    json_decref(doc);
    if (rc)
        fprintf(stderr, "sluice credentials create: %s\n", sl_store_errmsg(st));
    else
        printf("%s\n", new_id);
    free(new_id);
    sl_store_close(st);
    return rc ? 2 : 0;
}

int sl_cli_credentials(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    if (!strcmp(sub, "create"))
        return create(argc, argv);
    if (strcmp(sub, "list") && strcmp(sub, "delete")) {
        fprintf(stderr, "sluice credentials: %s (see 'sluice help credentials')\n",
                *sub ? "unknown subcommand" : "no subcommand given");
        return 2;
    }
    if (!strcmp(sub, "delete") && argc != 3) {
        fprintf(stderr, "sluice credentials delete: give one credential id\n");
        return 2;
    }
    bool as_json = !strcmp(sub, "list") && argc > 2 && !strcmp(argv[2], "--json");
    struct sl_store *st = sl_cli_store_open();
    if (!st)
        return 2;
    int rc;
    if (!strcmp(sub, "delete")) {
        rc = sl_store_credential_delete(st, argv[2]);
    } else {
        json_t *rows = NULL;
        rc = sl_store_credential_list(st, &rows);
        size_t i;
        json_t *r;
        if (!rc && as_json)
            sl_cli_print_json(rows, true);
        else if (!rc)
            json_array_foreach(rows, i, r)
                printf("%-18s %-16s %s\n", json_string_value(json_object_get(r, "id")),
                       json_string_value(json_object_get(r, "type")),
                       json_string_value(json_object_get(r, "name")));
        json_decref(rows);
    }
    if (rc)
        fprintf(stderr, "sluice credentials %s: %s\n", sub, sl_store_errmsg(st));
    sl_store_close(st);
    return rc ? 2 : 0;
}
