/* SPDX-License-Identifier: MIT */
/* cmd.h -- the tickq commands, one file each (query/cmd_<name>.c).
 *
 * A command takes its own argv (argv[0] is the command name), parses it with
 * getopt_long into a struct of its own, checks everything before opening the
 * store, runs, and returns the process exit status: 0 success, 1 a runtime
 * failure, 2 bad usage. --help prints to stdout and returns 0. Commands print;
 * the libraries under them never do. */
#ifndef GT_QUERY_CMD_H
#define GT_QUERY_CMD_H

enum { EXIT_USAGE = 2 };

struct cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

int cmd_time(int argc, char **argv);
int cmd_symbols(int argc, char **argv);
int cmd_ticks(int argc, char **argv);
int cmd_bars(int argc, char **argv);
int cmd_book(int argc, char **argv);
int cmd_fixings(int argc, char **argv);
int cmd_curve(int argc, char **argv);
int cmd_settle(int argc, char **argv);
int cmd_asof(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_chart(int argc, char **argv);

#endif
