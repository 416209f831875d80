/*
 * What bench_echo and bench_relay share: gathering a request body from
 * libmicrohttpd's upload calls (bounded by MAX_BODY), and queuing a
 * response that takes ownership of its buffer.
 */
#ifndef SL_BENCH_MHD_BODY_H
#define SL_BENCH_MHD_BODY_H

#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#define MAX_BODY (64u << 20)
/* Per-connection buffer. libmicrohttpd's default (32 KiB) makes it read a
 * large body in small pieces: with 64 KB bodies it answered 4-6x fewer
 * requests per second than with 256 KiB on the benchmark machine. */
#define CONN_MEMORY (256u << 10)

struct body {
    char *data;
    size_t len, cap;
    int too_big;
};

/* Appends an upload piece; 0, or -1 when out of memory. Past MAX_BODY
 * the body is only marked too big. */
static inline int body_add(struct body *b, const char *upload, size_t n)
{
    if (b->too_big || b->len + n > MAX_BODY) {
        b->too_big = 1;
        return 0;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return -1;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, upload, n);
    b->len += n;
    return 0;
}

/* Queues `data` (len bytes, freed by libmicrohttpd) as the answer. */
static inline enum MHD_Result send_buf(struct MHD_Connection *c, unsigned status, char *data,
                                       size_t len, const char *type)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(data);
        return MHD_NO;
    }
    if (type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

#endif
