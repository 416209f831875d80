/*
 * Random values from OpenSSL's CSPRNG (RAND_bytes), for identifiers and
 * the Crypto node. Any thread may call these.
 */
#ifndef SL_UTIL_RANDOM_H
#define SL_UTIL_RANDOM_H

#include <stddef.h>

/* Fills buf with n random bytes; aborts the process if the generator
 * fails (it never does once seeded). */
void sl_random_bytes(void *buf, size_t n);

/* Writes a random RFC 4122 version 4 UUID, lower-case, NUL-terminated. */
void sl_random_uuid(char out[37]);

#endif
