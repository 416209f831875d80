/*
 * Binary data (see binary.h): building n8n's IBinaryData objects, the
 * per-execution file store for data above the inline limit, and reading
 * bytes back whatever the storage.
 */
#include "core/binary.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/engine_int.h"
#include "core/files.h"
#include "core/jsvalue.h"
#include "core/mime.h"
#include "util/alloc.h"
#include "util/random.h"

#define DEFAULT_INLINE_MAX ((size_t)1 << 20)
/* Largest binary read back into memory. */
#define READ_MAX ((size_t)1 << 31)

struct sl_binary_store {
    char *data_dir;
    char *exec_id;
    size_t inline_max;
    char **files; /* paths this store wrote */
    size_t n_files, cap_files;
};

struct sl_binary_store *sl_binary_store_new(const char *data_dir, const char *exec_id,
                                            size_t inline_max)
{
    struct sl_binary_store *s = sl_calloc(1, sizeof *s);
    s->data_dir = sl_strdup(data_dir);
    s->exec_id = sl_strdup(exec_id);
    s->inline_max = inline_max;
    return s;
}

static const char *env_data_dir(void)
{
    const char *d = getenv("SLUICE_DATA_DIR");
    return d && *d ? d : ".sluice";
}

struct sl_binary_store *sl_binary_store_from_env(const char *exec_id)
{
    size_t max = DEFAULT_INLINE_MAX;
    const char *m = getenv("SLUICE_BINARY_INLINE_MAX");
    if (m && *m) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(m, &end, 10);
        if (!errno && !*end)
            max = (size_t)v;
    }
    return sl_binary_store_new(env_data_dir(), exec_id, max);
}

void sl_binary_store_free(struct sl_binary_store *s, bool keep)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_files; i++) {
        if (!keep)
            unlink(s->files[i]);
        free(s->files[i]);
    }
    if (!keep && s->n_files) {
        char *dir = sl_asprintf("%s/binary/%s", s->data_dir, s->exec_id);
        rmdir(dir); /* only once empty: another process may share the id */
        free(dir);
    }
    free(s->files);
    free(s->data_dir);
    free(s->exec_id);
    free(s);
}

/* ---- base64 ---- */

char *sl_base64_encode(const void *data, size_t len)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    char *out = sl_malloc(4 * ((len + 2) / 3) + 1), *o = out;
    size_t i = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = tab[v >> 18];
        *o++ = tab[(v >> 12) & 63];
        *o++ = tab[(v >> 6) & 63];
        *o++ = tab[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
        *o++ = tab[v >> 18];
        *o++ = tab[(v >> 12) & 63];
        *o++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    *o = '\0';
    return out;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

unsigned char *sl_base64_decode(const char *s, size_t slen, size_t *len)
{
    unsigned char *out = sl_malloc(slen / 4 * 3 + 4), *o = out;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < slen && s[i] != '='; i++) {
        int v = b64_value((unsigned char)s[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *o++ = (unsigned char)(acc >> bits);
        }
    }
    *o = '\0';
    *len = (size_t)(o - out);
    return out;
}

/* ---- sizes ---- */

void sl_binary_pretty_size(double bytes, char out[SL_BINARY_SIZE_MAX])
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    char num[SL_JSV_NUM_MAX];
    if (bytes < 1) {
        sl_jsv_num_format(bytes, num);
        snprintf(out, SL_BINARY_SIZE_MAX, "%s B", num);
        return;
    }
    int e = (int)floor(log10(bytes) / 3);
    if (e > 8)
        e = 8;
    double v = bytes / pow(1000, e);
    char prec[64];
    snprintf(prec, sizeof prec, "%.3g", v); /* toPrecision(3), then Number() */
    sl_jsv_num_format(strtod(prec, NULL), num);
    snprintf(out, SL_BINARY_SIZE_MAX, "%s %s", num, units[e]);
}

/* ---- store ---- */

static int mkdirs(const char *path)
{
    char *p = sl_strdup(path);
    for (char *c = p + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        if (mkdir(p, 0700) && errno != EEXIST) {
            free(p);
            return -1;
        }
        *c = '/';
    }
    int rc = mkdir(p, 0700) && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

/* Writes the bytes to a new file; returns the id's file part
 * ("<exec>/<uuid>") or NULL with err set. */
static char *store_file(struct sl_binary_store *s, const void *data, size_t len,
                        struct sl_error *err)
{
    char uuid[37];
    sl_random_uuid(uuid);
    char *dir = sl_asprintf("%s/binary/%s", s->data_dir, s->exec_id);
    char *path = sl_asprintf("%s/%s", dir, uuid);
    char *rel = NULL;
    if (mkdirs(dir)) {
        sl_error_set(err, "cannot create the binary data directory '%s': %s", dir, strerror(errno));
        goto out;
    }
    FILE *f = fopen(path, "wbx");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f)) {
        sl_error_set(err, "cannot write binary data to '%s': %s", path, strerror(errno));
        if (f)
            unlink(path);
        goto out;
    }
    if (s->n_files == s->cap_files) {
        s->cap_files = s->cap_files ? s->cap_files * 2 : 8;
        s->files = sl_realloc(s->files, s->cap_files * sizeof *s->files);
    }
    s->files[s->n_files++] = path;
    path = NULL;
    rel = sl_asprintf("%s/%s", s->exec_id, uuid);
out:
    free(path);
    free(dir);
    return rel;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return NULL;
    if (slash == path)
        return sl_strdup("/");
    return sl_strndup(path, (size_t)(slash - path));
}

json_t *sl_binary_store_put(struct sl_binary_store *s, const void *data, size_t len,
                            const struct sl_binary_meta *meta, struct sl_error *err)
{
    const char *path = meta ? meta->file_path : NULL;
    const char *mime = meta ? meta->mime_type : NULL;
    const char *ext = NULL;
    if (!mime && path)
        mime = sl_mime_lookup(path);
    if (!mime && !path)
        sl_mime_sniff(data, len, &mime, &ext);
    if (!ext && mime)
        ext = sl_mime_extension(mime);
    if (!mime)
        mime = "text/plain";
    char *dir = NULL;
    const char *name = NULL;
    if (path) {
        const char *slash = strrchr(path, '/');
        name = slash ? slash + 1 : path;
        dir = dir_of(path);
        const char *pext = sl_mime_path_ext(path);
        if (*pext)
            ext = pext;
    }
    char *id = NULL;
    if (len > s->inline_max) {
        char *rel = store_file(s, data, len, err);
        if (!rel) {
            free(dir);
            return NULL;
        }
        id = sl_asprintf("%s:%s", SL_BINARY_FS_MODE, rel);
        free(rel);
    }
    json_t *o = json_object();
    json_object_set_new(o, "mimeType", json_string(mime));
    const char *ft = sl_mime_file_type(mime);
    if (ft)
        json_object_set_new(o, "fileType", json_string(ft));
    if (ext)
        json_object_set_new(o, "fileExtension", json_string(ext));
    if (id) {
        json_object_set_new(o, "data", json_string(SL_BINARY_FS_MODE));
    } else {
        char *b64 = sl_base64_encode(data, len);
        json_object_set_new(o, "data", json_string(b64));
        free(b64);
    }
    if (dir && *dir)
        json_object_set_new(o, "directory", json_string(dir));
    if (name)
        json_object_set_new(o, "fileName", json_string(name));
    if (id)
        json_object_set_new(o, "id", json_string(id));
    char size[SL_BINARY_SIZE_MAX];
    sl_binary_pretty_size((double)len, size);
    json_object_set_new(o, "fileSize", json_string(size));
    free(id);
    free(dir);
    return o;
}

char *sl_binary_store_path(const struct sl_binary_store *s, const char *id)
{
    const char *rel = NULL;
    if (!strncmp(id, SL_BINARY_FS_MODE ":", sizeof SL_BINARY_FS_MODE))
        rel = id + sizeof SL_BINARY_FS_MODE;
    else if (!strncmp(id, "filesystem:", 11))
        rel = id + 11;
    if (!rel || !*rel || rel[0] == '/')
        return NULL;
    for (const char *p = rel; p;) {
        if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2]))
            return NULL;
        p = strchr(p, '/');
        if (p)
            p++;
    }
    return sl_asprintf("%s/binary/%s", s ? s->data_dir : env_data_dir(), rel);
}

int sl_binary_store_get(const struct sl_binary_store *s, const json_t *bin, unsigned char **data,
                        size_t *len, struct sl_error *err)
{
    const char *id = json_string_value(json_object_get(bin, "id"));
    if (id && *id) {
        char *path = sl_binary_store_path(s, id);
        if (!path) {
            sl_error_set(err, "binary data id '%s' is not one sluice stores", id);
            return SL_ERR_INVALID;
        }
        int rc = sl_files_read_all(path, READ_MAX, data, len);
        if (rc == SL_ERR_LIMIT)
            sl_error_set(err, "binary data '%s' is too large to read into memory", id);
        else if (rc)
            sl_error_set(err, "cannot read binary data '%s': %s", id, strerror(errno));
        free(path);
        return rc;
    }
    json_t *d = json_object_get(bin, "data");
    if (!json_is_string(d)) {
        sl_error_set(err, "the binary data has no 'data'");
        return SL_ERR_INVALID;
    }
    *data = sl_base64_decode(json_string_value(d), json_string_length(d), len);
    return 0;
}

/* ---- node API ---- */

/* The top execution's store: a sub-workflow's binary data outlives its
 * own execution, in the items it returns. */
static struct sl_binary_store *ctx_store(struct sl_node_ctx *ctx)
{
    struct sl_exec *ex = sl_exec_top(ctx->ex);
    if (!ex->binary)
        ex->binary = sl_binary_store_from_env(ex->id);
    return ex->binary;
}

json_t *sl_binary_new(struct sl_node_ctx *ctx, const void *data, size_t len,
                      const struct sl_binary_meta *meta)
{
    struct sl_error err = {{0}};
    json_t *b = sl_binary_store_put(ctx_store(ctx), data, len, meta, &err);
    if (!b)
        sl_ctx_fail(ctx, "%s", err.msg);
    return b;
}

int sl_binary_add(struct sl_node_ctx *ctx, json_t *item, const char *prop, const void *data,
                  size_t len, const struct sl_binary_meta *meta)
{
    json_t *b = sl_binary_new(ctx, data, len, meta);
    if (!b)
        return SL_ERR_NODE;
    json_t *cur = json_object_get(item, "binary");
    json_t *bin = json_is_object(cur) ? json_copy(cur) : json_object();
    json_object_set_new(bin, prop, b);
    json_object_set_new(item, "binary", bin);
    return 0;
}

json_t *sl_binary_input(struct sl_node_ctx *ctx, size_t item, const char *prop)
{
    json_t *it = json_array_get(sl_ctx_input(ctx, 0), item);
    json_t *bin = json_object_get(it, "binary");
    if (!bin) {
        sl_ctx_fail(ctx,
                    "This operation expects the node's input data to contain a binary file "
                    "'%s', but none was found [item %zu]",
                    prop, item);
        sl_ctx_fail_description(ctx, "Make sure that the previous node outputs a binary file");
        return NULL;
    }
    json_t *b = json_object_get(bin, prop);
    if (!b) {
        sl_ctx_fail(ctx, "The item has no binary field '%s' [item %zu]", prop, item);
        sl_ctx_fail_description(ctx, "Check that the parameter where you specified the input "
                                     "binary field name is correct, and that it matches a field "
                                     "in the binary input");
        return NULL;
    }
    return b;
}

int sl_binary_read(struct sl_node_ctx *ctx, const json_t *bin, unsigned char **data, size_t *len)
{
    struct sl_error err = {{0}};
    if (sl_binary_store_get(sl_exec_top(ctx->ex)->binary, bin, data, len, &err))
        return sl_ctx_fail(ctx, "%s", err.msg);
    return 0;
}

static const char *str_field(const json_t *bin, const char *key)
{
    return json_string_value(json_object_get(bin, key));
}

const char *sl_binary_mime_type(const json_t *bin)
{
    return str_field(bin, "mimeType");
}

const char *sl_binary_file_name(const json_t *bin)
{
    return str_field(bin, "fileName");
}

const char *sl_binary_file_extension(const json_t *bin)
{
    return str_field(bin, "fileExtension");
}

const char *sl_binary_file_size(const json_t *bin)
{
    return str_field(bin, "fileSize");
}

const char *sl_binary_directory(const json_t *bin)
{
    return str_field(bin, "directory");
}

bool sl_binary_is_stored(const json_t *bin)
{
    return str_field(bin, "id") != NULL;
}
