/* SPDX-License-Identifier: MIT */
/* qopt.h -- the options every tickq command shares: --db, --from, --to,
 * --format, --help, and the one getopt loop every command uses.
 *
 * A command puts QOPT_LONGOPTS in its table, reads its options with
 * qopt_getopt(), passes each it does not know to qopt_handle(), and calls
 * qopt_check() before opening the store, so that every bad input is refused
 * before any work starts. A command that reads no time range refuses
 * --from/--to with qopt_no_range() and shows QOPT_HELP_NO_RANGE. */
#ifndef GT_QUERY_QOPT_H
#define GT_QUERY_QOPT_H
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include "out.h"

enum { QOPT_DB = 1000, QOPT_FROM, QOPT_TO, QOPT_FORMAT, QOPT_PRODUCT, QOPT_TZ };

/* clang-format off */
#define QOPT_LONGOPTS \
    {"db", required_argument, 0, QOPT_DB}, {"from", required_argument, 0, QOPT_FROM}, \
    {"to", required_argument, 0, QOPT_TO}, {"format", required_argument, 0, QOPT_FORMAT}, \
    {"tz", required_argument, 0, QOPT_TZ}, {"help", no_argument, 0, 'h'}
/* For the commands that read one or several instruments: --product P in
 * place of the SYMBOLs (q->product; cmdstore_pick). */
#define QOPT_PRODUCT_LONGOPT {"product", required_argument, 0, QOPT_PRODUCT}
/* clang-format on */

#define QOPT_HELP_DB                                                                               \
    "  --db PATH        the tick store (default $GPUTICK_DB, else ./gputick.db); several\n"        \
    "                   (--db A --db B, or A,B) are read as one: the shards of tickstore\n"
#define QOPT_HELP_RANGE                                                                            \
    "  --from T         start of the range, inclusive (2026-11-24, 2026-11-24T13:30Z,\n"           \
    "                   2026-11-24T07:30-06:00, -1h: an hour before now, the wall clock;\n"        \
    "                   default: the start of the data)\n"                                         \
    "  --to T           end of the range, exclusive (default: the end of the data)\n"
#define QOPT_HELP_FORMAT                                                                           \
    "  --format F       table, csv, json (one array) or jsonl (JSON Lines; default: table\n"       \
    "                   on a terminal, csv otherwise)\n"
#define QOPT_HELP_TZ                                                                               \
    "  --tz ZONE        print times in ZONE of the tz database (America/Chicago, CME's\n"          \
    "                   trade date zone), with their offset (default: UTC, ...Z)\n"
#define QOPT_HELP_HELP "  -h, --help       show this help and exit\n"
#define QOPT_HELP QOPT_HELP_DB QOPT_HELP_RANGE QOPT_HELP_FORMAT QOPT_HELP_TZ QOPT_HELP_HELP
#define QOPT_HELP_NO_RANGE QOPT_HELP_DB QOPT_HELP_FORMAT QOPT_HELP_TZ QOPT_HELP_HELP

enum { QOPT_DB_LIST = 4096 };

struct qopt {
    const char *db;             /* one path, or several separated by commas */
    char db_list[QOPT_DB_LIST]; /* where repeated --db options are joined */
    int64_t from_ns, to_ns;     /* [from, to) */
    int has_from, has_to;
    enum out_format fmt;
    const char *product; /* --product, where the command takes it */
};

/* Fills the defaults: db from $GPUTICK_DB or "./gputick.db", the whole of
 * time, automatic format. */
void qopt_init(struct qopt *q);

/* Handles one shared option. Returns 1 if it was one, 0 if not, or
 * EXIT_USAGE (2) after printing "tickq CMD: ..." for a bad value. */
int qopt_handle(struct qopt *q, int c, const char *arg, const char *cmd, int64_t now_ns);

/* Checks the options together (from < to). Returns 0 or EXIT_USAGE after
 * printing why. */
int qopt_check(const struct qopt *q, const char *cmd);

/* For a command that reads no time range: 0 if neither --from nor --to was
 * given, else EXIT_USAGE after printing "tickq CMD: --from/--to do not apply
 * (WHY)". */
int qopt_no_range(const struct qopt *q, const char *cmd, const char *why);

/* The whole option loop of a command that takes only the shared options
 * (and QOPT_PRODUCT_LONGOPT) in opts: qopt_init(), then each option through
 * qopt_handle(). Returns 0 with argv[optind..argc) the operands, -1 after
 * printing usage() on QOUT (--help: exit 0), or EXIT_USAGE after printing
 * why. */
int qopt_parse(struct qopt *q, int argc, char **argv, const struct option *opts, const char *cmd,
               void (*usage)(FILE *));

/* getopt_long for tickq commands; set optind = 0 before the first call (a
 * full reset of getopt). Each call first moves the operands after the
 * options, keeping their order, so that an operand starting with '-' and a
 * digit (a relative time such as -1h) stays an operand, while an option's
 * value may still be one (--from -1h). Returns the next option as
 * getopt_long does, or -1 at the end with argv[optind..argc) the operands.
 * An unknown option, one missing its value or one given a value it does not
 * take is one line on stderr, "tickq CMD: unknown option '--x' (try 'tickq
 * CMD --help')", and '?'. */
int qopt_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
                const char *cmd);

#endif
