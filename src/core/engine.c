/*
 * The execution engine: n8n's WorkflowExecute loop in C.
 *
 * The scheduler is a deque of tasks (node + input data). Finishing a node
 * queues its children: at the front in v1 order (depth-first, top-left
 * child first), at the back in legacy order. Nodes with several inputs wait
 * in `waits` until every input has data; when the deque runs dry, waiting
 * nodes run with what they have (v1 honours the node's required inputs).
 * Legacy order also forces the parents of a waiting node's missing inputs
 * to run (n8n's forceInputNodeExecution).
 *
 * Memory: items are shared jansson references. A run's output is dropped as
 * soon as its children have their references, unless the node is marked
 * `keep` (see core/retain.c), so a chain of nodes holds about two generations
 * of items at a time.
 */
#include "core/engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/binary.h"
#include "core/engine_int.h"
#include "core/graph.h"
#include "core/jsvalue.h"
#include "core/retain.h"
#include "js/js.h"
#include "util/alloc.h"
#include "util/clock.h"

static bool is_v1(const struct sl_exec *ex)
{
    return ex->wf->order == SL_ORDER_V1;
}

static const struct sl_node *node_at(const struct sl_exec *ex, int i)
{
    return &ex->wf->nodes[i];
}

/* ---------------------------------------------------------------- tasks */

static void task_release(struct sl_task *t)
{
    for (int i = 0; i < t->n_in; i++)
        json_decref(t->in[i]);
    free(t->in);
    free(t->src);
    memset(t, 0, sizeof *t);
}

static void task_init(struct sl_task *t, int node, int n_in)
{
    memset(t, 0, sizeof *t);
    t->node = node;
    t->n_in = n_in;
    t->in = sl_calloc((size_t)(n_in ? n_in : 1), sizeof *t->in);
    t->src = sl_calloc((size_t)(n_in ? n_in : 1), sizeof *t->src);
    for (int i = 0; i < n_in; i++)
        t->src[i].node = -1;
}

static void task_grow(struct sl_task *t, int n_in)
{
    if (n_in <= t->n_in)
        return;
    t->in = sl_realloc(t->in, sizeof *t->in * (size_t)n_in);
    t->src = sl_realloc(t->src, sizeof *t->src * (size_t)n_in);
    for (int i = t->n_in; i < n_in; i++) {
        t->in[i] = NULL;
        t->src[i].node = -1;
    }
    t->n_in = n_in;
}

static void stack_reserve(struct sl_exec *ex)
{
    if (ex->head + ex->len < ex->cap)
        return;
    if (ex->head > 0) {
        memmove(ex->stack, ex->stack + ex->head, sizeof *ex->stack * ex->len);
        ex->head = 0;
        if (ex->len < ex->cap)
            return;
    }
    ex->cap = ex->cap ? ex->cap * 2 : 16;
    ex->stack = sl_realloc(ex->stack, sizeof *ex->stack * ex->cap);
}

/* Takes over `t`. */
static void stack_push(struct sl_exec *ex, struct sl_task *t)
{
    stack_reserve(ex);
    ex->stack[ex->head + ex->len++] = *t;
}

static void stack_unshift(struct sl_exec *ex, struct sl_task *t)
{
    if (ex->head == 0) {
        stack_reserve(ex);
        if (ex->len + 1 > ex->cap) {
            ex->cap *= 2;
            ex->stack = sl_realloc(ex->stack, sizeof *ex->stack * ex->cap);
        }
        memmove(ex->stack + 1, ex->stack, sizeof *ex->stack * ex->len);
        ex->head = 1;
    }
    ex->stack[--ex->head] = *t;
    ex->len++;
}

static struct sl_task stack_shift(struct sl_exec *ex)
{
    struct sl_task t = ex->stack[ex->head++];
    if (--ex->len == 0)
        ex->head = 0;
    return t;
}

static bool stack_has_node(const struct sl_exec *ex, int node)
{
    for (size_t i = 0; i < ex->len; i++)
        if (ex->stack[ex->head + i].node == node)
            return true;
    return false;
}

/* -------------------------------------------------------------- waiting */

static struct sl_wait *wait_find(struct sl_exec *ex, int node, int index)
{
    for (size_t i = 0; i < ex->n_waits; i++)
        if (ex->waits[i].node == node && ex->waits[i].index == index)
            return &ex->waits[i];
    return NULL;
}

static bool node_waiting(const struct sl_exec *ex, int node)
{
    for (size_t i = 0; i < ex->n_wait_order; i++)
        if (ex->wait_order[i] == node)
            return true;
    return false;
}

static struct sl_wait *wait_add(struct sl_exec *ex, int node, int index, int n_in)
{
    if (!node_waiting(ex, node)) {
        ex->wait_order = sl_realloc(ex->wait_order, sizeof(int) * (ex->n_wait_order + 1));
        ex->wait_order[ex->n_wait_order++] = node;
    }
    if (ex->n_waits == ex->cap_waits) {
        ex->cap_waits = ex->cap_waits ? ex->cap_waits * 2 : 8;
        ex->waits = sl_realloc(ex->waits, sizeof *ex->waits * ex->cap_waits);
    }
    struct sl_wait *w = &ex->waits[ex->n_waits++];
    w->node = node;
    w->index = index;
    task_init(&w->t, node, n_in);
    return w;
}

/* Removes the entry without releasing its task (the caller took it). */
static void wait_remove(struct sl_exec *ex, struct sl_wait *w)
{
    int node = w->node;
    size_t i = (size_t)(w - ex->waits);
    memmove(ex->waits + i, ex->waits + i + 1, sizeof *ex->waits * (ex->n_waits - i - 1));
    ex->n_waits--;
    for (size_t k = 0; k < ex->n_waits; k++)
        if (ex->waits[k].node == node)
            return;
    for (size_t k = 0; k < ex->n_wait_order; k++) {
        if (ex->wait_order[k] == node) {
            memmove(ex->wait_order + k, ex->wait_order + k + 1,
                    sizeof(int) * (ex->n_wait_order - k - 1));
            ex->n_wait_order--;
            break;
        }
    }
}

/* Lowest waiting index of `node`, or -1. */
static int wait_first_index(const struct sl_exec *ex, int node)
{
    int best = -1;
    for (size_t i = 0; i < ex->n_waits; i++)
        if (ex->waits[i].node == node && (best < 0 || ex->waits[i].index < best))
            best = ex->waits[i].index;
    return best;
}

static int wait_count(const struct sl_exec *ex, int node)
{
    int n = 0;
    for (size_t i = 0; i < ex->n_waits; i++)
        n += ex->waits[i].node == node;
    return n;
}

/* ---------------------------------------------------------------- graph */

static int n_inputs_connected(const struct sl_exec *ex, int node)
{
    return node_at(ex, node)->n_in_conns;
}

static bool in_list(const int *v, int n, int x)
{
    for (int i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

/* ----------------------------------------------------------- run data */

static struct sl_run *run_new(struct sl_exec *ex, int node)
{
    struct sl_node_runs *r = &ex->runs[node];
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 2;
        r->v = sl_realloc(r->v, sizeof *r->v * r->cap);
    }
    struct sl_run *run = &r->v[r->n++];
    memset(run, 0, sizeof *run);
    return run;
}

static void record_finish(struct sl_exec *ex, int node)
{
    if (ex->n_finished == ex->cap_finished) {
        ex->cap_finished = ex->cap_finished ? ex->cap_finished * 2 : 64;
        ex->finished = sl_realloc(ex->finished, sizeof *ex->finished * ex->cap_finished);
    }
    ex->finished[ex->n_finished++] = node;
}

static void run_release(struct sl_run *run)
{
    json_decref(run->out);
    free(run->counts);
    free(run->error);
    free(run->error_desc);
    free(run->src);
}

const struct sl_run *sl_exec_get_run(const struct sl_exec *ex, int node, int run)
{
    if (node < 0 || (size_t)node >= ex->wf->n_nodes || run < 0 || (size_t)run >= ex->runs[node].n)
        return NULL;
    return &ex->runs[node].v[run];
}

json_t *sl_exec_run_output(const struct sl_exec *ex, int node, int run, int output)
{
    const struct sl_run *r = sl_exec_get_run(ex, node, run);
    if (!r || !r->out)
        return NULL;
    return json_array_get(r->out, (size_t)output);
}

json_t *sl_exec_node_context(struct sl_exec *ex, int node)
{
    struct sl_node_runs *r = &ex->runs[node];
    if (!r->context)
        r->context = json_object();
    return r->context;
}

/* Count of items on `output` of the node's run `run`, or -1 when that run
 * or output does not exist (n8n's incomingConnectionIsEmpty test). */
static long run_count(const struct sl_exec *ex, int node, int run, int output)
{
    const struct sl_run *r = sl_exec_get_run(ex, node, run);
    if (!r || !r->counts || output >= r->n_out)
        return -1;
    return (long)r->counts[output];
}

static bool incoming_empty(const struct sl_exec *ex, int node, int run)
{
    const struct sl_node *n = node_at(ex, node);
    if (n->n_in_conns == 0)
        return true;
    for (size_t k = 0; k < n->in[0].n; k++)
        if (run_count(ex, n->in[0].v[k].node, run, n->in[0].v[k].output) > 0)
            return false;
    return true;
}

/* --------------------------------------------------------- scheduling */

static json_t *single_empty_item(void)
{
    json_t *a = json_array();
    json_array_append_new(a, json_pack("{s:{}}", "json"));
    return a;
}

/* n8n's addNodeToBeExecuted. `out` is the parent's output list (borrowed)
 * for output `output`, or NULL for a null result. */
static void add_node_to_execute(struct sl_exec *ex, const struct sl_conn *conn, int output,
                                int parent, json_t *out, int run_index)
{
    bool v1 = is_v1(ex);
    int dst = conn->node;
    int n_in = n_inputs_connected(ex, dst);
    struct sl_src src = {parent, output, run_index};

    if (n_in > 1) {
        bool was_waiting = node_waiting(ex, dst);
        struct sl_wait *w = NULL;
        /* an existing entry still missing this input */
        for (size_t i = 0; i < ex->n_waits; i++) {
            struct sl_wait *c = &ex->waits[i];
            if (c->node == dst && (conn->input >= c->t.n_in || !c->t.in[conn->input])) {
                if (!w || c->index < w->index)
                    w = c;
            }
        }
        if (!w)
            w = wait_add(ex, dst, wait_count(ex, dst), n_in);
        task_grow(&w->t, conn->input + 1);
        json_decref(w->t.in[conn->input]);
        w->t.in[conn->input] = out ? json_incref(out) : NULL;
        w->t.src[conn->input] = out ? src : (struct sl_src){-1, 0, 0};

        bool all = true;
        for (int i = 0; i < w->t.n_in; i++)
            if (!w->t.in[i])
                all = false;
        if (all) {
            struct sl_task t = w->t;
            wait_remove(ex, w);
            if (v1)
                stack_unshift(ex, &t);
            else
                stack_push(ex, &t);
            return;
        }
        if (was_waiting)
            return;

        /* First time the node waits: in legacy order, force the parents of
         * the missing inputs to run. */
        const struct sl_node *pn = node_at(ex, parent);
        int *check_out = sl_malloc(sizeof(int) * (ex->wf->n_nodes * 4 + 1));
        int n_check = 0;
        for (int o = 0; o < pn->n_out_conns; o++)
            for (size_t k = 0; k < pn->out[o].n; k++)
                check_out[n_check++] = pn->out[o].v[k].node;
        const struct sl_node *dn = node_at(ex, dst);
        for (int ii = 0; ii < dn->n_in_conns; ii++) {
            for (size_t k = 0; k < dn->in[ii].n; k++) {
                int in_node = dn->in[ii].v[k].node;
                if (in_node == parent)
                    continue;
                if (in_list(check_out, n_check, in_node) && !incoming_empty(ex, in_node, run_index))
                    continue;
                if (stack_has_node(ex, in_node))
                    continue;
                if (ex->runs[in_node].n > 0)
                    continue;
                if (v1)
                    continue;
                int np;
                int *pars = sl_graph_parents(ex->wf, in_node, &np);
                pars[np++] = in_node;
                /* reverse */
                for (int a = 0, b = np - 1; a < b; a++, b--) {
                    int tmp = pars[a];
                    pars[a] = pars[b];
                    pars[b] = tmp;
                }
                int to_add = in_node;
                for (int q = 0; q < np; q++) {
                    int pnode = pars[q];
                    if (in_node != pnode && in_list(check_out, n_check, pnode)) {
                        to_add = -1;
                        break;
                    }
                    if (stack_has_node(ex, pnode)) {
                        to_add = -1;
                        break;
                    }
                    if (ex->runs[pnode].n > 0)
                        break;
                    to_add = pnode;
                }
                free(pars);
                if (to_add >= 0) {
                    int npp;
                    int *pp = sl_graph_parents(ex->wf, to_add, &npp);
                    if (in_list(pp, npp, parent) && (!out || json_array_size(out) == 0))
                        to_add = -1;
                    free(pp);
                }
                if (to_add < 0)
                    continue;
                if (node_at(ex, to_add)->n_in_conns == 0 || incoming_empty(ex, to_add, run_index)) {
                    struct sl_task t;
                    task_init(&t, to_add, 1);
                    t.in[0] = single_empty_item();
                    t.src[0] = src;
                    if (v1)
                        stack_unshift(ex, &t);
                    else
                        stack_push(ex, &t);
                }
            }
        }
        free(check_out);
        return;
    }

    struct sl_task t;
    task_init(&t, dst, conn->input + 1);
    t.in[conn->input] = out ? json_incref(out) : NULL;
    t.src[0] = src;
    if (v1)
        stack_unshift(ex, &t);
    else
        stack_push(ex, &t);
}

/* A child to queue in v1 order, with its canvas position. */
struct child {
    double x, y;
    struct sl_conn conn;
    int output;
};

/* n8n's comparator for v1 children: the lower node (larger y) first, then
 * the right-most. It is not antisymmetric: for two nodes at the same height
 * it returns 0 when the first is left of the second but -1 the other way
 * round, so the result depends on which pairs the sort compares, and in
 * which argument order. */
static int child_cmp(const struct child *a, const struct child *b)
{
    if (a->y < b->y)
        return 1;
    if (a->y > b->y)
        return -1;
    if (a->x > b->x)
        return -1;
    return 0;
}

static int child_cmp_idx(size_t a, size_t b, void *v)
{
    return child_cmp((const struct child *)v + a, (const struct child *)v + b);
}

/* Orders the children as V8's sort orders them with n8n's comparator, so
 * that nodes at the same height come out as in n8n; they are then
 * unshifted one by one, so the top-left child runs first. */
static void sort_children(struct child *v, size_t n)
{
    size_t *idx = sl_malloc(sizeof *idx * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    sl_jsv_sort(idx, n, child_cmp_idx, v);
    struct child *sorted = sl_malloc(sizeof *sorted * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        sorted[i] = v[idx[i]];
    memcpy(v, sorted, sizeof *v * n);
    free(sorted);
    free(idx);
}

/* ------------------------------------------------------- node context */

static void ctx_init(struct sl_node_ctx *c, struct sl_exec *ex, struct sl_task *t, int run_index,
                     json_t *input0)
{
    memset(c, 0, sizeof *c);
    c->ex = ex;
    c->node = node_at(ex, t->node);
    c->run_index = run_index;
    c->task = t;
    c->input0 = input0;
    c->n_out = c->node->n_outputs > 0 ? c->node->n_outputs : 1;
    c->out = sl_calloc((size_t)c->n_out, sizeof *c->out);
    ex->epoch++;
}

static void ctx_release(struct sl_node_ctx *c)
{
    for (int i = 0; i < c->n_out; i++)
        json_decref(c->out[i]);
    free(c->out);
    free(c->err);
    free(c->err_desc);
}

/* Builds the node's output (array of arrays) from the context; NULL when
 * the node returned null. New reference. */
static json_t *ctx_take_output(struct sl_node_ctx *c)
{
    if (c->out_null)
        return NULL;
    json_t *o = json_array();
    for (int i = 0; i < c->n_out; i++) {
        json_array_append_new(o, c->out[i] ? c->out[i] : json_array());
        c->out[i] = NULL;
    }
    return o;
}

/* ------------------------------------------------------------- helpers */

static int64_t now_ms(const struct sl_exec *ex)
{
    return sl_clock_now_ms(ex->opts.clock);
}

/* n8n's assignPairedItems. Replaces items in `out` when it adds pairedItem. */
static void assign_paired(json_t *out, const struct sl_task *t)
{
    if (!out || !json_array_size(out))
        return;
    size_t n_in0 = t->n_in == 1 && t->in[0] ? json_array_size(t->in[0]) : (size_t)-1;
    bool single = t->n_in == 1 && t->in[0] && n_in0 == 1;
    bool same = json_array_size(out) == 1 && t->n_in == 1 && t->in[0] &&
                json_array_size(json_array_get(out, 0)) == n_in0;
    bool single_out = json_array_size(out) == 1 && json_array_size(json_array_get(out, 0)) == 1 &&
                      t->n_in == 1 && t->in[0] && n_in0 > 1;
    size_t no = json_array_size(out);
    for (size_t o = 0; o < no; o++) {
        json_t *list = json_array_get(out, o);
        size_t n = json_array_size(list);
        for (size_t i = 0; i < n; i++) {
            json_t *item = json_array_get(list, i);
            if (json_object_get(item, "pairedItem"))
                continue;
            size_t idx;
            if (single)
                idx = 0;
            else if (same)
                idx = i;
            else if (single_out)
                idx = 0;
            else
                return;
            if (item->refcount == 1 && list->refcount == 1)
                sl_item_set_paired(item, idx, 0); /* only this list holds it */
            else
                json_array_set_new(list, i, sl_item_with_paired(item, idx));
        }
    }
}

/* n8n's addPairedItemLineage: input item i of input k carries
 * pairedItem {item: i, input: k}. Items that already say so are shared. */
static json_t *stamp_lineage(json_t *items, int input)
{
    size_t n = json_array_size(items);
    json_t *res = NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(items, i);
        json_t *p = json_object_get(it, "pairedItem");
        json_t *pi = json_object_get(p, "item");
        json_t *pin = json_object_get(p, "input");
        bool ok = json_is_object(p) && json_object_size(p) == (size_t)(input ? 2 : 1) &&
                  json_is_integer(pi) && (size_t)json_integer_value(pi) == i &&
                  (input ? json_is_integer(pin) && json_integer_value(pin) == input : !pin);
        if (ok) {
            if (res)
                json_array_append(res, it);
            continue;
        }
        if (!res) {
            res = json_array();
            for (size_t k = 0; k < i; k++)
                json_array_append(res, json_array_get(items, k));
        }
        json_t *c = json_copy(it);
        json_t *np = json_pack("{s:I}", "item", (json_int_t)i);
        if (input)
            json_object_set_new(np, "input", json_integer(input));
        json_object_set_new(c, "pairedItem", np);
        json_array_append_new(res, c);
    }
    return res ? res : json_incref(items);
}

static bool continues_on_error(const struct sl_node *n)
{
    return n->continue_on_fail || n->on_error != SL_ON_ERROR_STOP;
}

static int retry_wait_ms(const struct sl_node *n, int attempt)
{
    double w = n->wait_between_ms;
    if (n->backoff == SL_BACKOFF_EXPONENTIAL) {
        w = w * pow(2.0, attempt - 1);
        if (n->max_wait_ms && w > n->max_wait_ms)
            w = n->max_wait_ms;
        if (n->jitter)
            w = w / 2 + (w / 2) * ((double)rand() / RAND_MAX);
    }
    return (int)w;
}

/* n8n's checkFailure: output 0's first item has a truthy json.error. */
static bool output_failed(json_t *out)
{
    json_t *e = json_object_get(sl_item_json(json_array_get(json_array_get(out, 0), 0)), "error");
    return e && !json_is_null(e) && !json_is_false(e);
}

/* Reads one pairedItem entry ({item, input?} or n8n's bare number form). */
static bool paired_ref(const json_t *p, size_t *item, int *input)
{
    if (json_is_integer(p)) {
        *item = (size_t)json_integer_value(p);
        *input = 0;
        return json_integer_value(p) >= 0;
    }
    json_t *i = json_object_get(p, "item");
    json_t *in = json_object_get(p, "input");
    if (!json_is_integer(i) || json_integer_value(i) < 0)
        return false;
    *item = (size_t)json_integer_value(i);
    *input = json_is_integer(in) ? (int)json_integer_value(in) : 0;
    return *input >= 0;
}

/* n8n's handleNodeErrorOutput: error items on the regular outputs move to
 * the last (error) output, their json laid over the paired input item. */
static void route_error_output(struct sl_node_ctx *c, json_t *out)
{
    size_t n_main = json_array_size(out);
    if (n_main < 1)
        return;
    json_t *errs = json_array();
    for (size_t o = 0; o + 1 < n_main; o++) {
        json_t *items = json_array_get(out, o);
        json_t *keep = json_array();
        size_t n = json_array_size(items);
        for (size_t i = 0; i < n; i++) {
            json_t *it = json_array_get(items, i);
            json_t *j = sl_item_json(it);
            json_t *edata = json_object_get(it, "error");
            if (!edata && json_object_get(j, "error")) {
                bool only = true;
                const char *k;
                json_t *v;
                json_object_foreach(j, k, v)
                {
                    if (strcmp(k, "error") && strcmp(k, "message") && strcmp(k, "details"))
                        only = false;
                }
                json_t *ev = json_object_get(j, "error");
                bool truthy = !(json_is_null(ev) || json_is_false(ev) ||
                                (json_is_string(ev) && !json_string_length(ev)) ||
                                (json_is_number(ev) && json_number_value(ev) == 0));
                if (only && truthy)
                    edata = ev;
            }
            if (!edata) {
                json_array_append(keep, it);
                continue;
            }
            json_t *p = json_object_get(it, "pairedItem");
            if (json_is_array(p))
                p = json_array_get(p, 0);
            json_t *orig = NULL;
            size_t pi;
            int input;
            if (p && !c->task->no_src && paired_ref(p, &pi, &input) && input < c->task->n_in &&
                c->task->in[input])
                orig = json_array_get(c->task->in[input], pi);
            if (!orig) {
                json_array_append(errs, it);
                continue;
            }
            json_t *nj = json_copy(sl_item_json(orig));
            if (!nj)
                nj = json_object();
            json_object_update(nj, j);
            json_t *ni = json_copy(it);
            json_object_set_new(ni, "json", nj);
            json_array_append_new(errs, ni);
        }
        json_array_set_new(out, o, keep);
    }
    json_array_set_new(out, n_main - 1, errs);
}

/* ------------------------------------------------------------ running */

/* Runs the node once (n8n's runNode). Returns 0 with *out set (NULL: no
 * data), or an error with the message on `c`. */
static int run_node_once(struct sl_exec *ex, struct sl_node_ctx *c, json_t **out)
{
    const struct sl_node *n = c->node;
    struct sl_task *t = c->task;
    *out = NULL;
    if (n->disabled || t->resumed) {
        if (t->n_in > 0 && t->in[0]) {
            *out = json_array();
            json_array_append(*out, t->in[0]);
        }
        return 0;
    }
    if (!c->input0)
        return 0;
    if (t->no_src && ex->opts.start_items && (n->kind->flags & SL_NODE_TRIGGER)) {
        /* the caller gave the trigger its items (sluice run --input, a
         * webhook body): it fires with them, as n8n's non-manual triggers do */
        *out = json_array();
        json_array_append(*out, c->input0);
        return 0;
    }
    ex->cur = c;
    int rc = n->kind->execute(c);
    ex->cur = NULL;
    if (rc) {
        if (!c->err)
            c->err = sl_strdup("unknown error");
        return rc;
    }
    *out = ctx_take_output(c);
    return 0;
}

/* n8n's connectionInputData: the first input (v0), or in v1 the first input
 * that has items. NULL when there is nothing to run on. */
static json_t *connection_input(const struct sl_exec *ex, const struct sl_task *t)
{
    const struct sl_node *n = node_at(ex, t->node);
    if (n->kind->flags & SL_NODE_TRIGGER) {
        /* triggers run without input data in manual mode */
        return t->n_in > 0 && t->in[0] ? t->in[0] : ex->empty;
    }
    if (t->n_in == 0)
        return NULL;
    json_t *d = t->in[0];
    if (is_v1(ex)) {
        for (int i = 0; i < t->n_in; i++)
            if (t->in[i] && json_array_size(t->in[i])) {
                d = t->in[i];
                break;
            }
    }
    if (!d || !json_array_size(d))
        return NULL;
    return d;
}

/* executeOnce: the node sees only the first item of each input. */
static void keep_first_items(struct sl_task *t)
{
    for (int i = 0; i < t->n_in; i++) {
        if (!t->in[i] || json_array_size(t->in[i]) <= 1)
            continue;
        json_t *one = json_array();
        json_array_append(one, json_array_get(t->in[i], 0));
        json_decref(t->in[i]);
        t->in[i] = one;
    }
}

static void set_exec_error(struct sl_exec *ex, int node, const char *msg, const char *desc)
{
    free(ex->error);
    free(ex->error_desc);
    ex->error = msg ? sl_strdup(msg) : NULL;
    ex->error_desc = desc ? sl_strdup(desc) : NULL;
    ex->error_node = node;
}

static void drop_unkept(struct sl_exec *ex, int node, struct sl_run *run)
{
    if (!ex->runs[node].keep && run->out) {
        json_decref(run->out);
        run->out = NULL;
    }
}

/* Deletes the execution's binary files unless SLUICE_BINARY_KEEP=1 or the
 * execution is parked (a saved execution still refers to them). */
static void release_binary(struct sl_exec *ex)
{
    const char *keep = getenv("SLUICE_BINARY_KEEP");
    sl_binary_store_free(ex->binary, (keep && !strcmp(keep, "1")) || ex->status == SL_EXEC_WAITING);
    ex->binary = NULL;
}

/* The main loop (n8n's processRunExecutionData): runs tasks until the
 * stack is empty, a node fails the run or a node parks it. */
static int exec_loop(struct sl_exec *ex)
{
    const struct sl_workflow *wf = ex->wf;
    char *last_try = NULL;
    bool had_error = false;
    bool parked = false;

    while (ex->len) {
        /* n8n resets the execution error every iteration: the run ends in
         * error only when the last node taken from the stack failed. */
        bool iter_error = false;
        had_error = false;
        set_exec_error(ex, -1, NULL, NULL);
        struct sl_task t = stack_shift(ex);
        const struct sl_node *n = node_at(ex, t.node);
        /* lineage */
        for (int i = 0; i < t.n_in; i++) {
            if (!t.in[i])
                continue;
            json_t *s = stamp_lineage(t.in[i], i);
            json_decref(t.in[i]);
            t.in[i] = s;
        }
        int run_index = (int)ex->runs[t.node].n;
        /* n8n remembers only the last node:run it put back on the stack
         * (below), not the last one it ran, and stops when that one comes
         * up again, even if other nodes ran in between. The error is the
         * run's, not a node's. */
        char *this_try = sl_asprintf("%d:%d", t.node, run_index);
        if (last_try && !strcmp(this_try, last_try)) {
            free(this_try);
            task_release(&t);
            set_exec_error(ex, -1, "Stopped execution because it seems to be in an endless loop",
                           NULL);
            had_error = true;
            break;
        }
        /* ensureInputData. Legacy order puts the node back when an input
         * is null; n8n tests `main.length < i || main[i] === null`, so an
         * input just past the end of the task's list (undefined, not null)
         * passes and the node runs without it. */
        bool ready = true;
        for (int i = 0; i < n->n_in_conns; i++) {
            if (!sl_graph_has_enabled_source(wf, t.node, i))
                break;
            if (!is_v1(ex) && (t.n_in < i || (i < t.n_in && !t.in[i]))) {
                ready = false;
                break;
            }
        }
        if (!ready) {
            stack_push(ex, &t);
            free(last_try);
            last_try = this_try;
            continue;
        }
        free(this_try);

        if (n->execute_once && !n->disabled)
            keep_first_items(&t);
        json_t *input0 = connection_input(ex, &t);
        int64_t start_ms = now_ms(ex);
        uint64_t t0 = sl_clock_mono_us();
        struct sl_node_ctx c;
        json_t *out = NULL;
        int rc = 0;
        json_t *pinned = ex->opts.pin_data && wf->pin_data && !n->disabled
                             ? json_object_get(wf->pin_data, n->name)
                             : NULL;
        int tries = n->retry_on_fail ? n->max_tries : 1;
        ctx_init(&c, ex, &t, run_index, input0);
        for (int attempt = 0; attempt < tries; attempt++) {
            if (attempt) {
                if (ex->fatal)
                    break; /* a limit was hit: the JavaScript context is spent */
                int64_t wait = retry_wait_ms(n, attempt);
                if (c.retry_after_ms > wait)
                    wait = c.retry_after_ms; /* the node asked for more (Retry-After) */
                ctx_release(&c);
                ctx_init(&c, ex, &t, run_index, input0);
                sl_clock_sleep_ms(ex->opts.clock, wait);
            }
            if (pinned) {
                char e[256];
                json_t *items = sl_items_from_user(pinned, e, sizeof e);
                if (!items) {
                    rc = sl_ctx_fail(&c, "pinData for this node: %s", e);
                    break;
                }
                out = json_array();
                json_array_append_new(out, items);
                rc = 0;
                break;
            }
            rc = run_node_once(ex, &c, &out);
            if (rc == 0 && c.put_to_wait)
                break;
            if (rc == 0 && out && output_failed(out) && attempt != tries - 1) {
                json_decref(out);
                out = NULL;
                continue;
            }
            if (rc == 0)
                break;
            json_decref(out);
            out = NULL;
        }
        uint64_t dur = sl_clock_mono_us() - t0;

        if (rc == 0) {
            if (out && n->on_error == SL_ON_ERROR_CONTINUE_ERROR_OUTPUT && !n->disabled)
                route_error_output(&c, out);
            assign_paired(out, &t);
            if (out)
                ex->last_node = t.node;
            if (n->always_output && !n->disabled) {
                json_t *first0 = out ? json_array_get(out, 0) : NULL;
                if (!json_array_size(first0)) {
                    json_t *pairs = json_array();
                    for (int i = 0; i < t.n_in; i++) {
                        size_t m = json_array_size(t.in[i]);
                        for (size_t k = 0; k < m; k++)
                            json_array_append_new(
                                pairs, json_pack("{s:I,s:i}", "item", (json_int_t)k, "input", i));
                    }
                    json_t *item = json_pack("{s:{},s:o}", "json", "pairedItem", pairs);
                    json_t *l = json_array();
                    json_array_append_new(l, item);
                    if (!out)
                        out = json_array();
                    if (json_array_size(out))
                        json_array_set_new(out, 0, l);
                    else
                        json_array_append_new(out, l);
                }
            }
            if (!out && c.put_to_wait)
                out = json_array(); /* waiting with null: recorded, no data */
            if (!out) {
                /* null: the branch ends, no run record */
                ctx_release(&c);
                task_release(&t);
                continue;
            }
        }

        struct sl_run *run = run_new(ex, t.node);
        record_finish(ex, t.node);
        run->start_ms = start_ms;
        run->dur_us = (int64_t)dur;
        run->n_src = t.n_in;
        run->src = sl_calloc((size_t)(t.n_in ? t.n_in : 1), sizeof *run->src);
        for (int i = 0; i < t.n_in; i++)
            run->src[i] = t.no_src ? (struct sl_src){-1, 0, 0} : t.src[i];
        run->items_in = input0 ? json_array_size(input0) : 0;

        if (rc != 0) {
            run->failed = true;
            run->error = sl_strdup(c.err ? c.err : "unknown error");
            run->error_desc = c.err_desc ? sl_strdup(c.err_desc) : NULL;
            ex->last_node = t.node;
            iter_error = true;
            set_exec_error(ex, t.node, run->error, run->error_desc);
            if (!continues_on_error(n) || ex->fatal) {
                had_error = true;
                ctx_release(&c);
                task_release(&t);
                if (ex->opts.on_node)
                    ex->opts.on_node(ex->opts.ud, ex, n);
                break;
            }
            if (t.n_in > 0 && t.in[0]) {
                out = json_array();
                json_array_append(out, t.in[0]);
            } else {
                out = json_array();
            }
        }
        bool wants_wait = rc == 0 && c.put_to_wait;
        int64_t wait_till = c.wait_till;
        ctx_release(&c);

        /* normalizeNodeErrors: items with an `error` key get json {error} */
        run->n_out = (int)json_array_size(out);
        run->counts = sl_calloc((size_t)(run->n_out ? run->n_out : 1), sizeof *run->counts);
        for (int o = 0; o < run->n_out; o++) {
            json_t *l = json_array_get(out, (size_t)o);
            run->counts[o] = json_array_size(l);
            ex->items_done += run->counts[o];
        }
        run->out = out;
        json_decref(ex->last_out);
        ex->last_out = json_incref(out);
        ex->nodes_done++;

        if (wants_wait) {
            /* park: the node goes back on the stack with its input and
             * nothing after it runs until sl_exec_resume() */
            run->waiting = true;
            ex->wait_till = wait_till;
            stack_unshift(ex, &t);
            if (ex->opts.on_node)
                ex->opts.on_node(ex->opts.ud, ex, n);
            parked = true;
            break;
        }

        /* queue children */
        int n_conn_out = n->n_out_conns;
        struct child *kids = NULL;
        size_t n_kids = 0, cap_kids = 0;
        for (int o = 0; o < n_conn_out; o++) {
            json_t *list = json_array_get(out, (size_t)o);
            for (size_t k = 0; k < n->out[o].n; k++) {
                const struct sl_conn *cn = &n->out[o].v[k];
                if (!list)
                    continue;
                if (!(json_array_size(list) || (cn->input > 0 && !is_v1(ex))))
                    continue;
                if (is_v1(ex)) {
                    if (n_kids == cap_kids) {
                        cap_kids = cap_kids ? cap_kids * 2 : 8;
                        kids = sl_realloc(kids, sizeof *kids * cap_kids);
                    }
                    const struct sl_node *dn = node_at(ex, cn->node);
                    kids[n_kids++] = (struct child){dn->pos_x, dn->pos_y, *cn, o};
                } else {
                    add_node_to_execute(ex, cn, o, t.node, list, run_index);
                }
            }
        }
        if (is_v1(ex) && n_kids) {
            sort_children(kids, n_kids);
            for (size_t i = 0; i < n_kids; i++)
                add_node_to_execute(ex, &kids[i].conn, kids[i].output, t.node,
                                    json_array_get(out, (size_t)kids[i].output), run_index);
        }
        free(kids);
        task_release(&t);
        drop_unkept(ex, n->index, run);
        if (ex->opts.on_node)
            ex->opts.on_node(ex->opts.ud, ex, n);

        /* Nothing left to run: start a waiting node that can run with what
         * it has. */
        if (ex->len == 0 && ex->n_wait_order) {
            for (size_t wi = 0; wi < ex->n_wait_order; wi++) {
                int wn = ex->wait_order[wi];
                const struct sl_node *wnode = node_at(ex, wn);
                unsigned req = 0;
                bool has_req = false;
                if (is_v1(ex) && wnode->kind->required_inputs) {
                    req = wnode->kind->required_inputs(wnode);
                    has_req = req != 0;
                    unsigned all = wnode->n_inputs >= 32 ? ~0u : (1u << wnode->n_inputs) - 1;
                    if (has_req && (req & all) == all)
                        continue;
                }
                int np;
                int *pars = sl_graph_parents(ex->wf, wn, &np);
                bool parent_waiting = false;
                for (int q = 0; q < np; q++)
                    if (node_waiting(ex, pars[q]))
                        parent_waiting = true;
                free(pars);
                if (parent_waiting)
                    continue;
                int first_idx = wait_first_index(ex, wn);
                struct sl_wait *w = wait_find(ex, wn, first_idx);
                if (has_req) {
                    bool missing = false;
                    for (int b = 0; b < 32; b++)
                        if ((req >> b & 1u) && (b >= w->t.n_in || !w->t.in[b]))
                            missing = true;
                    if (missing)
                        continue;
                }
                struct sl_task wt = w->t;
                wait_remove(ex, w);
                int inputs = wnode->n_inputs > wt.n_in ? wnode->n_inputs : wt.n_in;
                task_grow(&wt, inputs);
                bool any = false;
                for (int i = 0; i < wt.n_in; i++) {
                    if (!wt.in[i])
                        wt.in[i] = json_array();
                    if (json_array_size(wt.in[i]))
                        any = true;
                }
                if (any) {
                    stack_push(ex, &wt);
                    break;
                }
                task_release(&wt);
                wi = (size_t)-1; /* restart the scan */
            }
        }
        had_error = iter_error;
    }
    free(last_try);
    if (parked) {
        ex->status = SL_EXEC_WAITING;
        return SL_EXEC_PARKED;
    }
    /* drop what is left queued (after an error) */
    while (ex->len) {
        struct sl_task t = stack_shift(ex);
        task_release(&t);
    }
    /* the execution has ended: its binary files go (core/binary.h) */
    release_binary(ex);
    if (had_error) {
        ex->status = SL_EXEC_ERROR;
        return SL_ERR_NODE;
    }
    ex->status = SL_EXEC_SUCCESS;
    return 0;
}

int sl_exec_run(struct sl_exec *ex)
{
    const struct sl_workflow *wf = ex->wf;
    if (ex->status != SL_EXEC_NEW)
        return SL_ERR_INVALID; /* an execution runs once */
    const struct sl_node *start =
        ex->opts.start_node ? ex->opts.start_node : sl_workflow_start_node(wf);
    ex->status = SL_EXEC_RUNNING;
    if (!start) {
        set_exec_error(ex, -1, "No node to start the workflow from could be found", NULL);
        ex->status = SL_EXEC_ERROR;
        return SL_ERR_NODE;
    }
    bool *plan = sl_retain_plan(wf, ex->opts.keep_all, ex->opts.keep, ex->opts.n_keep);
    for (size_t i = 0; i < wf->n_nodes; i++)
        ex->runs[i].keep = plan[i];
    free(plan);
    struct sl_task first;
    task_init(&first, start->index, 1);
    first.in[0] = ex->opts.start_items ? json_incref(ex->opts.start_items) : single_empty_item();
    first.no_src = true;
    stack_push(ex, &first);
    return exec_loop(ex);
}

int sl_exec_resume(struct sl_exec *ex)
{
    if (ex->status != SL_EXEC_WAITING || ex->len == 0)
        return SL_ERR_INVALID; /* the run's own state stays as it was */
    /* n8n's restart: the node that parked the run passes its input through
     * this time, and its waiting run is forgotten */
    struct sl_task *t = &ex->stack[ex->head];
    t->resumed = true;
    struct sl_node_runs *r = &ex->runs[t->node];
    if (r->n && r->v[r->n - 1].waiting) {
        struct sl_run *run = &r->v[--r->n];
        for (int o = 0; o < run->n_out; o++)
            ex->items_done -= run->counts[o];
        ex->nodes_done--;
        run_release(run);
        for (size_t i = ex->n_finished; i-- > 0;) {
            if (ex->finished[i] == t->node) {
                memmove(ex->finished + i, ex->finished + i + 1,
                        sizeof *ex->finished * (ex->n_finished - i - 1));
                ex->n_finished--;
                break;
            }
        }
    }
    ex->wait_till = -1;
    ex->status = SL_EXEC_RUNNING;
    return exec_loop(ex);
}

int64_t sl_exec_wait_till(const struct sl_exec *ex)
{
    return ex->status == SL_EXEC_WAITING ? ex->wait_till : -1;
}

int sl_exec_run_to_end(struct sl_exec *ex)
{
    int rc = sl_exec_run(ex);
    while (rc == SL_EXEC_PARKED) {
        sl_clock_sleep_until(ex->opts.clock, ex->wait_till);
        rc = sl_exec_resume(ex);
    }
    return rc;
}

/* ---------------------------------------------------- paired item walk */

/* n8n's getPairedItem: from item `item` of the output `src` points at,
 * follows pairedItem back until the output of node `target`. Returns the
 * borrowed item, or NULL with *err set. */
static json_t *paired_walk(struct sl_exec *ex, int target, struct sl_src src, size_t item,
                           char **err, int depth)
{
    while (src.node >= 0 && src.node != target) {
        if (depth++ > 10000) {
            *err = sl_strdup("Paired item chain is too long");
            return NULL;
        }
        const struct sl_run *run = sl_exec_get_run(ex, src.node, src.run);
        json_t *outl = run && run->out ? json_array_get(run->out, (size_t)src.output) : NULL;
        const char *name = node_at(ex, src.node)->name;
        if (!outl) {
            *err = sl_asprintf("Paired item data for node '%s' is unavailable", name);
            return NULL;
        }
        json_t *p = json_object_get(json_array_get(outl, item), "pairedItem");
        if (!p) {
            *err = sl_asprintf("Paired item data for item from node '%s' is unavailable. Ensure "
                               "'%s' is providing the required output.",
                               name, name);
            return NULL;
        }
        size_t next;
        int in;
        if (json_is_array(p)) {
            /* several origins: they must all lead to the same item */
            json_t *found = NULL;
            size_t i;
            json_t *pe;
            json_array_foreach(p, i, pe)
            {
                if (!paired_ref(pe, &next, &in))
                    continue;
                struct sl_src ns = in < run->n_src ? run->src[in] : (struct sl_src){-1, 0, 0};
                char *e2 = NULL;
                json_t *r = paired_walk(ex, target, ns, next, &e2, depth);
                free(e2);
                if (r && found && found != r) {
                    *err = sl_strdup("Multiple matching items for expression");
                    return NULL;
                }
                if (r)
                    found = r;
            }
            if (!found)
                *err = sl_asprintf("Paired item data for item from node '%s' is unavailable", name);
            return found;
        }
        if (!paired_ref(p, &next, &in)) {
            *err = sl_asprintf("Paired item data for item from node '%s' is invalid", name);
            return NULL;
        }
        item = next;
        src = in < run->n_src ? run->src[in] : (struct sl_src){-1, 0, 0};
    }
    if (src.node < 0) {
        *err = sl_asprintf("Can't get data for expression: no path back to node '%s'",
                           node_at(ex, target)->name);
        return NULL;
    }
    json_t *it = json_array_get(sl_exec_run_output(ex, src.node, src.run, src.output), item);
    if (!it)
        *err =
            sl_asprintf("Paired item data for node '%s' is unavailable", node_at(ex, target)->name);
    return it;
}

json_t *sl_exec_paired_item(struct sl_exec *ex, struct sl_node_ctx *ctx, int target, size_t item,
                            char **err)
{
    *err = NULL;
    if (ctx->node->index == target) {
        *err = sl_strdup("Can't use .item of the node itself");
        return NULL;
    }
    struct sl_task *t = ctx->task;
    int in = 0;
    for (int i = 0; i < t->n_in; i++)
        if (t->in[i] == ctx->input0) {
            in = i;
            break;
        }
    struct sl_src src = t->no_src ? (struct sl_src){-1, 0, 0} : t->src[in];
    return paired_walk(ex, target, src, item, err, 0);
}

/* -------------------------------------------------------------- public */

struct sl_exec *sl_exec_new(const struct sl_workflow *wf, const struct sl_exec_opts *opts)
{
    struct sl_exec *ex = sl_calloc(1, sizeof *ex);
    ex->wf = wf;
    if (opts)
        ex->opts = *opts;
    ex->mode = sl_strdup(ex->opts.mode ? ex->opts.mode : "manual");
    if (ex->opts.id)
        ex->id = sl_strdup(ex->opts.id);
    else
        ex->id = sl_asprintf("%lld", (long long)(now_ms(ex) % 100000000));
    ex->runs = sl_calloc(wf->n_nodes ? wf->n_nodes : 1, sizeof *ex->runs);
    ex->last_node = -1;
    ex->error_node = -1;
    ex->wait_till = -1;
    ex->custom_data = json_object();
    ex->empty = json_array();
    return ex;
}

void sl_exec_set_limits(struct sl_exec *ex, uint64_t timeout_ms, uint64_t memory_mb)
{
    ex->code_timeout_ms = timeout_ms;
    ex->code_memory_mb = memory_mb;
}

void sl_exec_free(struct sl_exec *ex)
{
    if (!ex)
        return;
    sl_js_release(ex->js);
    for (size_t i = 0; i < ex->wf->n_nodes; i++) {
        for (size_t r = 0; r < ex->runs[i].n; r++)
            run_release(&ex->runs[i].v[r]);
        free(ex->runs[i].v);
        json_decref(ex->runs[i].context);
    }
    free(ex->runs);
    while (ex->len) {
        struct sl_task t = stack_shift(ex);
        task_release(&t);
    }
    free(ex->stack);
    for (size_t i = 0; i < ex->n_waits; i++)
        task_release(&ex->waits[i].t);
    free(ex->waits);
    free(ex->wait_order);
    json_decref(ex->last_out);
    free(ex->finished);
    json_decref(ex->custom_data);
    json_decref(ex->empty);
    free(ex->error);
    free(ex->error_desc);
    free(ex->mode);
    release_binary(ex);
    free(ex->id);
    free(ex);
}

const char *sl_exec_timezone(const struct sl_exec *ex)
{
    if (ex->wf->timezone)
        return ex->wf->timezone;
    const char *g = getenv("GENERIC_TIMEZONE");
    return g && *g ? g : NULL;
}

enum sl_exec_status sl_exec_status(const struct sl_exec *ex)
{
    return ex->status;
}

const char *sl_exec_status_name(enum sl_exec_status st)
{
    switch (st) {
    case SL_EXEC_NEW:
        return "new";
    case SL_EXEC_RUNNING:
        return "running";
    case SL_EXEC_SUCCESS:
        return "success";
    case SL_EXEC_ERROR:
        return "error";
    case SL_EXEC_WAITING:
        return "waiting";
    case SL_EXEC_CANCELED:
        return "canceled";
    }
    return "unknown";
}

const char *sl_exec_error_message(const struct sl_exec *ex)
{
    return ex->error;
}

const char *sl_exec_error_node(const struct sl_exec *ex)
{
    return ex->error_node >= 0 ? node_at(ex, ex->error_node)->name : NULL;
}

const char *sl_exec_last_node(const struct sl_exec *ex)
{
    return ex->last_node >= 0 ? node_at(ex, ex->last_node)->name : NULL;
}

uint64_t sl_exec_nodes_done(const struct sl_exec *ex)
{
    return ex->nodes_done;
}

uint64_t sl_exec_items_done(const struct sl_exec *ex)
{
    return ex->items_done;
}

json_t *sl_exec_result_items(const struct sl_exec *ex)
{
    json_t *l = json_array_get(ex->last_out, 0);
    return l ? json_incref(l) : json_array();
}

json_t *sl_exec_finish_order(const struct sl_exec *ex)
{
    json_t *a = json_array();
    for (size_t i = 0; i < ex->n_finished; i++)
        json_array_append_new(a, json_string(node_at(ex, ex->finished[i])->name));
    return a;
}

json_t *sl_exec_node_output0(const struct sl_exec *ex, const char *name)
{
    const struct sl_node *n = sl_workflow_node(ex->wf, name);
    if (!n || ex->runs[n->index].n == 0)
        return NULL;
    json_t *res = json_array();
    for (size_t r = 0; r < ex->runs[n->index].n; r++) {
        const struct sl_run *run = &ex->runs[n->index].v[r];
        json_t *o = run->out ? json_array_get(run->out, 0) : NULL;
        json_array_append_new(res, o ? json_incref(o) : json_null());
    }
    return res;
}

static json_t *error_json(const char *msg, const char *desc, const char *node)
{
    json_t *e = json_pack("{s:s}", "message", msg);
    json_object_set_new(e, "description", desc ? json_string(desc) : json_null());
    if (node)
        json_object_set_new(e, "node", json_string(node));
    return e;
}

json_t *sl_exec_node_runs(const struct sl_exec *ex)
{
    json_t *list = json_array();
    size_t *seen = sl_calloc(ex->wf->n_nodes ? ex->wf->n_nodes : 1, sizeof *seen);
    for (size_t f = 0; f < ex->n_finished; f++) {
        int i = ex->finished[f];
        size_t r = seen[i]++;
        if (r >= ex->runs[i].n)
            continue;
        const struct sl_run *run = &ex->runs[i].v[r];
        size_t out = 0;
        for (int k = 0; k < run->n_out; k++)
            out += run->counts[k];
        json_t *bytes = json_null();
        if (run->out && ex->opts.keep_all)
            bytes = json_integer((json_int_t)json_dumpb(run->out, NULL, 0, JSON_COMPACT));
        json_array_append_new(
            list, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:o,s:s,s:s?}", "node",
                            node_at(ex, i)->name, "type", node_at(ex, i)->type, "run",
                            (json_int_t)r, "startMs", (json_int_t)run->start_ms, "durationUs",
                            (json_int_t)run->dur_us, "itemsIn", (json_int_t)run->items_in,
                            "itemsOut", (json_int_t)out, "bytes", bytes, "status",
                            run->failed    ? "error"
                            : run->waiting ? "waiting"
                                           : "success",
                            "error", run->error));
    }
    free(seen);
    return list;
}

json_t *sl_exec_result_json(const struct sl_exec *ex)
{
    json_t *rd = json_object();
    for (size_t i = 0; i < ex->wf->n_nodes; i++) {
        const struct sl_node_runs *nr = &ex->runs[i];
        if (!nr->n)
            continue;
        json_t *list = json_array();
        for (size_t r = 0; r < nr->n; r++) {
            const struct sl_run *run = &nr->v[r];
            json_t *o = json_object();
            json_object_set_new(o, "startTime", json_integer(run->start_ms));
            json_object_set_new(o, "executionTime", json_integer(run->dur_us / 1000));
            json_object_set_new(o, "executionTimeUs", json_integer(run->dur_us));
            json_object_set_new(o, "executionStatus",
                                json_string(run->failed    ? "error"
                                            : run->waiting ? "waiting"
                                                           : "success"));
            json_object_set_new(o, "itemsIn", json_integer((json_int_t)run->items_in));
            json_t *counts = json_array();
            for (int k = 0; k < run->n_out; k++)
                json_array_append_new(counts, json_integer((json_int_t)run->counts[k]));
            json_object_set_new(o, "itemsOut", counts);
            json_t *src = json_array();
            for (int k = 0; k < run->n_src; k++) {
                if (run->src[k].node < 0)
                    json_array_append_new(src, json_null());
                else
                    json_array_append_new(src, json_pack("{s:s,s:i,s:i}", "previousNode",
                                                         node_at(ex, run->src[k].node)->name,
                                                         "previousNodeOutput", run->src[k].output,
                                                         "previousNodeRun", run->src[k].run));
            }
            json_object_set_new(o, "source", src);
            json_object_set_new(o, "data",
                                run->out ? json_pack("{s:O}", "main", run->out) : json_null());
            json_object_set_new(o, "error",
                                run->error
                                    ? error_json(run->error, run->error_desc, ex->wf->nodes[i].name)
                                    : json_null());
            json_array_append_new(list, o);
        }
        json_object_set_new(rd, ex->wf->nodes[i].name, list);
    }
    json_t *res = json_object();
    json_object_set_new(res, "id", json_string(ex->id));
    json_object_set_new(res, "mode", json_string(ex->mode));
    json_object_set_new(res, "status", json_string(sl_exec_status_name(ex->status)));
    json_object_set_new(res, "finished", json_boolean(ex->status == SL_EXEC_SUCCESS));
    json_object_set_new(res, "lastNodeExecuted",
                        ex->last_node >= 0 ? json_string(node_at(ex, ex->last_node)->name)
                                           : json_null());
    json_object_set_new(res, "error",
                        ex->error ? error_json(ex->error, ex->error_desc, sl_exec_error_node(ex))
                                  : json_null());
    json_object_set_new(res, "runData", rd);
    return res;
}
