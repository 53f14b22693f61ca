/* SPDX-License-Identifier: MIT */
/* ticks_query.h -- tickq ticks' steps with the rows left to the caller.
 *
 * ticks_query() parses "ticks SYMBOL... | --product P [--kind K] [OPTIONS]" (qopt.h, the
 * messages on QERR), opens the store, resolves the symbols (suggestions for
 * an unknown one) and hands the sink the instruments' ticks in bus order, a
 * run at a time. tickq ticks (cmd_ticks.c) prints them; the Python package's
 * libgtpy.so (python/gtpy.c) keeps them as records. One set of steps, so the
 * two cannot answer differently. */
#ifndef GT_QUERY_TICKS_QUERY_H
#define GT_QUERY_TICKS_QUERY_H
#include "gputick/tick.h"
#include "out.h"

struct ticks_sink {
    /* Before the first run: the kind asked for (0: all), --format, and
     * whether several instruments were asked for (a product or symbols). */
    void (*begin)(void *ctx, int kind, enum out_format fmt, int many);
    /* n > 0 ticks of one instrument, valid during the call, and that
     * instrument's symbol when many (else NULL); returns 0 to go on, 1 to
     * stop (end() then judges), or -1 for a failure it has printed. */
    int (*run)(void *ctx, const struct gt_tick *t, int n, const char *symbol);
    /* After the last run, with the status so far; returns the status. */
    int (*end)(void *ctx, int rc);
    void *ctx;
};

/* Returns tickq ticks' exit status (0, 1 a runtime failure, 2 wrong input).
 * --help prints the usage to QOUT and returns 0 without calling the sink. */
int ticks_query(int argc, char **argv, const struct ticks_sink *sink);

#endif
