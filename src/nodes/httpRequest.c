/*
 * HTTP Request: one HTTP request per input item (more with pagination),
 * over util/http_client.h.
 *
 * The node runs in three phases, as n8n's HttpRequestV3 does: every
 * item's parameters are read into a request (a failure there is that
 * item's error), the requests are sent (all at once, or in groups of
 * batchSize whose starts are at least batchInterval apart), and each
 * answer becomes output items (autodetect/json/text/file, full response
 * or body). Versions 1 and 2 use other parameter names; read_legacy()
 * maps them onto the same request description.
 *
 * Error texts are n8n's: an HTTP error answer fails the node with the
 * status's message ("The resource you are requesting could not be found")
 * and a description taken from the body; with continue-on-fail the item
 * is {error: {message: "404 - \"<body>\"", name, code, status}}. Every
 * error text has the credential's secrets replaced by "**hidden**".
 *
 * With retryOnFail, a 429 or 503 answer's Retry-After is handed to the
 * engine (sl_ctx_retry_after) as the least wait before the next try.
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/binary.h"
#include "core/item.h"
#include "core/jpath.h"
#include "core/jsvalue.h"
#include "js/js.h"
#include "nodes/node.h"
#include "nodes/oauth2.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/http_client.h"

static const double versions[] = {1, 2, 3, 4, 4.1, 4.2, 0};

#define REDACTED "**hidden**"
#define RETRY_AFTER_MAX_MS (10 * 60 * 1000)

enum body_kind { BODY_NONE, BODY_JSON, BODY_FORM, BODY_MULTIPART, BODY_RAW, BODY_BINARY };
enum resp_fmt { FMT_AUTO, FMT_JSON, FMT_TEXT, FMT_FILE };

/* What one item's request is, before it is encoded. */
struct spec {
    char *method;
    char *url;
    json_t *qs;      /* object */
    json_t *headers; /* object: name -> value */
    enum body_kind body_kind;
    json_t *body; /* JSON / form: a value; multipart: [{name, value} | {name, bin}] */
    unsigned char *raw;
    size_t raw_len;
    char *raw_type;           /* raw / binary content type */
    bool raw_is_text;         /* contentType raw: the answer is not parsed as JSON */
    bool legacy;              /* versions 1 and 2 */
    bool split;               /* legacy: a JSON array answer becomes items (splitIntoItems) */
    const char *array_format; /* "brackets", "repeat", "indices" */
    /* options */
    long timeout_ms;
    bool follow;
    long max_redirects;
    char *proxy;
    bool insecure;
    bool full_response, never_error;
    enum resp_fmt fmt;
    char *out_prop;
    long long batch_size, batch_interval;
    json_t *oauth2; /* oAuth2Api credential data: a 401 renews its token once */
};

static void spec_release(struct spec *s)
{
    json_decref(s->oauth2);
    free(s->method);
    free(s->url);
    json_decref(s->qs);
    json_decref(s->headers);
    json_decref(s->body);
    free(s->raw);
    free(s->raw_type);
    free(s->proxy);
    free(s->out_prop);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------ secrets */

/* Replaces every secret (a string of `secrets`) in `s` by REDACTED;
 * returns a new heap string. */
static char *redact(const char *s, const json_t *secrets)
{
    char *out = sl_strdup(s ? s : "");
    size_t i;
    json_t *v;
    json_array_foreach(secrets, i, v)
    {
        const char *sec = json_string_value(v);
        size_t sl = strlen(sec);
        if (!sl)
            continue;
        struct sl_buf b = {0};
        const char *p = out, *hit;
        while ((hit = strstr(p, sec))) {
            sl_buf_add(&b, p, (size_t)(hit - p));
            sl_buf_adds(&b, REDACTED);
            p = hit + sl;
        }
        sl_buf_adds(&b, p);
        free(out);
        out = sl_buf_steal(&b);
    }
    return out;
}

/* Fails the node with `msg` (and `desc`), secrets removed. */
static int fail_redacted(struct sl_node_ctx *ctx, const json_t *secrets, const char *msg,
                         const char *desc)
{
    char *m = redact(msg, secrets);
    sl_ctx_fail(ctx, "%s", m);
    free(m);
    if (desc) {
        char *d = redact(desc, secrets);
        sl_ctx_fail_description(ctx, "%s", d);
        free(d);
    }
    return SL_ERR_NODE;
}

/* --------------------------------------------------------- parameters */

static json_t *param(struct sl_node_ctx *ctx, const char *path, size_t i)
{
    return sl_ctx_param(ctx, path, i, NULL);
}

/* A name/value list ([{name, value}]) as an object; later names win. */
static void pairs_into(json_t **objp, const json_t *list, bool lodash_set)
{
    json_t *obj = *objp;
    size_t k;
    json_t *e;
    json_array_foreach(list, k, e)
    {
        const json_t *n = json_object_get(e, "name");
        json_t *v = json_object_get(e, "value");
        char *name = n ? sl_jsv_to_string_or_empty(n) : sl_strdup("");
        json_t *val = v ? json_incref(v) : json_string("");
        if (lodash_set)
            (void)sl_jpath_set(&obj, name, val);
        else
            json_object_set_new(obj, name, val);
        free(name);
    }
    *objp = obj;
}

/* Parses a JSON parameter given as text (or already a value). New
 * reference, or NULL with n8n's message set. */
static json_t *json_param(struct sl_node_ctx *ctx, json_t *v)
{
    if (!v)
        return json_object();
    if (!json_is_string(v))
        return json_incref(v);
    json_t *p = json_loads(json_string_value(v), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!p)
        sl_ctx_fail(ctx, "JSON parameter needs to be valid JSON");
    return p;
}

/* A new reference to `v`, or to an empty string when it is absent (a
 * name/value pair without its value). */
static json_t *value_or_empty(const json_t *v)
{
    return v ? json_incref((json_t *)v) : json_string("");
}

/* A multipart text field {name, value}. */
static json_t *text_part(const char *name, const json_t *val)
{
    return json_pack("{s:s,s:o}", "name", name, "value", value_or_empty(val));
}

static char *str_or(const json_t *v, const char *dflt)
{
    if (!v || json_is_null(v))
        return sl_strdup(dflt);
    return sl_jsv_to_string(v);
}

/* Reads the options of versions 3 and later. */
static int read_options(struct sl_node_ctx *ctx, size_t i, double version, struct spec *s)
{
    json_t *o = param(ctx, "options", i);
    if (!o && sl_ctx_failed(ctx))
        return SL_ERR_NODE;
    const json_t *resp = json_object_get(json_object_get(o, "response"), "response");
    const json_t *redir = json_object_get(json_object_get(o, "redirect"), "redirect");
    const json_t *batch = json_object_get(json_object_get(o, "batching"), "batch");
    s->full_response = sl_jsv_truthy(json_object_get(resp, "fullResponse"));
    s->never_error = sl_jsv_truthy(json_object_get(resp, "neverError"));
    const char *fmt = json_string_value(json_object_get(resp, "responseFormat"));
    s->fmt = !fmt || !*fmt              ? FMT_AUTO
             : strcmp(fmt, "json") == 0 ? FMT_JSON
             : strcmp(fmt, "text") == 0 ? FMT_TEXT
             : strcmp(fmt, "file") == 0 ? FMT_FILE
                                        : FMT_AUTO;
    s->out_prop = str_or(json_object_get(resp, "outputPropertyName"), "data");
    const json_t *fr = json_object_get(redir, "followRedirects");
    s->follow = fr ? sl_jsv_truthy(fr) : version >= 4;
    const json_t *mr = json_object_get(redir, "maxRedirects");
    s->max_redirects = mr && sl_jsv_truthy(mr) ? (long)sl_jsv_to_number(mr) : 21;
    const json_t *t = json_object_get(o, "timeout");
    s->timeout_ms = t && sl_jsv_truthy(t) ? (long)sl_jsv_to_number(t) : 300000;
    const json_t *px = json_object_get(o, "proxy");
    if (px && sl_jsv_truthy(px))
        s->proxy = sl_jsv_to_string(px);
    s->insecure = sl_jsv_truthy(json_object_get(o, "allowUnauthorizedCerts"));
    if (batch) {
        const json_t *bs = json_object_get(batch, "batchSize");
        const json_t *bi = json_object_get(batch, "batchInterval");
        double n = bs ? sl_jsv_to_number(bs) : 50;
        s->batch_size = n > 0 ? (long long)n : 1;
        s->batch_interval = bi ? (long long)sl_jsv_to_number(bi) : 1000;
    }
    const char *qa = json_string_value(json_object_get(o, "queryParameterArrays"));
    s->array_format = !qa                          ? "indices"
                      : strcmp(qa, "repeat") == 0  ? "repeat"
                      : strcmp(qa, "indices") == 0 ? "indices"
                                                   : "brackets";
    bool lower = !json_object_get(o, "lowercaseHeaders") ||
                 sl_jsv_truthy(json_object_get(o, "lowercaseHeaders"));
    json_decref(o);
    return lower ? 1 : 0;
}

/* Adds the header/query pairs of `list` (new reference, stolen) to `obj`,
 * lower-casing names when asked. */
static void headers_into(json_t *obj, json_t *add, bool lower)
{
    const char *k;
    json_t *v;
    json_object_foreach(add, k, v)
    {
        char *name = lower ? sl_jsv_lower(k) : sl_strdup(k);
        json_object_set(obj, name, v);
        free(name);
    }
    json_decref(add);
}

/* Reads item `i`'s request from the parameters of versions 3 and later. */
static int read_v3(struct sl_node_ctx *ctx, size_t i, double version, struct spec *s)
{
    int rc = SL_ERR_NODE;
    json_t *url = param(ctx, "url", i);
    if (!url && sl_ctx_failed(ctx))
        return rc;
    if (!json_is_string(url)) {
        sl_ctx_fail(ctx, "URL parameter must be a string, got %s",
                    !url || json_is_null(url) ? "null" : sl_jsv_typeof(url));
        json_decref(url);
        return rc;
    }
    s->url = sl_strdup(json_string_value(url));
    json_decref(url);
    if (strncmp(s->url, "http://", 7) != 0 && strncmp(s->url, "https://", 8) != 0) {
        sl_ctx_fail(ctx, "Invalid URL: %s. URL must start with \"http\" or \"https\".", s->url);
        return rc;
    }
    if (sl_ctx_param_str(ctx, "method", i, "GET", &s->method) < 0)
        return rc;
    int lower = read_options(ctx, i, version, s);
    if (lower < 0)
        return rc;

    bool send_query = false, send_headers = false, send_body = false;
    if (sl_ctx_param_bool(ctx, "sendQuery", i, false, &send_query) < 0 ||
        sl_ctx_param_bool(ctx, "sendHeaders", i, false, &send_headers) < 0 ||
        sl_ctx_param_bool(ctx, "sendBody", i, false, &send_body) < 0)
        return rc;
    char *spec_q = NULL, *spec_h = NULL, *spec_b = NULL, *ctype = NULL;
    json_t *v = NULL;
    s->qs = json_object();
    s->headers = json_object();

    if (send_body) {
        if (sl_ctx_param_str(ctx, "contentType", i, "json", &ctype) < 0 ||
            sl_ctx_param_str(ctx, "specifyBody", i, "keypair", &spec_b) < 0)
            goto out;
        bool multipart = strcmp(ctype, "multipart-form-data") == 0;
        if (strcmp(ctype, "binaryData") == 0) {
            char *field = NULL;
            if (sl_ctx_param_str(ctx, "inputDataFieldName", i, "", &field) < 0)
                goto out;
            json_t *bin = sl_binary_input(ctx, i, field);
            free(field);
            if (!bin)
                goto out;
            if (sl_binary_read(ctx, bin, &s->raw, &s->raw_len) < 0)
                goto out;
            const char *mt = sl_binary_mime_type(bin);
            s->raw_type = sl_strdup(mt ? mt : "application/octet-stream");
            s->body_kind = BODY_BINARY;
        } else if (strcmp(ctype, "raw") == 0) {
            v = param(ctx, "body", i);
            char *b = str_or(v, "");
            json_decref(v);
            v = NULL;
            s->raw_len = strlen(b);
            s->raw = (unsigned char *)b;
            char *rt = NULL;
            if (sl_ctx_param_str(ctx, "rawContentType", i, "", &rt) < 0)
                goto out;
            s->raw_type = rt;
            s->raw_is_text = true;
            s->body_kind = BODY_RAW;
        } else if (strcmp(spec_b, "keypair") == 0 || multipart) {
            v = param(ctx, "bodyParameters.parameters", i);
            if (!v && sl_ctx_failed(ctx))
                goto out;
            if (multipart) {
                s->body = json_array();
                size_t k;
                json_t *e;
                json_array_foreach(v, k, e)
                {
                    const char *pt = json_string_value(json_object_get(e, "parameterType"));
                    char *name = str_or(json_object_get(e, "name"), "");
                    if (pt && strcmp(pt, "formBinaryData") == 0) {
                        const char *field =
                            json_string_value(json_object_get(e, "inputDataFieldName"));
                        if (!field || !*field) {
                            free(name);
                            continue;
                        }
                        json_t *bin = sl_binary_input(ctx, i, field);
                        if (!bin) {
                            free(name);
                            goto out;
                        }
                        json_array_append_new(s->body,
                                              json_pack("{s:s,s:O}", "name", name, "bin", bin));
                    } else {
                        json_array_append_new(s->body,
                                              text_part(name, json_object_get(e, "value")));
                    }
                    free(name);
                }
                s->body_kind = BODY_MULTIPART;
            } else {
                s->body = json_object();
                pairs_into(&s->body, v, strcmp(ctype, "json") == 0 && version >= 4);
                s->body_kind = strcmp(ctype, "form-urlencoded") == 0 ? BODY_FORM : BODY_JSON;
            }
            json_decref(v);
            v = NULL;
        } else if (strcmp(spec_b, "json") == 0) {
            v = param(ctx, "jsonBody", i);
            if (!v && sl_ctx_failed(ctx))
                goto out;
            if (!v) {
                sl_ctx_fail(ctx, "JSON parameter needs to be valid JSON");
                goto out;
            }
            s->body = json_param(ctx, v);
            json_decref(v);
            v = NULL;
            if (!s->body)
                goto out;
            s->body_kind = strcmp(ctype, "form-urlencoded") == 0 ? BODY_FORM : BODY_JSON;
        } else if (strcmp(spec_b, "string") == 0) {
            /* "Using Single Field" of form-urlencoded: a query string */
            v = param(ctx, "body", i);
            char *b = str_or(v, "");
            json_decref(v);
            v = NULL;
            s->body = json_object();
            char *save = NULL;
            for (char *part = strtok_r(b, "&", &save); part; part = strtok_r(NULL, "&", &save)) {
                char *eq = strchr(part, '=');
                if (eq)
                    *eq = '\0';
                for (char *c = part; *c; c++)
                    if (*c == '+')
                        *c = ' ';
                json_object_set_new(s->body, part, json_string(eq ? eq + 1 : ""));
            }
            free(b);
            s->body_kind = BODY_FORM;
        }
    }

    if (send_query) {
        if (sl_ctx_param_str(ctx, "specifyQuery", i, "keypair", &spec_q) < 0)
            goto out;
        if (strcmp(spec_q, "json") == 0) {
            v = param(ctx, "jsonQuery", i);
            json_t *q = json_param(ctx, v ? v : NULL);
            json_decref(v);
            v = NULL;
            if (!q)
                goto out;
            if (json_is_object(q))
                json_object_update(s->qs, q);
            json_decref(q);
        } else {
            v = param(ctx, "queryParameters.parameters", i);
            if (!v && sl_ctx_failed(ctx))
                goto out;
            pairs_into(&s->qs, v, false);
            json_decref(v);
            v = NULL;
        }
    }
    if (send_headers) {
        if (sl_ctx_param_str(ctx, "specifyHeaders", i, "keypair", &spec_h) < 0)
            goto out;
        json_t *h = NULL;
        if (strcmp(spec_h, "json") == 0) {
            v = param(ctx, "jsonHeaders", i);
            h = json_param(ctx, v);
            json_decref(v);
            v = NULL;
            if (!h)
                goto out;
            if (!json_is_object(h)) {
                json_decref(h);
                h = json_object();
            }
        } else {
            v = param(ctx, "headerParameters.parameters", i);
            if (!v && sl_ctx_failed(ctx))
                goto out;
            h = json_object();
            size_t k;
            json_t *e;
            json_array_foreach(v, k, e)
            {
                const json_t *n = json_object_get(e, "name");
                if (!n || !sl_jsv_truthy(n))
                    continue;
                char *name = sl_jsv_to_string(n);
                const json_t *val = json_object_get(e, "value");
                json_object_set_new(h, name, value_or_empty(val));
                free(name);
            }
            json_decref(v);
            v = NULL;
        }
        headers_into(s->headers, h, lower);
    }
    rc = 0;
out:
    json_decref(v);
    free(spec_q);
    free(spec_h);
    free(spec_b);
    free(ctype);
    return rc;
}

/* Reads item `i`'s request from the parameters of versions 1 and 2. */
static int read_legacy(struct sl_node_ctx *ctx, size_t i, double version, struct spec *s)
{
    int rc = SL_ERR_NODE;
    json_t *v = NULL, *o = NULL;
    char *rf = NULL;
    bool json_params = false;
    if (sl_ctx_param_str(ctx, "requestMethod", i, "GET", &s->method) < 0)
        return rc;
    v = param(ctx, "url", i);
    s->url = str_or(v, "");
    json_decref(v);
    v = NULL;
    if (sl_ctx_param_str(ctx, "responseFormat", i, "json", &rf) < 0 ||
        sl_ctx_param_bool(ctx, "jsonParameters", i, false, &json_params) < 0)
        goto out;
    o = param(ctx, "options", i);
    if (!o && sl_ctx_failed(ctx))
        goto out;
    s->fmt = strcmp(rf, "file") == 0 ? FMT_FILE : strcmp(rf, "string") == 0 ? FMT_TEXT : FMT_JSON;
    s->out_prop = sl_strdup("data");
    if (s->fmt == FMT_FILE) {
        json_t *d = param(ctx, "dataPropertyName", i);
        if (d) {
            free(s->out_prop);
            s->out_prop = sl_jsv_to_string(d);
            json_decref(d);
        }
    } else if (s->fmt == FMT_TEXT) {
        json_t *d = param(ctx, "dataPropertyName", i);
        if (d) {
            free(s->out_prop);
            s->out_prop = sl_jsv_to_string(d);
            json_decref(d);
        }
    }
    s->legacy = true;
    s->split = sl_jsv_truthy(json_object_get(o, "splitIntoItems"));
    s->full_response = sl_jsv_truthy(json_object_get(o, "fullResponse"));
    s->never_error = sl_jsv_truthy(json_object_get(o, "ignoreResponseCode"));
    /* the request library's rule: GET and HEAD follow unless followRedirect
     * is false; other methods only with followAllRedirects */
    bool get = strcasecmp(s->method, "GET") == 0 || strcasecmp(s->method, "HEAD") == 0;
    const json_t *fr = json_object_get(o, "followRedirect");
    s->follow = (get && (!fr || sl_jsv_truthy(fr))) ||
                sl_jsv_truthy(json_object_get(o, "followAllRedirects"));
    s->max_redirects = 21;
    const json_t *t = json_object_get(o, "timeout");
    s->timeout_ms = t && sl_jsv_truthy(t) ? (long)sl_jsv_to_number(t) : 3600000;
    if (sl_jsv_truthy(json_object_get(o, "proxy")))
        s->proxy = sl_jsv_to_string(json_object_get(o, "proxy"));
    bool insecure = false;
    if (sl_ctx_param_bool(ctx, "allowUnauthorizedCerts", i, false, &insecure) < 0)
        goto out;
    s->insecure = insecure;
    const json_t *bs = json_object_get(o, "batchSize");
    const json_t *bi = json_object_get(o, "batchInterval");
    if (bs || bi) {
        double n = bs ? sl_jsv_to_number(bs) : 50;
        s->batch_size = n > 0 ? (long long)n : 1;
        s->batch_interval = bi ? (long long)sl_jsv_to_number(bi) : 1000;
    }
    s->array_format = "indices";
    s->qs = json_object();
    s->headers = json_object();
    const char *bct = json_string_value(json_object_get(o, "bodyContentType"));
    bool form = bct && strcmp(bct, "form-urlencoded") == 0;
    bool multipart = bct && strcmp(bct, "multipart-form-data") == 0;
    bool raw = bct && strcmp(bct, "raw") == 0;
    bool has_body = strcmp(s->method, "GET") != 0 && strcmp(s->method, "HEAD") != 0;
    if (json_params) {
        static const char *names[] = {"queryParametersJson", "headerParametersJson",
                                      "bodyParametersJson"};
        static const char *labels[] = {"Query Parameters", "Headers", "Body Parameters"};
        for (int k = 0; k < 3; k++) {
            v = param(ctx, names[k], i);
            if (!v) {
                if (sl_ctx_failed(ctx))
                    goto out;
                continue;
            }
            if (json_is_string(v) && !*json_string_value(v)) {
                json_decref(v);
                v = NULL;
                continue;
            }
            json_t *p = json_is_string(v) && !raw
                            ? json_loads(json_string_value(v), JSON_DECODE_ANY, NULL)
                            : json_incref(v);
            json_decref(v);
            v = NULL;
            if (!p) {
                sl_ctx_fail(ctx,
                            "The data in \"%s\" is no valid JSON. Set Body Content Type to "
                            "\"RAW/Custom\" for XML or other types of payloads",
                            labels[k]);
                goto out;
            }
            if (k == 0 && json_is_object(p))
                json_object_update(s->qs, p);
            else if (k == 1 && json_is_object(p))
                json_object_update(s->headers, p);
            else if (k == 2 && has_body) {
                s->body = json_incref(p);
                s->body_kind = form ? BODY_FORM : BODY_JSON;
            }
            json_decref(p);
        }
    } else {
        /* repeated query names collect into a list; header names are
         * lower-cased */
        v = param(ctx, "queryParametersUi.parameter", i);
        size_t k;
        json_t *e;
        json_array_foreach(v, k, e)
        {
            char *name = str_or(json_object_get(e, "name"), "");
            json_t *val = json_object_get(e, "value");
            json_t *old = json_object_get(s->qs, name);
            if (json_is_string(old))
                json_object_set_new(s->qs, name, json_pack("[OO]", old, val ? val : json_null()));
            else if (json_is_array(old))
                json_array_append(old, val ? val : json_null());
            else
                json_object_set_new(s->qs, name, value_or_empty(val));
            free(name);
        }
        json_decref(v);
        v = param(ctx, "headerParametersUi.parameter", i);
        json_t *h = json_object();
        pairs_into(&h, v, false);
        headers_into(s->headers, h, true);
        json_decref(v);
        v = param(ctx, "bodyParametersUi.parameter", i);
        if (v && has_body) {
            if (multipart) {
                s->body = json_array();
                json_array_foreach(v, k, e)
                {
                    char *name = str_or(json_object_get(e, "name"), "");
                    json_array_append_new(s->body, text_part(name, json_object_get(e, "value")));
                    free(name);
                }
                s->body_kind = BODY_MULTIPART;
            } else {
                s->body = json_object();
                pairs_into(&s->body, v, false);
                s->body_kind = form ? BODY_FORM : BODY_JSON;
            }
        }
        json_decref(v);
        v = NULL;
    }
    if (raw && has_body) {
        json_decref(s->body);
        s->body = NULL;
        v = param(ctx, "body", i);
        char *b = str_or(v, "");
        json_decref(v);
        v = NULL;
        s->raw = (unsigned char *)b;
        s->raw_len = strlen(b);
        json_t *ct = json_object_get(s->headers, "Content-Type");
        s->raw_type = ct ? sl_jsv_to_string(ct) : sl_strdup("text/plain");
        s->body_kind = BODY_RAW;
        s->raw_is_text = true;
    }
    rc = 0;
out:
    json_decref(v);
    json_decref(o);
    free(rf);
    (void)version;
    return rc;
}

/* ----------------------------------------------------- authentication */

/* Applies the credential the node is set to use; collects its secrets. */
static int apply_auth(struct sl_node_ctx *ctx, size_t i, double version, struct spec *s,
                      json_t *secrets)
{
    char *auth = NULL, *type = NULL;
    int rc = SL_ERR_NODE;
    if (version < 2) {
        if (sl_ctx_param_str(ctx, "authentication", i, "none", &auth) < 0)
            return rc;
        type = sl_strdup(auth);
        if (strcmp(auth, "basicAuth") == 0) {
            free(type);
            type = sl_strdup("httpBasicAuth");
        } else if (strcmp(auth, "headerAuth") == 0) {
            free(type);
            type = sl_strdup("httpHeaderAuth");
        } else if (strcmp(auth, "queryAuth") == 0) {
            free(type);
            type = sl_strdup("httpQueryAuth");
        } else if (strcmp(auth, "none") == 0) {
            rc = 0;
            goto out;
        }
    } else {
        if (sl_ctx_param_str(ctx, "authentication", i, "none", &auth) < 0)
            return rc;
        if (strcmp(auth, "genericCredentialType") == 0) {
            if (sl_ctx_param_str(ctx, "genericAuthType", 0, "", &type) < 0)
                goto out;
        } else if (strcmp(auth, "predefinedCredentialType") == 0) {
            if (sl_ctx_param_str(ctx, "nodeCredentialType", i, "", &type) < 0)
                goto out;
        } else {
            rc = 0;
            goto out;
        }
    }
    static const char *known[] = {"httpBasicAuth",
                                  "httpHeaderAuth",
                                  "httpQueryAuth",
                                  "httpBearerAuth",
                                  "httpCustomAuth",
                                  "oAuth2Api",
                                  NULL};
    bool ok = false;
    for (int k = 0; known[k]; k++)
        ok = ok || strcmp(type, known[k]) == 0;
    if (!ok) {
        sl_ctx_fail(ctx, "The credential type '%s' is not supported by sluice's HTTP Request node",
                    type);
        goto out;
    }
    json_t *cred = sl_ctx_credential(ctx, type);
    if (!cred)
        goto out;
    const char *k;
    json_t *cv;
    json_object_foreach(cred, k, cv)
    {
        if (json_is_string(cv) && *json_string_value(cv))
            json_array_append(secrets, cv);
    }
    const char *allowed = json_string_value(json_object_get(cred, "allowedHttpRequestDomains"));
    if (allowed && strcmp(allowed, "none") == 0) {
        sl_ctx_fail(ctx, "This credential is configured to prevent use within an HTTP Request or "
                         "GraphQL node");
        json_decref(cred);
        goto out;
    }
    if (strcmp(type, "httpBasicAuth") == 0) {
        char *up = sl_asprintf("%s:%s",
                               json_string_value(json_object_get(cred, "user"))
                                   ? json_string_value(json_object_get(cred, "user"))
                                   : "",
                               json_string_value(json_object_get(cred, "password"))
                                   ? json_string_value(json_object_get(cred, "password"))
                                   : "");
        char *b64 = sl_base64_encode(up, strlen(up));
        char *h = sl_asprintf("Basic %s", b64);
        json_array_append_new(secrets, json_string(b64));
        json_object_set_new(s->headers, "Authorization", json_string(h));
        free(up);
        free(b64);
        free(h);
    } else if (strcmp(type, "oAuth2Api") == 0) {
        char *tok = NULL, why[512];
        if (sl_oauth2_token(cred, false, &tok, why, sizeof why)) {
            json_decref(cred);
            sl_ctx_fail(ctx, "%s", why);
            goto out;
        }
        char *h = sl_asprintf("Bearer %s", tok);
        json_array_append_new(secrets, json_string(tok));
        json_object_set_new(s->headers, "Authorization", json_string(h));
        s->oauth2 = json_incref(cred);
        free(tok);
        free(h);
    } else if (strcmp(type, "httpBearerAuth") == 0) {
        char *tok = str_or(json_object_get(cred, "token"), "undefined");
        char *h = sl_asprintf("Bearer %s", tok);
        json_object_set_new(s->headers, "Authorization", json_string(h));
        free(tok);
        free(h);
    } else if (strcmp(type, "httpHeaderAuth") == 0 || strcmp(type, "httpQueryAuth") == 0) {
        char *name = str_or(json_object_get(cred, "name"), "");
        json_t *val = json_object_get(cred, "value");
        json_object_set_new(type[4] == 'H' ? s->headers : s->qs, name, value_or_empty(val));
        free(name);
    } else { /* httpCustomAuth */
        const char *js = json_string_value(json_object_get(cred, "json"));
        json_t *c = json_loads(js && *js ? js : "{}", 0, NULL);
        if (!json_is_object(c)) {
            json_decref(c);
            json_decref(cred);
            sl_ctx_fail(ctx, "Invalid Custom Auth JSON");
            goto out;
        }
        json_t *h = json_object_get(c, "headers"), *q = json_object_get(c, "qs"),
               *b = json_object_get(c, "body");
        if (json_is_object(h))
            json_object_update(s->headers, h);
        if (json_is_object(q))
            json_object_update(s->qs, q);
        if (json_is_object(b)) {
            if (s->body_kind == BODY_MULTIPART) {
                const char *bk;
                json_t *bv;
                json_object_foreach(b, bk, bv)
                    json_array_append_new(s->body, json_pack("{s:s,s:O}", "name", bk, "value", bv));
            } else if (s->body_kind != BODY_RAW && s->body_kind != BODY_BINARY) {
                if (!json_is_object(s->body)) {
                    json_decref(s->body);
                    s->body = json_object();
                }
                json_object_update(s->body, b);
                if (s->body_kind == BODY_NONE)
                    s->body_kind = BODY_JSON;
            }
        }
        /* every string inside the custom JSON is a secret too */
        json_t *stack = json_pack("[O]", c);
        while (json_array_size(stack)) {
            json_t *x = json_incref(json_array_get(stack, json_array_size(stack) - 1));
            json_array_remove(stack, json_array_size(stack) - 1);
            if (json_is_string(x) && strlen(json_string_value(x)) > 2)
                json_array_append(secrets, x);
            else if (json_is_object(x)) {
                const char *xk;
                json_t *xv;
                json_object_foreach(x, xk, xv) json_array_append(stack, xv);
            }
            json_decref(x);
        }
        json_decref(stack);
        json_decref(c);
    }
    json_decref(cred);
    rc = 0;
out:
    free(auth);
    free(type);
    return rc;
}

/* ----------------------------------------------------------- encoding */

static char *scalar_text(const json_t *v)
{
    return json_is_string(v) ? sl_strdup(json_string_value(v)) : sl_jsv_to_string(v);
}

/* Appends key=value pairs for `v` under `key` (axios params, or qs's form
 * encoding when `form`). */
static void encode_pairs(struct sl_buf *b, const char *key, const json_t *v, const char *arrays,
                         bool form, bool *first)
{
    if (!v)
        return;
    if (json_is_array(v) || json_is_object(v)) {
        size_t i;
        json_t *e;
        if (json_is_array(v)) {
            json_array_foreach(v, i, e)
            {
                char *k = strcmp(arrays, "repeat") == 0    ? sl_strdup(key)
                          : strcmp(arrays, "indices") == 0 ? sl_asprintf("%s[%zu]", key, i)
                                                           : sl_asprintf("%s[]", key);
                encode_pairs(b, k, e, arrays, form, first);
                free(k);
            }
        } else {
            const char *ok;
            json_object_foreach((json_t *)v, ok, e)
            {
                char *k = sl_asprintf("%s[%s]", key, ok);
                encode_pairs(b, k, e, arrays, form, first);
                free(k);
            }
        }
        return;
    }
    if (!*first)
        sl_buf_addc(b, '&');
    *first = false;
    char *val = json_is_null(v) ? sl_strdup("") : scalar_text(v);
    sl_httpc_encode_qs(b, key, strlen(key));
    sl_buf_addc(b, '=');
    sl_httpc_encode_qs(b, val, strlen(val));
    free(val);
}

static char *encode_object(const json_t *obj, const char *arrays, bool form)
{
    struct sl_buf b = {0};
    bool first = true;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) encode_pairs(&b, k, v, arrays, form, &first);
    char *s = sl_buf_steal(&b);
    return s ? s : sl_strdup("");
}

static bool has_header(const json_t *h, const char *name)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)h, k, v) if (strcasecmp(k, name) == 0) return true;
    return false;
}

/* Encodes `s` into a request for the client. */
static int encode_request(struct sl_node_ctx *ctx, struct spec *s, struct sl_httpc_req *r)
{
    memset(r, 0, sizeof *r);
    r->method = sl_jsv_upper(s->method);
    /* URL: the hash dropped, the query appended */
    struct sl_buf u = {0};
    const char *hash = strchr(s->url, '#');
    sl_buf_add(&u, s->url, hash ? (size_t)(hash - s->url) : strlen(s->url));
    if (json_object_size(s->qs)) {
        char *q = encode_object(s->qs, s->array_format, false);
        if (*q) {
            sl_buf_addc(&u,
                        strchr(s->url, '?') && (!hash || strchr(s->url, '?') < hash) ? '&' : '?');
            sl_buf_adds(&u, q);
        }
        free(q);
    }
    r->url = sl_buf_steal(&u);
    r->timeout_ms = s->timeout_ms;
    r->follow = s->follow;
    r->max_redirects = s->max_redirects;
    r->proxy = s->proxy ? sl_strdup(s->proxy) : NULL;
    r->insecure = s->insecure;

    const char *accept = s->fmt == FMT_JSON ? "application/json,text/*;q=0.99"
                         : s->fmt == FMT_TEXT
                             ? "application/json,text/html,application/xhtml+xml,application/"
                               "xml,text/*;q=0.9, */*;q=0.1"
                             : "application/json,text/html,application/xhtml+xml,application/"
                               "xml,text/*;q=0.9, image/*;q=0.8, */*;q=0.7";
    if (!has_header(s->headers, "accept"))
        sl_httpc_req_header(r, "accept", accept);
    const char *k;
    json_t *v;
    json_object_foreach(s->headers, k, v)
    {
        if (json_is_null(v))
            continue;
        char *val = scalar_text(v);
        sl_httpc_req_header(r, k, val);
        free(val);
    }
    if (!has_header(s->headers, "user-agent"))
        sl_httpc_req_header(r, "user-agent", "sluice");

    const char *ctype = NULL;
    char *ctype_heap = NULL;
    switch (s->body_kind) {
    case BODY_NONE:
        break;
    case BODY_JSON: {
        char *j = sl_jsv_stringify(s->body);
        r->body = (unsigned char *)j;
        r->body_len = strlen(j);
        ctype = "application/json";
        break;
    }
    case BODY_FORM: {
        char *f = json_is_object(s->body) ? encode_object(s->body, "indices", true) : NULL;
        if (!f) {
            f = json_is_string(s->body) ? sl_strdup(json_string_value(s->body)) : sl_strdup("");
        }
        r->body = (unsigned char *)f;
        r->body_len = strlen(f);
        ctype = "application/x-www-form-urlencoded";
        break;
    }
    case BODY_MULTIPART: {
        char boundary[64];
        int n = snprintf(boundary, sizeof boundary, "--------------------------");
        for (int d = 0; d < 24; d++)
            boundary[n++] = (char)('0' + rand() % 10);
        boundary[n] = '\0';
        struct sl_buf b = {0};
        size_t i;
        json_t *p;
        json_array_foreach(s->body, i, p)
        {
            const char *name = json_string_value(json_object_get(p, "name"));
            const json_t *bin = json_object_get(p, "bin");
            sl_buf_addf(&b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"", boundary,
                        name ? name : "");
            if (bin) {
                const char *fn = sl_binary_file_name(bin);
                const char *mt = sl_binary_mime_type(bin);
                unsigned char *data = NULL;
                size_t len = 0;
                if (sl_binary_read(ctx, bin, &data, &len) < 0) {
                    sl_buf_release(&b);
                    return SL_ERR_NODE;
                }
                sl_buf_addf(&b, "; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n", fn ? fn : "file",
                            mt ? mt : "application/octet-stream");
                sl_buf_add(&b, data, len);
                free(data);
            } else {
                char *val = scalar_text(json_object_get(p, "value"));
                sl_buf_addf(&b, "\r\n\r\n%s", val);
                free(val);
            }
            sl_buf_adds(&b, "\r\n");
        }
        sl_buf_addf(&b, "--%s--\r\n", boundary);
        r->body_len = b.len;
        r->body = (unsigned char *)sl_buf_steal(&b);
        ctype_heap = sl_asprintf("multipart/form-data; boundary=%s", boundary);
        ctype = ctype_heap;
        /* a content type given by hand is replaced, as form-data does */
        sl_httpc_req_del_header(r, "content-type");
        break;
    }
    case BODY_RAW:
    case BODY_BINARY:
        r->body = sl_malloc(s->raw_len + 1);
        memcpy(r->body, s->raw ? s->raw : (unsigned char *)"", s->raw_len);
        r->body[s->raw_len] = 0;
        r->body_len = s->raw_len;
        sl_httpc_req_del_header(r, "content-type");
        ctype = s->raw_type ? s->raw_type : "";
        break;
    }
    if (ctype && (!sl_httpc_req_has_header(r, "content-type") || s->body_kind == BODY_MULTIPART))
        sl_httpc_req_header(r, "content-type", ctype);
    free(ctype_heap);
    return 0;
}

/* ------------------------------------------------------------ answers */

static const char *status_message(long code)
{
    switch (code) {
    case 400:
        return "Bad request - please check your parameters";
    case 401:
        return "Authorization failed - please check your credentials";
    case 402:
        return "Payment required - perhaps check your payment details?";
    case 403:
        return "Forbidden - perhaps check your credentials?";
    case 404:
        return "The resource you are requesting could not be found";
    case 405:
        return "Method not allowed - please check you are using the right HTTP method";
    case 429:
        return "The service is receiving too many requests from you";
    case 500:
        return "The service was not able to process your request";
    case 502:
        return "Bad gateway - the service failed to handle your request";
    case 503:
        return "Service unavailable - try again later or consider setting this node to retry "
               "automatically (in the node settings)";
    case 504:
        return "Gateway timed out - perhaps try again later?";
    default:
        return code >= 500 ? "The service failed to process your request"
                           : "Your request is invalid or could not be processed by the service";
    }
}

/* The answer's body as JSON when it parses, else NULL. */
static json_t *parse_json(const struct sl_httpc_resp *r)
{
    if (!r->len)
        return NULL;
    return json_loadb((const char *)r->body, r->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

/* The body as a JSON string (invalid UTF-8 replaced). */
static json_t *body_string(const struct sl_httpc_resp *r)
{
    json_t *s = json_stringn(r->body ? (const char *)r->body : "", r->len);
    return s ? s : sl_jsv_utf8_decode(r->body, r->len);
}

/* n8n's description of an error answer: the first message-like field of
 * a JSON body, else the body text. Heap string. */
static char *error_description(const struct sl_httpc_resp *r)
{
    static const char *keys[] = {"cause",
                                 "error",
                                 "message",
                                 "Message",
                                 "msg",
                                 "messages",
                                 "description",
                                 "reason",
                                 "detail",
                                 "details",
                                 "errors",
                                 "errorMessage",
                                 "errorMessages",
                                 "ErrorMessage",
                                 "error_message",
                                 "errorDescription",
                                 "error_description",
                                 "error_summary",
                                 "title",
                                 "text",
                                 NULL};
    json_t *j = json_loadb((const char *)r->body, r->len, JSON_DECODE_ANY, NULL);
    char *out = NULL;
    for (int depth = 0; j && json_is_object(j) && !out && depth < 3; depth++) {
        for (int k = 0; keys[k] && !out; k++) {
            const json_t *v = json_object_get(j, keys[k]);
            if (json_is_string(v))
                out = sl_strdup(json_string_value(v));
        }
        if (!out) {
            json_t *nested = json_object_get(j, "error");
            if (!json_is_object(nested))
                nested = json_object_get(j, "body");
            if (!json_is_object(nested))
                break;
            json_t *n = json_incref(nested);
            json_decref(j);
            j = n;
        }
    }
    json_decref(j);
    if (!out) {
        json_t *s = body_string(r);
        out = sl_strdup(json_string_value(s));
        json_decref(s);
    }
    return out;
}

/* The error of a failed transfer or an error status: fills `obj` (n8n's
 * error item fields) and the node-failure message/description. */
static void describe_failure(const struct spec *s, const struct sl_httpc_resp *r, json_t **obj,
                             char **msg, char **desc)
{
    const char *code = NULL, *name = "AxiosError";
    char *m = NULL;
    switch (r->fail) {
    case SL_HTTPC_OK: {
        /* a request made with json: true reads a JSON answer as JSON */
        json_t *b =
            (s->fmt == FMT_JSON || s->fmt == FMT_TEXT) && !s->raw_is_text ? parse_json(r) : NULL;
        if (!b)
            b = body_string(r);
        char *js = sl_jsv_stringify(b);
        json_decref(b);
        m = r->status == 429
                ? sl_strdup("Try spacing your requests out using the batching settings under "
                            "'Options'")
                : sl_asprintf("%ld - %s", r->status, js);
        free(js);
        code = r->status >= 500 ? "ERR_BAD_RESPONSE" : "ERR_BAD_REQUEST";
        *msg = sl_strdup(status_message(r->status));
        *desc = error_description(r);
        break;
    }
    case SL_HTTPC_TIMEOUT:
        m = sl_asprintf("timeout of %ldms exceeded", s->timeout_ms);
        code = "ECONNABORTED";
        *msg = sl_strdup("The connection was aborted, perhaps the server is offline");
        *desc = sl_strdup(m);
        break;
    case SL_HTTPC_REFUSED: {
        m = sl_asprintf("connect ECONNREFUSED %s", r->host);
        code = "ECONNREFUSED";
        name = "Error";
        *msg = sl_strdup("The service refused the connection - perhaps it is offline");
        *desc = sl_strdup(m);
        break;
    }
    case SL_HTTPC_NOT_FOUND:
        m = sl_asprintf("getaddrinfo ENOTFOUND (%s)", r->err);
        code = "ENOTFOUND";
        name = "Error";
        *msg = sl_strdup("The connection cannot be established, this usually occurs due to an "
                         "incorrect host (domain) value");
        *desc = sl_strdup(m);
        break;
    case SL_HTTPC_REDIRECTS:
        m = sl_strdup("Maximum number of redirects exceeded");
        code = "ERR_FR_TOO_MANY_REDIRECTS";
        name = "Error [ERR_FR_TOO_MANY_REDIRECTS]";
        *msg = sl_strdup(m);
        *desc = NULL;
        break;
    default:
        m = sl_strdup(r->err);
        code = r->fail == SL_HTTPC_TLS ? "ERR_TLS" : "ERR_REQUEST";
        name = "Error";
        *msg = sl_strdup(m);
        *desc = NULL;
        break;
    }
    *obj = json_pack("{s:s,s:s,s:s}", "message", m, "name", name, "code", code);
    if (r->fail == SL_HTTPC_OK)
        json_object_set_new(*obj, "status", json_integer(r->status));
    free(m);
}

static bool is_binary_type(const char *ct)
{
    static const char *types[] = {
        "image/",
        "audio/",
        "video/",
        "application/octet-stream",
        "application/gzip",
        "application/zip",
        "application/vnd.rar",
        "application/epub+zip",
        "application/x-bzip",
        "application/x-bzip2",
        "application/x-cdf",
        "application/vnd.amazon.ebook",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-fontobject",
        "application/vnd.oasis.opendocument.presentation",
        "application/pdf",
        "application/x-tar",
        "application/vnd.visio",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/x-7z-compressed",
        NULL};
    for (int k = 0; types[k]; k++)
        if (strstr(ct, types[k]))
            return true;
    return false;
}

/* Emits the items for item `i`'s answer `r`. Returns 0 or the failure
 * (message set). */
static int emit_answer(struct sl_node_ctx *ctx, size_t i, const struct spec *s,
                       const struct sl_httpc_resp *r, json_t *out)
{
    const char *ct = json_string_value(json_object_get(r->headers, "content-type"));
    if (!ct)
        ct = "";
    enum resp_fmt fmt = s->fmt;
    json_t *body = NULL; /* the body as n8n's node sees it; NULL: undefined */
    if (fmt == FMT_AUTO) {
        if (strstr(ct, "application/json")) {
            fmt = FMT_JSON;
            body = parse_json(r);
            if (!body) {
                if (!s->never_error) {
                    sl_ctx_fail(ctx, "Invalid JSON in response body");
                    return SL_ERR_NODE;
                }
                body = json_object();
            }
        } else if (is_binary_type(ct)) {
            fmt = FMT_FILE;
        } else {
            fmt = FMT_TEXT;
            body = r->len ? body_string(r) : NULL;
        }
    } else if (fmt == FMT_JSON || fmt == FMT_TEXT) {
        /* axios parses what JSON it can; raw bodies stay text */
        body = s->raw_is_text ? NULL : parse_json(r);
        if (!body && r->len)
            body = body_string(r);
    }
    json_t *full = NULL;
    if (s->full_response) {
        full = json_object();
        json_object_set_new(full, "headers", r->headers ? json_incref(r->headers) : json_object());
        json_object_set_new(full, "statusCode", json_integer(r->status));
        json_object_set_new(full, "statusMessage", json_string(r->status_msg ? r->status_msg : ""));
    }
    const json_t *src = json_array_get(sl_ctx_input(ctx, 0), i);

    if (fmt == FMT_FILE) {
        const char *semi = ct;
        size_t ml = strcspn(semi, "; ");
        char *mime = ml ? sl_strndup(semi, ml) : NULL;
        struct sl_binary_meta meta = {.mime_type = mime};
        json_t *bin = sl_binary_new(ctx, r->body, r->len, &meta);
        free(mime);
        if (!bin) {
            json_decref(full);
            return SL_ERR_NODE;
        }
        /* the file name is the URL's last path segment */
        const char *url = r->url ? r->url : s->url;
        const char *path = strstr(url, "://");
        path = path ? strchr(path + 3, '/') : NULL;
        if (path) {
            size_t pl = strcspn(path, "?#");
            char *p = sl_strndup(path, pl);
            const char *base = strrchr(p, '/');
            base = base ? base + 1 : p;
            if (*base) {
                json_object_set_new(bin, "fileName", json_string(base));
                char *dir = sl_strndup(url, strcspn(url, "?#"));
                json_object_set_new(bin, "directory", json_string(dir));
                free(dir);
            }
            free(p);
        }
        if (!json_object_get(bin, "fileName") && json_object_get(bin, "fileExtension")) {
            char *fn = sl_asprintf("%s.%s", s->out_prop,
                                   json_string_value(json_object_get(bin, "fileExtension")));
            json_object_set_new(bin, "fileName", json_string(fn));
            free(fn);
        }
        json_t *binary = json_object();
        const json_t *old = json_object_get(src, "binary");
        if (json_is_object(old))
            json_object_update(binary, (json_t *)old);
        json_object_set_new(binary, s->out_prop, bin);
        json_t *j = full ? full : json_incref(sl_item_json(src) ? sl_item_json(src) : NULL);
        if (!j)
            j = json_object();
        json_t *item = json_pack("{s:o,s:o,s:{s:I}}", "json", j, "binary", binary, "pairedItem",
                                 "item", (json_int_t)i);
        json_array_append_new(out, item);
        return 0;
    }
    if (fmt == FMT_TEXT) {
        json_t *text = NULL;
        if (body && (json_is_object(body) || json_is_array(body))) {
            char *t = sl_jsv_stringify(body);
            text = json_string(t);
            free(t);
        } else if (body) {
            text = json_incref(body);
        }
        json_t *j = full ? full : json_object();
        if (text)
            json_object_set_new(j, s->out_prop, text);
        json_array_append_new(
            out, json_pack("{s:o,s:{s:I}}", "json", j, "pairedItem", "item", (json_int_t)i));
        json_decref(body);
        return 0;
    }
    /* json */
    if (body && json_is_string(body) && (s->fmt == FMT_JSON)) {
        json_t *p = json_loads(json_string_value(body), JSON_DECODE_ANY, NULL);
        if (!p) {
            json_decref(body);
            json_decref(full);
            sl_ctx_fail(ctx,
                        "Response body is not valid JSON. Change \"Response Format\" to "
                        "\"%s\"",
                        s->legacy ? "String" : "Text");
            return SL_ERR_NODE;
        }
        json_decref(body);
        body = p;
    }
    if (full) {
        json_object_set_new(full, "body", body ? body : json_null());
        json_array_append_new(
            out, json_pack("{s:o,s:{s:I}}", "json", full, "pairedItem", "item", (json_int_t)i));
        return 0;
    }
    if (json_is_array(body) && (!s->legacy || s->split)) {
        size_t k;
        json_t *e;
        json_array_foreach(body, k, e)
        {
            json_array_append_new(out, json_pack("{s:o,s:{s:I}}", "json", json_incref(e),
                                                 "pairedItem", "item", (json_int_t)i));
        }
        json_decref(body);
        return 0;
    }
    json_t *j = body && !json_is_null(body) ? body : json_object();
    if (body && json_is_null(body))
        json_decref(body);
    json_array_append_new(
        out, json_pack("{s:o,s:{s:I}}", "json", j, "pairedItem", "item", (json_int_t)i));
    return 0;
}

/* ----------------------------------------------------------- the run */

struct job {
    struct spec spec;
    struct sl_httpc_req req;
    struct sl_httpc_resp resp;
    json_t *secrets;
    char *prep_err; /* the item's parameters failed: n8n's {error: message} */
    bool sent;
};

static void sleep_ms(long long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Requests with an oAuth2Api token that were answered 401 get a new
 * token and go once more, as n8n does. */
static int renew_oauth2(struct sl_node_ctx *ctx, struct job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct job *j = &jobs[i];
        if (!j->sent || !j->spec.oauth2 || j->resp.fail || j->resp.status != 401)
            continue;
        char *tok = NULL, why[512];
        if (sl_oauth2_token(j->spec.oauth2, true, &tok, why, sizeof why))
            return sl_ctx_fail(ctx, "%s", why);
        char *h = sl_asprintf("Bearer %s", tok);
        json_array_append_new(j->secrets, json_string(tok));
        sl_httpc_req_del_header(&j->req, "Authorization");
        sl_httpc_req_header(&j->req, "Authorization", h);
        free(h);
        free(tok);
        sl_httpc_resp_release(&j->resp);
        sl_httpc_perform(&j->req, &j->resp, 1, 1);
    }
    return 0;
}

/* True when the answer is an error the node reports (not 2xx). */
static bool answer_failed(const struct job *j)
{
    if (j->resp.fail != SL_HTTPC_OK)
        return true;
    if (j->spec.never_error)
        return false;
    return j->resp.status < 200 || j->resp.status >= 300;
}

/* Hands a 429/503 Retry-After to the engine. */
static void note_retry_after(struct sl_node_ctx *ctx, const struct sl_httpc_resp *r)
{
    if (r->fail != SL_HTTPC_OK || (r->status != 429 && r->status != 503))
        return;
    const char *ra = json_string_value(json_object_get(r->headers, "retry-after"));
    long long ms = sl_httpc_retry_after_ms(ra, (long long)time(NULL));
    if (ms < 0)
        return;
    sl_ctx_retry_after(ctx, ms > RETRY_AFTER_MAX_MS ? RETRY_AFTER_MAX_MS : ms);
}

static int paginate(struct sl_node_ctx *ctx, size_t i, struct spec *s, const json_t *pagination,
                    json_t *secrets, json_t *out, json_t **err_obj);

static int http_execute(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    size_t n = json_array_size(items);
    double version = sl_ctx_node(ctx)->version;
    bool cof = sl_ctx_continue_on_fail(ctx);
    int rc = 0;
    struct job *jobs = sl_calloc(n ? n : 1, sizeof *jobs);
    json_t *out = json_array();
    /* pagination is read once, its expressions unevaluated (n8n reads it
     * with rawExpressions for item 0) */
    const json_t *pag =
        version >= 3
            ? json_object_get(json_object_get(sl_ctx_param_raw(ctx, "options"), "pagination"),
                              "pagination")
            : NULL;
    const char *pmode = json_string_value(json_object_get(pag, "paginationMode"));
    if (!json_is_object(pag) || (pmode && strcmp(pmode, "off") == 0))
        pag = NULL;

    /* 1: every item's request */
    for (size_t i = 0; i < n; i++) {
        struct job *j = &jobs[i];
        j->secrets = json_array();
        int r = version >= 3 ? read_v3(ctx, i, version, &j->spec)
                             : read_legacy(ctx, i, version, &j->spec);
        if (r == 0)
            r = apply_auth(ctx, i, version, &j->spec, j->secrets);
        if (r == 0 && !pag)
            r = encode_request(ctx, &j->spec, &j->req);
        if (r < 0) {
            char *m = redact(sl_ctx_error_message(ctx), j->secrets);
            if (!cof || version < 3) {
                sl_ctx_clear_error(ctx);
                fail_redacted(ctx, j->secrets, m, NULL);
                free(m);
                rc = SL_ERR_NODE;
                goto out;
            }
            sl_ctx_clear_error(ctx);
            j->prep_err = m;
        }
    }

    /* 2: send them, in batches when asked */
    if (!pag) {
        long long bsize = n && jobs[0].spec.batch_size > 0 ? jobs[0].spec.batch_size : 0;
        long long bint = n ? jobs[0].spec.batch_interval : 0;
        size_t group = bsize > 0 && bint > 0 ? (size_t)bsize : (n ? n : 1);
        size_t parallel = bsize > 0 ? (size_t)bsize : 16;
        uint64_t last_start = 0;
        for (size_t g = 0; g < n; g += group) {
            if (g && bint > 0) {
                uint64_t due = last_start + (uint64_t)bint * 1000;
                uint64_t now = sl_clock_mono_us();
                if (due > now)
                    sleep_ms((long long)((due - now + 999) / 1000));
            }
            last_start = sl_clock_mono_us();
            size_t m = n - g < group ? n - g : group;
            /* gather the items of this group that have a request */
            struct sl_httpc_req *reqs = sl_calloc(m, sizeof *reqs);
            struct sl_httpc_resp *resps = sl_calloc(m, sizeof *resps);
            size_t *idx = sl_calloc(m, sizeof *idx), k = 0;
            for (size_t x = g; x < g + m; x++)
                if (!jobs[x].prep_err) {
                    reqs[k] = jobs[x].req;
                    idx[k++] = x;
                }
            sl_httpc_perform(reqs, resps, k, parallel);
            /* the interval counts from the end of the group: the server has
             * seen all of it by then, so no two groups are closer than
             * batchInterval at the server either */
            last_start = sl_clock_mono_us();
            for (size_t x = 0; x < k; x++) {
                jobs[idx[x]].resp = resps[x];
                jobs[idx[x]].sent = true;
            }
            free(reqs);
            free(resps);
            free(idx);
        }
    }

    if (!pag && renew_oauth2(ctx, jobs, n) < 0) {
        rc = SL_ERR_NODE;
        goto out;
    }

    /* 3: answers into items */
    for (size_t i = 0; i < n; i++) {
        struct job *j = &jobs[i];
        if (j->prep_err) {
            json_array_append_new(out, json_pack("{s:{s:s},s:{s:I}}", "json", "error", j->prep_err,
                                                 "pairedItem", "item", (json_int_t)i));
            continue;
        }
        if (pag) {
            json_t *eobj = NULL;
            int r = paginate(ctx, i, &j->spec, pag, j->secrets, out, &eobj);
            if (r < 0) {
                if (!cof) {
                    rc = SL_ERR_NODE;
                    json_decref(eobj);
                    goto out;
                }
                if (!eobj) {
                    char *m = redact(sl_ctx_error_message(ctx), j->secrets);
                    eobj = json_string(m);
                    free(m);
                }
                sl_ctx_clear_error(ctx);
                json_array_append_new(out, json_pack("{s:{s:o},s:{s:I}}", "json", "error", eobj,
                                                     "pairedItem", "item", (json_int_t)i));
            }
            continue;
        }
        if (answer_failed(j)) {
            json_t *obj = NULL;
            char *msg = NULL, *desc = NULL;
            note_retry_after(ctx, &j->resp);
            describe_failure(&j->spec, &j->resp, &obj, &msg, &desc);
            if (!cof) {
                fail_redacted(ctx, j->secrets, msg, desc);
                json_decref(obj);
                free(msg);
                free(desc);
                rc = SL_ERR_NODE;
                goto out;
            }
            char *em = redact(json_string_value(json_object_get(obj, "message")), j->secrets);
            json_object_set_new(obj, "message", json_string(em));
            free(em);
            json_array_append_new(out, json_pack("{s:{s:o},s:{s:I}}", "json", "error", obj,
                                                 "pairedItem", "item", (json_int_t)i));
            free(msg);
            free(desc);
            continue;
        }
        if (emit_answer(ctx, i, &j->spec, &j->resp, out) < 0) {
            if (!cof) {
                rc = SL_ERR_NODE;
                goto out;
            }
            json_array_append_new(out, json_pack("{s:{s:s},s:{s:I}}", "json", "error",
                                                 sl_ctx_error_message(ctx), "pairedItem", "item",
                                                 (json_int_t)i));
            sl_ctx_clear_error(ctx);
        }
    }
    sl_ctx_out_list(ctx, 0, out);
    out = NULL;
out:
    json_decref(out);
    for (size_t i = 0; i < n; i++) {
        spec_release(&jobs[i].spec);
        if (jobs[i].sent || !jobs[i].prep_err)
            sl_httpc_req_release(&jobs[i].req);
        sl_httpc_resp_release(&jobs[i].resp);
        json_decref(jobs[i].secrets);
        free(jobs[i].prep_err);
    }
    free(jobs);
    return rc;
}

/* --------------------------------------------------------- pagination */

/* The spec for one page: `s` with the page's parameters applied
 * (lodash merge of n8n's pagination request; undefined values skipped). */
static int page_spec(struct sl_node_ctx *ctx, size_t i, const struct spec *s, const json_t *params,
                     const json_t *next_url, struct spec *p)
{
    memset(p, 0, sizeof *p);
    *p = *s;
    p->method = sl_strdup(s->method);
    p->url = sl_strdup(s->url);
    p->qs = json_deep_copy(s->qs);
    p->headers = json_deep_copy(s->headers);
    p->body = s->body ? json_deep_copy(s->body) : NULL;
    p->raw = NULL;
    if (s->raw) {
        p->raw = sl_malloc(s->raw_len + 1);
        memcpy(p->raw, s->raw, s->raw_len);
        p->raw[s->raw_len] = 0;
    }
    p->raw_type = s->raw_type ? sl_strdup(s->raw_type) : NULL;
    p->proxy = s->proxy ? sl_strdup(s->proxy) : NULL;
    p->out_prop = sl_strdup(s->out_prop);
    p->never_error = true; /* pages are never errors by status alone */
    if (next_url) {
        json_t *u = sl_ctx_eval(ctx, (json_t *)next_url, i);
        if (!u && sl_ctx_failed(ctx))
            return SL_ERR_NODE;
        if (u) {
            char *t = json_is_string(u) ? sl_strdup(json_string_value(u)) : sl_jsv_to_string(u);
            json_decref(u);
            if (strncmp(t, "http://", 7) != 0 && strncmp(t, "https://", 8) != 0) {
                sl_ctx_fail(ctx, "'%s' is not a valid URL.", t);
                sl_ctx_fail_description(
                    ctx, "Make sure the \"Next URL\" parameter evaluates to a valid URL.");
                free(t);
                return SL_ERR_NODE;
            }
            free(p->url);
            p->url = t;
        }
    }
    size_t k;
    json_t *e;
    json_array_foreach(params, k, e)
    {
        const char *type = json_string_value(json_object_get(e, "type"));
        const char *name = json_string_value(json_object_get(e, "name"));
        json_t *v = sl_ctx_eval(ctx, json_object_get(e, "value"), i);
        if (!v) {
            if (sl_ctx_failed(ctx))
                return SL_ERR_NODE;
            continue;
        }
        if (!type || strcmp(type, "qs") == 0) {
            json_object_set_new(p->qs, name, v);
        } else if (strcmp(type, "headers") == 0) {
            json_object_set_new(p->headers, name, v);
        } else {
            if (!json_is_object(p->body) && p->body_kind != BODY_MULTIPART) {
                json_decref(p->body);
                p->body = json_object();
                if (p->body_kind != BODY_FORM)
                    p->body_kind = BODY_JSON;
            }
            if (p->body_kind == BODY_MULTIPART)
                json_array_append_new(p->body, json_pack("{s:s,s:o}", "name", name, "value", v));
            else
                json_object_set_new(p->body, name, v);
        }
    }
    return 0;
}

/* Checks n8n's pagination settings and builds the "continue" expression
 * (heap string), or NULL with n8n's message set. */
static char *pagination_continue(struct sl_node_ctx *ctx, const json_t *pag, const json_t *params)
{
    const char *mode = json_string_value(json_object_get(pag, "paginationMode"));
    if (!mode || strcmp(mode, "updateAParameterInEachRequest") == 0) {
        size_t n = json_array_size(params);
        const json_t *p0 = json_array_get(params, 0);
        if (n == 1 && !strcmp(json_string_value(json_object_get(p0, "name")) ?: "", "") &&
            !strcmp(json_string_value(json_object_get(p0, "value")) ?: "", "")) {
            sl_ctx_fail(ctx, "At least one entry with 'Name' and 'Value' filled must be included "
                             "in 'Parameters' to use 'Update a Parameter in Each Request' mode ");
            return NULL;
        }
        size_t k;
        json_t *e;
        json_array_foreach(params, k, e)
        {
            const char *name = json_string_value(json_object_get(e, "name"));
            const char *type = json_string_value(json_object_get(e, "type"));
            const json_t *value = json_object_get(e, "value");
            if (!name || !*name) {
                sl_ctx_fail(ctx,
                            "Parameter name must be set for parameter [%zu] in pagination settings",
                            k + 1);
                return NULL;
            }
            if (type && strcmp(type, "qs") && strcmp(type, "headers") && strcmp(type, "body")) {
                sl_ctx_fail(ctx,
                            "Parameter type must be one of: body, headers, qs for parameter [%zu] "
                            "in pagination settings",
                            k + 1);
                return NULL;
            }
            if (!value || (json_is_string(value) && !*json_string_value(value))) {
                sl_ctx_fail(ctx,
                            "Some value must be provided for parameter [%zu] in pagination "
                            "settings, omitting it will result in an infinite loop",
                            k + 1);
                return NULL;
            }
        }
    }
    const char *when = json_string_value(json_object_get(pag, "paginationCompleteWhen"));
    if (!when || strcmp(when, "responseIsEmpty") == 0)
        return sl_strdup("={{ Array.isArray($response.body) ? $response.body.length : "
                         "!!$response.body }}");
    if (strcmp(when, "receiveSpecificStatusCodes") == 0) {
        const char *codes = json_string_value(json_object_get(pag, "statusCodesWhenComplete"));
        json_t *parts = sl_jsv_split_trim(codes ? codes : "", true);
        struct sl_buf b = {0};
        sl_buf_adds(&b, "={{ ![");
        size_t k;
        json_t *e;
        json_array_foreach(parts, k, e)
        {
            const char *c = json_string_value(e);
            char *end;
            long v = strtol(c, &end, 10);
            if (end == c)
                sl_buf_addf(&b, "%snull", k ? "," : "");
            else
                sl_buf_addf(&b, "%s%ld", k ? "," : "", v);
        }
        sl_buf_adds(&b, "].includes($response.statusCode) }}");
        json_decref(parts);
        return sl_buf_steal(&b);
    }
    const char *ce = json_string_value(json_object_get(pag, "completeExpression"));
    const char *b, *e;
    if (!ce || ce[0] != '=') {
        sl_ctx_fail(ctx, "Invalid or empty Complete Expression");
        return NULL;
    }
    sl_jsv_trim(ce, &b, &e);
    size_t len = (size_t)(e - b);
    if (len < 5)
        return sl_strdup("={{ !() }}");
    return sl_asprintf("={{ !(%.*s) }}", (int)(len - 5), b + 3);
}

/* The $response an expression sees for answer `r`: {body, headers,
 * statusCode}, the body parsed when the answer is JSON. New reference. */
static json_t *response_var(const struct sl_httpc_resp *r)
{
    const char *ct = json_string_value(json_object_get(r->headers, "content-type"));
    json_t *body;
    if (ct && strstr(ct, "application/json")) {
        body = parse_json(r);
        if (!body)
            body = json_object();
    } else {
        body = body_string(r);
    }
    return json_pack("{s:o,s:O,s:I}", "body", body, "headers",
                     r->headers ? r->headers : json_object(), "statusCode", (json_int_t)r->status);
}

/* Evaluates `expr` (a "={{ }}" string) for item `i`; truthiness in *out. */
static int eval_truthy(struct sl_node_ctx *ctx, const char *expr, size_t i, bool *out)
{
    json_t *e = json_string(expr);
    json_t *v = sl_ctx_eval(ctx, e, i);
    json_decref(e);
    if (!v && sl_ctx_failed(ctx))
        return SL_ERR_NODE;
    *out = v && sl_jsv_truthy(v);
    json_decref(v);
    return 0;
}

static int paginate(struct sl_node_ctx *ctx, size_t i, struct spec *s, const json_t *pag,
                    json_t *secrets, json_t *out, json_t **err_obj)
{
    const char *mode = json_string_value(json_object_get(pag, "paginationMode"));
    bool next_mode = mode && strcmp(mode, "responseContainsNextURL") == 0;
    const json_t *params =
        next_mode ? NULL : json_object_get(json_object_get(pag, "parameters"), "parameters");
    const json_t *next_url = next_mode ? json_object_get(pag, "nextURL") : NULL;
    char *cont = pagination_continue(ctx, pag, params);
    if (!cont)
        return SL_ERR_NODE;
    bool limit = sl_jsv_truthy(json_object_get(pag, "limitPagesFetched"));
    const json_t *max_v = json_object_get(pag, "maxRequests");
    const json_t *interval_v = json_object_get(pag, "requestInterval");

    struct sl_js *js = sl_ctx_js(ctx);
    json_t *pages = json_array();
    json_t *response = json_object();
    long long count = 0;
    int identical = 0;
    struct sl_httpc_resp prev = {0};
    bool have_prev = false;
    int rc = SL_ERR_NODE;
    json_t *request = json_pack("{s:s,s:s,s:O}", "method", s->method, "uri", s->url, "qs", s->qs);
    for (;;) {
        sl_js_set_global(js, "$response", response);
        json_t *pc = json_integer(count);
        sl_js_set_global(js, "$pageCount", pc);
        json_decref(pc);
        sl_js_set_global(js, "$request", request);
        struct spec p;
        if (page_spec(ctx, i, s, params, next_url, &p) < 0) {
            spec_release(&p);
            goto out;
        }
        struct sl_httpc_req q;
        struct sl_httpc_resp r;
        if (encode_request(ctx, &p, &q) < 0) {
            spec_release(&p);
            goto out;
        }
        sl_httpc_perform(&q, &r, 1, 1);
        sl_httpc_req_release(&q);
        if (r.fail != SL_HTTPC_OK) {
            char *msg = NULL, *desc = NULL;
            describe_failure(&p, &r, err_obj, &msg, &desc);
            fail_redacted(ctx, secrets, msg, desc);
            free(msg);
            free(desc);
            spec_release(&p);
            sl_httpc_resp_release(&r);
            goto out;
        }
        /* n8n stops an endless loop: the same answer again and again */
        const char *etag = json_string_value(json_object_get(r.headers, "etag"));
        if (have_prev) {
            const char *petag = json_string_value(json_object_get(prev.headers, "etag"));
            const char *cl = json_string_value(json_object_get(r.headers, "content-length"));
            const char *pcl = json_string_value(json_object_get(prev.headers, "content-length"));
            bool same_len = strcmp(cl ? cl : "0", pcl ? pcl : "0") == 0;
            bool same = same_len && (etag ? petag && strcmp(etag, petag) == 0
                                          : r.len == prev.len && !memcmp(r.body, prev.body, r.len));
            identical = same ? identical + 1 : 0;
            if (identical > 2) {
                sl_ctx_fail(ctx, "The returned response was identical 5x, so requests got stopped");
                sl_ctx_fail_description(
                    ctx, "Check if \"Pagination Completed When\" has been configured correctly.");
                spec_release(&p);
                sl_httpc_resp_release(&r);
                goto out;
            }
        }
        if (emit_answer(ctx, i, &p, &r, pages) < 0) {
            spec_release(&p);
            sl_httpc_resp_release(&r);
            goto out;
        }
        spec_release(&p);
        json_decref(response);
        response = response_var(&r);
        count++;
        sl_httpc_resp_release(&prev);
        prev = r;
        have_prev = true;

        sl_js_set_global(js, "$response", response);
        pc = json_integer(count);
        sl_js_set_global(js, "$pageCount", pc);
        json_decref(pc);
        if (limit) {
            json_t *m = max_v ? sl_ctx_eval(ctx, (json_t *)max_v, i) : json_integer(100);
            if (!m && sl_ctx_failed(ctx))
                goto out;
            double max = m ? sl_jsv_to_number(m) : 0;
            json_decref(m);
            if (max > 0 && (double)count >= max)
                break;
        }
        bool more = false;
        if (eval_truthy(ctx, cont, i, &more) < 0)
            goto out;
        if (!more)
            break;
        if (interval_v && sl_jsv_truthy(interval_v)) {
            json_t *iv = sl_ctx_eval(ctx, (json_t *)interval_v, i);
            if (!iv && sl_ctx_failed(ctx))
                goto out;
            sleep_ms(iv ? (long long)sl_jsv_to_number(iv) : 0);
            json_decref(iv);
        }
        if (prev.status < 200 || prev.status >= 300) {
            json_t *b = json_object_get(response, "body");
            char *data = json_is_string(b) ? sl_strdup(json_string_value(b)) : sl_jsv_stringify(b);
            /* n8n throws a plain Error here: its item shows only these
             * fields (the message is not enumerable) */
            *err_obj = json_pack(
                "{s:I,s:s,s:b,s:{s:O,s:I,s:s}}", "statusCode", (json_int_t)prev.status, "error",
                data, "isAxiosError", 1, "response", "headers", prev.headers, "status",
                (json_int_t)prev.status, "statusText", prev.status_msg ? prev.status_msg : "");
            char *desc = error_description(&prev);
            fail_redacted(ctx, secrets, status_message(prev.status), desc);
            free(desc);
            free(data);
            goto out;
        }
    }
    json_array_extend(out, pages);
    rc = 0;
out:
    sl_js_set_global(js, "$response", NULL);
    sl_js_set_global(js, "$pageCount", NULL);
    sl_js_set_global(js, "$request", NULL);
    sl_httpc_resp_release(&prev);
    json_decref(request);
    json_decref(response);
    json_decref(pages);
    free(cont);
    return rc;
}

const struct sl_node_type sl_node_httpRequest = {
    .name = "n8n-nodes-base.httpRequest",
    .versions = versions,
    .execute = http_execute,
};
