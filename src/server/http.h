/*
 * The HTTP layer's request and response, as the handlers (webhooks, API,
 * health, metrics) see them: plain data with no libmicrohttpd type in it,
 * so handlers are tested without a socket. server/http.c fills a request
 * from libmicrohttpd, calls the handler and sends the response.
 *
 * Ownership: a handler borrows the request for the call. A response owns
 * its headers and body; sl_http_resp_release() frees them.
 */
#ifndef SL_SERVER_HTTP_H
#define SL_SERVER_HTTP_H

#include <jansson.h>
#include <stddef.h>

struct sl_http_req {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* URL path, percent-decoded, without the query */
    json_t *query;      /* object: name -> string (a repeated name -> array of strings) */
    json_t *headers;    /* object: lower-case name -> string (repeats joined by ", ") */
    const char *body;   /* raw body bytes (not NUL-terminated for binary), or NULL */
    size_t body_len;
    const char *remote_addr; /* "127.0.0.1" */
    const char *base_url;    /* "http://127.0.0.1:5678" as the client addressed the server */
};

/* Case-insensitive header lookup (names are stored lower-case); NULL when
 * absent. Borrowed from the request. */
const char *sl_http_req_header(const struct sl_http_req *req, const char *name);

struct sl_http_resp {
    int status;      /* 0 until set */
    json_t *headers; /* object: name -> string; NULL: none */
    char *body;      /* heap bytes or NULL */
    size_t body_len;
};

void sl_http_resp_release(struct sl_http_resp *resp);
/* Sets (replacing) a header. */
void sl_http_resp_header(struct sl_http_resp *resp, const char *name, const char *value);
/* Status and a JSON body (`body` stolen) with content-type application/json. */
void sl_http_resp_json(struct sl_http_resp *resp, int status, json_t *body);
/* Status and a body of `len` bytes copied from `data` with `content_type`. */
void sl_http_resp_bytes(struct sl_http_resp *resp, int status, const char *content_type,
                        const void *data, size_t len);
/* An error: status and {"code": status, "message": the formatted text}, as
 * n8n answers webhook and API errors. */
void sl_http_resp_error(struct sl_http_resp *resp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
