/* SPDX-License-Identifier: MIT */
/* cmd_symbols.c -- tickq symbols: the instruments the store knows, futures,
 * spreads (with their legs) and indexes, from their definitions, with the
 * time range and tick counts of what is stored for each. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qio.h"
#include "cmd.h"
#include "out.h"
#include "cmdstore.h"
#include "qopt.h"
#include "spreads.h"
#include "gputick/time.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tickq symbols [--product P] [OPTIONS]\n"
               "\n"
               "Instruments (futures, spreads and indexes): product, symbol, type, maturity\n"
               "(last trading day; a spread's is its bought leg's), tick size, first and last\n"
               "tick time, ticks stored per kind, and a spread's legs: +BOUGHT -SOLD.\n"
               "With --from/--to, first, last and the counts are those of the ticks in\n"
               "[from, to), read from the store (a scan of that range); every instrument is\n"
               "still listed. With several --db stores the counts without a range are sums\n"
               "over the stores (records two overlapping shards both hold count twice); with\n"
               "a range each record counts once.\n"
               "\n"
               "  -p, --product P  only the instruments of product P (e.g. H100)\n" QOPT_HELP);
}

static const struct out_col cols[] = {
    {"product", -7}, {"symbol", -12}, {"type", -6}, {"maturity", 8}, {"tick", 6},   {"first", -24},
    {"last", -24},   {"trade", 8},    {"book", 8},  {"tob", 8},      {"fixing", 6}, {"stat", 5},
    {"status", 6},   {"def", 3},      {"order", 6}, {"legs", -15}};

/* Counts the ticks of (instr_id, kind) in [from, to) into *count and
 * widens [*first, *last] by them. Returns 0, or 1 after printing a store
 * error. */
static int range_count(struct shards *st, int32_t instr_id, int kind, const struct qopt *q,
                       uint64_t *count, int64_t *first, int64_t *last)
{
    struct shards_iter *it;
    int n = shards_iter_open(st, instr_id, kind, q->from_ns, q->to_ns, &it);
    if (n == GT_ENOENT)
        return 0;
    if (n < 0) {
        fprintf(QERR, "tickq symbols: %s\n", shards_errmsg(st));
        return 1;
    }
    const struct gt_tick *t;
    while ((n = shards_iter_next(it, &t)) > 0) {
        *count += (uint64_t)n;
        if (kind == GT_KIND_DEF)
            continue;
        for (int i = 0; i < n; i++) {
            *first = t[i].exch_ns < *first ? t[i].exch_ns : *first;
            *last = t[i].exch_ns > *last ? t[i].exch_ns : *last;
        }
    }
    int rc = n < 0 ? cmdstore_iter_fail("symbols", it, n) : 0;
    shards_iter_close(it);
    return rc;
}

/* A spread's legs as "+BOUGHT -SOLD" (an id where the leg is not defined),
 * "" if it has none. Returns 0 or 1 after printing a store error. */
static int legs_str(struct shards *st, const struct gt_tick *defs, int n, const struct gt_tick *d,
                    char out[2 * GT_SYMBOL_LEN + 8])
{
    int32_t legs[2];
    int err;
    if (!spreads_legs("symbols", st, d->instr_id, legs, &err) || err)
        return err;
    char sym[2][GT_SYMBOL_LEN + 1];
    for (int k = 0; k < 2; k++) {
        snprintf(sym[k], sizeof sym[k], "%d", legs[k]);
        for (int j = 0; j < n; j++)
            if (defs[j].instr_id == legs[k])
                cmdstore_symbol(&defs[j], sym[k]);
    }
    snprintf(out, 2 * GT_SYMBOL_LEN + 8, "+%s -%s", sym[0], sym[1]);
    return 0;
}

int cmd_symbols(int argc, char **argv)
{
    static const struct option opts[] = {
        QOPT_LONGOPTS, {"product", required_argument, 0, 'p'}, {0, 0, 0, 0}};
    struct qopt q;
    const char *product = NULL;
    int c, rc;
    qopt_init(&q);
    optind = 0;
    while ((c = qopt_getopt(argc, argv, "hp:", opts, "symbols")) != -1) {
        if ((rc = qopt_handle(&q, c, optarg, "symbols", gt_now_ns())) == EXIT_USAGE)
            return rc;
        if (rc)
            continue;
        if (c == 'p') {
            product = optarg;
        } else if (c == 'h') {
            usage(QOUT);
            return 0;
        } else {
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(QERR, "tickq symbols: unexpected '%s' (want no argument)\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (product && cmdstore_name_check("symbols", "product", product, GT_PRODUCT_LEN))
        return EXIT_USAGE;
    struct shards *st;
    if ((rc = cmdstore_open("symbols", q.db, &st)))
        return rc;
    struct gt_tick *defs = malloc(CMDSTORE_MAX_INSTR * sizeof *defs);
    struct gt_series_info *ser = NULL;
    int n = 0, n_ser = shards_series_list(st, NULL, 0);
    if (n_ser >= 0)
        ser = calloc((size_t)n_ser + 1, sizeof *ser);
    if (!defs || !ser || n_ser < 0) {
        fprintf(QERR, "tickq symbols: %s\n", n_ser < 0 ? shards_errmsg(st) : "out of memory");
        rc = 1;
        goto done;
    }
    n_ser = shards_series_list(st, ser, (size_t)n_ser);
    if (product) {
        if ((rc = cmdstore_product("symbols", st, product, 0, defs, &n)))
            goto done;
    } else if ((n = shards_instr_list(st, defs, CMDSTORE_MAX_INSTR)) < 0) {
        fprintf(QERR, "tickq symbols: %s\n", shards_errmsg(st));
        rc = 1;
        goto done;
    }
    if (n > CMDSTORE_MAX_INSTR)
        n = CMDSTORE_MAX_INSTR;
    struct out o;
    out_begin(&o, q.fmt, QOUT, cols, sizeof cols / sizeof cols[0]);
    for (int i = 0; i < n && !rc && !ferror(QOUT); i++) {
        const struct gt_def *d = &defs[i].u.def;
        char sym[GT_SYMBOL_LEN + 1], prod[GT_PRODUCT_LEN + 1];
        cmdstore_symbol(&defs[i], sym);
        cmdstore_productname(&defs[i], prod);
        uint64_t count[GT_KIND_MAX + 1] = {0};
        int64_t first = INT64_MAX, last = INT64_MIN;
        for (int k = 0; k < n_ser && !rc; k++) {
            if (ser[k].instr_id != defs[i].instr_id || ser[k].kind > GT_KIND_MAX)
                continue;
            if (q.has_from || q.has_to) {
                rc = range_count(st, ser[k].instr_id, ser[k].kind, &q, &count[ser[k].kind], &first,
                                 &last);
                continue;
            }
            count[ser[k].kind] += ser[k].n_ticks;
            if (ser[k].kind != GT_KIND_DEF && ser[k].n_ticks) {
                first = ser[k].first_ns < first ? ser[k].first_ns : first;
                last = ser[k].last_ns > last ? ser[k].last_ns : last;
            }
        }
        if (rc)
            break;
        out_str(&o, prod);
        out_str(&o, sym);
        out_str(&o, d->type == GT_INSTR_INDEX    ? "index"
                    : d->type == GT_INSTR_SPREAD ? "spread"
                                                 : "future");
        out_i64(&o, d->maturity ? (int64_t)d->maturity : INT64_MAX);
        out_px(&o, d->tick_px ? d->tick_px : INT64_MAX);
        if (first <= last) {
            out_time(&o, first);
            out_time(&o, last);
        } else {
            out_null(&o);
            out_null(&o);
        }
        for (int k = 1; k <= GT_KIND_MAX; k++)
            out_i64(&o, (int64_t)count[k]);
        char legs[2 * GT_SYMBOL_LEN + 8] = "";
        if (d->type == GT_INSTR_SPREAD && (rc = legs_str(st, defs, n, &defs[i], legs)))
            break;
        out_str(&o, legs);
        out_row_end(&o);
    }
    rc = out_finish(&o, "symbols", rc);
    if (st->n_shared && !q.has_from && !q.has_to)
        fprintf(QERR,
                "tickq symbols: %d series are in more than one --db store: their counts add up "
                "every store's, so records the stores share count twice (with --from/--to "
                "each counts once)\n",
                st->n_shared);
done:
    free(defs);
    free(ser);
    return cmdstore_close("symbols", st, rc);
}
