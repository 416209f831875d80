/*
 * XML <-> JSON conversion with the rules of xml2js 0.6 (and the xmlbuilder
 * 11 it writes with), the library n8n's XML node uses. The XML node is a thin
 * wrapper around these two functions; they are kept apart so they can be
 * fuzzed (tests/fuzz/fuzz_xml.c).
 *
 * Parsing (sl_xml_to_json) runs libxml2's SAX parser over the text and
 * builds xml2js's object shape: an element becomes a string when it holds
 * only text, else an object whose attributes are merged in (mergeAttrs) or
 * kept under attrkey ("$"), whose text goes under charkey ("_") first, and
 * whose repeated child names become arrays (always with explicitArray). All
 * values stay strings; whitespace-only text is dropped unless it came from
 * CDATA; an element with nothing in it becomes "" (or emptyTag). Names are
 * kept as written (prefix:local, no namespace processing, xmlns attributes
 * like any other), as xml2js does without its xmlns option.
 *
 * Safety: libxml2 never loads anything (XML_PARSE_NONET, no DTD loading, no
 * external subset); entities other than the five predefined ones and
 * character references are errors, so neither external entities (XXE) nor
 * entity expansion bombs get through. Nesting deeper than
 * SL_XML_MAX_DEPTH and input over SL_XML_MAX_INPUT are errors. Content after
 * the root element is ignored, as xml2js ignores it.
 *
 * Building (sl_json_to_xml) reproduces xml2js's Builder.buildObject() on
 * xmlbuilder's node model, including its quirks: a single top-level key
 * becomes the root when rootName is the default, null becomes an empty
 * element, arrays repeat their key, names are validated, text is escaped
 * the way xmlbuilder escapes it, and the declaration and pretty printing
 * follow renderOpts. Errors carry xmlbuilder's (JavaScript's) messages.
 *
 * Options come as n8n passes them: the node's "options" collection, handed
 * to the xml2js constructor as is. Recognised for parsing: attrkey, charkey,
 * explicitArray, explicitRoot, ignoreAttrs, mergeAttrs, normalize,
 * normalizeTags, trim, explicitCharkey, emptyTag; for building: attrkey,
 * charkey, rootName, headless, cdata, allowSurrogateChars (no effect in
 * xmlbuilder 11 either), xmldec {version, encoding, standalone}, renderOpts
 * {pretty, indent, newline, offset, allowEmpty, spaceBeforeSlash,
 * dontPrettyTextNodes}. Other xml2js options (function-valued processors,
 * explicitChildren, xmlns, strict: false, doctype) are ignored.
 *
 * Ownership: arguments are borrowed; results are new (json_t reference or
 * heap string); *err receives a new one-line heap string on failure.
 * Thread rule: reentrant; libxml2 is initialised once under pthread_once.
 */
#ifndef SL_NODES_XML_CONV_H
#define SL_NODES_XML_CONV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define SL_XML_MAX_DEPTH 256
#define SL_XML_MAX_INPUT ((size_t)64 << 20)

/* Parses `len` bytes of XML text (UTF-8) with the parser options
 * `options` (a JSON object, or NULL for xml2js's defaults; the n8n node's
 * defaults mergeAttrs: true and explicitArray: false are the caller's to
 * add). Returns a new reference: the converted document, JSON null when the
 * text is empty or only whitespace (xml2js's result then). On malformed
 * XML returns NULL and sets *err to libxml2's message with its line. */
json_t *sl_xml_to_json(const char *xml, size_t len, const json_t *options, char **err);

/* Builds XML text from `value` (normally an object: an item's json) with
 * the builder options `options` (JSON object or NULL). Returns a new heap
 * string, or NULL with *err set to the error xml2js would throw. */
char *sl_json_to_xml(const json_t *value, const json_t *options, char **err);

#endif
