/*
 * The node context API (nodes/node.h): what a node's execute() sees.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine_int.h"
#include "core/expr.h"
#include "core/fieldtype.h"
#include "core/jsvalue.h"
#include "js/js.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/clock.h"

const struct sl_node *sl_ctx_node(const struct sl_node_ctx *ctx)
{
    return ctx->node;
}

int sl_ctx_run_index(const struct sl_node_ctx *ctx)
{
    return ctx->run_index;
}

const char *sl_ctx_timezone(const struct sl_node_ctx *ctx)
{
    return sl_exec_timezone(ctx->ex);
}

const char *sl_ctx_mode(const struct sl_node_ctx *ctx)
{
    return ctx->ex->mode;
}

const struct sl_workflow *sl_ctx_workflow(const struct sl_node_ctx *ctx)
{
    return ctx->ex->wf;
}

int64_t sl_ctx_now_ms(const struct sl_node_ctx *ctx)
{
    return sl_clock_now_ms(ctx->ex->opts.clock);
}

void sl_ctx_put_to_wait(struct sl_node_ctx *ctx, int64_t till_ms)
{
    ctx->put_to_wait = true;
    ctx->wait_till = till_ms;
}

void sl_ctx_retry_after(struct sl_node_ctx *ctx, int64_t ms)
{
    if (ms > ctx->retry_after_ms)
        ctx->retry_after_ms = ms;
}

void sl_ctx_respond(struct sl_node_ctx *ctx, const json_t *response)
{
    if (ctx->ex->opts.on_respond)
        ctx->ex->opts.on_respond(ctx->ex->opts.ud, ctx->ex, response);
}

json_t *sl_ctx_input(const struct sl_node_ctx *ctx, int input)
{
    if (input < 0 || input >= ctx->task->n_in || !ctx->task->in[input])
        return ctx->ex->empty;
    return ctx->task->in[input];
}

bool sl_ctx_input_has_data(const struct sl_node_ctx *ctx, int input)
{
    return input >= 0 && input < ctx->task->n_in && ctx->task->in[input] != NULL;
}

json_t *sl_ctx_param_raw(const struct sl_node_ctx *ctx, const char *path)
{
    json_t *cur = ctx->node->params;
    const char *p = path;
    char key[256];
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof key)
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        cur = json_object_get(cur, key);
        p = dot ? dot + 1 : p + n;
    }
    return cur;
}

json_t *sl_ctx_eval(struct sl_node_ctx *ctx, json_t *value, size_t item)
{
    char *err = NULL;
    json_t *r = sl_expr_resolve(ctx, value, item, &err);
    if (err) {
        sl_ctx_fail(ctx, "%s", err);
        free(err);
        return NULL;
    }
    return r;
}

json_t *sl_ctx_param(struct sl_node_ctx *ctx, const char *path, size_t item, json_t *dflt)
{
    json_t *raw = sl_ctx_param_raw(ctx, path);
    if (!raw)
        return dflt ? json_incref(dflt) : NULL;
    return sl_ctx_eval(ctx, raw, item);
}

/* The evaluated parameter for the typed getters: 1 with *v set (a new
 * reference), 0 when absent (the caller uses its default), or a negative
 * error with the message set. */
static int fetch(struct sl_node_ctx *ctx, const char *path, size_t item, json_t **v)
{
    *v = sl_ctx_param(ctx, path, item, NULL);
    if (*v)
        return 1;
    return sl_ctx_failed(ctx) ? SL_ERR_NODE : 0;
}

int sl_ctx_param_bool(struct sl_node_ctx *ctx, const char *path, size_t item, bool dflt, bool *out)
{
    json_t *v;
    int got = fetch(ctx, path, item, &v);
    if (got <= 0) {
        *out = dflt;
        return got;
    }
    int rc = 0;
    if (json_is_boolean(v))
        *out = json_is_true(v);
    else if (json_is_string(v) &&
             (!strcmp(json_string_value(v), "true") || !strcmp(json_string_value(v), "false")))
        *out = !strcmp(json_string_value(v), "true");
    else
        rc = sl_ctx_fail(ctx, "parameter '%s' must be a boolean", path);
    json_decref(v);
    return rc;
}

int sl_ctx_param_num(struct sl_node_ctx *ctx, const char *path, size_t item, double dflt,
                     double *out)
{
    json_t *v;
    int got = fetch(ctx, path, item, &v);
    if (got <= 0) {
        *out = dflt;
        return got;
    }
    int rc = 0;
    if (json_is_number(v)) {
        *out = json_number_value(v);
    } else if (json_is_string(v)) {
        char *end;
        double d = strtod(json_string_value(v), &end);
        if (end == json_string_value(v) || *end)
            rc = sl_ctx_fail(ctx, "parameter '%s' must be a number, got '%s'", path,
                             json_string_value(v));
        else
            *out = d;
    } else {
        rc = sl_ctx_fail(ctx, "parameter '%s' must be a number", path);
    }
    json_decref(v);
    return rc;
}

json_t *sl_ctx_param_number_checked(struct sl_node_ctx *ctx, const char *path, size_t item,
                                    json_t *dflt, const char *name, const char *label)
{
    json_t *raw = sl_ctx_param_raw(ctx, path);
    json_t *v = raw ? sl_ctx_eval(ctx, raw, item) : dflt ? sl_ctx_eval(ctx, dflt, item) : NULL;
    if (!v || json_is_null(v) || json_is_number(v))
        return v;
    double d = sl_jsv_to_number(v);
    if (isnan(d)) {
        char *desc = sl_ft_describe(v);
        json_decref(v);
        sl_ctx_fail(ctx, "Invalid input for '%s' [item %zu]", label, item);
        sl_ctx_fail_description(ctx, "'%s' expects a number but we got %s", name, desc);
        free(desc);
        return NULL;
    }
    json_decref(v);
    return json_real(d);
}

int sl_ctx_param_int(struct sl_node_ctx *ctx, const char *path, size_t item, long long dflt,
                     long long *out)
{
    double d = 0;
    int rc = sl_ctx_param_num(ctx, path, item, (double)dflt, &d);
    if (rc)
        return rc;
    if (!isfinite(d))
        return sl_ctx_fail(ctx, "parameter '%s' must be a finite number", path);
    *out = (long long)d;
    return 0;
}

int sl_ctx_param_str(struct sl_node_ctx *ctx, const char *path, size_t item, const char *dflt,
                     char **out)
{
    json_t *v;
    int got = fetch(ctx, path, item, &v);
    if (got <= 0) {
        *out = got == 0 && dflt ? sl_strdup(dflt) : NULL;
        return got;
    }
    int rc = 0;
    if (json_is_string(v))
        *out = sl_strdup(json_string_value(v));
    else if (json_is_integer(v))
        *out = sl_asprintf("%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        *out = sl_asprintf("%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        *out = sl_strdup(json_is_true(v) ? "true" : "false");
    else
        rc = sl_ctx_fail(ctx, "parameter '%s' must be a string", path);
    json_decref(v);
    return rc;
}

void sl_ctx_out(struct sl_node_ctx *ctx, int output, json_t *item)
{
    if (output < 0 || output >= ctx->n_out) {
        json_decref(item);
        return;
    }
    if (!ctx->out[output])
        ctx->out[output] = json_array();
    json_array_append_new(ctx->out[output], item);
}

json_t *sl_ctx_param_fields(struct sl_node_ctx *ctx, const char *path, size_t item,
                            const char *label)
{
    json_t *empty = json_string("");
    json_t *v = sl_ctx_param(ctx, path, item, empty);
    json_decref(empty);
    if (!v || json_is_array(v))
        return v;
    if (!json_is_string(v)) {
        json_decref(v);
        sl_ctx_fail(ctx,
                    "The '%s' parameter must be a string of fields separated by commas or an "
                    "array of strings.",
                    label);
        return NULL;
    }
    json_t *list = sl_jsv_split_trim(json_string_value(v), false);
    json_decref(v);
    return list;
}

void sl_ctx_pass_through(struct sl_node_ctx *ctx, int input, int output)
{
    sl_ctx_out_list(ctx, output, json_copy(sl_ctx_input(ctx, input)));
}

void sl_ctx_out_list(struct sl_node_ctx *ctx, int output, json_t *items)
{
    if (output < 0 || output >= ctx->n_out || !json_is_array(items)) {
        json_decref(items);
        return;
    }
    if (!ctx->out[output]) {
        ctx->out[output] = items;
        return;
    }
    json_array_extend(ctx->out[output], items);
    json_decref(items);
}

void sl_ctx_out_null(struct sl_node_ctx *ctx)
{
    ctx->out_null = true;
}

size_t sl_ctx_out_count(const struct sl_node_ctx *ctx, int output)
{
    if (output < 0 || output >= ctx->n_out)
        return 0;
    return json_array_size(ctx->out[output]);
}

int sl_ctx_fail(struct sl_node_ctx *ctx, const char *fmt, ...)
{
    if (!ctx->err) {
        va_list ap;
        va_start(ap, fmt);
        ctx->err = sl_vasprintf(fmt, ap);
        va_end(ap);
    }
    return SL_ERR_NODE;
}

void sl_ctx_fail_description(struct sl_node_ctx *ctx, const char *fmt, ...)
{
    free(ctx->err_desc);
    va_list ap;
    va_start(ap, fmt);
    ctx->err_desc = sl_vasprintf(fmt, ap);
    va_end(ap);
}

const char *sl_ctx_error_message(const struct sl_node_ctx *ctx)
{
    return ctx->err;
}

bool sl_ctx_failed(const struct sl_node_ctx *ctx)
{
    return ctx->err != NULL;
}

void sl_ctx_clear_error(struct sl_node_ctx *ctx)
{
    free(ctx->err);
    free(ctx->err_desc);
    ctx->err = ctx->err_desc = NULL;
}

bool sl_ctx_continue_on_fail(const struct sl_node_ctx *ctx)
{
    const struct sl_node *n = ctx->node;
    if (json_object_get(n->json, "onError"))
        return n->on_error != SL_ON_ERROR_STOP;
    return n->continue_on_fail;
}

int sl_ctx_item_failed(struct sl_node_ctx *ctx, size_t item)
{
    if (!sl_ctx_continue_on_fail(ctx))
        return SL_ERR_NODE;
    const char *msg = sl_ctx_error_message(ctx);
    json_t *err = json_pack("{s:s}", "error", msg ? msg : "");
    sl_ctx_clear_error(ctx);
    sl_ctx_out(ctx, 0, sl_item_new_paired(err, item));
    return 0;
}

json_t *sl_ctx_state(struct sl_node_ctx *ctx)
{
    return sl_exec_node_context(ctx->ex, ctx->node->index);
}

json_t *sl_ctx_credential(struct sl_node_ctx *ctx, const char *type)
{
    const json_t *ref = json_object_get(json_object_get(ctx->node->json, "credentials"), type);
    if (!json_is_object(ref)) {
        sl_ctx_fail(ctx, "Node does not have any credentials set for '%s'", type);
        return NULL;
    }
    const char *id = json_string_value(json_object_get(ref, "id"));
    const char *name = json_string_value(json_object_get(ref, "name"));
    if (!ctx->ex->opts.credential_cb) {
        sl_ctx_fail(ctx, "credential '%s' (%s) cannot be read: no credential store here",
                    name ? name
                    : id ? id
                         : "",
                    type);
        return NULL;
    }
    struct sl_error err = {{0}};
    json_t *data = ctx->ex->opts.credential_cb(ctx->ex->opts.cred_ud, type, id, name, &err);
    if (!data)
        sl_ctx_fail(ctx, "%s", err.msg[0] ? err.msg : "the credential cannot be read");
    return data;
}

struct sl_js *sl_ctx_js(struct sl_node_ctx *ctx)
{
    return sl_exec_js(ctx->ex);
}

void sl_ctx_log(struct sl_node_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = sl_vasprintf(fmt, ap);
    va_end(ap);
    sl_log(SL_LOG_INFO, s, "exec", ctx->ex->id, "node", ctx->node->name, NULL);
    free(s);
}
