/* SPDX-License-Identifier: MIT */
/* bench_clickhouse.c -- the tick store and tickq beside ClickHouse, on the
 * same 10 M ticks in the same run.
 *
 * The day (daysim.c): 4 products x 12 monthly contracts, Poisson events 20 ms
 * apart on average from 01:00 UTC for about 21 hours, the nearer contracts
 * busier; each event maybe a trade, one or two level changes and a top of
 * book. gputick: gt_store_append + gt_store_commit every 65 536 ticks into a
 * fresh store, gt_store_compact, table file bytes; a full scan of every series
 * summing every field. ClickHouse (Debian's clickhouse-server, started on
 * loopback by tools/bench/clickhouse.sh and stopped at the end): a MergeTree
 * ORDER BY (series, ts) with its default LZ4, one typed column per tick field
 * (the union of the kinds' payloads; the definitions' symbol strings are left
 * out), loaded in bulk from a RowBinary file with clickhouse-client (wall
 * time of that client, file already written), OPTIMIZE TABLE FINAL, then
 * bytes_on_disk of the active parts from system.parts; the scan is a sum of
 * every column.
 *
 * tickq rows: 1-minute bars (OHLCV, VWAP, count) of the front contract's day
 * through cmd_bars exactly as a user runs it (store opened and closed,
 * output to /dev/null), and a full-day VWAP of every contract through
 * bars_run (tickq bars' code path, 1d bars) on one opened store, beside the
 * same queries in ClickHouse. ClickHouse's times are the elapsed time
 * clickhouse-client --time reports per query (connection and process start
 * not included); ours include opening the store. Each query: best of REPS. */
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "bars.h"
#include "qstore.h"
#include "bench.h"
#include "cmd.h"
#include "daysim.h"
#include "gputick/bytes.h"
#include "gputick/store.h"
#include "gputick/time.h"

enum {
    N_TICKS = 10 * 1000 * 1000,
    N_PRODUCTS = 4,
    N_CONTRACTS = 12,
    COMMIT_EVERY = 1 << 16,
    REPS = 3,
    ROW_LEN = 82, /* one RowBinary row of the table below: its last field ends at 82 */
};
#define START_NS INT64_C(1795482000000000000) /* 2026-11-24T01:00:00Z */

static const char table_sql[] =
    "CREATE TABLE ticks (series UInt32, ts Int64, recv_ns Int64, seq UInt64, kind UInt8, "
    "flags UInt16, instr Int32, px Int64, qty Int64, px2 Int64, qty2 Int64, n_orders Int32, "
    "n_orders2 Int32, level UInt8, side UInt8, action UInt8, ref UInt32) "
    "ENGINE = MergeTree() ORDER BY (series, ts)";

static const char scan_sql[] =
    "SELECT sum(series), sum(ts), sum(recv_ns), sum(seq), sum(kind), sum(flags), sum(instr), "
    "sum(px), sum(qty), sum(px2), sum(qty2), sum(n_orders), sum(n_orders2), sum(level), "
    "sum(side), sum(action), sum(ref) FROM ticks FORMAT Null";

static char script[4096]; /* tools/bench/clickhouse.sh */
static char chdir_[128];  /* the server's folder */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

/* Runs a shell command built from fmt; returns its exit status (-1 if none). */
static int sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return rc == -1 || !WIFEXITED(rc) ? -1 : WEXITSTATUS(rc);
}

/* Runs sql through clickhouse-client --time: *secs is the elapsed time it
 * reports, out (if not NULL) the result, up to cap - 1 bytes. */
static int ch_query(const char *sql, double *secs, char *out, size_t cap)
{
    char res[192], tim[192];
    snprintf(res, sizeof res, "%s.out", chdir_);
    snprintf(tim, sizeof tim, "%s.time", chdir_);
    if (sh("bash '%s' client '%s' --time -q \"%s\" >'%s' 2>'%s'", script, chdir_, sql, res, tim) !=
        0) {
        fprintf(stderr, "bench_clickhouse: query failed: %s\n", sql);
        sh("cat '%s' >&2", tim);
        return GT_EIO;
    }
    FILE *f = fopen(tim, "r");
    double t = -1;
    char line[256];
    while (f && fgets(line, sizeof line, f))
        sscanf(line, "%lf", &t);
    if (f)
        fclose(f);
    if (secs)
        *secs = t;
    if (out && (f = fopen(res, "r"))) {
        out[fread(out, 1, cap - 1, f)] = 0;
        fclose(f);
    }
    return t < 0 ? GT_EIO : GT_OK;
}

static double ch_best(const char *sql)
{
    double best = -1;
    for (int r = 0; r < REPS; r++) {
        double t;
        if (ch_query(sql, &t, NULL, 0) < 0)
            return -1;
        best = best < 0 || t < best ? t : best;
    }
    return best;
}

/* One row of the table: the tick's fields in its columns, little-endian. */
static void row_write(const struct gt_tick *t, uint8_t *p)
{
    int64_t px = 0, qty = 0, px2 = 0, qty2 = 0;
    int32_t n1 = 0, n2 = 0;
    uint8_t level = 0, side = 0, action = 0;
    uint32_t ref = 0;
    switch (t->kind) {
    case GT_KIND_TRADE:
        px = t->u.trade.px, qty = t->u.trade.qty, n1 = t->u.trade.n_orders;
        side = t->u.trade.aggressor, action = t->u.trade.action, ref = t->u.trade.trade_id;
        break;
    case GT_KIND_LEVEL:
        px = t->u.level.px, qty = t->u.level.qty, n1 = t->u.level.n_orders;
        level = t->u.level.level, side = t->u.level.side, action = t->u.level.action;
        ref = t->u.level.rpt_seq;
        break;
    case GT_KIND_TOB:
        px = t->u.tob.bid_px, px2 = t->u.tob.ask_px, qty = t->u.tob.bid_qty;
        qty2 = t->u.tob.ask_qty, n1 = t->u.tob.bid_orders, n2 = t->u.tob.ask_orders;
        break;
    case GT_KIND_DEF:
        px = t->u.def.tick_px, ref = t->u.def.maturity, level = t->u.def.depth;
        side = t->u.def.type;
        break;
    }
    st_le32(p, (uint32_t)daysim_series(t));
    st_le64(p + 4, (uint64_t)t->exch_ns);
    st_le64(p + 12, (uint64_t)t->recv_ns);
    st_le64(p + 20, t->seq);
    p[28] = t->kind;
    st_le16(p + 29, t->flags);
    st_le32(p + 31, (uint32_t)t->instr_id);
    st_le64(p + 35, (uint64_t)px);
    st_le64(p + 43, (uint64_t)qty);
    st_le64(p + 51, (uint64_t)px2);
    st_le64(p + 59, (uint64_t)qty2);
    st_le32(p + 67, (uint32_t)n1);
    st_le32(p + 71, (uint32_t)n2);
    p[75] = level, p[76] = side, p[77] = action;
    st_le32(p + 78, ref);
}

static int rowbinary_write(const struct daysim *d, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return GT_EIO;
    static uint8_t buf[ROW_LEN * 4096];
    size_t k = 0;
    int rc = GT_OK;
    for (size_t i = 0; i < d->n_ticks && rc == GT_OK; i++) {
        row_write(&d->stream[i], buf + k * ROW_LEN);
        if (++k == 4096 || i + 1 == d->n_ticks) {
            if (fwrite(buf, ROW_LEN, k, f) != k)
                rc = GT_EIO;
            k = 0;
        }
    }
    if (fclose(f) != 0)
        rc = GT_EIO;
    return rc;
}

struct ours {
    double ingest_s, scan_s;
    uint64_t disk, scanned;
};

/* Every tick of every series, every field summed (as the ClickHouse scan). */
static int ours_scan(const char *db, int n_series, struct ours *r)
{
    gt_store *st;
    char err[GT_ERRLEN];
    int rc = gt_store_open(db, GT_STORE_READER, &st, err);
    if (rc < 0) {
        fprintf(stderr, "bench_clickhouse: %s\n", err);
        return rc;
    }
    struct gt_series_info *info = malloc((size_t)n_series * sizeof *info);
    int ns = info ? gt_store_series_list(st, info, (size_t)n_series) : GT_ENOMEM;
    if (ns > n_series)
        ns = n_series;
    uint64_t acc = 0, n_read = 0;
    double t0 = bench_now();
    for (int s = 0; s < ns && rc >= 0; s++) {
        gt_store_iter *it;
        if ((rc = gt_store_iter_open(st, info[s].instr_id, info[s].kind, INT64_MIN, INT64_MAX,
                                     &it)) < 0)
            break;
        const struct gt_tick *v;
        int n;
        while ((n = gt_store_iter_next(it, &v)) > 0) {
            for (int j = 0; j < n; j++) {
                const uint64_t *w = (const uint64_t *)(const void *)&v[j];
                acc += w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7];
            }
            n_read += (uint64_t)n;
        }
        rc = n < 0 ? n : GT_OK;
        gt_store_iter_close(it);
    }
    double dt = bench_now() - t0;
    if (r->scan_s == 0 || dt < r->scan_s)
        r->scan_s = dt;
    r->scanned = n_read;
    bench_sink(acc);
    free(info);
    gt_store_close(st);
    return ns < 0 ? ns : rc;
}

static int count_bar(const struct bar *b, void *ctx)
{
    *(uint64_t *)ctx += (uint64_t)bars_vwap(b);
    return 0;
}

/* Bars of width w of instruments [0, n_instr) through bars_run (tickq bars'
 * code path). With open_too the time includes opening and closing the store;
 * without, *open_s gets the open time and the rest is the query alone. */
static double ours_bars(const char *db, int n_instr, int64_t w, double *open_s)
{
    double t0 = bench_now();
    gt_store *st;
    char err[GT_ERRLEN];
    struct qstore *qs = qstore_new();
    if (!qs || gt_store_open(db, GT_STORE_READER, &st, err) < 0) {
        qstore_close(qs);
        return -1;
    }
    qstore_add(qs, st);
    double t1 = bench_now();
    uint64_t sink = 0;
    int rc = 0;
    for (int i = 0; i < n_instr && rc == 0; i++) {
        struct qstore_iter *it = NULL;
        rc = bars_run(qs, DAYSIM_ID0 + i, INT64_MIN, INT64_MAX, w, 0, count_bar, &sink, &it);
        qstore_iter_close(it);
    }
    double t2 = bench_now();
    qstore_close(qs);
    bench_sink(sink);
    if (open_s)
        *open_s = t1 - t0;
    return rc != 0 ? -1 : open_s ? t2 - t1 : bench_now() - t0;
}

/* The trades a VWAP counts, in ClickHouse's words: bars.c's rule (no busts,
 * no null price, a positive quantity). kind = GT_KIND_TRADE. */
#define VWAP_WHERE                                                                                 \
    "kind = 1 AND action != 2 AND px != 9223372036854775807 AND qty > 0 AND "                      \
    "qty != 9223372036854775807"
_Static_assert(GT_KIND_TRADE == 1, "VWAP_WHERE selects trades");

struct vwap_sum {
    __int128 notional; /* sum(px * qty) */
    int64_t volume, n;
};

static int vwap_add(const struct bar *b, void *ctx)
{
    struct vwap_sum *v = ctx;
    v->notional += b->notional;
    v->volume += b->volume;
    v->n += b->n_trades;
    return 0;
}

/* Checks that both sides' full-day VWAP count the same trades: per contract,
 * ClickHouse's sum(px * qty), sum(qty) and count() under VWAP_WHERE equal
 * what bars_run sums, and so do the VWAPs. Returns GT_OK, or GT_EIO after
 * printing the first difference. */
static int vwap_check(const char *db, int n_instr)
{
    static char out[1 << 16];
    if (ch_query("SELECT instr, sum(px * qty), sum(qty), count() FROM ticks WHERE " VWAP_WHERE
                 " GROUP BY instr ORDER BY instr FORMAT TabSeparated",
                 NULL, out, sizeof out) < 0)
        return GT_EIO;
    gt_store *st;
    char err[GT_ERRLEN];
    struct qstore *qs = qstore_new();
    if (!qs || gt_store_open(db, GT_STORE_READER, &st, err) < 0) {
        qstore_close(qs);
        return GT_EIO;
    }
    qstore_add(qs, st);
    int rc = GT_OK, rows = 0, with_trades = 0;
    const char *p = out;
    for (int i = 0; i < n_instr && rc == GT_OK; i++) {
        struct vwap_sum v = {0};
        struct qstore_iter *it = NULL;
        if (bars_run(qs, DAYSIM_ID0 + i, INT64_MIN, INT64_MAX, GT_NS_PER_DAY, 0, vwap_add, &v,
                     &it) < 0)
            rc = GT_EIO;
        qstore_iter_close(it);
        if (rc < 0 || v.n == 0)
            continue;
        with_trades++;
        long long id = 0, notional = 0, volume = 0, n = 0;
        const char *row = p;
        int got = sscanf(row, "%lld\t%lld\t%lld\t%lld", &id, &notional, &volume, &n);
        p += strcspn(p, "\n");
        p += *p == '\n';
        rows += got == 4;
        struct bar ours = {.notional = v.notional, .volume = v.volume};
        struct bar theirs = {.notional = notional, .volume = volume};
        if (got != 4 || id != DAYSIM_ID0 + i || (__int128)notional != v.notional ||
            volume != v.volume || n != v.n || bars_vwap(&ours) != bars_vwap(&theirs)) {
            fprintf(stderr,
                    "bench_clickhouse: the VWAP of instrument %d differs: ours %lld trades, "
                    "volume %lld, vwap %lld e-9; ClickHouse's row: %.*s\n",
                    DAYSIM_ID0 + i, (long long)v.n, (long long)v.volume,
                    (long long)bars_vwap(&ours), (int)strcspn(row, "\n"), row);
            rc = GT_EIO;
        }
    }
    qstore_close(qs);
    if (rc == GT_OK && (*p || rows != with_trades)) {
        fprintf(stderr, "bench_clickhouse: ClickHouse has VWAP rows for other instruments\n");
        rc = GT_EIO;
    }
    if (rc == GT_OK)
        fprintf(stderr,
                "bench_clickhouse: full-day VWAP of %d contracts agrees exactly "
                "(sum(px * qty), volume and trades of each)\n",
                with_trades);
    return rc;
}

static int ch_available(void)
{
    return sh("{ command -v clickhouse-server || test -x /usr/sbin/clickhouse-server; } "
              ">/dev/null 2>&1 && command -v clickhouse-client >/dev/null 2>&1") == 0;
}

static int run(const struct daysim *d, const char *dir)
{
    char db[192], bin[192], sql[512], out[256];
    snprintf(db, sizeof db, "%s/gputick", dir);
    snprintf(bin, sizeof bin, "%s/ticks.bin", dir);
    struct ours g = {0};
    int rc = bench_store_ingest(db, d->stream, d->n_ticks, COMMIT_EVERY, "bench_clickhouse",
                                &g.ingest_s, &g.disk);
    for (int r = 0; r < REPS && rc >= 0; r++)
        rc = ours_scan(db, d->n_series, &g);
    if (rc < 0)
        return rc;
    if (g.scanned != d->n_ticks) {
        fprintf(stderr, "bench_clickhouse: our scan read %llu ticks, want %zu\n",
                (unsigned long long)g.scanned, d->n_ticks);
        return GT_EIO;
    }
    if ((rc = rowbinary_write(d, bin)) < 0)
        return rc;
    if (ch_query(table_sql, NULL, NULL, 0) < 0)
        return GT_EIO;
    double t0 = bench_now();
    if (sh("bash '%s' client '%s' -q 'INSERT INTO ticks FORMAT RowBinary' <'%s'", script, chdir_,
           bin) != 0)
        return GT_EIO;
    double ch_ingest = bench_now() - t0;
    remove(bin);
    if (ch_query("OPTIMIZE TABLE ticks FINAL", NULL, NULL, 0) < 0 ||
        ch_query("SELECT count(), sum(bytes_on_disk) FROM system.parts WHERE database = "
                 "currentDatabase() AND table = 'ticks' AND active",
                 NULL, out, sizeof out) < 0)
        return GT_EIO;
    unsigned long long parts = 0, ch_bytes = 0;
    if (sscanf(out, "%llu %llu", &parts, &ch_bytes) != 2 || ch_bytes == 0)
        return GT_EIO;
    if (ch_query("SELECT count() FROM ticks", NULL, out, sizeof out) < 0 ||
        strtoull(out, NULL, 10) != d->n_ticks) {
        fprintf(stderr, "bench_clickhouse: ClickHouse holds %s rows, want %zu\n", out, d->n_ticks);
        return GT_EIO;
    }
    double ch_scan = ch_best(scan_sql);
    double n = (double)d->n_ticks;
    char what[320];
    snprintf(what, sizeof what,
             "%.0f M ticks, 48 contracts: ingest, M ticks/s (baseline: ClickHouse MergeTree "
             "ORDER BY (series, ts), clickhouse-client RowBinary bulk load, wall; higher is "
             "better)",
             n / 1e6);
    bench_row(what, n / g.ingest_s / 1e6, n / ch_ingest / 1e6);
    snprintf(what, sizeof what,
             "%.0f M ticks: on disk after compaction, bytes/tick (baseline: ClickHouse after "
             "OPTIMIZE FINAL, system.parts bytes_on_disk, %llu part; lower is better)",
             n / 1e6, parts);
    bench_row(what, (double)g.disk / n, (double)ch_bytes / n);
    snprintf(what, sizeof what,
             "%.0f M ticks: full scan, every field, M ticks/s (baseline: ClickHouse sum of "
             "every column, --time; higher is better)",
             n / 1e6);
    bench_row(what, n / g.scan_s / 1e6, ch_scan < 0 ? 0 : n / ch_scan / 1e6);

    /* tickq: 1-minute bars of the front contract; full-day VWAP of all. */
    int front = GT_KIND_TRADE; /* series of instrument 0's trades */
    snprintf(sql, sizeof sql,
             "SELECT intDiv(ts, 60000000000) AS m, argMin(px, seq), max(px), min(px), "
             "argMax(px, seq), sum(qty), sum(px * qty) / sum(qty), count() FROM ticks WHERE "
             "series = %d AND action != 2 AND qty > 0 GROUP BY m ORDER BY m FORMAT Null",
             front);
    double ch_bars = ch_best(sql);
    char *argv[] = {"bars", "H100F7", "--interval", "1m", "--db", db, "--format", "csv", NULL};
    double q = -1;
    for (int r = 0; r < REPS; r++) {
        double t = bench_cmd(cmd_bars, argv);
        q = q < 0 || (t >= 0 && t < q) ? t : q;
    }
    size_t front_trades = 0;
    for (size_t i = 0; i < d->n_ticks; i++)
        front_trades += daysim_series(&d->stream[i]) == front;
    snprintf(what, sizeof what,
             "tickq bars 1m of the front contract's day (%zu trades), ms incl. opening the "
             "store (baseline: the same query in ClickHouse, --time; lower is better)",
             front_trades);
    bench_row(what, q * 1e3, ch_bars * 1e3);
    double open_s = 0, o;
    q = -1;
    for (int r = 0; r < REPS; r++) {
        double t = ours_bars(db, 1, 60 * GT_NS_PER_SEC, &o);
        q = q < 0 || (t >= 0 && t < q) ? t : q;
        open_s = r == 0 || o < open_s ? o : open_s;
    }
    snprintf(what, sizeof what,
             "the same bars through bars_run, the store already open (opening took %.1f ms), "
             "ms (baseline: ClickHouse, --time; lower is better)",
             open_s * 1e3);
    bench_row(what, q * 1e3, ch_bars * 1e3);
    if (vwap_check(db, d->n_instr) < 0)
        return GT_EIO;
    double ch_vwap = ch_best("SELECT instr, sum(px * qty) / sum(qty), sum(qty), count() FROM "
                             "ticks WHERE " VWAP_WHERE " GROUP BY instr FORMAT Null");
    q = -1;
    for (int r = 0; r < REPS; r++) {
        double t = ours_bars(db, d->n_instr, GT_NS_PER_DAY, NULL);
        q = q < 0 || (t >= 0 && t < q) ? t : q;
    }
    bench_row("tickq full-day VWAP of all 48 contracts, ms incl. opening the store (baseline: "
              "ClickHouse GROUP BY instr, --time; lower is better)",
              q * 1e3, ch_vwap * 1e3);
    return GT_OK;
}

int bench_clickhouse(void)
{
    if (!ch_available()) {
        fprintf(stderr, "gtbench clickhouse: skipped: clickhouse-server/clickhouse-client not "
                        "installed (apt-get install clickhouse-server clickhouse-client)\n");
        return GT_OK;
    }
    const char *slash = strrchr(__FILE__, '/');
    snprintf(script, sizeof script, "%.*s/clickhouse.sh", slash ? (int)(slash - __FILE__) : 1,
             slash ? __FILE__ : ".");
    char dir[] = "/tmp/gt-bench-ch-XXXXXX";
    if (!mkdtemp(dir))
        return GT_EIO;
    snprintf(chdir_, sizeof chdir_, "%s/ch", dir);
    struct daysim d;
    const struct daysim_config c = {.n_ticks = N_TICKS,
                                    .n_products = N_PRODUCTS,
                                    .n_contracts = N_CONTRACTS,
                                    .start_ns = START_NS,
                                    .mean_gap_ns = 20000000,
                                    .skew = 1};
    int rc = daysim_gen(&d, &c);
    if (rc >= 0) {
        if (sh("bash '%s' start '%s' >/dev/null", script, chdir_) != 0) {
            fprintf(stderr, "bench_clickhouse: the ClickHouse server did not start\n");
            rc = GT_EIO;
        } else {
            rc = run(&d, dir);
        }
        sh("bash '%s' stop '%s'", script, chdir_);
    }
    daysim_free(&d);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
