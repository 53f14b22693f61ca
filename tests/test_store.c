/* SPDX-License-Identifier: MIT */
/* test_store.c -- the tick store on a real RocksDB in a mkdtemp folder: what
 * is committed comes back equal after a reopen, exactly once across restarts,
 * while a writer runs, and despite a corrupt block; bad stores are refused
 * with clear errors; retention frees space. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <ftw.h>
#include <rocksdb/c.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "block.h"
#include "gputick/bytes.h"
#include "gputick/err.h"
#include "gputick/store.h"
#include "gputick/tick.h"
#include "key.h"
#include "gputick/mbp.h"

static char dir[64];
static char db[128];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/gt-test-store-XXXXXX");
    cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
    snprintf(db, sizeof db, "%s/db", dir);
}

static void teardown(void)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(store, .init = setup, .fini = teardown, .timeout = 60);

enum { N_INSTR = 3 };

/* The tick of bus sequence seq in a deterministic multi-series stream: a
 * definition for each instrument first, then trades and level changes. */
static struct gt_tick tick_at(uint64_t seq)
{
    struct gt_tick t;
    memset(&t, 0, sizeof t);
    t.version = GT_TICK_VERSION;
    t.seq = seq;
    t.instr_id = 100 + (int32_t)(seq % N_INSTR);
    t.exch_ns = 1795000000000000000 + (int64_t)seq * 1000000;
    t.recv_ns = t.exch_ns + 25000;
    t.flags = GT_F_EVENT_END;
    if (seq <= N_INSTR) {
        t.kind = GT_KIND_DEF;
        t.u.def.tick_px = 5000000;
        t.u.def.maturity = 20270300 + (uint32_t)t.instr_id % 100;
        t.u.def.type = GT_INSTR_FUTURE;
        memcpy(t.u.def.product, "H100", 4);
        snprintf(t.u.def.symbol, GT_SYMBOL_LEN, "H100-%d", t.instr_id);
    } else if (seq % 4 == 0) {
        t.kind = GT_KIND_TRADE;
        t.u.trade.px = 2500000000 + (int64_t)(seq * 7919 % 41) * 5000000;
        t.u.trade.qty = (int64_t)(seq % 9) + 1;
        t.u.trade.trade_id = (uint32_t)seq;
        t.u.trade.aggressor = GT_SIDE_BID;
    } else {
        t.kind = GT_KIND_LEVEL;
        t.u.level.px = 2500000000 + (int64_t)(seq * 104729 % 37) * 5000000;
        t.u.level.qty = (int64_t)(seq % 300);
        t.u.level.level = (uint8_t)(1 + seq % 10);
        t.u.level.side = (uint8_t)(1 + seq % 2);
        t.u.level.rpt_seq = (uint32_t)seq;
    }
    return t;
}

static gt_store *open_ok(int mode)
{
    gt_store *st = NULL;
    char err[GT_ERRLEN] = "";
    int rc = gt_store_open(db, mode, &st, err);
    cr_assert(eq(int, rc, GT_OK), "open: %s", err);
    return st;
}

static void append_range(gt_store *st, uint64_t from, uint64_t to, int want)
{
    for (uint64_t s = from; s <= to; s++) {
        struct gt_tick t = tick_at(s);
        cr_assert(eq(int, gt_store_append(st, &t), want), "append seq %llu", (unsigned long long)s);
    }
}

/* Reads back every series and checks it holds exactly the ticks of seqs
 * 1..last, each once and equal. Returns the number of ticks read. */
static uint64_t check_all(gt_store *st, uint64_t last)
{
    uint64_t total = 0;
    for (int i = 0; i < N_INSTR; i++)
        for (int kind = 1; kind <= GT_KIND_MAX; kind++) {
            gt_store_iter *it;
            int rc = gt_store_iter_open(st, 100 + i, kind, INT64_MIN, INT64_MAX, &it);
            if (rc == GT_ENOENT)
                continue;
            cr_assert(eq(int, rc, GT_OK), "%s", gt_store_errmsg(st));
            const struct gt_tick *v;
            uint64_t prev = 0;
            int n;
            while ((n = gt_store_iter_next(it, &v)) > 0)
                for (int j = 0; j < n; j++) {
                    struct gt_tick want = tick_at(v[j].seq);
                    cr_assert(gt(u64, v[j].seq, prev), "seq in order, no duplicate");
                    cr_assert(le(u64, v[j].seq, last), "seq %llu beyond %llu",
                              (unsigned long long)v[j].seq, (unsigned long long)last);
                    cr_assert(eq(int, memcmp(&want, &v[j], sizeof want), 0), "tick %llu",
                              (unsigned long long)v[j].seq);
                    prev = v[j].seq;
                    total++;
                }
            cr_assert(eq(int, n, 0), "%s", gt_store_iter_errmsg(it));
            gt_store_iter_close(it);
        }
    cr_assert(eq(u64, total, last), "every tick once");
    return total;
}

/* Bytes in the store's files whose names end in suffix (".log": the WAL). */
static uint64_t files_bytes(const char *suffix)
{
    uint64_t n = 0;
    DIR *d = opendir(db);
    cr_assert(not(eq(ptr, d, NULL)));
    size_t sl = strlen(suffix);
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        char p[512];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s", db, e->d_name);
        if (l > sl && strcmp(e->d_name + l - sl, suffix) == 0 && stat(p, &sb) == 0)
            n += (uint64_t)sb.st_size;
    }
    closedir(d);
    return n;
}

/* Every commit re-puts each open block whole, so the WAL takes several times
 * the ticks' stored size; a reader's open replays all of it. The writer
 * bounds it (docs/store.md, Options) and flushes at its close. */
Test(store, the_wal_stays_small_while_recording_and_a_close_leaves_table_files)
{
    enum { N = 500000, EVERY = 50 };
    gt_store *st = open_ok(GT_STORE_WRITER);
    uint64_t max_wal = 0, written = 0;
    for (uint64_t s = 1; s <= N; s += EVERY) {
        append_range(st, s, s + EVERY - 1, 1);
        cr_assert(eq(int, gt_store_commit(st, s + EVERY - 1), GT_OK), "%s", gt_store_errmsg(st));
        uint64_t w = files_bytes(".log");
        if (w > max_wal)
            max_wal = w;
        written += EVERY;
    }
    /* The flushes that retire old WAL files run in the background: on a busy
     * machine they may lag, so the bound is checked once they had time. */
    uint64_t settled = files_bytes(".log");
    for (int i = 0; i < 100 && settled > (12u << 20); i++) {
        nanosleep(&(struct timespec){0, 50000000}, NULL);
        settled = files_bytes(".log");
    }
    gt_store_close(st);
    uint64_t wal = files_bytes(".log"), sst = files_bytes(".sst");
    fprintf(stderr,
            "WAL: at most %.1f MB while %llu ticks were committed %d at a time, %.1f MB at the "
            "end; after the close %llu bytes of WAL, %.1f MB of table files\n",
            (double)max_wal / 1e6, (unsigned long long)written, EVERY, (double)settled / 1e6,
            (unsigned long long)wal, (double)sst / 1e6);
    cr_assert(le(u64, settled, 12u << 20), "the WAL stays near its 8 MiB bound");
    cr_assert(lt(u64, wal, 4096), "the close flushed the memtables");
    cr_assert(gt(u64, sst, 0));
    st = open_ok(GT_STORE_READER);
    check_all(st, N);
    gt_store_close(st);
}

Test(store, committed_ticks_come_back_equal_after_reopen)
{
    gt_store *st = open_ok(GT_STORE_WRITER);
    cr_assert(eq(u64, gt_store_checkpoint(st), 0));
    enum { N = 3 * BLOCK_TICKS + 77 };
    append_range(st, 1, N / 2, 1);
    cr_assert(eq(int, gt_store_commit(st, N / 2), GT_OK));
    append_range(st, N / 2 + 1, N, 1);
    cr_assert(eq(int, gt_store_commit(st, N + 5), GT_OK), "checkpoint may run ahead");
    gt_store_close(st);

    st = open_ok(GT_STORE_READER);
    cr_assert(eq(u64, gt_store_checkpoint(st), N + 5));
    check_all(st, N);
    struct gt_series_info info[16];
    int ns = gt_store_series_list(st, info, 16);
    cr_assert(eq(int, ns, N_INSTR * 3), "def, trade, level per instrument");
    uint64_t sum = 0;
    for (int i = 0; i < ns; i++) {
        sum += info[i].n_ticks;
        cr_assert(eq(u32, info[i].series, (uint32_t)i + 1));
        char want[16];
        snprintf(want, sizeof want, "H100-%d", info[i].instr_id);
        cr_assert(eq(str, info[i].symbol, want));
        cr_assert(le(i64, info[i].first_ns, info[i].last_ns));
    }
    cr_assert(eq(u64, sum, N));
    struct gt_tick def;
    cr_assert(eq(int, gt_store_instr_find(st, "H100-101", &def), GT_OK));
    cr_assert(eq(i32, def.instr_id, 101));
    cr_assert(eq(i64, def.u.def.tick_px, 5000000));
    cr_assert(eq(int, gt_store_instr_find(st, "B200-1", &def), GT_ENOENT));
    struct gt_tick defs[8];
    cr_assert(eq(int, gt_store_instr_list(st, defs, 8), N_INSTR));
    struct gt_series_info one;
    cr_assert(eq(int, gt_store_series_find(st, 102, GT_KIND_TRADE, &one), GT_OK));
    cr_assert(eq(int, gt_store_series_find(st, 102, GT_KIND_TOB, &one), GT_ENOENT));
    gt_store_close(st);
}

Test(store, time_range_query_returns_exactly_the_range)
{
    gt_store *st = open_ok(GT_STORE_WRITER);
    enum { N = 5 * BLOCK_TICKS };
    append_range(st, 1, N, 1);
    cr_assert(eq(int, gt_store_commit(st, N), GT_OK));
    int64_t from = tick_at(1234).exch_ns, to = tick_at(3 * BLOCK_TICKS + 10).exch_ns;
    gt_store_iter *it;
    cr_assert(eq(int, gt_store_iter_open(st, 101, GT_KIND_LEVEL, from, to, &it), GT_OK));
    const struct gt_tick *v;
    int n;
    uint64_t got = 0, want = 0;
    for (uint64_t s = N_INSTR + 1; s <= N; s++) {
        struct gt_tick t = tick_at(s);
        want += t.instr_id == 101 && t.kind == GT_KIND_LEVEL && t.exch_ns >= from && t.exch_ns < to;
    }
    while ((n = gt_store_iter_next(it, &v)) > 0)
        for (int j = 0; j < n; j++) {
            cr_assert(ge(i64, v[j].exch_ns, from));
            cr_assert(lt(i64, v[j].exch_ns, to));
            got++;
        }
    cr_assert(eq(int, n, 0));
    cr_assert(eq(u64, got, want));
    gt_store_iter_close(it);
    gt_store_close(st);
}

Test(store, reappending_up_to_the_checkpoint_after_a_restart_is_ignored)
{
    gt_store *st = open_ok(GT_STORE_WRITER);
    append_range(st, 1, 1000, 1);
    cr_assert(eq(int, gt_store_commit(st, 1000), GT_OK));
    append_range(st, 1001, 1500, 1); /* never committed: lost with the crash */
    gt_store_close(st);

    st = open_ok(GT_STORE_WRITER);
    cr_assert(eq(u64, gt_store_checkpoint(st), 1000));
    append_range(st, 900, 1000, 0); /* the recorder replays a little too far back */
    append_range(st, 1001, 2500, 1);
    append_range(st, 2400, 2500, 0); /* and a duplicate within the session */
    cr_assert(eq(int, gt_store_commit(st, 2499), GT_EINVAL), "checkpoint below appended seq");
    cr_assert(eq(int, gt_store_commit(st, 2500), GT_OK));
    struct gt_store_stats stats;
    gt_store_stats_get(st, &stats);
    cr_assert(eq(u64, stats.appended, 1500));
    cr_assert(eq(u64, stats.ignored, 101 + 101));
    cr_assert(eq(u64, stats.commits, 1));
    cr_assert(eq(u64, stats.pending, 0));
    cr_assert(eq(u64, stats.series, N_INSTR * 3));
    gt_store_close(st);

    st = open_ok(GT_STORE_READER);
    check_all(st, 2500);
    gt_store_close(st);
}

Test(store, open_block_is_replaced_as_it_grows_not_duplicated)
{
    gt_store *st = open_ok(GT_STORE_WRITER);
    uint64_t seq = 1;
    struct gt_series_info info;
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 100; i++) {
            struct gt_tick t = tick_at(4 * seq); /* trades of one instrument */
            t.instr_id = 7;
            t.seq = seq++;
            cr_assert(eq(int, gt_store_append(st, &t), 1));
        }
        cr_assert(eq(int, gt_store_commit(st, seq - 1), GT_OK));
        cr_assert(eq(int, gt_store_series_find(st, 7, GT_KIND_TRADE, &info), GT_OK));
        cr_assert(eq(u64, info.n_blocks, 1));
        cr_assert(eq(u64, info.n_ticks, 100 * (uint64_t)(round + 1)));
        if (round == 2) { /* a restart reloads the open block and keeps growing it */
            gt_store_close(st);
            st = open_ok(GT_STORE_WRITER);
        }
    }
    /* Past BLOCK_TICKS a second block starts. */
    for (int i = 0; i < BLOCK_TICKS; i++) {
        struct gt_tick t = tick_at(4 * seq);
        t.instr_id = 7;
        t.seq = seq++;
        cr_assert(eq(int, gt_store_append(st, &t), 1));
    }
    cr_assert(eq(int, gt_store_commit(st, seq - 1), GT_OK));
    gt_store_close(st);

    /* Count the keys themselves. */
    st = open_ok(GT_STORE_READER);
    cr_assert(eq(int, gt_store_series_find(st, 7, GT_KIND_TRADE, &info), GT_OK));
    cr_assert(eq(u64, info.n_blocks, 2));
    cr_assert(eq(u64, info.n_ticks, 500 + BLOCK_TICKS));
    gt_store_iter *it;
    cr_assert(eq(int, gt_store_iter_open(st, 7, GT_KIND_TRADE, INT64_MIN, INT64_MAX, &it), GT_OK));
    const struct gt_tick *v;
    int n, runs = 0;
    uint64_t total = 0, prev = 0;
    while ((n = gt_store_iter_next(it, &v)) > 0) {
        runs++;
        for (int j = 0; j < n; j++) {
            cr_assert(eq(u64, v[j].seq, prev + 1));
            prev = v[j].seq;
        }
        total += (uint64_t)n;
    }
    cr_assert(eq(int, runs, 2), "two blocks");
    cr_assert(eq(u64, total, 500 + BLOCK_TICKS));
    gt_store_iter_close(it);
    gt_store_close(st);
}

/* A writer process commits batches while this process reads as a secondary:
 * every refresh shows exactly the ticks up to the checkpoint it shows. */
Test(store, reader_sees_a_consistent_prefix_while_a_writer_commits)
{
    enum { BATCH = 997, BATCHES = 40 };
    /* The writer is a child forked before this process uses RocksDB: a child
     * of a process with RocksDB's background threads has none of them, and
     * its first flush (the close flushes) would wait for them forever. The
     * first batch is committed before the reader opens. */
    int go[2], status = 0;
    cr_assert(eq(int, pipe(go), 0));
    pid_t pid = fork();
    cr_assert(ge(int, pid, 0));
    if (pid == 0) {
        gt_store *cw = NULL;
        char err[GT_ERRLEN];
        if (gt_store_open(db, GT_STORE_WRITER, &cw, err) != GT_OK)
            _exit(2);
        for (uint64_t s = 1; s <= BATCH; s++) {
            struct gt_tick t = tick_at(s);
            gt_store_append(cw, &t);
        }
        if (gt_store_commit(cw, BATCH) != GT_OK || write(go[1], "y", 1) != 1)
            _exit(1);
        for (uint64_t b = 1; b < BATCHES; b++) {
            for (uint64_t s = b * BATCH + 1; s <= (b + 1) * BATCH; s++) {
                struct gt_tick t = tick_at(s);
                gt_store_append(cw, &t);
            }
            if (gt_store_commit(cw, (b + 1) * BATCH) != GT_OK)
                _exit(1);
            usleep(2000);
        }
        gt_store_close(cw);
        _exit(0);
    }
    char c;
    cr_assert(eq(int, (int)read(go[0], &c, 1), 1), "the writer committed its first batch");
    gt_store *r = open_ok(GT_STORE_READER);
    uint64_t seen = 0;
    int views = 0;
    bool child_done = false;
    time_t t0 = time(NULL);
    while (time(NULL) - t0 < 30 && views < 1000) {
        cr_assert(eq(int, gt_store_refresh(r), GT_OK), "%s", gt_store_errmsg(r));
        uint64_t ck = gt_store_checkpoint(r);
        cr_assert(ge(u64, ck, seen), "never goes back");
        check_all(r, ck);
        seen = ck;
        views++;
        if (child_done && ck == (uint64_t)BATCHES * BATCH)
            break;
        if (!child_done && waitpid(pid, &status, WNOHANG) == pid)
            child_done = true;
    }
    if (!child_done)
        waitpid(pid, &status, 0);
    cr_assert(eq(int, WEXITSTATUS(status), 0), "writer failed");
    cr_assert(eq(u64, seen, (uint64_t)BATCHES * BATCH), "reader caught up");
    cr_assert(gt(int, views, 2));
    gt_store_close(r);
}

/* A reader that stays open while the writer flushes (at its close here;
 * every 8 MiB of WAL while recording) must not mix the memtable it replayed
 * from the retired WAL with the new table files. */
Test(store, a_reader_that_stays_open_sees_whole_commits_across_a_flush)
{
    enum { BATCH = 3 * BLOCK_TICKS / 2 };
    gt_store *w = open_ok(GT_STORE_WRITER);
    append_range(w, 1, BATCH, 1);
    cr_assert(eq(int, gt_store_commit(w, BATCH), GT_OK));
    gt_store *r = open_ok(GT_STORE_READER);
    check_all(r, BATCH);
    append_range(w, BATCH + 1, 2 * BATCH, 1);
    cr_assert(eq(int, gt_store_commit(w, 2 * BATCH), GT_OK));
    cr_assert(eq(int, gt_store_refresh(r), GT_OK), "%s", gt_store_errmsg(r));
    cr_assert(eq(u64, gt_store_checkpoint(r), 2 * BATCH));
    check_all(r, 2 * BATCH); /* from the WAL */
    append_range(w, 2 * BATCH + 1, 3 * BATCH, 1);
    cr_assert(eq(int, gt_store_commit(w, 3 * BATCH), GT_OK));
    gt_store_close(w); /* flushes: the WAL the reader replayed is retired */
    cr_assert(eq(int, gt_store_refresh(r), GT_OK), "%s", gt_store_errmsg(r));
    cr_assert(eq(u64, gt_store_checkpoint(r), 3 * BATCH), "the last commit's checkpoint");
    check_all(r, 3 * BATCH);
    gt_store_close(r);
}

Test(store, missing_store_is_a_clear_error)
{
    gt_store *st = (gt_store *)1;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_READER, &st, err), GT_ENOENT));
    cr_assert(eq(ptr, st, NULL));
    cr_assert(not(eq(ptr, strstr(err, db), NULL)), "names the path: %s", err);
    cr_assert(not(eq(ptr, strstr(err, "no tick store"), NULL)), "%s", err);
}

/* tickstore --db pointed at tickfeed's journal, or at any folder in use:
 * refused, and nothing is added to it; an empty folder is fine. */
Test(store, a_writer_makes_a_store_only_in_a_new_or_empty_folder)
{
    char err[GT_ERRLEN];
    gt_store *st = NULL;
    cr_assert(eq(int, mkdir(db, 0755), 0));
    char f[160];
    snprintf(f, sizeof f, "%s/j-00000000000000000001.gtj", db);
    FILE *fp = fopen(f, "w");
    cr_assert(not(eq(ptr, fp, NULL)));
    fclose(fp);
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER, &st, err), GT_EVERSION));
    cr_assert(eq(ptr, st, NULL));
    cr_assert(not(eq(ptr, strstr(err, "is not a gputick store (it holds other files)"), NULL)),
              "%s", err);
    cr_assert(not(eq(ptr, strstr(err, db), NULL)), "names the path: %s", err);
    DIR *d = opendir(db);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    cr_assert(eq(int, n, 1), "nothing was added to the folder");
    cr_assert(eq(int, unlink(f), 0));
    st = open_ok(GT_STORE_WRITER); /* the same folder, empty now */
    gt_store_close(st);
    st = open_ok(GT_STORE_WRITER); /* and the store it holds */
    gt_store_close(st);
    /* A file is no folder. */
    snprintf(f, sizeof f, "%s/a-file", dir);
    fp = fopen(f, "w");
    fclose(fp);
    cr_assert(eq(int, gt_store_open(f, GT_STORE_WRITER, &st, err), GT_EINVAL), "%s", err);
    cr_assert(not(eq(ptr, strstr(err, "is not a folder"), NULL)), "%s", err);
}

/* A writer killed while it created a store (kill -9 between RocksDB's first
 * files and the format record) left its creation mark: the next writer
 * creates the store there again, where it once refused the folder for ever;
 * a reader meanwhile finds no store, and a writer still creating it is not
 * disturbed (GT_EBUSY). The half-made store here: a RocksDB database without
 * the store's families, as RocksDB's create leaves it. */
Test(store, a_creation_killed_halfway_is_made_again_by_the_next_writer)
{
    char err[GT_ERRLEN], mark[160];
    gt_store *st = NULL;
    rocksdb_options_t *o = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(o, 1);
    char *dberr = NULL;
    rocksdb_t *half = rocksdb_open(o, db, &dberr);
    cr_assert(eq(ptr, dberr, NULL), "%s", dberr);
    rocksdb_close(half);
    rocksdb_options_destroy(o);
    snprintf(mark, sizeof mark, "%s/GPUTICK-CREATING", db);
    int fd = open(mark, O_RDWR | O_CREAT, 0644);
    cr_assert(ge(int, fd, 0));
    cr_assert(eq(int, gt_store_open(db, GT_STORE_READER, &st, err), GT_ENOENT));
    cr_assert(not(eq(ptr, strstr(err, "a writer is creating one"), NULL)), "%s", err);
    cr_assert(eq(int, flock(fd, LOCK_EX), 0)); /* a writer creating it now */
    pid_t pid = fork();
    cr_assert(ge(int, pid, 0));
    if (pid == 0) /* flock is per open file: another process sees it held */
        _exit(gt_store_open(db, GT_STORE_WRITER, &st, err) == GT_EBUSY &&
                      strstr(err, "another writer is creating the store")
                  ? 0
                  : 1);
    int status;
    cr_assert(eq(int, waitpid(pid, &status, 0), pid));
    cr_assert(eq(int, WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0), "GT_EBUSY while held");
    close(fd); /* the creator died */
    st = open_ok(GT_STORE_WRITER);
    struct gt_tick t = tick_at(1);
    cr_assert(ge(int, gt_store_append(st, &t), 0));
    cr_assert(eq(int, gt_store_commit(st, 1), GT_OK));
    gt_store_close(st);
    cr_assert(ne(int, access(mark, F_OK), 0), "the mark is gone once the store is made");
    st = open_ok(GT_STORE_READER);
    cr_assert(eq(u64, gt_store_checkpoint(st), 1));
    gt_store_close(st);
}

Test(store, a_writer_that_must_not_create_refuses_a_missing_store)
{
    char err[GT_ERRLEN];
    gt_store *st = NULL;
    cr_assert(
        eq(int, gt_store_open(db, GT_STORE_WRITER | GT_STORE_NO_CREATE, &st, err), GT_ENOENT));
    cr_assert(not(eq(ptr, strstr(err, "no tick store"), NULL)), "%s", err);
    struct stat sb;
    cr_assert(not(eq(int, stat(db, &sb), 0)), "no folder made");
    gt_store_close(open_ok(GT_STORE_WRITER));
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER | GT_STORE_NO_CREATE, &st, err), GT_OK),
              "%s", err);
    gt_store_close(st);
    cr_assert(
        eq(int, gt_store_open(db, GT_STORE_READER | GT_STORE_NO_CREATE, &st, err), GT_EINVAL));
}

static void plain_rocksdb(const char *path)
{
    rocksdb_options_t *o = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(o, 1);
    char *e = NULL;
    rocksdb_t *d = rocksdb_open(o, path, &e);
    cr_assert(eq(ptr, e, NULL));
    rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
    rocksdb_put(d, wo, "k", 1, "v", 1, &e);
    cr_assert(eq(ptr, e, NULL));
    rocksdb_writeoptions_destroy(wo);
    rocksdb_close(d);
    rocksdb_options_destroy(o);
}

Test(store, plain_rocksdb_is_refused_as_not_a_gputick_store)
{
    plain_rocksdb(db);
    for (int mode = GT_STORE_WRITER; mode <= GT_STORE_READER; mode++) {
        gt_store *st;
        char err[GT_ERRLEN];
        cr_assert(eq(int, gt_store_open(db, mode, &st, err), GT_EVERSION));
        cr_assert(not(eq(ptr, strstr(err, "not a gputick tick store"), NULL)), "%s", err);
    }
}

/* Opens the store's RocksDB directly, with its column families. */
static rocksdb_t *raw_open(rocksdb_column_family_handle_t *cf[3], rocksdb_options_t **o)
{
    static const char *names[3] = {"default", "ticks", "meta"};
    *o = rocksdb_options_create();
    const rocksdb_options_t *cfo[3] = {*o, *o, *o};
    char *e = NULL;
    rocksdb_t *d = rocksdb_open_column_families(*o, db, 3, names, cfo, cf, &e);
    cr_assert(eq(ptr, e, NULL), "%s", e);
    return d;
}

static void raw_close(rocksdb_t *d, rocksdb_column_family_handle_t *cf[3], rocksdb_options_t *o)
{
    for (int i = 0; i < 3; i++)
        rocksdb_column_family_handle_destroy(cf[i]);
    rocksdb_close(d);
    rocksdb_options_destroy(o);
}

Test(store, another_format_version_is_refused)
{
    gt_store_close(open_ok(GT_STORE_WRITER));
    rocksdb_column_family_handle_t *cf[3];
    rocksdb_options_t *o;
    rocksdb_t *d = raw_open(cf, &o);
    uint8_t v[12] = "GTSTORE";
    st_le32(v + 8, 99);
    rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
    char *e = NULL;
    rocksdb_put_cf(d, wo, cf[2], "F", 1, (const char *)v, sizeof v, &e);
    cr_assert(eq(ptr, e, NULL));
    rocksdb_writeoptions_destroy(wo);
    raw_close(d, cf, o);
    gt_store *st;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_READER, &st, err), GT_EVERSION));
    cr_assert(not(eq(ptr, strstr(err, "format 99"), NULL)), "%s", err);
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER, &st, err), GT_EVERSION));
}

Test(store, a_second_writer_is_refused)
{
    int ready[2];
    cr_assert(eq(int, pipe(ready), 0));
    pid_t pid = fork(); /* before this process has RocksDB threads */
    if (pid == 0) {     /* another process tries to record into the same store */
        char c;
        if (read(ready[0], &c, 1) != 1)
            _exit(2);
        gt_store *other = NULL;
        char err[GT_ERRLEN];
        int rc = gt_store_open(db, GT_STORE_WRITER, &other, err);
        _exit(rc == GT_EBUSY && strstr(err, "another tickstore is recording into") ? 0 : 1);
    }
    gt_store *st = open_ok(GT_STORE_WRITER);
    cr_assert(eq(int, write(ready[1], "x", 1), 1));
    int status;
    waitpid(pid, &status, 0);
    cr_assert(eq(int, WEXITSTATUS(status), 0), "second writer in another process refused");
    gt_store *again;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER, &again, err), GT_EBUSY), "%s", err);
    gt_store *reader = open_ok(GT_STORE_READER); /* readers are welcome */
    gt_store_close(reader);
    gt_store_close(st);
    close(ready[0]);
    close(ready[1]);
}

Test(store, corrupt_block_is_reported_with_its_key_and_the_rest_is_read)
{
    gt_store *st = open_ok(GT_STORE_WRITER);
    for (uint64_t s = 1; s <= 3 * BLOCK_TICKS; s++) {
        struct gt_tick t = tick_at(4 * s);
        t.instr_id = 9;
        t.seq = s;
        gt_store_append(st, &t);
    }
    cr_assert(eq(int, gt_store_commit(st, 3 * BLOCK_TICKS), GT_OK));
    gt_store_close(st);

    int64_t bad_ns = tick_at(4 * (BLOCK_TICKS + 1)).exch_ns;
    uint8_t key[KEY_BLOCK_LEN];
    key_block_encode(key, 1, bad_ns);
    rocksdb_column_family_handle_t *cf[3];
    rocksdb_options_t *o;
    rocksdb_t *d = raw_open(cf, &o);
    rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
    char *e = NULL;
    size_t vlen;
    char *v = rocksdb_get_cf(d, ro, cf[1], (const char *)key, sizeof key, &vlen, &e);
    cr_assert(not(eq(ptr, v, NULL)), "the second block's key is series 1 + its first exch_ns");
    v[vlen / 2] ^= 0x10;
    rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
    rocksdb_put_cf(d, wo, cf[1], (const char *)key, sizeof key, v, vlen, &e);
    rocksdb_free(v);
    rocksdb_writeoptions_destroy(wo);
    rocksdb_readoptions_destroy(ro);
    raw_close(d, cf, o);

    st = open_ok(GT_STORE_READER);
    gt_store_iter *it;
    cr_assert(eq(int, gt_store_iter_open(st, 9, GT_KIND_TRADE, INT64_MIN, INT64_MAX, &it), GT_OK));
    const struct gt_tick *ticks;
    cr_assert(eq(int, gt_store_iter_next(it, &ticks), BLOCK_TICKS));
    cr_assert(eq(int, gt_store_iter_next(it, &ticks), GT_ECORRUPT));
    uint32_t series;
    int64_t key_ns;
    gt_store_iter_bad_block(it, &series, &key_ns);
    cr_assert(eq(u32, series, 1));
    cr_assert(eq(i64, key_ns, bad_ns));
    cr_assert(not(eq(ptr, strstr(gt_store_iter_errmsg(it), "series 1"), NULL)));
    cr_assert(eq(int, gt_store_iter_next(it, &ticks), BLOCK_TICKS), "the query goes on");
    cr_assert(eq(u64, ticks[0].seq, 2 * BLOCK_TICKS + 1));
    cr_assert(eq(int, gt_store_iter_next(it, &ticks), 0));
    gt_store_iter_close(it);
    gt_store_close(st);
}

static uint64_t disk_bytes(gt_store *st)
{
    uint64_t n;
    cr_assert(eq(int, gt_store_disk_bytes(st, &n), GT_OK));
    return n;
}

Test(store, retention_deletes_old_blocks_keeps_straddling_ones_and_frees_space)
{
    gt_store *st = open_ok(GT_STORE_WRITER);
    enum { N = 20 * BLOCK_TICKS };
    for (uint64_t s = 1; s <= N; s++) {
        struct gt_tick t = tick_at(4 * s);
        t.instr_id = 5;
        t.seq = s;
        t.u.trade.px = 2500000000 + (int64_t)(s * 2654435761u % 1000) * 5000000;
        gt_store_append(st, &t);
    }
    cr_assert(eq(int, gt_store_commit(st, N), GT_OK));
    gt_store_close(st); /* flushes to SST files */
    st = open_ok(GT_STORE_WRITER);
    uint64_t before = disk_bytes(st);
    cr_assert(gt(u64, before, 0));
    /* Cut in the middle of block 15 (ticks 14*BT+1 .. 15*BT). */
    int64_t cut = tick_at(4 * (14 * BLOCK_TICKS + 100)).exch_ns;
    cr_assert(eq(int, gt_store_delete_before(st, cut), 14));
    uint64_t after = disk_bytes(st);
    cr_assert(lt(u64, after, before / 2), "space reclaimed: %llu -> %llu",
              (unsigned long long)before, (unsigned long long)after);
    struct gt_series_info info;
    cr_assert(eq(int, gt_store_series_find(st, 5, GT_KIND_TRADE, &info), GT_OK));
    cr_assert(eq(u64, info.n_blocks, 6));
    cr_assert(eq(u64, info.n_ticks, 6 * BLOCK_TICKS));
    cr_assert(eq(i64, info.first_ns, tick_at(4 * (14 * BLOCK_TICKS + 1)).exch_ns));
    gt_store_iter *it;
    cr_assert(eq(int, gt_store_iter_open(st, 5, GT_KIND_TRADE, INT64_MIN, INT64_MAX, &it), GT_OK));
    const struct gt_tick *v;
    /* The straddling block is kept whole (above), but the store keeps no
     * data before the cut: an iterator starts there, not at the block's
     * older ticks, which would make a partial day look whole. */
    cr_assert(eq(i64, gt_store_horizon(st), cut));
    cr_assert(eq(int, gt_store_iter_next(it, &v), BLOCK_TICKS - 99));
    cr_assert(eq(u64, v[0].seq, 14 * BLOCK_TICKS + 100), "from the cut on");
    gt_store_iter_close(it);
    gt_store *r = open_ok(GT_STORE_READER);
    cr_assert(eq(i64, gt_store_horizon(r), cut), "recorded in the metadata");
    gt_store_close(r);
    /* The writer carries on after retention. */
    struct gt_tick t = tick_at(4 * (N + 1));
    t.instr_id = 5;
    t.seq = N + 1;
    cr_assert(eq(int, gt_store_append(st, &t), 1));
    cr_assert(eq(int, gt_store_delete_before(st, cut), GT_EINVAL), "commit first");
    cr_assert(eq(int, gt_store_commit(st, N + 1), GT_OK));
    cr_assert(eq(int, gt_store_delete_before(st, cut), 0), "nothing more to delete");
    cr_assert(eq(int, gt_store_delete_before(st, cut - 1000), 0));
    cr_assert(eq(i64, gt_store_horizon(st), cut), "an earlier cut brings nothing back");
    gt_store_close(st);
}

/* A write that fails (here: the file-size limit, as a full disk would) commits
 * nothing and loses nothing: once writes work again, the next commit holds
 * every tick. */
Test(store, a_failed_commit_is_retried_with_nothing_lost)
{
    gt_store *st = open_ok(GT_STORE_WRITER);
    append_range(st, 1, 1000, 1);
    cr_assert(eq(int, gt_store_commit(st, 1000), GT_OK));
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 4096; /* no file can grow past 4 KiB */
    setrlimit(RLIMIT_FSIZE, &lim);
    append_range(st, 1001, 6000, 1);
    int rc = gt_store_commit(st, 6000);
    cr_assert(lt(int, rc, 0), "the write must fail under the limit");
    cr_assert(not(eq(str, (char *)gt_store_errmsg(st), "")));
    cr_assert(eq(u64, gt_store_checkpoint(st), 1000));
    struct gt_store_stats stats;
    gt_store_stats_get(st, &stats);
    cr_assert(eq(u64, stats.commit_errors, 1));
    cr_assert(eq(u64, stats.pending, 5000), "nothing dropped");
    setrlimit(RLIMIT_FSIZE, &old);
    append_range(st, 6001, 7000, 1);
    cr_assert(eq(int, gt_store_commit(st, 7000), GT_OK), "%s", gt_store_errmsg(st));
    gt_store_close(st);
    st = open_ok(GT_STORE_READER);
    cr_assert(eq(u64, gt_store_checkpoint(st), 7000));
    check_all(st, 7000);
    gt_store_close(st);
}

/* Blocks that start at the same exch_ns (one busy nanosecond, or time going
 * back) get distinct keys, so no block replaces another. */
Test(store, equal_times_across_block_boundaries_lose_nothing)
{
    gt_store *st = open_ok(GT_STORE_WRITER);
    enum { N = 2 * BLOCK_TICKS + BLOCK_TICKS / 2 };
    int64_t ns = 1795000000000000000;
    for (uint64_t s = 1; s <= N; s++) {
        struct gt_tick t = tick_at(4 * s);
        t.instr_id = 3;
        t.seq = s;
        t.exch_ns = s <= 2 * BLOCK_TICKS ? ns : ns - 5; /* the third block starts earlier */
        cr_assert(eq(int, gt_store_append(st, &t), 1));
    }
    cr_assert(eq(int, gt_store_commit(st, N), GT_OK));
    gt_store_iter *it;
    cr_assert(eq(int, gt_store_iter_open(st, 3, GT_KIND_TRADE, ns - 5, ns + 1, &it), GT_OK));
    const struct gt_tick *v;
    int n;
    uint64_t prev = 0;
    while ((n = gt_store_iter_next(it, &v)) > 0)
        for (int j = 0; j < n; j++) {
            cr_assert(eq(u64, v[j].seq, prev + 1));
            prev = v[j].seq;
        }
    cr_assert(eq(int, n, 0));
    cr_assert(eq(u64, prev, N), "every tick, in order");
    gt_store_iter_close(it);
    struct gt_series_info info;
    cr_assert(eq(int, gt_store_series_find(st, 3, GT_KIND_TRADE, &info), GT_OK));
    cr_assert(eq(u64, info.n_blocks, 3));
    cr_assert(eq(i64, info.first_ns, ns - 5));
    cr_assert(eq(i64, info.last_ns, ns));
    gt_store_close(st);
}

/* ---- a real full disk: the store on a small tmpfs (needs root) ---- */

static char fs_dir[96];

static void fs_umount(void)
{
    if (fs_dir[0])
        umount2(fs_dir, MNT_DETACH);
}

/* The store on an 8 MiB tmpfs: commits succeed until the disk is full, then
 * fail with GT_ENOSPC and a message, the checkpoint stays the last good one
 * and nothing appended is dropped; once the filesystem is grown the next
 * commit writes it all, and the store holds every tick exactly once. */
Test(store, full_disk_stops_with_enospc_keeps_checkpoint_and_resumes_losing_nothing,
     .fini = fs_umount, .timeout = 60)
{
    snprintf(fs_dir, sizeof fs_dir, "%s/fs", dir);
    cr_assert(eq(int, mkdir(fs_dir, 0700), 0));
    if (mount("tmpfs", fs_dir, "tmpfs", 0, "size=8m") != 0) {
        fs_dir[0] = 0;
        cr_skip_test("cannot mount a tmpfs (%s): needs root", strerror(errno));
    }
    snprintf(db, sizeof db, "%s/db", fs_dir);
    gt_store *st = open_ok(GT_STORE_WRITER);
    enum { CHUNK = 20000, MAX_TICKS = 4000000 };
    uint64_t last = 0, good = 0;
    int rc = GT_OK;
    while (last < MAX_TICKS) {
        append_range(st, last + 1, last + CHUNK, 1);
        last += CHUNK;
        if ((rc = gt_store_commit(st, last)) < 0)
            break;
        good = last;
    }
    cr_assert(eq(int, rc, GT_ENOSPC), "the commit of %llu ticks on 8 MiB: %s",
              (unsigned long long)last, gt_store_errmsg(st));
    cr_assert(gt(u64, good, 0), "some commits fit");
    cr_assert(not(eq(ptr, strstr(gt_store_errmsg(st), "No space"), NULL)), "%s",
              gt_store_errmsg(st));
    cr_assert(eq(u64, gt_store_checkpoint(st), good), "the last good checkpoint is kept");
    struct gt_store_stats stats;
    gt_store_stats_get(st, &stats);
    cr_assert(eq(u64, stats.pending, last - good), "nothing appended was dropped");
    /* Still full: a retry fails the same way and loses nothing either. */
    cr_assert(lt(int, gt_store_commit(st, last), 0));
    cr_assert(eq(u64, gt_store_checkpoint(st), good));
    cr_assert(eq(int, mount("tmpfs", fs_dir, "tmpfs", MS_REMOUNT, "size=256m"), 0), "%s",
              strerror(errno));
    append_range(st, last + 1, last + CHUNK, 1);
    last += CHUNK;
    cr_assert(eq(int, gt_store_commit(st, last), GT_OK), "%s", gt_store_errmsg(st));
    gt_store_close(st);
    st = open_ok(GT_STORE_READER);
    cr_assert(eq(u64, gt_store_checkpoint(st), last));
    check_all(st, last);
    gt_store_close(st);
}

/* ---- book checkpoints ---- */

enum { BK_N = 30000, BK_EVERY = 97 };

/* A book stream for instruments 7 and 8 with trades between, status ticks
 * (stale, recovered, reset), implied levels and runs of equal times. */
static size_t book_stream(struct gt_tick *out)
{
    uint64_t r = 0x9e3779b97f4a7c15u;
    int cnt[2][2] = {{0, 0}, {0, 0}};
    int64_t ns = 1795000000000000000;
    for (size_t i = 0; i < BK_N; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        ns += r % 3 == 0 ? 0 : (int64_t)(r % 5000000);
        struct gt_tick *t = &out[i];
        memset(t, 0, sizeof *t);
        t->version = GT_TICK_VERSION;
        t->seq = i + 1;
        t->exch_ns = ns;
        t->recv_ns = ns + 1000;
        int who = (int)((r >> 20) % 2), *c = cnt[who], u = (int)((r >> 24) % 100);
        t->instr_id = 7 + who;
        if (u < 10) {
            t->kind = GT_KIND_TRADE;
            t->u.trade.px = 2500000000;
            t->u.trade.qty = 1;
            continue;
        }
        if (u < 12) {
            t->kind = GT_KIND_STATUS;
            t->u.status.feed = u == 10          ? GT_FEED_STALE
                               : (r >> 30) % 64 ? GT_FEED_RECOVERED
                                                : GT_FEED_RESET;
            if (t->u.status.feed == GT_FEED_RESET)
                c[0] = c[1] = 0;
            continue;
        }
        int s = (int)((r >> 32) % 2), act, lvl;
        if (c[s] == 0 || (u < 50 && c[s] < 12)) {
            act = GT_ACT_NEW;
            lvl = (int)((r >> 36) % (uint64_t)(c[s] + 1)) + 1;
            c[s]++;
        } else if (u < 85) {
            act = GT_ACT_CHANGE;
            lvl = (int)((r >> 36) % (uint64_t)c[s]) + 1;
        } else {
            act = GT_ACT_DELETE;
            lvl = (int)((r >> 36) % (uint64_t)c[s]) + 1;
            c[s]--;
        }
        t->kind = GT_KIND_LEVEL;
        t->flags = u == 99 ? GT_F_IMPLIED : 0;
        t->u.level.px = 2500000000 + (s ? 1 : -1) * (int64_t)((r >> 40) % 30) * 5000000;
        t->u.level.qty = (int64_t)((r >> 44) % 90) + 1;
        t->u.level.n_orders = (int32_t)((r >> 50) % 7) + 1;
        t->u.level.level = (uint8_t)lvl;
        t->u.level.side = (uint8_t)(s + 1);
        t->u.level.action = (uint8_t)act;
        if (t->flags & GT_F_IMPLIED) /* implied books do not move the outright one */
            c[s] -= act == GT_ACT_NEW ? 1 : act == GT_ACT_DELETE ? -1 : 0;
    }
    return BK_N;
}

static void book_assert_eq(const struct gt_mbp_book *got, const struct gt_mbp_book *want,
                           int64_t at)
{
    cr_assert(eq(int, got->stale, want->stale), "stale at %lld", (long long)at);
    for (int s = 0; s < 2; s++) {
        cr_assert(eq(int, got->n[s], want->n[s]), "side %d levels at %lld", s, (long long)at);
        for (int i = 0; i < got->n[s]; i++) {
            cr_assert(eq(i64, got->side[s][i].px, want->side[s][i].px));
            cr_assert(eq(i64, got->side[s][i].qty, want->side[s][i].qty));
            cr_assert(eq(i32, got->side[s][i].n_orders, want->side[s][i].n_orders));
        }
    }
}

/* Appends ticks [from, to) committing every 1000 and at the end; with
 * restart_at in the range, closes and reopens the writer before that tick. */
static gt_store *book_write(gt_store *st, const struct gt_tick *t, size_t from, size_t to,
                            size_t restart_at)
{
    for (size_t i = from; i < to; i++) {
        if (i == restart_at && i > from) { /* a restart: the books come back from the store */
            cr_assert(eq(int, gt_store_commit(st, t[i - 1].seq), GT_OK));
            gt_store_close(st);
            st = open_ok(GT_STORE_WRITER);
            gt_store_set_book_every(st, BK_EVERY);
        }
        cr_assert(eq(int, gt_store_append(st, &t[i]), 1), "%s", gt_store_errmsg(st));
        if (i % 1000 == 999)
            cr_assert(eq(int, gt_store_commit(st, t[i].seq), GT_OK));
    }
    cr_assert(eq(int, gt_store_commit(st, t[to - 1].seq), GT_OK));
    return st;
}

/* Query q of a series over the stream t[0..n): an instrument and a random
 * time, a third of them exactly on a tick's time; want gets its book. */
static int64_t book_query(uint64_t *r, int q, const struct gt_tick *t, size_t n, int32_t *instr,
                          struct gt_mbp_book *want)
{
    *r ^= *r << 13, *r ^= *r >> 7, *r ^= *r << 17;
    *instr = 7 + (int)(*r % 2);
    int64_t t0 = t[0].exch_ns, span = t[n - 1].exch_ns - t0;
    int64_t at = q % 3 ? t0 - 1000 + (int64_t)(*r >> 8) % (span + 2000) : t[(*r >> 8) % n].exch_ns;
    gt_mbp_book_init(want, GT_MBP_DEPTH_DEFAULT);
    for (size_t i = 0; i < n && t[i].exch_ns <= at; i++)
        if (t[i].instr_id == *instr)
            gt_mbp_book_apply(want, &t[i]);
    return at;
}

/* tickq book --at T from the checkpoints equals a replay from the start and
 * an independent replay in memory, for many random T, with a writer restart
 * in the middle (its books are rebuilt from the store). */
Test(store, book_at_t_from_checkpoints_equals_replay_from_the_start, .timeout = 60)
{
    struct gt_tick *ticks = malloc(BK_N * sizeof *ticks);
    cr_assert(not(eq(ptr, ticks, NULL)));
    size_t n = book_stream(ticks);
    gt_store *st = open_ok(GT_STORE_WRITER);
    gt_store_set_book_every(st, BK_EVERY);
    st = book_write(st, ticks, 0, n, n / 2);
    struct gt_store_stats stats;
    gt_store_stats_get(st, &stats);
    cr_assert(gt(u64, stats.book_checkpoints, 100), "checkpoints written");
    gt_store_close(st);

    st = open_ok(GT_STORE_READER);
    uint64_t r = 12345;
    long with = 0, without = 0;
    for (int q = 0; q < 300; q++) {
        int32_t instr;
        struct gt_mbp_book a, b, want;
        int64_t at = book_query(&r, q, ticks, n, &instr, &want);
        int ra = gt_store_book_at(st, instr, at, 0, &a);
        int rb = gt_store_book_at(st, instr, at, GT_BOOK_REPLAY_ALL, &b);
        cr_assert(ge(int, ra, 0), "%s", gt_store_errmsg(st));
        cr_assert(ge(int, rb, 0), "%s", gt_store_errmsg(st));
        book_assert_eq(&a, &want, at);
        book_assert_eq(&b, &want, at);
        cr_assert(le(int, ra, 2 * BK_EVERY), "at most about N ticks after a checkpoint");
        with += ra;
        without += rb;
    }
    cr_assert(lt(long, with * 20, without), "checkpoints cut the replay (%ld vs %ld ticks)", with,
              without);
    gt_store_close(st);
    free(ticks);
}

/* Retention keeps book --at exact: a time from the cut on is answered as a
 * replay of every tick would answer it, with and without checkpoints; an
 * earlier time is refused, never answered from the ticks that are left; and
 * a writer restarted after the retention rebuilds its books (and writes its
 * next checkpoints) from the checkpoint the retention left. */
Test(store, retention_keeps_books_exact_and_refuses_times_before_the_cut, .timeout = 60)
{
    struct gt_tick *ticks = malloc(BK_N * sizeof *ticks);
    cr_assert(not(eq(ptr, ticks, NULL)));
    size_t n = book_stream(ticks), part = n * 3 / 4;
    gt_store *st = open_ok(GT_STORE_WRITER);
    gt_store_set_book_every(st, BK_EVERY);
    gt_store_close(book_write(st, ticks, 0, part, 0));
    int64_t cut = ticks[n / 2].exch_ns;
    st = open_ok(GT_STORE_WRITER);
    gt_store_set_book_every(st, BK_EVERY);
    cr_assert(gt(int, gt_store_delete_before(st, cut), 0), "%s", gt_store_errmsg(st));
    gt_store_close(book_write(st, ticks, part, n, 0));

    st = open_ok(GT_STORE_READER);
    uint64_t r = 777;
    int refused = 0, answered_before = 0;
    int64_t t0 = ticks[0].exch_ns, span = ticks[n - 1].exch_ns - t0;
    for (int q = 0; q < 400; q++) {
        int32_t instr;
        struct gt_mbp_book a, b, want;
        int64_t at = book_query(&r, q, ticks, n, &instr, &want);
        int ra = gt_store_book_at(st, instr, at, 0, &a);
        int rb = gt_store_book_at(st, instr, at, GT_BOOK_REPLAY_ALL, &b);
        if (at < cut && ra == GT_ERANGE) {
            cr_assert(eq(int, rb, GT_ERANGE));
            cr_assert(not(eq(ptr, strstr(gt_store_errmsg(st), "older than the data kept"), NULL)),
                      "%s", gt_store_errmsg(st));
            refused++;
            continue;
        }
        cr_assert(ge(int, ra, 0), "at %lld (cut %lld): %s", (long long)at, (long long)cut,
                  gt_store_errmsg(st));
        cr_assert(ge(int, rb, 0), "%s", gt_store_errmsg(st));
        cr_assert(ge(i64, at, t0 + span / 4), "a time long before the cut was answered");
        answered_before += at < cut;
        book_assert_eq(&a, &want, at);
        book_assert_eq(&b, &want, at);
    }
    cr_assert(gt(int, refused, 50), "times before the cut were refused (%d)", refused);
    cr_assert(lt(int, answered_before, 20), "only times just before the cut are answered");
    gt_store_close(st);
    free(ticks);
}

/* Flips one byte at the middle of the largest table file of the store. */
static void table_file_flip(void)
{
    char cmd[256], path[512] = "";
    snprintf(cmd, sizeof cmd, "ls -S %s/*.sst | head -1", db);
    FILE *p = popen(cmd, "r");
    cr_assert(not(eq(ptr, p, NULL)));
    cr_assert(not(eq(ptr, fgets(path, sizeof path, p), NULL)));
    pclose(p);
    path[strcspn(path, "\n")] = 0;
    FILE *f = fopen(path, "r+b");
    cr_assert(not(eq(ptr, f, NULL)), "%s", path);
    fseek(f, 0, SEEK_END);
    long mid = ftell(f) / 2;
    cr_assert(gt(long, mid, 50000), "the blocks are in %s", path);
    fseek(f, mid, SEEK_SET);
    int c = fgetc(f);
    fseek(f, mid, SEEK_SET);
    fputc(c ^ 0x40, f);
    fclose(f);
}

/* Reads (9, trade) in [from, to): the seqs found (seen[seq]), the failures
 * and the stretch of the last. Returns the ticks read. */
static int read_past(int64_t from, int64_t to, uint8_t *seen, int *n_bad, int64_t *bad_from,
                     int64_t *bad_to, char *msg)
{
    gt_store *st = open_ok(GT_STORE_READER);
    gt_store_iter *it;
    cr_assert(eq(int, gt_store_iter_open(st, 9, GT_KIND_TRADE, from, to, &it), GT_OK));
    const struct gt_tick *v;
    int n, got = 0;
    uint64_t last = 0;
    *n_bad = 0;
    while ((n = gt_store_iter_next(it, &v)) != 0) {
        if (n < 0) {
            cr_assert(eq(int, n, GT_ECORRUPT), "%s", gt_store_iter_errmsg(it));
            uint32_t series;
            gt_store_iter_bad_block(it, &series, bad_from);
            *bad_to = gt_store_iter_bad_end(it);
            snprintf(msg, GT_ERRLEN, "%s", gt_store_iter_errmsg(it));
            cr_assert(eq(u32, series, 1));
            (*n_bad)++;
            continue;
        }
        for (int i = 0; i < n; i++) {
            cr_assert(gt(u64, v[i].seq, last), "in order, each once");
            last = v[i].seq;
            seen[v[i].seq] = 1;
        }
        got += n;
    }
    gt_store_iter_close(it);
    gt_store_close(st);
    return got;
}

Test(store, an_unreadable_table_file_block_is_skipped_and_the_rest_is_read)
{
    enum { N = 40 * BLOCK_TICKS };
    gt_store *st = open_ok(GT_STORE_WRITER);
    int64_t *ns = malloc((N + 1) * sizeof *ns);
    uint64_t r = 12345;
    int64_t t = 1795000000000000000;
    for (uint64_t s = 1; s <= N; s++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17; /* prices and times that do not compress */
        struct gt_tick k = tick_at(4 * s);
        k.instr_id = 9;
        k.seq = s;
        k.exch_ns = ns[s] = t += 1 + (int64_t)(r % 1000000000);
        k.u.trade.px = 2500000000 + (int64_t)(r >> 20) % 1000 * 5000000;
        k.u.trade.qty = 1 + (int64_t)(r >> 40) % 1000;
        cr_assert(eq(int, gt_store_append(st, &k), 1));
    }
    cr_assert(eq(int, gt_store_commit(st, N), GT_OK));
    cr_assert(eq(int, gt_store_compact(st), GT_OK));
    gt_store_close(st);
    table_file_flip();

    uint8_t *seen = calloc(N + 1, 1);
    int n_bad;
    int64_t lo = 0, hi = 0;
    char msg[GT_ERRLEN];
    int got = read_past(INT64_MIN, INT64_MAX, seen, &n_bad, &lo, &hi, msg);
    cr_assert(eq(int, n_bad, 1), "one stretch");
    cr_assert(not(eq(ptr, strstr(msg, ".sst"), NULL)), "the message names the file: %s", msg);
    cr_assert(lt(int, got, N));
    cr_assert(gt(int, got, N / 2), "the query goes on past the stretch");
    cr_assert(lt(i64, lo, hi));
    for (int s = 1; s <= N; s++)
        if (!seen[s])
            cr_assert(ns[s] >= lo && ns[s] < hi, "a lost tick lies in the stretch");
    cr_assert(seen[N], "the ticks after it are read");

    /* A range starting inside the stretch: the rest of it, from its end. */
    memset(seen, 0, N + 1);
    int64_t lo2, hi2;
    int from_mid = read_past(lo + (hi - lo) / 2, INT64_MAX, seen, &n_bad, &lo2, &hi2, msg);
    cr_assert(eq(int, n_bad, 1));
    cr_assert(eq(i64, lo2, INT64_MIN), "the stretch starts before the range");
    cr_assert(eq(i64, hi2, hi));
    int want = 0;
    for (int s = 1; s <= N; s++)
        want += ns[s] >= hi;
    cr_assert(eq(int, from_mid, want));
    /* A range ending before it reads cleanly. */
    int before = read_past(INT64_MIN, lo - 1, seen, &n_bad, &lo2, &hi2, msg);
    cr_assert(eq(int, n_bad, 0), "%s", msg);
    cr_assert(gt(int, before, 0));
    free(seen);
    free(ns);
}

/* The largest table file's path, and the offset and size of its index block
 * read from the footer (RocksDB's block-based format versions 1 to 5: the
 * checksum type, then the metaindex and index handles as varints, in the
 * last 53 bytes). Returns 0, or -1 for a footer of another layout. */
static int table_index_block(char *path, size_t cap, long *off, long *len)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -S %s/*.sst | head -1", db);
    FILE *p = popen(cmd, "r");
    cr_assert(not(eq(ptr, fgets(path, (int)cap, p), NULL)));
    pclose(p);
    path[strcspn(path, "\n")] = 0;
    FILE *f = fopen(path, "rb");
    uint8_t foot[53];
    fseek(f, -53, SEEK_END);
    cr_assert(eq(sz, fread(foot, 1, sizeof foot, f), sizeof foot));
    fclose(f);
    if (ld_le32(foot + 41) < 1 || ld_le32(foot + 41) > 5)
        return -1;
    uint64_t v[4] = {0};
    const uint8_t *q = foot + 1;
    for (int k = 0; k < 4; k++)
        for (int s = 0; q < foot + 41; s += 7) {
            v[k] |= (uint64_t)(*q & 0x7f) << s;
            if (!(*q++ & 0x80))
                break;
        }
    *off = (long)v[2];
    *len = (long)v[3];
    return 0;
}

Test(store, a_reader_that_cannot_load_a_table_file_says_so_and_names_it)
{
    gt_store *st = open_ok(GT_STORE_WRITER);
    append_range(st, 1, 20 * BLOCK_TICKS, 1);
    cr_assert(eq(int, gt_store_commit(st, 20 * BLOCK_TICKS), GT_OK));
    cr_assert(eq(int, gt_store_compact(st), GT_OK));
    gt_store_close(st);
    char path[512];
    long off, len;
    if (table_index_block(path, sizeof path, &off, &len) < 0)
        cr_skip_test("this RocksDB writes another table footer layout");
    FILE *f = fopen(path, "r+b");
    fseek(f, off + len / 3, SEEK_SET);
    int c = fgetc(f);
    fseek(f, off + len / 3, SEEK_SET);
    fputc(c ^ 0x40, f);
    fclose(f);
    /* A secondary instance would open without that file's blocks: the
     * commit mark in "ticks" then disagrees with the checkpoint in "meta",
     * and the open fails naming the file. */
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_READER, &st, err), GT_ECORRUPT),
              "not a silent empty series: %s", err);
    cr_assert(not(eq(ptr, strstr(err, "could not be loaded"), NULL)), "%s", err);
    cr_assert(not(eq(ptr, strstr(err, ".sst"), NULL)), "names the file: %s", err);
}
