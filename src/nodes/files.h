/*
 * What the file nodes (Read/Write Files from Disk, Read Binary File(s),
 * Write Binary File) share: reading a file the workflow names into a
 * binary data object and writing a binary property to a file, both
 * confined to the allowed directories (core/files.h), with n8n's error
 * texts extended by the parameter and path at fault.
 */
#ifndef SL_NODES_FILES_H
#define SL_NODES_FILES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "nodes/node.h"

/* Reads the file at workflow path `path` (named by parameter `label`) into
 * a new IBinaryData object (*bin, a new reference). SL_ERR_NODE with the
 * message set when the path is not allowed or cannot be read. */
int sl_file_node_read(struct sl_node_ctx *ctx, const char *path, const char *label,
                      json_t **bin) SL_MUST_CHECK;

/* Writes the bytes of binary object `bin` to workflow path `path` (named
 * by parameter `label`), truncating or appending. SL_ERR_NODE with the
 * message set on failure. */
int sl_file_node_write(struct sl_node_ctx *ctx, const char *path, const char *label,
                       const json_t *bin, bool append) SL_MUST_CHECK;

/* Expands the glob `pattern` (see sl_files_glob); SL_ERR_NODE on failure. */
int sl_file_node_glob(struct sl_node_ctx *ctx, const char *pattern, char ***list,
                      size_t *n) SL_MUST_CHECK;

/* The write loop of Write Binary File and of Read/Write Files from Disk
 * (writeBinaryFile.c); `options_per_item` reads options.append for each
 * item instead of once. */
int sl_write_binary_run(struct sl_node_ctx *ctx, bool options_per_item) SL_MUST_CHECK;

#endif
