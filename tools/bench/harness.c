/* SPDX-License-Identifier: MIT */
/* harness.c -- timing and table output shared by every measure. */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
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

double bench_cmd(int (*cmd)(int, char **), char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    fflush(stdout);
    int so = dup(1), nul = open("/dev/null", O_WRONLY);
    dup2(nul, 1);
    double t0 = bench_now();
    int rc = cmd(argc, argv);
    fflush(stdout);
    double dt = bench_now() - t0;
    dup2(so, 1);
    close(so);
    close(nul);
    return rc == 0 ? dt : -1;
}
