/*
 * Unit tests for server/schedule: every rule kind of Schedule Trigger, the
 * legacy Cron and Interval nodes, zones with DST, n8n's recurrence check
 * and the errors for bad parameters.
 *
 * The expected times follow n8n 1.123's source: ScheduleTrigger's
 * GenericFunctions (toCronExpression, intervalToRecurrence,
 * recurrenceCheck), n8n-workflow's cron.ts for the Cron node, Interval's
 * setInterval, and the `cron` package's stepping (DST results were
 * computed with that package, see test_cron.c). n8n picks the filler
 * second of generated expressions at random, so those tests read it from
 * the first fire and check that every fire has the same one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "server/schedule.h"
#include "util/tz.h"

static json_t *J(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    if (!v)
        fail_msg("bad JSON in test: %s: %s", e.text, text);
    return v;
}

static struct sl_schedule *make(const char *node_json, const char *tz, int64_t activated)
{
    json_t *node = J(node_json);
    struct sl_error err = {{0}};
    struct sl_schedule *s = sl_schedule_new(node, tz, activated, &err);
    json_decref(node);
    if (!s)
        fail_msg("%s", err.msg);
    return s;
}

/* The local time of epoch ms `t` in `zone` as "YYYY-MM-DD HH:MM:SS". */
static const char *local(const char *zone, int64_t t)
{
    static char buf[4][32];
    static int k;
    struct sl_error err = {{0}};
    struct sl_tm tm;
    sl_tz_to_local(sl_tz_open(zone, &err), t / 1000, &tm);
    char *b = buf[k++ % 4];
    snprintf(b, 32, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)tm.year, tm.month, tm.day,
             tm.hour, tm.minute, tm.second);
    return b;
}

/* Asserts the next fires after `after`, each from the one before, as
 * local times in `zone`; "SS" in a wanted time stands for the rule's
 * filler second, the same in every fire. Returns the last fire. */
static int64_t expect(struct sl_schedule *s, const char *zone, int64_t after,
                      const char *const *want, size_t n)
{
    int filler = -1;
    int64_t t = after;
    for (size_t i = 0; i < n; i++) {
        t = sl_schedule_next(s, t);
        if (t < 0)
            fail_msg("fire %zu: none, want %s", i, want[i]);
        const char *got = local(zone, t);
        char w[32];
        snprintf(w, sizeof w, "%s", want[i]);
        char *ss = strstr(w, "SS");
        if (ss) {
            int sec = atoi(got + 17);
            if (filler < 0)
                filler = sec;
            if (sec != filler)
                fail_msg("fire %zu: second %d, the rule's is %d", i, sec, filler);
            ss[0] = got[17];
            ss[1] = got[18];
        }
        if (strcmp(got, w))
            fail_msg("fire %zu: got %s, want %s", i, got, want[i]);
    }
    return t;
}

#define EXPECT(s, zone, after, ...)                                                                \
    expect(s, zone, after, (const char *const[]){__VA_ARGS__},                                     \
           sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

#define ST(params, ver)                                                                            \
    "{\"id\":\"a1\",\"name\":\"Schedule\",\"type\":\"n8n-nodes-base.scheduleTrigger\","            \
    "\"typeVersion\":" ver ",\"parameters\":" params "}"

/* 2024-01-01T12:00:00Z, a Monday */
#define JAN1 1704110400000LL

static void seconds_rule(void **state)
{
    /* "*\/45 * * * * *": seconds 0 and 45 of each minute, not every 45 s */
    struct sl_schedule *s = make(
        ST("{\"rule\":{\"interval\":[{\"field\":\"seconds\",\"secondsInterval\":45}]}}", "1.2"),
        "UTC", 0);
    EXPECT(s, "UTC", JAN1, "2024-01-01 12:00:45", "2024-01-01 12:01:00", "2024-01-01 12:01:45");
    sl_schedule_free(s);
    /* default: every 30 seconds */
    s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"seconds\"}]}}", "1.1"), "UTC", 0);
    EXPECT(s, "UTC", JAN1, "2024-01-01 12:00:30", "2024-01-01 12:01:00");
    sl_schedule_free(s);
}

static void minutes_and_hours(void **state)
{
    /* default minutesInterval 5: minutes divisible by 5, at the filler second */
    struct sl_schedule *s =
        make(ST("{\"rule\":{\"interval\":[{\"field\":\"minutes\"}]}}", "1.2"), "UTC", 0);
    EXPECT(s, "UTC", JAN1 + 1000 * 60, "2024-01-01 12:05:SS", "2024-01-01 12:10:SS",
           "2024-01-01 12:15:SS");
    sl_schedule_free(s);
    /* every hour at minute 15 */
    s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"hours\",\"triggerAtMinute\":15}]}}", "1.2"),
             "Asia/Kolkata", 0);
    EXPECT(s, "Asia/Kolkata", JAN1, "2024-01-01 18:15:SS", "2024-01-01 19:15:SS",
           "2024-01-01 20:15:SS");
    sl_schedule_free(s);
    /* every 6 hours: hours 0, 6, 12, 18 (6 divides 24: the recurrence
     * check passes each tick) */
    s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"hours\",\"hoursInterval\":6}]}}", "1.2"),
             "UTC", 0);
    EXPECT(s, "UTC", JAN1 + 60000, "2024-01-01 18:00:SS", "2024-01-02 00:00:SS",
           "2024-01-02 06:00:SS", "2024-01-02 12:00:SS");
    sl_schedule_free(s);
}

static void hours_recurrence_quirk(void **state)
{
    /* every 5 hours: cron ticks at 0, 5, 10, 15, 20; n8n's check wants
     * (5 + last) % 24, so after 20 it waits for hour 1, which never ticks:
     * the rule fires 4 times from 03:00 and then never again, as in n8n */
    struct sl_schedule *s =
        make(ST("{\"rule\":{\"interval\":[{\"field\":\"hours\",\"hoursInterval\":5}]}}", "1.2"),
             "UTC", 0);
    int64_t t = EXPECT(s, "UTC", JAN1 - 9 * 3600 * 1000LL, "2024-01-01 05:00:SS",
                       "2024-01-01 10:00:SS", "2024-01-01 15:00:SS", "2024-01-01 20:00:SS");
    assert_int_equal(sl_schedule_next(s, t), -1);
    sl_schedule_free(s);
}

static void days_dst_gap(void **state)
{
    /* every day at 02:30 in New York: on 2024-03-10 02:30 does not exist;
     * the cron package fires once, at the jump (03:00:00 EDT) */
    struct sl_schedule *s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"days\","
                                    "\"triggerAtHour\":2,\"triggerAtMinute\":30}]}}",
                                    "1.2"),
                                 "America/New_York", 0);
    int64_t t = EXPECT(s, "America/New_York", 1709960000000, "2024-03-09 02:30:SS");
    t = EXPECT(s, "America/New_York", t, "2024-03-10 03:00:00");
    EXPECT(s, "America/New_York", t, "2024-03-11 02:30:SS", "2024-03-12 02:30:SS");
    sl_schedule_free(s);
    /* 01:30 on 2024-11-03 happens twice: it fires once */
    s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"days\","
                "\"triggerAtHour\":1,\"triggerAtMinute\":30}]}}",
                "1.2"),
             "America/New_York", 0);
    t = EXPECT(s, "America/New_York", 1730563200000, "2024-11-03 01:30:SS");
    struct sl_tm tm;
    struct sl_error err = {{0}};
    sl_tz_to_local(sl_tz_open("America/New_York", &err), t / 1000, &tm);
    assert_int_equal(tm.offset, -4 * 3600); /* the first one, EDT */
    EXPECT(s, "America/New_York", t, "2024-11-04 01:30:SS");
    sl_schedule_free(s);
    /* Lord Howe skips 02:00-02:30 on 2024-10-06: 02:15 fires at 02:30 */
    s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"days\","
                "\"triggerAtHour\":2,\"triggerAtMinute\":15}]}}",
                "1.2"),
             "Australia/Lord_Howe", 0);
    EXPECT(s, "Australia/Lord_Howe", 1728050000000, "2024-10-05 02:15:SS", "2024-10-06 02:30:00",
           "2024-10-07 02:15:SS");
    sl_schedule_free(s);
}

static void days_interval(void **state)
{
    /* every 3 days at 08:00: daily ticks filtered by day of the year */
    struct sl_schedule *s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"days\","
                                    "\"daysInterval\":3,\"triggerAtHour\":8}]}}",
                                    "1.2"),
                                 "Europe/Berlin", 0);
    EXPECT(s, "Europe/Berlin", JAN1, "2024-01-02 08:00:SS", "2024-01-05 08:00:SS",
           "2024-01-08 08:00:SS");
    sl_schedule_free(s);
}

static void weeks(void **state)
{
    /* Monday, Wednesday and Friday at 09:05 in Berlin */
    struct sl_schedule *s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"weeks\","
                                    "\"triggerAtDay\":[1,3,5],\"triggerAtHour\":9,"
                                    "\"triggerAtMinute\":5}]}}",
                                    "1.2"),
                                 "Europe/Berlin", 0);
    EXPECT(s, "Europe/Berlin", JAN1, "2024-01-03 09:05:SS", "2024-01-05 09:05:SS",
           "2024-01-08 09:05:SS", "2024-01-10 09:05:SS");
    sl_schedule_free(s);
    /* every 2 weeks on Tuesday and Thursday: moment's week of 2024-01-02
     * is 1; days of that week fire, week 2 does not, week 3 does */
    s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"weeks\",\"weeksInterval\":2,"
                "\"triggerAtDay\":[2,4],\"triggerAtHour\":7}]}}",
                "1.2"),
             "UTC", 0);
    EXPECT(s, "UTC", JAN1, "2024-01-02 07:00:SS", "2024-01-04 07:00:SS", "2024-01-16 07:00:SS",
           "2024-01-18 07:00:SS", "2024-01-30 07:00:SS");
    sl_schedule_free(s);
    /* no weekday chosen: every day; the default is Sunday */
    s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"weeks\",\"triggerAtDay\":[]}]}}", "1.2"),
             "UTC", 0);
    EXPECT(s, "UTC", JAN1, "2024-01-02 00:00:SS", "2024-01-03 00:00:SS");
    sl_schedule_free(s);
    s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"weeks\"}]}}", "1.2"), "UTC", 0);
    EXPECT(s, "UTC", JAN1, "2024-01-07 00:00:SS", "2024-01-14 00:00:SS");
    sl_schedule_free(s);
}

static void months(void **state)
{
    /* the 31st: months without one are skipped */
    struct sl_schedule *s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"months\","
                                    "\"triggerAtDayOfMonth\":31,\"triggerAtHour\":23,"
                                    "\"triggerAtMinute\":59}]}}",
                                    "1.2"),
                                 "UTC", 0);
    EXPECT(s, "UTC", JAN1, "2024-01-31 23:59:SS", "2024-03-31 23:59:SS", "2024-05-31 23:59:SS",
           "2024-07-31 23:59:SS", "2024-08-31 23:59:SS");
    sl_schedule_free(s);
    /* every 2 months on the 15th: cron months 1,3,5,...; n8n's check
     * passes each of them */
    s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"months\",\"monthsInterval\":2,"
                "\"triggerAtDayOfMonth\":15,\"triggerAtHour\":6}]}}",
                "1.2"),
             "UTC", 0);
    EXPECT(s, "UTC", JAN1, "2024-01-15 06:00:SS", "2024-03-15 06:00:SS", "2024-05-15 06:00:SS");
    sl_schedule_free(s);
    /* the default rule: every day at midnight in n8n's default zone */
    s = make("{\"name\":\"S\",\"type\":\"n8n-nodes-base.scheduleTrigger\",\"typeVersion\":1.2,"
             "\"parameters\":{}}",
             NULL, 0);
    EXPECT(s, "America/New_York", JAN1, "2024-01-02 00:00:SS", "2024-01-03 00:00:SS");
    sl_schedule_free(s);
}

static void cron_rules_and_several(void **state)
{
    struct sl_schedule *s = make(ST("{\"rule\":{\"interval\":[{\"field\":\"cronExpression\","
                                    "\"expression\":\"0 9 * * 1-5\"}]}}",
                                    "1"),
                                 "Asia/Kolkata", 0);
    /* 2024-01-05 is a Friday */
    EXPECT(s, "Asia/Kolkata", JAN1 + 4 * 86400000LL, "2024-01-08 09:00:00", "2024-01-09 09:00:00");
    sl_schedule_free(s);
    /* several rules: the earliest of them */
    s = make(ST("{\"rule\":{\"interval\":["
                "{\"field\":\"cronExpression\",\"expression\":\"0 0 18 * * *\"},"
                "{\"field\":\"cronExpression\",\"expression\":\"30 15 13 * * *\"},"
                "{\"field\":\"cronExpression\",\"expression\":\"0 0 0 1 * *\"}]}}",
                "1.2"),
             "UTC", 0);
    EXPECT(s, "UTC", JAN1, "2024-01-01 13:15:30", "2024-01-01 18:00:00", "2024-01-02 13:15:30");
    sl_schedule_free(s);
}

#define CRON(items)                                                                                \
    "{\"id\":\"c1\",\"name\":\"Cron\",\"type\":\"n8n-nodes-base.cron\",\"typeVersion\":1,"         \
    "\"parameters\":{\"triggerTimes\":{\"item\":" items "}}}"

static void cron_node(void **state)
{
    struct sl_schedule *s = make(CRON("[{\"mode\":\"everyMinute\"}]"), "UTC", 0);
    EXPECT(s, "UTC", JAN1 - 1, "2024-01-01 12:00:SS", "2024-01-01 12:01:SS");
    sl_schedule_free(s);
    s = make(CRON("[{\"mode\":\"everyHour\",\"minute\":7}]"), "UTC", 0);
    EXPECT(s, "UTC", JAN1, "2024-01-01 12:07:SS", "2024-01-01 13:07:SS");
    sl_schedule_free(s);
    /* everyDay's defaults: 14:00 */
    s = make(CRON("[{}]"), "Europe/Berlin", 0);
    EXPECT(s, "Europe/Berlin", JAN1, "2024-01-01 14:00:SS", "2024-01-02 14:00:SS");
    sl_schedule_free(s);
    s = make(CRON("[{\"mode\":\"everyWeek\",\"hour\":8,\"minute\":30,\"weekday\":\"3\"}]"), "UTC",
             0);
    EXPECT(s, "UTC", JAN1, "2024-01-03 08:30:SS", "2024-01-10 08:30:SS");
    sl_schedule_free(s);
    s = make(CRON("[{\"mode\":\"everyMonth\",\"hour\":1,\"dayOfMonth\":15}]"), "UTC", 0);
    EXPECT(s, "UTC", JAN1, "2024-01-15 01:00:SS", "2024-02-15 01:00:SS");
    sl_schedule_free(s);
    s = make(CRON("[{\"mode\":\"everyX\",\"value\":10,\"unit\":\"minutes\"}]"), "UTC", 0);
    EXPECT(s, "UTC", JAN1 + 60000, "2024-01-01 12:10:SS", "2024-01-01 12:20:SS");
    sl_schedule_free(s);
    /* every 6 hours at a filler minute: hours 0, 6, 12, 18 */
    s = make(CRON("[{\"mode\":\"everyX\",\"value\":6}]"), "UTC", 0);
    int64_t t = sl_schedule_next(s, JAN1);
    int64_t t2 = sl_schedule_next(s, t);
    assert_int_equal(t2 - t, 6 * 3600 * 1000LL);
    assert_int_equal((t / 1000 / 3600) % 6, 0);
    sl_schedule_free(s);
    /* custom, and several items: the earliest */
    s = make(CRON("[{\"mode\":\"custom\",\"cronExpression\":\" 0 0 12 * * 1-5 \"},"
                  "{\"mode\":\"custom\",\"cronExpression\":\"0 30 6 * * *\"}]"),
             "UTC", 0);
    EXPECT(s, "UTC", JAN1, "2024-01-02 06:30:00", "2024-01-02 12:00:00", "2024-01-03 06:30:00");
    sl_schedule_free(s);
    /* no items: never */
    s = make("{\"name\":\"C\",\"type\":\"n8n-nodes-base.cron\",\"parameters\":{}}", "UTC", 0);
    assert_int_equal(sl_schedule_next(s, JAN1), -1);
    sl_schedule_free(s);
}

#define INTERVAL(params)                                                                           \
    "{\"name\":\"Tick\",\"type\":\"n8n-nodes-base.interval\",\"typeVersion\":1,"                   \
    "\"parameters\":" params "}"

static void interval_node(void **state)
{
    /* counted from activation, not from the clock's minutes */
    int64_t act = JAN1 + 12345;
    struct sl_schedule *s = make(INTERVAL("{\"interval\":90}"), "UTC", act);
    assert_int_equal(sl_schedule_next(s, act), act + 90000);
    assert_int_equal(sl_schedule_next(s, act + 90000), act + 180000);
    assert_int_equal(sl_schedule_next(s, act + 100000), act + 180000);
    assert_int_equal(sl_schedule_next(s, act - 5000), act + 90000);
    sl_schedule_free(s);
    /* default: every second */
    s = make(INTERVAL("{}"), NULL, act);
    assert_int_equal(sl_schedule_next(s, act), act + 1000);
    sl_schedule_free(s);
    s = make(INTERVAL("{\"interval\":2,\"unit\":\"minutes\"}"), "UTC", act);
    assert_int_equal(sl_schedule_next(s, act), act + 120000);
    sl_schedule_free(s);
    s = make(INTERVAL("{\"interval\":\"3\",\"unit\":\"hours\"}"), "UTC", act);
    assert_int_equal(sl_schedule_next(s, act), act + 3 * 3600000LL);
    sl_schedule_free(s);
    /* fractions: whole milliseconds, as setInterval */
    s = make(INTERVAL("{\"interval\":0.0015}"), "UTC", act);
    assert_int_equal(sl_schedule_next(s, act), act + 1);
    sl_schedule_free(s);
}

static void errors(void **state)
{
    static const char *const bad[][2] = {
        {"{\"name\":\"Every minute\",\"type\":\"n8n-nodes-base.scheduleTrigger\",\"typeVersion\":"
         "1.2,\"parameters\":{\"rule\":{\"interval\":[{\"field\":\"cronExpression\","
         "\"expression\":\"61 * * * *\"}]}}}",
         "node 'Every minute': cronExpression '61 * * * *': minute: 61 is out of range 0-59"},
        {ST("{\"rule\":{\"interval\":[{\"field\":\"cronExpression\"}]}}", "1.2"),
         "node 'Schedule': cronExpression '': 0 fields, expected 5 or 6"},
        {ST("{\"rule\":{\"interval\":[{\"field\":\"seconds\",\"secondsInterval\":0}]}}", "1.3"),
         "node 'Schedule': rule.interval[0].secondsInterval: Seconds must be in range 1-59"},
        {ST("{\"rule\":{\"interval\":[{},{\"field\":\"hours\",\"hoursInterval\":24}]}}", "1.3"),
         "node 'Schedule': rule.interval[1].hoursInterval: Hours must be in range 1-23"},
        {ST("{\"rule\":{\"interval\":[{\"field\":\"months\",\"monthsInterval\":0}]}}", "1.3"),
         "node 'Schedule': rule.interval[0].monthsInterval: Months must be larger than 0"},
        /* before v1.3 the generated expression is what fails */
        {ST("{\"rule\":{\"interval\":[{\"field\":\"minutes\",\"minutesInterval\":0}]}}", "1.2"),
         NULL},
        {ST("{\"rule\":{\"interval\":[{\"field\":\"days\",\"triggerAtHour\":24}]}}", "1.2"), NULL},
        {ST("{\"rule\":{\"interval\":[{\"field\":\"fortnights\"}]}}", "1.2"),
         "node 'Schedule': rule.interval[0].field: unknown interval 'fortnights'"},
        {ST("{\"rule\":{\"interval\":[{\"field\":\"hours\",\"hoursInterval\":\"={{ 2 }}\"}]}}",
            "1.2"),
         "node 'Schedule': rule.interval[0].hoursInterval: expressions are not supported in "
         "schedules"},
        {ST("{\"rule\":{\"interval\":[{\"field\":\"weeks\",\"triggerAtDay\":1}]}}", "1.2"),
         "node 'Schedule': rule.interval[0].triggerAtDay: expected a list"},
        {ST("{\"rule\":{}}", "1.2"),
         "node 'Schedule': rule.interval: expected a list of trigger rules"},
        {CRON("[{\"mode\":\"custom\",\"cronExpression\":\"0 0 ? * *\"}]"),
         "node 'Cron': triggerTimes.item[0] (custom) '0 0 ? * *': day of month: cannot parse "
         "'?'"},
        {CRON("[{\"mode\":\"everyX\",\"unit\":\"days\"}]"),
         "node 'Cron': triggerTimes.item[0].unit: unknown unit 'days'"},
        {CRON("[{\"mode\":\"hourly\"}]"),
         "node 'Cron': triggerTimes.item[0].mode: unknown mode 'hourly'"},
        {INTERVAL("{\"interval\":0}"),
         "node 'Tick': interval: The interval has to be set to at least 1 or higher!"},
        {INTERVAL("{\"interval\":600000,\"unit\":\"hours\"}"),
         "node 'Tick': interval: The interval value is too large."},
        {INTERVAL("{\"interval\":\"soon\"}"), "node 'Tick': interval: expected a number"},
        {"{\"name\":\"M\",\"type\":\"n8n-nodes-base.manualTrigger\"}",
         "node 'M': type 'n8n-nodes-base.manualTrigger' is not a time trigger"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *node = J(bad[i][0]);
        struct sl_error err = {{0}};
        struct sl_schedule *s = sl_schedule_new(node, "UTC", 0, &err);
        json_decref(node);
        if (s)
            fail_msg("accepted: %s", bad[i][0]);
        if (bad[i][1] && strcmp(err.msg, bad[i][1]))
            fail_msg("got '%s', want '%s'", err.msg, bad[i][1]);
        if (!bad[i][1] && !strstr(err.msg, "node 'Schedule': rule.interval[0] ("))
            fail_msg("got '%s'", err.msg);
    }
    /* a zone that does not exist */
    json_t *node = J(INTERVAL("{}"));
    struct sl_error err = {{0}};
    assert_null(sl_schedule_new(node, "Mars/Olympus_Mons", 0, &err));
    assert_string_equal(err.msg, "node 'Tick': time zone 'Mars/Olympus_Mons': no such zone");
    json_decref(node);
}

static void is_trigger(void **state)
{
    assert_true(sl_schedule_is_trigger("n8n-nodes-base.scheduleTrigger"));
    assert_true(sl_schedule_is_trigger("n8n-nodes-base.cron"));
    assert_true(sl_schedule_is_trigger("n8n-nodes-base.interval"));
    assert_false(sl_schedule_is_trigger("n8n-nodes-base.webhook"));
    assert_false(sl_schedule_is_trigger(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seconds_rule),
        cmocka_unit_test(minutes_and_hours),
        cmocka_unit_test(hours_recurrence_quirk),
        cmocka_unit_test(days_dst_gap),
        cmocka_unit_test(days_interval),
        cmocka_unit_test(weeks),
        cmocka_unit_test(months),
        cmocka_unit_test(cron_rules_and_several),
        cmocka_unit_test(cron_node),
        cmocka_unit_test(interval_node),
        cmocka_unit_test(errors),
        cmocka_unit_test(is_trigger),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
