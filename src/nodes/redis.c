/*
 * Redis (n8n-nodes-base.redis v1): get, set, delete, incr, keys, publish,
 * push, pop, llen and info against the server of a `redis` credential,
 * over hiredis (connections pooled per credential, redis_conn.h).
 *
 * Item shapes are n8n's: get and pop build a new item holding only the
 * value at `propertyName` (a lodash path unless options.dotNotation is
 * false); incr and llen answer {<key>: number}; keys answers {keys: [...]}
 * or {<key>: value, ...}; info answers one item with INFO parsed into an
 * object (n8n's convertInfoToObject: numbers where a value is digits and
 * dots, "a=1,b=2" values as objects); delete, set, publish and push pass
 * their input item through. A key read with keyType "automatic" asks
 * TYPE first; n8n reads only string, hash, list and the type it calls
 * "sets", so a set or sorted set read automatically gives null (get) or
 * is left out (keys), as in n8n.
 *
 * Set follows n8n's setValue: "automatic" picks string, list or hash
 * from the value's JavaScript type; a hash value is parsed as JSON when
 * valueIsJSON (default true), else split on spaces into field value
 * pairs; a list value is written with LSET index by index (so the list
 * must already be that long). Redis' own error texts (WRONGTYPE, ERR no
 * such key, NOAUTH, ...) are the node's messages, per item under
 * continueOnFail. Connecting and logging in happen before any item, as
 * in n8n, so those failures fail the node whatever onError says.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/jpath.h"
#include "core/jsvalue.h"
#include "nodes/node.h"
#include "nodes/redis_conn.h"
#include "util/alloc.h"

static const double versions[] = {1, 0};

/* One run of the node: its context and connection. */
struct rnode {
    struct sl_node_ctx *ctx;
    json_t *cred;
    struct sl_redis_conn *conn;
    char err[512];
};

/* ------------------------------------------------------------ commands */

/* Sends argv (lengths `lens`, or NULL for C strings) on the run's
 * connection, reopening it first when it broke on an earlier item.
 * Returns the reply, or NULL with the reason in r->err: Redis' error
 * reply as it is, or what broke the connection. */
static redisReply *rcmd(struct rnode *r, int argc, const char **argv, const size_t *lens)
{
    if (!r->conn || r->conn->rc->err) {
        sl_redis_release(r->conn);
        r->conn = sl_redis_acquire(r->cred, r->err, sizeof r->err);
        if (!r->conn)
            return NULL;
    }
    redisReply *rep = redisCommandArgv(r->conn->rc, argc, argv, lens);
    if (!rep) {
        snprintf(r->err, sizeof r->err, "%s",
                 r->conn->rc->errstr[0] ? r->conn->rc->errstr : "Socket closed unexpectedly");
        return NULL;
    }
    if (rep->type == REDIS_REPLY_ERROR) {
        snprintf(r->err, sizeof r->err, "%s", rep->str ? rep->str : "ERR");
        freeReplyObject(rep);
        return NULL;
    }
    return rep;
}

/* A two-argument command whose reply is not needed; 0 or -1. */
static int rcmd2(struct rnode *r, const char *cmd, const char *a)
{
    const char *argv[] = {cmd, a};
    redisReply *rep = rcmd(r, 2, argv, NULL);
    freeReplyObject(rep);
    return rep ? 0 : -1;
}

static int rcmd3(struct rnode *r, const char *cmd, const char *a, const char *b)
{
    const char *argv[] = {cmd, a, b};
    redisReply *rep = rcmd(r, 3, argv, NULL);
    freeReplyObject(rep);
    return rep ? 0 : -1;
}

/* A reply as node-redis hands it to n8n: bulk strings as text (bytes that
 * are not UTF-8 become U+FFFD), nil as null, arrays as arrays. */
static json_t *reply_json(const redisReply *rep)
{
    switch (rep->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        return sl_jsv_utf8_decode(rep->str, rep->len);
    case REDIS_REPLY_INTEGER:
        return json_integer(rep->integer);
    case REDIS_REPLY_ARRAY: {
        json_t *a = json_array();
        for (size_t i = 0; i < rep->elements; i++)
            json_array_append_new(a, reply_json(rep->element[i]));
        return a;
    }
    default:
        return json_null();
    }
}

/* n8n's getValue: the value of `key` read as `type` ("automatic" asks
 * TYPE first). Returns a new reference, or NULL for JavaScript's
 * undefined (a type n8n does not read); *failed tells an error (message
 * in r->err) from undefined. */
static json_t *get_value(struct rnode *r, const char *key, const char *type, bool *failed)
{
    *failed = false;
    char *asked = NULL;
    if (!strcmp(type, "automatic")) {
        const char *argv[] = {"TYPE", key};
        redisReply *rep = rcmd(r, 2, argv, NULL);
        if (!rep) {
            *failed = true;
            return NULL;
        }
        asked = sl_strndup(rep->str ? rep->str : "", rep->str ? rep->len : 0);
        freeReplyObject(rep);
        type = asked;
    }
    const char *cmd = !strcmp(type, "string") ? "GET"
                      : !strcmp(type, "hash") ? "HGETALL"
                      : !strcmp(type, "list") ? "LRANGE"
                      : !strcmp(type, "sets") ? "SMEMBERS"
                                              : NULL;
    json_t *out = NULL;
    if (cmd) {
        const char *argv[] = {cmd, key, "0", "-1"};
        redisReply *rep = rcmd(r, !strcmp(cmd, "LRANGE") ? 4 : 2, argv, NULL);
        if (!rep) {
            *failed = true;
        } else if (!strcmp(cmd, "HGETALL")) {
            out = json_object();
            for (size_t i = 0; i + 1 < rep->elements; i += 2) {
                json_t *f = reply_json(rep->element[i]);
                json_object_set_new(out, json_string_value(f), reply_json(rep->element[i + 1]));
                json_decref(f);
            }
        } else {
            out = reply_json(rep);
        }
        freeReplyObject(rep);
    }
    free(asked);
    return out;
}

/* --------------------------------------------------------------- params */

/* A parameter as text: strings as they are, other values through
 * JavaScript's String(). 0, or the node error. */
static int ptext(struct sl_node_ctx *ctx, const char *name, size_t i, const char *dflt, char **out)
{
    json_t *d = json_string(dflt);
    json_t *v = sl_ctx_param(ctx, name, i, d);
    json_decref(d);
    if (!v)
        return SL_ERR_NODE;
    *out = json_is_string(v) ? sl_strdup(json_string_value(v)) : sl_jsv_to_string(v);
    json_decref(v);
    return 0;
}

/* Writes `value` (stolen) at `path` of a new {} as get and pop do. */
static json_t *property_item(struct sl_node_ctx *ctx, size_t i, const char *path, json_t *value)
{
    json_t *empty = json_object();
    json_t *options = sl_ctx_param(ctx, "options", i, empty);
    json_decref(empty);
    bool dots = true;
    if (options) {
        json_t *dn = json_object_get(options, "dotNotation");
        dots = !json_is_false(dn);
        json_decref(options);
    } else {
        sl_ctx_clear_error(ctx);
    }
    json_t *json = json_object();
    (void)sl_jpath_set_ex(&json, path, value, dots ? 0 : SL_JPATH_LITERAL);
    return sl_item_new_paired(json, i);
}

/* ------------------------------------------------------------------ set */

/* The characters of a string one by one, as JavaScript indexes them (by
 * code point here). New array of strings. */
static json_t *chars_of(const char *s)
{
    json_t *a = json_array();
    while (*s) {
        size_t n = 1;
        while (s[n] && ((unsigned char)s[n] & 0xC0) == 0x80)
            n++;
        json_array_append_new(a, json_stringn(s, n));
        s += n;
    }
    return a;
}

/* value.toString() for n8n's setValue: fails on null, as JavaScript does. */
static char *to_string_checked(struct rnode *r, const json_t *v)
{
    if (!v || json_is_null(v)) {
        snprintf(r->err, sizeof r->err, "Cannot read properties of %s (reading 'toString')",
                 v ? "null" : "undefined");
        return NULL;
    }
    return json_is_string(v) ? sl_strdup(json_string_value(v)) : sl_jsv_to_string(v);
}

static int set_hash(struct rnode *r, const char *key, const json_t *value, bool value_is_json)
{
    if (!value_is_json) {
        char *text = to_string_checked(r, value);
        if (!text)
            return -1;
        json_t *parts = json_array();
        for (char *p = text, *sp;; p = sp + 1) {
            sp = strchr(p, ' ');
            json_array_append_new(parts, sp ? json_stringn(p, (size_t)(sp - p)) : json_string(p));
            if (!sp)
                break;
        }
        free(text);
        size_t n = json_array_size(parts);
        const char **argv = sl_malloc((n + 2) * sizeof *argv);
        argv[0] = "HSET";
        argv[1] = key;
        for (size_t k = 0; k < n; k++)
            argv[k + 2] = json_string_value(json_array_get(parts, k));
        redisReply *rep = rcmd(r, (int)n + 2, argv, NULL);
        freeReplyObject(rep);
        free(argv);
        json_decref(parts);
        return rep ? 0 : -1;
    }
    json_t *values = NULL;
    if (json_is_string(value)) {
        values = json_loads(json_string_value(value), JSON_DECODE_ANY, NULL);
        if (!values)
            values = json_incref((json_t *)value);
    } else {
        values = json_incref((json_t *)value);
    }
    int rc = 0;
    json_t *fields = NULL, *keys = NULL;
    if (json_is_null(values)) {
        snprintf(r->err, sizeof r->err, "Cannot convert undefined or null to object");
        rc = -1;
    } else if (json_is_object(values)) {
        keys = sl_jsv_keys(values);
        fields = json_incref(values);
    } else if (json_is_array(values) || json_is_string(values)) {
        /* Object.keys of an array or a string: its indices */
        fields = json_is_array(values) ? json_incref(values) : chars_of(json_string_value(values));
        keys = json_array();
        for (size_t k = 0; k < json_array_size(fields); k++)
            json_array_append_new(keys, json_sprintf("%zu", k));
    } /* numbers and booleans have no keys: nothing is written */
    for (size_t k = 0; !rc && k < json_array_size(keys); k++) {
        const char *f = json_string_value(json_array_get(keys, k));
        const json_t *v =
            json_is_object(fields) ? json_object_get(fields, f) : json_array_get(fields, k);
        char *text = to_string_checked(r, v);
        const char *argv[] = {"HSET", key, f, text};
        redisReply *rep = text ? rcmd(r, 4, argv, NULL) : NULL;
        rc = rep ? 0 : -1;
        freeReplyObject(rep);
        free(text);
    }
    json_decref(keys);
    json_decref(fields);
    json_decref(values);
    return rc;
}

/* n8n's setValue; 0 or -1 with the message in r->err. */
static int set_value(struct rnode *r, const char *key, const json_t *value, const char *type,
                     bool value_is_json)
{
    if (!strcmp(type, "automatic")) {
        if (json_is_string(value))
            type = "string";
        else if (json_is_array(value))
            type = "list";
        else if (json_is_object(value) || json_is_null(value))
            type = "hash";
        else {
            snprintf(r->err, sizeof r->err,
                     "Could not identify the type to set. Please set it manually!");
            return -1;
        }
    }
    if (!strcmp(type, "string")) {
        char *text = to_string_checked(r, value);
        int rc = text ? rcmd3(r, "SET", key, text) : -1;
        free(text);
        return rc;
    }
    if (!strcmp(type, "hash"))
        return set_hash(r, key, value, value_is_json);
    if (!strcmp(type, "list")) {
        if (json_is_null(value)) {
            snprintf(r->err, sizeof r->err, "Cannot read properties of null (reading 'length')");
            return -1;
        }
        json_t *list = json_is_array(value)    ? json_incref((json_t *)value)
                       : json_is_string(value) ? chars_of(json_string_value(value))
                                               : json_array();
        int rc = 0;
        for (size_t k = 0; !rc && k < json_array_size(list); k++) {
            char *text = to_string_checked(r, json_array_get(list, k));
            char idx[24];
            snprintf(idx, sizeof idx, "%zu", k);
            const char *argv[] = {"LSET", key, idx, text};
            redisReply *rep = text ? rcmd(r, 4, argv, NULL) : NULL;
            rc = rep ? 0 : -1;
            freeReplyObject(rep);
            free(text);
        }
        json_decref(list);
        return rc;
    }
    if (!strcmp(type, "sets")) {
        json_t *members =
            json_is_array(value) ? json_incref((json_t *)value) : json_pack("[O]", value);
        size_t n = json_array_size(members);
        const char **argv = sl_calloc(n + 2, sizeof *argv);
        char **texts = sl_calloc(n + 1, sizeof *texts);
        argv[0] = "SADD";
        argv[1] = key;
        int rc = 0;
        for (size_t k = 0; !rc && k < n; k++) {
            texts[k] = to_string_checked(r, json_array_get(members, k));
            argv[k + 2] = texts[k];
            rc = texts[k] ? 0 : -1;
        }
        if (!rc && n > 0) {
            redisReply *rep = rcmd(r, (int)n + 2, argv, NULL);
            rc = rep ? 0 : -1;
            freeReplyObject(rep);
        }
        for (size_t k = 0; k < n; k++)
            free(texts[k]);
        free(texts);
        free(argv);
        json_decref(members);
        return rc;
    }
    return 0; /* another keyType: n8n writes nothing */
}

/* EXPIRE key ttl, the ttl as JavaScript writes the number. */
static int expire(struct rnode *r, const char *key, double ttl)
{
    char num[SL_JSV_NUM_MAX];
    sl_jsv_num_format(ttl, num);
    return rcmd3(r, "EXPIRE", key, num);
}

/* ----------------------------------------------------------------- info */

/* n8n's getParsedValue: a number when the text is only digits and dots
 * (parseFloat of it), else the text. */
static json_t *parsed_value(const char *s, size_t n)
{
    bool numeric = n > 0;
    for (size_t k = 0; k < n; k++)
        if (!(s[k] == '.' || (s[k] >= '0' && s[k] <= '9')))
            numeric = false;
    if (!numeric)
        return json_stringn(s, n);
    char *t = sl_strndup(s, n), *end;
    double d = strtod(t, &end);
    /* parseFloat stops at a second dot: strtod does the same */
    free(t);
    if (end == t)
        return json_null(); /* parseFloat(".") is NaN, which JSON shows as null */
    if (d == floor(d) && fabs(d) < 9e15)
        return json_integer((json_int_t)d);
    return json_real(d);
}

/* n8n's convertInfoToObject over INFO's text. */
static json_t *info_object(const char *text)
{
    json_t *out = json_object();
    const char *line = text;
    while (*line) {
        size_t len = strcspn(line, "\n");
        const char *next = line[len] ? line + len + 1 : line + len;
        if (len == 0 || line[0] == '#') {
            line = next;
            continue;
        }
        /* [key, value] = line.split(':'): the text up to the first and
         * between the first and second colon */
        const char *c1 = memchr(line, ':', len);
        if (!c1) {
            line = next;
            continue;
        }
        const char *vs = c1 + 1, *ve = memchr(vs, ':', (size_t)(line + len - vs));
        if (!ve)
            ve = line + len;
        while (vs < ve && (*vs == ' ' || *vs == '\t' || *vs == '\r'))
            vs++;
        while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
            ve--;
        char *key = sl_strndup(line, (size_t)(c1 - line));
        if (memchr(vs, '=', (size_t)(ve - vs))) {
            json_t *sub = json_object();
            for (const char *p = vs; p <= ve;) {
                const char *pe = memchr(p, ',', (size_t)(ve - p));
                if (!pe)
                    pe = ve;
                const char *eq = memchr(p, '=', (size_t)(pe - p));
                if (eq) {
                    const char *v2e = memchr(eq + 1, '=', (size_t)(pe - eq - 1));
                    char *k2 = sl_strndup(p, (size_t)(eq - p));
                    json_object_set_new(sub, k2,
                                        parsed_value(eq + 1, (size_t)((v2e ? v2e : pe) - eq - 1)));
                    free(k2);
                }
                p = pe + 1;
            }
            json_object_set_new(out, key, sub);
        } else {
            json_object_set_new(out, key, parsed_value(vs, (size_t)(ve - vs)));
        }
        free(key);
        line = next;
    }
    return out;
}

/* -------------------------------------------------------------- execute */

/* Runs `op` for input item `i`; 0, or -1 with the message in r->err, or
 * SL_ERR_NODE when reading a parameter failed (message on ctx). */
static int run_item(struct rnode *r, const char *op, size_t i, const json_t *in)
{
    struct sl_node_ctx *ctx = r->ctx;
    char *key = NULL, *s1 = NULL, *s2 = NULL;
    json_t *value = NULL;
    int rc = SL_ERR_NODE;
    bool b1 = false;
    double ttl = 60;
    if (!strcmp(op, "delete")) {
        if (ptext(ctx, "key", i, "", &key))
            goto out;
        rc = rcmd2(r, "DEL", key);
        if (!rc)
            sl_ctx_out(ctx, 0, json_incref((json_t *)in));
    } else if (!strcmp(op, "get")) {
        if (ptext(ctx, "propertyName", i, "propertyName", &s1) || ptext(ctx, "key", i, "", &key) ||
            ptext(ctx, "keyType", i, "automatic", &s2))
            goto out;
        bool failed;
        value = get_value(r, key, s2, &failed);
        rc = failed ? -1 : 0;
        if (!rc)
            sl_ctx_out(ctx, 0, property_item(ctx, i, s1, value ? value : json_null()));
        value = NULL;
    } else if (!strcmp(op, "keys")) {
        if (ptext(ctx, "keyPattern", i, "", &s1) ||
            sl_ctx_param_bool(ctx, "getValues", i, true, &b1))
            goto out;
        const char *argv[] = {"KEYS", s1};
        redisReply *rep = rcmd(r, 2, argv, NULL);
        rc = rep ? 0 : -1;
        json_t *keys = rep ? reply_json(rep) : NULL;
        freeReplyObject(rep);
        if (!rc && !b1) {
            sl_ctx_out(ctx, 0, sl_item_new(json_pack("{so}", "keys", keys)));
            keys = NULL;
        } else if (!rc) {
            json_t *json = json_object();
            size_t k;
            json_t *name;
            json_array_foreach(keys, k, name)
            {
                bool failed;
                json_t *v = get_value(r, json_string_value(name), "automatic", &failed);
                if (failed) {
                    rc = -1;
                    break;
                }
                if (v) /* undefined is left out of the item */
                    json_object_set_new(json, json_string_value(name), v);
            }
            if (!rc)
                sl_ctx_out(ctx, 0, sl_item_new_paired(json, i));
            else
                json_decref(json);
        }
        json_decref(keys);
    } else if (!strcmp(op, "llen")) {
        if (ptext(ctx, "list", i, "", &key))
            goto out;
        const char *argv[] = {"LLEN", key};
        redisReply *rep = rcmd(r, 2, argv, NULL);
        rc = rep ? 0 : -1;
        if (rep)
            sl_ctx_out(ctx, 0, sl_item_new_paired(json_pack("{sI}", key, rep->integer), i));
        freeReplyObject(rep);
    } else if (!strcmp(op, "set")) {
        json_t *empty = json_string("");
        value = sl_ctx_param(ctx, "value", i, empty);
        json_decref(empty);
        if (!value || ptext(ctx, "key", i, "", &key) ||
            ptext(ctx, "keyType", i, "automatic", &s1) ||
            sl_ctx_param_bool(ctx, "valueIsJSON", i, true, &b1))
            goto out;
        bool exp;
        if (sl_ctx_param_bool(ctx, "expire", i, false, &exp) ||
            (exp && sl_ctx_param_num(ctx, "ttl", i, 60, &ttl)))
            goto out;
        rc = set_value(r, key, value, s1, b1);
        if (!rc && exp)
            rc = expire(r, key, ttl);
        if (!rc)
            sl_ctx_out(ctx, 0, json_incref((json_t *)in));
    } else if (!strcmp(op, "incr")) {
        bool exp;
        if (ptext(ctx, "key", i, "", &key) || sl_ctx_param_bool(ctx, "expire", i, false, &exp) ||
            (exp && sl_ctx_param_num(ctx, "ttl", i, 60, &ttl)))
            goto out;
        const char *argv[] = {"INCR", key};
        redisReply *rep = rcmd(r, 2, argv, NULL);
        rc = rep ? 0 : -1;
        long long n = rep ? rep->integer : 0;
        freeReplyObject(rep);
        if (!rc && exp && ttl > 0)
            rc = expire(r, key, ttl);
        if (!rc)
            sl_ctx_out(ctx, 0, sl_item_new(json_pack("{sI}", key, (json_int_t)n)));
    } else if (!strcmp(op, "publish")) {
        if (ptext(ctx, "channel", i, "", &key) || ptext(ctx, "messageData", i, "", &s1))
            goto out;
        rc = rcmd3(r, "PUBLISH", key, s1);
        if (!rc)
            sl_ctx_out(ctx, 0, json_incref((json_t *)in));
    } else if (!strcmp(op, "push")) {
        if (ptext(ctx, "list", i, "", &key) || ptext(ctx, "messageData", i, "", &s1) ||
            sl_ctx_param_bool(ctx, "tail", i, false, &b1))
            goto out;
        rc = rcmd3(r, b1 ? "RPUSH" : "LPUSH", key, s1);
        if (!rc)
            sl_ctx_out(ctx, 0, json_incref((json_t *)in));
    } else if (!strcmp(op, "pop")) {
        if (ptext(ctx, "list", i, "", &key) || sl_ctx_param_bool(ctx, "tail", i, false, &b1) ||
            ptext(ctx, "propertyName", i, "propertyName", &s1))
            goto out;
        const char *argv[] = {b1 ? "RPOP" : "LPOP", key};
        redisReply *rep = rcmd(r, 2, argv, NULL);
        rc = rep ? 0 : -1;
        if (rep) {
            /* value && JSON.parse(value), the text itself when it is not JSON */
            json_t *v = reply_json(rep);
            if (json_is_string(v) && json_string_length(v) > 0) {
                json_t *parsed = json_loads(json_string_value(v), JSON_DECODE_ANY, NULL);
                if (parsed) {
                    json_decref(v);
                    v = parsed;
                }
            }
            sl_ctx_out(ctx, 0, property_item(ctx, i, s1, v));
        }
        freeReplyObject(rep);
    } else {
        rc = 0; /* an operation n8n does not know: no output, as in n8n */
    }
out:
    free(key);
    free(s1);
    free(s2);
    json_decref(value);
    return rc;
}

static int execute(struct sl_node_ctx *ctx)
{
    struct rnode r = {.ctx = ctx};
    r.cred = sl_ctx_credential(ctx, "redis");
    if (!r.cred)
        return SL_ERR_NODE;
    char *op = NULL;
    int rc = 0;
    r.conn = sl_redis_acquire(r.cred, r.err, sizeof r.err);
    if (!r.conn) {
        rc = sl_ctx_fail(ctx, "%s", r.err);
        goto out;
    }
    if (sl_ctx_param_str(ctx, "operation", 0, "info", &op)) {
        rc = SL_ERR_NODE;
        goto out;
    }
    if (!strcmp(op, "info")) {
        const char *argv[] = {"INFO"};
        redisReply *rep = rcmd(&r, 1, argv, NULL);
        if (rep) {
            sl_ctx_out(ctx, 0, sl_item_new(info_object(rep->str ? rep->str : "")));
            freeReplyObject(rep);
        } else if (sl_ctx_continue_on_fail(ctx)) {
            sl_ctx_out(ctx, 0, sl_item_new(json_pack("{ss}", "error", r.err)));
        } else {
            rc = sl_ctx_fail(ctx, "%s", r.err);
        }
        goto out;
    }
    json_t *items = sl_ctx_input(ctx, 0);
    for (size_t i = 0; i < json_array_size(items); i++) {
        int irc = run_item(&r, op, i, json_array_get(items, i));
        if (irc == -1)
            (void)sl_ctx_fail(ctx, "%s", r.err);
        if (irc && (rc = sl_ctx_item_failed(ctx, i)) != 0)
            break;
    }
out:
    free(op);
    sl_redis_release(r.conn);
    json_decref(r.cred);
    return rc;
}

const struct sl_node_type sl_node_redis = {
    .name = "n8n-nodes-base.redis",
    .versions = versions,
    .execute = execute,
};
