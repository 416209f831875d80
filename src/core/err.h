/*
 * The error vocabulary. Fallible functions return 0 on success or a negative
 * enum sl_err; the human-readable detail goes on the context that the
 * function was given (a struct sl_error or the node context).
 */
#ifndef SL_CORE_ERR_H
#define SL_CORE_ERR_H

enum sl_err {
    SL_OK = 0,
    SL_ERR = -1,         /* generic failure, detail on the context */
    SL_ERR_PARSE = -2,   /* malformed input (JSON, expression) */
    SL_ERR_INVALID = -3, /* well-formed input that breaks a rule */
    SL_ERR_NODE = -4,    /* a node failed while executing */
    SL_ERR_LIMIT = -5,   /* a time or memory limit was hit */
    SL_ERR_IO = -6,
    SL_ERR_NOT_FOUND = -7, /* the thing asked for does not exist */
    SL_ERR_BUSY = -8,      /* full: try again later (admission, queues) */
};

#define SL_MUST_CHECK __attribute__((warn_unused_result))

/* A message buffer for functions that are not tied to a node context. */
struct sl_error {
    char msg[512];
};

void sl_error_set(struct sl_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
