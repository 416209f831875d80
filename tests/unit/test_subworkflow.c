/*
 * Unit tests for sub-workflows (src/core/subworkflow.c, the Execute
 * Workflow node's "database" source through a workflow lookup and its
 * Workflow Inputs mapping).
 *
 * The expected items of the Workflow Inputs tests were recorded from
 * n8n 1.123.81 (shared/tools/n8n-reference) with the sub-workflow imported
 * under the id the caller names. One difference: where a mapped value is
 * undefined (test_inputs_converted, 'any' of the second item) n8n keeps the
 * key with the value undefined, which its JSON output leaves out; sluice's
 * items are JSON, so the trigger's null default stays.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/engine.h"
#include "core/workflow.h"
#include "util/alloc.h"

/* JSON written with ' for " (readable in C). A new value. */
static json_t *sq(const char *s)
{
    char *t = sl_strdup(s);
    for (char *p = t; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t je;
    json_t *v = json_loads(t, 0, &je);
    if (!v)
        fail_msg("bad test JSON: %s at %d: %s", je.text, je.position, t);
    free(t);
    return v;
}

static const char sub_text[] =
    "{'id':'subcoerce0000001','name':'subcoerce','nodes':["
    "{'name':'Trig','type':'n8n-nodes-base.executeWorkflowTrigger','typeVersion':1.1,"
    "'parameters':{'workflowInputs':{'values':[{'name':'n','type':'number'},{'name':'s'},"
    "{'name':'b','type':'boolean'},{'name':'a','type':'array'},{'name':'o','type':'object'},"
    "{'name':'any','type':'any'}]}}},"
    "{'name':'N','type':'n8n-nodes-base.noOp','typeVersion':1,'parameters':{}}],"
    "'connections':{'Trig':{'main':[[{'node':'N','type':'main','index':0}]]}}}";

static json_t *lookup(void *ud, const char *id, struct sl_error *err)
{
    (void)ud;
    if (strcmp(id, "subcoerce0000001")) {
        sl_error_set(err, "workflow '%s' does not exist", id);
        return NULL;
    }
    return sq(sub_text);
}

/* The caller: Data (jsCode) -> Execute Workflow (database) with the given
 * workflowInputs.value (JSON with '), conversion flags and removed field. */
static struct sl_workflow *caller(const char *js, const char *value, bool convert, bool to_string,
                                  const char *removed)
{
    static const char *const fields[][2] = {{"n", "number"}, {"s", "string"}, {"b", "boolean"},
                                            {"a", "array"},  {"o", "object"}, {"any", NULL}};
    json_t *schema = json_array();
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        json_t *f =
            json_pack("{s:s,s:s,s:b,s:b,s:b,s:b,s:b}", "id", fields[i][0], "displayName",
                      fields[i][0], "required", 0, "defaultMatch", 0, "display", 1,
                      "canBeUsedToMatch", 1, "removed", removed && !strcmp(removed, fields[i][0]));
        if (fields[i][1])
            json_object_set_new(f, "type", json_string(fields[i][1]));
        json_array_append_new(schema, f);
    }
    json_t *wi = json_pack("{s:s,s:o,s:[],s:o,s:b,s:b}", "mappingMode", "defineBelow", "value",
                           sq(value), "matchingColumns", "schema", schema, "attemptToConvertTypes",
                           convert, "convertFieldsToString", to_string);
    json_t *doc = sq("{'name':'caller','nodes':["
                     "{'name':'Start','type':'n8n-nodes-base.manualTrigger','typeVersion':1,"
                     "'parameters':{}},"
                     "{'name':'Data','type':'n8n-nodes-base.code','typeVersion':2,"
                     "'parameters':{}},"
                     "{'name':'EW','type':'n8n-nodes-base.executeWorkflow','typeVersion':1.3,"
                     "'parameters':{'source':'database','workflowId':{'__rl':true,"
                     "'value':'subcoerce0000001','mode':'list'},'options':{}}}],"
                     "'connections':{'Start':{'main':[[{'node':'Data','type':'main','index':0}]]},"
                     "'Data':{'main':[[{'node':'EW','type':'main','index':0}]]}}}");
    json_t *nodes = json_object_get(doc, "nodes");
    json_object_set_new(json_object_get(json_array_get(nodes, 1), "parameters"), "jsCode",
                        json_string(js));
    json_object_set_new(json_object_get(json_array_get(nodes, 2), "parameters"), "workflowInputs",
                        wi);
    struct sl_error err;
    struct sl_workflow *wf = sl_workflow_from_json(doc, &err);
    if (!wf)
        fail_msg("caller: %s", err.msg);
    return wf;
}

/* Runs the caller with the lookup; returns EW's json items (new array) or
 * NULL with the error message copied to *msg. */
static json_t *run(struct sl_workflow *wf, char **msg)
{
    struct sl_exec_opts o = {.keep_all = true, .lookup_cb = lookup};
    struct sl_exec *ex = sl_exec_new(wf, &o);
    json_t *res = NULL;
    if (sl_exec_run(ex)) {
        *msg = sl_strdup(sl_exec_error_message(ex));
    } else {
        json_t *runs = sl_exec_node_output0(ex, "EW");
        res = json_array();
        size_t i;
        json_t *it;
        json_array_foreach(json_array_get(runs, 0), i, it)
        {
            json_array_append(res, json_object_get(it, "json"));
        }
        json_decref(runs);
    }
    sl_exec_free(ex);
    sl_workflow_free(wf);
    return res;
}

static void assert_json(json_t *got, const char *want_sq)
{
    json_t *want = sq(want_sq);
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_PRESERVE_ORDER);
        char *w = json_dumps(want, JSON_PRESERVE_ORDER);
        fail_msg("got %s\nwant %s", g, w);
    }
    json_decref(want);
}

static void test_inputs_converted(void **state)
{
    (void)state;
    char *msg = NULL;
    json_t *got = run(caller("return [{v: 1, other: 'o'}, {v: 2}]",
                             "{'n':'5','s':'={{ $json.v }}','b':'true','a':'[1,2]',"
                             "'o':'{\\'k\\':1}','any':'={{ $json.other }}'}",
                             true, true, NULL),
                      &msg);
    assert_null(msg);
    assert_json(got, "[{'n':5,'s':'1','b':true,'a':[1,2],'o':{'k':1},'any':'o'},"
                     "{'n':5,'s':'2','b':true,'a':[1,2],'o':{'k':1},'any':null}]");
    json_decref(got);
}

static void test_inputs_strict_types_pass(void **state)
{
    (void)state;
    char *msg = NULL;
    json_t *got = run(caller("return [{v: 1}, {v: 2}]",
                             "{'n':'={{ $json.v }}','s':'={{ $json.v }}','a':'={{ [$json.v] }}',"
                             "'o':'={{ {x: $json.v} }}','b':'={{ $json.v == 1 }}'}",
                             false, false, NULL),
                      &msg);
    assert_null(msg);
    assert_json(got, "[{'n':1,'s':1,'b':true,'a':[1],'o':{'x':1},'any':null},"
                     "{'n':2,'s':2,'b':false,'a':[2],'o':{'x':2},'any':null}]");
    json_decref(got);
}

static void test_inputs_strict_type_error(void **state)
{
    (void)state;
    char *msg = NULL;
    json_t *got = run(caller("return [{v: 1}]", "{'b':'true'}", false, true, NULL), &msg);
    assert_null(got);
    assert_string_equal(msg, "Invalid input for 'b' [item 0]");
    free(msg);
    msg = NULL;
    got = run(caller("return [{v: 1}]", "{'s':'={{ $json.v }}'}", false, true, NULL), &msg);
    assert_null(got);
    assert_string_equal(msg, "Invalid input for 's' [item 0]");
    free(msg);
    msg = NULL;
    /* conversion that cannot succeed */
    got = run(caller("return [{v: 1}]", "{'n':'abc'}", true, true, NULL), &msg);
    assert_null(got);
    assert_string_equal(msg, "Invalid input for 'n' [item 0]");
    free(msg);
}

static void test_inputs_removed_field(void **state)
{
    (void)state;
    char *msg = NULL;
    json_t *got = run(
        caller("return [{v: 1, n: 99, s: 'orig', b: 'yes'}]", "{'s':'x'}", false, true, "n"), &msg);
    assert_null(msg);
    assert_json(got, "[{'n':null,'s':'x','b':'yes','a':null,'o':null,'any':null}]");
    json_decref(got);
}

static void test_lookup_failure(void **state)
{
    (void)state;
    struct sl_workflow *wf = caller("return [{v: 1}]", "{}", false, true, NULL);
    json_t *p = json_object_get(wf->nodes[2].params, "workflowId");
    json_object_set_new(p, "value", json_string("gone"));
    char *msg = NULL;
    json_t *got = run(wf, &msg);
    assert_null(got);
    assert_string_equal(msg, "workflow 'gone' does not exist");
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inputs_converted),
        cmocka_unit_test(test_inputs_strict_types_pass),
        cmocka_unit_test(test_inputs_strict_type_error),
        cmocka_unit_test(test_inputs_removed_field),
        cmocka_unit_test(test_lookup_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
