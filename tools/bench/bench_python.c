/* SPDX-License-Identifier: MIT */
/* bench_python.c -- gtbench python: the Python package (python/, docs/python.md)
 * on one busy instrument's day, each beside its baseline in the same run.
 *
 * The day is daysim's (one product, one contract: every tick one instrument's,
 * trades, MBP levels and tops of book), recorded into a store as tickstore
 * would. tools/bench/bench_python.py, run with /usr/bin/python3 over the
 * build tree's package, times Store.ticks() to a DataFrame against what an
 * analyst does without the package, `tickq ticks --format csv |
 * pandas.read_csv`, and Store.ticks(raw=True) into numpy; this file times
 * the C side alone, tickq ticks' steps (ticks_query: store, merge of the
 * series by seq) with a sink that only counts, and prints the rows. Skipped
 * with a message where /usr/bin/python3 lacks numpy or pandas. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"
#include "daysim.h"
#include "gputick/err.h"
#include "ticks_query.h"

enum { N_TICKS = 1000000, REPS = 3 };

static void count_begin(void *ctx, int kind, enum out_format fmt, int many)
{
    (void)ctx, (void)kind, (void)fmt, (void)many;
}

static int count_run(void *ctx, const struct gt_tick *t, int n, const char *symbol)
{
    (void)t, (void)symbol;
    *(uint64_t *)ctx += (uint64_t)n;
    return 0;
}

static int count_end(void *ctx, int rc)
{
    (void)ctx;
    return rc;
}

/* The C iterator alone: seconds for every tick of symbol, and their count. */
static double c_ticks(const char *db, const char *symbol, uint64_t *n)
{
    char *argv[] = {"ticks", (char *)symbol, "--db", (char *)db, NULL};
    struct ticks_sink s = {count_begin, count_run, count_end, n};
    *n = 0;
    double t0 = bench_now();
    int rc = ticks_query(4, argv, &s);
    return rc ? -1 : bench_now() - t0;
}

int bench_python(void)
{
    if (system("/usr/bin/python3 -c 'import numpy, pandas' 2>/dev/null") != 0) {
        fprintf(stderr, "gtbench python: skipped: /usr/bin/python3 lacks numpy or pandas "
                        "(./dev deps installs them)\n");
        return GT_OK;
    }
    char dir[] = "/tmp/gt-bench-python-XXXXXX", db[64];
    if (!mkdtemp(dir))
        return GT_EIO;
    snprintf(db, sizeof db, "%s/db", dir);
    struct daysim d;
    struct daysim_config c = {.n_ticks = N_TICKS,
                              .n_products = 1,
                              .n_contracts = 1,
                              .start_ns = INT64_C(1795478400000000000), /* 2026-11-24 */
                              .mean_gap_ns = 60000000};
    int rc = daysim_gen(&d, &c);
    if (rc < 0)
        return rc;
    char symbol[GT_SYMBOL_LEN + 1] = {0};
    memcpy(symbol, d.stream[0].u.def.symbol, GT_SYMBOL_LEN);
    double ingest;
    uint64_t disk;
    rc = bench_store_ingest(db, d.stream, d.n_ticks, 100000, "gtbench python", &ingest, &disk);
    daysim_free(&d);
    if (rc < 0)
        goto out;

    /* This executable is build/<tree>/tools/bench/gtbench: the package is
     * build/<tree>/python, tickq build/<tree>/query/tickq. */
    char exe[1024], cmd[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[len > 0 ? len : 0] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    snprintf(cmd, sizeof cmd,
             "PYTHONPATH='%s/../../python' /usr/bin/python3 '%s/tools/bench/bench_python.py' "
             "'%s' '%s' '%s/../../query/tickq' 1",
             exe, GT_BENCH_SOURCE_DIR, db, symbol, exe);
    /* Each rep: one Python run of every measure, then the C side, so the
     * two alternate on a machine whose load changes; the best of each. */
    double best[5] = {-1, -1, -1, -1, -1}, c_s = -1;
    static const char *names[5] = {"ticks_df", "tickq_csv", "ticks_numpy", "trades_df",
                                   "trades_csv"};
    uint64_t rows = 0, trade_rows = 0, n = 0;
    for (int rep = 0; rep < REPS; rep++) {
        FILE *p = popen(cmd, "r");
        char line[256];
        int got = 0;
        while (p && fgets(line, sizeof line, p)) {
            char name[32];
            double v;
            unsigned long long r;
            if (sscanf(line, "rows %llu", &r) == 1)
                rows = r;
            else if (sscanf(line, "trade_rows %llu", &r) == 1)
                trade_rows = r;
            else if (sscanf(line, "%31s %lf", name, &v) == 2)
                for (int i = 0; i < 5; i++)
                    if (strcmp(name, names[i]) == 0 && v > 0) {
                        best[i] = best[i] < 0 || v < best[i] ? v : best[i];
                        got |= 1 << i;
                    }
        }
        if (!p || pclose(p) != 0 || got != 31) {
            fprintf(stderr, "gtbench python: %s failed\n", cmd);
            rc = GT_EIO;
            goto out;
        }
        double s = c_ticks(db, symbol, &n);
        if (s < 0) {
            rc = GT_EIO;
            goto out;
        }
        c_s = c_s < 0 || s < c_s ? s : c_s;
    }
    double df = best[0], csv = best[1], np = best[2], tdf = best[3], tcsv = best[4];
    if (n != rows) {
        fprintf(stderr, "gtbench python: the package read %llu ticks, the C iterator %llu\n",
                (unsigned long long)rows, (unsigned long long)n);
        rc = GT_EIO;
        goto out;
    }
    char what[256];
    snprintf(what, sizeof what,
             "python Store.ticks() of a day (%.1f M ticks of all kinds, one instrument: 31 "
             "columns) to a DataFrame, M ticks/s (baseline: tickq ticks --format csv | "
             "pandas.read_csv; goal >= 20x)",
             (double)rows / 1e6);
    bench_row(what, (double)rows / df / 1e6, (double)rows / csv / 1e6);
    snprintf(what, sizeof what,
             "python Store.ticks(kind='trade') of the day (%.2f M trades) to a DataFrame, "
             "M trades/s (baseline: tickq ticks --kind trade --format csv | pandas.read_csv)",
             (double)trade_rows / 1e6);
    bench_row(what, (double)trade_rows / tdf / 1e6, (double)trade_rows / tcsv / 1e6);
    bench_row("python Store.ticks(raw=True) into numpy, M ticks/s (baseline: the C iterator "
              "alone, tickq ticks' steps counting the ticks; goal >= 0.5x)",
              (double)rows / np / 1e6, (double)n / c_s / 1e6);
out:
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "gtbench python: could not remove %s\n", dir);
    return rc;
}
