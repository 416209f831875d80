/*
 * Shared reading and writing for the file nodes (see files.h).
 */
#define _GNU_SOURCE /* strerrorname_np, strerrordesc_np */
#include "nodes/files.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/binary.h"
#include "core/files.h"
#include "util/alloc.h"

/* Largest file read into memory. */
#define FILE_READ_MAX ((size_t)1 << 30)

static int fail_denied(struct sl_node_ctx *ctx, const char *verb, const char *path,
                       const char *label)
{
    char *allowed = sl_files_allowed_list();
    sl_ctx_fail(ctx, "Access to the file '%s' in '%s' is not allowed%s. Allowed paths: %s", path,
                label, verb, allowed);
    sl_ctx_fail_description(ctx, "Paths are confined to the directories in SLUICE_FILES_ALLOW "
                                 "(default: the working directory)");
    free(allowed);
    return SL_ERR_NODE;
}

/* Node's text for a failed system call: "ENOENT: no such file or
 * directory, stat '/x'". */
static int fail_errno(struct sl_node_ctx *ctx, int err, const char *syscall, const char *path)
{
    const char *name = strerrorname_np(err);
    const char *desc = strerrordesc_np(err);
    char lower[128];
    snprintf(lower, sizeof lower, "%s", desc ? desc : "unknown error");
    lower[0] = (char)tolower((unsigned char)lower[0]);
    return sl_ctx_fail(ctx, "%s: %s, %s '%s'", name ? name : "EIO", lower, syscall, path);
}

int sl_file_node_read(struct sl_node_ctx *ctx, const char *path, const char *label, json_t **bin)
{
    char *real = NULL;
    int rc = sl_files_check(path, &real);
    if (rc == SL_ERR_INVALID)
        return fail_denied(ctx, "", path, label);
    if (rc)
        return fail_errno(ctx, errno, "stat", path);
    unsigned char *data = NULL;
    size_t len = 0;
    rc = sl_files_read_all(real, FILE_READ_MAX, &data, &len);
    free(real);
    if (rc == SL_ERR_LIMIT)
        return sl_ctx_fail(ctx, "The file is too large: '%s' is over 1 GiB", path);
    if (rc && errno == EACCES)
        return sl_ctx_fail(ctx, "You don't have the permissions to access %s", path);
    if (rc) /* n8n stats the file before opening it */
        return fail_errno(ctx, errno, errno == ENOENT ? "stat" : "open", path);
    struct sl_binary_meta meta = {.file_path = path};
    *bin = sl_binary_new(ctx, data, len, &meta);
    free(data);
    return *bin ? 0 : SL_ERR_NODE;
}

int sl_file_node_write(struct sl_node_ctx *ctx, const char *path, const char *label,
                       const json_t *bin, bool append)
{
    char *real = NULL;
    int rc = sl_files_check(path, &real);
    if (rc == SL_ERR_INVALID)
        return fail_denied(ctx, " for writing", path, label);
    if (rc)
        return fail_errno(ctx, errno, "open", path);
    unsigned char *data = NULL;
    size_t len = 0;
    if (sl_binary_read(ctx, bin, &data, &len) < 0) {
        free(real);
        return SL_ERR_NODE;
    }
    rc = sl_files_write_all(real, data, len, append);
    free(data);
    free(real);
    if (rc && errno == EACCES)
        return sl_ctx_fail(ctx, "You don't have the permissions to write the file %s", path);
    if (rc)
        return fail_errno(ctx, errno, "open", path);
    return 0;
}

int sl_file_node_glob(struct sl_node_ctx *ctx, const char *pattern, char ***list, size_t *n)
{
    if (sl_files_glob(pattern, list, n) < 0)
        return sl_ctx_fail(ctx, "The file selector '%s' could not be read", pattern);
    return 0;
}
