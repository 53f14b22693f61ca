/* SPDX-License-Identifier: MIT */
/* bench.h -- the benchmark harness: every measure beside its baseline.
 *
 * These machines are noisy, so a number alone means little: each measure runs
 * gputick's code and a baseline (the memory-bound limit, raw libzmq, a peer
 * database) in the same run, alternating, and reports the ratio. One markdown
 * table row per measure; bench_table_header() prints the header once. */
#ifndef GT_BENCH_H
#define GT_BENCH_H
#include <stddef.h>
#include <stdint.h>

struct bench {
    const char *name;    /* selects it on the command line */
    const char *summary; /* one line for --help */
    int (*run)(void);    /* prints its rows; returns 0 or a GT_E* code */
};

/* Prints "| measure | gputick | baseline | ratio |" with the ratio gputick /
 * baseline; the measure text says the unit, the baseline and which way is
 * better. */
void bench_row(const char *measure, double gputick, double baseline);
void bench_table_header(void);

/* xorshift64: the next pseudo-random number below n from *state (nonzero). */
uint32_t bench_rnd(uint64_t *state, uint32_t n);
/* The MDInstrumentDefinitionFuture54 packets of n H100 futures, SecurityID
 * 1000 + i, tick 0.005, depth 10: packet i in bufs + i * cap, its length in
 * lens[i]. Returns GT_OK, or GT_EINVAL if cap is too small. */
int bench_future_defs(int n, uint8_t *bufs, size_t cap, size_t *lens);
/* Monotonic seconds. */
double bench_now(void);
/* Keeps the compiler from deleting work whose result is otherwise unused. */
void bench_sink(uint64_t v);
/* Runs a tickq command (cmd_bars...) with argv as the user would, its stdout
 * on /dev/null. Returns the seconds it took, or -1 if it failed. */
double bench_cmd(int (*cmd)(int, char **), char **argv);
struct gt_tick;
/* Records t[0..n) into a new store at db as tickstore would (a commit every
 * commit_every ticks and at the end), then compacts it. *ingest_s gets the
 * append+commit time, *disk the table files' bytes. who prefixes errors on
 * stderr. Returns GT_OK or a GT_E* code. */
int bench_store_ingest(const char *db, const struct gt_tick *t, size_t n, size_t commit_every,
                       const char *who, double *ingest_s, uint64_t *disk);

int bench_tick(void);
int bench_mdp3(void);
int bench_book(void);
int bench_journal(void);
int bench_rx(void);
int bench_store(void);
int bench_retention(void);
int bench_tickq(void);
int bench_feed(void);
int bench_mbo(void);
int bench_e2e(void);
int bench_clickhouse(void);
int bench_curve(void);
int bench_python(void);

#endif
