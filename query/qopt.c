/* SPDX-License-Identifier: MIT */
/* qopt.c -- shared tickq options (contract in qopt.h). */
#include "qopt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "gputick/err.h"
#include "gputick/time.h"

void qopt_init(struct qopt *q)
{
    const char *env = getenv("GPUTICK_DB");
    *q = (struct qopt){.db = env && *env ? env : "./gputick.db",
                       .from_ns = INT64_MIN,
                       .to_ns = INT64_MAX,
                       .fmt = OUT_AUTO};
}

int qopt_handle(struct qopt *q, int c, const char *arg, const char *cmd, int64_t now_ns)
{
    char err[GT_ERRLEN];
    switch (c) {
    case QOPT_DB: {
        /* The first --db replaces the default; each further one is a shard. */
        size_t have = q->db == q->db_list ? strlen(q->db_list) : 0, add = strlen(arg);
        if (have + 1 + add >= sizeof q->db_list) {
            fprintf(stderr, "tickq %s: --db paths too long (want at most %d bytes in all)\n", cmd,
                    QOPT_DB_LIST - 1);
            return EXIT_USAGE;
        }
        if (have)
            q->db_list[have++] = ',';
        memcpy(q->db_list + have, arg, add + 1);
        q->db = q->db_list;
        return 1;
    }
    case QOPT_FROM:
    case QOPT_TO: {
        int64_t *dst = c == QOPT_FROM ? &q->from_ns : &q->to_ns;
        if (gt_time_parse(arg, now_ns, dst, err) < 0) {
            fprintf(stderr, "tickq %s: %s %s\n", cmd, c == QOPT_FROM ? "--from:" : "--to:", err);
            return EXIT_USAGE;
        }
        *(c == QOPT_FROM ? &q->has_from : &q->has_to) = 1;
        return 1;
    }
    case QOPT_FORMAT: {
        int f = out_format_parse(arg);
        if (f < 0) {
            fprintf(stderr, "tickq %s: bad --format '%s' (want table, csv or json)\n", cmd, arg);
            return EXIT_USAGE;
        }
        q->fmt = (enum out_format)f;
        return 1;
    }
    }
    return 0;
}

int qopt_check(const struct qopt *q, const char *cmd)
{
    if (q->from_ns >= q->to_ns) {
        char a[GT_TIME_STRLEN], b[GT_TIME_STRLEN];
        gt_time_format(q->from_ns, a);
        gt_time_format(q->to_ns, b);
        fprintf(stderr, "tickq %s: --from %s is not before --to %s (the range is [from, to))\n",
                cmd, a, b);
        return EXIT_USAGE;
    }
    return 0;
}
