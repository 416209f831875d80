/*
 * Unit tests for core/files: the allowed-directory check on real paths
 * (`..`, symbolic links, new files), the fixtures mapping, and the glob
 * walker.
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

#include "core/files.h"
#include "util/alloc.h"

static char *root; /* a temporary tree: allowed/, other/ */

static void put(const char *rel, const char *text)
{
    char *p = sl_asprintf("%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static void mk(const char *rel)
{
    char *p = sl_asprintf("%s/%s", root, rel);
    assert_int_equal(mkdir(p, 0700), 0);
    free(p);
}

static int setup(void **state)
{
    char tmpl[] = "/tmp/sluice-files-XXXXXX";
    char *d = mkdtemp(tmpl);
    if (!d)
        return -1;
    char real[4096];
    if (!realpath(d, real))
        return -1;
    root = sl_strdup(real);
    mk("allowed");
    mk("allowed/sub");
    mk("allowed/.dot");
    mk("other");
    put("allowed/a.txt", "a");
    put("allowed/b.csv", "b");
    put("allowed/.hidden.txt", "h");
    put("allowed/sub/c.txt", "c");
    put("allowed/.dot/d.txt", "d");
    put("other/secret.txt", "s");
    char *link = sl_asprintf("%s/allowed/escape", root);
    char *target = sl_asprintf("%s/other", root);
    if (symlink(target, link))
        return -1;
    free(link);
    free(target);
    char *allow = sl_asprintf("%s/allowed", root);
    setenv("SLUICE_FILES_ALLOW", allow, 1);
    free(allow);
    unsetenv("SLUICE_FIXTURES_DIR");
    return 0;
}

static int teardown(void **state)
{
    char *cmd = sl_asprintf("rm -rf '%s'", root);
    int rc = system(cmd);
    free(cmd);
    free(root);
    return rc == 0 ? 0 : -1;
}

static int check(const char *rel)
{
    char *p = sl_asprintf("%s/%s", root, rel);
    int rc = sl_files_check(p, NULL);
    free(p);
    return rc;
}

static void allowed_and_denied(void **state)
{
    assert_int_equal(check("allowed/a.txt"), 0);
    assert_int_equal(check("allowed/sub/c.txt"), 0);
    assert_int_equal(check("allowed/new-file.txt"), 0); /* a file to be created */
    assert_int_equal(check("other/secret.txt"), SL_ERR_INVALID);
    assert_int_equal(check("allowed/../other/secret.txt"), SL_ERR_INVALID);
    assert_int_equal(check("allowed/escape/secret.txt"), SL_ERR_INVALID); /* symlink out */
    assert_int_equal(check("allowed/escape/new.txt"), SL_ERR_INVALID);
    assert_int_equal(check("allowed/missing-dir/x.txt"), SL_ERR_IO);
    assert_int_equal(sl_files_check("/etc/passwd", NULL), SL_ERR_INVALID);
    /* a sibling whose name starts with the allowed one is outside */
    char *sib = sl_asprintf("%s/allowed-not", root);
    assert_int_equal(mkdir(sib, 0700), 0);
    char *f = sl_asprintf("%s/x", sib);
    assert_int_equal(sl_files_check(f, NULL), SL_ERR_INVALID);
    rmdir(sib);
    free(f);
    free(sib);
    char *resolved = NULL;
    char *p = sl_asprintf("%s/allowed/sub/../a.txt", root);
    assert_int_equal(sl_files_check(p, &resolved), 0);
    char *want = sl_asprintf("%s/allowed/a.txt", root);
    assert_string_equal(resolved, want);
    free(want);
    free(resolved);
    free(p);
}

static void several_allowed_dirs(void **state)
{
    char *allow = sl_asprintf("/nonexistent:%s/other::%s/allowed", root, root);
    setenv("SLUICE_FILES_ALLOW", allow, 1);
    assert_int_equal(check("other/secret.txt"), 0);
    assert_int_equal(check("allowed/a.txt"), 0);
    char *list = sl_files_allowed_list();
    char *want = sl_asprintf("/nonexistent, %s/other, %s/allowed", root, root);
    assert_string_equal(list, want);
    free(want);
    free(list);
    free(allow);
    allow = sl_asprintf("%s/allowed", root);
    setenv("SLUICE_FILES_ALLOW", allow, 1);
    free(allow);
}

static void within(void **state)
{
    assert_true(sl_files_within("/a/b", "/a/b"));
    assert_true(sl_files_within("/a/b", "/a/b/c"));
    assert_true(sl_files_within("/a/b/", "/a/b/c"));
    assert_false(sl_files_within("/a/b", "/a/bc"));
    assert_false(sl_files_within("/a/b", "/a"));
    assert_true(sl_files_within("/", "/etc"));
}

static void fixtures_map_absolute_paths(void **state)
{
    char *fx = sl_asprintf("%s/allowed", root);
    setenv("SLUICE_FIXTURES_DIR", fx, 1);
    setenv("SLUICE_FILES_ALLOW", "/nonexistent", 1);
    char *host = sl_files_host_path("/sub/c.txt");
    char *want = sl_asprintf("%s/sub/c.txt", fx);
    assert_string_equal(host, want);
    free(want);
    free(host);
    host = sl_files_host_path("rel.txt");
    assert_string_equal(host, "rel.txt");
    free(host);
    assert_int_equal(sl_files_check("/sub/c.txt", NULL), 0); /* inside DIR */
    assert_int_equal(sl_files_check("/escape/secret.txt", NULL), SL_ERR_INVALID);
    assert_int_equal(sl_files_check("/../other/secret.txt", NULL), SL_ERR_INVALID);
    char **list;
    size_t n;
    assert_int_equal(sl_files_glob("/**/*.txt", &list, &n), 0);
    /* no dot files; links are followed (fast-glob does), reading checks them */
    assert_int_equal(n, 3);
    assert_string_equal(list[0], "/a.txt");
    assert_string_equal(list[1], "/escape/secret.txt");
    assert_string_equal(list[2], "/sub/c.txt");
    sl_files_list_free(list, n);
    unsetenv("SLUICE_FIXTURES_DIR");
    setenv("SLUICE_FILES_ALLOW", fx, 1);
    free(fx);
}

static void globs(void **state)
{
    char **list;
    size_t n;
    char *pat = sl_asprintf("%s/allowed/*.txt", root);
    assert_int_equal(sl_files_glob(pat, &list, &n), 0);
    assert_int_equal(n, 1);
    assert_true(strstr(list[0], "/allowed/a.txt") != NULL);
    sl_files_list_free(list, n);
    free(pat);

    pat = sl_asprintf("%s/allowed/{a,b}.*", root);
    assert_int_equal(sl_files_glob(pat, &list, &n), 0);
    assert_int_equal(n, 2);
    assert_true(strstr(list[1], "/allowed/b.csv") != NULL);
    sl_files_list_free(list, n);
    free(pat);

    pat = sl_asprintf("%s/allowed/.*.txt", root); /* a pattern naming the dot */
    assert_int_equal(sl_files_glob(pat, &list, &n), 0);
    assert_int_equal(n, 1);
    sl_files_list_free(list, n);
    free(pat);

    pat = sl_asprintf("%s/allowed/*.nope", root);
    assert_int_equal(sl_files_glob(pat, &list, &n), 0);
    assert_int_equal(n, 0);
    sl_files_list_free(list, n);
    free(pat);

    pat = sl_asprintf("%s/allowed/sub", root); /* a directory is not a file */
    assert_int_equal(sl_files_glob(pat, &list, &n), 0);
    assert_int_equal(n, 0);
    sl_files_list_free(list, n);
    free(pat);
}

static void write_and_read(void **state)
{
    char *p = sl_asprintf("%s/allowed/w.txt", root);
    char *real = NULL;
    assert_int_equal(sl_files_check(p, &real), 0);
    assert_int_equal(sl_files_write_all(real, "abc", 3, false), 0);
    assert_int_equal(sl_files_write_all(real, "de", 2, true), 0);
    unsigned char *data;
    size_t len;
    assert_int_equal(sl_files_read_all(real, 100, &data, &len), 0);
    assert_int_equal(len, 5);
    assert_memory_equal(data, "abcde", 5);
    free(data);
    assert_int_equal(sl_files_read_all(real, 4, &data, &len), SL_ERR_LIMIT);
    assert_int_equal(sl_files_write_all(real, "x", 1, false), 0); /* truncates */
    assert_int_equal(sl_files_read_all(real, 100, &data, &len), 0);
    assert_int_equal(len, 1);
    free(data);
    free(real);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allowed_and_denied),
        cmocka_unit_test(several_allowed_dirs),
        cmocka_unit_test(within),
        cmocka_unit_test(fixtures_map_absolute_paths),
        cmocka_unit_test(globs),
        cmocka_unit_test(write_and_read),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
