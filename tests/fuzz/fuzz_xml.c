/*
 * libFuzzer target for the XML node's conversions (nodes/xml_conv.h).
 * The first byte picks parser and builder options; the rest is parsed as
 * XML, and whatever parses is built back into XML. The same bytes are
 * also tried as a JSON document for the builder. Nothing may crash or
 * leak, and a failure must come with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nodes/xml_conv.h"

static json_t *parse_options(uint8_t bits)
{
    return json_pack("{sbsbsbsbsbsbsbsbss}", "explicitArray", bits & 1, "mergeAttrs", bits & 2,
                     "ignoreAttrs", bits & 4, "explicitRoot", !(bits & 8), "trim", bits & 16,
                     "normalize", bits & 32, "normalizeTags", bits & 64, "explicitCharkey",
                     bits & 128, "charkey", (bits & 3) == 3 ? "#" : "_");
}

static json_t *build_options(uint8_t bits)
{
    json_t *o = json_pack("{sbsbss}", "headless", bits & 1, "cdata", bits & 2, "attrkey",
                          bits & 4 ? "@" : "$");
    if (bits & 8)
        json_object_set_new(o, "renderOpts",
                            json_pack("{sbsbsbss}", "pretty", bits & 16, "allowEmpty", bits & 32,
                                      "dontPrettyTextNodes", bits & 64, "indent", "\t"));
    if (bits & 128)
        json_object_set_new(o, "rootName", json_string("r"));
    return o;
}

static void check_build(const json_t *value, uint8_t bits)
{
    json_t *bo = build_options(bits);
    char *err = NULL;
    char *xml = sl_json_to_xml(value, bo, &err);
    if (!xml && !err)
        abort();
    free(xml);
    free(err);
    json_decref(bo);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t bits = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    json_t *po = parse_options(bits);
    char *err = NULL;
    json_t *doc = sl_xml_to_json(text, len, po, &err);
    if (!doc && !err)
        abort();
    if (doc)
        check_build(doc, bits);
    json_decref(doc);
    free(err);
    json_decref(po);

    json_t *value = json_loadb(text, len, JSON_DECODE_ANY, NULL);
    if (value)
        check_build(value, bits);
    json_decref(value);
    return 0;
}
