/*
 * libFuzzer target for the REST API (server/api.h): the request parsing
 * and validation every handler does (paths, query parameters, cursors,
 * JSON bodies, workflow documents). The input is a request line, then the
 * body: "POST /api/v1/workflows?limit=2\n{...}". Requests carry a valid
 * key, so they reach the handlers, over one store in a temporary folder.
 * Nothing may crash or leak; every answer is JSON with a status, and every
 * error has a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/api.h"
#include "store/store.h"
#include "util/alloc.h"

static char fuzz_dir[] = "/tmp/sluice-fuzz-api-XXXXXX";
static struct sl_store *fuzz_store;
static char *fuzz_key;

static void cleanup(void)
{
    sl_store_close(fuzz_store);
    free(fuzz_key);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", fuzz_dir);
}

static struct sl_store *store(void)
{
    if (fuzz_store)
        return fuzz_store;
    struct sl_error err;
    if (!mkdtemp(fuzz_dir) || !(fuzz_store = sl_store_open(fuzz_dir, &err)) ||
        sl_store_apikey_create(fuzz_store, "fuzz", &fuzz_key) != 0)
        abort();
    atexit(cleanup);
    /* something to list, get, retry and delete */
    json_t *wf =
        json_loads("{\"id\":\"wf1\",\"name\":\"W\",\"nodes\":[{\"name\":\"S\",\"type\":"
                   "\"n8n-nodes-base.manualTrigger\"}],\"connections\":{},\"settings\":{}}",
                   0, NULL);
    struct sl_store_exec e = {.workflow_id = "wf1", .mode = "webhook", .status = SL_ST_ERROR};
    json_t *input = json_pack("{s:[]}", "items");
    if (sl_store_workflow_save(fuzz_store, wf, NULL) != 0 ||
        sl_store_exec_insert(fuzz_store, &e, input) != 0 || sl_store_exec_update(fuzz_store, &e))
        abort();
    json_decref(wf);
    json_decref(input);
    return fuzz_store;
}

/* "a=1&b=2" as the server gives it: an object of strings (not checked for
 * UTF-8, so the handlers meet any bytes). */
static json_t *parse_query(const char *q, size_t len)
{
    json_t *obj = json_object();
    while (len > 0) {
        const char *amp = memchr(q, '&', len);
        size_t n = amp ? (size_t)(amp - q) : len;
        const char *eq = memchr(q, '=', n);
        char *name = sl_strndup(q, eq ? (size_t)(eq - q) : n);
        char *value = eq ? sl_strndup(eq + 1, n - (size_t)(eq + 1 - q)) : sl_strdup("");
        json_t *v = json_stringn_nocheck(value, strlen(value));
        json_object_set_new_nocheck(obj, name, v);
        free(name);
        free(value);
        q += n;
        len -= n;
        if (len) {
            q++;
            len--;
        }
    }
    return obj;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t line = nl ? (size_t)(nl - in) : size;
    const char *sp = memchr(in, ' ', line);
    if (!sp)
        return 0;
    char *method = sl_strndup(in, (size_t)(sp - in));
    const char *target = sp + 1;
    size_t tlen = line - (size_t)(target - in);
    const char *qm = memchr(target, '?', tlen);
    char *path = sl_strndup(target, qm ? (size_t)(qm - target) : tlen);
    json_t *query = qm ? parse_query(qm + 1, tlen - (size_t)(qm + 1 - target)) : json_object();
    struct sl_http_req req = {
        .method = method,
        .path = path,
        .query = query,
        .body = nl ? nl + 1 : NULL,
        .body_len = nl ? size - line - 1 : 0,
    };
    struct sl_store *st = store();
    req.headers = json_pack("{s:s}", "x-n8n-api-key", fuzz_key);
    struct sl_http_resp resp = {0};
    sl_api_handle(st, NULL, &req, &resp);
    json_t *answer = json_loadb(resp.body, resp.body_len, JSON_DECODE_ANY, NULL);
    if (resp.status < 200 || resp.status > 599 || !answer)
        abort();
    if (resp.status >= 400 && !json_is_string(json_object_get(answer, "message")))
        abort();
    json_decref(answer);
    sl_http_resp_release(&resp);
    json_decref(req.query);
    json_decref(req.headers);
    free(method);
    free(path);
    return 0;
}
