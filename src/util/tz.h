/*
 * Time zones without the process's TZ: IANA zones read from the TZif files
 * under $TZDIR (default /usr/share/zoneinfo), converted both ways between
 * epoch seconds and local broken-down time. setenv("TZ")/tzset() change
 * the whole process and are not thread-safe; this module never calls them.
 *
 * A zone is its version 2+ 64-bit transition table plus the POSIX TZ rule
 * of the file's footer, which answers for every time after the last
 * transition (Debian's "slim" files carry few transitions and rely on it;
 * version 1 files use their 32-bit table). "UTC", "Etc/UTC", "GMT" and
 * "Etc/GMT" (in any case) are built in. Files with leap seconds ("right/")
 * are refused.
 *
 * Local to epoch (sl_tz_from_local) follows one documented rule:
 *  - a local time that happens twice (the hour repeated when clocks go
 *    back) is the first of the two instants;
 *  - a local time that never happens (skipped when clocks go forward) is
 *    read with the offset in force before the jump, so it lands as far
 *    after the jump as it was after its start: 02:30 on the day New York
 *    springs forward is 03:30 EDT.
 * sl_tz_from_local_guess is luxon's rule (DateTime.set, which the `cron`
 * package of n8n's schedules uses): the guessed offset wins when it is
 * valid for the local time, which is how a walk through a repeated hour
 * stays on one side of it.
 *
 * Ownership and threads: a zone is loaded once, cached for the life of the
 * process and never freed; the pointers are shared and immutable, and every
 * function here may be called from any thread.
 */
#ifndef SL_UTIL_TZ_H
#define SL_UTIL_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct sl_tz;

/* Local broken-down time. */
struct sl_tm {
    int64_t year;
    int month;  /* 1-12 */
    int day;    /* 1-31 */
    int hour;   /* 0-23 */
    int minute; /* 0-59 */
    int second; /* 0-59 */
    int wday;   /* 0 = Sunday .. 6 */
    int yday;   /* 1-366 */
    int offset; /* seconds east of UTC */
    bool is_dst;
};

/* The zone named `name` (an IANA name such as "Europe/Berlin"). Names that
 * are empty, start with '/', contain "..", or have other characters than
 * letters, digits and "/_+-." are refused. Returns NULL with the cause in
 * `err` ("time zone 'Mars/Base': no such zone"). */
const struct sl_tz *sl_tz_open(const char *name, struct sl_error *err);
/* The built-in UTC zone. */
const struct sl_tz *sl_tz_utc(void);
/* The name the zone was opened with. */
const char *sl_tz_name(const struct sl_tz *z);

/* Parses a TZif file's bytes (for tests and the fuzzer; sl_tz_open reads
 * files). Returns a new zone to release with sl_tz_free, or NULL with the
 * cause in `err`. */
struct sl_tz *sl_tz_parse(const char *name, const void *data, size_t len, struct sl_error *err);
void sl_tz_free(struct sl_tz *z);

/* Seconds east of UTC in force at epoch second `t`. */
int sl_tz_offset(const struct sl_tz *z, int64_t t);
/* The local time at epoch second `t`. */
void sl_tz_to_local(const struct sl_tz *z, int64_t t, struct sl_tm *out);
/* The epoch second of local time year-month-day hour:minute:second (fields
 * past their range carry over, as Date.UTC does) by the rule above;
 * `*offset` (may be NULL) gets the offset of the result. */
int64_t sl_tz_from_local(const struct sl_tz *z, int64_t year, int month, int day, int hour,
                         int minute, int second, int *offset);
/* Luxon's fixOffset: local seconds `local` (the local fields as if UTC)
 * read with `guess` (seconds east) when that offset holds there, else
 * with the offset found there, else (a skipped time) shifted forward. */
int64_t sl_tz_from_local_guess(const struct sl_tz *z, int64_t local, int guess, int *offset);

/* Civil calendar helpers (proleptic Gregorian). Days since 1970-01-01 of
 * year-month-day, `month` and `day` may be out of range and carry over. */
int64_t sl_days_from_civil(int64_t year, int month, int day);
void sl_civil_from_days(int64_t days, int64_t *year, int *month, int *day);
int sl_days_in_month(int64_t year, int month);

#endif
