/* SPDX-License-Identifier: MIT */
/* qopt.c -- shared tickq options (contract in qopt.h). */
#include "qopt.h"
#include <stdio.h>
#include <stdlib.h>
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
    case QOPT_DB:
        q->db = arg;
        return 1;
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
