/* SPDX-License-Identifier: MIT */
/* harness.c -- timing and table output shared by every measure. */
#include <stdio.h>
#include <time.h>
#include "bench.h"

static volatile uint64_t sink;

void bench_sink(uint64_t v)
{
    sink += v;
}

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void bench_table_header(void)
{
    printf("| measure | gputick | baseline | ratio |\n");
    printf("|---|---:|---:|---:|\n");
    fflush(stdout);
}

void bench_row(const char *measure, double gputick, double baseline)
{
    printf("| %s | %.4g | %.4g | %.3f |\n", measure, gputick, baseline,
           baseline != 0 ? gputick / baseline : 0.0);
    fflush(stdout);
}
