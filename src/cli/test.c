/*
 * `sluice test PATH…`: runs workflow files the way n8n's test harness does.
 *
 * pinData is the expected output, not pinned data: each node named in it
 * must run exactly once and its output 0 must equal the pinned items
 * (pairedItem and binary dropped, except for the engine fixtures that
 * compare pairedItem). The run must end in success. A file with a
 * top-level "sluiceTest": {"error": "..."} must instead fail with exactly
 * that message; "sluiceTest": {"nodeExecutionOrder": [...]} also checks the
 * order in which node runs finished. Each file runs in its own child
 * process, on a virtual clock: Wait nodes and retry pauses take no time,
 * while the workflow ($now, Date) sees the time go by; "sluiceTest":
 * {"now": …} (epoch ms or an ISO time) sets where that clock starts. `--fixtures DIR`
 * makes absolute file paths resolve inside DIR (see core/files.h).
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/child.h"
#include "cli/cli.h"
#include "core/engine.h"
#include "core/item.h"
#include "core/workflow.h"
#include "store/creds.h"
#include "nodes/jsdate.h"
#include "util/alloc.h"
#include "util/clock.h"

struct files {
    char **v;
    size_t n, cap;
};

static void files_add(struct files *f, char *p)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 64;
        f->v = sl_realloc(f->v, sizeof *f->v * f->cap);
    }
    f->v[f->n++] = p;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(const char *path, struct files *f)
{
    struct stat st;
    if (stat(path, &st))
        return files_add(f, sl_strdup(path)); /* reported as a failure */
    if (!S_ISDIR(st.st_mode))
        return files_add(f, sl_strdup(path));
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    struct files local = {0};
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = sl_asprintf("%s/%s", path, e->d_name);
        struct stat s2;
        if (!stat(p, &s2) && S_ISDIR(s2.st_mode)) {
            files_add(&local, p);
        } else {
            size_t l = strlen(e->d_name);
            if (l > 5 && !strcmp(e->d_name + l - 5, ".json"))
                files_add(&local, p);
            else
                free(p);
        }
    }
    closedir(d);
    qsort(local.v, local.n, sizeof *local.v, cmp_str);
    for (size_t i = 0; i < local.n; i++) {
        struct stat s2;
        if (!stat(local.v[i], &s2) && S_ISDIR(s2.st_mode)) {
            collect(local.v[i], f);
            free(local.v[i]);
        } else {
            files_add(f, local.v[i]);
        }
    }
    free(local.v);
}

/* Deep equality with numbers compared by value. On difference, writes the
 * path and both values to `why`. */
static bool same(const json_t *a, const json_t *b, const char *path, struct sl_buf *why)
{
    if (json_is_number(a) && json_is_number(b)) {
        if (json_number_value(a) == json_number_value(b))
            return true;
    } else if (json_typeof(a) == json_typeof(b)) {
        if (json_is_object(a)) {
            const char *k;
            json_t *v;
            json_object_foreach((json_t *)a, k, v)
            {
                char *p = sl_asprintf("%s.%s", path, k);
                json_t *w = json_object_get(b, k);
                bool ok = w ? same(v, w, p, why) : false;
                if (!w) {
                    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                    sl_buf_addf(why, "%s: expected %s, got nothing", p, s);
                    free(s);
                }
                free(p);
                if (!ok)
                    return false;
            }
            json_object_foreach((json_t *)b, k, v)
            {
                if (!json_object_get(a, k)) {
                    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                    sl_buf_addf(why, "%s.%s: expected nothing, got %s", path, k, s);
                    free(s);
                    return false;
                }
            }
            return true;
        }
        if (json_is_array(a)) {
            size_t na = json_array_size(a), nb = json_array_size(b);
            for (size_t i = 0; i < na && i < nb; i++) {
                char *p = sl_asprintf("%s[%zu]", path, i);
                bool ok = same(json_array_get(a, i), json_array_get(b, i), p, why);
                free(p);
                if (!ok)
                    return false;
            }
            if (na != nb) {
                sl_buf_addf(why, "%s: expected %zu items, got %zu", path, na, nb);
                return false;
            }
            return true;
        }
        if (json_equal((json_t *)a, (json_t *)b))
            return true;
    }
    char *sa = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
    char *sb = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
    sl_buf_addf(why, "%s: expected %.200s, got %.200s", path, sa, sb);
    free(sa);
    free(sb);
    return false;
}

static json_t *normalize(json_t *items, bool keep_paired)
{
    json_t *res = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_t *c = json_is_object(it) && json_object_get(it, "json")
                        ? json_copy(it)
                        : sl_item_new(json_incref(it));
        if (!keep_paired)
            json_object_del(c, "pairedItem");
        json_object_del(c, "binary");
        json_array_append_new(res, c);
    }
    return res;
}

/* The virtual clock's start: "sluiceTest": {"now": epoch ms or an ISO
 * time with an offset}, else the real time. */
static int64_t test_now(json_t *now)
{
    double ms;
    if (json_is_number(now))
        return (int64_t)json_number_value(now);
    if (json_is_string(now) &&
        sl_date_parse_luxon(json_string_value(now), "utc", &ms) == SL_DATE_OK)
        return (int64_t)ms;
    return sl_clock_wall_ms();
}

struct test_args {
    const char *path;
};

static int run_one(void *arg, int fd)
{
    struct test_args *a = arg;
    FILE *out = fdopen(fd, "w");
    struct sl_error err = {{0}};
    struct sl_workflow *wf = sl_workflow_load(a->path, &err);
    if (!wf) {
        fprintf(out, "FAIL %s: %s\n", a->path, err.msg);
        fclose(out);
        return 1;
    }
    json_t *expected = wf->pin_data;
    json_t *st = json_object_get(wf->doc, "sluiceTest");
    json_t *expect_err = json_object_get(st, "error");
    json_t *expect_order = json_object_get(st, "nodeExecutionOrder");
    if (!expected && !expect_err && !expect_order) {
        fprintf(out, "FAIL %s: no pinData with expected output\n", a->path);
        fclose(out);
        sl_workflow_free(wf);
        return 1;
    }
    const char **keep = NULL;
    size_t n_keep = 0;
    const char *k;
    json_t *v;
    json_object_foreach(expected, k, v)
    {
        keep = sl_realloc(keep, sizeof *keep * (n_keep + 1));
        keep[n_keep++] = k;
    }
    json_t *trig = wf->trigger;
    json_t *start = NULL;
    json_t *tin = json_object_get(trig, "input");
    if (tin) {
        json_t *arr = json_array();
        json_array_append(arr, tin);
        char e[128];
        start = sl_items_from_user(arr, e, sizeof e);
        json_decref(arr);
    }
    /* waits and retry pauses pass on a virtual clock: no test sleeps */
    struct sl_clock clock;
    sl_clock_init_virtual(&clock, test_now(json_object_get(st, "now")));
    json_t *tmode = json_object_get(trig, "mode");
    struct sl_exec_opts opts = {
        .mode = json_is_string(tmode) ? json_string_value(tmode) : "manual",
        .start_items = start,
        .keep = keep,
        .n_keep = n_keep,
        .clock = &clock,
        .credential_cb = sl_creds_resolve,
        .cred_ud = sl_creds_new(NULL),
    };
    struct sl_exec *ex = sl_exec_new(wf, &opts);
    sl_cli_apply_limits(ex);
    int rc = sl_exec_run_to_end(ex);
    bool keep_paired =
        strstr(a->path, "core-WorkflowExecute/") && !strstr(a->path, "error_outputs");
    struct sl_buf why = {0};
    bool ok = true;
    if (expect_err) {
        const char *msg = sl_exec_error_message(ex);
        if (!rc) {
            sl_buf_addf(&why, "expected the run to fail with '%s', but it succeeded",
                        json_string_value(expect_err));
            ok = false;
        } else if (!msg || strcmp(msg, json_string_value(expect_err))) {
            sl_buf_addf(&why, "expected error '%s', got '%s'", json_string_value(expect_err),
                        msg ? msg : "");
            ok = false;
        }
    } else {
        json_object_foreach(expected, k, v)
        {
            json_t *runs = sl_exec_node_output0(ex, k);
            if (!runs) {
                sl_buf_addf(&why, "node '%s' did not run", k);
                ok = false;
                break;
            }
            if (json_array_size(runs) != 1) {
                sl_buf_addf(&why, "node '%s' ran %zu times, expected once", k,
                            json_array_size(runs));
                json_decref(runs);
                ok = false;
                break;
            }
            json_t *got = json_array_get(runs, 0);
            json_t *ng = normalize(json_is_null(got) ? NULL : got, keep_paired);
            json_t *ne = normalize(v, true);
            char *p = sl_asprintf("node '%s' output", k);
            ok = same(ne, ng, p, &why);
            free(p);
            json_decref(ng);
            json_decref(ne);
            json_decref(runs);
            if (!ok)
                break;
        }
        if (ok && rc) {
            const char *node = sl_exec_error_node(ex);
            sl_buf_addf(&why, "the run failed: %s%s%s%s", node ? "node '" : "", node ? node : "",
                        node ? "': " : "", sl_exec_error_message(ex));
            ok = false;
        }
    }
    if (ok && expect_order) {
        json_t *got = sl_exec_finish_order(ex);
        ok = same(expect_order, got, "node execution order", &why);
        json_decref(got);
    }
    if (ok)
        fprintf(out, "PASS %s\n", a->path);
    else
        fprintf(out, "FAIL %s: %s\n", a->path, why.data);
    fclose(out);
    sl_buf_release(&why);
    free(keep);
    json_decref(start);
    sl_exec_free(ex);
    sl_creds_free(opts.cred_ud);
    sl_workflow_free(wf);
    return ok ? 0 : 1;
}

int sl_cli_test(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "sluice test: give one or more workflow files or folders\n");
        return 2;
    }
    struct files f = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--fixtures") && i + 1 < argc) {
            /* absolute paths the workflows read resolve inside DIR (core/files.h) */
            char *dir = realpath(argv[++i], NULL);
            if (!dir) {
                fprintf(stderr, "sluice test: fixtures folder '%s' not found\n", argv[i]);
                return 2;
            }
            setenv("SLUICE_FIXTURES_DIR", dir, 1);
            free(dir);
            continue;
        }
        collect(argv[i], &f);
    }
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < f.n; i++) {
        struct test_args a = {f.v[i]};
        struct sl_buf out = {0};
        int rc = sl_cli_in_child(run_one, &a, NULL, &out);
        if (out.len)
            fputs(out.data, stdout);
        else
            printf("FAIL %s: the test process died\n", f.v[i]);
        fflush(stdout);
        if (rc == 0 && out.len)
            passed++;
        else
            failed++;
        sl_buf_release(&out);
        free(f.v[i]);
    }
    free(f.v);
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}
