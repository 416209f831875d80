/*
 * The HTTP client over libcurl (see http_client.h): one multi handle per
 * thread holds the connection cache, so keep-alive connections outlive a
 * transfer; easy handles are made per transfer. Headers and the reason
 * phrase are collected per response (a redirect or a 100 Continue starts
 * over), bodies are bounded.
 */
#include "util/http_client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/clock.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_key_t multi_key;

static void multi_free(void *m)
{
    curl_multi_cleanup(m);
}

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_key_create(&multi_key, multi_free);
}

/* This thread's multi handle, made on first use. */
static CURLM *thread_multi(void)
{
    pthread_once(&init_once, global_init);
    CURLM *m = pthread_getspecific(multi_key);
    if (!m) {
        m = curl_multi_init();
        if (!m)
            sl_oom();
        curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, 64L);
        pthread_setspecific(multi_key, m);
    }
    return m;
}

void sl_httpc_req_header(struct sl_httpc_req *r, const char *name, const char *value)
{
    r->headers = sl_realloc(r->headers, (r->n_headers + 1) * sizeof *r->headers);
    r->headers[r->n_headers++] = sl_asprintf("%s: %s", name, value ? value : "");
}

static bool header_is(const char *line, const char *name)
{
    size_t n = strlen(name);
    return strncasecmp(line, name, n) == 0 && line[n] == ':';
}

bool sl_httpc_req_has_header(const struct sl_httpc_req *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (header_is(r->headers[i], name))
            return true;
    return false;
}

void sl_httpc_req_del_header(struct sl_httpc_req *r, const char *name)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n_headers; i++) {
        if (header_is(r->headers[i], name))
            free(r->headers[i]);
        else
            r->headers[k++] = r->headers[i];
    }
    r->n_headers = k;
}

void sl_httpc_req_release(struct sl_httpc_req *r)
{
    free(r->method);
    free(r->url);
    for (size_t i = 0; i < r->n_headers; i++)
        free(r->headers[i]);
    free(r->headers);
    free(r->body);
    free(r->proxy);
    memset(r, 0, sizeof *r);
}

void sl_httpc_resp_release(struct sl_httpc_resp *r)
{
    free(r->status_msg);
    json_decref(r->headers);
    free(r->body);
    free(r->url);
    memset(r, 0, sizeof *r);
}

/* One transfer in flight. */
struct xfer {
    CURL *easy;
    struct curl_slist *hdrs;
    struct sl_httpc_resp *resp;
    size_t cap;
    bool too_large;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct xfer *x = ud;
    struct sl_httpc_resp *r = x->resp;
    size_t add = size * n;
    if (r->len + add > SL_HTTPC_MAX_BODY) {
        x->too_large = true;
        return 0;
    }
    if (r->len + add + 1 > x->cap) {
        /* small answers are the common case: start at their size */
        size_t cap = x->cap ? x->cap : r->len + add + 1 > 256 ? r->len + add + 1 : 256;
        while (cap < r->len + add + 1)
            cap *= 2;
        r->body = sl_realloc(r->body, cap);
        x->cap = cap;
    }
    memcpy(r->body + r->len, p, add);
    r->len += add;
    r->body[r->len] = '\0';
    return add;
}

/* Adds header `name` (lower-cased) = `value` the way Node's http does. */
static void add_header(json_t *h, char *name, const char *value)
{
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    json_t *old = json_object_get(h, name);
    if (strcmp(name, "set-cookie") == 0) {
        if (!old) {
            old = json_array();
            json_object_set_new(h, name, old);
        }
        json_array_append_new(old, json_string(value));
    } else if (old && json_is_string(old)) {
        char *j = sl_asprintf("%s, %s", json_string_value(old), value);
        json_object_set_new(h, name, json_string(j));
        free(j);
    } else {
        json_t *s = json_string(value);
        if (!s) /* not UTF-8: keep it readable */
            s = json_stringn_nocheck(value, strlen(value));
        json_object_set_new(h, name, s);
    }
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct xfer *x = ud;
    struct sl_httpc_resp *r = x->resp;
    size_t len = size * n;
    char *line = sl_strndup(p, len);
    while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        line[--len] = '\0';
    if (strncmp(line, "HTTP/", 5) == 0) {
        /* a new response: forget the previous one's headers and body */
        json_decref(r->headers);
        r->headers = json_object();
        free(r->status_msg);
        const char *sp = strchr(line, ' ');
        const char *sp2 = sp ? strchr(sp + 1, ' ') : NULL;
        r->status_msg = sl_strdup(sp2 ? sp2 + 1 : "");
        r->len = 0;
    } else if (len && r->headers) {
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            const char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            add_header(r->headers, line, v);
        }
    }
    free(line);
    return size * n;
}

static const char *reason_phrase(long status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "";
    }
}

static void xfer_start(CURLM *m, struct xfer *x, const struct sl_httpc_req *q)
{
    CURL *e = curl_easy_init();
    if (!e)
        sl_oom();
    x->easy = e;
    x->resp->headers = json_object();
    x->resp->start_s = (double)sl_clock_mono_us() / 1e6;
    curl_easy_setopt(e, CURLOPT_URL, q->url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    if (q->timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, q->timeout_ms);
    if (q->follow) {
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(e, CURLOPT_MAXREDIRS, q->max_redirects);
    }
    if (q->proxy && *q->proxy)
        curl_easy_setopt(e, CURLOPT_PROXY, q->proxy);
    if (q->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    const char *method = q->method ? q->method : "GET";
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (q->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->body);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    }
    for (size_t i = 0; i < q->n_headers; i++)
        x->hdrs = curl_slist_append(x->hdrs, q->headers[i]);
    /* libcurl's own defaults that Node does not send */
    if (q->body && !sl_httpc_req_has_header(q, "content-type"))
        x->hdrs = curl_slist_append(x->hdrs, "Content-Type:");
    x->hdrs = curl_slist_append(x->hdrs, "Expect:");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
    curl_multi_add_handle(m, e);
}

static void xfer_finish(CURLM *m, struct xfer *x, CURLcode rc)
{
    struct sl_httpc_resp *r = x->resp;
    CURL *e = x->easy;
    char *eff = NULL;
    curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff);
    r->url = sl_strdup(eff ? eff : "");
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
    char *ip = NULL;
    long port = 0;
    curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip);
    curl_easy_getinfo(e, CURLINFO_PRIMARY_PORT, &port);
    if (ip && *ip) {
        snprintf(r->host, sizeof r->host, "%s:%ld", ip, port);
    } else {
        /* no connection was made: the URL's host and port */
        CURLU *u = curl_url();
        char *h = NULL, *p = NULL;
        if (u && curl_url_set(u, CURLUPART_URL, r->url, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK)
            snprintf(r->host, sizeof r->host, "%s:%s", h, p);
        curl_free(h);
        curl_free(p);
        curl_url_cleanup(u);
    }
    r->total_s = (double)sl_clock_mono_us() / 1e6 - r->start_s;
    if (x->too_large) {
        r->fail = SL_HTTPC_TOO_LARGE;
        snprintf(r->err, sizeof r->err, "the response body is larger than %zu bytes",
                 SL_HTTPC_MAX_BODY);
    } else if (rc != CURLE_OK) {
        switch (rc) {
        case CURLE_OPERATION_TIMEDOUT:
            r->fail = SL_HTTPC_TIMEOUT;
            break;
        case CURLE_COULDNT_CONNECT:
            r->fail = SL_HTTPC_REFUSED;
            break;
        case CURLE_COULDNT_RESOLVE_HOST:
            r->fail = SL_HTTPC_NOT_FOUND;
            break;
        case CURLE_TOO_MANY_REDIRECTS:
            r->fail = SL_HTTPC_REDIRECTS;
            break;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CACERT_BADFILE:
            r->fail = SL_HTTPC_TLS;
            break;
        default:
            r->fail = SL_HTTPC_OTHER;
            break;
        }
        snprintf(r->err, sizeof r->err, "%s", curl_easy_strerror(rc));
    }
    if (!r->status_msg || !*r->status_msg) {
        free(r->status_msg);
        r->status_msg = sl_strdup(reason_phrase(r->status));
    }
    if (!r->body) {
        r->body = sl_malloc(1);
        r->body[0] = '\0';
    }
    curl_multi_remove_handle(m, e);
    curl_easy_cleanup(e);
    curl_slist_free_all(x->hdrs);
    x->easy = NULL;
    x->hdrs = NULL;
}

int sl_httpc_perform(struct sl_httpc_req *reqs, struct sl_httpc_resp *resps, size_t n,
                     size_t parallel)
{
    CURLM *m = thread_multi();
    if (parallel < 1)
        parallel = 1;
    struct xfer *xs = sl_calloc(n ? n : 1, sizeof *xs);
    size_t next = 0, running = 0;
    for (size_t i = 0; i < n; i++) {
        memset(&resps[i], 0, sizeof resps[i]);
        xs[i].resp = &resps[i];
    }
    while (next < n || running) {
        while (next < n && running < parallel) {
            xfer_start(m, &xs[next], &reqs[next]);
            next++;
            running++;
        }
        int still = 0;
        curl_multi_perform(m, &still);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct xfer *x = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            xfer_finish(m, x, msg->data.result);
            running--;
        }
        if (running)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    free(xs);
    return 0;
}

/* Percent-encodes every byte of s[0..len) except letters, digits and the
 * characters of `keep`. */
static void encode_keep(struct sl_buf *b, const char *s, size_t len, const char *keep)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || (c && strchr(keep, c))) {
            sl_buf_addc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            sl_buf_add(b, e, 3);
        }
    }
}

void sl_httpc_encode_component(struct sl_buf *b, const char *s, size_t len)
{
    encode_keep(b, s, len, "-_.!~*'()");
}

void sl_httpc_encode_qs(struct sl_buf *b, const char *s, size_t len)
{
    encode_keep(b, s, len, "-_.~");
}

long long sl_httpc_retry_after_ms(const char *value, long long now_s)
{
    if (!value)
        return -1;
    while (*value == ' ')
        value++;
    if (isdigit((unsigned char)*value)) {
        char *end;
        long long s = strtoll(value, &end, 10);
        while (*end == ' ')
            end++;
        return *end ? -1 : s * 1000;
    }
    time_t t = curl_getdate(value, NULL);
    if (t < 0)
        return -1;
    long long d = (long long)t - now_s;
    return d > 0 ? d * 1000 : 0;
}
