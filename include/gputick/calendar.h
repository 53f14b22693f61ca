/* SPDX-License-Identifier: MIT */
/* calendar.h -- the exchange's business days: weekdays that are not
 * holidays, the holidays read from a data file (data/cme-holidays.txt in the
 * source, installed as share/gputick/cme-holidays.txt; docs/tickq.md says
 * where the dates come from and the file's format).
 *
 * tickq settle counts the fixing days of a month with it, ticksim's market
 * opens on its business days only. */
#ifndef GT_CALENDAR_H
#define GT_CALENDAR_H
#include <stdbool.h>
#include <stdint.h>
#include "gputick/err.h"

enum { GT_CALENDAR_MAX = 1024 };

struct gt_calendar {
    int n;
    int64_t day[GT_CALENDAR_MAX];  /* holidays, days since 1970-01-01, ascending */
    int32_t first_year, last_year; /* the years the file lists days of (0 if none) */
};

/* Reads the holidays of the file at path into c. Returns GT_OK, or GT_EIO
 * (unreadable) / GT_EINVAL (a bad line, named with its number in err). */
int gt_calendar_load(const char *path, struct gt_calendar *c, char err[GT_ERRLEN]);

/* The calendar file a program reads when not told: $GPUTICK_HOLIDAYS, else
 * the installed copy, else the source tree's (a build that is not
 * installed). */
const char *gt_calendar_default_path(void);

/* Whether day (days since 1970-01-01) is a business day: a weekday and not a
 * holiday of c (c NULL: weekdays only). */
bool gt_business_day(const struct gt_calendar *c, int64_t day);

#endif
