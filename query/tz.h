/* SPDX-License-Identifier: MIT */
/* tz.h -- the time zone tickq prints times in (--tz ZONE).
 *
 * A zone is read from the system's tz database (TZif files under
 * /usr/share/zoneinfo, or $TZDIR): its transitions and their UTC offsets,
 * nothing else. A time is printed as local time with its offset,
 * "2026-11-24T07:30:00-06:00"; without --tz, UTC as before ("...Z"). After
 * the file's last transition (2037 in Debian's files) the last offset holds.
 * The zone is process-wide, as QOUT is (qio.h): a host runs one command at a
 * time, and qopt_init() puts it back to UTC for each. */
#ifndef GT_QUERY_TZ_H
#define GT_QUERY_TZ_H
#include <stddef.h>
#include <stdint.h>
#include "gputick/err.h"
#include "gputick/time.h"

enum { QTZ_STRLEN = GT_TIME_STRLEN + 8 };

/* Loads zone name ("America/Chicago", "UTC") for the output. Returns GT_OK,
 * or GT_EINVAL with why in err (unknown zone, not a TZif file). */
int qtz_set(const char *name, char err[GT_ERRLEN]);
/* qtz_set() from the bytes of a TZif file (name for messages). */
int qtz_set_tzif(const uint8_t *p, size_t len, const char *name, char err[GT_ERRLEN]);
/* Back to UTC ("...Z"), freeing the zone. */
void qtz_reset(void);
/* The UTC offset of the zone at ns, in seconds (0 in UTC). */
int32_t qtz_offset(int64_t ns);
/* Formats ns in the zone: gt_time_format()'s form with the offset for the
 * Z, or exactly gt_time_format() with no zone set. Returns the length. */
int qtz_format(int64_t ns, char out[QTZ_STRLEN]);

#endif
