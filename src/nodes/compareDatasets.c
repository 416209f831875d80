/*
 * Compare Datasets (v1, 2, 2.1, 2.2, 2.3): pairs the items of input A with
 * those of input B whose "Fields to Match" are equal, and sorts them onto
 * four outputs: In A only, Same, Different, In B only.
 *
 * A pair whose other fields differ goes to Different as A's item, B's item,
 * a mix of both (A's fields except some taken from B, or the reverse) or,
 * with "includeBoth", one item {keys, same, different: {field: {inputA,
 * inputB}}, skipped?}. The versions differ in details n8n kept for old
 * workflows: v1 reads fuzzyCompare from the options, names the sides
 * input1/input2 and writes falsy differing values as null; v2.1 handles
 * nested "Fields to Skip Comparing" and compares every key under fuzzy
 * compare; before v2.2 a match field missing from every item of an input is
 * an error. The default of "When There Are Differences" is preferInput2 up
 * to v2 and includeBoth from v2.1.
 *
 * n8n's "mix" resolution assigns the borrowed fields onto the preferred
 * input item itself, so an item paired more than once, or listed under Same
 * too, shows the last assignment everywhere and later comparisons see it.
 * To keep that, the node works on its own copies of the input items (whose
 * json is copied on the first such assignment), lists references to them
 * on the outputs and emits everything at the end.
 *
 * Every emitted item points its pairedItem at this node's inputs
 * ({item, input}); an includeBoth item lists both sides.
 */
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/jpath.h"
#include "core/jsvalue.h"
#include "nodes/node.h"
#include "util/alloc.h"

enum { OUT_A_ONLY, OUT_SAME, OUT_DIFFERENT, OUT_B_ONLY, N_OUT };

enum resolve { PREFER_1, PREFER_2, MIX, INCLUDE_BOTH };

struct cd {
    struct sl_node_ctx *ctx;
    double version;
    bool fuzzy;
    bool literal; /* disableDotNotation */
    bool all;     /* multipleMatches "all" */
    enum resolve resolve;
    bool prefer1;    /* preferWhenMix is "input1" */
    json_t *f1, *f2; /* match field names of A and B (strings) */
    json_t *skip;    /* skipFields, split as n8n splits them */
    json_t *except;  /* exceptWhenMix field names */
    json_t *in[2];   /* the node's copies of the input items */
    json_t *out[N_OUT];
};

static json_t *ijson(const json_t *item)
{
    return json_object_get(item, "json");
}

static json_t *get(const struct cd *c, const json_t *json, const char *path)
{
    return sl_jpath_get_ex(json, path, c->literal ? SL_JPATH_LITERAL : 0);
}

static bool equal(const struct cd *c, const json_t *a, const json_t *b)
{
    return sl_jsv_fuzzy_equal(a, b, c->fuzzy, c->version >= 2 ? 2 : 1);
}

static const char *str_at(const json_t *list, size_t i)
{
    return json_string_value(json_array_get(list, i));
}

static bool list_has(const json_t *list, const char *s)
{
    for (size_t i = 0; i < json_array_size(list); i++)
        if (!strcmp(str_at(list, i), s))
            return true;
    return false;
}

/* A parameter value as text: strings as they are, other values through
 * String(), absent ones as "". New heap string. */
static char *text_of(const json_t *v)
{
    return v ? sl_jsv_to_string(v) : sl_strdup("");
}

/* ------------------------------------------------------------------ */
/* Parameters                                                          */
/* ------------------------------------------------------------------ */

/* mergeByFields.values, checked as n8n's checkMatchFieldsInput does. */
static int read_pairs(struct cd *c)
{
    json_t *v;
    if (!sl_ctx_param_raw(c->ctx, "mergeByFields")) {
        v = json_pack("[{s:s,s:s}]", "field1", "", "field2", "");
    } else {
        json_t *none = json_array();
        v = sl_ctx_param(c->ctx, "mergeByFields.values", 0, none);
        json_decref(none);
        if (!v)
            return SL_ERR_NODE;
    }
    int rc = 0;
    if (!json_is_array(v)) {
        rc = sl_ctx_fail(c->ctx, "'Fields to Match' must be a list of pairs of field names");
        goto out;
    }
    c->f1 = json_array();
    c->f2 = json_array();
    size_t n = json_array_size(v);
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(v, i);
        json_t *a = json_object_get(p, "field1"), *b = json_object_get(p, "field2");
        char *s1 = text_of(a), *s2 = text_of(b);
        json_array_append_new(c->f1, json_string(s1));
        json_array_append_new(c->f2, json_string(s2));
        bool e1 = !a || (json_is_string(a) && !*s1), e2 = !b || (json_is_string(b) && !*s2);
        if (n == 1 && e1 && e2)
            rc = sl_ctx_fail(c->ctx, "You need to define at least one pair of fields in \"Fields "
                                     "to Match\" to match on");
        else if (e1 || e2)
            rc = sl_ctx_fail(c->ctx,
                             "You need to define both fields in \"Fields to Match\" for pair %zu,\n"
                             "\t\t\t\t field 1 = '%s'\n\t\t\t\t field 2 = '%s'",
                             i + 1, s1, s2);
        free(s1);
        free(s2);
        if (rc)
            goto out;
    }
out:
    json_decref(v);
    return rc;
}

static int read_options(struct cd *c)
{
    json_t *empty = json_object();
    json_t *o = sl_ctx_param(c->ctx, "options", 0, empty);
    json_decref(empty);
    if (!o)
        return SL_ERR_NODE;
    int rc = 0;
    c->literal = sl_jsv_truthy(json_object_get(o, "disableDotNotation"));
    json_t *mm = json_object_get(o, "multipleMatches");
    c->all = json_is_string(mm) && !strcmp(json_string_value(mm), "all");
    if (c->version < 2) {
        c->fuzzy = sl_jsv_truthy(json_object_get(o, "fuzzyCompare"));
    } else {
        rc = sl_ctx_param_bool(c->ctx, "fuzzyCompare", 0, false, &c->fuzzy);
        if (rc)
            goto out;
    }
    json_t *sf = json_object_get(o, "skipFields");
    char *s = sf && sl_jsv_truthy(sf) ? sl_jsv_to_string(sf) : sl_strdup("");
    c->skip = sl_jsv_split_trim(s, true);
    free(s);
out:
    json_decref(o);
    return rc;
}

static int read_resolve(struct cd *c)
{
    char *r = NULL, *prefer = NULL;
    const char *dflt = c->version >= 2.1 ? "includeBoth" : "preferInput2";
    int rc = sl_ctx_param_str(c->ctx, "resolve", 0, dflt, &r);
    if (rc)
        return rc;
    if (!strcmp(r, "preferInput1"))
        c->resolve = PREFER_1;
    else if (!strcmp(r, "preferInput2"))
        c->resolve = PREFER_2;
    else if (!strcmp(r, "mix"))
        c->resolve = MIX;
    else
        c->resolve = INCLUDE_BOTH; /* n8n's default branch */
    free(r);
    if (c->resolve != MIX)
        return 0;
    rc = sl_ctx_param_str(c->ctx, "preferWhenMix", 0, "input1", &prefer);
    if (rc)
        return rc;
    c->prefer1 = !strcmp(prefer, "input1");
    free(prefer);
    json_t *none = json_string("");
    json_t *ex = sl_ctx_param(c->ctx, "exceptWhenMix", 0, none);
    json_decref(none);
    if (!ex)
        return SL_ERR_NODE;
    if (json_is_array(ex)) {
        c->except = json_array();
        for (size_t i = 0; i < json_array_size(ex); i++) {
            char *s = sl_jsv_to_string(json_array_get(ex, i));
            json_array_append_new(c->except, json_string(s));
            free(s);
        }
    } else if (sl_jsv_truthy(ex)) {
        char *s = sl_jsv_to_string(ex);
        c->except = sl_jsv_split_trim(s, true);
        free(s);
    } else {
        c->except = json_array();
    }
    json_decref(ex);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Inputs                                                              */
/* ------------------------------------------------------------------ */

/* The node's copies of input k's items, without those whose json is
 * empty (n8n drops them before comparing). */
static json_t *read_input(struct cd *c, int k)
{
    json_t *src = sl_ctx_input(c->ctx, k);
    json_t *list = json_array();
    for (size_t i = 0; i < json_array_size(src); i++) {
        json_t *j = ijson(json_array_get(src, i));
        if (json_is_object(j) && json_object_size(j))
            json_array_append_new(list, sl_item_tagged(json_array_get(src, i), i, k));
    }
    return list;
}

/* Before v2.2: a match field that no item of an input has is an error. */
static int check_fields(struct cd *c, int k)
{
    const json_t *fields = k ? c->f2 : c->f1;
    if (!json_array_size(c->in[k]))
        return 0;
    for (size_t f = 0; f < json_array_size(fields); f++) {
        bool present = false;
        for (size_t i = 0; i < json_array_size(c->in[k]) && !present; i++)
            present = get(c, ijson(json_array_get(c->in[k], i)), str_at(fields, f)) != NULL;
        if (!present)
            return sl_ctx_fail(c->ctx, "Field '%s' is not present in any of items in '%s'",
                               str_at(fields, f), k ? "Input B" : "Input A");
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Matching                                                            */
/* ------------------------------------------------------------------ */

/* Whether B's item `e2` has the values `want` (by field of B). */
static bool matches(const struct cd *c, const json_t *want, const json_t *e2)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)want, k, v)
    {
        if (!equal(c, v, get(c, ijson(e2), k)))
            return false;
    }
    return true;
}

/* The indexes of B's items that match A's item `e1` (the first only,
 * unless multipleMatches is "all"); NULL when its lookup has an undefined
 * value, which sends it to In A only. */
static json_t *find_matches(const struct cd *c, const json_t *e1)
{
    json_t *want = json_object();
    size_t n = json_array_size(c->f1);
    for (size_t f = 0; f < n; f++) {
        const char *key = str_at(c->f2, f);
        bool later = false; /* a later pair sets the same key of B */
        for (size_t g = f + 1; g < n && !later; g++)
            later = !strcmp(str_at(c->f2, g), key);
        if (later)
            continue;
        json_t *v = get(c, ijson(e1), str_at(c->f1, f));
        if (!v) {
            json_decref(want);
            return NULL;
        }
        json_object_set(want, key, v);
    }
    json_t *found = json_array();
    for (size_t i = 0; i < json_array_size(c->in[1]); i++) {
        if (!matches(c, want, json_array_get(c->in[1], i)))
            continue;
        json_array_append_new(found, json_integer((json_int_t)i));
        if (!c->all)
            break;
    }
    json_decref(want);
    return found;
}

/* The json of an item without the skipped fields (lodash omit/unset). New
 * reference. */
static json_t *without_skipped(const struct cd *c, const json_t *item)
{
    json_t *j = json_incref(ijson(item));
    for (size_t i = 0; i < json_array_size(c->skip); i++)
        (void)sl_jpath_unset(&j, str_at(c->skip, i));
    return j;
}

static bool items_equal(const struct cd *c, const json_t *a, const json_t *b)
{
    json_t *x = without_skipped(c, a), *y = without_skipped(c, b);
    bool eq = true;
    if (c->fuzzy) {
        const char *k;
        json_t *v;
        json_object_foreach(x, k, v)
        {
            if (!equal(c, v, json_object_get(y, k))) {
                eq = false;
                break;
            }
        }
    } else {
        eq = sl_jsv_deep_equal(x, y);
    }
    json_decref(x);
    json_decref(y);
    return eq;
}

/* ------------------------------------------------------------------ */
/* Resolving differences                                               */
/* ------------------------------------------------------------------ */

/* "mix": assigns the except fields of the other item onto the preferred
 * one, in place (see the file comment), and returns the preferred item. */
static json_t *combine(const struct cd *c, json_t *e1, json_t *e2)
{
    json_t *entry = c->prefer1 ? e1 : e2, *match = c->prefer1 ? e2 : e1;
    json_t *j = ijson(entry);
    if (json_array_size(c->except) && j->refcount > 1) {
        j = json_copy(j);
        json_object_set_new(entry, "json", j);
    }
    for (size_t i = 0; i < json_array_size(c->except); i++) {
        const char *f = str_at(c->except, i);
        json_t *v = c->literal ? json_object_get(ijson(match), f) : sl_jpath_get(ijson(match), f);
        if (c->literal && !v)
            json_object_del(j, f);
        else if (!c->literal && !sl_jsv_truthy(v))
            json_object_set_new(j, f, json_null());
        else
            json_object_set(j, f, v);
    }
    return json_incref(entry);
}

/* processNullishValue: v1 writes every falsy value as null, later
 * versions only undefined. New reference. */
static json_t *nullish(const struct cd *c, const json_t *v)
{
    if (!v || (c->version < 2 && !sl_jsv_truthy(v)))
        return json_null();
    return json_incref((json_t *)v);
}

/* lodash set(obj, path, value) where value may be undefined: the path is
 * created and an undefined leaf leaves no key (a null array slot). */
static void set_maybe_undefined(json_t **obj, const char *path, json_t *v)
{
    if (v) {
        (void)sl_jpath_set(obj, path, json_incref(v));
    } else if (!sl_jpath_set(obj, path, json_null())) {
        (void)sl_jpath_unset(obj, path);
    }
}

/* s with the first occurrence of `key` + "." removed (String.replace). */
static char *strip_first(const char *s, const char *key)
{
    char *pat = sl_asprintf("%s.", key);
    const char *at = strstr(s, pat);
    char *r;
    if (!at)
        r = sl_strdup(s);
    else
        r = sl_asprintf("%.*s%s", (int)(at - s), s, at + strlen(pat));
    free(pat);
    return r;
}

/* One differing field of an includeBoth item: the two values, with any
 * nested skipped fields moved out into `skipped`. Returns 0 or the node
 * error. */
static int diff_field(const struct cd *c, const char *key, size_t index, const json_t *a,
                      const json_t *b, json_t *different, json_t *skipped)
{
    const char *na = c->version >= 2 ? "inputA" : "input1";
    const char *nb = c->version >= 2 ? "inputB" : "input2";
    json_t *v1 = nullish(c, a), *v2 = nullish(c, b);
    if (c->version >= 2.1 && !c->literal && !list_has(c->skip, key)) {
        size_t klen = strlen(key);
        for (size_t i = 0; i < json_array_size(c->skip); i++) {
            const char *f = str_at(c->skip, i);
            if (strncmp(f, key, klen) || !strchr(f, '.'))
                continue;
            bool obj1 = json_is_object(v1) || json_is_array(v1) || json_is_null(v1);
            bool obj2 = json_is_object(v2) || json_is_array(v2) || json_is_null(v2);
            if (!obj1 || !obj2) {
                json_decref(v1);
                json_decref(v2);
                return sl_ctx_fail(c->ctx,
                                   "The field '%s' in item %zu is not an object. It is not "
                                   "possible to use dot notation.",
                                   key, index);
            }
            json_t *sk = json_object_get(skipped, key);
            if (!sk) {
                sk = json_pack("{s:{},s:{}}", na, nb);
                json_object_set_new(skipped, key, sk);
            }
            char *nested = strip_first(f, key);
            json_t *sa = json_incref(json_object_get(sk, na));
            json_t *sb = json_incref(json_object_get(sk, nb));
            set_maybe_undefined(&sa, nested, sl_jpath_get(v1, nested));
            set_maybe_undefined(&sb, nested, sl_jpath_get(v2, nested));
            json_object_set_new(sk, na, sa);
            json_object_set_new(sk, nb, sb);
            (void)sl_jpath_unset(&v1, nested);
            (void)sl_jpath_unset(&v2, nested);
            free(nested);
        }
        json_object_set_new(different, key, json_pack("{s:o,s:o}", na, v1, nb, v2));
    } else {
        json_t *to = list_has(c->skip, key) ? skipped : different;
        json_object_set_new(to, key, json_pack("{s:o,s:o}", na, v1, nb, v2));
    }
    return 0;
}

/* "includeBoth": {keys, same, different, skipped?} for a differing pair.
 * NULL with the message set on failure. */
static json_t *compare_items(const struct cd *c, const json_t *e1, const json_t *e2)
{
    const json_t *j1 = ijson(e1), *j2 = ijson(e2);
    json_t *keys = json_object(), *same = json_object(), *different = json_object();
    json_t *skipped = json_object(), *same_keys = json_object();
    for (size_t f = 0; f < json_array_size(c->f1); f++) {
        json_t *v = json_object_get(j1, str_at(c->f1, f));
        if (v)
            json_object_set(keys, str_at(c->f1, f), v);
    }
    /* union(keys1, keys2), in that order */
    json_t *all = json_array();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j1, k, v) json_array_append_new(all, json_string(k));
    json_object_foreach((json_t *)j2, k, v)
    {
        if (!json_object_get(j1, k))
            json_array_append_new(all, json_string(k));
    }
    bool every_key = c->fuzzy && c->version >= 2.1;
    for (size_t i = 0; i < json_array_size(all); i++) {
        const char *key = str_at(all, i);
        json_t *a = json_object_get(j1, key), *b = json_object_get(j2, key);
        if (!every_key && (!a || !b))
            continue;
        if (equal(c, a, b)) {
            json_object_set_new(same_keys, key, json_true());
            if (a)
                json_object_set(same, key, a);
        }
    }
    int rc = 0;
    size_t index = 0;
    for (size_t i = 0; i < json_array_size(all) && !rc; i++) {
        const char *key = str_at(all, i);
        if (json_object_get(same_keys, key))
            continue;
        rc = diff_field(c, key, index++, json_object_get(j1, key), json_object_get(j2, key),
                        different, skipped);
    }
    json_decref(all);
    json_decref(same_keys);
    if (rc) {
        json_decref(keys);
        json_decref(same);
        json_decref(different);
        json_decref(skipped);
        return NULL;
    }
    json_t *json = json_pack("{s:o,s:o,s:o}", "keys", keys, "same", same, "different", different);
    if (json_object_size(skipped))
        json_object_set(json, "skipped", skipped);
    json_decref(skipped);
    json_t *pl = json_array();
    sl_item_paired_append(pl, e1);
    sl_item_paired_append(pl, e2);
    return json_pack("{s:o,s:o}", "json", json, "pairedItem", pl);
}

/* Sorts A's matched item `e1` and its matches onto Same and Different. */
static int resolve_matches(struct cd *c, json_t *e1, const json_t *found)
{
    json_t *same = NULL;
    for (size_t m = 0; m < json_array_size(found); m++) {
        json_t *e2 = json_array_get(c->in[1], (size_t)json_integer_value(json_array_get(found, m)));
        if (items_equal(c, e1, e2)) {
            if (!same)
                same = c->fuzzy && c->resolve == PREFER_2 ? e2 : e1;
            continue;
        }
        json_t *d;
        switch (c->resolve) {
        case PREFER_1:
            d = json_incref(e1);
            break;
        case PREFER_2:
            d = json_incref(e2);
            break;
        case MIX:
            d = combine(c, e1, e2);
            break;
        default:
            d = compare_items(c, e1, e2);
            if (!d)
                return SL_ERR_NODE;
        }
        json_array_append_new(c->out[OUT_DIFFERENT], d);
    }
    if (same)
        json_array_append(c->out[OUT_SAME], same);
    return 0;
}

static int compare(struct cd *c)
{
    size_t n1 = json_array_size(c->in[0]), n2 = json_array_size(c->in[1]);
    json_t **found = sl_calloc(n1 ? n1 : 1, sizeof *found);
    bool *matched2 = sl_calloc(n2 ? n2 : 1, sizeof *matched2);
    for (size_t i = 0; i < n1; i++) {
        json_t *e1 = json_array_get(c->in[0], i);
        found[i] = find_matches(c, e1);
        if (!found[i] || !json_array_size(found[i])) {
            json_array_append(c->out[OUT_A_ONLY], e1);
            continue;
        }
        for (size_t m = 0; m < json_array_size(found[i]); m++)
            matched2[json_integer_value(json_array_get(found[i], m))] = true;
    }
    for (size_t i = 0; i < n2; i++)
        if (!matched2[i])
            json_array_append(c->out[OUT_B_ONLY], json_array_get(c->in[1], i));
    int rc = 0;
    for (size_t i = 0; i < n1 && !rc; i++)
        if (found[i] && json_array_size(found[i]))
            rc = resolve_matches(c, json_array_get(c->in[0], i), found[i]);
    for (size_t i = 0; i < n1; i++)
        json_decref(found[i]);
    free(found);
    free(matched2);
    return rc;
}

static int execute(struct sl_node_ctx *ctx)
{
    struct cd c = {.ctx = ctx, .version = sl_ctx_node(ctx)->version};
    int rc = read_pairs(&c);
    if (!rc)
        rc = read_options(&c);
    if (!rc) {
        c.in[0] = read_input(&c, 0);
        c.in[1] = read_input(&c, 1);
        if (c.version < 2.2 && !(rc = check_fields(&c, 0)))
            rc = check_fields(&c, 1);
    }
    if (!rc)
        rc = read_resolve(&c);
    if (!rc && c.literal) {
        for (size_t i = 0; i < json_array_size(c.skip); i++) {
            if (strchr(str_at(c.skip, i), '.')) {
                rc = sl_ctx_fail(ctx,
                                 "Dot notation is disabled, but field to skip comparing '%s' "
                                 "contains dot",
                                 str_at(c.skip, i));
                break;
            }
        }
    }
    for (int o = 0; o < N_OUT; o++)
        c.out[o] = json_array();
    if (!rc)
        rc = compare(&c);
    /* Emitted only now: "mix" may still have changed a listed item. */
    for (int o = 0; o < N_OUT && !rc; o++)
        for (size_t i = 0; i < json_array_size(c.out[o]); i++)
            sl_ctx_out(ctx, o, json_incref(json_array_get(c.out[o], i)));
    for (int o = 0; o < N_OUT; o++)
        json_decref(c.out[o]);
    json_decref(c.in[0]);
    json_decref(c.in[1]);
    json_decref(c.f1);
    json_decref(c.f2);
    json_decref(c.skip);
    json_decref(c.except);
    return rc;
}

static int outputs(const struct sl_node *node)
{
    (void)node;
    return N_OUT;
}

static int inputs(const struct sl_node *node)
{
    (void)node;
    return 2;
}

static const double versions[] = {1, 2, 2.1, 2.2, 2.3, 0};

const struct sl_node_type sl_node_compareDatasets = {
    .name = "n8n-nodes-base.compareDatasets",
    .versions = versions,
    .inputs = inputs,
    .outputs = outputs,
    .execute = execute,
};
