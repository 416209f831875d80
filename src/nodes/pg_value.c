/*
 * Values between items and PostgreSQL (see pg.h): parameter text, result
 * rows typed the way n8n's driver (node-postgres with pg-types, plus the
 * node's own parsers) types them, and the SQL scanner that splits a query
 * into statements and renumbers its $N placeholders, so that every value
 * travels as a bind parameter and never inside the SQL text.
 */
#include "nodes/pg.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/jsvalue.h"
#include "util/alloc.h"

/* Type OIDs (pg_type.h is a server header; these never change). */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_OID = 26,
    OID_JSON = 114,
    OID_JSON_ARR = 199,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_BOOL_ARR = 1000,
    OID_INT2_ARR = 1005,
    OID_INT4_ARR = 1007,
    OID_TEXT_ARR = 1009,
    OID_BPCHAR_ARR = 1014,
    OID_VARCHAR_ARR = 1015,
    OID_INT8_ARR = 1016,
    OID_FLOAT4_ARR = 1021,
    OID_FLOAT8_ARR = 1022,
    OID_OID_ARR = 1028,
    OID_DATE = 1082,
    OID_TIMESTAMP = 1114,
    OID_TIMESTAMP_ARR = 1115,
    OID_DATE_ARR = 1182,
    OID_TIMESTAMPTZ = 1184,
    OID_TIMESTAMPTZ_ARR = 1185,
    OID_TIME_ARR = 1183,
    OID_NUMERIC_ARR = 1231,
    OID_TIMETZ_ARR = 1270,
    OID_NUMERIC = 1700,
    OID_UUID_ARR = 2951,
    OID_JSONB = 3802,
    OID_JSONB_ARR = 3807,
    OID_CHAR_ARR = 1002,
    OID_NAME_ARR = 1003,
};

void sl_pg_quote_ident(struct sl_buf *b, const char *name)
{
    sl_buf_addc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sl_buf_addc(b, '"');
        sl_buf_addc(b, *p);
    }
    sl_buf_addc(b, '"');
}

/* ------------------------------------------------------------ parameters */

static void array_literal(struct sl_buf *b, const json_t *a)
{
    sl_buf_addc(b, '{');
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        if (i)
            sl_buf_addc(b, ',');
        if (json_is_null(e)) {
            sl_buf_adds(b, "NULL");
        } else if (json_is_array(e)) {
            array_literal(b, e);
        } else if (json_is_number(e)) {
            char num[SL_JSV_NUM_MAX];
            sl_jsv_num_format(json_number_value(e), num);
            sl_buf_adds(b, num);
        } else {
            char *s = json_is_string(e)    ? sl_strdup(json_string_value(e))
                      : json_is_boolean(e) ? sl_strdup(json_is_true(e) ? "true" : "false")
                                           : json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);
            sl_buf_addc(b, '"');
            for (const char *p = s; *p; p++) {
                if (*p == '"' || *p == '\\')
                    sl_buf_addc(b, '\\');
                sl_buf_addc(b, *p);
            }
            sl_buf_addc(b, '"');
            free(s);
        }
    }
    sl_buf_addc(b, '}');
}

char *sl_pg_param_text(const json_t *v, bool pg_array)
{
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return sl_strdup(json_string_value(v));
    if (json_is_boolean(v))
        return sl_strdup(json_is_true(v) ? "true" : "false");
    if (json_is_number(v)) {
        char num[SL_JSV_NUM_MAX];
        sl_jsv_num_format(json_number_value(v), num);
        return sl_strdup(num);
    }
    if (json_is_array(v) && pg_array) {
        struct sl_buf b = {0};
        array_literal(&b, v);
        return sl_buf_steal(&b);
    }
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    return s ? s : sl_strdup("null");
}

/* --------------------------------------------------------------- results */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* A date or timestamp in PostgreSQL's ISO output as JavaScript's
 * toISOString() of the Date node-postgres makes of it: with an offset it
 * is that instant, without one it is local time in the process's zone.
 * New string, or NULL when the text is not such a value (infinity, BC). */
static json_t *iso_time(const char *s)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
        return NULL;
    const char *p = s + n;
    long ms = 0;
    bool has_tz = false;
    long off = 0;
    if (*p == ' ' || *p == 'T') {
        int k = 0;
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &k) != 3)
            return NULL;
        p += 1 + k;
        if (*p == '.') {
            p++;
            int digits = 0;
            while (isdigit((unsigned char)*p)) {
                if (digits < 3)
                    ms = ms * 10 + (*p - '0');
                digits++;
                p++;
            }
            for (; digits < 3; digits++)
                ms *= 10;
        }
        if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1;
            int oh = 0, om = 0, os = 0;
            p++;
            if (sscanf(p, "%2d", &oh) != 1)
                return NULL;
            p += 2;
            if (*p == ':') {
                om = atoi(p + 1);
                p += 3;
                if (*p == ':') {
                    os = atoi(p + 1);
                    p += 3;
                }
            }
            off = sign * (oh * 3600L + om * 60L + os);
            has_tz = true;
        }
    }
    if (*p)
        return NULL; /* " BC" and anything unexpected stay text */
    long long t;
    if (has_tz) {
        t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400LL + h * 3600LL + mi * 60LL + sec -
            off;
    } else {
        struct tm tm = {.tm_year = y - 1900,
                        .tm_mon = mo - 1,
                        .tm_mday = d,
                        .tm_hour = h,
                        .tm_min = mi,
                        .tm_sec = sec,
                        .tm_isdst = -1};
        t = (long long)mktime(&tm);
    }
    time_t tt = (time_t)t;
    struct tm g;
    if (!gmtime_r(&tt, &g) || g.tm_year + 1900 > 9999 || g.tm_year + 1900 < 0)
        return NULL;
    char out[40];
    snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", g.tm_year + 1900,
             g.tm_mon + 1, g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec, ms);
    return json_string(out);
}

/* JavaScript's parseFloat / parseInt of PostgreSQL's number text. */
static json_t *js_number(const char *s, bool integer)
{
    char *end;
    if (integer) {
        long long v = strtoll(s, &end, 10);
        return json_integer(v);
    }
    if (!strcmp(s, "NaN") || !strcmp(s, "Infinity") || !strcmp(s, "-Infinity"))
        return json_null(); /* JSON has no such numbers */
    double d = strtod(s, &end);
    if (d == floor(d) && fabs(d) < 9007199254740992.0)
        return json_integer((json_int_t)d);
    return json_real(d);
}

static json_t *bytea_value(const char *s)
{
    json_t *data = json_array();
    if (s[0] == '\\' && s[1] == 'x') {
        for (const char *p = s + 2; p[0] && p[1]; p += 2) {
            unsigned v;
            char hx[3] = {p[0], p[1], 0};
            if (sscanf(hx, "%2x", &v) != 1)
                break;
            json_array_append_new(data, json_integer(v));
        }
    } else {
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
            json_array_append_new(data, json_integer(*p));
    }
    return json_pack("{s:s,s:o}", "type", "Buffer", "data", data);
}

/* A scalar of type `oid` from its text. */
static json_t *scalar_value(unsigned oid, const char *s, bool big)
{
    switch (oid) {
    case OID_BOOL:
        return json_boolean(s[0] == 't');
    case OID_INT2:
    case OID_INT4:
    case OID_OID:
        return js_number(s, true);
    case OID_INT8:
        return big ? js_number(s, false) : json_string(s);
    case OID_NUMERIC:
        return big ? js_number(s, false) : json_string(s);
    case OID_FLOAT4:
    case OID_FLOAT8:
        return js_number(s, false);
    case OID_JSON:
    case OID_JSONB: {
        json_t *v = json_loads(s, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        return v ? v : json_string(s);
    }
    case OID_DATE:
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ: {
        json_t *v = iso_time(s);
        return v ? v : json_string(s);
    }
    case OID_BYTEA:
        return bytea_value(s);
    default:
        return json_string(s);
    }
}

/* The element type node-postgres parses the array type `oid` with, or 0
 * when it leaves the array as text. */
static unsigned array_elem(unsigned oid)
{
    switch (oid) {
    case OID_BOOL_ARR:
        return OID_BOOL;
    case OID_INT2_ARR:
    case OID_INT4_ARR:
    case OID_OID_ARR:
        return OID_INT4;
    case OID_INT8_ARR:
        return OID_TEXT_ARR; /* strings, whatever largeNumbersOutput says */
    case OID_FLOAT4_ARR:
    case OID_FLOAT8_ARR:
    case OID_NUMERIC_ARR:
        return OID_FLOAT8;
    case OID_JSON_ARR:
    case OID_JSONB_ARR:
        return OID_JSON;
    case OID_TIMESTAMP_ARR:
    case OID_TIMESTAMPTZ_ARR:
    case OID_DATE_ARR:
        return OID_TIMESTAMPTZ;
    case OID_TEXT_ARR:
    case OID_BPCHAR_ARR:
    case OID_VARCHAR_ARR:
    case OID_UUID_ARR:
    case OID_TIME_ARR:
    case OID_TIMETZ_ARR:
    case OID_CHAR_ARR:
    case OID_NAME_ARR:
        return OID_TEXT_ARR;
    default:
        return 0;
    }
}

/* Parses one array level at *pp ('{' ... '}'), elements typed `elem`. */
static json_t *parse_array(const char **pp, unsigned elem)
{
    const char *p = *pp;
    json_t *arr = json_array();
    if (*p != '{')
        return arr;
    p++;
    while (*p && *p != '}') {
        if (*p == '{') {
            json_array_append_new(arr, parse_array(&p, elem));
        } else {
            struct sl_buf b = {0};
            bool quoted = *p == '"';
            if (quoted) {
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && p[1])
                        p++;
                    sl_buf_addc(&b, *p++);
                }
                if (*p == '"')
                    p++;
            } else {
                while (*p && *p != ',' && *p != '}')
                    sl_buf_addc(&b, *p++);
            }
            char *s = sl_buf_steal(&b);
            if (!quoted && !strcmp(s, "NULL"))
                json_array_append_new(arr, json_null());
            else if (elem == OID_TEXT_ARR)
                json_array_append_new(arr, json_string(s));
            else
                json_array_append_new(arr, scalar_value(elem, s, false));
            free(s);
        }
        if (*p == ',')
            p++;
    }
    if (*p == '}')
        p++;
    *pp = p;
    return arr;
}

json_t *sl_pg_result_rows(const PGresult *res, bool big_numbers)
{
    json_t *rows = json_array();
    int nf = PQnfields(res), nt = PQntuples(res);
    for (int r = 0; r < nt; r++) {
        json_t *row = json_object();
        for (int f = 0; f < nf; f++) {
            const char *name = PQfname(res, f);
            json_t *v;
            if (PQgetisnull(res, r, f)) {
                v = json_null();
            } else {
                const char *s = PQgetvalue(res, r, f);
                unsigned oid = (unsigned)PQftype(res, f);
                unsigned elem = array_elem(oid);
                if (elem) {
                    const char *p = s;
                    if (*p == '[') /* "[1:2]={...}": bounds other than 1 */
                        p = strchr(p, '=') ? strchr(p, '=') + 1 : p;
                    v = parse_array(&p, elem);
                } else {
                    v = scalar_value(oid, s, big_numbers);
                }
            }
            json_object_set_new(row, name, v); /* a later column of the same name wins */
        }
        json_array_append_new(rows, row);
    }
    return rows;
}

/* ------------------------------------------------------------ SQL text */

/* Length of a dollar-quote tag at p ("$tag$" or "$$"), 0 when none. */
static size_t dollar_tag(const char *p)
{
    if (*p != '$')
        return 0;
    size_t n = 1;
    if (isdigit((unsigned char)p[1]))
        return 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_' || (unsigned char)p[n] >= 0x80)
        n++;
    return p[n] == '$' ? n + 1 : 0;
}

/* Skips a literal, quoted identifier or comment at p; returns the first
 * character after it, or p when none starts there. */
static const char *skip_quoted(const char *p, const char *start)
{
    if (*p == '\'') {
        bool esc = p > start && (p[-1] == 'E' || p[-1] == 'e') &&
                   (p - 1 == start || !(isalnum((unsigned char)p[-2]) || p[-2] == '_'));
        p++;
        while (*p) {
            if (esc && *p == '\\' && p[1]) {
                p += 2;
                continue;
            }
            if (*p == '\'') {
                if (p[1] == '\'') {
                    p += 2;
                    continue;
                }
                return p + 1;
            }
            p++;
        }
        return p;
    }
    if (*p == '"') {
        p++;
        while (*p) {
            if (*p == '"') {
                if (p[1] == '"') {
                    p += 2;
                    continue;
                }
                return p + 1;
            }
            p++;
        }
        return p;
    }
    if (p[0] == '-' && p[1] == '-') {
        while (*p && *p != '\n')
            p++;
        return p;
    }
    if (p[0] == '/' && p[1] == '*') {
        int depth = 1;
        p += 2;
        while (*p && depth) {
            if (p[0] == '/' && p[1] == '*') {
                depth++;
                p += 2;
            } else if (p[0] == '*' && p[1] == '/') {
                depth--;
                p += 2;
            } else {
                p++;
            }
        }
        return p;
    }
    size_t tl = dollar_tag(p);
    if (tl && !(p > start && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
        const char *q = p + tl;
        while (*q && strncmp(q, p, tl))
            q++;
        return *q ? q + tl : q;
    }
    return p;
}

/* The statement being built: its text and the values of its parameters,
 * `map[k]` being the new number of original parameter k+1 (0: unused). */
struct stmt {
    struct sl_buf sql;
    json_t *params;
    int *map;
    bool only_space;
};

static void stmt_flush(json_t *out, struct stmt *st, size_t nvalues)
{
    char *sql = sl_buf_steal(&st->sql);
    if (!st->only_space)
        json_array_append_new(out, json_pack("{s:s,s:O}", "sql", sql, "params", st->params));
    free(sql);
    json_decref(st->params);
    st->params = json_array();
    memset(st->map, 0, nvalues * sizeof *st->map);
    st->only_space = true;
}

static bool starts(const char *p, const char *w, size_t *len)
{
    size_t n = strlen(w);
    if (strncmp(p, w, n))
        return false;
    *len = n;
    return true;
}

/* Adds the value of parameter `n` (1-based) to the statement, reusing its
 * number when the statement already has it; writes "$k". */
static void add_param(struct stmt *st, const json_t *values, size_t n)
{
    size_t nv = json_array_size(values);
    if (n <= nv && st->map[n - 1]) {
        sl_buf_addf(&st->sql, "$%d", st->map[n - 1]);
        return;
    }
    json_array_append(st->params, json_array_get(values, n - 1));
    int k = (int)json_array_size(st->params);
    if (n <= nv)
        st->map[n - 1] = k;
    sl_buf_addf(&st->sql, "$%d", k);
}

static int add_name(struct sl_buf *b, const json_t *v, size_t n, char **err)
{
    if (json_is_string(v)) {
        if (!strcmp(json_string_value(v), "*"))
            sl_buf_addc(b, '*');
        else
            sl_pg_quote_ident(b, json_string_value(v));
        return 0;
    }
    if (json_is_array(v) && json_array_size(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (!json_is_string(e)) {
                *err = sl_asprintf("Invalid sql name: parameter $%zu", n);
                return -1;
            }
            if (i)
                sl_buf_adds(b, ",");
            sl_pg_quote_ident(b, json_string_value(e));
        }
        return 0;
    }
    *err = sl_asprintf("Invalid sql name: parameter $%zu", n);
    return -1;
}

json_t *sl_pg_prepare_query(const char *sql, const json_t *values, char **err)
{
    size_t nv = json_array_size(values);
    json_t *out = json_array();
    struct stmt st = {
        .params = json_array(), .map = sl_calloc(nv ? nv : 1, sizeof(int)), .only_space = true};
    const char *p = sql;
    *err = NULL;
    while (*p) {
        const char *q = skip_quoted(p, sql);
        if (q != p) {
            bool comment = (p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*');
            if (!comment)
                st.only_space = false;
            sl_buf_add(&st.sql, p, (size_t)(q - p));
            p = q;
            continue;
        }
        if (*p == ';') {
            stmt_flush(out, &st, nv);
            p++;
            continue;
        }
        if (*p == '$' && isdigit((unsigned char)p[1]) &&
            !(p > sql && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
            char *end;
            unsigned long n = strtoul(p + 1, &end, 10);
            p = end;
            st.only_space = false;
            if (n == 0 || n > 100000) {
                *err = sl_asprintf("there is no parameter $%lu", n);
                goto fail;
            }
            if (n > nv) {
                *err = sl_asprintf("there is no parameter $%lu", n);
                goto fail;
            }
            const json_t *v = json_array_get(values, n - 1);
            size_t len = 0;
            if (starts(p, ":name", &len) || starts(p, ":alias", &len) || starts(p, "~", &len)) {
                p += len;
                if (add_name(&st.sql, v, n, err) < 0)
                    goto fail;
            } else if (starts(p, ":raw", &len) || starts(p, "^", &len) ||
                       starts(p, ":value", &len) || starts(p, "#", &len)) {
                *err = sl_asprintf("$%lu%.*s would put a value into the SQL text; sluice sends "
                                   "values only as query parameters",
                                   n, (int)len, p);
                goto fail;
            } else if (starts(p, ":json", &len)) {
                p += len;
                char *j = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                json_array_append_new(st.params, json_string(j ? j : "null"));
                free(j);
                sl_buf_addf(&st.sql, "$%zu", json_array_size(st.params));
            } else if (starts(p, ":csv", &len) || starts(p, ":list", &len)) {
                p += len;
                if (json_is_array(v)) {
                    size_t i;
                    json_t *e;
                    json_array_foreach(v, i, e)
                    {
                        if (i)
                            sl_buf_adds(&st.sql, ",");
                        json_array_append(st.params, e);
                        sl_buf_addf(&st.sql, "$%zu", json_array_size(st.params));
                    }
                } else {
                    add_param(&st, values, n);
                }
            } else {
                add_param(&st, values, n);
            }
            continue;
        }
        if (!isspace((unsigned char)*p))
            st.only_space = false;
        sl_buf_addc(&st.sql, *p++);
    }
    stmt_flush(out, &st, nv);
    goto done;
fail:
    json_decref(out);
    out = NULL;
    sl_buf_release(&st.sql);
done:
    json_decref(st.params);
    free(st.map);
    return out;
}

bool sl_pg_is_select(const char *sql)
{
    /* n8n's isSelectQuery, rule for rule: block comments removed (not
     * across lines), newlines removed, split at every ';', empty parts and
     * parts starting with "--" dropped, the rest must start with select. */
    struct sl_buf b = {0};
    for (const char *p = sql; *p;) {
        if (p[0] == '/' && p[1] == '*') {
            const char *e = p + 2;
            while (*e && *e != '\n' && !(e[0] == '*' && e[1] == '/'))
                e++;
            if (e[0] == '*' && e[1] == '/') {
                p = e + 2;
                continue;
            }
        }
        if (*p != '\n')
            sl_buf_addc(&b, *p);
        p++;
    }
    char *s = sl_buf_steal(&b);
    bool all = true;
    for (char *part = s;;) {
        char *semi = strchr(part, ';');
        if (semi)
            *semi = 0;
        if (*part && strncmp(part, "--", 2)) {
            const char *t = part;
            while (isspace((unsigned char)*t))
                t++;
            if (strncasecmp(t, "select", 6))
                all = false;
        }
        if (!semi)
            break;
        part = semi + 1;
    }
    free(s);
    return all;
}
