/*
 * Cron expressions: the parser and the next-fire-time walk of the `cron`
 * npm package that n8n's schedules run on, rebuilt in C (see util/cron.h).
 *
 * The walk moves a local date-time forward field by field (month, day,
 * hour, minute, second) the way the package moves a luxon DateTime: each
 * change sets local fields and re-reads them with the current offset when
 * it is still valid (luxon's rule, sl_tz_from_local_guess), and a jump
 * forward in the local clock (DST) is detected and resolved as the package
 * does. Matching the package step by step is what makes the DST results
 * the same as n8n's.
 */
#include "util/cron.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

enum { F_SECOND, F_MINUTE, F_HOUR, F_DOM, F_MONTH, F_DOW, F_COUNT };

static const char *const field_names[F_COUNT] = {"second",       "minute", "hour",
                                                 "day of month", "month",  "day of week"};
static const int field_low[F_COUNT] = {0, 0, 0, 1, 1, 0};
static const int field_high[F_COUNT] = {59, 59, 23, 31, 12, 7};
/* how many values make a field unrestricted ("*") */
static const int field_all[F_COUNT] = {60, 60, 24, 31, 12, 7};

struct sl_cron {
    uint64_t set[F_COUNT]; /* bit v: value v matches */
    int count[F_COUNT];
};

static const struct {
    const char *name, *expr;
} presets[] = {
    {"@yearly", "0 0 0 1 1 *"},   {"@monthly", "0 0 0 1 * *"},    {"@weekly", "0 0 0 * * 0"},
    {"@daily", "0 0 0 * * *"},    {"@hourly", "0 0 * * * *"},     {"@minutely", "0 * * * * *"},
    {"@secondly", "* * * * * *"}, {"@weekdays", "0 0 0 * * 1-5"}, {"@weekends", "0 0 0 * * 0,6"},
};

static const char *const aliases[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                      "aug", "sep", "oct", "nov", "dec", "sun", "mon",
                                      "tue", "wed", "thu", "fri", "sat"};

#define MAX_EXPR 1024
#define MAX_TOKENS 8

static bool has(const struct sl_cron *c, int f, int64_t v)
{
    return v >= 0 && v < 64 && (c->set[f] >> v & 1);
}

/* Replaces names (runs of up to three letters) with their numbers into
 * `out`; false with the unknown name in `bad`. */
static bool replace_names(const char *tok, char *out, size_t outsz, char bad[4])
{
    size_t o = 0;
    for (const char *p = tok; *p;) {
        if (!isalpha((unsigned char)*p)) {
            if (o + 1 < outsz)
                out[o++] = *p;
            p++;
            continue;
        }
        char name[4] = {0};
        int n = 0;
        while (n < 3 && isalpha((unsigned char)p[n])) {
            name[n] = (char)tolower((unsigned char)p[n]);
            n++;
        }
        p += n;
        int v = -1;
        for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
            if (!strcmp(aliases[i], name))
                v = i < 12 ? (int)i + 1 : (int)i - 12;
        if (v < 0) {
            memcpy(bad, name, 4);
            return false;
        }
        o += (size_t)snprintf(out + o, o < outsz ? outsz - o : 0, "%d", v);
    }
    out[o < outsz ? o : outsz - 1] = '\0';
    return true;
}

/* Digits at *p as a number (saturating); false when there are none. */
static bool read_num(const char **p, long *out)
{
    if (!isdigit((unsigned char)**p))
        return false;
    long v = 0;
    while (isdigit((unsigned char)**p)) {
        if (v < 100000000)
            v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return true;
}

/* One field's text (names already replaced): the package's _parseField. */
static bool parse_field(struct sl_cron *c, int f, const char *text, const char *orig,
                        struct sl_error *err)
{
    const char *fname = field_names[f];
    int low = field_low[f], high = field_high[f];
    /* a '*' must open its list part */
    for (const char *part = text;;) {
        const char *comma = strchr(part, ',');
        size_t len = comma ? (size_t)(comma - part) : strlen(part);
        const char *star = memchr(part, '*', len);
        if (star && star != part) {
            sl_error_set(err, "%s: invalid wildcard in '%s'", fname, orig);
            return false;
        }
        if (!comma)
            break;
        part = comma + 1;
    }
    char expanded[MAX_EXPR * 6];
    size_t o = 0;
    for (const char *p = text; *p && o + 8 < sizeof expanded; p++) {
        if (*p == '*')
            o += (size_t)snprintf(expanded + o, sizeof expanded - o, "%d-%d", low, high);
        else
            expanded[o++] = *p;
    }
    expanded[o] = '\0';
    for (const char *part = expanded;;) {
        const char *p = part;
        long lower, upper = -1, step = 1;
        bool has_upper = false, has_step = false, ok = read_num(&p, &lower);
        if (ok && *p == '-') {
            p++;
            ok = has_upper = read_num(&p, &upper);
        }
        if (ok && *p == '/') {
            p++;
            ok = has_step = read_num(&p, &step);
        }
        if (!ok || (*p && *p != ',')) {
            sl_error_set(err, "%s: cannot parse '%s'", fname, orig);
            return false;
        }
        if (step == 0) {
            sl_error_set(err, "%s: step of zero in '%s'", fname, orig);
            return false;
        }
        if (has_upper && lower > upper) {
            sl_error_set(err, "%s: invalid range in '%s'", fname, orig);
            return false;
        }
        long bad = lower < low                 ? lower
                   : has_upper && upper > high ? upper
                   : lower > high              ? lower
                                               : -1;
        if (bad >= 0) {
            sl_error_set(err, "%s: %ld is out of range %d-%d", fname, bad, low, high);
            return false;
        }
        if (!has_upper)
            upper = has_step ? high : lower;
        for (long v = lower; v <= upper; v += step)
            c->set[f] |= 1ULL << v;
        if (f == F_DOW && (c->set[f] >> 7 & 1)) {
            c->set[f] = (c->set[f] & ~(1ULL << 7)) | 1ULL;
        }
        if (!*p)
            break;
        part = p + 1;
    }
    return true;
}

/* The package's _verifyParse: when no listed month has any listed day,
 * days past the last such month's length wrap to day % length. */
static void fix_days(struct sl_cron *c)
{
    static const int month_days[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool ok = false;
    int last_wrong = 0;
    for (int m = 1; m <= 12; m++) {
        if (!has(c, F_MONTH, m))
            continue;
        for (int d = 1; d <= 31; d++)
            if (has(c, F_DOM, d) && d <= month_days[m])
                ok = true;
        if (!ok)
            last_wrong = m;
    }
    if (ok || !last_wrong)
        return;
    int con = month_days[last_wrong];
    uint64_t days = c->set[F_DOM];
    for (int d = 1; d <= 31; d++)
        if ((days >> d & 1) && d > con) {
            c->set[F_DOM] &= ~(1ULL << d);
            c->set[F_DOM] |= 1ULL << (d % con);
        }
}

struct sl_cron *sl_cron_parse(const char *expr, struct sl_error *err)
{
    if (!expr) {
        sl_error_set(err, "no expression");
        return NULL;
    }
    size_t len = strlen(expr);
    if (len > MAX_EXPR) {
        sl_error_set(err, "expression longer than %d characters", MAX_EXPR);
        return NULL;
    }
    char lower[MAX_EXPR + 1];
    for (size_t i = 0; i <= len; i++)
        lower[i] = (char)tolower((unsigned char)expr[i]);
    const char *src = lower;
    for (size_t i = 0; i < sizeof presets / sizeof *presets; i++)
        if (!strcmp(lower, presets[i].name))
            src = presets[i].expr;
    /* split on white space */
    char buf[MAX_EXPR + 1];
    snprintf(buf, sizeof buf, "%s", src);
    char *tok[MAX_TOKENS];
    int n = 0, total = 0;
    for (char *p = buf;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        char *start = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (n < MAX_TOKENS)
            tok[n++] = start;
        total++;
        if (!*p)
            break;
        *p++ = '\0';
    }
    /* names are replaced before anything is checked */
    char num[MAX_TOKENS][MAX_EXPR * 2];
    for (int i = 0; i < n; i++) {
        char bad[4];
        if (!replace_names(tok[i], num[i], sizeof num[i], bad)) {
            if (total == 5 || total == 6)
                sl_error_set(err, "%s: unknown name '%s'", field_names[i + 6 - total], bad);
            else
                sl_error_set(err, "unknown name '%s'", bad);
            return NULL;
        }
    }
    if (total < 5 || total > 6) {
        sl_error_set(err, "%d field%s, expected 5 or 6", total, total == 1 ? "" : "s");
        return NULL;
    }
    struct sl_cron *c = sl_calloc(1, sizeof *c);
    for (int f = 0; f < F_COUNT; f++) {
        int i = f - (6 - total);
        if (!parse_field(c, f, i < 0 ? "0" : num[i], i < 0 ? "0" : tok[i], err)) {
            free(c);
            return NULL;
        }
    }
    fix_days(c);
    for (int f = 0; f < F_COUNT; f++)
        c->count[f] = __builtin_popcountll(c->set[f]);
    return c;
}

void sl_cron_free(struct sl_cron *c)
{
    free(c);
}

/* ---- the walk ---- */

/* A luxon DateTime: an instant and the offset it is read with. */
struct dt {
    int64_t ts; /* epoch seconds */
    int off;    /* seconds east */
};

struct fields {
    int64_t year;
    int month, day, hour, minute, second, wday;
};

static int64_t fdiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void get(struct dt d, struct fields *f)
{
    int64_t local = d.ts + d.off;
    int64_t days = fdiv(local, 86400);
    int64_t secs = local - days * 86400;
    sl_civil_from_days(days, &f->year, &f->month, &f->day);
    f->hour = (int)(secs / 3600);
    f->minute = (int)(secs / 60 % 60);
    f->second = (int)(secs % 60);
    f->wday = (int)(((days + 4) % 7 + 7) % 7);
}

/* DateTime.set: the fields (overflowing ones carry over) read with the
 * current offset when it holds. */
static struct dt set(const struct sl_tz *z, struct dt d, const struct fields *f)
{
    int64_t local = sl_days_from_civil(f->year, f->month, f->day) * 86400 +
                    (int64_t)f->hour * 3600 + (int64_t)f->minute * 60 + f->second;
    struct dt r;
    r.ts = sl_tz_from_local_guess(z, local, d.off, &r.off);
    return r;
}

/* DateTime.plus({months: 1}) or plus({days: 1}) */
static struct dt plus(const struct sl_tz *z, struct dt d, int months, int days)
{
    struct fields f;
    get(d, &f);
    f.month += months;
    int dim = sl_days_in_month(f.year, f.month);
    f.day = (f.day < dim ? f.day : dim) + days;
    return set(z, d, &f);
}

/* DateTime.plus({seconds: s}): plain instant arithmetic. */
static struct dt plus_seconds(const struct sl_tz *z, struct dt d, int64_t s)
{
    d.ts += s;
    d.off = sl_tz_offset(z, d.ts);
    return d;
}

static bool forward_jump(int expected_hour, int expected_minute, struct dt d)
{
    struct fields f;
    get(d, &f);
    return expected_hour % 24 < f.hour || expected_minute % 60 < f.minute;
}

static bool skipped_single_hour(const struct sl_cron *c, int start_minute, int end_minute)
{
    for (int m = start_minute; m < end_minute; m++)
        if (has(c, F_MINUTE, m))
            return true;
    return has(c, F_MINUTE, end_minute) && has(c, F_SECOND, 0);
}

/* -1: the package throws (the start hour is not before the end hour). */
static int skipped_multi_hour(const struct sl_cron *c, int sh, int sm, int eh, int em)
{
    if (sh >= eh)
        return -1;
    for (int h = sh; h <= eh; h++) {
        if (!has(c, F_HOUR, h))
            continue;
        int from = h == sh ? sm : 0, to = h == eh ? em : 60;
        for (int m = from; m < to; m++)
            if (has(c, F_MINUTE, m))
                return 1;
    }
    return has(c, F_HOUR, eh) && has(c, F_MINUTE, em) && has(c, F_SECOND, 0);
}

/* Whether a fire time fell into the skipped span (before, after]. */
static int skipped_range(const struct sl_cron *c, struct dt before, struct dt after)
{
    struct fields b, a;
    get(before, &b);
    get(after, &a);
    int sm = (b.minute + 1) % 60;
    int sh = (b.hour + (sm == 0 ? 1 : 0)) % 24;
    int hours = a.hour - sh + 1;
    if (hours == 2 && sm == 0 && a.minute == 0)
        return has(c, F_HOUR, sh);
    if (hours == 1)
        return has(c, F_HOUR, sh) && skipped_single_hour(c, sm, a.minute);
    return skipped_multi_hour(c, sh, sm, a.hour, a.minute);
}

/* The package's _findPreviousDSTJump: walks back minute by minute to the
 * jump, moves `*d` to just after it and says whether the walk is done
 * (a fire time was skipped): 1 done, 0 go on, -1 the package throws. */
static int previous_jump(const struct sl_cron *c, const struct sl_tz *z, struct dt *d)
{
    struct dt maybe = *d;
    struct fields f;
    int expected_minute, expected_hour, iter = 0;
    do {
        if (++iter > 60 * 24)
            return -1;
        get(maybe, &f);
        expected_minute = f.minute - 1;
        expected_hour = f.hour;
        if (expected_minute < 0) {
            expected_minute += 60;
            expected_hour = (expected_hour + 23) % 24;
        }
        maybe = plus_seconds(z, maybe, -60);
        get(maybe, &f);
    } while (expected_minute == f.minute && expected_hour == f.hour);
    struct dt after = plus_seconds(z, maybe, 60);
    get(after, &f);
    f.second = 0;
    after = set(z, after, &f);
    struct dt before = plus_seconds(z, after, -1);
    struct fields df;
    get(*d, &df);
    *d = after;
    if (has(c, F_MONTH, df.month + 1) && has(c, F_DOM, df.day) && has(c, F_DOW, df.wday))
        return skipped_range(c, before, after);
    return 0;
}

int64_t sl_cron_next(const struct sl_cron *c, const struct sl_tz *z, int64_t after_ms)
{
    if (after_ms < -(1LL << 50) || after_ms > (1LL << 50))
        return -1;
    int64_t start_ms = after_ms;
    struct dt d = {fdiv(after_ms, 1000), 0};
    d.off = sl_tz_offset(z, d.ts);
    struct fields f;
    if (after_ms - d.ts * 1000 > 0) {
        get(d, &f);
        f.second++;
        d = set(z, d, &f);
    }
    const int64_t max_ms = after_ms + (int64_t)8 * 366 * 86400 * 1000;
    bool all[F_COUNT];
    for (int i = 0; i < F_COUNT; i++)
        all[i] = c->count[i] == field_all[i];
    for (long iter = 0; iter < 1000000; iter++) {
        int64_t diff = d.ts * 1000 - start_ms;
        if (d.ts * 1000 > max_ms)
            return -1;
        get(d, &f);
        int eh, em, es, jump = 0;
        bool moved = true;
        if (!has(c, F_MONTH, f.month) && !all[F_MONTH]) {
            d = plus(z, d, 1, 0);
            get(d, &f);
            f.day = 1;
            f.hour = f.minute = f.second = 0;
            d = set(z, d, &f);
            eh = em = 0;
        } else if ((!has(c, F_DOM, f.day) && !all[F_DOM] &&
                    !(has(c, F_DOW, f.wday) && !all[F_DOW])) ||
                   (!has(c, F_DOW, f.wday) && !all[F_DOW] &&
                    !(has(c, F_DOM, f.day) && !all[F_DOM]))) {
            d = plus(z, d, 0, 1);
            get(d, &f);
            f.hour = f.minute = f.second = 0;
            d = set(z, d, &f);
            eh = em = 0;
        } else if (!has(c, F_HOUR, f.hour) && !all[F_HOUR]) {
            eh = f.hour == 23 && diff > 86400000 ? 0 : f.hour + 1;
            em = f.minute;
            f.hour = eh;
            d = set(z, d, &f);
            get(d, &f);
            f.minute = f.second = 0;
            d = set(z, d, &f);
        } else if (!has(c, F_MINUTE, f.minute) && !all[F_MINUTE]) {
            em = f.minute == 59 && diff > 3600000 ? 0 : f.minute + 1;
            eh = f.hour + (em == 60);
            f.minute = em;
            d = set(z, d, &f);
            get(d, &f);
            f.second = 0;
            d = set(z, d, &f);
        } else if ((!has(c, F_SECOND, f.second) && !all[F_SECOND]) || d.ts * 1000 == start_ms) {
            bool wrap =
                !has(c, F_SECOND, f.second) && !all[F_SECOND] && f.second == 59 && diff > 60000;
            es = wrap ? 0 : f.second + 1;
            em = f.minute + (es == 60);
            eh = f.hour + (em == 60);
            f.second = es;
            d = set(z, d, &f);
        } else {
            moved = false;
        }
        if (!moved)
            return d.ts * 1000;
        if (forward_jump(eh, em, d)) {
            jump = previous_jump(c, z, &d);
            if (jump < 0)
                return -1;
            if (jump)
                return d.ts * 1000;
        }
    }
    return -1;
}
