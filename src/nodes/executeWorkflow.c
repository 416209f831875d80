/*
 * Execute Workflow / Execute Sub-workflow (v1, v1.1, v1.2, v1.3): runs
 * another workflow with this node's items (core/subworkflow.h).
 *
 * Sources: "localFile" (workflowPath, read only inside the allowed
 * directories, see core/files.h), "parameter" (workflowJson), "database"
 * (workflowId, through the execution's workflow lookup) and "url"
 * (workflowUrl, fetched over http or https, util/http.h).
 *
 * mode "once" runs the sub-workflow once with all items and outputs the
 * output of its last node executed, each item's pairedItem traced back to
 * the input item it came from (n8n's rule: through the first input of each
 * run; an item without pairedItem pairs by position when the counts match,
 * else with every input item). mode "each" runs it once per item; all
 * outputs pair with that item.
 *
 * options.waitForSubWorkflow false: n8n starts the sub-workflow and goes
 * on with its input items. sluice, which runs one execution to its end,
 * runs the sub-workflow to its end at once and then goes on with the input
 * items; the sub-workflow's result is not used and its failure is only
 * logged, as it does not fail the caller in n8n either.
 *
 * Errors: a failing sub-workflow fails this node with the sub-workflow's
 * message, prefixed with the sub-workflow's failing node
 * ("sub-workflow node 'X': ..."). Under continueOnFail the node outputs
 * n8n's {error: message} items instead (the message as n8n has it).
 *
 * Workflow Inputs (v1.2+, the "database" source only, as n8n shows the
 * mapping only there): workflowInputs.value is evaluated per item, checked
 * against workflowInputs.schema with n8n's type rules and laid over the
 * item's fields; fields the schema marks removed are dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/fieldtype.h"
#include "core/files.h"
#include "core/jsvalue.h"
#include "core/subworkflow.h"
#include "nodes/node.h"
#include "util/alloc.h"
#include "util/http.h"

static const double versions[] = {1, 1.1, 1.2, 1.3, 0};

/* How a failure names the sub-workflow's failing node. */
#define FAILED_NODE_PREFIX "sub-workflow node '"

const struct sl_node_type sl_node_executeWorkflow;

/* A failure while calling the sub-workflow (n8n's caught error). */
struct call_err {
    char *msg;  /* the message as n8n has it */
    char *node; /* the sub-workflow's failing node, or NULL */
    char *desc; /* n8n's description, or NULL */
    bool plain; /* n8n throws a plain Error: "each" mode wraps it */
    bool ran;   /* the sub-workflow ran (and failed) */
};

static void call_err_release(struct call_err *e)
{
    free(e->msg);
    free(e->node);
    free(e->desc);
    *e = (struct call_err){0};
}

static void call_err_set(struct call_err *e, bool plain, const char *msg)
{
    call_err_release(e);
    e->msg = sl_strdup(msg);
    e->plain = plain;
}

/* Takes the node context's error (a parameter that failed to evaluate). */
static void call_err_take(struct call_err *e, struct sl_node_ctx *ctx)
{
    call_err_set(e, false, sl_ctx_error_message(ctx) ? sl_ctx_error_message(ctx) : "error");
    sl_ctx_clear_error(ctx);
}

/* ------------------------------------------------------- the workflow */

#define SL_WORKFLOW_URL_TIMEOUT_MS 60000L

static json_t *parse_json(const char *text, size_t len, const char *what, struct call_err *e)
{
    json_error_t je;
    json_t *doc = json_loadb(text, len, JSON_DECODE_ANY, &je);
    if (!doc) {
        char *m = what ? sl_asprintf("%s is not valid JSON: %s (line %d, column %d)", what, je.text,
                                     je.line, je.column)
                       : sl_strdup("The file content is not valid JSON");
        call_err_set(e, true, m);
        free(m);
    }
    return doc;
}

static json_t *doc_from_file(struct sl_node_ctx *ctx, size_t item, struct call_err *e)
{
    char *path = NULL;
    if (sl_ctx_param_str(ctx, "workflowPath", item, "", &path)) {
        call_err_take(e, ctx);
        return NULL;
    }
    json_t *doc = NULL;
    char *real = NULL, *m = NULL;
    unsigned char *text = NULL;
    size_t len = 0;
    errno = ENOENT;
    int rc = *path ? sl_files_check(path, &real) : SL_ERR_IO;
    if (rc == SL_ERR_INVALID) {
        char *allowed = sl_files_allowed_list();
        m = sl_asprintf("Access to the file '%s' in 'Workflow Path' is not allowed. Allowed "
                        "paths: %s",
                        path, allowed);
        free(allowed);
    } else if (!rc) {
        rc = sl_files_read_all(real, SL_WORKFLOW_MAX_BYTES, &text, &len);
    }
    if (m) {
        /* refused */
    } else if (rc == SL_ERR_LIMIT) {
        m = sl_asprintf("the file \"%s\" is larger than %u MiB", path, SL_WORKFLOW_MAX_BYTES >> 20);
    } else if (rc && (errno == ENOENT || errno == ENOTDIR)) {
        m = sl_asprintf("The file \"%s\" could not be found, [item %zu]", path, item);
    } else if (rc) {
        m = sl_asprintf("cannot read the file \"%s\": %s", path, strerror(errno));
    } else {
        doc = parse_json((const char *)text, len, NULL, e);
    }
    if (m)
        call_err_set(e, false, m);
    free(m);
    free(text);
    free(real);
    free(path);
    return doc;
}

static json_t *doc_from_param(struct sl_node_ctx *ctx, size_t item, struct call_err *e)
{
    json_t *v = sl_ctx_param(ctx, "workflowJson", item, NULL);
    if (!v) {
        if (sl_ctx_failed(ctx))
            call_err_take(e, ctx);
        else
            call_err_set(e, true, "parameter 'workflowJson' is empty: give the workflow's JSON");
        return NULL;
    }
    json_t *doc = NULL;
    if (json_is_string(v))
        doc =
            parse_json(json_string_value(v), json_string_length(v), "parameter 'workflowJson'", e);
    else
        doc = json_deep_copy(v); /* the loader adds id and settings */
    json_decref(v);
    return doc;
}

/* n8n GETs the URL (Accept: JSON, gzip, redirects followed) and takes the
 * body as the workflow. sluice bounds the wait and the size. */
static json_t *doc_from_url(struct sl_node_ctx *ctx, size_t item, struct call_err *e)
{
    char *url = NULL;
    if (sl_ctx_param_str(ctx, "workflowUrl", item, "", &url)) {
        call_err_take(e, ctx);
        return NULL;
    }
    json_t *doc = NULL;
    struct sl_http_response res;
    char err[512];
    if (!*url) {
        call_err_set(e, true, "parameter 'workflowUrl' is empty: give the workflow's URL");
    } else if (sl_http_get(url, "application/json,text/*;q=0.99", SL_WORKFLOW_MAX_BYTES,
                           SL_WORKFLOW_URL_TIMEOUT_MS, &res, err, sizeof err)) {
        call_err_set(e, false, err);
    } else {
        if (res.status >= 400) {
            char *m = sl_asprintf("GET '%s' returned HTTP status %ld", url, res.status);
            call_err_set(e, false, m);
            free(m);
        } else {
            char *what = sl_asprintf("the response from '%s'", url);
            doc = parse_json(res.body, res.len, what, e);
            free(what);
        }
        free(res.body);
    }
    free(url);
    return doc;
}

static json_t *doc_from_store(struct sl_node_ctx *ctx, size_t item, struct call_err *e)
{
    json_t *v = sl_ctx_param(ctx, "workflowId", item, NULL);
    if (!v && sl_ctx_failed(ctx)) {
        call_err_take(e, ctx);
        return NULL;
    }
    /* v1: a string; later: a resource locator {__rl, value, mode} */
    json_t *idv = json_is_object(v) ? json_object_get(v, "value") : v;
    char *id = idv && !json_is_null(idv) ? sl_jsv_to_string(idv) : NULL;
    json_decref(v);
    if (!id || !*id) {
        free(id);
        call_err_set(e, true,
                     "No information about the workflow to execute found. Please provide "
                     "either the \"id\" or \"code\"!");
        return NULL;
    }
    struct sl_error err = {{0}};
    json_t *doc = sl_subwf_lookup(ctx, id, &err);
    if (!doc)
        call_err_set(e, false, err.msg);
    free(id);
    return doc;
}

/* n8n's getWorkflowInfo and getWorkflowData: the sub-workflow to run for
 * input item `item`, or NULL with `e` set. */
static struct sl_workflow *get_workflow(struct sl_node_ctx *ctx, const char *source, size_t item,
                                        struct call_err *e)
{
    json_t *doc = NULL;
    if (!strcmp(source, "localFile"))
        doc = doc_from_file(ctx, item, e);
    else if (!strcmp(source, "parameter"))
        doc = doc_from_param(ctx, item, e);
    else if (!strcmp(source, "database"))
        doc = doc_from_store(ctx, item, e);
    else if (!strcmp(source, "url"))
        doc = doc_from_url(ctx, item, e);
    else
        call_err_set(e, true,
                     "No information about the workflow to execute found. Please provide "
                     "either the \"id\" or \"code\"!");
    if (!doc)
        return NULL;
    struct sl_error err = {{0}};
    struct sl_workflow *wf = sl_subwf_load(ctx, doc, &err);
    if (!wf) {
        char *m = sl_asprintf("cannot load the sub-workflow: %s", err.msg);
        call_err_set(e, false, m);
        free(m);
    }
    return wf;
}

/* ------------------------------------------------- workflow inputs */

/* n8n's validateFieldType for the types a Workflow Input can have. Returns
 * the (converted) value as a new reference, or NULL with *why set. */
static json_t *check_type(const char *key, json_t *v, const char *type, bool strict,
                          bool parse_strings, char **why)
{
    if (!v || json_is_null(v))
        return json_incref(v ? v : json_null());
    bool bad = false;
    json_t *r = NULL;
    if (!strcmp(type, "string")) {
        if (!parse_strings)
            return json_incref(v);
        bad = strict && !json_is_string(v);
        if (!bad) {
            char *s =
                json_is_object(v) || json_is_array(v) ? sl_jsv_stringify(v) : sl_jsv_to_string(v);
            r = json_string(s);
            free(s);
        }
    } else {
        /* strict: the value must have the type already (lodash isObject
         * for objects: arrays pass, then fail to convert) */
        if (strict)
            bad = (!strcmp(type, "number") && !json_is_number(v)) ||
                  (!strcmp(type, "boolean") && !json_is_boolean(v)) ||
                  (!strcmp(type, "array") && !json_is_array(v)) ||
                  (!strcmp(type, "object") && !json_is_object(v) && !json_is_array(v));
        if (!bad)
            bad = !(r = sl_ft_convert(v, type));
    }
    if (bad) {
        char *d = sl_ft_describe(v);
        *why = sl_asprintf("'%s' expects a %s but we got %s", key, type, d);
        free(d);
        json_decref(r);
        return NULL;
    }
    return r;
}

/* workflowInputs.value for input item `item`, checked against the schema
 * (n8n's validateResourceMapperValue). New object, or NULL with the
 * message set. */
static json_t *mapped_values(struct sl_node_ctx *ctx, size_t item)
{
    json_t *vals = sl_ctx_param(ctx, "workflowInputs.value", item, NULL);
    if (!vals && sl_ctx_failed(ctx))
        return NULL;
    if (!json_is_object(vals)) {
        json_decref(vals);
        return json_object();
    }
    json_t *out = json_object();
    json_t *schema = sl_ctx_param_raw(ctx, "workflowInputs.schema");
    bool strict = !json_is_true(sl_ctx_param_raw(ctx, "workflowInputs.attemptToConvertTypes"));
    bool parse_strings =
        json_is_true(sl_ctx_param_raw(ctx, "workflowInputs.convertFieldsToString"));
    const char *k;
    json_t *v;
    json_object_foreach(vals, k, v)
    {
        const char *type = NULL;
        size_t i;
        json_t *f;
        json_array_foreach(schema, i, f)
        {
            json_t *id = json_object_get(f, "id");
            if (json_is_string(id) && !strcmp(json_string_value(id), k)) {
                type = json_string_value(json_object_get(f, "type"));
                break;
            }
        }
        if (!type) {
            json_object_set(out, k, v);
            continue;
        }
        char *why = NULL;
        json_t *nv = check_type(k, v, type, strict, parse_strings, &why);
        if (!nv) {
            sl_ctx_fail(ctx, "Invalid input for '%s' [item %zu]", k, item);
            sl_ctx_fail_description(ctx, "%s", why);
            free(why);
            json_decref(out);
            json_decref(vals);
            return NULL;
        }
        json_object_set_new(out, k, nv);
    }
    json_decref(vals);
    return out;
}

/* n8n's getCurrentWorkflowInputData: the items handed to the sub-workflow,
 * each paired with its input item. New array, or NULL with the message
 * set. */
static json_t *call_items(struct sl_node_ctx *ctx, bool mapping)
{
    json_t *in = sl_ctx_input(ctx, 0);
    json_t *schema = mapping ? sl_ctx_param_raw(ctx, "workflowInputs.schema") : NULL;
    json_t *items = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(in, i, it)
    {
        json_t *src = sl_item_json(it);
        json_t *j = json_is_object(src) ? json_copy(src) : json_object();
        if (mapping) {
            json_t *vals = mapped_values(ctx, i);
            if (!vals) {
                json_decref(j);
                json_decref(items);
                return NULL;
            }
            json_object_update(j, vals);
            json_decref(vals);
            size_t s;
            json_t *f;
            json_array_foreach(schema, s, f)
            {
                json_t *name = json_object_get(f, "displayName");
                if (json_is_true(json_object_get(f, "removed")) && json_is_string(name))
                    json_object_del(j, json_string_value(name));
            }
        }
        json_t *item = sl_item_new_paired(j, i);
        json_t *bin = json_object_get(it, "binary");
        if (bin)
            json_object_set(item, "binary", bin);
        json_array_append_new(items, item);
    }
    return items;
}

/* ------------------------------------------------------------ running */

/* Runs `wf` with `items`; on success returns the sub-execution, on
 * failure NULL with `e` set (the sub-execution's error and failing node).
 * `keep_all` keeps the sub-workflow's run data for pairedItem tracing. */
static struct sl_exec *call(struct sl_node_ctx *ctx, const struct sl_workflow *wf, json_t *items,
                            bool keep_all, struct call_err *e)
{
    struct sl_error err = {{0}};
    struct sl_exec *sub = sl_subwf_run(ctx, wf, items, keep_all, &err);
    if (!sub) {
        call_err_set(e, true, err.msg);
        if (!sl_subwf_start_node(wf))
            e->desc = sl_strdup("Please make sure the workflow you're calling contains an "
                                "Execute Workflow Trigger node");
        return NULL;
    }
    if (sl_exec_status(sub) == SL_EXEC_SUCCESS)
        return sub;
    const char *msg = sl_exec_error_message(sub);
    const char *node = sl_exec_error_node(sub);
    if (!msg)
        msg = "the sub-workflow failed";
    call_err_set(e, node == NULL, msg);
    e->node = node ? sl_strdup(node) : NULL;
    e->ran = true;
    /* An Execute Workflow node failed for its own sub-workflow: keep the
     * innermost failing node and its message, as n8n passes the innermost
     * error up unchanged. */
    const struct sl_node *n = node ? sl_workflow_node(wf, node) : NULL;
    size_t pl = strlen(FAILED_NODE_PREFIX);
    const char *q = NULL;
    if (n && !strcmp(n->type, sl_node_executeWorkflow.name) &&
        !strncmp(msg, FAILED_NODE_PREFIX, pl) && (q = strstr(msg + pl, "': "))) {
        free(e->node);
        e->node = sl_strndup(msg + pl, (size_t)(q - msg - pl));
        char *raw = sl_strdup(q + 3);
        free(e->msg);
        e->msg = raw;
    }
    sl_exec_free(sub);
    return NULL;
}

/* Fails the node with `e`, naming the sub-workflow's failing node. */
static int fail_with(struct sl_node_ctx *ctx, const struct call_err *e)
{
    if (e->node)
        sl_ctx_fail(ctx, FAILED_NODE_PREFIX "%s': %s", e->node, e->msg);
    else
        sl_ctx_fail(ctx, "%s", e->msg);
    if (e->desc)
        sl_ctx_fail_description(ctx, "%s", e->desc);
    return SL_ERR_NODE;
}

static json_t *error_item(const char *msg, json_t *paired)
{
    json_t *it = sl_item_new(json_pack("{s:s}", "error", msg));
    json_object_set_new(it, "pairedItem", paired);
    return it;
}

static json_t *all_paired(size_t n)
{
    json_t *p = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(p, json_pack("{s:I}", "item", (json_int_t)i));
    return p;
}

/* A sub-workflow run that was not waited for: its result is not used; a
 * failure is logged. */
static void forget(struct sl_node_ctx *ctx, struct sl_exec *sub, const struct call_err *e)
{
    if (!sub)
        sl_ctx_log(ctx, "sub-workflow (not waited for) failed: %s%s%s%s", e->node ? "node '" : "",
                   e->node ? e->node : "", e->node ? "': " : "", e->msg ? e->msg : "");
    sl_exec_free(sub);
}

static int run_once(struct sl_node_ctx *ctx, const char *source, json_t *items)
{
    size_t n = json_array_size(items);
    struct call_err e = {0};
    struct sl_workflow *wf = NULL;
    struct sl_exec *sub = NULL;
    bool wait = true;
    if (sl_ctx_param_bool(ctx, "options.waitForSubWorkflow", 0, true, &wait)) {
        call_err_take(&e, ctx);
        goto failed;
    }
    wf = get_workflow(ctx, source, 0, &e);
    if (!wf)
        goto failed;
    sub = call(ctx, wf, items, wait, &e);
    if (!wait && (sub || e.ran)) {
        forget(ctx, sub, &e);
        sl_workflow_free(wf);
        call_err_release(&e);
        sl_ctx_out_list(ctx, 0, json_incref(items));
        return 0;
    }
    if (!sub)
        goto failed;
    json_t *result = sl_subwf_result(sub);
    size_t o;
    json_t *list;
    json_array_foreach(result, o, list)
    {
        size_t len = json_array_size(list);
        size_t k;
        json_t *it;
        json_array_foreach(list, k, it)
        {
            json_t *copy = json_copy(it);
            json_t *p = json_object_get(it, "pairedItem");
            if (p) {
                json_t *origin = sl_subwf_origin(sub, p, k);
                if (origin)
                    json_object_set(copy, "pairedItem", origin);
            } else if (len == n) {
                sl_item_set_paired(copy, k, 0);
            } else {
                json_object_set_new(copy, "pairedItem", all_paired(n));
            }
            sl_ctx_out(ctx, (int)o, copy);
        }
    }
    json_decref(result);
    sl_exec_free(sub);
    sl_workflow_free(wf);
    return 0;
failed:
    sl_workflow_free(wf);
    if (sl_ctx_continue_on_fail(ctx)) {
        sl_ctx_out(ctx, 0, error_item(e.msg, all_paired(n)));
        call_err_release(&e);
        return 0;
    }
    int rc = fail_with(ctx, &e);
    call_err_release(&e);
    return rc;
}

static int run_each(struct sl_node_ctx *ctx, const char *source, json_t *items)
{
    double version = sl_ctx_node(ctx)->version;
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        struct call_err e = {0};
        bool wait = true;
        struct sl_workflow *wf = NULL;
        if (sl_ctx_param_bool(ctx, "options.waitForSubWorkflow", i, true, &wait))
            call_err_take(&e, ctx);
        else
            wf = get_workflow(ctx, source, i, &e);
        if (wf) {
            json_t *one = json_array();
            json_array_append(one, item);
            struct sl_exec *sub = call(ctx, wf, one, false, &e);
            json_decref(one);
            if (!wait && (sub || e.ran)) {
                forget(ctx, sub, &e);
                sl_workflow_free(wf);
                call_err_release(&e);
                sl_ctx_out(ctx, 0, json_incref(item));
                continue;
            }
            if (sub) {
                json_t *result = sl_subwf_result(sub);
                size_t o;
                json_t *list;
                json_array_foreach(result, o, list)
                {
                    size_t k;
                    json_t *it;
                    json_array_foreach(list, k, it)
                    {
                        json_t *copy = json_copy(it);
                        sl_item_set_paired(copy, i, 0);
                        sl_ctx_out(ctx, (int)o, copy);
                    }
                }
                json_decref(result);
                sl_exec_free(sub);
                sl_workflow_free(wf);
                continue;
            }
            sl_workflow_free(wf);
        }
        if (sl_ctx_continue_on_fail(ctx)) {
            /* before 1.3 each failed item went to an output of its own */
            int out = version >= 1.3 ? 0 : (int)i;
            sl_ctx_out(ctx, out, error_item(e.msg, json_pack("{s:I}", "item", (json_int_t)i)));
            call_err_release(&e);
            continue;
        }
        int rc;
        if (e.plain) {
            rc = sl_ctx_fail(ctx, "Error executing workflow with item at index %zu: %s", i, e.msg);
            sl_ctx_fail_description(ctx, "%s", e.desc ? e.desc : e.msg);
        } else {
            rc = fail_with(ctx, &e);
        }
        call_err_release(&e);
        return rc;
    }
    return 0;
}

static int execute(struct sl_node_ctx *ctx)
{
    double version = sl_ctx_node(ctx)->version;
    char *source = NULL, *mode = NULL;
    int rc = SL_ERR_NODE;
    if (sl_ctx_param_str(ctx, "source", 0, "database", &source) ||
        sl_ctx_param_str(ctx, "mode", 0, "once", &mode))
        goto out;
    /* n8n shows the Workflow Inputs mapping (and so applies it) only for
     * the database source from v1.2 on */
    json_t *items = call_items(ctx, version >= 1.2 && !strcmp(source, "database"));
    if (!items)
        goto out;
    rc = !strcmp(mode, "each") ? run_each(ctx, source, items) : run_once(ctx, source, items);
    json_decref(items);
out:
    free(source);
    free(mode);
    return rc;
}

const struct sl_node_type sl_node_executeWorkflow = {
    .name = "n8n-nodes-base.executeWorkflow",
    .versions = versions,
    .execute = execute,
};
