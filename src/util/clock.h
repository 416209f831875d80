/*
 * Clocks: monotonic microseconds for durations, wall milliseconds for
 * timestamps, and struct sl_clock, the clock an execution reads "now" from
 * and sleeps on.
 *
 * An sl_clock is either the real wall clock or a virtual one that stands
 * still until something sleeps on it and then jumps to the wake-up time
 * (`sluice test` runs Wait nodes and retry pauses on one, so a 42 s wait
 * takes no time while everything that reads the time, JavaScript's Date
 * and $now included, sees the 42 s go by).
 *
 * Thread rule: a struct sl_clock belongs to the thread that runs the
 * execution using it; the free functions are reentrant.
 */
#ifndef SL_UTIL_CLOCK_H
#define SL_UTIL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

uint64_t sl_clock_mono_us(void);
int64_t sl_clock_wall_ms(void);

struct sl_clock {
    bool is_virtual;
    int64_t virt_ms; /* the virtual clock's time, epoch milliseconds */
};

/* A real clock (the same as passing NULL to the functions below). */
void sl_clock_init_real(struct sl_clock *c);
/* A virtual clock starting at `start_ms` (epoch milliseconds). */
void sl_clock_init_virtual(struct sl_clock *c, int64_t start_ms);

/* Epoch milliseconds on `c`; NULL reads the real wall clock. */
int64_t sl_clock_now_ms(const struct sl_clock *c);
/* Returns once `c` reads at least `t_ms`: the real clock sleeps (through
 * signals), a virtual one jumps forward. Never moves a clock back. */
void sl_clock_sleep_until(struct sl_clock *c, int64_t t_ms);
/* sl_clock_sleep_until(c, now + ms); nothing for ms <= 0. */
void sl_clock_sleep_ms(struct sl_clock *c, int64_t ms);

#endif
