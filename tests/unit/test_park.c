/*
 * Unit tests for parking and resuming executions (src/core/engine.c) and
 * the virtual clock (src/util/clock.c): a Wait node parks the run, the
 * caller resumes it, and the result is the same as a run that never
 * parked.
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
#include "util/clock.h"

#define T0 1700000000000LL

static struct sl_workflow *load(const char *s)
{
    struct sl_error err;
    struct sl_workflow *wf = sl_workflow_parse(s, strlen(s), &err);
    if (!wf)
        fail_msg("load: %s", err.msg);
    return wf;
}

/* Start -> Make (3 items) -> Wait (WAIT s) -> Use ($('Make') and the
 * Wait's items) ; Start -> Side -> Merge <- Use, in the given order. */
static char *workflow(const char *wait_params, const char *order)
{
    static const char fmt[] =
        "{\"settings\":{\"executionOrder\":\"%s\"},\"nodes\":["
        "{\"name\":\"Start\",\"type\":\"n8n-nodes-base.manualTrigger\",\"typeVersion\":1,"
        "\"position\":[0,0]},"
        "{\"name\":\"Make\",\"type\":\"n8n-nodes-base.code\",\"typeVersion\":2,\"position\":[200,0]"
        ","
        "\"parameters\":{\"jsCode\":\"return [{a:1},{a:2},{a:3}]\"}},"
        "{\"name\":\"Wait\",\"type\":\"n8n-nodes-base.wait\",\"typeVersion\":1.1,"
        "\"position\":[400,0],\"parameters\":%s},"
        "{\"name\":\"Use\",\"type\":\"n8n-nodes-base.code\",\"typeVersion\":2,\"position\":[600,0],"
        "\"parameters\":{\"jsCode\":\"return $input.all().map((i, k) => ({a: i.json.a, "
        "made: $('Make').all()[k].json.a, ctx: $execution.customData.get('x') || null}))\"}},"
        "{\"name\":\"Side\",\"type\":\"n8n-nodes-base.code\",\"typeVersion\":2,"
        "\"position\":[200,300],\"parameters\":{\"jsCode\":\"$execution.customData.set('x', "
        "'kept'); return [{side:true}]\"}},"
        "{\"name\":\"Merge\",\"type\":\"n8n-nodes-base.merge\",\"typeVersion\":2.1,"
        "\"position\":[800,100],\"parameters\":{}}],"
        "\"connections\":{"
        "\"Start\":{\"main\":[[{\"node\":\"Make\",\"type\":\"main\",\"index\":0},"
        "{\"node\":\"Side\",\"type\":\"main\",\"index\":0}]]},"
        "\"Make\":{\"main\":[[{\"node\":\"Wait\",\"type\":\"main\",\"index\":0}]]},"
        "\"Wait\":{\"main\":[[{\"node\":\"Use\",\"type\":\"main\",\"index\":0}]]},"
        "\"Use\":{\"main\":[[{\"node\":\"Merge\",\"type\":\"main\",\"index\":0}]]},"
        "\"Side\":{\"main\":[[{\"node\":\"Merge\",\"type\":\"main\",\"index\":1}]]}}}";
    char *s = NULL;
    if (asprintf(&s, fmt, order, wait_params) < 0)
        abort();
    return s;
}

/* The run's result without what depends on timing. */
static json_t *comparable(const struct sl_exec *ex)
{
    json_t *r = sl_exec_result_json(ex);
    json_object_del(r, "id");
    const char *name;
    json_t *runs;
    json_object_foreach(json_object_get(r, "runData"), name, runs)
    {
        size_t i;
        json_t *run;
        json_array_foreach(runs, i, run)
        {
            json_object_del(run, "startTime");
            json_object_del(run, "executionTime");
            json_object_del(run, "executionTimeUs");
        }
    }
    json_object_set_new(r, "order", sl_exec_finish_order(ex));
    return r;
}

static json_t *run_unparked(const char *order)
{
    char *src = workflow("{\"amount\":0}", order);
    struct sl_workflow *wf = load(src);
    struct sl_clock clock;
    sl_clock_init_virtual(&clock, T0);
    struct sl_exec_opts o = {.keep_all = true, .clock = &clock};
    struct sl_exec *ex = sl_exec_new(wf, &o);
    assert_int_equal(sl_exec_run(ex), 0);
    assert_int_equal(clock.virt_ms, T0);
    json_t *r = comparable(ex);
    sl_exec_free(ex);
    sl_workflow_free(wf);
    free(src);
    return r;
}

/* The finished `ex` ended as the same workflow without a pause does. */
static void assert_same_as_unparked(const struct sl_exec *ex, const char *order)
{
    json_t *got = comparable(ex);
    json_t *want = run_unparked(order);
    if (!json_equal(got, want)) {
        char *a = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
        char *b = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
        fail_msg("resumed run differs:\n got  %s\n want %s", a, b);
    }
    json_t *use = sl_exec_node_output0(ex, "Use");
    json_t *third = json_object_get(json_array_get(json_array_get(use, 0), 2), "json");
    assert_int_equal(json_integer_value(json_object_get(third, "made")), 3);
    json_decref(use);
    json_decref(got);
    json_decref(want);
}

static void check_parked_equals_unparked(const char *order)
{
    char *src = workflow("{\"amount\":10}", order);
    struct sl_workflow *wf = load(src);
    struct sl_clock clock;
    sl_clock_init_virtual(&clock, T0);
    struct sl_exec_opts o = {.keep_all = true, .clock = &clock};
    struct sl_exec *ex = sl_exec_new(wf, &o);

    assert_int_equal(sl_exec_run(ex), SL_EXEC_PARKED);
    assert_int_equal(sl_exec_status(ex), SL_EXEC_WAITING);
    assert_int_equal(sl_exec_wait_till(ex), T0 + 10000);
    assert_string_equal(sl_exec_last_node(ex), "Wait");
    /* nothing after the Wait ran; its run says so */
    assert_null(sl_exec_node_output0(ex, "Use"));
    json_t *res = sl_exec_result_json(ex);
    assert_string_equal(json_string_value(json_object_get(res, "status")), "waiting");
    assert_true(json_is_false(json_object_get(res, "finished")));
    json_t *wrun = json_array_get(json_object_get(json_object_get(res, "runData"), "Wait"), 0);
    assert_string_equal(json_string_value(json_object_get(wrun, "executionStatus")), "waiting");
    json_decref(res);

    /* the clock has not moved: the caller decides when to continue */
    assert_int_equal(clock.virt_ms, T0);
    sl_clock_sleep_until(&clock, sl_exec_wait_till(ex));
    assert_int_equal(sl_exec_resume(ex), 0);
    assert_int_equal(sl_exec_status(ex), SL_EXEC_SUCCESS);
    assert_int_equal(sl_exec_wait_till(ex), -1);
    assert_int_equal(sl_exec_resume(ex), SL_ERR_INVALID);

    assert_same_as_unparked(ex, order);
    sl_exec_free(ex);
    sl_workflow_free(wf);
    free(src);
}

static void test_parked_v1_equals_unparked(void **state)
{
    (void)state;
    check_parked_equals_unparked("v1");
}

static void test_parked_legacy_equals_unparked(void **state)
{
    (void)state;
    check_parked_equals_unparked("v0");
}

/* Park, save to text, free, load the text into a new execution, resume:
 * the same result as a run that never parked. */
static void check_saved_and_loaded(const char *order)
{
    char *src = workflow("{\"amount\":3,\"unit\":\"minutes\"}", order);
    struct sl_workflow *wf = load(src);
    struct sl_clock clock;
    sl_clock_init_virtual(&clock, T0);
    struct sl_exec_opts o = {.keep_all = true, .clock = &clock};
    struct sl_exec *ex = sl_exec_new(wf, &o);
    assert_int_equal(sl_exec_run(ex), SL_EXEC_PARKED);
    json_t *saved = sl_exec_save(ex);
    assert_non_null(saved);
    char *text = json_dumps(saved, JSON_COMPACT);
    json_decref(saved);
    sl_exec_free(ex);

    json_t *doc = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(doc);
    struct sl_error err;
    struct sl_exec *back = sl_exec_load(wf, &o, doc, &err);
    json_decref(doc);
    if (!back)
        fail_msg("load: %s", err.msg);
    assert_int_equal(sl_exec_status(back), SL_EXEC_WAITING);
    assert_int_equal(sl_exec_wait_till(back), T0 + 180000);
    sl_clock_sleep_until(&clock, sl_exec_wait_till(back));
    assert_int_equal(sl_exec_resume(back), 0);
    assert_same_as_unparked(back, order);
    sl_exec_free(back);
    sl_workflow_free(wf);
    free(src);
}

static void test_saved_and_loaded_v1(void **state)
{
    (void)state;
    check_saved_and_loaded("v1");
}

static void test_saved_and_loaded_legacy(void **state)
{
    (void)state;
    check_saved_and_loaded("v0");
}

static void test_load_rejects_other_documents(void **state)
{
    (void)state;
    char *src = workflow("{\"amount\":3}", "v1");
    struct sl_workflow *wf = load(src);
    struct sl_error err;
    json_t *doc = json_pack("{s:i}", "other", 1);
    assert_null(sl_exec_load(wf, NULL, doc, &err));
    assert_non_null(strstr(err.msg, "not a sluice execution state"));
    json_decref(doc);

    struct sl_clock clock;
    sl_clock_init_virtual(&clock, T0);
    struct sl_exec_opts o = {.clock = &clock};
    struct sl_exec *ex = sl_exec_new(wf, &o);
    assert_null(sl_exec_save(ex)); /* not parked */
    assert_int_equal(sl_exec_run(ex), SL_EXEC_PARKED);
    doc = sl_exec_save(ex);
    json_object_set_new(json_array_get(json_object_get(doc, "stack"), 0), "node",
                        json_string("Gone"));
    assert_null(sl_exec_load(wf, &o, doc, &err));
    assert_non_null(strstr(err.msg, "names no node of this workflow"));
    json_decref(doc);
    sl_exec_free(ex);
    sl_workflow_free(wf);
    free(src);
}

static void test_run_to_end_sleeps_on_the_clock(void **state)
{
    (void)state;
    static const char src[] =
        "{\"nodes\":["
        "{\"name\":\"Start\",\"type\":\"n8n-nodes-base.manualTrigger\",\"typeVersion\":1},"
        "{\"name\":\"W1\",\"type\":\"n8n-nodes-base.wait\",\"typeVersion\":1,"
        "\"parameters\":{\"amount\":2,\"unit\":\"minutes\"}},"
        "{\"name\":\"W2\",\"type\":\"n8n-nodes-base.wait\",\"typeVersion\":1,"
        "\"parameters\":{\"resume\":\"specificTime\",\"dateTime\":\"2023-11-15T00:00:00Z\"}},"
        "{\"name\":\"Now\",\"type\":\"n8n-nodes-base.code\",\"typeVersion\":2,"
        "\"parameters\":{\"jsCode\":\"return [{now: Date.now(), lx: $now.toMillis(), "
        "d: new Date().getTime()}]\"}}],"
        "\"connections\":{"
        "\"Start\":{\"main\":[[{\"node\":\"W1\",\"type\":\"main\",\"index\":0}]]},"
        "\"W1\":{\"main\":[[{\"node\":\"W2\",\"type\":\"main\",\"index\":0}]]},"
        "\"W2\":{\"main\":[[{\"node\":\"Now\",\"type\":\"main\",\"index\":0}]]}}}";
    struct sl_workflow *wf = load(src);
    struct sl_clock clock;
    sl_clock_init_virtual(&clock, T0);
    struct sl_exec_opts o = {.clock = &clock, .keep_all = true};
    struct sl_exec *ex = sl_exec_new(wf, &o);
    assert_int_equal(sl_exec_run_to_end(ex), 0);
    /* 2 minutes, then until 2023-11-15T00:00:00Z = 1700006400000 */
    assert_int_equal(clock.virt_ms, 1700006400000LL);
    json_t *out = sl_exec_node_output0(ex, "Now");
    json_t *j = json_object_get(json_array_get(json_array_get(out, 0), 0), "json");
    assert_int_equal((long long)json_number_value(json_object_get(j, "now")), 1700006400000LL);
    assert_int_equal((long long)json_number_value(json_object_get(j, "lx")), 1700006400000LL);
    assert_int_equal((long long)json_number_value(json_object_get(j, "d")), 1700006400000LL);
    json_decref(out);
    json_t *order = sl_exec_finish_order(ex);
    assert_int_equal(json_array_size(order), 4);
    json_decref(order);
    sl_exec_free(ex);
    sl_workflow_free(wf);
}

static void test_free_while_parked(void **state)
{
    (void)state;
    char *src = workflow("{\"amount\":1,\"unit\":\"days\"}", "v1");
    struct sl_workflow *wf = load(src);
    struct sl_clock clock;
    sl_clock_init_virtual(&clock, T0);
    struct sl_exec_opts o = {.clock = &clock};
    struct sl_exec *ex = sl_exec_new(wf, &o);
    assert_int_equal(sl_exec_run(ex), SL_EXEC_PARKED);
    assert_int_equal(sl_exec_wait_till(ex), T0 + 86400000LL);
    sl_exec_free(ex); /* owns the parked state: nothing leaks */
    sl_workflow_free(wf);
    free(src);
}

static void test_clocks(void **state)
{
    (void)state;
    struct sl_clock c;
    sl_clock_init_virtual(&c, 1000);
    assert_int_equal(sl_clock_now_ms(&c), 1000);
    sl_clock_sleep_ms(&c, 500);
    assert_int_equal(sl_clock_now_ms(&c), 1500);
    sl_clock_sleep_until(&c, 1200); /* never back */
    assert_int_equal(sl_clock_now_ms(&c), 1500);
    sl_clock_init_real(&c);
    int64_t t = sl_clock_now_ms(&c);
    sl_clock_sleep_until(&c, t + 20);
    assert_true(sl_clock_now_ms(NULL) >= t + 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parked_v1_equals_unparked),
        cmocka_unit_test(test_parked_legacy_equals_unparked),
        cmocka_unit_test(test_saved_and_loaded_v1),
        cmocka_unit_test(test_saved_and_loaded_legacy),
        cmocka_unit_test(test_load_rejects_other_documents),
        cmocka_unit_test(test_run_to_end_sleeps_on_the_clock),
        cmocka_unit_test(test_free_while_parked),
        cmocka_unit_test(test_clocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
