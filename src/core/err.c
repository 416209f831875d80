/*
 * struct sl_error helpers.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

void sl_error_set(struct sl_error *e, const char *fmt, ...)
{
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    /* errors are reported as one line */
    for (char *p = e->msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}
