/*
 * JavaScript value semantics over jansson values, for nodes that must
 * reproduce what n8n's TypeScript does with item data: String(v),
 * Number(v), truthiness, `===`, `<`, JSON.stringify and
 * toLocaleLowerCase().
 *
 * A NULL json_t stands for JavaScript's `undefined` (an absent value) and
 * JSON null for `null`. Every jansson integer or real is a JavaScript
 * number (a double). Objects and arrays never compare equal with `===`:
 * in n8n each side of a comparison comes from its own evaluation, so two
 * containers are never the same object.
 *
 * Ownership: json_t arguments are borrowed; returned strings are new heap
 * strings the caller frees. Thread rule: all functions are reentrant (the
 * case-mapping locale is created once, under pthread_once).
 */
#ifndef SL_CORE_JSVALUE_H
#define SL_CORE_JSVALUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest text sl_jsv_num_format() writes, with its NUL. */
#define SL_JSV_NUM_MAX 32

/* Number::toString(10) into out (shortest round-trip digits, JS layout). */
void sl_jsv_num_format(double d, char out[SL_JSV_NUM_MAX]);

/* The number a JSON number holds (NaN for anything else). */
double sl_jsv_num(const json_t *v);

/* JavaScript typeof: "undefined", "object" (null, arrays, objects),
 * "boolean", "number" or "string". */
const char *sl_jsv_typeof(const json_t *v);

/* String(v): "undefined", "null", "true", numbers in JS format, strings as
 * they are, arrays joined with "," (null and undefined elements empty),
 * objects "[object Object]". */
char *sl_jsv_to_string(const json_t *v);

/* Number(v); strings follow StringToNumber (trimmed, "" is 0, hex/octal/
 * binary prefixes, "Infinity"), arrays go through their string form. */
double sl_jsv_to_number(const json_t *v);

/* Number(s) for a string. */
double sl_jsv_str_to_number(const char *s);

/* Boolean(v). */
bool sl_jsv_truthy(const json_t *v);

/* a === b. */
bool sl_jsv_strict_equals(const json_t *a, const json_t *b);

/* SameValueZero (Array.prototype.includes): like === but NaN equals NaN. */
bool sl_jsv_same_value_zero(const json_t *a, const json_t *b);

enum sl_jsv_rel {
    SL_JSV_LT = -1,
    SL_JSV_EQ = 0,
    SL_JSV_GT = 1,
    SL_JSV_UNORDERED = 2, /* a NaN was involved: every relation is false */
};

/* The abstract relational comparison behind a < b, a <= b, a > b and
 * a >= b: ToPrimitive (arrays and objects become strings), then either a
 * UTF-16 code unit comparison of two strings or a numeric one. */
enum sl_jsv_rel sl_jsv_compare(const json_t *a, const json_t *b);

/* Compares two UTF-8 strings by UTF-16 code units, as JavaScript orders
 * strings: negative, 0 or positive. */
int sl_jsv_strcmp_utf16(const char *a, const char *b);

/* Exclusive bounds for sl_jsv_index_key(): JavaScript's array indices
 * (the keys an object lists first, ascending) and lodash's isIndex
 * (below Number.MAX_SAFE_INTEGER). */
#define SL_JSV_ARRAY_INDEX_LIMIT UINT64_C(4294967295)
#define SL_JSV_SAFE_INDEX_LIMIT UINT64_C(9007199254740991)

/* Whether key is a canonical decimal index ("0", "17"; not "", "01" or
 * "+1") below limit; sets *out (may be NULL) when it is. */
bool sl_jsv_index_key(const char *key, uint64_t limit, uint64_t *out);

/* JSON.stringify(v) without indentation (keys that are array indices
 * first, ascending, then the others in insertion order). NULL for
 * undefined. */
char *sl_jsv_stringify(const json_t *v);
/* Appends JSON.stringify(v, null, indent) to `b`, as if v were nested
 * `depth` levels deep; v must not be NULL. */
struct sl_buf;
void sl_jsv_stringify_to(struct sl_buf *b, const json_t *v, int indent, int depth);

/* String.prototype.toLocaleLowerCase() of a UTF-8 string (full Unicode
 * simple case mapping, U+0130 to "i\u0307" and the final sigma rule). */
char *sl_jsv_lower(const char *s);

/* String.prototype.toUpperCase() of a UTF-8 string: Unicode's simple case
 * mapping, and U+00DF to "SS" (other one-to-many mappings, such as
 * ligatures, keep the character). */
char *sl_jsv_upper(const char *s);

/* Length in bytes of the JavaScript whitespace or line terminator (what
 * the regular expression \s matches) at s, 0 if none. */
size_t sl_jsv_space_len(const char *s);

/* String.prototype.trim() bounds: sets *b and *e to the trimmed range of
 * s (JS whitespace and line terminators removed). */
void sl_jsv_trim(const char *s, const char **b, const char **e);

/* s.split(",").map((p) => p.trim()) as a new array of strings; empty
 * parts are dropped unless keep_empty. */
json_t *sl_jsv_split_trim(const char *s, bool keep_empty);

/* String(v ?? ""): "" for undefined (NULL) and null, JavaScript's
 * String() otherwise. New heap string. */
char *sl_jsv_to_string_or_empty(const json_t *v);

/* Object.keys(obj): a new array of the object's keys as strings, array
 * indices first (ascending), then the others in insertion order; an empty
 * array for anything but an object. */
json_t *sl_jsv_keys(const json_t *obj);

/* Buffer.from(bytes).toString('utf-8'): a new JSON string of the bytes
 * with every ill-formed sequence (its maximal valid prefix) replaced by
 * U+FFFD, as the WHATWG decoder does. */
json_t *sl_jsv_utf8_decode(const void *bytes, size_t len);

/* Appends code point `c` to `b` as UTF-8 (the caller keeps surrogates
 * out). */
void sl_jsv_utf8_put(struct sl_buf *b, uint32_t c);

/* lodash isEqual: containers by content (object keys in any order),
 * scalars by SameValueZero. NULL is undefined. */
bool sl_jsv_deep_equal(const json_t *a, const json_t *b);

/* n8n's fuzzyCompare (nodes-base utils): lodash isEqual when `fuzzy` is
 * false. Otherwise values of one type (null aside) compare with isEqual,
 * and across types null, "" and [] equal each other and undefined, a
 * number equals its String(), an object or array equals a string that
 * JSON-parses to it, and true/false equal "true"/"false" (any case), "1"/"0"
 * and 1/0. `version` 2 or later (Compare Datasets 2+) also makes null
 * equal 0 and "0". */
bool sl_jsv_fuzzy_equal(const json_t *a, const json_t *b, bool fuzzy, int version);

/* lodash lt: code-unit order when both are strings, else numbers. */
bool sl_jsv_lodash_lt(const json_t *a, const json_t *b);

/* Sorts the indexes idx[0..n) as V8's Array.prototype.sort (TimSort) does
 * for arrays under 64 elements: the leading natural run (reversed when
 * strictly descending), then binary insertion of the rest, the new element
 * passed first to cmp. n8n's comparators are not always consistent, so the
 * algorithm decides their results; for 64 or more elements V8 also merges
 * runs, which this does not, so results can differ there for inconsistent
 * comparators only. cmp returns <0, 0 or >0 like a JavaScript comparator. */
void sl_jsv_sort(size_t *idx, size_t n, int (*cmp)(size_t a, size_t b, void *ud), void *ud);

#endif
