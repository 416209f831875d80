/*
 * libFuzzer target for what the HTTP client reads from a server's answer
 * and writes into URLs (util/http_client.h): a Retry-After value (delta
 * seconds or an HTTP date) must give -1 or a wait that is not negative,
 * and the qs / encodeURIComponent encoders must turn any bytes into
 * printable ASCII. Nothing may crash or leak.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/http_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    long long ms = sl_httpc_retry_after_ms(s, 1700000000LL);
    if (ms < -1)
        abort();
    for (int k = 0; k < 2; k++) {
        struct sl_buf b = {0};
        if (k)
            sl_httpc_encode_qs(&b, (const char *)data, size);
        else
            sl_httpc_encode_component(&b, (const char *)data, size);
        for (size_t i = 0; i < b.len; i++)
            if (!isprint((unsigned char)b.data[i]) || b.data[i] == ' ')
                abort();
        sl_buf_release(&b);
    }
    free(s);
    return 0;
}
