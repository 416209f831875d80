/*
 * The workflow routes of the REST API (see api.h), answered as n8n's public
 * API answers them (packages/cli/src/public-api/v1/handlers/workflows):
 *
 *   - a list is {"data": [...], "nextCursor": ...}, paged by n8n's offset
 *     cursor (base64 of {"limit":L,"offset":O}); `active` filters it and
 *     `excludePinnedData` drops pinData, here and on a single workflow;
 *   - a body must be a workflow (name, nodes, connections and settings are
 *     required, as n8n's schema says; other members n8n's schema does not
 *     know are refused). Members n8n marks read-only (id, active, createdAt,
 *     ...) are dropped instead of refused, so a workflow read from the API
 *     can be sent back as it is;
 *   - create answers the new, inactive workflow; update keeps what the body
 *     leaves out (staticData, pinData, ...) and the active flag; delete
 *     answers the deleted workflow; activate asks hooks->check_activate
 *     first and answers 400 with its reason; unknown ids answer 404
 *     {"message": "Not Found"}.
 * Every change is followed by hooks->store_changed.
 */
#include <string.h>
#include <strings.h>

#include "server/api_int.h"
#include "store/store.h"
#include "util/alloc.h"

/* Members a client may set, and members n8n marks read-only (dropped). */
/* clang-format off */
static const char *const wf_writable[] = {
    "name", "description", "externalId", "nodes", "connections", "nodeGroups", "settings",
    "staticData", "pinData", NULL};
static const char *const wf_read_only[] = {
    "id", "active", "createdAt", "updatedAt", "isArchived", "versionId", "triggerCount", "meta",
    "tags", "shared", "activeVersion", "activeVersionId", "versionCounter", "parentFolder", NULL};
/* clang-format on */
/* n8n's schema requires these, in this order. */
static const char *const wf_required[] = {"name", "nodes", "connections", "settings", NULL};

static bool in_list(const char *const *list, const char *key)
{
    for (; *list; list++)
        if (strcmp(*list, key) == 0)
            return true;
    return false;
}

/* Checks the nodes array; 0, or -1 after answering 400. The engine needs a
 * name and a type on every node, so they are required here too. */
static int check_nodes(struct sl_api_call *c, const json_t *nodes)
{
    size_t i;
    json_t *node;
    json_array_foreach(nodes, i, node)
    {
        if (!json_is_object(node)) {
            sl_api_error(c, 400, "request/body/nodes/%zu must be object", i);
            return -1;
        }
        static const char *const strings[] = {"name", "type", NULL};
        for (const char *const *k = strings; *k; k++) {
            json_t *v = json_object_get(node, *k);
            if (!v) {
                sl_api_error(c, 400, "request/body/nodes/%zu must have required property '%s'", i,
                             *k);
                return -1;
            }
            if (!json_is_string(v)) {
                sl_api_error(c, 400, "request/body/nodes/%zu/%s must be string", i, *k);
                return -1;
            }
        }
        json_t *v = json_object_get(node, "typeVersion");
        if (v && !json_is_number(v)) {
            sl_api_error(c, 400, "request/body/nodes/%zu/typeVersion must be number", i);
            return -1;
        }
        static const char *const objects[] = {"parameters", "credentials", NULL};
        for (const char *const *k = objects; *k; k++) {
            v = json_object_get(node, *k);
            if (v && !json_is_object(v)) {
                sl_api_error(c, 400, "request/body/nodes/%zu/%s must be object", i, *k);
                return -1;
            }
        }
    }
    return 0;
}

/* The writable members of `body` (a new object), or NULL after answering
 * 400 when `body` is not a workflow n8n's schema accepts. */
static json_t *workflow_from_body(struct sl_api_call *c, json_t *body)
{
    if (!json_is_object(body)) {
        sl_api_error(c, 400, "request/body must be object");
        return NULL;
    }
    for (const char *const *k = wf_required; *k; k++) {
        if (!json_object_get(body, *k)) {
            sl_api_error(c, 400, "request/body must have required property '%s'", *k);
            return NULL;
        }
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (!in_list(wf_writable, key) && !in_list(wf_read_only, key)) {
            sl_api_error(c, 400, "request/body must NOT have additional properties ('%s')", key);
            return NULL;
        }
    }
    struct {
        const char *name;
        const char *type;
        bool ok;
    } checks[] = {
        {"name", "string", json_is_string(json_object_get(body, "name"))},
        {"nodes", "array", json_is_array(json_object_get(body, "nodes"))},
        {"connections", "object", json_is_object(json_object_get(body, "connections"))},
        {"settings", "object", json_is_object(json_object_get(body, "settings"))},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        if (!checks[i].ok) {
            sl_api_error(c, 400, "request/body/%s must be %s", checks[i].name, checks[i].type);
            return NULL;
        }
    }
    /* optional members: their type, and whether null is allowed */
    static const struct {
        const char *name;
        json_type type;
        const char *type_name;
        bool nullable;
    } optional[] = {
        {"description", JSON_STRING, "string", false},
        {"externalId", JSON_STRING, "string", true},
        {"nodeGroups", JSON_ARRAY, "array", false},
        {"pinData", JSON_OBJECT, "object", true},
    };
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
        v = json_object_get(body, optional[i].name);
        if (v && json_typeof(v) != optional[i].type && !(optional[i].nullable && json_is_null(v))) {
            sl_api_error(c, 400, "request/body/%s must be %s", optional[i].name,
                         optional[i].type_name);
            return NULL;
        }
    }
    if (check_nodes(c, json_object_get(body, "nodes")) < 0)
        return NULL;

    json_t *doc = json_object();
    json_object_foreach(body, key, v)
    {
        if (in_list(wf_writable, key))
            json_object_set(doc, key, v);
    }
    /* staticData may come as a JSON string (n8n's "jsonString" format) */
    v = json_object_get(body, "staticData");
    if (json_is_string(v)) {
        json_t *parsed = json_loads(json_string_value(v), JSON_DECODE_ANY, NULL);
        if (!json_is_object(parsed) && !json_is_null(parsed)) {
            json_decref(parsed);
            json_decref(doc);
            sl_api_error(c, 400, "request/body/staticData must be a JSON object or null");
            return NULL;
        }
        json_object_set_new(doc, "staticData", parsed);
    } else if (v && !json_is_object(v) && !json_is_null(v)) {
        json_decref(doc);
        sl_api_error(c, 400, "request/body/staticData must be object");
        return NULL;
    }
    return doc;
}

/* Reads workflow `id` into *doc; 0, or -1 after answering (404 when it does
 * not exist). */
static int load(struct sl_api_call *c, const char *id, json_t **doc)
{
    int rc = sl_store_workflow_get(c->st, id, doc);
    if (rc < 0) {
        sl_api_store_error(c, rc);
        return -1;
    }
    return 0;
}

/* Answers after a store call that changed workflow `id` (`rc` its result):
 * tells the server and answers the workflow as stored now, or the error. */
static void answer_change(struct sl_api_call *c, const char *id, int rc)
{
    if (rc < 0) {
        sl_api_store_error(c, rc);
        return;
    }
    sl_api_changed(c);
    json_t *doc;
    if (load(c, id, &doc) == 0)
        sl_api_ok(c, doc);
}

/* Asks hooks->check_activate whether `doc` can be active: 0, or -1 after
 * answering 400 with its reason, as n8n answers a failed activation. */
static int check_activatable(struct sl_api_call *c, const char *id, const json_t *doc)
{
    if (!c->hooks || !c->hooks->check_activate)
        return 0;
    struct sl_error err = {{0}};
    if (c->hooks->check_activate(c->hooks->ud, id, doc, &err) < 0) {
        sl_api_error(c, 400, "%s", err.msg[0] ? err.msg : "the workflow cannot be activated");
        return -1;
    }
    return 0;
}

/* True when `hay` holds `needle`, ASCII letters compared without case (as
 * SQL LIKE does, which n8n's name filter uses). */
static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay && *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return n == 0;
}

/* The list's filters: `active` (when asked) and n8n's `name` (a part of the
 * name, trimmed) and `query` (a part of the name or the description). */
struct list_filter {
    bool by_active, active;
    char *name, *query;
};

static bool list_keeps(const struct list_filter *lf, const json_t *doc)
{
    if (lf->by_active && json_is_true(json_object_get(doc, "active")) != lf->active)
        return false;
    const char *name = json_string_value(json_object_get(doc, "name"));
    if (lf->name && !contains_nocase(name, lf->name))
        return false;
    const char *desc = json_string_value(json_object_get(doc, "description"));
    if (lf->query && !contains_nocase(name, lf->query) && !contains_nocase(desc, lf->query))
        return false;
    return true;
}

/* A copy of `s` without surrounding white space, or NULL for NULL. */
static char *trimmed(const char *s)
{
    if (!s)
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return sl_strndup(s, n);
}

void sl_api_workflows_list(struct sl_api_call *c, const char *unused)
{
    (void)unused;
    struct list_filter lf = {.by_active = sl_api_query(c, "active") != NULL};
    bool no_pin = false;
    struct sl_api_page pg;
    if (sl_api_query_bool(c, "active", &lf.active) < 0 ||
        sl_api_query_bool(c, "excludePinnedData", &no_pin) < 0 || sl_api_page_parse(c, &pg) < 0)
        return;
    lf.name = trimmed(sl_api_query(c, "name"));
    lf.query = trimmed(sl_api_query(c, "query"));

    /* The store lists by id and filters on active only; the other filters
     * are applied here. Reads batches after the last id seen until the page
     * and one more (to know whether another page follows) are found. */
    json_t *data = json_array();
    int64_t skip = pg.offset, want = pg.limit + 1;
    char *after = pg.last_id ? sl_strdup(pg.last_id) : NULL;
    int64_t batch = want < 50 ? 50 : want;
    int rc = 0;
    for (;;) {
        json_t *docs;
        rc = sl_store_workflow_list(c->st, lf.by_active && lf.active, after, batch, &docs);
        if (rc < 0)
            break;
        size_t i, n = json_array_size(docs);
        json_t *doc;
        json_array_foreach(docs, i, doc)
        {
            if (!list_keeps(&lf, doc))
                continue;
            if (skip > 0) {
                skip--;
                continue;
            }
            if ((int64_t)json_array_size(data) < want)
                json_array_append(data, doc);
        }
        free(after);
        after = n ? sl_strdup(json_string_value(json_object_get(json_array_get(docs, n - 1), "id")))
                  : NULL;
        json_decref(docs);
        if ((int64_t)n < batch || (int64_t)json_array_size(data) >= want || !after)
            break;
    }
    free(after);
    free(lf.name);
    free(lf.query);
    if (rc < 0) {
        json_decref(data);
        sl_api_page_release(&pg);
        sl_api_store_error(c, rc);
        return;
    }
    json_t *next = json_null();
    if ((int64_t)json_array_size(data) > pg.limit) {
        json_array_remove(data, json_array_size(data) - 1);
        /* n8n's offset cursor; after a lastId cursor the offset counts from
         * where that one started, so it is kept as lastId */
        if (pg.last_id) {
            json_t *last = json_array_get(data, json_array_size(data) - 1);
            next = sl_api_cursor(json_pack("{s:O,s:I}", "lastId", json_object_get(last, "id"),
                                           "limit", (json_int_t)pg.limit));
        } else {
            next = sl_api_cursor(json_pack("{s:I,s:I}", "limit", (json_int_t)pg.limit, "offset",
                                           (json_int_t)(pg.offset + pg.limit)));
        }
    }
    if (no_pin) {
        size_t i;
        json_t *doc;
        json_array_foreach(data, i, doc) json_object_del(doc, "pinData");
    }
    sl_api_page_release(&pg);
    sl_api_ok(c, json_pack("{s:o,s:o}", "data", data, "nextCursor", next));
}

void sl_api_workflow_get(struct sl_api_call *c, const char *id)
{
    bool no_pin = false;
    if (sl_api_query_bool(c, "excludePinnedData", &no_pin) < 0)
        return;
    json_t *doc;
    if (load(c, id, &doc) < 0)
        return;
    if (no_pin)
        json_object_del(doc, "pinData");
    sl_api_ok(c, doc);
}

void sl_api_workflow_create(struct sl_api_call *c, const char *unused)
{
    (void)unused;
    json_t *body = sl_api_body(c);
    if (!body)
        return;
    json_t *doc = workflow_from_body(c, body);
    json_decref(body);
    if (!doc)
        return;
    /* a new workflow is inactive and gets a new id, as in n8n */
    json_object_set_new(doc, "active", json_false());
    char *id = NULL;
    int rc = sl_store_workflow_save(c->st, doc, &id);
    json_decref(doc);
    answer_change(c, id, rc);
    free(id);
}

void sl_api_workflow_update(struct sl_api_call *c, const char *id)
{
    json_t *body = sl_api_body(c);
    if (!body)
        return;
    json_t *upd = workflow_from_body(c, body);
    json_decref(body);
    json_t *doc;
    if (!upd || load(c, id, &doc) < 0) {
        json_decref(upd);
        return;
    }
    /* what the body leaves out (staticData, pinData, ...) stays, as n8n's
     * update keeps the members it is not given; the active flag too */
    json_object_update(doc, upd);
    json_decref(upd);
    bool active = json_is_true(json_object_get(doc, "active"));
    static const char *const drop[] = {"active", "versionCounter", "createdAt", "updatedAt", NULL};
    for (const char *const *k = drop; *k; k++)
        json_object_del(doc, *k);
    json_object_set_new(doc, "id", json_string(id));
    /* an active workflow must stay activatable with its new nodes */
    if (active && check_activatable(c, id, doc) < 0) {
        json_decref(doc);
        return;
    }
    int rc = sl_store_workflow_save(c->st, doc, NULL);
    json_decref(doc);
    answer_change(c, id, rc);
}

void sl_api_workflow_delete(struct sl_api_call *c, const char *id)
{
    json_t *doc;
    if (load(c, id, &doc) < 0)
        return;
    int rc = sl_store_workflow_delete(c->st, id);
    if (rc < 0) {
        json_decref(doc);
        sl_api_store_error(c, rc);
        return;
    }
    sl_api_changed(c);
    sl_api_ok(c, doc);
}

static void set_active(struct sl_api_call *c, const char *id, bool active)
{
    json_t *doc;
    if (load(c, id, &doc) < 0)
        return;
    int refused = active ? check_activatable(c, id, doc) : 0;
    json_decref(doc);
    if (refused < 0)
        return;
    answer_change(c, id, sl_store_workflow_set_active(c->st, id, active));
}

void sl_api_workflow_activate(struct sl_api_call *c, const char *id)
{
    set_active(c, id, true);
}

void sl_api_workflow_deactivate(struct sl_api_call *c, const char *id)
{
    set_active(c, id, false);
}
