/*
 * Webhooks (see webhook.h): the table of registered webhook paths, the
 * authentication check, the Webhook node's items built from a request,
 * and the HTTP answer of each response mode, following n8n 1.x (the CLI's
 * webhook services and helpers, the Webhook node v1-v2.1 and Express's
 * res.send/res.json for the bodies).
 */
#include "server/webhook.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/binary.h"
#include "core/jpath.h"
#include "core/jsvalue.h"
#include "core/mime.h"
#include "nodes/node.h"
#include "nodes/xml_conv.h"
#include "server/body.h"
#include "util/alloc.h"
#include "util/random.h"

/* n8n's Content-Security-Policy for webhook answers (HTML sandboxing on,
 * its default). */
#define SANDBOX_CSP                                                                                \
    "sandbox allow-downloads allow-forms allow-modals allow-orientation-lock "                     \
    "allow-pointer-lock allow-popups allow-presentation allow-scripts "                            \
    "allow-top-navigation-by-user-activation allow-top-navigation-to-custom-protocols"

/* Segments of a registered dynamic path. */
#define MAX_SEGMENTS 64

struct entry {
    struct sl_webhook pub; /* first: a const struct sl_webhook * is an entry */
    char *workflow_id;
    char *node_name;
    char *method;
    char *url_path;     /* pub.path: webhookId-prefixed when dynamic */
    char *webhook_path; /* the path as n8n stores it */
    char *webhook_id;   /* set for dynamic paths */
    char *node_id;      /* the node's "id", for the x-auth-token HMAC */
    char *node_webhook_id;
    json_t *params;
    int path_length;
    bool is_dynamic; /* a segment starts with ':' (WebhookEntity.isDynamic) */
};

struct sl_webhook_table {
    struct entry **e;
    size_t n, cap;
    json_t *by_key; /* "METHOD path" -> index in e */
    json_t *by_wid; /* webhookId of dynamic entries -> [indices], in registration order */
};

static const char *const methods[] = {"DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"};

/* ---- the table ---- */

struct sl_webhook_table *sl_webhook_table_new(void)
{
    struct sl_webhook_table *t = sl_calloc(1, sizeof *t);
    t->by_key = json_object();
    t->by_wid = json_object();
    return t;
}

static void entry_free(struct entry *e)
{
    if (!e)
        return;
    free(e->workflow_id);
    free(e->node_name);
    free(e->method);
    free(e->url_path);
    free(e->webhook_path);
    free(e->webhook_id);
    free(e->node_id);
    free(e->node_webhook_id);
    json_decref(e->params);
    free(e);
}

void sl_webhook_table_free(struct sl_webhook_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        entry_free(t->e[i]);
    free(t->e);
    json_decref(t->by_key);
    json_decref(t->by_wid);
    free(t);
}

int sl_webhook_table_count(const struct sl_webhook_table *t)
{
    return (int)t->n;
}

static const struct entry *entry_of(const struct sl_webhook *wh)
{
    return (const struct entry *)wh;
}

static json_t *options_of(const struct sl_webhook *wh)
{
    json_t *o = json_object_get(wh->params, "options");
    return json_is_object(o) ? o : NULL;
}

/* encodeURIComponent */
static void uri_encode(struct sl_buf *b, const char *s)
{
    static const char keep[] = "-_.!~*'()";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr(keep, *p))
            sl_buf_addc(b, (char)*p);
        else
            sl_buf_addf(b, "%%%02X", *p);
    }
}

static char *strip_slashes(const char *s)
{
    size_t n = strlen(s);
    if (n && s[0] == '/') {
        s++;
        n--;
    }
    if (n && s[n - 1] == '/')
        n--;
    return sl_strndup(s, n);
}

static bool starts_dynamic(const char *path)
{
    return path[0] == ':' || strstr(path, "/:");
}

/* The methods a node listens to (the description's httpMethod
 * expression, String() of an array joined by ',') and, for multiple
 * methods, the output each goes to. */
static json_t *node_methods(const json_t *params)
{
    json_t *hm = json_object_get(params, "httpMethod");
    bool multi = sl_jsv_truthy(json_object_get(params, "multipleMethods"));
    json_t *list = json_array();
    if (multi && !hm) {
        json_array_append_new(list, json_string("GET"));
        json_array_append_new(list, json_string("POST"));
        return list;
    }
    char *text = hm && sl_jsv_truthy(hm) ? sl_jsv_to_string(hm) : sl_strdup("GET");
    for (char *p = text; p;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        const char *b, *e;
        sl_jsv_trim(p, &b, &e);
        if (e > b)
            json_array_append_new(list, json_stringn(b, (size_t)(e - b)));
        p = comma ? comma + 1 : NULL;
    }
    free(text);
    return list;
}

static int output_of(const json_t *params, const char *method)
{
    json_t *hm = json_object_get(params, "httpMethod");
    if (!json_is_array(hm))
        return 0;
    size_t i;
    json_t *v;
    json_array_foreach(hm, i, v)
    {
        if (json_is_string(v) && !strcasecmp(json_string_value(v), method))
            return (int)i;
    }
    return 0;
}

static struct entry *find_key(const struct sl_webhook_table *t, const char *method,
                              const char *webhook_path)
{
    char *key = sl_asprintf("%s %s", method, webhook_path);
    json_t *i = json_object_get(t->by_key, key);
    free(key);
    return i ? t->e[json_integer_value(i)] : NULL;
}

static void index_wid(struct sl_webhook_table *t, const struct entry *e, size_t i)
{
    if (!e->webhook_id)
        return;
    json_t *list = json_object_get(t->by_wid, e->webhook_id);
    if (!list) {
        list = json_array();
        json_object_set_new(t->by_wid, e->webhook_id, list);
    }
    json_array_append_new(list, json_integer((json_int_t)i));
}

static void unindex_wid(struct sl_webhook_table *t, const struct entry *e, size_t i)
{
    json_t *list = e->webhook_id ? json_object_get(t->by_wid, e->webhook_id) : NULL;
    for (size_t k = 0; k < json_array_size(list); k++)
        if ((size_t)json_integer_value(json_array_get(list, k)) == i)
            json_array_remove(list, k--);
}

static void table_push(struct sl_webhook_table *t, struct entry *e)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->e = sl_realloc(t->e, t->cap * sizeof *t->e);
    }
    char *key = sl_asprintf("%s %s", e->method, e->webhook_path);
    json_object_set_new(t->by_key, key, json_integer((json_int_t)t->n));
    free(key);
    index_wid(t, e, t->n);
    t->e[t->n++] = e;
}

static const char *str_or(const json_t *v, const char *dflt)
{
    return json_is_string(v) ? json_string_value(v) : dflt;
}

/* The entries of one webhook node, built as n8n's getNodeWebhooks and
 * addWebhooks build them. Returns the count added to `out`, or an error. */
static int node_entries(const char *workflow_id, const json_t *node, struct entry ***out,
                        size_t *n_out, struct sl_error *err)
{
    const char *name = str_or(json_object_get(node, "name"), "");
    json_t *params = json_object_get(node, "parameters");
    json_t *pathv = json_object_get(params, "path");
    char *raw = pathv && !json_is_null(pathv) ? sl_jsv_to_string(pathv) : sl_strdup("");
    if (raw[0] == '=') {
        free(raw);
        sl_error_set(err,
                     "webhook path of node '%s' is an expression, which sluice does not "
                     "evaluate for registration",
                     name);
        return SL_ERR_INVALID;
    }
    char *node_path = strip_slashes(raw);
    free(raw);
    const char *wid = str_or(json_object_get(node, "webhookId"), NULL);
    /* NodeHelpers.getNodeWebhookPath with isFullPath (the Webhook node) */
    char *path;
    if (!wid) {
        struct sl_buf b = {0};
        sl_buf_addf(&b, "%s/", workflow_id);
        char *lower = sl_jsv_lower(name);
        uri_encode(&b, lower);
        free(lower);
        sl_buf_addf(&b, "/%s", node_path);
        path = sl_buf_steal(&b);
    } else {
        path = sl_strdup(*node_path ? node_path : wid);
    }
    char *webhook_path = strip_slashes(path);
    bool dynamic = wid && starts_dynamic(path);
    free(path);
    int segments = 1;
    for (const char *p = webhook_path; *p; p++)
        segments += *p == '/';
    if (dynamic && segments > MAX_SEGMENTS) {
        sl_error_set(err, "webhook path of node '%s' has more than %d segments", name,
                     MAX_SEGMENTS);
        free(webhook_path);
        free(node_path);
        return SL_ERR_INVALID;
    }
    json_t *ms = node_methods(params);
    size_t i;
    json_t *m;
    double version = json_number_value(json_object_get(node, "typeVersion"));
    json_array_foreach(ms, i, m)
    {
        struct entry *e = sl_calloc(1, sizeof *e);
        e->workflow_id = sl_strdup(workflow_id);
        e->node_name = sl_strdup(name);
        e->method = sl_strdup(json_string_value(m));
        e->webhook_path = sl_strdup(webhook_path);
        e->params = json_is_object(params) ? json_deep_copy(params) : json_object();
        e->node_id = sl_strdup(str_or(json_object_get(node, "id"), "undefined"));
        e->node_webhook_id = sl_strdup(wid ? wid : "undefined");
        e->is_dynamic = webhook_path[0] == ':' || strstr(webhook_path, "/:");
        if (dynamic) {
            e->webhook_id = sl_strdup(wid);
            e->path_length = segments;
            e->url_path = sl_asprintf("%s/%s", wid, webhook_path);
        } else {
            e->url_path = sl_strdup(webhook_path);
        }
        e->pub.workflow_id = e->workflow_id;
        e->pub.node = e->node_name;
        e->pub.method = e->method;
        e->pub.path = e->url_path;
        e->pub.params = e->params;
        e->pub.version = version;
        e->pub.output = output_of(params, e->method);
        *out = sl_realloc(*out, (*n_out + 1) * sizeof **out);
        (*out)[(*n_out)++] = e;
    }
    json_decref(ms);
    free(webhook_path);
    free(node_path);
    return 0;
}

int sl_webhook_table_add(struct sl_webhook_table *t, const char *workflow_id, const json_t *doc,
                         struct sl_error *err)
{
    json_t *nodes = json_object_get(doc, "nodes");
    struct entry **add = NULL;
    size_t n = 0;
    size_t i;
    json_t *node;
    int rc = 0;
    json_array_foreach(nodes, i, node)
    {
        if (sl_jsv_truthy(json_object_get(node, "disabled")))
            continue;
        const struct sl_node_type *kind =
            sl_node_type_find(str_or(json_object_get(node, "type"), ""));
        if (!kind || !(kind->flags & SL_NODE_WEBHOOK))
            continue;
        rc = node_entries(workflow_id, node, &add, &n, err);
        if (rc)
            goto fail;
    }
    /* conflicts first, so that nothing is registered on failure */
    for (size_t k = 0; k < n; k++) {
        struct entry *old = find_key(t, add[k]->method, add[k]->webhook_path);
        if (old && strcmp(old->workflow_id, workflow_id)) {
            sl_error_set(err, "webhook '%s %s' of node '%s' is already used by workflow '%s'",
                         add[k]->method, add[k]->webhook_path, add[k]->node_name, old->workflow_id);
            rc = SL_ERR_INVALID;
            goto fail;
        }
    }
    /* the same workflow's path+method again replaces the earlier one
     * (n8n updates the row) */
    for (size_t k = 0; k < n; k++) {
        struct entry *old = find_key(t, add[k]->method, add[k]->webhook_path);
        if (old) {
            for (size_t j = 0; j < t->n; j++) {
                if (t->e[j] == old) {
                    unindex_wid(t, old, j);
                    index_wid(t, add[k], j);
                    t->e[j] = add[k];
                }
            }
            entry_free(old);
        } else {
            table_push(t, add[k]);
        }
    }
    free(add);
    return 0;
fail:
    for (size_t k = 0; k < n; k++)
        entry_free(add[k]);
    free(add);
    return rc;
}

/* ---- finding a webhook ---- */

/* Splits `s` at '/' into at most `max` pieces (pointers into a copy the
 * caller frees). Returns the count, or -1 past `max`. */
static int split_path(const char *s, char **copy, char **segs, int max)
{
    *copy = sl_strdup(s);
    int n = 0;
    char *p = *copy;
    for (;;) {
        if (n == max)
            return -1;
        segs[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    return n;
}

/* WebhookService.findDynamicWebhook; `method` NULL matches any. */
static const struct entry *find_dynamic(const struct sl_webhook_table *t, const char *method,
                                        const char *path)
{
    char *copy;
    char *segs[MAX_SEGMENTS + 2];
    int n = split_path(path, &copy, segs, MAX_SEGMENTS + 2);
    const struct entry *best = NULL;
    int max_matches = 0;
    if (n < 0)
        goto out;
    json_t *candidates = json_object_get(t->by_wid, segs[0]);
    for (size_t c = 0; c < json_array_size(candidates); c++) {
        const struct entry *e = t->e[json_integer_value(json_array_get(candidates, c))];
        if (e->path_length != n - 1)
            continue;
        if (method && strcmp(e->method, method))
            continue;
        /* every static segment of the registered path among the request's */
        char *wcopy;
        char *wsegs[MAX_SEGMENTS];
        int wn = split_path(e->webhook_path, &wcopy, wsegs, MAX_SEGMENTS);
        int statics = 0;
        bool all = true;
        for (int k = 0; k < wn; k++) {
            if (wsegs[k][0] == ':')
                continue;
            statics++;
            bool found = false;
            for (int r = 1; r < n && !found; r++)
                found = !strcmp(segs[r], wsegs[k]);
            all = all && found;
        }
        free(wcopy);
        if (all && statics > max_matches) {
            max_matches = statics;
            best = e;
        } else if (statics == 0 && !best) {
            best = e;
        }
    }
out:
    free(copy);
    return best;
}

static void path_params(const struct entry *e, const char *path, json_t *params)
{
    char *copy, *wcopy;
    char *segs[MAX_SEGMENTS + 2];
    char *wsegs[MAX_SEGMENTS];
    int n = split_path(path, &copy, segs, MAX_SEGMENTS + 2);
    int wn = split_path(e->webhook_path, &wcopy, wsegs, MAX_SEGMENTS);
    for (int k = 0; k < wn; k++) {
        /* path.split('/').slice(1)[k]: undefined past the end */
        if (wsegs[k][0] == ':' && n > 0 && k + 1 < n)
            json_object_set_new(params, wsegs[k] + 1, json_string(segs[k + 1]));
    }
    free(copy);
    free(wcopy);
}

static bool supported_method(const char *m)
{
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
        if (!strcmp(m, methods[i]))
            return true;
    return false;
}

/* n8n's error body: {code, message[, hint]} */
static void error_body(struct sl_http_resp *resp, int status, int code, const char *message,
                       const char *hint)
{
    json_t *b = json_pack("{s:i,s:s}", "code", code, "message", message);
    if (hint)
        json_object_set_new(b, "hint", json_string(hint));
    sl_http_resp_json(resp, status, b);
}

const struct sl_webhook *sl_webhook_find(const struct sl_webhook_table *t, const char *method,
                                         const char *path, json_t **params,
                                         struct sl_http_resp *resp)
{
    *params = NULL;
    if (!strcmp(method, "OPTIONS")) {
        resp->status = 204; /* the CORS preflight answer */
        return NULL;
    }
    if (!supported_method(method)) {
        char *msg = sl_asprintf("The method %s is not supported.", method);
        error_body(resp, 500, 0, msg, NULL);
        free(msg);
        return NULL;
    }
    char *p = sl_strdup(path);
    size_t n = strlen(p);
    if (n && p[n - 1] == '/')
        p[n - 1] = '\0';
    const struct entry *hit = find_key(t, method, p);
    if (!hit && strlen(p) <= 8192)
        hit = find_dynamic(t, method, p);
    if (hit) {
        *params = json_object();
        if (hit->is_dynamic)
            path_params(hit, p, *params);
        free(p);
        return &hit->pub;
    }
    /* WebhookService.getWebhookMethods: the static path's methods, else
     * the method of a dynamic one */
    json_t *ms = json_array();
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->e[i]->webhook_path, p))
            json_array_append_new(ms, json_string(t->e[i]->method));
    if (!json_array_size(ms) && strlen(p) <= 8192) {
        const struct entry *d = find_dynamic(t, NULL, p);
        if (d)
            json_array_append_new(ms, json_string(d->method));
    }
    size_t count = json_array_size(ms);
    if (count) {
        struct sl_buf b = {0};
        for (size_t i = 0; i < count; i++) {
            if (i)
                sl_buf_adds(&b, i == count - 1 ? " or " : ", ");
            sl_buf_adds(&b, json_string_value(json_array_get(ms, i)));
        }
        char *list = sl_buf_steal(&b);
        char *msg = sl_asprintf("This webhook is not registered for %s requests. Did you mean to "
                                "make a %s request?",
                                method, list);
        error_body(resp, 404, 404, msg, NULL);
        free(msg);
        free(list);
    } else {
        char *msg = sl_asprintf("The requested webhook \"%s %s\" is not registered.", method, p);
        error_body(resp, 404, 404, msg,
                   "The workflow must be active for a production URL to run successfully. You "
                   "can activate the workflow using the toggle in the top-right of the editor. "
                   "Note that unlike test URL calls, production URL calls aren't shown on the "
                   "canvas (only in the executions list)");
        free(msg);
    }
    json_decref(ms);
    free(p);
    return NULL;
}

/* ---- authentication ---- */

static bool consttime_eq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    /* compare over the longer length so the time does not depend on
     * where the first difference is */
    size_t n = la > lb ? la : lb;
    unsigned char d = la != lb;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = i < la ? (unsigned char)a[i] : 0;
        unsigned char y = i < lb ? (unsigned char)b[i] : 0;
        d |= x ^ y;
    }
    return d == 0;
}

static int auth_fail(struct sl_http_resp *resp, int status, const char *message)
{
    if (!message)
        message = status == 401   ? "Authorization is required!"
                  : status == 403 ? "Authorization data is wrong!"
                                  : "Authorization problem!";
    sl_http_resp_bytes(resp, status, NULL, message, strlen(message));
    sl_http_resp_header(resp, "WWW-Authenticate", "Basic realm=\"Webhook\"");
    return SL_ERR_INVALID;
}

/* The basic-auth module: "Basic <base64 of user:pass>". */
static bool parse_basic(const char *h, char **user, char **pass)
{
    if (!h)
        return false;
    while (*h == ' ')
        h++;
    if (strncasecmp(h, "basic", 5) || h[5] != ' ')
        return false;
    h += 5;
    while (*h == ' ')
        h++;
    size_t n = 0;
    while (isalnum((unsigned char)h[n]) || (h[n] && strchr("._~+/-", h[n])))
        n++;
    if (n == 0)
        return false;
    size_t e = n;
    while (h[e] == '=')
        e++;
    size_t t = e;
    while (h[t] == ' ')
        t++;
    if (h[t])
        return false;
    size_t len;
    unsigned char *raw = sl_base64_decode(h, e, &len);
    json_t *s = sl_jsv_utf8_decode(raw, len);
    free(raw);
    const char *text = json_string_value(s);
    const char *colon = strchr(text, ':');
    bool ok = colon != NULL;
    if (ok) {
        *user = sl_strndup(text, (size_t)(colon - text));
        *pass = sl_strdup(colon + 1);
    }
    json_decref(s);
    return ok;
}

/* generateBasicAuthToken: HMAC-SHA256 keyed with "user:password" over
 * "<node id>-<webhookId>", hex. */
static char *basic_auth_token(const struct entry *e, const char *user, const char *pass)
{
    char *key = sl_asprintf("%s:%s", user, pass);
    char *msg = sl_asprintf("%s-%s", e->node_id, e->node_webhook_id);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;
    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), mac, &mlen);
    char *hex = sl_malloc(mlen * 2 + 1);
    for (unsigned i = 0; i < mlen; i++)
        snprintf(hex + i * 2, 3, "%02x", mac[i]);
    OPENSSL_cleanse(key, strlen(key));
    free(key);
    free(msg);
    return hex;
}

static bool parse_ip(const char *s, unsigned char out[16])
{
    struct in_addr a4;
    if (inet_pton(AF_INET, s, &a4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a4, 4);
        return true;
    }
    return inet_pton(AF_INET6, s, out) == 1;
}

/* isIpWhitelisted: a comma-separated list (or array) of addresses. */
static bool ip_allowed(const json_t *list, const char *ip)
{
    if (!list || json_is_null(list) || (json_is_string(list) && !json_string_length(list)))
        return true;
    unsigned char want[16];
    bool have = ip && parse_ip(ip, want);
    json_t *entries = json_is_array(list) ? json_incref((json_t *)list) : NULL;
    if (!entries) {
        char *s = sl_jsv_to_string(list);
        entries = sl_jsv_split_trim(s, true);
        free(s);
    }
    bool ok = false;
    size_t i;
    json_t *v;
    json_array_foreach(entries, i, v)
    {
        unsigned char got[16];
        const char *a = json_string_value(v);
        if (have && a && parse_ip(a, got) && !memcmp(got, want, 16))
            ok = true;
    }
    json_decref(entries);
    return ok;
}

/* isbot's generic rules: a bare "Name" or "Name/1.2.3" (word characters,
 * spaces, dots, hyphens, parentheses; one to three version numbers), or
 * 50 characters or more without a space. */
static bool generic_agent(const char *ua)
{
    const char *p = ua;
    while (*p && (isalnum((unsigned char)*p) || strchr("_ .-()", *p)))
        p++;
    if (p > ua && !*p)
        return true;
    if (p > ua && *p == '/') {
        p++;
        if (*p == 'v')
            p++;
        int groups = 0;
        size_t digits = 0;
        for (;; p++) {
            if (isdigit((unsigned char)*p)) {
                digits++;
                continue;
            }
            if (!digits || (groups == 2 && digits > 10))
                break;
            groups++;
            digits = 0;
            if (!*p)
                return true;
            if (*p != '.' || groups == 3)
                break;
        }
    }
    if (strlen(ua) >= 50 && !strchr(ua, ' '))
        return true;
    return false;
}

/* The isbot package n8n uses, in short: its generic rules and the words
 * of crawlers, link previewers and HTTP libraries. */
static bool is_bot(const char *ua)
{
    static const char *const words[] = {
        "bot",      "crawl",    "spider",      "slurp",      "facebookexternalhit",
        "preview",  "fetch",    "http-client", "httpclient", "monitor",
        "scan",     "headless", "lighthouse",  "archiver",   "embedly",
        "whatsapp", "skype",    "validator",   "checker",    "scraper"};
    static const char *const prefixes[] = {"curl",     "wget",    "python", "postman", "axios/",
                                           "java/",    "go-http", "okhttp", "php",     "node",
                                           "insomnia", "httpie",  "ruby",   "perl",    "libwww"};
    if (!ua || !*ua)
        return false;
    if (generic_agent(ua))
        return true;
    char *low = sl_jsv_lower(ua);
    bool bot = false;
    for (size_t i = 0; i < sizeof words / sizeof *words && !bot; i++)
        bot = strstr(low, words[i]) != NULL;
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes && !bot; i++)
        bot = !strncmp(low, prefixes[i], strlen(prefixes[i]));
    free(low);
    return bot;
}

int sl_webhook_check_auth(const struct sl_webhook *wh, const json_t *credential,
                          const struct sl_http_req *req, struct sl_http_resp *resp)
{
    const struct entry *e = entry_of(wh);
    json_t *options = options_of(wh);
    if (!ip_allowed(json_object_get(options, "ipWhitelist"), req->remote_addr)) {
        const char *m = "IP is not whitelisted to access the webhook!";
        sl_http_resp_bytes(resp, 403, NULL, m, strlen(m));
        return SL_ERR_INVALID;
    }
    if (sl_jsv_truthy(json_object_get(options, "ignoreBots")) &&
        is_bot(sl_http_req_header(req, "user-agent")))
        return auth_fail(resp, 403, NULL);
    const char *how = str_or(json_object_get(wh->params, "authentication"), "none");
    if (!strcmp(how, "basicAuth")) {
        const char *user = str_or(json_object_get(credential, "user"), "");
        const char *pass = str_or(json_object_get(credential, "password"), "");
        if (!*user || !*pass)
            return auth_fail(resp, 500, "No authentication data defined on node!");
        char *u = NULL, *p = NULL;
        if (!parse_basic(sl_http_req_header(req, "authorization"), &u, &p)) {
            const char *token = sl_http_req_header(req, "x-auth-token");
            if (!token || !*token)
                return auth_fail(resp, 401, NULL);
            char *want = basic_auth_token(e, user, pass);
            bool ok = consttime_eq(want, token);
            free(want);
            return ok ? 0 : auth_fail(resp, 403, NULL);
        }
        bool user_ok = consttime_eq(u, user); /* both compared, whatever the first gives */
        bool pass_ok = consttime_eq(p, pass);
        bool ok = user_ok && pass_ok;
        OPENSSL_cleanse(p, strlen(p));
        free(u);
        free(p);
        return ok ? 0 : auth_fail(resp, 403, NULL);
    }
    if (!strcmp(how, "headerAuth")) {
        const char *name = str_or(json_object_get(credential, "name"), "");
        const char *value = str_or(json_object_get(credential, "value"), "");
        if (!*name || !*value)
            return auth_fail(resp, 500, "No authentication data defined on node!");
        char *lname = sl_jsv_lower(name);
        const char *got =
            req->headers ? json_string_value(json_object_get(req->headers, lname)) : NULL;
        free(lname);
        return got && consttime_eq(got, value) ? 0 : auth_fail(resp, 403, NULL);
    }
    if (!strcmp(how, "bearerAuth")) {
        const char *token = str_or(json_object_get(credential, "token"), "");
        if (!*token)
            return auth_fail(resp, 500, "No authentication data defined on node!");
        const char *got = sl_http_req_header(req, "authorization");
        char *want = sl_asprintf("Bearer %s", token);
        bool ok = got && consttime_eq(got, want);
        free(want);
        return ok ? 0 : auth_fail(resp, 403, NULL);
    }
    if (!strcmp(how, "jwtAuth"))
        return auth_fail(resp, 500, "JWT authentication of webhooks is not supported by sluice");
    return 0;
}

/* ---- items ---- */

/* IBinaryData as n8n's copyBinaryFile makes it: mimeType, fileType,
 * fileExtension (from the MIME type), data, fileName, fileSize. Always
 * inline: the request's bytes travel in the job to a worker. */
static json_t *binary_entry(const void *data, size_t len, const char *mime, const char *file_name)
{
    struct sl_binary_store *s = sl_binary_store_new(".", "webhook", (size_t)-1);
    struct sl_binary_meta meta = {.mime_type = mime};
    struct sl_error err;
    json_t *bin = sl_binary_store_put(s, data, len, &meta, &err);
    sl_binary_store_free(s, false);
    if (!bin)
        return NULL;
    if (file_name) {
        json_t *size = json_incref(json_object_get(bin, "fileSize"));
        json_object_del(bin, "fileSize");
        json_object_set_new(bin, "fileName", json_string(file_name));
        json_object_set_new(bin, "fileSize", size);
    }
    return bin;
}

/* n8n's sanitizeFilename: the last path component (either slash), NUL
 * bytes removed, "untitled" for nothing or only dots. */
static char *sanitize_filename(const char *name)
{
    char *s = sl_strdup(name);
    for (char *c = s; *c; c++)
        if (*c == '\\')
            *c = '/';
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        s[--n] = '\0';
    const char *slash = strrchr(s, '/');
    char *base = sl_strdup(slash && n > 1 ? slash + 1 : (n == 1 && s[0] == '/') ? "" : s);
    free(s);
    bool dots = true;
    for (const char *c = base; *c; c++)
        dots = dots && *c == '.';
    if (dots) {
        free(base);
        return sl_strdup("untitled");
    }
    return base;
}

/* formidable's newFilename: random hex. */
static char *random_hex(size_t n)
{
    unsigned char raw[32];
    if (n > 2 * sizeof raw)
        n = 2 * sizeof raw;
    sl_random_bytes(raw, sizeof raw);
    char *s = sl_malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = "0123456789abcdef"[(raw[i / 2] >> (i % 2 ? 0 : 4)) & 15];
    s[n] = '\0';
    return s;
}

struct reqinfo {
    const struct sl_webhook *wh;
    const struct sl_http_req *req;
    json_t *options;
    char *type;    /* req.contentType, NULL without a Content-Type */
    char *charset; /* req.encoding */
};

static json_t *base_json(const struct reqinfo *ri, const json_t *path_params)
{
    json_t *j = json_object();
    json_object_set_new(j, "headers",
                        ri->req->headers ? json_deep_copy(ri->req->headers) : json_object());
    json_object_set_new(j, "params", path_params ? json_deep_copy(path_params) : json_object());
    json_object_set_new(j, "query",
                        ri->req->query ? json_deep_copy(ri->req->query) : json_object());
    return j;
}

static void finish_json(const struct reqinfo *ri, json_t *j, const char *mode)
{
    const struct entry *e = entry_of(ri->wh);
    bool test = mode && !strcmp(mode, "test");
    char *url = sl_asprintf("%s/%s/%s", ri->req->base_url ? ri->req->base_url : "",
                            test ? "webhook-test" : "webhook", e->url_path);
    json_object_set_new(j, "webhookUrl", json_string(url));
    free(url);
    json_object_set_new(j, "executionMode", json_string(test ? "test" : "production"));
}

static const char *binary_property(const struct reqinfo *ri)
{
    json_t *p = json_object_get(ri->options, "binaryPropertyName");
    return json_is_string(p) ? json_string_value(p) : NULL;
}

/* Webhook.handleBinaryData: the body as one file (nothing when empty). */
static json_t *binary_item(const struct reqinfo *ri, const json_t *path_params, const void *data,
                           size_t len)
{
    json_t *j = base_json(ri, path_params);
    json_object_set_new(j, "body", json_object());
    json_t *item = json_pack("{s:o}", "json", j);
    if (len) {
        char *fname =
            sl_body_disposition_filename(sl_http_req_header(ri->req, "content-disposition"));
        if (!fname) {
            char uuid[37];
            sl_random_uuid(uuid);
            fname = sl_strdup(uuid);
        }
        const char *prop = binary_property(ri);
        json_t *bin =
            binary_entry(data, len, ri->type ? ri->type : "application/octet-stream", fname);
        free(fname);
        json_object_set_new(item, "binary", json_pack("{s:o}", prop ? prop : "data", bin));
    }
    return item;
}

/* formidable's field/file handler: a new name gets [value], a known one
 * a push; a name already normalized to a single value (after an error)
 * makes JavaScript's push throw, so the value is lost. */
static void form_add(json_t *obj, const char *key, json_t *value)
{
    json_t *cur = json_object_get(obj, key);
    if (!cur)
        json_object_set_new(obj, key, json_pack("[o]", value));
    else if (json_is_array(cur))
        json_array_append_new(cur, value);
    else
        json_decref(value);
}

/* formidable's normalizeFormData: one-element arrays become the element. */
static void normalize_form(json_t *obj)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        if (json_is_array(v) && json_array_size(v) == 1)
            json_object_set(obj, k, json_array_get(v, 0));
    }
}

static json_t *multipart_item(const struct reqinfo *ri, const json_t *path_params,
                              struct sl_http_resp *resp)
{
    struct sl_multipart mp;
    struct sl_error err;
    const char *ct = sl_http_req_header(ri->req, "content-type");
    int rc = sl_multipart_parse(ct, ri->charset, ri->req->body, ri->req->body_len, &mp, &err);
    if (rc == SL_ERR_LIMIT) {
        sl_multipart_free(&mp);
        error_body(resp, 413, 413, "Failed to parse request body", err.msg);
        return NULL;
    }
    /* a malformed body keeps the parts complete before the error, as
     * n8n's form parser resolves with them */
    json_t *fields = json_object();
    json_t *files = json_object(); /* name -> [part index] */
    bool failed = false;
    for (size_t i = 0; i < mp.n; i++) {
        struct sl_multipart_part *p = &mp.parts[i];
        const char *name = p->name ? p->name : "null";
        if (p->content_type) {
            if (!p->len && !failed) {
                /* formidable: an empty file is an error. n8n's parser
                 * resolves then, normalizing what it has; the parse goes
                 * on and later fields still land in the same object (as
                 * arrays), later files come too late */
                normalize_form(fields);
                failed = true;
            }
            if (!failed)
                form_add(files, name, json_integer((json_int_t)i));
        } else {
            const char *te = p->transfer_encoding;
            if (!strcmp(te, "7bit") || !strcmp(te, "8bit"))
                te = "utf-8";
            struct sl_error derr;
            json_t *v = sl_body_decode_text(p->data, p->len, te, &derr);
            form_add(fields, name, v ? v : sl_jsv_utf8_decode(p->data, p->len));
        }
    }
    if (!failed)
        normalize_form(fields);
    json_t *j = base_json(ri, path_params);
    json_object_set_new(j, "body", fields);
    json_t *item = json_pack("{s:o}", "json", j);
    if (json_object_size(files)) {
        json_t *binary = json_object();
        const char *prefix = binary_property(ri);
        int count = 0;
        const char *key;
        json_t *idx;
        json_object_foreach(files, key, idx)
        {
            bool multi = json_array_size(idx) > 1;
            size_t k;
            json_t *pi;
            json_array_foreach(idx, k, pi)
            {
                struct sl_multipart_part *p = &mp.parts[json_integer_value(pi)];
                char *prop;
                if (prefix) {
                    prop = sl_asprintf("%s%d", prefix, count);
                } else {
                    size_t kl = strlen(key);
                    if (kl >= 2 && !strcmp(key + kl - 2, "[]"))
                        kl -= 2;
                    prop = multi ? sl_asprintf("%.*s%zu", (int)kl, key, k) : sl_strndup(key, kl);
                }
                char *fname =
                    p->filename && *p->filename ? sanitize_filename(p->filename) : random_hex(25);
                json_t *bin = binary_entry(p->data, p->len, p->content_type, fname);
                free(fname);
                json_object_set_new(binary, prop, bin);
                free(prop);
                count++;
            }
        }
        json_object_set_new(item, "binary", binary);
    }
    json_decref(files);
    sl_multipart_free(&mp);
    return item;
}

static bool starts_with(const char *s, const char *p)
{
    return s && !strncmp(s, p, strlen(p));
}

static bool ends_with(const char *s, const char *p)
{
    size_t n = s ? strlen(s) : 0, m = strlen(p);
    return s && n >= m && !strcmp(s + n - m, p);
}

/* Reals that hold exact integers back to integers (the text had them as
 * integers; only the too big ones stay real). */
static json_t *ints_back(json_t *v, int depth)
{
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d > -9007199254740992.0 && d < 9007199254740992.0 && d == (double)(json_int_t)d) {
            json_decref(v);
            return json_integer((json_int_t)d);
        }
    } else if (depth < 4096 && json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            json_array_set_new(v, i, ints_back(json_incref(json_array_get(v, i)), depth + 1));
    } else if (depth < 4096 && json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            json_object_set_new(v, k, ints_back(json_incref(x), depth + 1));
        }
    }
    return v;
}

/* JSON.parse: numbers are doubles, so an integer too big for jansson is
 * read again as a real. */
static json_t *parse_json(const char *text, size_t len, json_error_t *je)
{
    json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, je);
    if (!v && strstr(je->text, "too big")) {
        v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, je);
        if (v)
            v = ints_back(v, 0);
    }
    return v;
}

static int parse_fail(struct sl_http_resp *resp, const char *hint)
{
    error_body(resp, 422, 422, "Failed to parse request body", hint);
    return SL_ERR_PARSE;
}

/* The body parser (parseBody): JSON, XML, form-urlencoded and text by
 * content type; *body stays NULL (undefined) for other types and for an
 * empty body. */
static int parse_body(const struct reqinfo *ri, json_t **body, struct sl_http_resp *resp)
{
    *body = NULL;
    const struct sl_http_req *req = ri->req;
    if (!req->body_len || !ri->type)
        return 0;
    const char *t = ri->type;
    bool json = !strcmp(t, "application/json");
    bool xml = ends_with(t, "/xml") || ends_with(t, "+xml");
    bool form = !strcmp(t, "application/x-www-form-urlencoded");
    bool text = !strcmp(t, "text/plain");
    if (!json && !xml && !form && !text)
        return 0;
    struct sl_error err;
    json_t *s = sl_body_decode_text(req->body, req->body_len, ri->charset, &err);
    if (!s)
        return parse_fail(resp, err.msg);
    const char *str = json_string_value(s);
    size_t slen = json_string_length(s);
    if (json) {
        json_error_t je;
        *body = parse_json(str, slen, &je);
        if (!*body) {
            char *hint = sl_body_json_error(str, slen);
            if (!hint)
                hint = sl_asprintf("%s at line %d, column %d", je.text, je.line, je.column);
            parse_fail(resp, hint);
            free(hint);
            json_decref(s);
            return SL_ERR_PARSE;
        }
    } else if (xml) {
        json_t *opts =
            json_pack("{s:b,s:b,s:b}", "normalize", 1, "normalizeTags", 1, "explicitArray", 0);
        char *xerr = NULL;
        *body = sl_xml_to_json(str, slen, opts, &xerr);
        json_decref(opts);
        if (!*body) {
            parse_fail(resp, xerr ? xerr : "malformed XML");
            free(xerr);
            json_decref(s);
            return SL_ERR_PARSE;
        }
    } else if (form) {
        *body = sl_body_form_urlencoded(str, slen);
    } else {
        *body = json_incref(s);
    }
    json_decref(s);
    return 0;
}

json_t *sl_webhook_items(const struct sl_webhook *wh, const struct sl_http_req *req,
                         const json_t *path_params, const char *mode, struct sl_http_resp *resp)
{
    struct reqinfo ri = {.wh = wh, .req = req, .options = options_of(wh)};
    sl_body_content_type(sl_http_req_header(req, "content-type"), &ri.type, &ri.charset);
    if (!ri.charset)
        ri.charset = sl_strdup("utf-8");
    bool raw = sl_jsv_truthy(json_object_get(ri.options, "rawBody"));
    json_t *item = NULL;
    if (sl_jsv_truthy(json_object_get(ri.options, "binaryData"))) {
        item = binary_item(&ri, path_params, req->body, req->body_len);
    } else if (ri.type && !strcmp(ri.type, "multipart/form-data")) {
        item = multipart_item(&ri, path_params, resp);
    } else {
        json_t *body = NULL;
        bool read = false; /* parseBody read the stream */
        const char *t = ri.type;
        bool parse = wh->version > 1
                         ? (starts_with(t, "application/json") || starts_with(t, "text/plain") ||
                            starts_with(t, "application/x-www-form-urlencoded") ||
                            ends_with(t, "/xml") || ends_with(t, "+xml"))
                         : true;
        if (parse && !starts_with(t, "multipart/")) {
            read = true;
            if (parse_body(&ri, &body, resp)) {
                free(ri.type);
                free(ri.charset);
                return NULL;
            }
        }
        if (wh->version > 1 && !sl_jsv_truthy(body) && !raw) {
            /* handleBinaryData; a stream parseBody already read is empty */
            json_decref(body);
            item = binary_item(&ri, path_params, req->body, read ? 0 : req->body_len);
        } else {
            json_t *j = base_json(&ri, path_params);
            if (body)
                json_object_set_new(j, "body", body);
            item = json_pack("{s:o}", "json", j);
            if (raw) {
                char *b64 = sl_base64_encode(req->body ? req->body : "", req->body_len);
                json_object_set_new(item, "binary",
                                    json_pack("{s:{s:s,s:s}}", "data", "data", b64, "mimeType",
                                              ri.type ? ri.type : "application/json"));
                free(b64);
            }
        }
    }
    if (item)
        finish_json(&ri, json_object_get(item, "json"), mode);
    free(ri.type);
    free(ri.charset);
    if (!item)
        return NULL;
    return json_pack("[o]", item);
}

/* ---- responses ---- */

const char *sl_webhook_response_mode(const struct sl_webhook *wh)
{
    return str_or(json_object_get(wh->params, "responseMode"), "onReceived");
}

/* Node's validateHeaderName / validateHeaderValue. */
static bool header_name_ok(const char *s)
{
    if (!*s)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (!isalnum(*p) && !strchr("!#$%&'*+-.^_`|~", *p))
            return false;
    return true;
}

static bool header_value_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p != '\t' && (*p < 0x20 || *p == 0x7f))
            return false;
    return true;
}

/* WebhookResponseHeaders.set: lower-cased, validated, CSP protected. */
static void set_header(struct sl_http_resp *resp, const char *name, const char *value)
{
    char *low = sl_jsv_lower(name);
    if (strcmp(low, "content-security-policy") && header_name_ok(low) && header_value_ok(value))
        sl_http_resp_header(resp, low, value);
    free(low);
}

void sl_webhook_response_headers(const struct sl_webhook *wh, struct sl_http_resp *resp)
{
    json_t *entries =
        json_object_get(json_object_get(options_of(wh), "responseHeaders"), "entries");
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        json_t *n = json_object_get(e, "name"), *v = json_object_get(e, "value");
        char *ns = n ? sl_jsv_to_string(n) : sl_strdup("undefined");
        char *vs = v ? sl_jsv_to_string(v) : sl_strdup("undefined");
        set_header(resp, ns, vs);
        free(ns);
        free(vs);
    }
}

static const char *resp_header(const struct sl_http_resp *resp, const char *name)
{
    return resp->headers ? json_string_value(json_object_get(resp->headers, name)) : NULL;
}

/* Express's setCharset(type, 'utf-8'). */
static void with_charset(struct sl_http_resp *resp)
{
    const char *ct = resp_header(resp, "content-type");
    if (!ct)
        return;
    struct sl_buf b = {0};
    const char *semi = strchr(ct, ';');
    sl_buf_add(&b, ct, semi ? (size_t)(semi - ct) : strlen(ct));
    while (semi) {
        const char *p = semi + 1;
        semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        const char *b0 = p, *e0 = p + n;
        while (b0 < e0 && isspace((unsigned char)*b0))
            b0++;
        if ((size_t)(e0 - b0) >= 8 && !strncasecmp(b0, "charset=", 8))
            continue;
        sl_buf_adds(&b, ";");
        sl_buf_add(&b, p, n);
    }
    sl_buf_adds(&b, "; charset=utf-8");
    char *v = sl_buf_steal(&b);
    sl_http_resp_header(resp, "content-type", v);
    free(v);
}

/* Express: res.send(string) / res.json(value) / res.send(Buffer) after
 * the headers set so far. `body` NULL is undefined. */
static void send_value(struct sl_http_resp *resp, int status, const json_t *body)
{
    resp->status = status;
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
    if (json_is_string(body)) {
        if (!resp_header(resp, "content-type"))
            sl_http_resp_header(resp, "content-type", "text/html");
        with_charset(resp);
        sl_http_resp_bytes(resp, status, NULL, json_string_value(body), json_string_length(body));
    } else {
        if (!resp_header(resp, "content-type"))
            sl_http_resp_header(resp, "content-type", "application/json");
        with_charset(resp); /* also without a body, as n8n 1.123 answers */
        if (body) {
            struct sl_buf b = {0};
            sl_jsv_stringify_to(&b, body, 0, 0);
            sl_http_resp_bytes(resp, status, NULL, b.data ? b.data : "", b.len);
            sl_buf_release(&b);
        } else {
            sl_http_resp_bytes(resp, status, NULL, "", 0);
        }
    }
    if (status == 204 || status == 304) {
        json_object_del(resp->headers, "content-type");
        resp->body_len = 0;
        resp->body[0] = '\0';
    }
}

static void send_bytes(struct sl_http_resp *resp, int status, const void *data, size_t len)
{
    if (!resp_header(resp, "content-type"))
        sl_http_resp_header(resp, "content-type", "application/octet-stream");
    sl_http_resp_bytes(resp, status, NULL, data, len);
}

/* A status Express accepts: an integer from 100 to 999. */
static int status_of(const json_t *v, int dflt)
{
    if (!v || json_is_null(v))
        return dflt;
    double d = json_is_number(v) ? json_number_value(v) : -1;
    if (d >= 100 && d <= 999 && d == (double)(int)d)
        return (int)d;
    return -1;
}

static void bad_status(struct sl_http_resp *resp, const json_t *v)
{
    char *s = sl_jsv_to_string(v);
    char *msg = sl_asprintf("Invalid status code: %s", s);
    json_object_clear(resp->headers);
    error_body(resp, 500, 0, msg, NULL);
    free(msg);
    free(s);
}

/* getResponseCode: v1/v1.1 responseCode, v2 options.responseCode.values
 * {responseCode, customCode}. */
static json_t *response_code(const struct sl_webhook *wh)
{
    json_t *top = json_object_get(wh->params, "responseCode");
    if (wh->version < 2 && sl_jsv_truthy(top))
        return json_incref(top);
    json_t *values = json_object_get(json_object_get(options_of(wh), "responseCode"), "values");
    if (json_is_object(values)) {
        json_t *custom = json_object_get(values, "customCode");
        if (sl_jsv_truthy(custom))
            return json_incref(custom);
        json_t *rc = json_object_get(values, "responseCode");
        if (rc)
            return json_incref(rc);
    }
    return json_integer(200);
}

/* The node's response code, or -1 after answering 500 for a bad one. */
static int node_status(const struct sl_webhook *wh, struct sl_http_resp *resp)
{
    json_t *code = response_code(wh);
    int status = status_of(code, 200);
    if (status < 0)
        bad_status(resp, code);
    json_decref(code);
    return status;
}

static void static_answer(const struct sl_webhook *wh, struct sl_http_resp *resp,
                          const json_t *body)
{
    int status = node_status(wh, resp);
    if (status < 0)
        return;
    sl_http_resp_header(resp, "content-security-policy", SANDBOX_CSP);
    send_value(resp, status, body);
}

void sl_webhook_respond_received(const struct sl_webhook *wh, struct sl_http_resp *resp)
{
    sl_webhook_response_headers(wh, resp);
    json_t *options = options_of(wh);
    json_t *data = json_object_get(options, "responseData");
    json_t *body;
    if (sl_jsv_truthy(data))
        body = json_incref(data);
    else if (sl_jsv_truthy(json_object_get(options, "noResponseBody")))
        body = NULL;
    else if (data && !json_is_null(data))
        body = json_incref(data); /* the node's webhookResponse, even "" */
    else
        body = json_pack("{s:s}", "message", "Workflow was started");
    static_answer(wh, resp, body);
    json_decref(body);
}

static void op_error(struct sl_http_resp *resp, const char *msg)
{
    error_body(resp, 500, 0, msg, NULL);
}

void sl_webhook_respond_last_node(const struct sl_webhook *wh, const json_t *items,
                                  const char *error, struct sl_http_resp *resp)
{
    sl_webhook_response_headers(wh, resp);
    if (error) {
        sl_http_resp_json(resp, 500, json_pack("{s:s}", "message", "Error in workflow"));
        return;
    }
    if (!items) {
        int status = node_status(wh, resp);
        if (status < 0)
            return;
        sl_http_resp_json(resp, status,
                          json_pack("{s:s}", "message",
                                    "Workflow executed successfully but the last node did not "
                                    "return any data"));
        return;
    }
    json_t *options = options_of(wh);
    const char *what = str_or(json_object_get(wh->params, "responseData"), "firstEntryJson");
    json_t *first = json_array_get(items, 0);
    if (!strcmp(what, "firstEntryJson")) {
        if (!first) {
            op_error(resp, "No item to return was found");
            return;
        }
        json_t *body = json_object_get(first, "json");
        json_t *prop = json_object_get(options, "responsePropertyName");
        if (prop) {
            char *ps = sl_jsv_to_string(prop);
            body = body ? sl_jpath_get(body, ps) : NULL;
            free(ps);
        }
        json_t *ct = json_object_get(options, "responseContentType");
        if (sl_jsv_truthy(ct)) {
            char *cts = sl_jsv_to_string(ct);
            set_header(resp, "content-type", cts);
            free(cts);
        }
        static_answer(wh, resp, body);
        return;
    }
    if (!strcmp(what, "firstEntryBinary")) {
        if (!first) {
            op_error(resp, "No item was found to return");
            return;
        }
        json_t *binary = json_object_get(first, "binary");
        if (!binary) {
            op_error(resp, "No binary data was found to return");
            return;
        }
        json_t *pn = json_object_get(wh->params, "responseBinaryPropertyName");
        if (pn && !json_is_string(pn)) {
            op_error(resp, "'responseBinaryPropertyName' is not a string");
            return;
        }
        const char *name = pn ? json_string_value(pn) : "data";
        json_t *bin = json_object_get(binary, name);
        if (!bin) {
            char *msg = sl_asprintf(
                "The binary property '%s' which should be returned does not exist", name);
            op_error(resp, msg);
            free(msg);
            return;
        }
        unsigned char *data = NULL;
        size_t len = 0;
        struct sl_error err;
        if (sl_binary_store_get(NULL, bin, &data, &len, &err)) {
            op_error(resp, err.msg);
            return;
        }
        const char *mime = sl_binary_mime_type(bin);
        if (mime && *mime)
            set_header(resp, "content-type", mime);
        int status = node_status(wh, resp);
        if (status < 0) {
            free(data);
            return;
        }
        /* n8n 1.123 sends inline bytes through res.json (the client gets
         * {"type":"Buffer","data":[...]}) and file-stored ones as bytes;
         * sluice sends the bytes either way, as the option promises */
        sl_http_resp_header(resp, "content-security-policy", SANDBOX_CSP);
        send_bytes(resp, status, data, len);
        free(data);
        return;
    }
    if (!strcmp(what, "noData")) {
        static_answer(wh, resp, NULL);
        return;
    }
    json_t *all = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_t *j = json_object_get(it, "json");
        json_array_append(all, j ? j : json_null());
    }
    static_answer(wh, resp, all);
    json_decref(all);
}

void sl_webhook_respond_node(const json_t *response, struct sl_http_resp *resp)
{
    json_t *headers = json_object_get(response, "headers");
    const char *k;
    json_t *v;
    json_object_foreach(headers, k, v)
    {
        char *s = sl_jsv_to_string(v);
        set_header(resp, k, s);
        free(s);
    }
    json_t *body = json_object_get(response, "body");
    json_t *bin = json_object_get(body, "binaryData");
    if (json_is_object(body) && json_is_object(bin)) {
        /* n8n streams or ends the bytes without setting the status: 200 */
        unsigned char *data = NULL;
        size_t len = 0;
        struct sl_error err;
        if (sl_binary_store_get(NULL, bin, &data, &len, &err)) {
            char *msg = sl_asprintf("Error with Webhook-Response: %s", err.msg);
            op_error(resp, msg);
            free(msg);
            return;
        }
        sl_http_resp_header(resp, "content-security-policy", SANDBOX_CSP);
        sl_http_resp_bytes(resp, 200, NULL, data, len);
        free(data);
        return;
    }
    json_t *code = json_object_get(response, "statusCode");
    int status = status_of(code, 200);
    if (status < 0) {
        bad_status(resp, code);
        return;
    }
    if (headers)
        sl_http_resp_header(resp, "content-security-policy", SANDBOX_CSP);
    send_value(resp, status, body);
}
