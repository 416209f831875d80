/*
 * DebugHelper: n8n's node that causes problems on purpose or generates
 * test data.
 *
 * Categories: "doNothing" emits nothing; "throwError" fails with
 * `throwErrorMessage` (per item {json: {error}} paired with the input item
 * when the node continues on fail, as n8n emits); "randomData" emits `randomDataCount`
 * generated records per input item, each carrying that input item's
 * pairedItem, or one {generatedItems: [...]} item with
 * `randomDataSingleArray`. "oom" is not supported.
 *
 * Random data: n8n draws from the minifaker library and its English word
 * lists. sluice produces records of the same shape (for "user": uid,
 * email, firstname, lastname, password) from its own small lists and a
 * PRNG seeded from `randomDataSeed`, so a seed gives the same data on
 * every run, but not the values n8n would give. As in n8n, the seed does
 * not reach the uid: minifaker's uuid.v4() draws from the system's
 * randomness. Other data types fail with a "not supported yet" error.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/item.h"
#include "nodes/node.h"

static const double versions[] = {1, 0};

/* splitmix64: small, fast and good enough for test data. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t rng_below(uint64_t *s, size_t n)
{
    return (size_t)(rng_next(s) % n);
}

/* FNV-1a of the seed text; an empty seed takes the clock instead. */
static uint64_t rng_seed(const char *seed)
{
    if (!*seed) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec;
    }
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)seed; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

static const char *const first_names[] = {
    "Ada",     "Alan",  "Barbara", "Claude", "Dennis", "Edsger",    "Frances",
    "Grace",   "Hedy",  "Ivan",    "Joan",   "Ken",    "Linus",     "Margaret",
    "Niklaus", "Radia", "Sophie",  "Tim",    "Ursula", "Whitfield",
};
static const char *const last_names[] = {
    "Lovelace", "Turing",  "Liskov",     "Shannon",     "Ritchie",  "Dijkstra", "Allen",
    "Hopper",   "Lamarr",  "Sutherland", "Clarke",      "Thompson", "Torvalds", "Hamilton",
    "Wirth",    "Perlman", "Wilson",     "Berners-Lee", "Franklin", "Diffie",
};
static const char *const domains[] = {"example.com", "example.org", "example.net", "mail.example"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A new string: an RFC 4122 version 4 UUID from the system's randomness
 * (the seeded state `s` only when that is unavailable). */
static json_t *gen_uuid(uint64_t *s)
{
    unsigned char b[16];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
        for (size_t i = 0; i < 16; i++)
            b[i] = (unsigned char)rng_next(s);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char out[37];
    snprintf(out, sizeof(out),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    return json_string(out);
}

static json_t *gen_password(uint64_t *s)
{
    static const char alphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    char out[16];
    for (size_t i = 0; i < sizeof(out) - 1; i++)
        out[i] = alphabet[rng_below(s, sizeof(alphabet) - 1)];
    out[sizeof(out) - 1] = '\0';
    return json_string(out);
}

static json_t *gen_email(uint64_t *s)
{
    const char *f = first_names[rng_below(s, COUNT(first_names))];
    const char *l = last_names[rng_below(s, COUNT(last_names))];
    const char *d = domains[rng_below(s, COUNT(domains))];
    char out[128];
    int n = snprintf(out, sizeof(out), "%s.%s@%s", f, l, d);
    for (int i = 0; i < n && out[i] != '@'; i++)
        if (out[i] >= 'A' && out[i] <= 'Z')
            out[i] = (char)(out[i] - 'A' + 'a');
    return json_string(out);
}

/* A new object shaped like n8n's generateRandomUser(). */
static json_t *gen_user(uint64_t *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "uid", gen_uuid(s));
    json_object_set_new(o, "email", gen_email(s));
    json_object_set_new(o, "firstname", json_string(first_names[rng_below(s, COUNT(first_names))]));
    json_object_set_new(o, "lastname", json_string(last_names[rng_below(s, COUNT(last_names))]));
    json_object_set_new(o, "password", gen_password(s));
    return o;
}

/* A new item {json, pairedItem: <src's pairedItem>} (none when src has
 * none), as n8n copies items[i].pairedItem. */
static json_t *item_like(json_t *json, const json_t *src)
{
    json_t *item = sl_item_new(json);
    json_t *p = json_object_get(src, "pairedItem");
    if (p)
        json_object_set(item, "pairedItem", p);
    return item;
}

static int random_data(struct sl_node_ctx *ctx, json_t *input)
{
    char *type = NULL, *seed = NULL;
    long long count;
    bool single;
    int rc = SL_ERR_NODE;
    if (sl_ctx_param_str(ctx, "randomDataType", 0, "user", &type) ||
        sl_ctx_param_str(ctx, "randomDataSeed", 0, "", &seed) ||
        sl_ctx_param_int(ctx, "randomDataCount", 0, 10, &count) ||
        sl_ctx_param_bool(ctx, "randomDataSingleArray", 0, false, &single))
        goto out;
    if (strcmp(type, "user") != 0) {
        rc = sl_ctx_fail(ctx, "debugHelper random data type '%s' is not supported yet", type);
        goto out;
    }
    if (count < 0)
        count = 0;
    if (count > 100000) {
        rc = sl_ctx_fail(ctx, "parameter 'randomDataCount' is too large: %lld (limit 100000)",
                         count);
        goto out;
    }
    uint64_t state = rng_seed(seed);
    for (size_t i = 0; i < json_array_size(input); i++) {
        json_t *src = json_array_get(input, i);
        /* minifaker's setSeed() runs before each item's batch. */
        if (*seed)
            state = rng_seed(seed);
        json_t *list = json_array();
        for (long long k = 0; k < count; k++)
            json_array_append_new(list, gen_user(&state));
        if (single) {
            json_t *o = json_object();
            json_object_set_new(o, "generatedItems", list);
            sl_ctx_out(ctx, 0, item_like(o, src));
        } else {
            size_t j;
            json_t *g;
            json_array_foreach(list, j, g) sl_ctx_out(ctx, 0, item_like(json_incref(g), src));
            json_decref(list);
        }
    }
    rc = 0;
out:
    free(type);
    free(seed);
    return rc;
}

static int throw_error(struct sl_node_ctx *ctx, json_t *input)
{
    char *msg = NULL;
    if (sl_ctx_param_str(ctx, "throwErrorMessage", 0, "Node has thrown an error", &msg))
        return SL_ERR_NODE;
    int rc = 0;
    for (size_t i = 0; i < json_array_size(input); i++) {
        if (!sl_ctx_continue_on_fail(ctx)) {
            rc = sl_ctx_fail(ctx, "%s", msg);
            break;
        }
        sl_ctx_out(ctx, 0, sl_item_new_paired(json_pack("{s:s}", "error", msg), i));
    }
    free(msg);
    return rc;
}

static int execute(struct sl_node_ctx *ctx)
{
    json_t *input = sl_ctx_input(ctx, 0);
    char *category = NULL;
    if (sl_ctx_param_str(ctx, "category", 0, "throwError", &category))
        return SL_ERR_NODE;
    int rc = 0;
    if (!strcmp(category, "doNothing"))
        rc = 0;
    else if (!strcmp(category, "throwError"))
        rc = throw_error(ctx, input);
    else if (!strcmp(category, "randomData"))
        rc = random_data(ctx, input);
    else if (json_array_size(input) > 0)
        rc = sl_ctx_fail(ctx, "debugHelper category '%s' is not supported yet", category);
    free(category);
    return rc;
}

const struct sl_node_type sl_node_debugHelper = {
    .name = "n8n-nodes-base.debugHelper",
    .versions = versions,
    .execute = execute,
};
