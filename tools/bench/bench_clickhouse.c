/* SPDX-License-Identifier: MIT */
/* bench_clickhouse.c -- the tick store beside ClickHouse and beside naive
 * RocksDB, and tickq beside ClickHouse, on the same ticks in the same run.
 *
 * The ticks: one ticksim trading day as tickstore would record it
 * (feedday.h: the simulator's pcap fed to tickfeed's core, every record it
 * emits in bus order), ticksim's default day (four products of twelve
 * monthly contracts and their four indexes, from 12:58 to 21:58 UTC: pre-open
 * 13:00, open 13:30, close 21:00) with the order flow raised to FLOW_PER_S
 * events a second per product, about 11 M records. gputick:
 * gt_store_append + gt_store_commit every 65 536 ticks into a fresh store,
 * gt_store_compact, table file bytes; a full scan of every series summing
 * every field. Naive RocksDB (naive.h): one key per tick, its LZ4, the same
 * batches; a full iteration decoding and summing every record. ClickHouse
 * (Debian's clickhouse-server, started on loopback by tools/bench/clickhouse.sh
 * and stopped at the end; its rows are skipped with a message when it is not
 * installed): a MergeTree ORDER BY (series, ts) with its default LZ4, one
 * typed column per tick field (the union of the kinds' payloads; the
 * definitions' product and symbol strings are left out), loaded in bulk from a
 * RowBinary file with clickhouse-client (wall time of that client, file
 * already written), OPTIMIZE TABLE FINAL, then bytes_on_disk of the active
 * parts from system.parts; the scan is a sum of every column.
 *
 * tickq rows: 1-minute bars (OHLCV, VWAP, count) of the front contract's day
 * (the H100 contract of the nearest last trading day, from the day's
 * definitions) through cmd_bars exactly as a user runs it (store opened and
 * closed, output to /dev/null), and a full-day VWAP of every contract through
 * bars_run (tickq bars' code path, 1d bars) on one opened store, beside the
 * same queries in ClickHouse; both sides' VWAPs are checked equal first.
 * ClickHouse's times are the elapsed time clickhouse-client --time reports
 * per query (connection and process start not included); ours include
 * opening the store. Each query: best of REPS. */
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "bars.h"
#include "block.h"
#include "shards.h"
#include "bench.h"
#include "cmd.h"
#include "chday.h"
#include "naive.h"
#include "feedday.h"
#include "gputick/bytes.h"
#include "gputick/store.h"
#include "gputick/time.h"

enum {
    FLOW_PER_S = 50, /* order-flow events a second per product (ticksim's default: 2) */
    COMMIT_EVERY = 1 << 16,
    REPS = 3,
    ROW_LEN = 82, /* one RowBinary row of the table below: its last field ends at 82 */
};

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

void day_row(const struct gt_tick *t, int series, struct day_row *r)
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
    case GT_KIND_FIXING:
        px = t->u.fixing.px, n1 = (int32_t)t->u.fixing.date, level = t->u.fixing.code;
        side = t->u.fixing.entry_type, ref = t->u.fixing.rpt_seq;
        break;
    case GT_KIND_STAT:
        px = t->u.stat.px, qty = t->u.stat.qty, level = t->u.stat.type;
        side = t->u.stat.settl_flags, action = t->u.stat.open_close, ref = t->u.stat.date;
        break;
    case GT_KIND_STATUS:
        level = t->u.status.trading, side = t->u.status.halt_reason;
        action = t->u.status.event, n1 = t->u.status.feed, n2 = t->u.status.cause;
        px = t->u.status.gap_from, qty = t->u.status.gap_to, ref = t->u.status.date;
        break;
    case GT_KIND_DEF:
        px = t->u.def.tick_px, ref = t->u.def.maturity, level = t->u.def.depth;
        side = t->u.def.type;
        break;
    }
    *r = (struct day_row){.series = (uint32_t)series,
                          .ts = t->exch_ns,
                          .recv_ns = t->recv_ns,
                          .seq = t->seq,
                          .kind = t->kind,
                          .flags = t->flags,
                          .instr = t->instr_id,
                          .px = px,
                          .qty = qty,
                          .px2 = px2,
                          .qty2 = qty2,
                          .n_orders = n1,
                          .n_orders2 = n2,
                          .level = level,
                          .side = side,
                          .action = action,
                          .ref = ref};
}

/* One row of the table: the tick's fields in its columns, little-endian. */
static void row_write(const struct gt_tick *t, int series, uint8_t *p)
{
    struct day_row r;
    day_row(t, series, &r);
    st_le32(p, r.series);
    st_le64(p + 4, (uint64_t)r.ts);
    st_le64(p + 12, (uint64_t)r.recv_ns);
    st_le64(p + 20, r.seq);
    p[28] = r.kind;
    st_le16(p + 29, r.flags);
    st_le32(p + 31, (uint32_t)r.instr);
    st_le64(p + 35, (uint64_t)r.px);
    st_le64(p + 43, (uint64_t)r.qty);
    st_le64(p + 51, (uint64_t)r.px2);
    st_le64(p + 59, (uint64_t)r.qty2);
    st_le32(p + 67, (uint32_t)r.n_orders);
    st_le32(p + 71, (uint32_t)r.n_orders2);
    p[75] = r.level, p[76] = r.side, p[77] = r.action;
    st_le32(p + 78, r.ref);
}

int day_rowbinary(const struct feedday_ticks *d, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return GT_EIO;
    static uint8_t buf[ROW_LEN * 4096];
    size_t k = 0;
    int rc = GT_OK;
    for (size_t i = 0; i < d->n && rc == GT_OK; i++) {
        row_write(&d->t[i], feedday_series(d, &d->t[i]), buf + k * ROW_LEN);
        if (++k == 4096 || i + 1 == d->n) {
            if (fwrite(buf, ROW_LEN, k, f) != k)
                rc = GT_EIO;
            k = 0;
        }
    }
    if (fclose(f) != 0)
        rc = GT_EIO;
    return rc;
}

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
    r->sum = acc;
    free(info);
    gt_store_close(st);
    return ns < 0 ? ns : rc;
}

static int count_bar(const struct bar *b, void *ctx)
{
    *(uint64_t *)ctx += (uint64_t)bars_vwap(b);
    return 0;
}

/* Bars of width w of the instruments ids[0..n) through bars_run (tickq bars'
 * code path). Without open_s the time includes opening and closing the
 * store; with it, *open_s gets the open time and the rest is the query alone. */
struct shards *day_qstore(const char *db)
{
    gt_store *st;
    char err[GT_ERRLEN];
    struct shards *qs = shards_new();
    if (!qs || gt_store_open(db, GT_STORE_READER, &st, err) < 0) {
        shards_close(qs);
        return NULL;
    }
    shards_add(qs, st);
    return qs;
}

double ours_bars(const char *db, const int32_t *ids, int n, int64_t w, double *open_s)
{
    double t0 = bench_now();
    struct shards *qs = day_qstore(db);
    if (!qs)
        return -1;
    double t1 = bench_now();
    uint64_t sink = 0;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        struct shards_iter *it = NULL;
        rc = bars_run(qs, ids[i], INT64_MIN, INT64_MAX, w, 0, count_bar, &sink, &it);
        shards_iter_close(it);
    }
    double t2 = bench_now();
    shards_close(qs);
    bench_sink(sink);
    if (open_s)
        *open_s = t1 - t0;
    return rc != 0 ? -1 : open_s ? t2 - t1 : bench_now() - t0;
}

_Static_assert(GT_KIND_TRADE == 1, "VWAP_WHERE selects trades");

int vwap_add(const struct bar *b, void *ctx)
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
static int vwap_check(const char *db, const struct day *day)
{
    static char out[1 << 16];
    if (ch_query("SELECT instr, sum(px * qty), sum(qty), count() FROM ticks WHERE " VWAP_WHERE
                 " GROUP BY instr ORDER BY instr FORMAT TabSeparated",
                 NULL, out, sizeof out) < 0)
        return GT_EIO;
    struct shards *qs = day_qstore(db);
    if (!qs)
        return GT_EIO;
    int rc = GT_OK, rows = 0, with_trades = 0;
    const char *p = out;
    for (int i = 0; i < day->n_contracts && rc == GT_OK; i++) {
        int32_t instr = day->contracts[i];
        struct vwap_sum v = {0};
        struct shards_iter *it = NULL;
        if (bars_run(qs, instr, INT64_MIN, INT64_MAX, GT_NS_PER_DAY, 0, vwap_add, &v, &it) < 0)
            rc = GT_EIO;
        shards_iter_close(it);
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
        if (got != 4 || id != instr || (__int128)notional != v.notional || volume != v.volume ||
            n != v.n || bars_vwap(&ours) != bars_vwap(&theirs)) {
            fprintf(stderr,
                    "bench_clickhouse: the VWAP of instrument %d differs: ours %lld trades, "
                    "volume %lld, vwap %lld e-9; ClickHouse's row: %.*s\n",
                    instr, (long long)v.n, (long long)v.volume, (long long)bars_vwap(&ours),
                    (int)strcspn(row, "\n"), row);
            rc = GT_EIO;
        }
    }
    shards_close(qs);
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

/* The day: ticksim's default with the order flow raised, through tickfeed's
 * core; its contracts and front contract from the definitions. */
int day_make(struct day *day)
{
    memset(day, 0, sizeof *day);
    struct sim_config c;
    sim_config_default(&c);
    c.market.flow_per_s = FLOW_PER_S;
    struct feedday fd;
    char err[GT_ERRLEN];
    double t0 = bench_now();
    int rc = feedday_load(&fd, &c, err);
    if (rc < 0) {
        fprintf(stderr, "bench_clickhouse: %s\n", err);
        return rc;
    }
    double t1 = bench_now();
    rc = feedday_ticks(&fd, &day->d);
    feedday_free(&fd);
    if (rc >= 0 && day->d.n == 0) {
        feedday_ticks_free(&day->d);
        rc = GT_EINVAL;
    }
    if (rc < 0) {
        fprintf(stderr, "bench_clickhouse: the day did not run clean (%s)\n", gt_strerror(rc));
        return rc;
    }
    const struct feedday_ticks *d = &day->d;
    uint32_t today = gt_ymd_of_ns(d->t[0].exch_ns), front_mat = UINT32_MAX;
    size_t n_kind[FEEDDAY_KINDS] = {0};
    for (size_t i = 0; i < d->n; i++) {
        const struct gt_tick *t = &d->t[i];
        n_kind[t->kind]++;
        if (t->kind != GT_KIND_DEF || t->u.def.type != GT_INSTR_FUTURE ||
            day->n_contracts == (int)(sizeof day->contracts / sizeof day->contracts[0]))
            continue;
        int known = 0;
        for (int k = 0; k < day->n_contracts; k++)
            known |= day->contracts[k] == t->instr_id;
        if (!known)
            day->contracts[day->n_contracts++] = t->instr_id;
        if (memcmp(t->u.def.product, "H100", 5) == 0 && t->u.def.maturity >= today &&
            t->u.def.maturity < front_mat) {
            front_mat = t->u.def.maturity;
            day->front = t->instr_id;
            gt_fixed_str(day->front_sym, sizeof day->front_sym, t->u.def.symbol, GT_SYMBOL_LEN);
        }
    }
    for (int i = 1; i < day->n_contracts; i++) /* ascending, as ClickHouse orders them */
        for (int k = i; k > 0 && day->contracts[k - 1] > day->contracts[k]; k--) {
            int32_t x = day->contracts[k];
            day->contracts[k] = day->contracts[k - 1];
            day->contracts[k - 1] = x;
        }
    for (size_t i = 0; i < d->n; i++)
        day->front_trades += d->t[i].kind == GT_KIND_TRADE && d->t[i].instr_id == day->front;
    if (!day->front_sym[0]) {
        fprintf(stderr, "bench_clickhouse: the day has no H100 contract\n");
        feedday_ticks_free(&day->d);
        return GT_EINVAL;
    }
    fprintf(stderr,
            "bench_clickhouse: a ticksim day (flow %d/s a product), %zu records in %.1f s "
            "(simulator and pcap %.1f s): %zu trades, %zu levels, %zu tops of book, %zu stats, "
            "%zu fixings, %zu status, %zu definitions; %d instruments (%d contracts); front %s "
            "(%zu trades)\n",
            FLOW_PER_S, d->n, bench_now() - t0, t1 - t0, n_kind[GT_KIND_TRADE],
            n_kind[GT_KIND_LEVEL], n_kind[GT_KIND_TOB], n_kind[GT_KIND_STAT],
            n_kind[GT_KIND_FIXING], n_kind[GT_KIND_STATUS], n_kind[GT_KIND_DEF], d->n_ids,
            day->n_contracts, day->front_sym, day->front_trades);
    return GT_OK;
}

/* The physical limits of a scan of the day: its series cut into blocks of
 * BLOCK_TICKS with the store's codec in memory (each with its instrument's
 * tick size, as the store writes them), then the best of REPS of a
 * decode-only pass (every block decoded into one block buffer, every field
 * summed as the store's scan sums them; *sum gets the sum) and of a memcpy of
 * disk bytes (the store's table files' size) RAM to RAM. */
static int scan_limits(const struct feedday_ticks *d, uint64_t disk, double *dec_s, double *copy_s,
                       uint64_t *sum)
{
    int n_series = d->n_ids * FEEDDAY_KINDS;
    size_t *start = calloc((size_t)n_series + 1, sizeof *start);
    struct gt_tick *g = malloc(d->n * sizeof *g);
    int64_t *tick_px = calloc((size_t)d->n_ids, sizeof *tick_px);
    size_t cap = d->n * 16 + (size_t)n_series * BLOCK_OUT_MAX, used = 0, nb = 0;
    uint8_t *blocks = malloc(cap), *copy = malloc(disk > 0 ? disk : 1);
    uint32_t *lens = malloc((d->n / 64 + (size_t)n_series + 1) * sizeof *lens);
    static uint8_t scratch[BLOCK_SCRATCH_LEN];
    static struct gt_tick out[BLOCK_CAP];
    int rc = GT_ENOMEM;
    if (!start || !g || !tick_px || !blocks || !copy || !lens)
        goto out;
    for (size_t i = 0; i < d->n; i++) {
        start[feedday_series(d, &d->t[i]) + 1]++;
        if (d->t[i].kind == GT_KIND_DEF)
            tick_px[feedday_instr(d, d->t[i].instr_id)] = d->t[i].u.def.tick_px;
    }
    for (int s = 0; s < n_series; s++)
        start[s + 1] += start[s];
    size_t *at = malloc((size_t)n_series * sizeof *at);
    if (!at)
        goto out;
    memcpy(at, start, (size_t)n_series * sizeof *at);
    for (size_t i = 0; i < d->n; i++)
        g[at[feedday_series(d, &d->t[i])]++] = d->t[i];
    free(at);
    for (int s = 0; s < n_series; s++)
        for (size_t k = start[s]; k < start[s + 1]; k += BLOCK_TICKS) {
            size_t m = start[s + 1] - k < BLOCK_TICKS ? start[s + 1] - k : BLOCK_TICKS;
            int len = block_encode(&g[k], m, tick_px[s / FEEDDAY_KINDS], 0, scratch, blocks + used,
                                   cap - used);
            if (len < 0) {
                rc = len;
                goto out;
            }
            lens[nb++] = (uint32_t)len;
            used += (size_t)len;
        }
    *dec_s = *copy_s = 1e9;
    for (int r = 0; r < REPS; r++) {
        double t0 = bench_now();
        uint64_t acc = 0;
        size_t off = 0;
        for (size_t b = 0; b < nb; b++) {
            int got = block_decode(blocks + off, lens[b], out, BLOCK_CAP, scratch, NULL);
            if (got < 0) {
                rc = got;
                goto out;
            }
            for (int j = 0; j < got; j++) {
                const uint64_t *w = (const uint64_t *)(const void *)&out[j];
                acc += w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7];
            }
            off += lens[b];
        }
        double t1 = bench_now();
        *sum = acc;
        *dec_s = t1 - t0 < *dec_s ? t1 - t0 : *dec_s;
        size_t nc = disk < used ? (size_t)disk : used;
        memcpy(copy, blocks, nc);
        if (disk > nc)
            memcpy(copy + nc, blocks, (size_t)disk - nc);
        bench_sink(copy[disk / 2]);
        double t2 = bench_now() - t1;
        *copy_s = t2 < *copy_s ? t2 : *copy_s;
    }
    rc = GT_OK;
out:
    free(start);
    free(g);
    free(tick_px);
    free(blocks);
    free(copy);
    free(lens);
    return rc;
}

/* Our store and naive RocksDB at dir; their rows. */
static int run_stores(const struct day *day, const char *dir, struct ours *g)
{
    const struct feedday_ticks *d = &day->d;
    char db[192], naive[192];
    snprintf(db, sizeof db, "%s/gputick", dir);
    snprintf(naive, sizeof naive, "%s/naive", dir);
    int rc = bench_store_ingest(db, d->t, d->n, COMMIT_EVERY, "bench_clickhouse", &g->ingest_s,
                                &g->disk);
    struct naive_run nv = {0};
    if (rc >= 0)
        rc = naive_store(naive, d, COMMIT_EVERY, &nv);
    /* Both scans REPS times, alternating which goes first; best of each. */
    double nv_scan = 1e9;
    for (int r = 0; r < REPS && rc >= 0; r++) {
        if (r % 2 == 0)
            rc = ours_scan(db, d->n_ids * FEEDDAY_KINDS, g);
        if (rc >= 0 && (rc = naive_scan(naive, &nv)) >= 0)
            nv_scan = nv.scan_s < nv_scan ? nv.scan_s : nv_scan;
        if (rc >= 0 && r % 2 == 1)
            rc = ours_scan(db, d->n_ids * FEEDDAY_KINDS, g);
    }
    nftw(naive, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    double dec_s = 0, copy_s = 0;
    uint64_t dec_sum = 0;
    if (rc >= 0)
        rc = scan_limits(d, g->disk, &dec_s, &copy_s, &dec_sum);
    if (rc < 0)
        return rc;
    if (g->scanned != d->n || nv.scanned != d->n || g->sum != nv.sum || g->sum != dec_sum) {
        fprintf(stderr,
                "bench_clickhouse: scans read %llu (ours) and %llu (naive) ticks, want %zu; "
                "sums %llx (ours), %llx (naive), %llx (decode only)\n",
                (unsigned long long)g->scanned, (unsigned long long)nv.scanned, d->n,
                (unsigned long long)g->sum, (unsigned long long)nv.sum,
                (unsigned long long)dec_sum);
        return GT_EIO;
    }
    double n = (double)d->n;
    char what[400];
    snprintf(what, sizeof what,
             "ticksim day, %.1f M ticks: store ingest (append + commit per 65536), M ticks/s "
             "(baseline: naive RocksDB, one key per tick, LZ4, same batches; higher is better)",
             n / 1e6);
    bench_row(what, n / g->ingest_s / 1e6, n / nv.ingest_s / 1e6);
    bench_row("ticksim day: on disk after full compaction, bytes/tick (baseline: naive RocksDB; "
              "lower is better)",
              (double)g->disk / n, (double)nv.disk / n);
    bench_row("ticksim day: full scan, every field summed, M ticks/s, best of 3 each, order "
              "alternated, sums checked equal (baseline: naive RocksDB, iterate + decode + sum; "
              "higher is better)",
              n / g->scan_s / 1e6, n / nv_scan / 1e6);
    bench_row("ticksim day: full scan as above, M ticks/s (limit: the day's series as the same "
              "blocks in memory, decode + sum only, no RocksDB, sum checked equal; higher is "
              "better)",
              n / g->scan_s / 1e6, n / dec_s / 1e6);
    snprintf(what, sizeof what,
             "ticksim day: full scan as above, M ticks/s (limit: memcpy of the store's %.0f MB "
             "of table files' bytes RAM to RAM; higher is better)",
             (double)g->disk / 1e6);
    bench_row(what, n / g->scan_s / 1e6, n / copy_s / 1e6);
    return GT_OK;
}

/* ClickHouse over the same ticks: the store rows, then tickq's. */
static int run_clickhouse(const struct day *day, const char *dir, const struct ours *g)
{
    const struct feedday_ticks *d = &day->d;
    char db[192], bin[192], sql[512], out[256];
    snprintf(db, sizeof db, "%s/gputick", dir);
    snprintf(bin, sizeof bin, "%s/ticks.bin", dir);
    int rc = day_rowbinary(d, bin);
    if (rc < 0)
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
        strtoull(out, NULL, 10) != d->n) {
        fprintf(stderr, "bench_clickhouse: ClickHouse holds %s rows, want %zu\n", out, d->n);
        return GT_EIO;
    }
    double ch_scan = ch_best(scan_sql);
    double n = (double)d->n;
    char what[320];
    snprintf(what, sizeof what,
             "ticksim day, %.1f M ticks, %d instruments: ingest, M ticks/s (baseline: ClickHouse "
             "MergeTree ORDER BY (series, ts), clickhouse-client RowBinary bulk load, wall; "
             "higher is better, goal >= 2)",
             n / 1e6, d->n_ids);
    bench_row(what, n / g->ingest_s / 1e6, n / ch_ingest / 1e6);
    snprintf(what, sizeof what,
             "ticksim day: on disk after compaction, bytes/tick (baseline: ClickHouse after "
             "OPTIMIZE FINAL, system.parts bytes_on_disk, %llu part; lower is better, goal <= "
             "0.5)",
             parts);
    bench_row(what, (double)g->disk / n, (double)ch_bytes / n);
    bench_row("ticksim day: full scan, every field, M ticks/s (baseline: ClickHouse sum of every "
              "column, --time; higher is better, goal >= 1)",
              n / g->scan_s / 1e6, ch_scan < 0 ? 0 : n / ch_scan / 1e6);

    /* tickq: 1-minute bars of the front contract; full-day VWAP of all. */
    int front = feedday_series(d, &(struct gt_tick){.instr_id = day->front, .kind = GT_KIND_TRADE});
    snprintf(sql, sizeof sql,
             "SELECT intDiv(ts, 60000000000) AS m, argMin(px, seq), max(px), min(px), "
             "argMax(px, seq), sum(qty), sum(px * qty) / sum(qty), count() FROM ticks WHERE "
             "series = %d AND " VWAP_WHERE " GROUP BY m ORDER BY m FORMAT Null",
             front);
    double ch_bars = ch_best(sql);
    char *argv[] = {
        "bars", (char *)day->front_sym, "--interval", "1m", "--db", db, "--format", "csv", NULL};
    double q = -1;
    for (int r = 0; r < REPS; r++) {
        double t = bench_cmd(cmd_bars, argv);
        q = q < 0 || (t >= 0 && t < q) ? t : q;
    }
    snprintf(what, sizeof what,
             "tickq bars 1m of the front contract's day (%s, %zu trades), ms incl. opening the "
             "store (baseline: the same query in ClickHouse, --time; lower is better, goal <= 1)",
             day->front_sym, day->front_trades);
    bench_row(what, q * 1e3, ch_bars * 1e3);
    double open_s = 0, o;
    q = -1;
    for (int r = 0; r < REPS; r++) {
        double t = ours_bars(db, &day->front, 1, 60 * GT_NS_PER_SEC, &o);
        q = q < 0 || (t >= 0 && t < q) ? t : q;
        open_s = r == 0 || o < open_s ? o : open_s;
    }
    snprintf(what, sizeof what,
             "the same bars through bars_run, the store already open (opening took %.1f ms), "
             "ms (baseline: ClickHouse, --time; lower is better)",
             open_s * 1e3);
    bench_row(what, q * 1e3, ch_bars * 1e3);
    if (vwap_check(db, day) < 0)
        return GT_EIO;
    double ch_vwap = ch_best("SELECT instr, sum(px * qty) / sum(qty), sum(qty), count() FROM "
                             "ticks WHERE " VWAP_WHERE " GROUP BY instr FORMAT Null");
    q = -1;
    for (int r = 0; r < REPS; r++) {
        double t = ours_bars(db, day->contracts, day->n_contracts, GT_NS_PER_DAY, NULL);
        q = q < 0 || (t >= 0 && t < q) ? t : q;
    }
    snprintf(what, sizeof what,
             "tickq full-day VWAP of all %d contracts, ms incl. opening the store (baseline: "
             "ClickHouse GROUP BY instr, --time; lower is better, goal <= 1)",
             day->n_contracts);
    bench_row(what, q * 1e3, ch_vwap * 1e3);
    return GT_OK;
}

int bench_clickhouse(void)
{
    int have_ch = ch_available();
    if (!have_ch)
        fprintf(stderr, "gtbench clickhouse: ClickHouse rows skipped: clickhouse-server/"
                        "clickhouse-client not installed (apt-get install clickhouse-server "
                        "clickhouse-client)\n");
    const char *slash = strrchr(__FILE__, '/');
    snprintf(script, sizeof script, "%.*s/clickhouse.sh", slash ? (int)(slash - __FILE__) : 1,
             slash ? __FILE__ : ".");
    struct day day;
    int rc = day_make(&day);
    if (rc < 0)
        return rc;
    char dir[] = "/tmp/gt-bench-ch-XXXXXX";
    if (!mkdtemp(dir)) {
        feedday_ticks_free(&day.d);
        return GT_EIO;
    }
    snprintf(chdir_, sizeof chdir_, "%s/ch", dir);
    struct ours g = {0};
    rc = run_stores(&day, dir, &g);
    if (rc >= 0 && have_ch) {
        if (sh("bash '%s' start '%s' >/dev/null", script, chdir_) != 0) {
            fprintf(stderr, "bench_clickhouse: the ClickHouse server did not start\n");
            rc = GT_EIO;
        } else {
            rc = run_clickhouse(&day, dir, &g);
        }
        sh("bash '%s' stop '%s'", script, chdir_);
    }
    if (rc >= 0) {
        char db[192];
        snprintf(db, sizeof db, "%s/gputick", dir);
        rc = bench_peers_run(&day, dir, db, &g);
    }
    feedday_ticks_free(&day.d);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
