/*
 * HTML (v1, 1.1, 1.2): generateHtmlTemplate, extractHtmlContent and
 * convertToHtmlTable.
 *
 * generateHtmlTemplate fills each `{{ … }}` of the template with the value
 * of that expression for the item, as n8n does: String() of the value, put
 * in place of the first occurrence of the expression's text with
 * String.prototype.replace, whose `$&`-style patterns apply.
 *
 * extractHtmlContent runs cheerio and html-to-text in the execution's
 * JavaScript context (js/html.js, loaded on first use): n8n's results
 * depend on their HTML5 tree building, selector engine and text layout,
 * which only the same libraries reproduce on real-world HTML.
 *
 * convertToHtmlTable builds one table from all input items in C: headers
 * are the union of the items' keys in Object.keys order, cells are the
 * values as JavaScript's string concatenation shows them, booleans become
 * checkboxes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/binary.h"
#include "core/item.h"
#include "core/jpath.h"
#include "core/jsvalue.h"
#include "js/js.h"
#include "nodes/html.h"
#include "nodes/node.h"
#include "util/alloc.h"

static const double versions[] = {1, 1.1, 1.2, 0};

/* The template n8n's editor starts with: the value of an absent `html`. */
static const char placeholder[] =
    "<!DOCTYPE html>\n\n<html>\n<head>\n  <meta charset=\"UTF-8\" />\n"
    "  <title>My HTML document</title>\n</head>\n<body>\n  <div class=\"container\">\n"
    "    <h1>This is an H1 heading</h1>\n    <h2>This is an H2 heading</h2>\n"
    "    <p>This is a paragraph</p>\n  </div>\n</body>\n</html>\n\n<style>\n.container {\n"
    "  background-color: #ffffff;\n  text-align: center;\n  padding: 16px;\n"
    "  border-radius: 8px;\n}\n\nh1 {\n  color: #ff6d5a;\n  font-size: 24px;\n"
    "  font-weight: bold;\n  padding: 8px;\n}\n\nh2 {\n  color: #909399;\n  font-size: 18px;\n"
    "  font-weight: bold;\n  padding: 8px;\n}\n</style>\n\n<script>\n"
    "console.log(\"Hello World!\");\n</script>";

/* ------------------------------------------------------- HTML source data */

/* The HTML in binary property `name` of input item `i`, decoded as
 * Buffer.toString('utf-8') does. New reference, or NULL with n8n's
 * assertBinaryData message (or the read error) set. */
static json_t *binary_html(struct sl_node_ctx *ctx, const char *name, size_t i)
{
    json_t *bin = sl_binary_input(ctx, i, name);
    unsigned char *data = NULL;
    size_t len = 0;
    if (!bin || sl_binary_read(ctx, bin, &data, &len) < 0)
        return NULL;
    json_t *s = sl_jsv_utf8_decode(data, len);
    free(data);
    return s;
}

/* n8n's sanitizeDataPathKey: the key as given, or without ['…'] / ["…"]
 * around it when only that form exists on the item. Borrowed from json. */
static json_t *literal_key(const json_t *json, const char *key)
{
    json_t *v = json_object_get(json, key);
    size_t n = strlen(key);
    if (v || n < 4 || key[0] != '[' || key[n - 1] != ']' || key[1] != key[n - 2] ||
        (key[1] != '\'' && key[1] != '"'))
        return v;
    char *inner = sl_strndup(key + 2, n - 4);
    v = json_object_get(json, inner);
    free(inner);
    return v;
}

/* Extraction for input item i; 0 or the node error. */
static int extract_item(struct sl_node_ctx *ctx, const json_t *item, size_t i, bool legacy)
{
    double version = sl_ctx_node(ctx)->version;
    json_t *empty = json_object();
    json_t *dflt_values =
        legacy || version == 1
            ? json_incref(empty)
            : json_pack("{s:[{s:s,s:s,s:s,s:b}]}", "values", "key", "", "cssSelector", "",
                        "returnValue", "text", "returnArray", 0);
    char *prop = NULL, *source = NULL;
    json_t *values = NULL, *options = NULL, *html = NULL;
    int rc = SL_ERR_NODE;

    if (sl_ctx_param_str(ctx, "dataPropertyName", i, "data", &prop) < 0)
        goto out;
    values = sl_ctx_param(ctx, "extractionValues", i, dflt_values);
    if (!values)
        goto out;
    options = sl_ctx_param(ctx, "options", i, empty);
    if (!options || sl_ctx_param_str(ctx, "sourceData", i, "json", &source) < 0)
        goto out;

    if (strcmp(source, "json") == 0) {
        json_t *json = sl_item_json(item);
        json_t *v = !legacy && version == 1 ? literal_key(json, prop) : sl_jpath_get(json, prop);
        if (!v) {
            sl_ctx_fail(ctx, "No property named \"%s\" exists!", prop);
            goto out;
        }
        html = json_incref(v);
    } else {
        html = binary_html(ctx, prop, i);
        if (!html)
            goto out;
    }

    size_t n = json_is_array(html) ? json_array_size(html) : 1;
    for (size_t k = 0; k < n; k++) {
        const json_t *doc = json_is_array(html) ? json_array_get(html, k) : html;
        char *err = NULL;
        json_t *out =
            sl_js_html_extract(sl_ctx_js(ctx), doc, values, options, version, legacy, &err);
        if (!out) {
            sl_ctx_fail(ctx, "%s", err);
            free(err);
            goto out;
        }
        sl_ctx_out(ctx, 0, sl_item_new_paired(out, i));
    }
    rc = 0;
out:
    free(prop);
    free(source);
    json_decref(values);
    json_decref(options);
    json_decref(html);
    json_decref(dflt_values);
    json_decref(empty);
    return rc;
}

int sl_html_extract_run(struct sl_node_ctx *ctx, bool legacy)
{
    json_t *items = sl_ctx_input(ctx, 0);
    for (size_t i = 0; i < json_array_size(items); i++) {
        if (extract_item(ctx, json_array_get(items, i), i, legacy) < 0 &&
            sl_ctx_item_failed(ctx, i) < 0)
            return SL_ERR_NODE;
    }
    return 0;
}

/* --------------------------------------------------- generateHtmlTemplate */

/* subject.replace(pattern, replacement) for a string pattern: the first
 * occurrence is replaced, with `$$`, `$&`, `` $` `` and `$'` expanded in the
 * replacement. New heap string; subject itself when pattern is absent. */
static char *replace_first(const char *subject, const char *pattern, const char *replacement)
{
    const char *at = strstr(subject, pattern);
    if (!at)
        return sl_strdup(subject);
    size_t plen = strlen(pattern);
    struct sl_buf b = {0};
    sl_buf_add(&b, subject, (size_t)(at - subject));
    for (const char *r = replacement; *r; r++) {
        if (r[0] != '$' || !r[1]) {
            sl_buf_addc(&b, *r);
            continue;
        }
        switch (r[1]) {
        case '$':
            sl_buf_addc(&b, '$');
            break;
        case '&':
            sl_buf_add(&b, at, plen);
            break;
        case '`':
            sl_buf_add(&b, subject, (size_t)(at - subject));
            break;
        case '\'':
            sl_buf_adds(&b, at + plen);
            break;
        default: /* no capture groups: "$1" and "$<x>" stay as they are */
            sl_buf_addc(&b, '$');
            continue;
        }
        r++;
    }
    sl_buf_adds(&b, at + plen);
    return sl_buf_steal(&b);
}

/* The `{{ … }}` pieces of a template, as /({{[\s\S]*?}})/g finds them: a
 * new array of strings. */
static json_t *resolvables(const char *html)
{
    json_t *list = json_array();
    const char *p = html;
    while ((p = strstr(p, "{{")) != NULL) {
        const char *end = strstr(p + 2, "}}");
        if (!end)
            break;
        json_array_append_new(list, json_stringn(p, (size_t)(end + 2 - p)));
        p = end + 2;
    }
    return list;
}

static int template_item(struct sl_node_ctx *ctx, size_t i)
{
    json_t *dflt = json_string(placeholder);
    json_t *param = sl_ctx_param(ctx, "html", i, dflt);
    json_decref(dflt);
    if (!param)
        return SL_ERR_NODE;
    char *html = sl_jsv_to_string(param);
    json_t *list = resolvables(html);
    int rc = 0;
    if (!json_is_string(param) && json_array_size(list)) {
        rc = sl_ctx_fail(ctx, "html.replace is not a function");
        goto out;
    }
    size_t k;
    json_t *r;
    json_array_foreach(list, k, r)
    {
        char *expr = sl_asprintf("=%s", json_string_value(r));
        json_t *src = json_string(expr);
        free(expr);
        json_t *v = sl_ctx_eval(ctx, src, i);
        json_decref(src);
        if (sl_ctx_failed(ctx)) {
            json_decref(v);
            rc = SL_ERR_NODE;
            goto out;
        }
        char *text = sl_jsv_to_string(v);
        json_decref(v);
        char *next = replace_first(html, json_string_value(r), text);
        free(text);
        free(html);
        html = next;
    }
    json_t *out = json_is_string(param) ? json_string(html) : json_incref(param);
    if (!out)
        out = json_stringn_nocheck(html, strlen(html));
    sl_ctx_out(ctx, 0, sl_item_new_paired(json_pack("{s:o}", "html", out), i));
out:
    json_decref(list);
    json_decref(param);
    free(html);
    return rc;
}

static int generate_template(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    for (size_t i = 0; i < json_array_size(items); i++) {
        if (template_item(ctx, i) < 0 && sl_ctx_item_failed(ctx, i) < 0)
            return SL_ERR_NODE;
    }
    return 0;
}

/* ----------------------------------------------------- convertToHtmlTable */

/* n8n's capitalizeHeader: "first_name" -> "First Name" (words split on
 * '_', empty ones dropped, first character upper-cased; JavaScript's
 * word[0] is a UTF-16 unit, so a character outside the BMP stays as it
 * is). Appends to b. */
static void add_header(struct sl_buf *b, const char *key, bool capitalize)
{
    if (!capitalize) {
        sl_buf_adds(b, key);
        return;
    }
    bool first_word = true;
    for (const char *p = key; *p;) {
        size_t len = strcspn(p, "_");
        if (len) {
            if (!first_word)
                sl_buf_addc(b, ' ');
            first_word = false;
            unsigned char c = (unsigned char)*p;
            size_t cl = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
            if (cl > len)
                cl = len;
            if (cl == 4) {
                sl_buf_add(b, p, len);
            } else {
                char *first = sl_strndup(p, cl);
                char *up = sl_jsv_upper(first);
                sl_buf_adds(b, up);
                sl_buf_add(b, p + cl, len - cl);
                free(up);
                free(first);
            }
        }
        p += len;
        if (*p == '_')
            p++;
    }
}

/* `${v}` for an option: String(v), "" when the option is falsy and n8n
 * reads it with `|| ''`. Appends to b. */
static void add_text(struct sl_buf *b, const json_t *v, bool falsy_empty)
{
    if (falsy_empty && !sl_jsv_truthy(v))
        return;
    char *s = sl_jsv_to_string(v);
    sl_buf_adds(b, s);
    free(s);
}

static int convert_table(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    size_t n = json_array_size(items);
    json_t *empty = json_object();
    json_t *opts = sl_ctx_param(ctx, "options", 0, empty);
    json_decref(empty);
    if (!opts)
        return SL_ERR_NODE;
    bool styled = !sl_jsv_truthy(json_object_get(opts, "customStyling"));
    bool capitalize = sl_jsv_truthy(json_object_get(opts, "capitalize"));
    const char *table_style =
        styled ? "style='border-spacing:0; font-family:helvetica,arial,sans-serif'" : "";
    const char *header_style =
        styled ? "style='margin:0; padding:7px 20px 7px 0px; border-bottom:1px solid #eee; "
                 "text-align:left; color:#888; font-weight:normal'"
               : "";
    const char *cell_style =
        styled ? "style='margin:0; padding:7px 20px 7px 0px; border-bottom:1px solid #eee'" : "";

    /* headers: every key of every item, first seen first */
    json_t *seen = json_object(), *headers = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *keys = sl_jsv_keys(sl_item_json(json_array_get(items, i)));
        size_t k;
        json_t *key;
        json_array_foreach(keys, k, key)
        {
            if (!json_object_get(seen, json_string_value(key))) {
                json_object_set(seen, json_string_value(key), json_true());
                json_array_append(headers, key);
            }
        }
        json_decref(keys);
    }
    json_decref(seen);

    struct sl_buf b = {0};
    int rc = 0;
    sl_buf_addf(&b, "<table %s ", table_style);
    add_text(&b, json_object_get(opts, "tableAttributes"), true);
    sl_buf_adds(&b, ">");
    json_t *caption = json_object_get(opts, "caption");
    if (sl_jsv_truthy(caption)) {
        sl_buf_adds(&b, "<caption>");
        add_text(&b, caption, false);
        sl_buf_adds(&b, "</caption>");
    }
    sl_buf_addf(&b, "<thead %s ", header_style);
    add_text(&b, json_object_get(opts, "headerAttributes"), true);
    sl_buf_adds(&b, "><tr>");
    size_t h;
    json_t *key;
    json_array_foreach(headers, h, key)
    {
        sl_buf_adds(&b, "<th>");
        add_header(&b, json_string_value(key), capitalize);
        sl_buf_adds(&b, "</th>");
    }
    sl_buf_adds(&b, "</tr></thead><tbody>");
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *blank = json_string("");
        json_t *row = sl_ctx_param(ctx, "options.rowAttributes", i, blank);
        json_t *cell = row ? sl_ctx_param(ctx, "options.cellAttributes", i, blank) : NULL;
        json_decref(blank);
        if (!row || !cell) {
            json_decref(row);
            rc = SL_ERR_NODE;
            break;
        }
        json_t *entry = sl_item_json(json_array_get(items, i));
        sl_buf_adds(&b, "<tr  ");
        add_text(&b, row, false);
        sl_buf_adds(&b, ">");
        json_array_foreach(headers, h, key)
        {
            sl_buf_addf(&b, "<td %s ", cell_style);
            add_text(&b, cell, false);
            sl_buf_adds(&b, ">");
            json_t *v = json_object_get(entry, json_string_value(key));
            if (json_is_boolean(v))
                sl_buf_addf(&b, "<input type=\"checkbox\" %s/>",
                            json_is_true(v) ? "checked=\"checked\"" : "");
            else
                add_text(&b, v, false);
            sl_buf_adds(&b, "</td>");
        }
        sl_buf_adds(&b, "</tr>");
        json_decref(row);
        json_decref(cell);
    }
    json_decref(headers);
    json_decref(opts);
    if (rc) {
        sl_buf_release(&b);
        return rc;
    }
    sl_buf_adds(&b, "</tbody></table>");
    json_t *paired = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(paired, json_pack("{s:I}", "item", (json_int_t)i));
    json_t *table = json_stringn_nocheck(b.data, b.len);
    sl_buf_release(&b);
    sl_ctx_out(ctx, 0, json_pack("{s:{s:o},s:o}", "json", "table", table, "pairedItem", paired));
    return 0;
}

/* ------------------------------------------------------------------ node */

static int execute(struct sl_node_ctx *ctx)
{
    char *op = NULL;
    if (sl_ctx_param_str(ctx, "operation", 0, "generateHtmlTemplate", &op) < 0)
        return SL_ERR_NODE;
    int rc = 0;
    if (strcmp(op, "convertToHtmlTable") == 0 && json_array_size(sl_ctx_input(ctx, 0)))
        rc = convert_table(ctx);
    else if (strcmp(op, "generateHtmlTemplate") == 0)
        rc = generate_template(ctx);
    else if (strcmp(op, "extractHtmlContent") == 0)
        rc = sl_html_extract_run(ctx, false);
    free(op);
    return rc;
}

const struct sl_node_type sl_node_html = {
    .name = "n8n-nodes-base.html",
    .versions = versions,
    .execute = execute,
};
