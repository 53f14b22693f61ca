/* SPDX-License-Identifier: MIT */
/* cmd_fixings.c -- tickq fixings: the values of an index, indicative and
 * official (the daily fixing, code 5), with the date each belongs to. */
#include <getopt.h>
#include <stdio.h>
#include "qio.h"
#include "cmd.h"
#include "out.h"
#include "cmdstore.h"
#include "qopt.h"
#include "gputick/time.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tickq fixings INDEX [--official] [OPTIONS]\n"
               "\n"
               "The values of INDEX (e.g. SDH100RT) in [--from, --to): time, date, value and\n"
               "type: indicative (code 1), premarket (2), prelim_close (3), session_close (4)\n"
               "or official (5, the official daily fixing that settles the futures).\n"
               "\n"
               "  -o, --official   only the official daily fixings\n" QOPT_HELP);
}

static const struct out_col cols[] = {
    {"time", -30}, {"date", 8}, {"value", 12}, {"type", -13}, {"code", 4}};

static const char *fix_type(int code)
{
    static const char *n[] = {"unknown",      "indicative",    "premarket",
                              "prelim_close", "session_close", "official"};
    return n[code >= 1 && code <= 5 ? code : 0];
}

int cmd_fixings(int argc, char **argv)
{
    static const struct option opts[] = {
        QOPT_LONGOPTS, {"official", no_argument, 0, 'o'}, {0, 0, 0, 0}};
    struct qopt q;
    int c, rc, official = 0;
    qopt_init(&q);
    optind = 0;
    while ((c = qopt_getopt(argc, argv, "ho", opts, "fixings")) != -1) {
        if ((rc = qopt_handle(&q, c, optarg, "fixings", gt_now_ns())) == EXIT_USAGE)
            return rc;
        if (rc)
            continue;
        if (c == 'o') {
            official = 1;
        } else if (c == 'h') {
            usage(QOUT);
            return 0;
        } else {
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(QERR, "tickq fixings: want one INDEX, got %d (e.g. tickq fixings SDH100RT)\n",
                argc - optind);
        return EXIT_USAGE;
    }
    const char *symbol = argv[optind];
    if (cmdstore_name_check("fixings", "index", symbol, GT_SYMBOL_LEN) || qopt_check(&q, "fixings"))
        return EXIT_USAGE;
    struct shards *st;
    struct gt_tick def;
    if ((rc = cmdstore_open("fixings", q.db, &st)))
        return rc;
    if ((rc = cmdstore_instr_of("fixings", st, symbol, GT_INSTR_INDEX, &def)))
        goto done;
    if (def.u.def.type != GT_INSTR_INDEX) {
        fprintf(QERR,
                "tickq fixings: %s is a future, not an index (want e.g. the product's "
                "index; see 'tickq symbols')\n",
                symbol);
        rc = EXIT_USAGE;
        goto done;
    }
    struct shards_iter *it = NULL;
    int e = shards_iter_open(st, def.instr_id, GT_KIND_FIXING, q.from_ns, q.to_ns, &it);
    if (e < 0 && e != GT_ENOENT) {
        fprintf(QERR, "tickq fixings: %s\n", shards_errmsg(st));
        rc = 1;
        goto done;
    }
    struct out o;
    out_begin(&o, q.fmt, QOUT, cols, sizeof cols / sizeof cols[0]);
    const struct gt_tick *t;
    while (it && (e = shards_iter_next(it, &t)) > 0) {
        for (int i = 0; i < e; i++) {
            const struct gt_fixing *x = &t[i].u.fixing;
            if (official && x->code != GT_FIX_CLOSE)
                continue;
            out_time(&o, t[i].exch_ns);
            out_i64(&o, x->date ? x->date : gt_ymd_of_ns(t[i].exch_ns));
            out_px(&o, x->px);
            out_str(&o, fix_type(x->code));
            out_i64(&o, x->code);
            out_row_end(&o);
        }
    }
    if (it && e < 0)
        rc = cmdstore_iter_fail("fixings", it, e);
    shards_iter_close(it);
    rc = out_finish(&o, "fixings", rc);
done:
    return cmdstore_close("fixings", st, rc);
}
