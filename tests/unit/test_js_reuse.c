/*
 * Unit tests for the reuse of JavaScript runtimes between executions on
 * one thread (sl_js_acquire / sl_js_release in src/js/js.c): what one
 * execution leaves in its globals is gone for the next, and data cached
 * per node run never leaks into the next execution.
 */
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

/* A workflow: Manual Trigger -> `node` (stolen: a node object named "N"). */
static struct sl_workflow *workflow_with(json_t *node)
{
    json_t *doc = json_pack(
        "{s:s,s:[{s:s,s:s,s:i,s:{}},o],s:{s:{s:[[{s:s,s:s,s:i}]]}}}", "name", "reuse", "nodes",
        "name", "Start", "type", "n8n-nodes-base.manualTrigger", "typeVersion", 1, "parameters",
        node, "connections", "Start", "main", "node", "N", "type", "main", "index", 0);
    if (!doc)
        fail_msg("bad test workflow");
    struct sl_error err = {{0}};
    struct sl_workflow *wf = sl_workflow_from_json(doc, &err);
    if (!wf)
        fail_msg("%s", err.msg);
    return wf;
}

/* A workflow: Manual Trigger -> Code (`code`, all items). */
static struct sl_workflow *code_workflow(const char *code)
{
    return workflow_with(json_pack("{s:s,s:s,s:i,s:{s:s}}", "name", "N", "type",
                                   "n8n-nodes-base.code", "typeVersion", 2, "parameters", "jsCode",
                                   code));
}

/* Runs `wf` with `items` and returns output 0 of the last node (new). */
static json_t *run(struct sl_workflow *wf, json_t *items)
{
    struct sl_exec_opts opts = {.mode = "manual", .start_items = items};
    struct sl_exec *ex = sl_exec_new(wf, &opts);
    if (sl_exec_run(ex))
        fail_msg("execution failed: %s", sl_exec_error_message(ex));
    json_t *out = sl_exec_result_items(ex);
    sl_exec_free(ex);
    return out;
}

static const char *str_at(json_t *items, size_t i, const char *key)
{
    return json_string_value(
        json_object_get(json_object_get(json_array_get(items, i), "json"), key));
}

static void test_globals_do_not_leak(void **state)
{
    (void)state;
    /* sloppy assignment, globalThis and a function declared on the global */
    struct sl_workflow *wf = code_workflow(
        "const before = [typeof leaked, typeof globalThis.leaked2, typeof leakedFn].join(',');\n"
        "leaked = 1; globalThis.leaked2 = 2; globalThis.leakedFn = () => 3;\n"
        "return [{json: {before}}];");
    for (int i = 0; i < 3; i++) {
        json_t *out = run(wf, NULL);
        assert_string_equal(str_at(out, 0, "before"), "undefined,undefined,undefined");
        json_decref(out);
    }
    sl_workflow_free(wf);
}

static void test_inputs_are_not_cached_across_executions(void **state)
{
    (void)state;
    /* expressions cache node data per node run ("epoch"): a new execution
     * whose node runs carry the same numbers must still see its own items */
    struct sl_workflow *wf = workflow_with(
        json_pack("{s:s,s:s,s:f,s:{s:{s:[{s:s,s:s,s:s,s:s}]},s:{}}}", "name", "N", "type",
                  "n8n-nodes-base.set", "typeVersion", 3.4, "parameters", "assignments",
                  "assignments", "id", "1", "name", "v", "value",
                  "={{ $('Start').first().json.v + '!' }}", "type", "string", "options"));
    const char *values[] = {"a", "b", "c"};
    const char *want[] = {"a!", "b!", "c!"};
    for (int i = 0; i < 3; i++) {
        json_t *items = json_pack("[{s:{s:s}}]", "json", "v", values[i]);
        json_t *out = run(wf, items);
        assert_string_equal(str_at(out, 0, "v"), want[i]);
        json_decref(out);
        json_decref(items);
    }
    sl_workflow_free(wf);
}

static void test_libraries_survive(void **state)
{
    (void)state;
    /* luxon is loaded on first use and kept: later executions use it too */
    struct sl_workflow *wf =
        code_workflow("return [{json: {y: String(DateTime.fromISO('2024-05-06').year)}}];");
    for (int i = 0; i < 2; i++) {
        json_t *out = run(wf, NULL);
        assert_string_equal(str_at(out, 0, "y"), "2024");
        json_decref(out);
    }
    sl_workflow_free(wf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_globals_do_not_leak),
        cmocka_unit_test(test_inputs_are_not_cached_across_executions),
        cmocka_unit_test(test_libraries_survive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
