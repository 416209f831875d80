/*
 * Loads n8n's workflow export format into a struct sl_workflow.
 *
 * Validation happens here, once, so that the engine can trust the model:
 * unique node names, connections that name existing nodes and sane indexes,
 * and a node type + typeVersion that sluice implements. Every message names
 * the node and the field.
 */
#include "core/workflow.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodes/node.h"
#include "util/alloc.h"

static bool jbool(const json_t *obj, const char *key)
{
    return json_is_true(json_object_get(obj, key));
}

/* Clamps before converting: a huge or NaN setting must not overflow the
 * conversion to int (NaN counts as `lo`). */
static int clampi(double v, int lo, int hi)
{
    return !(v >= lo) ? lo : v > hi ? hi : (int)v;
}

/* n8n reads maxTries/waitBetweenTries with `||`, so 0 and non-numbers fall
 * back to the defaults. */
static double jnum_or(const json_t *obj, const char *key, double dflt)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_number(v) && json_number_value(v) != 0)
        return json_number_value(v);
    if (json_is_string(v)) {
        char *end;
        double d = strtod(json_string_value(v), &end);
        if (end != json_string_value(v) && *end == '\0' && d != 0)
            return d;
    }
    return dflt;
}

static int load_settings(struct sl_node *n, struct sl_error *err)
{
    json_t *j = n->json;
    n->disabled = jbool(j, "disabled");
    n->execute_once = jbool(j, "executeOnce");
    n->always_output = jbool(j, "alwaysOutputData");
    n->retry_on_fail = jbool(j, "retryOnFail");
    n->continue_on_fail = jbool(j, "continueOnFail");
    n->on_error = SL_ON_ERROR_STOP;
    json_t *oe = json_object_get(j, "onError");
    if (json_is_string(oe)) {
        const char *s = json_string_value(oe);
        if (!strcmp(s, "continueRegularOutput"))
            n->on_error = SL_ON_ERROR_CONTINUE_REGULAR;
        else if (!strcmp(s, "continueErrorOutput"))
            n->on_error = SL_ON_ERROR_CONTINUE_ERROR_OUTPUT;
        else if (strcmp(s, "stopWorkflow")) {
            sl_error_set(err,
                         "node '%s': onError '%s' is not one of stopWorkflow, "
                         "continueRegularOutput, continueErrorOutput",
                         n->name, s);
            return SL_ERR_INVALID;
        }
    } else if (oe && !json_is_null(oe)) {
        sl_error_set(err, "node '%s': onError must be a string", n->name);
        return SL_ERR_INVALID;
    }

    /* n8n: min(5, max(2, maxTries || 3)) attempts, min(5000, max(0,
     * waitBetweenTries || 1000)) ms. A node's own "sluice" key lifts the caps
     * and selects the backoff. */
    json_t *sx = json_object_get(j, "sluice");
    double tries = jnum_or(j, "maxTries", 3);
    double wait = jnum_or(j, "waitBetweenTries", 1000);
    n->backoff = SL_BACKOFF_FIXED;
    n->max_wait_ms = 0;
    n->jitter = false;
    if (json_is_object(sx)) {
        json_t *b = json_object_get(sx, "backoff");
        if (json_is_string(b) && !strcmp(json_string_value(b), "exponential"))
            n->backoff = SL_BACKOFF_EXPONENTIAL;
        else if (b && !(json_is_string(b) && !strcmp(json_string_value(b), "fixed"))) {
            sl_error_set(err, "node '%s': sluice.backoff must be \"exponential\" or \"fixed\"",
                         n->name);
            return SL_ERR_INVALID;
        }
        n->max_wait_ms = clampi(jnum_or(sx, "maxWaitMs", 60000), 0, 3600000);
        n->jitter = jbool(sx, "jitter");
        n->max_tries = clampi(tries, 2, 100);
        n->wait_between_ms = clampi(wait, 0, 3600000);
    } else {
        n->max_tries = clampi(tries, 2, 5);
        n->wait_between_ms = clampi(wait, 0, 5000);
    }
    return 0;
}

static int load_node(struct sl_workflow *wf, size_t i, json_t *j, struct sl_error *err)
{
    struct sl_node *n = &wf->nodes[i];
    n->index = (int)i;
    n->json = j;
    if (!json_is_object(j)) {
        sl_error_set(err, "nodes[%zu]: a node must be an object", i);
        return SL_ERR_INVALID;
    }
    json_t *name = json_object_get(j, "name");
    if (!json_is_string(name) || !json_string_length(name)) {
        sl_error_set(err, "nodes[%zu]: 'name' must be a non-empty string", i);
        return SL_ERR_INVALID;
    }
    n->name = json_string_value(name);
    json_t *type = json_object_get(j, "type");
    if (!json_is_string(type)) {
        sl_error_set(err, "node '%s': 'type' must be a string", n->name);
        return SL_ERR_INVALID;
    }
    n->type = json_string_value(type);
    json_t *ver = json_object_get(j, "typeVersion");
    if (ver && !json_is_number(ver)) {
        sl_error_set(err, "node '%s': 'typeVersion' must be a number", n->name);
        return SL_ERR_INVALID;
    }
    n->version = ver ? json_number_value(ver) : 1;
    n->kind = sl_node_type_find(n->type);
    if (!n->kind) {
        sl_error_set(err, "node '%s': node type '%s' (version %g) is not supported by sluice",
                     n->name, n->type, n->version);
        return SL_ERR_INVALID;
    }
    if (!sl_node_type_has_version(n->kind, n->version)) {
        sl_error_set(err, "node '%s': node type '%s' has no version %g in sluice", n->name, n->type,
                     n->version);
        return SL_ERR_INVALID;
    }
    json_t *params = json_object_get(j, "parameters");
    if (params && !json_is_object(params)) {
        sl_error_set(err, "node '%s': 'parameters' must be an object", n->name);
        return SL_ERR_INVALID;
    }
    if (!params) {
        params = json_object();
        json_object_set_new(j, "parameters", params);
    }
    n->params = params;
    json_t *pos = json_object_get(j, "position");
    if (json_is_array(pos) && json_array_size(pos) >= 2) {
        n->pos_x = json_number_value(json_array_get(pos, 0));
        n->pos_y = json_number_value(json_array_get(pos, 1));
    }
    int rc = load_settings(n, err);
    if (rc)
        return rc;
    n->n_inputs = n->kind->inputs ? n->kind->inputs(n) : 1;
    n->n_outputs = n->kind->outputs ? n->kind->outputs(n) : 1;
    if (n->on_error == SL_ON_ERROR_CONTINUE_ERROR_OUTPUT)
        n->n_outputs++;
    return 0;
}

static int add_in_conn(struct sl_node *dst, int input, int src, int output)
{
    if (input >= dst->n_in_conns) {
        dst->in = sl_realloc(dst->in, sizeof *dst->in * (size_t)(input + 1));
        memset(dst->in + dst->n_in_conns, 0,
               sizeof *dst->in * (size_t)(input + 1 - dst->n_in_conns));
        dst->n_in_conns = input + 1;
    }
    struct sl_in_conns *c = &dst->in[input];
    c->v = sl_realloc(c->v, sizeof *c->v * (c->n + 1));
    c->v[c->n].node = src;
    c->v[c->n].output = output;
    c->n++;
    return 0;
}

static int load_connections(struct sl_workflow *wf, json_t *conns, struct sl_error *err)
{
    if (!conns)
        return 0;
    if (!json_is_object(conns)) {
        sl_error_set(err, "workflow: 'connections' must be an object");
        return SL_ERR_INVALID;
    }
    const char *src_name;
    json_t *by_type;
    json_object_foreach(conns, src_name, by_type)
    {
        const struct sl_node *src_c = sl_workflow_node(wf, src_name);
        if (!src_c) {
            sl_error_set(err, "connections: source node '%s' does not exist", src_name);
            return SL_ERR_INVALID;
        }
        struct sl_node *src = &wf->nodes[src_c->index];
        if (!json_is_object(by_type)) {
            sl_error_set(err, "connections of node '%s' must be an object", src_name);
            return SL_ERR_INVALID;
        }
        json_t *main = json_object_get(by_type, "main");
        if (!main || json_is_null(main))
            continue;
        if (!json_is_array(main)) {
            sl_error_set(err, "connections of node '%s': 'main' must be an array", src_name);
            return SL_ERR_INVALID;
        }
        size_t nout = json_array_size(main);
        src->out = sl_calloc(nout, sizeof *src->out);
        src->n_out_conns = (int)nout;
        for (size_t o = 0; o < nout; o++) {
            json_t *list = json_array_get(main, o);
            if (json_is_null(list))
                continue;
            if (!json_is_array(list)) {
                sl_error_set(err, "connections of node '%s': output %zu must be an array", src_name,
                             o);
                return SL_ERR_INVALID;
            }
            size_t nc = json_array_size(list);
            src->out[o].v = sl_calloc(nc, sizeof *src->out[o].v);
            for (size_t k = 0; k < nc; k++) {
                json_t *c = json_array_get(list, k);
                json_t *dn = json_object_get(c, "node");
                json_t *di = json_object_get(c, "index");
                if (!json_is_string(dn)) {
                    sl_error_set(err,
                                 "connections of node '%s': output %zu entry %zu has no "
                                 "'node' name",
                                 src_name, o, k);
                    return SL_ERR_INVALID;
                }
                const struct sl_node *dst = sl_workflow_node(wf, json_string_value(dn));
                if (!dst) {
                    sl_error_set(err,
                                 "connections of node '%s': destination node '%s' does "
                                 "not exist",
                                 src_name, json_string_value(dn));
                    return SL_ERR_INVALID;
                }
                long long idx = json_is_integer(di) ? json_integer_value(di) : 0;
                if (idx < 0 || idx >= 64) {
                    sl_error_set(err,
                                 "connections of node '%s': input index %lld of node '%s' "
                                 "is out of range",
                                 src_name, idx, dst->name);
                    return SL_ERR_INVALID;
                }
                src->out[o].v[src->out[o].n].node = dst->index;
                src->out[o].v[src->out[o].n].input = (int)idx;
                src->out[o].n++;
                add_in_conn(&wf->nodes[dst->index], (int)idx, src->index, (int)o);
            }
        }
    }
    return 0;
}

struct sl_workflow *sl_workflow_from_json(json_t *doc, struct sl_error *err)
{
    if (json_is_object(doc) && json_is_array(json_object_get(doc, "data"))) {
        json_t *first = json_incref(json_array_get(json_object_get(doc, "data"), 0));
        json_decref(doc);
        doc = first;
    } else if (json_is_array(doc)) {
        json_t *first = json_incref(json_array_get(doc, 0));
        json_decref(doc);
        doc = first;
    }
    if (!json_is_object(doc)) {
        sl_error_set(err, "workflow: expected a workflow object, an array of them or "
                          "{\"data\": [...]}");
        json_decref(doc);
        return NULL;
    }
    struct sl_workflow *wf = sl_calloc(1, sizeof *wf);
    wf->doc = doc;
    json_t *nodes = json_object_get(doc, "nodes");
    if (!json_is_array(nodes)) {
        sl_error_set(err, "workflow: 'nodes' must be an array");
        goto fail;
    }
    json_t *name = json_object_get(doc, "name");
    wf->name = json_is_string(name) ? json_string_value(name) : "";
    json_t *id = json_object_get(doc, "id");
    wf->id = json_is_string(id) ? json_string_value(id) : "";
    wf->active = jbool(doc, "active");
    json_t *settings = json_object_get(doc, "settings");
    json_t *order = json_object_get(settings, "executionOrder");
    wf->order = json_is_string(order) && !strcmp(json_string_value(order), "v1") ? SL_ORDER_V1
                                                                                 : SL_ORDER_V0;
    json_t *tz = json_object_get(settings, "timezone");
    wf->timezone = json_is_string(tz) && strcmp(json_string_value(tz), "DEFAULT")
                       ? json_string_value(tz)
                       : NULL;
    wf->pin_data = json_object_get(doc, "pinData");
    if (wf->pin_data && !json_is_object(wf->pin_data))
        wf->pin_data = NULL;
    wf->trigger = json_object_get(doc, "trigger");

    wf->n_nodes = json_array_size(nodes);
    wf->nodes = sl_calloc(wf->n_nodes, sizeof *wf->nodes);
    for (size_t i = 0; i < wf->n_nodes; i++) {
        if (load_node(wf, i, json_array_get(nodes, i), err))
            goto fail;
        for (size_t k = 0; k < i; k++) {
            if (!strcmp(wf->nodes[k].name, wf->nodes[i].name)) {
                sl_error_set(err, "node '%s': two nodes have this name", wf->nodes[i].name);
                goto fail;
            }
        }
    }
    if (load_connections(wf, json_object_get(doc, "connections"), err))
        goto fail;
    return wf;
fail:
    sl_workflow_free(wf);
    return NULL;
}

struct sl_workflow *sl_workflow_parse(const char *text, size_t len, struct sl_error *err)
{
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
    if (!doc) {
        sl_error_set(err, "invalid JSON at line %d, column %d: %s", jerr.line, jerr.column,
                     jerr.text);
        return NULL;
    }
    return sl_workflow_from_json(doc, err);
}

struct sl_workflow *sl_workflow_load(const char *path, struct sl_error *err)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        sl_error_set(err, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct sl_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > SL_WORKFLOW_MAX_BYTES) {
            sl_error_set(err, "'%s': workflow file is larger than %u MiB", path,
                         SL_WORKFLOW_MAX_BYTES >> 20);
            goto fail;
        }
        sl_buf_add(&b, chunk, n);
    }
    if (ferror(f)) {
        sl_error_set(err, "cannot read '%s': %s", path, strerror(errno));
        goto fail;
    }
    if (f != stdin)
        fclose(f);
    struct sl_workflow *wf = sl_workflow_parse(b.data ? b.data : "", b.len, err);
    if (!wf) {
        char *tmp = sl_asprintf("%s: %s", path, err->msg);
        sl_error_set(err, "%s", tmp);
        free(tmp);
    }
    sl_buf_release(&b);
    return wf;
fail:
    if (f != stdin)
        fclose(f);
    sl_buf_release(&b);
    return NULL;
}

void sl_workflow_free(struct sl_workflow *wf)
{
    if (!wf)
        return;
    for (size_t i = 0; i < wf->n_nodes; i++) {
        struct sl_node *n = &wf->nodes[i];
        for (int o = 0; o < n->n_out_conns; o++)
            free(n->out[o].v);
        free(n->out);
        for (int k = 0; k < n->n_in_conns; k++)
            free(n->in[k].v);
        free(n->in);
    }
    free(wf->nodes);
    json_decref(wf->doc);
    free(wf);
}

const struct sl_node *sl_workflow_node(const struct sl_workflow *wf, const char *name)
{
    for (size_t i = 0; i < wf->n_nodes; i++)
        if (!strcmp(wf->nodes[i].name, name))
            return &wf->nodes[i];
    return NULL;
}

const struct sl_node *sl_workflow_start_node(const struct sl_workflow *wf)
{
    const struct sl_node *lone = NULL;
    size_t enabled = 0;
    for (size_t i = 0; i < wf->n_nodes; i++) {
        const struct sl_node *n = &wf->nodes[i];
        if (n->disabled || (n->kind->flags & SL_NODE_NEVER_RUNS))
            continue;
        enabled++;
        lone = n;
    }
    if (enabled == 1)
        return lone;
    for (size_t i = 0; i < wf->n_nodes; i++) {
        const struct sl_node *n = &wf->nodes[i];
        if (!n->disabled && (n->kind->flags & SL_NODE_TRIGGER))
            return n;
    }
    for (size_t i = 0; i < wf->n_nodes; i++) {
        const struct sl_node *n = &wf->nodes[i];
        if (!n->disabled && (n->kind->flags & SL_NODE_STARTER))
            return n;
    }
    /* a webhook workflow run outside a server (sluice run --input) */
    for (size_t i = 0; i < wf->n_nodes; i++) {
        const struct sl_node *n = &wf->nodes[i];
        if (!n->disabled && (n->kind->flags & SL_NODE_WEBHOOK))
            return n;
    }
    return NULL;
}
