/*
 * Fast date parsing for the date comparisons of the If, Filter and Switch
 * nodes, in C, for the formats that nearly all real data uses.
 *
 * n8n parses dates two ways: luxon (DateTime.fromISO, then fromHTTP,
 * fromRFC2822, fromSQL and finally Date.parse) for the filter parameter,
 * and JavaScript's `new Date(s)` for the legacy v1 nodes. Both accept far
 * more than is worth re-implementing, so these parsers answer only for
 * the common shapes they handle exactly and say SL_DATE_UNSURE for
 * everything else; the caller then asks the JavaScript engine.
 *
 * Times without an offset are read where the JavaScript side reads them:
 * `new Date(s)` in the process's zone; luxon in its default zone, which
 * n8n sets to the workflow's zone (settings.timezone, else
 * GENERIC_TIMEZONE). C knows no zone rules but the process's (mktime) and
 * UTC, so offset-less times in any other zone are SL_DATE_UNSURE.
 *
 * Thread rule: reentrant (mktime reads the TZ environment only).
 */
#ifndef SL_NODES_JSDATE_H
#define SL_NODES_JSDATE_H

enum sl_date_result {
    SL_DATE_UNSURE = -1, /* not a shape handled here: ask JavaScript */
    SL_DATE_INVALID = 0, /* certainly not a date for the parser */
    SL_DATE_OK = 1,      /* *ms holds the epoch milliseconds */
};

/* luxon's ISO 8601 ("2023-10-21", "2023-10-21T16:45:52.367Z",
 * "2023-10-21T10:00+02:00") and SQL ("2023-10-21 10:00:00",
 * "2023-10-21 10:00:00 +02:00") forms, as n8n's tryToParseDateTime tries
 * them (after trimming, as n8n does). Date-only and offset-less forms are
 * read in `zone` (luxon's default zone): NULL for the process's zone,
 * "utc" or "gmt" in any case for UTC (luxon's own names for it); any other
 * zone gives SL_DATE_UNSURE for them. */
enum sl_date_result sl_date_parse_luxon(const char *s, const char *zone, double *ms);

/* The ECMAScript date-time string format as `new Date(s)` reads it:
 * "2023-10-21" (UTC), "2023-10-21T10:00:00" (local),
 * "2023-10-21T10:00:00.000Z", "…+02:00". */
enum sl_date_result sl_date_parse_es(const char *s, double *ms);

#endif
