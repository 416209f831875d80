/*
 * Fast paths for luxon's ISO/SQL date parsing and JavaScript's Date
 * string format (see jsdate.h). Each parser walks one accepted shape; any
 * deviation, and any field out of range, returns SL_DATE_UNSURE so that the
 * JavaScript engine gives the authoritative answer (luxon and V8 each have
 * their own rules for overflowing days or hour 24).
 */
#include "nodes/jsdate.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/jsvalue.h"
#include "util/alloc.h"

struct dt {
    int year, month, day;
    int hour, minute, second;
    double millis;
    bool has_time;
    bool has_offset;
    int offset_min; /* east of UTC */
};

static bool digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dim[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil); `d` may exceed the month's length. */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static double utc_ms(const struct dt *t)
{
    long long days = days_from_civil(t->year, t->month, t->day);
    double secs = (double)days * 86400.0 + t->hour * 3600.0 + t->minute * 60.0 + t->second;
    return secs * 1000.0 + t->millis;
}

/* Wall-clock time in the process's zone to epoch milliseconds. */
static bool local_ms(const struct dt *t, double *ms)
{
    struct tm tm = {0};
    tm.tm_year = t->year - 1900;
    tm.tm_mon = t->month - 1;
    tm.tm_mday = t->day;
    tm.tm_hour = t->hour;
    tm.tm_min = t->minute;
    tm.tm_sec = t->second;
    tm.tm_isdst = -1;
    time_t s = mktime(&tm);
    if (s == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31))
        return false;
    *ms = (double)s * 1000.0 + t->millis;
    return true;
}

/* Fraction digits after '.' or ',' (1..maxd of them): luxon's parseMillis,
 * Math.floor(parseFloat("0." + f) * 1000). */
static const char *fraction(const char *p, int maxd, double *millis)
{
    const char *q = p;
    while (is_digit(*q))
        q++;
    int n = (int)(q - p);
    if (n < 1 || n > maxd)
        return NULL;
    char buf[40] = "0.";
    memcpy(buf + 2, p, (size_t)n);
    buf[2 + n] = '\0';
    *millis = floor(strtod(buf, NULL) * 1000.0);
    return q;
}

/* [+-]HH[[:]MM] or Z (colon_required for the ECMAScript form). */
static const char *offset(const char *p, struct dt *t, bool colon_required)
{
    if (*p == 'Z') {
        t->has_offset = true;
        t->offset_min = 0;
        return p + 1;
    }
    if (*p != '+' && *p != '-')
        return p;
    int h, m = 0;
    bool neg = *p == '-';
    if (!digits(p + 1, 2, &h))
        return NULL;
    const char *q = p + 3;
    if (*q == ':' && digits(q + 1, 2, &m)) {
        q += 3;
    } else if (!colon_required && digits(q, 2, &m)) {
        q += 2;
    } else if (colon_required) {
        return NULL;
    }
    t->has_offset = true;
    t->offset_min = neg ? -(h * 60 + m) : h * 60 + m;
    return q;
}

/* HH[:MM[:SS[(.|,)f]]]; the shape luxon's isoTimeBaseRegex takes with
 * separators. Basic forms ("1030") are left to JavaScript. */
static const char *time_part(const char *p, struct dt *t, bool need_minutes, int max_frac)
{
    if (!digits(p, 2, &t->hour))
        return NULL;
    p += 2;
    t->has_time = true;
    if (*p == ':') {
        if (!digits(p + 1, 2, &t->minute))
            return NULL;
        p += 3;
        if (*p == ':') {
            if (!digits(p + 1, 2, &t->second))
                return NULL;
            p += 3;
            if (*p == '.' || (*p == ',' && max_frac > 3)) {
                p = fraction(p + 1, max_frac, &t->millis);
                if (!p)
                    return NULL;
            }
        }
    } else if (need_minutes || is_digit(*p)) {
        return NULL;
    }
    if (is_digit(*p))
        return NULL;
    return p;
}

static bool in_range(const struct dt *t)
{
    return t->month >= 1 && t->month <= 12 && t->day >= 1 &&
           t->day <= days_in_month(t->year, t->month) && t->hour <= 23 && t->minute <= 59 &&
           t->second <= 59;
}

/* Epoch milliseconds of t; a time without an offset is wall-clock time
 * in `zone` (see sl_date_parse_luxon), NULL being the process's zone. */
static enum sl_date_result finish(const struct dt *t, const char *zone, double *ms)
{
    if (t->has_offset) {
        *ms = utc_ms(t) - t->offset_min * 60000.0;
        return SL_DATE_OK;
    }
    if (!zone)
        return local_ms(t, ms) ? SL_DATE_OK : SL_DATE_UNSURE;
    if (!strcasecmp(zone, "utc") || !strcasecmp(zone, "gmt")) {
        *ms = utc_ms(t);
        return SL_DATE_OK;
    }
    return SL_DATE_UNSURE; /* a named zone: luxon has its rules */
}

/* YYYY[-MM[-DD]] into t; returns the position after it or NULL. */
static const char *ymd(const char *p, struct dt *t, bool *full)
{
    *full = false;
    t->month = t->day = 1;
    if (!digits(p, 4, &t->year))
        return NULL;
    p += 4;
    if (*p == '-') {
        if (!digits(p + 1, 2, &t->month))
            return NULL;
        p += 3;
        if (*p == '-') {
            if (!digits(p + 1, 2, &t->day))
                return NULL;
            p += 3;
            *full = true;
        }
    }
    if (is_digit(*p))
        return NULL;
    return p;
}

enum sl_date_result sl_date_parse_luxon(const char *s, const char *zone, double *ms)
{
    const char *b, *e;
    sl_jsv_trim(s, &b, &e);
    if (b == e)
        return SL_DATE_INVALID; /* every parser, Date.parse too, rejects "" */
    if (b != s || *e) {
        /* n8n trims before parsing */
        char *copy = sl_strndup(b, (size_t)(e - b));
        enum sl_date_result r = sl_date_parse_luxon(copy, zone, ms);
        free(copy);
        return r;
    }
    struct dt t = {0};
    bool full;
    const char *p = ymd(s, &t, &full);
    if (!p)
        return SL_DATE_UNSURE;
    if (*p == 'T' && full) {
        /* ISO: date 'T' time [offset] */
        p = time_part(p + 1, &t, false, 30);
        if (!p)
            return SL_DATE_UNSURE;
        p = offset(p, &t, false);
        if (!p || *p)
            return SL_DATE_UNSURE;
    } else if (*p == ' ' && full) {
        /* SQL: date ' ' time [' '] [offset] */
        p = time_part(p + 1, &t, true, 30);
        if (!p)
            return SL_DATE_UNSURE;
        if (*p == ' ' && (p[1] == 'Z' || p[1] == '+' || p[1] == '-'))
            p++;
        p = offset(p, &t, false);
        if (!p || *p)
            return SL_DATE_UNSURE;
    } else if (*p) {
        return SL_DATE_UNSURE;
    }
    if (!in_range(&t))
        return SL_DATE_UNSURE;
    return finish(&t, zone, ms);
}

enum sl_date_result sl_date_parse_es(const char *s, double *ms)
{
    const char *b, *e;
    sl_jsv_trim(s, &b, &e);
    if (b == e)
        return SL_DATE_INVALID;
    if (b != s || *e)
        return SL_DATE_UNSURE; /* V8 then uses its legacy parser */
    struct dt t = {0};
    bool full;
    const char *p = ymd(s, &t, &full);
    if (!p)
        return SL_DATE_UNSURE;
    if (*p == 'T') {
        p = time_part(p + 1, &t, true, 3);
        if (!p)
            return SL_DATE_UNSURE;
        p = offset(p, &t, true);
        if (!p || *p)
            return SL_DATE_UNSURE;
    } else if (*p) {
        return SL_DATE_UNSURE;
    } else {
        t.has_offset = true; /* date-only forms are UTC */
        t.offset_min = 0;
    }
    /* V8 lets the day run past the month's end (2023-02-30 is March 2). */
    if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 ||
        t.second > 59)
        return SL_DATE_UNSURE;
    if (t.day > days_in_month(t.year, t.month) && !t.has_offset)
        return SL_DATE_UNSURE;
    return finish(&t, NULL, ms); /* Date reads local time in the process's zone */
}
