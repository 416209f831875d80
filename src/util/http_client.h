/*
 * The HTTP client behind the HTTP Request node: prepared requests run over
 * one libcurl multi handle per thread, so connections to the same host are
 * kept alive and reused across items, node runs and executions on that
 * thread, and a group of requests runs concurrently.
 *
 * A request is fully prepared by the caller (final URL with its query,
 * header lines, body bytes); this layer only moves bytes and reports what
 * came back: status, reason phrase, headers (lower-case names, repeated
 * headers joined with ", ", set-cookie as a list, as Node's http does) and
 * the body, bounded by SL_HTTPC_MAX_BODY.
 *
 * Thread rule: sl_httpc_perform() may be called from any thread; each
 * thread uses its own multi handle (freed when the thread exits).
 * Ownership: the caller owns requests and responses and releases them with
 * sl_httpc_req_release() / sl_httpc_resp_release().
 */
#ifndef SL_UTIL_HTTP_CLIENT_H
#define SL_UTIL_HTTP_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The largest response body read (bytes); a longer one fails. */
#define SL_HTTPC_MAX_BODY ((size_t)512 << 20)

/* Why a transfer got no HTTP answer. */
enum sl_httpc_fail {
    SL_HTTPC_OK = 0,
    SL_HTTPC_TIMEOUT,
    SL_HTTPC_REFUSED,
    SL_HTTPC_NOT_FOUND, /* host name did not resolve */
    SL_HTTPC_REDIRECTS, /* more redirects than allowed */
    SL_HTTPC_TLS,
    SL_HTTPC_TOO_LARGE,
    SL_HTTPC_OTHER,
};

struct sl_httpc_req {
    char *method;   /* "GET", "POST", ... (owned) */
    char *url;      /* final URL, query included (owned) */
    char **headers; /* "Name: value" lines (owned) */
    size_t n_headers;
    unsigned char *body; /* owned; NULL: no body */
    size_t body_len;
    long timeout_ms; /* 0: none */
    bool follow;     /* follow redirects */
    long max_redirects;
    char *proxy;   /* NULL: none (owned) */
    bool insecure; /* skip TLS certificate checks */
};

struct sl_httpc_resp {
    enum sl_httpc_fail fail;
    char err[256];  /* libcurl's detail when fail != OK */
    char host[256]; /* host and port tried (for messages) */
    long status;
    char *status_msg;    /* reason phrase (owned) */
    json_t *headers;     /* object, lower-case names (owned) */
    unsigned char *body; /* NUL-terminated (owned) */
    size_t len;
    char *url;               /* the last URL fetched (owned) */
    double start_s, total_s; /* when it started (monotonic) and how long it took */
};

/* Adds a header line "name: value" to `r` (both copied). */
void sl_httpc_req_header(struct sl_httpc_req *r, const char *name, const char *value);
/* True when `r` has a header `name` (case-insensitive). */
bool sl_httpc_req_has_header(const struct sl_httpc_req *r, const char *name);
/* Removes every header `name` (case-insensitive). */
void sl_httpc_req_del_header(struct sl_httpc_req *r, const char *name);
void sl_httpc_req_release(struct sl_httpc_req *r);
void sl_httpc_resp_release(struct sl_httpc_resp *r);

/* Runs the `n` requests in `reqs`, at most `parallel` at a time, and fills
 * `resps[i]` for each (zeroed first). Always returns 0: per-request
 * failures are in resps[i].fail. */
int sl_httpc_perform(struct sl_httpc_req *reqs, struct sl_httpc_resp *resps, size_t n,
                     size_t parallel);

/* RFC 3986 percent-encoding as JavaScript's encodeURIComponent does,
 * appended to `b` (a struct sl_buf). */
struct sl_buf;
void sl_httpc_encode_component(struct sl_buf *b, const char *s, size_t len);

/* RFC 3986 percent-encoding as the qs package's stringify does (only
 * letters, digits and "-._~" stay as they are), appended to `b`. */
void sl_httpc_encode_qs(struct sl_buf *b, const char *s, size_t len);

/* Parses a Retry-After value (delta seconds or an HTTP date) into
 * milliseconds from `now_s` (epoch seconds); -1 when unparsable. */
long long sl_httpc_retry_after_ms(const char *value, long long now_s);

#endif
