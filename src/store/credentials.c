/*
 * Credentials (see store.h): the secrets are sealed here, before any
 * backend sees them, with libsodium's secretbox (XSalsa20-Poly1305) under
 * the instance key, so no backend ever stores them in clear text.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/alloc.h"

/* The instance key: SLUICE_ENCRYPTION_KEY hashed to 32 bytes, else the
 * key file in the data directory, created (0600) with random bytes the
 * first time. Returns 0 or an error with the message on `st`. */
static int instance_key(struct sl_store *st, unsigned char key[crypto_secretbox_KEYBYTES])
{
    if (sodium_init() < 0)
        return sl_store_seterr(st, SL_ERR, "credentials: libsodium cannot start");
    const char *env = getenv("SLUICE_ENCRYPTION_KEY");
    if (env && *env) {
        crypto_generichash(key, crypto_secretbox_KEYBYTES, (const unsigned char *)env, strlen(env),
                           NULL, 0);
        return 0;
    }
    char *path = sl_asprintf("%s/encryption.key", sl_store_data_dir(st));
    char hex[2 * crypto_secretbox_KEYBYTES + 2];
    int rc = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        /* first use: a new key; O_EXCL so two processes cannot both make one */
        unsigned char fresh[crypto_secretbox_KEYBYTES];
        randombytes_buf(fresh, sizeof fresh);
        sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
        int w = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (w >= 0) {
            size_t n = strlen(hex);
            if (write(w, hex, n) != (ssize_t)n || fsync(w))
                rc = sl_store_seterr(st, SL_ERR_IO, "credentials: cannot write %s: %s", path,
                                     strerror(errno));
            close(w);
        }
        sodium_memzero(fresh, sizeof fresh);
        fd = rc ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    }
    if (!rc && fd < 0)
        rc = sl_store_seterr(st, SL_ERR_IO, "credentials: cannot read %s: %s", path,
                             strerror(errno));
    if (!rc) {
        ssize_t n = read(fd, hex, sizeof hex - 1);
        hex[n > 0 ? n : 0] = '\0';
        size_t got = 0;
        if (n < 0 ||
            sodium_hex2bin(key, crypto_secretbox_KEYBYTES, hex, strlen(hex), "\n", &got, NULL) ||
            got != crypto_secretbox_KEYBYTES)
            rc = sl_store_seterr(st, SL_ERR_INVALID,
                                 "credentials: %s does not hold a key (64 hex digits)", path);
    }
    if (fd >= 0)
        close(fd);
    sodium_memzero(hex, sizeof hex);
    free(path);
    return rc;
}

int sl_store_credential_create(struct sl_store *st, const char *id, const char *name,
                               const char *type, const json_t *data, char **new_id)
{
    if (!name || !*name || !type || !*type || !json_is_object(data))
        return sl_store_seterr(st, SL_ERR_INVALID,
                               "credential: a name, a type and data (a JSON object) are required");
    unsigned char key[crypto_secretbox_KEYBYTES];
    int rc = instance_key(st, key);
    if (rc)
        return rc;
    char *text = json_dumps(data, JSON_COMPACT);
    if (!text)
        sl_oom();
    size_t len = strlen(text);
    unsigned char nonce[crypto_secretbox_NONCEBYTES];
    randombytes_buf(nonce, sizeof nonce);
    unsigned char *box = sl_malloc(len + crypto_secretbox_MACBYTES);
    crypto_secretbox_easy(box, (const unsigned char *)text, len, nonce, key);
    sodium_memzero(text, len);
    free(text);
    sodium_memzero(key, sizeof key);
    char fresh[17];
    if (!id || !*id) {
        sl_store_random_id(fresh, 16);
        fresh[16] = '\0';
        id = fresh;
    }
    rc = st->be->cred_put(st, id, name, type, box, len + crypto_secretbox_MACBYTES, nonce,
                          sizeof nonce);
    free(box);
    if (!rc && new_id)
        *new_id = sl_strdup(id);
    return rc;
}

int sl_store_credential_resolve(struct sl_store *st, const char *type, const char *id,
                                const char *name, json_t **data)
{
    *data = NULL;
    char *got_type = NULL;
    void *box = NULL, *nonce = NULL;
    size_t box_len = 0, nonce_len = 0;
    int rc = SL_ERR_NOT_FOUND;
    if (id && *id)
        rc = st->be->cred_get(st, id, NULL, NULL, &got_type, &box, &box_len, &nonce, &nonce_len);
    if (rc == SL_ERR_NOT_FOUND && name && *name)
        rc = st->be->cred_get(st, NULL, name, type, &got_type, &box, &box_len, &nonce, &nonce_len);
    if (rc == SL_ERR_NOT_FOUND)
        return sl_store_seterr(st, rc, "credential '%s' (%s) does not exist",
                               name && *name ? name
                               : id          ? id
                                             : "",
                               type);
    if (rc)
        return rc;
    unsigned char key[crypto_secretbox_KEYBYTES];
    if (type && strcmp(got_type, type))
        rc = sl_store_seterr(st, SL_ERR_INVALID, "credential '%s' is of type %s, not %s",
                             name && *name ? name : id, got_type, type);
    else if (nonce_len != crypto_secretbox_NONCEBYTES || box_len < crypto_secretbox_MACBYTES)
        rc = sl_store_seterr(st, SL_ERR_INVALID, "credential '%s': stored data is damaged",
                             name && *name ? name : id);
    else
        rc = instance_key(st, key);
    if (!rc) {
        size_t len = box_len - crypto_secretbox_MACBYTES;
        unsigned char *plain = sl_malloc(len + 1);
        if (crypto_secretbox_open_easy(plain, box, box_len, nonce, key)) {
            rc = sl_store_seterr(st, SL_ERR_INVALID,
                                 "credential '%s' cannot be decrypted: the encryption key is not "
                                 "the one it was stored with",
                                 name && *name ? name : id);
        } else {
            *data = json_loadb((const char *)plain, len, 0, NULL);
            if (!json_is_object(*data)) {
                json_decref(*data);
                *data = NULL;
                rc = sl_store_seterr(st, SL_ERR_INVALID, "credential '%s': stored data is damaged",
                                     name && *name ? name : id);
            }
        }
        sodium_memzero(plain, len);
        free(plain);
        sodium_memzero(key, sizeof key);
    }
    free(got_type);
    free(box);
    free(nonce);
    return rc;
}

int sl_store_credential_list(struct sl_store *st, json_t **rows)
{
    return st->be->cred_list(st, rows);
}

int sl_store_credential_delete(struct sl_store *st, const char *id)
{
    return st->be->cred_delete(st, id);
}
