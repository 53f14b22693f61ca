/* SPDX-License-Identifier: MIT */
/* cmd_bars.c -- tickq bars: OHLC, volume, VWAP and trade count per interval
 * of one contract's trades, intervals aligned to the epoch (UTC). The work is
 * bars.c's; this file checks the input and prints. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qio.h"
#include "bars.h"
#include "bars_many.h"
#include "cmd.h"
#include "out.h"
#include "cmdstore.h"
#include "qopt.h"
#include "gputick/time.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tickq bars SYMBOL --interval I [--fill] [OPTIONS]\n"
               "       tickq bars --product P --interval I [OPTIONS]\n"
               "       tickq bars SYMBOL SYMBOL... --interval I [OPTIONS]\n"
               "\n"
               "Bars of SYMBOL's trades: start, open, high, low, close, volume, VWAP (exact,\n"
               "9 decimals at most) and trade count. Intervals are aligned to the Unix epoch,\n"
               "UTC. Busted trades are left out.\n"
               "\n"
               "  -i, --interval I  bar width: 1s, 1m, 5m, 1h, 1d or any duration up to 366d\n"
               "  --fill           also print empty intervals: OHLC and VWAP null, volume 0\n"
               "                   (at most 10000000 bars; without --from/--to, the range of\n"
               "                   the symbol's trades)\n"
               "  --product P      the bars of every future of product P in one run, in order\n"
               "                   of maturity, each row led by its symbol (with -i 1d: the\n"
               "                   day's VWAP of every contract; with an interval as long as\n"
               "                   the range, e.g. -i 366d, one VWAP per contract)\n"
               "  SYMBOL SYMBOL... several contracts as --product prints them, in the order\n"
               "                   given\n"
               "  --threads N      with --product or several symbols: contracts are read on N\n"
               "                   threads at once, each taking the next contract (default:\n"
               "                   the machine's online cores, sysconf(_SC_NPROCESSORS_ONLN),\n"
               "                   at most one per contract); the output is the same for any "
               "N\n" QOPT_HELP);
}

int bars_args_parse(struct bars_args *a, const char *cmd, int argc, char **argv, int want_out,
                    void (*help)(FILE *))
{
    static const struct option opts[] = {QOPT_LONGOPTS,
                                         {"interval", required_argument, 0, 'i'},
                                         {"fill", no_argument, 0, 'F'},
                                         {"out", required_argument, 0, 'o'},
                                         {"product", required_argument, 0, 'P'},
                                         {"threads", required_argument, 0, 'T'},
                                         {0, 0, 0, 0}};
    int64_t now = gt_now_ns();
    const char *interval = NULL;
    int c;
    memset(a, 0, sizeof *a);
    qopt_init(&a->q);
    optind = 0;
    while ((c = qopt_getopt(argc, argv, "hi:", opts, cmd)) != -1) {
        int r = qopt_handle(&a->q, c, optarg, cmd, now);
        if (r == EXIT_USAGE)
            return r;
        if (r)
            continue;
        switch (c) {
        case 'i':
            interval = optarg;
            break;
        case 'F':
            a->fill = 1;
            break;
        case 'o':
            if (!want_out) {
                fprintf(QERR, "tickq %s: --out is for 'tickq chart bars' (want no --out)\n", cmd);
                return EXIT_USAGE;
            }
            a->out_file = optarg;
            break;
        case 'P':
            if (want_out) {
                fprintf(QERR, "tickq %s: --product is for 'tickq bars' (want one SYMBOL)\n", cmd);
                return EXIT_USAGE;
            }
            a->product = optarg;
            break;
        case 'T': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (want_out || *end || end == optarg || v < 1 || v > 64) {
                fprintf(QERR, "tickq %s: bad --threads '%s' (want 1 to 64, with --product)\n", cmd,
                        optarg);
                return EXIT_USAGE;
            }
            a->threads = (int)v;
            break;
        }
        case 'h':
            help(QOUT);
            return -1;
        default:
            return EXIT_USAGE;
        }
    }
    if (a->product && optind != argc) {
        fprintf(QERR,
                "tickq %s: want --product or one SYMBOL, not both (e.g. --product H100 "
                "-i 1d)\n",
                cmd);
        return EXIT_USAGE;
    }
    if (!a->product && (optind == argc || (want_out && optind != argc - 1))) {
        fprintf(QERR, "tickq %s: want one SYMBOL, got %d (e.g. H100Z6 -i 5m)\n", cmd,
                argc - optind);
        return EXIT_USAGE;
    }
    if (!a->product && optind < argc - 1) {
        a->symbols = argv + optind;
        a->n_symbols = argc - optind;
    }
    int many = a->product || a->n_symbols;
    if (a->threads && !many) {
        fprintf(QERR, "tickq %s: --threads applies with --product or several symbols only\n", cmd);
        return EXIT_USAGE;
    }
    if (many && a->fill) {
        fprintf(QERR, "tickq %s: --fill does not apply to several contracts (want one SYMBOL)\n",
                cmd);
        return EXIT_USAGE;
    }
    a->symbol = many ? NULL : argv[optind];
    if (!interval) {
        fprintf(QERR, "tickq %s: no --interval (want e.g. --interval 5m)\n", cmd);
        return EXIT_USAGE;
    }
    char err[GT_ERRLEN];
    if (gt_duration_parse(interval, &a->interval_ns, err) < 0) {
        fprintf(QERR, "tickq %s: bad --interval: %s\n", cmd, err);
        return EXIT_USAGE;
    }
    if (a->interval_ns > BARS_MAX_INTERVAL_NS) {
        fprintf(QERR, "tickq %s: --interval %s is longer than 366d (want e.g. 1d)\n", cmd,
                interval);
        return EXIT_USAGE;
    }
    if (want_out && !a->out_file) {
        fprintf(QERR, "tickq %s: no --out (want e.g. --out bars.svg)\n", cmd);
        return EXIT_USAGE;
    }
    if (want_out && (a->fill || a->q.fmt != OUT_AUTO)) {
        fprintf(QERR, "tickq %s: %s does not apply (the chart is the SVG file of --out)\n", cmd,
                a->fill ? "--fill" : "--format");
        return EXIT_USAGE;
    }
    struct cmdstore_pick pick = {a->product, a->symbols, a->n_symbols};
    if (!a->symbol ? cmdstore_pick_check(cmd, &pick, "tickq bars --product H100 -i 1d")
                   : cmdstore_name_check(cmd, "symbol", a->symbol, GT_SYMBOL_LEN))
        return EXIT_USAGE;
    if (qopt_check(&a->q, cmd))
        return EXIT_USAGE;
    return 0;
}

/* Whether [from, to) at width w needs more than BARS_MAX_FILLED bars. */
static int fill_check(const struct bars_args *a, int64_t from, int64_t to)
{
    __int128 n = ((__int128)to - bars_align(from, a->interval_ns)) / a->interval_ns + 1;
    if (n <= BARS_MAX_FILLED)
        return 0;
    char d[GT_TIME_STRLEN];
    gt_duration_format(a->interval_ns, d);
    fprintf(QERR,
            "tickq bars: --fill would print more than %d bars of %s (want a narrower "
            "--from/--to or a wider --interval)\n",
            BARS_MAX_FILLED, d);
    return EXIT_USAGE;
}

static const struct out_col cols[] = {{"start", -24}, {"open", 10},  {"high", 10}, {"low", 10},
                                      {"close", 10},  {"volume", 9}, {"vwap", 14}, {"trades", 7}};

static const struct out_col pcols[] = {{"symbol", -12}, {"start", -24}, {"open", 10},
                                       {"high", 10},    {"low", 10},    {"close", 10},
                                       {"volume", 9},   {"vwap", 14},   {"trades", 7}};

/* With --product each row starts with the contract's symbol. */
struct bar_out {
    struct out *o;
    const char *symbol; /* NULL: no symbol column */
};

static int bar_print(const struct bar *b, void *ctx)
{
    const struct bar_out *bo = ctx;
    struct out *o = bo->o;
    if (bo->symbol)
        out_str(o, bo->symbol);
    out_time(o, b->start_ns);
    out_px(o, b->open);
    out_px(o, b->high);
    out_px(o, b->low);
    out_px(o, b->close);
    out_i64(o, b->volume);
    out_px(o, bars_vwap(b));
    out_i64(o, b->n_trades);
    out_row_end(o);
    return ferror(o->f) != 0;
}

/* bars --product: every future of the product by maturity (or the symbols
 * given, in their order), their bars built on a->threads threads
 * (bars_many.h), printed in order. */
static int product_bars(struct shards *st, const struct bars_args *a)
{
    static struct gt_tick defs[CMDSTORE_MAX_INSTR];
    static int32_t ids[CMDSTORE_MAX_INSTR];
    struct cmdstore_pick pick = {a->product, a->symbols, a->n_symbols};
    int n = 0, rc = cmdstore_select("bars", st, &pick, GT_INSTR_FUTURE, defs, &n);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++)
        ids[i] = defs[i].instr_id;
    struct bars_list *l = calloc((size_t)(n ? n : 1), sizeof *l);
    if (!l) {
        fprintf(QERR, "tickq bars: out of memory\n");
        return 1;
    }
    rc = bars_many("bars", st, a->q.db, ids, n, a->q.from_ns, a->q.to_ns, a->interval_ns,
                   a->threads ? a->threads : bars_threads_default(), l);
    struct out o;
    out_begin(&o, a->q.fmt, QOUT, pcols, sizeof pcols / sizeof pcols[0]);
    for (int i = 0; i < n && rc == 0; i++) {
        char sym[GT_SYMBOL_LEN + 1];
        cmdstore_symbol(&defs[i], sym);
        struct bar_out bo = {&o, sym};
        for (size_t k = 0; k < l[i].n && rc == 0; k++)
            rc = bar_print(&l[i].b[k], &bo);
    }
    bars_list_free(l, n);
    free(l);
    return out_finish(&o, "bars", rc);
}

int cmd_bars(int argc, char **argv)
{
    struct bars_args a = {0};
    int rc = bars_args_parse(&a, "bars", argc, argv, 0, usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (a.fill && a.q.has_from && a.q.has_to && fill_check(&a, a.q.from_ns, a.q.to_ns))
        return EXIT_USAGE;
    struct shards *st;
    struct gt_tick def;
    if ((rc = cmdstore_open("bars", a.q.db, &st)))
        return rc;
    if (!a.symbol) {
        rc = product_bars(st, &a);
        goto done;
    }
    if ((rc = cmdstore_instr("bars", st, a.symbol, &def)))
        goto done;
    if (a.fill && (!a.q.has_from || !a.q.has_to)) {
        struct gt_series_info si;
        if (shards_series_find(st, def.instr_id, GT_KIND_TRADE, &si) == GT_OK) {
            if (!a.q.has_from)
                a.q.from_ns = si.first_ns;
            if (!a.q.has_to)
                a.q.to_ns = si.last_ns + 1;
        } else if (!a.q.has_from) {
            a.fill = 0; /* no trades and no range: nothing to fill */
        }
        if (a.fill && (qopt_check(&a.q, "bars") || fill_check(&a, a.q.from_ns, a.q.to_ns))) {
            rc = EXIT_USAGE;
            goto done;
        }
    }
    struct out o;
    struct shards_iter *it = NULL;
    out_begin(&o, a.q.fmt, QOUT, cols, sizeof cols / sizeof cols[0]);
    struct bar_out bo = {&o, NULL};
    int e = bars_run(st, def.instr_id, a.q.from_ns, a.q.to_ns, a.interval_ns, a.fill, bar_print,
                     &bo, &it);
    if (e < 0)
        rc = it ? cmdstore_iter_fail("bars", it, e) : 1;
    if (e < 0 && !it)
        fprintf(QERR, "tickq bars: %s\n", shards_errmsg(st));
    shards_iter_close(it);
    rc = out_finish(&o, "bars", rc);
done:
    return cmdstore_close("bars", st, rc);
}
