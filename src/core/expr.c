/*
 * Expression resolution for node parameters (see expr.h).
 */
#include "core/expr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine_int.h"
#include "js/js.h"
#include "util/alloc.h"

static const char *skip_ws(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

bool sl_expr_fast_path(const char *code, json_t *json, json_t **out)
{
    const char *p = skip_ws(code);
    if (strncmp(p, "$json", 5))
        return false;
    p += 5;
    json_t *cur = json;
    bool missing = false;
    char key[256];
    while (*p && !isspace((unsigned char)*p)) {
        size_t kl = 0;
        bool index = false;
        long idx = 0;
        if (*p == '.') {
            p++;
            if (!(isalpha((unsigned char)*p) || *p == '_' || *p == '$'))
                return false;
            while (isalnum((unsigned char)*p) || *p == '_' || *p == '$') {
                if (kl + 1 >= sizeof key)
                    return false;
                key[kl++] = *p++;
            }
        } else if (*p == '[') {
            p = skip_ws(p + 1);
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                while (*p && *p != q) {
                    if (*p == '\\' || kl + 1 >= sizeof key)
                        return false;
                    key[kl++] = *p++;
                }
                if (*p != q)
                    return false;
                p++;
            } else if (isdigit((unsigned char)*p)) {
                char *end;
                idx = strtol(p, &end, 10);
                p = end;
                index = true;
            } else {
                return false;
            }
            p = skip_ws(p);
            if (*p != ']')
                return false;
            p++;
        } else {
            return false;
        }
        key[kl] = '\0';
        if (missing)
            return false; /* JavaScript would throw on undefined.x */
        if (index) {
            if (json_is_array(cur))
                cur = json_array_get(cur, (size_t)idx);
            else if (json_is_object(cur)) {
                char num[32];
                snprintf(num, sizeof num, "%ld", idx);
                cur = json_object_get(cur, num);
            } else
                return false;
        } else if (json_is_object(cur)) {
            cur = json_object_get(cur, key);
        } else {
            return false; /* strings, arrays: properties like .length */
        }
        if (!cur)
            missing = true;
        else if (json_is_null(cur) && *skip_ws(p))
            return false;
    }
    if (*skip_ws(p))
        return false;
    *out = cur ? json_incref(cur) : NULL;
    return true;
}

/* A template made of exactly one {{ }} and nothing else: its code. */
static char *single_code(const char *t)
{
    const char *a = strstr(t, "{{");
    if (a != t)
        return NULL;
    const char *b = strstr(a + 2, "}}");
    if (!b || b[2] != '\0' || strstr(a + 2, "{{"))
        return NULL;
    return sl_strndup(a + 2, (size_t)(b - a - 2));
}

static json_t *eval_string(struct sl_node_ctx *ctx, const char *s, size_t item, char **err)
{
    const char *t = s + 1;
    if (!strstr(t, "{{"))
        return json_string(t);
    char *code = single_code(t);
    if (code) {
        json_t *input = ctx->input0;
        json_t *json = sl_item_json(json_array_get(input, item));
        json_t *out = NULL;
        bool ok = json && sl_expr_fast_path(code, json, &out);
        free(code);
        if (ok)
            return out;
    }
    return sl_js_eval(sl_exec_js(ctx->ex), ctx, t, item, err);
}

/* Whether a value can hold an expression. */
static bool may_hold_expr(const json_t *v)
{
    return json_is_object(v) || json_is_array(v) ||
           (json_is_string(v) && json_string_value(v)[0] == '=');
}

/* Resolves one child of a container. Returns false on error. When the child
 * changed, *copy (the container's copy, made on first change) gets the new
 * value through `put`; an undefined result is passed as NULL. */
static bool resolve_child(struct sl_node_ctx *ctx, json_t *container, json_t **copy, json_t *child,
                          size_t item, char **err,
                          void (*put)(json_t *copy, const void *slot, json_t *value),
                          const void *slot)
{
    json_t *r = sl_expr_resolve(ctx, child, item, err);
    if (*err)
        return false;
    if (r == child) {
        json_decref(r);
        return true;
    }
    if (!*copy)
        *copy = json_copy(container);
    put(*copy, slot, r);
    return true;
}

static void put_key(json_t *copy, const void *slot, json_t *value)
{
    if (value)
        json_object_set_new(copy, slot, value);
    else
        json_object_del(copy, slot); /* undefined drops the key */
}

static void put_index(json_t *copy, const void *slot, json_t *value)
{
    json_array_set_new(copy, *(const size_t *)slot, value ? value : json_null());
}

json_t *sl_expr_resolve(struct sl_node_ctx *ctx, json_t *value, size_t item, char **err)
{
    *err = NULL;
    if (json_is_string(value)) {
        const char *s = json_string_value(value);
        if (s[0] != '=')
            return json_incref(value);
        return eval_string(ctx, s, item, err);
    }
    json_t *res = NULL;
    bool ok = true;
    if (json_is_object(value)) {
        const char *k;
        json_t *v;
        json_object_foreach(value, k, v)
        {
            if (may_hold_expr(v) &&
                !(ok = resolve_child(ctx, value, &res, v, item, err, put_key, k)))
                break;
        }
    } else if (json_is_array(value)) {
        size_t i;
        json_t *v;
        json_array_foreach(value, i, v)
        {
            if (may_hold_expr(v) &&
                !(ok = resolve_child(ctx, value, &res, v, item, err, put_index, &i)))
                break;
        }
    }
    if (!ok) {
        json_decref(res);
        return NULL;
    }
    return res ? res : json_incref(value);
}
