/*
 * Request body parsers for webhooks (see body.h): content type and
 * disposition parameters, charsets, form-urlencoded and multipart bodies,
 * each bounded and each failing with a message instead of crashing.
 */
#define _GNU_SOURCE
#include "server/body.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/binary.h"
#include "core/jsvalue.h"
#include "util/alloc.h"

/* ---- header parameters ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* decodeURIComponent for header parameters: valid %XX escapes decoded,
 * the text kept as written when an escape is malformed. */
static char *uri_decode(const char *s, size_t n)
{
    char *out = sl_malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n || hexval((unsigned char)s[i + 1]) < 0 ||
                hexval((unsigned char)s[i + 2]) < 0) {
                memcpy(out, s, n);
                out[n] = '\0';
                return out;
            }
            out[o++] =
                (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

static void trim_span(const char **b, const char **e)
{
    while (*b < *e && isspace((unsigned char)**b))
        (*b)++;
    while (*e > *b && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

/* parseHeaderParameters: ";"-separated "key=value" pairs after the first
 * segment; key lower-cased and trimmed; value URI-decoded, trimmed and
 * unquoted; only the text up to a second '=' counts (JavaScript's
 * destructuring of split('=')). Returns the value of `want` (last one
 * wins), or NULL. */
static char *header_param(const char *params, const char *want)
{
    char *found = NULL;
    const char *p = params;
    while (p && *p) {
        const char *end = strchr(p, ';');
        if (!end)
            end = p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        const char *kb = p, *ke = eq ? eq : end;
        trim_span(&kb, &ke);
        if ((size_t)(ke - kb) == strlen(want) && !strncasecmp(kb, want, (size_t)(ke - kb))) {
            char *v;
            if (!eq) {
                v = sl_strdup("undefined");
            } else {
                const char *vb = eq + 1;
                const char *ve = memchr(vb, '=', (size_t)(end - vb));
                if (!ve)
                    ve = end;
                char *dec = uri_decode(vb, (size_t)(ve - vb));
                const char *b = dec, *e = dec + strlen(dec);
                trim_span(&b, &e);
                if (e - b >= 2 && *b == '"' && e[-1] == '"') {
                    b++;
                    e--;
                }
                v = sl_strndup(b, (size_t)(e - b));
                free(dec);
            }
            free(found);
            found = v;
        }
        p = *end ? end + 1 : NULL;
    }
    return found;
}

void sl_body_content_type(const char *header, char **type, char **charset)
{
    *type = NULL;
    *charset = NULL;
    if (!header || !*header)
        return;
    const char *semi = strchr(header, ';');
    size_t n = semi ? (size_t)(semi - header) : strlen(header);
    char *t = sl_strndup(header, n);
    for (char *c = t; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    *type = t;
    char *cs = semi ? header_param(semi + 1, "charset") : NULL;
    if (!cs)
        cs = sl_strdup("utf-8");
    for (char *c = cs; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    *charset = cs;
}

char *sl_body_disposition_filename(const char *header)
{
    if (!header || !*header)
        return NULL;
    const char *params;
    if (!strncmp(header, "attachment", 10) || !strncmp(header, "inline", 6)) {
        params = strchr(header, ';');
        if (!params)
            return NULL;
        params++;
    } else {
        params = header; /* n8n prefixes "attachment; " */
    }
    char *name = header_param(params, "filename");
    char *star = header_param(params, "filename*");
    if (star && *star) {
        /* charset'lang'content: the third piece */
        const char *q1 = strchr(star, '\'');
        const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
        free(name);
        if (q2) {
            const char *q3 = strchr(q2 + 1, '\'');
            name = q3 ? sl_strndup(q2 + 1, (size_t)(q3 - q2 - 1)) : sl_strdup(q2 + 1);
        } else {
            name = NULL; /* undefined */
        }
    }
    free(star);
    return name;
}

/* ---- charsets ---- */

static json_t *buf_string(struct sl_buf *b)
{
    json_t *s = json_stringn(b->data ? b->data : "", b->len);
    sl_buf_release(b);
    if (!s)
        sl_oom();
    return s;
}

json_t *sl_body_decode_text(const void *data, size_t len, const char *charset, struct sl_error *err)
{
    const unsigned char *p = data;
    const char *cs = charset ? charset : "utf-8";
    struct sl_buf b = {0};
    if (!strcasecmp(cs, "utf-8") || !strcasecmp(cs, "utf8"))
        return sl_jsv_utf8_decode(data, len);
    if (!strcasecmp(cs, "latin1") || !strcasecmp(cs, "binary") || !strcasecmp(cs, "ascii")) {
        bool ascii = !strcasecmp(cs, "ascii");
        for (size_t i = 0; i < len; i++)
            sl_jsv_utf8_put(&b, ascii ? (p[i] & 0x7Fu) : p[i]);
        return buf_string(&b);
    }
    if (!strcasecmp(cs, "utf16le") || !strcasecmp(cs, "utf-16le") || !strcasecmp(cs, "ucs2") ||
        !strcasecmp(cs, "ucs-2")) {
        for (size_t i = 0; i + 1 < len; i += 2) {
            unsigned u = p[i] | (unsigned)p[i + 1] << 8;
            if (u >= 0xD800 && u <= 0xDBFF && i + 3 < len) {
                unsigned lo = p[i + 2] | (unsigned)p[i + 3] << 8;
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    sl_jsv_utf8_put(&b, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                    i += 2;
                    continue;
                }
            }
            sl_jsv_utf8_put(&b, (u >= 0xD800 && u <= 0xDFFF) ? 0xFFFD : u);
        }
        return buf_string(&b);
    }
    if (!strcasecmp(cs, "hex")) {
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < len; i++) {
            sl_buf_addc(&b, digits[p[i] >> 4]);
            sl_buf_addc(&b, digits[p[i] & 15]);
        }
        return buf_string(&b);
    }
    if (!strcasecmp(cs, "base64") || !strcasecmp(cs, "base64url")) {
        char *s = sl_base64_encode(data, len);
        if (!strcasecmp(cs, "base64url")) {
            char *o = s;
            for (char *c = s; *c; c++) {
                if (*c == '=')
                    continue;
                *o++ = *c == '+' ? '-' : *c == '/' ? '_' : *c;
            }
            *o = '\0';
        }
        json_t *r = json_string(s);
        free(s);
        return r;
    }
    sl_error_set(err, "Unknown encoding: %s", cs);
    return NULL;
}

/* ---- application/x-www-form-urlencoded ---- */

/* Node's querystring unescape: '+' is a space, valid %XX escapes are
 * bytes, the rest stays; the bytes are then read as UTF-8. */
static json_t *form_decode(const char *s, size_t n)
{
    char *tmp = sl_malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            tmp[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
                   hexval((unsigned char)s[i + 2]) >= 0) {
            tmp[o++] =
                (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            tmp[o++] = s[i];
        }
    }
    json_t *r = sl_jsv_utf8_decode(tmp, o);
    free(tmp);
    return r;
}

static void form_add(json_t *obj, json_t *key, json_t *value)
{
    const char *k = json_string_value(key);
    size_t klen = json_string_length(key);
    json_t *cur = json_object_getn(obj, k, klen);
    if (!cur) {
        json_object_setn_new(obj, k, klen, value);
    } else if (json_is_array(cur)) {
        json_array_append_new(cur, value);
    } else {
        json_t *arr = json_pack("[O]", cur);
        json_array_append_new(arr, value);
        json_object_setn_new(obj, k, klen, arr);
    }
    json_decref(key);
}

json_t *sl_body_form_urlencoded(const char *text, size_t len)
{
    json_t *obj = json_object();
    size_t pairs = SL_BODY_FORM_MAX_KEYS;
    size_t pos = 0;
    while (pos <= len && pairs > 0) {
        const char *start = text + pos;
        const char *amp = memchr(start, '&', len - pos);
        size_t n = amp ? (size_t)(amp - start) : len - pos;
        if (n > 0) {
            const char *eq = memchr(start, '=', n);
            size_t kn = eq ? (size_t)(eq - start) : n;
            size_t vn = eq ? n - kn - 1 : 0;
            /* "=" alone is an empty pair, skipped (but counted) */
            if (kn > 0 || vn > 0)
                form_add(obj, form_decode(start, kn), form_decode(eq ? eq + 1 : start, vn));
            pairs--;
        } else if (amp) {
            pairs--;
        }
        if (!amp)
            break;
        pos += n + 1;
    }
    return obj;
}

/* ---- multipart/form-data ---- */

struct mp {
    const unsigned char *s;
    size_t len;
    const unsigned char *delim; /* "\r\n--" boundary */
    size_t dlen;
    struct sl_error *err;
};

static int mp_fail(struct mp *m, const char *state)
{
    sl_error_set(m->err, "MultipartParser.end(): stream ended unexpectedly: state = %s", state);
    return SL_ERR_PARSE;
}

static const unsigned char *find_bytes(const unsigned char *h, size_t hn, const unsigned char *n,
                                       size_t nn)
{
    if (nn == 0 || hn < nn)
        return NULL;
    const unsigned char *end = h + hn - nn;
    for (const unsigned char *p = h; p <= end; p++) {
        p = memchr(p, n[0], (size_t)(end - p) + 1);
        if (!p)
            return NULL;
        if (!memcmp(p, n, nn))
            return p;
    }
    return NULL;
}

/* formidable's name and filename regular expressions on a
 * Content-Disposition value. */
static bool is_word(unsigned char c)
{
    return isalnum(c) || c == '_';
}

static const char *find_param(const char *v, const char *key)
{
    size_t kn = strlen(key);
    for (const char *p = v; (p = strcasestr(p, key)); p++) {
        if (p > v && is_word((unsigned char)p[-1]))
            continue;
        if (p[kn] == '=')
            return p + kn + 1;
    }
    return NULL;
}

static char *disposition_name(const char *v)
{
    for (const char *p = v; (p = find_param(p, "name"));) {
        if (*p == '"') {
            const char *q = strchr(p + 1, '"');
            if (q)
                return sl_strndup(p + 1, (size_t)(q - p - 1));
        } else {
            size_t n = strcspn(p, "()<>@,;:\\\"/[]?={} \t\r\n\f\v");
            if (n > 0)
                return sl_strndup(p, n);
        }
    }
    return NULL;
}

static char *disposition_filename(const char *v)
{
    for (const char *p = v; (p = find_param(p, "filename"));) {
        const char *b = NULL, *e = NULL;
        if (*p == '"') {
            /* "(.*?)" followed by end or "; " */
            for (const char *q = p + 1; (q = strchr(q, '"')); q++) {
                if (!q[1] || (q[1] == ';' && isspace((unsigned char)q[2]))) {
                    b = p + 1;
                    e = q;
                    break;
                }
            }
        } else {
            size_t n = strcspn(p, "()<>{}[]@,;:\"?= \t\r\n\f\v/");
            if (n > 0 && (!p[n] || (p[n] == ';' && isspace((unsigned char)p[n + 1])))) {
                b = p;
                e = p + n;
            }
        }
        if (!b)
            continue;
        const char *bs = b;
        for (const char *q = b; q < e; q++)
            if (*q == '\\')
                bs = q + 1;
        struct sl_buf out = {0};
        for (const char *q = bs; q < e; q++) {
            if (!strncmp(q, "%22", 3) && q + 3 <= e) {
                sl_buf_addc(&out, '"');
                q += 2;
            } else if (q[0] == '&' && q + 7 <= e && q[1] == '#' && isdigit((unsigned char)q[2]) &&
                       isdigit((unsigned char)q[3]) && isdigit((unsigned char)q[4]) &&
                       isdigit((unsigned char)q[5]) && q[6] == ';') {
                unsigned cp = (unsigned)atoi(q + 2);
                sl_jsv_utf8_put(&out, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
                q += 6;
            } else {
                sl_buf_addc(&out, *q);
            }
        }
        return sl_buf_steal(&out);
    }
    return NULL;
}

static void part_clear(struct sl_multipart_part *p)
{
    free(p->name);
    free(p->filename);
    free(p->content_type);
    free(p->transfer_encoding);
    free(p->data);
    memset(p, 0, sizeof *p);
}

/* Reads the header lines at *pos. Returns 0 at the blank line, 1 when
 * the input ends right where the first header would start (formidable
 * then ends without error), or an error. */
static int mp_headers(struct mp *m, size_t *pos, struct sl_multipart_part *part)
{
    size_t p = *pos, bytes = 0;
    int count = 0;
    bool first = true;
    for (;;) {
        if (p >= m->len)
            return first ? 1 : mp_fail(m, "HEADER_FIELD_START");
        if (m->s[p] == '\r') {
            if (p + 1 >= m->len)
                return mp_fail(m, "HEADERS_ALMOST_DONE");
            if (m->s[p + 1] != '\n')
                return mp_fail(m, "HEADERS_ALMOST_DONE");
            *pos = p + 2;
            return 0;
        }
        first = false;
        size_t fb = p;
        while (p < m->len && m->s[p] != ':' && m->s[p] != '\r') {
            unsigned char c = m->s[p];
            if (c != '-' && !isalpha(c))
                return mp_fail(m, "HEADER_FIELD");
            p++;
        }
        if (p >= m->len)
            return mp_fail(m, "HEADER_FIELD");
        if (m->s[p] == '\r') {
            /* a field cut short by CR ends the headers; the field is lost */
            if (p + 1 >= m->len || m->s[p + 1] != '\n')
                return mp_fail(m, "HEADERS_ALMOST_DONE");
            *pos = p + 2;
            return 0;
        }
        if (p == fb)
            return mp_fail(m, "HEADER_FIELD");
        size_t fe = p++;
        while (p < m->len && m->s[p] == ' ')
            p++;
        size_t vb = p;
        while (p < m->len && m->s[p] != '\r')
            p++;
        if (p >= m->len)
            return mp_fail(m, vb == p ? "HEADER_VALUE_START" : "HEADER_VALUE");
        size_t ve = p;
        if (p + 1 >= m->len || m->s[p + 1] != '\n')
            return mp_fail(m, "HEADER_VALUE_ALMOST_DONE");
        p += 2;
        bytes += (p - fb);
        if (++count > SL_BODY_MULTIPART_MAX_HEADERS) {
            sl_error_set(m->err, "multipart part has more than %d header lines",
                         SL_BODY_MULTIPART_MAX_HEADERS);
            return SL_ERR_LIMIT;
        }
        if (bytes > SL_BODY_MULTIPART_MAX_HEADER_BYTES) {
            sl_error_set(m->err, "multipart part headers are larger than %d bytes",
                         SL_BODY_MULTIPART_MAX_HEADER_BYTES);
            return SL_ERR_LIMIT;
        }
        char *field = sl_strndup((const char *)m->s + fb, fe - fb);
        for (char *c = field; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        json_t *vs = sl_jsv_utf8_decode(m->s + vb, ve - vb);
        const char *value = json_string_value(vs);
        if (!strcmp(field, "content-disposition")) {
            char *name = disposition_name(value);
            if (name) {
                free(part->name);
                part->name = name;
            }
            free(part->filename);
            part->filename = disposition_filename(value);
        } else if (!strcmp(field, "content-type")) {
            free(part->content_type);
            part->content_type = sl_strdup(value);
        } else if (!strcmp(field, "content-transfer-encoding")) {
            free(part->transfer_encoding);
            part->transfer_encoding = sl_jsv_lower(value);
        }
        json_decref(vs);
        free(field);
    }
}

static unsigned char *decode_part(const struct sl_multipart_part *part, const unsigned char *d,
                                  size_t n, size_t *out_len)
{
    if (!strcmp(part->transfer_encoding, "base64"))
        return sl_base64_decode((const char *)d, n, out_len);
    unsigned char *c = sl_malloc(n + 1);
    if (n)
        memcpy(c, d, n);
    c[n] = 0;
    *out_len = n;
    return c;
}

static bool known_transfer_encoding(const char *te)
{
    return !strcmp(te, "binary") || !strcmp(te, "7bit") || !strcmp(te, "8bit") ||
           !strcmp(te, "utf-8") || !strcmp(te, "base64");
}

/* formidable's /boundary=(?:"([^"]+)"|([^;]+))/i */
static char *find_boundary(const char *ct)
{
    for (const char *p = ct; (p = strcasestr(p, "boundary=")); p++) {
        const char *v = p + 9;
        if (*v == '"') {
            const char *q = strchr(v + 1, '"');
            if (q && q > v + 1)
                return sl_strndup(v + 1, (size_t)(q - v - 1));
        }
        size_t n = strcspn(v, ";");
        if (n > 0)
            return sl_strndup(v, n);
    }
    return NULL;
}

int sl_multipart_parse(const char *content_type, const char *charset, const void *body, size_t len,
                       struct sl_multipart *out, struct sl_error *err)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return 0; /* formidable's DummyParser: nothing, no error */
    char *boundary = content_type ? find_boundary(content_type) : NULL;
    if (!boundary) {
        sl_error_set(err, "bad content-type header, no multipart boundary");
        return SL_ERR_PARSE;
    }
    size_t blen = strlen(boundary);
    if (blen > SL_BODY_MULTIPART_MAX_BOUNDARY) {
        free(boundary);
        sl_error_set(err, "multipart boundary is longer than %d characters",
                     SL_BODY_MULTIPART_MAX_BOUNDARY);
        return SL_ERR_LIMIT;
    }
    unsigned char *delim = sl_malloc(blen + 4);
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, blen);
    free(boundary);
    struct mp m = {body, len, delim, blen + 4, err};
    const char *cs = charset ? charset : "utf-8";
    int rc = 0;
    size_t cap = 0;

    /* the first boundary: "--B" at the start or "\r\n--B" in the preamble */
    size_t pos;
    if (len >= m.dlen - 2 && !memcmp(m.s, delim + 2, m.dlen - 2)) {
        pos = m.dlen - 2;
    } else {
        const unsigned char *f = find_bytes(m.s, len, delim, m.dlen);
        if (!f) {
            rc = mp_fail(&m, "START_BOUNDARY");
            goto done;
        }
        pos = (size_t)(f - m.s) + m.dlen;
    }
    if (pos + 1 >= len) {
        rc = mp_fail(&m, "START_BOUNDARY");
        goto done;
    }
    if (m.s[pos] == '-' && m.s[pos + 1] == '-')
        goto done; /* an empty form */
    if (m.s[pos] != '\r' || m.s[pos + 1] != '\n') {
        rc = mp_fail(&m, "START_BOUNDARY");
        goto done;
    }
    pos += 2;
    for (;;) {
        struct sl_multipart_part part = {0};
        int h = mp_headers(&m, &pos, &part);
        if (h == 1) {
            part_clear(&part);
            break; /* ended right after a boundary line */
        }
        if (h < 0) {
            part_clear(&part);
            rc = h;
            break;
        }
        if (!part.transfer_encoding)
            part.transfer_encoding = sl_strdup(cs);
        if (!known_transfer_encoding(part.transfer_encoding)) {
            part_clear(&part);
            sl_error_set(err, "unknown transfer-encoding");
            rc = SL_ERR_PARSE;
            break;
        }
        /* the data runs to the next "\r\n--B" followed by CRLF or "--" */
        size_t data_start = pos, from = pos;
        bool last = false, found = false;
        size_t data_end = 0;
        while (from <= len) {
            const unsigned char *f = find_bytes(m.s + from, len - from, delim, m.dlen);
            if (!f)
                break;
            size_t at = (size_t)(f - m.s), after = at + m.dlen;
            if (after == len) {
                /* ends with the bare boundary: formidable's flush accepts it */
                data_end = at;
                found = last = true;
                pos = len;
                break;
            }
            if (after + 1 < len && ((m.s[after] == '\r' && m.s[after + 1] == '\n') ||
                                    (m.s[after] == '-' && m.s[after + 1] == '-'))) {
                data_end = at;
                found = true;
                last = m.s[after] == '-';
                pos = after + 2;
                break;
            }
            if (after + 1 >= len && (m.s[after] == '\r' || m.s[after] == '-'))
                break; /* cut inside the boundary line */
            from = at + 1;
        }
        if (!found) {
            part_clear(&part);
            rc = mp_fail(&m, "PART_DATA");
            break;
        }
        if (out->n >= SL_BODY_MULTIPART_MAX_PARTS) {
            part_clear(&part);
            sl_error_set(err, "multipart body has more than %d parts", SL_BODY_MULTIPART_MAX_PARTS);
            rc = SL_ERR_LIMIT;
            break;
        }
        part.data = decode_part(&part, m.s + data_start, data_end - data_start, &part.len);
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            out->parts = sl_realloc(out->parts, cap * sizeof *out->parts);
        }
        out->parts[out->n++] = part;
        if (last)
            break;
    }
done:
    free(delim);
    return rc;
}

void sl_multipart_free(struct sl_multipart *m)
{
    for (size_t i = 0; i < m->n; i++)
        part_clear(&m->parts[i]);
    free(m->parts);
    memset(m, 0, sizeof *m);
}

/* ---- JSON.parse's error messages ---- */

struct jp {
    const char *s;
    size_t n, i;
    char *msg;
    int depth;
};

/* The UTF-16 length of s[0..off) (V8 counts positions in code units). */
static size_t u16_pos(const char *s, size_t off)
{
    size_t u = 0;
    for (size_t i = 0; i < off; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            u += c >= 0xF0 ? 2 : 1;
    }
    return u;
}

/* The byte offset of UTF-16 position `u` (rounded to a code point). */
static size_t byte_of_u16(const char *s, size_t n, size_t u)
{
    size_t i = 0, at = 0;
    while (i < n && at < u) {
        unsigned char c = (unsigned char)s[i];
        at += c >= 0xF0 ? 2 : 1;
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

static bool jp_failed(struct jp *p)
{
    return p->msg != NULL;
}

static void jp_at(struct jp *p, const char *what)
{
    if (!p->msg)
        p->msg = sl_asprintf("%s in JSON at position %zu", what, u16_pos(p->s, p->i));
}

static void jp_eos(struct jp *p)
{
    if (!p->msg)
        p->msg = sl_strdup("Unexpected end of JSON input");
}

/* "Unexpected token 'x', "<source or context>" is not valid JSON" */
static void jp_token(struct jp *p)
{
    if (p->msg)
        return;
    if (p->i >= p->n) {
        jp_eos(p);
        return;
    }
    size_t cl = 1;
    while (p->i + cl < p->n && ((unsigned char)p->s[p->i + cl] & 0xC0) == 0x80)
        cl++;
    size_t len = u16_pos(p->s, p->n), pos = u16_pos(p->s, p->i);
    const char *pre = "", *post = "";
    size_t b = 0, e = p->n;
    if (len >= 21) {
        size_t su = pos < 10 ? 0 : pos - 10;
        size_t eu = pos + 10 > len ? len : pos + 10;
        b = byte_of_u16(p->s, p->n, su);
        e = byte_of_u16(p->s, p->n, eu);
        pre = su > 0 ? "..." : "";
        post = eu < len ? "..." : "";
    }
    p->msg = sl_asprintf("Unexpected token '%.*s', %s\"%.*s\"%s is not valid JSON", (int)cl,
                         p->s + p->i, pre, (int)(e - b), p->s + b, post);
}

static void jp_ws(struct jp *p)
{
    while (p->i < p->n && strchr(" \t\n\r", p->s[p->i]) && p->s[p->i])
        p->i++;
}

static void jp_value(struct jp *p);

static void jp_string(struct jp *p)
{
    p->i++; /* the quote */
    while (p->i < p->n) {
        unsigned char c = (unsigned char)p->s[p->i];
        if (c == '"') {
            p->i++;
            return;
        }
        if (c < 0x20) {
            jp_at(p, "Bad control character in string literal");
            return;
        }
        if (c == '\\') {
            p->i++;
            if (p->i >= p->n)
                break;
            char x = p->s[p->i];
            if (x == 'u') {
                for (int k = 0; k < 4; k++) {
                    p->i++;
                    if (p->i >= p->n)
                        goto unterminated;
                    if (!isxdigit((unsigned char)p->s[p->i])) {
                        jp_at(p, "Bad Unicode escape");
                        return;
                    }
                }
            } else if (!strchr("\"\\/bfnrt", x) || !x) {
                jp_at(p, "Bad escaped character");
                return;
            }
        }
        p->i++;
    }
unterminated:
    p->i = p->n;
    jp_at(p, "Unterminated string");
}

static void jp_number(struct jp *p)
{
    if (p->s[p->i] == '-') {
        p->i++;
        if (p->i >= p->n || !isdigit((unsigned char)p->s[p->i])) {
            jp_at(p, "No number after minus sign");
            return;
        }
    }
    if (p->s[p->i] == '0')
        p->i++;
    else
        while (p->i < p->n && isdigit((unsigned char)p->s[p->i]))
            p->i++;
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        if (p->i >= p->n || !isdigit((unsigned char)p->s[p->i])) {
            jp_at(p, "Unterminated fractional number");
            return;
        }
        while (p->i < p->n && isdigit((unsigned char)p->s[p->i]))
            p->i++;
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            p->i++;
        if (p->i >= p->n || !isdigit((unsigned char)p->s[p->i])) {
            jp_at(p, "Exponent part is missing a number");
            return;
        }
        while (p->i < p->n && isdigit((unsigned char)p->s[p->i]))
            p->i++;
    }
}

static void jp_literal(struct jp *p, const char *word)
{
    for (size_t k = 0; word[k]; k++, p->i++) {
        if (p->i >= p->n) {
            jp_eos(p);
            return;
        }
        if (p->s[p->i] != word[k]) {
            jp_token(p);
            return;
        }
    }
}

static void jp_container(struct jp *p, bool object)
{
    char close = object ? '}' : ']';
    p->i++;
    jp_ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        return;
    }
    for (bool first = true;; first = false) {
        if (object) {
            if (p->i >= p->n || p->s[p->i] != '"') {
                jp_at(p, first ? "Expected property name or '}'"
                               : "Expected double-quoted property name");
                return;
            }
            jp_string(p);
            if (jp_failed(p))
                return;
            jp_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') {
                jp_at(p, "Expected ':' after property name");
                return;
            }
            p->i++;
        }
        jp_value(p);
        if (jp_failed(p))
            return;
        jp_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            jp_ws(p);
            continue;
        }
        if (p->i < p->n && p->s[p->i] == close) {
            p->i++;
            return;
        }
        jp_at(p, object ? "Expected ',' or '}' after property value"
                        : "Expected ',' or ']' after array element");
        return;
    }
}

static void jp_value(struct jp *p)
{
    jp_ws(p);
    if (p->i >= p->n) {
        jp_eos(p);
        return;
    }
    if (++p->depth > SL_BODY_JSON_MAX_DEPTH) {
        p->msg = sl_strdup(""); /* too deep to judge here */
        return;
    }
    char c = p->s[p->i];
    if (c == '{' || c == '[')
        jp_container(p, c == '{');
    else if (c == '"')
        jp_string(p);
    else if (c == '-' || isdigit((unsigned char)c))
        jp_number(p);
    else if (c == 't')
        jp_literal(p, "true");
    else if (c == 'f')
        jp_literal(p, "false");
    else if (c == 'n')
        jp_literal(p, "null");
    else
        jp_token(p);
    p->depth--;
}

char *sl_body_json_error(const char *text, size_t len)
{
    struct jp p = {.s = text, .n = len};
    jp_value(&p);
    if (!p.msg) {
        jp_ws(&p);
        if (p.i < p.n) {
            char c = p.s[p.i];
            if (c == '-' || isdigit((unsigned char)c))
                jp_at(&p, "Unexpected number");
            else if (c == '"')
                jp_at(&p, "Unexpected string");
            else
                p.msg =
                    sl_asprintf("Unexpected non-whitespace character after JSON at position %zu",
                                u16_pos(p.s, p.i));
        }
    }
    if (p.msg && !*p.msg) {
        free(p.msg);
        return NULL;
    }
    return p.msg;
}
