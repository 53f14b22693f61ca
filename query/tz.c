/* SPDX-License-Identifier: MIT */
/* tz.c -- TZif zones for tickq's output times (contract in tz.h). RFC 8536
 * names the format: a version 1 block of 32-bit times, then (version 2 on)
 * the same data with 64-bit times, which is the one read here. */
#include "tz.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gputick/bytes.h"

enum { TZ_MAX_FILE = 1 << 20, TZ_MAX_TYPES = 256, TZ_MAX_OFFSET = 86400 };

static struct {
    int set;
    int n;        /* transitions */
    int64_t *at;  /* their times, s since the epoch, ascending */
    int32_t *off; /* the offset from each on */
    int32_t off0; /* before the first */
} zone;

void qtz_reset(void)
{
    free(zone.at);
    free(zone.off);
    memset(&zone, 0, sizeof zone);
}

static int bad(char err[GT_ERRLEN], const char *name, const char *why)
{
    snprintf(err, GT_ERRLEN,
             "bad --tz '%s' (%s; want a zone of the tz database, e.g. "
             "America/Chicago, Europe/London, UTC)",
             name, why);
    return GT_EINVAL;
}

/* Parses the version 2+ block of a TZif file of len bytes. */
static int parse(const uint8_t *p, size_t len, const char *name, char err[GT_ERRLEN])
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return bad(err, name, "not a TZif file");
    if (p[4] < '2')
        return bad(err, name, "a version 1 TZif file, without 64-bit times");
    /* Skip the version 1 block. */
    uint32_t c[6];
    for (int i = 0; i < 6; i++)
        c[i] = ld_be32(p + 20 + 4 * i);
    uint64_t v1 = (uint64_t)c[3] * 5 + (uint64_t)c[4] * 6 + c[5] + (uint64_t)c[2] * 8 + c[1] + c[0];
    if (44 + v1 + 44 > len)
        return bad(err, name, "a truncated TZif file");
    p += 44 + v1;
    len -= 44 + v1;
    if (memcmp(p, "TZif", 4) != 0)
        return bad(err, name, "a damaged TZif file");
    for (int i = 0; i < 6; i++)
        c[i] = ld_be32(p + 20 + 4 * i);
    uint32_t timecnt = c[3], typecnt = c[4];
    if (typecnt == 0 || typecnt > TZ_MAX_TYPES || timecnt > TZ_MAX_FILE / 9 ||
        44 + (uint64_t)timecnt * 9 + (uint64_t)typecnt * 6 > len)
        return bad(err, name, "a damaged TZif file");
    const uint8_t *times = p + 44, *idx = times + (size_t)timecnt * 8, *types = idx + timecnt;
    int32_t toff[TZ_MAX_TYPES];
    for (uint32_t i = 0; i < typecnt; i++) {
        toff[i] = (int32_t)ld_be32(types + 6 * i);
        if (toff[i] <= -TZ_MAX_OFFSET || toff[i] >= TZ_MAX_OFFSET) /* RFC 8536: within a day */
            return bad(err, name, "a damaged TZif file (an offset of a day or more)");
    }
    zone.at = malloc((timecnt ? timecnt : 1) * sizeof *zone.at);
    zone.off = malloc((timecnt ? timecnt : 1) * sizeof *zone.off);
    if (!zone.at || !zone.off) {
        qtz_reset();
        snprintf(err, GT_ERRLEN, "out of memory");
        return GT_ENOMEM;
    }
    for (uint32_t i = 0; i < timecnt; i++) {
        zone.at[i] = (int64_t)ld_be64(times + 8 * i);
        if (idx[i] >= typecnt || (i && zone.at[i] <= zone.at[i - 1])) {
            qtz_reset();
            return bad(err, name, "a damaged TZif file");
        }
        zone.off[i] = toff[idx[i]];
    }
    zone.n = (int)timecnt;
    zone.off0 = toff[0];
    zone.set = 1;
    return GT_OK;
}

int qtz_set_tzif(const uint8_t *p, size_t len, const char *name, char err[GT_ERRLEN])
{
    qtz_reset();
    return parse(p, len, name, err);
}

int qtz_set(const char *name, char err[GT_ERRLEN])
{
    qtz_reset();
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Z") == 0) {
        zone.set = 1;
        return GT_OK;
    }
    if (!*name || name[0] == '/' || strstr(name, "..") || strlen(name) > 200)
        return bad(err, name, "a zone is a name such as America/Chicago");
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return bad(err, name, "no such zone");
    uint8_t *buf = malloc(TZ_MAX_FILE);
    size_t len = buf ? fread(buf, 1, TZ_MAX_FILE, f) : 0;
    fclose(f);
    int rc = buf ? qtz_set_tzif(buf, len, name, err) : bad(err, name, "out of memory");
    free(buf);
    return rc;
}

int32_t qtz_offset(int64_t ns)
{
    if (!zone.set || (zone.n == 0 && zone.off0 == 0))
        return 0;
    int64_t s = ns / GT_NS_PER_SEC - (ns % GT_NS_PER_SEC < 0);
    int lo = 0, hi = zone.n; /* the last transition at or before s */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (zone.at[mid] <= s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? zone.off0 : zone.off[lo - 1];
}

int qtz_format(int64_t ns, char out[QTZ_STRLEN])
{
    if (!zone.set)
        return gt_time_format(ns, out);
    int32_t off = qtz_offset(ns);
    int64_t local = ns;
    if (__builtin_add_overflow(ns, (int64_t)off * GT_NS_PER_SEC, &local))
        return gt_time_format(ns, out);
    int n = gt_time_format(local, out) - 1; /* over its Z */
    int32_t a = off < 0 ? -off : off;
    return n + snprintf(out + n, QTZ_STRLEN - (size_t)n, "%c%02d:%02d", off < 0 ? '-' : '+',
                        (int)(a / 3600), (int)(a / 60 % 60));
}
