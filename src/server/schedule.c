/*
 * Schedules of the time-trigger nodes, with the timing n8n gives them:
 *
 * Schedule Trigger (v1-v1.3). Each rule of parameters.rule.interval[]
 * becomes a cron expression, as n8n's toCronExpression writes it:
 *   seconds  "*\/N * * * * *"
 *   minutes  "S *\/N * * * *"
 *   hours    "S M *\/N * * *"
 *   days     "S M H * * *"
 *   weeks    "S M H * * D,D"      (triggerAtDay; none: every day)
 *   months   "S M H DOM *\/N *"
 *   cronExpression  the expression itself
 * where S is a second n8n picks at random and sluice derives from the node
 * id (stable across restarts, still spread over the minute), M is
 * triggerAtMinute and H triggerAtHour. Rules of hours, days, weeks or
 * months with an interval other than 1 also pass n8n's recurrence check on
 * every cron tick (intervalToRecurrence / recurrenceCheck): a tick fires
 * when it is the rule's first, or when the tick's hour (day of the year,
 * moment's week, month) equals (interval + the last fired one) modulo 24
 * (365, 52, 12); for weeks a tick in the same week fires too. That check is
 * n8n's, odd cases included: every 5 hours fires at 0, 5, 10, 15, 20 and
 * then no more, as n8n does. Its memory starts empty with each schedule
 * (n8n keeps it in the workflow's static data). Parameters get n8n's
 * defaults (field days, secondsInterval 30, minutesInterval 5, other
 * intervals 1, triggerAtHour and triggerAtMinute 0, triggerAtDayOfMonth 1,
 * triggerAtDay [0]); v1.3 checks the interval ranges as n8n's
 * validateInterval does.
 *
 * Cron (legacy): triggerTimes.item[] modes everyMinute, everyHour, everyDay,
 * everyWeek, everyMonth, everyX (minutes or hours) and custom, as
 * n8n-workflow's toCronExpression writes them (defaults: everyDay, hour
 * 14, minute 0, dayOfMonth 1, weekday 1, value 2, unit hours).
 *
 * Interval (legacy): every `interval` seconds, minutes or hours counted
 * from activation (n8n's setInterval), at least 1 ms, at most 2^31-1 ms.
 *
 * Several rules on one node: the next fire is the earliest. Expressions
 * ("={{…}}") in these parameters are refused: n8n evaluates them once at
 * activation, sluice does not yet.
 */
#include "server/schedule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/cron.h"
#include "util/tz.h"

/* n8n's GENERIC_TIMEZONE default, used when the workflow names no zone. */
#define N8N_DEFAULT_ZONE "America/New_York"
/* the recurrence check gives up after this many ticks that do not fire */
#define MAX_SKIPPED_TICKS 100000
#define MAX_SKIP_MS (8LL * 366 * 86400 * 1000)

enum kind { K_SCHEDULE, K_CRON, K_INTERVAL };

struct rule {
    struct sl_cron *cron;
    char rec;        /* recurrence: 0 none, 'h', 'd', 'w', 'm' */
    double rec_size; /* the interval */
    bool has_last;   /* the rule fired before */
    int last;        /* hour, day of year, week or month of that fire */
    int64_t pos;     /* ticks up to here were looked at (ms) */
    int64_t pending; /* the fire time last returned, not yet passed; -1 none */
};

struct sl_schedule {
    enum kind kind;
    const struct sl_tz *tz;
    struct rule *rules;
    size_t n;
    int64_t activated_ms, period_ms; /* Interval */
};

int sl_schedule_is_trigger(const char *type)
{
    return type &&
           (!strcmp(type, "n8n-nodes-base.scheduleTrigger") ||
            !strcmp(type, "n8n-nodes-base.cron") || !strcmp(type, "n8n-nodes-base.interval"));
}

void sl_schedule_free(struct sl_schedule *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        sl_cron_free(s->rules[i].cron);
    free(s->rules);
    free(s);
}

/* ---- parameters ---- */

struct pctx {
    const char *node; /* the node's name, for messages */
    struct sl_error *err;
};

/* A number parameter `key` of `obj`: absent gives `dflt`, JSON null sets
 * *is_null (may be NULL when null is not special), numeric strings count
 * as numbers. `where` names the parameter in messages. */
static bool num(struct pctx *p, const json_t *obj, const char *key, const char *where, double dflt,
                double *out, bool *is_null)
{
    json_t *v = json_object_get(obj, key);
    if (is_null)
        *is_null = false;
    if (!v) {
        *out = dflt;
        return true;
    }
    if (json_is_null(v) && is_null) {
        *is_null = true;
        return true;
    }
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return true;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        if (*s == '=') {
            sl_error_set(p->err, "node '%s': %s: expressions are not supported in schedules",
                         p->node, where);
            return false;
        }
        *out = strtod(s, &end);
        if (end != s && !*end && isfinite(*out))
            return true;
    }
    sl_error_set(p->err, "node '%s': %s: expected a number", p->node, where);
    return false;
}

/* A string parameter; absent gives `dflt`. */
static bool str(struct pctx *p, const json_t *obj, const char *key, const char *where,
                const char *dflt, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = dflt;
        return true;
    }
    if (json_is_string(v) && json_string_value(v)[0] != '=') {
        *out = json_string_value(v);
        return true;
    }
    sl_error_set(p->err, "node '%s': %s: %s", p->node, where,
                 json_is_string(v) ? "expressions are not supported in schedules"
                                   : "expected a string");
    return false;
}

/* A number as JavaScript's template strings write it (integers without a
 * fraction), appended to `b`. */
static void add_num(struct sl_buf *b, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        sl_buf_addf(b, "%lld", (long long)v);
    else
        sl_buf_addf(b, "%.17g", v);
}

/* The second (or minute) n8n would pick at random: here a hash of the node
 * id (else its name), the rule index and `what`, so a schedule keeps its
 * times across restarts. */
static int filler(const json_t *node, size_t index, const char *what)
{
    json_t *id = json_object_get(node, "id");
    const char *key = json_is_string(id) ? json_string_value(id)
                                         : json_string_value(json_object_get(node, "name"));
    char *s = sl_asprintf("%s:%zu:%s", key ? key : "", index, what);
    uint32_t h = 2166136261u;
    for (const char *c = s; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    free(s);
    return (int)(h % 60);
}

static bool add_rule(struct sl_schedule *s, struct pctx *p, const char *expr, const char *what,
                     char rec, double rec_size)
{
    struct sl_error cerr = {{0}};
    struct sl_cron *c = sl_cron_parse(expr, &cerr);
    if (!c) {
        sl_error_set(p->err, "node '%s': %s '%s': %s", p->node, what, expr, cerr.msg);
        return false;
    }
    s->rules = sl_realloc(s->rules, sizeof *s->rules * (s->n + 1));
    s->rules[s->n++] =
        (struct rule){.cron = c, .rec = rec, .rec_size = rec_size, .pending = -1, .pos = INT64_MIN};
    return true;
}

const char *sl_schedule_interval_error(const char *field, double v)
{
    if (!strcmp(field, "seconds") && (v > 59 || v < 1))
        return "Seconds must be in range 1-59";
    if (!strcmp(field, "minutes") && (v > 59 || v < 1))
        return "Minutes must be in range 1-59";
    if (!strcmp(field, "hours") && (v > 23 || v < 1))
        return "Hours must be in range 1-23";
    if (!strcmp(field, "days") && (v > 31 || v < 1))
        return "Days must be in range 1-31";
    if (!strcmp(field, "months") && v < 1)
        return "Months must be larger than 0";
    return NULL;
}

static bool schedule_rule(struct sl_schedule *s, struct pctx *p, const json_t *node,
                          const json_t *it, size_t i, double version)
{
    char where[96];
    const char *field;
    snprintf(where, sizeof where, "rule.interval[%zu].field", i);
    if (!json_is_object(it)) {
        sl_error_set(p->err, "node '%s': rule.interval[%zu]: expected an object", p->node, i);
        return false;
    }
    if (!str(p, it, "field", where, "days", &field))
        return false;
    if (!strcmp(field, "cronExpression")) {
        const char *expr;
        snprintf(where, sizeof where, "rule.interval[%zu].expression", i);
        return str(p, it, "expression", where, "", &expr) &&
               add_rule(s, p, expr, "cronExpression", 0, 0);
    }
    static const struct {
        const char *field, *param;
        double dflt;
        char rec;
    } kinds[] = {
        {"seconds", "secondsInterval", 30, 0}, {"minutes", "minutesInterval", 5, 0},
        {"hours", "hoursInterval", 1, 'h'},    {"days", "daysInterval", 1, 'd'},
        {"weeks", "weeksInterval", 1, 'w'},    {"months", "monthsInterval", 1, 'm'},
    };
    size_t k = 0;
    while (k < sizeof kinds / sizeof *kinds && strcmp(kinds[k].field, field))
        k++;
    if (k == sizeof kinds / sizeof *kinds) {
        sl_error_set(p->err, "node '%s': %s: unknown interval '%s'", p->node, where, field);
        return false;
    }
    double n, minute, hour, dom;
    bool minute_null, hour_null, dom_null;
    snprintf(where, sizeof where, "rule.interval[%zu].%s", i, kinds[k].param);
    if (!num(p, it, kinds[k].param, where, kinds[k].dflt, &n, NULL))
        return false;
    const char *bad = version >= 1.3 ? sl_schedule_interval_error(field, n) : NULL;
    if (bad) {
        sl_error_set(p->err, "node '%s': %s: %s", p->node, where, bad);
        return false;
    }
    char what[96];
    snprintf(what, sizeof what, "rule.interval[%zu] (%s)", i, field);
    snprintf(where, sizeof where, "rule.interval[%zu].triggerAtMinute", i);
    if (!num(p, it, "triggerAtMinute", where, 0, &minute, &minute_null))
        return false;
    snprintf(where, sizeof where, "rule.interval[%zu].triggerAtHour", i);
    if (!num(p, it, "triggerAtHour", where, 0, &hour, &hour_null))
        return false;
    snprintf(where, sizeof where, "rule.interval[%zu].triggerAtDayOfMonth", i);
    if (!num(p, it, "triggerAtDayOfMonth", where, 1, &dom, &dom_null))
        return false;
    /* n8n: `triggerAtMinute ?? randomInt(0, 60)` and the like */
    if (minute_null)
        minute = filler(node, i, "minute");
    if (hour_null)
        hour = filler(node, i, "hour") % 24;
    if (dom_null)
        dom = filler(node, i, "day") % 31;
    struct sl_buf b = {0};
    if (k == 0) {
        sl_buf_adds(&b, "*/");
        add_num(&b, n);
        sl_buf_adds(&b, " * * * * *");
    } else {
        sl_buf_addf(&b, "%d ", filler(node, i, "second"));
        if (k == 1) {
            sl_buf_adds(&b, "*/");
            add_num(&b, n);
            sl_buf_adds(&b, " * * * *");
        } else {
            add_num(&b, minute);
            sl_buf_addc(&b, ' ');
            if (k == 2) {
                sl_buf_adds(&b, "*/");
                add_num(&b, n);
                sl_buf_adds(&b, " * * *");
            } else {
                add_num(&b, hour);
                sl_buf_addc(&b, ' ');
            }
        }
    }
    if (k == 3)
        sl_buf_adds(&b, "* * *");
    if (k == 4) {
        json_t *days = json_object_get(it, "triggerAtDay");
        sl_buf_adds(&b, "* * ");
        if (!days) {
            sl_buf_adds(&b, "0");
        } else if (!json_is_array(days)) {
            sl_error_set(p->err, "node '%s': rule.interval[%zu].triggerAtDay: expected a list",
                         p->node, i);
            sl_buf_release(&b);
            return false;
        } else if (json_array_size(days) == 0) {
            sl_buf_adds(&b, "*");
        }
        size_t j;
        json_t *d;
        json_array_foreach(days, j, d)
        {
            if (j)
                sl_buf_addc(&b, ',');
            if (json_is_number(d))
                add_num(&b, json_number_value(d));
            else if (json_is_string(d))
                sl_buf_adds(&b, json_string_value(d));
        }
    }
    if (k == 5) {
        add_num(&b, dom);
        sl_buf_adds(&b, " */");
        add_num(&b, n);
        sl_buf_adds(&b, " *");
    }
    /* intervalToRecurrence: hours, days, weeks and months other than 1 */
    char rec = n != 1 ? kinds[k].rec : 0;
    bool ok = add_rule(s, p, b.data, what, rec, n);
    sl_buf_release(&b);
    return ok;
}

static bool parse_schedule_trigger(struct sl_schedule *s, struct pctx *p, const json_t *node)
{
    json_t *params = json_object_get(node, "parameters");
    json_t *rule = json_object_get(params, "rule");
    json_t *dflt = NULL;
    if (!rule)
        rule = dflt = json_pack("{s[{ss}]}", "interval", "field", "days");
    json_t *list = json_object_get(rule, "interval");
    bool ok = true;
    if (!json_is_array(list)) {
        sl_error_set(p->err, "node '%s': rule.interval: expected a list of trigger rules", p->node);
        ok = false;
    }
    json_t *ver = json_object_get(node, "typeVersion");
    double version = json_is_number(ver) ? json_number_value(ver) : 1;
    size_t i;
    json_t *it;
    if (ok)
        json_array_foreach(list, i, it)
        {
            if (!(ok = schedule_rule(s, p, node, it, i, version)))
                break;
        }
    json_decref(dflt);
    return ok;
}

static bool cron_item(struct sl_schedule *s, struct pctx *p, const json_t *node, const json_t *it,
                      size_t i)
{
    char where[96];
    const char *mode, *expr, *unit;
    double hour, minute, dom, value;
    const char *weekday = "1";
    if (!json_is_object(it)) {
        sl_error_set(p->err, "node '%s': triggerTimes.item[%zu]: expected an object", p->node, i);
        return false;
    }
#define PARAM(fn, key, ...)                                                                        \
    (snprintf(where, sizeof where, "triggerTimes.item[%zu].%s", i, key),                           \
     fn(p, it, key, where, __VA_ARGS__))
    if (!PARAM(str, "mode", "everyDay", &mode) || !PARAM(num, "hour", 14, &hour, NULL) ||
        !PARAM(num, "minute", 0, &minute, NULL) || !PARAM(num, "dayOfMonth", 1, &dom, NULL) ||
        !PARAM(num, "value", 2, &value, NULL) || !PARAM(str, "unit", "hours", &unit) ||
        !PARAM(str, "cronExpression", "* * * * * *", &expr))
        return false;
    json_t *wd = json_object_get(it, "weekday");
    char wdbuf[32];
    if (json_is_number(wd)) {
        snprintf(wdbuf, sizeof wdbuf, "%lld", (long long)json_number_value(wd));
        weekday = wdbuf;
    } else if (wd && !PARAM(str, "weekday", "1", &weekday)) {
        return false;
    }
#undef PARAM
    struct sl_buf b = {0};
    int sec = filler(node, i, "second");
    if (!strcmp(mode, "everyMinute")) {
        sl_buf_addf(&b, "%d * * * * *", sec);
    } else if (!strcmp(mode, "everyHour")) {
        sl_buf_addf(&b, "%d ", sec);
        add_num(&b, minute);
        sl_buf_adds(&b, " * * * *");
    } else if (!strcmp(mode, "everyX") && !strcmp(unit, "minutes")) {
        sl_buf_addf(&b, "%d */", sec);
        add_num(&b, value);
        sl_buf_adds(&b, " * * * *");
    } else if (!strcmp(mode, "everyX") && !strcmp(unit, "hours")) {
        sl_buf_addf(&b, "%d %d */", sec, filler(node, i, "minute"));
        add_num(&b, value);
        sl_buf_adds(&b, " * * *");
    } else if (!strcmp(mode, "everyDay") || !strcmp(mode, "everyWeek") ||
               !strcmp(mode, "everyMonth")) {
        sl_buf_addf(&b, "%d ", sec);
        add_num(&b, minute);
        sl_buf_addc(&b, ' ');
        add_num(&b, hour);
        if (!strcmp(mode, "everyDay")) {
            sl_buf_adds(&b, " * * *");
        } else if (!strcmp(mode, "everyWeek")) {
            sl_buf_addf(&b, " * * %s", weekday);
        } else {
            sl_buf_addc(&b, ' ');
            add_num(&b, dom);
            sl_buf_adds(&b, " * *");
        }
    } else if (!strcmp(mode, "custom")) {
        while (*expr == ' ' || (*expr >= '\t' && *expr <= '\r'))
            expr++;
        sl_buf_adds(&b, expr);
        while (b.len && strchr(" \t\n\v\f\r", b.data[b.len - 1]))
            b.data[--b.len] = '\0';
    } else {
        sl_error_set(p->err, "node '%s': triggerTimes.item[%zu].%s: unknown %s '%s'", p->node, i,
                     !strcmp(mode, "everyX") ? "unit" : "mode",
                     !strcmp(mode, "everyX") ? "unit" : "mode",
                     !strcmp(mode, "everyX") ? unit : mode);
        return false;
    }
    snprintf(where, sizeof where, "triggerTimes.item[%zu] (%s)", i, mode);
    bool ok = add_rule(s, p, b.data ? b.data : "", where, 0, 0);
    sl_buf_release(&b);
    return ok;
}

static bool parse_cron(struct sl_schedule *s, struct pctx *p, const json_t *node)
{
    json_t *times = json_object_get(json_object_get(node, "parameters"), "triggerTimes");
    json_t *items = json_object_get(times, "item");
    if (items && !json_is_array(items)) {
        sl_error_set(p->err, "node '%s': triggerTimes.item: expected a list", p->node);
        return false;
    }
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (!cron_item(s, p, node, it, i))
            return false;
    }
    return true;
}

static bool parse_interval(struct sl_schedule *s, struct pctx *p, const json_t *node,
                           int64_t activated_ms)
{
    json_t *params = json_object_get(node, "parameters");
    double interval;
    const char *unit;
    if (!num(p, params, "interval", "interval", 1, &interval, NULL) ||
        !str(p, params, "unit", "unit", "seconds", &unit))
        return false;
    if (interval <= 0) {
        sl_error_set(p->err,
                     "node '%s': interval: The interval has to be set to at least 1 or "
                     "higher!",
                     p->node);
        return false;
    }
    double ms = interval * 1000;
    if (!strcmp(unit, "minutes"))
        ms *= 60;
    else if (!strcmp(unit, "hours"))
        ms *= 3600;
    if (ms > 2147483647) {
        sl_error_set(p->err, "node '%s': interval: The interval value is too large.", p->node);
        return false;
    }
    /* setInterval truncates to whole milliseconds, at least 1 */
    s->period_ms = ms < 1 ? 1 : (int64_t)ms;
    s->activated_ms = activated_ms;
    return true;
}

struct sl_schedule *sl_schedule_new(const json_t *node, const char *tz, int64_t activated_ms,
                                    struct sl_error *err)
{
    const char *type = json_string_value(json_object_get(node, "type"));
    const char *name = json_string_value(json_object_get(node, "name"));
    struct pctx p = {name ? name : "", err};
    if (!sl_schedule_is_trigger(type)) {
        sl_error_set(err, "node '%s': type '%s' is not a time trigger", p.node, type ? type : "");
        return NULL;
    }
    struct sl_error zerr = {{0}};
    const struct sl_tz *z = sl_tz_open(tz ? tz : N8N_DEFAULT_ZONE, &zerr);
    if (!z) {
        sl_error_set(err, "node '%s': %s", p.node, zerr.msg);
        return NULL;
    }
    struct sl_schedule *s = sl_calloc(1, sizeof *s);
    s->tz = z;
    bool ok;
    if (!strcmp(type, "n8n-nodes-base.interval")) {
        s->kind = K_INTERVAL;
        ok = parse_interval(s, &p, node, activated_ms);
    } else if (!strcmp(type, "n8n-nodes-base.cron")) {
        s->kind = K_CRON;
        ok = parse_cron(s, &p, node);
    } else {
        s->kind = K_SCHEDULE;
        ok = parse_schedule_trigger(s, &p, node);
    }
    if (!ok) {
        sl_schedule_free(s);
        return NULL;
    }
    return s;
}

/* ---- firing ---- */

/* moment's week() in its default (en) locale: weeks start on Sunday and
 * the week holding January 1st is week 1. */
static int moment_week(const struct sl_tm *tm)
{
    int jan1 = (int)((tm->wday - (tm->yday - 1)) % 7 + 7) % 7;
    int week = (tm->yday + jan1 - 1) / 7 + 1;
    int days = tm->year % 4 == 0 && (tm->year % 100 != 0 || tm->year % 400 == 0) ? 366 : 365;
    int jan1_next = (jan1 + days) % 7;
    int weeks = (days + jan1 - jan1_next) / 7;
    return week > weeks ? week - weeks : week;
}

/* The value the recurrence check compares, at `ms`. */
static int rec_value(const struct sl_schedule *s, char rec, int64_t ms)
{
    struct sl_tm tm;
    sl_tz_to_local(s->tz, ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000), &tm);
    switch (rec) {
    case 'h':
        return tm.hour;
    case 'd':
        return tm.yday;
    case 'w':
        return moment_week(&tm);
    default:
        return tm.month - 1;
    }
}

/* n8n's recurrenceCheck, without its update. */
static bool rec_passes(const struct sl_schedule *s, const struct rule *r, int64_t ms)
{
    if (!r->rec || !r->has_last)
        return true;
    int v = rec_value(s, r->rec, ms);
    int mod = r->rec == 'h' ? 24 : r->rec == 'd' ? 365 : r->rec == 'w' ? 52 : 12;
    double want = fmod(r->rec_size + r->last, mod);
    return v == want || (r->rec == 'w' && v == r->last);
}

static int64_t rule_next(struct sl_schedule *s, struct rule *r, int64_t after_ms)
{
    if (!r->rec)
        return sl_cron_next(r->cron, s->tz, after_ms);
    /* a fire time handed out before and now passed has happened */
    if (r->pending >= 0 && after_ms >= r->pending) {
        r->last = rec_value(s, r->rec, r->pending);
        r->has_last = true;
        r->pos = r->pending;
        r->pending = -1;
    }
    int64_t t = after_ms > r->pos ? after_ms : r->pos;
    for (int i = 0; i < MAX_SKIPPED_TICKS; i++) {
        int64_t tick = sl_cron_next(r->cron, s->tz, t);
        if (tick < 0 || tick - after_ms > MAX_SKIP_MS)
            return -1;
        if (rec_passes(s, r, tick)) {
            r->pending = tick;
            return tick;
        }
        t = r->pos = tick; /* a tick that does not fire changes nothing */
    }
    return -1;
}

int64_t sl_schedule_next(struct sl_schedule *s, int64_t after_ms)
{
    if (s->kind == K_INTERVAL) {
        if (after_ms < s->activated_ms)
            return s->activated_ms + s->period_ms;
        return s->activated_ms + ((after_ms - s->activated_ms) / s->period_ms + 1) * s->period_ms;
    }
    int64_t best = -1;
    for (size_t i = 0; i < s->n; i++) {
        int64_t t = rule_next(s, &s->rules[i], after_ms);
        if (t >= 0 && (best < 0 || t < best))
            best = t;
    }
    return best;
}
