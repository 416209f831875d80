/*
 * Unit tests for util/tz: TZif zones, the POSIX footer rule, both
 * conversions around DST transitions, and refused names and files.
 *
 * Expected values come from Python 3.11's zoneinfo on the same tzdata
 * (2025b), e.g. datetime.fromtimestamp(t, ZoneInfo(z)) and
 * datetime(..., tzinfo=ZoneInfo(z), fold=0).timestamp(); fold=0 is the
 * first instant of a repeated time and, for a skipped time, the reading
 * with the offset before the jump: util/tz.h's rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/tz.h"

static const struct sl_tz *zone(const char *name)
{
    struct sl_error err = {{0}};
    const struct sl_tz *z = sl_tz_open(name, &err);
    if (!z)
        fail_msg("%s", err.msg);
    return z;
}

/* Asserts the local time of `t` in `z`: "YYYY-MM-DD HH:MM:SS", offset,
 * DST flag, weekday and day of the year. */
static void check_local(const char *name, int64_t t, const char *want, int offset, int dst,
                        int wday, int yday)
{
    struct sl_tm tm;
    sl_tz_to_local(zone(name), t, &tm);
    char got[64];
    snprintf(got, sizeof got, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)tm.year, tm.month,
             tm.day, tm.hour, tm.minute, tm.second);
    if (strcmp(got, want))
        fail_msg("%s at %lld: got %s, want %s", name, (long long)t, got, want);
    assert_int_equal(tm.offset, offset);
    assert_int_equal(tm.is_dst, dst);
    assert_int_equal(tm.wday, wday);
    assert_int_equal(tm.yday, yday);
}

static void new_york(void **state)
{
    /* spring forward 2024-03-10 02:00 EST -> 03:00 EDT */
    check_local("America/New_York", 1710053999, "2024-03-10 01:59:59", -18000, 0, 0, 70);
    check_local("America/New_York", 1710054000, "2024-03-10 03:00:00", -14400, 1, 0, 70);
    /* fall back 2024-11-03 02:00 EDT -> 01:00 EST */
    check_local("America/New_York", 1730613599, "2024-11-03 01:59:59", -14400, 1, 0, 308);
    check_local("America/New_York", 1730613600, "2024-11-03 01:00:00", -18000, 0, 0, 308);
    /* after the table's last transition (2037): the footer rule */
    check_local("America/New_York", 4118054400, "2100-06-30 12:00:00", -14400, 1, 3, 181);
    check_local("America/New_York", 4102444800, "2099-12-31 19:00:00", -18000, 0, 4, 365);
    /* before the first transition: local mean time, -4:56:02 */
    check_local("America/New_York", -5364662400, "1799-12-31 19:03:58", -17762, 0, 2, 365);
}

static void berlin_kolkata_utc(void **state)
{
    check_local("Europe/Berlin", 1711846799, "2024-03-31 01:59:59", 3600, 0, 0, 91);
    check_local("Europe/Berlin", 1711846800, "2024-03-31 03:00:00", 7200, 1, 0, 91);
    check_local("Europe/Berlin", 1729990799, "2024-10-27 02:59:59", 7200, 1, 0, 301);
    check_local("Europe/Berlin", 1729990800, "2024-10-27 02:00:00", 3600, 0, 0, 301);
    check_local("Asia/Kolkata", 1700000000, "2023-11-15 03:43:20", 19800, 0, 3, 319);
    check_local("UTC", 951782400, "2000-02-29 00:00:00", 0, 0, 2, 60);
    check_local("Etc/UTC", 951782400, "2000-02-29 00:00:00", 0, 0, 2, 60);
    assert_ptr_equal(zone("utc"), sl_tz_utc());
}

static void lord_howe(void **state)
{
    /* +10:30 standard, +11 in summer: 30-minute jumps */
    check_local("Australia/Lord_Howe", 1712415599, "2024-04-07 01:59:59", 39600, 1, 0, 98);
    check_local("Australia/Lord_Howe", 1712415600, "2024-04-07 01:30:00", 37800, 0, 0, 98);
    check_local("Australia/Lord_Howe", 1728142199, "2024-10-06 01:59:59", 37800, 0, 0, 280);
    check_local("Australia/Lord_Howe", 1728142200, "2024-10-06 02:30:00", 39600, 1, 0, 280);
    check_local("Australia/Lord_Howe", 4118054400, "2100-07-01 02:30:00", 37800, 0, 4, 182);
}

static void from_local(void **state)
{
    const struct sl_tz *ny = zone("America/New_York");
    int off;
    /* skipped: read with EST, lands at 03:30 EDT */
    assert_int_equal(sl_tz_from_local(ny, 2024, 3, 10, 2, 30, 0, &off), 1710055800);
    assert_int_equal(off, -14400);
    /* repeated: the first (EDT) instant */
    assert_int_equal(sl_tz_from_local(ny, 2024, 11, 3, 1, 30, 0, &off), 1730611800);
    assert_int_equal(off, -14400);
    assert_int_equal(sl_tz_from_local(ny, 2100, 7, 4, 12, 0, 0, NULL), 4118400000);
    const struct sl_tz *be = zone("Europe/Berlin");
    assert_int_equal(sl_tz_from_local(be, 2024, 3, 31, 2, 15, 0, NULL), 1711847700);
    const struct sl_tz *lh = zone("Australia/Lord_Howe");
    /* 02:15 skipped on 2024-10-06 (02:00 -> 02:30): read at +10:30 */
    assert_int_equal(sl_tz_from_local(lh, 2024, 10, 6, 2, 15, 0, NULL), 1728143100);
    /* 01:45 twice on 2024-04-07: the first, at +11 */
    assert_int_equal(sl_tz_from_local(lh, 2024, 4, 7, 1, 45, 0, NULL), 1712414700);
    assert_int_equal(sl_tz_from_local(zone("Asia/Kolkata"), 2024, 1, 1, 0, 0, 0, NULL), 1704047400);
    /* fields carry over: 2023-12-31 24:00 is 2024-01-01 00:00 */
    assert_int_equal(sl_tz_from_local(zone("Asia/Kolkata"), 2023, 12, 31, 24, 0, 0, NULL),
                     1704047400);
    assert_int_equal(sl_tz_from_local(sl_tz_utc(), 2000, 14, 1, 0, 0, 0, NULL),
                     sl_tz_from_local(sl_tz_utc(), 2001, 2, 1, 0, 0, 0, NULL));
}

static void from_local_guess(void **state)
{
    const struct sl_tz *ny = zone("America/New_York");
    int64_t local = sl_days_from_civil(2024, 11, 3) * 86400 + 5400; /* 01:30 */
    int off;
    /* a repeated time keeps a valid guess: EST gives the second instant */
    assert_int_equal(sl_tz_from_local_guess(ny, local, -18000, &off), 1730615400);
    assert_int_equal(off, -18000);
    assert_int_equal(sl_tz_from_local_guess(ny, local, -14400, &off), 1730611800);
    /* a skipped time moves forward by the jump, whatever the guess */
    int64_t gap = sl_days_from_civil(2024, 3, 10) * 86400 + 9000; /* 02:30 */
    assert_int_equal(sl_tz_from_local_guess(ny, gap, -18000, &off), 1710055800);
    assert_int_equal(off, -14400);
    assert_int_equal(sl_tz_from_local_guess(ny, gap, -14400, &off), 1710055800);
}

/* A "slim" TZif file: version 2, no transitions, only the footer rule. */
static size_t slim_tzif(unsigned char *buf, const char *rule, int32_t std_off)
{
    memset(buf, 0, 44);
    memcpy(buf, "TZif2", 5);
    buf[39] = 1; /* typecnt */
    buf[43] = 4; /* charcnt */
    size_t n = 44;
    memcpy(buf + n, "\0\0\0\0\0\0LMT", 10); /* v1 body: one type, "LMT\0" */
    n += 10;
    memcpy(buf + n, buf, 44);
    n += 44;
    buf[n++] = (unsigned char)((uint32_t)std_off >> 24);
    buf[n++] = (unsigned char)((uint32_t)std_off >> 16);
    buf[n++] = (unsigned char)((uint32_t)std_off >> 8);
    buf[n++] = (unsigned char)std_off;
    buf[n++] = 0;
    buf[n++] = 0;
    memcpy(buf + n, "STD", 4);
    n += 4;
    n += (size_t)sprintf((char *)buf + n, "\n%s\n", rule);
    return n;
}

static void footer_only(void **state)
{
    unsigned char buf[256];
    struct sl_error err = {{0}};
    size_t n = slim_tzif(buf, "EST5EDT,M3.2.0,M11.1.0", -18000);
    struct sl_tz *z = sl_tz_parse("slim", buf, n, &err);
    assert_non_null(z);
    /* the same instants as America/New_York above */
    assert_int_equal(sl_tz_offset(z, 1710053999), -18000);
    assert_int_equal(sl_tz_offset(z, 1710054000), -14400);
    assert_int_equal(sl_tz_offset(z, 1730613599), -14400);
    assert_int_equal(sl_tz_offset(z, 1730613600), -18000);
    assert_int_equal(sl_tz_from_local(z, 2024, 3, 10, 2, 30, 0, NULL), 1710055800);
    assert_int_equal(sl_tz_from_local(z, 2024, 11, 3, 1, 30, 0, NULL), 1730611800);
    sl_tz_free(z);

    /* southern hemisphere, half-hour DST: Lord Howe's own footer */
    n = slim_tzif(buf, "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 37800);
    z = sl_tz_parse("slim", buf, n, &err);
    assert_non_null(z);
    assert_int_equal(sl_tz_offset(z, 1712415599), 39600);
    assert_int_equal(sl_tz_offset(z, 1712415600), 37800);
    assert_int_equal(sl_tz_offset(z, 1728142199), 37800);
    assert_int_equal(sl_tz_offset(z, 1728142200), 39600);
    assert_int_equal(sl_tz_from_local(z, 2024, 10, 6, 2, 15, 0, NULL), 1728143100);
    sl_tz_free(z);

    /* no DST at all */
    n = slim_tzif(buf, "IST-5:30", 19800);
    z = sl_tz_parse("slim", buf, n, &err);
    assert_non_null(z);
    assert_int_equal(sl_tz_offset(z, 1700000000), 19800);
    sl_tz_free(z);

    n = slim_tzif(buf, "EST5EDT,M13.2.0,M11.1.0", -18000);
    assert_null(sl_tz_parse("slim", buf, n, &err));
    assert_string_equal(err.msg, "time zone 'slim': bad TZ rule in footer");
}

static void refused(void **state)
{
    struct sl_error err = {{0}};
    assert_null(sl_tz_open("../etc/passwd", &err));
    assert_string_equal(err.msg, "time zone '../etc/passwd': not a valid zone name");
    assert_null(sl_tz_open("/etc/localtime", &err));
    assert_null(sl_tz_open("Europe/../../etc", &err));
    assert_null(sl_tz_open("", &err));
    assert_null(sl_tz_open("Europe/Berlin\n", &err));
    assert_null(sl_tz_open("Mars/Olympus_Mons", &err));
    assert_string_equal(err.msg, "time zone 'Mars/Olympus_Mons': no such zone");
    assert_null(sl_tz_open("Europe", &err)); /* a directory */
    assert_string_equal(err.msg, "time zone 'Europe': no such zone");
    assert_null(sl_tz_parse("x", "TZif2", 5, &err));
    assert_string_equal(err.msg, "time zone 'x': not a TZif file");
    /* the cache hands out one zone per name */
    assert_ptr_equal(zone("Asia/Kolkata"), zone("Asia/Kolkata"));
    assert_string_equal(sl_tz_name(zone("Asia/Kolkata")), "Asia/Kolkata");
}

static void civil(void **state)
{
    int64_t y;
    int m, d;
    assert_int_equal(sl_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(sl_days_from_civil(2000, 3, 1), 11017);
    sl_civil_from_days(-1, &y, &m, &d);
    assert_true(y == 1969 && m == 12 && d == 31);
    sl_civil_from_days(11016, &y, &m, &d);
    assert_true(y == 2000 && m == 2 && d == 29);
    assert_int_equal(sl_days_in_month(2024, 2), 29);
    assert_int_equal(sl_days_in_month(2100, 2), 28);
    assert_int_equal(sl_days_in_month(2023, 13), 31); /* January 2024 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_york),         cmocka_unit_test(berlin_kolkata_utc),
        cmocka_unit_test(lord_howe),        cmocka_unit_test(from_local),
        cmocka_unit_test(from_local_guess), cmocka_unit_test(footer_only),
        cmocka_unit_test(refused),          cmocka_unit_test(civil),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
