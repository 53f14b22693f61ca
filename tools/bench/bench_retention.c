/* SPDX-License-Identifier: MIT */
/* bench_retention.c -- retention as the store does it (one DeleteRange per
 * series, then a compaction of the deleted ranges: gt_store_delete_before)
 * beside the alternative of a column family per day, dropped whole.
 *
 * The data: simulated days (daysim: 4 products x 12 contracts, 1 M ticks a
 * day from 01:00 UTC over about 21 h), recorded into a gputick store as
 * tickstore would (a commit every 65 536 ticks, book checkpoints on) and
 * compacted. The baseline store holds the same blocks under the same keys,
 * copied from the first store into one column family per day (from 01:00
 * UTC) with the ticks family's options, and compacted too; a block of a quiet
 * series that spans two days is split there, as a writer of day families
 * would cut it. Two cases: 3 of 6 days deleted, and 1 of 12 (a daily
 * retention on a longer store): gt_store_delete_before() at the cut on one,
 * rocksdb_drop_column_family() on the other. Measured: the time of the
 * deletion, the table files' bytes before and after, the bytes of table
 * files the deletion wrote (files numbered above the newest before it), and
 * for the first case the read cost afterwards: a reader's open, a scan that
 * decodes every block left, the last three days of every series and six
 * hours of every series across a night (seeking as gt_store_iter does: one
 * seek per series on the store, one per series per day family touched on the
 * baseline). Both stores live in one mkdtemp folder, removed at the end. */
#include <ftw.h>
#include <rocksdb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "block.h"
#include "daysim.h"
#include "gputick/err.h"
#include "gputick/store.h"
#include "gputick/tick.h"
#include "key.h"
#include "ticks_cf.h"

enum {
    MAX_DAYS = 12,
    DAY_TICKS = 1000000,
    COMMIT_EVERY = 1 << 16,
    ROUNDS = 3,
};

static const int64_t day_ns = 86400 * (int64_t)1000000000;
static int n_days, cut_day; /* the scenario: days recorded, days 0..cut_day-1 deleted */
static const int64_t day0_ns = 1795568400 * (int64_t)1000000000; /* 2026-11-24T01:00Z */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static int fail(const char *what, char *dberr)
{
    fprintf(stderr, "bench_retention: %s: %s\n", what, dberr ? dberr : "failed");
    rocksdb_free(dberr);
    return GT_EDB;
}

static int store_open(const char *db, int mode, gt_store **st)
{
    char err[GT_ERRLEN];
    int rc = gt_store_open(db, mode, st, err);
    if (rc < 0)
        fprintf(stderr, "bench_retention: %s\n", err);
    return rc;
}

/* Records n_days copies of the day, each shifted by a day, into a new store. */
static int record_days(const char *db, const struct daysim *d)
{
    gt_store *st;
    int rc = store_open(db, GT_STORE_WRITER, &st);
    if (rc < 0)
        return rc;
    uint64_t seq = 0;
    for (int day = 0; day < n_days && rc >= 0; day++)
        for (size_t k = 0; k < d->n_ticks && rc >= 0; k++) {
            struct gt_tick t = d->stream[k];
            t.exch_ns += day * day_ns;
            t.recv_ns += day * day_ns;
            t.seq = ++seq;
            rc = gt_store_append(st, &t);
            if (rc >= 0 && seq % COMMIT_EVERY == 0)
                rc = gt_store_commit(st, seq);
        }
    if (rc >= 0)
        rc = gt_store_commit(st, seq);
    if (rc >= 0)
        rc = gt_store_compact(st);
    if (rc < 0)
        fprintf(stderr, "bench_retention: %s\n", gt_store_errmsg(st));
    gt_store_close(st);
    return rc < 0 ? rc : GT_OK;
}

/* ---- the baseline: a column family per day ---- */

struct parted {
    rocksdb_t *db;
    rocksdb_options_t *opts, *cf_opts;
    rocksdb_column_family_handle_t *cf[MAX_DAYS + 1]; /* [0] default, [1 + day] */
    int live[MAX_DAYS + 1];
};

/* The ticks family's options of store.c, in a database of its own. */
static rocksdb_options_t *ticks_options(void)
{
    rocksdb_options_t *t = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(t, 1);
    rocksdb_options_set_create_missing_column_families(t, 1);
    rocksdb_options_set_max_open_files(t, -1);
    rocksdb_options_set_max_background_jobs(t, 2);
    store_ticks_cf_options(t);
    return t;
}

static void day_name(char out[16], int day)
{
    snprintf(out, 16, "ticks-d%d", day % 100);
}

static int parted_open(struct parted *p, const char *path, int secondary, const char *sec_path)
{
    char names[MAX_DAYS + 1][16];
    const char *np[MAX_DAYS + 1];
    const rocksdb_options_t *co[MAX_DAYS + 1];
    int n = 0;
    char *err = NULL;
    memset(p, 0, sizeof *p);
    p->opts = ticks_options();
    p->cf_opts = ticks_options();
    if (secondary) { /* a reader as store.c opens one, finding the day families first */
        rocksdb_options_set_max_file_opening_threads(p->opts, 1);
        rocksdb_options_set_skip_stats_update_on_db_open(p->opts, 1);
        size_t have = 0;
        char **list = rocksdb_list_column_families(p->opts, path, &have, &err);
        if (err)
            return fail("listing the day families", err);
        for (size_t i = 0; i < have && n <= MAX_DAYS; i++) {
            snprintf(names[n], sizeof names[n], "%s", list[i]);
            n++;
        }
        rocksdb_list_column_families_destroy(list, have);
    } else {
        snprintf(names[n++], sizeof names[0], "default");
        for (int d = 0; d < n_days; d++)
            day_name(names[n++], d);
    }
    for (int i = 0; i < n; i++) {
        np[i] = names[i];
        co[i] = p->cf_opts;
    }
    p->db = secondary ? rocksdb_open_as_secondary_column_families(p->opts, path, sec_path, n, np,
                                                                  co, p->cf, &err)
                      : rocksdb_open_column_families(p->opts, path, n, np, co, p->cf, &err);
    if (err)
        return fail(path, err);
    for (int i = 0; i < n; i++)
        p->live[i] = 1;
    return GT_OK;
}

static void parted_close(struct parted *p)
{
    for (int i = 0; i <= MAX_DAYS; i++)
        if (p->cf[i])
            rocksdb_column_family_handle_destroy(p->cf[i]);
    if (p->db)
        rocksdb_close(p->db);
    rocksdb_options_destroy(p->opts);
    rocksdb_options_destroy(p->cf_opts);
}

static int64_t day_of(int64_t ns)
{
    return (ns - day0_ns) / day_ns;
}

/* Puts the block v[0..vlen) of series under key into the families of its
 * days: whole when all its ticks are of one day, else decoded, cut at the
 * day boundaries and each part encoded under its first tick's time. */
static int parted_put(struct parted *p, rocksdb_writebatch_t *b, const char *k, size_t klen,
                      const uint8_t *v, size_t vlen)
{
    static struct gt_tick t[BLOCK_CAP];
    static uint8_t scratch[BLOCK_SCRATCH_LEN], out[BLOCK_OUT_MAX];
    struct block_hdr h;
    uint32_t series;
    int64_t key_ns;
    if (key_block_decode((const uint8_t *)k, klen, &series, &key_ns) < 0 ||
        block_hdr_read(v, vlen, &h) < 0)
        return GT_EBADMSG;
    int64_t d0 = day_of(h.min_ns), d1 = day_of(h.max_ns);
    if (d0 < 0 || d1 >= n_days)
        return GT_EINVAL;
    if (d0 == d1) {
        rocksdb_writebatch_put_cf(b, p->cf[1 + d0], k, klen, (const char *)v, vlen);
        return GT_OK;
    }
    int n = block_decode(v, vlen, t, BLOCK_CAP, scratch, NULL);
    if (n < 0)
        return n;
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && day_of(t[j].exch_ns) == day_of(t[i].exch_ns))
            j++;
        int len = block_encode(t + i, (size_t)(j - i), h.tick_px, 0, scratch, out, sizeof out);
        if (len < 0)
            return len;
        uint8_t key[KEY_BLOCK_LEN];
        key_block_encode(key, series, i == 0 ? key_ns : t[i].exch_ns);
        rocksdb_writebatch_put_cf(b, p->cf[1 + day_of(t[i].exch_ns)], (const char *)key, sizeof key,
                                  (const char *)out, (size_t)len);
        i = j;
    }
    return GT_OK;
}

/* Copies every block of the store's ticks family into the day families. */
static int parted_fill(struct parted *p, const char *store_path)
{
    const char *names[3] = {"default", "ticks", "meta"};
    rocksdb_options_t *o = rocksdb_options_create();
    const rocksdb_options_t *co[3] = {o, o, o};
    rocksdb_column_family_handle_t *cf[3];
    char *err = NULL;
    rocksdb_t *src =
        rocksdb_open_for_read_only_column_families(o, store_path, 3, names, co, cf, 0, &err);
    if (err) {
        rocksdb_options_destroy(o);
        return fail(store_path, err);
    }
    rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
    rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
    rocksdb_writebatch_t *b = rocksdb_writebatch_create();
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(src, ro, cf[1]);
    int rc = GT_OK;
    uint8_t first[KEY_BLOCK_LEN]; /* series 1: the commit mark before it is no block */
    key_block_encode(first, 1, INT64_MIN);
    for (rocksdb_iter_seek(it, (const char *)first, sizeof first);
         rocksdb_iter_valid(it) && rc == GT_OK; rocksdb_iter_next(it)) {
        size_t klen, vlen;
        const char *k = rocksdb_iter_key(it, &klen), *v = rocksdb_iter_value(it, &vlen);
        if ((rc = parted_put(p, b, k, klen, (const uint8_t *)v, vlen)) < 0) {
            fprintf(stderr, "bench_retention: a block that cannot be copied: %s\n",
                    gt_strerror(rc));
            break;
        }
        if (rocksdb_writebatch_count(b) >= 1000) {
            rocksdb_write(p->db, wo, b, &err);
            rocksdb_writebatch_clear(b);
        }
        if (err)
            rc = fail("copying blocks", err), err = NULL;
    }
    if (rc == GT_OK)
        rocksdb_write(p->db, wo, b, &err);
    if (err)
        rc = fail("copying blocks", err);
    rocksdb_iter_destroy(it);
    rocksdb_writebatch_destroy(b);
    rocksdb_writeoptions_destroy(wo);
    rocksdb_readoptions_destroy(ro);
    for (int i = 0; i < 3; i++)
        rocksdb_column_family_handle_destroy(cf[i]);
    rocksdb_close(src);
    rocksdb_options_destroy(o);
    rocksdb_compactoptions_t *c = rocksdb_compactoptions_create();
    rocksdb_compactoptions_set_bottommost_level_compaction(c, 1);
    for (int d = 0; d < n_days && rc == GT_OK; d++)
        rocksdb_compact_range_cf_opt(p->db, p->cf[1 + d], c, NULL, 0, NULL, 0);
    rocksdb_compactoptions_destroy(c);
    return rc;
}

static uint64_t parted_bytes(struct parted *p)
{
    uint64_t total = 0;
    for (int i = 1; i <= n_days; i++) {
        uint64_t v = 0;
        if (p->live[i] &&
            rocksdb_property_int_cf(p->db, p->cf[i], "rocksdb.total-sst-files-size", &v) == 0)
            total += v;
    }
    return total;
}

/* ---- reads ---- */

/* The .sst files of a folder: their bytes, deleted or not, and those of the
 * files numbered above sst_after (RocksDB numbers new files upwards, so these
 * are what a compaction wrote); sst_max, the greatest number. */
static uint64_t sst_bytes, sst_new_bytes;
static uint32_t sst_after, sst_max;
static int sst_add(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    size_t n = strlen(p);
    if (flag != FTW_F || n <= 4 || strcmp(p + n - 4, ".sst") != 0)
        return 0;
    uint32_t num = (uint32_t)strtoul(p + ftw->base, NULL, 10);
    sst_bytes += (uint64_t)sb->st_size;
    if (num > sst_after)
        sst_new_bytes += (uint64_t)sb->st_size;
    if (num > sst_max)
        sst_max = num;
    return 0;
}

static void sst_walk(const char *path, uint32_t after)
{
    sst_bytes = sst_new_bytes = 0;
    sst_after = after;
    sst_max = 0;
    nftw(path, sst_add, 16, FTW_PHYS);
}

static uint64_t folder_sst_bytes(const char *path)
{
    sst_walk(path, UINT32_MAX);
    return sst_bytes;
}

static uint32_t sst_last(const char *path)
{
    sst_walk(path, UINT32_MAX);
    return sst_max;
}

/* Decodes the blocks from it (positioned) while their key is of series (0:
 * any) and below to_ns, skipping by its header a block with no tick at or
 * after from_ns, as gt_store_iter does; returns the ticks in [from_ns,
 * to_ns), or a negative error. */
static long decode_run(rocksdb_iterator_t *it, uint32_t series, int64_t from_ns, int64_t to_ns,
                       struct gt_tick *buf, uint8_t *scratch, uint64_t *acc)
{
    long n_ticks = 0;
    for (; rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t klen, vlen;
        const uint8_t *k = (const uint8_t *)rocksdb_iter_key(it, &klen);
        uint32_t s;
        int64_t key_ns;
        if (key_block_decode(k, klen, &s, &key_ns) < 0 || (series && s != series) ||
            key_ns >= to_ns)
            break;
        const uint8_t *v = (const uint8_t *)rocksdb_iter_value(it, &vlen);
        struct block_hdr h;
        if (block_hdr_read(v, vlen, &h) < 0)
            return GT_EBADMSG;
        if (h.max_ns < from_ns)
            continue;
        int n = block_decode(v, vlen, buf, BLOCK_CAP, scratch, NULL);
        if (n < 0)
            return n;
        for (int i = 0; i < n; i++)
            if (buf[i].exch_ns >= from_ns && buf[i].exch_ns < to_ns) {
                *acc += (uint64_t)buf[i].u.trade.px;
                n_ticks++;
            }
    }
    return n_ticks;
}

/* The families a reader opened: one for the whole store, or one per day
 * from cut_day on. */
struct fams {
    rocksdb_t *db;
    rocksdb_column_family_handle_t **cf;
    int n;
    int per_day;
};

struct reads {
    double open_s, scan_s, days_s, night_s;
    long scanned, days, night;
};

/* The ticks in [from_ns, to_ns) of every series 1..n_series: per series one
 * seek in each family the range touches, as gt_store_iter seeks: the block at
 * or before from_ns, which may straddle it, else the series' first. */
static long range_read(const struct fams *f, rocksdb_readoptions_t *ro, int n_series,
                       int64_t from_ns, int64_t to_ns, struct gt_tick *buf, uint8_t *scratch,
                       uint64_t *acc)
{
    int lo = 0, hi = 0;
    if (f->per_day) {
        lo = (int)day_of(from_ns) - cut_day;
        hi = (int)day_of(to_ns - 1) - cut_day;
    }
    (void)ro;
    long total = 0;
    for (uint32_t s = 1; s <= (uint32_t)n_series; s++)
        for (int i = lo; i <= hi; i++) {
            uint8_t key[KEY_BLOCK_LEN], upper[KEY_BLOCK_LEN];
            key_block_encode(key, s, from_ns);
            key_block_encode(upper, s + 1, INT64_MIN); /* the series' end, as gt_store_iter */
            rocksdb_readoptions_t *sro = rocksdb_readoptions_create();
            rocksdb_readoptions_set_iterate_upper_bound(sro, (const char *)upper, sizeof upper);
            rocksdb_iterator_t *it = rocksdb_create_iterator_cf(f->db, sro, f->cf[i]);
            rocksdb_iter_seek_for_prev(it, (const char *)key, sizeof key);
            size_t klen;
            uint32_t at;
            int64_t at_ns;
            if (!rocksdb_iter_valid(it) ||
                key_block_decode((const uint8_t *)rocksdb_iter_key(it, &klen), klen, &at, &at_ns) <
                    0 ||
                at != s) {
                key_block_encode(key, s, INT64_MIN);
                rocksdb_iter_seek(it, (const char *)key, sizeof key);
            }
            long k = decode_run(it, s, from_ns, to_ns, buf, scratch, acc);
            rocksdb_iter_destroy(it);
            rocksdb_readoptions_destroy(sro);
            if (k < 0)
                return k;
            total += k;
        }
    return total;
}

/* The reads, best of ROUNDS: a scan decoding every block left (counting the
 * ticks from the cut on), the last three days of every series, and six hours
 * of every series across the night between days 3 and 4. */
static int reads_run(const struct fams *f, int n_series, struct reads *r)
{
    struct gt_tick *buf = malloc(BLOCK_CAP * sizeof *buf);
    uint8_t *scratch = malloc(BLOCK_SCRATCH_LEN);
    if (!buf || !scratch) {
        free(buf);
        free(scratch);
        return GT_ENOMEM;
    }
    rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
    const int64_t cut = day0_ns + cut_day * day_ns, hour = 3600 * (int64_t)1000000000;
    uint64_t acc = 0;
    long rc = GT_OK;
    r->scan_s = r->days_s = r->night_s = 1e9;
    for (int round = 0; round < ROUNDS && rc >= 0; round++) {
        double t0 = bench_now();
        long got = 0;
        for (int i = 0; i < f->n && rc >= 0; i++) {
            rocksdb_iterator_t *it = rocksdb_create_iterator_cf(f->db, ro, f->cf[i]);
            rocksdb_iter_seek_to_first(it);
            rc = decode_run(it, 0, cut, INT64_MAX, buf, scratch, &acc);
            rocksdb_iter_destroy(it);
            got += rc > 0 ? rc : 0;
        }
        double t1 = bench_now();
        long days =
            rc < 0 ? rc : range_read(f, ro, n_series, cut, cut + 3 * day_ns, buf, scratch, &acc);
        double t2 = bench_now();
        long night = days < 0 ? days
                              : range_read(f, ro, n_series, cut + 20 * hour, cut + 26 * hour, buf,
                                           scratch, &acc);
        double t3 = bench_now();
        rc = night < 0 ? night : days < 0 ? days : rc;
        r->scan_s = t1 - t0 < r->scan_s ? t1 - t0 : r->scan_s;
        r->days_s = t2 - t1 < r->days_s ? t2 - t1 : r->days_s;
        r->night_s = t3 - t2 < r->night_s ? t3 - t2 : r->night_s;
        r->scanned = got;
        r->days = days;
        r->night = night;
    }
    bench_sink(acc);
    rocksdb_readoptions_destroy(ro);
    free(buf);
    free(scratch);
    return rc < 0 ? (int)rc : GT_OK;
}

/* ---- the run ---- */

struct side {
    double delete_s;
    uint64_t before, after, after_files; /* live table bytes; .sst bytes in the folder */
    uint64_t rewritten;                  /* table files the deletion wrote */
    struct reads rd;
};

static int store_side(const char *db, const char *sec, int n_series, int reads, struct side *s)
{
    gt_store *st;
    int rc = store_open(db, GT_STORE_WRITER, &st);
    if (rc < 0)
        return rc;
    if ((rc = gt_store_disk_bytes(st, &s->before)) < 0)
        goto out;
    double t0 = bench_now();
    uint32_t last_file = sst_last(db);
    rc = gt_store_delete_before(st, day0_ns + cut_day * day_ns);
    s->delete_s = bench_now() - t0;
    if (rc >= 0)
        rc = gt_store_disk_bytes(st, &s->after);
out:
    if (rc < 0)
        fprintf(stderr, "bench_retention: %s\n", gt_store_errmsg(st));
    gt_store_close(st);
    if (rc < 0)
        return rc;
    sst_walk(db, last_file);
    s->after_files = sst_bytes;
    s->rewritten = sst_new_bytes;
    if (!reads)
        return GT_OK;
    s->rd.open_s = 1e9;
    for (int i = 0; i < ROUNDS; i++) {
        double t1 = bench_now();
        if ((rc = store_open(db, GT_STORE_READER, &st)) < 0)
            return rc;
        double dt = bench_now() - t1;
        gt_store_close(st);
        s->rd.open_s = dt < s->rd.open_s ? dt : s->rd.open_s;
    }
    /* The scans on the store's own ticks family, opened as a secondary. */
    const char *names[3] = {"default", "ticks", "meta"};
    rocksdb_options_t *o = ticks_options();
    const rocksdb_options_t *co[3] = {o, o, o};
    rocksdb_column_family_handle_t *cf[3];
    char *dberr = NULL;
    rocksdb_t *rdb =
        rocksdb_open_as_secondary_column_families(o, db, sec, 3, names, co, cf, &dberr);
    if (dberr) {
        rocksdb_options_destroy(o);
        return fail(db, dberr);
    }
    struct fams f = {rdb, cf + 1, 1, 0};
    rc = reads_run(&f, n_series, &s->rd);
    for (int i = 0; i < 3; i++)
        rocksdb_column_family_handle_destroy(cf[i]);
    rocksdb_close(rdb);
    rocksdb_options_destroy(o);
    return rc;
}

static int parted_side(const char *db, const char *store_db, const char *sec, int n_series,
                       int reads, struct side *s)
{
    struct parted p;
    int rc = parted_open(&p, db, 0, NULL);
    if (rc == GT_OK)
        rc = parted_fill(&p, store_db);
    if (rc < 0) {
        parted_close(&p);
        return rc;
    }
    s->before = parted_bytes(&p);
    double t0 = bench_now();
    for (int d = 0; d < cut_day && rc == GT_OK; d++) {
        char *err = NULL;
        rocksdb_drop_column_family(p.db, p.cf[1 + d], &err);
        if (err)
            rc = fail("dropping a day", err);
        rocksdb_column_family_handle_destroy(p.cf[1 + d]);
        p.cf[1 + d] = NULL;
        p.live[1 + d] = 0;
    }
    s->delete_s = bench_now() - t0;
    s->after = parted_bytes(&p);
    parted_close(&p);
    s->after_files = folder_sst_bytes(db);
    if (rc < 0 || !reads)
        return rc;
    s->rd.open_s = 1e9;
    for (int i = 0; i < ROUNDS && rc == GT_OK; i++) {
        char tpl[128];
        snprintf(tpl, sizeof tpl, "%s-%d", sec, i);
        double t1 = bench_now();
        rc = parted_open(&p, db, 1, tpl);
        double dt = bench_now() - t1;
        if (rc == GT_OK && i + 1 == ROUNDS) /* the reads, on the last open */
            rc = reads_run(&(struct fams){p.db, p.cf + 1, n_days - cut_day, 1}, n_series, &s->rd);
        parted_close(&p);
        s->rd.open_s = dt < s->rd.open_s ? dt : s->rd.open_s;
    }
    return rc;
}

/* One scenario: days recorded, the first cut of them deleted; with reads,
 * the reads afterwards too. Prints its rows. */
static int scenario(const struct daysim *d, const char *dir, int days, int cut, int reads)
{
    n_days = days;
    cut_day = cut;
    char sdb[96], pdb[96], ssec[96], psec[96];
    snprintf(sdb, sizeof sdb, "%s/store-%d", dir, days);
    snprintf(pdb, sizeof pdb, "%s/parted-%d", dir, days);
    snprintf(ssec, sizeof ssec, "%s/store-reader-%d", dir, days);
    snprintf(psec, sizeof psec, "%s/parted-reader-%d", dir, days);
    struct side g = {0}, b = {0};
    int n_series = 0;
    int rc = record_days(sdb, d);
    gt_store *st;
    if (rc >= 0 && (rc = store_open(sdb, GT_STORE_READER, &st)) >= 0) {
        n_series = gt_store_series_list(st, NULL, 0);
        gt_store_close(st);
    }
    if (rc >= 0) /* copies the store's blocks before its retention */
        rc = parted_side(pdb, sdb, psec, n_series, reads, &b);
    if (rc >= 0)
        rc = store_side(sdb, ssec, n_series, reads, &g);
    if (rc < 0)
        return rc;
    if (reads && (g.rd.scanned != b.rd.scanned || g.rd.days != b.rd.days ||
                  g.rd.night != b.rd.night || g.rd.night == 0)) {
        fprintf(stderr,
                "bench_retention: reads differ: scan %ld vs %ld, 3 days %ld vs %ld, night %ld vs "
                "%ld ticks\n",
                g.rd.scanned, b.rd.scanned, g.rd.days, b.rd.days, g.rd.night, b.rd.night);
        return GT_EIO;
    }
    char what[240];
    snprintf(what, sizeof what,
             "retention: delete %d of %d days (%d M ticks), ms (DeleteRange per series + range "
             "compaction; baseline: drop %d day column families; lower is better)",
             cut, days, days * DAY_TICKS / 1000000, cut);
    bench_row(what, g.delete_s * 1e3, b.delete_s * 1e3);
    snprintf(what, sizeof what,
             "retention of %d of %d days: table files before / after / written by it, MB "
             "(baseline: the same blocks, a family a day)",
             cut, days);
    printf("| %s | %.1f / %.1f / %.1f | %.1f / %.1f / 0 | |\n", what, (double)g.before / 1e6,
           (double)g.after / 1e6, (double)g.rewritten / 1e6, (double)b.before / 1e6,
           (double)b.after / 1e6);
    snprintf(what, sizeof what,
             "retention of %d of %d days: .sst bytes left on disk right after, MB (baseline: "
             "dropped families)",
             cut, days);
    bench_row(what, (double)g.after_files / 1e6, (double)b.after_files / 1e6);
    if (!reads)
        return GT_OK;
    bench_row("after retention: reader open, ms (store: gt_store_open; baseline: list + open "
              "the day families; lower is better)",
              g.rd.open_s * 1e3, b.rd.open_s * 1e3);
    bench_row("after retention: scan decoding every block, M ticks/s (baseline: 3 day families; "
              "higher is better)",
              (double)g.rd.scanned / g.rd.scan_s / 1e6, (double)b.rd.scanned / b.rd.scan_s / 1e6);
    bench_row("after retention: the 3 days of every series, ms (one seek each; baseline: one "
              "per day family; lower is better)",
              g.rd.days_s * 1e3, b.rd.days_s * 1e3);
    snprintf(what, sizeof what,
             "after retention: 6 h of every series across a night (%ld ticks), ms (one seek "
             "each; baseline: two day families; lower is better)",
             g.rd.night);
    bench_row(what, g.rd.night_s * 1e3, b.rd.night_s * 1e3);
    return GT_OK;
}

int bench_retention(void)
{
    struct daysim d;
    const struct daysim_config c = {.n_ticks = DAY_TICKS,
                                    .n_products = 4,
                                    .n_contracts = 12,
                                    .start_ns = day0_ns,
                                    .mean_gap_ns = 200000000, /* 21 h of trading */
                                    .skew = 1};
    int rc = daysim_gen(&d, &c);
    if (rc < 0)
        return rc;
    char dir[] = "/tmp/gt-bench-retention-XXXXXX";
    if (!mkdtemp(dir)) {
        daysim_free(&d);
        return GT_EIO;
    }
    /* Half of a short store, then the daily case: one day of a longer one. */
    rc = scenario(&d, dir, 6, 3, 1);
    if (rc >= 0)
        rc = scenario(&d, dir, MAX_DAYS, 1, 0);
    daysim_free(&d);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
