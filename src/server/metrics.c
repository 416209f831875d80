/*
 * The server's metrics and their rendering in Prometheus' text exposition
 * format (version 0.0.4): a HELP and a TYPE line per family, then one
 * sample per line, label values escaped (backslash, double quote, newline).
 *
 * Label sets are bounded so that a scrape stays small however long the
 * server runs:
 * - sluice_workflow_executions_total{workflow_id,status,mode}: the first
 *   SL_METRICS_MAX_WORKFLOWS workflow ids get their own series, later ones
 *   (and an id spelled "other") count under workflow_id="other".
 * - sluice_execution_duration_seconds{status}: no workflow_id. With one it
 *   would be up to SL_METRICS_MAX_WORKFLOWS x 18 series for a single
 *   family; per-workflow durations are in the store (each execution's
 *   start and stop, each node run's duration), the histogram answers "how
 *   long do executions take on this instance".
 * - statuses, modes and routes come from fixed lists; anything else is
 *   "other". HTTP codes outside 100..599 are code="other". Node types are
 *   capped at MAX_NODE_TYPES (the registry has far fewer).
 *
 * Storage is flat arrays found through small open-addressing tables, so a
 * bump of a series that exists takes the mutex, hashes a short string and
 * adds; it allocates only the first time a workflow id or node type is
 * seen. Histograms keep per-bucket counts and are made cumulative when
 * rendered.
 */
#include "server/metrics.h"

#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_NODE_TYPES 256

static const double exec_le[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                 2.5,   5,    10,    30,   60,  120,  300};
static const double node_le[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,    60};
#define N_EXEC_LE (sizeof exec_le / sizeof exec_le[0])
#define N_NODE_LE (sizeof node_le / sizeof node_le[0])
#define MAX_LE N_NODE_LE

/* The last entry of each list is the catch-all. */
static const char *const statuses[] = {"new",      "running", "success", "error",
                                       "canceled", "crashed", "waiting", "other"};
static const char *const modes[] = {"cli",        "error", "integrated", "internal",
                                    "manual",     "retry", "trigger",    "webhook",
                                    "evaluation", "chat",  "other"};
static const char *const routes[] = {"webhook", "webhook-test", "api",
                                     "healthz", "metrics",      "other"};
#define N_STATUS (sizeof statuses / sizeof statuses[0])
#define N_MODE (sizeof modes / sizeof modes[0])
#define N_ROUTE (sizeof routes / sizeof routes[0])
#define N_CODE 501 /* 100..599, then "other" */

struct hist {
    uint64_t bucket[MAX_LE + 1]; /* not cumulative; the last is above every bound */
    uint64_t count;
    double sum;
};

struct wf_counts {
    uint64_t n[N_STATUS][N_MODE];
};

/* Strings -> dense indexes [0, max), insertion order kept for rendering. */
struct strtab {
    char **keys;
    size_t n, max;
    uint32_t *slots; /* 0: empty; else index + 1 */
    uint32_t mask;
};

struct sl_metrics {
    pthread_mutex_t mu;
    struct strtab wf_ids;
    struct wf_counts **wf; /* [SL_METRICS_MAX_WORKFLOWS], made when first seen */
    struct wf_counts wf_other;
    int wf_other_used;
    struct hist exec[N_STATUS];
    struct strtab node_types;
    struct hist *node; /* [MAX_NODE_TYPES] */
    struct hist node_other;
    uint64_t http[N_ROUTE][N_CODE];
};

static void strtab_init(struct strtab *t, size_t max)
{
    size_t cap = 16;
    while (cap < max * 2)
        cap *= 2;
    t->keys = sl_calloc(max, sizeof *t->keys);
    t->n = 0;
    t->max = max;
    t->slots = sl_calloc(cap, sizeof *t->slots);
    t->mask = (uint32_t)(cap - 1);
}

static void strtab_release(struct strtab *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->keys[i]);
    free(t->keys);
    free(t->slots);
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The index of `key`, added when absent and there is room; -1 when the
 * table is full and the key is new. */
static long strtab_index(struct strtab *t, const char *key)
{
    uint32_t i = hash(key) & t->mask;
    for (;; i = (i + 1) & t->mask) {
        uint32_t s = t->slots[i];
        if (s == 0)
            break;
        if (strcmp(t->keys[s - 1], key) == 0)
            return (long)(s - 1);
    }
    if (t->n == t->max)
        return -1;
    t->keys[t->n] = sl_strdup(key);
    t->slots[i] = (uint32_t)++t->n;
    return (long)(t->n - 1);
}

static size_t list_index(const char *const *list, size_t n, const char *s)
{
    if (s)
        for (size_t i = 0; i + 1 < n; i++)
            if (strcmp(list[i], s) == 0)
                return i;
    return n - 1;
}

static void hist_add(struct hist *h, const double *le, size_t n_le, double v)
{
    if (!(v >= 0)) /* negative or NaN: a clock step, not a duration */
        v = 0;
    size_t b = 0;
    while (b < n_le && v > le[b])
        b++;
    h->bucket[b]++;
    h->count++;
    h->sum += v;
}

struct sl_metrics *sl_metrics_new(void)
{
    struct sl_metrics *m = sl_calloc(1, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    strtab_init(&m->wf_ids, SL_METRICS_MAX_WORKFLOWS);
    m->wf = sl_calloc(SL_METRICS_MAX_WORKFLOWS, sizeof *m->wf);
    strtab_init(&m->node_types, MAX_NODE_TYPES);
    m->node = sl_calloc(MAX_NODE_TYPES, sizeof *m->node);
    return m;
}

void sl_metrics_free(struct sl_metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->wf_ids.n; i++)
        free(m->wf[i]);
    free(m->wf);
    strtab_release(&m->wf_ids);
    free(m->node);
    strtab_release(&m->node_types);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

void sl_metrics_execution(struct sl_metrics *m, const char *workflow_id, const char *status,
                          const char *mode, double seconds)
{
    size_t st = list_index(statuses, N_STATUS, status);
    size_t md = list_index(modes, N_MODE, mode);
    if (!workflow_id)
        workflow_id = "";
    pthread_mutex_lock(&m->mu);
    struct wf_counts *c = &m->wf_other;
    long i = strcmp(workflow_id, "other") == 0 ? -1 : strtab_index(&m->wf_ids, workflow_id);
    if (i >= 0) {
        if (!m->wf[i])
            m->wf[i] = sl_calloc(1, sizeof *m->wf[i]);
        c = m->wf[i];
    } else {
        m->wf_other_used = 1;
    }
    c->n[st][md]++;
    hist_add(&m->exec[st], exec_le, N_EXEC_LE, seconds);
    pthread_mutex_unlock(&m->mu);
}

void sl_metrics_node(struct sl_metrics *m, const char *node_type, double seconds)
{
    if (!node_type)
        node_type = "other";
    pthread_mutex_lock(&m->mu);
    long i = strcmp(node_type, "other") == 0 ? -1 : strtab_index(&m->node_types, node_type);
    hist_add(i >= 0 ? &m->node[i] : &m->node_other, node_le, N_NODE_LE, seconds);
    pthread_mutex_unlock(&m->mu);
}

void sl_metrics_http(struct sl_metrics *m, const char *route, int code)
{
    size_t r = list_index(routes, N_ROUTE, route);
    size_t c = code >= 100 && code <= 599 ? (size_t)(code - 100) : N_CODE - 1;
    pthread_mutex_lock(&m->mu);
    m->http[r][c]++;
    pthread_mutex_unlock(&m->mu);
}

/* ---- rendering ---- */

/* The shortest of %.15g and %.17g that reads back as `v`; +Inf, -Inf and
 * NaN as the format spells them. */
static void add_double(struct sl_buf *out, double v)
{
    if (isnan(v)) {
        sl_buf_adds(out, "NaN");
        return;
    }
    if (isinf(v)) {
        sl_buf_adds(out, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    char s[40];
    snprintf(s, sizeof s, "%.15g", v);
    if (strtod(s, NULL) != v)
        snprintf(s, sizeof s, "%.17g", v);
    sl_buf_adds(out, s);
}

static void add_label_value(struct sl_buf *out, const char *s)
{
    sl_buf_addc(out, '"');
    for (; *s; s++) {
        switch (*s) {
        case '\\':
            sl_buf_adds(out, "\\\\");
            break;
        case '"':
            sl_buf_adds(out, "\\\"");
            break;
        case '\n':
            sl_buf_adds(out, "\\n");
            break;
        default:
            sl_buf_addc(out, *s);
        }
    }
    sl_buf_addc(out, '"');
}

static void add_family(struct sl_buf *out, const char *name, const char *type, const char *help)
{
    sl_buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One histogram's series: `label` and `value` name its one label. */
static void add_hist(struct sl_buf *out, const char *name, const char *label, const char *value,
                     const struct hist *h, const double *le, size_t n_le)
{
    uint64_t cum = 0;
    for (size_t b = 0; b <= n_le; b++) {
        cum += h->bucket[b];
        sl_buf_addf(out, "%s_bucket{%s=", name, label);
        add_label_value(out, value);
        sl_buf_adds(out, ",le=\"");
        add_double(out, b < n_le ? le[b] : INFINITY);
        sl_buf_addf(out, "\"} %" PRIu64 "\n", cum);
    }
    sl_buf_addf(out, "%s_sum{%s=", name, label);
    add_label_value(out, value);
    sl_buf_adds(out, "} ");
    add_double(out, h->sum);
    sl_buf_addf(out, "\n%s_count{%s=", name, label);
    add_label_value(out, value);
    sl_buf_addf(out, "} %" PRIu64 "\n", h->count);
}

static void add_wf_counts(struct sl_buf *out, const char *id, const struct wf_counts *c)
{
    for (size_t s = 0; s < N_STATUS; s++)
        for (size_t md = 0; md < N_MODE; md++) {
            if (!c->n[s][md])
                continue;
            sl_buf_adds(out, "sluice_workflow_executions_total{workflow_id=");
            add_label_value(out, id);
            sl_buf_addf(out, ",status=\"%s\",mode=\"%s\"} %" PRIu64 "\n", statuses[s], modes[md],
                        c->n[s][md]);
        }
}

static void add_gauge(struct sl_buf *out, const char *name, const char *help, double v)
{
    add_family(out, name, "gauge", help);
    sl_buf_addf(out, "%s ", name);
    add_double(out, v);
    sl_buf_addc(out, '\n');
}

/* Reads a small /proc file into `buf`; its length or -1. */
static long read_small(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return (long)n;
}

static void add_process(struct sl_buf *out)
{
    char buf[4096];
    long tck = sysconf(_SC_CLK_TCK);
    long page = sysconf(_SC_PAGESIZE);

    /* /proc/self/stat: fields after the command name, which ends at the
     * last ')' (the name itself may hold spaces and parentheses). */
    if (read_small("/proc/self/stat", buf, sizeof buf) > 0 && tck > 0) {
        char *p = strrchr(buf, ')');
        unsigned long long f[20] = {0};
        int got = 0;
        if (p) {
            p += 2;
            /* field 3 (state) is a letter: skip it, then fields 4..22 */
            p = strchr(p, ' ');
            for (int k = 0; p && k < 19; k++) {
                char *end;
                f[k] = strtoull(p, &end, 10);
                if (end == p)
                    break;
                got = k + 1;
                p = end;
            }
        }
        if (got == 19) { /* f[k] is field k + 4: utime 14, stime 15, starttime 22 */
            add_family(out, "process_cpu_seconds_total", "counter",
                       "Total user and system CPU time spent in seconds.");
            sl_buf_adds(out, "process_cpu_seconds_total ");
            add_double(out, (double)(f[10] + f[11]) / (double)tck);
            sl_buf_addc(out, '\n');
            char sbuf[8192];
            const char *bt =
                read_small("/proc/stat", sbuf, sizeof sbuf) > 0 ? strstr(sbuf, "\nbtime ") : NULL;
            if (bt)
                add_gauge(out, "process_start_time_seconds",
                          "Start time of the process since unix epoch in seconds.",
                          (double)strtoull(bt + 7, NULL, 10) + (double)f[18] / (double)tck);
        }
    }

    unsigned long long vsz, rss;
    if (read_small("/proc/self/statm", buf, sizeof buf) > 0 &&
        sscanf(buf, "%llu %llu", &vsz, &rss) == 2 && page > 0) {
        add_gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
                  (double)vsz * (double)page);
        add_gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
                  (double)rss * (double)page);
    }

    DIR *d = opendir("/proc/self/fd");
    if (d) {
        long n = 0;
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.')
                n++;
        closedir(d);
        /* not counting the descriptor that listed the directory */
        add_gauge(out, "process_open_fds", "Number of open file descriptors.", (double)(n - 1));
    }

    if (read_small("/proc/self/limits", buf, sizeof buf) > 0) {
        const char *l = strstr(buf, "Max open files");
        if (l) {
            char *end;
            unsigned long long soft = strtoull(l + strlen("Max open files"), &end, 10);
            if (end != l + strlen("Max open files")) /* "unlimited": no figure */
                add_gauge(out, "process_max_fds", "Maximum number of open file descriptors.",
                          (double)soft);
        }
    }
}

void sl_metrics_render(struct sl_metrics *m, const struct sl_metrics_gauges *g, struct sl_buf *out)
{
    pthread_mutex_lock(&m->mu);

    add_family(out, "sluice_workflow_executions_total", "counter",
               "Executions that ended, by workflow, status and mode.");
    for (size_t i = 0; i < m->wf_ids.n; i++)
        if (m->wf[i])
            add_wf_counts(out, m->wf_ids.keys[i], m->wf[i]);
    if (m->wf_other_used)
        add_wf_counts(out, "other", &m->wf_other);

    add_family(out, "sluice_execution_duration_seconds", "histogram",
               "Execution time from start to end, by status.");
    for (size_t s = 0; s < N_STATUS; s++)
        if (m->exec[s].count)
            add_hist(out, "sluice_execution_duration_seconds", "status", statuses[s], &m->exec[s],
                     exec_le, N_EXEC_LE);

    add_family(out, "sluice_node_duration_seconds", "histogram",
               "Time of one node run, by node type.");
    for (size_t i = 0; i < m->node_types.n; i++)
        add_hist(out, "sluice_node_duration_seconds", "node_type", m->node_types.keys[i],
                 &m->node[i], node_le, N_NODE_LE);
    if (m->node_other.count)
        add_hist(out, "sluice_node_duration_seconds", "node_type", "other", &m->node_other, node_le,
                 N_NODE_LE);

    add_family(out, "sluice_http_requests_total", "counter",
               "HTTP requests answered, by route and status code.");
    for (size_t r = 0; r < N_ROUTE; r++)
        for (size_t c = 0; c < N_CODE; c++) {
            if (!m->http[r][c])
                continue;
            sl_buf_addf(out, "sluice_http_requests_total{route=\"%s\",code=", routes[r]);
            if (c == N_CODE - 1)
                sl_buf_adds(out, "\"other\"");
            else
                sl_buf_addf(out, "\"%zu\"", c + 100);
            sl_buf_addf(out, "} %" PRIu64 "\n", m->http[r][c]);
        }

    pthread_mutex_unlock(&m->mu);

    if (g) {
        add_gauge(out, "sluice_queue_depth", "Executions waiting for a worker.",
                  (double)g->queue_depth);
        add_gauge(out, "sluice_queue_oldest_age_seconds",
                  "Age of the oldest execution waiting for a worker.", g->queue_oldest_age_s);
        add_family(out, "sluice_workers", "gauge", "Worker processes, by state.");
        sl_buf_addf(out,
                    "sluice_workers{state=\"up\"} %" PRId64 "\n"
                    "sluice_workers{state=\"starting\"} %" PRId64 "\n"
                    "sluice_workers{state=\"down\"} %" PRId64 "\n",
                    g->workers_up, g->workers_starting, g->workers_down);
        add_gauge(out, "sluice_active_workflows", "Workflows whose triggers are active.",
                  (double)g->active_workflows);
        add_gauge(out, "sluice_executions_running", "Executions running on workers.",
                  (double)g->running_executions);
        add_gauge(out, "sluice_store_writer_backlog", "Writes queued for the store writer.",
                  (double)g->writer_backlog);
    }

    add_process(out);
}
