/*
 * Summarize (v1, v1.1): aggregations (append, average, concatenate,
 * count, countUnique, max, min, sum) over the input items, optionally
 * split into groups by the values of some fields.
 *
 * Groups follow n8n's Map: keys are compared with SameValueZero, objects
 * and arrays become their JSON.stringify text first, and v1 turns every
 * key into String(key). Each aggregation reads the item's json as n8n's
 * node does, with an extra `_itemIndex` field visible to the paths.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/jpath.h"
#include "core/jsvalue.h"
#include "nodes/node.h"
#include "nodes/transform.h"

static const double versions[] = {1, 1.1, 0};

struct agg {
    const char *kind; /* aggregation */
    const char *field;
    bool include_empty;
    const char *sep;
};

struct summ {
    struct sl_node_ctx *ctx;
    json_t *items; /* n8n's newItems: json plus _itemIndex */
    struct agg *aggs;
    size_t n_aggs;
    char **split;
    size_t n_split;
    bool literal, skip_empty, single;
    bool string_keys;    /* v1: split keys become String(key) */
    bool require_fields; /* v1: a field no item has is an error */
};

/* A group: the indices of the items in it, and its subgroups. */
struct group {
    json_t *key; /* NULL is undefined */
    size_t *idx, n;
    struct group *sub; /* n_sub groups split by the next field */
    size_t n_sub;
    bool split; /* has a level below */
};

static json_t *value_of(const struct summ *s, size_t i, const char *field)
{
    return sl_jpath_get_ex(json_array_get(s->items, i), field, s->literal ? SL_JPATH_LITERAL : 0);
}

static bool is_empty(const json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && !json_string_length(v));
}

/* A JavaScript number as JSON (NaN and infinities become null). */
static json_t *num_json(double d)
{
    if (!isfinite(d))
        return json_null();
    if (d == floor(d) && fabs(d) < 9007199254740992.0 && !(d == 0 && signbit(d)))
        return json_integer((json_int_t)d);
    return json_real(d);
}

static char *normalize(const char *name)
{
    char *r = malloc(strlen(name) + 1), *o = r;
    if (!r)
        abort();
    for (const char *p = name; *p; p++) {
        if (*p == '[' || *p == ']' || *p == '"')
            continue;
        *o++ = *p == ' ' || *p == '.' ? '_' : *p;
    }
    *o = 0;
    return r;
}

static json_t *aggregate(const struct summ *s, const struct agg *a, const size_t *idx, size_t n)
{
    const char *k = a->kind;
    bool numeric = !strcmp(k, "average") || !strcmp(k, "sum");
    if (numeric) {
        double acc = 0;
        size_t cnt = 0;
        for (size_t i = 0; i < n; i++) {
            json_t *v = value_of(s, idx[i], a->field);
            if (json_is_number(v)) {
                acc += sl_jsv_num(v);
                cnt++;
            }
        }
        return num_json(!strcmp(k, "sum") ? acc : acc / (double)cnt);
    }
    if (!strcmp(k, "append")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *v = value_of(s, idx[i], a->field);
            if (a->include_empty || !is_empty(v))
                json_array_append(arr, v ? v : json_null());
        }
        return arr;
    }
    if (!strcmp(k, "concatenate")) {
        size_t len = 0, cap = 64;
        char *buf = malloc(cap);
        bool first = true;
        if (!buf)
            abort();
        buf[0] = 0;
        for (size_t i = 0; i < n; i++) {
            json_t *v = value_of(s, idx[i], a->field);
            if (!a->include_empty && is_empty(v))
                continue;
            char *t = json_is_object(v) || json_is_array(v) || json_is_null(v)
                          ? sl_jsv_stringify(v)
                          : sl_jsv_to_string(v);
            size_t need = len + strlen(t) + strlen(a->sep) + 1;
            if (need > cap) {
                while (cap < need)
                    cap *= 2;
                buf = realloc(buf, cap);
                if (!buf)
                    abort();
            }
            if (!first) {
                memcpy(buf + len, a->sep, strlen(a->sep));
                len += strlen(a->sep);
            }
            memcpy(buf + len, t, strlen(t));
            len += strlen(t);
            buf[len] = 0;
            first = false;
            free(t);
        }
        json_t *r = json_stringn(buf, len);
        if (!r)
            r = json_stringn_nocheck(buf, len);
        free(buf);
        return r;
    }
    if (!strcmp(k, "min") || !strcmp(k, "max")) {
        enum sl_jsv_rel want = !strcmp(k, "min") ? SL_JSV_LT : SL_JSV_GT;
        json_t *best = NULL;
        for (size_t i = 0; i < n; i++) {
            json_t *v = value_of(s, idx[i], a->field);
            if (is_empty(v))
                continue;
            if (!best || sl_jsv_compare(v, best) == want)
                best = v;
        }
        return best ? json_incref(best) : json_null();
    }
    if (!strcmp(k, "countUnique")) {
        json_t **seen = calloc(n ? n : 1, sizeof *seen);
        size_t n_seen = 0;
        bool undef_seen = false;
        if (!seen)
            abort();
        for (size_t i = 0; i < n; i++) {
            json_t *v = value_of(s, idx[i], a->field);
            if (!a->include_empty && is_empty(v))
                continue;
            if (!v) {
                undef_seen = true;
                continue;
            }
            size_t j = 0;
            while (j < n_seen && !sl_jsv_same_value_zero(seen[j], v))
                j++;
            if (j == n_seen)
                seen[n_seen++] = v;
        }
        free(seen);
        return json_integer((json_int_t)(n_seen + undef_seen));
    }
    /* count, the default */
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (a->include_empty || !is_empty(value_of(s, idx[i], a->field)))
            c++;
    return json_integer((json_int_t)c);
}

static json_t *aggregate_all(const struct summ *s, const size_t *idx, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < s->n_aggs; i++) {
        static const struct {
            const char *kind, *prefix;
        } names[] = {{"append", "appended_"},
                     {"average", "average_"},
                     {"concatenate", "concatenated_"},
                     {"count", "count_"},
                     {"countUnique", "unique_count_"},
                     {"max", "max_"},
                     {"min", "min_"},
                     {"sum", "sum_"}};
        const char *prefix = "undefined";
        for (size_t j = 0; j < sizeof names / sizeof names[0]; j++)
            if (!strcmp(names[j].kind, s->aggs[i].kind))
                prefix = names[j].prefix;
        size_t len = strlen(prefix) + strlen(s->aggs[i].field) + 1;
        char *raw = malloc(len);
        if (!raw)
            abort();
        snprintf(raw, len, "%s%s", prefix, s->aggs[i].field);
        char *key = normalize(raw);
        json_object_set_new(o, key, aggregate(s, &s->aggs[i], idx, n));
        free(key);
        free(raw);
    }
    return o;
}

/* Splits `g` by split field `level` and below. */
static void split_group(const struct summ *s, struct group *g, size_t level)
{
    if (level >= s->n_split)
        return;
    g->split = true;
    g->sub = calloc(g->n ? g->n : 1, sizeof *g->sub);
    if (!g->sub)
        abort();
    for (size_t i = 0; i < g->n; i++) {
        json_t *v = value_of(s, g->idx[i], s->split[level]);
        json_t *key;
        if ((json_is_object(v) || json_is_array(v))) {
            char *t = sl_jsv_stringify(v);
            key = json_string(t);
            free(t);
        } else {
            key = json_incref(v);
        }
        if (s->string_keys) {
            char *t = sl_jsv_to_string(key);
            json_decref(key);
            key = json_string(t);
            if (!key)
                key = json_stringn_nocheck(t, strlen(t));
            free(t);
        }
        if (s->skip_empty && !json_is_number(key) && !sl_jsv_truthy(key)) {
            json_decref(key);
            continue;
        }
        size_t j = 0;
        while (j < g->n_sub &&
               !(g->sub[j].key ? key && sl_jsv_same_value_zero(g->sub[j].key, key) : !key))
            j++;
        if (j == g->n_sub) {
            g->n_sub++;
            g->sub[j].key = key;
            g->sub[j].idx = malloc(g->n * sizeof *g->idx);
            if (!g->sub[j].idx)
                abort();
        } else {
            json_decref(key);
        }
        g->sub[j].idx[g->sub[j].n++] = g->idx[i];
    }
    for (size_t j = 0; j < g->n_sub; j++)
        split_group(s, &g->sub[j], level + 1);
}

static void group_release(struct group *g)
{
    for (size_t j = 0; j < g->n_sub; j++)
        group_release(&g->sub[j]);
    free(g->sub);
    free(g->idx);
    json_decref(g->key);
}

static json_t *paired_list(const size_t *idx, size_t n)
{
    json_t *l = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(l, json_pack("{s:I}", "item", (json_int_t)idx[i]));
    return l;
}

/* separateItems: one item per leaf group; split fields are set innermost
 * first, as flattenAggregationResultToArray does. */
static void emit_leaves(const struct summ *s, const struct group *g, size_t level, json_t *out)
{
    if (!g->split) {
        json_array_append_new(out, json_pack("{s:o,s:o}", "json", aggregate_all(s, g->idx, g->n),
                                             "pairedItem", paired_list(g->idx, g->n)));
        return;
    }
    char *name = normalize(s->split[level]);
    for (size_t j = 0; j < g->n_sub; j++) {
        size_t from = json_array_size(out);
        emit_leaves(s, &g->sub[j], level + 1, out);
        for (size_t i = from; i < json_array_size(out); i++) {
            json_t *js = json_object_get(json_array_get(out, i), "json");
            if (g->sub[j].key)
                json_object_set(js, name, g->sub[j].key);
            else
                json_object_del(js, name);
        }
    }
    free(name);
}

static json_t *nested_object(const struct summ *s, const struct group *g)
{
    if (!g->split)
        return aggregate_all(s, g->idx, g->n);
    json_t *o = json_object();
    for (size_t j = 0; j < g->n_sub; j++) {
        char *k = sl_jsv_to_string(g->sub[j].key);
        json_object_set_new(o, k, nested_object(s, &g->sub[j]));
        free(k);
    }
    return o;
}

static int read_aggs(struct summ *s, json_t *vals)
{
    s->n_aggs = json_array_size(vals);
    s->aggs = calloc(s->n_aggs ? s->n_aggs : 1, sizeof *s->aggs);
    if (!s->aggs)
        abort();
    bool any = false;
    for (size_t i = 0; i < s->n_aggs; i++) {
        json_t *v = json_array_get(vals, i);
        json_t *kind = json_object_get(v, "aggregation"), *field = json_object_get(v, "field");
        json_t *sep = json_object_get(v, "separateBy");
        s->aggs[i].kind = json_is_string(kind) ? json_string_value(kind) : "count";
        s->aggs[i].field = json_is_string(field) ? json_string_value(field) : "";
        s->aggs[i].include_empty = sl_jsv_truthy(json_object_get(v, "includeEmpty"));
        s->aggs[i].sep = json_is_string(sep) ? json_string_value(sep) : ",";
        if (!strcmp(s->aggs[i].sep, "other")) {
            json_t *c = json_object_get(v, "customSeparator");
            s->aggs[i].sep = json_is_string(c) ? json_string_value(c) : "";
        }
        if (!field || !json_is_string(field) || json_string_length(field))
            any = true;
        if (field && !json_is_string(field))
            return sl_ctx_fail(s->ctx, "parameter 'field' of aggregation %zu must be a string",
                               i + 1);
    }
    if (!any)
        return sl_ctx_fail(s->ctx, "You need to add at least one aggregation to 'Fields to "
                                   "Summarize' with non empty 'Field'");
    return 0;
}

static int read_split(struct summ *s, const char *text)
{
    s->split = calloc(strlen(text) + 1, sizeof *s->split);
    if (!s->split)
        abort();
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *part = strndup(p, len);
        if (!part)
            abort();
        const char *b, *e;
        sl_jsv_trim(part, &b, &e);
        if (e > b)
            s->split[s->n_split++] = strndup(b, (size_t)(e - b));
        free(part);
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

int sl_summarize_run(struct sl_node_ctx *ctx, bool string_keys, bool require_fields)
{
    json_t *input = sl_ctx_input(ctx, 0);
    size_t n = json_array_size(input);
    struct summ s = {.ctx = ctx, .string_keys = string_keys, .require_fields = require_fields};
    struct group root = {0};
    char *split_text = NULL, *format = NULL;
    bool cont = false;
    json_t *vals = NULL, *empty = json_array();
    int rc = sl_ctx_param_bool(ctx, "options.disableDotNotation", 0, false, &s.literal);
    if (!rc)
        rc = sl_ctx_param_bool(ctx, "options.skipEmptySplitFields", 0, false, &s.skip_empty);
    if (!rc)
        rc = sl_ctx_param_bool(ctx, "options.continueIfFieldNotFound", 0, false, &cont);
    if (!rc)
        rc = sl_ctx_param_str(ctx, "options.outputFormat", 0, "separateItems", &format);
    if (!rc)
        rc = sl_ctx_param_str(ctx, "fieldsToSplitBy", 0, "", &split_text);
    if (rc)
        goto out;
    s.single = !strcmp(format, "singleItem");
    vals = sl_ctx_param(ctx, "fieldsToSummarize.values", 0, empty);
    if (!vals) {
        rc = SL_ERR_NODE;
        goto out;
    }
    if (!json_is_array(vals)) {
        rc = sl_ctx_fail(ctx, "parameter 'fieldsToSummarize' must be a list of aggregations");
        goto out;
    }
    rc = read_split(&s, split_text);
    if (!rc)
        rc = read_aggs(&s, vals);
    if (rc)
        goto out;

    s.items = json_array();
    root.idx = malloc((n ? n : 1) * sizeof *root.idx);
    if (!root.idx)
        abort();
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_object_get(json_array_get(input, i), "json");
        json_t *c = json_is_object(j) ? json_copy(j) : json_object();
        json_object_set_new(c, "_itemIndex", json_integer((json_int_t)i));
        json_array_append_new(s.items, c);
        root.idx[root.n++] = i;
    }
    split_group(&s, &root, 0);

    if (s.require_fields && !cont) {
        for (size_t a = 0; a < s.n_aggs; a++) {
            if (!*s.aggs[a].field)
                continue;
            bool found = false;
            for (size_t i = 0; i < n && !found; i++)
                found = value_of(&s, i, s.aggs[a].field) != NULL;
            if (!found) {
                rc =
                    sl_ctx_fail(ctx, "The field '%s' does not exist in any items", s.aggs[a].field);
                goto out;
            }
        }
    }

    if (s.single) {
        sl_ctx_out(ctx, 0,
                   json_pack("{s:o,s:o}", "json", nested_object(&s, &root), "pairedItem",
                             paired_list(root.idx, root.n)));
    } else {
        json_t *out = json_array();
        emit_leaves(&s, &root, 0, out);
        sl_ctx_out_list(ctx, 0, out);
    }
out:
    group_release(&root);
    for (size_t i = 0; i < s.n_split; i++)
        free(s.split[i]);
    free(s.split);
    free(s.aggs);
    json_decref(s.items);
    json_decref(vals);
    json_decref(empty);
    free(split_text);
    free(format);
    return rc;
}

static int execute(struct sl_node_ctx *ctx)
{
    bool v1 = sl_ctx_node(ctx)->version < 1.05;
    return sl_summarize_run(ctx, v1, v1);
}

const struct sl_node_type sl_node_summarize = {
    .name = "n8n-nodes-base.summarize",
    .versions = versions,
    .execute = execute,
};
