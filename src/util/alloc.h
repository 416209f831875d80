/*
 * Allocation wrappers and a growable byte buffer.
 *
 * Small internal allocations abort the process on out-of-memory through
 * sl_oom(): sluice runs executions in a supervised child process, so an
 * abort is reported as a failed execution instead of corrupting state.
 * Data that comes from outside (workflow files, node outputs) is bounded by
 * the caller and fails with an error before it gets here.
 */
#ifndef SL_UTIL_ALLOC_H
#define SL_UTIL_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *sl_malloc(size_t n);
void *sl_calloc(size_t n, size_t size);
void *sl_realloc(void *p, size_t n);
char *sl_strdup(const char *s);
char *sl_strndup(const char *s, size_t n);
/* Returns a new heap string formatted like printf; the caller frees it. */
char *sl_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *sl_vasprintf(const char *fmt, va_list ap);
void sl_oom(void) __attribute__((noreturn));

/* A growable NUL-terminated byte buffer. Zero-initialise, append, then take
 * the string with sl_buf_steal() or release it with sl_buf_release(). */
struct sl_buf {
    char *data;
    size_t len;
    size_t cap;
};

void sl_buf_add(struct sl_buf *b, const void *p, size_t n);
void sl_buf_adds(struct sl_buf *b, const char *s);
void sl_buf_addc(struct sl_buf *b, char c);
void sl_buf_addf(struct sl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the buffer's string (never NULL) and resets the buffer. */
char *sl_buf_steal(struct sl_buf *b);
void sl_buf_release(struct sl_buf *b);

#endif
