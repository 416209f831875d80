/*
 * Switch: routes each item to one of several outputs.
 *
 * Version 1 (n8n's SwitchV1) has four fixed outputs; rules compare one
 * `value1` with each rule's `value2` using the legacy comparison table and
 * name their output by index; expression mode takes the index from
 * `output`. Version 2 (SwitchV2) has one output per rule (or
 * `outputsAmount` in expression mode). Versions 3-3.4 (SwitchV3) give each
 * rule a filter parameter (nodes/conditions.h), an optional extra fallback
 * output and `allMatchingOutputs`.
 *
 * Like n8n, the node builds its own list of output lists (`returnData`),
 * sized from the parameters as evaluated for the first item, and checks
 * indexes against it with n8n's messages (including the "ouput" typo).
 * Lists past the outputs the node declares are dropped. An index that is
 * in range for the checks but names no list fails the way JavaScript does
 * ("Cannot read properties of undefined (reading 'push')").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/jsvalue.h"
#include "nodes/conditions.h"
#include "nodes/node.h"
#include "util/alloc.h"

static const double versions[] = {1, 2, 3, 3.1, 3.2, 3.3, 3.4, 0};

#define MAX_OUTPUTS 4096

/* A count parameter as the editor would read it: a number or a numeric
 * string, else `dflt`. */
static int count_param(const json_t *v, int dflt)
{
    double d = json_is_number(v)   ? sl_jsv_num(v)
               : json_is_string(v) ? sl_jsv_str_to_number(json_string_value(v))
                                   : NAN;
    if (isnan(d) || d < 0)
        return dflt;
    return d > MAX_OUTPUTS ? MAX_OUTPUTS : (int)d;
}

static const char *mode_of(const struct sl_node *node)
{
    const char *m = json_string_value(json_object_get(node->params, "mode"));
    return m ? m : "rules";
}

static int outputs(const struct sl_node *node)
{
    json_t *p = node->params;
    bool expr = !strcmp(mode_of(node), "expression");
    if (node->version < 2)
        return 4;
    if (node->version < 3) {
        if (expr)
            return count_param(json_object_get(p, "outputsAmount"), 4);
        size_t n = json_array_size(json_object_get(json_object_get(p, "rules"), "rules"));
        return n > MAX_OUTPUTS ? MAX_OUTPUTS : (int)n;
    }
    if (expr)
        return count_param(json_object_get(p, "numberOutputs"), 4);
    size_t n = json_array_size(json_object_get(json_object_get(p, "rules"), "values"));
    const char *fb =
        json_string_value(json_object_get(json_object_get(p, "options"), "fallbackOutput"));
    if (fb && !strcmp(fb, "extra"))
        n++;
    return n > MAX_OUTPUTS ? MAX_OUTPUTS : (int)n;
}

/* ------------------------------------------------------------------ */
/* returnData                                                          */
/* ------------------------------------------------------------------ */

struct routes {
    size_t len;   /* length of n8n's returnData */
    int declared; /* outputs the node has */
};

/* `new Array(n).fill(0).map(() => [])`. */
static int routes_alloc(struct sl_node_ctx *ctx, struct routes *r, const json_t *n)
{
    if (!json_is_number(n)) {
        r->len = 1; /* new Array(x) with a non-number x holds x */
        return 0;
    }
    double d = sl_jsv_num(n);
    if (d < 0 || d != floor(d) || d > 4294967295.0)
        return sl_ctx_fail(ctx, "Invalid array length");
    r->len = (size_t)d;
    return 0;
}

/* returnData[index]: the list an index names, as JavaScript looks up the
 * property String(index). Fails like `undefined.push(...)` when none. */
static int routes_lookup(struct sl_node_ctx *ctx, const struct routes *r, const json_t *index,
                         size_t *out)
{
    char *key = index ? sl_jsv_to_string(index) : NULL;
    bool ok = key && key[0] && (key[0] != '0' || !key[1]) &&
              strspn(key, "0123456789") == strlen(key) && strlen(key) < 12;
    if (ok) {
        unsigned long long v = strtoull(key, NULL, 10);
        ok = v < r->len;
        *out = (size_t)v;
    }
    free(key);
    if (!ok)
        return sl_ctx_fail(ctx, "Cannot read properties of undefined (reading 'push')");
    return 0;
}

/* returnData[index].push(item): item is stolen. */
static void routes_push(struct sl_node_ctx *ctx, const struct routes *r, size_t index, json_t *item)
{
    if ((int)index < r->declared)
        sl_ctx_out(ctx, (int)index, item);
    else
        json_decref(item);
}

static int routes_push_at(struct sl_node_ctx *ctx, const struct routes *r, const json_t *index,
                          json_t *item)
{
    size_t i = 0;
    int rc = routes_lookup(ctx, r, index, &i);
    if (rc) {
        json_decref(item);
        return rc;
    }
    routes_push(ctx, r, i, item);
    return 0;
}

/* JavaScript `a < b` / `a > b` against a length. */
static bool js_lt(const json_t *a, double b)
{
    json_t *jb = json_real(b);
    bool r = sl_jsv_compare(a, jb) == SL_JSV_LT;
    json_decref(jb);
    return r;
}

static bool js_gt(const json_t *a, double b, bool or_equal)
{
    json_t *jb = json_real(b);
    enum sl_jsv_rel c = sl_jsv_compare(a, jb);
    json_decref(jb);
    return c == SL_JSV_GT || (or_equal && c == SL_JSV_EQ);
}

/* Switch v1/v2 checkIndexRange. */
static int check_range_v1(struct sl_node_ctx *ctx, const struct routes *r, const json_t *index)
{
    if (!js_lt(index, 0) && !js_gt(index, (double)r->len, true))
        return 0;
    char *s = sl_jsv_to_string(index);
    int rc = sl_ctx_fail(ctx, "The ouput %s is not allowed. It has to be between 0 and %lld!", s,
                         (long long)r->len - 1);
    free(s);
    return rc;
}

/* Switch v3 checkIndexRange. */
static int check_range_v3(struct sl_node_ctx *ctx, const struct routes *r, const json_t *index)
{
    char *s = sl_jsv_to_string(index);
    double n = index ? sl_jsv_to_number(index) : NAN;
    int rc = 0;
    if (n == (double)r->len) {
        char prev[SL_JSV_NUM_MAX];
        sl_jsv_num_format(n - 1, prev);
        rc = sl_ctx_fail(ctx, "The ouput %s is not allowed. ", s);
        sl_ctx_fail_description(ctx,
                                "Output indexes are zero based, if you want to use the extra "
                                "output use %s",
                                prev);
    } else if (js_lt(index, 0) || js_gt(index, (double)r->len, false)) {
        rc = sl_ctx_fail(ctx, "The ouput %s is not allowed", s);
        sl_ctx_fail_description(ctx, "It has to be between 0 and %lld", (long long)r->len - 1);
    }
    free(s);
    return rc;
}

/* With continue-on-fail: returnData[0].push({json: {error: message}}). */
static int push_error(struct sl_node_ctx *ctx, const struct routes *r)
{
    if (!r->len) {
        sl_ctx_clear_error(ctx); /* the catch block itself throws */
        return sl_ctx_fail(ctx, "Cannot read properties of undefined (reading 'push')");
    }
    const char *msg = sl_ctx_error_message(ctx);
    json_t *item = sl_item_new(json_pack("{s:s}", "error", msg ? msg : ""));
    sl_ctx_clear_error(ctx);
    routes_push(ctx, r, 0, item);
    return 0;
}

/* ------------------------------------------------------------------ */
/* versions 1 and 2: legacy rules                                      */
/* ------------------------------------------------------------------ */

/* Parameter defaults of SwitchV1/V2 per data type. */
static json_t *default_value(const char *data_type, bool second)
{
    if (!strcmp(data_type, "boolean"))
        return json_false();
    if (!strcmp(data_type, "number") || (second && !strcmp(data_type, "dateTime")))
        return json_integer(0);
    return json_string("");
}

static const char *default_op(const char *data_type)
{
    return !strcmp(data_type, "dateTime") ? "after"
           : !strcmp(data_type, "number") ? "smaller"
                                          : "equal";
}

/* A rule's field: evaluated when stored (NULL if it evaluated to
 * undefined), else `dflt` (stolen). New reference or NULL. */
static json_t *rule_field(const json_t *raw, const json_t *ev, const char *key, json_t *dflt)
{
    if (json_object_get(raw, key)) {
        json_decref(dflt);
        json_t *v = json_object_get(ev, key);
        return v ? json_incref(v) : NULL;
    }
    return dflt;
}

/* Replaces *v by its epoch milliseconds for the dateTime data type. */
static int to_datetime(struct sl_node_ctx *ctx, json_t **v, size_t item)
{
    double ms = 0;
    int rc = sl_v1_datetime(ctx, *v, item, &ms);
    json_decref(*v);
    *v = rc ? NULL : json_real(ms);
    return rc;
}

/* Routes item `i` for Switch v1/v2 (n8n's loop body inside its try). */
static int route_legacy(struct sl_node_ctx *ctx, struct routes *r, size_t i, json_t *item, bool v2)
{
    json_t *rules = NULL, *raw_rules = sl_ctx_param_raw(ctx, "rules.rules"), *value1 = NULL;
    json_t *dflt = NULL, *idx = NULL;
    char *mode = NULL, *data_type = NULL;
    int rc = 0;
    if (raw_rules && !json_is_array(raw_rules)) {
        rc = sl_ctx_fail(ctx, "parameter 'rules.rules' must be a list of rules");
        goto out;
    }
    if (raw_rules && !(rules = sl_ctx_param(ctx, "rules.rules", i, NULL))) {
        rc = SL_ERR_NODE;
        goto out;
    }
    if ((rc = sl_ctx_param_str(ctx, "mode", i, "rules", &mode)))
        goto out;
    if (!strcmp(mode, "expression")) {
        if (v2) {
            json_t *four = json_integer(4);
            json_t *n = sl_ctx_param(ctx, "outputsAmount", i, four);
            json_decref(four);
            if (!n && sl_ctx_failed(ctx)) {
                rc = SL_ERR_NODE;
                goto out;
            }
            if (i == 0 && (rc = routes_alloc(ctx, r, n))) {
                json_decref(n);
                goto out;
            }
            json_decref(n);
        }
        dflt = v2 ? json_string("") : json_integer(0);
        idx = sl_ctx_param(ctx, "output", i, dflt);
        if (!idx && sl_ctx_failed(ctx)) {
            rc = SL_ERR_NODE;
            goto out;
        }
        if (!(rc = check_range_v1(ctx, r, idx)))
            rc = routes_push_at(ctx, r, idx, json_incref(item));
        goto out;
    }
    if (strcmp(mode, "rules"))
        goto out;
    if (v2 && i == 0)
        r->len = json_array_size(raw_rules);
    if ((rc = sl_ctx_param_str(ctx, "dataType", 0, "number", &data_type)))
        goto out;
    bool is_date = !strcmp(data_type, "dateTime");
    dflt = default_value(data_type, false);
    value1 = sl_ctx_param(ctx, "value1", i, dflt);
    if (!value1 && sl_ctx_failed(ctx)) {
        rc = SL_ERR_NODE;
        goto out;
    }
    if (is_date && (rc = to_datetime(ctx, &value1, i)))
        goto out;
    for (size_t k = 0; k < json_array_size(raw_rules); k++) {
        json_t *raw = json_array_get(raw_rules, k), *ev = json_array_get(rules, k);
        if (!json_is_object(raw) || !json_is_object(ev)) {
            rc = sl_ctx_fail(ctx, "parameter 'rules.rules': rule %zu is not an object", k);
            goto out;
        }
        json_t *value2 = rule_field(raw, ev, "value2", default_value(data_type, true));
        if (is_date && (rc = to_datetime(ctx, &value2, i)))
            goto out;
        json_t *opv = rule_field(raw, ev, "operation", json_string(default_op(data_type)));
        int m = json_is_string(opv)
                    ? sl_v1_compare(ctx, json_string_value(opv), value1, value2, false)
                    : SL_V1_UNKNOWN_OP;
        json_decref(opv);
        json_decref(value2);
        if (m == SL_V1_UNKNOWN_OP)
            m = sl_ctx_fail(ctx, "compareOperationFunctions[ruleData.operation] is not a function");
        if (m < 0) {
            rc = m;
            goto out;
        }
        if (!m)
            continue;
        json_t *output = rule_field(raw, ev, "output", v2 ? NULL : json_integer(0));
        rc = check_range_v1(ctx, r, output);
        if (!rc) {
            if (v2) {
                json_t *ki = json_integer((json_int_t)k);
                rc = routes_push_at(ctx, r, ki, json_incref(item));
                json_decref(ki);
            } else {
                rc = routes_push_at(ctx, r, output, json_incref(item));
            }
        }
        json_decref(output);
        goto out;
    }
    json_decref(dflt);
    dflt = json_integer(-1);
    idx = sl_ctx_param(ctx, "fallbackOutput", i, dflt);
    if (!idx && sl_ctx_failed(ctx)) {
        rc = SL_ERR_NODE;
        goto out;
    }
    if (!(json_is_number(idx) && sl_jsv_num(idx) == -1)) {
        if (!(rc = check_range_v1(ctx, r, idx)))
            rc = routes_push_at(ctx, r, idx, json_incref(item));
    }
out:
    json_decref(rules);
    json_decref(value1);
    json_decref(dflt);
    json_decref(idx);
    free(mode);
    free(data_type);
    return rc;
}

static int execute_legacy(struct sl_node_ctx *ctx, bool v2)
{
    struct routes r = {.len = v2 ? 0 : 4, .declared = outputs(sl_ctx_node(ctx))};
    json_t *items = sl_ctx_input(ctx, 0);
    for (size_t i = 0; i < json_array_size(items); i++) {
        int rc = route_legacy(ctx, &r, i, json_array_get(items, i), v2);
        if (rc && (!sl_ctx_continue_on_fail(ctx) || (rc = push_error(ctx, &r))))
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* version 3: filter rules                                             */
/* ------------------------------------------------------------------ */

/* SwitchV3 sets item.pairedItem = {item: index} on every item. */
static json_t *with_own_paired(json_t *item, size_t index)
{
    json_t *p = json_object_get(item, "pairedItem");
    json_t *pi = json_object_get(p, "item");
    if (json_is_object(p) && json_object_size(p) == 1 && json_is_integer(pi) &&
        json_integer_value(pi) == (json_int_t)index)
        return json_incref(item);
    json_t *copy = json_copy(item);
    json_object_set_new(copy, "pairedItem", json_pack("{s:I}", "item", (json_int_t)index));
    return copy;
}

/* Expression mode: the `output` parameter, validated as a number. */
static int route_expression_v3(struct sl_node_ctx *ctx, struct routes *r, size_t i, json_t *item)
{
    json_t *four = json_integer(4);
    json_t *n = sl_ctx_param(ctx, "numberOutputs", i, four);
    json_decref(four);
    if (!n && sl_ctx_failed(ctx))
        return SL_ERR_NODE;
    int rc = i == 0 ? routes_alloc(ctx, r, n) : 0;
    json_decref(n);
    if (rc)
        return rc;
    json_t *dflt = json_string("={{}}"); /* the parameter's default */
    json_t *idx = sl_ctx_param_number_checked(ctx, "output", i, dflt, "output", "Output Index");
    json_decref(dflt);
    if (!idx && sl_ctx_failed(ctx))
        return SL_ERR_NODE;
    if (json_is_null(idx)) {
        json_decref(idx); /* validateFieldType passes null on as undefined */
        idx = NULL;
    }
    rc = check_range_v3(ctx, r, idx);
    if (!rc)
        rc = routes_push_at(ctx, r, idx, json_incref(item));
    json_decref(idx);
    return rc;
}

static int loose_validation(struct sl_node_ctx *ctx, size_t item, const json_t *options,
                            bool *loose)
{
    if (sl_ctx_node(ctx)->version < 3.1) {
        *loose = sl_jsv_truthy(json_object_get(options, "looseTypeValidation"));
        return 0;
    }
    return sl_ctx_param_bool(ctx, "looseTypeValidation", item, false, loose);
}

/* Rules mode: each rule's filter, first match or all matches, fallback. */
static int route_rules_v3(struct sl_node_ctx *ctx, struct routes *r, size_t i, json_t *item)
{
    json_t *raw = sl_ctx_param_raw(ctx, "rules.values");
    if (raw && !json_is_array(raw))
        return sl_ctx_fail(ctx, "parameter 'rules.values' must be a list of rules");
    if (!json_array_size(raw))
        return 0;
    json_t *rules = sl_ctx_param(ctx, "rules.values", i, NULL), *options = NULL;
    int rc = 0;
    if (!rules) {
        rc = SL_ERR_NODE;
        goto out;
    }
    json_t *empty = json_object();
    options = sl_ctx_param(ctx, "options", i, empty);
    json_decref(empty);
    if (!options) {
        rc = SL_ERR_NODE;
        goto out;
    }
    const json_t *fallback = json_object_get(options, "fallbackOutput");
    bool extra = json_is_string(fallback) && !strcmp(json_string_value(fallback), "extra");
    if (i == 0)
        r->len = json_array_size(rules) + extra;
    bool matched = false;
    for (size_t k = 0; k < json_array_size(rules); k++) {
        json_t *rule = json_array_get(rules, k);
        if (!json_is_object(rule)) {
            rc = sl_ctx_fail(ctx, "parameter 'rules.values': rule %zu is not an object", k);
            goto out;
        }
        bool pass = false, described = false, loose = false;
        rc = sl_filter_execute(ctx, json_object_get(rule, "conditions"), i, &pass, &described);
        if (rc) {
            if (!described) {
                /* n8n adds its hint when type validation is strict. */
                char *msg = sl_strdup(sl_ctx_error_message(ctx));
                sl_ctx_clear_error(ctx);
                int lrc = loose_validation(ctx, i, options, &loose);
                sl_ctx_clear_error(ctx);
                sl_ctx_fail(ctx, "%s", msg);
                free(msg);
                if (!lrc && !loose)
                    sl_ctx_fail_description(ctx, "%s", SL_FILTER_STRICT_HINT);
            }
            goto out;
        }
        if (!pass)
            continue;
        matched = true;
        if ((rc = check_range_v3(ctx, r, json_object_get(rule, "output"))))
            goto out;
        json_t *ki = json_integer((json_int_t)k);
        rc = routes_push_at(ctx, r, ki, json_incref(item));
        json_decref(ki);
        if (rc || !sl_jsv_truthy(json_object_get(options, "allMatchingOutputs")))
            goto out;
    }
    if (fallback && !(json_is_string(fallback) && !strcmp(json_string_value(fallback), "none")) &&
        !matched) {
        if (extra) {
            json_t *last = json_integer((json_int_t)r->len - 1);
            rc = routes_push_at(ctx, r, last, json_incref(item));
            json_decref(last);
        } else if (!(rc = check_range_v3(ctx, r, fallback))) {
            rc = routes_push_at(ctx, r, fallback, json_incref(item));
        }
    }
out:
    json_decref(rules);
    json_decref(options);
    return rc;
}

static int execute_v3(struct sl_node_ctx *ctx)
{
    char *mode = NULL;
    if (sl_ctx_param_str(ctx, "mode", 0, "rules", &mode))
        return SL_ERR_NODE;
    bool expr = !strcmp(mode, "expression"), rules = !strcmp(mode, "rules");
    free(mode);
    struct routes r = {.declared = outputs(sl_ctx_node(ctx))};
    json_t *items = sl_ctx_input(ctx, 0);
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *item = with_own_paired(json_array_get(items, i), i);
        int rc = expr    ? route_expression_v3(ctx, &r, i, item)
                 : rules ? route_rules_v3(ctx, &r, i, item)
                         : 0;
        json_decref(item);
        if (rc && (!sl_ctx_continue_on_fail(ctx) || (rc = push_error(ctx, &r))))
            return rc;
    }
    return 0;
}

static int execute(struct sl_node_ctx *ctx)
{
    double v = sl_ctx_node(ctx)->version;
    return v < 3 ? execute_legacy(ctx, v >= 2) : execute_v3(ctx);
}

const struct sl_node_type sl_node_switch = {
    .name = "n8n-nodes-base.switch",
    .versions = versions,
    .outputs = outputs,
    .execute = execute,
};
