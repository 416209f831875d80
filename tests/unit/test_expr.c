/*
 * Unit tests for the C fast path of expressions (src/core/expr.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/expr.h"

static void test_paths(void **state)
{
    (void)state;
    json_t *j = json_loads("{\"a\":{\"b\":[10,{\"c\":\"x\"}]},\"k y\":1,\"n\":null}", 0, NULL);
    json_t *out = NULL;
    assert_true(sl_expr_fast_path(" $json.a.b[1].c ", j, &out));
    assert_string_equal(json_string_value(out), "x");
    json_decref(out);
    assert_true(sl_expr_fast_path("$json['k y']", j, &out));
    assert_int_equal(json_integer_value(out), 1);
    json_decref(out);
    assert_true(sl_expr_fast_path("$json.missing", j, &out));
    assert_null(out);
    /* undefined.x throws in JavaScript: leave it to the engine */
    assert_false(sl_expr_fast_path("$json.missing.x", j, &out));
    assert_false(sl_expr_fast_path("$json.n.x", j, &out));
    /* anything that is not a plain path goes to JavaScript */
    assert_false(sl_expr_fast_path("$json.a.b.length", j, &out));
    assert_false(sl_expr_fast_path("$json.a + 1", j, &out));
    assert_false(sl_expr_fast_path("$json.a.toString()", j, &out));
    assert_false(sl_expr_fast_path("$input.item.json.a", j, &out));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_paths)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
