/* SPDX-License-Identifier: MIT */
/* cmd_settle.c -- tickq settle: a contract's final settlement value by the
 * documented rule, beside its last trade.
 *
 * The rule (default mean-official): the arithmetic mean of the official
 * daily fixings (code 5) of the product's index dated in the contract month,
 * from its first day through the contract's last trading day, one per date
 * (a later fixing of the same date corrects an earlier one), rounded to the
 * contract's tick size half away from zero. last-official takes the last of
 * those fixings instead, rounded the same way. The month is complete when
 * every business day (a weekday that is not an exchange holiday, calendar.h)
 * from the 1st through the last trading day has its fixing. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "qio.h"
#include "cmd.h"
#include "out.h"
#include "cmdstore.h"
#include "qopt.h"
#include "gputick/calendar.h"
#include "gputick/time.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tickq settle SYMBOL... [--rule R] [OPTIONS]\n"
            "       tickq settle --product P [--rule R] [OPTIONS]\n"
            "\n"
            "The final settlement of SYMBOL from its product index's official daily fixings\n"
            "(code 5) dated in the contract month through its last trading day (one per\n"
            "date, the latest correction), rounded to the tick half away from zero; beside\n"
            "the last trade and last trade - settlement. 'complete' says whether every\n"
            "business day (a weekday not in the exchange's holiday calendar) through the\n"
            "last trading day has its fixing. Several symbols, or\n"
            "every future of --product P, give one row each (by maturity for a product).\n"
            "\n"
            "  -r, --rule R     mean-official (default): mean of those fixings;\n"
            "                   last-official: the last of them\n"
            "  --product P      every future of product P\n"
            "  --holidays FILE  the holiday calendar (default: $GPUTICK_HOLIDAYS, else the\n"
            "                   installed cme-holidays.txt; docs/tickq.md)\n" QOPT_HELP_NO_RANGE);
}

enum rule { RULE_MEAN, RULE_LAST };

static const struct out_col cols[] = {{"symbol", -12},    {"month", 6},
                                      {"last_day", 8},    {"rule", -13},
                                      {"fixings", 7},     {"business_days", 13},
                                      {"complete", -8},   {"settlement", 10},
                                      {"last_trade", 10}, {"last_trade_time", -30},
                                      {"diff", 10}};

/* Rounds num / den (den > 0) to the nearest integer, half away from zero. */
static __int128 div_round(__int128 num, __int128 den)
{
    __int128 q = num / den, r = num % den;
    if ((r < 0 ? -r : r) * 2 >= den)
        q += num < 0 ? -1 : 1;
    return q;
}

/* Whether def can be settled: a future with a last trading day and a tick.
 * Returns 0, or 2 or 1 after printing why. */
static int settle_check(const struct gt_tick *def)
{
    char symbol[GT_SYMBOL_LEN + 1];
    cmdstore_symbol(def, symbol);
    const struct gt_def *d = &def->u.def;
    if (d->type != GT_INSTR_FUTURE || d->maturity == 0 || d->tick_px <= 0) {
        fprintf(QERR,
                "tickq settle: %s is not a future with a last trading day and a tick "
                "(want a contract, e.g. H100Z6)\n",
                symbol);
        return EXIT_USAGE;
    }
    if (d->maturity % 100 < 1 || d->maturity % 100 > 31 || d->maturity / 100 % 100 < 1 ||
        d->maturity / 100 % 100 > 12) {
        fprintf(QERR, "tickq settle: %s has a bad last trading day %u in its definition\n", symbol,
                d->maturity);
        return 1;
    }
    return 0;
}

/* The settlement row of one contract (def, settle_check()ed) into o. Returns 0, or 1 or 2
 * after printing why. */
static int settle_one(struct shards *st, const struct gt_tick *defp, enum rule rule,
                      const struct gt_calendar *cal, struct out *o)
{
    int rc = 0;
    struct gt_tick def = *defp, idx;
    char symbol[GT_SYMBOL_LEN + 1];
    cmdstore_symbol(&def, symbol);
    const struct gt_def *d = &def.u.def;
    char product[GT_PRODUCT_LEN + 1];
    cmdstore_productname(&def, product);
    if ((rc = cmdstore_product_index("settle", st, product, &idx)))
        return rc;
    uint32_t month = d->maturity / 100, first_day = month * 100 + 1;
    /* Fixings are read by exchange time a week around the month, then chosen
     * by the date they belong to. */
    int64_t from = gt_ns_of_ymd(first_day) - 7 * GT_NS_PER_DAY;
    int64_t to = gt_ns_of_ymd(d->maturity) + 8 * GT_NS_PER_DAY;
    int64_t px[32];
    int have[32] = {0};
    struct shards_iter *it = NULL;
    int e = shards_iter_open(st, idx.instr_id, GT_KIND_FIXING, from, to, &it);
    if (e < 0 && e != GT_ENOENT) {
        fprintf(QERR, "tickq settle: %s\n", shards_errmsg(st));
        rc = 1;
        return rc;
    }
    const struct gt_tick *t;
    while (it && (e = shards_iter_next(it, &t)) > 0)
        for (int i = 0; i < e; i++) {
            const struct gt_fixing *x = &t[i].u.fixing;
            uint32_t date = x->date ? x->date : gt_ymd_of_ns(t[i].exch_ns);
            if (x->code != GT_FIX_CLOSE || x->px == INT64_MAX || date < first_day ||
                date > d->maturity)
                continue;
            px[date % 100] = x->px;
            have[date % 100] = 1;
        }
    if (it && e < 0)
        rc = cmdstore_iter_fail("settle", it, e);
    shards_iter_close(it);
    if (rc)
        return rc;
    int n = 0, business_days = 0, complete = 1, last_day = 0;
    __int128 sum = 0;
    int64_t first_days = gt_days_from_civil((int)(month / 100), month % 100, 1);
    for (uint32_t day = 1; day <= d->maturity % 100; day++) {
        int business = gt_business_day(cal, first_days + day - 1);
        business_days += business;
        if (have[day]) {
            n++;
            sum += px[day];
            last_day = (int)day;
        } else if (business) {
            complete = 0;
        }
    }
    int64_t settle = INT64_MAX;
    if (n > 0) {
        __int128 v = rule == RULE_MEAN ? div_round(sum, (__int128)n * d->tick_px)
                                       : div_round(px[last_day], d->tick_px);
        settle = (int64_t)(v * d->tick_px);
    }
    struct gt_tick last;
    int found;
    if ((rc = cmdstore_last_trade_at("settle", st, def.instr_id, INT64_MAX, &last, &found)))
        return rc;
    out_str(o, symbol);
    out_i64(o, month);
    out_i64(o, d->maturity);
    out_str(o, rule == RULE_MEAN ? "mean-official" : "last-official");
    out_i64(o, n);
    out_i64(o, business_days);
    out_bool(o, complete);
    out_px(o, settle);
    out_px(o, found ? last.u.trade.px : INT64_MAX);
    if (found)
        out_time(o, last.exch_ns);
    else
        out_null(o);
    out_px(o, found && n ? last.u.trade.px - settle : INT64_MAX);
    out_row_end(o);
    if (!complete)
        fprintf(QERR,
                "tickq settle: month %u is incomplete: %d official fixings for %d "
                "business days through %u; the value is provisional\n",
                month, n, business_days, d->maturity);
    return rc;
}

int cmd_settle(int argc, char **argv)
{
    static const struct option opts[] = {QOPT_LONGOPTS,
                                         {"rule", required_argument, 0, 'r'},
                                         {"holidays", required_argument, 0, 'H'},
                                         QOPT_PRODUCT_LONGOPT,
                                         {0, 0, 0, 0}};
    static struct gt_calendar cal;
    const char *holidays = NULL;
    struct qopt q;
    enum rule rule = RULE_MEAN;
    int c, rc;
    qopt_init(&q);
    optind = 0;
    while ((c = qopt_getopt(argc, argv, "hr:", opts, "settle")) != -1) {
        if ((rc = qopt_handle(&q, c, optarg, "settle", gt_now_ns())) == EXIT_USAGE)
            return rc;
        if (rc)
            continue;
        if (c == 'r' &&
            (strcmp(optarg, "mean-official") == 0 || strcmp(optarg, "last-official") == 0)) {
            rule = optarg[0] == 'm' ? RULE_MEAN : RULE_LAST;
        } else if (c == 'r') {
            fprintf(QERR,
                    "tickq settle: bad --rule '%s' (want mean-official or "
                    "last-official)\n",
                    optarg);
            return EXIT_USAGE;
        } else if (c == 'H') {
            holidays = optarg;
        } else if (c == 'h') {
            usage(QOUT);
            return 0;
        } else {
            return EXIT_USAGE;
        }
    }
    struct cmdstore_pick pick = {q.product, argv + optind, argc - optind};
    if (cmdstore_pick_check("settle", &pick, "tickq settle H100Z6") ||
        qopt_no_range(&q, "settle", "the settlement reads the whole contract month"))
        return EXIT_USAGE;
    /* The calendar named is required; the default one, if it cannot be read,
     * leaves weekdays, said once. */
    char err[GT_ERRLEN];
    const char *cal_path = holidays ? holidays : gt_calendar_default_path();
    const struct gt_calendar *calp = &cal;
    if (gt_calendar_load(cal_path, &cal, err) < 0) {
        if (holidays) {
            fprintf(QERR, "tickq settle: --holidays: %s\n", err);
            return EXIT_USAGE;
        }
        fprintf(QERR, "tickq settle: %s: counting weekdays as business days\n", err);
        calp = NULL;
    }
    struct shards *st;
    if ((rc = cmdstore_open("settle", q.db, &st)))
        return rc;
    static struct gt_tick defs[CMDSTORE_MAX_INSTR];
    int n = 0;
    if ((rc = cmdstore_select("settle", st, &pick, pick.product ? GT_INSTR_FUTURE : 0, defs, &n)))
        goto done;
    for (int i = 0; i < n && !rc; i++)
        rc = settle_check(&defs[i]);
    if (rc)
        goto done;
    struct out o;
    out_begin(&o, q.fmt, QOUT, cols, sizeof cols / sizeof cols[0]);
    for (int i = 0; i < n && !rc; i++)
        rc = settle_one(st, &defs[i], rule, calp, &o);
    rc = out_finish(&o, "settle", rc);
done:
    return cmdstore_close("settle", st, rc);
}
