/*
 * The JavaScript bridge: one JavaScriptCore context per execution.
 *
 * It evaluates `={{ … }}` expressions (compiled once per template and
 * cached) and runs Code / Function nodes. The context's globals ($json,
 * $input, $('Node'), $node, $items, $execution, $workflow, $now, DateTime,
 * …) are getters that read the execution's run data through native
 * callbacks, so nothing is copied into JavaScript that is not used.
 *
 * Isolation: each execution gets its own global context, so one
 * execution's code cannot see another's globals. User code has no
 * filesystem, process or network API. Runaway code is stopped by a
 * JavaScriptCore watchdog that checks the time limit and the process's
 * memory growth.
 *
 * Thread rule: a struct sl_js belongs to its execution and is used by the
 * thread that runs it.
 */
#ifndef SL_JS_JS_H
#define SL_JS_JS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct sl_exec;
struct sl_node_ctx;
struct sl_js;

struct sl_js *sl_js_new(struct sl_exec *ex);
void sl_js_free(struct sl_js *js);

/* Runtimes are reused: creating one (a JavaScriptCore VM, its global
 * object, the prelude and n8n's extensions) costs milliseconds, more than
 * a small execution. sl_js_acquire() hands execution `ex` the runtime the
 * thread kept from its last execution, or a new one; sl_js_release() ends
 * the execution's use of it: it removes the globals the execution added
 * (enumerable ones: assignments, globalThis.x, declarations; a property
 * made non-enumerable with Object.defineProperty stays) and the Code
 * nodes' state, and keeps the runtime (compiled templates
 * and libraries loaded on demand included) for the thread's next
 * execution. A runtime in which a limit stopped code is freed instead.
 * What an execution does to built-in prototypes is not undone: like n8n's
 * Code node, sluice gives code its own globals, not its own built-ins. */
struct sl_js *sl_js_acquire(struct sl_exec *ex);
void sl_js_release(struct sl_js *js);
/* Points the runtime at execution `ex` (a sub-workflow's execution shares
 * its caller's runtime: same context group and limits); returns the
 * execution it served before. */
struct sl_exec *sl_js_set_exec(struct sl_js *js, struct sl_exec *ex);

/* Evaluates the template `tmpl` (an expression string without its leading
 * '=') for input item `item` of the node running in `ctx`. Returns a new
 * reference; NULL with *err NULL when the value is undefined; NULL with
 * *err set (heap string) when evaluation failed. */
json_t *sl_js_eval(struct sl_js *js, struct sl_node_ctx *ctx, const char *tmpl, size_t item,
                   char **err);

/* Sets the global `name` of the runtime to a copy of `value` (borrowed),
 * or deletes it when `value` is NULL: extra variables an expression may
 * read, such as the HTTP Request node's $response and $pageCount during
 * pagination. The caller deletes what it set once done. */
void sl_js_set_global(struct sl_js *js, const char *name, const json_t *value);

/* While on, expressions evaluated by sl_js_eval hand dates over as n8n's
 * nodes receive them: a luxon DateTime comes back as {"__sl_luxon": ISO
 * text, "zone": zone name} (for sl_js_datetime, which rebuilds it) and a
 * JavaScript Date as its time in milliseconds. Returns the previous
 * setting. */
bool sl_js_keep_dates(struct sl_js *js, bool on);

enum sl_code_mode {
    SL_CODE_ALL_ITEMS,     /* Code: runOnceForAllItems */
    SL_CODE_EACH_ITEM,     /* Code: runOnceForEachItem */
    SL_CODE_FUNCTION,      /* legacy Function node */
    SL_CODE_FUNCTION_ITEM, /* legacy Function Item node */
};

/* Runs user code for the node in `ctx` and emits its items on output 0.
 * Returns 0, or a negative enum sl_err with the message set on ctx. */
int sl_js_run_code(struct sl_js *js, struct sl_node_ctx *ctx, const char *code,
                   enum sl_code_mode mode);

/* JavaScript `new RegExp(source, flags).test(subject)`, run by
 * JavaScriptCore so the syntax and semantics are ECMAScript's. Returns 1 on
 * a match, 0 on none, or -1 with *err (heap string) on a syntax error such
 * as "Invalid regular expression: missing )". */
int sl_js_regex_test(struct sl_js *js, const char *source, const char *flags, const char *subject,
                     char **err);

/* JavaScript `subject.replace(new RegExp(source, flags), replacement)`
 * (replacement patterns $1, $&, $<name>, ... included), run by
 * JavaScriptCore. Returns a new heap string, or NULL with *err (heap
 * string) on a syntax error, worded as V8 words it ("Invalid regular
 * expression: /(a/: Unterminated group"), or on a limit hit. */
char *sl_js_regex_replace(struct sl_js *js, const char *source, const char *flags,
                          const char *subject, const char *replacement, char **err);

/* The Sort node's "code" type: sorts `items` (a borrowed array of n8n
 * items) with the comparator whose body is `body` (user code over `a` and
 * `b`, returning a number), as n8n's items.sort((a, b) => { body }) on V8
 * does. On success returns a new array of the input indices in sorted
 * order; on failure NULL with *err (heap string) set. */
json_t *sl_js_sort(struct sl_js *js, const char *body, const json_t *items, char **err);

/* The HTML node's extractHtmlContent (legacy false, `version` its
 * typeVersion) and the HTML Extract node's extraction (legacy true) for one
 * HTML document: cheerio loads `html` (borrowed; a string as a rule, other
 * values as cheerio treats them), each entry of `extraction`.values is
 * selected and read, and `options` (trimValues, cleanUpText) applied, as
 * n8n does. The HTML library is loaded into the context on first use.
 * Returns the new item's json (a new reference), or NULL with *err (heap
 * string) set: a selector error, a value error or a limit hit. */
json_t *sl_js_html_extract(struct sl_js *js, const json_t *html, const json_t *extraction,
                           const json_t *options, double version, bool legacy, char **err);

/* The Date & Time node's computation `fn` ("v1" or "v2", see
 * src/js/datetime.js) called with the elements of `args` (a borrowed JSON
 * array). moment, moment-timezone and datetime.js are loaded into the
 * context on the first call only. Returns a new object, or NULL with *err
 * (heap string) set to the error's message. */
json_t *sl_js_datetime(struct sl_js *js, const char *fn, const json_t *args, char **err);

#endif
