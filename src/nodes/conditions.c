/*
 * The "filter" parameter type of If v2, Filter v2 and Switch v3: n8n's
 * executeFilter, parseFilterConditionValues and the part of
 * validateFieldType they use, in C.
 *
 * Each side of a condition is converted to the operator's type into a
 * small tagged value (struct fv) that keeps what JavaScript would hold:
 * numbers as doubles (Infinity included), luxon DateTimes as their epoch
 * milliseconds. The operator switch then follows n8n's, including its
 * case fall-through: an operation unknown to the number type is tried as
 * a dateTime, then boolean, array and object operation, exactly as the
 * TypeScript `switch` without `break`s does.
 *
 * Behaviour is that of n8n at the conformance corpus commit (December
 * 2025): with "ignore case" the left value of a regex operation is
 * lowercased and the pattern is used as written.
 */
#include "nodes/conditions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsvalue.h"
#include "js/js.h"
#include "nodes/jsdate.h"
#include "nodes/node.h"
#include "util/alloc.h"

/* ------------------------------------------------------------------ */
/* shared helpers                                                      */
/* ------------------------------------------------------------------ */

/* Appends `s` as a JavaScript string literal that is also safe inside an
 * n8n expression template (no "{{" or "}}" can appear). */
static void add_js_literal(struct sl_buf *b, const char *s)
{
    sl_buf_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\' || *p < 0x20 || *p == '{' || *p == '}')
            sl_buf_addf(b, "\\u%04x", *p);
        else
            sl_buf_addc(b, (char)*p);
    }
    sl_buf_addc(b, '"');
}

/* Evaluates `={{ <code>(<literal text>) }}` and reads a number (1) or
 * null (0) back. */
static int js_date_call(struct sl_node_ctx *ctx, const char *fn, const char *text, size_t item,
                        double *ms)
{
    struct sl_buf b = {0};
    sl_buf_adds(&b, "={{ ");
    sl_buf_adds(&b, fn);
    sl_buf_addc(&b, '(');
    add_js_literal(&b, text);
    sl_buf_adds(&b, ") }}");
    json_t *tmpl = json_string(b.data);
    sl_buf_release(&b);
    json_t *v = sl_ctx_eval(ctx, tmpl, item);
    json_decref(tmpl);
    if (!v)
        return sl_ctx_failed(ctx) ? SL_ERR_NODE : 0;
    int rc = 0;
    if (json_is_number(v)) {
        *ms = sl_jsv_num(v);
        rc = 1;
    }
    json_decref(v);
    return rc;
}

/* The C parser's answer when it has one (1 date, 0 not a date), else
 * fn(text) in JavaScript. */
static int date_or_js(struct sl_node_ctx *ctx, enum sl_date_result r, const char *fn,
                      const char *text, size_t item, double *ms)
{
    if (r != SL_DATE_UNSURE)
        return r == SL_DATE_OK;
    return js_date_call(ctx, fn, text, item, ms);
}

int sl_cond_luxon_date(struct sl_node_ctx *ctx, const char *text, size_t item, double *ms)
{
    /* n8n's tryToParseDateTime, for the shapes the C parser leaves out;
     * luxon's default zone is the workflow's here as in n8n. */
    static const char fn[] =
        "(function(s){s=s.trim();var o={setZone:true},D=DateTime,d=D.fromISO(s,o);"
        "if(!d.isValid)d=D.fromHTTP(s,o);if(!d.isValid)d=D.fromRFC2822(s,o);"
        "if(!d.isValid)d=D.fromSQL(s,o);if(d.isValid)return d.toMillis();"
        "var t=Date.parse(s);return isNaN(t)?null:t})";
    return date_or_js(ctx, sl_date_parse_luxon(text, sl_ctx_timezone(ctx), ms), fn, text, item, ms);
}

int sl_cond_js_date(struct sl_node_ctx *ctx, const char *text, size_t item, double *ms)
{
    static const char fn[] = "(function(s){var t=new Date(s).getTime();return isNaN(t)?null:t})";
    return date_or_js(ctx, sl_date_parse_es(text, ms), fn, text, item, ms);
}

/* True when c starts a JS line terminator (which `.` does not match). */
static bool line_terminator(const unsigned char *c)
{
    return *c == '\n' || *c == '\r' ||
           (c[0] == 0xe2 && c[1] == 0x80 && (c[2] == 0xa8 || c[2] == 0xa9));
}

int sl_cond_regex(struct sl_node_ctx *ctx, const char *pattern, const char *subject)
{
    /* parseRegexLiteral: /^\/(.*?)\/([gimusy]*)$/ picks the first '/'
     * after which only flag letters follow. */
    char *source = NULL, *flags = NULL;
    const unsigned char *p = (const unsigned char *)pattern;
    if (p[0] == '/') {
        for (const unsigned char *q = p + 1; *q && !line_terminator(q); q++) {
            if (*q != '/')
                continue;
            if (strspn((const char *)q + 1, "gimusy") == strlen((const char *)q + 1)) {
                source = sl_strndup(pattern + 1, (size_t)(q - p - 1));
                flags = sl_strdup((const char *)q + 1);
                break;
            }
        }
    }
    char *err = NULL;
    int r = sl_js_regex_test(sl_ctx_js(ctx), source ? source : pattern, flags ? flags : "", subject,
                             &err);
    free(source);
    free(flags);
    if (r < 0) {
        r = sl_ctx_fail(ctx, "%s", err ? err : "Invalid regular expression");
        free(err);
    }
    return r;
}

/* ------------------------------------------------------------------ */
/* converted values                                                    */
/* ------------------------------------------------------------------ */

enum fv_kind { FV_UNDEF, FV_NULL, FV_BOOL, FV_NUM, FV_STR, FV_ARR, FV_OBJ, FV_DATE };

struct fv {
    enum fv_kind k;
    bool b;
    double n;  /* FV_NUM; FV_DATE: epoch ms */
    char *s;   /* FV_STR, owned */
    json_t *j; /* FV_ARR, FV_OBJ: owned reference */
};

static void fv_release(struct fv *v)
{
    free(v->s);
    json_decref(v->j);
    *v = (struct fv){0};
}

static struct fv fv_json(const json_t *v)
{
    struct fv r = {0};
    if (!v)
        return r;
    switch (json_typeof(v)) {
    case JSON_NULL:
        r.k = FV_NULL;
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        r.k = FV_BOOL;
        r.b = json_is_true(v);
        break;
    case JSON_INTEGER:
    case JSON_REAL:
        r.k = FV_NUM;
        r.n = sl_jsv_num(v);
        break;
    case JSON_STRING:
        r.k = FV_STR;
        r.s = sl_strndup(json_string_value(v), json_string_length(v));
        break;
    case JSON_ARRAY:
        r.k = FV_ARR;
        r.j = json_incref((json_t *)v);
        break;
    case JSON_OBJECT:
        r.k = FV_OBJ;
        r.j = json_incref((json_t *)v);
        break;
    }
    return r;
}

static struct fv fv_num(double n)
{
    return (struct fv){.k = FV_NUM, .n = n};
}

static struct fv fv_bool(bool b)
{
    return (struct fv){.k = FV_BOOL, .b = b};
}

static bool fv_nullish(const struct fv *v)
{
    return v->k == FV_UNDEF || v->k == FV_NULL;
}

static bool fv_truthy(const struct fv *v)
{
    switch (v->k) {
    case FV_UNDEF:
    case FV_NULL:
        return false;
    case FV_BOOL:
        return v->b;
    case FV_NUM:
        return v->n != 0 && !isnan(v->n);
    case FV_STR:
        return v->s[0] != '\0';
    default:
        return true;
    }
}

static bool fv_strict_eq(const struct fv *a, const struct fv *b)
{
    if (a->k != b->k)
        return false;
    switch (a->k) {
    case FV_UNDEF:
    case FV_NULL:
        return true;
    case FV_BOOL:
        return a->b == b->b;
    case FV_NUM:
        return a->n == b->n;
    case FV_STR:
        return !strcmp(a->s, b->s);
    default:
        return false; /* distinct objects */
    }
}

/* ToNumber for the relational operators (only primitives reach them). */
static double fv_to_number(const struct fv *v)
{
    switch (v->k) {
    case FV_NULL:
        return 0;
    case FV_BOOL:
        return v->b;
    case FV_NUM:
    case FV_DATE: /* DateTime#valueOf is its epoch milliseconds */
        return v->n;
    case FV_STR:
        return sl_jsv_str_to_number(v->s);
    default:
        return NAN;
    }
}

/* JavaScript a < b etc. on the converted values. */
static enum sl_jsv_rel fv_compare(const struct fv *a, const struct fv *b)
{
    if (a->k == FV_STR && b->k == FV_STR) {
        int c = sl_jsv_strcmp_utf16(a->s, b->s);
        return c < 0 ? SL_JSV_LT : c > 0 ? SL_JSV_GT : SL_JSV_EQ;
    }
    double x = fv_to_number(a), y = fv_to_number(b);
    if (isnan(x) || isnan(y))
        return SL_JSV_UNORDERED;
    return x < y ? SL_JSV_LT : x > y ? SL_JSV_GT : SL_JSV_EQ;
}

/* ------------------------------------------------------------------ */
/* validateFieldType (strict / loose) for the filter                   */
/* ------------------------------------------------------------------ */

/* tryToParseBoolean: 1 with *out, 0 when not a boolean. */
static int parse_boolean(const json_t *v, bool *out)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 1;
    }
    if (json_is_string(v)) {
        if (!strcasecmp(json_string_value(v), "true") ||
            !strcasecmp(json_string_value(v), "false")) {
            *out = !strcasecmp(json_string_value(v), "true");
            return 1;
        }
        const char *b, *e;
        sl_jsv_trim(json_string_value(v), &b, &e);
        if (b == e)
            return 0;
    }
    double n = sl_jsv_to_number(v);
    if (n == 0 || n == 1) {
        *out = n == 1;
        return 1;
    }
    return 0;
}

/* JSON.parse of text; NULL when it is not JSON. */
static json_t *json_parse(const char *text)
{
    return json_loads(text, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, NULL);
}

/* validateFieldType('filter', v, type, {strict, parseStrings: true}) for a
 * value that is neither null nor undefined: 1 valid (*out set), 0 invalid,
 * negative on an evaluation failure. */
static int validate_type(struct sl_node_ctx *ctx, const json_t *v, const char *type, bool strict,
                         size_t item, struct fv *out)
{
    if (!strcasecmp(type, "string")) {
        if (strict && !json_is_string(v))
            return 0;
        if (json_is_array(v) || json_is_object(v))
            *out = (struct fv){.k = FV_STR, .s = sl_jsv_stringify(v)};
        else
            *out = (struct fv){.k = FV_STR, .s = sl_jsv_to_string(v)};
        return 1;
    }
    if (!strcasecmp(type, "number")) {
        if (strict && !json_is_number(v))
            return 0;
        double n = sl_jsv_to_number(v);
        if (isnan(n))
            return 0;
        *out = fv_num(n);
        return 1;
    }
    if (!strcasecmp(type, "boolean")) {
        bool b;
        if ((strict && !json_is_boolean(v)) || !parse_boolean(v, &b))
            return 0;
        *out = fv_bool(b);
        return 1;
    }
    if (!strcasecmp(type, "dateTime")) {
        char *s = sl_jsv_to_string(v);
        double ms = 0;
        int r = sl_cond_luxon_date(ctx, s, item, &ms);
        free(s);
        if (r == 1)
            *out = (struct fv){.k = FV_DATE, .n = ms};
        return r;
    }
    if (!strcasecmp(type, "array")) {
        if (json_is_array(v)) {
            *out = fv_json(v);
            return 1;
        }
        if (strict)
            return 0;
        char *s = sl_jsv_to_string(v);
        json_t *parsed = json_parse(s);
        if (!parsed) {
            for (char *p = s; *p; p++)
                if (*p == '\'')
                    *p = '"';
            parsed = json_parse(s);
        }
        free(s);
        int ok = json_is_array(parsed);
        if (ok)
            *out = fv_json(parsed);
        json_decref(parsed);
        return ok;
    }
    if (!strcasecmp(type, "object")) {
        if (json_is_object(v)) {
            *out = fv_json(v);
            return 1;
        }
        if (strict && !json_is_array(v))
            return 0; /* lodash isObject accepts arrays, which then fail below */
        char *s = sl_jsv_to_string(v);
        json_t *parsed = json_parse(s);
        free(s);
        int ok = json_is_object(parsed) || json_is_null(parsed);
        if (ok)
            *out = fv_json(parsed);
        json_decref(parsed);
        return ok;
    }
    *out = fv_json(v); /* other types pass through unchanged */
    return 1;
}

/* n8n's parseSingleFilterValue. */
static int parse_single(struct sl_node_ctx *ctx, const json_t *v, const char *type, bool strict,
                        double version, size_t item, struct fv *out)
{
    *out = (struct fv){0};
    if (!strcmp(type, "any") || !v || json_is_null(v)) {
        *out = fv_json(v);
        return 1;
    }
    if (!strcmp(type, "boolean") && !strict) {
        bool b;
        if (version >= 2 && parse_boolean(v, &b)) {
            *out = fv_bool(b);
            return 1;
        }
        *out = fv_bool(sl_jsv_truthy(v));
        return 1;
    }
    if (!strcmp(type, "number") && version >= 3) {
        /* Number('') and Number([]) are 0, which is not what users mean. */
        bool empty = json_is_array(v) && json_array_size(v) == 0;
        if (json_is_string(v)) {
            const char *b, *e;
            sl_jsv_trim(json_string_value(v), &b, &e);
            empty = b == e;
        }
        if (empty) {
            out->k = FV_NULL;
            return 1;
        }
    }
    return validate_type(ctx, v, type, strict, item, out);
}

/* ------------------------------------------------------------------ */
/* parseFilterConditionValues: the error texts                         */
/* ------------------------------------------------------------------ */

/* "a number", "an array": n8n's withIndefiniteArticle. */
static const char *article(const char *noun)
{
    return noun[0] && strchr("aeiou", noun[0]) ? "an" : "a";
}

/* Fails with n8n's FilterError message and description. */
static int type_error(struct sl_node_ctx *ctx, bool strict, const char *type, const json_t *value,
                      const char *position, const char *suffix, bool *described)
{
    const char *from = sl_jsv_typeof(value);
    char *text = sl_jsv_to_string(value);
    if (strict)
        sl_ctx_fail(ctx, "Wrong type: '%s' is %s %s but was expecting %s %s %s", text,
                    article(from), from, article(type), type, suffix);
    else
        sl_ctx_fail(ctx, "Conversion error: the %s '%s' can't be converted to %s %s %s", from, text,
                    article(type), type, suffix);
    free(text);
    const char *fn = !strcmp(type, "string")    ? ".toString()"
                     : !strcmp(type, "number")  ? ".toNumber()"
                     : !strcmp(type, "boolean") ? ".toBoolean()"
                                                : NULL;
    if (strict && fn)
        sl_ctx_fail_description(ctx,
                                "\n<p>Try either:</p>\n<ol>\n  <li>Enabling 'Convert types where "
                                "required'</li>\n  <li>Converting the %s field to %s %s by adding "
                                "<code>%s</code></li>\n</ol>\n\t\t\t",
                                position, article(type), type, fn);
    else
        sl_ctx_fail_description(
            ctx, "%s", strict ? SL_FILTER_STRICT_HINT : "Try changing the type of the comparison.");
    if (described)
        *described = true;
    return SL_ERR_NODE;
}

/* The options that apply to every condition of one filter value. */
struct fopts {
    bool ignore_case;
    bool strict;
    double version;
};

/* Converts both sides of condition `index`; on failure sets n8n's message. */
static int parse_values(struct sl_node_ctx *ctx, const json_t *cond, const char *type,
                        const char *right_type, bool single, const struct fopts *o, size_t index,
                        size_t item, struct fv *left, struct fv *right, bool *described)
{
    const json_t *lv = json_object_get(cond, "leftValue");
    const json_t *rv = json_object_get(cond, "rightValue");
    int lok = parse_single(ctx, lv, type, o->strict, o->version, item, left);
    if (lok < 0)
        return lok;
    int rok = parse_single(ctx, rv, right_type, o->strict, o->version, item, right);
    if (rok < 0) {
        fv_release(left);
        return rok;
    }
    bool right_valid = rok || single;
    if (lok && right_valid) {
        if (!rok)
            fv_release(right); /* an invalid single-value right side is undefined */
        return 0;
    }
    fv_release(left);
    fv_release(right);
    char suffix[64];
    snprintf(suffix, sizeof suffix, "[condition %zu, item %zu]", index, item);
    const char *lt = sl_jsv_typeof(lv), *rt = sl_jsv_typeof(rv);
    if (!lok && !right_valid && !strcmp(lt, rt)) {
        sl_ctx_fail(ctx, "Comparison type expects %s %s but both fields are %s %s", article(type),
                    type, article(lt), lt);
        sl_ctx_fail_description(ctx, "%s",
                                o->strict ? SL_FILTER_STRICT_HINT
                                          : "Try changing the type of the comparison.");
        if (described)
            *described = true;
        return SL_ERR_NODE;
    }
    if (!lok)
        return type_error(ctx, o->strict, type, lv, "first", suffix, described);
    return type_error(ctx, o->strict, right_type, rv, "second", suffix, described);
}

/* ------------------------------------------------------------------ */
/* executeFilterCondition                                              */
/* ------------------------------------------------------------------ */

static void lower_in_place(struct fv *v)
{
    if (v->k == FV_STR) {
        char *l = sl_jsv_lower(v->s);
        free(v->s);
        v->s = l;
    }
}

static bool starts_with(const char *s, const char *p)
{
    return !strncmp(s, p, strlen(p));
}

static bool ends_with(const char *s, const char *p)
{
    size_t n = strlen(s), m = strlen(p);
    return m <= n && !memcmp(s + n - m, p, m);
}

/* A comparison result from the relational operators. */
static bool rel(enum sl_jsv_rel r, const char *op)
{
    if (r == SL_JSV_UNORDERED)
        return false;
    if (!strcmp(op, "gt") || !strcmp(op, "lengthGt") || !strcmp(op, "after"))
        return r == SL_JSV_GT;
    if (!strcmp(op, "lt") || !strcmp(op, "lengthLt") || !strcmp(op, "before"))
        return r == SL_JSV_LT;
    if (!strcmp(op, "gte") || !strcmp(op, "lengthGte") || !strcmp(op, "afterOrEquals"))
        return r != SL_JSV_LT;
    return r != SL_JSV_GT; /* lte, lengthLte, beforeOrEquals */
}

static bool op_in(const char *op, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(op, *list))
            return true;
    return false;
}

/* Array.prototype.includes / the ignore-case variant of n8n's
 * arrayContainsValue. */
static int array_contains(struct sl_node_ctx *ctx, const struct fv *arr, const struct fv *v,
                          bool ignore_case, bool *out)
{
    bool by_case = ignore_case && v->k == FV_STR;
    if (fv_nullish(arr)) {
        *out = false;
        return 0;
    }
    if (arr->k != FV_ARR)
        return sl_ctx_fail(ctx, by_case ? "array.some is not a function"
                                        : "array.includes is not a function");
    char *needle = by_case ? sl_jsv_lower(v->s) : NULL;
    *out = false;
    for (size_t i = 0; i < json_array_size(arr->j) && !*out; i++) {
        json_t *e = json_array_get(arr->j, i);
        if (by_case) {
            if (json_is_string(e)) {
                char *l = sl_jsv_lower(json_string_value(e));
                *out = !strcmp(l, needle);
                free(l);
            }
        } else {
            struct fv ev = fv_json(e);
            *out = fv_strict_eq(&ev, v) ||
                   (ev.k == FV_NUM && v->k == FV_NUM && isnan(ev.n) && isnan(v->n));
            fv_release(&ev);
        }
    }
    free(needle);
    return 0;
}

static bool has_length(const struct fv *v, double *len)
{
    if (v->k == FV_ARR) {
        *len = (double)json_array_size(v->j);
        return true;
    }
    return false;
}

/* The operator switch, from type index `t` on (the TypeScript cases fall
 * through from number to dateTime, boolean, array and object). Returns 1
 * or 0, or a negative sl_err. */
static int run_operator(struct sl_node_ctx *ctx, const char *type, const char *op, struct fv *left,
                        struct fv *right, bool ignore_case)
{
    bool exists = !fv_nullish(left) && !(left->k == FV_NUM && isnan(left->n));
    if (!strcmp(op, "exists"))
        return exists;
    if (!strcmp(op, "notExists"))
        return !exists;

    static const char *const types[] = {"number", "dateTime", "boolean", "array", "object", NULL};
    int t;
    if (!strcmp(type, "string")) {
        bool re = !strcmp(op, "regex") || !strcmp(op, "notRegex");
        if (ignore_case) {
            lower_in_place(left);
            if (!re)
                lower_in_place(right);
        }
        const char *l = left->k == FV_STR ? left->s : "";
        const char *r = right->k == FV_STR ? right->s : "";
        if (!strcmp(op, "empty"))
            return l[0] == '\0';
        if (!strcmp(op, "notEmpty"))
            return l[0] != '\0';
        if (!strcmp(op, "equals"))
            return !strcmp(l, r);
        if (!strcmp(op, "notEquals"))
            return strcmp(l, r) != 0;
        if (!strcmp(op, "contains"))
            return strstr(l, r) != NULL;
        if (!strcmp(op, "notContains"))
            return strstr(l, r) == NULL;
        if (!strcmp(op, "startsWith"))
            return starts_with(l, r);
        if (!strcmp(op, "notStartsWith"))
            return !starts_with(l, r);
        if (!strcmp(op, "endsWith"))
            return ends_with(l, r);
        if (!strcmp(op, "notEndsWith"))
            return !ends_with(l, r);
        if (re) {
            int m = sl_cond_regex(ctx, r, l);
            if (m < 0)
                return m;
            return !strcmp(op, "regex") ? m : !m;
        }
        return 0; /* unknown: n8n logs a warning and fails the condition */
    }
    for (t = 0; types[t] && strcmp(types[t], type); t++)
        ;
    for (; types[t]; t++) {
        switch (t) {
        case 0: { /* number */
            static const char *const ops[] = {"gt", "lt", "gte", "lte", NULL};
            if (!strcmp(op, "empty"))
                return !exists;
            if (!strcmp(op, "notEmpty"))
                return exists;
            if (!strcmp(op, "equals"))
                return fv_strict_eq(left, right);
            if (!strcmp(op, "notEquals"))
                return !fv_strict_eq(left, right);
            if (op_in(op, ops))
                return rel(fv_compare(left, right), op);
            break;
        }
        case 1: { /* dateTime */
            static const char *const ops[] = {"equals",        "notEquals",      "after", "before",
                                              "afterOrEquals", "beforeOrEquals", NULL};
            if (!strcmp(op, "empty"))
                return !exists;
            if (!strcmp(op, "notEmpty"))
                return exists;
            if (!fv_truthy(left) || !fv_truthy(right))
                return 0;
            if (!op_in(op, ops))
                break;
            if (left->k != FV_DATE)
                return sl_ctx_fail(ctx, "left.toMillis is not a function");
            if (right->k != FV_DATE)
                return sl_ctx_fail(ctx, "right.toMillis is not a function");
            if (!strcmp(op, "equals"))
                return left->n == right->n;
            if (!strcmp(op, "notEquals"))
                return left->n != right->n;
            return rel(left->n < right->n   ? SL_JSV_LT
                       : left->n > right->n ? SL_JSV_GT
                                            : SL_JSV_EQ,
                       op);
        }
        case 2: /* boolean */
            if (!strcmp(op, "empty"))
                return !exists;
            if (!strcmp(op, "notEmpty"))
                return exists;
            if (!strcmp(op, "true"))
                return fv_truthy(left);
            if (!strcmp(op, "false"))
                return !fv_truthy(left);
            if (!strcmp(op, "equals"))
                return fv_strict_eq(left, right);
            if (!strcmp(op, "notEquals"))
                return !fv_strict_eq(left, right);
            break;
        case 3: { /* array */
            static const char *const len_ops[] = {"lengthGt", "lengthLt", "lengthGte", "lengthLte",
                                                  NULL};
            bool c = false;
            double len = 0;
            bool has = fv_nullish(left) || has_length(left, &len); /* left ?? [] */
            if (!strcmp(op, "contains") || !strcmp(op, "notContains")) {
                int rc = array_contains(ctx, left, right, ignore_case, &c);
                if (rc < 0)
                    return rc;
                return !strcmp(op, "contains") ? c : !c;
            }
            if (!strcmp(op, "lengthEquals") || !strcmp(op, "lengthNotEquals")) {
                /* left.length === right; a missing length is undefined */
                bool eq = has ? right->k == FV_NUM && right->n == len : right->k == FV_UNDEF;
                return !strcmp(op, "lengthEquals") ? eq : !eq;
            }
            if (op_in(op, len_ops)) {
                if (!has)
                    return 0; /* undefined compares false */
                struct fv l = fv_num(len);
                return rel(fv_compare(&l, right), op);
            }
            if (!strcmp(op, "empty"))
                return has && len == 0;
            if (!strcmp(op, "notEmpty"))
                return !(has && len == 0);
            break;
        }
        case 4: { /* object */
            bool empty = !fv_truthy(left) ||
                         ((left->k == FV_OBJ || left->k == FV_ARR) &&
                          (json_is_object(left->j) ? json_object_size(left->j)
                                                   : json_array_size(left->j)) == 0) ||
                         left->k == FV_NUM || left->k == FV_BOOL;
            if (!strcmp(op, "empty"))
                return empty;
            if (!strcmp(op, "notEmpty"))
                return !empty;
            break;
        }
        }
    }
    return 0; /* unknown type or operation: n8n warns and fails the condition */
}

/* ------------------------------------------------------------------ */
/* executeFilter                                                       */
/* ------------------------------------------------------------------ */

static int condition_pass(struct sl_node_ctx *ctx, const json_t *cond, const struct fopts *o,
                          size_t index, size_t item, bool *described)
{
    if (!json_is_object(cond))
        return sl_ctx_fail(ctx, "parameter 'conditions': condition %zu is not an object", index);
    const json_t *oper = json_object_get(cond, "operator");
    const json_t *type = json_object_get(oper, "type");
    const json_t *op = json_object_get(oper, "operation");
    if (!json_is_object(oper) || !json_is_string(type) || !json_is_string(op))
        return sl_ctx_fail(ctx,
                           "parameter 'conditions': condition %zu needs an 'operator' object with "
                           "string 'type' and 'operation'",
                           index);
    const json_t *rtype = json_object_get(oper, "rightType");
    if (json_is_null(rtype))
        rtype = NULL;
    if (rtype && !json_is_string(rtype))
        return sl_ctx_fail(ctx,
                           "parameter 'conditions': condition %zu has a non-string "
                           "'operator.rightType'",
                           index);
    const char *t = json_string_value(type);
    struct fv left, right;
    int rc = parse_values(ctx, cond, t, rtype ? json_string_value(rtype) : t,
                          sl_jsv_truthy(json_object_get(oper, "singleValue")), o, index, item,
                          &left, &right, described);
    if (rc < 0)
        return rc;
    rc = run_operator(ctx, t, json_string_value(op), &left, &right, o->ignore_case);
    fv_release(&left);
    fv_release(&right);
    return rc;
}

int sl_filter_execute(struct sl_node_ctx *ctx, const json_t *filter, size_t item, bool *pass,
                      bool *described)
{
    if (described)
        *described = false;
    if (!filter) {
        *pass = true; /* the parameter's default, {}, is truthy */
        return 0;
    }
    if (!json_is_object(filter) || !json_object_get(filter, "conditions") ||
        !json_object_get(filter, "combinator")) {
        *pass = sl_jsv_truthy(filter);
        return 0;
    }
    const json_t *conds = json_object_get(filter, "conditions");
    const char *comb = json_string_value(json_object_get(filter, "combinator"));
    bool is_and = comb && !strcmp(comb, "and"), is_or = comb && !strcmp(comb, "or");
    if (!is_and && !is_or) {
        *pass = false; /* n8n warns about the unknown combinator */
        return 0;
    }
    if (!json_is_array(conds))
        return sl_ctx_fail(ctx, "parameter 'conditions': 'conditions' must be an array");
    const json_t *opts = json_object_get(filter, "options");
    if (json_array_size(conds) && !json_is_object(opts))
        return sl_ctx_fail(ctx, "Cannot read properties of %s (reading 'caseSensitive')",
                           opts ? "null" : "undefined");
    struct fopts o = {0};
    o.ignore_case = !sl_jsv_truthy(json_object_get(opts, "caseSensitive"));
    const char *tv = json_string_value(json_object_get(opts, "typeValidation"));
    o.strict = tv && !strcmp(tv, "strict");
    const json_t *ver = json_object_get(opts, "version");
    o.version = !ver || json_is_null(ver) ? 1 : sl_jsv_to_number(ver);

    *pass = is_and;
    for (size_t i = 0; i < json_array_size(conds); i++) {
        int r = condition_pass(ctx, json_array_get(conds, i), &o, i, item, described);
        if (r < 0)
            return r;
        if (is_and && !r) {
            *pass = false;
            break;
        }
        if (is_or && r) {
            *pass = true;
            break;
        }
    }
    return 0;
}

int sl_filter_conditions(struct sl_node_ctx *ctx, size_t item, bool *pass)
{
    bool described = false, loose = false;
    double v = sl_ctx_node(ctx)->version;
    int rc = sl_ctx_param_bool(ctx, v < 2.1 ? "options.looseTypeValidation" : "looseTypeValidation",
                               item, false, &loose);
    if (rc)
        return rc;
    json_t *cond = sl_ctx_param(ctx, "conditions", item, NULL);
    if (!cond && sl_ctx_failed(ctx))
        rc = SL_ERR_NODE;
    else
        rc = sl_filter_execute(ctx, cond, item, pass, &described);
    json_decref(cond);
    /* n8n adds its hint to undescribed errors when validation is strict. */
    if (rc && !described && !loose)
        sl_ctx_fail_description(ctx, "%s", SL_FILTER_STRICT_HINT);
    return rc;
}
