/*
 * Items: the unit of data that flows between nodes.
 *
 * An item is a jansson object {"json": {...}, "binary"?: {...},
 * "pairedItem"?: {...}|[...], "error"?: ...}, exactly n8n's shape. A list of
 * items is a jansson array. Items are immutable once a node has emitted
 * them: they are shared by reference between nodes, run data and
 * expressions, so a node that wants to change one builds a new item
 * (sharing unchanged subtrees by reference).
 *
 * Ownership follows jansson: getters borrow, constructors return a new
 * reference, and arguments named *_steal (or documented "stolen") are taken
 * over by the callee.
 */
#ifndef SL_CORE_ITEM_H
#define SL_CORE_ITEM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Returns a new item {json: json}; json is stolen (NULL gives {}). */
json_t *sl_item_new(json_t *json);

/* Returns a new item {json, pairedItem: {item: index}}; json is stolen. */
json_t *sl_item_new_paired(json_t *json, size_t index);

/* Returns a new item that keeps src's binary data, with json replaced (json
 * is stolen) and pairedItem {item: index}. */
json_t *sl_item_derive(const json_t *src, json_t *json, size_t index);

/* Borrowed: the item's json object, or NULL when the item has none. */
json_t *sl_item_json(const json_t *item);

/* Sets item.pairedItem = {item: index} (or {item, input} when input > 0).
 * Only for items the caller owns and has not emitted yet. */
void sl_item_set_paired(json_t *item, size_t index, int input);

/* Returns a new reference to `src` if it already has pairedItem, else a
 * shallow copy with pairedItem {item: index}. */
json_t *sl_item_with_paired(json_t *src, size_t index);

/* Returns a shallow copy of `item` (an object; anything else reads as an
 * empty item) whose pairedItem is {item: index} (plus `input` when > 0),
 * for nodes that point their output at their own input items. */
json_t *sl_item_tagged(const json_t *item, size_t index, int input);

/* Appends the pairedItem entries of `item` to the array `list` (n8n's
 * preparePairedItemDataArray: a number, an object or a list of them). */
void sl_item_paired_append(json_t *list, const json_t *item);

/* Builds a new item list from a JSON array given by a user (objects or
 * {json: ...} items), as `sluice run --input` accepts it. Returns NULL and
 * writes `err` (size errlen) when the value has the wrong shape. */
json_t *sl_items_from_user(const json_t *value, char *err, size_t errlen);

#endif
