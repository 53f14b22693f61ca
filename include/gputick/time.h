/* SPDX-License-Identifier: MIT */
/* time.h -- timestamps as users type them and as gputick prints them.
 *
 * Inside gputick a time is int64 nanoseconds since the Unix epoch, UTC. People
 * type ISO-8601 UTC ("2026-11-24", "2026-11-24T13:30:00.123456789Z"), or a time
 * relative to now ("now", "-1h", "-30m", "-2d", "+15m"), and durations ("5m",
 * "1h30m", "250ms"). Errors name the offending text and what was expected.
 * Pure functions: no allocation, no global state, no locale. */
#ifndef GT_TIME_H
#define GT_TIME_H
#include <stddef.h>
#include <stdint.h>
#include "gputick/err.h"

enum {
    GT_TIME_STRLEN = 40, /* "2026-11-24T13:30:00.123456789Z" plus room */
};
#define GT_NS_PER_SEC INT64_C(1000000000)
#define GT_NS_PER_DAY (INT64_C(86400) * GT_NS_PER_SEC)

/* Parses an absolute or relative time. Relative forms count from now_ns.
 * Accepted: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.f{1,9}]][Z|+HH:MM|-HH:MM]
 * ('T' or a space; an offset also as +HHMM or +HH: the time is local time at
 * that offset from UTC, as RFC 3339 writes it), now, [+-]<duration> (-0s is
 * now). Returns GT_OK, or GT_EINVAL with a message in err
 * (which may be NULL). Years 1678..2261 fit in int64 ns. */
int gt_time_parse(const char *s, int64_t now_ns, int64_t *out_ns, char *err);

/* Parses a duration: one or more <integer><unit>, units ns us ms s m h d w
 * ("90s", "1h30m"). The result is > 0. Returns GT_OK or GT_EINVAL with err. */
int gt_duration_parse(const char *s, int64_t *out_ns, char *err);

/* Formats ns as "YYYY-MM-DDTHH:MM:SS[.fff[fff[fff]]]Z" (the shortest of 0, 3, 6
 * or 9 fraction digits that is exact). Returns the length written. */
int gt_time_format(int64_t ns, char out[GT_TIME_STRLEN]);

/* Formats a duration in the units gt_duration_parse() reads ("1h30m", "250ms"). */
int gt_duration_format(int64_t ns, char out[GT_TIME_STRLEN]);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian), and back. */
int64_t gt_days_from_civil(int y, unsigned m, unsigned d);
void gt_civil_from_days(int64_t days, int *y, unsigned *m, unsigned *d);

/* YYYYMMDD of the UTC day holding ns, and midnight UTC of a YYYYMMDD. */
uint32_t gt_ymd_of_ns(int64_t ns);
int64_t gt_ns_of_ymd(uint32_t ymd);

/* The current time, CLOCK_REALTIME, in ns. */
int64_t gt_now_ns(void);

#endif
