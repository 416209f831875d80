/*
 * libFuzzer target for cron expressions (util/cron.h). The first byte
 * picks a zone and a start time; the rest is parsed as an expression, and
 * whatever parses is stepped through a few fire times, which must come
 * strictly later each time. Nothing may crash, loop without end or leak,
 * and a refused expression must come with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/cron.h"

static const char *const zones[] = {"UTC", "America/New_York", "Europe/Berlin",
                                    "Australia/Lord_Howe"};

/* starts near DST changes of 2024 (ms) and one in 1970 */
static const int64_t starts[] = {1710050000000, 1730610000000, 1711840000000,
                                 1728140000000, 1712410000000, 0,
                                 1704067200123, 4102444800000};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 512)
        return 0;
    uint8_t bits = data[0];
    char *expr = malloc(size);
    memcpy(expr, data + 1, size - 1);
    expr[size - 1] = '\0';
    struct sl_error err = {{0}};
    struct sl_cron *c = sl_cron_parse(expr, &err);
    if (!c && !err.msg[0])
        abort();
    if (c) {
        const struct sl_tz *z = sl_tz_open(zones[bits & 3], &err);
        if (!z)
            z = sl_tz_utc();
        int64_t t = starts[(bits >> 2) & 7];
        for (int i = 0; i < 3; i++) {
            int64_t n = sl_cron_next(c, z, t);
            if (n < 0)
                break;
            if (n <= t)
                abort();
            t = n;
        }
        sl_cron_free(c);
    }
    free(expr);
    return 0;
}
