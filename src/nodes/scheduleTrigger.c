/*
 * Schedule Trigger (v1-v1.3): starts a workflow on a schedule (the times
 * are server/schedule.c's). When it runs, in a manual test or because the
 * schedule fired, it emits one item describing "now" in the workflow's
 * zone (settings.timezone, else GENERIC_TIMEZONE, else America/New_York),
 * with the keys and moment formats of n8n's node:
 *   timestamp        2023-12-28T13:34:56.789+01:00
 *   Readable date    December 28th 2023, 1:34:56 pm
 *   Readable time    1:34:56 pm
 *   Day of week      Thursday
 *   Year / Month / Day of month / Hour / Minute / Second
 *                    "2023" / "December" / "28" / "13" / "34" / "56"
 *   Timezone         Europe/Berlin (UTC+01:00)
 * As n8n does before emitting, v1.3 checks the interval ranges ("Invalid
 * interval") and a first rule that is a cron expression must parse
 * ("Invalid cron expression").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodes/node.h"
#include "server/schedule.h"
#include "util/cron.h"
#include "util/tz.h"

static const double versions[] = {1, 1.1, 1.2, 1.3, 0};

#define N8N_DEFAULT_ZONE "America/New_York"

static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const day_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};

/* moment's English ordinal suffix ("Do") */
static const char *ordinal(int n)
{
    if (n % 100 / 10 == 1)
        return "th";
    switch (n % 10) {
    case 1:
        return "st";
    case 2:
        return "nd";
    case 3:
        return "rd";
    default:
        return "th";
    }
}

static json_t *fire_item(const struct sl_tz *z, const char *zone, int64_t now_ms)
{
    int64_t sec = now_ms >= 0 ? now_ms / 1000 : -((-now_ms + 999) / 1000);
    int ms = (int)(now_ms - sec * 1000);
    struct sl_tm tm;
    sl_tz_to_local(z, sec, &tm);
    int off = tm.offset < 0 ? -tm.offset : tm.offset;
    char offs[16], buf[160], two[16];
    snprintf(offs, sizeof offs, "%c%02d:%02d", tm.offset < 0 ? '-' : '+', off / 3600,
             off / 60 % 60);
    int h12 = tm.hour % 12 ? tm.hour % 12 : 12;
    const char *ampm = tm.hour > 11 ? "pm" : "am";
    json_t *o = json_object();
    snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03d%s", (long long)tm.year,
             tm.month, tm.day, tm.hour, tm.minute, tm.second, ms, offs);
    json_object_set_new(o, "timestamp", json_string(buf));
    snprintf(buf, sizeof buf, "%s %d%s %04lld, %d:%02d:%02d %s", month_names[tm.month - 1], tm.day,
             ordinal(tm.day), (long long)tm.year, h12, tm.minute, tm.second, ampm);
    json_object_set_new(o, "Readable date", json_string(buf));
    snprintf(buf, sizeof buf, "%d:%02d:%02d %s", h12, tm.minute, tm.second, ampm);
    json_object_set_new(o, "Readable time", json_string(buf));
    json_object_set_new(o, "Day of week", json_string(day_names[tm.wday]));
    snprintf(buf, sizeof buf, "%04lld", (long long)tm.year);
    json_object_set_new(o, "Year", json_string(buf));
    json_object_set_new(o, "Month", json_string(month_names[tm.month - 1]));
    int parts[] = {tm.day, tm.hour, tm.minute, tm.second};
    const char *keys[] = {"Day of month", "Hour", "Minute", "Second"};
    for (int i = 0; i < 4; i++) {
        snprintf(two, sizeof two, "%02d", parts[i]);
        json_object_set_new(o, keys[i], json_string(two));
    }
    snprintf(buf, sizeof buf, "%s (UTC%s)", zone, offs);
    json_object_set_new(o, "Timezone", json_string(buf));
    return o;
}

/* The checks n8n's trigger() makes before a manual run emits. */
static int check_rules(struct sl_node_ctx *ctx)
{
    json_t *list = json_object_get(sl_ctx_param_raw(ctx, "rule"), "interval");
    if (sl_ctx_node(ctx)->version >= 1.3) {
        size_t i;
        json_t *it;
        json_array_foreach(list, i, it)
        {
            json_t *f = json_object_get(it, "field");
            const char *field = json_is_string(f) ? json_string_value(f) : "days";
            char key[64];
            snprintf(key, sizeof key, "%sInterval", field);
            json_t *v = json_object_get(it, key);
            double n = !strcmp(field, "seconds") ? 30 : !strcmp(field, "minutes") ? 5 : 1;
            if (json_is_number(v))
                n = json_number_value(v);
            const char *bad = sl_schedule_interval_error(field, n);
            if (bad) {
                int rc = sl_ctx_fail(ctx, "Invalid interval");
                sl_ctx_fail_description(ctx, "%s", bad);
                return rc;
            }
        }
    }
    json_t *first = json_array_get(list, 0);
    if (json_is_string(json_object_get(first, "field")) &&
        !strcmp(json_string_value(json_object_get(first, "field")), "cronExpression")) {
        json_t *e = json_object_get(first, "expression");
        struct sl_error err = {{0}};
        struct sl_cron *c = sl_cron_parse(json_is_string(e) ? json_string_value(e) : "", &err);
        if (!c) {
            int rc = sl_ctx_fail(ctx, "Invalid cron expression");
            sl_ctx_fail_description(ctx, "More information on how to build them at "
                                         "https://crontab.guru/");
            return rc;
        }
        sl_cron_free(c);
    }
    return 0;
}

static int execute(struct sl_node_ctx *ctx)
{
    int rc = check_rules(ctx);
    if (rc)
        return rc;
    const char *zone = sl_ctx_timezone(ctx);
    if (!zone)
        zone = N8N_DEFAULT_ZONE;
    struct sl_error err = {{0}};
    const struct sl_tz *z = sl_tz_open(zone, &err);
    if (!z)
        return sl_ctx_fail(ctx, "%s", err.msg);
    sl_ctx_out(ctx, 0, sl_item_new(fire_item(z, zone, sl_ctx_now_ms(ctx))));
    return 0;
}

const struct sl_node_type sl_node_scheduleTrigger = {
    .name = "n8n-nodes-base.scheduleTrigger",
    .versions = versions,
    .flags = SL_NODE_TRIGGER,
    .execute = execute,
};
