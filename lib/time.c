/* SPDX-License-Identifier: MIT */
/* time.c -- parsing and printing of times and durations (contract in time.h).
 *
 * Civil dates convert to day numbers with the era-based algorithm for the
 * proleptic Gregorian calendar (400-year eras of 146097 days), which needs no
 * tables and no libc time zone machinery. Parsers walk the string once and
 * name the first thing they could not read. */
#include "gputick/time.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Years whose every instant fits in int64 ns. */
enum { YEAR_MIN = 1678, YEAR_MAX = 2261 };

static int fail(char *err, const char *fmt, const char *s)
{
    if (err)
        snprintf(err, GT_ERRLEN, fmt, s);
    return GT_EINVAL;
}

int64_t gt_days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void gt_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400) + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

uint32_t gt_ymd_of_ns(int64_t ns)
{
    int y;
    unsigned m, d;
    gt_civil_from_days(floor_div(ns, GT_NS_PER_DAY), &y, &m, &d);
    return (uint32_t)(y * 10000 + (int)m * 100 + (int)d);
}

int64_t gt_ns_of_ymd(uint32_t ymd)
{
    return gt_days_from_civil((int)(ymd / 10000), ymd / 100 % 100, ymd % 100) * GT_NS_PER_DAY;
}

int64_t gt_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * GT_NS_PER_SEC + ts.tv_nsec;
}

/* Reads exactly n digits at *p into *v and advances *p. */
static int digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return 0;
        x = x * 10 + (c - '0');
    }
    *p += n;
    *v = x;
    return 1;
}

static unsigned days_in_month(int y, unsigned m)
{
    static const unsigned char dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dm[m - 1] + (m == 2 && leap);
}

static int parse_absolute(const char *s, int64_t *out_ns, char *err)
{
    const char *p = s;
    int y, mo, d, hh = 0, mi = 0, ss = 0;
    int64_t frac = 0;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return fail(err,
                    "bad time '%s' (want YYYY-MM-DD[THH:MM[:SS[.fffffffff]]][Z], "
                    "now, or -1h)",
                    s);
    if (y < YEAR_MIN || y > YEAR_MAX)
        return fail(err, "time '%s' is out of range (years 1678 to 2261)", s);
    if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > days_in_month(y, (unsigned)mo))
        return fail(err, "bad date in '%s' (no such day)", s);
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &hh) || *p++ != ':' || !digits(&p, 2, &mi))
            return fail(err, "bad time of day in '%s' (want HH:MM[:SS[.fffffffff]])", s);
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &ss))
                return fail(err, "bad seconds in '%s' (want two digits)", s);
            if (*p == '.' || *p == ',') {
                int n = 0;
                p++;
                while (*p >= '0' && *p <= '9') {
                    if (++n > 9)
                        return fail(err, "too many fraction digits in '%s' (at most 9, ns)", s);
                    frac = frac * 10 + (*p++ - '0');
                }
                if (n == 0)
                    return fail(err, "bad fraction in '%s' (want digits after the point)", s);
                for (; n < 9; n++)
                    frac *= 10;
            }
        }
        if (hh > 23 || mi > 59 || ss > 59)
            return fail(err, "bad time of day in '%s' (hours 0-23, minutes and seconds 0-59)", s);
    }
    int off = 0; /* the offset from UTC, in seconds: local = UTC + off */
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        /* +HH:MM, +HHMM or +HH, as ISO 8601 and RFC 3339 write them. */
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (!digits(&p, 2, &oh) || (*p == ':' && (p++, !digits(&p, 2, &om))) ||
            (*p >= '0' && *p <= '9' && !digits(&p, 2, &om)) || oh > 23 || om > 59)
            return fail(err, "bad UTC offset in '%s' (want Z, +HH:MM or -HH:MM, e.g. -06:00)", s);
        off = sign * (oh * 3600 + om * 60);
    }
    if (*p)
        return fail(err,
                    "bad time '%s': unexpected text at the end (want Z, an offset such as "
                    "-06:00, or nothing for UTC)",
                    s);
    int64_t days = gt_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + hh * 3600 + mi * 60 + ss - off;
    if (secs > INT64_MAX / GT_NS_PER_SEC - 1 || secs < INT64_MIN / GT_NS_PER_SEC + 1)
        return fail(err, "time '%s' is out of range (years 1678 to 2261)", s);
    *out_ns = secs * GT_NS_PER_SEC + frac;
    return GT_OK;
}

/* gt_duration_parse(), zero allowed when allow_zero (a relative time of -0s
 * is now). */
static int duration_parse(const char *s, int allow_zero, int64_t *out_ns, char *err)
{
    static const struct {
        const char *name;
        int64_t ns;
    } units[] = {
        {"ns", 1},
        {"us", 1000},
        {"ms", 1000000},
        {"s", GT_NS_PER_SEC},
        {"m", 60 * GT_NS_PER_SEC},
        {"h", 3600 * GT_NS_PER_SEC},
        {"d", GT_NS_PER_DAY},
        {"w", 7 * GT_NS_PER_DAY},
    };
    const char *p = s;
    int64_t total = 0;
    if (!*p)
        return fail(err, "empty duration%s (want e.g. 30s, 5m, 1h30m)", "");
    while (*p) {
        int64_t v = 0;
        if (*p < '0' || *p > '9')
            return fail(err, "bad duration '%s' (want e.g. 30s, 5m, 1h30m, 250ms)", s);
        while (*p >= '0' && *p <= '9') {
            if (v > (INT64_MAX - 9) / 10)
                return fail(err, "duration '%s' is too long", s);
            v = v * 10 + (*p++ - '0');
        }
        size_t best = 0;
        int64_t mult = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t n = strlen(units[i].name);
            if (n > best && strncmp(p, units[i].name, n) == 0) {
                best = n;
                mult = units[i].ns;
            }
        }
        if (!best)
            return fail(err, "bad unit in duration '%s' (units: ns us ms s m h d w)", s);
        p += best;
        if (v > (INT64_MAX - total) / mult)
            return fail(err, "duration '%s' is too long", s);
        total += v * mult;
    }
    if (total <= 0 && !allow_zero)
        return fail(err, "duration '%s' must be greater than zero", s);
    *out_ns = total;
    return GT_OK;
}

int gt_duration_parse(const char *s, int64_t *out_ns, char *err)
{
    return duration_parse(s, 0, out_ns, err);
}

int gt_time_parse(const char *s, int64_t now_ns, int64_t *out_ns, char *err)
{
    if (!s || !*s)
        return fail(err, "empty time%s (want e.g. 2026-11-24T13:30:00Z, now, -1h)", "");
    if (strcmp(s, "now") == 0) {
        *out_ns = now_ns;
        return GT_OK;
    }
    if (s[0] == '-' || s[0] == '+') {
        int64_t d;
        char derr[GT_ERRLEN];
        if (duration_parse(s + 1, 1, &d, derr) < 0)
            return fail(err, "bad relative time '%s' (want e.g. -30m, -1h, -2d, +15m)", s);
        if (s[0] == '-' ? now_ns < INT64_MIN + d : now_ns > INT64_MAX - d)
            return fail(err, "relative time '%s' is out of range", s);
        *out_ns = s[0] == '-' ? now_ns - d : now_ns + d;
        return GT_OK;
    }
    return parse_absolute(s, out_ns, err);
}

int gt_time_format(int64_t ns, char out[GT_TIME_STRLEN])
{
    int64_t days = floor_div(ns, GT_NS_PER_DAY);
    int64_t rem = ns % GT_NS_PER_DAY; /* not ns - days * DAY: that overflows near INT64_MIN */
    if (rem < 0)
        rem += GT_NS_PER_DAY;
    int64_t secs = rem / GT_NS_PER_SEC;
    int64_t frac = rem % GT_NS_PER_SEC;
    int y;
    unsigned m, d;
    gt_civil_from_days(days, &y, &m, &d);
    int n = snprintf(out, GT_TIME_STRLEN, "%04d-%02u-%02uT%02d:%02d:%02d", y, m, d,
                     (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    if (frac % 1000000 == 0 && frac)
        n += snprintf(out + n, GT_TIME_STRLEN - (size_t)n, ".%03d", (int)(frac / 1000000));
    else if (frac % 1000 == 0 && frac)
        n += snprintf(out + n, GT_TIME_STRLEN - (size_t)n, ".%06d", (int)(frac / 1000));
    else if (frac)
        n += snprintf(out + n, GT_TIME_STRLEN - (size_t)n, ".%09d", (int)frac);
    n += snprintf(out + n, GT_TIME_STRLEN - (size_t)n, "Z");
    return n;
}

int gt_duration_format(int64_t ns, char out[GT_TIME_STRLEN])
{
    static const struct {
        const char *name;
        int64_t ns;
    } units[] = {
        {"d", GT_NS_PER_DAY},
        {"h", 3600 * GT_NS_PER_SEC},
        {"m", 60 * GT_NS_PER_SEC},
        {"s", GT_NS_PER_SEC},
        {"ms", 1000000},
        {"us", 1000},
        {"ns", 1},
    };
    int n = 0;
    if (ns <= 0)
        return snprintf(out, GT_TIME_STRLEN, "%lldns", (long long)ns);
    for (size_t i = 0; i < sizeof units / sizeof units[0] && ns; i++) {
        if (ns >= units[i].ns) {
            n += snprintf(out + n, GT_TIME_STRLEN - (size_t)n, "%lld%s",
                          (long long)(ns / units[i].ns), units[i].name);
            ns %= units[i].ns;
        }
    }
    return n;
}
