/*
 * The store's workflow commands: `sluice import`, `export`, `workflows
 * list`, `activate` and `deactivate`. They open the store in
 * $SLUICE_DATA_DIR with a connection of their own, so they work while
 * `sluice serve` runs (the server notices the change through the store's
 * data version). Errors are one line on stderr and exit status 2.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/jsvalue.h"
#include "core/workflow.h"
#include "nodes/node.h"
#include "store/store.h"
#include "util/alloc.h"

struct sl_store *sl_cli_store_open(void)
{
    struct sl_error err = {{0}};
    struct sl_store *st = sl_store_open(NULL, &err);
    if (!st)
        fprintf(stderr, "sluice: %s\n", err.msg);
    return st;
}

bool sl_cli_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *value = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        *value = NULL; /* the caller reports the missing value */
        return true;
    }
    *value = argv[++*i];
    return true;
}

void sl_cli_print_json(const json_t *j, bool pretty)
{
    /* as n8n's JSON.stringify writes it: 2.2, not 2.2000000000000002 */
    struct sl_buf b = {0};
    sl_jsv_stringify_to(&b, j, pretty ? 2 : 0, 0);
    sl_buf_addc(&b, '\n');
    fwrite(b.data, 1, b.len, stdout);
    sl_buf_release(&b);
}

void sl_cli_print_rows(const json_t *rows, const char *const *keys, size_t n)
{
    json_t *out = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        json_t *o = json_object();
        for (size_t k = 0; k < n; k++)
            json_object_set(o, keys[k], json_object_get(r, keys[k]));
        json_array_append_new(out, o);
    }
    sl_cli_print_json(out, false);
    json_decref(out);
}

/* n8n's rule for activation: some enabled node can start the workflow by
 * itself (a trigger, poller or webhook node), not only by hand. */
static bool activatable(const struct sl_workflow *wf)
{
    static const char *const by_hand[] = {"n8n-nodes-base.manualTrigger", "n8n-nodes-base.start",
                                          "@n8n/n8n-nodes-langchain.manualChatTrigger"};
    for (size_t i = 0; i < wf->n_nodes; i++) {
        const struct sl_node *n = &wf->nodes[i];
        if (n->disabled || !n->kind || !(n->kind->flags & (SL_NODE_TRIGGER | SL_NODE_WEBHOOK)))
            continue;
        bool manual = false;
        for (size_t k = 0; k < sizeof by_hand / sizeof *by_hand; k++)
            manual = manual || strcmp(n->type, by_hand[k]) == 0;
        if (!manual)
            return true;
    }
    return false;
}

/* Whether `doc` can be activated: it loads as `sluice run` loads it (so
 * an unknown node type gets the same message) and has a node that starts
 * it. On failure writes the one-line reason, led by `what` (NULL: none),
 * to `err`. */
static bool check_activation(const json_t *doc, const char *what, struct sl_error *err)
{
    struct sl_error e = {{0}};
    struct sl_workflow *wf = sl_workflow_from_json(json_deep_copy(doc), &e);
    if (!wf) {
        sl_error_set(err, "%s%s%s", what ? what : "", what ? ": " : "", e.msg);
        return false;
    }
    bool ok = activatable(wf);
    sl_workflow_free(wf);
    if (!ok)
        sl_error_set(err,
                     "%s has no node to start the workflow - at least one trigger, poller or "
                     "webhook node is required",
                     what ? what : "the workflow");
    return ok;
}

/* ------------------------------------------------------------- import */

/* The workflows of an n8n export: one object, an array of them, or the
 * API's {"data": [...]} (a new reference to an array), or NULL with the
 * reason. */
static json_t *workflows_of(json_t *top, struct sl_error *err)
{
    json_t *arr = NULL;
    if (json_is_array(top))
        arr = json_incref(top);
    else if (json_is_object(top) && json_is_array(json_object_get(top, "data")) &&
             !json_object_get(top, "nodes"))
        arr = json_incref(json_object_get(top, "data"));
    else if (json_is_object(top))
        arr = json_pack("[O]", top);
    else {
        sl_error_set(err, "not a workflow (the file holds neither an object nor an array)");
        return NULL;
    }
    if (json_array_size(arr) == 0) {
        sl_error_set(err, "no workflows in it");
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* Imports every workflow of one file in one transaction: all or none.
 * Prints the ids once committed. */
static int import_file(struct sl_store *st, const char *path, bool activate)
{
    json_error_t je;
    json_t *top = strcmp(path, "-") ? json_load_file(path, JSON_DECODE_ANY, &je)
                                    : json_loadf(stdin, JSON_DECODE_ANY, &je);
    if (!top) {
        if (je.line <= 0)
            fprintf(stderr, "sluice import: %s: %s\n", path, je.text);
        else
            fprintf(stderr, "sluice import: %s: invalid JSON at line %d, column %d: %s\n", path,
                    je.line, je.column, je.text);
        return 2;
    }
    struct sl_error err = {{0}};
    json_t *arr = workflows_of(top, &err);
    json_decref(top);
    if (!arr) {
        fprintf(stderr, "sluice import: %s: %s\n", path, err.msg);
        return 2;
    }
    size_t n = json_array_size(arr);
    char **ids = calloc(n, sizeof *ids);
    int rc = sl_store_begin(st);
    if (rc != 0)
        fprintf(stderr, "sluice import: %s: %s\n", path, sl_store_errmsg(st));
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *doc = json_array_get(arr, i);
        char what[64];
        if (n > 1)
            snprintf(what, sizeof what, "workflow %zu", i + 1);
        else
            snprintf(what, sizeof what, "the workflow");
        if (!json_is_object(doc)) {
            fprintf(stderr, "sluice import: %s: %s is not a JSON object\n", path, what);
            rc = SL_ERR_INVALID;
            break;
        }
        if (activate && !check_activation(doc, n > 1 ? what : NULL, &err)) {
            fprintf(stderr, "sluice import: %s: %s\n", path, err.msg);
            rc = SL_ERR_INVALID;
            break;
        }
        /* n8n deactivates what it imports; --activate is sluice's way to
         * import and activate in one step */
        json_t *copy = json_copy(doc);
        json_object_set_new(copy, "active", json_boolean(activate));
        rc = sl_store_workflow_save(st, copy, &ids[i]);
        json_decref(copy);
        if (rc != 0)
            fprintf(stderr, "sluice import: %s: %s: %s\n", path, what, sl_store_errmsg(st));
    }
    if (rc == 0) {
        rc = sl_store_commit(st);
        if (rc != 0)
            fprintf(stderr, "sluice import: %s: %s\n", path, sl_store_errmsg(st));
    }
    if (rc != 0)
        sl_store_rollback(st);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            printf("%s\n", ids[i]);
        free(ids[i]);
    }
    free(ids);
    json_decref(arr);
    return rc == 0 ? 0 : 2;
}

int sl_cli_import(int argc, char **argv)
{
    bool activate = false;
    int files = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--activate"))
            activate = true;
        else if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
            fprintf(stderr, "sluice import: unknown option '%s' (see 'sluice help import')\n",
                    argv[i]);
            return 2;
        } else
            files++;
    }
    if (!files) {
        fprintf(stderr, "sluice import: no file given (see 'sluice help import')\n");
        return 2;
    }
    struct sl_store *st = sl_cli_store_open();
    if (!st)
        return 2;
    int rc = 0;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--activate") && import_file(st, argv[i], activate) != 0)
            rc = 2;
    sl_store_close(st);
    return rc;
}

/* ------------------------------------------------------------- export */

int sl_cli_export(int argc, char **argv)
{
    const char *id = NULL;
    bool all = false, pretty = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (sl_cli_opt(argc, argv, &i, "--id", &v)) {
            if (!v || !*v) {
                fprintf(stderr, "sluice export: --id needs a workflow id\n");
                return 2;
            }
            id = v;
        } else if (!strcmp(argv[i], "--all"))
            all = true;
        else if (!strcmp(argv[i], "--pretty"))
            pretty = true;
        else {
            fprintf(stderr, "sluice export: unknown argument '%s' (see 'sluice help export')\n",
                    argv[i]);
            return 2;
        }
    }
    if (!id == !all) {
        fprintf(stderr, "sluice export: give either --id ID or --all (see 'sluice help export')\n");
        return 2;
    }
    struct sl_store *st = sl_cli_store_open();
    if (!st)
        return 2;
    json_t *out = NULL;
    int rc =
        id ? sl_store_workflow_get(st, id, &out) : sl_store_workflow_list(st, false, NULL, 0, &out);
    if (rc == 0)
        sl_cli_print_json(out, pretty);
    else
        fprintf(stderr, "sluice export: %s\n", sl_store_errmsg(st));
    json_decref(out);
    sl_store_close(st);
    return rc == 0 ? 0 : 2;
}

/* ---------------------------------------------------- workflows list */

int sl_cli_workflows(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "list")) {
        fprintf(stderr, "sluice workflows: %s (see 'sluice help workflows')\n",
                argc < 2 ? "no subcommand given, try 'list'" : "unknown subcommand");
        return 2;
    }
    bool as_json = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            as_json = true;
        else {
            fprintf(stderr,
                    "sluice workflows list: unknown argument '%s' (see 'sluice help workflows')\n",
                    argv[i]);
            return 2;
        }
    }
    struct sl_store *st = sl_cli_store_open();
    if (!st)
        return 2;
    json_t *docs = NULL;
    int rc = sl_store_workflow_list(st, false, NULL, 0, &docs);
    if (rc != 0) {
        fprintf(stderr, "sluice workflows list: %s\n", sl_store_errmsg(st));
        sl_store_close(st);
        return 2;
    }
    size_t i;
    json_t *doc;
    if (as_json) {
        static const char *const keep[] = {"id",        "name",      "active",
                                           "createdAt", "updatedAt", "versionCounter"};
        sl_cli_print_rows(docs, keep, sizeof keep / sizeof *keep);
    } else {
        printf("%-20s %-6s %s\n", "ID", "ACTIVE", "NAME");
        json_array_foreach(docs, i, doc)
        {
            printf("%-20s %-6s %s\n", json_string_value(json_object_get(doc, "id")),
                   json_is_true(json_object_get(doc, "active")) ? "yes" : "no",
                   json_string_value(json_object_get(doc, "name")));
        }
    }
    json_decref(docs);
    sl_store_close(st);
    return 0;
}

/* ---------------------------------------------- activate, deactivate */

int sl_cli_activate(int argc, char **argv)
{
    bool on = strcmp(argv[0], "deactivate") != 0;
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "sluice %s: give one workflow id (see 'sluice help %s')\n", argv[0],
                argv[0]);
        return 2;
    }
    const char *id = argv[1];
    struct sl_store *st = sl_cli_store_open();
    if (!st)
        return 2;
    json_t *doc = NULL;
    int rc = sl_store_workflow_get(st, id, &doc);
    if (rc != 0) {
        fprintf(stderr, "sluice %s: %s\n", argv[0], sl_store_errmsg(st));
        sl_store_close(st);
        return 2;
    }
    struct sl_error err = {{0}};
    char what[128];
    snprintf(what, sizeof what, "workflow '%s'", id);
    if (on && !check_activation(doc, what, &err)) {
        fprintf(stderr, "sluice: %s\n", err.msg);
        rc = SL_ERR_INVALID;
    } else {
        rc = sl_store_workflow_set_active(st, id, on);
        if (rc != 0)
            fprintf(stderr, "sluice %s: %s\n", argv[0], sl_store_errmsg(st));
        else
            printf("workflow %s (%s) %s\n", id, json_string_value(json_object_get(doc, "name")),
                   on ? "activated" : "deactivated");
    }
    json_decref(doc);
    sl_store_close(st);
    return rc == 0 ? 0 : 2;
}
