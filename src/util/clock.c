/*
 * Clock helpers over clock_gettime() and clock_nanosleep().
 */
#include "util/clock.h"

#include <errno.h>
#include <time.h>

uint64_t sl_clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int64_t sl_clock_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sl_clock_init_real(struct sl_clock *c)
{
    c->is_virtual = false;
    c->virt_ms = 0;
}

void sl_clock_init_virtual(struct sl_clock *c, int64_t start_ms)
{
    c->is_virtual = true;
    c->virt_ms = start_ms;
}

int64_t sl_clock_now_ms(const struct sl_clock *c)
{
    return c && c->is_virtual ? c->virt_ms : sl_clock_wall_ms();
}

void sl_clock_sleep_until(struct sl_clock *c, int64_t t_ms)
{
    if (c && c->is_virtual) {
        if (t_ms > c->virt_ms)
            c->virt_ms = t_ms;
        return;
    }
    /* an absolute deadline on the wall clock: a wait "until 10:00" ends at
     * 10:00 even when the system clock is set meanwhile */
    while (sl_clock_wall_ms() < t_ms) {
        struct timespec ts = {(time_t)(t_ms / 1000), (long)(t_ms % 1000) * 1000000L};
        int rc = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
        if (rc && rc != EINTR)
            break;
    }
}

void sl_clock_sleep_ms(struct sl_clock *c, int64_t ms)
{
    if (ms > 0)
        sl_clock_sleep_until(c, sl_clock_now_ms(c) + ms);
}
