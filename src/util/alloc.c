/*
 * Allocation wrappers that abort on out-of-memory, and struct sl_buf.
 */
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sl_oom(void)
{
    fputs("sluice: out of memory\n", stderr);
    abort();
}

void *sl_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        sl_oom();
    return p;
}

void *sl_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        sl_oom();
    return p;
}

void *sl_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        sl_oom();
    return q;
}

char *sl_strdup(const char *s)
{
    return sl_strndup(s, strlen(s));
}

char *sl_strndup(const char *s, size_t n)
{
    char *p = sl_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *sl_vasprintf(const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return sl_strdup("");
    char *p = sl_malloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *sl_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = sl_vasprintf(fmt, ap);
    va_end(ap);
    return p;
}

static void buf_grow(struct sl_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = sl_realloc(b->data, cap);
    b->cap = cap;
}

void sl_buf_add(struct sl_buf *b, const void *p, size_t n)
{
    buf_grow(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sl_buf_adds(struct sl_buf *b, const char *s)
{
    sl_buf_add(b, s, strlen(s));
}

void sl_buf_addc(struct sl_buf *b, char c)
{
    sl_buf_add(b, &c, 1);
}

void sl_buf_addf(struct sl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = sl_vasprintf(fmt, ap);
    va_end(ap);
    sl_buf_adds(b, s);
    free(s);
}

char *sl_buf_steal(struct sl_buf *b)
{
    char *s = b->data ? b->data : sl_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void sl_buf_release(struct sl_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
