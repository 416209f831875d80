/*
 * lodash-compatible dot paths with copy-on-write setters; see jpath.h.
 *
 * A path is split once per call into NUL-terminated segments held in one
 * heap block. The common case, a plain key without '.' or brackets, takes
 * no allocation at all.
 */
#include "core/jpath.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsvalue.h"
#include "util/alloc.h"

/* Longest run of nulls a set may add to reach an array index. */
#define MAX_ARRAY_PAD (1u << 20)

struct segs {
    char **v;
    size_t n;
    char *one[1]; /* storage for the single-segment case */
};

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* lodash reIsPlainProp: /^\w*$/ */
static bool is_plain_prop(const char *s)
{
    for (; *s; s++)
        if (!is_word(*s))
            return false;
    return true;
}

/* Matches `["..."]` / `['...']` starting at s[i] == '['; returns the index
 * just past the closing ']' or 0. */
static size_t match_quoted(const char *s, size_t i)
{
    char q = s[i + 1];
    if (q != '"' && q != '\'')
        return 0;
    for (size_t j = i + 2; s[j]; j++) {
        if (s[j] == '\\' && s[j + 1]) {
            j++;
            continue;
        }
        if (s[j] == q)
            return s[j + 1] == ']' ? j + 2 : 0;
    }
    return 0;
}

/* lodash reIsDeepProp: /\.|\[(?:[^[\]]*|(["'])(?:(?!\1)[^\\]|\\.)*?\1)\]/ */
static bool is_deep_prop(const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '.')
            return true;
        if (s[i] != '[')
            continue;
        size_t j = i + 1;
        while (s[j] && s[j] != '[' && s[j] != ']')
            j++;
        if (s[j] == ']' || match_quoted(s, i))
            return true;
    }
    return false;
}

/* lodash isIndex for a string key: /^(?:0|[1-9]\d*)$/ below 2^53-1. */
static bool key_index(const char *k, size_t *out)
{
    uint64_t v;
    if (!sl_jsv_index_key(k, SL_JSV_SAFE_INDEX_LIMIT, &v))
        return false;
    if (out)
        *out = (size_t)v;
    return true;
}

/* lodash `key in Object(obj)` for the whole path, restricted to JSON. */
static bool has_key(const json_t *root, const char *path)
{
    size_t idx;
    if (json_is_object(root))
        return json_object_get(root, path) != NULL;
    if (json_is_array(root))
        return key_index(path, &idx) && idx < json_array_size(root);
    return false;
}

static void segs_release(struct segs *sg)
{
    if (sg->v != sg->one)
        free(sg->v);
}

/* Copies s[a..b) to the arena, dropping lodash's escape backslashes
 * (reEscapeChar /\\(\\)?/g -> '$1') when `unescape` is set. */
static char *arena_put(char **arena, const char *s, size_t a, size_t b, bool unescape)
{
    char *start = *arena, *o = start;
    for (size_t i = a; i < b; i++) {
        if (unescape && s[i] == '\\') {
            if (i + 1 < b && s[i + 1] == '\\')
                *o++ = s[++i];
            continue;
        }
        *o++ = s[i];
    }
    *o++ = '\0';
    *arena = o;
    return start;
}

/* lodash stringToPath. Segments point into one block holding the pointer
 * array followed by the strings. */
static void string_to_path(const char *s, struct segs *sg)
{
    size_t len = strlen(s);
    size_t max = len + 2;
    char **v = sl_malloc(max * sizeof(char *) + 2 * len + 2 * max);
    char *arena = (char *)(v + max);
    size_t n = 0;

    if (s[0] == '.')
        v[n++] = arena_put(&arena, s, 0, 0, false);
    size_t p = 0;
    while (p < len) {
        char c = s[p];
        if (c != '.' && c != '[' && c != ']') {
            size_t e = p;
            while (e < len && s[e] != '.' && s[e] != '[' && s[e] != ']')
                e++;
            v[n++] = arena_put(&arena, s, p, e, false);
            p = e;
            continue;
        }
        if (c == '[' && p + 1 < len) {
            char c1 = s[p + 1];
            if (c1 != '"' && c1 != '\'') {
                /* \[([^"'][^[]*)\] with a greedy [^[]*: the last ']' before
                 * the next '['. */
                size_t k = p + 2, last = 0;
                while (k < len && s[k] != '[') {
                    if (s[k] == ']')
                        last = k;
                    k++;
                }
                if (last) {
                    v[n++] = arena_put(&arena, s, p + 1, last, false);
                    p = last + 1;
                    continue;
                }
            } else {
                size_t end = match_quoted(s, p);
                if (end) {
                    v[n++] = arena_put(&arena, s, p + 2, end - 2, true);
                    p = end;
                    continue;
                }
            }
        }
        /* (?=(?:\.|\[\])(?:\.|\[\]|$)): an empty segment. */
        size_t q = 0;
        if (c == '.')
            q = p + 1;
        else if (c == '[' && p + 1 < len && s[p + 1] == ']')
            q = p + 2;
        if (q && (q == len || s[q] == '.' || (s[q] == '[' && q + 1 < len && s[q + 1] == ']')))
            v[n++] = arena_put(&arena, s, 0, 0, false);
        p++;
    }
    sg->v = v;
    sg->n = n;
}

/* lodash castPath(path, root). */
static void cast_path(const json_t *root, const char *path, unsigned flags, struct segs *sg)
{
    if ((flags & SL_JPATH_LITERAL) || is_plain_prop(path) || !is_deep_prop(path) ||
        has_key(root, path)) {
        sg->one[0] = (char *)path;
        sg->v = sg->one;
        sg->n = 1;
        return;
    }
    string_to_path(path, sg);
}

static json_t *child_get(const json_t *c, const char *key)
{
    size_t idx;
    if (json_is_object(c))
        return json_object_get(c, key);
    if (json_is_array(c) && key_index(key, &idx))
        return json_array_get(c, idx);
    return NULL;
}

json_t *sl_jpath_get_ex(const json_t *root, const char *path, unsigned flags)
{
    if (!root || !path)
        return NULL;
    struct segs sg;
    cast_path(root, path, flags, &sg);
    json_t *cur = sg.n ? (json_t *)root : NULL;
    for (size_t i = 0; cur && i < sg.n; i++)
        cur = child_get(cur, sg.v[i]);
    segs_release(&sg);
    return cur;
}

json_t *sl_jpath_get(const json_t *root, const char *path)
{
    return sl_jpath_get_ex(root, path, 0);
}

json_t *sl_jpath_own(json_t *v)
{
    if (!v || v->refcount == 1 || v->refcount == (size_t)-1)
        return v;
    json_t *c = json_copy(v);
    if (!c)
        sl_oom();
    json_decref(v);
    return c;
}

/* Stores v (stolen) at key of the exclusively owned container c. */
static int assign(json_t *c, const char *key, json_t *v)
{
    size_t idx;
    if (json_is_object(c)) {
        if (json_object_set_new(c, key, v) < 0)
            return SL_ERR_INVALID;
        return 0;
    }
    if (!json_is_array(c) || !key_index(key, &idx)) {
        json_decref(v);
        return SL_ERR_INVALID;
    }
    size_t n = json_array_size(c);
    if (idx < n)
        return json_array_set_new(c, idx, v) < 0 ? SL_ERR_INVALID : 0;
    if (idx - n > MAX_ARRAY_PAD) {
        json_decref(v);
        return SL_ERR_LIMIT;
    }
    while (n++ < idx)
        json_array_append_new(c, json_null());
    return json_array_append_new(c, v) < 0 ? SL_ERR_INVALID : 0;
}

/* Returns the child at key of the exclusively owned container c, made
 * exclusive too (copied into c when shared); NULL when it is not a
 * container. */
static json_t *child_own(json_t *c, const char *key)
{
    json_t *ch = child_get(c, key);
    if (!ch || !(json_is_object(ch) || json_is_array(ch)))
        return NULL;
    if (ch->refcount == 1)
        return ch;
    json_t *cp = json_copy(ch);
    if (!cp)
        sl_oom();
    if (assign(c, key, cp) < 0)
        return NULL;
    return cp;
}

static bool forbidden(const char *k)
{
    return !strcmp(k, "__proto__") || !strcmp(k, "constructor") || !strcmp(k, "prototype");
}

int sl_jpath_set_ex(json_t **root, const char *path, json_t *value, unsigned flags)
{
    if (!root || !*root || !path || !(json_is_object(*root) || json_is_array(*root))) {
        json_decref(value);
        return SL_ERR_INVALID;
    }
    struct segs sg;
    cast_path(*root, path, flags, &sg);
    int rc = 0;
    for (size_t i = 0; i < sg.n; i++)
        if (forbidden(sg.v[i]))
            rc = SL_ERR_INVALID;
    if (rc || !sg.n) {
        json_decref(value);
        segs_release(&sg);
        return rc;
    }
    *root = sl_jpath_own(*root);
    json_t *cur = *root;
    for (size_t i = 0; i + 1 < sg.n; i++) {
        json_t *next = child_own(cur, sg.v[i]);
        if (!next) {
            next = key_index(sg.v[i + 1], NULL) ? json_array() : json_object();
            rc = assign(cur, sg.v[i], next);
            if (rc < 0) {
                json_decref(value);
                segs_release(&sg);
                return rc;
            }
        }
        cur = next;
    }
    rc = assign(cur, sg.v[sg.n - 1], value);
    segs_release(&sg);
    return rc;
}

int sl_jpath_set(json_t **root, const char *path, json_t *value)
{
    return sl_jpath_set_ex(root, path, value, 0);
}

int sl_jpath_unset_ex(json_t **root, const char *path, unsigned flags)
{
    if (!root || !*root || !path)
        return 0;
    struct segs sg;
    cast_path(*root, path, flags, &sg);
    if (!sg.n) {
        segs_release(&sg);
        return 0;
    }
    /* Look first, so that a missing path copies nothing. */
    const json_t *cur = *root;
    for (size_t i = 0; cur && i + 1 < sg.n; i++)
        cur = child_get(cur, sg.v[i]);
    if (!cur || !child_get(cur, sg.v[sg.n - 1])) {
        segs_release(&sg);
        return 0;
    }
    *root = sl_jpath_own(*root);
    json_t *c = *root;
    for (size_t i = 0; c && i + 1 < sg.n; i++)
        c = child_own(c, sg.v[i]);
    int removed = 0;
    if (c) {
        const char *k = sg.v[sg.n - 1];
        size_t idx;
        if (json_is_object(c))
            removed = json_object_del(c, k) == 0;
        else if (json_is_array(c) && key_index(k, &idx))
            removed = json_array_set_new(c, idx, json_null()) == 0;
    }
    segs_release(&sg);
    return removed;
}

int sl_jpath_unset(json_t **root, const char *path)
{
    return sl_jpath_unset_ex(root, path, 0);
}
