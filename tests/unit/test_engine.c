/*
 * Unit tests for the execution engine (src/core/engine.c): scheduling,
 * dropping outputs nobody can read, error handling and retries.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/engine.h"
#include "core/workflow.h"
#include "util/clock.h"

static struct sl_workflow *load(const char *s)
{
    struct sl_error err;
    struct sl_workflow *wf = sl_workflow_parse(s, strlen(s), &err);
    if (!wf)
        fail_msg("load: %s", err.msg);
    return wf;
}

#define NODE(name, type, extra)                                                                    \
    "{\"name\":\"" name "\",\"type\":\"n8n-nodes-base." type "\",\"typeVersion\":1" extra "}"
#define LINK(a, b) "\"" a "\":{\"main\":[[{\"node\":\"" b "\",\"type\":\"main\",\"index\":0}]]}"

static const char chain[] =
    "{\"nodes\":[" NODE("T", "manualTrigger", "") "," NODE("Make", "code", ",\"typeVersion\":2,\"parameters\":{\"jsCode\":\"return [{a:1},{a:2},{a:3}]\"}") "," NODE(
        "A", "noOp",
        "") "," NODE("B", "noOp",
                     "") "," NODE("C", "noOp",
                                  "") "],"
                                      "\"connections\":{" LINK("T", "Make") "," LINK(
                                          "Make", "A") "," LINK("A", "B") "," LINK("B", "C") "}}";

static void test_chain_drops_unneeded_outputs(void **state)
{
    (void)state;
    struct sl_workflow *wf = load(chain);
    const char *keep[] = {"C"};
    struct sl_exec_opts o = {.keep = keep, .n_keep = 1};
    struct sl_exec *ex = sl_exec_new(wf, &o);
    assert_int_equal(sl_exec_run(ex), 0);
    assert_int_equal(sl_exec_status(ex), SL_EXEC_SUCCESS);
    assert_string_equal(sl_exec_last_node(ex), "C");
    json_t *c = sl_exec_node_output0(ex, "C");
    assert_int_equal(json_array_size(json_array_get(c, 0)), 3);
    json_decref(c);
    /* B ran, but nothing refers to it: its items were dropped */
    json_t *b = sl_exec_node_output0(ex, "B");
    assert_int_equal(json_array_size(b), 1);
    assert_true(json_is_null(json_array_get(b, 0)));
    json_decref(b);
    json_t *res = sl_exec_result_items(ex);
    assert_int_equal(json_array_size(res), 3);
    json_decref(res);
    sl_exec_free(ex);
    sl_workflow_free(wf);
}

static void test_referenced_output_is_kept(void **state)
{
    (void)state;
    static const char wf_text[] = "{\"nodes\":[" NODE("T", "manualTrigger", "") "," NODE(
        "Make", "code",
        ",\"typeVersion\":2,\"parameters\":{\"jsCode\":\"return "
        "[{a:1},{a:2}]\"}") "," NODE("A", "noOp",
                                     "") "," NODE("Use", "code",
                                                  ",\"typeVersion\":2,"
                                                  "\"parameters\":{\"jsCode\":"
                                                  "\"return "
                                                  "$('Make').all().map(i => "
                                                  "({b: i.json.a * 10, p: "
                                                  "$('Make').first().json.a}))"
                                                  "\"}") "],\"connections\":"
                                                         "{" LINK("T", "Make") "," LINK(
                                                             "Make", "A") "," LINK("A", "Use") "}}";
    struct sl_workflow *wf = load(wf_text);
    struct sl_exec *ex = sl_exec_new(wf, NULL);
    assert_int_equal(sl_exec_run(ex), 0);
    json_t *res = sl_exec_result_items(ex);
    assert_int_equal(json_array_size(res), 2);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(json_array_get(res, 1), "json"), "b")),
        20);
    json_decref(res);
    sl_exec_free(ex);
    sl_workflow_free(wf);
}

static void test_stop_and_error_fails_run(void **state)
{
    (void)state;
    static const char wf_text[] = "{\"nodes\":[" NODE("T", "manualTrigger", "") "," NODE(
        "Stop", "stopAndError",
        ",\"parameters\":{\"errorMessage\":\"boom\"}") "],\"connections\":{" LINK("T", "Stop") "}}";
    struct sl_workflow *wf = load(wf_text);
    struct sl_exec *ex = sl_exec_new(wf, NULL);
    assert_int_not_equal(sl_exec_run(ex), 0);
    assert_int_equal(sl_exec_status(ex), SL_EXEC_ERROR);
    assert_string_equal(sl_exec_error_message(ex), "boom");
    assert_string_equal(sl_exec_error_node(ex), "Stop");
    sl_exec_free(ex);
    sl_workflow_free(wf);
}

static void test_continue_on_fail_passes_input_and_last_error_counts(void **state)
{
    (void)state;
    /* Two failing nodes with continueOnFail: the run ends in error because
     * the last node executed failed (n8n's rule). */
    static const char wf_text[] = "{\"nodes\":[" NODE("T", "manualTrigger", "") "," NODE(
        "S1", "stopAndError",
        ",\"continueOnFail\":true,\"parameters\":{\"errorMessage\":"
        "\"one\"}") "," NODE("S2", "stopAndError",
                             ",\"continueOnFail\":true,"
                             "\"parameters\":{\"errorMessage\":"
                             "\"two\"}") "],\"connections\":{\"T\":{"
                                         "\"main\":[[{\"node\":"
                                         "\"S1\",\"type\":\"main\","
                                         "\"index\":0},"
                                         "{\"node\":\"S2\",\"type\":"
                                         "\"main\",\"index\":0}]]}}}";
    struct sl_workflow *wf = load(wf_text);
    struct sl_exec *ex = sl_exec_new(wf, NULL);
    assert_int_not_equal(sl_exec_run(ex), 0);
    assert_string_equal(sl_exec_error_message(ex), "two");
    sl_exec_free(ex);
    sl_workflow_free(wf);
}

static void test_retry_until_success(void **state)
{
    (void)state;
    static const char wf_text[] = "{\"nodes\":[" NODE("T", "manualTrigger", "") "," NODE(
        "Flaky", "code",
        ",\"typeVersion\":2,\"retryOnFail\":true,\"maxTries\":4,\"waitBetweenTries\":1,"
        "\"parameters\":{\"jsCode\":\"const n = +($execution.customData.get('n') || 0) + 1;"
        " $execution.customData.set('n', n); if (n < 3) throw new Error('try ' + n);"
        " return [{n}]\"}") "],\"connections\":{" LINK("T", "Flaky") "}}";
    struct sl_workflow *wf = load(wf_text);
    struct sl_exec *ex = sl_exec_new(wf, NULL);
    assert_int_equal(sl_exec_run(ex), 0);
    json_t *res = sl_exec_result_items(ex);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(json_array_get(res, 0), "json"), "n")),
        3);
    json_decref(res);
    sl_exec_free(ex);
    sl_workflow_free(wf);
}

static void test_disabled_node_passes_through(void **state)
{
    (void)state;
    static const char wf_text[] = "{\"nodes\":[" NODE("T", "manualTrigger", "") "," NODE(
        "Off", "stopAndError",
        ",\"disabled\":true") "," NODE("N", "noOp",
                                       "") "],\"connections\":{" LINK("T",
                                                                      "Off") "," LINK("Off",
                                                                                      "N") "}}";
    struct sl_workflow *wf = load(wf_text);
    struct sl_exec *ex = sl_exec_new(wf, NULL);
    assert_int_equal(sl_exec_run(ex), 0);
    assert_string_equal(sl_exec_last_node(ex), "N");
    sl_exec_free(ex);
    sl_workflow_free(wf);
}

static void test_execute_once_sees_first_item(void **state)
{
    (void)state;
    static const char wf_text[] = "{\"nodes\":[" NODE("T", "manualTrigger", "") "," NODE(
        "Make", "code",
        ",\"typeVersion\":2,\"parameters\":{\"jsCode\":\"return "
        "[{a:1},{a:2},{a:3}]\"}") "," NODE("Count", "code",
                                           ",\"typeVersion\":2,"
                                           "\"executeOnce\":true,"
                                           "\"parameters\":{"
                                           "\"jsCode\":\"return [{n: "
                                           "$input.all().length, a: "
                                           "$input.first().json.a}]"
                                           "\"}") "],\"connections\":"
                                                  "{" LINK("T", "Make") "," LINK("Make",
                                                                                 "Count") "}}";
    struct sl_workflow *wf = load(wf_text);
    struct sl_exec *ex = sl_exec_new(wf, NULL);
    assert_int_equal(sl_exec_run(ex), 0);
    json_t *res = sl_exec_result_items(ex);
    json_t *j = json_object_get(json_array_get(res, 0), "json");
    assert_int_equal(json_integer_value(json_object_get(j, "n")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
    json_decref(res);
    sl_exec_free(ex);
    sl_workflow_free(wf);
}

static void test_always_output_data(void **state)
{
    (void)state;
    static const char wf_text[] = "{\"nodes\":[" NODE("T", "manualTrigger", "") "," NODE(
        "Empty", "code",
        ",\"typeVersion\":2,\"alwaysOutputData\":true,\"parameters\":{\"jsCode\":\"return "
        "[]\"}") "," NODE("After", "noOp",
                          "") "],\"connections\":{" LINK("T", "Empty") "," LINK("Empty",
                                                                                "After") "}}";
    struct sl_workflow *wf = load(wf_text);
    struct sl_exec *ex = sl_exec_new(wf, NULL);
    assert_int_equal(sl_exec_run(ex), 0);
    /* one empty item keeps the branch going */
    assert_string_equal(sl_exec_last_node(ex), "After");
    json_t *res = sl_exec_result_items(ex);
    assert_int_equal(json_array_size(res), 1);
    assert_int_equal(json_object_size(json_object_get(json_array_get(res, 0), "json")), 0);
    json_decref(res);
    sl_exec_free(ex);
    sl_workflow_free(wf);
}

/* A node that fails `fails` times, then returns the attempt count. */
#define FLAKY(fails, settings)                                                                     \
    "{\"nodes\":[" NODE("T", "manualTrigger", "") "," NODE(                                        \
        "Flaky", "code",                                                                           \
        ",\"typeVersion\":2,\"retryOnFail\":true," settings ",\"parameters\":{\"jsCode\":"         \
        "\"const n = +($execution.customData.get('n') || 0) + 1; $execution.customData.set('n', "  \
        "n);"                                                                                      \
        " if (n <= " #fails                                                                        \
        ") throw new Error('try ' + n); return [{n}]\"}") "],"                                     \
                                                          "\"connections\":{" LINK("T",            \
                                                                                   "Flaky") "}}"

static int run_flaky(const char *text, double *elapsed_ms)
{
    struct sl_workflow *wf = load(text);
    /* retry pauses on a virtual clock: exact, and immune to a busy machine */
    struct sl_clock clock;
    sl_clock_init_virtual(&clock, 0);
    struct sl_exec_opts o = {.clock = &clock};
    struct sl_exec *ex = sl_exec_new(wf, &o);
    int rc = sl_exec_run(ex);
    *elapsed_ms = (double)sl_clock_now_ms(&clock);
    int n = -1;
    if (rc == 0) {
        json_t *res = sl_exec_result_items(ex);
        n = (int)json_integer_value(
            json_object_get(json_object_get(json_array_get(res, 0), "json"), "n"));
        json_decref(res);
    }
    sl_exec_free(ex);
    sl_workflow_free(wf);
    return n;
}

static void test_exponential_backoff_and_more_tries(void **state)
{
    (void)state;
    double ms;
    /* n8n caps maxTries at 5: a node that needs 7 attempts fails */
    assert_int_equal(run_flaky(FLAKY(6, "\"maxTries\":7,\"waitBetweenTries\":1"), &ms), -1);
    /* with the sluice key the cap is lifted */
    assert_int_equal(run_flaky(FLAKY(6, "\"maxTries\":7,\"waitBetweenTries\":1,"
                                        "\"sluice\":{\"backoff\":\"exponential\"}"),
                               &ms),
                     7);
    /* waits of 40, 80, 160 ms (exponential) versus 3 x 40 ms (fixed) */
    assert_int_equal(run_flaky(FLAKY(3, "\"maxTries\":4,\"waitBetweenTries\":40,"
                                        "\"sluice\":{\"backoff\":\"exponential\"}"),
                               &ms),
                     4);
    assert_true(ms == 280);
    assert_int_equal(run_flaky(FLAKY(3, "\"maxTries\":4,\"waitBetweenTries\":40"), &ms), 4);
    assert_true(ms == 120);
    /* maxWaitMs caps each wait: 40, 50, 50 */
    assert_int_equal(
        run_flaky(FLAKY(3, "\"maxTries\":4,\"waitBetweenTries\":40,"
                           "\"sluice\":{\"backoff\":\"exponential\",\"maxWaitMs\":50}"),
                  &ms),
        4);
    assert_true(ms == 140);
}

static json_t *run_code_once(const char *code_json_string)
{
    char *text = NULL;
    if (asprintf(&text,
                 "{\"nodes\":[" NODE("T", "manualTrigger", "") "," NODE(
                     "C", "code",
                     ",\"typeVersion\":2,\"parameters\":{\"jsCode\":%s}") "],"
                                                                          "\"connections\":{" LINK(
                                                                              "T", "C") "}}",
                 code_json_string) < 0)
        fail();
    struct sl_workflow *wf = load(text);
    free(text);
    struct sl_exec *ex = sl_exec_new(wf, NULL);
    assert_int_equal(sl_exec_run(ex), 0);
    json_t *res = sl_exec_result_items(ex);
    json_t *j = json_incref(json_object_get(json_array_get(res, 0), "json"));
    json_decref(res);
    sl_exec_free(ex);
    sl_workflow_free(wf);
    return j;
}

static void test_executions_are_isolated_and_sandboxed(void **state)
{
    (void)state;
    json_t *a = run_code_once("\"globalThis.leak = 42; return [{set: typeof leak}]\"");
    assert_string_equal(json_string_value(json_object_get(a, "set")), "number");
    json_decref(a);
    /* a second execution in the same process sees none of the first's globals,
     * and user code has no module loader, process, network or file API */
    json_t *b = run_code_once("\"return [{leak: typeof leak, require: typeof require, process: "
                              "typeof process, fetch: typeof fetch, xhr: typeof XMLHttpRequest, "
                              "fs: typeof Deno + typeof Bun}]\"");
    const char *keys[] = {"leak", "require", "process", "fetch", "xhr"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_string_equal(json_string_value(json_object_get(b, keys[i])), "undefined");
    assert_string_equal(json_string_value(json_object_get(b, "fs")), "undefinedundefined");
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_drops_unneeded_outputs),
        cmocka_unit_test(test_referenced_output_is_kept),
        cmocka_unit_test(test_stop_and_error_fails_run),
        cmocka_unit_test(test_continue_on_fail_passes_input_and_last_error_counts),
        cmocka_unit_test(test_retry_until_success),
        cmocka_unit_test(test_disabled_node_passes_through),
        cmocka_unit_test(test_execute_once_sees_first_item),
        cmocka_unit_test(test_always_output_data),
        cmocka_unit_test(test_exponential_backoff_and_more_tries),
        cmocka_unit_test(test_executions_are_isolated_and_sandboxed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
