/*
 * Clocks: monotonic microseconds for durations, wall milliseconds for
 * timestamps.
 */
#ifndef SL_UTIL_CLOCK_H
#define SL_UTIL_CLOCK_H

#include <stdint.h>

uint64_t sl_clock_mono_us(void);
int64_t sl_clock_wall_ms(void);

#endif
