/*
 * OAuth 2 client-credentials tokens (see oauth2.h): a process-wide cache
 * of tokens behind one mutex, filled by a form POST to the token URL over
 * the HTTP client of the HTTP Request node.
 */
#include "nodes/oauth2.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/binary.h"
#include "core/err.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/http_client.h"

#define TOKEN_TIMEOUT_MS 30000

struct entry {
    unsigned char key[32]; /* hash of what identifies the client */
    char *token;
    uint64_t expires_us; /* monotonic; 0: until refused */
    struct entry *next;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *cache;

static const char *member(const json_t *cred, const char *name)
{
    const char *s = json_string_value(json_object_get(cred, name));
    return s ? s : "";
}

/* The cache key: the token URL, client id, secret, scope and where the
 * secret goes, hashed so the secret is not kept in clear beside it. */
static void cache_key(const json_t *cred, unsigned char key[32])
{
    static const char *const parts[] = {"accessTokenUrl", "clientId", "clientSecret", "scope",
                                        "authentication"};
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        const char *v = member(cred, parts[i]);
        crypto_generichash_update(&h, (const unsigned char *)v, strlen(v) + 1);
    }
    crypto_generichash_final(&h, key, 32);
}

static char *cached(const unsigned char key[32])
{
    char *tok = NULL;
    uint64_t now = sl_clock_mono_us();
    pthread_mutex_lock(&cache_lock);
    for (struct entry *e = cache; e; e = e->next) {
        if (!memcmp(e->key, key, 32)) {
            if (!e->expires_us || now < e->expires_us)
                tok = sl_strdup(e->token);
            break;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return tok;
}

static void remember(const unsigned char key[32], const char *token, double expires_in_s)
{
    pthread_mutex_lock(&cache_lock);
    struct entry *e = cache;
    while (e && memcmp(e->key, key, 32))
        e = e->next;
    if (!e) {
        e = sl_calloc(1, sizeof *e);
        memcpy(e->key, key, 32);
        e->next = cache;
        cache = e;
    }
    free(e->token);
    e->token = sl_strdup(token);
    /* a second early, so a token is not sent in its last moment */
    e->expires_us =
        expires_in_s > 0
            ? sl_clock_mono_us() + (uint64_t)((expires_in_s > 1 ? expires_in_s - 1 : 0) * 1e6)
            : 0;
    pthread_mutex_unlock(&cache_lock);
}

static void add_param(struct sl_buf *b, const char *name, const char *value)
{
    if (b->len)
        sl_buf_addc(b, '&');
    sl_buf_adds(b, name);
    sl_buf_addc(b, '=');
    sl_httpc_encode_component(b, value, strlen(value));
}

/* The token response: JSON, or a form-encoded body as some servers send.
 * Returns a new object, or NULL. */
static json_t *parse_token_body(const char *body)
{
    json_t *j = json_loads(body, 0, NULL);
    if (json_is_object(j))
        return j;
    json_decref(j);
    if (!strchr(body, '='))
        return NULL;
    json_t *o = json_object();
    char *copy = sl_strdup(body), *save = NULL;
    for (char *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        *eq = '\0';
        /* token values are URL-safe in practice; '+' stands for a space */
        for (char *p = eq + 1; *p; p++)
            if (*p == '+')
                *p = ' ';
        json_object_set_new(o, kv, json_string(eq + 1));
    }
    free(copy);
    return o;
}

static int fetch(const json_t *cred, char **token, double *expires_in, char *err, size_t errlen)
{
    const char *url = member(cred, "accessTokenUrl");
    if (!*url) {
        snprintf(err, errlen, "oAuth2 credential: no Access Token URL (accessTokenUrl)");
        return SL_ERR_INVALID;
    }
    const char *grant = json_string_value(json_object_get(cred, "grantType"));
    if (grant && strcmp(grant, "clientCredentials")) {
        snprintf(err, errlen,
                 "oAuth2 credential: grant type '%s' needs a browser sign-in; sluice supports "
                 "clientCredentials",
                 grant);
        return SL_ERR_INVALID;
    }
    struct sl_httpc_req req = {.method = sl_strdup("POST"),
                               .url = sl_strdup(url),
                               .timeout_ms = TOKEN_TIMEOUT_MS,
                               .follow = true,
                               .max_redirects = 21};
    struct sl_buf body = {0};
    add_param(&body, "grant_type", "client_credentials");
    const char *scope = member(cred, "scope");
    if (*scope)
        add_param(&body, "scope", scope);
    if (!strcmp(member(cred, "authentication"), "body")) {
        add_param(&body, "client_id", member(cred, "clientId"));
        add_param(&body, "client_secret", member(cred, "clientSecret"));
    } else {
        char *up = sl_asprintf("%s:%s", member(cred, "clientId"), member(cred, "clientSecret"));
        char *b64 = sl_base64_encode(up, strlen(up));
        char *h = sl_asprintf("Basic %s", b64);
        sl_httpc_req_header(&req, "Authorization", h);
        sodium_memzero(up, strlen(up));
        free(up);
        free(b64);
        free(h);
    }
    sl_httpc_req_header(&req, "Accept", "application/json, application/x-www-form-urlencoded");
    sl_httpc_req_header(&req, "Content-Type", "application/x-www-form-urlencoded");
    req.body_len = body.len;
    req.body = (unsigned char *)sl_buf_steal(&body);

    struct sl_httpc_resp resp;
    sl_httpc_perform(&req, &resp, 1, 1);
    sl_httpc_req_release(&req);
    int rc = 0;
    json_t *j = NULL;
    if (resp.fail) {
        snprintf(err, errlen, "oAuth2 token request to %s failed: %s", url, resp.err);
        rc = SL_ERR_IO;
    } else if (!(j = parse_token_body(resp.body ? (const char *)resp.body : ""))) {
        snprintf(err, errlen, "oAuth2 token request to %s: HTTP %ld with no token in the answer",
                 url, resp.status);
        rc = SL_ERR_IO;
    } else if (json_object_get(j, "error") || resp.status >= 400) {
        const char *why = json_string_value(json_object_get(j, "error_description"));
        if (!why)
            why = json_string_value(json_object_get(j, "error"));
        snprintf(err, errlen, "oAuth2 token request to %s was refused (HTTP %ld): %s", url,
                 resp.status, why ? why : "no reason given");
        rc = SL_ERR_IO;
    } else if (!json_string_value(json_object_get(j, "access_token"))) {
        snprintf(err, errlen, "oAuth2 token request to %s: the answer has no access_token", url);
        rc = SL_ERR_IO;
    } else {
        *token = sl_strdup(json_string_value(json_object_get(j, "access_token")));
        json_t *ei = json_object_get(j, "expires_in");
        *expires_in = json_is_number(ei)   ? json_number_value(ei)
                      : json_is_string(ei) ? strtod(json_string_value(ei), NULL)
                                           : 0;
    }
    json_decref(j);
    sl_httpc_resp_release(&resp);
    return rc;
}

int sl_oauth2_token(const json_t *cred, bool renew, char **token, char *err, size_t errlen)
{
    *token = NULL;
    unsigned char key[32];
    cache_key(cred, key);
    if (!renew && (*token = cached(key)))
        return 0;
    double expires_in = 0;
    int rc = fetch(cred, token, &expires_in, err, errlen);
    if (!rc)
        remember(key, *token, expires_in);
    return rc;
}
