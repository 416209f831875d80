/*
 * Rename Keys: renames fields of each item, by name and by regular
 * expression.
 *
 * `keys.key[]` moves the value found at `currentKey` (a lodash path into
 * the input item) to `newKey` (another path) and unsets the old path.
 * Then each `additionalOptions.regexReplacement.replacements[]` entry
 * walks the json the way n8n's for-in loop does: keys in JavaScript's
 * enumeration order (array indices first), children before their key,
 * keys removed meanwhile skipped, arrays descended but their indices never
 * renamed, `depth` levels deep (0: top level only; absent or negative:
 * unlimited). A key is renamed to `key.replace(new RegExp(searchRegex,
 * flags), replaceRegex)` when that differs, evaluated by JavaScriptCore
 * so patterns and `$1`-style replacements are ECMAScript's.
 *
 * Items are copied on write (core/jpath.h); only the containers on the
 * way to a renamed key are new.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/jpath.h"
#include "core/jsvalue.h"
#include "js/js.h"
#include "nodes/node.h"
#include "util/alloc.h"

static const double versions[] = {1, 0};

struct rx {
    struct sl_node_ctx *ctx;
    const char *search;
    const char *replace;
    const char *flags;
    char *err; /* first failure, heap string */
};

/* The key `key` renamed, or NULL when it stays (or on error, rx->err). */
static char *renamed(struct rx *rx, const char *key)
{
    char *err = NULL;
    char *r =
        sl_js_regex_replace(sl_ctx_js(rx->ctx), rx->search, rx->flags, key, rx->replace, &err);
    if (!r) {
        rx->err = err ? err : sl_strdup("Invalid regular expression");
        return NULL;
    }
    if (strcmp(r, key) == 0) {
        free(r);
        return NULL;
    }
    return r;
}

/* Length of a UTF-8 string in UTF-16 code units (String.length). */
static size_t utf16_len(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xc0) != 0x80)
            n += *p >= 0xf0 ? 2 : 1;
    }
    return n;
}

static json_t *rename_value(struct rx *rx, json_t *v, double depth, bool top_nonzero);

/* A string reached as an array element: for-in lists its indices, and a
 * rename of one throws in strict mode, as assigning to a string does. */
static void rename_string(struct rx *rx, const json_t *v)
{
    const char *s = json_string_value(v);
    size_t len = utf16_len(s);
    for (size_t i = 0; i < len && !rx->err; i++) {
        char key[32];
        snprintf(key, sizeof key, "%zu", i);
        char *to = renamed(rx, key);
        if (!to)
            continue;
        uint64_t idx;
        if ((sl_jsv_index_key(to, SL_JSV_ARRAY_INDEX_LIMIT, &idx) && idx < len) ||
            strcmp(to, "length") == 0)
            rx->err = sl_asprintf("Cannot assign to read only property '%s' of string '%s'", to, s);
        else
            rx->err = sl_asprintf("Cannot create property '%s' on string '%s'", to, s);
        free(to);
    }
}

/* The object's keys in for-in order: array-index keys ascending, then the
 * others in insertion order. New array of strings. */
static json_t *enum_keys(const json_t *obj)
{
    json_t *idx = json_array(), *rest = json_array();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        uint64_t n;
        if (sl_jsv_index_key(k, SL_JSV_ARRAY_INDEX_LIMIT, &n)) {
            size_t at = json_array_size(idx);
            while (at > 0) {
                uint64_t m = 0;
                (void)sl_jsv_index_key(json_string_value(json_array_get(idx, at - 1)),
                                       SL_JSV_ARRAY_INDEX_LIMIT, &m);
                if (m < n)
                    break;
                at--;
            }
            json_array_insert_new(idx, at, json_string(k));
        } else {
            json_array_append_new(rest, json_string(k));
        }
    }
    json_array_extend(idx, rest);
    json_decref(rest);
    return idx;
}

/* renameObjectKeys(obj, depth) on `v` (a reference the caller owns,
 * stolen); returns the possibly new value. `top_nonzero` is
 * `depth !== 0` for this level (a string depth is never 0). */
static json_t *rename_value(struct rx *rx, json_t *v, double depth, bool top_nonzero)
{
    if (json_is_string(v)) {
        rename_string(rx, v);
        return v;
    }
    if (json_is_array(v)) {
        if (!top_nonzero)
            return v;
        for (size_t i = 0; i < json_array_size(v) && !rx->err; i++) {
            json_t *e = json_array_get(v, i);
            json_t *n = rename_value(rx, json_incref(e), depth - 1, depth - 1 != 0);
            if (n != e) {
                v = sl_jpath_own(v);
                json_array_set(v, i, n);
            }
            json_decref(n);
        }
        return v;
    }
    if (!json_is_object(v))
        return v;
    json_t *keys = enum_keys(v);
    size_t i;
    json_t *kv;
    json_array_foreach(keys, i, kv)
    {
        if (rx->err)
            break;
        const char *key = json_string_value(kv);
        json_t *child = json_object_get(v, key);
        if (!child)
            continue; /* removed by an earlier rename */
        if ((json_is_object(child) || json_is_array(child)) && top_nonzero) {
            json_t *n = rename_value(rx, json_incref(child), depth - 1, depth - 1 != 0);
            if (n != child) {
                v = sl_jpath_own(v);
                json_object_set(v, key, n);
            }
            json_decref(n);
            if (rx->err)
                break;
        }
        char *to = renamed(rx, key);
        if (!to)
            continue;
        v = sl_jpath_own(v);
        json_object_set(v, to, json_object_get(v, key));
        json_object_del(v, key);
        free(to);
    }
    json_decref(keys);
    return v;
}

/* Applies one regexReplacement entry to *json. 0 or the node error. */
static int regex_rename(struct sl_node_ctx *ctx, json_t **json, const json_t *entry)
{
    char *search = sl_jsv_to_string_or_empty(json_object_get(entry, "searchRegex"));
    char *replace = sl_jsv_to_string_or_empty(json_object_get(entry, "replaceRegex"));
    const json_t *opts = json_object_get(entry, "options");
    const json_t *d = json_is_object(opts) ? json_object_get(opts, "depth") : NULL;
    bool ci = json_is_object(opts) && sl_jsv_truthy(json_object_get(opts, "caseInsensitive"));
    struct rx rx = {.ctx = ctx, .search = search, .replace = replace, .flags = ci ? "i" : ""};

    double depth = d ? sl_jsv_to_number(d) : NAN;
    bool top_nonzero = !(d && json_is_number(d) && depth == 0);
    *json = rename_value(&rx, *json, depth, top_nonzero);
    int rc = 0;
    if (rx.err) {
        rc = sl_ctx_fail(ctx, "%s", rx.err);
        free(rx.err);
    }
    free(search);
    free(replace);
    return rc;
}

/* The renamed json of input item `i` (a new reference), or NULL with the
 * node's error set. */
static json_t *rename_item(struct sl_node_ctx *ctx, const json_t *item, size_t i)
{
    json_t *empty = json_array();
    json_t *keys = sl_ctx_param(ctx, "keys.key", i, empty);
    json_t *rxs =
        keys ? sl_ctx_param(ctx, "additionalOptions.regexReplacement.replacements", i, empty)
             : NULL;
    json_decref(empty);
    json_t *src = sl_item_json(item);
    json_t *json = src ? json_incref(src) : json_object();
    if (!keys || !rxs)
        goto fail;

    size_t k;
    json_t *entry;
    json_array_foreach(keys, k, entry)
    {
        char *from = sl_jsv_to_string_or_empty(json_object_get(entry, "currentKey"));
        char *to = sl_jsv_to_string_or_empty(json_object_get(entry, "newKey"));
        json_t *value =
            *from && *to && strcmp(from, to) != 0 && src ? sl_jpath_get(src, from) : NULL;
        if (value) {
            (void)sl_jpath_set(&json, to, json_incref(value));
            (void)sl_jpath_unset(&json, from);
        }
        free(from);
        free(to);
    }
    json_array_foreach(rxs, k, entry)
    {
        if (regex_rename(ctx, &json, entry) < 0)
            goto fail;
    }
    json_decref(keys);
    json_decref(rxs);
    return json;
fail:
    json_decref(keys);
    json_decref(rxs);
    json_decref(json);
    return NULL;
}

static int execute(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        json_t *json = rename_item(ctx, item, i);
        if (json) {
            sl_ctx_out(ctx, 0, sl_item_derive(item, json, i));
            continue;
        }
        if (sl_ctx_item_failed(ctx, i) < 0)
            return SL_ERR_NODE;
    }
    return 0;
}

const struct sl_node_type sl_node_renameKeys = {
    .name = "n8n-nodes-base.renameKeys",
    .versions = versions,
    .execute = execute,
};
