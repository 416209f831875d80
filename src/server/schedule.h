/*
 * Schedules: when the trigger nodes that run on time fire. Schedule
 * Trigger (v1-v1.3: rules of seconds / minutes / hours / days / weeks /
 * months intervals and cron expressions), the legacy Cron node (triggerTimes)
 * and the legacy Interval node, with n8n's semantics, in the workflow's
 * time zone (settings.timezone, else GENERIC_TIMEZONE, else
 * America/New_York, n8n's GENERIC_TIMEZONE default). Cron expressions are
 * parsed by util/cron.h, zones read by util/tz.h.
 *
 * Thread rule: a struct sl_schedule is used by one thread at a time.
 */
#ifndef SL_SERVER_SCHEDULE_H
#define SL_SERVER_SCHEDULE_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"

struct sl_schedule;

/* True when node type `type` (e.g. "n8n-nodes-base.scheduleTrigger") is a
 * time trigger this module handles. */
int sl_schedule_is_trigger(const char *type);

/* The schedule of the time-trigger node `node` (a node object of an n8n
 * document, borrowed) in IANA zone `tz` (NULL: America/New_York, as n8n). `activated_ms`
 * is when the workflow was activated (Interval counts from it). Returns
 * NULL with the node, the field and the cause in `err` on a bad parameter
 * ("node 'Every minute': cronExpression '61 * * * *': minute: 61 is out of
 * range 0-59"). */
struct sl_schedule *sl_schedule_new(const json_t *node, const char *tz, int64_t activated_ms,
                                    struct sl_error *err);
void sl_schedule_free(struct sl_schedule *s);

/* n8n's validateInterval (Schedule Trigger v1.3): the cause when interval
 * `value` is out of range for rule `field` ("seconds", "minutes", "hours",
 * "days" or "months"), else NULL. */
const char *sl_schedule_interval_error(const char *field, double value);

/* The first time after `after_ms` (epoch ms) at which the node fires, or
 * -1 when it never fires again. Meant to be called with the last fire time
 * (or now): a time returned before counts as fired once a later call's
 * `after_ms` reaches it, which is what n8n's recurrence check of
 * Schedule Trigger rules (every N hours/days/weeks/months) remembers. */
int64_t sl_schedule_next(struct sl_schedule *s, int64_t after_ms);

#endif
