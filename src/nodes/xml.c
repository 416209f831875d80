/*
 * XML (n8n-nodes-base.xml, version 1): converts each item from JSON to
 * XML ("jsonToxml": the whole item json becomes an XML string under
 * dataPropertyName) or from XML to JSON ("xmlToJson": the string under
 * dataPropertyName is parsed and the result becomes the item's json).
 * The conversion rules are xml2js's and live in xml_conv.c.
 *
 * As in n8n, mode, dataPropertyName and options are read once, for item
 * 0, options are limited to those n8n's node describes, and xmlToJson
 * starts from n8n's defaults mergeAttrs: true and explicitArray: false. A failing item with
 * continue-on-fail produces no output item, as in n8n (which writes the error into its input list);
 * sluice logs a line for it so that the drop is not silent.
 */
#include <stdlib.h>
#include <string.h>

#include "core/jsvalue.h"
#include "nodes/node.h"
#include "nodes/xml_conv.h"
#include "util/alloc.h"

static const double versions[] = {1, 0};

/* The options n8n's node describes for each mode. n8n resolves a
 * collection parameter against its description, so any other key in the
 * saved parameters (renderOpts, xmldec, explicitCharkey, ...) never
 * reaches xml2js; the same keys are dropped here. */
static const char *const parse_keys[] = {
    "attrkey",    "charkey",   "explicitArray", "explicitRoot", "ignoreAttrs",
    "mergeAttrs", "normalize", "normalizeTags", "trim",         NULL};
static const char *const build_keys[] = {
    "allowSurrogateChars", "attrkey", "cdata", "charkey", "headless", "rootName", NULL};

/* A new object with the keys of `options` that are in `keys`. */
static json_t *described(const json_t *options, const char *const *keys)
{
    json_t *out = json_object();
    for (; *keys; keys++) {
        json_t *v = json_object_get(options, *keys);
        if (v)
            json_object_set(out, *keys, v);
    }
    return out;
}

/* The json of one xmlToJson result item, or NULL with the message set. */
static json_t *xml_to_json(struct sl_node_ctx *ctx, const json_t *json, const char *prop,
                           const json_t *options, size_t i)
{
    json_t *v = json_is_object(json) ? json_object_get(json, prop) : NULL;
    if (!v) {
        sl_ctx_fail(ctx, "Item has no JSON property called \"%s\"", prop);
        return NULL;
    }
    if (json_is_null(v)) {
        sl_ctx_fail(ctx, "Cannot read properties of null (reading 'toString')");
        sl_ctx_fail_description(ctx, "property \"%s\" of item %zu is null, not XML text", prop, i);
        return NULL;
    }
    /* xml2js parses String(value) */
    char *text = json_is_string(v) ? NULL : sl_jsv_to_string(v);
    const char *s = text ? text : json_string_value(v);
    size_t len = text ? strlen(text) : json_string_length(v);
    char *err = NULL;
    json_t *out = sl_xml_to_json(s, len, options, &err);
    free(text);
    if (!out) {
        sl_ctx_fail(ctx, "invalid XML in property \"%s\" of item %zu: %s", prop, i, err);
        free(err);
        return NULL;
    }
    if (json_is_null(out)) {
        /* xml2js returns null for blank text; n8n then fails the whole
         * execution ("Cannot read properties of null") */
        json_decref(out);
        sl_ctx_fail(ctx, "property \"%s\" of item %zu holds no XML (the text is empty)", prop, i);
        return NULL;
    }
    return out;
}

static int execute(struct sl_node_ctx *ctx)
{
    int rc = SL_ERR_NODE;
    char *mode = NULL, *prop = NULL;
    json_t *options = NULL, *parse_opts = NULL;
    if (sl_ctx_param_str(ctx, "mode", 0, "xmlToJson", &mode) < 0)
        goto out;
    bool to_json = strcmp(mode, "xmlToJson") == 0;
    if (!to_json && strcmp(mode, "jsonToxml") != 0) {
        /* n8n shows dataPropertyName for the two known modes only, and
         * reading a hidden parameter fails */
        sl_ctx_fail(ctx, "Could not get parameter");
        sl_ctx_fail_description(ctx, "mode \"%s\" is not jsonToxml or xmlToJson", mode);
        goto out;
    }
    json_t *dflt = json_string("data");
    json_t *pv = sl_ctx_param(ctx, "dataPropertyName", 0, dflt);
    json_decref(dflt);
    if (!pv)
        goto out;
    prop = json_is_string(pv) ? sl_strdup(json_string_value(pv)) : sl_jsv_to_string(pv);
    json_decref(pv);
    json_t *empty = json_object();
    options = sl_ctx_param(ctx, "options", 0, empty);
    json_decref(empty);
    if (!options)
        goto out;
    json_t *given = options;
    options = described(given, to_json ? parse_keys : build_keys);
    json_decref(given);
    if (to_json) {
        parse_opts = json_pack("{sbsb}", "mergeAttrs", 1, "explicitArray", 0);
        json_object_update(parse_opts, options);
    }

    json_t *items = sl_ctx_input(ctx, 0);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        json_t *json = sl_item_json(item);
        json_t *out = NULL;
        if (to_json) {
            out = xml_to_json(ctx, json, prop, parse_opts, i);
        } else {
            char *err = NULL;
            json_t *src = json ? json_incref(json) : json_object();
            char *xml = sl_json_to_xml(src, options, &err);
            json_decref(src);
            if (xml) {
                out = json_object();
                json_object_set_new(out, prop, json_string(xml));
                free(xml);
            } else {
                sl_ctx_fail(ctx, "%s", err);
                sl_ctx_fail_description(ctx, "while converting item %zu to XML", i);
                free(err);
            }
        }
        if (!out) {
            if (!sl_ctx_continue_on_fail(ctx))
                goto out;
            sl_ctx_log(ctx, "item %zu dropped (continue on fail, as in n8n): %s", i,
                       sl_ctx_error_message(ctx));
            sl_ctx_clear_error(ctx);
            continue;
        }
        json_t *o = json_pack("{so}", "json", out);
        if (!to_json)
            json_object_set_new(o, "pairedItem", json_pack("{sI}", "item", (json_int_t)i));
        sl_ctx_out(ctx, 0, o);
    }
    rc = 0;
out:
    free(mode);
    free(prop);
    json_decref(options);
    json_decref(parse_opts);
    return rc;
}

const struct sl_node_type sl_node_xml = {
    .name = "n8n-nodes-base.xml",
    .versions = versions,
    .execute = execute,
};
