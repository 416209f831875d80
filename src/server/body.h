/*
 * Request body parsers for webhooks: the Content-Type header, text in a
 * charset, application/x-www-form-urlencoded and multipart/form-data, with
 * the rules of the libraries n8n parses webhook bodies with (its
 * parseIncomingMessage for the content type, Node's Buffer.toString for
 * charsets, Node's querystring.parse for forms, formidable 3 for
 * multipart). server/webhook.c turns the results into the Webhook node's
 * items; these functions know nothing of nodes.
 *
 * Bounds: every parser has hard limits (below). Input past a limit fails
 * with SL_ERR_LIMIT and a message naming the limit; malformed input fails
 * with SL_ERR_PARSE and a message naming what was wrong. Neither crashes
 * nor reads past `len`.
 *
 * Ownership: inputs are borrowed; json_t results are new references;
 * struct sl_multipart owns its strings and part data and is released with
 * sl_multipart_free(). Thread rule: reentrant, no global state.
 */
#ifndef SL_SERVER_BODY_H
#define SL_SERVER_BODY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* Pairs querystring.parse reads from a form (n8n passes maxKeys: 1000);
 * the rest of the form is ignored, as Node ignores it. */
#define SL_BODY_FORM_MAX_KEYS 1000
/* Parts of one multipart body (formidable's maxFields is 1000). */
#define SL_BODY_MULTIPART_MAX_PARTS 1000
/* Header lines of one part, and their total bytes. */
#define SL_BODY_MULTIPART_MAX_HEADERS 32
#define SL_BODY_MULTIPART_MAX_HEADER_BYTES 16384
/* Deepest JSON nesting the error reporter follows (jansson's limit). */
#define SL_BODY_JSON_MAX_DEPTH 2048
/* Longest multipart boundary (RFC 2046 allows 70 characters). */
#define SL_BODY_MULTIPART_MAX_BOUNDARY 256

/* n8n's parseContentType: `type` is the text before the first ';',
 * lower-cased and not trimmed; `charset` the charset parameter (lower-case,
 * quotes removed), "utf-8" when absent. Both heap strings; *type is NULL
 * (and *charset too) when the header is NULL or empty. */
void sl_body_content_type(const char *header, char **type, char **charset);

/* The filename parameter of a Content-Disposition header as n8n's
 * parseContentDisposition reads it (filename*=charset''value wins), or
 * NULL. Heap string. */
char *sl_body_disposition_filename(const char *header);

/* Buffer.from(bytes).toString(charset) as a JSON string: utf-8/utf8 (bad
 * sequences become U+FFFD), latin1/binary, ascii (high bit cleared),
 * utf16le/ucs2 and their dashed spellings. Another charset fails (NULL)
 * with Node's "Unknown encoding: <charset>" in `err`. */
json_t *sl_body_decode_text(const void *data, size_t len, const char *charset,
                            struct sl_error *err);

/* Node's querystring.parse(text) with maxKeys SL_BODY_FORM_MAX_KEYS: '&'
 * separates pairs, the first '=' splits a pair, '+' is a space, %XX
 * escapes are decoded (invalid escapes kept as written, bytes that are not
 * UTF-8 become U+FFFD), a name without '=' gets "", a repeated name
 * becomes an array of its values in order, and brackets are part of the
 * name ("a[b]" is the key "a[b]"; no nesting). Never fails. */
json_t *sl_body_form_urlencoded(const char *text, size_t len);

/* The message V8's JSON.parse throws for `len` bytes of text (UTF-8), as
 * Node 20 words it ("Unexpected end of JSON input", "Expected ',' or '}'
 * after property value in JSON at position 7", "Unexpected token 'x',
 * \"x\" is not valid JSON", ...), or NULL when the text is valid JSON.
 * Nesting deeper than SL_BODY_JSON_MAX_DEPTH is not judged (NULL, as
 * jansson refuses it with a message of its own). Heap string. */
char *sl_body_json_error(const char *text, size_t len);

/* One part of a multipart/form-data body. A part is a file when it has a
 * Content-Type header (formidable's rule), else a field. */
struct sl_multipart_part {
    char *name;              /* the name parameter; NULL when absent */
    char *filename;          /* the filename parameter as formidable reads it; NULL when absent */
    char *content_type;      /* the part's Content-Type value as written; NULL for fields */
    char *transfer_encoding; /* lower-cased Content-Transfer-Encoding, else the body charset */
    unsigned char *data;     /* the part's bytes (base64 transfer encoding decoded) */
    size_t len;
};

struct sl_multipart {
    struct sl_multipart_part *parts;
    size_t n;
};

/* Parses a multipart body. `content_type` is the request's whole
 * Content-Type header (the boundary comes from it, as formidable's
 * /boundary=(?:"([^"]+)"|([^;]+))/i finds it); `charset` the request
 * charset (formidable's default transfer encoding). On success returns 0
 * with every part in *out. On malformed input returns SL_ERR_PARSE with
 * formidable's message in `err` ("bad content-type header, no multipart
 * boundary", "MultipartParser.end(): stream ended unexpectedly: state =
 * PART_DATA", "unknown transfer-encoding") and, in *out, the parts that
 * were complete before the error (formidable's callback still gets them).
 * Past a limit returns SL_ERR_LIMIT, likewise with the complete parts.
 * *out is always to be freed. */
int sl_multipart_parse(const char *content_type, const char *charset, const void *body, size_t len,
                       struct sl_multipart *out, struct sl_error *err) SL_MUST_CHECK;
void sl_multipart_free(struct sl_multipart *m);

#endif
