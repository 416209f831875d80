/*
 * Crypto v1: hashes, HMACs and signs a value (or a binary property), or
 * generates a random string, with OpenSSL's libcrypto as Node's crypto
 * module does under n8n.
 *
 * Per item: `action` (hash, hmac, sign, generate; read once), then
 *   hash / hmac: `type` (any digest OpenSSL knows: MD5, SHA1, SHA256,
 *     SHA3-256, ...), `encoding` (hex, base64), `secret` (hmac), `value`
 *     or, with `binaryData`, the bytes of binary property
 *     `binaryPropertyName`;
 *   sign: `algorithm` (RSA-SHA256, sha256, ...), `privateKey` (PEM),
 *     `encoding`, `value`;
 *   generate: `encodingType` (uuid, hex, base64, ascii), `stringLength`.
 * The result is written to json[dataPropertyName]; the name is one key,
 * dots included, as n8n's lodash set with a path array does. The input's
 * binary data is kept unless the node hashed it. Error messages are Node's
 * (the same OpenSSL 3 strings).
 */
#include <math.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/binary.h"
#include "core/item.h"
#include "core/jsvalue.h"
#include "nodes/node.h"
#include "util/alloc.h"
#include "util/random.h"

static const double versions[] = {1, 0};

/* Node's ERR_INVALID_ARG_TYPE text for a value that is not a string. */
static int fail_arg_type(struct sl_node_ctx *ctx, const char *arg, const char *expected,
                         const json_t *v)
{
    const char *type = sl_jsv_typeof(v);
    if (!v)
        return sl_ctx_fail(ctx, "The \"%s\" argument must be %s. Received undefined", arg,
                           expected);
    if (json_is_null(v))
        return sl_ctx_fail(ctx, "The \"%s\" argument must be %s. Received null", arg, expected);
    if (json_is_array(v) || json_is_object(v))
        return sl_ctx_fail(ctx, "The \"%s\" argument must be %s. Received an instance of %s", arg,
                           expected, json_is_array(v) ? "Array" : "Object");
    char *s = sl_jsv_to_string(v);
    int rc = sl_ctx_fail(ctx, "The \"%s\" argument must be %s. Received type %s (%s)", arg,
                         expected, type, s);
    free(s);
    return rc;
}

/* Encodes a digest or signature as Node's toString(encoding) does. */
static char *encode(const unsigned char *p, size_t n, const char *encoding)
{
    if (!strcmp(encoding, "base64") || !strcmp(encoding, "base64url")) {
        char *s = sl_base64_encode(p, n);
        if (!strcmp(encoding, "base64url")) {
            char *o = s;
            for (char *c = s; *c; c++)
                if (*c != '=')
                    *o++ = *c == '+' ? '-' : *c == '/' ? '_' : *c;
            *o = '\0';
        }
        return s;
    }
    char *s = sl_malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        snprintf(s + 2 * i, 3, "%02x", p[i]);
    s[2 * n] = '\0';
    return s;
}

/* The bytes to hash: the `value` string or the binary property. */
struct input {
    unsigned char *bin;
    const unsigned char *p;
    size_t n;
};

static int read_input(struct sl_node_ctx *ctx, size_t i, bool binary, const json_t *value,
                      const char *arg, struct input *in)
{
    memset(in, 0, sizeof *in);
    if (binary) {
        char *prop = NULL;
        if (sl_ctx_param_str(ctx, "binaryPropertyName", i, "data", &prop) < 0)
            return SL_ERR_NODE;
        json_t *b = sl_binary_input(ctx, i, prop);
        free(prop);
        if (!b || sl_binary_read(ctx, b, &in->bin, &in->n) < 0)
            return SL_ERR_NODE;
        in->p = in->bin;
        return 0;
    }
    if (!json_is_string(value))
        return fail_arg_type(
            ctx, arg, "of type string or an instance of Buffer, TypedArray, or DataView", value);
    in->p = (const unsigned char *)json_string_value(value);
    in->n = json_string_length(value);
    return 0;
}

static int digest(struct sl_node_ctx *ctx, const EVP_MD *md, const struct input *in,
                  unsigned char *out, unsigned *outlen)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    int ok = m && EVP_DigestInit_ex(m, md, NULL) && EVP_DigestUpdate(m, in->p, in->n);
    if (ok && (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)) {
        *outlen = (unsigned)EVP_MD_get_size(md);
        ok = EVP_DigestFinalXOF(m, out, *outlen);
    } else if (ok) {
        ok = EVP_DigestFinal_ex(m, out, outlen);
    }
    EVP_MD_CTX_free(m);
    return ok ? 0 : sl_ctx_fail(ctx, "Digest method not supported");
}

static int fail_openssl(struct sl_node_ctx *ctx, const char *fallback)
{
    unsigned long e = ERR_get_error();
    char buf[256];
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return sl_ctx_fail(ctx, "%s", e ? buf : fallback);
}

/* The PEM passphrase callback: no passphrase (never prompt). */
static int no_password(char *buf, int size, int rwflag, void *u)
{
    return 0;
}

static int sign(struct sl_node_ctx *ctx, size_t i, const json_t *value, char **out)
{
    char *alg = NULL, *enc = NULL;
    json_t *key = NULL;
    unsigned char *sig = NULL;
    EVP_PKEY *pkey = NULL;
    EVP_MD_CTX *m = NULL;
    int rc = SL_ERR_NODE;
    if (sl_ctx_param_str(ctx, "algorithm", i, "", &alg) < 0 ||
        sl_ctx_param_str(ctx, "encoding", i, "hex", &enc) < 0)
        goto out;
    key = sl_ctx_param(ctx, "privateKey", i, NULL);
    if (sl_ctx_failed(ctx))
        goto out;
    const EVP_MD *md = *alg ? EVP_get_digestbyname(alg) : NULL;
    if (!md) {
        sl_ctx_fail(ctx, "Invalid digest");
        goto out;
    }
    struct input in;
    if (read_input(ctx, i, false, value, "chunk", &in) < 0)
        goto out;
    if (!json_is_string(key) || !json_string_length(key)) {
        sl_ctx_fail(ctx, "No key provided to sign");
        goto out;
    }
    ERR_clear_error();
    BIO *bio = BIO_new_mem_buf(json_string_value(key), (int)json_string_length(key));
    pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL) : NULL;
    BIO_free(bio);
    if (!pkey) {
        fail_openssl(ctx, "Invalid private key");
        goto out;
    }
    size_t siglen = 0;
    m = EVP_MD_CTX_new();
    if (!m || EVP_DigestSignInit(m, NULL, md, NULL, pkey) != 1 ||
        EVP_DigestSign(m, NULL, &siglen, in.p, in.n) != 1) {
        fail_openssl(ctx, "Sign failed");
        goto out;
    }
    sig = sl_malloc(siglen ? siglen : 1);
    if (EVP_DigestSign(m, sig, &siglen, in.p, in.n) != 1) {
        fail_openssl(ctx, "Sign failed");
        goto out;
    }
    *out = encode(sig, siglen, enc);
    rc = 0;
out:
    EVP_MD_CTX_free(m);
    EVP_PKEY_free(pkey);
    free(sig);
    json_decref(key);
    free(alg);
    free(enc);
    return rc;
}

static int hash_or_hmac(struct sl_node_ctx *ctx, size_t i, bool hmac, const json_t *value,
                        char **out, bool *binary_done)
{
    char *type = NULL, *enc = NULL;
    json_t *secret = NULL;
    struct input in = {0};
    bool binary = false;
    int rc = SL_ERR_NODE;
    if (sl_ctx_param_str(ctx, "type", i, "MD5", &type) < 0 ||
        sl_ctx_param_str(ctx, "encoding", i, "hex", &enc) < 0)
        goto out;
    const EVP_MD *md = EVP_get_digestbyname(type);
    if (hmac) {
        json_t *empty = json_string("");
        secret = sl_ctx_param(ctx, "secret", i, empty);
        json_decref(empty);
        if (sl_ctx_failed(ctx))
            goto out;
        if (!md) {
            sl_ctx_fail(ctx, "Invalid digest: %s", type);
            goto out;
        }
        if (!json_is_string(secret)) {
            fail_arg_type(ctx, "key",
                          "of type string or an instance of ArrayBuffer, Buffer, TypedArray, "
                          "DataView, KeyObject, or CryptoKey",
                          secret);
            goto out;
        }
    } else if (!md) {
        sl_ctx_fail(ctx, "Digest method not supported");
        goto out;
    }
    if (sl_ctx_param_bool(ctx, "binaryData", i, false, &binary) < 0 ||
        read_input(ctx, i, binary, value, "data", &in) < 0)
        goto out;
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (hmac) {
        if (!HMAC(md, json_string_value(secret), (int)json_string_length(secret), in.p, in.n, buf,
                  &len)) {
            fail_openssl(ctx, "Invalid digest");
            goto out;
        }
    } else if (digest(ctx, md, &in, buf, &len) < 0) {
        goto out;
    }
    *out = encode(buf, len, enc);
    *binary_done = binary;
    rc = 0;
out:
    free(in.bin);
    json_decref(secret);
    free(type);
    free(enc);
    return rc;
}

static int generate(struct sl_node_ctx *ctx, size_t i, char **out, size_t *out_len)
{
    char *type = NULL;
    if (sl_ctx_param_str(ctx, "encodingType", i, "uuid", &type) < 0)
        return SL_ERR_NODE;
    if (!strcmp(type, "uuid")) {
        free(type);
        *out = sl_malloc(37);
        sl_random_uuid(*out);
        *out_len = 36;
        return 0;
    }
    double len;
    if (sl_ctx_param_num(ctx, "stringLength", i, 32, &len) < 0) {
        free(type);
        return SL_ERR_NODE;
    }
    if (isnan(len) || len != trunc(len) || len < 0 || len > 1 << 30) {
        char num[SL_JSV_NUM_MAX];
        sl_jsv_num_format(len, num);
        free(type);
        if (isnan(len) || len != trunc(len))
            return sl_ctx_fail(
                ctx, "The value of \"size\" is out of range. It must be an integer. Received %s",
                num);
        return sl_ctx_fail(ctx,
                           "The value of \"size\" is out of range. It must be >= 0 && <= "
                           "2147483647. Received %s",
                           num);
    }
    size_t n = (size_t)len;
    unsigned char *bytes = sl_malloc(n ? n : 1);
    sl_random_bytes(bytes, n);
    int rc = 0;
    if (!strcmp(type, "hex") || !strcmp(type, "base64")) {
        char *s = encode(bytes, n, type);
        if (!strcmp(type, "base64")) { /* .replace(/\W/g, '') */
            char *o = s;
            for (char *c = s; *c; c++)
                if (*c != '+' && *c != '/' && *c != '=')
                    *o++ = *c;
            *o = '\0';
        }
        if (strlen(s) > n)
            s[n] = '\0';
        *out = s;
        *out_len = strlen(s);
    } else if (!strcmp(type, "ascii")) {
        char *s = sl_malloc(n + 1);
        for (size_t k = 0; k < n; k++)
            s[k] = (char)(bytes[k] & 0x7f);
        s[n] = '\0';
        *out = s;
        *out_len = n;
    } else {
        rc = sl_ctx_fail(ctx, "Unknown encoding: %s", type);
    }
    free(bytes);
    free(type);
    return rc;
}

/* Runs the action for item i; the result string goes to *out. */
static int run_item(struct sl_node_ctx *ctx, const char *action, size_t i, char **out,
                    size_t *out_len, bool *binary_done)
{
    json_t *empty = json_string("");
    json_t *value = sl_ctx_param(ctx, "value", i, empty);
    json_decref(empty);
    if (sl_ctx_failed(ctx))
        return SL_ERR_NODE;
    int rc = 0;
    *out = NULL;
    *out_len = 0;
    if (!strcmp(action, "generate"))
        rc = generate(ctx, i, out, out_len);
    else if (!strcmp(action, "hash") || !strcmp(action, "hmac"))
        rc = hash_or_hmac(ctx, i, !strcmp(action, "hmac"), value, out, binary_done);
    else if (!strcmp(action, "sign"))
        rc = sign(ctx, i, value, out);
    json_decref(value);
    /* ascii output may hold NUL characters: generate() gives the length */
    if (*out && !*out_len)
        *out_len = strlen(*out);
    return rc;
}

static int execute(struct sl_node_ctx *ctx)
{
    json_t *items = sl_ctx_input(ctx, 0);
    char *action = NULL;
    if (sl_ctx_param_str(ctx, "action", 0, "hash", &action) < 0)
        return SL_ERR_NODE;
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        char *prop = NULL, *res = NULL;
        size_t res_len = 0;
        bool binary_done = false;
        int rc = sl_ctx_param_str(ctx, "dataPropertyName", i, "data", &prop);
        if (!rc)
            rc = run_item(ctx, action, i, &res, &res_len, &binary_done);
        if (!rc) {
            json_t *src = sl_item_json(item);
            json_t *json = json_is_object(src) ? json_copy(src) : json_object();
            /* undefined (no action matched) is dropped by JSON, as in n8n */
            if (res)
                json_object_set_new(json, prop, json_stringn_nocheck(res, res_len));
            json_t *out = sl_item_new_paired(json, i);
            json_t *bin = json_object_get(item, "binary");
            if (bin && !binary_done)
                json_object_set(out, "binary", bin);
            sl_ctx_out(ctx, 0, out);
        }
        free(prop);
        free(res);
        if (rc && sl_ctx_item_failed(ctx, i)) {
            free(action);
            return SL_ERR_NODE;
        }
    }
    free(action);
    return 0;
}

const struct sl_node_type sl_node_crypto = {
    .name = "n8n-nodes-base.crypto",
    .versions = versions,
    .execute = execute,
};
