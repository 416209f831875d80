/*
 * File access for the nodes that read and write files on disk (Read/Write
 * Files from Disk, Read Binary File(s), Write Binary File).
 *
 * Every path a workflow names is checked against the allowed directories:
 * $SLUICE_FILES_ALLOW (colon-separated), or the working directory when it
 * is unset or empty. The check runs on the path resolved with realpath(3)
 * (for a file that does not exist yet: its directory's realpath plus the
 * name), so `..` and symbolic links cannot leave an allowed directory.
 *
 * Fixtures: when $SLUICE_FIXTURES_DIR is set (`sluice test --fixtures DIR`
 * sets it), an absolute path /p that the workflow names is read and written
 * as DIR/p, and DIR is allowed too. Nodes keep reporting the path the
 * workflow wrote (/p); only the filesystem sees DIR/p.
 *
 * All strings returned are heap strings owned by the caller. These
 * functions read the environment and keep no state: any thread may call
 * them.
 */
#ifndef SL_CORE_FILES_H
#define SL_CORE_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* The path the filesystem sees for a workflow path: DIR/path for an
 * absolute path while fixtures are on, else a copy of `path`. */
char *sl_files_host_path(const char *path);

/* The allowed directories as the message lists them ("a, b"). */
char *sl_files_allowed_list(void);

/* Resolves `path` (a workflow path) and checks it lies in an allowed
 * directory. On success returns 0 and, when `resolved` is not NULL, stores
 * the real path there. Returns SL_ERR_INVALID when the path is outside
 * every allowed directory, SL_ERR_IO when it (or, for a new file, its
 * directory) cannot be resolved; errno is kept from realpath. */
int sl_files_check(const char *path, char **resolved) SL_MUST_CHECK;

/* True when the real path `real` is `dir` or lies below it (both already
 * resolved). */
bool sl_files_within(const char *dir, const char *real);

/* Expands a glob pattern the way n8n's fast-glob is used by the file
 * nodes: `*`, `?`, `[...]`, `{a,b}` and `**` (any depth); dot files only
 * when the pattern names the dot; regular files only. Matches are the
 * workflow's paths (not the fixtures' host paths), sorted. Returns the
 * number of matches and a heap array of heap strings in *out (free with
 * sl_files_list_free), or a negative sl_err on failure. */
int sl_files_glob(const char *pattern, char ***out, size_t *n) SL_MUST_CHECK;
void sl_files_list_free(char **list, size_t n);

/* Reads a whole file (a host path) into a heap buffer, refusing files
 * larger than `max` bytes (SL_ERR_LIMIT). 0 or a negative sl_err, errno
 * set for SL_ERR_IO. */
int sl_files_read_all(const char *host_path, size_t max, unsigned char **data,
                      size_t *len) SL_MUST_CHECK;

/* Writes `len` bytes to the host path `real` (from sl_files_check()),
 * creating the file (mode 0666 & ~umask) or truncating it, or appending
 * when `append`. Refuses a path whose last component is a symbolic link
 * or that is not a regular file. 0 or SL_ERR_IO with errno set. */
int sl_files_write_all(const char *real, const void *data, size_t len, bool append) SL_MUST_CHECK;

#endif
