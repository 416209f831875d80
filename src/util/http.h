/*
 * A minimal HTTP client over libcurl: one GET that reads a bounded body,
 * for nodes that load something by URL (Execute Workflow's "url" source).
 *
 * Only http and https are followed (also across redirects), so a URL can't
 * reach the local file system around SLUICE_FILES_ALLOW. Any thread may
 * call these; each call has its own curl handle.
 */
#ifndef SL_UTIL_HTTP_H
#define SL_UTIL_HTTP_H

#include <stddef.h>

struct sl_http_response {
    long status; /* the last response's HTTP status */
    char *body;  /* NUL-terminated; owned, free() it */
    size_t len;  /* body bytes, without the NUL */
};

/* GETs `url` with the Accept header `accept` (NULL: none), following up to
 * 10 redirects, accepting gzip/deflate, giving up after `timeout_ms`, and
 * reading at most `max_bytes`. Returns 0 with `res` filled (any status,
 * 4xx and 5xx included), or -1 with a one-line message in err (size
 * errlen): bad URL, unsupported protocol, connection failure, timeout, or
 * a body over the limit. */
int sl_http_get(const char *url, const char *accept, size_t max_bytes, long timeout_ms,
                struct sl_http_response *res, char *err, size_t errlen);

#endif
