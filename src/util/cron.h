/*
 * Cron expressions as n8n's schedules read them: n8n hands them to the
 * `cron` npm package (3.x), and sluice parses and steps through time the
 * way that package does.
 *
 * Syntax: 6 fields "second minute hour day-of-month month day-of-week",
 * or 5 without the seconds (second 0). Each field is a comma list of `*`,
 * `N`, `N-M`, `*\/S`, `N/S` (N to the field's end) and `N-M/S`; names
 * jan..dec and sun..sat (any case) stand for their numbers in any field;
 * day of week 0-7 with 7 = Sunday. A whole expression may be one of
 * @yearly @monthly @weekly @daily @hourly @minutely @secondly @weekdays
 * @weekends. `?`, `L`, `W` and `#` are not accepted (the package refuses
 * them). When both day of month and day of week are restricted, a day
 * matching either fires. As in the package, a day of month no listed
 * month has (30 with only February) wraps to day % month length.
 *
 * Time stepping follows the package too, DST included: a fire time in
 * the hour skipped when clocks go forward fires once, at the jump (02:30
 * daily in New York fires at 03:00 EDT that day); in the hour repeated
 * when clocks go back, a time fires once, the first time, and an
 * expression that fires every minute or second skips the repeated hour.
 *
 * Ownership: sl_cron_parse returns a struct the caller frees with
 * sl_cron_free; it is immutable, so threads may share it.
 */
#ifndef SL_UTIL_CRON_H
#define SL_UTIL_CRON_H

#include <stdint.h>

#include "core/err.h"
#include "util/tz.h"

struct sl_cron;

/* Parses `expr`. NULL with a one-line cause naming the field in `err`
 * ("minute: 61 is out of range 0-59"). */
struct sl_cron *sl_cron_parse(const char *expr, struct sl_error *err);
void sl_cron_free(struct sl_cron *c);

/* The first fire time strictly after `after_ms` (epoch milliseconds) in
 * zone `z`, in epoch milliseconds (whole seconds), or -1 when there is
 * none within 8 years. */
int64_t sl_cron_next(const struct sl_cron *c, const struct sl_tz *z, int64_t after_ms);

#endif
