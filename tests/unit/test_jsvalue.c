/*
 * Unit tests for core/jsvalue and nodes/jsdate: the JavaScript value
 * rules (ToString, ToNumber, comparisons, JSON.stringify, lower case) and
 * the C date fast paths the If, Filter and Switch nodes use. Expected
 * values are what Node.js prints for the same expressions (n8n's
 * fuzzyCompare: what its source returns). Runs with
 * TZ=UTC (CTest sets it).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/jsvalue.h"
#include "nodes/jsdate.h"

static json_t *J(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    return v;
}

static void assert_num_format(double d, const char *want)
{
    char buf[SL_JSV_NUM_MAX];
    sl_jsv_num_format(d, buf);
    assert_string_equal(buf, want);
}

static void number_to_string(void **state)
{
    (void)state;
    assert_num_format(0.1, "0.1");
    assert_num_format(-0.0, "0");
    assert_num_format(1e21, "1e+21");
    assert_num_format(123456789012345680000.0, "123456789012345680000");
    assert_num_format(1e-7, "1e-7");
    assert_num_format(0.000001, "0.000001");
    assert_num_format(1.5e300, "1.5e+300");
    assert_num_format(5e-324, "5e-324");
    assert_num_format(NAN, "NaN");
    assert_num_format(-INFINITY, "-Infinity");
}

static void string_to_number(void **state)
{
    (void)state;
    assert_true(sl_jsv_str_to_number(" 12 ") == 12);
    assert_true(sl_jsv_str_to_number("0x1f") == 31);
    assert_true(sl_jsv_str_to_number("0b101") == 5);
    assert_true(sl_jsv_str_to_number("1e3") == 1000);
    assert_true(sl_jsv_str_to_number("") == 0);
    assert_true(sl_jsv_str_to_number(".5") == 0.5);
    assert_true(sl_jsv_str_to_number("5.") == 5);
    assert_true(sl_jsv_str_to_number("+5") == 5);
    assert_true(sl_jsv_str_to_number("\xc2\xa0 7\n") == 7);
    assert_true(isinf(sl_jsv_str_to_number("-Infinity")));
    assert_true(isnan(sl_jsv_str_to_number("abc")));
    assert_true(isnan(sl_jsv_str_to_number("0x")));
    assert_true(isnan(sl_jsv_str_to_number("-0x10")));
    assert_true(isnan(sl_jsv_str_to_number("1_000")));
    assert_true(isnan(sl_jsv_str_to_number("inf")));
    assert_true(isnan(sl_jsv_str_to_number("1e")));
    json_t *a = J("[\"4\"]"), *b = J("[1,2]");
    assert_true(sl_jsv_to_number(a) == 4);
    assert_true(isnan(sl_jsv_to_number(b)));
    json_decref(a);
    json_decref(b);
}

static void to_string_and_stringify(void **state)
{
    (void)state;
    json_t *v = J("[1,null,[2,\"x\"],{\"a\":1},true,0.5]");
    char *s = sl_jsv_to_string(v);
    assert_string_equal(s, "1,,2,x,[object Object],true,0.5");
    free(s);
    json_decref(v);
    v = J("{\"b\":1,\"2\":[1.5,\"q\\\"\\n\\u0001\"],\"1\":null,\"01\":true}");
    s = sl_jsv_stringify(v);
    assert_string_equal(s, "{\"1\":null,\"2\":[1.5,\"q\\\"\\n\\u0001\"],\"b\":1,\"01\":true}");
    free(s);
    json_decref(v);
    s = sl_jsv_to_string(NULL);
    assert_string_equal(s, "undefined");
    free(s);
}

static void index_keys(void **state)
{
    (void)state;
    uint64_t n = 99;
    assert_true(sl_jsv_index_key("0", SL_JSV_ARRAY_INDEX_LIMIT, &n));
    assert_int_equal(n, 0);
    assert_true(sl_jsv_index_key("4294967294", SL_JSV_ARRAY_INDEX_LIMIT, &n));
    assert_int_equal(n, 4294967294u);
    assert_false(sl_jsv_index_key("4294967295", SL_JSV_ARRAY_INDEX_LIMIT, NULL));
    assert_true(sl_jsv_index_key("4294967295", SL_JSV_SAFE_INDEX_LIMIT, NULL));
    assert_true(sl_jsv_index_key("9007199254740990", SL_JSV_SAFE_INDEX_LIMIT, NULL));
    assert_false(sl_jsv_index_key("9007199254740991", SL_JSV_SAFE_INDEX_LIMIT, NULL));
    assert_false(sl_jsv_index_key("99999999999999999999999", SL_JSV_SAFE_INDEX_LIMIT, NULL));
    assert_false(sl_jsv_index_key("", SL_JSV_ARRAY_INDEX_LIMIT, NULL));
    assert_false(sl_jsv_index_key("01", SL_JSV_ARRAY_INDEX_LIMIT, NULL));
    assert_false(sl_jsv_index_key("+1", SL_JSV_ARRAY_INDEX_LIMIT, NULL));
    assert_false(sl_jsv_index_key("1a", SL_JSV_ARRAY_INDEX_LIMIT, NULL));
}

/* Object.keys order: array indices ascending first, then insertion order;
 * the whitespace JavaScript's \s matches. */
static void object_keys_and_spaces(void **state)
{
    (void)state;
    json_t *o = json_loads("{\"b\":1,\"10\":2,\"a\":3,\"2\":4,\"01\":5}", 0, NULL);
    json_t *keys = sl_jsv_keys(o);
    char *s = json_dumps(keys, JSON_COMPACT);
    assert_string_equal(s, "[\"2\",\"10\",\"b\",\"a\",\"01\"]");
    free(s);
    json_decref(keys);
    json_decref(o);
    keys = sl_jsv_keys(NULL);
    assert_int_equal(json_array_size(keys), 0);
    json_decref(keys);
    assert_int_equal(sl_jsv_space_len(" x"), 1);
    assert_int_equal(sl_jsv_space_len("\xc2\xa0"), 2);
    assert_int_equal(sl_jsv_space_len("\xe2\x80\xa8"), 3);
    assert_int_equal(sl_jsv_space_len("x"), 0);
    assert_int_equal(sl_jsv_space_len(""), 0);
}

static void comparisons(void **state)
{
    (void)state;
    json_t *s10 = J("\"10\""), *s9 = J("\"9\""), *n9 = J("9"), *arr = J("[2]"), *one = J("1");
    json_t *obj = J("{}"), *nul = J("null"), *zero = J("0");
    assert_int_equal(sl_jsv_compare(s10, s9), SL_JSV_LT);
    assert_int_equal(sl_jsv_compare(s10, n9), SL_JSV_GT);
    assert_int_equal(sl_jsv_compare(arr, one), SL_JSV_GT);
    assert_int_equal(sl_jsv_compare(obj, one), SL_JSV_UNORDERED);
    assert_int_equal(sl_jsv_compare(nul, zero), SL_JSV_EQ);
    assert_int_equal(sl_jsv_compare(NULL, zero), SL_JSV_UNORDERED);
    json_t *one_real = J("1.0"), *one_str = J("\"1\"");
    assert_true(sl_jsv_strict_equals(one, one_real));
    assert_false(sl_jsv_strict_equals(obj, obj)); /* never the same object */
    assert_false(sl_jsv_strict_equals(one, one_str));
    json_decref(one_real);
    json_decref(one_str);
    /* U+FF61 sorts after U+1F600 in UTF-16 (0xFF61 > 0xD83D). */
    assert_true(sl_jsv_strcmp_utf16("\xef\xbd\xa1", "\xf0\x9f\x98\x80") > 0);
    assert_true(sl_jsv_strcmp_utf16("ab", "abc") < 0);
    json_t *all[] = {s10, s9, n9, arr, one, obj, nul, zero};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        json_decref(all[i]);
}

static void lower_case(void **state)
{
    (void)state;
    struct {
        const char *in, *want;
    } cases[] = {
        {"HeLLo", "hello"},
        {"\xc3\x80\xc3\x89\xc3\x8e", "\xc3\xa0\xc3\xa9\xc3\xae"},                 /* ÀÉÎ */
        {"\xc4\xb0", "i\xcc\x87"},                                                /* İ */
        {"\xce\x9f\xce\x94\xce\x9f\xce\xa3", "\xce\xbf\xce\xb4\xce\xbf\xcf\x82"}, /* ΟΔΟΣ */
        {"\xce\xa3", "\xcf\x83"},                                                 /* Σ */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *l = sl_jsv_lower(cases[i].in);
        assert_string_equal(l, cases[i].want);
        free(l);
    }
}

static void upper_case(void **state)
{
    (void)state;
    struct {
        const char *in, *want;
    } cases[] = {
        {"heLLo_1", "HELLO_1"},
        {"\xc3\xa0\xc3\xa9\xc3\xae", "\xc3\x80\xc3\x89\xc3\x8e"}, /* àéî */
        {"stra\xc3\x9f!", "STRASS!"},                             /* straße */
        {"\xf0\x9f\x98\x80!a", "\xf0\x9f\x98\x80!A"},             /* emoji a */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *u = sl_jsv_upper(cases[i].in);
        assert_string_equal(u, cases[i].want);
        free(u);
    }
}

static void utf8_decode(void **state)
{
    (void)state;
    struct {
        const char *in;
        size_t len;
        const char *want;
    } cases[] = {
        {"caf\xc3\xa9", 5, "caf\xc3\xa9"},
        {"a\xe2\x82!", 4, "a\xef\xbf\xbd!"},         /* truncated sequence: one U+FFFD */
        {"\xe2\x82", 2, "\xef\xbf\xbd"},             /* truncated at the end */
        {"\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong: two */
        {"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate */
        {"\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80"},
        {"x\0y", 3, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *s = sl_jsv_utf8_decode(cases[i].in, cases[i].len);
        if (cases[i].want)
            assert_string_equal(json_string_value(s), cases[i].want);
        else
            assert_int_equal(json_string_length(s), 3);
        json_decref(s);
    }
}

static void object_keys(void **state)
{
    (void)state;
    json_t *o = json_loads("{\"b\":1,\"10\":2,\"a\":3,\"2\":4,\"01\":5}", 0, NULL);
    json_t *keys = sl_jsv_keys(o);
    char *s = json_dumps(keys, JSON_COMPACT);
    assert_string_equal(s, "[\"2\",\"10\",\"b\",\"a\",\"01\"]");
    free(s);
    json_decref(keys);
    keys = sl_jsv_keys(json_array_get(o, 0)); /* not an object */
    assert_int_equal(json_array_size(keys), 0);
    json_decref(keys);
    json_decref(o);
}

static void luxon_dates(void **state)
{
    (void)state;
    double ms = 0;
    assert_int_equal(sl_date_parse_luxon("2023-10-21T16:45:52.367Z", NULL, &ms), SL_DATE_OK);
    assert_true(ms == 1697906752367.0);
    assert_int_equal(sl_date_parse_luxon("2023-10-21 10:00:00 +02:00", NULL, &ms), SL_DATE_OK);
    assert_true(ms == 1697875200000.0);
    assert_int_equal(sl_date_parse_luxon("2023-10-21T10:00:00,5+0000", NULL, &ms), SL_DATE_OK);
    assert_true(ms == 1697882400500.0);
    assert_int_equal(sl_date_parse_luxon(" 2023-10-21 ", NULL, &ms), SL_DATE_OK); /* local = UTC */
    assert_true(ms == 1697846400000.0);
    assert_int_equal(sl_date_parse_luxon("2023", NULL, &ms), SL_DATE_OK);
    assert_true(ms == 1672531200000.0);
    assert_int_equal(sl_date_parse_luxon("", NULL, &ms), SL_DATE_INVALID);
    assert_int_equal(sl_date_parse_luxon("20231021", NULL, &ms), SL_DATE_UNSURE);
    assert_int_equal(sl_date_parse_luxon("2023-02-30", NULL, &ms), SL_DATE_UNSURE);
    assert_int_equal(sl_date_parse_luxon("Sat, 21 Oct 2023 10:00:00 GMT", NULL, &ms),
                     SL_DATE_UNSURE);
    assert_int_equal(sl_date_parse_luxon("2023-10-21T10:00:00[Europe/Paris]", NULL, &ms),
                     SL_DATE_UNSURE);
    /* A workflow zone: UTC is known here, a named zone is left to luxon
     * unless the text carries its own offset. */
    ms = 0;
    assert_int_equal(sl_date_parse_luxon("2023-10-21T10:00:00", "UTC", &ms), SL_DATE_OK);
    assert_true(ms == 1697882400000.0);
    assert_int_equal(sl_date_parse_luxon("2023-10-21", "gmt", &ms), SL_DATE_OK);
    assert_true(ms == 1697846400000.0);
    assert_int_equal(sl_date_parse_luxon("2023-10-21T10:00:00", "America/New_York", &ms),
                     SL_DATE_UNSURE);
    assert_int_equal(sl_date_parse_luxon("2023-10-21", "America/New_York", &ms), SL_DATE_UNSURE);
    assert_int_equal(sl_date_parse_luxon("2023-10-21 10:00:00", "Etc/UTC", &ms), SL_DATE_UNSURE);
    ms = 0;
    assert_int_equal(sl_date_parse_luxon("2023-10-21T10:00:00-04:00", "America/New_York", &ms),
                     SL_DATE_OK);
    assert_true(ms == 1697896800000.0);
}

static void es_dates(void **state)
{
    (void)state;
    double ms = 0;
    assert_int_equal(sl_date_parse_es("2023-01-01T00:00:00.000-05:00", &ms), SL_DATE_OK);
    assert_true(ms == 1672549200000.0);
    assert_int_equal(sl_date_parse_es("2023-02-30", &ms), SL_DATE_OK); /* V8: March 2 */
    assert_true(ms == 1677715200000.0);
    assert_int_equal(sl_date_parse_es("2023-01-01T00:00:00.5Z", &ms), SL_DATE_OK);
    assert_true(ms == 1672531200500.0);
    assert_int_equal(sl_date_parse_es("2023-01-01T10:00+0200", &ms), SL_DATE_UNSURE);
    assert_int_equal(sl_date_parse_es("2023-13-01", &ms), SL_DATE_UNSURE);
    assert_int_equal(sl_date_parse_es("  ", &ms), SL_DATE_INVALID);
}

/* fuzzy(a, b, version) with NULL text for undefined. */
static bool fuzzy(const char *a, const char *b, int version)
{
    json_t *x = a ? J(a) : NULL, *y = b ? J(b) : NULL;
    bool r = sl_jsv_fuzzy_equal(x, y, true, version);
    json_decref(x);
    json_decref(y);
    return r;
}

/* n8n's fuzzyCompare (nodes-base utils/utilities.ts). */
static void fuzzy_compare(void **state)
{
    (void)state;
    json_t *one = J("1"), *sone = J("\"1\"");
    assert_false(sl_jsv_fuzzy_equal(one, sone, false, 2));
    assert_true(sl_jsv_fuzzy_equal(one, one, false, 1));
    json_decref(one);
    json_decref(sone);
    assert_true(fuzzy("1", "\"1\"", 1));
    assert_true(fuzzy("\"1.5\"", "1.5", 1));
    assert_false(fuzzy("1", "\"01\"", 1));
    assert_true(fuzzy("true", "\"TRUE\"", 1));
    assert_true(fuzzy("\"0\"", "false", 1));
    assert_true(fuzzy("true", "1", 1));
    assert_false(fuzzy("true", "2", 1));
    assert_true(fuzzy("{\"a\": [1]}", "\"{\\\"a\\\":[1]}\"", 1));
    assert_false(fuzzy("{\"a\": 1}", "\"not json\"", 1));
    assert_true(fuzzy("null", "\"\"", 1));
    assert_true(fuzzy("[]", NULL, 1));
    assert_true(fuzzy(NULL, NULL, 1));
    assert_false(fuzzy("null", "0", 1));
    assert_true(fuzzy("null", "0", 2));
    assert_true(fuzzy("\"0\"", "null", 2));
    assert_false(fuzzy("null", "false", 2));
    assert_false(fuzzy("{}", "[]", 2)); /* both "object": isEqual */
}

static void split_trim(void **state)
{
    (void)state;
    json_t *l = sl_jsv_split_trim(" a , b.c,, ", true);
    json_t *want = J("[\"a\", \"b.c\", \"\", \"\"]");
    assert_true(json_equal(l, want));
    json_decref(l);
    json_decref(want);
    l = sl_jsv_split_trim(" a , b.c,, ", false);
    want = J("[\"a\", \"b.c\"]");
    assert_true(json_equal(l, want));
    json_decref(l);
    json_decref(want);
    l = sl_jsv_split_trim("", true);
    assert_int_equal(json_array_size(l), 1);
    json_decref(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(number_to_string),
        cmocka_unit_test(string_to_number),
        cmocka_unit_test(to_string_and_stringify),
        cmocka_unit_test(index_keys),
        cmocka_unit_test(object_keys_and_spaces),
        cmocka_unit_test(comparisons),
        cmocka_unit_test(lower_case),
        cmocka_unit_test(upper_case),
        cmocka_unit_test(object_keys),
        cmocka_unit_test(utf8_decode),
        cmocka_unit_test(luxon_dates),
        cmocka_unit_test(es_dates),
        cmocka_unit_test(fuzzy_compare),
        cmocka_unit_test(split_trim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
