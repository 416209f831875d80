/*
 * The JavaScriptCore bridge (see js.h): context setup, native callbacks
 * behind the prelude's globals, value conversion, the expression cache and
 * the watchdog that enforces the time and memory limits.
 */
#include "js/js.h"

#include <JavaScriptCore/JavaScript.h>
#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/engine_int.h"
#include "nodes/node.h"
#include "util/alloc.h"
#include "util/clock.h"

/* Exported by libjavascriptcoregtk but not declared in its public headers. */
typedef bool (*JSShouldTerminateCallback)(JSContextRef ctx, void *context);
void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit,
                                         JSShouldTerminateCallback callback, void *context);

extern const char sl_prelude_js[];
extern const char sl_luxon_js[];
extern const char sl_jmespath_js[];
extern const char sl_extensions_js[];
extern const char sl_html_js[];
extern const char sl_moment_js[];
extern const char sl_moment_tz_js[];
extern const char sl_datetime_js[];

enum limit_hit { LIMIT_NONE = 0, LIMIT_TIME, LIMIT_MEMORY };

/* How often running JavaScript is checked against the limits. */
#define WATCHDOG_TICK_S 0.02

struct cache_ent {
    char *key;
    JSObjectRef fn; /* NULL: a template that does not compile */
};

struct sl_js {
    struct sl_exec *ex;
    JSContextGroupRef group;
    JSGlobalContextRef ctx;
    JSObjectRef run_code;   /* __sl_run_code */
    JSObjectRef code_out;   /* __sl_code_out: {state} after __sl_run_code */
    JSObjectRef code_reset; /* __sl_code_reset */
    /* The HTML nodes' libraries, in a global context of their own so that
     * nothing user code changes on its globals or prototypes reaches them;
     * created on first use (load_html). */
    JSGlobalContextRef html_ctx;
    JSObjectRef html_extract; /* __sl_html_extract in html_ctx */
    struct sl_node_ctx *nctx; /* the node being evaluated */
    bool keep_dates;          /* see sl_js_keep_dates */
    bool datetime_loaded;     /* moment and src/js/datetime.js are in */
    size_t index;             /* current item index */
    /* watchdog */
    bool running;
    uint64_t start_us;
    long start_rss_kb;
    int statm_fd; /* /proc/self/statm, kept open: read per evaluation */
    enum limit_hit hit;
    /* compiled templates and code, open addressing */
    struct cache_ent *cache;
    size_t cache_cap, cache_len;
    uint64_t epoch_hw; /* the highest epoch an execution reached here */
    bool stopped;      /* a limit stopped code here: not reusable */
};

/* Compiled templates kept from one execution to the next, at most. */
#define SL_JS_CACHE_KEEP 4096

/* ------------------------------------------------------------ helpers */

static JSStringRef jstr(const char *s)
{
    return JSStringCreateWithUTF8CString(s);
}

static char *cstr(JSStringRef s)
{
    size_t max = JSStringGetMaximumUTF8CStringSize(s);
    char *buf = sl_malloc(max);
    JSStringGetUTF8CString(s, buf, max);
    return buf;
}

static char *value_to_cstr(JSContextRef ctx, JSValueRef v)
{
    JSStringRef s = JSValueToStringCopy(ctx, v, NULL);
    if (!s)
        return sl_strdup("");
    char *r = cstr(s);
    JSStringRelease(s);
    return r;
}

static JSValueRef get_prop(JSContextRef ctx, JSObjectRef obj, const char *name)
{
    JSStringRef n = jstr(name);
    JSValueRef v = JSObjectGetProperty(ctx, obj, n, NULL);
    JSStringRelease(n);
    return v;
}

static void set_prop(JSContextRef ctx, JSObjectRef obj, const char *name, JSValueRef v)
{
    JSStringRef n = jstr(name);
    JSObjectSetProperty(ctx, obj, n, v, kJSPropertyAttributeDontEnum, NULL);
    JSStringRelease(n);
}

static JSValueRef throw_msg(JSContextRef ctx, JSValueRef *exc, const char *msg)
{
    JSStringRef s = jstr(msg);
    JSValueRef m = JSValueMakeString(ctx, s);
    JSStringRelease(s);
    JSObjectRef e = JSObjectMakeError(ctx, 1, &m, NULL);
    /* an error of the expression language: it fails an expression instead
     * of making it empty (see __sl_try in prelude.js) */
    set_prop(ctx, e, "__sl_fail", JSValueMakeBoolean(ctx, true));
    *exc = e;
    return JSValueMakeUndefined(ctx);
}

/* Message of an exception value (Error.message, or its string form). */
static char *exception_message(JSContextRef ctx, JSValueRef exc)
{
    if (JSValueIsObject(ctx, exc)) {
        JSValueRef m = get_prop(ctx, (JSObjectRef)exc, "message");
        if (m && JSValueIsString(ctx, m))
            return value_to_cstr(ctx, m);
    }
    return value_to_cstr(ctx, exc);
}

/* Streams a JavaScript string (UTF-16) into jansson as UTF-8, a chunk at a
 * time, so a large result is never held as one more full-size copy. */
struct u16_reader {
    const JSChar *p;
    size_t len, pos;
    unsigned pending_hi; /* a high surrogate that ended the previous chunk */
};

static size_t u16_read(void *buf, size_t size, void *data)
{
    struct u16_reader *r = data;
    unsigned char *o = buf;
    size_t n = 0;
    while (r->pos < r->len && n + 4 <= size) {
        unsigned c = r->p[r->pos++];
        if (c >= 0xD800 && c <= 0xDBFF && r->pos < r->len && r->p[r->pos] >= 0xDC00 &&
            r->p[r->pos] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (r->p[r->pos++] - 0xDC00);
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD; /* lone surrogate */
        }
        if (c < 0x80) {
            o[n++] = (unsigned char)c;
        } else if (c < 0x800) {
            o[n++] = (unsigned char)(0xC0 | (c >> 6));
            o[n++] = (unsigned char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            o[n++] = (unsigned char)(0xE0 | (c >> 12));
            o[n++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            o[n++] = (unsigned char)(0x80 | (c & 0x3F));
        } else {
            o[n++] = (unsigned char)(0xF0 | (c >> 18));
            o[n++] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            o[n++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            o[n++] = (unsigned char)(0x80 | (c & 0x3F));
        }
    }
    return n;
}

static json_t *jsstring_to_json(JSStringRef s, json_error_t *je)
{
    struct u16_reader r = {JSStringGetCharactersPtr(s), JSStringGetLength(s), 0, 0};
    return json_load_callback(u16_read, &r, JSON_DECODE_ANY | JSON_ALLOW_NUL, je);
}

static JSValueRef json_to_js(JSContextRef ctx, const json_t *v)
{
    if (!v)
        return JSValueMakeUndefined(ctx);
    switch (json_typeof(v)) {
    case JSON_NULL:
        return JSValueMakeNull(ctx);
    case JSON_TRUE:
        return JSValueMakeBoolean(ctx, true);
    case JSON_FALSE:
        return JSValueMakeBoolean(ctx, false);
    case JSON_INTEGER:
        return JSValueMakeNumber(ctx, (double)json_integer_value(v));
    case JSON_REAL:
        return JSValueMakeNumber(ctx, json_real_value(v));
    case JSON_STRING: {
        /* through JSON so embedded NULs and UTF-8 survive */
        break;
    }
    default:
        break;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text)
        return JSValueMakeUndefined(ctx);
    JSStringRef s = jstr(text);
    free(text);
    JSValueRef r = JSValueMakeFromJSONString(ctx, s);
    JSStringRelease(s);
    return r ? r : JSValueMakeUndefined(ctx);
}

/* Converts a JS value to JSON. Returns NULL for undefined and functions;
 * *err is set when conversion threw. */
static json_t *js_to_json(JSContextRef ctx, JSValueRef v, char **err)
{
    switch (JSValueGetType(ctx, v)) {
    case kJSTypeUndefined:
        return NULL;
    case kJSTypeNull:
        return json_null();
    case kJSTypeBoolean:
        return json_boolean(JSValueToBoolean(ctx, v));
    case kJSTypeNumber: {
        double d = JSValueToNumber(ctx, v, NULL);
        if (d != d || d == 1.0 / 0.0 || d == -1.0 / 0.0)
            return json_null();
        if (d == (double)(long long)d && d > -9007199254740992.0 && d < 9007199254740992.0)
            return json_integer((json_int_t)d);
        return json_real(d);
    }
    case kJSTypeString: {
        JSStringRef s = JSValueToStringCopy(ctx, v, NULL);
        char *c = cstr(s);
        JSStringRelease(s);
        json_t *r = json_string(c);
        if (!r) /* invalid UTF-8 cannot happen from JSC, but stay safe */
            r = json_stringn_nocheck(c, strlen(c));
        free(c);
        return r;
    }
    default:
        break;
    }
    if (JSObjectIsFunction(ctx, (JSObjectRef)v))
        return NULL;
    JSValueRef exc = NULL;
    JSStringRef s = JSValueCreateJSONString(ctx, v, 0, &exc);
    if (!s) {
        if (exc)
            *err = exception_message(ctx, exc);
        return NULL;
    }
    json_error_t je;
    json_t *r = jsstring_to_json(s, &je);
    JSStringRelease(s);
    if (!r)
        *err = sl_asprintf("cannot convert the result to JSON: %s", je.text);
    return r;
}

static struct sl_js *js_of(JSContextRef ctx)
{
    return JSObjectGetPrivate(JSContextGetGlobalObject(ctx));
}

/* --------------------------------------------------------- watchdog */

/* Resident memory in KiB, from /proc/self/statm (one pread). */
static long rss_kb(struct sl_js *js)
{
    char buf[128];
    ssize_t n = js->statm_fd >= 0 ? pread(js->statm_fd, buf, sizeof buf - 1, 0) : -1;
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *p = strchr(buf, ' ');
    long pages = p ? strtol(p + 1, NULL, 10) : 0;
    return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

static bool watchdog(JSContextRef ctx, void *data)
{
    (void)ctx;
    struct sl_js *js = data;
    if (!js->running)
        return false;
    struct sl_exec *ex = js->ex;
    if (ex->code_timeout_ms && sl_clock_mono_us() - js->start_us > ex->code_timeout_ms * 1000) {
        js->hit = LIMIT_TIME;
        js->stopped = true;
        return true;
    }
    if (ex->code_memory_mb && js->start_rss_kb < 0)
        js->start_rss_kb = rss_kb(js);
    else if (ex->code_memory_mb &&
             rss_kb(js) - js->start_rss_kb > (long)ex->code_memory_mb * 1024) {
        js->hit = LIMIT_MEMORY;
        js->stopped = true;
        return true;
    }
    /* JavaScriptCore does not re-arm the watchdog after a callback that
     * lets the script go on: arm it again for the next tick. */
    JSContextGroupSetExecutionTimeLimit(js->group, WATCHDOG_TICK_S, watchdog, js);
    return false;
}

/* Starts the limits for one call into JavaScript. Code nodes take the
 * memory baseline now; expressions, which run once per item and rarely
 * allocate much, leave it to the watchdog's first tick (-1) to save a
 * /proc read per evaluation. */
static void run_begin(struct sl_js *js, bool exact_baseline)
{
    js->running = true;
    js->hit = LIMIT_NONE;
    js->start_us = sl_clock_mono_us();
    js->start_rss_kb = js->ex->code_memory_mb && exact_baseline ? rss_kb(js) : -1;
}

static void run_end(struct sl_js *js)
{
    js->running = false;
}

/* The message for a limit hit, or NULL. Marks the execution fatal. */
static char *limit_message(struct sl_js *js)
{
    struct sl_exec *ex = js->ex;
    if (js->hit == LIMIT_TIME) {
        ex->fatal = true;
        return sl_asprintf("code ran longer than the time limit of %llu ms "
                           "(SLUICE_CODE_TIMEOUT_MS)",
                           (unsigned long long)ex->code_timeout_ms);
    }
    if (js->hit == LIMIT_MEMORY) {
        ex->fatal = true;
        return sl_asprintf("code exceeded the memory limit of %llu MB (SLUICE_CODE_MEMORY_MB)",
                           (unsigned long long)ex->code_memory_mb);
    }
    return NULL;
}

/* ------------------------------------------------------------ natives */

#define NATIVE(name)                                                                               \
    static JSValueRef name(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,        \
                           const JSValueRef argv[], JSValueRef *exc)
#define UNUSED_NATIVE_ARGS (void)fn, (void)self, (void)argc, (void)argv, (void)exc

static const struct sl_node *arg_node(JSContextRef ctx, struct sl_js *js, size_t argc,
                                      const JSValueRef argv[], JSValueRef *exc)
{
    if (argc < 1) {
        throw_msg(ctx, exc, "a node name is required");
        return NULL;
    }
    char *name = value_to_cstr(ctx, argv[0]);
    const struct sl_node *n = sl_workflow_node(js->ex->wf, name);
    if (!n) {
        char *m = sl_asprintf("Referenced node doesn't exist: '%s'", name);
        throw_msg(ctx, exc, m);
        free(m);
    }
    free(name);
    return n;
}

static json_t *cur_input(struct sl_js *js)
{
    return js->nctx && js->nctx->input0 ? js->nctx->input0 : js->ex->empty;
}

NATIVE(n_epoch)
{
    UNUSED_NATIVE_ARGS;
    return JSValueMakeNumber(ctx, (double)js_of(ctx)->ex->epoch);
}

NATIVE(n_now)
{
    UNUSED_NATIVE_ARGS;
    return JSValueMakeNumber(ctx, (double)sl_clock_now_ms(js_of(ctx)->ex->opts.clock));
}

NATIVE(n_index)
{
    UNUSED_NATIVE_ARGS;
    return JSValueMakeNumber(ctx, (double)js_of(ctx)->index);
}

NATIVE(n_set_index)
{
    UNUSED_NATIVE_ARGS;
    if (argc > 0)
        js_of(ctx)->index = (size_t)JSValueToNumber(ctx, argv[0], NULL);
    return JSValueMakeUndefined(ctx);
}

NATIVE(n_input_item)
{
    UNUSED_NATIVE_ARGS;
    struct sl_js *js = js_of(ctx);
    size_t i = argc > 0 ? (size_t)JSValueToNumber(ctx, argv[0], NULL) : js->index;
    return json_to_js(ctx, json_array_get(cur_input(js), i));
}

NATIVE(n_input_all)
{
    UNUSED_NATIVE_ARGS;
    return json_to_js(ctx, cur_input(js_of(ctx)));
}

NATIVE(n_node_exists)
{
    UNUSED_NATIVE_ARGS;
    struct sl_js *js = js_of(ctx);
    char *name = argc ? value_to_cstr(ctx, argv[0]) : sl_strdup("");
    bool ok = sl_workflow_node(js->ex->wf, name) != NULL;
    free(name);
    return JSValueMakeBoolean(ctx, ok);
}

NATIVE(n_node_runs)
{
    UNUSED_NATIVE_ARGS;
    struct sl_js *js = js_of(ctx);
    const struct sl_node *n = arg_node(ctx, js, argc, argv, exc);
    if (!n)
        return JSValueMakeUndefined(ctx);
    return JSValueMakeNumber(ctx, (double)js->ex->runs[n->index].n);
}

NATIVE(n_node_items)
{
    UNUSED_NATIVE_ARGS;
    struct sl_js *js = js_of(ctx);
    const struct sl_node *n = arg_node(ctx, js, argc, argv, exc);
    if (!n)
        return JSValueMakeUndefined(ctx);
    int output = argc > 1 ? (int)JSValueToNumber(ctx, argv[1], NULL) : 0;
    int run = argc > 2 ? (int)JSValueToNumber(ctx, argv[2], NULL) : -1;
    size_t nruns = js->ex->runs[n->index].n;
    if (nruns == 0) {
        char *m = sl_asprintf("Node '%s' hasn't been executed", n->name);
        throw_msg(ctx, exc, m);
        free(m);
        return JSValueMakeUndefined(ctx);
    }
    if (run < 0)
        run = (int)nruns - 1;
    const struct sl_run *r = sl_exec_get_run(js->ex, n->index, run);
    if (!r) {
        char *m = sl_asprintf("Run %d of node \"%s\" not found", run, n->name);
        throw_msg(ctx, exc, m);
        free(m);
        return JSValueMakeUndefined(ctx);
    }
    json_t *items = sl_exec_run_output(js->ex, n->index, run, output);
    return json_to_js(ctx, items ? items : js->ex->empty);
}

NATIVE(n_paired_item)
{
    UNUSED_NATIVE_ARGS;
    struct sl_js *js = js_of(ctx);
    const struct sl_node *n = arg_node(ctx, js, argc, argv, exc);
    if (!n || !js->nctx)
        return JSValueMakeUndefined(ctx);
    size_t i = argc > 1 ? (size_t)JSValueToNumber(ctx, argv[1], NULL) : js->index;
    char *err = NULL;
    json_t *it = sl_exec_paired_item(js->ex, js->nctx, n->index, i, &err);
    if (!it) {
        throw_msg(ctx, exc, err ? err : "Paired item data is unavailable");
        free(err);
        return JSValueMakeUndefined(ctx);
    }
    return json_to_js(ctx, it);
}

NATIVE(n_node_params)
{
    UNUSED_NATIVE_ARGS;
    struct sl_js *js = js_of(ctx);
    const struct sl_node *n = arg_node(ctx, js, argc, argv, exc);
    return n ? json_to_js(ctx, n->params) : JSValueMakeUndefined(ctx);
}

NATIVE(n_node_context)
{
    UNUSED_NATIVE_ARGS;
    struct sl_js *js = js_of(ctx);
    const struct sl_node *n = arg_node(ctx, js, argc, argv, exc);
    if (!n)
        return JSValueMakeUndefined(ctx);
    /* the item stores of Loop Over Items stay in C: copying them into every
     * expression that reads a flag would be quadratic */
    json_t *c = json_copy(sl_exec_node_context(js->ex, n->index));
    json_object_del(c, "items");
    json_object_del(c, "processedItems");
    json_object_del(c, "itemsOffset");
    JSValueRef r = json_to_js(ctx, c);
    json_decref(c);
    return r;
}

NATIVE(n_prev_node)
{
    UNUSED_NATIVE_ARGS;
    struct sl_js *js = js_of(ctx);
    if (!js->nctx || js->nctx->task->no_src || js->nctx->task->src[0].node < 0)
        return JSValueMakeUndefined(ctx);
    struct sl_src s = js->nctx->task->src[0];
    json_t *o = json_pack("{s:s,s:i,s:i}", "name", js->ex->wf->nodes[s.node].name, "outputIndex",
                          s.output, "runIndex", s.run);
    JSValueRef r = json_to_js(ctx, o);
    json_decref(o);
    return r;
}

NATIVE(n_info)
{
    UNUSED_NATIVE_ARGS;
    struct sl_js *js = js_of(ctx);
    struct sl_exec *ex = js->ex;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b,s:i}", "executionId", ex->id, "mode", ex->mode,
                          "workflowId", ex->wf->id, "workflowName", ex->wf->name, "workflowActive",
                          ex->wf->active, "runIndex", js->nctx ? js->nctx->run_index : 0);
    json_object_set_new(o, "nodeName", js->nctx ? json_string(js->nctx->node->name) : json_null());
    const char *tz = sl_exec_timezone(ex);
    json_object_set_new(o, "timezone", tz ? json_string(tz) : json_null());
    JSValueRef r = json_to_js(ctx, o);
    json_decref(o);
    return r;
}

NATIVE(n_custom_set)
{
    UNUSED_NATIVE_ARGS;
    struct sl_js *js = js_of(ctx);
    if (argc < 2)
        return JSValueMakeUndefined(ctx);
    char *k = value_to_cstr(ctx, argv[0]);
    char *v = value_to_cstr(ctx, argv[1]);
    json_object_set_new(js->ex->custom_data, k, json_string(v));
    free(k);
    free(v);
    return JSValueMakeUndefined(ctx);
}

NATIVE(n_custom_get)
{
    UNUSED_NATIVE_ARGS;
    struct sl_js *js = js_of(ctx);
    if (argc < 1)
        return JSValueMakeUndefined(ctx);
    char *k = value_to_cstr(ctx, argv[0]);
    json_t *v = json_object_get(js->ex->custom_data, k);
    free(k);
    return json_to_js(ctx, v);
}

NATIVE(n_custom_all)
{
    UNUSED_NATIVE_ARGS;
    return json_to_js(ctx, js_of(ctx)->ex->custom_data);
}

extern char **environ;

NATIVE(n_env)
{
    UNUSED_NATIVE_ARGS;
    const char *allow = getenv("SLUICE_ENV_ACCESS");
    if (!allow || strcmp(allow, "allow"))
        return throw_msg(ctx, exc,
                         "access to env vars denied (set SLUICE_ENV_ACCESS=allow to "
                         "allow $env in expressions and Code nodes)");
    json_t *o = json_object();
    for (char **e = environ; *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        char *k = sl_strndup(*e, (size_t)(eq - *e));
        json_object_set_new(o, k, json_string(eq + 1) ? json_string(eq + 1) : json_string(""));
        free(k);
    }
    JSValueRef r = json_to_js(ctx, o);
    json_decref(o);
    return r;
}

NATIVE(n_log)
{
    UNUSED_NATIVE_ARGS;
    struct sl_js *js = js_of(ctx);
    char *s = argc ? value_to_cstr(ctx, argv[0]) : sl_strdup("");
    if (js->nctx)
        sl_ctx_log(js->nctx, "%s", s);
    else
        fprintf(stderr, "%s\n", s);
    free(s);
    return JSValueMakeUndefined(ctx);
}

/* Evaluates an embedded library in the global scope; false with *exc set
 * when it threw. */
/* Calls the global function `name` (one of the prelude's) with `argc`
 * arguments; returns its value or NULL. */
static JSValueRef call_global(JSContextRef ctx, const char *name, size_t argc,
                              const JSValueRef *argv)
{
    JSObjectRef global = JSContextGetGlobalObject(ctx);
    JSValueRef f = get_prop(ctx, global, name);
    if (!f || !JSValueIsObject(ctx, f) || !JSObjectIsFunction(ctx, (JSObjectRef)f))
        return NULL;
    return JSObjectCallAsFunction(ctx, (JSObjectRef)f, NULL, argc, argv, NULL);
}

/* Evaluates a library; the globals it defines join the baseline that
 * survives from one execution to the next (see sl_js_release). */
static bool eval_library(JSContextRef ctx, const char *source, const char *name, JSValueRef *exc)
{
    JSValueRef before = call_global(ctx, "__sl_global_names", 0, NULL);
    JSStringRef src = jstr(source);
    JSStringRef url = jstr(name);
    JSValueRef e = NULL;
    JSEvaluateScript(ctx, src, NULL, url, 1, &e);
    JSStringRelease(src);
    JSStringRelease(url);
    if (before)
        call_global(ctx, "__sl_globals_adopt", 1, &before);
    if (e)
        *exc = e;
    return !e;
}

NATIVE(n_load_luxon)
{
    UNUSED_NATIVE_ARGS;
    if (!eval_library(ctx, sl_luxon_js, "luxon.js", exc))
        return JSValueMakeUndefined(ctx);
    /* n8n's date extension methods on luxon's DateTime */
    JSObjectRef global = JSContextGetGlobalObject(ctx);
    JSValueRef inst = get_prop(ctx, global, "__sl_install_luxon_extensions");
    if (inst && JSValueIsObject(ctx, inst) && JSObjectIsFunction(ctx, (JSObjectRef)inst))
        JSObjectCallAsFunction(ctx, (JSObjectRef)inst, NULL, 0, NULL, exc);
    return JSValueMakeUndefined(ctx);
}

/* Defines the global `jmespath` (the npm package's browser build), for
 * the prelude's $jmespath to take. */
NATIVE(n_load_jmespath)
{
    UNUSED_NATIVE_ARGS;
    (void)eval_library(ctx, sl_jmespath_js, "jmespath.js", exc);
    return JSValueMakeUndefined(ctx);
}

NATIVE(n_terminated)
{
    UNUSED_NATIVE_ARGS;
    return JSValueMakeBoolean(ctx, js_of(ctx)->hit != LIMIT_NONE);
}

static void eval_builtin(JSContextRef ctx, const char *source, const char *name)
{
    JSStringRef src = jstr(source);
    JSStringRef url = jstr(name);
    JSValueRef exc = NULL;
    JSEvaluateScript(ctx, src, NULL, url, 1, &exc);
    JSStringRelease(src);
    JSStringRelease(url);
    if (exc) {
        char *m = exception_message(ctx, exc);
        fprintf(stderr, "sluice: internal error in %s: %s\n", name, m);
        abort();
    }
}

static void add_native(JSContextRef ctx, JSObjectRef obj, const char *name,
                       JSObjectCallAsFunctionCallback cb)
{
    JSStringRef n = jstr(name);
    JSObjectRef f = JSObjectMakeFunctionWithCallback(ctx, n, cb);
    JSObjectSetProperty(ctx, obj, n, f, kJSPropertyAttributeDontEnum, NULL);
    JSStringRelease(n);
}

/* ------------------------------------------------------------ lifecycle */

static void cache_clear(struct sl_js *js)
{
    for (size_t i = 0; i < js->cache_cap; i++) {
        if (js->cache[i].key) {
            free(js->cache[i].key);
            if (js->cache[i].fn)
                JSValueUnprotect(js->ctx, js->cache[i].fn);
        }
    }
    free(js->cache);
    js->cache = NULL;
    js->cache_cap = js->cache_len = 0;
}

struct sl_js *sl_js_new(struct sl_exec *ex)
{
    struct sl_js *js = sl_calloc(1, sizeof *js);
    js->ex = ex;
    js->statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    js->group = JSContextGroupCreate();
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "global";
    JSClassRef cls = JSClassCreate(&def);
    js->ctx = JSGlobalContextCreateInGroup(js->group, cls);
    JSClassRelease(cls);
    JSObjectRef global = JSContextGetGlobalObject(js->ctx);
    JSObjectSetPrivate(global, js);
    JSContextGroupSetExecutionTimeLimit(js->group, WATCHDOG_TICK_S, watchdog, js);

    JSObjectRef bridge = JSObjectMake(js->ctx, NULL, NULL);
    add_native(js->ctx, bridge, "epoch", n_epoch);
    add_native(js->ctx, bridge, "now", n_now);
    add_native(js->ctx, bridge, "index", n_index);
    add_native(js->ctx, bridge, "setIndex", n_set_index);
    add_native(js->ctx, bridge, "inputItem", n_input_item);
    add_native(js->ctx, bridge, "inputAll", n_input_all);
    add_native(js->ctx, bridge, "nodeExists", n_node_exists);
    add_native(js->ctx, bridge, "nodeRuns", n_node_runs);
    add_native(js->ctx, bridge, "nodeItems", n_node_items);
    add_native(js->ctx, bridge, "pairedItem", n_paired_item);
    add_native(js->ctx, bridge, "nodeParams", n_node_params);
    add_native(js->ctx, bridge, "nodeContext", n_node_context);
    add_native(js->ctx, bridge, "prevNode", n_prev_node);
    add_native(js->ctx, bridge, "info", n_info);
    add_native(js->ctx, bridge, "customSet", n_custom_set);
    add_native(js->ctx, bridge, "customGet", n_custom_get);
    add_native(js->ctx, bridge, "customAll", n_custom_all);
    add_native(js->ctx, bridge, "env", n_env);
    add_native(js->ctx, bridge, "log", n_log);
    add_native(js->ctx, bridge, "loadLuxon", n_load_luxon);
    add_native(js->ctx, bridge, "loadJmespath", n_load_jmespath);
    add_native(js->ctx, bridge, "terminated", n_terminated);
    set_prop(js->ctx, global, "__sl", bridge);

    eval_builtin(js->ctx, sl_prelude_js, "sluice-prelude.js");
    eval_builtin(js->ctx, sl_extensions_js, "sluice-extensions.js");
    JSValueRef none = JSObjectMakeArray(js->ctx, 0, NULL, NULL);
    call_global(js->ctx, "__sl_globals_adopt", 1, &none);
    js->run_code = (JSObjectRef)get_prop(js->ctx, global, "__sl_run_code");
    js->code_out = (JSObjectRef)get_prop(js->ctx, global, "__sl_code_out");
    js->code_reset = (JSObjectRef)get_prop(js->ctx, global, "__sl_code_reset");
    JSValueProtect(js->ctx, js->run_code);
    JSValueProtect(js->ctx, js->code_out);
    JSValueProtect(js->ctx, js->code_reset);
    return js;
}

struct sl_exec *sl_js_set_exec(struct sl_js *js, struct sl_exec *ex)
{
    struct sl_exec *prev = js->ex;
    js->ex = ex;
    return prev;
}

/* The runtime this thread keeps between executions (see js.h). */
static __thread struct sl_js *thread_spare;
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void spare_destroy(void *js)
{
    if (thread_spare == js)
        thread_spare = NULL;
    sl_js_free(js);
}

static void spare_key_init(void)
{
    pthread_key_create(&spare_key, spare_destroy);
}

struct sl_js *sl_js_acquire(struct sl_exec *ex)
{
    struct sl_js *js = thread_spare;
    if (!js)
        return sl_js_new(ex);
    thread_spare = NULL;
    pthread_setspecific(spare_key, NULL);
    js->ex = ex;
    /* the prelude's caches key on the epoch: never reuse one */
    if (ex->epoch <= js->epoch_hw)
        ex->epoch = js->epoch_hw + 1;
    return js;
}

void sl_js_release(struct sl_js *js)
{
    if (!js)
        return;
    if (js->ex && js->ex->epoch > js->epoch_hw)
        js->epoch_hw = js->ex->epoch;
    /* a runtime whose code was stopped by a limit, or one that is already
     * kept, is not reused */
    if (thread_spare || js->stopped) {
        sl_js_free(js);
        return;
    }
    call_global(js->ctx, "__sl_globals_reset", 0, NULL); /* resets the Code state too */
    if (js->cache_len > SL_JS_CACHE_KEEP)
        cache_clear(js);
    js->ex = NULL;
    js->nctx = NULL;
    js->keep_dates = false;
    pthread_once(&spare_once, spare_key_init);
    thread_spare = js;
    pthread_setspecific(spare_key, js);
}

void sl_js_free(struct sl_js *js)
{
    if (!js)
        return;
    cache_clear(js);
    JSValueUnprotect(js->ctx, js->run_code);
    JSValueUnprotect(js->ctx, js->code_out);
    JSValueUnprotect(js->ctx, js->code_reset);
    if (js->html_ctx) {
        if (js->html_extract)
            JSValueUnprotect(js->html_ctx, js->html_extract);
        JSGlobalContextRelease(js->html_ctx);
    }
    JSGlobalContextRelease(js->ctx);
    JSContextGroupRelease(js->group);
    if (js->statm_fd >= 0)
        close(js->statm_fd);
    free(js);
}

/* -------------------------------------------------------------- cache */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct cache_ent *cache_slot(struct sl_js *js, const char *key)
{
    if (js->cache_len * 2 >= js->cache_cap) {
        size_t ncap = js->cache_cap ? js->cache_cap * 2 : 64;
        struct cache_ent *n = sl_calloc(ncap, sizeof *n);
        for (size_t i = 0; i < js->cache_cap; i++) {
            if (!js->cache[i].key)
                continue;
            size_t j = hash_str(js->cache[i].key) & (ncap - 1);
            while (n[j].key)
                j = (j + 1) & (ncap - 1);
            n[j] = js->cache[i];
        }
        free(js->cache);
        js->cache = n;
        js->cache_cap = ncap;
    }
    size_t j = hash_str(key) & (js->cache_cap - 1);
    while (js->cache[j].key && strcmp(js->cache[j].key, key))
        j = (j + 1) & (js->cache_cap - 1);
    return &js->cache[j];
}

static void cache_put(struct sl_js *js, struct cache_ent *slot, const char *key, JSObjectRef fn)
{
    slot->key = sl_strdup(key);
    slot->fn = fn;
    if (fn)
        JSValueProtect(js->ctx, fn);
    js->cache_len++;
}

/* --------------------------------------------------------- templates */

/* Finds the `}}` closing an expression that starts at p, skipping quoted
 * strings. Returns NULL when there is none. */
static const char *find_close(const char *p)
{
    char q = 0;
    for (; *p; p++) {
        if (q) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == q)
                q = 0;
            continue;
        }
        if (*p == '\'' || *p == '"' || *p == '`')
            q = *p;
        else if (p[0] == '}' && p[1] == '}')
            return p;
    }
    return NULL;
}

/* Builds the JavaScript body for a template; *single tells whether it is
 * one expression with nothing around it. Returns NULL when the template has
 * no expression (it is then literal text). */
static char *template_body(const char *t, bool *single)
{
    struct sl_buf b = {0};
    int parts = 0;
    bool text = false;
    const char *p = t;
    sl_buf_adds(&b, "__sl_cat([");
    while (*p) {
        const char *open = strstr(p, "{{");
        const char *close = open ? find_close(open + 2) : NULL;
        if (!open || !close) {
            if (*p) {
                json_t *s = json_string(p);
                char *lit = s ? json_dumps(s, JSON_ENCODE_ANY) : sl_strdup("\"\"");
                json_decref(s);
                sl_buf_addf(&b, "%s%s", parts ? "," : "", lit);
                free(lit);
                parts++;
                text = true;
            }
            break;
        }
        if (open > p) {
            char *raw = sl_strndup(p, (size_t)(open - p));
            json_t *s = json_string(raw);
            char *lit = s ? json_dumps(s, JSON_ENCODE_ANY) : sl_strdup("\"\"");
            json_decref(s);
            free(raw);
            sl_buf_addf(&b, "%s%s", parts ? "," : "", lit);
            free(lit);
            parts++;
            text = true;
        }
        sl_buf_addf(&b, "%s__sl_try(() => (", parts ? "," : "");
        sl_buf_add(&b, open + 2, (size_t)(close - open - 2));
        sl_buf_adds(&b, "\n))");
        parts++;
        p = close + 2;
    }
    sl_buf_adds(&b, "])");
    if (parts == 0 || (parts >= 1 && !strstr(t, "{{"))) {
        sl_buf_release(&b);
        return NULL;
    }
    *single = parts == 1 && !text;
    if (*single) {
        /* strip the __sl_cat([ ... ]) wrapper */
        const char *open = strstr(t, "{{");
        const char *close = find_close(open + 2);
        sl_buf_release(&b);
        struct sl_buf s = {0};
        sl_buf_adds(&s, "__sl_try(() => (");
        sl_buf_add(&s, open + 2, (size_t)(close - open - 2));
        sl_buf_adds(&s, "\n))");
        return sl_buf_steal(&s);
    }
    return sl_buf_steal(&b);
}

/* The template's function, compiled once per execution. A template that
 * does not compile fails with n8n's "invalid syntax"; JavaScriptCore's
 * detail goes to the log the first time only, and the failure is cached
 * too, so a node that continues on fail doesn't recompile it per item. */
static JSObjectRef compile_template(struct sl_js *js, struct sl_node_ctx *ctx, const char *tmpl,
                                    char **err)
{
    struct cache_ent *slot = cache_slot(js, tmpl);
    if (slot->key) {
        if (!slot->fn)
            *err = sl_strdup("invalid syntax");
        return slot->fn;
    }
    bool single = false;
    char *body = template_body(tmpl, &single);
    if (!body)
        return NULL;
    JSObjectRef global = JSContextGetGlobalObject(js->ctx);
    JSObjectRef compile = (JSObjectRef)get_prop(js->ctx, global, "__sl_compile");
    JSStringRef s = jstr(body);
    free(body);
    JSValueRef arg = JSValueMakeString(js->ctx, s);
    JSStringRelease(s);
    JSValueRef exc = NULL;
    JSValueRef fn = JSObjectCallAsFunction(js->ctx, compile, NULL, 1, &arg, &exc);
    if (exc || !fn || !JSValueIsObject(js->ctx, fn)) {
        char *m = exc ? exception_message(js->ctx, exc) : sl_strdup("cannot compile");
        sl_ctx_log(ctx, "invalid syntax in expression: %s", m);
        free(m);
        cache_put(js, slot, tmpl, NULL);
        *err = sl_strdup("invalid syntax");
        return NULL;
    }
    cache_put(js, slot, tmpl, (JSObjectRef)fn);
    return (JSObjectRef)fn;
}

json_t *sl_js_eval(struct sl_js *js, struct sl_node_ctx *ctx, const char *tmpl, size_t item,
                   char **err)
{
    *err = NULL;
    if (!strstr(tmpl, "{{"))
        return json_string(tmpl);
    JSObjectRef fn = compile_template(js, ctx, tmpl, err);
    if (!fn)
        return *err ? NULL : json_string(tmpl);
    struct sl_node_ctx *saved_ctx = js->nctx;
    size_t saved_index = js->index;
    js->nctx = ctx;
    js->index = item;
    JSValueRef exc = NULL;
    run_begin(js, false);
    JSValueRef v = JSObjectCallAsFunction(js->ctx, fn, NULL, 0, NULL, &exc);
    run_end(js);
    json_t *res = NULL;
    char *lim = limit_message(js);
    if (lim) {
        *err = lim;
    } else if (exc) {
        *err = exception_message(js->ctx, exc);
    } else {
        JSObjectRef global = JSContextGetGlobalObject(js->ctx);
        JSObjectRef outf =
            (JSObjectRef)get_prop(js->ctx, global, js->keep_dates ? "__sl_out_dates" : "__sl_out");
        v = JSObjectCallAsFunction(js->ctx, outf, NULL, 1, &v, NULL);
        res = js_to_json(js->ctx, v, err);
    }
    js->nctx = saved_ctx;
    js->index = saved_index;
    return res;
}

void sl_js_set_global(struct sl_js *js, const char *name, const json_t *value)
{
    JSObjectRef global = JSContextGetGlobalObject(js->ctx);
    JSStringRef n = jstr(name);
    if (value)
        JSObjectSetProperty(js->ctx, global, n, json_to_js(js->ctx, value),
                            kJSPropertyAttributeNone, NULL);
    else
        JSObjectDeleteProperty(js->ctx, global, n, NULL);
    JSStringRelease(n);
}

bool sl_js_keep_dates(struct sl_js *js, bool on)
{
    bool was = js->keep_dates;
    js->keep_dates = on;
    return was;
}

/* --------------------------------------------------------------- code */

static JSObjectRef compile_code(struct sl_js *js, const char *code, char **err)
{
    char *key = sl_asprintf("\x01code\x01%s", code);
    struct cache_ent *slot = cache_slot(js, key);
    if (slot->key) {
        free(key);
        return slot->fn;
    }
    char *src = sl_asprintf("(async function () {%s\n})", code);
    JSStringRef s = jstr(src);
    free(src);
    JSStringRef url = jstr("Code");
    JSValueRef exc = NULL;
    JSValueRef fn = JSEvaluateScript(js->ctx, s, NULL, url, 1, &exc);
    JSStringRelease(s);
    JSStringRelease(url);
    if (exc || !fn) {
        char *m = exc ? exception_message(js->ctx, exc) : sl_strdup("cannot compile");
        JSValueRef line = exc && JSValueIsObject(js->ctx, exc)
                              ? get_prop(js->ctx, (JSObjectRef)exc, "line")
                              : NULL;
        if (line && JSValueIsNumber(js->ctx, line))
            *err = sl_asprintf("%s [line %d]", m, (int)JSValueToNumber(js->ctx, line, NULL));
        else
            *err = sl_strdup(m);
        free(m);
        free(key);
        return NULL;
    }
    cache_put(js, slot, key, (JSObjectRef)fn);
    free(key);
    return (JSObjectRef)fn;
}

int sl_js_run_code(struct sl_js *js, struct sl_node_ctx *ctx, const char *code,
                   enum sl_code_mode mode)
{
    char *err = NULL;
    JSObjectRef fn = compile_code(js, code, &err);
    if (!fn) {
        int rc = sl_ctx_fail(ctx, "%s", err);
        free(err);
        return rc;
    }
    js->ex->epoch++; /* fresh copies of the input for user code */
    size_t n_items = json_array_size(ctx->input0);
    struct sl_node_ctx *saved = js->nctx;
    js->nctx = ctx;
    js->index = 0;
    JSValueRef args[4] = {
        fn,
        JSValueMakeNumber(js->ctx, mode),
        JSValueMakeBoolean(js->ctx, sl_ctx_continue_on_fail(ctx)),
        JSValueMakeNumber(js->ctx, (double)n_items),
    };
    JSValueRef exc = NULL;
    run_begin(js, true);
    JSObjectCallAsFunction(js->ctx, js->run_code, NULL, 4, args, &exc);
    run_end(js);
    js->nctx = saved;
    int rc = 0;
    /* After the watchdog stopped the script, nothing more may run in this
     * context: calling into it again aborts the process. */
    char *lim = limit_message(js);
    if (lim) {
        rc = sl_ctx_fail(ctx, "%s", lim);
        free(lim);
        return rc;
    }
    JSValueRef st = get_prop(js->ctx, js->code_out, "state");
    if (exc) {
        char *m = exception_message(js->ctx, exc);
        rc = sl_ctx_fail(ctx, "%s", m);
        free(m);
        return rc;
    }
    if (!st || !JSValueIsObject(js->ctx, st))
        return sl_ctx_fail(ctx, "the code did not finish: it awaits something that never "
                                "completes");
    JSValueRef e = get_prop(js->ctx, (JSObjectRef)st, "error");
    if (e && JSValueIsObject(js->ctx, e)) {
        char *m = value_to_cstr(js->ctx, get_prop(js->ctx, (JSObjectRef)e, "message"));
        JSValueRef d = get_prop(js->ctx, (JSObjectRef)e, "description");
        rc = sl_ctx_fail(ctx, "%s", m);
        if (d && JSValueIsString(js->ctx, d)) {
            char *ds = value_to_cstr(js->ctx, d);
            sl_ctx_fail_description(ctx, "%s", ds);
            free(ds);
        }
        free(m);
        return rc;
    }
    JSValueRef items = get_prop(js->ctx, (JSObjectRef)st, "items");
    JSStringRef text = JSValueToStringCopy(js->ctx, items, NULL);
    json_error_t je;
    json_t *arr = text ? jsstring_to_json(text, &je) : NULL;
    if (text)
        JSStringRelease(text);
    else
        snprintf(je.text, sizeof je.text, "no result");
    if (!json_is_array(arr)) {
        json_decref(arr);
        return sl_ctx_fail(ctx, "the code's result cannot be converted to items: %s", je.text);
    }
    /* release the JavaScript copy before the items move on */
    JSObjectCallAsFunction(js->ctx, js->code_reset, NULL, 0, NULL, NULL);
    sl_ctx_out_list(ctx, 0, arr);
    return 0;
}

/* Calls fn in context c under the time and memory limits. Returns its
 * result, or NULL with *err (heap string) set: the limit message, the
 * exception's message, or `what` when the call gave nothing. */
static JSValueRef call_limited(struct sl_js *js, JSContextRef c, JSObjectRef fn, size_t argc,
                               const JSValueRef args[], bool exact_baseline, const char *what,
                               char **err)
{
    JSValueRef exc = NULL;
    run_begin(js, exact_baseline);
    JSValueRef r = JSObjectCallAsFunction(c, fn, NULL, argc, args, &exc);
    run_end(js);
    char *lim = limit_message(js);
    if (lim) {
        *err = lim;
        return NULL;
    }
    if (exc || !r) {
        *err = exc ? exception_message(c, exc) : sl_strdup(what);
        return NULL;
    }
    return r;
}

int sl_js_regex_test(struct sl_js *js, const char *source, const char *flags, const char *subject,
                     char **err)
{
    *err = NULL;
    JSObjectRef global = JSContextGetGlobalObject(js->ctx);
    JSObjectRef fn = (JSObjectRef)get_prop(js->ctx, global, "__sl_regex_test");
    JSStringRef a = jstr(source), b = jstr(flags ? flags : ""), c = jstr(subject);
    JSValueRef args[3] = {JSValueMakeString(js->ctx, a), JSValueMakeString(js->ctx, b),
                          JSValueMakeString(js->ctx, c)};
    JSStringRelease(a);
    JSStringRelease(b);
    JSStringRelease(c);
    JSValueRef r = call_limited(js, js->ctx, fn, 3, args, false, "invalid regular expression", err);
    if (!r)
        return -1;
    return JSValueToBoolean(js->ctx, r) ? 1 : 0;
}

/* V8 words a RegExp syntax error as "Invalid regular expression:
 * /source/flags: Unterminated group", JavaScriptCore as "Invalid regular
 * expression: missing )". Rewrites a JavaScriptCore message (`msg`, heap,
 * taken over) into V8's form, which n8n users see; other messages are
 * returned unchanged. */
static char *v8_regex_message(char *msg, const char *source, const char *flags)
{
    static const char prefix[] = "Invalid regular expression: ";
    static const char *const words[][2] = {
        {"missing )", "Unterminated group"},
        {"unmatched parentheses", "Unmatched ')'"},
        {"nothing to repeat", "Nothing to repeat"},
        {"missing terminating ] for character class", "Unterminated character class"},
        {"duplicate group specifier name", "Duplicate capture group name"},
        {"invalid group specifier name", "Invalid capture group name"},
        {"range out of order in character class", "Range out of order in character class"},
        {"invalid \\k<> named backreference", "Invalid named capture referenced"},
        {"invalid unicode {} escape", "Invalid Unicode escape"},
        {"invalid escaped character for unicode pattern", "Invalid escape"},
        {"invalid property expression", "Invalid property name"},
    };
    if (strncmp(msg, prefix, sizeof prefix - 1) != 0)
        return msg;
    const char *what = msg + sizeof prefix - 1;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        if (strcmp(what, words[i][0]) == 0) {
            what = words[i][1];
            break;
        }
    }
    char *r = sl_asprintf("%s/%s/%s: %s", prefix, source, flags ? flags : "", what);
    free(msg);
    return r;
}

char *sl_js_regex_replace(struct sl_js *js, const char *source, const char *flags,
                          const char *subject, const char *replacement, char **err)
{
    *err = NULL;
    JSObjectRef global = JSContextGetGlobalObject(js->ctx);
    JSObjectRef fn = (JSObjectRef)get_prop(js->ctx, global, "__sl_regex_replace");
    const char *in[4] = {source, flags ? flags : "", subject, replacement};
    JSValueRef args[4];
    for (int i = 0; i < 4; i++) {
        JSStringRef t = jstr(in[i]);
        args[i] = JSValueMakeString(js->ctx, t);
        JSStringRelease(t);
    }
    JSValueRef exc = NULL;
    run_begin(js, false);
    JSValueRef r = JSObjectCallAsFunction(js->ctx, fn, NULL, 4, args, &exc);
    run_end(js);
    char *lim = limit_message(js);
    if (lim) {
        *err = lim;
        return NULL;
    }
    if (exc || !r) {
        *err = exc ? v8_regex_message(exception_message(js->ctx, exc), source, flags)
                   : sl_strdup("invalid regular expression");
        return NULL;
    }
    return value_to_cstr(js->ctx, r);
}

json_t *sl_js_sort(struct sl_js *js, const char *body, const json_t *items, char **err)
{
    *err = NULL;
    JSObjectRef global = JSContextGetGlobalObject(js->ctx);
    JSObjectRef fn = (JSObjectRef)get_prop(js->ctx, global, "__sl_sort_code");
    JSStringRef b = jstr(body);
    JSValueRef args[2] = {JSValueMakeString(js->ctx, b), json_to_js(js->ctx, items)};
    JSStringRelease(b);
    JSValueRef r = call_limited(js, js->ctx, fn, 2, args, true, "the sort code did not run", err);
    if (!r)
        return NULL;
    json_t *res = js_to_json(js->ctx, r, err);
    if (!json_is_array(res) || json_array_size(res) != json_array_size(items)) {
        json_decref(res);
        if (!*err)
            *err = sl_strdup("the sort code did not return an order");
        return NULL;
    }
    return res;
}

/* Evaluates the HTML bundle (cheerio and html-to-text, about half a
 * megabyte of JavaScript) in its own context the first time an HTML node
 * runs in this execution. Returns 0, or -1 with *err set. */
static int load_html(struct sl_js *js, char **err)
{
    if (js->html_extract)
        return 0;
    if (!js->html_ctx)
        js->html_ctx = JSGlobalContextCreateInGroup(js->group, NULL);
    JSGlobalContextRef hc = js->html_ctx;
    JSStringRef src = jstr(sl_html_js);
    JSStringRef url = jstr("sluice-html.js");
    JSValueRef exc = NULL;
    run_begin(js, false);
    JSEvaluateScript(hc, src, NULL, url, 1, &exc);
    run_end(js);
    JSStringRelease(src);
    JSStringRelease(url);
    char *lim = limit_message(js);
    if (lim) {
        *err = lim;
        return -1;
    }
    JSValueRef fn = get_prop(hc, JSContextGetGlobalObject(hc), "__sl_html_extract");
    if (exc || !fn || !JSValueIsObject(hc, fn)) {
        *err = exc ? exception_message(hc, exc) : sl_strdup("the HTML library did not load");
        return -1;
    }
    js->html_extract = (JSObjectRef)fn;
    JSValueProtect(hc, fn);
    return 0;
}

json_t *sl_js_html_extract(struct sl_js *js, const json_t *html, const json_t *extraction,
                           const json_t *options, double version, bool legacy, char **err)
{
    *err = NULL;
    if (load_html(js, err) < 0)
        return NULL;
    JSGlobalContextRef hc = js->html_ctx;
    JSValueRef args[5] = {json_to_js(hc, html), json_to_js(hc, extraction), json_to_js(hc, options),
                          JSValueMakeNumber(hc, version), JSValueMakeBoolean(hc, legacy)};
    JSValueRef r = call_limited(js, hc, js->html_extract, 5, args, true,
                                "the HTML extraction did not run", err);
    if (!r)
        return NULL;
    json_t *res = js_to_json(hc, r, err);
    if (!json_is_object(res)) {
        json_decref(res);
        if (!*err)
            *err = sl_strdup("the HTML extraction returned no object");
        return NULL;
    }
    return res;
}

/* Evaluates one embedded script; returns false with *err set when it threw. */
static bool load_script(struct sl_js *js, const char *source, const char *name, char **err)
{
    JSValueRef exc = NULL;
    if (!eval_library(js->ctx, source, name, &exc)) {
        char *m = exception_message(js->ctx, exc);
        *err = sl_asprintf("cannot load %s: %s", name, m);
        free(m);
        return false;
    }
    return true;
}

/* moment-timezone, which datetime.js loads only when a date changes zone:
 * its zone data is most of the cost of the Date & Time node's start. */
NATIVE(n_load_moment_tz)
{
    UNUSED_NATIVE_ARGS;
    char *err = NULL;
    if (!load_script(js_of(ctx), sl_moment_tz_js, "moment-timezone.js", &err)) {
        throw_msg(ctx, exc, err);
        free(err);
    }
    return JSValueMakeUndefined(ctx);
}

json_t *sl_js_datetime(struct sl_js *js, const char *fn, const json_t *args, char **err)
{
    *err = NULL;
    if (!js->datetime_loaded) {
        add_native(js->ctx, JSContextGetGlobalObject(js->ctx), "__sl_load_moment_tz",
                   n_load_moment_tz);
        if (!load_script(js, sl_moment_js, "moment.js", err) ||
            !load_script(js, sl_datetime_js, "sluice-datetime.js", err))
            return NULL;
        js->datetime_loaded = true;
    }
    JSObjectRef global = JSContextGetGlobalObject(js->ctx);
    JSObjectRef obj = (JSObjectRef)get_prop(js->ctx, global, "__sl_datetime");
    JSObjectRef f = (JSObjectRef)get_prop(js->ctx, obj, fn);
    size_t n = json_array_size(args);
    JSValueRef argv[8];
    if (n > sizeof argv / sizeof *argv)
        n = sizeof argv / sizeof *argv;
    for (size_t i = 0; i < n; i++)
        argv[i] = json_to_js(js->ctx, json_array_get(args, i));
    JSValueRef r =
        call_limited(js, js->ctx, f, n, argv, false, "the date computation did not run", err);
    if (!r)
        return NULL;
    json_t *res = js_to_json(js->ctx, r, err);
    if (!json_is_object(res)) {
        json_decref(res);
        if (!*err)
            *err = sl_strdup("the date computation returned no result");
        return NULL;
    }
    return res;
}
