/*
 * The logger (see log.h): formats a whole line in a buffer and writes it
 * with one write(2), text or JSON lines.
 */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"

static int log_json = -1; /* -1: not read yet */
static enum sl_log_level log_min = SL_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void sl_log_init(void)
{
    const char *f = getenv("SLUICE_LOG_FORMAT");
    log_json = f && !strcmp(f, "json");
    const char *l = getenv("SLUICE_LOG_LEVEL");
    for (int i = 0; l && i < 4; i++)
        if (!strcmp(l, level_names[i]))
            log_min = (enum sl_log_level)i;
}

int sl_log_enabled(enum sl_log_level level)
{
    if (log_json < 0)
        sl_log_init();
    return level >= log_min;
}

/* JSON string escaping (RFC 8259) into `b`, with the quotes. */
static void add_json_str(struct sl_buf *b, const char *s)
{
    sl_buf_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            sl_buf_addc(b, '\\');
            sl_buf_addc(b, (char)*p);
        } else if (*p < 0x20) {
            sl_buf_addf(b, "\\u%04x", *p);
        } else {
            sl_buf_addc(b, (char)*p);
        }
    }
    sl_buf_addc(b, '"');
}

/* Text values are written bare unless they hold a space, quote or
 * control character; then quoted like JSON, so a line stays one line. */
static void add_text_val(struct sl_buf *b, const char *s)
{
    if (!*s || strpbrk(s, " \"=\t\r\n\\"))
        add_json_str(b, s);
    else
        sl_buf_adds(b, s);
}

void sl_log(enum sl_log_level level, const char *msg, ...)
{
    if (!sl_log_enabled(level))
        return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char when[40];
    size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + n, sizeof when - n, ".%03dZ", (int)(tv.tv_usec / 1000));

    struct sl_buf b = {0};
    if (log_json) {
        sl_buf_addf(&b, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", when, level_names[level]);
        add_json_str(&b, msg);
    } else {
        sl_buf_addf(&b, "%s %-5s ", when, level_names[level]);
        for (const char *p = msg; *p; p++)
            sl_buf_addc(&b, *p == '\n' ? ' ' : *p);
    }
    va_list ap;
    va_start(ap, msg);
    for (const char *k; (k = va_arg(ap, const char *));) {
        const char *v = va_arg(ap, const char *);
        if (!v)
            continue;
        if (log_json) {
            sl_buf_addc(&b, ',');
            add_json_str(&b, k);
            sl_buf_addc(&b, ':');
            add_json_str(&b, v);
        } else {
            sl_buf_addf(&b, " %s=", k);
            add_text_val(&b, v);
        }
    }
    va_end(ap);
    sl_buf_adds(&b, log_json ? "}\n" : "\n");
    const char *p = b.data;
    size_t left = b.len;
    while (left) {
        ssize_t w = write(STDERR_FILENO, p, left);
        if (w <= 0)
            break;
        p += w;
        left -= (size_t)w;
    }
    sl_buf_release(&b);
}
