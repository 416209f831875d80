/*
 * Unit tests for util/cron: the syntax n8n's `cron` package accepts, its
 * errors, and next fire times in zones with DST.
 *
 * Expected fire times were computed with the `cron` npm package 3.1.7
 * that n8n 1.123 runs its schedules on (tests/tools/cron_reference.js):
 *   new CronTime(expr, zone).getNextDateFrom(DateTime.fromMillis(after).setZone(zone))
 * applied repeatedly (the expression, zone and start are in each row).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/cron.h"

struct row {
    const char *expr, *zone;
    int64_t after;
    int64_t want[5]; /* 0 ends the list */
};

static const struct row rows[] = {
    /* 02:30 daily in New York: on 2024-03-10 02:30 does not exist and the
     * package fires at the jump, 03:00 EDT (07:00Z) */
    {"0 30 2 * * *",
     "America/New_York",
     1709960000000,
     {1709969400000, 1710054000000, 1710138600000}},
    /* 01:30 on 2024-11-03 happens twice: fired once, at 01:30 EDT */
    {"0 30 1 * * *",
     "America/New_York",
     1730520000000,
     {1730525400000, 1730611800000, 1730701800000}},
    /* every minute from 01:58 EDT on 2024-11-03: 01:59 EDT, then 02:00 EST;
     * the repeated hour is skipped */
    {"0 * * * * *",
     "America/New_York",
     1730613480000,
     {1730613540000, 1730617200000, 1730617260000}},
    /* five fields: seconds 0; a start with milliseconds */
    {"*/15 * * * *", "Europe/Berlin", 1700000000123, {1700000100000, 1700001000000, 1700001900000}},
    /* Lord Howe skips 02:00-02:30 on 2024-10-06: 02:15 fires at 02:30 */
    {"0 15 2 * * *",
     "Australia/Lord_Howe",
     1728050000000,
     {1728056700000, 1728142200000, 1728227700000}},
    {"0 9 * * 1-5", "Asia/Kolkata", 1704067200000, {1704079800000, 1704166200000, 1704252600000}},
    /* the 31st: only months that have one */
    {"0 0 0 31 * *",
     "UTC",
     1704067200000,
     {1706659200000, 1711843200000, 1717113600000, 1722384000000}},
    /* February 30th wraps to the 1st (the package's _verifyParse) */
    {"0 0 30 2 *", "UTC", 1704067200000, {1706745600000, 1738368000000}},
    /* day of month and day of week both set: either matches */
    {"0 0 13 * fri",
     "UTC",
     1704067200000,
     {1704412800000, 1705017600000, 1705104000000, 1705622400000}},
    {"0 0 9 * JAN-MAR MON", "UTC", 1704067200000, {1704099600000, 1704704400000}},
    {"@weekly", "UTC", 1704067200000, {1704585600000, 1705190400000}},
    /* N/S runs from N to the field's end */
    {"5/15 * * * * *",
     "UTC",
     1704067200000,
     {1704067205000, 1704067220000, 1704067235000, 1704067250000, 1704067265000}},
    /* strictly after: a start on a fire time gives the next one */
    {"0 0 12 * * *", "UTC", 1704110400000, {1704196800000}},
    {"0 0 12 * * *", "UTC", 1704110399999, {1704110400000}},
    {"0 0 12 29 2 *", "UTC", 1704067200000, {1709208000000, 1835438400000}},
    /* 7 is Sunday */
    {"0 0 0 * * 7", "UTC", 1704067200000, {1704585600000, 1705190400000}},
};

static void next_times(void **state)
{
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const struct row *r = &rows[i];
        struct sl_error err = {{0}};
        const struct sl_tz *z = sl_tz_open(r->zone, &err);
        struct sl_cron *c = sl_cron_parse(r->expr, &err);
        if (!z || !c)
            fail_msg("'%s': %s", r->expr, err.msg);
        int64_t t = r->after;
        for (int k = 0; k < 5 && r->want[k]; k++) {
            t = sl_cron_next(c, z, t);
            if (t != r->want[k])
                fail_msg("'%s' in %s, fire %d: got %lld, want %lld", r->expr, r->zone, k,
                         (long long)t, (long long)r->want[k]);
        }
        sl_cron_free(c);
    }
}

static void errors(void **state)
{
    static const char *const bad[][2] = {
        {"61 * * * *", "minute: 61 is out of range 0-59"},
        {"100 * * * *", "minute: 100 is out of range 0-59"},
        {"0 0 0 0 * *", "day of month: 0 is out of range 1-31"},
        {"* * * 13 *", "month: 13 is out of range 1-12"},
        {"* * * * 8", "day of week: 8 is out of range 0-7"},
        {"* * * *", "4 fields, expected 5 or 6"},
        {"* * * * * * *", "7 fields, expected 5 or 6"},
        {"", "0 fields, expected 5 or 6"},
        {"@daily *", "unknown name 'dai'"},
        {"0 0 ? * *", "day of month: cannot parse '?'"},
        {"0 0 L * *", "day of month: unknown name 'l'"},
        {"0 0 * * 5#2", "day of week: cannot parse '5#2'"},
        {"*/0 * * * *", "minute: step of zero in '*/0'"},
        {"5-1 * * * *", "minute: invalid range in '5-1'"},
        {"5* * * * *", "minute: invalid wildcard in '5*'"},
        {"1,,2 * * * *", "minute: cannot parse '1,,2'"},
        {"* * * * sunday", "day of week: unknown name 'day'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct sl_error err = {{0}};
        struct sl_cron *c = sl_cron_parse(bad[i][0], &err);
        if (c)
            fail_msg("'%s' parsed", bad[i][0]);
        if (strcmp(err.msg, bad[i][1]))
            fail_msg("'%s': got '%s', want '%s'", bad[i][0], err.msg, bad[i][1]);
    }
}

static void accepted(void **state)
{
    /* forms the package takes: names in any case and any field, 0-7 and
     * steps over a range, extra white space */
    static const char *const good[] = {"0 0 * * MON-FRI",   "  0   0 * * *  ", "0 0 1 jan,jul *",
                                       "0-59/20 * * * * *", "@HOURLY",         "* * * * * 0-7",
                                       "1-10/3 2 * * *",    "0 0 1 1 *\t"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        struct sl_error err = {{0}};
        struct sl_cron *c = sl_cron_parse(good[i], &err);
        if (!c)
            fail_msg("'%s': %s", good[i], err.msg);
        sl_cron_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(next_times),
        cmocka_unit_test(errors),
        cmocka_unit_test(accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
