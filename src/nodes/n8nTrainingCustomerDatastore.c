/*
 * Customer Datastore (n8n training): emits n8n's fixed list of five
 * people. n8n's tutorials and test workflows use it as a data source.
 *
 * For each input item, "getOnePerson" emits the first person (without
 * pairedItem; the engine pairs it as n8n does) and "getAllPeople" emits
 * all people, or the first `limit` of them, each paired with that input
 * item. `limit` is applied as JavaScript's Array.prototype.slice(0, limit)
 * does, so a negative limit counts from the end.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "nodes/node.h"

static const double versions[] = {1, 0};

#define PEOPLE_COUNT 5

static const struct person {
    const char *id, *name, *email, *notes, *country, *created;
} people[PEOPLE_COUNT] = {
    {"23423532", "Jay Gatsby", "gatsby@west-egg.com", "Keeps asking about a green light??", "US",
     "1925-04-10"},
    {"23423533",
     "Jos\xc3\xa9 Arcadio Buend\xc3\xad"
     "a",
     "jab@macondo.co", "Lots of people named after him. Very confusing", "CO", "1967-05-05"},
    {"23423534", "Max Sendak", "info@in-and-out-of-weeks.org", "Keeps rolling his terrible eyes",
     "US", "1963-04-09"},
    {"23423535", "Zaphod Beeblebrox", "captain@heartofgold.com",
     "Felt like I was talking to more than one person", NULL, "1979-10-12"},
    {"23423536", "Edmund Pevensie", "edmund@narnia.gov", "Passionate sailor", "UK", "1950-10-16"},
};

/* A new object for person `i`, keys in n8n's order. */
static json_t *person_json(size_t i)
{
    const struct person *p = &people[i];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(p->id));
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "email", json_string(p->email));
    json_object_set_new(o, "notes", json_string(p->notes));
    json_object_set_new(o, "country", p->country ? json_string(p->country) : json_null());
    json_object_set_new(o, "created", json_string(p->created));
    return o;
}

/* The end index of data.slice(0, limit) over PEOPLE_COUNT entries. */
static size_t slice_end(double limit)
{
    if (isnan(limit))
        return 0;
    limit = trunc(limit);
    if (limit < 0)
        limit += PEOPLE_COUNT;
    if (limit < 0)
        return 0;
    if (limit > PEOPLE_COUNT)
        return PEOPLE_COUNT;
    return (size_t)limit;
}

static int execute(struct sl_node_ctx *ctx)
{
    size_t n = json_array_size(sl_ctx_input(ctx, 0));
    char *op = NULL;
    if (sl_ctx_param_str(ctx, "operation", 0, "getOnePerson", &op))
        return SL_ERR_NODE;
    bool one = !strcmp(op, "getOnePerson");
    bool all = !strcmp(op, "getAllPeople");
    free(op);

    for (size_t i = 0; i < n; i++) {
        if (one) {
            sl_ctx_out(ctx, 0, sl_item_new(person_json(0)));
        } else if (all) {
            bool return_all;
            if (sl_ctx_param_bool(ctx, "returnAll", i, false, &return_all))
                return SL_ERR_NODE;
            size_t end = PEOPLE_COUNT;
            if (!return_all) {
                double limit;
                if (sl_ctx_param_num(ctx, "limit", i, 5, &limit))
                    return SL_ERR_NODE;
                end = slice_end(limit);
            }
            for (size_t p = 0; p < end; p++)
                sl_ctx_out(ctx, 0, sl_item_new_paired(person_json(p), i));
        }
    }
    return 0;
}

const struct sl_node_type sl_node_n8nTrainingCustomerDatastore = {
    .name = "n8n-nodes-base.n8nTrainingCustomerDatastore",
    .versions = versions,
    .execute = execute,
};
