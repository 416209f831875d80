/*
 * Sort (v1): reorders the input items. "simple" sorts by one or more
 * fields, "random" shuffles, "code" sorts with a user JavaScript comparator
 * body over `a` and `b`.
 *
 * The simple comparator is n8n's own, including its quirk: values that are
 * not lodash-isEqual and not lodash-lt compare as "greater", so a missing
 * field or NaN is greater than everything in both directions. Such a
 * comparator is inconsistent, so the order it gives depends on the sort
 * algorithm; this file sorts the way V8's TimSort sorts arrays shorter
 * than 64 (one natural run, then binary insertion), which is n8n's order
 * for those and a stable sort for any length.
 */
#include <stdlib.h>
#include <string.h>

#include "core/jpath.h"
#include "core/jsvalue.h"
#include "js/js.h"
#include "nodes/node.h"

static const double versions[] = {1, 0};

struct sort_key {
    const char *name;
    int dir; /* 1 ascending, -1 descending */
};

struct sort_job {
    const json_t *items;
    struct sort_key *keys;
    size_t n_keys;
    bool literal; /* options.disableDotNotation */
};

/* lodash isEqual on JSON values; NULL is undefined. */
static bool deep_equal(const json_t *a, const json_t *b)
{
    if (!a || !b)
        return a == b;
    if (json_is_number(a) && json_is_number(b))
        return sl_jsv_num(a) == sl_jsv_num(b);
    if (json_typeof(a) != json_typeof(b))
        return false;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               !memcmp(json_string_value(a), json_string_value(b), json_string_length(a));
    case JSON_ARRAY: {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!deep_equal(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v)
        {
            json_t *w = json_object_get(b, k);
            if (!w || !deep_equal(v, w))
                return false;
        }
        return true;
    }
    default:
        return true; /* null, true, false */
    }
}

/* The field's value for comparing: strings lower-cased. New reference or
 * NULL (undefined). */
static json_t *key_value(const struct sort_job *job, size_t item, const char *name)
{
    json_t *j = json_object_get(json_array_get(job->items, item), "json");
    json_t *v = sl_jpath_get_ex(j, name, job->literal ? SL_JPATH_LITERAL : 0);
    if (!json_is_string(v))
        return json_incref(v);
    char *low = sl_jsv_lower(json_string_value(v));
    json_t *r = json_string(low);
    if (!r)
        r = json_stringn_nocheck(low, strlen(low));
    free(low);
    return r;
}

/* lodash lt: string comparison when both are strings, else numbers. */
static bool lodash_lt(const json_t *a, const json_t *b)
{
    if (json_is_string(a) && json_is_string(b))
        return sl_jsv_strcmp_utf16(json_string_value(a), json_string_value(b)) < 0;
    return sl_jsv_to_number(a) < sl_jsv_to_number(b);
}

static int compare_simple(const struct sort_job *job, size_t x, size_t y)
{
    for (size_t k = 0; k < job->n_keys; k++) {
        json_t *a = key_value(job, x, job->keys[k].name);
        json_t *b = key_value(job, y, job->keys[k].name);
        int r = 0;
        if (!deep_equal(a, b))
            r = lodash_lt(a, b) ? -job->keys[k].dir : job->keys[k].dir;
        json_decref(a);
        json_decref(b);
        if (r)
            return r;
    }
    return 0;
}

/* V8's TimSort for short arrays: the leading natural run (a strictly
 * descending one is reversed), then binary insertion of the rest. */
static void v8_sort(size_t *idx, size_t n, const struct sort_job *job)
{
    if (n < 2)
        return;
    size_t run = 2;
    bool desc = compare_simple(job, idx[1], idx[0]) < 0;
    for (size_t i = 2; i < n; i++) {
        int o = compare_simple(job, idx[i], idx[i - 1]);
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
            if (compare_simple(job, pivot, idx[mid]) < 0)
                right = mid;
            else
                left = mid + 1;
        }
        memmove(idx + left + 1, idx + left, (start - left) * sizeof *idx);
        idx[left] = pivot;
    }
}

/* Reads sortFieldsUi.sortField and checks every field exists in some
 * item, with n8n's messages. */
static int read_keys(struct sl_node_ctx *ctx, struct sort_job *job, json_t *ui)
{
    json_t *fields = json_is_object(ui) ? json_object_get(ui, "sortField") : NULL;
    if (!json_is_array(fields) || !json_array_size(fields))
        return sl_ctx_fail(ctx, "No sorting specified. Please add a field to sort by");
    job->n_keys = json_array_size(fields);
    job->keys = calloc(job->n_keys, sizeof *job->keys);
    if (!job->keys)
        return sl_ctx_fail(ctx, "out of memory");
    for (size_t k = 0; k < job->n_keys; k++) {
        json_t *f = json_array_get(fields, k);
        json_t *name = json_object_get(f, "fieldName");
        json_t *order = json_object_get(f, "order");
        if (!json_is_string(name))
            return sl_ctx_fail(ctx, "parameter 'fieldName' of sort field %zu must be a string",
                               k + 1);
        job->keys[k].name = json_string_value(name);
        job->keys[k].dir =
            !order || (json_is_string(order) && !strcmp(json_string_value(order), "ascending"))
                ? 1
                : -1;
        bool found = false;
        for (size_t i = 0; i < json_array_size(job->items) && !found; i++) {
            json_t *j = json_object_get(json_array_get(job->items, i), "json");
            found = sl_jpath_get_ex(j, job->keys[k].name, job->literal ? SL_JPATH_LITERAL : 0);
        }
        if (!found) {
            int rc = sl_ctx_fail(ctx, "Couldn't find the field '%s' in the input data",
                                 job->keys[k].name);
            if (job->literal && strchr(job->keys[k].name, '.'))
                sl_ctx_fail_description(ctx, "If you're trying to use a nested field, make sure "
                                             "you turn off 'disable dot notation' in the node "
                                             "options");
            return rc;
        }
    }
    return 0;
}

static int sort_simple(struct sl_node_ctx *ctx, json_t *items, size_t *idx)
{
    struct sort_job job = {.items = items};
    int rc = sl_ctx_param_bool(ctx, "options.disableDotNotation", 0, false, &job.literal);
    if (rc)
        return rc;
    json_t *ui = sl_ctx_param(ctx, "sortFieldsUi", 0, NULL);
    if (sl_ctx_failed(ctx)) {
        json_decref(ui);
        return SL_ERR_NODE;
    }
    rc = read_keys(ctx, &job, ui);
    if (!rc)
        v8_sort(idx, json_array_size(items), &job);
    free(job.keys);
    json_decref(ui);
    return rc;
}

/* n8n's returnRegExp: the word "return" somewhere in the code. */
static bool has_return(const char *code)
{
    for (const char *p = strstr(code, "return"); p; p = strstr(p + 1, "return")) {
        bool before = p == code || !(p[-1] == '_' || (p[-1] >= '0' && p[-1] <= '9') ||
                                     ((p[-1] | 32) >= 'a' && (p[-1] | 32) <= 'z'));
        char c = p[6];
        bool after = !(c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z'));
        if (before && after)
            return true;
    }
    return false;
}

static int sort_code(struct sl_node_ctx *ctx, json_t *items, size_t *idx)
{
    char *code = NULL, *err = NULL;
    int rc = sl_ctx_param_str(ctx, "code", 0, "", &code);
    if (rc)
        return rc;
    if (!has_return(code)) {
        rc = sl_ctx_fail(ctx, "Sort code doesn't return. Please add a 'return' statement to "
                              "your code");
        goto out;
    }
    json_t *order = sl_js_sort(sl_ctx_js(ctx), code, items, &err);
    if (!order) {
        rc = sl_ctx_fail(ctx, "%s", err);
        goto out;
    }
    for (size_t i = 0; i < json_array_size(order); i++)
        idx[i] = (size_t)json_integer_value(json_array_get(order, i));
    json_decref(order);
out:
    free(err);
    free(code);
    return rc;
}

static int execute(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    size_t n = json_array_size(items);
    char *type = NULL;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx)
        return sl_ctx_fail(ctx, "out of memory");
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    int rc = sl_ctx_param_str(ctx, "type", 0, "simple", &type);
    if (rc)
        goto out;
    if (!strcmp(type, "random")) {
        /* shuffleArray: Fisher-Yates from the end */
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(random() % (long)i), t = idx[i - 1];
            idx[i - 1] = idx[j];
            idx[j] = t;
        }
    } else if (!strcmp(type, "simple")) {
        rc = sort_simple(ctx, items, idx);
    } else {
        rc = sort_code(ctx, items, idx);
    }
    if (rc)
        goto out;
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(out, json_array_get(items, idx[i]));
    sl_ctx_out_list(ctx, 0, out);
out:
    free(type);
    free(idx);
    return rc;
}

const struct sl_node_type sl_node_sort = {
    .name = "n8n-nodes-base.sort",
    .versions = versions,
    .execute = execute,
};
