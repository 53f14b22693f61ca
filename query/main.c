/* SPDX-License-Identifier: MIT */
/* main.c -- tickq, the analysts' CLI over the tick store.
 *
 * "tickq COMMAND [OPTIONS] ARGS": finds the command in one table and hands it
 * its own argv. Every command has --help; usage errors exit 2, runtime
 * failures 1. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "qio.h"
#include "cmd.h"

static const struct cmd cmds[] = {
    {"symbols", cmd_symbols, "instruments: futures and indexes, with what is stored"},
    {"ticks", cmd_ticks, "raw ticks of an instrument, every field"},
    {"bars", cmd_bars, "OHLC, volume, VWAP and trade count per interval"},
    {"book", cmd_book, "the price-level book as it was at a time"},
    {"fixings", cmd_fixings, "index values: indicative and official"},
    {"curve", cmd_curve, "the forward curve of a product at a time, with basis"},
    {"settle", cmd_settle, "a contract's final settlement from the official fixings"},
    {"asof", cmd_asof, "trades joined with the prevailing book top and index"},
    {"stats", cmd_stats, "per series: ticks, blocks, bytes, time range"},
    {"chart", cmd_chart, "SVG charts: candlesticks with volume, the curve"},
    {"time", cmd_time, "show how a time or duration expression is read"},
};
enum { N_CMDS = sizeof cmds / sizeof cmds[0] };

static void usage(FILE *f)
{
    fprintf(f, "usage: tickq COMMAND [OPTIONS] ARGS\n"
               "\n"
               "Queries gputick's tick store: ticks, bars, books, fixings, the forward curve.\n"
               "\n"
               "Commands:\n");
    for (int i = 0; i < N_CMDS; i++)
        fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(f, "\n"
               "'tickq COMMAND --help' describes a command.\n"
               "  -h, --help      show this help and exit\n"
               "  -V, --version   show the version and exit\n");
}

int main(int argc, char **argv)
{
    /* A reader that stops early (tickq ticks X | head) is the end of the
     * output: writes then fail with EPIPE, out_finish() takes that quietly,
     * and the store is closed as usual (its reader folder removed). */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(QERR);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        usage(QOUT);
        return 0;
    }
    if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
        fprintf(QOUT, "tickq %s\n", GT_VERSION);
        return 0;
    }
    for (int i = 0; i < N_CMDS; i++)
        if (strcmp(name, cmds[i].name) == 0)
            return cmds[i].run(argc - 1, argv + 1);
    fprintf(QERR, "tickq: unknown command '%s' (try 'tickq --help')\n", name);
    return EXIT_USAGE;
}
