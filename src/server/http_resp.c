/*
 * Helpers for struct sl_http_req / sl_http_resp (see http.h); no
 * libmicrohttpd here, so the handlers' unit tests link without it.
 */
#include <stdarg.h>
#include <string.h>

#include "core/jsvalue.h"
#include "server/http.h"
#include "util/alloc.h"

const char *sl_http_req_header(const struct sl_http_req *req, const char *name)
{
    if (!req->headers)
        return NULL;
    char low[128];
    size_t n = strlen(name);
    if (n >= sizeof low)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
    return json_string_value(json_object_get(req->headers, low));
}

void sl_http_resp_release(struct sl_http_resp *resp)
{
    json_decref(resp->headers);
    free(resp->body);
    memset(resp, 0, sizeof *resp);
}

void sl_http_resp_header(struct sl_http_resp *resp, const char *name, const char *value)
{
    if (!resp->headers)
        resp->headers = json_object();
    json_object_set_new(resp->headers, name, json_string(value));
}

void sl_http_resp_bytes(struct sl_http_resp *resp, int status, const char *content_type,
                        const void *data, size_t len)
{
    resp->status = status;
    free(resp->body);
    resp->body = sl_malloc(len + 1);
    if (len)
        memcpy(resp->body, data, len);
    resp->body[len] = '\0';
    resp->body_len = len;
    if (content_type)
        sl_http_resp_header(resp, "content-type", content_type);
}

void sl_http_resp_json(struct sl_http_resp *resp, int status, json_t *body)
{
    /* numbers as JavaScript's JSON.stringify writes them (2.2, not
     * 2.2000000000000002), as n8n answers */
    struct sl_buf b = {0};
    sl_jsv_stringify_to(&b, body, 0, 0);
    json_decref(body);
    size_t len = b.len;
    char *text = sl_buf_steal(&b);
    resp->status = status;
    free(resp->body);
    resp->body = text;
    resp->body_len = len;
    sl_http_resp_header(resp, "content-type", "application/json; charset=utf-8");
}

void sl_http_resp_error(struct sl_http_resp *resp, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = sl_vasprintf(fmt, ap);
    va_end(ap);
    json_t *body = json_pack("{s:i,s:s}", "code", status, "message", msg);
    free(msg);
    sl_http_resp_json(resp, status, body);
}
