/*
 * A parked execution as JSON (sl_exec_save / sl_exec_load in engine.h), so
 * a server can store waiting executions and continue them later, in
 * another process.
 *
 * The document names nodes by name, not by index, and carries everything
 * struct sl_exec holds between nodes: the stack (the waiting node first,
 * with its input), the nodes waiting for more inputs, the run data (kept
 * outputs, counts, sources, errors), node contexts, custom data, the
 * finish order and the counters. Item lists that several places share in
 * memory are written once per place.
 *
 * {"sluiceExecution": 1, "id", "mode", "waitTill", "lastNode", "lastOut",
 *  "customData", "nodesDone", "itemsDone", "finished": [names],
 *  "nodes": {name: {"keep", "context", "runs": [run]}},
 *  "stack": [task], "waiting": [{"index", "task"}], "waitOrder": [names]}
 * run: {"start", "durUs", "failed", "waiting", "out", "counts", "itemsIn",
 *       "error", "errorDescription", "source": [src]}
 * task: {"node", "in": [items|null], "source": [src], "noSource", "resumed"}
 * src: [node name, output, run] or null
 */
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/engine_int.h"
#include "util/alloc.h"

#define STATE_VERSION 1

static json_t *name_or_null(const struct sl_exec *ex, int node)
{
    return node >= 0 ? json_string(ex->wf->nodes[node].name) : json_null();
}

static json_t *opt_ref(json_t *v)
{
    return v ? json_incref(v) : json_null();
}

static json_t *opt_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *save_src(const struct sl_exec *ex, const struct sl_src *s)
{
    if (s->node < 0)
        return json_null();
    return json_pack("[s,i,i]", ex->wf->nodes[s->node].name, s->output, s->run);
}

static json_t *save_task(const struct sl_exec *ex, const struct sl_task *t)
{
    json_t *in = json_array(), *src = json_array();
    for (int i = 0; i < t->n_in; i++) {
        json_array_append_new(in, opt_ref(t->in[i]));
        json_array_append_new(src, save_src(ex, &t->src[i]));
    }
    return json_pack("{s:s,s:o,s:o,s:b,s:b}", "node", ex->wf->nodes[t->node].name, "in", in,
                     "source", src, "noSource", t->no_src, "resumed", t->resumed);
}

static json_t *save_run(const struct sl_exec *ex, const struct sl_run *r)
{
    json_t *counts = json_array(), *src = json_array();
    for (int o = 0; o < r->n_out; o++)
        json_array_append_new(counts, json_integer((json_int_t)r->counts[o]));
    for (int i = 0; i < r->n_src; i++)
        json_array_append_new(src, save_src(ex, &r->src[i]));
    return json_pack("{s:I,s:I,s:b,s:b,s:o,s:o,s:I,s:o,s:o,s:o}", "start", (json_int_t)r->start_ms,
                     "durUs", (json_int_t)r->dur_us, "failed", r->failed, "waiting", r->waiting,
                     "out", opt_ref(r->out), "counts", counts, "itemsIn", (json_int_t)r->items_in,
                     "error", opt_str(r->error), "errorDescription", opt_str(r->error_desc),
                     "source", src);
}

json_t *sl_exec_save(const struct sl_exec *ex)
{
    if (ex->status != SL_EXEC_WAITING)
        return NULL;
    json_t *nodes = json_object();
    for (size_t i = 0; i < ex->wf->n_nodes; i++) {
        const struct sl_node_runs *nr = &ex->runs[i];
        json_t *runs = json_array();
        for (size_t r = 0; r < nr->n; r++)
            json_array_append_new(runs, save_run(ex, &nr->v[r]));
        json_object_set_new(nodes, ex->wf->nodes[i].name,
                            json_pack("{s:b,s:o,s:o}", "keep", nr->keep, "context",
                                      opt_ref(nr->context), "runs", runs));
    }
    json_t *stack = json_array();
    for (size_t i = 0; i < ex->len; i++)
        json_array_append_new(stack, save_task(ex, &ex->stack[ex->head + i]));
    json_t *waiting = json_array();
    for (size_t i = 0; i < ex->n_waits; i++)
        json_array_append_new(waiting, json_pack("{s:i,s:o}", "index", ex->waits[i].index, "task",
                                                 save_task(ex, &ex->waits[i].t)));
    json_t *order = json_array();
    for (size_t i = 0; i < ex->n_wait_order; i++)
        json_array_append_new(order, name_or_null(ex, ex->wait_order[i]));
    json_t *finished = json_array();
    for (size_t i = 0; i < ex->n_finished; i++)
        json_array_append_new(finished, name_or_null(ex, ex->finished[i]));
    return json_pack("{s:i,s:s,s:s,s:I,s:o,s:o,s:O,s:I,s:I,s:o,s:o,s:o,s:o,s:o}", "sluiceExecution",
                     STATE_VERSION, "id", ex->id, "mode", ex->mode, "waitTill",
                     (json_int_t)ex->wait_till, "lastNode", name_or_null(ex, ex->last_node),
                     "lastOut", opt_ref(ex->last_out), "customData", ex->custom_data, "nodesDone",
                     (json_int_t)ex->nodes_done, "itemsDone", (json_int_t)ex->items_done,
                     "finished", finished, "nodes", nodes, "stack", stack, "waiting", waiting,
                     "waitOrder", order);
}

/* ------------------------------------------------------------- loading */

struct loader {
    struct sl_exec *ex;
    struct sl_error *err;
    bool bad;
};

static int node_of(struct loader *l, const json_t *name, const char *what)
{
    const struct sl_node *n =
        json_is_string(name) ? sl_workflow_node(l->ex->wf, json_string_value(name)) : NULL;
    if (!n) {
        if (!l->bad)
            sl_error_set(l->err, "saved execution: %s names no node of this workflow", what);
        l->bad = true;
        return -1;
    }
    return n->index;
}

static void fail(struct loader *l, const char *what)
{
    if (!l->bad)
        sl_error_set(l->err, "saved execution: %s is malformed", what);
    l->bad = true;
}

static struct sl_src load_src(struct loader *l, const json_t *v)
{
    struct sl_src s = {-1, 0, 0};
    if (json_is_null(v))
        return s;
    if (!json_is_array(v) || json_array_size(v) != 3) {
        fail(l, "a source");
        return s;
    }
    s.node = node_of(l, json_array_get(v, 0), "a source");
    s.output = (int)json_integer_value(json_array_get(v, 1));
    s.run = (int)json_integer_value(json_array_get(v, 2));
    return s;
}

static json_t *items_or_null(struct loader *l, json_t *v, const char *what)
{
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_array(v)) {
        fail(l, what);
        return NULL;
    }
    return json_incref(v);
}

static void load_task(struct loader *l, const json_t *v, struct sl_task *t)
{
    memset(t, 0, sizeof *t);
    json_t *in = json_object_get(v, "in"), *src = json_object_get(v, "source");
    t->node = node_of(l, json_object_get(v, "node"), "a queued task");
    if (!json_is_array(in) || !json_is_array(src) || json_array_size(in) != json_array_size(src)) {
        fail(l, "a queued task");
        t->node = t->node < 0 ? 0 : t->node;
        return;
    }
    t->n_in = (int)json_array_size(in);
    t->in = sl_calloc((size_t)(t->n_in ? t->n_in : 1), sizeof *t->in);
    t->src = sl_calloc((size_t)(t->n_in ? t->n_in : 1), sizeof *t->src);
    for (int i = 0; i < t->n_in; i++) {
        t->in[i] = items_or_null(l, json_array_get(in, (size_t)i), "a task's input");
        t->src[i] = load_src(l, json_array_get(src, (size_t)i));
    }
    t->no_src = json_is_true(json_object_get(v, "noSource"));
    t->resumed = json_is_true(json_object_get(v, "resumed"));
    if (t->node < 0)
        t->node = 0; /* keeps the task releasable; the load fails anyway */
}

static char *str_or_null(const json_t *v)
{
    return json_is_string(v) ? sl_strdup(json_string_value(v)) : NULL;
}

static void load_run(struct loader *l, const json_t *v, struct sl_run *r)
{
    memset(r, 0, sizeof *r);
    json_t *counts = json_object_get(v, "counts"), *src = json_object_get(v, "source");
    if (!json_is_object(v) || !json_is_array(counts) || !json_is_array(src)) {
        fail(l, "a run");
        return;
    }
    r->start_ms = json_integer_value(json_object_get(v, "start"));
    r->dur_us = json_integer_value(json_object_get(v, "durUs"));
    r->failed = json_is_true(json_object_get(v, "failed"));
    r->waiting = json_is_true(json_object_get(v, "waiting"));
    r->out = items_or_null(l, json_object_get(v, "out"), "a run's output");
    r->n_out = (int)json_array_size(counts);
    r->counts = sl_calloc((size_t)(r->n_out ? r->n_out : 1), sizeof *r->counts);
    for (int o = 0; o < r->n_out; o++)
        r->counts[o] = (size_t)json_integer_value(json_array_get(counts, (size_t)o));
    r->items_in = (size_t)json_integer_value(json_object_get(v, "itemsIn"));
    r->error = str_or_null(json_object_get(v, "error"));
    r->error_desc = str_or_null(json_object_get(v, "errorDescription"));
    r->n_src = (int)json_array_size(src);
    r->src = sl_calloc((size_t)(r->n_src ? r->n_src : 1), sizeof *r->src);
    for (int i = 0; i < r->n_src; i++)
        r->src[i] = load_src(l, json_array_get(src, (size_t)i));
}

static void load_nodes(struct loader *l, json_t *nodes)
{
    struct sl_exec *ex = l->ex;
    const char *name;
    json_t *nv;
    json_object_foreach(nodes, name, nv)
    {
        json_t *nm = json_string(name);
        int node = node_of(l, nm, "a node with run data");
        json_decref(nm);
        json_t *runs = json_object_get(nv, "runs");
        if (node < 0 || !json_is_array(runs)) {
            fail(l, "a node's run data");
            return;
        }
        struct sl_node_runs *nr = &ex->runs[node];
        nr->keep = json_is_true(json_object_get(nv, "keep"));
        json_t *ctx = json_object_get(nv, "context");
        nr->context = json_is_object(ctx) ? json_copy(ctx) : NULL;
        nr->cap = json_array_size(runs);
        nr->v = sl_calloc(nr->cap ? nr->cap : 1, sizeof *nr->v);
        for (size_t r = 0; r < nr->cap && !l->bad; r++) {
            load_run(l, json_array_get(runs, r), &nr->v[r]);
            nr->n = r + 1;
        }
    }
}

static int *load_names(struct loader *l, json_t *list, size_t *n, const char *what)
{
    *n = json_array_size(list);
    int *v = sl_calloc(*n ? *n : 1, sizeof *v);
    for (size_t i = 0; i < *n; i++)
        v[i] = node_of(l, json_array_get(list, i), what);
    return v;
}

struct sl_exec *sl_exec_load(const struct sl_workflow *wf, const struct sl_exec_opts *opts,
                             const json_t *state, struct sl_error *err)
{
    if (json_integer_value(json_object_get(state, "sluiceExecution")) != STATE_VERSION) {
        sl_error_set(err, "saved execution: not a sluice execution state (version %d)",
                     STATE_VERSION);
        return NULL;
    }
    struct sl_exec_opts o = opts ? *opts : (struct sl_exec_opts){0};
    json_t *id = json_object_get(state, "id"), *mode = json_object_get(state, "mode");
    o.id = json_is_string(id) ? json_string_value(id) : o.id;
    o.mode = json_is_string(mode) ? json_string_value(mode) : o.mode;
    struct sl_exec *ex = sl_exec_new(wf, &o);
    ex->opts.id = NULL; /* borrowed from `state`, which the caller may drop */
    ex->opts.mode = NULL;
    struct loader l = {ex, err, false};

    ex->status = SL_EXEC_WAITING;
    ex->wait_till = json_integer_value(json_object_get(state, "waitTill"));
    json_t *last = json_object_get(state, "lastNode");
    ex->last_node = json_is_null(last) || !last ? -1 : node_of(&l, last, "lastNode");
    ex->last_out = items_or_null(&l, json_object_get(state, "lastOut"), "lastOut");
    json_t *custom = json_object_get(state, "customData");
    if (json_is_object(custom)) {
        json_decref(ex->custom_data);
        ex->custom_data = json_copy(custom);
    }
    ex->nodes_done = (uint64_t)json_integer_value(json_object_get(state, "nodesDone"));
    ex->items_done = (uint64_t)json_integer_value(json_object_get(state, "itemsDone"));
    ex->finished = load_names(&l, json_object_get(state, "finished"), &ex->n_finished, "finished");
    ex->cap_finished = ex->n_finished;
    ex->wait_order =
        load_names(&l, json_object_get(state, "waitOrder"), &ex->n_wait_order, "waitOrder");
    load_nodes(&l, json_object_get(state, "nodes"));

    json_t *stack = json_object_get(state, "stack");
    ex->cap = json_array_size(stack) + 16;
    ex->stack = sl_calloc(ex->cap, sizeof *ex->stack);
    for (size_t i = 0; i < json_array_size(stack) && !l.bad; i++)
        load_task(&l, json_array_get(stack, i), &ex->stack[ex->len++]);
    json_t *waiting = json_object_get(state, "waiting");
    ex->cap_waits = json_array_size(waiting) + 8;
    ex->waits = sl_calloc(ex->cap_waits, sizeof *ex->waits);
    for (size_t i = 0; i < json_array_size(waiting) && !l.bad; i++) {
        json_t *w = json_array_get(waiting, i);
        struct sl_wait *slot = &ex->waits[ex->n_waits++];
        slot->index = (int)json_integer_value(json_object_get(w, "index"));
        load_task(&l, json_object_get(w, "task"), &slot->t);
        slot->node = slot->t.node;
    }
    if (!l.bad && ex->len == 0)
        fail(&l, "the stack (no waiting node)");
    if (l.bad) {
        sl_exec_free(ex);
        return NULL;
    }
    return ex;
}
