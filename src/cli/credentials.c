/*
 * `sluice credentials create|list|delete|import`: the secrets nodes use.
 * The data is sealed by the store (store.h) and never printed, nor quoted
 * in an error: a JSON error names its line and column, not the text there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/alloc.h"

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
        if (doc)
            fprintf(stderr, "sluice credentials create: --data must be a JSON object\n");
        else
            fprintf(stderr,
                    "sluice credentials create: --data is not valid JSON (line %d, column %d)\n",
                    je.line, je.column);
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

/* How entry `i` of an import file is named in an error: its position and,
 * when it has one, its name (never anything from its data). */
static void entry_label(char *out, size_t len, size_t i, const json_t *entry)
{
    const char *name = json_string_value(json_object_get(entry, "name"));
    if (name)
        snprintf(out, len, "entry %zu ('%.60s')", i + 1, name);
    else
        snprintf(out, len, "entry %zu", i + 1);
}

/* Checks one entry of n8n's `export:credentials --decrypted` output; 0, or
 * -1 after printing a one-line error naming the entry and the field. */
static int check_entry(const char *file, size_t i, const json_t *e)
{
    char label[96];
    entry_label(label, sizeof label, i, e);
    const char *problem = NULL, *field = NULL;
    if (!json_is_object(e)) {
        problem = "is not a JSON object";
    } else {
        static const char *const strings[] = {"name", "type", NULL};
        for (const char *const *k = strings; *k && !problem; k++) {
            const json_t *v = json_object_get(e, *k);
            field = *k;
            if (!v)
                problem = "is missing";
            else if (!json_is_string(v) || !json_string_length(v))
                problem = "must be a non-empty string";
        }
        const json_t *id = json_object_get(e, "id");
        if (!problem && id && !json_is_null(id) && !(json_is_string(id) || json_is_integer(id))) {
            field = "id";
            problem = "must be a string";
        }
        const json_t *data = json_object_get(e, "data");
        if (!problem) {
            field = "data";
            if (!data)
                problem = "is missing";
            else if (json_is_string(data))
                problem = "is encrypted: export with 'n8n export:credentials --decrypted'";
            else if (!json_is_object(data))
                problem = "must be a JSON object";
        }
    }
    if (!problem)
        return 0;
    if (field && json_is_object(e))
        fprintf(stderr, "sluice credentials import: %s: %s: '%s' %s\n", file, label, field,
                problem);
    else
        fprintf(stderr, "sluice credentials import: %s: %s %s\n", file, label, problem);
    return -1;
}

/* `import FILE`: every credential of the file, or none. An id that exists
 * is replaced, as n8n's import:credentials does. */
static int import(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "sluice credentials import: give one file (n8n's export:credentials "
                        "--decrypted output)\n");
        return 2;
    }
    const char *file = argv[2];
    json_error_t je;
    json_t *doc = json_load_file(file, JSON_DECODE_ANY, &je);
    if (!doc) {
        /* je.text may quote the file's text, which holds secrets */
        if (je.line < 0)
            fprintf(stderr, "sluice credentials import: %s: cannot be read\n", file);
        else
            fprintf(stderr, "sluice credentials import: %s: not valid JSON (line %d, column %d)\n",
                    file, je.line, je.column);
        return 2;
    }
    if (json_is_object(doc)) {
        json_t *list = json_array();
        json_array_append_new(list, doc);
        doc = list;
    }
    if (!json_is_array(doc)) {
        fprintf(stderr,
                "sluice credentials import: %s: must hold a credential or an array of them\n",
                file);
        json_decref(doc);
        return 2;
    }
    size_t i;
    json_t *e;
    json_array_foreach(doc, i, e)
    {
        if (check_entry(file, i, e)) {
            json_decref(doc);
            return 2;
        }
    }
    struct sl_store *st = sl_cli_store_open();
    if (!st) {
        json_decref(doc);
        return 2;
    }
    json_t *done = json_array(); /* the lines to print once committed */
    int rc = sl_store_begin(st);
    json_array_foreach(doc, i, e)
    {
        if (rc)
            break;
        const json_t *idv = json_object_get(e, "id");
        char *id = json_is_integer(idv)  ? sl_asprintf("%lld", (long long)json_integer_value(idv))
                   : json_is_string(idv) ? sl_strdup(json_string_value(idv))
                                         : NULL;
        const char *name = json_string_value(json_object_get(e, "name"));
        const char *type = json_string_value(json_object_get(e, "type"));
        if (id && *id) {
            int drc = sl_store_credential_delete(st, id);
            rc = drc == SL_ERR_NOT_FOUND ? 0 : drc;
        }
        char *new_id = NULL;
        if (!rc)
            rc =
                sl_store_credential_create(st, id, name, type, json_object_get(e, "data"), &new_id);
        if (rc) {
            char label[96];
            entry_label(label, sizeof label, i, e);
            fprintf(stderr, "sluice credentials import: %s: %s: %s\n", file, label,
                    sl_store_errmsg(st));
        } else {
            json_array_append_new(done, json_pack("[s,s,s]", new_id, type, name));
        }
        free(new_id);
        free(id);
    }
    if (!rc)
        rc = sl_store_commit(st);
    if (rc) {
        sl_store_rollback(st);
        fprintf(stderr, "sluice credentials import: %s: nothing imported\n", file);
    } else {
        json_t *row;
        json_array_foreach(done, i, row) printf(
            "%-18s %-16s %s\n", json_string_value(json_array_get(row, 0)),
            json_string_value(json_array_get(row, 1)), json_string_value(json_array_get(row, 2)));
    }
    json_decref(done);
    json_decref(doc);
    sl_store_close(st);
    return rc ? 2 : 0;
}

int sl_cli_credentials(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    if (!strcmp(sub, "create"))
        return create(argc, argv);
    if (!strcmp(sub, "import"))
        return import(argc, argv);
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
