/*
 * Extraction for the HTML node (extractHtmlContent) and the legacy HTML
 * Extract node, bundled at build time with the cheerio and html-to-text
 * releases n8n runs (scripts/package.json) and evaluated in an execution's
 * JavaScript context the first time such a node runs (js.c).
 *
 * n8n's results are cheerio's: parse5's HTML5 tree building (implied
 * html/head/body, misnested tags, foster parenting), css-select's selector
 * semantics and error messages, dom-serializer's output, and for the text of
 * HTML 1.2 html-to-text's layout (upper-case headings, link targets in
 * brackets, 80-column word wrap). Running the same libraries is the only way
 * to match them on malformed input; see docs/decisions.md.
 *
 * __sl_html_extract(html, extraction, options, version, legacy) returns the
 * json of one output item for one HTML document. Values that are undefined
 * are left out of the item, as n8n's JSON output leaves them out.
 */
'use strict';

const cheerio = require('cheerio');

/* V8's wording for calling a method a value lacks, which n8n users see. */
function notFunction(expr) {
    return new TypeError(expr + ' is not a function');
}

/* html-to-text's convert(html, options) compiles its options (selector
 * decision trees) on every call, which costs far more than converting a
 * fragment; the compiled converter is a pure function of the options, so
 * it is kept per skip-selector list (a bounded number of them). */
const converters = new Map();
const MAX_CONVERTERS = 64;

function converter(skipSelectors) {
    const key = skipSelectors || '';
    let fn = converters.get(key);
    if (fn) return fn;
    let options;
    if (key) {
        if (typeof key.split !== 'function') throw notFunction('_valueData.skipSelectors.split');
        options = {
            selectors: key.split(',').map((s) => ({ selector: s.trim(), format: 'skip' })),
        };
    }
    /* required here: its module code runs only when HTML 1.2 text is asked for */
    fn = require('html-to-text').compile(options);
    if (converters.size >= MAX_CONVERTERS) converters.clear();
    converters.set(key, fn);
    return fn;
}

function text(sel, valueData, version, legacy) {
    if (legacy) return sel.text();
    if (version <= 1.1) return sel.text() || undefined;
    return converter(valueData.skipSelectors)(sel.html() || '');
}

const extract = {
    attribute: (sel, valueData) => sel.attr(valueData.attribute),
    html: (sel) => sel.html() || undefined,
    text,
    value: (sel) => sel.val(),
};

/* HTML Extract v1: trimmed unless trimValues is false. */
function finishLegacy(value, options) {
    if (options.trimValues === false || value === undefined) return value;
    if (typeof value.trim !== 'function') throw notFunction('value.trim');
    return value.trim();
}

/* HTML v1-1.2: trimmed and cleaned up only when the option is set. */
function finish(value, options) {
    if (value === undefined) return value;
    if (options.trimValues) {
        if (typeof value.trim !== 'function') throw notFunction('value.trim');
        value = value.trim();
    }
    if (options.cleanUpText) {
        if (typeof value.replace !== 'function') throw notFunction('value.replace');
        value = value
            .replace(/^\s+|\s+$/g, '')
            .replace(/(\r\n|\n|\r)/gm, '')
            .replace(/\s+/g, ' ');
    }
    return value;
}

/* cheerio adopts a value that is not a string as DOM nodes, assigning
 * node.prev on each; on a primitive that throws in strict mode, and V8 and
 * JavaScriptCore word it differently. Throws V8's message first. */
function checkNodes(content) {
    if (typeof content === 'string' || content == null) return;
    if (typeof content === 'object' && !Array.isArray(content) && content.type === 'root') return;
    for (const node of Array.isArray(content) ? content : [content]) {
        if (node === null) throw new TypeError("Cannot read properties of null (reading 'parent')");
        if (typeof node !== 'object')
            throw new TypeError(`Cannot create property 'prev' on ${typeof node} '${String(node)}'`);
    }
}

globalThis.__sl_html_extract = function (html, extraction, options, version, legacy) {
    checkNodes(html);
    const $ = cheerio.load(html);
    const values = extraction == null ? undefined : extraction.values;
    if (values == null || typeof values[Symbol.iterator] !== 'function')
        throw new TypeError('extractionValues.values is not iterable');
    options = options || {};
    const json = {};
    for (const entry of values) {
        const valueData = Object.assign({ key: '', cssSelector: '', returnValue: 'text' }, entry);
        const fn = extract[valueData.returnValue];
        const get = (sel) => {
            if (typeof fn !== 'function') throw notFunction('extractFunctions[valueData.returnValue]');
            const v = extract[valueData.returnValue](sel, valueData, version, legacy);
            return legacy ? finishLegacy(v, options) : finish(v, options);
        };
        const sel = $(valueData.cssSelector);
        if (valueData.returnArray) {
            const list = [];
            json[valueData.key] = list;
            sel.each((_, el) => {
                list.push(get($(el)));
            });
        } else {
            json[valueData.key] = get(sel);
        }
    }
    return json;
};
