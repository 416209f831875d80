/*
 * n8n's field type rules: validateFieldType (n8n-workflow) and the parsers
 * behind it (tryToParseNumber, -Boolean, -Array, -Object), with
 * getValueDescription for the error texts.
 *
 * Values follow JavaScript (core/jsvalue.h). Results are new references
 * (or new heap strings); arguments are borrowed.
 */
#ifndef SL_CORE_FIELDTYPE_H
#define SL_CORE_FIELDTYPE_H

#include <jansson.h>

/* A JavaScript number as JSON: an integer when it is one, null when not
 * finite (what JSON.stringify makes of it). */
json_t *sl_ft_number(double d);

/* JSON.parse(s), integral numbers as integers; NULL when s is not JSON. */
json_t *sl_ft_json_parse(const char *s);

/* A JavaScript object literal ({a: 'x', "b": [1,]}), n8n's jsonParse
 * acceptJSObject fallback; NULL when s is not one. */
json_t *sl_ft_js_object(const char *s);

/* getValueDescription: 'text' for primitives, array, object or 'null'. */
char *sl_ft_describe(const json_t *v);

/* validateFieldType(name, v, type) without strict mode: the value
 * converted to `type` ("number", "boolean", "array", "object"; any other
 * type keeps the value), json null for null or undefined (v NULL), or
 * NULL when it does not convert. */
json_t *sl_ft_convert(const json_t *v, const char *type);

#endif
