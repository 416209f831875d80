/*
 * libFuzzer target for the webhook body parsers (server/body.h) and the
 * Webhook node's items (server/webhook.h). The input is a Content-Type
 * line, then the body: "multipart/form-data; boundary=B\n--B\r\n...".
 * The first byte of the type line picks the node version (v1 or v2) and
 * options (rawBody, binaryPropertyName). Every parser runs on the body;
 * nothing may crash or leak, and every failure must come with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/body.h"
#include "server/webhook.h"
#include "util/alloc.h"

static struct sl_webhook_table *table(void)
{
    static struct sl_webhook_table *t;
    if (t)
        return t;
    t = sl_webhook_table_new();
    json_t *doc = json_loads(
        "{\"nodes\":["
        "{\"name\":\"A\",\"type\":\"n8n-nodes-base.webhook\",\"typeVersion\":1,\"webhookId\":\"a\","
        " \"parameters\":{\"path\":\"v1\",\"httpMethod\":\"POST\"}},"
        "{\"name\":\"B\",\"type\":\"n8n-nodes-base.webhook\",\"typeVersion\":2,\"webhookId\":\"b\","
        " \"parameters\":{\"path\":\"v2\",\"httpMethod\":\"POST\"}},"
        "{\"name\":\"C\",\"type\":\"n8n-nodes-base.webhook\",\"typeVersion\":2,\"webhookId\":\"c\","
        " \"parameters\":{\"path\":\"raw/:id\",\"httpMethod\":\"POST\","
        "   \"options\":{\"rawBody\":true,\"binaryPropertyName\":\"f\"}}}]}",
        0, NULL);
    struct sl_error err;
    if (!doc || sl_webhook_table_add(t, "wf", doc, &err))
        abort();
    json_decref(doc);
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl || size > (1u << 20))
        return 0;
    char *ct = sl_strndup((const char *)data, (size_t)(nl - data));
    const char *body = (const char *)nl + 1;
    size_t len = size - (size_t)(nl - data) - 1;

    /* the parsers on their own */
    char *type, *charset;
    sl_body_content_type(ct, &type, &charset);
    struct sl_error err = {{0}};
    struct sl_multipart mp;
    int rc = sl_multipart_parse(ct, charset, body, len, &mp, &err);
    if (rc && !err.msg[0])
        abort();
    for (size_t i = 0; i < mp.n; i++)
        if (!mp.parts[i].data || !mp.parts[i].transfer_encoding)
            abort();
    sl_multipart_free(&mp);
    json_t *form = sl_body_form_urlencoded(body, len);
    if (!json_is_object(form))
        abort();
    json_decref(form);
    err.msg[0] = '\0';
    json_t *text = sl_body_decode_text(body, len, charset, &err);
    if (!text && !err.msg[0])
        abort();
    json_decref(text);
    free(sl_body_disposition_filename(ct));

    /* the whole request through each node */
    static const char *const paths[] = {"v1", "v2", "c/raw/7"};
    for (size_t k = 0; k < 3; k++) {
        struct sl_http_req req = {.method = "POST",
                                  .path = paths[k],
                                  .body = body,
                                  .body_len = len,
                                  .remote_addr = "127.0.0.1",
                                  .base_url = "http://localhost"};
        req.headers = json_object();
        req.query = json_object();
        json_object_set_new(req.headers, "content-type", json_string(ct));
        json_t *params = NULL;
        struct sl_http_resp resp = {0};
        const struct sl_webhook *wh = sl_webhook_find(table(), "POST", paths[k], &params, &resp);
        if (!wh)
            abort();
        json_t *items = sl_webhook_items(wh, &req, params, "production", &resp);
        if (!items && (resp.status != 422 && resp.status != 413))
            abort();
        if (items) {
            char *dump = json_dumps(items, JSON_COMPACT);
            if (!dump)
                abort();
            free(dump);
        }
        json_decref(items);
        json_decref(params);
        sl_http_resp_release(&resp);
        json_decref(req.headers);
        json_decref(req.query);
    }
    free(type);
    free(charset);
    free(ct);
    return 0;
}
