/* SPDX-License-Identifier: MIT */
/* cmd_curve.c -- tickq curve: the forward curve of a product at T, with the
 * index and each contract's basis to it (curve.c builds it); with --spreads
 * the product's calendar spreads beside their legs (spreads.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "qio.h"
#include "cmd.h"
#include "curve.h"
#include <string.h>
#include "spreads.h"
#include "out.h"
#include "cmdstore.h"
#include "qopt.h"
#include "gputick/time.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tickq curve PRODUCT --at T [OPTIONS]\n"
               "\n"
               "Every contract of PRODUCT (e.g. H100) listed at T, in maturity order: bid, ask\n"
               "and mid (the last top of book at or before T), the last trade, days to the last\n"
               "trading day, the index (its last value at or before T) and the basis, future -\n"
               "index, in $ and %%. The future's price is the mid, or the last trade when a\n"
               "side is empty.\n"
               "\n"
               "With --spreads, the product's calendar spreads instead, each beside its legs:\n"
               "the spread's bid, ask, mid and last, the price of the leg bought and of the\n"
               "leg sold (as on the curve), legs_diff = bought - sold, which is what the legs\n"
               "say the spread is worth, and off = the spread's price (mid, else last) -\n"
               "legs_diff: 0 when the two agree.\n"
               "\n"
               "  --at T           the time (default: now)\n"
               "  --spreads        the spreads beside their legs\n" QOPT_HELP_NO_RANGE);
}

static const struct out_col cols[] = {{"symbol", -12}, {"maturity", 8}, {"days", 5},  {"bid", 10},
                                      {"ask", 10},     {"mid", 10},     {"last", 10}, {"index", 10},
                                      {"basis", 10},   {"basis_pct", 9}};

int curve_args_parse(const char *cmd, int argc, char **argv, struct qopt *q, const char **product,
                     int64_t *at_ns, const char **out_file, void (*help)(FILE *))
{
    static const struct option opts[] = {QOPT_LONGOPTS,
                                         {"at", required_argument, 0, 'a'},
                                         {"out", required_argument, 0, 'o'},
                                         {0, 0, 0, 0}};
    int64_t now = gt_now_ns();
    char err[GT_ERRLEN];
    int c, rc;
    qopt_init(q);
    *at_ns = now;
    optind = 0;
    while ((c = qopt_getopt(argc, argv, "h", opts, cmd)) != -1) {
        if ((rc = qopt_handle(q, c, optarg, cmd, now)) == EXIT_USAGE)
            return rc;
        if (rc)
            continue;
        if (c == 'a' && gt_time_parse(optarg, now, at_ns, err) < 0) {
            fprintf(QERR, "tickq %s: --at: %s\n", cmd, err);
            return EXIT_USAGE;
        } else if (c == 'o' && out_file) {
            *out_file = optarg;
        } else if (c == 'o') {
            fprintf(QERR, "tickq %s: --out is for 'tickq chart curve' (want no --out)\n", cmd);
            return EXIT_USAGE;
        } else if (c == 'h') {
            help(QOUT);
            return -1;
        } else if (c != 'a') {
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(QERR, "tickq %s: want one PRODUCT, got %d (e.g. H100)\n", cmd, argc - optind);
        return EXIT_USAGE;
    }
    *product = argv[optind];
    if (qopt_no_range(q, cmd, "the curve is as of one time: --at T"))
        return EXIT_USAGE;
    if (out_file && !*out_file) {
        fprintf(QERR, "tickq %s: no --out (want e.g. --out curve.svg)\n", cmd);
        return EXIT_USAGE;
    }
    if (out_file && q->fmt != OUT_AUTO) {
        fprintf(QERR, "tickq %s: --format does not apply (the chart is the SVG file of --out)\n",
                cmd);
        return EXIT_USAGE;
    }
    return cmdstore_name_check(cmd, "product", *product, GT_PRODUCT_LEN);
}

static const struct out_col spread_cols[] = {
    {"symbol", -12}, {"buy", -12},   {"sell", -12},   {"bid", 10},       {"ask", 10}, {"mid", 10},
    {"last", 10},    {"buy_px", 10}, {"sell_px", 10}, {"legs_diff", 10}, {"off", 10}};

/* Takes curve's own flag --spreads out of argv (chart curve, which shares
 * the parser, has no table for it); returns whether it was there. */
static bool take_spreads(int *argc, char **argv)
{
    int k = 1;
    bool found = false, rest = false;
    for (int i = 1; i < *argc; i++) {
        rest |= strcmp(argv[i], "--") == 0;
        if (!rest && strcmp(argv[i], "--spreads") == 0)
            found = true;
        else
            argv[k++] = argv[i];
    }
    *argc = k;
    return found;
}

static int print_spreads(struct shards *st, const char *product, int64_t at, const struct curve *c,
                         enum out_format fmt)
{
    struct spread_row *rows;
    int n, rc = spreads_build("curve", st, product, at, c, &rows, &n);
    if (rc)
        return rc;
    struct out o;
    out_begin(&o, fmt, QOUT, spread_cols, sizeof spread_cols / sizeof spread_cols[0]);
    for (int i = 0; i < n; i++) {
        const struct spread_row *r = &rows[i];
        out_str(&o, r->symbol);
        out_str(&o, r->leg[0]);
        out_str(&o, r->leg[1]);
        out_px(&o, r->bid);
        out_px(&o, r->ask);
        out_px(&o, r->mid);
        out_px(&o, r->last);
        out_px(&o, r->leg_px[0]);
        out_px(&o, r->leg_px[1]);
        out_px(&o, r->legs_diff);
        out_px(&o, r->off);
        out_row_end(&o);
    }
    rc = out_finish(&o, "curve", rc);
    if (n == 0)
        fprintf(QERR, "tickq curve: %s lists no spread at T\n", product);
    free(rows);
    return rc;
}

int cmd_curve(int argc, char **argv)
{
    struct qopt q;
    const char *product;
    int64_t at;
    bool spreads = take_spreads(&argc, argv);
    int rc = curve_args_parse("curve", argc, argv, &q, &product, &at, NULL, usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct shards *st;
    struct curve *c;
    if ((rc = cmdstore_open("curve", q.db, &st)))
        return rc;
    if ((rc = curve_build("curve", st, product, at, &c)))
        goto done;
    if (spreads) {
        rc = print_spreads(st, product, at, c, q.fmt);
        free(c);
        goto done;
    }
    struct out o;
    out_begin(&o, q.fmt, QOUT, cols, sizeof cols / sizeof cols[0]);
    for (int i = 0; i < c->n; i++) {
        const struct curve_row *r = &c->rows[i];
        out_str(&o, r->symbol);
        out_i64(&o, r->maturity);
        out_i64(&o, r->days);
        out_px(&o, r->bid);
        out_px(&o, r->ask);
        out_px(&o, r->mid);
        out_px(&o, r->last);
        out_px(&o, c->index_px);
        out_px(&o, r->basis);
        out_f64(&o, r->basis_pct, 4);
        out_row_end(&o);
    }
    rc = out_finish(&o, "curve", rc);
    if (c->n == 0)
        fprintf(QERR, "tickq curve: %s lists no contract at T\n", product);
    if (c->index_px == INT64_MAX)
        fprintf(QERR, "tickq curve: no index value of %s at or before T\n", product);
    free(c);
done:
    return cmdstore_close("curve", st, rc);
}
