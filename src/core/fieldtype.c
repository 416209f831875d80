/*
 * n8n's field type rules (core/fieldtype.h).
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/fieldtype.h"
#include "core/jsvalue.h"
#include "util/alloc.h"

/* ------------------------------------------------------------------ */
/* JavaScript values (the rules themselves are in core/jsvalue.h)     */
/* ------------------------------------------------------------------ */

/* A JS number as JSON: an integer when it is one, null when not finite
 * (what JSON.stringify makes of it). */
json_t *sl_ft_number(double d)
{
    if (!isfinite(d))
        return json_null();
    if (d == floor(d) && fabs(d) < 9007199254740992.0)
        return json_integer((json_int_t)d);
    return json_real(d);
}

/* Normalises numbers parsed as reals: integral values become integers. */
static json_t *norm_numbers(json_t *v)
{
    if (json_is_real(v)) {
        json_t *n = sl_ft_number(json_real_value(v));
        json_decref(v);
        return n;
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            json_array_set_new(v, i, norm_numbers(json_incref(json_array_get(v, i))));
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, x)
        {
            json_object_set_new(v, k, norm_numbers(json_incref(x)));
        }
    }
    return v;
}

/* JSON.parse(s): a new reference or NULL when s is not JSON. */
json_t *sl_ft_json_parse(const char *s)
{
    json_error_t e;
    json_t *v = json_loads(s, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &e);
    return v ? norm_numbers(v) : NULL;
}

/* A small parser for JavaScript object literals ({a: 'x', "b": [1,]}),
 * n8n's jsonParse(..., {acceptJSObject: true}) fallback. */
struct jsp {
    const char *p;
};

static void jsp_ws(struct jsp *j)
{
    while (*j->p && (isspace((unsigned char)*j->p)))
        j->p++;
}

static json_t *jsp_value(struct jsp *j, int depth);

static char *jsp_string(struct jsp *j)
{
    char q = *j->p++;
    struct sl_buf b = {0};
    while (*j->p && *j->p != q) {
        if (*j->p == '\\' && j->p[1]) {
            j->p++;
            char c = *j->p++;
            switch (c) {
            case 'n':
                sl_buf_addc(&b, '\n');
                break;
            case 't':
                sl_buf_addc(&b, '\t');
                break;
            case 'r':
                sl_buf_addc(&b, '\r');
                break;
            case 'b':
                sl_buf_addc(&b, '\b');
                break;
            case 'f':
                sl_buf_addc(&b, '\f');
                break;
            default:
                sl_buf_addc(&b, c);
                break;
            }
            continue;
        }
        sl_buf_addc(&b, *j->p++);
    }
    if (*j->p != q) {
        sl_buf_release(&b);
        return NULL;
    }
    j->p++;
    return sl_buf_steal(&b);
}

static bool jsp_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

static json_t *jsp_value(struct jsp *j, int depth)
{
    if (depth > 200)
        return NULL;
    jsp_ws(j);
    char c = *j->p;
    if (c == '{' || c == '[') {
        bool obj = c == '{';
        json_t *out = obj ? json_object() : json_array();
        j->p++;
        for (;;) {
            jsp_ws(j);
            if (*j->p == (obj ? '}' : ']')) {
                j->p++;
                return out;
            }
            char *key = NULL;
            if (obj) {
                if (*j->p == '"' || *j->p == '\'') {
                    key = jsp_string(j);
                } else if (jsp_ident_char(*j->p)) {
                    const char *s = j->p;
                    while (jsp_ident_char(*j->p))
                        j->p++;
                    key = sl_strndup(s, (size_t)(j->p - s));
                }
                jsp_ws(j);
                if (!key || *j->p != ':') {
                    free(key);
                    json_decref(out);
                    return NULL;
                }
                j->p++;
            }
            json_t *v = jsp_value(j, depth + 1);
            if (!v) {
                free(key);
                json_decref(out);
                return NULL;
            }
            if (obj)
                json_object_set_new(out, key, v);
            else
                json_array_append_new(out, v);
            free(key);
            jsp_ws(j);
            if (*j->p == ',')
                j->p++;
            else if (*j->p != (obj ? '}' : ']')) {
                json_decref(out);
                return NULL;
            }
        }
    }
    if (c == '"' || c == '\'') {
        char *s = jsp_string(j);
        if (!s)
            return NULL;
        json_t *v = json_string(s);
        free(s);
        return v;
    }
    const char *s = j->p;
    while (*j->p && (isalnum((unsigned char)*j->p) || strchr("+-._", *j->p)))
        j->p++;
    size_t n = (size_t)(j->p - s);
    if (n == 4 && !strncmp(s, "true", 4))
        return json_true();
    if (n == 5 && !strncmp(s, "false", 5))
        return json_false();
    if (n == 4 && !strncmp(s, "null", 4))
        return json_null();
    if (!n)
        return NULL;
    char *t = sl_strndup(s, n);
    double d = sl_jsv_str_to_number(t);
    free(t);
    return isnan(d) ? NULL : sl_ft_number(d);
}

json_t *sl_ft_js_object(const char *s)
{
    struct jsp j = {s};
    jsp_ws(&j);
    if (*j.p != '{')
        return NULL;
    json_t *v = jsp_value(&j, 0);
    jsp_ws(&j);
    if (v && *j.p && *j.p != ';') {
        json_decref(v);
        return NULL;
    }
    return v;
}

/* ------------------------------------------------------------------ */
/* n8n's validateFieldType                                             */
/* ------------------------------------------------------------------ */

/* getValueDescription(value) into a heap string. */
char *sl_ft_describe(const json_t *v)
{
    if (v && json_is_null(v))
        return sl_strdup("'null'");
    if (json_is_array(v))
        return sl_strdup("array");
    if (json_is_object(v))
        return sl_strdup("object");
    char *s = sl_jsv_to_string(v);
    char *d = sl_asprintf("'%s'", s);
    free(s);
    return d;
}

static bool str_is_blank(const char *s)
{
    const char *b, *e;
    sl_jsv_trim(s, &b, &e);
    return b == e;
}

/* tryToParseBoolean */
static json_t *parse_bool(const json_t *v)
{
    if (json_is_boolean(v))
        return json_incref((json_t *)v);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!strcasecmp(s, "true"))
            return json_true();
        if (!strcasecmp(s, "false"))
            return json_false();
        if (str_is_blank(s))
            return NULL;
    }
    double d = sl_jsv_to_number(v); /* NaN is neither */
    if (d == 0)
        return json_false();
    if (d == 1)
        return json_true();
    return NULL;
}

/* tryToParseArray */
static json_t *parse_array(const json_t *v)
{
    if (json_is_array(v))
        return json_incref((json_t *)v);
    char *s = sl_jsv_to_string(v);
    json_t *r = sl_ft_json_parse(s);
    if (!r) {
        for (char *p = s; *p; p++)
            if (*p == '\'')
                *p = '"';
        r = sl_ft_json_parse(s);
    }
    free(s);
    if (r && !json_is_array(r)) {
        json_decref(r);
        r = NULL;
    }
    return r;
}

/* tryToParseObject; *ok is false when the value is not an object. */
static json_t *parse_object(const json_t *v, bool *ok)
{
    *ok = true;
    if (json_is_object(v))
        return json_incref((json_t *)v);
    char *s = sl_jsv_to_string(v);
    json_t *r = sl_ft_json_parse(s);
    if (!r)
        r = sl_ft_js_object(s);
    free(s);
    if (!r || json_is_array(r) || !(json_is_object(r) || json_is_null(r))) {
        json_decref(r);
        *ok = false;
        return NULL;
    }
    return r;
}

/* validateFieldType(name, value, type): the converted value (new
 * reference; json null for null/undefined) or NULL when invalid. */
json_t *sl_ft_convert(const json_t *v, const char *type)
{
    if (!v || json_is_null(v))
        return json_null();
    if (!strcasecmp(type, "number")) {
        double d = sl_jsv_to_number(v);
        return isnan(d) ? NULL : sl_ft_number(d);
    }
    if (!strcasecmp(type, "boolean"))
        return parse_bool(v);
    if (!strcasecmp(type, "array"))
        return parse_array(v);
    if (!strcasecmp(type, "object")) {
        bool ok;
        json_t *r = parse_object(v, &ok);
        return ok ? r : NULL;
    }
    return json_incref((json_t *)v);
}
