/*
 * Sub-workflows (core/subworkflow.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine_int.h"
#include "core/subworkflow.h"
#include "js/js.h"
#include "util/alloc.h"

struct sl_js *sl_exec_js(struct sl_exec *ex)
{
    struct sl_exec *top = sl_exec_top(ex);
    if (!top->js)
        top->js = sl_js_acquire(top);
    sl_js_set_exec(top->js, ex);
    return top->js;
}

json_t *sl_subwf_lookup(struct sl_node_ctx *ctx, const char *id, struct sl_error *err)
{
    struct sl_exec *ex = ctx->ex;
    if (!ex->opts.lookup_cb) {
        sl_error_set(err,
                     "source 'database' needs a workflow store, which sluice run does not have: "
                     "workflowId '%s' "
                     "cannot be looked up; use source 'localFile' or 'parameter'",
                     id);
        return NULL;
    }
    return ex->opts.lookup_cb(ex->opts.lookup_ud, id, err);
}

struct sl_workflow *sl_subwf_load(struct sl_node_ctx *ctx, json_t *doc, struct sl_error *err)
{
    json_t *parent = ctx->ex->wf->doc;
    if (json_is_object(doc)) {
        json_t *id = json_object_get(doc, "id");
        if (!id || json_is_null(id) || (json_is_string(id) && !json_string_length(id)))
            json_object_set_new(doc, "id", json_string(ctx->ex->wf->id));
        json_t *settings = json_object_get(doc, "settings");
        json_t *ps = json_object_get(parent, "settings");
        if ((!settings || json_is_null(settings)) && ps)
            json_object_set(doc, "settings", ps);
    }
    return sl_workflow_from_json(doc, err);
}

const struct sl_node *sl_subwf_start_node(const struct sl_workflow *wf)
{
    for (size_t i = 0; i < wf->n_nodes; i++)
        if (!strcmp(wf->nodes[i].type, "n8n-nodes-base.executeWorkflowTrigger"))
            return &wf->nodes[i];
    for (size_t i = 0; i < wf->n_nodes; i++) {
        const char *t = wf->nodes[i].type;
        if (!strcmp(t, "n8n-nodes-base.start") || !strcmp(t, "n8n-nodes-base.manualTrigger") ||
            !strcmp(t, "@n8n/n8n-nodes-langchain.manualChatTrigger"))
            return &wf->nodes[i];
    }
    return NULL;
}

/* The id of the next sub-execution: the top execution's id plus the count
 * of sub-executions when it is a number (n8n numbers executions), else the
 * id with the count appended. */
static char *next_id(struct sl_exec *ex)
{
    struct sl_exec *top = sl_exec_top(ex);
    top->n_subs++;
    const char *id = top->id;
    char *end;
    unsigned long long n = strtoull(id, &end, 10);
    if (*id && !*end && n < (1ull << 62))
        return sl_asprintf("%llu", n + top->n_subs);
    return sl_asprintf("%s-%llu", id, (unsigned long long)top->n_subs);
}

struct sl_exec *sl_subwf_run(struct sl_node_ctx *ctx, const struct sl_workflow *wf, json_t *items,
                             bool keep_all, struct sl_error *err)
{
    struct sl_exec *parent = ctx->ex;
    if (parent->depth >= SL_SUBWF_MAX_DEPTH) {
        sl_error_set(err,
                     "sub-workflows are nested more than %d levels deep: does a workflow call "
                     "itself?",
                     SL_SUBWF_MAX_DEPTH);
        return NULL;
    }
    const struct sl_node *start = sl_subwf_start_node(wf);
    if (!start) {
        sl_error_set(err, "Missing node to start execution");
        return NULL;
    }
    char *id = next_id(parent);
    struct sl_exec_opts o = {
        .mode = "integrated",
        .id = id,
        .start_items = items,
        .keep_all = keep_all,
        .start_node = start,
        .lookup_cb = parent->opts.lookup_cb,
        .lookup_ud = parent->opts.lookup_ud,
        .credential_cb = parent->opts.credential_cb,
        .cred_ud = parent->opts.cred_ud,
        .clock = parent->opts.clock,
    };
    struct sl_exec *sub = sl_exec_new(wf, &o);
    free(id);
    sub->opts.id = NULL; /* freed above; sl_exec_new kept a copy */
    sub->parent = parent;
    sub->depth = parent->depth + 1;
    sub->code_timeout_ms = parent->code_timeout_ms;
    sub->code_memory_mb = parent->code_memory_mb;
    /* JavaScript caches key on the epoch: keep it rising across both */
    sub->epoch = parent->epoch + 1;
    /* a Wait inside is waited out here, on the caller's clock */
    (void)sl_exec_run_to_end(sub);
    sub->opts.start_items = NULL; /* borrowed for the run only */
    parent->epoch = sub->epoch + 1;
    if (sub->fatal)
        parent->fatal = true;
    struct sl_exec *top = sl_exec_top(parent);
    if (top->js)
        sl_js_set_exec(top->js, parent);
    return sub;
}

json_t *sl_subwf_result(const struct sl_exec *sub)
{
    return sub->last_out ? json_incref(sub->last_out) : json_array();
}

/* n8n's previousTaskData: the run that fed input 0 of `run`. */
static const struct sl_run *previous_run(const struct sl_exec *sub, const struct sl_run *run)
{
    if (!run || run->n_src < 1 || run->src[0].node < 0)
        return NULL;
    return sl_exec_get_run(sub, run->src[0].node, run->src[0].run);
}

json_t *sl_subwf_origin(const struct sl_exec *sub, json_t *paired, size_t index)
{
    if (sub->last_node < 0)
        return NULL;
    const struct sl_node_runs *runs = &sub->runs[sub->last_node];
    if (!runs->n)
        return NULL;
    const struct sl_run *run = previous_run(sub, &runs->v[runs->n - 1]);
    while (run) {
        size_t input = 0, item = index;
        if (json_is_object(paired)) {
            json_t *in = json_object_get(paired, "input");
            json_t *it = json_object_get(paired, "item");
            if (json_is_integer(in))
                input = (size_t)json_integer_value(in);
            if (json_is_integer(it))
                item = (size_t)json_integer_value(it);
        } else if (json_is_integer(paired)) {
            item = (size_t)json_integer_value(paired);
        }
        /* n8n indexes the run's outputs with the input number here */
        json_t *list = run->out ? json_array_get(run->out, input) : NULL;
        paired = json_object_get(json_array_get(list, item), "pairedItem");
        run = previous_run(sub, run);
    }
    return paired;
}
