/* SPDX-License-Identifier: MIT */
/* calendar.c -- business days from a holiday file (contract in calendar.h). */
#include "gputick/calendar.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gputick/time.h"

#ifndef GT_HOLIDAYS_INSTALLED
#define GT_HOLIDAYS_INSTALLED "/usr/share/gputick/cme-holidays.txt"
#endif
#ifndef GT_HOLIDAYS_SOURCE
#define GT_HOLIDAYS_SOURCE GT_HOLIDAYS_INSTALLED
#endif

static int by_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int gt_calendar_load(const char *path, struct gt_calendar *c, char err[GT_ERRLEN])
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, GT_ERRLEN, "cannot read the holiday calendar %s", path);
        return GT_EIO;
    }
    char line[256];
    int no = 0, rc = GT_OK;
    while (rc == GT_OK && fgets(line, sizeof line, f)) {
        no++;
        char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\r' || !*p)
            continue;
        char date[11];
        int64_t ns;
        char terr[GT_ERRLEN];
        memcpy(date, p, 10);
        date[10] = 0;
        if (strlen(p) < 10 || (p[10] && !strchr(" \t\r\n#", p[10])) ||
            gt_time_parse(date, 0, &ns, terr) < 0 || strchr(date, 'T') || date[0] == '-' ||
            date[0] == '+' || strcmp(date, "now") == 0) {
            snprintf(err, GT_ERRLEN, "%s:%d: bad line (want YYYY-MM-DD, then a name)", path, no);
            rc = GT_EINVAL;
        } else if (c->n == GT_CALENDAR_MAX) {
            snprintf(err, GT_ERRLEN, "%s: more than %d holidays", path, GT_CALENDAR_MAX);
            rc = GT_EINVAL;
        } else {
            int y = atoi(date);
            c->day[c->n++] = ns / GT_NS_PER_DAY;
            c->first_year = !c->first_year || y < c->first_year ? y : c->first_year;
            c->last_year = y > c->last_year ? y : c->last_year;
        }
    }
    fclose(f);
    qsort(c->day, (size_t)c->n, sizeof c->day[0], by_day);
    return rc;
}

const char *gt_calendar_default_path(void)
{
    const char *env = getenv("GPUTICK_HOLIDAYS");
    if (env && *env)
        return env;
    if (access(GT_HOLIDAYS_INSTALLED, R_OK) == 0)
        return GT_HOLIDAYS_INSTALLED;
    return GT_HOLIDAYS_SOURCE;
}

bool gt_business_day(const struct gt_calendar *c, int64_t day)
{
    int64_t wd = ((day + 3) % 7 + 7) % 7; /* 0 Monday: 1970-01-01 was a Thursday */
    if (wd >= 5)
        return false;
    if (!c)
        return true;
    int lo = 0, hi = c->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (c->day[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return !(lo < c->n && c->day[lo] == day);
}
