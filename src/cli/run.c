/*
 * `sluice run WORKFLOW.json [--input FILE|-] [--json]`: one manual run.
 *
 * The workflow is loaded and checked here, then executed in a child
 * process (JavaScriptCore aborts its process when memory runs out, and a
 * node may crash); the child sends its result through a pipe and this
 * process reports a killed or crashed child as a failed execution.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/child.h"
#include "core/engine.h"
#include "core/jsvalue.h"
#include "core/item.h"
#include "core/workflow.h"
#include "store/creds.h"
#include "util/alloc.h"
#include "util/clock.h"

struct progress {
    uint64_t last_us;
    uint64_t start_us;
};

static void show_progress(void *ud, const struct sl_exec *ex, const struct sl_node *node)
{
    struct progress *p = ud;
    uint64_t now = sl_clock_mono_us();
    /* only long runs show progress, refreshed five times a second */
    if (now - p->start_us < 1000000 || now - p->last_us < 200000)
        return;
    p->last_us = now;
    double secs = (double)(now - p->start_us) / 1e6;
    fprintf(stderr, "\r\033[Ksluice: %llu nodes done, %.0f items/s, at '%s'",
            (unsigned long long)sl_exec_nodes_done(ex),
            secs > 0 ? (double)sl_exec_items_done(ex) / secs : 0.0, node->name);
}

/* Writes `v` as JavaScript's JSON.stringify would (numbers in their
 * shortest form), one array element at a time so a large result is never
 * held twice. */
static void write_json(FILE *out, const json_t *v, int indent)
{
    struct sl_buf b = {0};
    if (!json_is_array(v)) {
        sl_jsv_stringify_to(&b, v, indent, 0);
        fwrite(b.data, 1, b.len, out);
    } else {
        fputc('[', out);
        for (size_t i = 0; i < json_array_size(v); i++) {
            b.len = 0;
            if (i)
                sl_buf_addc(&b, ',');
            if (indent)
                sl_buf_adds(&b, "\n  ");
            sl_jsv_stringify_to(&b, json_array_get(v, i), indent, 1);
            fwrite(b.data, 1, b.len, out);
        }
        fputs(indent && json_array_size(v) ? "\n]" : "]", out);
    }
    fputc('\n', out);
    sl_buf_release(&b);
}

struct run_args {
    struct sl_workflow *wf;
    json_t *input;
    bool full;
    bool progress;
};

/* Child side: runs the execution and writes the result JSON to `fd`.
 * Returns the exit status: 0 success, 1 failed execution. */
static int run_child(void *arg, int fd)
{
    struct run_args *a = arg;
    struct progress prog = {0, sl_clock_mono_us()};
    struct sl_exec_opts opts = {
        .mode = "manual",
        .start_items = a->input,
        .keep_all = a->full,
        .pin_data = true,
        .on_node = a->progress ? show_progress : NULL,
        .ud = &prog,
        /* freed with the child at its exit */
        .credential_cb = sl_creds_resolve,
        .cred_ud = sl_creds_new(NULL),
    };
    struct sl_exec *ex = sl_exec_new(a->wf, &opts);
    sl_cli_apply_limits(ex);
    /* a Wait node parks the execution: sleep until its time, then resume */
    int rc = sl_exec_run(ex);
    while (rc == SL_EXEC_PARKED) {
        int64_t till = sl_exec_wait_till(ex);
        if (a->progress) {
            int64_t secs = (till - sl_clock_wall_ms() + 999) / 1000;
            fprintf(stderr, "\r\033[Ksluice: '%s' waits %lld s", sl_exec_last_node(ex),
                    (long long)(secs > 0 ? secs : 0));
            prog.last_us = 1;
        }
        sl_clock_sleep_until(NULL, till);
        rc = sl_exec_resume(ex);
    }
    if (a->progress && prog.last_us)
        fputs("\r\033[K", stderr);
    /* a failed run prints only its error, unless the whole run was asked for */
    FILE *out = fdopen(fd, "w");
    if (a->full || rc == 0) {
        json_t *res = a->full ? sl_exec_result_json(ex) : sl_exec_result_items(ex);
        write_json(out, res, isatty(STDOUT_FILENO) ? 2 : 0);
        json_decref(res);
    }
    fclose(out);
    if (rc) {
        const char *node = sl_exec_error_node(ex);
        if (node)
            fprintf(stderr, "sluice: node '%s': %s\n", node, sl_exec_error_message(ex));
        else
            fprintf(stderr, "sluice: %s\n", sl_exec_error_message(ex));
    }
    /* The child exits right after this: tearing down millions of items
     * would only delay the exit (the engine's own tests cover freeing). */
    return rc ? 1 : 0;
}

int sl_cli_run(int argc, char **argv)
{
    const char *path = NULL, *input = NULL;
    bool full = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            full = true;
        else if (!strcmp(argv[i], "--input") && i + 1 < argc)
            input = argv[++i];
        else if (!strncmp(argv[i], "--input=", 8))
            input = argv[i] + 8;
        else if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
            fprintf(stderr, "sluice run: unknown option '%s' (see 'sluice help run')\n", argv[i]);
            return 2;
        } else if (!path)
            path = argv[i];
        else {
            fprintf(stderr, "sluice run: more than one workflow given (see 'sluice help run')\n");
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "sluice run: no workflow file given (see 'sluice help run')\n");
        return 2;
    }
    struct sl_error err = {{0}};
    struct sl_workflow *wf = sl_workflow_load(path, &err);
    if (!wf) {
        fprintf(stderr, "sluice: %s\n", err.msg);
        return 2;
    }
    if (!sl_workflow_start_node(wf)) {
        fprintf(stderr,
                "sluice: %s: no node to start the workflow from: it needs an enabled "
                "trigger node (for example a Manual Trigger)\n",
                path);
        sl_workflow_free(wf);
        return 2;
    }
    json_t *items = NULL;
    if (input) {
        json_error_t je;
        json_t *doc =
            strcmp(input, "-") ? json_load_file(input, 0, &je) : json_loadf(stdin, 0, &je);
        if (!doc) {
            fprintf(stderr, "sluice: --input %s: invalid JSON at line %d, column %d: %s\n", input,
                    je.line, je.column, je.text);
            sl_workflow_free(wf);
            return 2;
        }
        char e[256];
        items = sl_items_from_user(doc, e, sizeof e);
        json_decref(doc);
        if (!items) {
            fprintf(stderr, "sluice: --input %s: %s\n", input, e);
            sl_workflow_free(wf);
            return 2;
        }
    }
    struct run_args a = {wf, items, full, isatty(STDERR_FILENO) != 0};
    int rc = sl_cli_in_child(run_child, &a, stdout, NULL);
    json_decref(items);
    sl_workflow_free(wf);
    return rc;
}
