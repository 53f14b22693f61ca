/* SPDX-License-Identifier: MIT */
/* bench_peers.c -- the tick store and tickq beside the engines an analyst
 * would pick today, DuckDB and chDB (embedded ClickHouse), on the same
 * ticksim day in the same run (part of gtbench clickhouse; issue 21).
 *
 * Every engine holds the same 17 columns (chday.h's day_row), each in its
 * best layout: sorted by (instrument, kind, time). DuckDB: its defaults,
 * rows appended in bus order through its appender (a data chunk at a time)
 * into a temporary table, then CREATE TABLE ... AS SELECT ... ORDER BY
 * instr, kind, ts, and a CHECKPOINT; bytes are the database file's. chDB: a
 * MergeTree ORDER BY (instr, kind, ts) loaded with INSERT ... SELECT FROM
 * file(RowBinary) (the day written as RowBinary first, not timed), OPTIMIZE
 * FINAL, bytes_on_disk of the active parts; three column codings are loaded
 * (LZ4, ZSTD(1), and per column DoubleDelta/Delta/T64 + ZSTD(1)) and the
 * smallest is the one queried. Both engines use both cores (their default);
 * gputick uses one.
 *
 * Before any timing, each engine's answer is checked equal to gputick's,
 * row for row as text: the row count, every column's sum (mod 2^64), the
 * 1-minute bars of the front contract (OHLC, volume, sum(px * qty), trades)
 * and every contract's day VWAP sums. In-process times: the engine's call to
 * a result in memory; ours through bars_run on an open store. Whole-process
 * times: tickq (one process per contract: it has no --product) beside
 * gtpeer (one process per engine: library loaded, database opened, one
 * query, TSV out), both with output to /dev/null, fork to exit. */
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bars.h"
#include "bars_many.h"
#include "bench.h"
#include "chday.h"
#include "peers.h"
#include "shards.h"
#include "gputick/store.h"
#include "gputick/time.h"

extern char **environ;

enum { REPS = 3, N_PEERS = 2, N_COLS = 17 };

static const char duck_cols[] =
    "series UINTEGER, ts BIGINT, recv_ns BIGINT, seq UBIGINT, kind UTINYINT, flags USMALLINT, "
    "instr INTEGER, px BIGINT, qty BIGINT, px2 BIGINT, qty2 BIGINT, n_orders INTEGER, "
    "n_orders2 INTEGER, level UTINYINT, side UTINYINT, action UTINYINT, ref UINTEGER";
static const int duck_types[N_COLS] = {
    PEER_DUCKDB_UINTEGER, PEER_DUCKDB_BIGINT,    PEER_DUCKDB_BIGINT,   PEER_DUCKDB_UBIGINT,
    PEER_DUCKDB_UTINYINT, PEER_DUCKDB_USMALLINT, PEER_DUCKDB_INTEGER,  PEER_DUCKDB_BIGINT,
    PEER_DUCKDB_BIGINT,   PEER_DUCKDB_BIGINT,    PEER_DUCKDB_BIGINT,   PEER_DUCKDB_INTEGER,
    PEER_DUCKDB_INTEGER,  PEER_DUCKDB_UTINYINT,  PEER_DUCKDB_UTINYINT, PEER_DUCKDB_UTINYINT,
    PEER_DUCKDB_UINTEGER};
static const char *const col_names[N_COLS] = {
    "series", "ts",   "recv_ns",  "seq",       "kind",  "flags", "instr",  "px", "qty",
    "px2",    "qty2", "n_orders", "n_orders2", "level", "side",  "action", "ref"};

/* chDB's column codings tried; the smallest after OPTIMIZE FINAL is queried. */
static const struct {
    const char *name, *cols;
} ch_layouts[] = {
    {"LZ4 (default)", DAY_COLUMNS},
    {"ZSTD(1)",
     "series UInt32 CODEC(ZSTD(1)), ts Int64 CODEC(ZSTD(1)), recv_ns Int64 CODEC(ZSTD(1)), "
     "seq UInt64 CODEC(ZSTD(1)), kind UInt8 CODEC(ZSTD(1)), flags UInt16 CODEC(ZSTD(1)), "
     "instr Int32 CODEC(ZSTD(1)), px Int64 CODEC(ZSTD(1)), qty Int64 CODEC(ZSTD(1)), "
     "px2 Int64 CODEC(ZSTD(1)), qty2 Int64 CODEC(ZSTD(1)), n_orders Int32 CODEC(ZSTD(1)), "
     "n_orders2 Int32 CODEC(ZSTD(1)), level UInt8 CODEC(ZSTD(1)), side UInt8 CODEC(ZSTD(1)), "
     "action UInt8 CODEC(ZSTD(1)), ref UInt32 CODEC(ZSTD(1))"},
    {"DoubleDelta/Delta/T64 + ZSTD(1) per column",
     "series UInt32 CODEC(T64, ZSTD(1)), ts Int64 CODEC(DoubleDelta, ZSTD(1)), "
     "recv_ns Int64 CODEC(DoubleDelta, ZSTD(1)), seq UInt64 CODEC(Delta, ZSTD(1)), "
     "kind UInt8 CODEC(ZSTD(1)), flags UInt16 CODEC(T64, ZSTD(1)), "
     "instr Int32 CODEC(T64, ZSTD(1)), px Int64 CODEC(Delta, ZSTD(1)), "
     "qty Int64 CODEC(T64, ZSTD(1)), px2 Int64 CODEC(Delta, ZSTD(1)), "
     "qty2 Int64 CODEC(T64, ZSTD(1)), n_orders Int32 CODEC(T64, ZSTD(1)), "
     "n_orders2 Int32 CODEC(T64, ZSTD(1)), level UInt8 CODEC(ZSTD(1)), "
     "side UInt8 CODEC(ZSTD(1)), action UInt8 CODEC(ZSTD(1)), ref UInt32 CODEC(Delta, ZSTD(1))"},
};
enum { N_CH_LAYOUTS = sizeof ch_layouts / sizeof ch_layouts[0] };

/* One engine's figures (seconds, bytes); < 0: not measured. */
struct fig {
    double ingest, bytes, scan, bars, vwap, vwap_proc, start_proc;
};

struct peer_side {
    struct peer p;
    char lib[1024], path[512], table[32];
    const char *name; /* gtpeer's first argument */
    struct fig f;
};

static double min_d(double a, double b)
{
    return a < 0 ? b : b < a ? b : a;
}

static void fill_rows(void *ctx, size_t first, size_t n, void **cols)
{
    const struct feedday_ticks *d = ctx;
    for (size_t i = 0; i < n; i++) {
        const struct gt_tick *t = &d->t[first + i];
        struct day_row r;
        day_row(t, feedday_series(d, t), &r);
        ((uint32_t *)cols[0])[i] = r.series;
        ((int64_t *)cols[1])[i] = r.ts;
        ((int64_t *)cols[2])[i] = r.recv_ns;
        ((uint64_t *)cols[3])[i] = r.seq;
        ((uint8_t *)cols[4])[i] = r.kind;
        ((uint16_t *)cols[5])[i] = r.flags;
        ((int32_t *)cols[6])[i] = r.instr;
        ((int64_t *)cols[7])[i] = r.px;
        ((int64_t *)cols[8])[i] = r.qty;
        ((int64_t *)cols[9])[i] = r.px2;
        ((int64_t *)cols[10])[i] = r.qty2;
        ((int32_t *)cols[11])[i] = r.n_orders;
        ((int32_t *)cols[12])[i] = r.n_orders2;
        ((uint8_t *)cols[13])[i] = r.level;
        ((uint8_t *)cols[14])[i] = r.side;
        ((uint8_t *)cols[15])[i] = r.action;
        ((uint32_t *)cols[16])[i] = r.ref;
    }
}

static int sql(struct peer_side *s, const char *q, char **out, double *secs)
{
    if (peer_sql(&s->p, q, out, secs) == 0)
        return 0;
    fprintf(stderr, "bench_peers: %s\n", s->p.err);
    return GT_EIO;
}

static int sqlf(struct peer_side *s, char **out, double *secs, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int sqlf(struct peer_side *s, char **out, double *secs, const char *fmt, ...)
{
    char q[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof q, fmt, ap);
    va_end(ap);
    return sql(s, q, out, secs);
}

static uint64_t file_bytes(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

static int duck_load(struct peer_side *s, const struct feedday_ticks *d)
{
    int rc = sqlf(s, NULL, NULL, "CREATE TEMP TABLE stage (%s)", duck_cols);
    if (rc < 0)
        return rc;
    double t0 = bench_now();
    if (peer_duckdb_append(&s->p, "temp", "stage", duck_types, N_COLS, d->n, fill_rows, (void *)d) <
        0) {
        fprintf(stderr, "bench_peers: %s\n", s->p.err);
        return GT_EIO;
    }
    if ((rc = sql(s, "CREATE TABLE ticks AS SELECT * FROM stage ORDER BY instr, kind, ts", NULL,
                  NULL)) < 0 ||
        (rc = sql(s, "DROP TABLE stage", NULL, NULL)) < 0 ||
        (rc = sql(s, "CHECKPOINT", NULL, NULL)) < 0)
        return rc;
    s->f.ingest = bench_now() - t0;
    char wal[4096];
    snprintf(wal, sizeof wal, "%s.wal", s->path);
    s->f.bytes = (double)(file_bytes(s->path) + file_bytes(wal));
    snprintf(s->table, sizeof s->table, "ticks");
    fprintf(stderr, "bench_peers: %s: loaded and sorted in %.2f s, %.0f bytes\n", s->p.version,
            s->f.ingest, s->f.bytes);
    return GT_OK;
}

static int ch_load(struct peer_side *s, const char *bin)
{
    double best_bytes = -1;
    int best = -1;
    for (int l = 0; l < N_CH_LAYOUTS; l++) {
        char *out = NULL;
        int rc = sqlf(s, NULL, NULL,
                      "CREATE TABLE ticks%d (%s) ENGINE = MergeTree ORDER BY (instr, kind, ts)", l,
                      ch_layouts[l].cols);
        double t0 = bench_now();
        if (rc >= 0)
            rc =
                sqlf(s, NULL, NULL, "INSERT INTO ticks%d SELECT * FROM file('%s', RowBinary, '%s')",
                     l, bin, DAY_COLUMNS);
        double ingest = bench_now() - t0;
        if (rc >= 0)
            rc = sqlf(s, NULL, NULL, "OPTIMIZE TABLE ticks%d FINAL", l);
        if (rc >= 0)
            rc = sqlf(s, &out, NULL,
                      "SELECT sum(bytes_on_disk), count() FROM system.parts WHERE database = "
                      "currentDatabase() AND table = 'ticks%d' AND active",
                      l);
        if (rc < 0)
            return rc;
        double bytes = strtod(out, NULL);
        fprintf(stderr,
                "bench_peers: %s, %s: inserted in %.2f s, %.0f bytes after OPTIMIZE "
                "FINAL (%.*s parts)\n",
                s->p.version, ch_layouts[l].name, ingest, bytes,
                (int)strcspn(out + strcspn(out, "\t") + 1, "\n"), out + strcspn(out, "\t") + 1);
        free(out);
        if (best < 0 || bytes < best_bytes) {
            if (best >= 0 && (rc = sqlf(s, NULL, NULL, "DROP TABLE ticks%d", best)) < 0)
                return rc;
            best = l, best_bytes = bytes, s->f.ingest = ingest, s->f.bytes = bytes;
        } else if ((rc = sqlf(s, NULL, NULL, "DROP TABLE ticks%d", l)) < 0) {
            return rc;
        }
    }
    snprintf(s->table, sizeof s->table, "ticks%d", best);
    fprintf(stderr, "bench_peers: %s: queries run on the smallest, %s\n", s->p.version,
            ch_layouts[best].name);
    return GT_OK;
}

/* ---- the expected answers, as text ---- */

struct text {
    char *b;
    size_t len, cap;
};

static void text_put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = t->cap - t->len;
        va_start(ap, fmt);
        int n = vsnprintf(t->b ? t->b + t->len : NULL, t->b ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if (t->b && (size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t c = t->cap * 2 + (size_t)n + 4096;
        char *nb = realloc(t->b, c);
        if (!nb)
            return;
        t->b = nb, t->cap = c;
    }
}

static int bar_text(const struct bar *b, void *ctx)
{
    text_put(ctx, "%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\n",
             (long long)(b->start_ns / (60 * GT_NS_PER_SEC)), (long long)b->open,
             (long long)b->high, (long long)b->low, (long long)b->close, (long long)b->volume,
             (long long)b->notional, (long long)b->n_trades);
    return 0;
}

/* Our answers: column sums (from the rows), front bars and VWAP sums (bars_run). */
static int expected(const struct day *day, const char *db, struct text *sums, struct text *bars,
                    struct text *vwap)
{
    const struct feedday_ticks *d = &day->d;
    uint64_t s[N_COLS] = {0};
    for (size_t i = 0; i < d->n; i++) {
        struct day_row r;
        day_row(&d->t[i], feedday_series(d, &d->t[i]), &r);
        uint64_t v[N_COLS] = {r.series,
                              (uint64_t)r.ts,
                              (uint64_t)r.recv_ns,
                              r.seq,
                              r.kind,
                              r.flags,
                              (uint64_t)r.instr,
                              (uint64_t)r.px,
                              (uint64_t)r.qty,
                              (uint64_t)r.px2,
                              (uint64_t)r.qty2,
                              (uint64_t)r.n_orders,
                              (uint64_t)r.n_orders2,
                              r.level,
                              r.side,
                              r.action,
                              r.ref};
        for (int c = 0; c < N_COLS; c++)
            s[c] += v[c];
    }
    text_put(sums, "%zu", d->n);
    for (int c = 0; c < N_COLS; c++)
        text_put(sums, "\t%llu", (unsigned long long)s[c]);
    text_put(sums, "\n");
    struct shards *qs = day_qstore(db);
    if (!qs)
        return GT_EIO;
    struct shards_iter *it = NULL;
    int rc =
        bars_run(qs, day->front, INT64_MIN, INT64_MAX, 60 * GT_NS_PER_SEC, 0, bar_text, bars, &it);
    shards_iter_close(it);
    for (int i = 0; i < day->n_contracts && rc >= 0; i++) {
        struct vwap_sum v = {0};
        it = NULL;
        rc = bars_run(qs, day->contracts[i], INT64_MIN, INT64_MAX, GT_NS_PER_DAY, 0, vwap_add, &v,
                      &it);
        shards_iter_close(it);
        if (v.n)
            text_put(vwap, "%d\t%lld\t%lld\t%lld\n", day->contracts[i], (long long)v.notional,
                     (long long)v.volume, (long long)v.n);
    }
    shards_close(qs);
    return rc < 0 ? GT_EIO : GT_OK;
}

/* The check queries' text for an engine: the sums mod 2^64 in its dialect. */
static void sums_sql(const struct peer_side *s, char *q, size_t cap)
{
    size_t n = (size_t)snprintf(q, cap, "SELECT count()");
    for (int c = 0; c < N_COLS && n < cap; c++)
        n +=
            (size_t)snprintf(q + n, cap - n,
                             s->p.kind == PEER_DUCKDB
                                 ? ", ((sum(%s::HUGEINT) %% 18446744073709551616::HUGEINT) + "
                                   "18446744073709551616::HUGEINT) %% 18446744073709551616::HUGEINT"
                                 : ", sum(toUInt64(%s))",
                             col_names[c]);
    snprintf(q + n, cap - n, " FROM %s", s->table);
}

static void bars_sql(const struct peer_side *s, int32_t front, char *q, size_t cap)
{
    int duck = s->p.kind == PEER_DUCKDB;
    snprintf(q, cap,
             "SELECT %s AS m, %s(px, seq), max(px), min(px), %s(px, seq), sum(qty), "
             "sum(px * qty), count() FROM %s WHERE instr = %d AND " VWAP_WHERE
             " GROUP BY m ORDER BY m",
             duck ? "ts // 60000000000" : "intDiv(ts, 60000000000)", duck ? "arg_min" : "argMin",
             duck ? "arg_max" : "argMax", s->table, front);
}

static void vwap_sql(const struct peer_side *s, char *q, size_t cap)
{
    snprintf(q, cap,
             "SELECT instr, sum(px * qty), sum(qty), count() FROM %s WHERE " VWAP_WHERE
             " GROUP BY instr ORDER BY instr",
             s->table);
}

static void scan_sql(const struct peer_side *s, char *q, size_t cap)
{
    size_t n = (size_t)snprintf(q, cap, "SELECT ");
    for (int c = 0; c < N_COLS && n < cap; c++)
        n += (size_t)snprintf(q + n, cap - n, "%ssum(%s)", c ? ", " : "", col_names[c]);
    snprintf(q + n, cap - n, " FROM %s", s->table);
}

static int same(struct peer_side *s, const char *what, const char *q, const struct text *want)
{
    char *got = NULL;
    int rc = sql(s, q, &got, NULL);
    if (rc < 0)
        return rc;
    const char *w = want->b ? want->b : "";
    if (strcmp(got, w) != 0) {
        size_t i = 0;
        while (got[i] && w[i] == got[i])
            i++;
        size_t line = i;
        while (line > 0 && got[line - 1] != '\n')
            line--;
        fprintf(stderr,
                "bench_peers: %s: %s differs from gputick's at byte %zu: %s has \"%.*s\", "
                "gputick \"%.*s\"\n",
                s->p.version, what, i, s->p.version, (int)strcspn(got + line, "\n"), got + line,
                (int)strcspn(w + line, "\n"), w + line);
        free(got);
        return GT_EIO;
    }
    free(got);
    return GT_OK;
}

/* Best of REPS of q in the engine. */
static double timed(struct peer_side *s, const char *q)
{
    double best = -1;
    for (int r = 0; r < REPS; r++) {
        double t;
        if (sql(s, q, NULL, &t) < 0)
            return -1;
        best = min_d(best, t);
    }
    return best;
}

/* Runs argv (output to /dev/null) n_runs times in sequence, each a new
 * process; seconds from the first fork to the last exit, or -1. */
static double run_procs(char *const *const *argvs, int n_runs)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    double t0 = bench_now();
    int ok = 1;
    for (int i = 0; i < n_runs && ok; i++) {
        pid_t pid;
        int st;
        ok = posix_spawn(&pid, argvs[i][0], &fa, NULL, argvs[i], environ) == 0 &&
             waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (!ok)
            fprintf(stderr, "bench_peers: %s %s failed\n", argvs[i][0], argvs[i][1]);
    }
    double dt = bench_now() - t0;
    posix_spawn_file_actions_destroy(&fa);
    return ok ? dt : -1;
}

/* This executable's folder (build/release/tools/bench). */
static void exe_dir(char *buf, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    buf[n > 0 ? n : 0] = 0;
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = 0;
}

/* One row of the table: ours and each engine's figure (field at off of
 * struct fig), shown times scale, and ours / the best engine's. Lower is
 * better. */
static void row(const char *what, double ours, const struct peer_side *ps, size_t off, double scale,
                const char *unit_fmt)
{
    double best = -1;
    char cell[N_PEERS][64];
    for (int i = 0; i < N_PEERS; i++) {
        double v = *(const double *)(const void *)((const char *)&ps[i].f + off);
        if (v < 0) {
            snprintf(cell[i], sizeof cell[i], "-");
            continue;
        }
        snprintf(cell[i], sizeof cell[i], unit_fmt, v * scale);
        best = min_d(best, v);
    }
    char o[64];
    snprintf(o, sizeof o, unit_fmt, ours * scale);
    if (best > 0)
        printf("| %s | %s | %s | %s | %.3f |\n", what, o, cell[0], cell[1], ours / best);
    else
        printf("| %s | %s | %s | %s | - |\n", what, o, cell[0], cell[1]);
    fflush(stdout);
}

/* gputick's figures beside the engines'. */
struct ours_fig {
    double scan, bars, vwap, vwap1, vwap_proc, start_proc;
    int n_products; /* tickq processes of the whole-process VWAP */
};

/* Every contract's day VWAP as tickq bars --product builds it (bars_many on
 * threads threads), the store already open: seconds, or -1. The bars are
 * checked against bars_run's, contract by contract. */
static double ours_vwap_many(const char *db, const struct day *day, int threads)
{
    struct shards *qs = day_qstore(db);
    struct bars_list *l = calloc((size_t)day->n_contracts, sizeof *l);
    if (!qs || !l) {
        shards_close(qs);
        free(l);
        return -1;
    }
    double t0 = bench_now();
    int rc = bars_many("bench", qs, db, day->contracts, day->n_contracts, INT64_MIN, INT64_MAX,
                       GT_NS_PER_DAY, threads, l);
    double dt = bench_now() - t0;
    for (int i = 0; i < day->n_contracts && rc == 0; i++) {
        struct vwap_sum v = {0}, w = {0};
        struct shards_iter *it = NULL;
        rc = bars_run(qs, day->contracts[i], INT64_MIN, INT64_MAX, GT_NS_PER_DAY, 0, vwap_add, &v,
                      &it);
        shards_iter_close(it);
        for (size_t k = 0; k < l[i].n; k++)
            vwap_add(&l[i].b[k], &w);
        if (rc == 0 && (v.notional != w.notional || v.volume != w.volume || v.n != w.n)) {
            fprintf(stderr, "bench_peers: bars_many and bars_run differ for instrument %d\n",
                    day->contracts[i]);
            rc = GT_EIO;
        }
    }
    bars_list_free(l, day->n_contracts);
    free(l);
    shards_close(qs);
    return rc == 0 ? dt : -1;
}

/* Our in-process queries, best of REPS: the scan was measured by the caller. */
static int ours_measure(const struct day *day, const char *db, const char *tickq,
                        struct ours_fig *o)
{
    o->bars = o->vwap = o->vwap1 = o->vwap_proc = o->start_proc = -1;
    for (int r = 0; r < REPS; r++) {
        double open_s;
        double b = ours_bars(db, &day->front, 1, 60 * GT_NS_PER_SEC, &open_s);
        double v1 = ours_bars(db, day->contracts, day->n_contracts, GT_NS_PER_DAY, &open_s);
        double v = ours_vwap_many(db, day, bars_threads_default());
        if (b < 0 || v < 0 || v1 < 0)
            return GT_EIO;
        o->bars = min_d(o->bars, b);
        o->vwap = min_d(o->vwap, v);
        o->vwap1 = min_d(o->vwap1, v1);
    }
    /* Whole processes: tickq bars --product P -i 1d, one process per product
     * (four on this day); cold start: the front's bars over an empty range. */
    const struct feedday_ticks *d = &day->d;
    static char prods[16][GT_PRODUCT_LEN + 1];
    static char *argv_v[16][10], *argv_s[1][14];
    char **argvs[16];
    int n_prod = 0;
    for (size_t k = 0; k < d->n; k++) {
        const struct gt_tick *t = &d->t[k];
        if (t->kind != GT_KIND_DEF || t->u.def.type != GT_INSTR_FUTURE)
            continue;
        char p[GT_PRODUCT_LEN + 1];
        gt_fixed_str(p, sizeof p, t->u.def.product, GT_PRODUCT_LEN);
        int known = 0;
        for (int i = 0; i < n_prod; i++)
            known |= strcmp(prods[i], p) == 0;
        if (known || n_prod == 16)
            continue;
        memcpy(prods[n_prod], p, sizeof p);
        char *a[] = {(char *)tickq, "bars", "--product", prods[n_prod], "--interval",
                     "1d",          "--db", (char *)db,  NULL};
        memcpy(argv_v[n_prod], a, sizeof a);
        argvs[n_prod] = argv_v[n_prod];
        n_prod++;
    }
    o->n_products = n_prod;
    char *s[] = {
        (char *)tickq, "bars",   (char *)day->front_sym, "--interval", "1d",         "--db",
        (char *)db,    "--from", "2000-01-01",           "--to",       "2000-01-02", "--format",
        "csv",         NULL};
    memcpy(argv_s[0], s, sizeof s);
    char **start[1] = {argv_s[0]};
    for (int r = 0; r < REPS; r++) {
        double v = run_procs((char *const *const *)argvs, n_prod);
        double c = run_procs((char *const *const *)start, 1);
        if (v < 0 || c < 0)
            return GT_EIO;
        o->vwap_proc = min_d(o->vwap_proc, v);
        o->start_proc = min_d(o->start_proc, c);
    }
    return GT_OK;
}

static int peer_measure(struct peer_side *s, const struct day *day, const struct text *sums,
                        const struct text *bars, const struct text *vwap)
{
    char q[8192];
    int rc;
    sums_sql(s, q, sizeof q);
    if ((rc = same(s, "count and column sums", q, sums)) < 0)
        return rc;
    bars_sql(s, day->front, q, sizeof q);
    if ((rc = same(s, "1-minute bars of the front contract", q, bars)) < 0)
        return rc;
    vwap_sql(s, q, sizeof q);
    if ((rc = same(s, "every contract's VWAP sums", q, vwap)) < 0)
        return rc;
    fprintf(stderr,
            "bench_peers: %s agrees with gputick: rows, every column's sum, %s's 1-minute bars, "
            "every contract's sum(px * qty), volume and trades\n",
            s->p.version, day->front_sym);
    scan_sql(s, q, sizeof q);
    s->f.scan = timed(s, q);
    bars_sql(s, day->front, q, sizeof q);
    s->f.bars = timed(s, q);
    vwap_sql(s, q, sizeof q);
    s->f.vwap = timed(s, q);
    return s->f.scan < 0 || s->f.bars < 0 || s->f.vwap < 0 ? GT_EIO : GT_OK;
}

/* The engine's whole-process rows, its in-process connection closed first
 * (both lock their database). */
static int peer_procs(struct peer_side *s, const char *gtpeer)
{
    char q[1024];
    vwap_sql(s, q, sizeof q);
    char *v[] = {(char *)gtpeer, (char *)s->name, s->lib, s->path, q, NULL};
    char *c[] = {(char *)gtpeer, (char *)s->name, s->lib, s->path, "SELECT 1", NULL};
    char **vv[1] = {v}, **cc[1] = {c};
    s->f.vwap_proc = s->f.start_proc = -1;
    for (int r = 0; r < REPS; r++) {
        double a = run_procs((char *const *const *)vv, 1);
        double b = run_procs((char *const *const *)cc, 1);
        if (a < 0 || b < 0)
            return GT_EIO;
        s->f.vwap_proc = min_d(s->f.vwap_proc, a);
        s->f.start_proc = min_d(s->f.start_proc, b);
    }
    return GT_OK;
}

int bench_peers_run(const struct day *day, const char *dir, const char *db, const struct ours *g)
{
    char peers_dir[1024], bin[600], exe[1024], gtpeer[1100], tickq[1100];
    const char *env = getenv("GT_PEERS");
    const char *slash = strrchr(__FILE__, '/');
    if (env && *env)
        snprintf(peers_dir, sizeof peers_dir, "%s", env);
    else
        snprintf(peers_dir, sizeof peers_dir, "%.*s/../../build/peers",
                 slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
    exe_dir(exe, sizeof exe);
    snprintf(gtpeer, sizeof gtpeer, "%s/gtpeer", exe);
    snprintf(tickq, sizeof tickq, "%s/../../query/tickq", exe);
    static struct peer_side ps[N_PEERS];
    memset(ps, 0, sizeof ps);
    ps[0].name = "duckdb", ps[1].name = "chdb";
    for (int i = 0; i < N_PEERS; i++) {
        peer_lib(i == 0 ? PEER_DUCKDB : PEER_CHDB, peers_dir, ps[i].lib, sizeof ps[i].lib);
        if (access(ps[i].lib, R_OK) != 0) {
            fprintf(stderr,
                    "gtbench clickhouse: DuckDB and chDB rows skipped: %s is absent (tools/bench/"
                    "run installs the pinned npm packages into build/peers; set GT_PEERS to "
                    "another folder holding them)\n",
                    ps[i].lib);
            return GT_OK;
        }
    }
    if (access(gtpeer, X_OK) != 0 || access(tickq, X_OK) != 0) {
        fprintf(stderr, "bench_peers: %s or %s is not built\n", gtpeer, tickq);
        return GT_EIO;
    }
    snprintf(ps[0].path, sizeof ps[0].path, "%s/duck.db", dir);
    snprintf(ps[1].path, sizeof ps[1].path, "%s/chdb", dir);
    snprintf(bin, sizeof bin, "%s/peers.bin", dir);
    struct text sums = {0}, bars = {0}, vwap = {0};
    struct ours_fig o;
    int rc = expected(day, db, &sums, &bars, &vwap);
    if (rc >= 0)
        rc = day_rowbinary(&day->d, bin);
    if (rc >= 0)
        rc = ours_measure(day, db, tickq, &o);
    for (int i = 0; i < N_PEERS && rc >= 0; i++) {
        struct peer_side *s = &ps[i];
        if (peer_open(&s->p, i == 0 ? PEER_DUCKDB : PEER_CHDB, s->lib, s->path) < 0) {
            fprintf(stderr, "bench_peers: %s\n", s->p.err);
            rc = GT_EIO;
            break;
        }
        rc = i == 0 ? duck_load(s, &day->d) : ch_load(s, bin);
        if (rc >= 0)
            rc = peer_measure(s, day, &sums, &bars, &vwap);
        peer_close(&s->p);
        if (rc >= 0)
            rc = peer_procs(s, gtpeer);
    }
    remove(bin);
    free(sums.b);
    free(bars.b);
    free(vwap.b);
    if (rc < 0)
        return rc;
    double n = (double)day->d.n;
    printf("\n| measure (ticksim day, %.1f M ticks, %d contracts; lower is better) | gputick | "
           "%s | %s | gputick / best |\n|---|---:|---:|---:|---:|\n",
           n / 1e6, day->n_contracts, ps[0].p.version, ps[1].p.version);
    row("ingest, s (gputick: append + commit every 65,536, compaction not included; DuckDB: "
        "appender into a temp table, sort into the table, CHECKPOINT; chDB: INSERT from a "
        "RowBinary file, merges not included)",
        g->ingest_s, ps, offsetof(struct fig, ingest), 1, "%.2f");
    row("bytes/tick after compaction", (double)g->disk, ps, offsetof(struct fig, bytes), 1 / n,
        "%.2f");
    row("full scan, every column summed, ms (gputick: one core, store open)", g->scan_s, ps,
        offsetof(struct fig, scan), 1e3, "%.1f");
    char what[300];
    snprintf(what, sizeof what,
             "1-min bars of the front month (%s, %zu trades), ms, store/database open",
             day->front_sym, day->front_trades);
    row(what, o.bars, ps, offsetof(struct fig, bars), 1e3, "%.2f");
    snprintf(what, sizeof what,
             "VWAP of all %d contracts, one thread, ms, store/database open (gputick: bars_run "
             "per contract)",
             day->n_contracts);
    row(what, o.vwap1, ps, offsetof(struct fig, vwap), 1e3, "%.1f");
    snprintf(what, sizeof what,
             "VWAP of all %d contracts, ms, store/database open (gputick: bars_many, as tickq "
             "bars --product, on %d threads)",
             day->n_contracts, bars_threads_default());
    row(what, o.vwap, ps, offsetof(struct fig, vwap), 1e3, "%.1f");
    snprintf(what, sizeof what,
             "VWAP of all %d contracts as whole processes, ms (gputick: %d runs of tickq bars "
             "--product P -i 1d, one a product; engines: one gtpeer process, GROUP BY instr)",
             day->n_contracts, o.n_products);
    row(what, o.vwap_proc, ps, offsetof(struct fig, vwap_proc), 1e3, "%.0f");
    row("cold process: start, open the store/database, one trivial query, exit, ms (gputick: "
        "tickq bars over an empty range; engines: SELECT 1)",
        o.start_proc, ps, offsetof(struct fig, start_proc), 1e3, "%.1f");
    return GT_OK;
}
