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
#include "nodes/transform.h"

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

static int compare_simple(const struct sort_job *job, size_t x, size_t y)
{
    for (size_t k = 0; k < job->n_keys; k++) {
        json_t *a = key_value(job, x, job->keys[k].name);
        json_t *b = key_value(job, y, job->keys[k].name);
        int r = 0;
        if (!sl_jsv_deep_equal(a, b))
            r = sl_jsv_lodash_lt(a, b) ? -job->keys[k].dir : job->keys[k].dir;
        json_decref(a);
        json_decref(b);
        if (r)
            return r;
    }
    return 0;
}

static int simple_cmp(size_t a, size_t b, void *job)
{
    return compare_simple(job, a, b);
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
        sl_jsv_sort(idx, json_array_size(items), simple_cmp, &job);
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

int sl_sort_run(struct sl_node_ctx *ctx)
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

static int execute(struct sl_node_ctx *ctx)
{
    return sl_sort_run(ctx);
}

const struct sl_node_type sl_node_sort = {
    .name = "n8n-nodes-base.sort",
    .versions = versions,
    .execute = execute,
};
