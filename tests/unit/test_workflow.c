/*
 * Unit tests for the workflow loader (src/core/workflow.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/workflow.h"

static struct sl_workflow *parse(const char *s, struct sl_error *err)
{
    return sl_workflow_parse(s, strlen(s), err);
}

static void test_malformed_json_names_line_and_column(void **state)
{
    (void)state;
    struct sl_error err;
    assert_null(parse("{\n  \"nodes\": [,]\n}", &err));
    assert_non_null(strstr(err.msg, "line 2"));
    assert_non_null(strstr(err.msg, "column"));
}

static void test_unknown_type_names_node_and_version(void **state)
{
    (void)state;
    struct sl_error err;
    assert_null(parse("{\"nodes\":[{\"name\":\"Fetch\",\"type\":\"n8n-nodes-base.nope\","
                      "\"typeVersion\":3}]}",
                      &err));
    assert_non_null(strstr(err.msg, "'Fetch'"));
    assert_non_null(strstr(err.msg, "n8n-nodes-base.nope"));
    assert_non_null(strstr(err.msg, "3"));
}

static void test_unsupported_version(void **state)
{
    (void)state;
    struct sl_error err;
    assert_null(parse("{\"nodes\":[{\"name\":\"N\",\"type\":\"n8n-nodes-base.noOp\","
                      "\"typeVersion\":9}]}",
                      &err));
    assert_non_null(strstr(err.msg, "no version 9"));
}

static void test_connection_to_missing_node(void **state)
{
    (void)state;
    struct sl_error err;
    assert_null(parse("{\"nodes\":[{\"name\":\"A\",\"type\":\"n8n-nodes-base.noOp\"}],"
                      "\"connections\":{\"A\":{\"main\":[[{\"node\":\"B\",\"index\":0}]]}}}",
                      &err));
    assert_non_null(strstr(err.msg, "'B' does not exist"));
}

static void test_duplicate_names(void **state)
{
    (void)state;
    struct sl_error err;
    assert_null(parse("{\"nodes\":[{\"name\":\"A\",\"type\":\"n8n-nodes-base.noOp\"},"
                      "{\"name\":\"A\",\"type\":\"n8n-nodes-base.noOp\"}]}",
                      &err));
    assert_non_null(strstr(err.msg, "two nodes"));
}

static void test_export_shapes_and_settings(void **state)
{
    (void)state;
    struct sl_error err;
    const char *wf = "{\"data\":[{\"name\":\"w\",\"settings\":{\"executionOrder\":\"v1\"},"
                     "\"nodes\":[{\"name\":\"T\",\"type\":\"n8n-nodes-base.manualTrigger\"},"
                     "{\"name\":\"R\",\"type\":\"n8n-nodes-base.noOp\",\"retryOnFail\":true,"
                     "\"maxTries\":50,\"waitBetweenTries\":99999}]}]}";
    struct sl_workflow *w = parse(wf, &err);
    assert_non_null(w);
    assert_int_equal(w->order, SL_ORDER_V1);
    assert_string_equal(sl_workflow_start_node(w)->name, "T");
    const struct sl_node *r = sl_workflow_node(w, "R");
    /* n8n caps tries at 5 and the wait at 5 s without a sluice key */
    assert_int_equal(r->max_tries, 5);
    assert_int_equal(r->wait_between_ms, 5000);
    sl_workflow_free(w);

    const char *ext = "[{\"nodes\":[{\"name\":\"R\",\"type\":\"n8n-nodes-base.noOp\","
                      "\"retryOnFail\":true,\"maxTries\":8,\"waitBetweenTries\":100,"
                      "\"sluice\":{\"backoff\":\"exponential\",\"maxWaitMs\":400}}]}]";
    w = parse(ext, &err);
    assert_non_null(w);
    r = sl_workflow_node(w, "R");
    assert_int_equal(r->max_tries, 8);
    assert_int_equal(r->backoff, SL_BACKOFF_EXPONENTIAL);
    assert_int_equal(r->max_wait_ms, 400);
    assert_int_equal(w->order, SL_ORDER_V0);
    sl_workflow_free(w);
}

static void test_error_is_one_line(void **state)
{
    (void)state;
    struct sl_error err;
    assert_null(parse("{\"nodes\":[{\"name\":\"a\\nb\",\"type\":\"x\"}]}", &err));
    assert_null(strchr(err.msg, '\n'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_json_names_line_and_column),
        cmocka_unit_test(test_unknown_type_names_node_and_version),
        cmocka_unit_test(test_unsupported_version),
        cmocka_unit_test(test_connection_to_missing_node),
        cmocka_unit_test(test_duplicate_names),
        cmocka_unit_test(test_export_shapes_and_settings),
        cmocka_unit_test(test_error_is_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
