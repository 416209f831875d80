/*
 * `sluice executions list | show | retry`: read the executions the server
 * stored, and queue a retry of a failed one (status new: a running
 * `sluice serve` picks it up, else the next one to start). Each opens its
 * own store connection; errors are one line and exit status 2.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

/* A whole non-negative decimal number, or -1. */
static int64_t parse_count(const char *s)
{
    if (!s || !*s)
        return -1;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    return errno ? -1 : (int64_t)v;
}

static const char *str_or(const json_t *o, const char *k, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : dflt;
}

static int list(int argc, char **argv)
{
    struct sl_store_exec_filter f = {.limit = 20};
    bool as_json = false;
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        if (!strcmp(argv[i], "--json")) {
            as_json = true;
        } else if (sl_cli_opt(argc, argv, &i, "--workflow", &v)) {
            if (!v || !*v) {
                fprintf(stderr, "sluice executions list: --workflow needs a workflow id\n");
                return 2;
            }
            f.workflow_id = v;
        } else if (sl_cli_opt(argc, argv, &i, "--status", &v)) {
            if (!v || !*v) {
                fprintf(stderr, "sluice executions list: --status needs a status\n");
                return 2;
            }
            f.status = v;
        } else if (sl_cli_opt(argc, argv, &i, "--limit", &v)) {
            f.limit = parse_count(v);
            if (f.limit < 0) {
                fprintf(stderr, "sluice executions list: --limit '%s' is not a whole number >= 0\n",
                        v ? v : "");
                return 2;
            }
        } else {
            fprintf(stderr,
                    "sluice executions list: unknown argument '%s' (see 'sluice help "
                    "executions')\n",
                    argv[i]);
            return 2;
        }
    }
    struct sl_store *st = sl_cli_store_open();
    if (!st)
        return 2;
    json_t *rows = NULL;
    int rc = sl_store_exec_list(st, &f, &rows);
    if (rc != 0) {
        fprintf(stderr, "sluice executions list: %s\n", sl_store_errmsg(st));
        sl_store_close(st);
        return 2;
    }
    size_t i;
    json_t *r;
    if (as_json) {
        static const char *const keep[] = {"id",   "workflowId", "status",
                                           "mode", "startedAt",  "stoppedAt"};
        sl_cli_print_rows(rows, keep, sizeof keep / sizeof *keep);
    } else {
        printf("%-8s %-20s %-9s %-8s %-24s %s\n", "ID", "WORKFLOW", "STATUS", "MODE", "STARTED",
               "STOPPED");
        json_array_foreach(rows, i, r)
        {
            printf("%-8s %-20s %-9s %-8s %-24s %s\n", str_or(r, "id", "-"),
                   str_or(r, "workflowId", "-"), str_or(r, "status", "-"), str_or(r, "mode", "-"),
                   str_or(r, "startedAt", "-"), str_or(r, "stoppedAt", "-"));
        }
    }
    json_decref(rows);
    sl_store_close(st);
    return 0;
}

/* The execution id argument of show and retry, or 0 (reported). */
static int64_t id_arg(const char *sub, const char *s)
{
    int64_t id = parse_count(s);
    if (id <= 0) {
        fprintf(stderr, "sluice executions %s: '%s' is not an execution id (a number)\n", sub,
                s ? s : "");
        return 0;
    }
    return id;
}

static int show(int argc, char **argv)
{
    const char *ids = NULL;
    bool data = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--data"))
            data = true;
        else if (argv[i][0] != '-' && !ids)
            ids = argv[i];
        else {
            fprintf(stderr,
                    "sluice executions show: unexpected argument '%s' (see 'sluice help "
                    "executions')\n",
                    argv[i]);
            return 2;
        }
    }
    if (!ids) {
        fprintf(stderr, "sluice executions show: no execution id given\n");
        return 2;
    }
    int64_t id = id_arg("show", ids);
    if (!id)
        return 2;
    struct sl_store *st = sl_cli_store_open();
    if (!st)
        return 2;
    json_t *row = NULL;
    int rc = sl_store_exec_get_json(st, id, data, &row);
    if (rc == 0)
        sl_cli_print_json(row, true);
    else
        fprintf(stderr, "sluice executions show: %s\n", sl_store_errmsg(st));
    json_decref(row);
    sl_store_close(st);
    return rc == 0 ? 0 : 2;
}

static int retry(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "sluice executions retry: give one execution id (see 'sluice help "
                        "executions')\n");
        return 2;
    }
    int64_t id = id_arg("retry", argv[2]);
    if (!id)
        return 2;
    struct sl_store *st = sl_cli_store_open();
    if (!st)
        return 2;
    int64_t nid = 0;
    int rc = sl_store_exec_retry(st, id, &nid);
    if (rc == 0) {
        printf("%lld\n", (long long)nid);
        fprintf(stderr,
                "sluice: execution %lld queued as a retry of %lld; it runs when 'sluice serve' "
                "runs (a running server picks it up now)\n",
                (long long)nid, (long long)id);
    } else {
        fprintf(stderr, "sluice executions retry: %s\n", sl_store_errmsg(st));
    }
    sl_store_close(st);
    return rc == 0 ? 0 : 2;
}

int sl_cli_executions(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "list"))
        return list(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "show"))
        return show(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "retry"))
        return retry(argc, argv);
    fprintf(stderr, "sluice executions: %s '%s' (see 'sluice help executions')\n",
            argc < 2 ? "no subcommand given, try" : "unknown subcommand",
            argc < 2 ? "list" : argv[1]);
    return 2;
}
