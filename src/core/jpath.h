/*
 * Dot paths on jansson values, as n8n's nodes use them through lodash
 * (`_.get`, `_.set`, `_.unset`): "a.b", "a[0].b", "a[\"x.y\"]", "['k']".
 *
 * Path rules follow lodash 4: a path that names an existing key of the root
 * object is taken literally ("a.b" finds {"a.b": 1}); so is a path without
 * dots or brackets. Otherwise it is split the way lodash's stringToPath
 * splits it. A missing intermediate is created as an array when the next
 * segment is an array index ("0", "12"), else as an object; a scalar in
 * the way is replaced the same way. Keys "__proto__", "constructor" and
 * "prototype" make a set a no-op, as in lodash.
 *
 * Items are immutable and shared between nodes (core/item.h), so the
 * setters are copy-on-write: every container on the path that is shared
 * (refcount > 1) is shallow-copied before it is changed, and unchanged
 * subtrees stay shared. A container whose only reference is held through
 * containers the caller exclusively owns is changed in place, which makes
 * repeated sets on one fresh copy cheap.
 *
 * Ownership: `root` arguments of the getters are borrowed and the result
 * is borrowed from root. The setters take `json_t **root` holding a
 * reference the caller owns; they may replace *root with a new reference
 * (dropping the old one). `value` is always stolen, also on failure.
 *
 * Thread rule: none beyond jansson's; values may be shared across threads
 * because shared containers are never mutated.
 */
#ifndef SL_CORE_JPATH_H
#define SL_CORE_JPATH_H

#include <jansson.h>

#include "core/err.h"

enum sl_jpath_flags {
    /* The path is one key, taken literally (n8n's "dot notation" off). */
    SL_JPATH_LITERAL = 1u << 0,
};

/* Returns the value at `path` under `root` (borrowed), or NULL when any
 * segment is missing, as lodash's _.get(root, path) returns undefined. */
json_t *sl_jpath_get(const json_t *root, const char *path);
json_t *sl_jpath_get_ex(const json_t *root, const char *path, unsigned flags);

/* Sets `path` under *root to `value` (stolen), like lodash's _.set.
 * Returns 0, or SL_ERR_INVALID when lodash would silently do nothing
 * (root not an object/array, a forbidden key, a non-index key on an
 * array), or SL_ERR_LIMIT for an array index far past the end. *root is
 * left valid in every case. */
int sl_jpath_set(json_t **root, const char *path, json_t *value);
int sl_jpath_set_ex(json_t **root, const char *path, json_t *value, unsigned flags);

/* Removes `path` from *root like lodash's _.unset (an array element
 * becomes null: a hole, as JSON shows it). Returns 1 when something was
 * removed, 0 when the path did not exist. */
int sl_jpath_unset(json_t **root, const char *path);
int sl_jpath_unset_ex(json_t **root, const char *path, unsigned flags);

/* Makes `v` (a reference the caller owns, stolen) safe to mutate: returns
 * v itself when it holds the only reference, else a shallow copy. */
json_t *sl_jpath_own(json_t *v);

#endif
