/*
 * libFuzzer target for the C fast path of expressions: any text must be
 * either evaluated as a $json path or left to JavaScript, never crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char doc[] = "{\"a\":{\"b\":[1,{\"c\":\"x\"}],\"n\":null},\"k y\":2,\"0\":3}";
    char *code = malloc(size + 1);
    memcpy(code, data, size);
    code[size] = '\0';
    json_t *json = json_loads(doc, 0, NULL);
    json_t *out = NULL;
    if (sl_expr_fast_path(code, json, &out))
        json_decref(out);
    json_decref(json);
    free(code);
    return 0;
}
