/* SPDX-License-Identifier: MIT */
/* main.c -- gtbench: runs the named benchmarks (all by default) and prints one
 * markdown table. tools/bench/run builds a Release tree and calls this, plus
 * the measures that need a peer server. */
#include <stdio.h>
#include <string.h>
#include "bench.h"

static const struct bench benches[] = {
    {"tick", "tick record decode vs memcpy", bench_tick},
    {"mdp3", "MDP 3.0 packet decode vs reading the same bytes as 64-bit words", bench_mdp3},
    {"book", "MBP book entries vs reading them, and vs a naive book", bench_book},
    {"journal", "journal append+flush vs raw write() of the same bytes", bench_journal},
    {"rx", "multicast zero-loss rate vs recvfrom; arbiter vs reading seqs", bench_rx},
    {"store", "block codec vs LZ4 alone and memcpy", bench_store},
    {"retention", "retention by DeleteRange + compaction vs day column families dropped whole",
     bench_retention},
    {"feed", "tickfeed core (decode, books, normalize) vs decoding alone", bench_feed},
    {"mbo", "order book upkeep vs decoding alone; tickfeed with order books vs the MBP path",
     bench_mbo},
    {"e2e", "tickfeed process: latency and zero-loss rate vs raw zmq / recvmmsg", bench_e2e},
    {"tickq", "tickq bars, VWAP and book --at over a simulated day vs decoded ticks in memory",
     bench_tickq},
    {"clickhouse",
     "store ingest, size, scan vs ClickHouse and naive RocksDB, tickq bars/VWAP vs ClickHouse, "
     "on a ticksim day of 11 M ticks (ClickHouse rows skipped when it is absent)",
     bench_clickhouse},
    {"curve", "CURVE-encrypted PUB->SUB throughput vs plain text", bench_curve},
    {"python", "Python Store.ticks() vs tickq CSV into pandas, and into numpy vs the C iterator",
     bench_python},
};
enum { N_BENCHES = sizeof benches / sizeof benches[0] };

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: gtbench [NAME...]\n\nRuns benchmarks, each beside a baseline measured "
               "in the same run, and prints a markdown table.\n\nBenchmarks:\n");
        for (int i = 0; i < N_BENCHES; i++)
            printf("  %-12s %s\n", benches[i].name, benches[i].summary);
        return 0;
    }
    /* Every name must be a benchmark: a typo would otherwise print an empty table
     * and exit 0, which a script reads as a clean run. */
    for (int a = 1; a < argc; a++) {
        int known = 0;
        for (int i = 0; i < N_BENCHES; i++)
            known |= strcmp(argv[a], benches[i].name) == 0;
        if (!known) {
            fprintf(stderr, "gtbench: unknown benchmark '%s' (want one of:", argv[a]);
            for (int i = 0; i < N_BENCHES; i++)
                fprintf(stderr, " %s", benches[i].name);
            fprintf(stderr, "; see gtbench --help)\n");
            return 2;
        }
    }
    int rc = 0;
    bench_table_header();
    for (int i = 0; i < N_BENCHES; i++) {
        int want = argc <= 1;
        for (int a = 1; a < argc; a++)
            want |= strcmp(argv[a], benches[i].name) == 0;
        if (want && benches[i].run() < 0) {
            fprintf(stderr, "gtbench: %s failed\n", benches[i].name);
            rc = 1;
        }
    }
    return rc;
}
