/*
 * The timers of the active workflows' time triggers (Schedule Trigger,
 * Cron, Interval; their rules are in schedule.c). The main loop asks when
 * the next one is due, sleeps until then (or a signal, or 200 ms), and
 * fires what is due as durable jobs: the execution row is committed
 * before the run, so a schedule that fired is never lost to a crash.
 *
 * Thread rule: the main loop's thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/dispatch.h"
#include "server/schedule.h"
#include "server/serve_int.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/log.h"

struct timer {
    char *workflow_id;
    int64_t version;
    char *node;
    struct sl_schedule *s;
    int64_t next_ms; /* -1: never again */
};

struct sl_scheduler {
    struct timer *t;
    size_t n;
};

static void timer_release(struct timer *t)
{
    free(t->workflow_id);
    free(t->node);
    sl_schedule_free(t->s);
}

struct sl_scheduler *sl_scheduler_new(void)
{
    return sl_calloc(1, sizeof(struct sl_scheduler));
}

void sl_scheduler_free(struct sl_scheduler *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->n; i++)
        timer_release(&sc->t[i]);
    free(sc->t);
    free(sc);
}

/* The zone the workflow's schedules are in: settings.timezone, else
 * GENERIC_TIMEZONE, else NULL (schedule.h: n8n's default zone). */
static const char *workflow_zone(const json_t *doc)
{
    const char *tz =
        json_string_value(json_object_get(json_object_get(doc, "settings"), "timezone"));
    if (tz && *tz && strcmp(tz, "DEFAULT"))
        return tz;
    tz = getenv("GENERIC_TIMEZONE");
    return tz && *tz ? tz : NULL;
}

int sl_scheduler_check(const json_t *doc, struct sl_error *err)
{
    size_t i;
    json_t *node;
    json_array_foreach(json_object_get(doc, "nodes"), i, node)
    {
        const char *type = json_string_value(json_object_get(node, "type"));
        if (!type || !sl_schedule_is_trigger(type) ||
            json_is_true(json_object_get(node, "disabled")))
            continue;
        struct sl_schedule *s = sl_schedule_new(node, workflow_zone(doc), 0, err);
        if (!s)
            return SL_ERR_INVALID;
        sl_schedule_free(s);
    }
    return 0;
}

void sl_scheduler_load(struct sl_scheduler *sc, const json_t *workflows)
{
    struct sl_scheduler next = {0};
    int64_t now = sl_clock_wall_ms();
    const char *id;
    json_t *entry;
    json_object_foreach((json_t *)workflows, id, entry)
    {
        const json_t *doc = json_object_get(entry, "doc");
        if (!json_is_true(json_object_get(doc, "active")))
            continue;
        int64_t version = json_integer_value(json_object_get(entry, "version"));
        size_t i;
        json_t *node;
        json_array_foreach(json_object_get(doc, "nodes"), i, node)
        {
            const char *type = json_string_value(json_object_get(node, "type"));
            const char *name = json_string_value(json_object_get(node, "name"));
            if (!type || !name || !sl_schedule_is_trigger(type) ||
                json_is_true(json_object_get(node, "disabled")))
                continue;
            struct timer t = {0};
            /* an unchanged trigger keeps its timer (and its Interval phase) */
            for (size_t k = 0; k < sc->n; k++) {
                struct timer *o = &sc->t[k];
                if (o->s && o->version == version && !strcmp(o->workflow_id, id) &&
                    !strcmp(o->node, name)) {
                    t = *o;
                    o->s = NULL;
                    o->workflow_id = o->node = NULL;
                    break;
                }
            }
            if (!t.s) {
                struct sl_error err = {{0}};
                t.s = sl_schedule_new(node, workflow_zone(doc), now, &err);
                if (!t.s) {
                    sl_log(SL_LOG_ERROR, "time trigger not scheduled", "workflow", id, "node", name,
                           "error", err.msg, NULL);
                    continue;
                }
                t.workflow_id = sl_strdup(id);
                t.node = sl_strdup(name);
                t.version = version;
                t.next_ms = sl_schedule_next(t.s, now);
            }
            next.t = sl_realloc(next.t, (next.n + 1) * sizeof *next.t);
            next.t[next.n++] = t;
        }
    }
    for (size_t k = 0; k < sc->n; k++)
        timer_release(&sc->t[k]);
    free(sc->t);
    *sc = next;
}

int64_t sl_scheduler_fire(struct sl_scheduler *sc, struct sl_server *srv, int64_t now)
{
    int64_t soonest = -1;
    struct sl_snapshot *snap = NULL;
    for (size_t i = 0; i < sc->n; i++) {
        struct timer *t = &sc->t[i];
        if (t->next_ms < 0)
            continue;
        if (t->next_ms <= now) {
            if (!snap)
                snap = sl_snapshot_get(srv);
            json_t *entry = json_object_get(snap->workflows, t->workflow_id);
            struct sl_job_spec spec = {
                .workflow_id = t->workflow_id,
                .doc = json_object_get(entry, "doc"),
                .version = t->version,
                .mode = "trigger",
                .start_node = t->node,
                .durable = true,
            };
            struct sl_error err = {{0}};
            if (entry && sl_dispatch_submit(srv->dispatch, &spec, NULL, &err))
                sl_log(SL_LOG_WARN, "time trigger skipped", "workflow", t->workflow_id, "node",
                       t->node, "error", err.msg, NULL);
            /* the next time after now: a late loop does not fire a burst */
            t->next_ms = sl_schedule_next(t->s, now);
        }
        if (t->next_ms >= 0 && (soonest < 0 || t->next_ms < soonest))
            soonest = t->next_ms;
    }
    if (snap)
        sl_snapshot_put(srv, snap);
    return soonest;
}
