/* SPDX-License-Identifier: MIT */
/* cmd_symbols.c -- tickq symbols: the instruments the store knows, futures
 * and indexes, from their definitions, with the time range and tick counts
 * of what is stored for each. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "out.h"
#include "qdb.h"
#include "qopt.h"
#include "gputick/time.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tickq symbols [--product P] [OPTIONS]\n"
               "\n"
               "Instruments (futures and indexes): product, symbol, type, maturity (last\n"
               "trading day), tick size, first and last tick time, and ticks stored per kind.\n"
               "\n"
               "  -p, --product P  only the instruments of product P (e.g. H100)\n" QOPT_HELP);
}

static const struct out_col cols[] = {
    {"product", -7}, {"symbol", -12}, {"type", -6},  {"maturity", 8}, {"tick", 6},
    {"first", -24},  {"last", -24},   {"trade", 8},  {"book", 8},     {"tob", 8},
    {"fixing", 6},   {"stat", 5},     {"status", 6}, {"def", 3}};

int cmd_symbols(int argc, char **argv)
{
    static const struct option opts[] = {
        QOPT_LONGOPTS, {"product", required_argument, 0, 'p'}, {0, 0, 0, 0}};
    struct qopt q;
    const char *product = NULL;
    int c, rc;
    qopt_init(&q);
    optind = 1;
    while ((c = getopt_long(argc, argv, "hp:", opts, NULL)) != -1) {
        if ((rc = qopt_handle(&q, c, optarg, "symbols", gt_now_ns())) == EXIT_USAGE)
            return rc;
        if (rc)
            continue;
        if (c == 'p') {
            product = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "tickq symbols: try 'tickq symbols --help'\n");
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "tickq symbols: unexpected '%s' (want no argument)\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (product && qdb_name_check("symbols", "product", product, GT_PRODUCT_LEN))
        return EXIT_USAGE;
    struct qstore *st;
    if ((rc = qdb_open("symbols", q.db, &st)))
        return rc;
    struct gt_tick *defs = malloc(QDB_MAX_INSTR * sizeof *defs);
    struct gt_series_info *ser = NULL;
    int n = 0, n_ser = qstore_series_list(st, NULL, 0);
    if (n_ser >= 0)
        ser = calloc((size_t)n_ser + 1, sizeof *ser);
    if (!defs || !ser || n_ser < 0) {
        fprintf(stderr, "tickq symbols: %s\n", n_ser < 0 ? qstore_errmsg(st) : "out of memory");
        rc = 1;
        goto done;
    }
    n_ser = qstore_series_list(st, ser, (size_t)n_ser);
    if (product) {
        if ((rc = qdb_product("symbols", st, product, 0, defs, &n)))
            goto done;
    } else if ((n = qstore_instr_list(st, defs, QDB_MAX_INSTR)) < 0) {
        fprintf(stderr, "tickq symbols: %s\n", qstore_errmsg(st));
        rc = 1;
        goto done;
    }
    if (n > QDB_MAX_INSTR)
        n = QDB_MAX_INSTR;
    struct out o;
    out_begin(&o, q.fmt, stdout, cols, sizeof cols / sizeof cols[0]);
    for (int i = 0; i < n; i++) {
        const struct gt_def *d = &defs[i].u.def;
        char sym[GT_SYMBOL_LEN + 1], prod[GT_PRODUCT_LEN + 1];
        qdb_symbol(&defs[i], sym);
        qdb_productname(&defs[i], prod);
        uint64_t count[GT_KIND_MAX + 1] = {0};
        int64_t first = INT64_MAX, last = INT64_MIN;
        for (int k = 0; k < n_ser; k++) {
            if (ser[k].instr_id != defs[i].instr_id || ser[k].kind > GT_KIND_MAX)
                continue;
            count[ser[k].kind] += ser[k].n_ticks;
            if (ser[k].kind != GT_KIND_DEF && ser[k].n_ticks) {
                first = ser[k].first_ns < first ? ser[k].first_ns : first;
                last = ser[k].last_ns > last ? ser[k].last_ns : last;
            }
        }
        out_str(&o, prod);
        out_str(&o, sym);
        out_str(&o, d->type == GT_INSTR_INDEX ? "index" : "future");
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
        out_row_end(&o);
    }
    if (out_end(&o)) {
        fprintf(stderr, "tickq symbols: writing the output failed\n");
        rc = 1;
    }
done:
    free(defs);
    free(ser);
    qstore_close(st);
    return rc;
}
