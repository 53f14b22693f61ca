/* SPDX-License-Identifier: MIT */
/* cmd_stats.c -- tickq stats: what the store holds, per series (instrument
 * and kind): ticks, blocks, stored bytes (compressed blocks and their keys),
 * bytes per tick and time range; then a total row, and the live table-file
 * bytes on disk (after RocksDB's own compression and overheads). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "qio.h"
#include "cmd.h"
#include "out.h"
#include "cmdstore.h"
#include "qopt.h"
#include "gputick/time.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tickq stats [SYMBOL... | --product P] [OPTIONS]\n"
               "\n"
               "Per series (instrument and kind): ticks, blocks, bytes stored (blocks and\n"
               "keys), bytes per tick, first and last exchange time; then the totals (their\n"
               "time range leaves out records at time 0, such as definitions), and on QERR\n"
               "the bytes of the store's table files on disk. With several --db stores a\n"
               "series' counts are the sum over the stores (records two overlapping shards\n"
               "both hold count twice; queries read them once). With SYMBOLs or --product P,\n"
               "only their series (a product's: its futures and its index) and their total.\n"
               "\n"
               "  --product P      the series of product P's instruments\n" QOPT_HELP_NO_RANGE);
}

static const struct out_col cols[] = {{"symbol", -12}, {"kind", -6},  {"ticks", 10},
                                      {"blocks", 7},   {"bytes", 11}, {"bytes_per_tick", 14},
                                      {"first", -30},  {"last", -30}};

/* The stored bytes of series s into *b. Returns 0, or 1 after printing why
 * they are unknown: a table file RocksDB cannot read (the other series
 * still count), or a view of the store that lacks the series' blocks. */
static int series_bytes(struct shards *st, const struct gt_series_info *s, const char *name,
                        uint64_t *b)
{
    int rc = shards_series_bytes(st, s->instr_id, s->kind, b);
    if (rc >= 0 && *b == 0 && s->n_blocks > 0) {
        /* Blocks named and none found: the iterator's check of the view says why. */
        struct shards_iter *it;
        if ((rc = shards_iter_open(st, s->instr_id, s->kind, 0, 1, &it)) >= 0)
            shards_iter_close(it);
    }
    if (rc >= 0)
        return 0;
    fprintf(QERR, "tickq stats: bytes of %s %s unknown: %s\n", name, gt_kind_name(s->kind),
            shards_errmsg(st));
    return 1;
}

/* Widens [*first, *last] by the times of series s, leaving out records at
 * time 0 (definitions often carry exch_ns 0): when s starts at 0, its first
 * tick after 0 is read. Returns 0, or 1 after printing a store error. */
static int time_range(struct shards *st, const struct gt_series_info *s, int64_t *first,
                      int64_t *last)
{
    if (s->last_ns == 0)
        return 0;
    int64_t lo = s->first_ns;
    if (lo == 0) {
        struct shards_iter *it;
        const struct gt_tick *t;
        if (shards_iter_open(st, s->instr_id, s->kind, 1, INT64_MAX, &it) < 0) {
            fprintf(QERR, "tickq stats: %s\n", shards_errmsg(st));
            return 1;
        }
        int n = shards_iter_next(it, &t);
        lo = n > 0 ? t[0].exch_ns : s->last_ns;
        if (n < 0)
            cmdstore_iter_fail("stats", it, n);
        shards_iter_close(it);
        if (n < 0)
            return 1;
    }
    *first = lo < *first ? lo : *first;
    *last = s->last_ns > *last ? s->last_ns : *last;
    return 0;
}

int cmd_stats(int argc, char **argv)
{
    static const struct option opts[] = {QOPT_LONGOPTS, QOPT_PRODUCT_LONGOPT, {0, 0, 0, 0}};
    static struct gt_tick defs[CMDSTORE_MAX_INSTR];
    struct qopt q;
    int rc, n_defs = 0;
    if ((rc = qopt_parse(&q, argc, argv, opts, "stats", usage)))
        return rc < 0 ? 0 : rc;
    struct cmdstore_pick pick = {q.product, argv + optind, argc - optind};
    int some = pick.product || pick.n_symbols; /* else every series */
    if ((some && cmdstore_pick_check("stats", &pick, "tickq stats --product H100")) ||
        qopt_no_range(&q, "stats",
                      "stats cover the whole store; 'tickq symbols --from/--to' counts the "
                      "ticks of a range"))
        return EXIT_USAGE;
    struct shards *st;
    if ((rc = cmdstore_open("stats", q.db, &st)))
        return rc;
    st->on_horizon = NULL; /* its probes of a series' start are no query of a range */
    int n = shards_series_list(st, NULL, 0);
    struct gt_series_info *ser = n >= 0 ? calloc((size_t)n + 1, sizeof *ser) : NULL;
    if (!ser) {
        fprintf(QERR, "tickq stats: %s\n", n < 0 ? shards_errmsg(st) : "out of memory");
        rc = 1;
        goto done;
    }
    n = shards_series_list(st, ser, (size_t)n);
    if (some && (rc = cmdstore_select("stats", st, &pick, 0, defs, &n_defs)))
        goto done;
    int k = 0; /* the series of the instruments picked */
    for (int i = 0; i < n; i++) {
        int in = !some;
        for (int j = 0; j < n_defs && !in; j++)
            in = defs[j].instr_id == ser[i].instr_id;
        if (in)
            ser[k++] = ser[i];
    }
    n = k;
    struct out o;
    out_begin(&o, q.fmt, QOUT, cols, sizeof cols / sizeof cols[0]);
    uint64_t ticks = 0, blocks = 0, bytes = 0;
    int64_t first = INT64_MAX, last = INT64_MIN;
    int bytes_known = 1;
    for (int i = 0; i < n && !ferror(QOUT); i++) {
        uint64_t b = 0;
        char id[GT_SYMBOL_LEN + 1];
        if (!ser[i].symbol[0])
            snprintf(id, sizeof id, "#%d", ser[i].instr_id);
        if (series_bytes(st, &ser[i], ser[i].symbol[0] ? ser[i].symbol : id, &b)) {
            rc = 1;
            bytes_known = 0;
            b = UINT64_MAX;
        }
        out_str(&o, ser[i].symbol[0] ? ser[i].symbol : id);
        out_str(&o, gt_kind_name(ser[i].kind));
        out_i64(&o, (int64_t)ser[i].n_ticks);
        out_i64(&o, (int64_t)ser[i].n_blocks);
        out_i64(&o, b == UINT64_MAX ? INT64_MAX : (int64_t)b);
        out_f64(&o, ser[i].n_ticks && b != UINT64_MAX ? (double)b / (double)ser[i].n_ticks : NAN,
                2);
        out_time(&o, ser[i].first_ns);
        out_time(&o, ser[i].last_ns);
        out_row_end(&o);
        ticks += ser[i].n_ticks;
        blocks += ser[i].n_blocks;
        bytes += b == UINT64_MAX ? 0 : b;
        if (ser[i].n_ticks && time_range(st, &ser[i], &first, &last))
            rc = 1;
    }
    out_str(&o, "TOTAL");
    out_null(&o);
    out_i64(&o, (int64_t)ticks);
    out_i64(&o, (int64_t)blocks);
    out_i64(&o, bytes_known ? (int64_t)bytes : INT64_MAX);
    out_f64(&o, ticks && bytes_known ? (double)bytes / (double)ticks : NAN, 2);
    if (first <= last) {
        out_time(&o, first);
        out_time(&o, last);
    }
    out_row_end(&o);
    rc = out_finish(&o, "stats", rc);
    uint64_t disk = 0;
    if (shards_disk_bytes(st, &disk) == GT_OK)
        fprintf(QERR, "tickq stats: %d series; table files on disk: %llu bytes\n", n,
                (unsigned long long)disk);
    if (st->n_shared)
        fprintf(QERR,
                "tickq stats: %d series are in more than one --db store: their ticks, blocks "
                "and bytes add up every store's, so records the stores share count twice\n",
                st->n_shared);
done:
    free(ser);
    return cmdstore_close("stats", st, rc);
}
