/*
 * Credential types (see credtypes.h): one table of fields per type, in the
 * order n8n declares them, and the two things built from it. The schema
 * follows the rules of n8n's public API: a field's JSON type is its
 * parameter type ("options" become a string enum); hidden fields are left
 * out; a field shown only under a condition (displayOptions.show) is not
 * in `required` but in an allOf entry for the first field its condition
 * names: "if that field has the first value of the first field that
 * named it, then these fields are required, else they must be absent".
 */
#include "store/credtypes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

struct cred_field {
    const char *name;
    const char *type; /* string, number, boolean, json, notice, options, hidden */
    const char *const *options;
    bool required;
    const char *dep;       /* the first field of displayOptions.show, or NULL */
    const char *dep_value; /* the first value shown for it, as JSON text */
};

struct cred_type {
    const char *name;
    const struct cred_field *fields; /* ended by a NULL name */
};

/* clang-format off */
#define FIELD(n, t) {n, t, NULL, false, NULL, NULL}
#define REQUIRED(n, t) {n, t, NULL, true, NULL, NULL}
#define SHOWN(n, t, opts, req, dep, val) {n, t, opts, req, dep, val}
#define END {NULL, NULL, NULL, false, NULL, NULL}
static const char *const grant_types[] = {"authorizationCode", "clientCredentials", "pkce", NULL};
static const char *const oauth_auth[] = {"body", "header", NULL};
static const char *const pg_ssl[] = {"allow", "disable", "require", NULL};
static const char *const ssh_auth[] = {"password", "privateKey", NULL};

static const struct cred_field basic_fields[] = {
    FIELD("user", "string"), FIELD("password", "string"), END};
static const struct cred_field header_fields[] = {
    FIELD("name", "string"), FIELD("value", "string"), FIELD("useCustomAuth", "notice"), END};
static const struct cred_field query_fields[] = {
    FIELD("name", "string"), FIELD("value", "string"), END};
static const struct cred_field bearer_fields[] = {
    FIELD("token", "string"), FIELD("useCustomAuth", "notice"), END};
static const struct cred_field custom_fields[] = {
    REQUIRED("json", "json"), END};
static const struct cred_field oauth2_fields[] = {
    FIELD("useDynamicClientRegistration", "hidden"),
    SHOWN("grantType", "options", grant_types, false, "useDynamicClientRegistration", "false"),
    SHOWN("serverUrl", "string", NULL, true, "useDynamicClientRegistration", "true"),
    SHOWN("authUrl", "string", NULL, true, "grantType", "\"authorizationCode\""),
    SHOWN("accessTokenUrl", "string", NULL, true, "useDynamicClientRegistration", "false"),
    SHOWN("clientId", "string", NULL, true, "useDynamicClientRegistration", "false"),
    SHOWN("clientSecret", "string", NULL, true, "useDynamicClientRegistration", "false"),
    SHOWN("scope", "string", NULL, false, "useDynamicClientRegistration", "false"),
    SHOWN("authQueryParameters", "string", NULL, false, "grantType", "\"authorizationCode\""),
    SHOWN("authentication", "options", oauth_auth, false, "useDynamicClientRegistration", "false"),
    SHOWN("sendAdditionalBodyProperties", "boolean", NULL, false, "grantType", "\"clientCredentials\""),
    SHOWN("additionalBodyProperties", "json", NULL, false, "grantType", "\"clientCredentials\""),
    FIELD("ignoreSSLIssues", "boolean"),
    END};
static const struct cred_field postgres_fields[] = {
    FIELD("host", "string"), FIELD("database", "string"), FIELD("user", "string"), FIELD("password", "string"),
    FIELD("maxConnections", "number"), FIELD("allowUnauthorizedCerts", "boolean"),
    SHOWN("ssl", "options", pg_ssl, false, "allowUnauthorizedCerts", "false"),
    FIELD("port", "number"), FIELD("sshTunnel", "boolean"),
    SHOWN("sshAuthenticateWith", "options", ssh_auth, false, "sshTunnel", "true"),
    SHOWN("sshHost", "string", NULL, false, "sshTunnel", "true"),
    SHOWN("sshPort", "number", NULL, false, "sshTunnel", "true"),
    SHOWN("sshUser", "string", NULL, false, "sshTunnel", "true"),
    SHOWN("sshPassword", "string", NULL, false, "sshTunnel", "true"),
    SHOWN("privateKey", "string", NULL, false, "sshTunnel", "true"),
    SHOWN("passphrase", "string", NULL, false, "sshTunnel", "true"),
    END};
static const struct cred_field redis_fields[] = {
    FIELD("password", "string"), FIELD("user", "string"), FIELD("host", "string"), FIELD("port", "number"),
    FIELD("database", "number"), FIELD("ssl", "boolean"),
    SHOWN("disableTlsVerification", "boolean", NULL, false, "ssl", "true"),
    END};

static const struct cred_type cred_types[] = {
    {"httpBasicAuth", basic_fields},   {"httpHeaderAuth", header_fields},
    {"httpQueryAuth", query_fields},   {"httpBearerAuth", bearer_fields},
    {"httpCustomAuth", custom_fields}, {"oAuth2Api", oauth2_fields},
    {"postgres", postgres_fields},     {"redis", redis_fields},
};
/* clang-format on */
#define N_TYPES (sizeof cred_types / sizeof cred_types[0])

static const struct cred_type *find_type(const char *name)
{
    for (size_t i = 0; name && i < N_TYPES; i++)
        if (strcmp(cred_types[i].name, name) == 0)
            return &cred_types[i];
    return NULL;
}

static const struct cred_field *find_field(const struct cred_type *t, const char *name)
{
    for (const struct cred_field *f = t->fields; f->name; f++)
        if (strcmp(f->name, name) == 0 && strcmp(f->type, "hidden") != 0)
            return f;
    return NULL;
}

bool sl_credtype_known(const char *type)
{
    return find_type(type) != NULL;
}

static json_t *options_array(const char *const *opts)
{
    json_t *a = json_array();
    for (; opts && *opts; opts++)
        json_array_append_new(a, json_string(*opts));
    return a;
}

json_t *sl_credtype_schema(const char *type)
{
    const struct cred_type *t = find_type(type);
    if (!t)
        return NULL;
    json_t *props = json_object(), *required = json_array();
    json_t *groups = json_object(); /* dependant -> {if, then, else}, in order */
    for (const struct cred_field *f = t->fields; f->name; f++) {
        if (!strcmp(f->type, "hidden"))
            continue;
        if (!strcmp(f->type, "options"))
            json_object_set_new(
                props, f->name,
                json_pack("{s:s,s:o}", "type", "string", "enum", options_array(f->options)));
        else
            json_object_set_new(props, f->name, json_pack("{s:s}", "type", f->type));
        if (!f->dep) {
            if (f->required)
                json_array_append_new(required, json_string(f->name));
            continue;
        }
        json_t *g = json_object_get(groups, f->dep);
        if (!g) {
            json_t *value = json_loads(f->dep_value, JSON_DECODE_ANY, NULL);
            g = json_pack("{s:{s:{s:{s:[o]}}},s:{s:[]},s:{s:[]}}", "if", "properties", f->dep,
                          "enum", value, "then", "allOf", "else", "allOf");
            json_object_set_new(groups, f->dep, g);
        }
        json_array_append_new(json_object_get(json_object_get(g, "then"), "allOf"),
                              json_pack("{s:[s]}", "required", f->name));
        json_array_append_new(json_object_get(json_object_get(g, "else"), "allOf"),
                              json_pack("{s:{s:[s]}}", "not", "required", f->name));
    }
    json_t *schema = json_pack("{s:b,s:s,s:o}", "additionalProperties", 0, "type", "object",
                               "properties", props);
    if (json_object_size(groups)) {
        json_t *all = json_array();
        const char *k;
        json_t *g;
        json_object_foreach(groups, k, g) json_array_append(all, g);
        json_object_set_new(schema, "allOf", all);
    }
    json_decref(groups);
    json_object_set_new(schema, "required", required);
    return schema;
}

/* Appends one problem to err, comma-separated. */
static void __attribute__((format(printf, 4, 5)))
add_problem(char *err, size_t errlen, const char *prefix, const char *fmt, ...)
{
    size_t used = strlen(err);
    if (used + 2 >= errlen)
        return;
    if (used) {
        err[used++] = ',';
        err[used] = '\0';
    }
    int n = snprintf(err + used, errlen - used, "%s ", prefix);
    if (n < 0 || (size_t)n >= errlen - used)
        return;
    used += (size_t)n;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + used, errlen - used, fmt, ap);
    va_end(ap);
}

static bool type_ok(const struct cred_field *f, const json_t *v)
{
    if (!strcmp(f->type, "string") || !strcmp(f->type, "options"))
        return json_is_string(v);
    if (!strcmp(f->type, "number"))
        return json_is_number(v);
    if (!strcmp(f->type, "boolean"))
        return json_is_boolean(v);
    return true; /* json, notice: JSON Schema has no such type, anything passes */
}

int sl_credtype_check(const char *type, const json_t *data, const char *prefix, char *err,
                      size_t errlen)
{
    err[0] = '\0';
    const struct cred_type *t = find_type(type);
    if (!t || !json_is_object(data)) {
        snprintf(err, errlen, "%s is not of a type(s) object", prefix);
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)data, k, v)
    {
        const struct cred_field *f = find_field(t, k);
        if (!f) {
            add_problem(err, errlen, prefix,
                        "is not allowed to have the additional property \"%s\"", k);
            continue;
        }
        if (!type_ok(f, v)) {
            add_problem(err, errlen, prefix, "is not of a type(s) %s",
                        !strcmp(f->type, "options") ? "string" : f->type);
            continue;
        }
        if (f->options) {
            bool found = false;
            for (const char *const *o = f->options; *o; o++)
                found = found || !strcmp(*o, json_string_value(v));
            if (!found) {
                json_t *opts = options_array(f->options);
                struct sl_buf b = {0};
                size_t i;
                json_t *o;
                json_array_foreach(opts, i, o)
                {
                    if (i)
                        sl_buf_addc(&b, ',');
                    sl_buf_adds(&b, json_string_value(o));
                }
                char *list = sl_buf_steal(&b);
                add_problem(err, errlen, prefix, "is not one of enum values: %s", list);
                free(list);
                json_decref(opts);
            }
        }
    }
    for (const struct cred_field *f = t->fields; f->name; f++)
        if (f->required && !f->dep && !json_object_get(data, f->name))
            add_problem(err, errlen, prefix, "requires property \"%s\"", f->name);
    return err[0] ? -1 : 0;
}
