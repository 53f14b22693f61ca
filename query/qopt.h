/* SPDX-License-Identifier: MIT */
/* qopt.h -- the options every tickq command shares: --db, --from, --to,
 * --format, --help.
 *
 * A command puts QOPT_LONGOPTS in its getopt_long table, passes each option it
 * does not know to qopt_handle(), and calls qopt_check() before opening the
 * store, so that every bad input is refused before any work starts. */
#ifndef GT_QUERY_QOPT_H
#define GT_QUERY_QOPT_H
#include <getopt.h>
#include <stdint.h>
#include "out.h"

enum { QOPT_DB = 1000, QOPT_FROM, QOPT_TO, QOPT_FORMAT };

/* clang-format off */
#define QOPT_LONGOPTS \
    {"db", required_argument, 0, QOPT_DB}, {"from", required_argument, 0, QOPT_FROM}, \
    {"to", required_argument, 0, QOPT_TO}, {"format", required_argument, 0, QOPT_FORMAT}, \
    {"help", no_argument, 0, 'h'}
/* clang-format on */

#define QOPT_HELP                                                                                  \
    "  --db PATH        the tick store (default $GPUTICK_DB, else ./gputick.db); several\n"        \
    "                   (--db A --db B, or A,B) are read as one: the shards of tickstore\n"        \
    "  --from T         start of the range, inclusive (2026-11-24, 2026-11-24T13:30Z, -1h)\n"      \
    "  --to T           end of the range, exclusive (default: now)\n"                              \
    "  --format F       table, csv or json (default: table on a terminal, csv otherwise)\n"        \
    "  -h, --help       show this help and exit\n"

enum { QOPT_DB_LIST = 4096 };

struct qopt {
    const char *db;             /* one path, or several separated by commas */
    char db_list[QOPT_DB_LIST]; /* where repeated --db options are joined */
    int64_t from_ns, to_ns;     /* [from, to) */
    int has_from, has_to;
    enum out_format fmt;
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

#endif
