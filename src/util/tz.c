/*
 * Time zones from TZif files (RFC 8536): parsing, the POSIX TZ footer rule,
 * offset lookup and the two conversions. See util/tz.h for the rules.
 */
#include "util/tz.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"

#define TZIF_MAX_BYTES (1 << 20)
#define DAY 86400
#define MAX_OFFSET (26 * 3600) /* no zone is further than this from UTC */

/* One date of a POSIX TZ rule: Jn, n or Mm.w.d, and the local time. */
struct rule_date {
    char kind; /* 'J', 'n' or 'M' */
    int n, m, w, d;
    int32_t time;
};

struct posix_rule {
    int32_t std_off, dst_off; /* seconds east */
    bool has_dst;
    struct rule_date start, end;
};

struct tz_type {
    int32_t off;
    bool dst;
};

struct sl_tz {
    char *name;
    size_t n;       /* transitions */
    int64_t *trans; /* ascending epoch seconds */
    uint8_t *idx;   /* type after each transition */
    size_t n_types; /* >= 1 */
    struct tz_type *types;
    bool has_rule; /* the footer rule answers after the last transition */
    struct posix_rule rule;
    struct sl_tz *next; /* the cache list */
};

/* A span of constant offset: [start, end). */
struct period {
    int32_t off;
    bool dst;
    int64_t start, end;
};

/* ---- calendar ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int sl_days_in_month(int64_t year, int month)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t m0 = floor_mod(month - 1, 12);
    year += floor_div(month - 1, 12);
    return m0 == 1 && is_leap(year) ? 29 : dim[m0];
}

int64_t sl_days_from_civil(int64_t y, int m, int d)
{
    y += floor_div(m - 1, 12);
    m = (int)floor_mod(m - 1, 12) + 1;
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 + (d - 1);
}

void sl_civil_from_days(int64_t z, int64_t *year, int *month, int *day)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (m <= 2);
    *month = m;
    *day = d;
}

/* ---- POSIX TZ rule ---- */

/* [+-]hh[:mm[:ss]] with hours up to `max_h`; returns the end or NULL. */
static const char *parse_hms(const char *s, int max_h, int32_t *out)
{
    int sign = 1;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*s))
        return NULL;
    int32_t v[3] = {0, 0, 0};
    for (int part = 0; part < 3; part++) {
        int digits = 0;
        while (isdigit((unsigned char)*s) && digits < 3) {
            v[part] = v[part] * 10 + (*s++ - '0');
            digits++;
        }
        if (!digits)
            return NULL;
        if (*s != ':' || part == 2)
            break;
        s++;
    }
    if (v[0] > max_h || v[1] > 59 || v[2] > 59)
        return NULL;
    *out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    return s;
}

static const char *parse_abbr(const char *s)
{
    if (*s == '<') {
        const char *e = strchr(s, '>');
        return e && e > s + 1 ? e + 1 : NULL;
    }
    const char *p = s;
    while (isalpha((unsigned char)*p))
        p++;
    return p - s >= 3 ? p : NULL;
}

static const char *parse_num(const char *s, int lo, int hi, int *out)
{
    if (!isdigit((unsigned char)*s))
        return NULL;
    int v = 0;
    while (isdigit((unsigned char)*s) && v <= hi)
        v = v * 10 + (*s++ - '0');
    if (v < lo || v > hi || isdigit((unsigned char)*s))
        return NULL;
    *out = v;
    return s;
}

static const char *parse_rule_date(const char *s, struct rule_date *d)
{
    d->time = 2 * 3600;
    if (*s == 'J') {
        d->kind = 'J';
        s = parse_num(s + 1, 1, 365, &d->n);
    } else if (*s == 'M') {
        d->kind = 'M';
        s = parse_num(s + 1, 1, 12, &d->m);
        if (s && *s == '.')
            s = parse_num(s + 1, 1, 5, &d->w);
        else
            s = NULL;
        if (s && *s == '.')
            s = parse_num(s + 1, 0, 6, &d->d);
        else
            s = NULL;
    } else {
        d->kind = 'n';
        s = parse_num(s, 0, 365, &d->n);
    }
    if (s && *s == '/')
        s = parse_hms(s + 1, 167, &d->time);
    return s;
}

/* Parses a POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3". */
static bool parse_posix(const char *s, struct posix_rule *r)
{
    memset(r, 0, sizeof *r);
    int32_t v;
    s = parse_abbr(s);
    if (!s || !(s = parse_hms(s, 24, &v)))
        return false;
    r->std_off = -v;
    if (!*s)
        return true;
    if (!(s = parse_abbr(s)))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*s && *s != ',') {
        if (!(s = parse_hms(s, 24, &v)))
            return false;
        r->dst_off = -v;
    }
    if (!*s) { /* no dates: the US rules, as glibc assumes */
        r->start = (struct rule_date){.kind = 'M', .m = 3, .w = 2, .d = 0, .time = 7200};
        r->end = (struct rule_date){.kind = 'M', .m = 11, .w = 1, .d = 0, .time = 7200};
        return true;
    }
    if (*s != ',' || !(s = parse_rule_date(s + 1, &r->start)))
        return false;
    if (*s != ',' || !(s = parse_rule_date(s + 1, &r->end)))
        return false;
    return *s == '\0';
}

/* Days since the epoch of a rule date in year `y`. */
static int64_t rule_day(const struct rule_date *d, int64_t y)
{
    int64_t jan1 = sl_days_from_civil(y, 1, 1);
    if (d->kind == 'J')
        return jan1 + d->n - 1 + (is_leap(y) && d->n >= 60);
    if (d->kind == 'n')
        return jan1 + d->n;
    int64_t first = sl_days_from_civil(y, d->m, 1);
    int wd = (int)floor_mod(first + 4, 7);
    int day = 1 + (d->d - wd + 7) % 7 + (d->w - 1) * 7;
    int dim = sl_days_in_month(y, d->m);
    while (day > dim)
        day -= 7;
    return first + day - 1;
}

/* The rule's period around `t`: its transitions in the years near t. */
static void rule_period(const struct posix_rule *r, int64_t t, struct period *p)
{
    if (!r->has_dst) {
        *p = (struct period){r->std_off, false, INT64_MIN, INT64_MAX};
        return;
    }
    int64_t y0, yy;
    int mm, dd;
    sl_civil_from_days(floor_div(t + r->std_off, DAY), &y0, &mm, &dd);
    /* transitions of years y0-1 .. y0+2, in order; an end sorts before a
     * start at the same instant (a zone on DST all year) */
    int64_t at[8];
    bool to_dst[8];
    int n = 0;
    for (yy = y0 - 1; yy <= y0 + 2; yy++) {
        int64_t s = rule_day(&r->start, yy) * DAY + r->start.time - r->std_off;
        int64_t e = rule_day(&r->end, yy) * DAY + r->end.time - r->dst_off;
        int64_t a = e <= s ? e : s, b = e <= s ? s : e;
        at[n] = a;
        to_dst[n++] = e > s;
        at[n] = b;
        to_dst[n++] = e <= s;
    }
    for (int i = 1; i < n; i++) /* insertion sort, stable */
        for (int j = i; j > 0 && at[j - 1] > at[j]; j--) {
            int64_t ta = at[j];
            at[j] = at[j - 1];
            at[j - 1] = ta;
            bool tb = to_dst[j];
            to_dst[j] = to_dst[j - 1];
            to_dst[j - 1] = tb;
        }
    int last = -1;
    for (int i = 0; i < n && at[i] <= t; i++)
        last = i;
    bool dst = last >= 0 ? to_dst[last] : !to_dst[0];
    p->dst = dst;
    p->off = dst ? r->dst_off : r->std_off;
    p->start = last >= 0 ? at[last] : INT64_MIN;
    p->end = last + 1 < n ? at[last + 1] : INT64_MAX;
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_head {
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static bool read_head(const unsigned char *p, size_t len, struct tzif_head *h, char *version)
{
    if (len < 44 || memcmp(p, "TZif", 4))
        return false;
    *version = (char)p[4];
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    return h->timecnt <= 1000000 && h->typecnt <= 256 && h->charcnt <= 1000000 &&
           h->leapcnt <= 100000 && h->isutcnt <= 256 && h->isstdcnt <= 256;
}

static size_t body_size(const struct tzif_head *h, int tsize)
{
    return (size_t)h->timecnt * tsize + h->timecnt + (size_t)h->typecnt * 6 + h->charcnt +
           (size_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

struct sl_tz *sl_tz_parse(const char *name, const void *data, size_t len, struct sl_error *err)
{
    const unsigned char *p = data;
    struct tzif_head h;
    char version;
    if (!read_head(p, len, &h, &version)) {
        sl_error_set(err, "time zone '%s': not a TZif file", name);
        return NULL;
    }
    int tsize = 4;
    size_t v1 = body_size(&h, 4);
    if (version >= '2') {
        if (44 + v1 > len || !read_head(p + 44 + v1, len - 44 - v1, &h, &version)) {
            sl_error_set(err, "time zone '%s': truncated TZif file", name);
            return NULL;
        }
        p += 44 + v1;
        len -= 44 + v1;
        tsize = 8;
    }
    size_t body = body_size(&h, tsize);
    if (44 + body > len || h.typecnt == 0) {
        sl_error_set(err, "time zone '%s': truncated TZif file", name);
        return NULL;
    }
    if (h.leapcnt) {
        sl_error_set(err, "time zone '%s': zones with leap seconds are not supported", name);
        return NULL;
    }
    const unsigned char *q = p + 44;
    struct sl_tz *z = sl_calloc(1, sizeof *z);
    z->name = sl_strdup(name);
    z->n = h.timecnt;
    z->trans = sl_calloc(z->n ? z->n : 1, sizeof *z->trans);
    z->idx = sl_calloc(z->n ? z->n : 1, 1);
    z->n_types = h.typecnt;
    z->types = sl_calloc(z->n_types, sizeof *z->types);
    const char *bad = NULL;
    for (size_t i = 0; i < z->n; i++) {
        z->trans[i] = tsize == 8 ? be64(q + i * 8) : (int32_t)be32(q + i * 4);
        if (i && z->trans[i] <= z->trans[i - 1])
            bad = "transitions out of order";
    }
    q += z->n * tsize;
    for (size_t i = 0; i < z->n; i++) {
        z->idx[i] = q[i];
        if (q[i] >= h.typecnt)
            bad = "bad type index";
    }
    q += z->n;
    for (size_t i = 0; i < z->n_types; i++) {
        int32_t off = (int32_t)be32(q + i * 6);
        if (off <= -MAX_OFFSET || off >= MAX_OFFSET)
            bad = "offset out of range";
        z->types[i] = (struct tz_type){off, q[i * 6 + 4] != 0};
    }
    q = p + 44 + body;
    size_t rest = len - 44 - body;
    if (!bad && version >= '2' && rest >= 2 && q[0] == '\n') {
        const unsigned char *nl = memchr(q + 1, '\n', rest - 1);
        if (!nl) {
            bad = "unterminated footer";
        } else if (nl > q + 1) {
            char *s = sl_strndup((const char *)q + 1, (size_t)(nl - q - 1));
            if (parse_posix(s, &z->rule))
                z->has_rule = true;
            else
                bad = "bad TZ rule in footer";
            free(s);
        }
    }
    if (bad) {
        sl_error_set(err, "time zone '%s': %s", name, bad);
        sl_tz_free(z);
        return NULL;
    }
    return z;
}

void sl_tz_free(struct sl_tz *z)
{
    if (!z)
        return;
    free(z->name);
    free(z->trans);
    free(z->idx);
    free(z->types);
    free(z);
}

/* The first index i with trans[i] > t. */
static size_t upper_bound(const struct sl_tz *z, int64_t t)
{
    size_t lo = 0, hi = z->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void find_period(const struct sl_tz *z, int64_t t, struct period *p)
{
    if (z->n == 0) {
        if (z->has_rule) {
            rule_period(&z->rule, t, p);
        } else {
            *p = (struct period){z->types[0].off, z->types[0].dst, INT64_MIN, INT64_MAX};
        }
        return;
    }
    size_t i = upper_bound(z, t);
    if (i == 0) {
        *p = (struct period){z->types[0].off, z->types[0].dst, INT64_MIN, z->trans[0]};
        return;
    }
    if (i == z->n && z->has_rule) {
        rule_period(&z->rule, t, p);
        if (p->start < z->trans[i - 1])
            p->start = z->trans[i - 1];
        return;
    }
    const struct tz_type *ty = &z->types[z->idx[i - 1]];
    *p = (struct period){ty->off, ty->dst, z->trans[i - 1], i < z->n ? z->trans[i] : INT64_MAX};
}

int sl_tz_offset(const struct sl_tz *z, int64_t t)
{
    struct period p;
    find_period(z, t, &p);
    return p.off;
}

void sl_tz_to_local(const struct sl_tz *z, int64_t t, struct sl_tm *out)
{
    struct period p;
    find_period(z, t, &p);
    int64_t local = t + p.off;
    int64_t days = floor_div(local, DAY);
    int64_t secs = local - days * DAY;
    sl_civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs / 60 % 60);
    out->second = (int)(secs % 60);
    out->wday = (int)floor_mod(days + 4, 7);
    out->yday = (int)(days - sl_days_from_civil(out->year, 1, 1) + 1);
    out->offset = p.off;
    out->is_dst = p.dst;
}

int64_t sl_tz_from_local(const struct sl_tz *z, int64_t year, int month, int day, int hour,
                         int minute, int second, int *offset)
{
    int64_t local = sl_days_from_civil(year, month, day) * DAY + (int64_t)hour * 3600 +
                    (int64_t)minute * 60 + second;
    /* the periods that can hold an instant whose local time is `local` */
    struct period ps[16];
    int n = 0;
    int64_t t = local - MAX_OFFSET;
    while (n < 16) {
        find_period(z, t, &ps[n]);
        if (ps[n++].end > local + MAX_OFFSET || ps[n - 1].end == INT64_MAX)
            break;
        t = ps[n - 1].end;
    }
    for (int i = 0; i < n; i++) { /* ascending periods: the first valid one is the earliest */
        int64_t u = local - ps[i].off;
        if (u >= ps[i].start && u < ps[i].end) {
            if (offset)
                *offset = ps[i].off;
            return u;
        }
    }
    for (int i = 1; i < n; i++) { /* a skipped time: the offset before the jump */
        int64_t jump = ps[i].start;
        if (local >= jump + ps[i - 1].off && local < jump + ps[i].off) {
            if (offset)
                *offset = ps[i].off;
            return local - ps[i - 1].off;
        }
    }
    int off = sl_tz_offset(z, local);
    if (offset)
        *offset = off;
    return local - off;
}

int64_t sl_tz_from_local_guess(const struct sl_tz *z, int64_t local, int guess, int *offset)
{
    int64_t u = local - guess;
    int o2 = sl_tz_offset(z, u);
    if (o2 == guess) {
        if (offset)
            *offset = guess;
        return u;
    }
    u -= o2 - guess;
    int o3 = sl_tz_offset(z, u);
    if (o2 == o3) {
        if (offset)
            *offset = o2;
        return u;
    }
    if (offset)
        *offset = o2 > o3 ? o2 : o3;
    return local - (o2 < o3 ? o2 : o3);
}

/* ---- names and the cache ---- */

static struct sl_tz utc_zone = {
    .name = "UTC",
    .n_types = 1,
    .types = (struct tz_type[]){{0, false}},
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sl_tz *cache;

const struct sl_tz *sl_tz_utc(void)
{
    return &utc_zone;
}

const char *sl_tz_name(const struct sl_tz *z)
{
    return z->name;
}

static bool valid_name(const char *name)
{
    size_t len = strlen(name);
    if (!len || len > 255 || name[0] == '/' || strstr(name, ".."))
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_+-.", *p))
            return false;
    return true;
}

static struct sl_tz *load(const char *name, struct sl_error *err)
{
    const char *dir = getenv("TZDIR");
    char *path = sl_asprintf("%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0) {
        sl_error_set(err, "time zone '%s': %s", name,
                     errno == ENOENT || errno == ENOTDIR ? "no such zone" : strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > TZIF_MAX_BYTES) {
        close(fd);
        sl_error_set(err, "time zone '%s': no such zone", name);
        return NULL;
    }
    size_t len = (size_t)st.st_size, got = 0;
    char *buf = sl_malloc(len ? len : 1);
    while (got < len) {
        ssize_t r = read(fd, buf + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    struct sl_tz *z = sl_tz_parse(name, buf, got, err);
    free(buf);
    return z;
}

const struct sl_tz *sl_tz_open(const char *name, struct sl_error *err)
{
    if (!name) {
        sl_error_set(err, "time zone: no name");
        return NULL;
    }
    if (!strcasecmp(name, "UTC") || !strcasecmp(name, "Etc/UTC") || !strcasecmp(name, "GMT") ||
        !strcasecmp(name, "Etc/GMT"))
        return &utc_zone;
    if (!valid_name(name)) {
        sl_error_set(err, "time zone '%.200s': not a valid zone name", name);
        return NULL;
    }
    pthread_mutex_lock(&cache_lock);
    struct sl_tz *z;
    for (z = cache; z; z = z->next)
        if (!strcmp(z->name, name))
            break;
    if (!z && (z = load(name, err))) {
        z->next = cache;
        cache = z;
    }
    pthread_mutex_unlock(&cache_lock);
    return z;
}
