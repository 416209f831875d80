/*
 * Item constructors and helpers (see item.h for the ownership rules).
 */
#include "core/item.h"

#include <stdio.h>
#include <string.h>

json_t *sl_item_new(json_t *json)
{
    json_t *it = json_object();
    json_object_set_new(it, "json", json ? json : json_object());
    return it;
}

json_t *sl_item_new_paired(json_t *json, size_t index)
{
    json_t *it = sl_item_new(json);
    sl_item_set_paired(it, index, 0);
    return it;
}

json_t *sl_item_derive(const json_t *src, json_t *json, size_t index)
{
    json_t *it = sl_item_new_paired(json, index);
    json_t *bin = json_object_get(src, "binary");
    if (bin)
        json_object_set(it, "binary", bin);
    return it;
}

json_t *sl_item_json(const json_t *item)
{
    return json_object_get(item, "json");
}

void sl_item_set_paired(json_t *item, size_t index, int input)
{
    json_t *p = json_object();
    json_object_set_new(p, "item", json_integer((json_int_t)index));
    if (input > 0)
        json_object_set_new(p, "input", json_integer(input));
    json_object_set_new(item, "pairedItem", p);
}

json_t *sl_item_with_paired(json_t *src, size_t index)
{
    if (json_object_get(src, "pairedItem"))
        return json_incref(src);
    json_t *c = json_copy(src);
    sl_item_set_paired(c, index, 0);
    return c;
}

json_t *sl_item_tagged(const json_t *item, size_t index, int input)
{
    json_t *c = json_is_object(item) ? json_copy((json_t *)item) : json_object();
    if (!json_is_object(json_object_get(c, "json")))
        json_object_set_new(c, "json", json_object());
    sl_item_set_paired(c, index, input);
    return c;
}

void sl_item_paired_append(json_t *list, const json_t *item)
{
    json_t *p = json_object_get(item, "pairedItem");
    if (json_is_array(p))
        json_array_extend(list, p);
    else if (json_is_object(p))
        json_array_append(list, p);
    else if (json_is_integer(p))
        json_array_append_new(list, json_pack("{s:I}", "item", json_integer_value(p)));
}

static const char *const item_keys[] = {"json", "binary", "pairedItem", "error", "index"};

static bool is_item_shaped(const json_t *v)
{
    if (!json_is_object(v) || !json_is_object(json_object_get(v, "json")))
        return false;
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)v, k, x)
    {
        bool ok = false;
        for (size_t i = 0; i < sizeof item_keys / sizeof item_keys[0]; i++)
            ok |= !strcmp(k, item_keys[i]);
        if (!ok)
            return false;
    }
    return true;
}

json_t *sl_items_from_user(const json_t *value, char *err, size_t errlen)
{
    if (json_is_object(value)) {
        json_t *res = json_array();
        json_array_append_new(res, is_item_shaped(value)
                                       ? json_copy((json_t *)value)
                                       : sl_item_new(json_incref((json_t *)value)));
        return res;
    }
    if (!json_is_array(value)) {
        snprintf(err, errlen, "items must be a JSON array of objects");
        return NULL;
    }
    json_t *res = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(value, i, v)
    {
        if (!json_is_object(v)) {
            snprintf(err, errlen, "item %zu is not an object", i);
            json_decref(res);
            return NULL;
        }
        json_array_append_new(res,
                              is_item_shaped(v) ? json_incref(v) : sl_item_new(json_incref(v)));
    }
    return res;
}
