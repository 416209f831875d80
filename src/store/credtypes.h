/*
 * The credential types sluice knows (httpBasicAuth, httpHeaderAuth,
 * httpQueryAuth, httpBearerAuth, httpCustomAuth, oAuth2Api, postgres,
 * redis): their fields as n8n's credential types declare them (names,
 * types, option values, which fields are required and when they show),
 * and from those the JSON schema n8n's public API answers for
 * GET /credentials/schema/{type} and checks a new credential's data
 * against.
 *
 * The tables are constant: every function may be called from any thread.
 * Returned json_t * are new references.
 */
#ifndef SL_STORE_CREDTYPES_H
#define SL_STORE_CREDTYPES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* True when sluice knows credential type `type`. */
bool sl_credtype_known(const char *type);

/* n8n's JSON schema of the type's data ({additionalProperties: false,
 * type: "object", properties, allOf?, required}), or NULL when the type is
 * unknown. */
json_t *sl_credtype_schema(const char *type);

/* Checks `data` (an object) for a credential of known type `type`: no
 * field the type lacks, each field of its declared JSON type (and one of
 * its options), the always-required fields present. Returns 0, or -1 with
 * the problems in `err` as n8n's validator words them, each after `prefix`
 * ("<prefix> requires property \"json\"", "<prefix> is not of a type(s)
 * number", ...; comma-separated). Field values never appear in the
 * message. The conditional rules of the schema (allOf if/then/else) are
 * not enforced; see docs/api.md. */
int sl_credtype_check(const char *type, const json_t *data, const char *prefix, char *err,
                      size_t errlen);

#endif
