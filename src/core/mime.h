/*
 * MIME types for binary data, as n8n derives them: the type from a file
 * name's extension (the mime-types package over mime-db), the usual
 * extension of a type, n8n's coarse fileType, and the type of a buffer from
 * its first bytes (file-type) for data that has no file name.
 *
 * The tables hold the common types only: a file whose extension is not
 * listed gets text/plain, as in n8n for an unknown extension. Strings
 * returned are static.
 */
#ifndef SL_CORE_MIME_H
#define SL_CORE_MIME_H

#include <stddef.h>

/* The type for a file path's extension (case-insensitive), or NULL. */
const char *sl_mime_lookup(const char *path);

/* The usual extension of a MIME type (parameters ignored), or NULL. */
const char *sl_mime_extension(const char *mime);

/* n8n's fileType for a MIME type: json, html, image, audio, video, text or
 * pdf, or NULL. */
const char *sl_mime_file_type(const char *mime);

/* The type and extension of data recognised by its signature (PNG, JPEG,
 * GIF, WebP, PDF, ZIP, gzip, ...); returns 0 and sets both, or -1. */
int sl_mime_sniff(const unsigned char *data, size_t len, const char **mime, const char **ext);

/* The extension of a path as Node's path.extname() gives it, without the
 * dot: "" when the last component has none (or only a leading dot).
 * Returns a pointer into `path`. */
const char *sl_mime_path_ext(const char *path);

#endif
