/* SPDX-License-Identifier: MIT */
/* cmd_chart.c -- tickq chart: SVG charts written directly, no dependency.
 *
 *   chart bars SYMBOL --interval I --out FILE.svg   candlesticks (green when
 *       the close is at or above the open) over volume bars, time on x;
 *   chart curve PRODUCT --at T --out FILE.svg       each listed contract's
 *       price (mid, else last trade) by maturity, the index level as a
 *       dashed horizontal line.
 * The data come from bars.c and curve.c, as for the bars and curve commands;
 * svg.c draws. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qio.h"
#include "bars.h"
#include "cmd.h"
#include "curve.h"
#include "cmdstore.h"
#include "svg.h"
#include "gputick/tickfmt.h"
#include "gputick/time.h"

enum { CHART_MAX_BARS = 5000 };

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tickq chart bars SYMBOL --interval I --out FILE.svg [OPTIONS]\n"
            "       tickq chart curve PRODUCT --at T --out FILE.svg [OPTIONS]\n"
            "\n"
            "Writes an SVG chart a browser opens: bars as candlesticks with volume bars\n"
            "below (at most %d bars: narrow --from/--to or widen --interval), or the\n"
            "forward curve (mid, else last trade, by maturity) with the index level.\n"
            "\n"
            "  -i, --interval I  bar width (chart bars)\n"
            "  --at T           the time of the curve (chart curve; default now)\n"
            "  --out FILE       the SVG file to write\n" QOPT_HELP_DB QOPT_HELP_RANGE
            "                   (chart bars only: the curve is as of --at)\n" QOPT_HELP_HELP,
            CHART_MAX_BARS);
}

static double px_d(int64_t px)
{
    return (double)px / 1e9;
}

struct bar_buf {
    struct bar *b;
    int n, over;
};

static int bar_keep(const struct bar *b, void *ctx)
{
    struct bar_buf *bb = ctx;
    if (bb->n == CHART_MAX_BARS) {
        bb->over = 1;
        return 1;
    }
    bb->b[bb->n++] = *b;
    return 0;
}

/* A time label: HH:MM within a day, else the date. */
static void time_label(int64_t ns, int64_t span, char out[GT_TIME_STRLEN])
{
    char t[GT_TIME_STRLEN];
    gt_time_format(ns, t);
    if (span <= GT_NS_PER_DAY)
        snprintf(out, GT_TIME_STRLEN, "%.5s", t + 11);
    else
        snprintf(out, GT_TIME_STRLEN, "%.10s", t);
}

static int draw_bars(const char *path, const char *symbol, const struct bar_buf *bb, int64_t w)
{
    struct svg s;
    char title[128], dur[GT_TIME_STRLEN], lab[GT_TIME_STRLEN];
    gt_duration_format(w, dur);
    snprintf(title, sizeof title, "%s, %s bars (UTC)", symbol, dur);
    if (svg_open(&s, path, 960, 560, title))
        return -1;
    double lo = INFINITY, hi = -INFINITY, vmax = 0;
    for (int i = 0; i < bb->n; i++) {
        if (bb->b[i].n_trades) {
            lo = fmin(lo, px_d(bb->b[i].low));
            hi = fmax(hi, px_d(bb->b[i].high));
        }
        vmax = fmax(vmax, (double)bb->b[i].volume);
    }
    if (lo > hi)
        lo = hi = 0;
    double pad = (hi - lo) * 0.05, t0 = (double)bb->b[0].start_ns;
    double t1 = (double)bb->b[bb->n - 1].start_ns + (double)w;
    double cw = fmax(1, 0.7 * 860 / bb->n);
    /* Prices above, volume below, on one time axis. */
    svg_area(&s, 80, 40, 940, 380, t0, t1, lo - pad, hi + pad);
    svg_yaxis(&s, 6, 3, "price ($/GPU-hour)");
    for (int i = 0; i < bb->n; i++) {
        const struct bar *b = &bb->b[i];
        if (!b->n_trades)
            continue;
        double x = svg_x(&s, (double)b->start_ns + (double)w / 2);
        const char *col = b->close >= b->open ? "#2a9d4b" : "#d1453b";
        svg_line(&s, x, svg_y(&s, px_d(b->high)), x, svg_y(&s, px_d(b->low)), col, 1, 0);
        double yo = svg_y(&s, px_d(b->open)), yc = svg_y(&s, px_d(b->close));
        svg_rect(&s, x - cw / 2, fmin(yo, yc), cw, fabs(yo - yc), col);
    }
    struct svg v = s;
    svg_area(&v, 80, 400, 940, 490, t0, t1, 0, vmax > 0 ? vmax : 1);
    svg_yaxis(&v, 3, 0, "volume");
    for (int i = 0; i < bb->n; i++) {
        double x = svg_x(&v, (double)bb->b[i].start_ns + (double)w / 2);
        double y = svg_y(&v, (double)bb->b[i].volume);
        svg_rect(&v, x - cw / 2, y, cw, svg_y(&v, 0) - y, "#5b7bb5");
    }
    int64_t span = (int64_t)(t1 - t0);
    for (int k = 0; k <= 6; k++) {
        int64_t ns = (int64_t)(t0 + (t1 - t0) * k / 6);
        time_label(ns, span, lab);
        svg_xlabel(&v, (double)ns, lab);
    }
    time_label((int64_t)t0, 2 * GT_NS_PER_DAY, lab);
    char cap[96];
    snprintf(cap, sizeof cap, "time (UTC) from %s", lab);
    svg_xcaption(&v, cap);
    return svg_close(&v);
}

static int chart_bars(int argc, char **argv)
{
    struct bars_args a;
    int rc = bars_args_parse(&a, "chart bars", argc, argv, 1, usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct shards *st;
    struct gt_tick def;
    struct bar_buf bb = {malloc(CHART_MAX_BARS * sizeof(struct bar)), 0, 0};
    if (!bb.b || (rc = cmdstore_open("chart bars", a.q.db, &st))) {
        free(bb.b);
        return bb.b ? rc : 1;
    }
    if ((rc = cmdstore_instr("chart bars", st, a.symbol, &def)))
        goto done;
    struct shards_iter *it = NULL;
    int e =
        bars_run(st, def.instr_id, a.q.from_ns, a.q.to_ns, a.interval_ns, 0, bar_keep, &bb, &it);
    if (e < 0)
        rc = it ? cmdstore_iter_fail("chart bars", it, e) : 1;
    if (e < 0 && !it)
        fprintf(QERR, "tickq chart bars: %s\n", shards_errmsg(st));
    shards_iter_close(it);
    if (rc)
        goto done;
    if (bb.over) {
        fprintf(QERR,
                "tickq chart bars: more than %d bars (want a wider --interval or a "
                "narrower --from/--to)\n",
                CHART_MAX_BARS);
        rc = EXIT_USAGE;
    } else if (bb.n == 0) {
        fprintf(QERR, "tickq chart bars: %s has no trades in the range (nothing to draw)\n",
                a.symbol);
        rc = 1;
    } else if (draw_bars(a.out_file, a.symbol, &bb, a.interval_ns)) {
        fprintf(QERR, "tickq chart bars: cannot write %s\n", a.out_file);
        rc = 1;
    }
done:
    free(bb.b);
    return cmdstore_close("chart bars", st, rc);
}

static int draw_curve(const char *path, const char *product, int64_t at, const struct curve *c)
{
    struct svg s;
    char title[128], t[GT_TIME_STRLEN];
    gt_time_format(at, t);
    snprintf(title, sizeof title, "%s forward curve at %s", product, t);
    if (svg_open(&s, path, 960, 520, title))
        return -1;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < c->n; i++)
        if (c->rows[i].price != INT64_MAX) {
            lo = fmin(lo, px_d(c->rows[i].price));
            hi = fmax(hi, px_d(c->rows[i].price));
        }
    if (c->index_px != INT64_MAX) {
        lo = fmin(lo, px_d(c->index_px));
        hi = fmax(hi, px_d(c->index_px));
    }
    if (lo > hi)
        lo = hi = 0;
    double pad = (hi - lo) * 0.1;
    svg_area(&s, 80, 50, 920, 430, -0.5, c->n - 0.5, lo - pad, hi + pad);
    svg_yaxis(&s, 6, 3, "price ($/GPU-hour)");
    if (c->index_px != INT64_MAX) {
        char lab[96], v[GT_PX_STRLEN];
        double y = svg_y(&s, px_d(c->index_px));
        gt_px_format(c->index_px, v);
        svg_line(&s, s.px0, y, s.px1, y, "#d1453b", 1.5, 1);
        snprintf(lab, sizeof lab, "index %s = %s", c->index_symbol, v);
        svg_text(&s, s.px1 - 4, y - 6, "end", 12, lab);
    }
    double px_prev = NAN, py_prev = NAN;
    for (int i = 0; i < c->n; i++) {
        const struct curve_row *r = &c->rows[i];
        svg_xlabel(&s, i, r->symbol);
        if (r->price == INT64_MAX)
            continue;
        double x = svg_x(&s, i), y = svg_y(&s, px_d(r->price));
        if (!isnan(px_prev))
            svg_line(&s, px_prev, py_prev, x, y, "#2b5fa8", 2, 0);
        svg_circle(&s, x, y, 4, "#2b5fa8");
        px_prev = x, py_prev = y;
    }
    svg_xcaption(&s, "contract, by last trading day (price: mid, else last trade)");
    return svg_close(&s);
}

static int chart_curve(int argc, char **argv)
{
    struct qopt q;
    const char *product, *out_file = NULL;
    int64_t at;
    int rc = curve_args_parse("chart curve", argc, argv, &q, &product, &at, &out_file, usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct shards *st;
    struct curve *c = NULL;
    if ((rc = cmdstore_open("chart curve", q.db, &st)))
        return rc;
    if ((rc = curve_build("chart curve", st, product, at, &c)))
        goto done;
    if (c->n == 0) {
        fprintf(QERR, "tickq chart curve: %s lists no contract at T (nothing to draw)\n", product);
        rc = 1;
    } else if (draw_curve(out_file, product, at, c)) {
        fprintf(QERR, "tickq chart curve: cannot write %s\n", out_file);
        rc = 1;
    }
done:
    free(c);
    return cmdstore_close("chart curve", st, rc);
}

int cmd_chart(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(QERR, "tickq chart: no chart named (want 'chart bars' or 'chart curve')\n");
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(QOUT);
        return 0;
    }
    if (strcmp(argv[1], "bars") == 0)
        return chart_bars(argc - 1, argv + 1);
    if (strcmp(argv[1], "curve") == 0)
        return chart_curve(argc - 1, argv + 1);
    fprintf(QERR, "tickq chart: unknown chart '%s' (want bars or curve)\n", argv[1]);
    return EXIT_USAGE;
}
