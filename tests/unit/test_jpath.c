/*
 * Unit tests for core/jpath: lodash path splitting, get/set/unset, and the
 * copy-on-write rule that shared values are never mutated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/jpath.h"

static json_t *J(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    assert_non_null(v);
    return v;
}

/* Asserts that `v` equals the JSON `text`, then drops `v`. */
static void assert_json(json_t *v, const char *text)
{
    json_t *want = J(text);
    if (!json_equal(v, want)) {
        char *got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        print_error("got %s, want %s\n", got, text);
        free(got);
        fail();
    }
    json_decref(want);
    json_decref(v);
}

static void get_paths(void **state)
{
    (void)state;
    json_t *o = J("{\"a\":{\"b\":[{\"c\":1},{\"c\":2}]},\"x.y\":3,\"k\":{\"x.y\":4},"
                  "\"\":5,\"q\":{\"w\":{\"\":6}}}");
    assert_int_equal(json_integer_value(sl_jpath_get(o, "a.b[1].c")), 2);
    assert_int_equal(json_integer_value(sl_jpath_get(o, "a.b.0.c")), 1);
    assert_int_equal(json_integer_value(sl_jpath_get(o, "a[\"b\"][0]['c']")), 1);
    /* a whole path that is an existing key is taken literally */
    assert_int_equal(json_integer_value(sl_jpath_get(o, "x.y")), 3);
    assert_int_equal(json_integer_value(sl_jpath_get(o, "k[\"x.y\"]")), 4);
    assert_int_equal(json_integer_value(sl_jpath_get(o, "")), 5);
    assert_int_equal(json_integer_value(sl_jpath_get(o, "q.w.")), 6);
    assert_null(sl_jpath_get(o, "a.b[2].c"));
    assert_null(sl_jpath_get(o, "a.b[01]"));
    assert_null(sl_jpath_get(o, "a.b.c"));
    assert_null(sl_jpath_get(o, "nope.x"));
    assert_null(sl_jpath_get(NULL, "a"));
    /* literal mode never splits */
    assert_null(sl_jpath_get_ex(o, "a.b", SL_JPATH_LITERAL));
    assert_int_equal(json_integer_value(sl_jpath_get_ex(o, "x.y", SL_JPATH_LITERAL)), 3);
    json_decref(o);
}

static void get_odd_paths(void **state)
{
    (void)state;
    json_t *o = J("{\"a[b\":1,\"a\":{\"b]c\":2,\"x[y\":3}}");
    /* no '.' and no bracket pair: one literal key */
    assert_int_equal(json_integer_value(sl_jpath_get(o, "a[b")), 1);
    /* greedy bracket content runs to the last ']' before the next '[' */
    assert_int_equal(json_integer_value(sl_jpath_get(o, "a[b]c]")), 2);
    /* quoted brackets may hold '[' */
    assert_int_equal(json_integer_value(sl_jpath_get(o, "a[\"x[y\"]")), 3);
    json_decref(o);
}

static void set_creates_containers(void **state)
{
    (void)state;
    json_t *o = json_object();
    assert_int_equal(sl_jpath_set(&o, "a.b.c", json_integer(1)), 0);
    assert_int_equal(sl_jpath_set(&o, "list[1]", json_string("x")), 0);
    assert_int_equal(sl_jpath_set(&o, "m.0.n", json_true()), 0);
    assert_int_equal(sl_jpath_set(&o, "a.b.d", json_integer(2)), 0);
    assert_json(o, "{\"a\":{\"b\":{\"c\":1,\"d\":2}},\"list\":[null,\"x\"],\"m\":[{\"n\":true}]}");
}

static void set_replaces_scalars_and_literal(void **state)
{
    (void)state;
    json_t *o = J("{\"a\":5,\"x.y\":1}");
    assert_int_equal(sl_jpath_set(&o, "a.b", json_integer(1)), 0);
    assert_int_equal(sl_jpath_set(&o, "x.y", json_integer(2)), 0);
    assert_int_equal(sl_jpath_set_ex(&o, "p.q", json_integer(3), SL_JPATH_LITERAL), 0);
    assert_json(o, "{\"a\":{\"b\":1},\"x.y\":2,\"p.q\":3}");
}

static void set_rejects(void **state)
{
    (void)state;
    json_t *o = J("{\"arr\":[1]}");
    assert_int_equal(sl_jpath_set(&o, "__proto__.x", json_integer(1)), SL_ERR_INVALID);
    assert_int_equal(sl_jpath_set(&o, "a.constructor", json_integer(1)), SL_ERR_INVALID);
    assert_int_equal(sl_jpath_set(&o, "arr.name", json_integer(1)), SL_ERR_INVALID);
    assert_int_equal(sl_jpath_set(&o, "arr[99999999]", json_integer(1)), SL_ERR_LIMIT);
    assert_json(o, "{\"arr\":[1]}");
    json_t *s = json_string("x");
    assert_int_equal(sl_jpath_set(&s, "a", json_integer(1)), SL_ERR_INVALID);
    json_decref(s);
}

static void set_is_copy_on_write(void **state)
{
    (void)state;
    json_t *orig = J("{\"a\":{\"b\":{\"c\":1},\"keep\":{\"z\":1}},\"other\":[1,2]}");
    json_t *keep = json_object_get(json_object_get(orig, "a"), "keep");
    json_t *other = json_object_get(orig, "other");

    json_t *mine = json_incref(orig);
    assert_int_equal(sl_jpath_set(&mine, "a.b.c", json_integer(2)), 0);
    assert_ptr_not_equal(mine, orig);
    /* the original is untouched */
    assert_json(json_incref(orig), "{\"a\":{\"b\":{\"c\":1},\"keep\":{\"z\":1}},\"other\":[1,2]}");
    assert_json(json_incref(mine), "{\"a\":{\"b\":{\"c\":2},\"keep\":{\"z\":1}},\"other\":[1,2]}");
    /* unchanged subtrees are shared, not copied */
    assert_ptr_equal(json_object_get(mine, "other"), other);
    assert_ptr_equal(json_object_get(json_object_get(mine, "a"), "keep"), keep);

    /* a second set on the now exclusive copy changes it in place */
    json_t *before = mine;
    json_t *inner = json_object_get(json_object_get(mine, "a"), "b");
    assert_int_equal(sl_jpath_set(&mine, "a.b.d", json_integer(3)), 0);
    assert_ptr_equal(mine, before);
    assert_ptr_equal(json_object_get(json_object_get(mine, "a"), "b"), inner);

    json_decref(mine);
    json_decref(orig);
}

static void unset_paths(void **state)
{
    (void)state;
    json_t *orig = J("{\"a\":{\"b\":1,\"c\":2},\"l\":[1,2,3],\"x.y\":1}");
    json_t *o = json_incref(orig);
    assert_int_equal(sl_jpath_unset(&o, "missing.b"), 0);
    assert_ptr_equal(o, orig); /* nothing removed, nothing copied */
    assert_int_equal(sl_jpath_unset(&o, "a.b"), 1);
    assert_int_equal(sl_jpath_unset(&o, "l[1]"), 1);
    assert_int_equal(sl_jpath_unset(&o, "x.y"), 1);
    assert_json(json_incref(o), "{\"a\":{\"c\":2},\"l\":[1,null,3]}");
    assert_json(json_incref(orig), "{\"a\":{\"b\":1,\"c\":2},\"l\":[1,2,3],\"x.y\":1}");
    assert_int_equal(sl_jpath_unset_ex(&o, "a.c", SL_JPATH_LITERAL), 0);
    json_decref(o);
    json_decref(orig);
}

static void own_copies_only_shared(void **state)
{
    (void)state;
    json_t *o = json_object();
    assert_ptr_equal(sl_jpath_own(o), o);
    json_t *r = json_incref(o);
    json_t *c = sl_jpath_own(r);
    assert_ptr_not_equal(c, o);
    json_decref(c);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_paths),
        cmocka_unit_test(get_odd_paths),
        cmocka_unit_test(set_creates_containers),
        cmocka_unit_test(set_replaces_scalars_and_literal),
        cmocka_unit_test(set_rejects),
        cmocka_unit_test(set_is_copy_on_write),
        cmocka_unit_test(unset_paths),
        cmocka_unit_test(own_copies_only_shared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
