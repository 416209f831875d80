/*
 * Unit tests for server/metrics: the rendered text is parsed back (by a
 * small parser here, and by the Prometheus Python client's text-format
 * parser) and checked for counts, cumulative histogram buckets with their
 * _sum and _count, label escaping, the cardinality caps, the gauges and
 * plausible process metrics; bumps from several threads are all counted,
 * and a bump of an existing series does not allocate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/metrics.h"
#include "util/alloc.h"

#define MAX_LABELS 6

struct sample {
    char *name;
    int nlabels;
    char *key[MAX_LABELS];
    char *val[MAX_LABELS];
    double value;
};

struct family {
    char *name;
    char *type;
    int has_help;
};

struct parsed {
    struct sample *s;
    size_t n;
    struct family *f;
    size_t nf;
    char *text;
};

static const struct family *family_of(const struct parsed *p, const char *sample_name)
{
    for (size_t i = 0; i < p->nf; i++) {
        size_t l = strlen(p->f[i].name);
        if (strncmp(sample_name, p->f[i].name, l) != 0)
            continue;
        const char *rest = sample_name + l;
        if (*rest == '\0')
            return &p->f[i];
        if (strcmp(p->f[i].type, "histogram") == 0 &&
            (strcmp(rest, "_bucket") == 0 || strcmp(rest, "_sum") == 0 ||
             strcmp(rest, "_count") == 0))
            return &p->f[i];
    }
    return NULL;
}

/* Parses the 0.0.4 text format strictly enough to catch what a scraper
 * would reject: every sample belongs to a family announced before it by
 * HELP and TYPE, label values are quoted with only \\, \" and \n escapes,
 * and the value is a number. */
static void parse(const char *text, struct parsed *p)
{
    memset(p, 0, sizeof *p);
    p->text = sl_strdup(text);
    size_t cap = 0, fcap = 0;
    char *save = NULL;
    assert_true(strlen(text) == 0 || text[strlen(text) - 1] == '\n');
    for (char *line = strtok_r(p->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "# HELP ", 7) == 0) {
            char *name = line + 7;
            char *sp = strchr(name, ' ');
            assert_non_null(sp);
            *sp = '\0';
            if (p->nf == fcap) {
                fcap = fcap ? fcap * 2 : 16;
                p->f = sl_realloc(p->f, fcap * sizeof *p->f);
            }
            for (size_t i = 0; i < p->nf; i++)
                assert_string_not_equal(p->f[i].name, name); /* one HELP per family */
            p->f[p->nf++] = (struct family){.name = name, .type = NULL, .has_help = 1};
            continue;
        }
        if (strncmp(line, "# TYPE ", 7) == 0) {
            char *name = line + 7;
            char *sp = strchr(name, ' ');
            assert_non_null(sp);
            *sp = '\0';
            assert_true(p->nf > 0);
            assert_string_equal(p->f[p->nf - 1].name, name); /* TYPE right after its HELP */
            assert_null(p->f[p->nf - 1].type);
            const char *type = sp + 1;
            assert_true(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
                        strcmp(type, "histogram") == 0);
            p->f[p->nf - 1].type = sp + 1;
            continue;
        }
        assert_true(line[0] != '#');
        if (p->n == cap) {
            cap = cap ? cap * 2 : 64;
            p->s = sl_realloc(p->s, cap * sizeof *p->s);
        }
        struct sample *s = &p->s[p->n++];
        memset(s, 0, sizeof *s);
        s->name = line;
        char *c = line;
        while (*c && *c != '{' && *c != ' ')
            c++;
        assert_true(c > line);
        if (*c == '{') {
            *c++ = '\0';
            while (*c != '}') {
                assert_true(s->nlabels < MAX_LABELS);
                char *k = c;
                while (*c && *c != '=')
                    c++;
                assert_int_equal(*c, '=');
                *c++ = '\0';
                assert_int_equal(*c, '"');
                c++;
                char *v = c, *w = c;
                while (*c != '"') {
                    assert_true(*c != '\0');
                    if (*c == '\\') {
                        c++;
                        assert_true(*c == '\\' || *c == '"' || *c == 'n');
                        *w++ = *c == 'n' ? '\n' : *c;
                        c++;
                    } else {
                        *w++ = *c++;
                    }
                }
                c++;
                *w = '\0';
                s->key[s->nlabels] = k;
                s->val[s->nlabels] = v;
                s->nlabels++;
                if (*c == ',')
                    c++;
                else
                    assert_int_equal(*c, '}');
            }
            c++;
        }
        assert_int_equal(*c, ' ');
        *c++ = '\0'; /* ends the name when there are no labels */
        char *end;
        s->value = strtod(c, &end);
        assert_true(end != c);
        assert_int_equal(*end, '\0');
        const struct family *f = family_of(p, s->name);
        if (!f)
            fail_msg("sample '%s' before its HELP/TYPE", s->name);
        assert_non_null(f->type);
    }
}

static void parsed_release(struct parsed *p)
{
    free(p->s);
    free(p->f);
    free(p->text);
}

static const char *label(const struct sample *s, const char *key)
{
    for (int i = 0; i < s->nlabels; i++)
        if (strcmp(s->key[i], key) == 0)
            return s->val[i];
    return NULL;
}

/* Samples named `name` whose labels include every key, value pair of the
 * NULL-terminated list; returns how many and puts the last one's value in
 * *value. */
static int find(const struct parsed *p, const char *name, double *value, ...)
{
    int n = 0;
    for (size_t i = 0; i < p->n; i++) {
        const struct sample *s = &p->s[i];
        if (strcmp(s->name, name) != 0)
            continue;
        va_list ap;
        va_start(ap, value);
        int ok = 1;
        const char *k;
        while (ok && (k = va_arg(ap, const char *))) {
            const char *v = va_arg(ap, const char *);
            const char *have = label(s, k);
            ok = have && strcmp(have, v) == 0;
        }
        va_end(ap);
        if (ok) {
            n++;
            if (value)
                *value = s->value;
        }
    }
    return n;
}

static double get(const struct parsed *p, const char *name, ...)
{
    /* one sample, labels given as key, value pairs ending in NULL */
    va_list ap;
    va_start(ap, name);
    const char *kv[2 * MAX_LABELS + 1] = {0};
    for (int i = 0; i < 2 * MAX_LABELS; i++) {
        kv[i] = va_arg(ap, const char *);
        if (!kv[i])
            break;
    }
    va_end(ap);
    double v = NAN;
    int n = find(p, name, &v, kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9],
                 kv[10], kv[11], kv[12]);
    if (n != 1)
        fail_msg("%d samples of %s (%s=%s ...), expected 1", n, name, kv[0] ? kv[0] : "",
                 kv[1] ? kv[1] : "");
    return v;
}

static void render(struct sl_metrics *m, const struct sl_metrics_gauges *g, struct parsed *p)
{
    struct sl_buf b = {0};
    sl_metrics_render(m, g, &b);
    char *text = sl_buf_steal(&b);
    parse(text, p);
    free(text);
}

static const struct family *family(const struct parsed *p, const char *name)
{
    for (size_t i = 0; i < p->nf; i++)
        if (strcmp(p->f[i].name, name) == 0)
            return &p->f[i];
    return NULL;
}

static void families_and_gauges(void **state)
{
    struct sl_metrics *m = sl_metrics_new();
    struct sl_metrics_gauges g = {.queue_depth = 7,
                                  .queue_oldest_age_s = 1.5,
                                  .workers_up = 2,
                                  .workers_starting = 1,
                                  .workers_down = 0,
                                  .active_workflows = 12,
                                  .running_executions = 3,
                                  .writer_backlog = 42};
    struct parsed p;
    render(m, &g, &p);
    static const char *const fams[][2] = {
        {"sluice_workflow_executions_total", "counter"},
        {"sluice_execution_duration_seconds", "histogram"},
        {"sluice_node_duration_seconds", "histogram"},
        {"sluice_http_requests_total", "counter"},
        {"sluice_queue_depth", "gauge"},
        {"sluice_queue_oldest_age_seconds", "gauge"},
        {"sluice_workers", "gauge"},
        {"sluice_active_workflows", "gauge"},
        {"sluice_executions_running", "gauge"},
        {"sluice_store_writer_backlog", "gauge"},
        {"process_cpu_seconds_total", "counter"},
        {"process_resident_memory_bytes", "gauge"},
        {"process_open_fds", "gauge"},
        {"process_max_fds", "gauge"},
        {"process_start_time_seconds", "gauge"},
    };
    for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) {
        const struct family *f = family(&p, fams[i][0]);
        if (!f)
            fail_msg("no family %s", fams[i][0]);
        assert_true(f->has_help);
        assert_string_equal(f->type, fams[i][1]);
    }
    /* nothing happened yet: no execution, node or request series */
    assert_int_equal(find(&p, "sluice_workflow_executions_total", NULL, NULL), 0);
    assert_int_equal(find(&p, "sluice_execution_duration_seconds_count", NULL, NULL), 0);
    assert_int_equal(find(&p, "sluice_http_requests_total", NULL, NULL), 0);

    assert_true(get(&p, "sluice_queue_depth", NULL) == 7);
    assert_true(get(&p, "sluice_queue_oldest_age_seconds", NULL) == 1.5);
    assert_true(get(&p, "sluice_workers", "state", "up", NULL) == 2);
    assert_true(get(&p, "sluice_workers", "state", "starting", NULL) == 1);
    assert_true(get(&p, "sluice_workers", "state", "down", NULL) == 0);
    assert_true(get(&p, "sluice_active_workflows", NULL) == 12);
    assert_true(get(&p, "sluice_executions_running", NULL) == 3);
    assert_true(get(&p, "sluice_store_writer_backlog", NULL) == 42);
    parsed_release(&p);

    /* without gauges: none of them, the rest still there */
    render(m, NULL, &p);
    assert_null(family(&p, "sluice_queue_depth"));
    assert_null(family(&p, "sluice_workers"));
    assert_non_null(family(&p, "sluice_workflow_executions_total"));
    assert_non_null(family(&p, "process_open_fds"));
    parsed_release(&p);
    sl_metrics_free(m);
}

static void execution_counts(void **state)
{
    struct sl_metrics *m = sl_metrics_new();
    for (int i = 0; i < 3; i++)
        sl_metrics_execution(m, "wfA", "success", "webhook", 0.02);
    sl_metrics_execution(m, "wfA", "error", "webhook", 0.02);
    sl_metrics_execution(m, "wfA", "success", "trigger", 0.02);
    sl_metrics_execution(m, "wfB", "crashed", "retry", 1);
    /* not on the lists: counted as "other" */
    sl_metrics_execution(m, "wfB", "exploded", "telepathy", 1);
    sl_metrics_execution(m, "wfB", NULL, NULL, 1);
    struct parsed p;
    render(m, NULL, &p);
    const char *n = "sluice_workflow_executions_total";
    assert_true(get(&p, n, "workflow_id", "wfA", "status", "success", "mode", "webhook", NULL) ==
                3);
    assert_true(get(&p, n, "workflow_id", "wfA", "status", "error", "mode", "webhook", NULL) == 1);
    assert_true(get(&p, n, "workflow_id", "wfA", "status", "success", "mode", "trigger", NULL) ==
                1);
    assert_true(get(&p, n, "workflow_id", "wfB", "status", "crashed", "mode", "retry", NULL) == 1);
    assert_true(get(&p, n, "workflow_id", "wfB", "status", "other", "mode", "other", NULL) == 2);
    assert_int_equal(find(&p, n, NULL, NULL), 5);
    assert_int_equal(find(&p, n, NULL, "status", "exploded", NULL), 0);
    parsed_release(&p);
    sl_metrics_free(m);
}

/* Checks one histogram series: buckets in increasing le, counts never
 * decreasing, the +Inf bucket equal to _count; returns the bucket count at
 * `le` (a bound spelled as rendered). */
static double check_hist(const struct parsed *p, const char *name, const char *lkey,
                         const char *lval, const char *le, double *sum, double *count)
{
    char bucket[128], s[128], c[128];
    snprintf(bucket, sizeof bucket, "%s_bucket", name);
    snprintf(s, sizeof s, "%s_sum", name);
    snprintf(c, sizeof c, "%s_count", name);
    double prev_le = -INFINITY, prev = 0, at = NAN, inf = NAN;
    int nb = 0;
    for (size_t i = 0; i < p->n; i++) {
        const struct sample *x = &p->s[i];
        if (strcmp(x->name, bucket) != 0 || !label(x, lkey) || strcmp(label(x, lkey), lval) != 0)
            continue;
        const char *l = label(x, "le");
        assert_non_null(l);
        double b = strtod(l, NULL);
        assert_true(b > prev_le);
        assert_true(x->value >= prev);
        prev_le = b;
        prev = x->value;
        if (strcmp(l, le) == 0)
            at = x->value;
        if (strcmp(l, "+Inf") == 0)
            inf = x->value;
        nb++;
    }
    assert_true(nb > 1);
    assert_true(isinf(prev_le)); /* +Inf comes last */
    *sum = get(p, s, lkey, lval, NULL);
    *count = get(p, c, lkey, lval, NULL);
    assert_true(inf == *count);
    if (isnan(at))
        fail_msg("%s{%s=\"%s\"} has no bucket le=\"%s\"", name, lkey, lval, le);
    return at;
}

static void execution_histogram(void **state)
{
    struct sl_metrics *m = sl_metrics_new();
    /* le is "less than or equal": 0.005 lands in the first bucket */
    const double v[] = {0.001, 0.005, 0.02, 0.3, 7, 299, 1000, -1};
    double total = 0;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        sl_metrics_execution(m, "wf", "success", "webhook", v[i]);
        total += v[i] > 0 ? v[i] : 0; /* a negative duration counts as 0 */
    }
    sl_metrics_execution(m, "wf", "error", "webhook", 2);
    struct parsed p;
    render(m, NULL, &p);
    const char *h = "sluice_execution_duration_seconds";
    double sum, count;
    /* -1 (as 0), 0.001 and 0.005 */
    assert_true(check_hist(&p, h, "status", "success", "0.005", &sum, &count) == 3);
    assert_true(count == 8);
    assert_true(fabs(sum - total) < 1e-9);
    assert_true(check_hist(&p, h, "status", "success", "0.01", &sum, &count) == 3);
    assert_true(check_hist(&p, h, "status", "success", "0.025", &sum, &count) == 4);
    assert_true(check_hist(&p, h, "status", "success", "0.5", &sum, &count) == 5);
    assert_true(check_hist(&p, h, "status", "success", "10", &sum, &count) == 6);
    assert_true(check_hist(&p, h, "status", "success", "300", &sum, &count) == 7);
    assert_true(check_hist(&p, h, "status", "success", "+Inf", &sum, &count) == 8);
    /* the bounds for workflows: 5 ms .. 300 s */
    assert_int_equal(
        find(&p, "sluice_execution_duration_seconds_bucket", NULL, "status", "success", NULL), 16);
    assert_true(check_hist(&p, h, "status", "error", "2.5", &sum, &count) == 1);
    assert_true(check_hist(&p, h, "status", "error", "1", &sum, &count) == 0);
    assert_true(sum == 2 && count == 1);
    /* no workflow_id on the histogram */
    for (size_t i = 0; i < p.n; i++)
        if (strncmp(p.s[i].name, h, strlen(h)) == 0)
            assert_null(label(&p.s[i], "workflow_id"));
    parsed_release(&p);
    sl_metrics_free(m);
}

static void node_histogram(void **state)
{
    struct sl_metrics *m = sl_metrics_new();
    sl_metrics_node(m, "n8n-nodes-base.set", 0.00005);
    sl_metrics_node(m, "n8n-nodes-base.set", 0.0001);
    sl_metrics_node(m, "n8n-nodes-base.set", 0.0002);
    sl_metrics_node(m, "n8n-nodes-base.code", 0.5);
    sl_metrics_node(m, "n8n-nodes-base.code", 90);
    sl_metrics_node(m, NULL, 1);
    struct parsed p;
    render(m, NULL, &p);
    const char *h = "sluice_node_duration_seconds";
    double sum, count;
    assert_true(check_hist(&p, h, "node_type", "n8n-nodes-base.set", "0.0001", &sum, &count) == 2);
    assert_true(check_hist(&p, h, "node_type", "n8n-nodes-base.set", "0.00025", &sum, &count) == 3);
    assert_true(count == 3 && fabs(sum - 0.00035) < 1e-12);
    assert_true(check_hist(&p, h, "node_type", "n8n-nodes-base.code", "60", &sum, &count) == 1);
    assert_true(check_hist(&p, h, "node_type", "n8n-nodes-base.code", "+Inf", &sum, &count) == 2);
    assert_true(sum == 90.5);
    /* 100 µs .. 60 s */
    assert_int_equal(find(&p, "sluice_node_duration_seconds_bucket", NULL, "node_type",
                          "n8n-nodes-base.code", NULL),
                     19);
    assert_true(check_hist(&p, h, "node_type", "other", "1", &sum, &count) == 1);
    parsed_release(&p);
    sl_metrics_free(m);
}

static void http_requests(void **state)
{
    struct sl_metrics *m = sl_metrics_new();
    sl_metrics_http(m, "webhook", 200);
    sl_metrics_http(m, "webhook", 200);
    sl_metrics_http(m, "webhook", 503);
    sl_metrics_http(m, "api", 401);
    sl_metrics_http(m, "/some/path", 404);
    sl_metrics_http(m, NULL, 404);
    sl_metrics_http(m, "metrics", 42);
    sl_metrics_http(m, "healthz", 600);
    struct parsed p;
    render(m, NULL, &p);
    const char *n = "sluice_http_requests_total";
    assert_true(get(&p, n, "route", "webhook", "code", "200", NULL) == 2);
    assert_true(get(&p, n, "route", "webhook", "code", "503", NULL) == 1);
    assert_true(get(&p, n, "route", "api", "code", "401", NULL) == 1);
    assert_true(get(&p, n, "route", "other", "code", "404", NULL) == 2);
    assert_true(get(&p, n, "route", "metrics", "code", "other", NULL) == 1);
    assert_true(get(&p, n, "route", "healthz", "code", "other", NULL) == 1);
    assert_int_equal(find(&p, n, NULL, NULL), 6);
    parsed_release(&p);
    sl_metrics_free(m);
}

static void label_escaping(void **state)
{
    struct sl_metrics *m = sl_metrics_new();
    const char *id = "a\"b\\c\nd}e,f=g";
    sl_metrics_execution(m, id, "success", "manual", 0.1);
    sl_metrics_node(m, "x\\\"\n", 0.1);
    struct sl_buf b = {0};
    sl_metrics_render(m, NULL, &b);
    /* the exact escaped spelling, then a parse back to the original */
    assert_non_null(strstr(b.data, "workflow_id=\"a\\\"b\\\\c\\nd}e,f=g\""));
    assert_non_null(strstr(b.data, "node_type=\"x\\\\\\\"\\n\""));
    struct parsed p;
    parse(b.data, &p);
    sl_buf_release(&b);
    assert_true(get(&p, "sluice_workflow_executions_total", "workflow_id", id, NULL) == 1);
    assert_true(get(&p, "sluice_node_duration_seconds_count", "node_type", "x\\\"\n", NULL) == 1);
    parsed_release(&p);
    sl_metrics_free(m);
}

static void workflow_cap(void **state)
{
    struct sl_metrics *m = sl_metrics_new();
    char id[32];
    for (int i = 0; i < SL_METRICS_MAX_WORKFLOWS + 100; i++) {
        snprintf(id, sizeof id, "wf-%04d", i);
        sl_metrics_execution(m, id, "success", "webhook", 0.01);
    }
    /* an early id still has its series after the cap is reached */
    sl_metrics_execution(m, "wf-0000", "success", "webhook", 0.01);
    /* a late one still goes to "other", and so does an id spelled "other" */
    sl_metrics_execution(m, "wf-0599", "success", "webhook", 0.01);
    sl_metrics_execution(m, "other", "success", "webhook", 0.01);
    struct parsed p;
    render(m, NULL, &p);
    const char *n = "sluice_workflow_executions_total";
    assert_int_equal(find(&p, n, NULL, NULL), SL_METRICS_MAX_WORKFLOWS + 1);
    assert_true(get(&p, n, "workflow_id", "wf-0000", NULL) == 2);
    assert_true(get(&p, n, "workflow_id", "wf-0499", NULL) == 1);
    assert_int_equal(find(&p, n, NULL, "workflow_id", "wf-0500", NULL), 0);
    assert_int_equal(find(&p, n, NULL, "workflow_id", "wf-0599", NULL), 0);
    assert_true(get(&p, n, "workflow_id", "other", NULL) == 102);
    /* the durations of all of them */
    assert_true(get(&p, "sluice_execution_duration_seconds_count", "status", "success", NULL) ==
                SL_METRICS_MAX_WORKFLOWS + 103);
    parsed_release(&p);
    sl_metrics_free(m);
}

static void node_type_cap(void **state)
{
    struct sl_metrics *m = sl_metrics_new();
    char t[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(t, sizeof t, "type-%d", i);
        sl_metrics_node(m, t, 0.001);
    }
    struct parsed p;
    render(m, NULL, &p);
    int series = find(&p, "sluice_node_duration_seconds_count", NULL, NULL);
    assert_true(series > 1 && series < 1000);
    double other = get(&p, "sluice_node_duration_seconds_count", "node_type", "other", NULL);
    assert_true(other == 1000 - (series - 1));
    parsed_release(&p);
    sl_metrics_free(m);
}

static double now_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void process_metrics(void **state)
{
    struct sl_metrics *m = sl_metrics_new();
    struct parsed p;
    render(m, NULL, &p);
    double cpu0 = get(&p, "process_cpu_seconds_total", NULL);
    double rss = get(&p, "process_resident_memory_bytes", NULL);
    double fds0 = get(&p, "process_open_fds", NULL);
    double maxfds = get(&p, "process_max_fds", NULL);
    double start = get(&p, "process_start_time_seconds", NULL);
    parsed_release(&p);

    assert_true(cpu0 >= 0 && cpu0 <= now_s(CLOCK_PROCESS_CPUTIME_ID) + 0.02);
    assert_true(rss > 512 * 1024 && rss < 64.0 * 1024 * 1024 * 1024);
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    assert_true(maxfds == (double)rl.rlim_cur);
    assert_true(fds0 >= 3 && fds0 < maxfds);
    double now = now_s(CLOCK_REALTIME);
    /* started before now, and not long ago: the test has run for less than a minute */
    assert_true(start <= now + 1 && start > now - 60);

    /* five more descriptors and some CPU time show up */
    int fd[5];
    for (int i = 0; i < 5; i++)
        assert_true((fd[i] = open("/dev/null", O_RDONLY)) >= 0);
    double until = now_s(CLOCK_PROCESS_CPUTIME_ID) + 0.15;
    volatile unsigned spin = 0;
    while (now_s(CLOCK_PROCESS_CPUTIME_ID) < until)
        spin++;
    render(m, NULL, &p);
    assert_true(get(&p, "process_open_fds", NULL) == fds0 + 5);
    assert_true(get(&p, "process_cpu_seconds_total", NULL) >= cpu0 + 0.1);
    parsed_release(&p);
    for (int i = 0; i < 5; i++)
        close(fd[i]);
    sl_metrics_free(m);
}

#define THREADS 4
#define BUMPS 20000

static void *bumper(void *arg)
{
    struct sl_metrics *m = arg;
    for (int i = 0; i < BUMPS; i++) {
        sl_metrics_execution(m, i % 2 ? "odd" : "even", "success", "webhook", 0.001);
        sl_metrics_node(m, "n8n-nodes-base.code", 0.001);
        sl_metrics_http(m, "webhook", 200);
    }
    return NULL;
}

static void threads(void **state)
{
    struct sl_metrics *m = sl_metrics_new();
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, bumper, m), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    struct parsed p;
    render(m, NULL, &p);
    const char *n = "sluice_workflow_executions_total";
    assert_true(get(&p, n, "workflow_id", "odd", NULL) == THREADS * BUMPS / 2);
    assert_true(get(&p, n, "workflow_id", "even", NULL) == THREADS * BUMPS / 2);
    assert_true(get(&p, "sluice_node_duration_seconds_count", "node_type", "n8n-nodes-base.code",
                    NULL) == THREADS * BUMPS);
    assert_true(get(&p, "sluice_http_requests_total", "route", "webhook", "code", "200", NULL) ==
                THREADS * BUMPS);
    parsed_release(&p);
    sl_metrics_free(m);
}

static void bumps_do_not_allocate(void **state)
{
    struct sl_metrics *m = sl_metrics_new();
    sl_metrics_execution(m, "wf", "success", "webhook", 0.01);
    sl_metrics_node(m, "n8n-nodes-base.set", 0.01);
    struct mallinfo2 before = mallinfo2();
    for (int i = 0; i < 1000; i++) {
        sl_metrics_execution(m, "wf", "success", "webhook", 0.01);
        sl_metrics_execution(m, "wf", "error", "trigger", 0.01);
        sl_metrics_node(m, "n8n-nodes-base.set", 0.01);
        sl_metrics_http(m, "api", 200 + i % 300);
    }
    struct mallinfo2 after = mallinfo2();
    assert_true(after.uordblks == before.uordblks);
    sl_metrics_free(m);
}

/* The Prometheus client's own parser (Debian python3-prometheus-client)
 * reads the rendering and finds each family with its type. */
static void prometheus_client_parses(void **state)
{
    struct sl_metrics *m = sl_metrics_new();
    sl_metrics_execution(m, "a\"b\\c\nd", "success", "webhook", 0.3);
    sl_metrics_execution(m, "wf2", "error", "trigger", 12);
    sl_metrics_node(m, "n8n-nodes-base.code", 0.002);
    sl_metrics_http(m, "webhook", 200);
    struct sl_metrics_gauges g = {.queue_depth = 1, .workers_up = 2};
    struct sl_buf b = {0};
    sl_metrics_render(m, &g, &b);
    sl_metrics_free(m);

    char path[] = "/tmp/sluice-metrics-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
    close(fd);
    sl_buf_release(&b);
    char *cmd = sl_asprintf(
        "/usr/bin/python3 -c '\n"
        "import sys\n"
        "from prometheus_client.parser import text_string_to_metric_families as parse\n"
        "fams = {f.name: f for f in parse(open(sys.argv[1]).read())}\n"
        "want = {\"sluice_workflow_executions\": \"counter\",\n"
        "        \"sluice_execution_duration_seconds\": \"histogram\",\n"
        "        \"sluice_node_duration_seconds\": \"histogram\",\n"
        "        \"sluice_http_requests\": \"counter\", \"sluice_workers\": \"gauge\",\n"
        "        \"process_cpu_seconds\": \"counter\", \"process_open_fds\": \"gauge\"}\n"
        "for n, t in want.items():\n"
        "    assert fams[n].type == t, (n, fams[n].type)\n"
        "ids = {s.labels.get(\"workflow_id\") for s in "
        "fams[\"sluice_workflow_executions\"].samples}\n"
        "assert ids == {\"a\\\"b\\\\c\\nd\", \"wf2\"}, ids\n"
        "h = [s for s in fams[\"sluice_execution_duration_seconds\"].samples\n"
        "     if s.labels.get(\"status\") == \"error\"]\n"
        "assert [s.value for s in h if s.name.endswith(\"_count\")] == [1.0]\n"
        "' %s",
        path);
    int rc = system(cmd);
    free(cmd);
    unlink(path);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(families_and_gauges),   cmocka_unit_test(execution_counts),
        cmocka_unit_test(execution_histogram),   cmocka_unit_test(node_histogram),
        cmocka_unit_test(http_requests),         cmocka_unit_test(label_escaping),
        cmocka_unit_test(workflow_cap),          cmocka_unit_test(node_type_cap),
        cmocka_unit_test(process_metrics),       cmocka_unit_test(threads),
        cmocka_unit_test(bumps_do_not_allocate), cmocka_unit_test(prometheus_client_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
