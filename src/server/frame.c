/*
 * Length-prefixed JSON frames over a stream socket (see frame.h).
 */
#include "server/frame.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

size_t sl_frame_max(void)
{
    static size_t max;
    if (!max) {
        const char *v = getenv("SLUICE_PAYLOAD_SIZE_MAX");
        unsigned long long n = v && *v ? strtoull(v, NULL, 10) : 0;
        if (!n)
            n = 16u << 20;
        max = (size_t)n * 4 + (1u << 20); /* a body parsed into items can grow */
    }
    return max;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return SL_ERR_IO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int buf_add(const char *p, size_t n, void *ud)
{
    sl_buf_add(ud, p, n);
    return 0;
}

int sl_frame_write(int fd, const json_t *msg)
{
    /* one pass: the length goes in front once the JSON is written */
    struct sl_buf b = {0};
    sl_buf_add(&b, "\0\0\0\0", 4);
    int rc = json_dump_callback(msg, buf_add, &b, JSON_COMPACT) ? SL_ERR_IO : 0;
    size_t len = b.len - 4;
    if (!rc && (!len || len > sl_frame_max()))
        rc = SL_ERR_IO;
    if (!rc) {
        b.data[0] = (char)(len >> 24);
        b.data[1] = (char)(len >> 16);
        b.data[2] = (char)(len >> 8);
        b.data[3] = (char)len;
        rc = write_all(fd, b.data, b.len);
    }
    sl_buf_release(&b);
    return rc;
}

int sl_frame_fill(struct sl_frame_reader *r, int fd)
{
    if (r->off && r->off == r->buf.len) {
        r->buf.len = 0;
        r->off = 0;
    } else if (r->off > (1u << 20)) {
        memmove(r->buf.data, r->buf.data + r->off, r->buf.len - r->off);
        r->buf.len -= r->off;
        r->off = 0;
    }
    if (r->buf.cap - r->buf.len < 65536) {
        size_t cap = r->buf.cap ? r->buf.cap * 2 : 131072;
        r->buf.data = sl_realloc(r->buf.data, cap);
        r->buf.cap = cap;
    }
    for (;;) {
        ssize_t n = read(fd, r->buf.data + r->buf.len, r->buf.cap - r->buf.len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = 0;
            return SL_ERR_IO;
        }
        r->buf.len += (size_t)n;
        return 0;
    }
}

int sl_frame_next(struct sl_frame_reader *r, json_t **msg)
{
    *msg = NULL;
    size_t have = r->buf.len - r->off;
    if (have < 4)
        return 0;
    const unsigned char *p = (const unsigned char *)r->buf.data + r->off;
    size_t len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    if (!len || len > sl_frame_max())
        return SL_ERR_PARSE;
    if (have < len + 4)
        return 0;
    json_error_t jerr;
    json_t *m = json_loadb((const char *)p + 4, len, 0, &jerr);
    r->off += len + 4;
    if (!json_is_object(m)) {
        json_decref(m);
        return SL_ERR_PARSE;
    }
    *msg = m;
    return 0;
}

void sl_frame_reader_release(struct sl_frame_reader *r)
{
    sl_buf_release(&r->buf);
    r->off = 0;
}
