/* SPDX-License-Identifier: MIT */
/* test_time.c -- times and durations as users type them, and printed back. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>
#include "gputick/err.h"
#include "gputick/time.h"

#define NOW INT64_C(1795824000000000000) /* 2026-11-28T00:00:00Z */

static int64_t parse_ok(const char *s)
{
    int64_t ns = 0;
    char err[GT_ERRLEN] = "";
    int rc = gt_time_parse(s, NOW, &ns, err);
    cr_assert(eq(int, rc, GT_OK), "'%s' should parse: %s", s, err);
    return ns;
}

static void parse_bad(const char *s, const char *needle)
{
    int64_t ns = 42;
    char err[GT_ERRLEN] = "";
    cr_assert(eq(int, gt_time_parse(s, NOW, &ns, err), GT_EINVAL), "'%s' should fail", s);
    cr_assert(eq(i64, ns, 42), "a failed parse must not write its output");
    cr_assert(ne(ptr, strstr(err, needle), NULL), "error for '%s' was '%s', want '%s' in it", s,
              err, needle);
}

Test(time, parses_iso_dates_and_times)
{
    cr_assert(eq(i64, parse_ok("1970-01-01"), 0));
    cr_assert(eq(i64, parse_ok("2026-11-24"), INT64_C(1795478400) * GT_NS_PER_SEC));
    cr_assert(eq(i64, parse_ok("2026-11-24T13:30:00Z"), INT64_C(1795527000) * GT_NS_PER_SEC));
    cr_assert(eq(i64, parse_ok("2026-11-24T13:30:00.123456789Z"),
                 INT64_C(1795527000) * GT_NS_PER_SEC + 123456789));
    cr_assert(eq(i64, parse_ok("2026-11-24 13:30:00.5"),
                 INT64_C(1795527000) * GT_NS_PER_SEC + 500000000));
    cr_assert(eq(i64, parse_ok("2026-11-24T13:30"), parse_ok("2026-11-24T13:30:00Z")));
    cr_assert(eq(i64, parse_ok("2026-11-24T13:30:00+00:00"), parse_ok("2026-11-24T13:30Z")));
    cr_assert(eq(i64, parse_ok("2024-02-29"), INT64_C(1709164800) * GT_NS_PER_SEC));
    cr_assert(eq(i64, parse_ok("1969-12-31T23:59:59.999999999Z"), -1));
}

Test(time, parses_relative_times)
{
    cr_assert(eq(i64, parse_ok("now"), NOW));
    cr_assert(eq(i64, parse_ok("-1h"), NOW - 3600 * GT_NS_PER_SEC));
    cr_assert(eq(i64, parse_ok("-30m"), NOW - 1800 * GT_NS_PER_SEC));
    cr_assert(eq(i64, parse_ok("-2d"), NOW - 2 * GT_NS_PER_DAY));
    cr_assert(eq(i64, parse_ok("+15m"), NOW + 900 * GT_NS_PER_SEC));
    cr_assert(eq(i64, parse_ok("-1h30m"), NOW - 5400 * GT_NS_PER_SEC));
    /* A zero offset is now, not an error (a duration alone must be > 0). */
    cr_assert(eq(i64, parse_ok("-0s"), NOW));
    cr_assert(eq(i64, parse_ok("+0m"), NOW));
}

/* An offset says the time is local time there: 13:30+01:00 is 12:30Z, and
 * Chicago's 07:30-06:00 is 13:30Z. */
Test(time, parses_utc_offsets)
{
    int64_t z = parse_ok("2026-11-24T13:30Z");
    cr_assert(eq(i64, parse_ok("2026-11-24T14:30:00+01:00"), z));
    cr_assert(eq(i64, parse_ok("2026-11-24T07:30-06:00"), z));
    cr_assert(eq(i64, parse_ok("2026-11-24T07:30-0600"), z));
    cr_assert(eq(i64, parse_ok("2026-11-24T07:30-06"), z));
    cr_assert(eq(i64, parse_ok("2026-11-24T19:00+05:30"), z));
    cr_assert(eq(i64, parse_ok("2026-11-24T13:30:00.25+00:00"), z + 250000000));
    /* Across midnight: 2026-11-23T23:00-06:00 is the 24th at 05:00Z. */
    cr_assert(eq(i64, parse_ok("2026-11-23T23:00-06:00"), parse_ok("2026-11-24T05:00Z")));
}

Test(time, names_what_was_wrong)
{
    parse_bad("", "empty time");
    parse_bad("yesterday", "want YYYY-MM-DD");
    parse_bad("2026-13-01", "no such day");
    parse_bad("2026-02-29", "no such day");
    parse_bad("2026-11-31", "no such day");
    parse_bad("2026-11-24T24:00", "hours 0-23");
    parse_bad("2026-11-24T13:60", "minutes and seconds 0-59");
    parse_bad("2026-11-24T13", "want HH:MM");
    parse_bad("2026-11-24T13:30:00.1234567891Z", "at most 9");
    parse_bad("2026-11-24T13:30:00.Z", "digits after the point");
    parse_bad("2026-11-24T13:30:00+1:00", "want Z, +HH:MM");
    parse_bad("2026-11-24T13:30:00+24:00", "want Z, +HH:MM");
    parse_bad("2026-11-24T13:30:00+01:60", "want Z, +HH:MM");
    parse_bad("2026-11-24T13:30:00Zx", "unexpected text at the end");
    parse_bad("2026-11-24Tx", "want HH:MM");
    parse_bad("2026-11-24 junk", "want HH:MM");
    parse_bad("1600-01-01", "out of range");
    parse_bad("2300-01-01", "out of range");
    parse_bad("-1x", "want e.g. -30m");
    parse_bad("-", "want e.g. -30m");
    parse_bad("-99999999999999999999d", "want e.g. -30m");
}

Test(time, durations_parse_and_refuse)
{
    int64_t ns;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_duration_parse("5m", &ns, err), GT_OK));
    cr_assert(eq(i64, ns, 300 * GT_NS_PER_SEC));
    cr_assert(eq(int, gt_duration_parse("1h30m", &ns, err), GT_OK));
    cr_assert(eq(i64, ns, 5400 * GT_NS_PER_SEC));
    cr_assert(eq(int, gt_duration_parse("250ms", &ns, err), GT_OK));
    cr_assert(eq(i64, ns, 250000000));
    cr_assert(eq(int, gt_duration_parse("1w", &ns, err), GT_OK));
    cr_assert(eq(i64, ns, 7 * GT_NS_PER_DAY));
    cr_assert(eq(int, gt_duration_parse("7ns", &ns, err), GT_OK));
    cr_assert(eq(i64, ns, 7));
    const char *bad[] = {"", "5", "5x", "m", "0s", "-5m", "1.5h", "99999999999w", "5m5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(eq(int, gt_duration_parse(bad[i], &ns, err), GT_EINVAL), "'%s'", bad[i]);
    gt_duration_parse("5x", &ns, err);
    cr_assert(ne(ptr, strstr(err, "units: ns us ms s m h d w"), NULL), "%s", err);
}

Test(time, formats_back_exactly)
{
    char buf[GT_TIME_STRLEN];
    gt_time_format(0, buf);
    cr_assert(eq(str, buf, "1970-01-01T00:00:00Z"));
    gt_time_format(-1, buf);
    cr_assert(eq(str, buf, "1969-12-31T23:59:59.999999999Z"));
    gt_time_format(parse_ok("2026-11-24T13:30:00.123Z"), buf);
    cr_assert(eq(str, buf, "2026-11-24T13:30:00.123Z"));
    gt_time_format(parse_ok("2026-11-24T13:30:00.000123Z"), buf);
    cr_assert(eq(str, buf, "2026-11-24T13:30:00.000123Z"));
    const char *round[] = {"2026-11-24T13:30:00.123456789Z", "2261-12-31T23:59:59Z",
                           "1678-01-01T00:00:00Z", "2000-02-29T12:00:00.5Z"};
    for (size_t i = 0; i < sizeof round / sizeof round[0]; i++) {
        gt_time_format(parse_ok(round[i]), buf);
        int64_t again = parse_ok(buf);
        cr_assert(eq(i64, again, parse_ok(round[i])), "%s -> %s", round[i], buf);
    }
    gt_duration_format(5400 * GT_NS_PER_SEC + 250000000, buf);
    cr_assert(eq(str, buf, "1h30m250ms"));
    /* The ends of int64 ns format without overflowing (tickq prints them). */
    gt_time_format(INT64_MIN, buf);
    cr_assert(eq(str, buf, "1677-09-21T00:12:43.145224192Z"));
    gt_time_format(INT64_MAX, buf);
    cr_assert(eq(str, buf, "2262-04-11T23:47:16.854775807Z"));
}

Test(time, civil_days_agree_over_a_long_span)
{
    for (int64_t d = -200000; d <= 200000; d += 7) {
        int y;
        unsigned m, dd;
        gt_civil_from_days(d, &y, &m, &dd);
        cr_assert(eq(i64, gt_days_from_civil(y, m, dd), d));
    }
    cr_assert(eq(u32, gt_ymd_of_ns(parse_ok("2026-11-24T23:59:59.999999999Z")), 20261124));
    cr_assert(eq(u32, gt_ymd_of_ns(-1), 19691231));
    cr_assert(eq(i64, gt_ns_of_ymd(20261124), parse_ok("2026-11-24")));
}
