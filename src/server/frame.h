/*
 * Frames between the server and its workers (docs/serve.md, "Worker
 * protocol"): a 4-byte big-endian length, then that many bytes of JSON
 * text holding one object.
 *
 * Thread rule: a struct sl_frame_reader belongs to the one thread that
 * reads its socket. sl_frame_write() writes a whole frame; callers that
 * share a socket between threads serialise writes themselves.
 */
#ifndef SL_SERVER_FRAME_H
#define SL_SERVER_FRAME_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "util/alloc.h"

/* The largest frame either side accepts: the payload limit plus room for
 * the execution's metadata. */
size_t sl_frame_max(void);

/* Writes `msg` (borrowed) as one frame, retrying short writes and EINTR.
 * Returns 0, or SL_ERR_IO when the peer is gone. */
int sl_frame_write(int fd, const json_t *msg) SL_MUST_CHECK;

struct sl_frame_reader {
    struct sl_buf buf; /* bytes read and not yet returned */
    size_t off;        /* start of the unread part of buf */
};

/* Reads what `fd` has (one read(2); blocks when the socket does).
 * Returns 0 when bytes came, SL_ERR_IO at end of stream or on an error
 * (errno set; EAGAIN for a non-blocking socket with nothing to read). */
int sl_frame_fill(struct sl_frame_reader *r, int fd) SL_MUST_CHECK;

/* The next complete frame as a new object in *msg (NULL when none is
 * complete yet). Returns 0, or SL_ERR_PARSE for an oversized or malformed
 * frame (the stream cannot be trusted afterwards). */
int sl_frame_next(struct sl_frame_reader *r, json_t **msg) SL_MUST_CHECK;

void sl_frame_reader_release(struct sl_frame_reader *r);

#endif
