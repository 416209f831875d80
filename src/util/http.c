#include "util/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sink {
    char *buf;
    size_t len, cap, max;
    int over;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct sink *s = ud;
    size_t add = size * n;
    if (add > s->max - s->len) {
        s->over = 1;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (s->len + add + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 16384;
        while (cap < s->len + add + 1)
            cap *= 2;
        char *b = realloc(s->buf, cap);
        if (!b)
            return 0;
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, add);
    s->len += add;
    s->buf[s->len] = '\0';
    return add;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int sl_http_get(const char *url, const char *accept, size_t max_bytes, long timeout_ms,
                struct sl_http_response *res, char *err, size_t errlen)
{
    pthread_once(&init_once, global_init);
    memset(res, 0, sizeof *res);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "cannot start an HTTP request");
        return -1;
    }
    struct sink s = {.max = max_bytes};
    struct curl_slist *hdr = NULL;
    if (accept) {
        char line[256];
        snprintf(line, sizeof line, "Accept: %s", accept);
        hdr = curl_slist_append(hdr, line);
    }
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "sluice");
    CURLcode rc = curl_easy_perform(c);
    int ret = 0;
    if (s.over) {
        snprintf(err, errlen, "the response from '%s' is larger than %zu bytes", url, max_bytes);
        ret = -1;
    } else if (rc != CURLE_OK) {
        snprintf(err, errlen, "GET '%s' failed: %s", url, *cerr ? cerr : curl_easy_strerror(rc));
        ret = -1;
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
        res->body = s.buf ? s.buf : calloc(1, 1);
        res->len = s.len;
        s.buf = NULL;
    }
    free(s.buf);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    return ret;
}
