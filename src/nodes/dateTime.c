/*
 * Date & Time: formats and computes dates.
 *
 * Version 1 ("action" format or calculate) uses moment's tokens
 * ("MM/DD/YYYY", "X" for unix seconds, "x" for ms) and writes its result
 * under `dataPropertyName` (default "data", a literal key) of a copy of
 * the item. Format converts between zones (`fromTimezone`, `toTimezone`)
 * and parses with `fromFormat`; calculate adds or subtracts a duration and
 * writes an ISO string. A value that evaluates to undefined drops the item.
 *
 * Version 2 (`operation`: getCurrentDate, addToDate, subtractFromDate,
 * formatDate, roundDate, getTimeBetweenDates, extractDate) uses luxon and
 * writes `outputFieldName` into a new item, or into a copy of the input
 * item with `options.includeInputFields`.
 *
 * Both read numbers (and numeric strings) as timestamps: fewer than 12
 * digits are seconds, more are milliseconds, and a fraction means seconds.
 * Strings are parsed the way moment parses them. The workflow's zone is
 * settings.timezone, else GENERIC_TIMEZONE, else America/New_York, n8n's
 * default. The date arithmetic itself runs in the execution's JavaScript
 * context (src/js/datetime.js) with moment-timezone and luxon, so results
 * and error texts are those of n8n's node; this file reads the parameters
 * (luxon DateTimes from expressions keep their zone, see
 * sl_js_keep_dates) and builds the items.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/jsvalue.h"
#include "js/js.h"
#include "nodes/node.h"
#include "util/alloc.h"

static const double versions[] = {1, 2, 0};

/* n8n's GENERIC_TIMEZONE default, used when the workflow names no zone. */
#define N8N_DEFAULT_ZONE "America/New_York"

/* One parameter into `p` under its last path segment: its evaluated
 * value, or `dflt` (a JSON text) when absent. An undefined result leaves
 * the key out. Returns false when evaluation
 * failed (the message is set on ctx). */
static bool put(struct sl_node_ctx *ctx, json_t *p, const char *path, size_t item, const char *dflt)
{
    json_t *d = dflt ? json_loads(dflt, JSON_DECODE_ANY, NULL) : NULL;
    json_t *v = sl_ctx_param(ctx, path, item, d);
    json_decref(d);
    if (!v)
        return !sl_ctx_failed(ctx);
    const char *dot = strrchr(path, '.');
    json_object_set_new(p, dot ? dot + 1 : path, v);
    return true;
}

/* As put() for a parameter that holds a date: DateTimes and Dates from
 * expressions arrive as such. */
static bool put_date(struct sl_node_ctx *ctx, json_t *p, const char *path, size_t item)
{
    struct sl_js *js = sl_ctx_js(ctx);
    bool was = sl_js_keep_dates(js, true);
    bool ok = put(ctx, p, path, item, "\"\"");
    sl_js_keep_dates(js, was);
    return ok;
}

/* The string form of p[key] (a new heap string), as JavaScript uses a
 * value as a property name. */
static char *key_of(const json_t *p, const char *key)
{
    const json_t *v = json_object_get(p, key);
    return v ? sl_jsv_to_string(v) : sl_strdup("undefined");
}

/* Version 1's parameters for item i. */
static json_t *params_v1(struct sl_node_ctx *ctx, size_t i)
{
    json_t *p = json_object();
    if (!put(ctx, p, "action", 0, "\"format\""))
        goto fail;
    const char *action = json_string_value(json_object_get(p, "action"));
    if (action && !strcmp(action, "calculate")) {
        if (!put_date(ctx, p, "value", i) || !put(ctx, p, "operation", i, "\"add\"") ||
            !put(ctx, p, "duration", i, "0") || !put(ctx, p, "timeUnit", i, "\"days\"") ||
            !put(ctx, p, "options", i, "{}") || !put(ctx, p, "dataPropertyName", i, "\"data\""))
            goto fail;
        return p;
    }
    bool custom = false;
    if (!put_date(ctx, p, "value", i) || !put(ctx, p, "dataPropertyName", i, "\"data\"") ||
        sl_ctx_param_bool(ctx, "custom", i, false, &custom) < 0 ||
        !put(ctx, p, "toFormat", i, custom ? "\"\"" : "\"MM/DD/YYYY\"") ||
        !put(ctx, p, "options", i, "{}"))
        goto fail;
    return p;
fail:
    json_decref(p);
    return NULL;
}

/* Version 2's parameters of `op` for item i, as n8n's node reads them. */
static json_t *params_v2(struct sl_node_ctx *ctx, const char *op, size_t i)
{
    json_t *p = json_pack("{s:s}", "operation", op);
    bool ok = true;
    if (!strcmp(op, "getCurrentDate")) {
        ok = put(ctx, p, "includeTime", i, "true") &&
             put(ctx, p, "outputFieldName", i, "\"currentDate\"") &&
             put(ctx, p, "options", i, "{}");
    } else if (!strcmp(op, "addToDate") || !strcmp(op, "subtractFromDate")) {
        ok = put_date(ctx, p, "magnitude", i) && put(ctx, p, "timeUnit", i, "\"days\"") &&
             put(ctx, p, "duration", i, "0") && put(ctx, p, "outputFieldName", i, "\"newDate\"");
    } else if (!strcmp(op, "formatDate")) {
        ok = put_date(ctx, p, "date", i) && put(ctx, p, "format", i, "\"MM/dd/yyyy\"") &&
             put(ctx, p, "outputFieldName", i, "\"formattedDate\"") &&
             put(ctx, p, "options", i, "{}");
        const char *f = json_string_value(json_object_get(p, "format"));
        if (ok && f && !strcmp(f, "custom"))
            ok = put(ctx, p, "customFormat", i, "\"\"");
    } else if (!strcmp(op, "roundDate")) {
        ok = put_date(ctx, p, "date", i) && put(ctx, p, "mode", i, "\"roundDown\"") &&
             put(ctx, p, "outputFieldName", i, "\"roundedDate\"");
        const char *m = json_string_value(json_object_get(p, "mode"));
        if (ok && m && !strcmp(m, "roundDown"))
            ok = put(ctx, p, "toNearest", i, "\"month\"");
        else if (ok && m && !strcmp(m, "roundUp"))
            ok = put(ctx, p, "to", i, "\"month\"");
    } else if (!strcmp(op, "getTimeBetweenDates")) {
        ok = put_date(ctx, p, "startDate", i) && put_date(ctx, p, "endDate", i) &&
             put(ctx, p, "units", i, "[\"day\"]") &&
             put(ctx, p, "outputFieldName", i, "\"timeDifference\"") &&
             put(ctx, p, "options", i, "{}");
    } else if (!strcmp(op, "extractDate")) {
        ok = put_date(ctx, p, "date", i) && put(ctx, p, "outputFieldName", i, "\"datePart\"") &&
             put(ctx, p, "part", i, "\"month\"");
    }
    if (!ok) {
        json_decref(p);
        return NULL;
    }
    return p;
}

/* Runs the computation; returns its result object or NULL with the
 * message set on ctx. */
static json_t *compute(struct sl_node_ctx *ctx, const char *fn, json_t *p, const char *zone)
{
    json_t *args = json_pack("[Os]", p, zone);
    char *err = NULL;
    json_t *r = sl_js_datetime(sl_ctx_js(ctx), fn, args, &err);
    json_decref(args);
    if (!r) {
        sl_ctx_fail(ctx, "%s", err ? err : "the date computation failed");
        free(err);
    }
    return r;
}

/* Handles a failed item: an error item when the node continues on fail
 * (returns 0), else the failure code. */
static int item_failed(struct sl_node_ctx *ctx, size_t i, bool paired)
{
    if (!sl_ctx_continue_on_fail(ctx))
        return SL_ERR_NODE;
    const char *msg = sl_ctx_error_message(ctx);
    json_t *err = json_pack("{s:s}", "error", msg ? msg : "");
    sl_ctx_clear_error(ctx);
    sl_ctx_out(ctx, 0, paired ? sl_item_new_paired(err, i) : sl_item_new(err));
    return 0;
}

static int execute_v1(struct sl_node_ctx *ctx, const char *zone)
{
    json_t *items = sl_ctx_input(ctx, 0);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        json_t *p = params_v1(ctx, i);
        json_t *r = p ? compute(ctx, "v1", p, zone) : NULL;
        if (!r) {
            json_decref(p);
            int rc = item_failed(ctx, i, true);
            if (rc)
                return rc;
            continue;
        }
        json_t *value = json_object_get(r, "value");
        if (value) {
            json_t *src = sl_item_json(item);
            json_t *json = json_is_object(src) ? json_copy(src) : json_object();
            char *key = key_of(p, "dataPropertyName");
            json_object_set(json, key, value);
            free(key);
            sl_ctx_out(ctx, 0, sl_item_derive(item, json, i));
        }
        json_decref(r);
        json_decref(p);
    }
    return 0;
}

static int execute_v2(struct sl_node_ctx *ctx, const char *zone)
{
    char *op = NULL;
    bool include = false;
    if (sl_ctx_param_str(ctx, "operation", 0, "getCurrentDate", &op) < 0 ||
        sl_ctx_param_bool(ctx, "options.includeInputFields", 0, false, &include) < 0) {
        free(op);
        return SL_ERR_NODE;
    }
    json_t *items = sl_ctx_input(ctx, 0);
    size_t i;
    json_t *item;
    int rc = 0;
    json_array_foreach(items, i, item)
    {
        json_t *p = params_v2(ctx, op, i);
        json_t *r = p ? compute(ctx, "v2", p, zone) : NULL;
        if (!r) {
            json_decref(p);
            if ((rc = item_failed(ctx, i, false)))
                break;
            continue;
        }
        if (!json_object_get(r, "skip")) {
            json_t *src = sl_item_json(item);
            json_t *json = include && json_is_object(src) ? json_copy(src) : json_object();
            char *key = key_of(p, "outputFieldName");
            json_t *value = json_object_get(r, "value");
            if (value)
                json_object_set(json, key, value);
            else
                json_object_del(json, key);
            free(key);
            sl_ctx_out(ctx, 0,
                       include ? sl_item_derive(item, json, i) : sl_item_new_paired(json, i));
        }
        json_decref(r);
        json_decref(p);
    }
    free(op);
    return rc;
}

static int execute(struct sl_node_ctx *ctx)
{
    const char *zone = sl_ctx_timezone(ctx);
    if (!zone)
        zone = N8N_DEFAULT_ZONE;
    if (sl_ctx_node(ctx)->version < 2)
        return execute_v1(ctx, zone);
    return execute_v2(ctx, zone);
}

const struct sl_node_type sl_node_dateTime = {
    .name = "n8n-nodes-base.dateTime",
    .versions = versions,
    .execute = execute,
};
