/*
 * Metrics for /metrics in Prometheus' text format (version 0.0.4).
 *
 * Counters and histograms are updated by the server as executions finish
 * and requests are answered; gauges (queue depth, workers, active
 * workflows) are read from the server when rendering. Label sets are
 * bounded: at most SL_METRICS_MAX_WORKFLOWS distinct workflow ids (later
 * ones are counted under workflow_id="other"), node types come from the
 * registry, routes from a fixed list, modes and statuses from fixed lists.
 * The execution duration histogram is labelled by status only (no
 * workflow_id: metrics.c says why).
 *
 * Thread rule: any thread (one mutex).
 */
#ifndef SL_SERVER_METRICS_H
#define SL_SERVER_METRICS_H

#include <stdint.h>

#include "util/alloc.h"

#define SL_METRICS_MAX_WORKFLOWS 500

struct sl_metrics;

/* The gauges, read by the server when /metrics is asked for. */
struct sl_metrics_gauges {
    int64_t queue_depth;
    double queue_oldest_age_s;
    int64_t workers_up, workers_starting, workers_down;
    int64_t active_workflows;
    int64_t running_executions;
    int64_t writer_backlog;
};

struct sl_metrics *sl_metrics_new(void);
void sl_metrics_free(struct sl_metrics *m);

/* An execution ended: sluice_workflow_executions_total and
 * sluice_execution_duration_seconds. */
void sl_metrics_execution(struct sl_metrics *m, const char *workflow_id, const char *status,
                          const char *mode, double seconds);
/* A node run ended: sluice_node_duration_seconds{node_type}. */
void sl_metrics_node(struct sl_metrics *m, const char *node_type, double seconds);
/* A request was answered: sluice_http_requests_total{route,code}; `route`
 * is one of "webhook", "webhook-test", "api", "healthz", "metrics",
 * "other". */
void sl_metrics_http(struct sl_metrics *m, const char *route, int code);

/* Appends every metric, with the gauges (none when `g` is NULL) and the
 * process's CPU seconds, memory, open and maximum fds and start time (from
 * /proc/self), to `out`. */
void sl_metrics_render(struct sl_metrics *m, const struct sl_metrics_gauges *g, struct sl_buf *out);

#endif
