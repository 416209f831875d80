/*
 * Condition evaluation shared by the If, Filter and Switch nodes.
 *
 * Two families live here, both reproducing n8n's observable behaviour (as
 * of the conformance corpus commit, December 2025):
 *
 *  - the "filter" parameter type (If v2.x, Filter v2.x, Switch v3.x): an
 *    object {options, combinator, conditions[]} whose conditions carry an
 *    operator {type, operation, rightType?, singleValue?}. Values are
 *    validated and converted per n8n's strict/loose rules, with n8n's exact
 *    error texts ("Wrong type: '…' is a string but was expecting a number
 *    [condition 0, item 0]"). conditions.c;
 *  - the legacy comparison operations of If v1, Filter v1 and Switch v1/v2
 *    (equal, smaller, contains, regex, ...), which follow JavaScript's loose
 *    semantics (`(a || 0) > (b || 0)`, `===`, `String#includes`).
 *    conditions_v1.c.
 *
 * JavaScript semantics come from core/jsvalue.h; regular expressions run
 * in the execution's JavaScriptCore context (sl_js_regex_test) so their
 * syntax is ECMAScript's; dates are parsed in C for the common ISO/SQL
 * shapes (nodes/jsdate.h) and by luxon / Date in JavaScript otherwise.
 *
 * Ownership: every json_t argument is borrowed and never modified; a NULL
 * json_t stands for JavaScript's `undefined` (an absent value), JSON null
 * for `null`. Functions that can fail take the node context, set the
 * message there with sl_ctx_fail() and return its negative code; nothing
 * is allocated for the caller.
 *
 * Thread rule: functions run on the thread that runs the execution (they
 * may call into its JavaScript context).
 */
#ifndef SL_NODES_CONDITIONS_H
#define SL_NODES_CONDITIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct sl_node_ctx;

/* ---- filter parameter (If v2, Filter v2, Switch v3) ---- */

/* Evaluates an already expression-resolved filter value for input item
 * `item` (n8n's executeFilter behind getNodeParameter's extractValue). A
 * value that is not a filter object (lacking `conditions` or `combinator`)
 * passes when it is truthy, as in n8n; NULL (an absent parameter) counts
 * as n8n's default `{}` and passes. On success stores the result in *pass
 * and returns 0. On failure sets the message on ctx, and its description
 * when n8n gives one (then *described is set true; `described` may be
 * NULL), and returns a negative sl_err. */
int sl_filter_execute(struct sl_node_ctx *ctx, const json_t *filter, size_t item, bool *pass,
                      bool *described) SL_MUST_CHECK;

/* The description n8n's If/Filter/Switch add to an undescribed error when
 * type validation is strict. */
#define SL_FILTER_STRICT_HINT                                                                      \
    "Try changing the type of comparison. Alternatively you can enable 'Convert types where "      \
    "required'."

/* If v2 and Filter v2: evaluates the node's `conditions` parameter for
 * input item `item`. Type validation is loose when the node's
 * looseTypeValidation setting is on (`options.looseTypeValidation` in 2.0,
 * top-level from 2.1); when it is not, an error without a description of
 * its own gets SL_FILTER_STRICT_HINT. Stores the result in *pass and
 * returns 0, or a negative sl_err with the message set on ctx. */
int sl_filter_conditions(struct sl_node_ctx *ctx, size_t item, bool *pass) SL_MUST_CHECK;

/* ---- legacy comparisons (If v1, Filter v1, Switch v1/v2) ---- */

enum sl_v1_result {
    SL_V1_FALSE = 0,
    SL_V1_TRUE = 1,
    SL_V1_UNKNOWN_OP = 2, /* the operation name is not one of the table */
};

/* Compares value1 and value2 (either may be NULL for undefined) with the
 * n8n operation `op`. `with_empty` enables isEmpty/isNotEmpty, which only
 * If v1 and Filter v1 have. Returns SL_V1_TRUE/FALSE, SL_V1_UNKNOWN_OP
 * (nothing set on ctx; the caller words n8n's TypeError, whose text names
 * the calling code), or a negative sl_err with the message set (a
 * JavaScript TypeError text or an invalid regex). */
int sl_v1_compare(struct sl_node_ctx *ctx, const char *op, const json_t *value1,
                  const json_t *value2, bool with_empty) SL_MUST_CHECK;

/* n8n's convertDateTime for the v1 dateTime type, evaluated for input item
 * `item`: strings go through `new Date(s).getTime()`, numbers are taken as
 * epoch milliseconds. Anything else, or an unparsable string, fails with
 * `The value "<value>" is not a valid DateTime.` */
int sl_v1_datetime(struct sl_node_ctx *ctx, const json_t *value, size_t item,
                   double *ms) SL_MUST_CHECK;

enum sl_v1_combine {
    SL_V1_ALL,   /* If v1 "all", Filter v1 "AND" */
    SL_V1_ANY,   /* If v1 "any", Filter v1 "OR" */
    SL_V1_OTHER, /* anything else: every condition runs, the item fails */
};

/* Runs the typed condition lists of an If v1 / Filter v1 node
 * (conditions.boolean, .dateTime, .number, .string, in that order) for
 * input item `item`, stopping as soon as `combine` decides. Missing keys
 * get n8n's defaults. An unknown operation fails with `unknown_op`, the
 * TypeError text n8n's code produces. Stores the outcome in *pass and
 * whether any condition ran in *checked; returns 0 or a negative sl_err
 * with the message set. */
int sl_v1_conditions(struct sl_node_ctx *ctx, size_t item, enum sl_v1_combine combine,
                     const char *unknown_op, bool *pass, bool *checked) SL_MUST_CHECK;

/* ---- helpers shared by the two families ---- */

/* JavaScript RegExp test of `subject` against a pattern written either as
 * "/source/flags" or as a bare source (n8n's parseRegexLiteral). Returns
 * 1 or 0, or a negative sl_err with the syntax error set on ctx. */
int sl_cond_regex(struct sl_node_ctx *ctx, const char *pattern, const char *subject) SL_MUST_CHECK;

/* n8n's tryToParseDateTime on String(value) for item `item`: luxon's ISO,
 * HTTP, RFC 2822 and SQL parsers, then Date.parse. luxon reads text without
 * an offset in the workflow's zone (sl_ctx_timezone), Date.parse in the
 * process's. Returns 1 with *ms set, 0 when the text is not a date, or a
 * negative sl_err. */
int sl_cond_luxon_date(struct sl_node_ctx *ctx, const char *text, size_t item,
                       double *ms) SL_MUST_CHECK;

/* `new Date(text).getTime()`: 1 with *ms set, 0 for an invalid date, or a
 * negative sl_err. */
int sl_cond_js_date(struct sl_node_ctx *ctx, const char *text, size_t item,
                    double *ms) SL_MUST_CHECK;

#endif
