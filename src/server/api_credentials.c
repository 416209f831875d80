/*
 * The credential routes of the REST API (see api.h), answered as n8n's
 * public API answers them (packages/cli/src/public-api/v1/handlers/
 * credentials):
 *
 *   - POST takes {name, type, data}; the type must be one sluice knows
 *     (400 "req.body.type is not a known type") and the data must fit the
 *     type's fields (400 "request.body.data <problems>", store/credtypes.h);
 *     the answer is the stored credential without its data: {id, name,
 *     type, createdAt, updatedAt};
 *   - DELETE answers the deleted credential, without its data; an unknown
 *     id answers 404 {"message": "Not Found"};
 *   - GET /credentials/schema/{type} answers the JSON schema of the type's
 *     data, 404 "Not Found" for a type sluice does not know.
 *
 * Secrets stay out of every answer and message: errors name fields, never
 * their values, and a malformed body's error gives only its position.
 */
#include <string.h>

#include "server/api_int.h"
#include "store/credtypes.h"
#include "store/store.h"
#include "util/alloc.h"

/* The stored credential `id` without its data (new reference), or NULL. */
static json_t *find_row(struct sl_api_call *c, const char *id, int *rc)
{
    json_t *rows = NULL, *found = NULL;
    *rc = sl_store_credential_list(c->st, &rows);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        if (!strcmp(json_string_value(json_object_get(r, "id")), id)) {
            found = json_incref(r);
            break;
        }
    }
    json_decref(rows);
    if (!*rc && !found)
        *rc = SL_ERR_NOT_FOUND;
    return found;
}

void sl_api_credential_create(struct sl_api_call *c, const char *id)
{
    json_t *body = sl_api_body_ex(c, false);
    if (!body)
        return;
    char *new_id = NULL;
    if (!json_is_object(body)) {
        sl_api_error(c, 400, "request/body must be object");
        goto out;
    }
    static const char *const required[] = {"name", "type", "data", NULL};
    for (const char *const *k = required; *k; k++) {
        json_t *v = json_object_get(body, *k);
        if (!v) {
            sl_api_error(c, 400, "request/body must have required property '%s'", *k);
            goto out;
        }
        bool ok = strcmp(*k, "data") ? json_is_string(v) : json_is_object(v);
        if (!ok) {
            sl_api_error(c, 400, "request/body/%s must be %s", *k,
                         strcmp(*k, "data") ? "string" : "object");
            goto out;
        }
    }
    const char *type = json_string_value(json_object_get(body, "type"));
    const char *name = json_string_value(json_object_get(body, "name"));
    json_t *data = json_object_get(body, "data");
    if (!sl_credtype_known(type)) {
        sl_api_error(c, 400, "req.body.type is not a known type");
        goto out;
    }
    char problems[1024];
    if (sl_credtype_check(type, data, "request.body.data", problems, sizeof problems)) {
        sl_api_error(c, 400, "%s", problems);
        goto out;
    }
    if (!*name) {
        sl_api_error(c, 400, "request/body/name must NOT have fewer than 1 characters");
        goto out;
    }
    int rc = sl_store_credential_create(c->st, NULL, name, type, data, &new_id);
    if (rc) {
        sl_api_store_error(c, rc);
        goto out;
    }
    json_t *row = find_row(c, new_id, &rc);
    if (!row)
        sl_api_store_error(c, rc);
    else
        sl_api_ok(c, row);
out:
    free(new_id);
    json_decref(body);
    (void)id;
}

void sl_api_credential_delete(struct sl_api_call *c, const char *id)
{
    int rc;
    json_t *row = find_row(c, id, &rc);
    if (!rc)
        rc = sl_store_credential_delete(c->st, id);
    if (rc) {
        json_decref(row);
        sl_api_store_error(c, rc);
        return;
    }
    sl_api_ok(c, row);
}

void sl_api_credential_schema(struct sl_api_call *c, const char *type)
{
    json_t *schema = sl_credtype_schema(type);
    if (!schema) {
        sl_api_error(c, 404, "Not Found");
        return;
    }
    sl_api_ok(c, schema);
}
