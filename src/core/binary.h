/*
 * Binary data in items, in n8n's shape.
 *
 * An item's "binary" object maps property names to n8n's IBinaryData:
 *   {mimeType, fileType?, fileExtension?, data, directory?, fileName?,
 *    id?, fileSize}
 * fileSize is n8n's human text ("4 B", "1.23 kB"). Small data is inline:
 * `data` holds the bytes in base64. Data larger than the store's inline
 * limit is written to a file under the data directory and the item only
 * references it, as n8n's filesystem mode does: `data` is the marker
 * "filesystem-v2" and `id` is "filesystem-v2:<execution>/<uuid>", stored
 * at <data dir>/binary/<execution>/<uuid>. Nodes never care which: they add
 * bytes with sl_binary_add() and read them with sl_binary_read().
 *
 * Settings (read when an execution first stores binary data):
 *   SLUICE_DATA_DIR            data directory, default ".sluice"
 *   SLUICE_BINARY_INLINE_MAX   largest inline size in bytes, default 1 MiB
 *   SLUICE_BINARY_KEEP=1       keep an execution's files when it ends
 * Without SLUICE_BINARY_KEEP the files an execution wrote are deleted when
 * the execution is freed (with its directory, once empty).
 *
 * Ownership: arguments are borrowed; a returned json_t * is a new
 * reference; byte buffers returned through out-parameters are heap memory
 * the caller frees. One store belongs to one execution and is used by the
 * thread running it.
 */
#ifndef SL_CORE_BINARY_H
#define SL_CORE_BINARY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct sl_node_ctx;
struct sl_binary_store;

/* The marker n8n puts in `data` when the bytes live elsewhere. */
#define SL_BINARY_FS_MODE "filesystem-v2"

/* Where new binary data comes from; every field may be NULL. */
struct sl_binary_meta {
    /* The file path the data was read from, as the workflow names it:
     * gives fileName, directory, fileExtension and (by extension) the
     * MIME type. */
    const char *file_path;
    /* The MIME type; NULL derives it from file_path, else from the data's
     * first bytes, else text/plain. */
    const char *mime_type;
};

/* ---- the store (one per execution) ---- */

/* A store for execution `exec_id` under `data_dir` (copied). Files are
 * created on demand. */
struct sl_binary_store *sl_binary_store_new(const char *data_dir, const char *exec_id,
                                            size_t inline_max);
/* A store configured from the environment (see above). */
struct sl_binary_store *sl_binary_store_from_env(const char *exec_id);
/* Deletes the files the store wrote unless `keep`, then frees it. NULL is
 * a no-op. */
void sl_binary_store_free(struct sl_binary_store *s, bool keep);

/* Builds the IBinaryData object for `len` bytes at `data`, inline or in a
 * file by size. Returns a new reference, or NULL with `err` set when the
 * file cannot be written. */
json_t *sl_binary_store_put(struct sl_binary_store *s, const void *data, size_t len,
                            const struct sl_binary_meta *meta, struct sl_error *err);

/* Reads the bytes of an IBinaryData object, inline or by id. On success
 * returns 0 with a heap buffer in *data (NUL-terminated, not counted in
 * *len). Fails with `err` set for a missing or unreadable file or an id
 * outside the data directory. `s` gives the data directory (NULL: the
 * environment's). */
int sl_binary_store_get(const struct sl_binary_store *s, const json_t *bin, unsigned char **data,
                        size_t *len, struct sl_error *err) SL_MUST_CHECK;

/* The path a file-stored id is kept at (heap string), or NULL when the id
 * is not a filesystem id or tries to leave the data directory. */
char *sl_binary_store_path(const struct sl_binary_store *s, const char *id);

/* ---- what nodes use ---- */

/* Stores `len` bytes for the current execution and returns the new
 * IBinaryData object (a new reference), or NULL with the message set on
 * ctx. For nodes that adjust the metadata before attaching it. */
json_t *sl_binary_new(struct sl_node_ctx *ctx, const void *data, size_t len,
                      const struct sl_binary_meta *meta);

/* Stores `len` bytes and sets them as binary property `prop` of `item`
 * (an item the node owns and has not emitted; its "binary" object is
 * created or copied-on-write, never shared objects mutated). Returns 0, or
 * SL_ERR_NODE with the message set on ctx. */
int sl_binary_add(struct sl_node_ctx *ctx, json_t *item, const char *prop, const void *data,
                  size_t len, const struct sl_binary_meta *meta) SL_MUST_CHECK;

/* The binary property `prop` of input item `item` (input 0), borrowed; or
 * NULL with n8n's assertBinaryData message set on ctx ("This operation
 * expects the node's input data to contain a binary file 'x', but none was
 * found [item 0]" / "The item has no binary field 'x' [item 0]"). */
json_t *sl_binary_input(struct sl_node_ctx *ctx, size_t item, const char *prop);

/* Reads a binary property's bytes whatever the storage (see
 * sl_binary_store_get); SL_ERR_NODE with the message set on failure. */
int sl_binary_read(struct sl_node_ctx *ctx, const json_t *bin, unsigned char **data,
                   size_t *len) SL_MUST_CHECK;

/* Metadata accessors: borrowed strings, NULL when absent. */
const char *sl_binary_mime_type(const json_t *bin);
const char *sl_binary_file_name(const json_t *bin);
const char *sl_binary_file_extension(const json_t *bin);
const char *sl_binary_file_size(const json_t *bin);
const char *sl_binary_directory(const json_t *bin);
/* True when the bytes live in a file (the object has an id). */
bool sl_binary_is_stored(const json_t *bin);

/* ---- helpers ---- */

#define SL_BINARY_SIZE_MAX 48
/* n8n's fileSize text (pretty-bytes): "0 B", "4 B", "1.23 kB", "10 MB". */
void sl_binary_pretty_size(double bytes, char out[SL_BINARY_SIZE_MAX]);

/* Base64 with padding, no line breaks; heap string. */
char *sl_base64_encode(const void *data, size_t len);
/* Decodes base64 the lenient way Node's Buffer.from(s, "base64") does:
 * URL-safe letters accepted, other characters skipped, padding optional.
 * Heap buffer (NUL-terminated, not counted in *len). */
unsigned char *sl_base64_decode(const char *s, size_t slen, size_t *len);

#endif
