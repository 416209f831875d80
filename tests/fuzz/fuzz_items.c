/*
 * libFuzzer target for start items given by a user (sluice run --input):
 * JSON text, then the item shape check.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/item.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, &je);
    if (!doc)
        return 0;
    char err[256];
    json_t *items = sl_items_from_user(doc, err, sizeof err);
    if (items && !json_is_array(items))
        abort();
    json_decref(items);
    json_decref(doc);
    return 0;
}
