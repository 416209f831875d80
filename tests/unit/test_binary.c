/*
 * Unit tests for core/binary: n8n's IBinaryData shape, the inline limit
 * that moves data to a file, reading back both ways, cleanup, ids that
 * try to leave the data directory, base64 and n8n's fileSize text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/binary.h"
#include "util/alloc.h"

static char *tmp_dir(void)
{
    char tmpl[] = "/tmp/sluice-binary-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return sl_strdup(d);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void inline_below_limit(void **state)
{
    char *dir = tmp_dir();
    struct sl_binary_store *s = sl_binary_store_new(dir, "e1", 8);
    struct sl_error err = {{0}};
    struct sl_binary_meta meta = {.file_path = "/data/in/report.csv"};
    json_t *b = sl_binary_store_put(s, "test", 4, &meta, &err);
    assert_non_null(b);
    char *text = json_dumps(b, JSON_COMPACT);
    assert_string_equal(text, "{\"mimeType\":\"text/csv\",\"fileType\":\"text\",\"fileExtension\":"
                              "\"csv\",\"data\":\"dGVzdA==\",\"directory\":\"/data/in\","
                              "\"fileName\":\"report.csv\",\"fileSize\":\"4 B\"}");
    free(text);
    assert_false(sl_binary_is_stored(b));
    unsigned char *data;
    size_t len;
    assert_int_equal(sl_binary_store_get(s, b, &data, &len, &err), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(data, "test", 4);
    free(data);
    json_decref(b);
    sl_binary_store_free(s, false);
    char *sub = sl_asprintf("%s/binary", dir);
    struct stat st;
    assert_int_not_equal(stat(sub, &st), 0); /* nothing written */
    free(sub);
    rmdir(dir);
    free(dir);
}

static void file_above_limit_and_cleanup(void **state)
{
    char *dir = tmp_dir();
    struct sl_binary_store *s = sl_binary_store_new(dir, "e2", 3);
    struct sl_error err = {{0}};
    json_t *b = sl_binary_store_put(s, "test", 4, NULL, &err);
    assert_non_null(b);
    assert_true(sl_binary_is_stored(b));
    assert_string_equal(str(b, "data"), "filesystem-v2");
    assert_string_equal(str(b, "fileSize"), "4 B");
    assert_string_equal(str(b, "mimeType"), "text/plain");
    const char *id = str(b, "id");
    assert_non_null(id);
    assert_int_equal(strncmp(id, "filesystem-v2:e2/", 17), 0);
    char *path = sl_binary_store_path(s, id);
    assert_non_null(path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 4);
    unsigned char *data;
    size_t len;
    assert_int_equal(sl_binary_store_get(s, b, &data, &len, &err), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(data, "test", 4);
    free(data);
    /* exactly at the limit stays inline */
    json_t *small = sl_binary_store_put(s, "abc", 3, NULL, &err);
    assert_false(sl_binary_is_stored(small));
    json_decref(small);
    sl_binary_store_free(s, false);
    assert_int_not_equal(stat(path, &st), 0);
    char *exec_dir = sl_asprintf("%s/binary/e2", dir);
    assert_int_not_equal(stat(exec_dir, &st), 0);
    /* the id no longer resolves */
    assert_int_not_equal(sl_binary_store_get(NULL, b, &data, &len, &err), 0);
    json_decref(b);
    free(exec_dir);
    free(path);
    char *bin_dir = sl_asprintf("%s/binary", dir);
    rmdir(bin_dir);
    free(bin_dir);
    rmdir(dir);
    free(dir);
}

static void keep_leaves_files(void **state)
{
    char *dir = tmp_dir();
    struct sl_binary_store *s = sl_binary_store_new(dir, "e3", 0);
    struct sl_error err = {{0}};
    json_t *b = sl_binary_store_put(s, "x", 1, NULL, &err);
    char *path = sl_binary_store_path(s, str(b, "id"));
    sl_binary_store_free(s, true);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    unlink(path);
    char *d = sl_asprintf("%s/binary/e3", dir);
    rmdir(d);
    free(d);
    d = sl_asprintf("%s/binary", dir);
    rmdir(d);
    free(d);
    rmdir(dir);
    free(path);
    free(dir);
    json_decref(b);
}

static void ids_stay_inside(void **state)
{
    struct sl_binary_store *s = sl_binary_store_new("/var/data", "e", 0);
    char *p = sl_binary_store_path(s, "filesystem-v2:e/abc");
    assert_string_equal(p, "/var/data/binary/e/abc");
    free(p);
    assert_null(sl_binary_store_path(s, "filesystem-v2:../etc/passwd"));
    assert_null(sl_binary_store_path(s, "filesystem-v2:e/../../x"));
    assert_null(sl_binary_store_path(s, "filesystem-v2:/etc/passwd"));
    assert_null(sl_binary_store_path(s, "s3:e/abc"));
    json_t *b = json_pack("{s:s, s:s}", "data", "filesystem-v2", "id", "filesystem-v2:../x");
    unsigned char *data;
    size_t len;
    struct sl_error err = {{0}};
    assert_int_not_equal(sl_binary_store_get(s, b, &data, &len, &err), 0);
    json_decref(b);
    sl_binary_store_free(s, false);
}

static void sniffs_without_path(void **state)
{
    struct sl_binary_store *s = sl_binary_store_new("/nonexistent", "e", 1 << 20);
    struct sl_error err = {{0}};
    json_t *b = sl_binary_store_put(s, "\x89PNG\r\n\x1a\n....", 12, NULL, &err);
    assert_string_equal(str(b, "mimeType"), "image/png");
    assert_string_equal(str(b, "fileType"), "image");
    assert_string_equal(str(b, "fileExtension"), "png");
    assert_null(json_object_get(b, "fileName"));
    json_decref(b);
    struct sl_binary_meta meta = {.file_path = "noext", .mime_type = "application/json"};
    b = sl_binary_store_put(s, "{}", 2, &meta, &err);
    assert_string_equal(str(b, "fileType"), "json");
    assert_string_equal(str(b, "fileExtension"), "json");
    assert_string_equal(str(b, "fileName"), "noext");
    assert_null(json_object_get(b, "directory"));
    json_decref(b);
    sl_binary_store_free(s, false);
}

static void base64_round_trip(void **state)
{
    const char *cases[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char *e = sl_base64_encode(cases[i], strlen(cases[i]));
        assert_string_equal(e, want[i]);
        size_t n;
        unsigned char *d = sl_base64_decode(e, strlen(e), &n);
        assert_int_equal(n, strlen(cases[i]));
        assert_memory_equal(d, cases[i], n);
        free(d);
        free(e);
    }
    size_t n;
    unsigned char *d = sl_base64_decode("Zm9v\nYmE", 8, &n); /* no padding, a line break */
    assert_int_equal(n, 5);
    assert_memory_equal(d, "fooba", 5);
    free(d);
}

static void pretty_sizes(void **state)
{
    char out[SL_BINARY_SIZE_MAX];
    struct {
        double n;
        const char *s;
    } cases[] = {{0, "0 B"},          {4, "4 B"},           {999, "999 B"},
                 {1000, "1 kB"},      {1234, "1.23 kB"},    {10000, "10 kB"},
                 {999999, "1000 kB"}, {1048576, "1.05 MB"}, {1e9, "1 GB"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sl_binary_pretty_size(cases[i].n, out);
        assert_string_equal(out, cases[i].s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inline_below_limit),  cmocka_unit_test(file_above_limit_and_cleanup),
        cmocka_unit_test(keep_leaves_files),   cmocka_unit_test(ids_stay_inside),
        cmocka_unit_test(sniffs_without_path), cmocka_unit_test(base64_round_trip),
        cmocka_unit_test(pretty_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
