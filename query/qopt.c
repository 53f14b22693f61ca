/* SPDX-License-Identifier: MIT */
/* qopt.c -- shared tickq options (contract in qopt.h). */
#include "qio.h"
#include "qopt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "gputick/err.h"
#include "gputick/time.h"
#include "tz.h"

void qopt_init(struct qopt *q)
{
    const char *env = getenv("GPUTICK_DB");
    *q = (struct qopt){.db = env && *env ? env : "./gputick.db",
                       .from_ns = INT64_MIN,
                       .to_ns = INT64_MAX,
                       .fmt = OUT_AUTO};
    qtz_reset();
}

int qopt_handle(struct qopt *q, int c, const char *arg, const char *cmd, int64_t now_ns)
{
    char err[GT_ERRLEN];
    switch (c) {
    case QOPT_DB: {
        /* The first --db replaces the default; each further one is a shard. */
        size_t have = q->db == q->db_list ? strlen(q->db_list) : 0, add = strlen(arg);
        if (have + 1 + add >= sizeof q->db_list) {
            fprintf(QERR, "tickq %s: --db paths too long (want at most %d bytes in all)\n", cmd,
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
            fprintf(QERR, "tickq %s: %s %s\n", cmd, c == QOPT_FROM ? "--from:" : "--to:", err);
            return EXIT_USAGE;
        }
        *(c == QOPT_FROM ? &q->has_from : &q->has_to) = 1;
        return 1;
    }
    case QOPT_TZ:
        if (qtz_set(arg, err) < 0) {
            fprintf(QERR, "tickq %s: %s\n", cmd, err);
            return EXIT_USAGE;
        }
        return 1;
    case QOPT_PRODUCT:
        q->product = arg;
        return 1;
    case QOPT_FORMAT: {
        int f = out_format_parse(arg);
        if (f < 0) {
            fprintf(QERR, "tickq %s: bad --format '%s' (want table, csv, json or jsonl)\n", cmd,
                    arg);
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
        fprintf(QERR, "tickq %s: --from %s is not before --to %s (the range is [from, to))\n", cmd,
                a, b);
        return EXIT_USAGE;
    }
    return 0;
}

int qopt_no_range(const struct qopt *q, const char *cmd, const char *why)
{
    if (!q->has_from && !q->has_to)
        return 0;
    fprintf(QERR, "tickq %s: --from/--to do not apply (%s)\n", cmd, why);
    return EXIT_USAGE;
}

/* The long option that name (len bytes, maybe abbreviated) selects, as
 * getopt_long finds it: an exact name, else the only one it starts. When
 * there is none, *n_start (if not NULL) gets how many it starts: 2 or more
 * is ambiguous. */
static const struct option *long_find(const struct option *lo, const char *name, size_t len,
                                      int *n_start)
{
    const struct option *hit = NULL;
    int n = 0;
    for (; lo->name; lo++) {
        if (strncmp(lo->name, name, len) != 0)
            continue;
        if (strlen(lo->name) == len)
            return lo;
        hit = lo;
        n++;
    }
    if (n_start)
        *n_start = n;
    return n == 1 ? hit : NULL;
}

/* Whether option element a takes the next element as its value. */
static int takes_next(const char *a, const char *so, const struct option *lo)
{
    if (a[1] == '-') {
        if (strchr(a, '='))
            return 0;
        const struct option *o = long_find(lo, a + 2, strlen(a + 2), NULL);
        return o && o->has_arg == required_argument;
    }
    for (const char *p = a + 1; *p; p++) {
        const char *s = *p == ':' ? NULL : strchr(so, *p);
        if (!s)
            return 0; /* unknown: getopt says so */
        if (s[1] == ':')
            return p[1] == 0; /* else the rest of a is the value */
    }
    return 0;
}

static int is_operand(const char *a)
{
    return a[0] != '-' || a[1] == 0 || (a[1] >= '0' && a[1] <= '9');
}

/* Moves the operands of argv[1..argc) after the options (with their values)
 * and a "--", keeping both orders. Returns where the operands start. Once
 * sorted, a second call moves nothing. */
static int args_sort(int argc, char **argv, const char *so, const struct option *lo)
{
    int k = 1; /* argv[1..k) are options */
    for (int i = 1; i < argc; i++) {
        if (is_operand(argv[i]))
            continue;
        int n = strcmp(argv[i], "--") == 0 || !takes_next(argv[i], so, lo) || i + 1 == argc ? 1 : 2;
        char *moved[2] = {argv[i], n == 2 ? argv[i + 1] : NULL};
        memmove(argv + k + n, argv + k, (size_t)(i - k) * sizeof *argv);
        memcpy(argv + k, moved, (size_t)n * sizeof *argv);
        k += n;
        if (strcmp(moved[0], "--") == 0)
            break;
        i += n - 1;
    }
    return k;
}

int qopt_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
                const char *cmd)
{
    char so[64];
    snprintf(so, sizeof so, ":%s", shortopts); /* ':' reports a missing value apart */
    int n_opt = args_sort(argc, argv, shortopts, longopts);
    opterr = 0;
    optopt = 0;
    int c = getopt_long(n_opt, argv, so, longopts, NULL);
    if (c != '?' && c != ':')
        return c;
    /* A long option at fault has been passed (argv[optind - 1]); a short
     * one is optopt. */
    const char *a = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : "";
    int is_long = a[0] == '-' && a[1] == '-', len = (int)strcspn(a, "=");
    int n_start = 0;
    const struct option *o = is_long ? long_find(longopts, a + 2, (size_t)len - 2, &n_start) : NULL;
    char name[64];
    if (c == ':' && !is_long)
        snprintf(name, sizeof name, "-%c", optopt);
    else
        snprintf(name, sizeof name, "%.*s", len, a);
    if (c == ':')
        fprintf(QERR, "tickq %s: option '%s' needs a value", cmd, name);
    else if (is_long && o && o->has_arg == no_argument && a[len] == '=')
        fprintf(QERR, "tickq %s: option '%s' takes no value", cmd, name);
    else if (optopt)
        fprintf(QERR, "tickq %s: unknown option '-%c'", cmd, optopt);
    else if (is_long && !o && n_start > 1)
        fprintf(QERR, "tickq %s: option '%s' is ambiguous (want more of its name)", cmd, name);
    else
        fprintf(QERR, "tickq %s: unknown option '%s'", cmd, name);
    fprintf(QERR, " (try 'tickq %s --help')\n", cmd);
    return '?';
}

int qopt_parse(struct qopt *q, int argc, char **argv, const struct option *opts, const char *cmd,
               void (*usage)(FILE *))
{
    int c, rc;
    qopt_init(q);
    optind = 0;
    while ((c = qopt_getopt(argc, argv, "h", opts, cmd)) != -1) {
        if ((rc = qopt_handle(q, c, optarg, cmd, gt_now_ns())) == EXIT_USAGE)
            return rc;
        if (rc)
            continue;
        if (c == 'h') {
            usage(QOUT);
            return -1;
        }
        return EXIT_USAGE;
    }
    return 0;
}
