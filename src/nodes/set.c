/*
 * Set ("Edit Fields"): writes fields on each item.
 *
 * Versions 1 and 2 (n8n's SetV1) take `values.{boolean,number,string}[]`
 * and `keepOnlySet`. Versions 3-3.2 (SetV2) take typed `fields.values[]`
 * (manual mode) or a JSON template (raw mode) and an `include` rule;
 * 3.3+ take `assignments.assignments[]` and `includeOtherFields`; 3.4
 * replaces `includeBinary` with `stripBinary`. Type checks, conversions
 * and error texts follow n8n's validateFieldType, which follows
 * JavaScript's Number(), String() and JSON rules, which core/jsvalue.h
 * reproduces.
 *
 * Items are never deep-copied: an output item shares its input's json
 * and only the containers on the paths being written are copied
 * (core/jpath.h). This node runs in the throughput benchmark, so
 * parameters without expressions are evaluated once, not per item.
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fieldtype.h"
#include "core/item.h"
#include "core/jpath.h"
#include "core/jsvalue.h"
#include "nodes/node.h"
#include "util/alloc.h"

#define CONVERSION_HINT                                                                            \
    "To fix the error try to change the type for the field \"%s\" or activate the option "         \
    "\xe2\x80\x9cIgnore Type Conversion Errors\xe2\x80\x9d to apply a less strict type validation"

#define DEFAULT_JSON_OUTPUT "{\n  \"my_field_1\": \"value\",\n  \"my_field_2\": 1\n}\n"

/* n8n Set's validateEntry: returns the field's value (new reference) or
 * NULL with the node failed. `v` may be NULL (undefined). */
static json_t *validate_entry(struct sl_node_ctx *ctx, const char *name, const char *type,
                              const json_t *v, size_t item, bool ignore, double version)
{
    bool nullish = !v || json_is_null(v);
    if (version >= 3.2 && nullish)
        return json_null();
    /* Values that already have the type convert to themselves. */
    if ((json_is_string(v) && !strcmp(type, "string")) ||
        (json_is_number(v) && !strcmp(type, "number")) ||
        (json_is_boolean(v) && !strcmp(type, "boolean")) ||
        (json_is_array(v) && !strcmp(type, "array")) ||
        (json_is_object(v) && !strcmp(type, "object")))
        return json_incref((json_t *)v);
    json_t *conv = NULL;
    if (!strcmp(type, "string")) {
        if (version > 3 && nullish) {
            if (ignore)
                return json_null();
            char *d = sl_ft_describe(v);
            sl_ctx_fail(ctx, "'%s' expects a %s but we got %s [item %zu]", name, type, d, item);
            sl_ctx_fail_description(ctx, CONVERSION_HINT, name);
            free(d);
            return NULL;
        }
        if (v && (json_is_object(v) || json_is_array(v) || json_is_null(v))) {
            char *s = sl_jsv_stringify(v);
            conv = json_string(s);
            free(s);
        } else {
            char *s = sl_jsv_to_string(v);
            conv = json_string(s);
            free(s);
        }
        v = conv;
    }
    json_t *out = sl_ft_convert(v, type);
    if (!out) {
        if (ignore) {
            out = v ? json_incref((json_t *)v) : json_null();
        } else {
            char *d = sl_ft_describe(v);
            sl_ctx_fail(ctx, "'%s' expects a %s but we got %s [item %zu]", name, type, d, item);
            sl_ctx_fail_description(ctx, CONVERSION_HINT, name);
            free(d);
        }
    }
    json_decref(conv);
    return out;
}

/* ------------------------------------------------------------------ */
/* Raw JSON (raw mode and expression object fields of 3.0-3.2)        */
/* ------------------------------------------------------------------ */

/* n8n's repair of almost-JSON: ' -> ", quote bare keys, drop trailing
 * commas before ] or } and at the end. */
static char *recover_json(const char *s)
{
    struct sl_buf a = {0}, b = {0};
    for (const char *p = s; *p; p++)
        sl_buf_addc(&a, *p == '\'' ? '"' : *p);
    char *t = sl_buf_steal(&a);
    /* /(['"])?([a-zA-Z0-9_]+)(['"])?:/g -> "$2": */
    for (size_t i = 0; t[i];) {
        size_t j = i;
        if (t[j] == '"')
            j++;
        size_t w = j;
        while (isalnum((unsigned char)t[w]) || t[w] == '_')
            w++;
        size_t k = w;
        if (w > j && t[k] == '"')
            k++;
        if (w > j && t[k] == ':') {
            sl_buf_addc(&b, '"');
            sl_buf_add(&b, t + j, w - j);
            sl_buf_adds(&b, "\":");
            i = k + 1;
        } else {
            sl_buf_addc(&b, t[i]);
            i++;
        }
    }
    free(t);
    t = sl_buf_steal(&b);
    /* /,\s*([\]}])/g -> $1 */
    for (size_t i = 0; t[i]; i++) {
        if (t[i] == ',') {
            size_t k = i + 1;
            while (isspace((unsigned char)t[k]))
                k++;
            if (t[k] == ']' || t[k] == '}')
                continue;
        }
        sl_buf_addc(&b, t[i]);
    }
    free(t);
    t = sl_buf_steal(&b);
    /* /,+$/ -> '' */
    size_t n = strlen(t);
    while (n && t[n - 1] == ',')
        t[--n] = '\0';
    return t;
}

/* parseJsonParameter for a string: the parsed value (new reference; json
 * null for "null") or NULL with the node failed. */
static json_t *parse_json_param(struct sl_node_ctx *ctx, const char *s, size_t item,
                                const char *entry)
{
    char *loc = entry ? sl_asprintf("entry \"%s\" inside 'Fields to Set'", entry)
                      : sl_strdup("'JSON Output'");
    json_t *v = sl_ft_json_parse(s);
    if (!v) {
        char *rec = recover_json(s);
        v = sl_ft_json_parse(rec);
        if (!v) {
            sl_ctx_fail(ctx, "The %s in item %zu contains invalid JSON", loc, item);
            if (!strcmp(rec, s))
                sl_ctx_fail_description(ctx, "%s", s);
            else
                sl_ctx_fail_description(ctx, "%s;\n Original input: %s", rec, s);
        }
        free(rec);
    }
    if (v && !json_is_object(v) && !json_is_null(v)) {
        json_decref(v);
        v = NULL;
        sl_ctx_fail(ctx, "The %s in item %zu does not contain a valid JSON object", loc, item);
    }
    free(loc);
    return v;
}

/* resolveRawData: replaces each {{ ... }} in `raw` with its value for
 * item `item` (objects as JSON, the rest as String()). NULL on failure. */
static char *resolve_raw(struct sl_node_ctx *ctx, const char *raw, size_t item)
{
    char *out = sl_strdup(raw);
    const char *p = raw;
    for (;;) {
        const char *a = strstr(p, "{{");
        if (!a)
            break;
        const char *z = strstr(a + 2, "}}");
        if (!z)
            break;
        z += 2;
        size_t rl = (size_t)(z - a);
        char *res = sl_strndup(a, rl);
        char *expr = sl_asprintf("=%s", res);
        json_t *tmpl = json_string(expr);
        json_t *val = sl_ctx_eval(ctx, tmpl, item);
        json_decref(tmpl);
        free(expr);
        if (!val && sl_ctx_failed(ctx)) {
            free(res);
            free(out);
            return NULL;
        }
        char *txt;
        if (val && (json_is_object(val) || json_is_array(val))) {
            txt = sl_jsv_stringify(val);
        } else {
            txt = sl_jsv_to_string(val);
        }
        json_decref(val);
        /* String.replace with a string pattern: the first occurrence. */
        char *hit = strstr(out, res);
        if (hit) {
            struct sl_buf b = {0};
            sl_buf_add(&b, out, (size_t)(hit - out));
            sl_buf_adds(&b, txt);
            sl_buf_adds(&b, hit + rl);
            free(out);
            out = sl_buf_steal(&b);
        }
        free(txt);
        free(res);
        p = z;
    }
    return out;
}

/* ------------------------------------------------------------------ */
/* Parameters                                                          */
/* ------------------------------------------------------------------ */

static bool has_expr(const json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v)[0] == '=';
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (has_expr(json_array_get(v, i)))
                return true;
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            if (has_expr(x))
                return true;
        }
    }
    return false;
}

/* A parameter evaluated per item, or once when it holds no expression. */
struct param {
    const char *path;
    json_t *dflt; /* borrowed */
    bool is_static;
    json_t *cached; /* owned, for static parameters */
    bool have;
};

static void param_init(struct param *p, struct sl_node_ctx *ctx, const char *path, json_t *dflt)
{
    p->path = path;
    p->dflt = dflt;
    p->is_static = !has_expr(sl_ctx_param_raw(ctx, path));
    p->cached = NULL;
    p->have = false;
}

/* Borrowed value for item i (NULL when absent without default, or on
 * failure: check sl_ctx_failed). The value stays valid until the next
 * call for a dynamic parameter; *tmp receives what to release. */
static json_t *param_get(struct param *p, struct sl_node_ctx *ctx, size_t i, json_t **tmp)
{
    *tmp = NULL;
    if (p->is_static) {
        if (!p->have) {
            p->cached = sl_ctx_param(ctx, p->path, 0, p->dflt);
            if (!p->cached && sl_ctx_failed(ctx))
                return NULL;
            p->have = true;
        }
        return p->cached;
    }
    *tmp = sl_ctx_param(ctx, p->path, i, p->dflt);
    return *tmp;
}

static void param_release(struct param *p)
{
    json_decref(p->cached);
    p->cached = NULL;
}

/* ------------------------------------------------------------------ */
/* Building the output item                                            */
/* ------------------------------------------------------------------ */

struct set_opts {
    bool dot;
    bool ignore;
    bool binary;
    const char *include;
};

/* One field to write: name and value (owned). */
struct field {
    char *name;
    json_t *value;
};

struct fields {
    struct field *v;
    size_t n, cap;
};

/* Adds or replaces a field (value stolen), as assigning to an object
 * does: a repeated name keeps its first position. */
static void fields_put(struct fields *f, const char *name, json_t *value)
{
    for (size_t i = 0; i < f->n; i++) {
        if (!strcmp(f->v[i].name, name)) {
            json_decref(f->v[i].value);
            f->v[i].value = value;
            return;
        }
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->v = sl_realloc(f->v, f->cap * sizeof *f->v);
    }
    f->v[f->n].name = sl_strdup(name);
    f->v[f->n].value = value;
    f->n++;
}

static void fields_clear(struct fields *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].name);
        json_decref(f->v[i].value);
    }
    f->n = 0;
}

/* sanitizeDataPathKey: a key that is missing but looks like ['k'] or
 * ["k"] means k. Returns a heap string. */
static char *sanitize_key(const json_t *obj, const char *key)
{
    size_t n = strlen(key);
    if (json_object_get(obj, key))
        return sl_strdup(key);
    if (n >= 4 && key[0] == '[' && key[n - 1] == ']' &&
        ((key[1] == '\'' && key[n - 2] == '\'') || (key[1] == '"' && key[n - 2] == '"')))
        return sl_strndup(key + 2, n - 4);
    return sl_strdup(key);
}

static json_t *field_get(const json_t *obj, const char *key, bool dot)
{
    if (dot)
        return sl_jpath_get(obj, key);
    char *k = sanitize_key(obj, key);
    json_t *v = json_is_object(obj) ? json_object_get(obj, k) : NULL;
    free(k);
    return v;
}

/* Writes value (stolen) at key of *obj (owned). */
static void field_set(json_t **obj, const char *key, json_t *value, bool dot)
{
    if (dot) {
        (void)sl_jpath_set(obj, key, value);
        return;
    }
    char *k = sanitize_key(*obj, key);
    (void)sl_jpath_set_ex(obj, k, value, SL_JPATH_LITERAL);
    free(k);
}

static void field_unset(json_t **obj, const char *key, bool dot)
{
    if (dot) {
        (void)sl_jpath_unset(obj, key);
        return;
    }
    char *k = sanitize_key(*obj, key);
    (void)sl_jpath_unset_ex(obj, k, SL_JPATH_LITERAL);
    free(k);
}

/* A field name and where it was written, to order names as
 * Object.keys lists them: array-index names first, ascending. */
struct okey {
    const char *key;
    uint64_t idx;
    bool is_idx;
    size_t pos;
};

static int okey_cmp(const void *a, const void *b)
{
    const struct okey *x = a, *y = b;
    if (x->is_idx != y->is_idx)
        return x->is_idx ? -1 : 1;
    if (x->is_idx)
        return x->idx < y->idx ? -1 : x->idx > y->idx;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Splits a comma-separated field list; calls fn for each trimmed,
 * non-empty name. */
static void each_listed(const char *list, void (*fn)(void *, const char *), void *arg)
{
    const char *p = list;
    while (p) {
        const char *c = strchr(p, ',');
        const char *e = c ? c : p + strlen(p);
        char *part = sl_strndup(p, (size_t)(e - p));
        const char *b, *z;
        sl_jsv_trim(part, &b, &z);
        if (z > b) {
            char *name = sl_strndup(b, (size_t)(z - b));
            fn(arg, name);
            free(name);
        }
        free(part);
        p = c ? c + 1 : NULL;
    }
}

struct pick {
    const json_t *src;
    json_t **dst;
    bool dot;
};

static void pick_one(void *arg, const char *key)
{
    struct pick *pk = arg;
    json_t *v = field_get(pk->src, key, pk->dot);
    if (!v)
        return;
    const char *to = key;
    if (pk->dot) {
        const char *dotp = strrchr(key, '.');
        if (dotp)
            to = dotp + 1;
    }
    field_set(pk->dst, to, json_incref(v), pk->dot);
}

static void drop_one(void *arg, const char *key)
{
    struct pick *pk = arg;
    field_unset(pk->dst, key, pk->dot);
}

/* composeReturnItem: a new item, or NULL with the node failed. */
static json_t *compose(struct sl_node_ctx *ctx, size_t i, const json_t *in, const struct fields *nf,
                       const struct set_opts *o)
{
    const json_t *in_json = sl_item_json(in);
    json_t *empty = NULL;
    if (!json_is_object(in_json))
        in_json = empty = json_object();
    json_t *out = NULL;
    if (!strcmp(o->include, "all")) {
        out = json_incref((json_t *)in_json);
    } else if (!strcmp(o->include, "none")) {
        out = json_object();
    } else if (!strcmp(o->include, "selected") || !strcmp(o->include, "except")) {
        bool sel = o->include[0] == 's';
        char *list = NULL;
        if (sl_ctx_param_str(ctx, sel ? "includeFields" : "excludeFields", i, "", &list) < 0) {
            json_decref(empty);
            return NULL;
        }
        out = sel ? json_object() : json_incref((json_t *)in_json);
        struct pick pk = {in_json, &out, o->dot};
        each_listed(list, sel ? pick_one : drop_one, &pk);
        free(list);
    } else {
        sl_ctx_fail(ctx, "The include option \"%s\" is not known!", o->include);
        json_decref(empty);
        return NULL;
    }
    json_decref(empty);

    /* Object.keys order: index-like names first. */
    struct okey *ord = sl_calloc(nf->n ? nf->n : 1, sizeof *ord);
    bool any_idx = false;
    for (size_t k = 0; k < nf->n; k++) {
        ord[k].key = nf->v[k].name;
        ord[k].pos = k;
        ord[k].is_idx = sl_jsv_index_key(nf->v[k].name, SL_JSV_ARRAY_INDEX_LIMIT, &ord[k].idx);
        any_idx |= ord[k].is_idx;
    }
    if (any_idx)
        qsort(ord, nf->n, sizeof *ord, okey_cmp);
    for (size_t k = 0; k < nf->n; k++)
        field_set(&out, ord[k].key, json_incref(nf->v[ord[k].pos].value), o->dot);
    free(ord);

    json_t *item = sl_item_new_paired(out, i);
    json_t *bin = json_object_get(in, "binary");
    if (o->binary && json_is_object(bin))
        json_object_set(item, "binary", bin);
    return item;
}

/* ------------------------------------------------------------------ */
/* Versions 1 and 2                                                    */
/* ------------------------------------------------------------------ */

static int set_v1(struct sl_node_ctx *ctx)
{
    const struct sl_node *node = sl_ctx_node(ctx);
    json_t *in = sl_ctx_input(ctx, 0);
    size_t n = json_array_size(in);
    json_t *placeholder = NULL;
    if (n == 0) {
        placeholder = json_array();
        json_array_append_new(placeholder, sl_item_new(NULL));
        in = placeholder;
        n = 1;
    }
    static const char *const kinds[] = {"values.boolean", "values.number", "values.string"};
    struct param keep, opts, lists[3];
    json_t *empty_obj = json_object(), *empty_arr = json_array();
    param_init(&keep, ctx, "keepOnlySet", json_false());
    param_init(&opts, ctx, "options", empty_obj);
    for (int k = 0; k < 3; k++)
        param_init(&lists[k], ctx, kinds[k], empty_arr);
    int rc = 0;

    for (size_t i = 0; i < n && !rc; i++) {
        const json_t *it = json_array_get(in, i);
        json_t *t1, *t2;
        json_t *kv = param_get(&keep, ctx, i, &t1);
        json_t *ov = param_get(&opts, ctx, i, &t2);
        if (sl_ctx_failed(ctx)) {
            json_decref(t1);
            json_decref(t2);
            rc = SL_ERR_NODE;
            break;
        }
        bool keep_only = sl_jsv_truthy(kv);
        bool dot = !json_is_false(json_object_get(ov, "dotNotation"));
        json_decref(t1);
        json_decref(t2);

        json_t *ij = sl_item_json(it);
        json_t *out = (!keep_only && json_is_object(ij)) ? json_incref(ij) : json_object();
        for (int k = 0; k < 3 && !rc; k++) {
            json_t *tl;
            json_t *list = param_get(&lists[k], ctx, i, &tl);
            if (!list) {
                if (sl_ctx_failed(ctx))
                    rc = SL_ERR_NODE;
                json_decref(tl);
                continue;
            }
            if (!json_is_array(list)) {
                rc = sl_ctx_fail(ctx, "node '%s': parameter '%s' must be a list", node->name,
                                 kinds[k]);
                json_decref(tl);
                break;
            }
            for (size_t e = 0; e < json_array_size(list); e++) {
                json_t *entry = json_array_get(list, e);
                if (!json_is_object(entry)) {
                    rc = sl_ctx_fail(ctx, "node '%s': parameter '%s' entry %zu is not an object",
                                     node->name, kinds[k], e + 1);
                    break;
                }
                json_t *nv = json_object_get(entry, "name");
                char *name = nv ? sl_jsv_to_string(nv) : sl_strdup("propertyName");
                json_t *val = json_object_get(entry, "value");
                json_t *raw_entry = json_array_get(sl_ctx_param_raw(ctx, kinds[k]), e);
                bool undef = !val && json_object_get(raw_entry, "value");
                json_t *w;
                if (undef && k > 0) {
                    /* lodash set(obj, name, undefined): nothing JSON shows */
                    free(name);
                    continue;
                } else if (k == 0) {
                    w = json_boolean(sl_jsv_truthy(val));
                } else if (k == 1) {
                    double d = node->version >= 2 && json_is_string(val)
                                   ? sl_jsv_str_to_number(json_string_value(val))
                                   : NAN;
                    if (!val)
                        w = json_integer(0);
                    else if (!isnan(d))
                        w = sl_ft_number(d);
                    else
                        w = json_incref(val);
                } else {
                    w = val ? json_incref(val) : json_string("");
                }
                if (dot)
                    (void)sl_jpath_set(&out, name, w);
                else
                    (void)sl_jpath_set_ex(&out, name, w, SL_JPATH_LITERAL);
                free(name);
            }
            json_decref(tl);
        }
        if (rc) {
            json_decref(out);
            break;
        }
        json_t *item = sl_item_new_paired(out, i);
        json_t *bin = json_object_get(it, "binary");
        if (!keep_only && json_is_object(bin))
            json_object_set(item, "binary", bin);
        sl_ctx_out(ctx, 0, item);
    }

    param_release(&keep);
    param_release(&opts);
    for (int k = 0; k < 3; k++)
        param_release(&lists[k]);
    json_decref(empty_obj);
    json_decref(empty_arr);
    json_decref(placeholder);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Versions 3 to 3.4                                                   */
/* ------------------------------------------------------------------ */

/* Raw `objectValue` expressions of 3.0-3.2 manual fields, by raw name. */
struct raw_field {
    char *name;
    char *text;
};

struct v3 {
    struct sl_node_ctx *ctx;
    const struct sl_node *node;
    double version;
    bool raw_mode;
    char *raw_json; /* raw mode: jsonOutput without its leading '=' */
    struct raw_field *raw_fields;
    size_t n_raw_fields;
    struct param fields; /* fields.values / assignments / jsonOutput */
};

static const char *raw_text_for(const struct v3 *s, const char *name)
{
    for (size_t i = 0; i < s->n_raw_fields; i++)
        if (!strcmp(s->raw_fields[i].name, name))
            return s->raw_fields[i].text;
    return NULL;
}

static const char *field_value_key(const char *type)
{
    static const char *const keys[] = {"stringValue", "numberValue", "booleanValue", "arrayValue",
                                       "objectValue"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(type, keys[i]))
            return keys[i];
    return type;
}

/* Manual mode before 3.3: typed `fields.values`. */
static int manual_fields(struct v3 *s, size_t i, bool ignore, struct fields *nf)
{
    struct sl_node_ctx *ctx = s->ctx;
    json_t *tmp;
    json_t *list = param_get(&s->fields, ctx, i, &tmp);
    if (!list) {
        json_decref(tmp);
        return sl_ctx_failed(ctx) ? SL_ERR_NODE : 0;
    }
    if (!json_is_array(list)) {
        json_decref(tmp);
        return sl_ctx_fail(ctx, "node '%s': parameter 'fields.values' must be a list",
                           s->node->name);
    }
    int rc = 0;
    for (size_t e = 0; e < json_array_size(list) && !rc; e++) {
        json_t *entry = json_array_get(list, e);
        if (!json_is_object(entry)) {
            rc = sl_ctx_fail(ctx, "node '%s': parameter 'fields.values' entry %zu is not an object",
                             s->node->name, e + 1);
            break;
        }
        const char *type = json_string_value(json_object_get(entry, "type"));
        if (!type)
            type = "stringValue";
        json_t *nv = json_object_get(entry, "name");
        char *name = nv ? sl_jsv_to_string(nv) : sl_strdup("");
        const char *vkey = field_value_key(type);
        json_t *val = json_object_get(entry, vkey);
        json_t *owned = NULL;
        /* n8n fills in defaults for keys missing from the stored entry;
         * a key whose expression gave undefined stays undefined. */
        json_t *raw_entry = json_array_get(sl_ctx_param_raw(ctx, "fields.values"), e);
        if (!val && !json_object_get(raw_entry, vkey)) {
            if (!strcmp(type, "booleanValue"))
                val = owned = json_string("true");
            else if (!strcmp(type, "objectValue"))
                val = owned = json_object();
            else if (strcmp(type, "stringValue") && strcmp(type, "numberValue") &&
                     strcmp(type, "arrayValue"))
                val = NULL;
            else
                val = owned = json_string("");
        }
        const char *raw = !strcmp(type, "objectValue") ? raw_text_for(s, name) : NULL;
        if (raw && val && !json_is_null(val)) {
            char *txt = resolve_raw(ctx, raw, i);
            json_t *parsed = txt ? parse_json_param(ctx, txt, i, name) : NULL;
            free(txt);
            if (!parsed && sl_ctx_failed(ctx)) {
                rc = SL_ERR_NODE;
                json_decref(owned);
                free(name);
                break;
            }
            json_decref(owned);
            val = owned = parsed;
        }
        char *ftype = sl_strdup(type);
        char *suffix = strstr(ftype, "Value");
        if (suffix)
            memmove(suffix, suffix + 5, strlen(suffix + 5) + 1);
        json_t *w = validate_entry(ctx, name, ftype, val, i, ignore, s->version);
        free(ftype);
        json_decref(owned);
        if (!w)
            rc = SL_ERR_NODE;
        else
            fields_put(nf, name, w);
        free(name);
    }
    json_decref(tmp);
    return rc;
}

/* Manual mode 3.3+: `assignments.assignments`. Binary assignments are
 * collected into *bins as {name: value} for the caller. */
static int assignment_fields(struct v3 *s, size_t i, bool ignore, struct fields *nf, json_t **bins)
{
    struct sl_node_ctx *ctx = s->ctx;
    json_t *tmp;
    json_t *coll = param_get(&s->fields, ctx, i, &tmp);
    if (!coll) {
        json_decref(tmp);
        return sl_ctx_failed(ctx) ? SL_ERR_NODE : 0;
    }
    json_t *list = json_object_get(coll, "assignments");
    if (!json_is_object(coll) || (list && !json_is_array(list))) {
        json_decref(tmp);
        return sl_ctx_fail(ctx, "node '%s': parameter 'assignments.assignments' must be a list",
                           s->node->name);
    }
    int rc = 0;
    for (size_t e = 0; e < json_array_size(list) && !rc; e++) {
        json_t *a = json_array_get(list, e);
        if (!json_is_object(a)) {
            rc = sl_ctx_fail(ctx, "node '%s': assignment %zu is not an object", s->node->name,
                             e + 1);
            break;
        }
        json_t *nv = json_object_get(a, "name");
        char *name = nv ? sl_jsv_to_string(nv) : sl_strdup("");
        const char *type = json_string_value(json_object_get(a, "type"));
        if (!type)
            type = "string";
        json_t *val = json_object_get(a, "value");
        if (!strcmp(type, "binary")) {
            if (!*bins)
                *bins = json_object();
            json_object_set(*bins, name, val ? val : json_null());
        } else {
            json_t *w = validate_entry(ctx, name, type, val, i, ignore, s->version);
            if (!w)
                rc = SL_ERR_NODE;
            else
                fields_put(nf, name, w);
        }
        free(name);
    }
    json_decref(tmp);
    return rc;
}

/* Raw mode: the JSON template for item i. */
static int raw_fields(struct v3 *s, size_t i, struct fields *nf)
{
    struct sl_node_ctx *ctx = s->ctx;
    json_t *data = NULL;
    if (s->raw_json) {
        char *txt = resolve_raw(ctx, s->raw_json, i);
        if (!txt)
            return SL_ERR_NODE;
        data = parse_json_param(ctx, txt, i, NULL);
        free(txt);
    } else {
        json_t *tmp;
        json_t *v = param_get(&s->fields, ctx, i, &tmp);
        if (json_is_string(v))
            data = parse_json_param(ctx, json_string_value(v), i, NULL);
        else if (json_is_object(v))
            data = json_incref(v);
        else if (!sl_ctx_failed(ctx))
            sl_ctx_fail(ctx, "The 'JSON Output' in item %zu does not contain a valid JSON object",
                        i);
        json_decref(tmp);
    }
    if (!data)
        return SL_ERR_NODE;
    if (json_is_null(data)) {
        json_decref(data);
        return sl_ctx_fail(ctx, "Cannot convert undefined or null to object");
    }
    const char *k;
    json_t *x;
    json_object_foreach(data, k, x)
    {
        fields_put(nf, k, json_incref(x));
    }
    json_decref(data);
    return 0;
}

/* Adds binary assignments (name -> property name or binary object). */
static int add_binaries(struct v3 *s, size_t i, const json_t *in, json_t *item, json_t *bins)
{
    json_t *have = json_object_get(in, "binary");
    json_t *out = json_object_get(item, "binary");
    out = out ? json_copy(out) : json_object();
    const char *name;
    json_t *v;
    json_object_foreach(bins, name, v)
    {
        json_t *bd = NULL;
        if (json_is_string(v))
            bd = json_object_get(have, json_string_value(v));
        else if (json_is_object(v))
            bd = v;
        if (!json_is_object(bd) || !json_object_get(bd, "data") ||
            !json_object_get(bd, "mimeType")) {
            json_decref(out);
            char *pn = sl_jsv_to_string(v);
            sl_ctx_fail(s->ctx,
                        "This operation expects the node's input data to contain a binary file "
                        "'%s', but none was found [item %zu]",
                        pn, i);
            free(pn);
            return SL_ERR_NODE;
        }
        json_object_set(out, name, bd);
    }
    json_object_set_new(item, "binary", out);
    return 0;
}

static void v3_release(struct v3 *s)
{
    free(s->raw_json);
    for (size_t i = 0; i < s->n_raw_fields; i++) {
        free(s->raw_fields[i].name);
        free(s->raw_fields[i].text);
    }
    free(s->raw_fields);
    param_release(&s->fields);
}

static char *strip_eq(const char *s)
{
    while (*s == '=')
        s++;
    return sl_strdup(s);
}

static int set_v3(struct sl_node_ctx *ctx)
{
    const struct sl_node *node = sl_ctx_node(ctx);
    json_t *in = sl_ctx_input(ctx, 0);
    size_t n = json_array_size(in);
    struct v3 s = {.ctx = ctx, .node = node, .version = node->version};
    char *mode = NULL;
    bool dup = false;
    long long dup_count = 0;
    int rc = 0;

    if (sl_ctx_param_str(ctx, "mode", 0, "manual", &mode) < 0)
        return SL_ERR_NODE;
    if (sl_ctx_param_bool(ctx, "duplicateItem", 0, false, &dup) < 0) {
        free(mode);
        return SL_ERR_NODE;
    }
    if (dup && strcmp(sl_ctx_mode(ctx), "manual"))
        dup = false;
    if (dup && sl_ctx_param_int(ctx, "duplicateCount", 0, 0, &dup_count) < 0) {
        free(mode);
        return SL_ERR_NODE;
    }

    json_t *dflt_json = json_string(DEFAULT_JSON_OUTPUT);
    json_t *empty_arr = json_array(), *empty_obj = json_object();
    if (!strcmp(mode, "raw")) {
        s.raw_mode = true;
        json_t *raw = sl_ctx_param_raw(ctx, "jsonOutput");
        if (json_is_string(raw) && json_string_value(raw)[0] == '=')
            s.raw_json = strip_eq(json_string_value(raw));
        param_init(&s.fields, ctx, "jsonOutput", dflt_json);
    } else if (!strcmp(mode, "manual")) {
        if (s.version < 3.3) {
            json_t *raw = sl_ctx_param_raw(ctx, "fields.values");
            for (size_t e = 0; e < json_array_size(raw); e++) {
                json_t *entry = json_array_get(raw, e);
                const char *type = json_string_value(json_object_get(entry, "type"));
                const char *ov = json_string_value(json_object_get(entry, "objectValue"));
                const char *nm = json_string_value(json_object_get(entry, "name"));
                if (type && !strcmp(type, "objectValue") && ov && ov[0] == '=') {
                    s.raw_fields =
                        sl_realloc(s.raw_fields, (s.n_raw_fields + 1) * sizeof *s.raw_fields);
                    s.raw_fields[s.n_raw_fields].name = sl_strdup(nm ? nm : "undefined");
                    s.raw_fields[s.n_raw_fields].text = strip_eq(ov);
                    s.n_raw_fields++;
                }
            }
            param_init(&s.fields, ctx, "fields.values", empty_arr);
        } else {
            param_init(&s.fields, ctx, "assignments", empty_obj);
        }
    } else {
        rc = sl_ctx_fail(ctx, "node '%s': mode '%s' is not supported", node->name, mode);
    }

    struct param p_other, p_include, p_opts;
    json_t *all = json_string("all");
    param_init(&p_other, ctx, "includeOtherFields", json_false());
    param_init(&p_include, ctx, "include", all);
    param_init(&p_opts, ctx, "options", empty_obj);
    struct fields nf = {0};

    for (size_t i = 0; i < n && !rc; i++) {
        const json_t *it = json_array_get(in, i);
        json_t *t1, *t2, *t3;
        json_t *other = s.version >= 3.3 ? param_get(&p_other, ctx, i, &t1) : (t1 = NULL);
        json_t *inc = param_get(&p_include, ctx, i, &t2);
        json_t *opts = param_get(&p_opts, ctx, i, &t3);
        if (sl_ctx_failed(ctx)) {
            rc = SL_ERR_NODE;
        } else if (inc && !json_is_string(inc)) {
            rc = sl_ctx_fail(ctx, "node '%s': parameter 'include' must be a string", node->name);
        } else if (opts && !json_is_object(opts)) {
            rc = sl_ctx_fail(ctx, "node '%s': parameter 'options' must be an object", node->name);
        }
        if (rc) {
            json_decref(t1);
            json_decref(t2);
            json_decref(t3);
            break;
        }
        struct set_opts o;
        o.include = inc ? json_string_value(inc) : "all";
        if (s.version >= 3.3 && !sl_jsv_truthy(other))
            o.include = "none";
        o.dot = !json_is_false(json_object_get(opts, "dotNotation"));
        o.ignore = sl_jsv_truthy(json_object_get(opts, "ignoreConversionErrors"));
        if (s.version >= 3.4)
            o.binary =
                !sl_jsv_truthy(json_object_get(opts, "stripBinary")) && strcmp(o.include, "none");
        else
            o.binary = sl_jsv_truthy(json_object_get(opts, "includeBinary"));

        json_t *bins = NULL;
        int r;
        if (s.raw_mode)
            r = raw_fields(&s, i, &nf);
        else if (s.version < 3.3)
            r = manual_fields(&s, i, o.ignore, &nf);
        else
            r = assignment_fields(&s, i, o.ignore, &nf, &bins);
        json_t *item = r ? NULL : compose(ctx, i, it, &nf, &o);
        if (item && bins && add_binaries(&s, i, it, item, bins) < 0) {
            json_decref(item);
            item = NULL;
        }
        json_decref(bins);
        fields_clear(&nf);
        json_decref(t1);
        json_decref(t2);
        json_decref(t3);

        if (!item) {
            if (!sl_ctx_continue_on_fail(ctx)) {
                rc = SL_ERR_NODE;
                break;
            }
            const char *msg = sl_ctx_error_message(ctx);
            json_t *ej = json_pack("{s:s}", "error", msg ? msg : "Unknown error");
            /* n8n's manual mode puts pairedItem inside json here. */
            if (!s.raw_mode)
                json_object_set_new(ej, "pairedItem", json_pack("{s:I}", "item", (json_int_t)i));
            item = sl_item_new_paired(ej, i);
            sl_ctx_clear_error(ctx);
        }
        long long times = dup ? dup_count + 1 : 1;
        for (long long d = 1; d < times; d++)
            sl_ctx_out(ctx, 0, json_incref(item));
        sl_ctx_out(ctx, 0, item);
    }

    free(nf.v);
    param_release(&p_other);
    param_release(&p_include);
    param_release(&p_opts);
    v3_release(&s);
    json_decref(all);
    json_decref(dflt_json);
    json_decref(empty_arr);
    json_decref(empty_obj);
    free(mode);
    return rc;
}

static int set_execute(struct sl_node_ctx *ctx)
{
    return sl_ctx_node(ctx)->version < 3 ? set_v1(ctx) : set_v3(ctx);
}

static const double set_versions[] = {1, 2, 3, 3.1, 3.2, 3.3, 3.4, 0};

const struct sl_node_type sl_node_set = {
    .name = "n8n-nodes-base.set",
    .versions = set_versions,
    .execute = set_execute,
};
