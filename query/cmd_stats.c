/* SPDX-License-Identifier: MIT */
/* cmd_stats.c -- tickq stats: what the store holds, per series (instrument
 * and kind): ticks, blocks, stored bytes (compressed blocks and their keys),
 * bytes per tick and time range; then a total row, and the live table-file
 * bytes on disk (after RocksDB's own compression and overheads). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "cmd.h"
#include "out.h"
#include "qdb.h"
#include "qopt.h"
#include "gputick/time.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tickq stats [OPTIONS]\n"
               "\n"
               "Per series (instrument and kind): ticks, blocks, bytes stored (blocks and\n"
               "keys), bytes per tick, first and last exchange time; then the totals, and on\n"
               "stderr the bytes of the store's table files on disk.\n"
               "\n" QOPT_HELP);
}

static const struct out_col cols[] = {{"symbol", -12}, {"kind", -6},  {"ticks", 10},
                                      {"blocks", 7},   {"bytes", 11}, {"bytes_per_tick", 14},
                                      {"first", -30},  {"last", -30}};

int cmd_stats(int argc, char **argv)
{
    static const struct option opts[] = {QOPT_LONGOPTS, {0, 0, 0, 0}};
    struct qopt q;
    int c, rc;
    qopt_init(&q);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if ((rc = qopt_handle(&q, c, optarg, "stats", gt_now_ns())) == EXIT_USAGE)
            return rc;
        if (rc)
            continue;
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        fprintf(stderr, "tickq stats: try 'tickq stats --help'\n");
        return EXIT_USAGE;
    }
    if (optind != argc) {
        fprintf(stderr, "tickq stats: unexpected '%s' (want no argument)\n", argv[optind]);
        return EXIT_USAGE;
    }
    struct qstore *st;
    if ((rc = qdb_open("stats", q.db, &st)))
        return rc;
    int n = qstore_series_list(st, NULL, 0);
    struct gt_series_info *ser = n >= 0 ? calloc((size_t)n + 1, sizeof *ser) : NULL;
    if (!ser) {
        fprintf(stderr, "tickq stats: %s\n", n < 0 ? qstore_errmsg(st) : "out of memory");
        rc = 1;
        goto done;
    }
    n = qstore_series_list(st, ser, (size_t)n);
    struct out o;
    out_begin(&o, q.fmt, stdout, cols, sizeof cols / sizeof cols[0]);
    uint64_t ticks = 0, blocks = 0, bytes = 0;
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (int i = 0; i < n; i++) {
        uint64_t b = 0;
        if (qstore_series_bytes(st, ser[i].instr_id, ser[i].kind, &b) < 0) {
            fprintf(stderr, "tickq stats: %s\n", qstore_errmsg(st));
            rc = 1;
            break;
        }
        char id[GT_SYMBOL_LEN + 1];
        if (!ser[i].symbol[0])
            snprintf(id, sizeof id, "#%d", ser[i].instr_id);
        out_str(&o, ser[i].symbol[0] ? ser[i].symbol : id);
        out_str(&o, gt_kind_name(ser[i].kind));
        out_i64(&o, (int64_t)ser[i].n_ticks);
        out_i64(&o, (int64_t)ser[i].n_blocks);
        out_i64(&o, (int64_t)b);
        out_f64(&o, ser[i].n_ticks ? (double)b / (double)ser[i].n_ticks : NAN, 2);
        out_time(&o, ser[i].first_ns);
        out_time(&o, ser[i].last_ns);
        out_row_end(&o);
        ticks += ser[i].n_ticks;
        blocks += ser[i].n_blocks;
        bytes += b;
        if (ser[i].n_ticks) {
            first = ser[i].first_ns < first ? ser[i].first_ns : first;
            last = ser[i].last_ns > last ? ser[i].last_ns : last;
        }
    }
    out_str(&o, "TOTAL");
    out_null(&o);
    out_i64(&o, (int64_t)ticks);
    out_i64(&o, (int64_t)blocks);
    out_i64(&o, (int64_t)bytes);
    out_f64(&o, ticks ? (double)bytes / (double)ticks : NAN, 2);
    if (first <= last) {
        out_time(&o, first);
        out_time(&o, last);
    }
    out_row_end(&o);
    if (out_end(&o) && !rc) {
        fprintf(stderr, "tickq stats: writing the output failed\n");
        rc = 1;
    }
    uint64_t disk = 0;
    if (qstore_disk_bytes(st, &disk) == GT_OK)
        fprintf(stderr, "tickq stats: %d series; table files on disk: %llu bytes\n", n,
                (unsigned long long)disk);
done:
    free(ser);
    qstore_close(st);
    return rc;
}
