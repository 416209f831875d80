/*
 * Merge: combines the items of several inputs into one output.
 *
 * Version 1 has the legacy modes (append, keepKeyMatches, mergeByIndex,
 * mergeByKey, multiplex, passThrough, removeKeyMatches, wait). Versions
 * 2 and 2.1 have append, combine (mergeByFields with a join mode,
 * mergeByPosition, multiplex) and chooseBranch; 2.1 changed how empty
 * inputs are handled by mergeByFields. Versions 3-3.2 generalise to
 * `numberInputs` inputs (combineByFields, combineByPosition, combineAll,
 * chooseBranch); combineBySql is not implemented and fails clearly.
 *
 * Field values are compared and merged with lodash's semantics (isEqual,
 * merge, assign) as n8n does, on shared immutable values: merged objects
 * are built copy-on-write and unchanged subtrees stay shared.
 *
 * A missing input reads as an empty one: n8n's getInputData returns
 * `items ?? []`, so the node cannot tell them apart (the corpus file
 * Merge/workflow.keep_non_matches.json depends on it) and
 * sl_ctx_input_has_data() is not consulted.
 *
 * Unlike n8n, which forwards the items of each input with the pairedItem
 * they had on the previous node, every output item here gets a pairedItem
 * that points at this node's own input items ({item, input}), so that
 * $('Node').item resolves through a Merge from any of its inputs.
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/jpath.h"
#include "core/jsvalue.h"
#include "nodes/node.h"
#include "util/alloc.h"

#define MAX_INPUTS 10

/* ------------------------------------------------------------------ */
/* lodash merge / assign on shared values                              */
/* ------------------------------------------------------------------ */

static bool empty_src(const json_t *s)
{
    return json_is_null(s) || (json_is_string(s) && !json_string_length(s));
}

static void merge_into(json_t **dst, const json_t *src, bool override_empty);

/* baseMergeDeep for one slot: the value to store, given the current
 * value `cur` (borrowed, may be NULL) and the source value. */
static json_t *merge_value(json_t *cur, const json_t *src, bool override_empty)
{
    if (json_is_array(src) || json_is_object(src)) {
        bool into =
            json_is_array(src) ? json_is_array(cur) : (json_is_object(cur) || json_is_array(cur));
        /* Merging into nothing yields a deep copy of src: share src. */
        if (!into)
            return json_incref((json_t *)src);
        json_t *base = json_incref(cur);
        merge_into(&base, src, override_empty);
        return base;
    }
    if (override_empty && cur && empty_src(src))
        return json_incref(cur);
    return json_incref((json_t *)src);
}

/* lodash merge(dst, src) (mergeWith with n8n's "minimize empty fields"
 * customizer when override_empty); *dst is owned and made exclusive. */
static void merge_into(json_t **dst, const json_t *src, bool override_empty)
{
    *dst = sl_jpath_own(*dst);
    if (json_is_object(*dst) && json_is_object(src)) {
        const char *k;
        json_t *sv;
        json_object_foreach((json_t *)src, k, sv)
        {
            json_object_set_new(*dst, k, merge_value(json_object_get(*dst, k), sv, override_empty));
        }
    } else if (json_is_array(*dst)) {
        for (size_t i = 0; i < json_array_size(src); i++) {
            json_t *nv =
                merge_value(json_array_get(*dst, i), json_array_get(src, i), override_empty);
            if (i < json_array_size(*dst))
                json_array_set_new(*dst, i, nv);
            else
                json_array_append_new(*dst, nv);
        }
        if (json_is_object(src)) {
            /* an object merged into an array: only index keys show */
            const char *k;
            json_t *sv;
            json_object_foreach((json_t *)src, k, sv)
            {
                char *end;
                unsigned long idx = strtoul(k, &end, 10);
                if (*k && !*end && idx < json_array_size(*dst) && (k[0] != '0' || !k[1]))
                    json_array_set_new(*dst, idx,
                                       merge_value(json_array_get(*dst, idx), sv, override_empty));
            }
        }
    }
}

/* Object.assign / assignWith(customizer). */
static void assign_into(json_t **dst, const json_t *src, bool override_empty)
{
    *dst = sl_jpath_own(*dst);
    const char *k;
    json_t *sv;
    json_object_foreach((json_t *)src, k, sv)
    {
        if (override_empty && empty_src(sv) && json_object_get(*dst, k))
            continue;
        json_object_set(*dst, k, sv);
    }
}

struct clash {
    const char *resolve; /* NULL when not set */
    const char *mode;    /* mergeMode, NULL when not set */
    bool override_empty;
};

static void clash_read(const json_t *options, struct clash *c)
{
    json_t *vals = json_object_get(json_object_get(options, "clashHandling"), "values");
    c->resolve = json_string_value(json_object_get(vals, "resolveClash"));
    c->mode = json_string_value(json_object_get(vals, "mergeMode"));
    c->override_empty = sl_jsv_truthy(json_object_get(vals, "overrideEmpty"));
}

/* selectMergeMethod(clash)(target, ...srcs): a new object. */
static json_t *merge_objects(const struct clash *c, const json_t *target, const json_t **srcs,
                             size_t n)
{
    bool deep = true, ov = false;
    if (c->mode && !strcmp(c->mode, "shallowMerge"))
        deep = false;
    if (c->override_empty && c->mode &&
        (!strcmp(c->mode, "deepMerge") || !strcmp(c->mode, "shallowMerge")))
        ov = true;
    if (c->mode && strcmp(c->mode, "deepMerge") && strcmp(c->mode, "shallowMerge"))
        deep = true;
    json_t *out;
    if (!json_is_object(target))
        out = json_object();
    else if (deep && !ov)
        out = merge_value(NULL, target, false); /* merge({}, target) */
    else
        out = json_incref((json_t *)target); /* Object.assign({}, target) */
    for (size_t i = 0; i < n; i++) {
        if (!json_is_object(srcs[i]))
            continue;
        if (deep)
            merge_into(&out, srcs[i], ov);
        else
            assign_into(&out, srcs[i], ov);
    }
    return out;
}

/* ------------------------------------------------------------------ */
/* Items                                                               */
/* ------------------------------------------------------------------ */

static json_t *ijson(const json_t *item)
{
    return json_object_get(item, "json");
}

/* A new item {json (stolen), binary?, pairedItem: paired of items}. */
static json_t *make_item(json_t *json, json_t *binary, const json_t **from, size_t n)
{
    json_t *it = json_object();
    json_object_set_new(it, "json", json);
    if (binary && json_object_size(binary))
        json_object_set(it, "binary", binary);
    json_decref(binary);
    json_t *pl = json_array();
    for (size_t i = 0; i < n; i++)
        if (from[i])
            sl_item_paired_append(pl, from[i]);
    json_object_set_new(it, "pairedItem", pl);
    return it;
}

/* Merges the json and binary of items a then b (b wins) with `c`. */
static json_t *combine_two(const struct clash *c, const json_t *a, const json_t *b)
{
    const json_t *js[1] = {ijson(b)};
    json_t *json = merge_objects(c, ijson(a), js, 1);
    const json_t *bs[1] = {json_object_get(b, "binary")};
    struct clash deep = {0};
    json_t *ab = json_object_get(a, "binary");
    json_t *bin = merge_objects(&deep, json_is_object(ab) ? ab : NULL, bs, 1);
    const json_t *from[2] = {a, b};
    return make_item(json, bin, from, 2);
}

/* addSuffixToEntriesKeys: new items with json keys renamed key_suffix. */
static json_t *add_suffix(const json_t *items, const char *suffix)
{
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_copy(json_array_get(items, i));
        json_t *nj = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(ijson(it), k, v)
        {
            char *nk = sl_asprintf("%s_%s", k, suffix);
            json_object_set(nj, nk, v);
            free(nk);
        }
        json_object_set_new(it, "json", nj);
        json_array_append_new(out, it);
    }
    return out;
}

static json_t *add_source(const json_t *items, const char *source)
{
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_copy(json_array_get(items, i));
        json_t *nj = json_copy(ijson(it));
        json_object_set_new(nj, "_source", json_string(source));
        json_object_set_new(it, "json", nj);
        json_array_append_new(out, it);
    }
    return out;
}

static void emit_all(struct sl_node_ctx *ctx, const json_t *items)
{
    for (size_t i = 0; i < json_array_size(items); i++)
        sl_ctx_out(ctx, 0, json_incref(json_array_get(items, i)));
}

/* ------------------------------------------------------------------ */
/* Parameters and inputs                                               */
/* ------------------------------------------------------------------ */

struct mctx {
    struct sl_node_ctx *ctx;
    const struct sl_node *node;
    int n_inputs;
    json_t *in[MAX_INPUTS]; /* tagged copies of each input's items */
    json_t *options;        /* evaluated `options` (object) */
};

static int str_param(struct mctx *m, const char *path, const char *dflt, char **out)
{
    return sl_ctx_param_str(m->ctx, path, 0, dflt, out);
}

static bool is(const char *a, const char *b)
{
    return a && !strcmp(a, b);
}

static int mctx_init(struct mctx *m, struct sl_node_ctx *ctx, int n_inputs)
{
    m->ctx = ctx;
    m->node = sl_ctx_node(ctx);
    m->n_inputs = n_inputs;
    for (int k = 0; k < n_inputs; k++) {
        json_t *src = sl_ctx_input(ctx, k);
        m->in[k] = json_array();
        for (size_t j = 0; j < json_array_size(src); j++)
            json_array_append_new(m->in[k], sl_item_tagged(json_array_get(src, j), j, k));
    }
    json_t *empty = json_object();
    m->options = sl_ctx_param(ctx, "options", 0, empty);
    json_decref(empty);
    if (!m->options)
        return SL_ERR_NODE;
    if (!json_is_object(m->options))
        return sl_ctx_fail(ctx, "node '%s': parameter 'options' must be an object", m->node->name);
    return 0;
}

static void mctx_release(struct mctx *m)
{
    for (int k = 0; k < m->n_inputs; k++)
        json_decref(m->in[k]);
    json_decref(m->options);
}

static bool opt_bool(const struct mctx *m, const char *key)
{
    return sl_jsv_truthy(json_object_get(m->options, key));
}

static json_t *field_get(const json_t *item, const char *path, bool literal)
{
    return sl_jpath_get_ex(ijson(item), path, literal ? SL_JPATH_LITERAL : 0);
}

/* ------------------------------------------------------------------ */
/* Matching by fields (v2 mergeByFields, v3 combineByFields)           */
/* ------------------------------------------------------------------ */

struct pair {
    char *f1, *f2;
};

struct pairs {
    struct pair *v;
    size_t n;
};

static void pairs_release(struct pairs *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].f1);
        free(p->v[i].f2);
    }
    free(p->v);
}

/* checkMatchFieldsInput */
static int check_pairs(struct mctx *m, const struct pairs *p)
{
    if (p->n == 1 && !strcmp(p->v[0].f1, "") && !strcmp(p->v[0].f2, ""))
        return sl_ctx_fail(m->ctx, "You need to define at least one pair of fields in \"Fields "
                                   "to Match\" to match on");
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].f1, "") || !strcmp(p->v[i].f2, ""))
            return sl_ctx_fail(m->ctx,
                               "You need to define both fields in \"Fields to Match\" for pair "
                               "%zu,\n\t\t\t\t field 1 = '%s'\n\t\t\t\t field 2 = '%s'",
                               i + 1, p->v[i].f1, p->v[i].f2);
    return 0;
}

static int read_pairs_list(struct mctx *m, struct pairs *p)
{
    json_t *dflt = json_pack("[{s:s,s:s}]", "field1", "", "field2", "");
    json_t *list = sl_ctx_param(m->ctx, "mergeByFields.values", 0, dflt);
    json_decref(dflt);
    if (!list)
        return SL_ERR_NODE;
    if (!json_is_array(list)) {
        json_decref(list);
        return sl_ctx_fail(m->ctx, "node '%s': parameter 'mergeByFields.values' must be a list",
                           m->node->name);
    }
    p->v = sl_calloc(json_array_size(list) + 1, sizeof *p->v);
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *e = json_array_get(list, i);
        json_t *f1 = json_object_get(e, "field1"), *f2 = json_object_get(e, "field2");
        p->v[p->n].f1 = f1 ? sl_jsv_to_string(f1) : sl_strdup("");
        p->v[p->n].f2 = f2 ? sl_jsv_to_string(f2) : sl_strdup("");
        p->n++;
    }
    json_decref(list);
    return 0;
}

/* v3 without "advanced": a comma-separated list of names on both sides. */
static int read_pairs_string(struct mctx *m, struct pairs *p)
{
    char *s = NULL;
    if (str_param(m, "fieldsToMatchString", "", &s) < 0)
        return SL_ERR_NODE;
    size_t cap = 1;
    for (const char *c = s; *c; c++)
        cap += *c == ',';
    p->v = sl_calloc(cap, sizeof *p->v);
    const char *c = s;
    for (;;) {
        const char *e = strchr(c, ',');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        while (len && isspace((unsigned char)*c)) {
            c++;
            len--;
        }
        while (len && isspace((unsigned char)c[len - 1]))
            len--;
        p->v[p->n].f1 = sl_strndup(c, len);
        p->v[p->n].f2 = sl_strndup(c, len);
        p->n++;
        if (!e)
            break;
        c = e + 1;
    }
    free(s);
    return 0;
}

struct matched {
    const json_t *entry;
    json_t *matches; /* array of items (borrowed elements) */
};

struct match_result {
    struct matched *v;
    size_t n;
    json_t *matched2, *unmatched1, *unmatched2;
};

struct match_opts {
    bool literal;
    bool fuzzy;
    bool first_only;
    const char *join;
    const char *from;
};

static void match_release(struct match_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        json_decref(r->v[i].matches);
    free(r->v);
    json_decref(r->matched2);
    json_decref(r->unmatched1);
    json_decref(r->unmatched2);
}

/* findMatches */
static void find_matches(const json_t *in1, const json_t *in2, const struct pairs *p,
                         const struct match_opts *o, struct match_result *r)
{
    size_t n1 = json_array_size(in1), n2 = json_array_size(in2);
    memset(r, 0, sizeof *r);
    size_t cap = n1 + 1;
    r->v = sl_calloc(cap, sizeof *r->v);
    r->matched2 = json_array();
    r->unmatched1 = json_array();
    r->unmatched2 = json_array();
    bool *hit2 = sl_calloc(n2 + 1, sizeof *hit2);
    /* lookup: field2 -> value of field1 (a repeated field2 keeps the last). */
    const char **keys = sl_calloc(p->n + 1, sizeof *keys);
    json_t **want = sl_calloc(p->n + 1, sizeof *want);
    bool one_per_match =
        is(o->from, "both") || is(o->join, "enrichInput1") || is(o->join, "enrichInput2");

    for (size_t i = 0; i < n1; i++) {
        const json_t *e1 = json_array_get(in1, i);
        size_t nk = 0;
        bool missing = false;
        for (size_t f = 0; f < p->n; f++) {
            json_t *v = field_get(e1, p->v[f].f1, o->literal);
            size_t k;
            for (k = 0; k < nk; k++)
                if (!strcmp(keys[k], p->v[f].f2))
                    break;
            keys[k] = p->v[f].f2;
            want[k] = v;
            if (k == nk)
                nk++;
        }
        for (size_t k = 0; k < nk; k++)
            if (!want[k])
                missing = true;
        if (missing) {
            json_array_append(r->unmatched1, (json_t *)e1);
            continue;
        }
        json_t *found = json_array();
        for (size_t j = 0; j < n2; j++) {
            const json_t *e2 = json_array_get(in2, j);
            bool ok = true;
            for (size_t k = 0; k < nk && ok; k++)
                ok = sl_jsv_fuzzy_equal(want[k], field_get(e2, keys[k], o->literal), o->fuzzy, 1);
            if (!ok)
                continue;
            json_array_append((json_t *)found, (json_t *)e2);
            hit2[j] = true;
            if (o->first_only)
                break;
        }
        if (!json_array_size(found)) {
            json_decref(found);
            json_array_append(r->unmatched1, (json_t *)e1);
        } else if (one_per_match) {
            if (r->n + json_array_size(found) > cap) {
                cap = (r->n + json_array_size(found)) * 2;
                r->v = sl_realloc(r->v, cap * sizeof *r->v);
            }
            for (size_t j = 0; j < json_array_size(found); j++) {
                json_t *one = json_array();
                json_array_append(one, json_array_get(found, j));
                r->v[r->n].entry = e1;
                r->v[r->n].matches = one;
                r->n++;
            }
            json_decref(found);
        } else {
            r->v[r->n].entry = e1;
            r->v[r->n].matches = found;
            r->n++;
        }
    }
    for (size_t j = 0; j < n2; j++)
        json_array_append(hit2[j] ? r->matched2 : r->unmatched2, json_array_get(in2, j));
    free(hit2);
    free(keys);
    free(want);
}

/* mergeMatched; `last` is the name of "prefer the later input" (v2:
 * preferInput2, v3: preferLast). */
static json_t *merge_matched(const struct match_result *r, const struct clash *c, const char *join,
                             const char *last)
{
    json_t *out = json_array();
    const char *resolve = c->resolve;
    if (!resolve)
        resolve = is(join, "enrichInput2") ? "preferInput1" : last;
    for (size_t i = 0; i < r->n; i++) {
        const json_t *entry = r->v[i].entry;
        json_t *matches = r->v[i].matches;
        size_t nm = json_array_size(matches);
        json_t *json = NULL, *bin = NULL;
        const json_t **from = sl_calloc(nm + 2, sizeof *from);
        const json_t **js = sl_calloc(nm + 2, sizeof *js);
        const json_t **bs = sl_calloc(nm + 2, sizeof *bs);
        json_t *tmp_e = NULL, *tmp_m = NULL;
        if (is(resolve, "addSuffix")) {
            json_t *one = json_array();
            json_array_append(one, (json_t *)entry);
            tmp_e = add_suffix(one, "1");
            json_decref(one);
            tmp_m = add_suffix(matches, "2");
            entry = json_array_get(tmp_e, 0);
            matches = tmp_m;
        }
        if (is(resolve, "preferInput1")) {
            const json_t *first = json_array_get(matches, 0);
            for (size_t k = 1; k < nm; k++) {
                js[k - 1] = ijson(json_array_get(matches, k));
                bs[k - 1] = json_object_get(json_array_get(matches, k), "binary");
            }
            js[nm - 1] = ijson(entry);
            bs[nm - 1] = json_object_get(entry, "binary");
            json = merge_objects(c, ijson(first), js, nm);
            json_t *fb = json_object_get(first, "binary");
            bin = merge_objects(c, json_is_object(fb) ? fb : NULL, bs, nm);
            for (size_t k = 0; k < nm; k++)
                from[k] = json_array_get(matches, k);
            from[nm] = entry;
        } else if (is(resolve, last) || is(resolve, "addSuffix")) {
            for (size_t k = 0; k < nm; k++) {
                js[k] = ijson(json_array_get(matches, k));
                bs[k] = json_object_get(json_array_get(matches, k), "binary");
            }
            json = merge_objects(c, ijson(entry), js, nm);
            json_t *eb = json_object_get(entry, "binary");
            bin = merge_objects(c, json_is_object(eb) ? eb : NULL, bs, nm);
            from[0] = entry;
            for (size_t k = 0; k < nm; k++)
                from[k + 1] = json_array_get(matches, k);
        } else {
            json = json_object();
            bin = json_object();
            from[0] = entry;
            for (size_t k = 0; k < nm; k++)
                from[k + 1] = json_array_get(matches, k);
        }
        json_array_append_new(out, make_item(json, bin, from, nm + 1));
        free(from);
        free(js);
        free(bs);
        json_decref(tmp_e);
        json_decref(tmp_m);
    }
    return out;
}

/* The body of v2 mergeByFields and v3 combineByFields after the field
 * pairs are known. */
static int by_fields(struct mctx *m, struct pairs *p, double version, const char *last)
{
    struct sl_node_ctx *ctx = m->ctx;
    char *join = NULL, *from = NULL;
    int rc = 0;
    if (check_pairs(m, p) < 0)
        return SL_ERR_NODE;
    if (str_param(m, "joinMode", "keepMatches", &join) < 0 ||
        str_param(m, "outputDataFrom", "both", &from) < 0) {
        free(join);
        return SL_ERR_NODE;
    }
    struct match_opts o = {
        .literal = opt_bool(m, "disableDotNotation"),
        .fuzzy = opt_bool(m, "fuzzyCompare"),
        .first_only =
            is(json_string_value(json_object_get(m->options, "multipleMatches")), "first"),
        .join = join,
        .from = from,
    };
    struct clash c;
    clash_read(m->options, &c);
    json_t *in1 = m->in[0], *in2 = m->in[1];

    if (version < 2.1) {
        /* checkInput */
        for (int side = 0; side < 2 && !rc; side++) {
            json_t *items = side ? in2 : in1;
            for (size_t f = 0; f < p->n && !rc; f++) {
                const char *field = side ? p->v[f].f2 : p->v[f].f1;
                bool present = false;
                for (size_t j = 0; j < json_array_size(items) && !present; j++)
                    present = field_get(json_array_get(items, j), field, o.literal) != NULL;
                if (!present)
                    rc = sl_ctx_fail(ctx, "Field '%s' is not present in any of items in '%s'",
                                     field, side ? "Input 2" : "Input 1");
            }
        }
        if (rc)
            goto out;
    }
    size_t n1 = json_array_size(in1), n2 = json_array_size(in2);
    if (n1 == 0 || n2 == 0) {
        if ((!n1 && is(join, "keepNonMatches") && is(from, "input1")) ||
            (!n2 && is(join, "keepNonMatches") && is(from, "input2")) || is(join, "keepMatches") ||
            (is(join, "enrichInput1") && !n1) || (is(join, "enrichInput2") && !n2))
            goto out;
        emit_all(ctx, in1);
        emit_all(ctx, in2);
        goto out;
    }
    if (!p->n) {
        if (!is(join, "keepMatches") && !is(join, "keepEverything") && !is(join, "enrichInput2"))
            emit_all(ctx, in1);
        goto out;
    }

    struct match_result r;
    find_matches(in1, in2, p, &o, &r);
    if (is(join, "keepMatches") || is(join, "keepEverything")) {
        json_t *outl = NULL;
        if (is(from, "input1")) {
            outl = json_array();
            for (size_t i = 0; i < r.n; i++)
                json_array_append(outl, (json_t *)r.v[i].entry);
        } else if (is(from, "input2")) {
            outl = json_incref(r.matched2);
        } else if (is(from, "both")) {
            outl = merge_matched(&r, &c, join, last);
        }
        if (outl)
            emit_all(ctx, outl);
        json_decref(outl);
        if (is(join, "keepEverything")) {
            if (is(c.resolve, "addSuffix")) {
                json_t *u1 = add_suffix(r.unmatched1, "1"), *u2 = add_suffix(r.unmatched2, "2");
                emit_all(ctx, u1);
                emit_all(ctx, u2);
                json_decref(u1);
                json_decref(u2);
            } else {
                emit_all(ctx, r.unmatched1);
                emit_all(ctx, r.unmatched2);
            }
        }
    } else if (is(join, "keepNonMatches")) {
        if (is(from, "input1")) {
            emit_all(ctx, r.unmatched1);
        } else if (is(from, "input2")) {
            emit_all(ctx, r.unmatched2);
        } else if (is(from, "both")) {
            json_t *a = add_source(r.unmatched1, "input1"), *b = add_source(r.unmatched2, "input2");
            emit_all(ctx, a);
            emit_all(ctx, b);
            json_decref(a);
            json_decref(b);
        }
    } else if (is(join, "enrichInput1") || is(join, "enrichInput2")) {
        bool e1 = is(join, "enrichInput1");
        json_t *merged = merge_matched(&r, &c, join, last);
        emit_all(ctx, merged);
        json_decref(merged);
        json_t *rest = e1 ? r.unmatched1 : r.unmatched2;
        if (is(c.resolve, "addSuffix")) {
            json_t *s = add_suffix(rest, e1 ? "1" : "2");
            emit_all(ctx, s);
            json_decref(s);
        } else {
            emit_all(ctx, rest);
        }
    }
    match_release(&r);
out:
    free(join);
    free(from);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Cross product and by position                                       */
/* ------------------------------------------------------------------ */

/* Readies inputs 0 and 1 (*a, *b: owned references, replaced) for
 * combine_two() over pairs of their items: preferInput1 swaps them so
 * that the first input's values win, addSuffix renames every key to
 * key_1 / key_2. */
static void clash_inputs(const struct clash *c, json_t **a, json_t **b)
{
    if (is(c->resolve, "preferInput1")) {
        json_t *t = *a;
        *a = *b;
        *b = t;
    }
    if (is(c->resolve, "addSuffix")) {
        json_t *sa = add_suffix(*a, "1"), *sb = add_suffix(*b, "2");
        json_decref(*a);
        json_decref(*b);
        *a = sa;
        *b = sb;
    }
}

/* v2 multiplex / v3 combineAll over inputs 0 and 1. */
static void cross(struct mctx *m)
{
    struct clash c;
    clash_read(m->options, &c);
    json_t *a = json_incref(m->in[0]), *b = json_incref(m->in[1]);
    clash_inputs(&c, &a, &b);
    for (size_t i = 0; i < json_array_size(a); i++)
        for (size_t j = 0; j < json_array_size(b); j++)
            sl_ctx_out(m->ctx, 0, combine_two(&c, json_array_get(a, i), json_array_get(b, j)));
    json_decref(a);
    json_decref(b);
}

/* v2 mergeByPosition */
static void by_position_v2(struct mctx *m)
{
    struct clash c;
    clash_read(m->options, &c);
    bool unpaired = opt_bool(m, "includeUnpaired");
    json_t *a = m->in[0], *b = m->in[1];
    if (!json_array_size(a) || !json_array_size(b)) {
        emit_all(m->ctx, a);
        emit_all(m->ctx, b);
        return;
    }
    a = json_incref(a);
    b = json_incref(b);
    clash_inputs(&c, &a, &b);
    size_t na = json_array_size(a), nb = json_array_size(b);
    size_t n = unpaired ? (na > nb ? na : nb) : (na < nb ? na : nb);
    for (size_t i = 0; i < n; i++) {
        if (i >= na)
            sl_ctx_out(m->ctx, 0, json_incref(json_array_get(b, i)));
        else if (i >= nb)
            sl_ctx_out(m->ctx, 0, json_incref(json_array_get(a, i)));
        else
            sl_ctx_out(m->ctx, 0, combine_two(&c, json_array_get(a, i), json_array_get(b, i)));
    }
    json_decref(a);
    json_decref(b);
}

/* v3 combineByPosition over all inputs. */
static int by_position_v3(struct mctx *m)
{
    struct clash c;
    clash_read(m->options, &c);
    bool unpaired = opt_bool(m, "includeUnpaired");
    int ni = m->n_inputs, pref = ni - 1;
    if (c.resolve && strstr(c.resolve, "preferInput")) {
        long k = strtol(strstr(c.resolve, "preferInput") + 11, NULL, 10);
        pref = k > 0 && k <= ni ? (int)k - 1 : -1;
        if (pref < 0 || pref >= ni)
            return sl_ctx_fail(m->ctx, "node '%s': clash handling '%s' names a missing input",
                               m->node->name, c.resolve);
    }
    /* n8n keeps the preferred input unsuffixed (it is taken before the
     * suffixes are added). */
    json_t *preferred = json_incref(m->in[pref]);
    json_t *ins[MAX_INPUTS];
    for (int k = 0; k < ni; k++) {
        if (is(c.resolve, "addSuffix")) {
            char sfx[16];
            snprintf(sfx, sizeof sfx, "%d", k + 1);
            ins[k] = add_suffix(m->in[k], sfx);
        } else {
            ins[k] = json_incref(m->in[k]);
        }
    }
    size_t n = json_array_size(preferred);
    for (int k = 0; k < ni; k++) {
        size_t len = json_array_size(ins[k]);
        if (unpaired ? len > n : len < n)
            n = len;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *js[MAX_INPUTS + 1], *bs[MAX_INPUTS + 1], *from[MAX_INPUTS];
        int nf = 0;
        for (int k = 0; k < ni; k++) {
            const json_t *e = json_array_get(ins[k], i);
            js[k] = e ? ijson(e) : NULL;
            bs[k] = e ? json_object_get(e, "binary") : NULL;
            if (e)
                from[nf++] = e;
        }
        const json_t *pe = json_array_get(preferred, i);
        js[ni] = pe ? ijson(pe) : NULL;
        bs[ni] = pe ? json_object_get(pe, "binary") : NULL;
        json_t *empty = json_object();
        json_t *json = merge_objects(&c, empty, js, (size_t)ni + 1);
        struct clash deep = {0};
        json_t *bin = merge_objects(&deep, empty, bs, (size_t)ni + 1);
        json_decref(empty);
        sl_ctx_out(m->ctx, 0, make_item(json, bin, from, (size_t)nf));
    }
    json_decref(preferred);
    for (int k = 0; k < ni; k++)
        json_decref(ins[k]);
    return 0;
}

/* chooseBranch "empty": one empty item paired with inputs 0 and 1. */
/* append: every input's items, input by input. */
static void append(struct mctx *m)
{
    for (int k = 0; k < m->n_inputs; k++)
        emit_all(m->ctx, m->in[k]);
}

static void empty_item(struct mctx *m)
{
    json_t *pl = json_array();
    for (int k = 0; k < 2 && k < m->n_inputs; k++)
        for (size_t j = 0; j < json_array_size(m->in[k]); j++)
            sl_item_paired_append(pl, json_array_get(m->in[k], j));
    json_t *it = json_object();
    json_object_set_new(it, "json", json_object());
    json_object_set_new(it, "pairedItem", pl);
    sl_ctx_out(m->ctx, 0, it);
}

/* ------------------------------------------------------------------ */
/* Version 1                                                           */
/* ------------------------------------------------------------------ */

/* v1 mergeByIndex */
static int v1_by_index(struct mctx *m)
{
    char *join = NULL;
    if (str_param(m, "join", "left", &join) < 0)
        return SL_ERR_NODE;
    json_t *a = m->in[0], *b = m->in[1];
    size_t na = json_array_size(a), nb = json_array_size(b);
    if (!na) {
        if (is(join, "outer"))
            emit_all(m->ctx, b);
    } else if (!nb) {
        if (is(join, "left") || is(join, "outer"))
            emit_all(m->ctx, a);
    } else {
        size_t n = na;
        if (is(join, "inner"))
            n = na < nb ? na : nb;
        else if (is(join, "outer"))
            n = na > nb ? na : nb;
        for (size_t i = 0; i < n; i++) {
            const json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
            if (i >= na) {
                sl_ctx_out(m->ctx, 0, json_incref((json_t *)y));
                continue;
            }
            if (i >= nb) {
                sl_ctx_out(m->ctx, 0, json_incref((json_t *)x));
                continue;
            }
            struct clash shallow = {.mode = "shallowMerge"};
            const json_t *js[1] = {ijson(y)};
            json_t *json = merge_objects(&shallow, ijson(x), js, 1);
            json_t *xb = json_object_get(x, "binary"), *yb = json_object_get(y, "binary");
            json_t *bin = NULL;
            if (json_is_object(xb) || json_is_object(yb)) {
                bin = json_is_object(xb) ? json_copy(xb) : json_object();
                const char *k;
                json_t *v;
                json_object_foreach(yb, k, v)
                {
                    if (!json_is_null(v))
                        json_object_set(bin, k, v);
                }
            }
            const json_t *from[2] = {x, y};
            sl_ctx_out(m->ctx, 0, make_item(json, bin, from, 2));
        }
    }
    free(join);
    return 0;
}

/* v1 keepKeyMatches / mergeByKey / removeKeyMatches */
static int v1_by_key(struct mctx *m, const char *mode)
{
    char *p1 = NULL, *p2 = NULL, *overwrite = NULL;
    int rc = 0;
    if (str_param(m, "propertyName1", "", &p1) < 0 || str_param(m, "propertyName2", "", &p2) < 0 ||
        str_param(m, "overwrite", "always", &overwrite) < 0) {
        rc = SL_ERR_NODE;
        goto out;
    }
    bool keep = is(mode, "keepKeyMatches"), by_key = is(mode, "mergeByKey"),
         remove = is(mode, "removeKeyMatches");
    json_t *a = m->in[0], *b = m->in[1];
    if (!*p1 || !*p2) {
        if (!keep)
            emit_all(m->ctx, a);
        goto out;
    }
    /* copyData: String(key) -> last input-2 item with that key */
    json_t *copy = json_object();
    for (size_t j = 0; j < json_array_size(b); j++) {
        const json_t *e = json_array_get(b, j);
        json_t *key = sl_jpath_get(ijson(e), p2);
        if (!sl_jsv_truthy(key))
            continue;
        char *ks = sl_jsv_to_string(key);
        json_object_set(copy, ks, (json_t *)e);
        free(ks);
    }
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *e = json_array_get(a, i);
        json_t *ref = sl_jpath_get(ijson(e), p1);
        bool comparable = ref && (json_is_string(ref) || json_is_number(ref) || json_is_null(ref));
        json_t *match = NULL;
        if (comparable) {
            char *ks = sl_jsv_to_string(ref);
            match = json_object_get(copy, ks);
            free(ks);
        }
        /* No usable key: only removeKeyMatches keeps the item. A key with
         * no partner: removeKeyMatches and mergeByKey keep it unchanged. */
        if (!match) {
            if (remove || (by_key && comparable))
                sl_ctx_out(m->ctx, 0, json_incref((json_t *)e));
            continue;
        }
        if (remove)
            continue;
        if (keep) {
            sl_ctx_out(m->ctx, 0, json_incref((json_t *)e));
            continue;
        }
        if (by_key) {
            json_t *it = json_copy((json_t *)e);
            json_t *nj = json_copy(ijson(e));
            const char *k;
            json_t *v;
            json_object_foreach(ijson(match), k, v)
            {
                if (!strcmp(k, p2))
                    continue;
                json_t *cur = json_object_get(nj, k);
                if (is(overwrite, "always") || (is(overwrite, "undefined") && !cur) ||
                    (is(overwrite, "blank") && (!cur || json_is_null(cur) ||
                                                (json_is_string(cur) && !json_string_length(cur)))))
                    json_object_set(nj, k, v);
            }
            json_object_set_new(it, "json", nj);
            sl_ctx_out(m->ctx, 0, it);
        }
    }
    json_decref(copy);
out:
    free(p1);
    free(p2);
    free(overwrite);
    return rc;
}

static int merge_v1(struct mctx *m, const char *mode)
{
    int rc = 0;
    if (is(mode, "append")) {
        append(m);
    } else if (is(mode, "mergeByIndex")) {
        rc = v1_by_index(m);
    } else if (is(mode, "multiplex")) {
        struct clash shallow = {.mode = "shallowMerge"};
        for (size_t i = 0; i < json_array_size(m->in[0]); i++)
            for (size_t j = 0; j < json_array_size(m->in[1]); j++) {
                const json_t *x = json_array_get(m->in[0], i), *y = json_array_get(m->in[1], j);
                const json_t *js[1] = {ijson(y)};
                const json_t *from[2] = {x, y};
                sl_ctx_out(m->ctx, 0,
                           make_item(merge_objects(&shallow, ijson(x), js, 1), NULL, from, 2));
            }
    } else if (is(mode, "keepKeyMatches") || is(mode, "mergeByKey") ||
               is(mode, "removeKeyMatches")) {
        rc = v1_by_key(m, mode);
    } else if (is(mode, "passThrough")) {
        char *output = NULL;
        if (str_param(m, "output", "input1", &output) < 0) {
            rc = SL_ERR_NODE;
        } else {
            emit_all(m->ctx, m->in[is(output, "input1") ? 0 : 1]);
            free(output);
        }
    } else if (is(mode, "wait")) {
        empty_item(m);
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Versions 2 and 3                                                    */
/* ------------------------------------------------------------------ */

static int merge_v2(struct mctx *m, const char *mode)
{
    char *sub = NULL;
    int rc = 0;
    if (is(mode, "append")) {
        append(m);
    } else if (is(mode, "combine")) {
        if (str_param(m, "combinationMode", "mergeByFields", &sub) < 0) {
            rc = SL_ERR_NODE;
        } else if (is(sub, "multiplex")) {
            cross(m);
        } else if (is(sub, "mergeByPosition")) {
            by_position_v2(m);
        } else if (is(sub, "mergeByFields")) {
            struct pairs p = {0};
            rc = read_pairs_list(m, &p);
            if (!rc)
                rc = by_fields(m, &p, sl_ctx_node(m->ctx)->version, "preferInput2");
            pairs_release(&p);
        }
    } else if (is(mode, "chooseBranch")) {
        char *cbm = NULL, *output = NULL;
        if (str_param(m, "chooseBranchMode", "waitForBoth", &cbm) < 0 ||
            str_param(m, "output", "input1", &output) < 0) {
            rc = SL_ERR_NODE;
        } else if (is(cbm, "waitForBoth")) {
            if (is(output, "input1"))
                emit_all(m->ctx, m->in[0]);
            else if (is(output, "input2"))
                emit_all(m->ctx, m->in[1]);
            else if (is(output, "empty"))
                empty_item(m);
        }
        free(cbm);
        free(output);
    }
    free(sub);
    return rc;
}

static int merge_v3(struct mctx *m, const char *mode)
{
    char *by = NULL;
    const char *op = mode;
    int rc = 0;
    if (is(mode, "combine")) {
        if (str_param(m, "combineBy", "combineByFields", &by) < 0)
            return SL_ERR_NODE;
        op = by;
    }
    if (is(op, "append")) {
        append(m);
    } else if (is(op, "combineAll")) {
        cross(m);
    } else if (is(op, "combineByPosition")) {
        rc = by_position_v3(m);
    } else if (is(op, "combineByFields")) {
        struct pairs p = {0};
        bool advanced = false;
        if (sl_ctx_param_bool(m->ctx, "advanced", 0, false, &advanced) < 0)
            rc = SL_ERR_NODE;
        else
            rc = advanced ? read_pairs_list(m, &p) : read_pairs_string(m, &p);
        if (!rc)
            rc = by_fields(m, &p, sl_ctx_node(m->ctx)->version, "preferLast");
        pairs_release(&p);
    } else if (is(op, "chooseBranch")) {
        char *cbm = NULL, *output = NULL;
        if (str_param(m, "chooseBranchMode", "waitForAll", &cbm) < 0 ||
            str_param(m, "output", "specifiedInput", &output) < 0) {
            rc = SL_ERR_NODE;
        } else if (is(cbm, "waitForAll")) {
            if (is(output, "specifiedInput")) {
                long long use = 1;
                if (sl_ctx_param_int(m->ctx, "useDataOfInput", 0, 1, &use) < 0) {
                    rc = SL_ERR_NODE;
                } else if (use > m->n_inputs) {
                    rc = sl_ctx_fail(m->ctx, "Input %lld doesn't exist", use);
                    sl_ctx_fail_description(
                        m->ctx,
                        "The node has only %d inputs, so selecting input %lld is not possible.",
                        m->n_inputs, use);
                } else if (use >= 1) {
                    emit_all(m->ctx, m->in[use - 1]);
                }
            } else if (is(output, "empty")) {
                empty_item(m);
            }
        }
        free(cbm);
        free(output);
    } else if (is(op, "combineBySql")) {
        rc = sl_ctx_fail(m->ctx, "node '%s': mode 'combineBySql' is not supported yet",
                         m->node->name);
    } else {
        rc = sl_ctx_fail(m->ctx, "node '%s': mode '%s' is not supported", m->node->name, op);
    }
    free(by);
    return rc;
}

/* numberInputs as stored (an options parameter; expressions are not
 * allowed for it), 2 when absent or unusable. */
static int v3_inputs(const struct sl_node *node)
{
    json_t *v = json_object_get(node->params, "numberInputs");
    long long n = 2;
    if (json_is_integer(v))
        n = json_integer_value(v);
    else if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)))
        n = (long long)json_real_value(v);
    else if (json_is_string(v) && isdigit((unsigned char)json_string_value(v)[0]))
        n = strtoll(json_string_value(v), NULL, 10);
    return n >= 1 && n <= MAX_INPUTS ? (int)n : 2;
}

static int merge_inputs(const struct sl_node *node)
{
    return node->version >= 3 ? v3_inputs(node) : 2;
}

/* n8n's requiredInputs: chooseBranch needs data on inputs 0 and 1 (v2,
 * v3); any other mode runs with any one input. v1 declares none. */
static unsigned merge_required_inputs(const struct sl_node *node)
{
    if (node->version < 2)
        return 0;
    const char *mode = json_string_value(json_object_get(node->params, "mode"));
    return mode && !strcmp(mode, "chooseBranch") ? 0x3u : 0;
}

static int merge_execute(struct sl_node_ctx *ctx)
{
    const struct sl_node *node = sl_ctx_node(ctx);
    struct mctx m = {0};
    char *mode = NULL;
    int rc = mctx_init(&m, ctx, merge_inputs(node));
    if (!rc && str_param(&m, "mode", "append", &mode) < 0)
        rc = SL_ERR_NODE;
    if (!rc) {
        if (node->version < 2)
            rc = merge_v1(&m, mode);
        else if (node->version < 3)
            rc = merge_v2(&m, mode);
        else
            rc = merge_v3(&m, mode);
    }
    free(mode);
    mctx_release(&m);
    return rc;
}

static const double merge_versions[] = {1, 2, 2.1, 3, 3.1, 3.2, 0};

const struct sl_node_type sl_node_merge = {
    .name = "n8n-nodes-base.merge",
    .versions = merge_versions,
    .inputs = merge_inputs,
    .required_inputs = merge_required_inputs,
    .execute = merge_execute,
};
