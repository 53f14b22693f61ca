/* SPDX-License-Identifier: MIT */
/* test_bitflip.c -- one flipped bit anywhere in any table file of a store:
 * every tickq command either prints exactly what it prints on the undamaged
 * store, or exits 1 naming the damage. Never a wrong answer with exit 0.
 *
 * The store is written through the store API, as tickstore writes it, in
 * three writer sessions with several commits each, so that both the `ticks`
 * and the `meta` families hold several table files (the newest `meta` file
 * holding the last checkpoint and series records); the last session starts
 * with a retention, so the files hold its records and range deletions. It holds a day of an
 * H100 contract (definitions with a depth, book levels with book checkpoints
 * every 400 book ticks, a stale period, tops of book, trades, session
 * volumes), a deferred month, and an index with indicative values and a
 * month of official fixings, so every command has something to answer.
 *
 * Each trial copies the store, flips one bit of one table file (the files
 * taken in turn; half of the trials anywhere in the file, half in its last
 * 4 KiB, where RocksDB keeps the index, filter, properties and footer), and
 * runs every command that reads the store. The Release run does 240 trials;
 * under the sanitizers (ten times slower) it does 48 and says so. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd.h"
#include "gputick/store.h"
#include "gputick/tick.h"
#include "gputick/time.h"
#include "tickgen.h"

#if defined(__SANITIZE_ADDRESS__)
#define BITFLIP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BITFLIP_SANITIZED 1
#endif
#endif
#ifdef BITFLIP_SANITIZED
enum { N_TRIALS = 48 };
#else
enum { N_TRIALS = 240 };
#endif

#define DAY_NS INT64_C(1795478400000000000) /* 2026-11-24T00:00:00Z */
#define TICK_PX INT64_C(5000000)
enum { FRONT = 1001, DEFERRED = 1002, MAX_TICKS = 120000, N_EVENTS = 9000, N_SESSIONS = 3 };

static char dir[64], pristine[128], trial[128];
static struct tickgen gen;
static uint64_t rng = 0x2545f4914f6cdd1du;
static int32_t index_id;

static uint64_t rnd(void)
{
    return tickgen_rnd(&rng);
}

static struct gt_tick *add(int kind, int32_t id, int64_t ns)
{
    return tickgen_add(&gen, kind, id, ns);
}

static void def(int64_t ns, int32_t id, const char *sym, uint32_t maturity, int type, int depth)
{
    tickgen_def(&gen, ns, id, sym, maturity, type, depth);
}

static void fixing(int64_t ns, int64_t px, int code, uint32_t date)
{
    tickgen_fixing(&gen, index_id, ns, px, code, date);
}

static void level(int64_t ns, int side, int lvl, int action, int64_t px, int64_t qty)
{
    struct gt_tick *t = add(GT_KIND_LEVEL, FRONT, ns);
    t->u.level = (struct gt_level){.px = px,
                                   .qty = qty,
                                   .n_orders = (int32_t)(qty % 5 + 1),
                                   .level = (uint8_t)lvl,
                                   .side = (uint8_t)side,
                                   .action = (uint8_t)action};
}

/* The day, 09:00 to 17:00, and December's official fixings. */
static void market(void)
{
    index_id = gt_index_id("SDH100RT", 8);
    def(DAY_NS, index_id, "SDH100RT", 0, GT_INSTR_INDEX, 10);
    def(DAY_NS, FRONT, "H100Z6", 20261230, GT_INSTR_FUTURE, 6);
    def(DAY_NS, DEFERRED, "H100F7", 20270129, GT_INSTR_FUTURE, 10);
    int n[2] = {0, 0};
    int64_t t0 = DAY_NS + 9 * 3600 * GT_NS_PER_SEC, step = 8 * 3600 * GT_NS_PER_SEC / N_EVENTS;
    int64_t mid = 2750000000, next_fix = t0, volume = 0;
    for (int e = 0; e < N_EVENTS; e++) {
        int64_t ns = t0 + e * step + (int64_t)(rnd() % (uint64_t)step);
        if (ns >= next_fix) {
            fixing(next_fix, mid - 20000000, GT_FIX_INDICATIVE, 20261124);
            next_fix += 600 * GT_NS_PER_SEC;
        }
        mid += ((int64_t)(rnd() % 3) - 1) * TICK_PX;
        if (e == 3000)
            add(GT_KIND_STATUS, FRONT, ns)->u.status =
                (struct gt_status){.trading = 255, .feed = GT_FEED_STALE};
        if (e == 3100) {
            level(ns, GT_SIDE_BID, 1, GT_ACT_DELETE_THRU, 0, 0);
            level(ns, GT_SIDE_ASK, 1, GT_ACT_DELETE_THRU, 0, 0);
            n[0] = n[1] = 0;
            add(GT_KIND_STATUS, FRONT, ns)->u.status =
                (struct gt_status){.trading = 255, .feed = GT_FEED_RECOVERED};
        }
        for (int k = (int)(rnd() % 3) + 1; k > 0; k--) {
            int s = (int)(rnd() % 2), r = (int)(rnd() % 10);
            int64_t px = mid + (s ? 1 : -1) * (int64_t)(rnd() % 8 + 1) * TICK_PX;
            if (n[s] == 0 || r < 5) {
                int lvl = (int)(rnd() % (uint64_t)(n[s] < 6 ? n[s] + 1 : 6)) + 1;
                level(ns, s + 1, lvl, GT_ACT_NEW, px, (int64_t)(rnd() % 90) + 1);
                n[s] += n[s] < 6;
            } else if (r < 8) {
                level(ns, s + 1, (int)(rnd() % (uint64_t)n[s]) + 1, GT_ACT_CHANGE, px,
                      (int64_t)(rnd() % 90) + 1);
            } else {
                level(ns, s + 1, (int)(rnd() % (uint64_t)n[s]) + 1, GT_ACT_DELETE, px, 0);
                n[s]--;
            }
        }
        if (rnd() % 2) {
            struct gt_tick *t = add(GT_KIND_TRADE, FRONT, ns);
            int64_t qty = (int64_t)(rnd() % 40) + 1;
            t->u.trade = (struct gt_trade){.px = mid + ((int64_t)(rnd() % 5) - 2) * TICK_PX,
                                           .qty = qty,
                                           .trade_id = (uint32_t)e,
                                           .n_orders = 2,
                                           .aggressor = (uint8_t)(rnd() % 2 + 1)};
            volume += qty;
            struct gt_tick *v = add(GT_KIND_STAT, FRONT, ns);
            v->u.stat =
                (struct gt_stat){.px = INT64_MAX, .qty = volume, .type = GT_STAT_SESSION_VOLUME};
        }
        struct gt_tick *q = add(GT_KIND_TOB, FRONT, ns);
        q->u.tob = (struct gt_tob){.bid_px = mid - TICK_PX,
                                   .ask_px = mid + TICK_PX,
                                   .bid_qty = (int64_t)(rnd() % 20) + 1,
                                   .ask_qty = 12,
                                   .bid_orders = 1,
                                   .ask_orders = 2};
        if (e % 500 == 250) {
            struct gt_tick *d = add(GT_KIND_TRADE, DEFERRED, ns + 1);
            d->u.trade = (struct gt_trade){.px = mid + 40 * TICK_PX, .qty = 2, .aggressor = 1};
        }
    }
    for (int d = 1; d <= 30; d++) {
        int64_t ns = gt_ns_of_ymd(20261200u + (uint32_t)d);
        int wd = (int)((ns / GT_NS_PER_DAY + 4) % 7);
        if (wd != 0 && wd != 6)
            fixing(ns + 16 * 3600 * GT_NS_PER_SEC, 2700000000 + (int64_t)(rnd() % 90000000),
                   GT_FIX_CLOSE, 20261200u + (uint32_t)d);
    }
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/gt-test-bitflip-XXXXXX");
    cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
    snprintf(pristine, sizeof pristine, "%s/pristine", dir);
    snprintf(trial, sizeof trial, "%s/trial", dir);
    gen = (struct tickgen){malloc(MAX_TICKS * sizeof *gen.ticks), 0, MAX_TICKS, 0};
    cr_assert(not(eq(ptr, gen.ticks, NULL)));
    market();
    /* Three writer sessions of a few commits each: each close flushes, so
     * each family gets a table file per session. */
    int at = 0;
    for (int s = 0; s < N_SESSIONS; s++) {
        gt_store *st;
        char err[GT_ERRLEN];
        cr_assert(eq(int, gt_store_open(pristine, GT_STORE_WRITER, &st, err), GT_OK), "%s", err);
        gt_store_set_book_every(st, 400);
        /* The last session starts with a retention of the first hour, so
         * the files hold a retention horizon, book horizons, the checkpoint
         * retention leaves and range deletions too. */
        if (s == N_SESSIONS - 1)
            cr_assert(ge(int, gt_store_delete_before(st, DAY_NS + 10 * 3600 * GT_NS_PER_SEC), 1),
                      "%s", gt_store_errmsg(st));
        int end = s == N_SESSIONS - 1 ? gen.n : gen.n * (s + 1) / N_SESSIONS;
        for (; at < end; at++) {
            cr_assert(eq(int, gt_store_append(st, &gen.ticks[at]), 1), "%s", gt_store_errmsg(st));
            if (at % 5000 == 4999 || at == end - 1)
                cr_assert(eq(int, gt_store_commit(st, gen.ticks[at].seq), GT_OK));
        }
        gt_store_close(st);
    }
}

static void teardown(void)
{
    free(gen.ticks);
    if (getenv("GT_BITFLIP_KEEP")) /* to look into a failure: the trial's store stays */
        fprintf(stderr, "bitflip: kept %s\n", dir);
    else
        nftw(dir, tickgen_rm, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(bitflip, .init = setup, .fini = teardown, .timeout = 600);

/* ---- files ---- */

static void copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(in >= 0 && out >= 0, "%s -> %s", from, to);
    char buf[1 << 16];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        cr_assert(eq(i64, write(out, buf, (size_t)n), n));
    close(in);
    close(out);
}

/* A fresh copy of the pristine store at trial. */
static void store_copy(void)
{
    nftw(trial, tickgen_rm, 16, FTW_DEPTH | FTW_PHYS);
    cr_assert(eq(int, mkdir(trial, 0755), 0));
    DIR *d = opendir(pristine);
    cr_assert(not(eq(ptr, d, NULL)));
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "LOCK") == 0)
            continue;
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/%s", pristine, e->d_name);
        snprintf(b, sizeof b, "%s/%s", trial, e->d_name);
        copy_file(a, b);
    }
    closedir(d);
}

enum { MAX_SST = 64 };
static char sst[MAX_SST][64];
static long sst_len[MAX_SST];
static int n_sst;

static int name_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void sst_list(void)
{
    DIR *d = opendir(pristine);
    cr_assert(not(eq(ptr, d, NULL)));
    n_sst = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n > 4 && n < sizeof sst[0] && strcmp(e->d_name + n - 4, ".sst") == 0) {
            cr_assert(n_sst < MAX_SST);
            snprintf(sst[n_sst++], sizeof sst[0], "%s", e->d_name);
        }
    }
    closedir(d);
    qsort(sst, (size_t)n_sst, sizeof sst[0], name_cmp);
    for (int i = 0; i < n_sst; i++) {
        char p[512];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s", pristine, sst[i]);
        cr_assert(eq(int, stat(p, &sb), 0));
        sst_len[i] = sb.st_size;
    }
}

/* ---- the commands ---- */

enum { N_CMD = 15, MAX_ARGS = 16 };
static char chart_path[160];
struct command {
    int (*run)(int, char **);
    const char *args[MAX_ARGS]; /* "DB" is the store, "CHART" the chart's file */
};
static const struct command commands[N_CMD] = {
    {cmd_symbols, {"symbols", "--db", "DB", "--format", "csv"}},
    {cmd_stats, {"stats", "--db", "DB", "--format", "csv"}},
    {cmd_ticks, {"ticks", "H100Z6", "--db", "DB", "--format", "csv"}},
    {cmd_ticks, {"ticks", "H100F7", "--kind", "trade", "--db", "DB", "--format", "json"}},
    {cmd_bars, {"bars", "H100Z6", "-i", "10m", "--db", "DB", "--format", "csv"}},
    {cmd_bars, {"bars", "H100F7", "-i", "1d", "--db", "DB", "--format", "csv"}},
    {cmd_book, {"book", "H100Z6", "--at", "2026-11-24T10:30Z", "--db", "DB", "--format", "csv"}},
    {cmd_book, {"book", "H100Z6", "--at", "2026-11-24T16:59Z", "--db", "DB", "--format", "csv"}},
    {cmd_fixings, {"fixings", "SDH100RT", "--db", "DB", "--format", "csv"}},
    {cmd_curve, {"curve", "H100", "--at", "2026-11-24T15:00Z", "--db", "DB", "--format", "csv"}},
    {cmd_settle, {"settle", "H100Z6", "--db", "DB", "--format", "csv"}},
    {cmd_asof, {"asof", "H100Z6", "--from", "2026-11-24T12:00Z", "--db", "DB", "--format", "csv"}},
    {cmd_chart, {"chart", "bars", "H100Z6", "-i", "30m", "--out", "CHART", "--db", "DB"}},
    {cmd_chart,
     {"chart", "curve", "H100", "--at", "2026-11-24T16:00Z", "--out", "CHART", "--db", "DB"}},
    {cmd_stats, {"stats", "--db", "DB", "--format", "json"}},
};

struct result {
    int rc;
    char *out, *err;
};

/* Runs command c on the store at db in this process, its stdout (or its
 * chart file) and stderr captured. */
static struct result run(const struct command *c, const char *db)
{
    char *argv[MAX_ARGS + 1], opath[160], epath[160];
    int argc = 0;
    snprintf(chart_path, sizeof chart_path, "%s/chart.svg", dir);
    remove(chart_path);
    for (; argc < MAX_ARGS && c->args[argc]; argc++) {
        const char *a = c->args[argc];
        argv[argc] = (char *)(strcmp(a, "DB") == 0 ? db : strcmp(a, "CHART") == 0 ? chart_path : a);
    }
    argv[argc] = NULL;
    snprintf(opath, sizeof opath, "%s/out", dir);
    snprintf(epath, sizeof epath, "%s/err", dir);
    struct result r = {tickgen_run(c->run, argc, argv, opath, epath), NULL, NULL};
    r.out = tickgen_slurp(strcmp(c->args[0], "chart") == 0 ? chart_path : opath);
    r.err = tickgen_slurp(epath);
    return r;
}

static void result_free(struct result *r)
{
    free(r->out);
    free(r->err);
}

/* Whether a failure's words name damage: RocksDB's "Corruption" and the
 * store's and tickq's own words for what cannot be read. */
static bool names_damage(const char *err)
{
    static const char *const words[] = {"orrupt",  "checksum", "unreadable", "could not be loaded",
                                        "damaged", ".sst"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(err, words[i]))
            return true;
    return false;
}

Test(bitflip, a_flipped_bit_in_any_table_file_gives_the_right_answer_or_exit_1_naming_it)
{
    sst_list();
    cr_assert(ge(int, n_sst, 4), "several table files of each family: %d", n_sst);
    struct result want[N_CMD];
    for (int c = 0; c < N_CMD; c++) {
        want[c] = run(&commands[c], pristine);
        cr_assert(eq(int, want[c].rc, 0), "%s on the undamaged store: %s", commands[c].args[0],
                  want[c].err);
        cr_assert(gt(sz, strlen(want[c].out), 40), "%s prints something", commands[c].args[0]);
    }
#ifdef BITFLIP_SANITIZED
    cr_log_info("bitflip: %d trials under the sanitizers (240 in Release)", N_TRIALS);
#endif
    int same = 0, named = 0, n_bad = 0;
    for (int t = 0; t < N_TRIALS; t++) {
        int f = t % n_sst;
        long len = sst_len[f], off;
        if ((t / n_sst) % 2 == 0 || len <= 4096)
            off = (long)(rnd() % (uint64_t)len);
        else
            off = len - 4096 + (long)(rnd() % 4096);
        int bit = (int)(rnd() % 8);
        store_copy();
        char p[512];
        snprintf(p, sizeof p, "%s/%s", trial, sst[f]);
        int fd = open(p, O_RDWR);
        cr_assert(fd >= 0);
        uint8_t byte;
        cr_assert(eq(i64, pread(fd, &byte, 1, off), 1));
        byte ^= (uint8_t)(1u << bit);
        cr_assert(eq(i64, pwrite(fd, &byte, 1, off), 1));
        close(fd);
        for (int c = 0; c < N_CMD; c++) {
            struct result got = run(&commands[c], trial);
            bool ok = got.rc == 0 && strcmp(got.out, want[c].out) == 0;
            bool loud = got.rc == 1 && names_damage(got.err);
            if (!ok && !loud && n_bad++ < 8)
                cr_log_error("trial %d: %s (%ld bytes) bit %d of byte %ld: tickq %s %s exits %d "
                             "(output %s the undamaged store's) with stderr: %s",
                             t, sst[f], len, bit, off, commands[c].args[0], commands[c].args[1],
                             got.rc, strcmp(got.out, want[c].out) == 0 ? "equal to" : "unlike",
                             got.err);
            same += ok;
            named += loud;
            result_free(&got);
        }
    }
    cr_log_info("bitflip: %d trials over %d table files, %d commands each: %d answers equal, "
                "%d refused naming the damage",
                N_TRIALS, n_sst, N_CMD, same, named);
    for (int c = 0; c < N_CMD; c++)
        result_free(&want[c]);
    cr_assert(eq(int, n_bad, 0), "%d answers wrong or not naming the damage (the first above)",
              n_bad);
}
