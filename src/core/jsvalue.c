/*
 * JavaScript value semantics over jansson values (see jsvalue.h).
 *
 * These follow the ECMAScript abstract operations the n8n node code relies
 * on (ToString, ToNumber, ToPrimitive, IsLessThan, IsStrictlyEqual) rather
 * than C's: numbers print with the shortest round-trip digits, strings
 * compare by UTF-16 code units and "0x1f" is a number.
 */
#define _GNU_SOURCE /* newlocale, towlower_l */
#include "core/jsvalue.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include "util/alloc.h"

/* ------------------------------------------------------------------ */
/* numbers                                                             */
/* ------------------------------------------------------------------ */

void sl_jsv_num_format(double d, char out[SL_JSV_NUM_MAX])
{
    if (isnan(d)) {
        snprintf(out, SL_JSV_NUM_MAX, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(out, SL_JSV_NUM_MAX, "%s", d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (d == 0) {
        snprintf(out, SL_JSV_NUM_MAX, "0");
        return;
    }
    if (d == (double)(long long)d && fabs(d) < 9007199254740992.0) {
        /* whole numbers below 2^53 print as plain integers in JavaScript */
        snprintf(out, SL_JSV_NUM_MAX, "%lld", (long long)d);
        return;
    }
    char tmp[40], digits[24];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    /* tmp is [-]D[.DDD]e[+-]XX */
    const char *p = tmp;
    char *o = out;
    if (*p == '-') {
        *o++ = '-';
        p++;
    }
    size_t k = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[k++] = *p;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    int exp10 = *p == 'e' ? (int)strtol(p + 1, NULL, 10) : 0;
    int n = exp10 + 1; /* position of the decimal point */
    if ((int)k <= n && n <= 21) {
        memcpy(o, digits, k);
        o += k;
        for (int i = (int)k; i < n; i++)
            *o++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(o, digits, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, digits + n, k - (size_t)n);
        o += k - (size_t)n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -n; i++)
            *o++ = '0';
        memcpy(o, digits, k);
        o += k;
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, k - 1);
            o += k - 1;
        }
        o += snprintf(o, 8, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
    *o = '\0';
}

double sl_jsv_num(const json_t *v)
{
    if (json_is_integer(v))
        return (double)json_integer_value(v);
    if (json_is_real(v))
        return json_real_value(v);
    return NAN;
}

size_t sl_jsv_space_len(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        return 1;
    if (s[0] == 0xc2 && s[1] == 0xa0)
        return 2; /* U+00A0 */
    if (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
        return 3; /* U+FEFF */
    if (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80)
        return 3; /* U+1680 */
    if (s[0] == 0xe2 && s[1] == 0x80 &&
        ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
        return 3; /* U+2000-200A, U+2028, U+2029, U+202F */
    if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
        return 3; /* U+205F */
    if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
        return 3; /* U+3000 */
    return 0;
}

void sl_jsv_trim(const char *s, const char **b, const char **e)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n;
    while ((n = sl_jsv_space_len((const char *)p)))
        p += n;
    const unsigned char *end = p + strlen((const char *)p);
    /* Scan forward remembering where the trailing run of spaces starts. */
    const unsigned char *q = p, *last = p;
    while (q < end) {
        n = sl_jsv_space_len((const char *)q);
        if (n) {
            q += n;
        } else {
            q++;
            while (q < end && (*q & 0xc0) == 0x80)
                q++;
            last = q;
        }
    }
    *b = (const char *)p;
    *e = (const char *)last;
}

static int digit_val(char c, int base)
{
    int v;
    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'z')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'Z')
        v = c - 'A' + 10;
    else
        return -1;
    return v < base ? v : -1;
}

/* StringToNumber on [b, e). */
static double str_to_number(const char *b, const char *e)
{
    size_t n = (size_t)(e - b);
    if (n == 0)
        return 0;
    if (n > 2 && b[0] == '0' && strchr("xXoObB", b[1])) {
        int base = (b[1] == 'x' || b[1] == 'X') ? 16 : (b[1] == 'o' || b[1] == 'O') ? 8 : 2;
        double v = 0;
        for (const char *p = b + 2; p < e; p++) {
            int d = digit_val(*p, base);
            if (d < 0)
                return NAN;
            v = v * base + d;
        }
        return v;
    }
    const char *p = b;
    bool neg = false;
    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    if ((size_t)(e - p) == 8 && !memcmp(p, "Infinity", 8))
        return neg ? -INFINITY : INFINITY;
    /* StrUnsignedDecimalLiteral: digits [. digits] [exp] | . digits [exp] */
    const char *q = p;
    size_t int_digits = 0, frac_digits = 0;
    while (q < e && *q >= '0' && *q <= '9') {
        q++;
        int_digits++;
    }
    if (q < e && *q == '.') {
        q++;
        while (q < e && *q >= '0' && *q <= '9') {
            q++;
            frac_digits++;
        }
    }
    if (int_digits + frac_digits == 0)
        return NAN;
    if (q < e && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < e && (*q == '+' || *q == '-'))
            q++;
        size_t exp_digits = 0;
        while (q < e && *q >= '0' && *q <= '9') {
            q++;
            exp_digits++;
        }
        if (!exp_digits)
            return NAN;
    }
    if (q != e)
        return NAN;
    char *tmp = sl_strndup(b, n);
    double v = strtod(tmp, NULL);
    free(tmp);
    return v;
}

double sl_jsv_str_to_number(const char *s)
{
    const char *b, *e;
    sl_jsv_trim(s, &b, &e);
    return str_to_number(b, e);
}

double sl_jsv_to_number(const json_t *v)
{
    if (!v)
        return NAN;
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE:
        return 0;
    case JSON_TRUE:
        return 1;
    case JSON_INTEGER:
    case JSON_REAL:
        return sl_jsv_num(v);
    case JSON_STRING:
        return sl_jsv_str_to_number(json_string_value(v));
    case JSON_ARRAY: {
        char *s = sl_jsv_to_string(v);
        double d = sl_jsv_str_to_number(s);
        free(s);
        return d;
    }
    default:
        return NAN;
    }
}

/* ------------------------------------------------------------------ */
/* strings                                                             */
/* ------------------------------------------------------------------ */

const char *sl_jsv_typeof(const json_t *v)
{
    if (!v)
        return "undefined";
    switch (json_typeof(v)) {
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "object";
    }
}

/* Array.prototype.join(",") nests: elements that are null or undefined
 * print as empty strings. Depth is bounded by jansson's parser. */
static void add_string(struct sl_buf *b, const json_t *v, bool in_array)
{
    char num[SL_JSV_NUM_MAX];
    if (!v) {
        if (!in_array)
            sl_buf_adds(b, "undefined");
        return;
    }
    switch (json_typeof(v)) {
    case JSON_NULL:
        if (!in_array)
            sl_buf_adds(b, "null");
        break;
    case JSON_TRUE:
        sl_buf_adds(b, "true");
        break;
    case JSON_FALSE:
        sl_buf_adds(b, "false");
        break;
    case JSON_INTEGER:
    case JSON_REAL:
        sl_jsv_num_format(sl_jsv_num(v), num);
        sl_buf_adds(b, num);
        break;
    case JSON_STRING:
        sl_buf_add(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_ARRAY:
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                sl_buf_addc(b, ',');
            add_string(b, json_array_get(v, i), true);
        }
        break;
    default:
        sl_buf_adds(b, "[object Object]");
        break;
    }
}

char *sl_jsv_to_string(const json_t *v)
{
    struct sl_buf b = {0};
    add_string(&b, v, false);
    return sl_buf_steal(&b);
}

bool sl_jsv_truthy(const json_t *v)
{
    if (!v)
        return false;
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE:
        return false;
    case JSON_INTEGER:
    case JSON_REAL: {
        double d = sl_jsv_num(v);
        return d != 0 && !isnan(d);
    }
    case JSON_STRING:
        return json_string_length(v) > 0;
    default:
        return true;
    }
}

bool sl_jsv_strict_equals(const json_t *a, const json_t *b)
{
    if (!a || !b)
        return !a && !b;
    if (json_is_number(a) && json_is_number(b))
        return sl_jsv_num(a) == sl_jsv_num(b);
    if (json_typeof(a) != json_typeof(b))
        return false;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               !memcmp(json_string_value(a), json_string_value(b), json_string_length(a));
    case JSON_NULL:
    case JSON_TRUE:
    case JSON_FALSE:
        return true;
    default:
        return false; /* containers: never the same object */
    }
}

bool sl_jsv_same_value_zero(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b) && isnan(sl_jsv_num(a)) && isnan(sl_jsv_num(b)))
        return true;
    return sl_jsv_strict_equals(a, b);
}

/* Decodes one UTF-8 sequence at *p (advancing it); invalid bytes decode as
 * themselves, which cannot happen for jansson strings. */
static uint32_t utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int n = 0;
    if (c >= 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80) {
        c = ((c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) | ((uint32_t)(s[2] & 0x3f) << 6) |
            (s[3] & 0x3f);
        n = 4;
    } else if (c >= 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
        c = ((c & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
        n = 3;
    } else if (c >= 0xc0 && (s[1] & 0xc0) == 0x80) {
        c = ((c & 0x1f) << 6) | (s[1] & 0x3f);
        n = 2;
    } else {
        n = 1;
    }
    *p = s + n;
    return c;
}

void sl_jsv_utf8_put(struct sl_buf *b, uint32_t c)
{
    char t[4];
    if (c < 0x80) {
        sl_buf_addc(b, (char)c);
    } else if (c < 0x800) {
        t[0] = (char)(0xc0 | (c >> 6));
        t[1] = (char)(0x80 | (c & 0x3f));
        sl_buf_add(b, t, 2);
    } else if (c < 0x10000) {
        t[0] = (char)(0xe0 | (c >> 12));
        t[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        t[2] = (char)(0x80 | (c & 0x3f));
        sl_buf_add(b, t, 3);
    } else {
        t[0] = (char)(0xf0 | (c >> 18));
        t[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        t[2] = (char)(0x80 | ((c >> 6) & 0x3f));
        t[3] = (char)(0x80 | (c & 0x3f));
        sl_buf_add(b, t, 4);
    }
}

int sl_jsv_strcmp_utf16(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p && *q) {
        if (*p == *q && *p < 0x80) {
            p++;
            q++;
            continue;
        }
        uint32_t x = utf8_next(&p), y = utf8_next(&q);
        if (x == y)
            continue;
        /* The first UTF-16 unit decides unless both are the same high
         * surrogate, in which case the code points order the same way. */
        uint32_t ux = x >= 0x10000 ? 0xd800 + ((x - 0x10000) >> 10) : x;
        uint32_t uy = y >= 0x10000 ? 0xd800 + ((y - 0x10000) >> 10) : y;
        if (ux != uy)
            return ux < uy ? -1 : 1;
        return x < y ? -1 : 1;
    }
    return *p ? 1 : *q ? -1 : 0;
}

enum sl_jsv_rel sl_jsv_compare(const json_t *a, const json_t *b)
{
    /* ToPrimitive: containers become their string form. */
    bool as = json_is_string(a) || json_is_array(a) || json_is_object(a);
    bool bs = json_is_string(b) || json_is_array(b) || json_is_object(b);
    if (as && bs) {
        char *x = sl_jsv_to_string(a), *y = sl_jsv_to_string(b);
        int c = sl_jsv_strcmp_utf16(x, y);
        free(x);
        free(y);
        return c < 0 ? SL_JSV_LT : c > 0 ? SL_JSV_GT : SL_JSV_EQ;
    }
    double x = sl_jsv_to_number(a), y = sl_jsv_to_number(b);
    if (json_is_object(a))
        x = NAN;
    if (json_is_object(b))
        y = NAN;
    if (isnan(x) || isnan(y))
        return SL_JSV_UNORDERED;
    return x < y ? SL_JSV_LT : x > y ? SL_JSV_GT : SL_JSV_EQ;
}

/* ------------------------------------------------------------------ */
/* JSON.stringify                                                      */
/* ------------------------------------------------------------------ */

static void add_quoted(struct sl_buf *b, const char *s, size_t n)
{
    sl_buf_addc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            sl_buf_adds(b, "\\\"");
            break;
        case '\\':
            sl_buf_adds(b, "\\\\");
            break;
        case '\b':
            sl_buf_adds(b, "\\b");
            break;
        case '\f':
            sl_buf_adds(b, "\\f");
            break;
        case '\n':
            sl_buf_adds(b, "\\n");
            break;
        case '\r':
            sl_buf_adds(b, "\\r");
            break;
        case '\t':
            sl_buf_adds(b, "\\t");
            break;
        default:
            if (c < 0x20)
                sl_buf_addf(b, "\\u%04x", c);
            else
                sl_buf_addc(b, (char)c);
        }
    }
    sl_buf_addc(b, '"');
}

bool sl_jsv_index_key(const char *key, uint64_t limit, uint64_t *out)
{
    if (!*key || (key[0] == '0' && key[1]))
        return false;
    uint64_t v = 0;
    for (const char *p = key; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
        if (v >= limit)
            return false;
    }
    if (out)
        *out = v;
    return true;
}

struct idx_key {
    uint64_t n;
    const char *k;
};

static int cmp_idx(const void *a, const void *b)
{
    const struct idx_key *x = a, *y = b;
    return x->n < y->n ? -1 : x->n > y->n;
}

/* The array-index keys of obj in ascending order (JavaScript lists them
 * first); *n gets their count. The caller frees the result. */
static struct idx_key *index_keys(const json_t *obj, size_t *n)
{
    size_t size = json_object_size(obj), ni = 0;
    struct idx_key *idx = sl_calloc(size ? size : 1, sizeof *idx);
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)obj, k, x)
    {
        uint64_t u;
        if (sl_jsv_index_key(k, SL_JSV_ARRAY_INDEX_LIMIT, &u))
            idx[ni++] = (struct idx_key){u, k};
    }
    qsort(idx, ni, sizeof *idx, cmp_idx);
    *n = ni;
    return idx;
}

/* A line break and `depth` levels of `indent` spaces (nothing when indent
 * is 0), as JSON.stringify's `space` argument gives. */
static void add_break(struct sl_buf *b, int indent, int depth)
{
    if (!indent)
        return;
    sl_buf_addc(b, '\n');
    for (int i = 0; i < indent * depth; i++)
        sl_buf_addc(b, ' ');
}

void sl_jsv_stringify_to(struct sl_buf *b, const json_t *v, int indent, int depth)
{
    char num[SL_JSV_NUM_MAX];
    switch (json_typeof(v)) {
    case JSON_NULL:
        sl_buf_adds(b, "null");
        break;
    case JSON_TRUE:
        sl_buf_adds(b, "true");
        break;
    case JSON_FALSE:
        sl_buf_adds(b, "false");
        break;
    case JSON_INTEGER:
    case JSON_REAL: {
        double d = sl_jsv_num(v);
        if (!isfinite(d)) {
            sl_buf_adds(b, "null");
        } else {
            sl_jsv_num_format(d, num);
            sl_buf_adds(b, num);
        }
        break;
    }
    case JSON_STRING:
        add_quoted(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_ARRAY:
        sl_buf_addc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                sl_buf_addc(b, ',');
            add_break(b, indent, depth + 1);
            sl_jsv_stringify_to(b, json_array_get(v, i), indent, depth + 1);
        }
        if (json_array_size(v))
            add_break(b, indent, depth);
        sl_buf_addc(b, ']');
        break;
    case JSON_OBJECT: {
        size_t ni;
        struct idx_key *idx = index_keys(v, &ni);
        const char *k;
        json_t *x;
        bool first = true;
        sl_buf_addc(b, '{');
        for (size_t i = 0; i < ni; i++) {
            if (!first)
                sl_buf_addc(b, ',');
            first = false;
            add_break(b, indent, depth + 1);
            add_quoted(b, idx[i].k, strlen(idx[i].k));
            sl_buf_adds(b, indent ? ": " : ":");
            sl_jsv_stringify_to(b, json_object_get(v, idx[i].k), indent, depth + 1);
        }
        json_object_foreach((json_t *)v, k, x)
        {
            if (sl_jsv_index_key(k, SL_JSV_ARRAY_INDEX_LIMIT, NULL))
                continue;
            if (!first)
                sl_buf_addc(b, ',');
            first = false;
            add_break(b, indent, depth + 1);
            add_quoted(b, k, strlen(k));
            sl_buf_adds(b, indent ? ": " : ":");
            sl_jsv_stringify_to(b, x, indent, depth + 1);
        }
        if (!first)
            add_break(b, indent, depth);
        sl_buf_addc(b, '}');
        free(idx);
        break;
    }
    }
}

char *sl_jsv_stringify(const json_t *v)
{
    if (!v)
        return NULL;
    struct sl_buf b = {0};
    sl_jsv_stringify_to(&b, v, 0, 0);
    return sl_buf_steal(&b);
}

/* ------------------------------------------------------------------ */
/* lower case                                                          */
/* ------------------------------------------------------------------ */

static pthread_once_t locale_once = PTHREAD_ONCE_INIT;
static locale_t utf8_locale;

static void locale_init(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static bool cased(uint32_t c)
{
    return c < 0x80 ? ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
                    : utf8_locale && (iswupper_l((wint_t)c, utf8_locale) ||
                                      iswlower_l((wint_t)c, utf8_locale));
}

char *sl_jsv_lower(const char *s)
{
    pthread_once(&locale_once, locale_init);
    struct sl_buf b = {0};
    const unsigned char *p = (const unsigned char *)s;
    bool prev_cased = false;
    while (*p) {
        if (*p < 0x80) {
            unsigned char c = *p++;
            sl_buf_addc(&b, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
            prev_cased = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
            continue;
        }
        uint32_t c = utf8_next(&p);
        if (c == 0x130) {
            sl_buf_adds(&b, "i\xcc\x87"); /* i + COMBINING DOT ABOVE */
        } else if (c == 0x3a3) {
            /* Final sigma: after a cased letter and not before one. */
            const unsigned char *q = p;
            bool next_cased = *q && cased(utf8_next(&q));
            sl_jsv_utf8_put(&b, prev_cased && !next_cased ? 0x3c2 : 0x3c3);
        } else if (utf8_locale) {
            sl_jsv_utf8_put(&b, (uint32_t)towlower_l((wint_t)c, utf8_locale));
        } else {
            sl_jsv_utf8_put(&b, c);
        }
        prev_cased = cased(c);
    }
    return sl_buf_steal(&b);
}

char *sl_jsv_upper(const char *s)
{
    pthread_once(&locale_once, locale_init);
    struct sl_buf b = {0};
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p < 0x80) {
            unsigned char c = *p++;
            sl_buf_addc(&b, (char)(c >= 'a' && c <= 'z' ? c - 32 : c));
            continue;
        }
        uint32_t c = utf8_next(&p);
        if (c == 0xdf)
            sl_buf_adds(&b, "SS"); /* the one full mapping common in text */
        else
            sl_jsv_utf8_put(&b, utf8_locale ? (uint32_t)towupper_l((wint_t)c, utf8_locale) : c);
    }
    return sl_buf_steal(&b);
}

bool sl_jsv_deep_equal(const json_t *a, const json_t *b)
{
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!sl_jsv_deep_equal(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    if (json_is_object(a) && json_is_object(b)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)a, k, x)
        {
            if (!sl_jsv_deep_equal(x, json_object_get(b, k)))
                return false;
        }
        return true;
    }
    return sl_jsv_same_value_zero(a, b);
}

/* isFalsy of fuzzyCompare: null, "" and []. */
static bool fz_falsy(const json_t *v)
{
    return v && (json_is_null(v) || (json_is_string(v) && !json_string_length(v)) ||
                 (json_is_array(v) && !json_array_size(v)));
}

static bool fz_str_is(const json_t *s, const char *w, bool icase)
{
    if (!json_is_string(s))
        return false;
    return icase ? !strcasecmp(json_string_value(s), w) : !strcmp(json_string_value(s), w);
}

static bool fz_num_str_eq(const json_t *num, const json_t *str)
{
    char b[SL_JSV_NUM_MAX];
    sl_jsv_num_format(sl_jsv_num(num), b);
    return !strcmp(b, json_string_value(str));
}

static bool fz_parsed_eq(const json_t *str, const json_t *obj)
{
    json_error_t e;
    json_t *p = json_loads(json_string_value(str), JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &e);
    bool r = p && sl_jsv_deep_equal(p, obj);
    json_decref(p);
    return r;
}

/* A boolean against a string or number of another type. */
static bool fz_bool_eq(const json_t *b, const json_t *o)
{
    bool t = json_is_true(b);
    if (json_is_string(o))
        return fz_str_is(o, t ? "true" : "false", true) || fz_str_is(o, t ? "1" : "0", false);
    return json_is_number(o) && sl_jsv_num(o) == (t ? 1 : 0);
}

bool sl_jsv_fuzzy_equal(const json_t *a, const json_t *b, bool fuzzy, int version)
{
    if (!fuzzy)
        return sl_jsv_deep_equal(a, b);
    bool an = a && json_is_null(a), bn = b && json_is_null(b);
    if (!an && !bn && !strcmp(sl_jsv_typeof(a), sl_jsv_typeof(b)))
        return sl_jsv_deep_equal(a, b);
    if (version >= 2) {
        if (an && (bn || (json_is_number(b) && sl_jsv_num(b) == 0) || fz_str_is(b, "0", false)))
            return true;
        if (bn && (an || (json_is_number(a) && sl_jsv_num(a) == 0) || fz_str_is(a, "0", false)))
            return true;
    }
    if (fz_falsy(a) && fz_falsy(b))
        return true;
    if ((fz_falsy(a) && !b) || (!a && fz_falsy(b)))
        return true;
    if (!a || !b)
        return false;
    if (json_is_number(a) && json_is_string(b))
        return fz_num_str_eq(a, b);
    if (json_is_string(a) && json_is_number(b))
        return fz_num_str_eq(b, a);
    if (!an && (json_is_object(a) || json_is_array(a)) && json_is_string(b))
        return fz_parsed_eq(b, a);
    if (!bn && json_is_string(a) && (json_is_object(b) || json_is_array(b)))
        return fz_parsed_eq(a, b);
    if (json_is_boolean(a) && (json_is_string(b) || json_is_number(b)) && fz_bool_eq(a, b))
        return true;
    if (json_is_boolean(b) && (json_is_string(a) || json_is_number(a)) && fz_bool_eq(b, a))
        return true;
    return sl_jsv_deep_equal(a, b);
}

bool sl_jsv_lodash_lt(const json_t *a, const json_t *b)
{
    if (json_is_string(a) && json_is_string(b))
        return sl_jsv_strcmp_utf16(json_string_value(a), json_string_value(b)) < 0;
    return sl_jsv_to_number(a) < sl_jsv_to_number(b);
}

void sl_jsv_sort(size_t *idx, size_t n, int (*cmp)(size_t a, size_t b, void *ud), void *ud)
{
    if (n < 2)
        return;
    size_t run = 2;
    bool desc = cmp(idx[1], idx[0], ud) < 0;
    for (size_t i = 2; i < n; i++) {
        int o = cmp(idx[i], idx[i - 1], ud);
        if (desc ? o >= 0 : o < 0)
            break;
        run++;
    }
    if (desc)
        for (size_t lo = 0, hi = run - 1; lo < hi; lo++, hi--) {
            size_t t = idx[lo];
            idx[lo] = idx[hi];
            idx[hi] = t;
        }
    for (size_t start = run; start < n; start++) {
        size_t pivot = idx[start], left = 0, right = start;
        while (left < right) {
            size_t mid = left + ((right - left) >> 1);
            if (cmp(pivot, idx[mid], ud) < 0)
                right = mid;
            else
                left = mid + 1;
        }
        memmove(idx + left + 1, idx + left, (start - left) * sizeof *idx);
        idx[left] = pivot;
    }
}

json_t *sl_jsv_split_trim(const char *s, bool keep_empty)
{
    json_t *list = json_array();
    for (;;) {
        const char *comma = strchr(s, ',');
        char *part = sl_strndup(s, comma ? (size_t)(comma - s) : strlen(s));
        const char *b, *e;
        sl_jsv_trim(part, &b, &e);
        if (keep_empty || e > b)
            json_array_append_new(list, json_stringn(b, (size_t)(e - b)));
        free(part);
        if (!comma)
            break;
        s = comma + 1;
    }
    return list;
}

char *sl_jsv_to_string_or_empty(const json_t *v)
{
    if (!v || json_is_null(v))
        return sl_strdup("");
    return sl_jsv_to_string(v);
}

json_t *sl_jsv_keys(const json_t *obj)
{
    json_t *keys = json_array();
    size_t ni;
    struct idx_key *idx = index_keys(obj, &ni);
    const char *k;
    json_t *x;
    for (size_t i = 0; i < ni; i++)
        json_array_append_new(keys, json_string(idx[i].k));
    json_object_foreach((json_t *)obj, k, x)
    {
        if (!sl_jsv_index_key(k, SL_JSV_ARRAY_INDEX_LIMIT, NULL))
            json_array_append_new(keys, json_string(k));
    }
    free(idx);
    return keys;
}

/* Length of the well-formed UTF-8 sequence at p (n bytes left), or 0 when
 * the bytes there are not one (the WHATWG decoder's ranges). */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c < 0xc2 || c > 0xf4)
        return 0;
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    if (n < 2 || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (i >= n || p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return len;
}

json_t *sl_jsv_utf8_decode(const void *bytes, size_t len)
{
    const unsigned char *p = bytes;
    struct sl_buf out = {0};
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(p + i, len - i);
        if (n) {
            sl_buf_add(&out, p + i, n);
            i += n;
            continue;
        }
        /* one U+FFFD for the maximal prefix of a valid sequence */
        sl_buf_adds(&out, "\xef\xbf\xbd");
        unsigned char c = p[i++];
        size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 1;
        for (size_t k = 1; k < want && i < len; k++) {
            unsigned char lo = 0x80, hi = 0xbf;
            if (k == 1 && c == 0xe0)
                lo = 0xa0;
            else if (k == 1 && c == 0xed)
                hi = 0x9f;
            else if (k == 1 && c == 0xf0)
                lo = 0x90;
            else if (k == 1 && c == 0xf4)
                hi = 0x8f;
            if (c > 0xf4 || p[i] < lo || p[i] > hi)
                break;
            i++;
        }
    }
    json_t *s = json_stringn_nocheck(out.data ? out.data : "", out.len);
    sl_buf_release(&out);
    return s;
}
