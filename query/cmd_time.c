/* SPDX-License-Identifier: MIT */
/* cmd_time.c -- tickq time: shows how tickq reads a time or a duration, so a
 * user can check an expression before putting it in --from or --interval. */
#include <getopt.h>
#include <stdio.h>
#include "qio.h"
#include "cmd.h"
#include "qopt.h"
#include "gputick/time.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tickq time [--duration] EXPR...\n"
               "\n"
               "Prints each time expression as an ISO-8601 UTC time and as ns since the epoch.\n"
               "Times: 2026-11-24, 2026-11-24T13:30:00.123456789Z, now, -1h, -30m, -2d, +15m.\n"
               "With --duration, reads durations instead: 30s, 5m, 1h30m, 250ms.\n"
               "\n"
               "  -d, --duration  read durations\n"
               "  -h, --help      show this help and exit\n");
}

int cmd_time(int argc, char **argv)
{
    static const struct option opts[] = {
        {"duration", no_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c, durations = 0;
    optind = 0;
    while ((c = qopt_getopt(argc, argv, "dh", opts, "time")) != -1) {
        switch (c) {
        case 'd':
            durations = 1;
            break;
        case 'h':
            usage(QOUT);
            return 0;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(QERR, "tickq time: no expression given (want e.g. 'tickq time -1h')\n");
        return EXIT_USAGE;
    }
    int64_t now = gt_now_ns();
    for (int i = optind; i < argc; i++) {
        char err[GT_ERRLEN], buf[GT_TIME_STRLEN];
        int64_t ns;
        int rc = durations ? gt_duration_parse(argv[i], &ns, err)
                           : gt_time_parse(argv[i], now, &ns, err);
        if (rc < 0) {
            fprintf(QERR, "tickq time: %s\n", err);
            return EXIT_USAGE;
        }
        if (durations)
            gt_duration_format(ns, buf);
        else
            gt_time_format(ns, buf);
        fprintf(QOUT, "%s\t%s\t%lld\n", argv[i], buf, (long long)ns);
    }
    return 0;
}
