/*
 * The legacy comparison table shared by If v1, Filter v1 and Switch v1/v2
 * (n8n's compareOperationFunctions). Each operation is one JavaScript
 * expression over the two raw parameter values, e.g. `(value1 || 0) >
 * (value2 || 0)` or `value1.endsWith(value2)`, so the C versions keep the
 * JavaScript conversions and the TypeErrors those expressions throw.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsvalue.h"
#include "nodes/conditions.h"
#include "nodes/node.h"
#include "util/alloc.h"

/* `v || fallback` as a borrowed value. */
static const json_t *or_default(const json_t *v, const json_t *fallback)
{
    return sl_jsv_truthy(v) ? v : fallback;
}

/* `(v || '').toString()` as a new heap string. */
static char *or_empty_string(const json_t *v)
{
    return sl_jsv_truthy(v) ? sl_jsv_to_string(v) : sl_strdup("");
}

/* value1.startsWith(value2) / endsWith: value1 must be a string. */
static int string_method(struct sl_node_ctx *ctx, const char *method, const json_t *v1,
                         const json_t *v2, bool *out)
{
    if (!v1 || json_is_null(v1))
        return sl_ctx_fail(ctx, "Cannot read properties of %s (reading '%s')",
                           v1 ? "null" : "undefined", method);
    if (!json_is_string(v1))
        return sl_ctx_fail(ctx, "value1.%s is not a function", method);
    char *needle = sl_jsv_to_string(v2);
    const char *s = json_string_value(v1);
    size_t n = strlen(s), m = strlen(needle);
    if (!strcmp(method, "startsWith"))
        *out = m <= n && !memcmp(s, needle, m);
    else
        *out = m <= n && !memcmp(s + n - m, needle, m);
    free(needle);
    return 0;
}

/* [undefined, null, '', NaN].includes(v) || empty object/array. */
static bool v1_is_empty(const json_t *v)
{
    if (!v || json_is_null(v))
        return true;
    if (json_is_string(v))
        return json_string_length(v) == 0;
    if (json_is_number(v))
        return isnan(sl_jsv_num(v));
    if (json_is_object(v))
        return json_object_size(v) == 0;
    if (json_is_array(v))
        return json_array_size(v) == 0;
    return false;
}

int sl_v1_compare(struct sl_node_ctx *ctx, const char *op, const json_t *v1, const json_t *v2,
                  bool with_empty)
{
    json_t *zero = json_integer(0);
    int rc = SL_V1_UNKNOWN_OP;
    bool b;
    if (!strcmp(op, "after") || !strcmp(op, "larger") || !strcmp(op, "largerEqual") ||
        !strcmp(op, "before") || !strcmp(op, "smaller") || !strcmp(op, "smallerEqual")) {
        enum sl_jsv_rel r = sl_jsv_compare(or_default(v1, zero), or_default(v2, zero));
        if (r == SL_JSV_UNORDERED)
            rc = 0;
        else if (!strcmp(op, "after") || !strcmp(op, "larger"))
            rc = r == SL_JSV_GT;
        else if (!strcmp(op, "largerEqual"))
            rc = r != SL_JSV_LT;
        else if (!strcmp(op, "before") || !strcmp(op, "smaller"))
            rc = r == SL_JSV_LT;
        else
            rc = r != SL_JSV_GT;
    } else if (!strcmp(op, "contains") || !strcmp(op, "notContains")) {
        char *a = or_empty_string(v1), *c = or_empty_string(v2);
        b = strstr(a, c) != NULL;
        rc = !strcmp(op, "contains") ? b : !b;
        free(a);
        free(c);
    } else if (!strcmp(op, "startsWith") || !strcmp(op, "notStartsWith")) {
        rc = string_method(ctx, "startsWith", v1, v2, &b);
        if (!rc)
            rc = op[0] == 's' ? b : !b;
    } else if (!strcmp(op, "endsWith") || !strcmp(op, "notEndsWith")) {
        rc = string_method(ctx, "endsWith", v1, v2, &b);
        if (!rc)
            rc = op[0] == 'e' ? b : !b;
    } else if (!strcmp(op, "equal")) {
        rc = sl_jsv_strict_equals(v1, v2);
    } else if (!strcmp(op, "notEqual")) {
        rc = !sl_jsv_strict_equals(v1, v2);
    } else if (with_empty && !strcmp(op, "isEmpty")) {
        rc = v1_is_empty(v1);
    } else if (with_empty && !strcmp(op, "isNotEmpty")) {
        rc = !v1_is_empty(v1);
    } else if (!strcmp(op, "regex") || !strcmp(op, "notRegex")) {
        char *pattern = or_empty_string(v2), *subject = or_empty_string(v1);
        rc = sl_cond_regex(ctx, pattern, subject);
        if (rc >= 0 && !strcmp(op, "notRegex"))
            rc = !rc;
        free(pattern);
        free(subject);
    }
    json_decref(zero);
    return rc;
}

int sl_v1_datetime(struct sl_node_ctx *ctx, const json_t *value, size_t item, double *ms)
{
    int ok = 0;
    if (json_is_string(value)) {
        ok = sl_cond_js_date(ctx, json_string_value(value), item, ms);
        if (ok < 0)
            return ok;
    } else if (json_is_number(value)) {
        *ms = sl_jsv_num(value);
        ok = !isnan(*ms);
    }
    if (ok)
        return 0;
    char *text = sl_jsv_to_string(value);
    int rc = sl_ctx_fail(ctx, "The value \"%s\" is not a valid DateTime.", text);
    free(text);
    return rc;
}

/* The fixedCollection defaults of If v1 / Filter v1, applied when a key
 * is missing from the stored parameters (n8n fills them in when it loads
 * the workflow). */
static json_t *v1_default_value(const char *type)
{
    if (!strcmp(type, "boolean"))
        return json_false();
    if (!strcmp(type, "number"))
        return json_integer(0);
    return json_string("");
}

static const char *v1_default_op(const char *type)
{
    return !strcmp(type, "dateTime") ? "after" : !strcmp(type, "number") ? "smaller" : "equal";
}

/* Entry `key` of a condition: the evaluated value when the stored entry
 * has the key (NULL when it evaluated to undefined), else the default.
 * Returns a new reference or NULL. */
static json_t *v1_field(const json_t *raw, const json_t *ev, const char *key, const char *type)
{
    if (json_object_get(raw, key)) {
        json_t *v = json_object_get(ev, key);
        return v ? json_incref(v) : NULL;
    }
    return v1_default_value(type);
}

int sl_v1_conditions(struct sl_node_ctx *ctx, size_t item, enum sl_v1_combine combine,
                     const char *unknown_op, bool *pass, bool *checked)
{
    static const char *const types[] = {"boolean", "dateTime", "number", "string"};
    *checked = false;
    for (size_t t = 0; t < 4; t++) {
        char path[32];
        snprintf(path, sizeof path, "conditions.%s", types[t]);
        json_t *raw = sl_ctx_param_raw(ctx, path);
        if (!raw)
            continue;
        if (!json_is_array(raw))
            return sl_ctx_fail(ctx, "parameter '%s' must be a list of conditions", path);
        json_t *list = sl_ctx_param(ctx, path, item, NULL);
        if (!list)
            return SL_ERR_NODE;
        int rc = 0;
        for (size_t i = 0; i < json_array_size(raw) && !rc; i++) {
            json_t *re = json_array_get(raw, i), *ev = json_array_get(list, i);
            if (!json_is_object(re) || !json_is_object(ev)) {
                rc = sl_ctx_fail(ctx, "parameter '%s': entry %zu is not an object", path, i);
                break;
            }
            json_t *v1 = v1_field(re, ev, "value1", types[t]);
            json_t *v2 = v1_field(re, ev, "value2", types[t]);
            const json_t *opv =
                json_object_get(re, "operation") ? json_object_get(ev, "operation") : NULL;
            const char *op =
                json_object_get(re, "operation") ? json_string_value(opv) : v1_default_op(types[t]);
            if (t == 1) { /* dateTime: compare epoch milliseconds */
                double a = 0, b = 0;
                rc = sl_v1_datetime(ctx, v1, item, &a);
                if (!rc)
                    rc = sl_v1_datetime(ctx, v2, item, &b);
                json_decref(v1);
                json_decref(v2);
                v1 = rc ? NULL : json_real(a);
                v2 = rc ? NULL : json_real(b);
            }
            int r = rc ? rc : op ? sl_v1_compare(ctx, op, v1, v2, true) : SL_V1_UNKNOWN_OP;
            json_decref(v1);
            json_decref(v2);
            if (r == SL_V1_UNKNOWN_OP)
                r = sl_ctx_fail(ctx, "%s", unknown_op);
            if (r < 0) {
                rc = r;
                break;
            }
            *checked = true;
            if (r && combine == SL_V1_ANY) {
                *pass = true;
                json_decref(list);
                return 0;
            }
            if (!r && combine == SL_V1_ALL) {
                *pass = false;
                json_decref(list);
                return 0;
            }
        }
        json_decref(list);
        if (rc)
            return rc;
    }
    *pass = combine == SL_V1_ALL;
    return 0;
}
